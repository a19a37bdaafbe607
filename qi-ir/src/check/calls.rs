//! Calls: builtins (printing, conversions, `长度`, `命令行参数`, `输入`) and user functions.

use super::body::{FnLower, Val};
use crate::ir::*;
use qi_syntax::ast::{self, AstNode};
use rowan::TextRange;

/// The builtins callable by bare name (language.md §6.7: they take precedence over user
/// functions of the same name).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum BuiltinFn {
    Print {
        newline: bool,
    },
    IntToStr,
    FloatToStr,
    StrToInt,
    StrToFloat,
    IntToFloat,
    FloatToInt,
    Length,
    ArrayLength,
    Args,
    Input,
    /// `关闭(通道)`.
    Close,
    /// Wait groups, mutexes and time (language.md §9.4): `整数` handles and values.
    Sync(Builtin),
}

fn builtin_named(name: &str) -> Option<BuiltinFn> {
    use BuiltinFn::*;
    Some(match name {
        "打印" | "print" | "printf" => Print { newline: false },
        "打印行" | "println" => Print { newline: true },
        "整数转字符串" | "int_to_string" => IntToStr,
        "浮点数转字符串" | "float_to_string" => FloatToStr,
        "字符串转整数" | "string_to_int" => StrToInt,
        "字符串转浮点数" | "string_to_float" => StrToFloat,
        "整数转浮点数" | "int_to_float" => IntToFloat,
        "浮点数转整数" | "float_to_int" => FloatToInt,
        "长度" => Length,
        "数组长度" => ArrayLength,
        "命令行参数" => Args,
        "输入" => Input,
        "关闭" => Close,
        "创建等待组" | "新建等待组" => Sync(Builtin::WaitGroupNew),
        "添加等待" | "等待组增加" | "等待组添加" => Sync(Builtin::WaitGroupAdd),
        "完成" | "等待组完成" => Sync(Builtin::WaitGroupDone),
        "等待组等待" => Sync(Builtin::WaitGroupWait),
        "创建互斥锁" | "新建互斥锁" => Sync(Builtin::MutexNew),
        "加锁" | "互斥锁加锁" | "互斥锁锁定" => Sync(Builtin::MutexLock),
        "解锁" | "互斥锁解锁" => Sync(Builtin::MutexUnlock),
        "尝试加锁" => Sync(Builtin::MutexTryLock),
        "设置超时" => Sync(Builtin::Sleep),
        "获取时间" => Sync(Builtin::TimeMs),
        "创建定时器" => Sync(Builtin::TimerNew),
        "定时器过期" => Sync(Builtin::TimerExpired),
        "停止定时器" => Sync(Builtin::TimerStop),
        "执行器运行全部" => Sync(Builtin::RunAll),
        "执行器单步" => Sync(Builtin::Step),
        _ => return None,
    })
}

fn void() -> Val {
    Val::borrowed(Operand::Int(0), Type::Void)
}

/// Builtins of the reference runtime this one does not have yet (language.md §9.4, §10):
/// reported as "暂不支持" rather than as unknown names.
const NOT_YET_BUILTINS: &[&str] = &["取消未来", "取消协程"];

/// Coroutine primitives that only exist as `等待 名(…)` (language.md §10).
const AWAIT_ONLY_BUILTINS: &[&str] = &["让出", "异步睡眠", "睡眠"];

