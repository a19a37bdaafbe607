//! Calls of standard-library functions (builtins.md §G.1), read from the rows of
//! `crate::library`: qualified (`数学.开方(x)`, `数学::开方(x)`, `别名.开方(x)`) and
//! unqualified when exactly one module defines the name.

use super::body::{FnLower, Val};
use super::Checker;
use crate::ir::*;
use crate::library::{self, LibId, Module};
use qi_syntax::ast::{self, AstNode};
use rowan::TextRange;

impl Checker<'_> {
    /// The library module a qualifier names in the current file: an alias from
    /// `导入 标准库.X 作为 别名;`, or a module key (usable without an import).
    pub(super) fn library_module(&self, qualifier: &str) -> Option<&'static Module> {
        self.std_aliases[self.file as usize]
            .get(qualifier)
            .copied()
            .or_else(|| library::module_by_key(qualifier))
    }

    /// `导入 标准库.X [作为 别名];`.
    pub(super) fn import_library(&mut self, module: &str, alias: Option<String>, range: TextRange) {
        let file = self.file as usize;
        if let Some(m) = library::module_by_key(module) {
            self.std_aliases[file].insert(alias.unwrap_or_else(|| module.to_string()), m);
        } else if library::MODULES_LATER.contains(&module) {
            self.unsupported(
                range,
                &format!("标准库模块「{module}」"),
                &format!("standard-library module `{module}`"),
            );
        } else {
            let list = library::module_list();
            self.error(
                range,
                format!("标准库里没有模块「{module}」。可用的标准库模块：{list}"),
                format!("the standard library has no module `{module}`; available: {list}"),
            );
        }
    }
}

/// `「数学」、「同步」`: module names for a diagnostic.
fn module_names(modules: &[&Module]) -> (String, String) {
    let zh: Vec<String> = modules.iter().map(|m| format!("「{}」", m.name())).collect();
    let en: Vec<&str> = modules.iter().map(|m| m.name()).collect();
    (zh.join("、"), en.join(", "))
}

/// The diagnostic of an unqualified call of `name`, which several modules define.
fn ambiguity(name: &str, modules: &[&Module]) -> (String, String) {
    let (zh, en) = module_names(modules);
    let m = modules[0].name();
    (
        format!("函数「{name}」在多个标准库模块中都有定义（{zh}），无限定调用有歧义。请写模块限定形式，如 {m}.{name}(...)"),
        format!("function `{name}` is defined in several standard-library modules ({en}): the unqualified call is ambiguous; qualify it, as in {m}.{name}(...)"),
    )
}

impl FnLower<'_, '_> {
    /// `模块.name(…)` where `qualifier` names a library module; `None` when it does not.
    pub(super) fn library_qualified_call(
        &mut self,
        qualifier: &str,
        name: &str,
        args: &[ast::Expr],
        range: TextRange,
    ) -> Option<Option<Val>> {
        if self.is_variable(qualifier) {
            return None;
        }
        let module = self.c.library_module(qualifier)?;
        let Some(id) = library::function(module, name) else {
            self.check_and_drop(args);
            if library::FUNCTIONS_LATER.contains(&(module.name(), name)) {
                return Some(self.unsupported(
                    range,
                    &format!("{}.{name}", module.name()),
                    &format!("{}.{name}", module.name()),
                ));
            }
            let m = module.name();
            let elsewhere = library::modules_defining(name);
            if elsewhere.is_empty() {
                self.c.error(
                    range,
                    format!("标准库模块「{m}」没有函数「{name}」"),
                    format!("standard-library module `{m}` has no function `{name}`"),
                );
            } else {
                let (zh, en) = module_names(&elsewhere);
                self.c.error(
                    range,
                    format!("标准库模块「{m}」没有函数「{name}」（名为「{name}」的函数定义在：{zh}）"),
                    format!("standard-library module `{m}` has no function `{name}` (it is defined in: {en})"),
                );
            }
            return Some(None);
        };
        Some(self.library_call(id, args, range))
    }

