//! `外部 "库" { 函数 …; }` blocks and calls of the C functions they declare
//! (language.md §5.10, errors.md "Declarations").
//!
//! A C name shares the namespace of the program's functions: the blocks are declared
//! after every Qi function, so a clash is found whatever the order. The same function
//! declared alike in several files is one function (the library is loaded once); a
//! second declaration in the same file, or a different one elsewhere, is an error.
//!
//! Parameters of function type are C callbacks (the argument names a capture-free
//! top-level function of exactly that signature); structs of one or two 8-byte scalar
//! fields cross by value (docs/FFI.md).

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
        if !self.check_struct_registers(f, &name, &params) {
            self.rejected_fns.insert(name);
            return;
        }
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
        if let ast::TypeRef::Fn(f) = t {
            return self.callback_type(f, fn_name);
        }
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
                    _ => match self.resolve_type(t) {
                        Some(Type::Struct(st)) => return self.c_struct(st.id, range, fn_name),
                        Some(_) => {}
                        // (`resolve_type` reported it.)
                        None => return None,
                    },
                },
            }
        }
        let written = t.syntax().text().to_string();
        self.error(
            range,
            format!("外部函数 {fn_name} 的签名里不能用类型 {written}（C 边界只接受 整数、浮点数、布尔、字符串、指针、C整数、C无符号整数、小结构体和回调函数类型）"),
            format!("type {written} cannot appear in the signature of foreign function {fn_name} (the C boundary accepts 整数, 浮点数, 布尔, 字符串, 指针, C整数, C无符号整数, small structs and callback function types)"),
        );
        None
    }
}