impl FnLower<'_, '_> {
    pub(super) fn call(&mut self, c: &ast::CallExpr) -> Option<Val> {
        let range = c.syntax().text_range();
        let callee = c.callee()?;
        let args: Vec<ast::Expr> = c.args().collect();
        let ast::Expr::Path(path) = &callee else {
            // `造计数器(5)(2)`, `表[0](x)`, `(闭包 …)(x)`: the callee is a value.
            return self.call_expression(&callee, &args, range);
        };
        let segments: Vec<String> = path.segments().map(|s| s.text()).collect();
        if let Some(name) = path.as_single_name().map(|n| n.text()) {
            if self.c.is_generic_fn(&name) && !self.is_variable(&name) {
                return self.generic_call(&name, path.generic_args(), &args, range);
            }
            if path.generic_args().is_some()
                && !self.c.fns_by_name.contains_key(&name)
                && !self.is_variable(&name)
            {
                let at = path.segments().next().map(|n| n.syntax().text_range()).unwrap_or(range);
                self.c.error(
                    at,
                    format!("未定义的函数: {name}"),
                    format!("undefined function: {name}"),
                );
                return None;
            }
            if path.generic_args().is_some() {
                self.c.error(
                    range,
                    format!("{name} 不是泛型函数，不能带显式类型实参 <...>"),
                    format!(
                        "{name} is not a generic function and takes no explicit type arguments"
                    ),
                );
                return None;
            }
        }
        if segments.len() == 2 {
            if let Some(v) = self.variant_by_path(&segments, &args, true, range) {
                return v;
            }
            if let Some(v) = self.qualified_call(&segments[0], &segments[1], &args, range) {
                return v;
            }
            if let Some(v) = self.library_qualified_call(&segments[0], &segments[1], &args, range) {
                return v;
            }
            if segments[0] == "未来" {
                return self.future_constructor(&segments[1], &args, None, range);
            }
            // `输入输出::打印行(…)` and friends.
            if let Some(f @ BuiltinFn::Print { .. }) = builtin_named(&segments[1]) {
                return self.builtin_call(f, &segments[1], &args, range);
            }
            return self.unknown_module(Some(&segments[0]), range);
        }
        let name = segments.into_iter().next()?;
        // A variable holding a function value comes before the builtins other than
        // 长度/数组长度 and before user functions (language.md §6.7).
        if !matches!(builtin_named(&name), Some(BuiltinFn::Length | BuiltinFn::ArrayLength)) {
            if let Some(result) = self.call_function_variable(&name, &args, range) {
                // (Looked up again only when recording: `qi run` pays nothing.)
                if let Some(var) = self.c.index.as_ref().and_then(|_| self.lookup(&name)) {
                    self.record_var_use(path.syntax().text_range(), &var);
                }
                return result;
            }
        }
        if let Some(f) = builtin_named(&name) {
            return self.builtin_call(f, &name, &args, range);
        }
        if self.c.fns_by_name.contains_key(&name) {
            self.c.record_function_use(path.syntax().text_range(), &name, None, Some(args.len()));
            return self.user_call(&name, &args, range);
        }
        if let Some(&id) = self.c.foreign_by_name.get(&name) {
            return self.foreign_call(id, &args, range);
        }
        if name == "恢复" && !self.is_variable(&name) {
            return self.resume_call(&args, range);
        }
        if !self.is_variable(&name) {
            if let Some(v) = self.caught_exception_info(&name, &args, range) {
                return v;
            }
            if let Some(v) = self.builtin_constructor(&name, &args, None, range) {
                return v;
            }
            if let Some(v) = self.variant_by_path(std::slice::from_ref(&name), &args, true, range) {
                return v;
            }
            // Library names come after everything the program declares (§G.1).
            if let Some(v) = self.library_unqualified_call(&name, &args, range) {
                return v;
            }
        }
        if let Some(var) = self.lookup(&name).filter(|v| !v.poisoned) {
            self.c.error(
                callee.syntax().text_range(),
                format!("`{name}` 是 {} 类型的变量，不是函数，不能调用", var.ty),
                format!("`{name}` is a variable of type {}, not a function", var.ty),
            );
        } else if self.lookup(&name).is_none() && AWAIT_ONLY_BUILTINS.contains(&name.as_str()) {
            self.c.error(
                callee.syntax().text_range(),
                format!("{name}(…) 只能写在 等待 之后：等待 {name}(…)"),
                format!("{name}(…) can only be used as 等待 {name}(…)"),
            );
        } else if self.lookup(&name).is_none() && NOT_YET_BUILTINS.contains(&name.as_str()) {
            self.c.unsupported(
                callee.syntax().text_range(),
                &format!("内建函数 {name}"),
                &format!("the builtin {name}"),
            );
        } else if self.lookup(&name).is_none() && !self.c.rejected_fns.contains(&name) {
            // (A function whose declaration was rejected was reported there.)
            self.c.error(
                callee.syntax().text_range(),
                format!("未定义的函数: {name}"),
                format!("undefined function: {name}"),
            );
        }
        // Check the arguments anyway, for their own errors.
        for a in &args {
            if let Some(v) = self.expr(a) {
                self.release_temp(&v);
            }
        }
        None
    }

