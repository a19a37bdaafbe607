//! `外部 "库" { 函数 …; }` blocks and calls of the C functions they declare
//! (language.md §5.10, errors.md "Declarations").
//!
//! A C name shares the namespace of the program's functions: the blocks are declared
//! after every Qi function, so a clash is found whatever the order. The same function
//! declared alike in several files is one function (the library is loaded once); a
//! second declaration in the same file, or a different one elsewhere, is an error.

use super::body::{FnLower, Val};
use super::Checker;
use crate::ir::*;
use qi_syntax::ast::{self, AstNode, BuiltinType};
use rowan::TextRange;

impl Checker<'_> {
    /// Declare the functions of one `外部` block.
    pub(super) fn declare_foreign_block(&mut self, block: &ast::ExternBlock) {
        let lib_range = block
            .lib_token()
            .map(|t| t.text_range())
            .unwrap_or_else(|| block.syntax().text_range());
        let lib_name = block.lib_name().unwrap_or_default();
        let lib = self.foreign_lib(&lib_name, lib_range);
        for f in block.functions() {
            self.declare_foreign_fn(&f, lib);
        }
    }

    /// The index of library `name`, added on its first mention.
    fn foreign_lib(&mut self, name: &str, range: TextRange) -> u32 {
        let libs = &mut self.foreign.libs;
        if let Some(i) = libs.iter().position(|l| l.name == name) {
            return i as u32;
        }
        libs.push(ForeignLib { name: name.to_string(), file: self.file, range });
        (libs.len() - 1) as u32
    }

    fn declare_foreign_fn(&mut self, f: &ast::FnDecl, lib: u32) {
        let Some(name_node) = f.name() else { return };
        let name = name_node.text();
        let range = name_node.syntax().text_range();
        if self.fns_by_name.contains_key(&name) || self.is_generic_fn(&name) {
            self.error(
                range,
                format!("外部函数 {name} 与已定义的函数同名 —— C 名字与奇语函数共用一个命名空间，请把其中一个改名"),
                format!("foreign function {name} has the same name as a defined function — C names share the namespace of Qi functions; rename one of them"),
            );
            return;
        }
        if f.body().is_some() {
            self.error(
                range,
                format!("外部函数 {name} 不能有函数体：它的实现在 C 库里"),
                format!("foreign function {name} cannot have a body: it is implemented by the C library"),
            );
            return;
        }
        let mut params = Vec::new();
        let mut ok = true;
        for p in f.params() {
            let pname = p.name().map(|n| n.text()).unwrap_or_default();
            if p.is_variadic() {
                self.error(
                    p.syntax().text_range(),
                    format!("外部函数 {name} 的参数 {pname} 使用了变参 `...` —— C FFI 暂不支持变参绑定"),
                    format!("parameter {pname} of foreign function {name} is variadic (`...`) — the C FFI cannot bind variadic functions"),
                );
                ok = false;
                continue;
            }
            if p.default().is_some() {
                self.error(
                    p.syntax().text_range(),
                    format!("外部函数 {name} 的参数 {pname} 不能有默认值"),
                    format!(
                        "parameter {pname} of foreign function {name} cannot have a default value"
                    ),
                );
                ok = false;
                continue;
            }
            let Some(t) = p.ty() else {
                // An unwritten parameter type is `整数`, as for Qi functions.
                params.push(CType::I64);
                continue;
            };
            match self.c_type(&t, &name) {
                Some(CType::Void) => {
                    self.error(
                        p.syntax().text_range(),
                        "形参不能是 空 类型",
                        "a parameter cannot have type 空",
                    );
                    ok = false;
                }
                Some(ct) => params.push(ct),
                None => ok = false,
            }
        }
        let ret = match f.ret_type() {
            None => Some(CType::Void),
            Some(t) => self.c_type(&t, &name),
        };
        let (Some(ret), true) = (ret, ok) else {
            self.rejected_fns.insert(name);
            return;
        };
        let decl = ForeignFn { name: name.clone(), lib, params, ret, file: self.file, range };
        if let Some(&id) = self.foreign_by_name.get(&name) {
            let old = &self.foreign.functions[id.index()];
            let same = old.lib == decl.lib && old.params == decl.params && old.ret == decl.ret;
            if old.file == self.file || !same {
                self.error(
                    range,
                    format!("外部函数 {name} 重复声明（每个 C 函数只能声明一次；别的文件里的声明必须与它完全相同）"),
                    format!("foreign function {name} is declared twice (declare each C function once; a declaration in another file must be identical)"),
                );
            }
            return;
        }
        let id = ForeignId(self.foreign.functions.len() as u32);
        self.foreign.functions.push(decl);
        self.foreign_by_name.insert(name, id);
    }

    /// The C type a type written in an `外部` signature maps to (language.md §5.10).
    fn c_type(&mut self, t: &ast::TypeRef, fn_name: &str) -> Option<CType> {
        let range = t.syntax().text_range();
        if let ast::TypeRef::Named(path) = t {
            match path.builtin() {
                Some(BuiltinType::Int | BuiltinType::Byte) => return Some(CType::I64),
                Some(BuiltinType::Float) => return Some(CType::F64),
                Some(BuiltinType::Bool) => return Some(CType::Bool),
                Some(BuiltinType::String) => return Some(CType::Str),
                // `指针<T>` is the same `void*` whatever T.
                Some(BuiltinType::Ptr) => return Some(CType::Ptr),
                Some(BuiltinType::Void) => return Some(CType::Void),
                Some(_) => {}
                None => match path.text().as_str() {
                    "C整数" => return Some(CType::I32),
                    "C无符号整数" => return Some(CType::U32),
                    _ => {}
                },
            }
        }
        let written = t.syntax().text().to_string();
        self.error(
            range,
            format!("外部函数 {fn_name} 的签名里不能用类型 {written}（C 边界只接受 整数、浮点数、布尔、字符串、指针、C整数、C无符号整数）"),
            format!("type {written} cannot appear in the signature of foreign function {fn_name} (the C boundary accepts 整数, 浮点数, 布尔, 字符串, 指针, C整数, C无符号整数)"),
        );
        None
    }
}

impl FnLower<'_, '_> {
    /// The call of C function `id`: the argument count must match exactly, each argument
    /// converts implicitly to its parameter's Qi type.
    pub(super) fn foreign_call(
        &mut self,
        id: ForeignId,
        args: &[ast::Expr],
        range: TextRange,
    ) -> Option<Val> {
        let f = self.c.foreign.functions[id.index()].clone();
        if args.len() != f.params.len() {
            let (want, got) = (f.params.len(), args.len());
            self.c.error(
                range,
                format!("外部函数 {} 需要 {want} 个参数，却传了 {got} 个", f.name),
                format!(
                    "foreign function {} takes {want} argument(s) but {got} were given",
                    f.name
                ),
            );
            self.check_and_drop(args);
            return None;
        }
        let typed: Vec<(ast::Expr, Type)> =
            args.iter().cloned().zip(f.params.iter().map(CType::qi_type)).collect();
        let vals = self.arguments(&typed)?;
        let loc = self.c.loc(range);
        let call = Value::CallForeign { func: id, args: vals.iter().map(|v| v.op).collect(), loc };
        Some(self.finish_call(call, f.ret.qi_type(), &vals))
    }
}