impl Checker<'_> {
    /// A struct by value: one or two fields of 8-byte scalar types (整数, 浮点数, 指针).
    fn c_struct(&mut self, id: StructId, range: TextRange, fn_name: &str) -> Option<CType> {
        let info = &self.structs[id.index()];
        let fields: Option<Vec<CType>> = info
            .fields
            .iter()
            .map(|f| match f.ty {
                Type::Int => Some(CType::I64),
                Type::Float => Some(CType::F64),
                Type::Ptr => Some(CType::Ptr),
                _ => None,
            })
            .collect();
        match fields {
            Some(fields) if (1..=2).contains(&fields.len()) => {
                let layout = info.layout;
                Some(CType::Struct(Box::new(CStruct { ty: self.struct_type(id), layout, fields })))
            }
            _ => {
                let name = info.name.clone();
                self.error(
                    range,
                    format!("外部函数 {fn_name} 不能按值传递结构体 {name}：只支持一到两个 整数/浮点数/指针 字段的结构体"),
                    format!("foreign function {fn_name} cannot take struct {name} by value: only structs of one or two 整数/浮点数/指针 fields cross the C boundary"),
                );
                None
            }
        }
    }

    /// x86-64 System V passes a small struct in registers only when all of it fits in
    /// the registers left; otherwise on the stack, which these calls do not do. Reports
    /// such a parameter.
    fn check_struct_registers(&mut self, f: &ast::FnDecl, name: &str, params: &[CType]) -> bool {
        let (mut ints, mut floats) = (0, 0);
        for (i, p) in params.iter().enumerate() {
            let fields = match p {
                CType::Struct(s) => s.fields.clone(),
                other => vec![other.clone()],
            };
            let need_f = fields.iter().filter(|c| **c == CType::F64).count();
            let need_i = fields.len() - need_f;
            if matches!(p, CType::Struct(_)) && (ints + need_i > 6 || floats + need_f > 8) {
                let at = f.params().nth(i).map(|p| p.syntax().text_range());
                self.error(
                    at.unwrap_or_else(|| f.syntax().text_range()),
                    format!("外部函数 {name} 的结构体参数排在太多参数之后，放不进寄存器：暂不支持在栈上按值传递结构体"),
                    format!("the struct parameter of foreign function {name} comes after too many parameters to fit in registers: passing structs by value on the stack is not supported yet"),
                );
                return false;
            }
            ints += need_i;
            floats += need_f;
        }
        true
    }

    /// `函数(…): R` in an `外部` signature: a C callback, whose parameters and result are
    /// scalars (a string or a struct cannot cross from C into Qi code).
    fn callback_type(&mut self, f: &ast::FnType, fn_name: &str) -> Option<CType> {
        let mut params = Vec::new();
        let mut ok = true;
        let types: Vec<(ast::TypeRef, bool)> =
            f.params().map(|p| (p, false)).chain(f.ret_type().map(|r| (r, true))).collect();
        let mut ret = CType::Void;
        for (t, is_ret) in types {
            let ct = match &t {
                ast::TypeRef::Fn(_) => None,
                _ => self.c_type(&t, fn_name),
            };
            match ct {
                Some(CType::Void) if is_ret => {}
                Some(
                    ct @ (CType::I64
                    | CType::F64
                    | CType::Bool
                    | CType::Ptr
                    | CType::I32
                    | CType::U32),
                ) => {
                    if is_ret {
                        ret = ct;
                    } else {
                        params.push(ct);
                    }
                }
                // (An unknown type was reported by `c_type`.)
                None if !matches!(t, ast::TypeRef::Fn(_)) => ok = false,
                _ => {
                    let written = t.syntax().text().to_string();
                    self.error(
                        t.syntax().text_range(),
                        format!("外部函数 {fn_name} 的回调类型里有 {written}：字符串、结构体、函数和 空 形参不能出现在 C 回调签名里"),
                        format!("the callback type of foreign function {fn_name} has {written}: strings, structs, functions and 空 parameters cannot appear in a C callback's signature"),
                    );
                    ok = false;
                }
            }
        }
        ok.then(|| CType::Callback(Box::new(CallbackSig { params, ret })))
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
        let results: Vec<Option<Val>> = args
            .iter()
            .zip(&f.params)
            .enumerate()
            .map(|(i, (a, p))| match p {
                CType::Callback(sig) => self.callback_arg(&f.name, i + 1, a, sig),
                _ => {
                    let ty = p.qi_type();
                    self.expr_expecting(a, &ty)
                        .and_then(|v| self.coerce(v, &ty, a.syntax().text_range()))
                }
            })
            .collect();
        let vals = self.all_or_release(results)?;
        let loc = self.c.loc(range);
        let callbacks = f.params.iter().any(|p| matches!(p, CType::Callback(_)));
        let call = Value::CallForeign {
            func: id,
            args: vals.iter().map(|v| v.op).collect(),
            callbacks,
            loc,
        };
        Some(self.finish_call(call, f.ret.qi_type(), &vals))
    }

    /// Argument `index` (1-based) of C function `name` for a callback parameter of
    /// signature `sig`: the name of a capture-free top-level Qi function whose parameter
    /// and result types are the callback's.
    fn callback_arg(
        &mut self,
        name: &str,
        index: usize,
        a: &ast::Expr,
        sig: &CallbackSig,
    ) -> Option<Val> {
        let range = a.syntax().text_range();
        let fn_name = match a {
            ast::Expr::Path(p) => p.as_single_name().map(|n| n.text()),
            _ => None,
        };
        let ids = fn_name
            .as_ref()
            .filter(|n| !self.is_variable(n))
            .and_then(|n| self.c.fns_by_name.get(n).cloned());
        let (Some(g), Some(ids)) = (fn_name, ids) else {
            let written = a.syntax().text().to_string();
            self.c.error(
                range,
                format!("外部函数 {name} 的第 {index} 个参数是 C 回调：{written} 不是无捕获顶层函数（闭包和函数值变量都不行）"),
                format!("argument {index} of foreign function {name} is a C callback: {written} is not a capture-free top-level function (closures and function-value variables are not)"),
            );
            return None;
        };
        if ids.len() > 1 {
            self.c.error(
                range,
                format!("重载函数「{g}」不能作为函数值/指针传递"),
                format!("overloaded function `{g}` cannot be passed as a function value/pointer"),
            );
            return None;
        }
        let target = ids[0];
        let fsig = self.c.sig(target);
        let have: Vec<Type> = fsig.params.iter().map(|p| p.ty.clone()).collect();
        let have_ret = fsig.ret.clone();
        let want: Vec<Type> = sig.params.iter().map(CType::qi_type).collect();
        let want_ret = sig.ret.qi_type();
        if fsig.variadic || have.len() != want.len() {
            self.c.error(
                range,
                format!("回调 {g} 的元数不符：外部函数 {name} 的第 {index} 个参数要接收 {} 个参数的函数，{g} 接收 {} 个", want.len(), have.len()),
                format!("callback {g} has the wrong arity: argument {index} of foreign function {name} takes a function of {} parameter(s), {g} has {}", want.len(), have.len()),
            );
            return None;
        }
        if have_ret != want_ret {
            self.c.error(
                range,
                format!("回调 {g} 的返回类型不符：外部函数 {name} 的第 {index} 个参数要返回 {want_ret}，{g} 返回 {have_ret}"),
                format!("callback {g} has the wrong result type: argument {index} of foreign function {name} must return {want_ret}, {g} returns {have_ret}"),
            );
            return None;
        }
        if let Some(k) = (0..want.len()).find(|&k| have[k] != want[k]) {
            self.c.error(
                range,
                format!("回调 {g} 的第 {} 个参数类型不符：外部函数 {name} 传给它 {}，{g} 要 {}", k + 1, want[k], have[k]),
                format!("parameter {} of callback {g} has the wrong type: foreign function {name} passes {}, {g} takes {}", k + 1, want[k], have[k]),
            );
            return None;
        }
        let value = Value::Callback { func: target, sig: Box::new(sig.clone()) };
        Some(self.temp(Type::Ptr, value))
    }
}