    /// `模块.打印行(…)`: a print call through a module-like receiver that is not a variable.
    pub(super) fn method_call(&mut self, m: &ast::MethodCallExpr) -> Option<Val> {
        let range = m.syntax().text_range();
        let name = m.name()?.text();
        let receiver = m.receiver()?;
        let receiver_is_module = match &receiver {
            ast::Expr::Path(p) => p.as_single_name().is_some_and(|n| !self.is_variable(&n.text())),
            _ => false,
        };
        let args: Vec<ast::Expr> = m.args().collect();
        if receiver_is_module {
            // `IO.打印行(…)`, `输入输出.打印行(…)`: the printing intrinsics through any
            // module-like name (builtins.md §A); `输入输出::打印行(s)` is the library row.
            if let Some(f @ BuiltinFn::Print { .. }) = builtin_named(&name) {
                return self.builtin_call(f, &name, &args, range);
            }
            let module = match &receiver {
                ast::Expr::Path(p) => p.as_single_name().map(|n| n.text()),
                _ => None,
            };
            if module.as_deref() == Some("未来") {
                return self.future_constructor(&name, &args, None, range);
            }
            if let ast::Expr::Path(p) = &receiver {
                if let Some(v) = self.enum_variant_call(p, &name, &args, range) {
                    return v;
                }
                if let Some(q) = p.as_single_name().map(|n| n.text()) {
                    self.record_qualified_call(p, &q, m.name(), args.len());
                    if let Some(v) = self.qualified_call(&q, &name, &args, range) {
                        return v;
                    }
                    if let Some(v) = self.library_qualified_call(&q, &name, &args, range) {
                        return v;
                    }
                }
                if let Some(t) = p.as_single_name().map(|n| n.text()) {
                    if let Some(v) = self.generic_variant(&t, &name, &args, None, range) {
                        return v;
                    }
                }
            }
            return self.unknown_module(module.as_deref(), range);
        }
        let recv = self.expr(&receiver)?;
        let Type::Struct(s) = recv.ty.clone() else {
            let ty = recv.ty.clone();
            self.release_temp(&recv);
            self.c.error(
                range,
                format!("{ty} 类型没有方法 {name}"),
                format!("type {ty} has no method {name}"),
            );
            return None;
        };
        if let Some(&id) = self.c.methods.get(&(s.id, name.clone())) {
            if let Some(n) = m.name() {
                self.c.record_method_use(n.syntax().text_range(), id);
            }
            let r = self.call_function(id, &name, Some(recv.clone()), &args, range);
            self.release_temp(&recv);
            return r;
        }
        if let Some(i) = self.c.field_index(s.id, &name) {
            let fty = self.c.structs[s.id.index()].fields[i].ty.clone();
            if let Type::Fn(_) = fty {
                let f = self
                    .temp(fty.clone(), Value::GetSlot { obj: recv.op, slot: i as u32, ty: fty });
                self.b.push(Inst::Retain(f.op));
                self.release_temp(&recv);
                let r = self.call_value(f.clone(), &args, range);
                self.release_temp(&f);
                return r;
            }
            self.release_temp(&recv);
            self.c.error(
                range,
                format!("结构体 {} 的字段 {name} 是 {fty}，不是函数，不能调用", s.name),
                format!("field {name} of struct {} has type {fty}: it is not a function", s.name),
            );
            return None;
        }
        self.release_temp(&recv);
        self.c.error(
            range,
            format!("结构体 {} 无方法 {name}（也没有同名函数类型字段）", s.name),
            format!(
                "struct {} has no method {name} (nor a function-typed field of that name)",
                s.name
            ),
        );
        None
    }