    /// `X.f(…)` where `X` names no package, alias or provided module: a module of
    /// builtins.md §G.3 not provided yet is named; anything else is reported as one.
    pub(super) fn unknown_module(
        &mut self,
        qualifier: Option<&str>,
        range: TextRange,
    ) -> Option<Val> {
        match qualifier.filter(|q| library::MODULES_LATER.contains(q)) {
            Some(q) => self.unsupported(
                range,
                &format!("标准库模块「{q}」"),
                &format!("standard-library module `{q}`"),
            ),
            None => self.unsupported(range, "标准库模块", "standard-library modules"),
        }
    }

    /// An unqualified call of a library function: `None` when no module defines `name`.
    pub(super) fn library_unqualified_call(
        &mut self,
        name: &str,
        args: &[ast::Expr],
        range: TextRange,
    ) -> Option<Option<Val>> {
        let modules = library::modules_defining(name);
        match modules.as_slice() {
            [] => None,
            [m] => {
                let id = library::function(m, name).expect("the module defines it");
                Some(self.library_call(id, args, range))
            }
            _ => {
                let (zh, en) = ambiguity(name, &modules);
                self.c.error(range, zh, en);
                self.check_and_drop(args);
                Some(None)
            }
        }
    }

    /// The call of library function `id`: arguments are checked against the row's types,
    /// `整数` converted to `浮点数` and `布尔` widened to 0/1 (§G.1).
    fn library_call(&mut self, id: LibId, args: &[ast::Expr], range: TextRange) -> Option<Val> {
        let f = id.row();
        self.c.uses_reflection |= std::ptr::eq(f.module, &crate::library::REFLECT);
        if args.len() != f.params.len() {
            let (want, got) = (f.params.len(), args.len());
            self.c.error(
                range,
                format!("标准库函数「{}」需要 {want} 个实参，实际传了 {got} 个", f.name),
                format!(
                    "standard-library function `{}` takes {want} argument(s) but {got} were given",
                    f.name
                ),
            );
            self.check_and_drop(args);
            return None;
        }
        let results: Vec<Option<Val>> = args
            .iter()
            .zip(f.params)
            .enumerate()
            .map(|(i, (a, p))| self.library_arg(f.name, i + 1, a, &p.ty()))
            .collect();
        let vals = self.all_or_release(results)?;
        let loc = self.c.loc(range);
        let mut args: Vec<Operand> = vals.iter().map(|v| v.op).collect();
        if f.located {
            let column = self.c.column(range);
            args.extend([loc.file, loc.line, column].map(|n| Operand::Int(i64::from(n))));
        }
        let value = Value::Builtin { op: Builtin::Library(id), args, loc };
        Some(self.finish_call(value, f.ret.ty(), &vals))
    }

    /// Argument `index` (1-based) of library function `name`, converted to `ty`.
    fn library_arg(&mut self, name: &str, index: usize, a: &ast::Expr, ty: &Type) -> Option<Val> {
        let v = self.expr_expecting(a, ty)?;
        let conv = match (&v.ty, ty) {
            (t, want) if t == want => return Some(v),
            // `指针/整数` parameters take pointers too (builtins.md §G.1).
            (Type::Ptr, Type::Int) => return Some(v),
            (Type::Int, Type::Float) => Conv::IntToFloat,
            (Type::Bool, Type::Int) => Conv::BoolToInt,
            (Type::Bool, Type::Float) => Conv::BoolToFloat,
            _ => {
                let found = v.ty.clone();
                self.release_temp(&v);
                self.c.error(
                    a.syntax().text_range(),
                    format!("标准库函数「{name}」第 {index} 个参数要 {ty}，实际传的是 {found}"),
                    format!(
                        "argument {index} of standard-library function `{name}` must be {ty}, found {found}"
                    ),
                );
                return None;
            }
        };
        Some(self.temp(ty.clone(), Value::Convert(conv, v.op)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_ambiguous_name_lists_its_modules() {
        let (a, b) = (Module { keys: &["操作系统", "OS"] }, Module { keys: &["环境"] });
        let (zh, en) = ambiguity("当前目录", &[&a, &b]);
        assert_eq!(
            zh,
            "函数「当前目录」在多个标准库模块中都有定义（「操作系统」、「环境」），无限定调用有歧义。请写模块限定形式，如 操作系统.当前目录(...)"
        );
        assert!(en.contains("(操作系统, 环境)"), "{en}");
    }
}