    /// `name` takes `min..=max` arguments but `got` were given.
    /// (`max` = `usize::MAX`: at least `min`.)
    pub(super) fn arity_error(
        &mut self,
        name: &str,
        min: usize,
        max: usize,
        got: usize,
        range: TextRange,
    ) {
        let (zh, en) = if max == usize::MAX {
            (format!("至少 {min}"), format!("at least {min}"))
        } else if min == max {
            (min.to_string(), min.to_string())
        } else {
            (format!("{min} 到 {max}"), format!("{min} to {max}"))
        };
        self.c.error(
            range,
            format!("函数「{name}」需要 {zh} 个实参，实际传了 {got} 个"),
            format!("function `{name}` takes {en} argument(s) but {got} were given"),
        );
    }

    /// One argument of a builtin, coerced to `ty`.
    fn builtin_arg(
        &mut self,
        name: &str,
        args: &[ast::Expr],
        ty: &Type,
        range: TextRange,
    ) -> Option<Val> {
        if args.len() != 1 {
            self.arity_error(name, 1, 1, args.len(), range);
            return None;
        }
        let v = self.expr(&args[0])?;
        // 整数转字符串 widens a 布尔 argument (builtins.md §B); `coerce` does exactly that.
        self.coerce(v, ty, args[0].syntax().text_range())
    }

    fn builtin_call(
        &mut self,
        f: BuiltinFn,
        name: &str,
        args: &[ast::Expr],
        range: TextRange,
    ) -> Option<Val> {
        let loc = self.c.loc(range);
        let unary_builtin = |this: &mut Self, op: Builtin, arg_ty: Type| -> Option<Val> {
            let v = this.builtin_arg(name, args, &arg_ty, range)?;
            let r = this.temp(
                op.result().expect("scalar builtin"),
                Value::Builtin { op, args: vec![v.op], loc },
            );
            this.release_temp(&v);
            Some(r)
        };
        match f {
            BuiltinFn::Print { newline } => self.print(args, newline, loc),
            BuiltinFn::IntToStr => unary_builtin(self, Builtin::IntToStr, Type::Int),
            BuiltinFn::FloatToStr => unary_builtin(self, Builtin::FloatToStr, Type::Float),
            BuiltinFn::StrToInt => unary_builtin(self, Builtin::StrToInt, Type::Str),
            BuiltinFn::StrToFloat => unary_builtin(self, Builtin::StrToFloat, Type::Str),
            BuiltinFn::IntToFloat => {
                let v = self.builtin_arg(name, args, &Type::Int, range)?;
                Some(self.temp(Type::Float, Value::Convert(Conv::IntToFloat, v.op)))
            }
            BuiltinFn::FloatToInt => {
                let v = self.builtin_arg(name, args, &Type::Float, range)?;
                Some(self.temp(Type::Int, Value::Convert(Conv::FloatToIntSat, v.op)))
            }
            BuiltinFn::Length | BuiltinFn::ArrayLength => {
                if args.len() != 1 {
                    self.arity_error(name, 1, 1, args.len(), range);
                    return None;
                }
                let v = self.expr(&args[0])?;
                if f == BuiltinFn::ArrayLength && !matches!(v.ty, Type::Array(_)) {
                    let ty = v.ty.clone();
                    self.release_temp(&v);
                    self.c.error(
                        range,
                        format!("数组长度 需要数组，这里是 {ty}"),
                        format!("数组长度 needs an array, found {ty}"),
                    );
                    return None;
                }
                self.length_of(v, range)
            }
            BuiltinFn::Args => {
                if !args.is_empty() {
                    self.arity_error(name, 0, 0, args.len(), range);
                    return None;
                }
                Some(self.temp(
                    Builtin::Args.result().expect("scalar builtin"),
                    Value::Builtin { op: Builtin::Args, args: vec![], loc },
                ))
            }
            BuiltinFn::Close => self.close_call(name, args, range),
            BuiltinFn::Sync(op) => self.fixed_builtin(op, name, args, range),
            BuiltinFn::Input => match args.len() {
                0 => Some(
                    self.temp(Type::Str, Value::Builtin { op: Builtin::Input, args: vec![], loc }),
                ),
                1 => unary_builtin(self, Builtin::InputPrompt, Type::Str),
                n => {
                    self.arity_error(name, 0, 1, n, range);
                    None
                }
            },
        }
    }

    /// `打印(a, b, …)` / `打印行(…)`: arguments separated by one space (README item 3).
    fn print(&mut self, args: &[ast::Expr], newline: bool, loc: Loc) -> Option<Val> {
        // Every argument is evaluated before anything is printed, as for any call (an
        // argument that raises leaves no partial line).
        let mut ok = true;
        let mut parts = Vec::with_capacity(args.len());
        for a in args {
            let Some(v) = self.expr(a) else {
                ok = false;
                continue;
            };
            let range = a.syntax().text_range();
            let op = match v.ty {
                // A pointer prints as its address, a decimal integer (builtins.md).
                Type::Int | Type::Ptr => Builtin::PrintInt,
                Type::Float => Builtin::PrintFloat,
                Type::Bool => Builtin::PrintBool,
                Type::Char => Builtin::PrintChar,
                Type::Str => Builtin::PrintStr,
                Type::Void => {
                    self.c.error(range, "不能打印空值", "cannot print a 空 value");
                    ok = false;
                    continue;
                }
                Type::Enum { boxed: false, .. } => Builtin::PrintInt,
                Type::Array(_)
                | Type::Struct(_)
                | Type::Enum { .. }
                | Type::Fn(_)
                | Type::Exception
                | Type::Chan(_)
                | Type::Future(_)
                | Type::Gen(_) => {
                    let (zh, en) = match v.ty {
                        Type::Array(_) => ("不能直接打印数组", "cannot print an array directly"),
                        Type::Gen(_) => ("不能直接打印协程（先 恢复）", "cannot print a generator (恢复 it first)"),
                        Type::Chan(_) => ("不能直接打印通道", "cannot print a channel"),
                        Type::Future(_) => ("不能直接打印未来（先 等待）", "cannot print a future (等待 it first)"),
                        Type::Struct(_) => ("不能直接打印结构体", "cannot print a struct directly"),
                        Type::Enum { .. } => (
                            "不能直接打印带载荷枚举（用 匹配 解构后打印字段）",
                            "cannot print an enum with payloads directly (destructure it with 匹配)",
                        ),
                        _ => ("不能直接打印函数值", "cannot print a function value"),
                    };
                    self.release_temp(&v);
                    self.c.error(range, zh, en);
                    ok = false;
                    continue;
                }
            };
            parts.push((op, v));
        }
        // `打印行(s)` of one string prints nothing at all when `s` is null (builtins.md §A.2).
        let mut newline = newline;
        if newline && parts.len() == 1 && parts[0].0 == Builtin::PrintStr {
            parts[0].0 = Builtin::PrintStrLine;
            newline = false;
        }
        for (i, (op, v)) in parts.iter().enumerate() {
            if i > 0 {
                self.b.push(Inst::Effect(Value::Builtin {
                    op: Builtin::PrintSpace,
                    args: vec![],
                    loc,
                }));
            }
            self.b.push(Inst::Effect(Value::Builtin { op: *op, args: vec![v.op], loc }));
        }
        for (_, v) in parts.iter().rev() {
            self.release_temp(v);
        }
        if newline {
            self.b.push(Inst::Effect(Value::Builtin {
                op: Builtin::PrintNewline,
                args: vec![],
                loc,
            }));
        }
        ok.then(void)
    }

    fn user_call(&mut self, name: &str, args: &[ast::Expr], range: TextRange) -> Option<Val> {
        let ids = self.c.fns_by_name[name].clone();
        let Some(ids) = self.c.visible_overloads(name, ids, range) else {
            self.check_and_drop(args);
            return None;
        };
        self.call_overloads(name, ids, args, range)
    }

    /// Call the one of `ids` (overloads of `name`) that accepts these arguments.
    pub(super) fn call_overloads(
        &mut self,
        name: &str,
        ids: Vec<FuncId>,
        args: &[ast::Expr],
        range: TextRange,
    ) -> Option<Val> {
        let id = self.pick_overload(name, &ids, args, range)?;
        self.call_function(id, name, None, args, range)
    }

    /// Check arguments for their own errors when the call itself failed.
    pub(super) fn check_and_drop(&mut self, args: &[ast::Expr]) {
        for a in args {
            if let Some(v) = self.expr(a) {
                self.release_temp(&v);
            }
        }
    }

    /// The overload of `name` that accepts `args.len()` arguments; reports when none does.
    fn pick_overload(
        &mut self,
        name: &str,
        ids: &[FuncId],
        args: &[ast::Expr],
        range: TextRange,
    ) -> Option<FuncId> {
        let n = args.len();
        let fits = |this: &Self, id: FuncId| {
            let sig = this.c.sig(id);
            let p = &sig.params;
            if sig.variadic {
                return n + 1 >= p.len();
            }
            let required = p.iter().take_while(|p| p.default.is_none()).count();
            required <= n && n <= p.len()
        };
        let Some(id) = ids.iter().copied().find(|id| fits(self, *id)) else {
            if ids.len() == 1 {
                let p = &self.c.sig(ids[0]).params;
                let required = p.iter().take_while(|p| p.default.is_none()).count();
                let total = p.len();
                self.arity_error(name, required, total, n, range);
            } else {
                let counts: Vec<String> =
                    ids.iter().map(|id| self.c.sig(*id).params.len().to_string()).collect();
                self.c.error(
                    range,
                    format!(
                        "函数「{name}」有重载，但没有接收 {n} 个实参的版本（可选形参个数：{}）",
                        counts.join(" / ")
                    ),
                    format!(
                        "no overload of `{name}` takes {n} arguments (available: {})",
                        counts.join(" / ")
                    ),
                );
            }
            for a in args {
                if let Some(v) = self.expr(a) {
                    self.release_temp(&v);
                }
            }
            return None;
        };
        Some(id)
    }

    /// Call a user function or method (`receiver`: the already evaluated, borrowed
    /// receiver, passed first). Missing trailing arguments take their defaults.
    pub(super) fn call_function(
        &mut self,
        id: FuncId,
        name: &str,
        receiver: Option<Val>,
        args: &[ast::Expr],
        range: TextRange,
    ) -> Option<Val> {
        let skip = receiver.is_some() as usize;
        let mut params: Vec<(Type, Option<ast::Expr>)> = self
            .c
            .sig(id)
            .params
            .iter()
            .skip(skip)
            .map(|p| (p.ty.clone(), p.default.clone()))
            .collect();
        if self.c.sig(id).variadic {
            // `名...: T`: the arguments after the fixed ones go into a fresh 数组<T>.
            let Some((Type::Array(elem), _)) = params.pop() else {
                unreachable!("variadic parameter is an array")
            };
            let fixed = params.len();
            if args.len() < fixed {
                self.arity_error(name, fixed, usize::MAX, args.len(), range);
                return None;
            }
            let mut pairs: Vec<(ast::Expr, Type)> =
                args[..fixed].iter().cloned().zip(params.into_iter().map(|p| p.0)).collect();
            pairs.extend(args[fixed..].iter().map(|a| (a.clone(), (*elem).clone())));
            let mut vals: Vec<Val> =
                receiver.map(|r| Val::borrowed(r.op, r.ty)).into_iter().collect();
            vals.extend(self.arguments(&pairs)?);
            let rest = vals.split_off(skip + fixed);
            let loc = self.c.loc(range);
            let array = self.array_of(*elem, rest, loc);
            vals.push(array);
            return self.emit_call(id, vals, range);
        }
        let required = params.iter().take_while(|p| p.1.is_none()).count();
        if args.len() < required || args.len() > params.len() {
            self.arity_error(name, required, params.len(), args.len(), range);
            return None;
        }
        // Missing trailing arguments take their defaults, evaluated here, in the caller's
        // scope, on every call (language.md §5.4).
        let written: Vec<(ast::Expr, Type)> = params
            .iter()
            .enumerate()
            .filter_map(|(i, (ty, default))| {
                args.get(i).cloned().or_else(|| default.clone()).map(|e| (e, ty.clone()))
            })
            .collect();
        let mut vals: Vec<Val> = receiver.map(|r| Val::borrowed(r.op, r.ty)).into_iter().collect();
        vals.extend(self.arguments(&written)?);
        self.emit_call(id, vals, range)
    }

    /// Emit the call of `id` with checked argument values; releases owned arguments.
    fn emit_call(&mut self, id: FuncId, vals: Vec<Val>, range: TextRange) -> Option<Val> {
        let ret = self.c.sig(id).ret.clone();
        let loc = self.c.loc(range);
        if self.spawning(range) {
            return Some(self.defer_call(super::spawn::Callee::Direct(id), vals, ret, loc));
        }
        let call = Value::Call { func: id, args: vals.iter().map(|v| v.op).collect(), loc };
        Some(self.finish_call(call, ret, &vals))
    }

    /// Emit a (direct or indirect) call; the arguments were borrowed for it, so owned
    /// argument temporaries are released after it.
    pub(super) fn finish_call(&mut self, call: Value, ret: Type, args: &[Val]) -> Val {
        let result = if ret == Type::Void {
            self.b.push(Inst::Effect(call));
            void()
        } else {
            self.temp(ret, call)
        };
        for v in args {
            self.release_temp(v);
        }
        result
    }

    /// Evaluate arguments, each checked against (and converted to) its parameter type;
    /// when any fails, what was built is released and the result is `None`.
    pub(super) fn arguments(&mut self, args: &[(ast::Expr, Type)]) -> Option<Vec<Val>> {
        let results: Vec<Option<Val>> = args
            .iter()
            .map(|(e, ty)| {
                self.expr_expecting(e, ty).and_then(|v| self.coerce(v, ty, e.syntax().text_range()))
            })
            .collect();
        self.all_or_release(results)
    }

    /// Call `id` with the first arguments already evaluated (`given`, not yet converted to
    /// the parameter types); missing trailing arguments take their defaults.
    pub(super) fn call_with_values(
        &mut self,
        id: FuncId,
        name: &str,
        given: Vec<Val>,
        args: &[ast::Expr],
        range: TextRange,
    ) -> Option<Val> {
        let params: Vec<(Type, Option<ast::Expr>)> =
            self.c.sig(id).params.iter().map(|p| (p.ty.clone(), p.default.clone())).collect();
        let required = params.iter().take_while(|p| p.1.is_none()).count();
        if given.len() < required || given.len() > params.len() {
            self.arity_error(name, params.len(), params.len(), given.len(), range);
            return self.release_all(&given);
        }
        let n_given = given.len();
        let results: Vec<Option<Val>> = given
            .into_iter()
            .enumerate()
            .map(|(i, v)| {
                let r = args.get(i).map(|a| a.syntax().text_range()).unwrap_or(range);
                self.coerce(v, &params[i].0, r)
            })
            .collect();
        let mut vals = self.all_or_release(results)?;
        let defaults: Vec<(ast::Expr, Type)> = params[n_given..]
            .iter()
            .filter_map(|(ty, d)| d.clone().map(|e| (e, ty.clone())))
            .collect();
        match self.arguments(&defaults) {
            Some(more) => vals.extend(more),
            None => return self.release_all(&vals),
        }
        self.emit_call(id, vals, range)
    }
}
