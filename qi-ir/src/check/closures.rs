//! Function values: `函数(A, B): R` types, closure expressions, top-level functions used
//! as values, and calls through function values (language.md §3.1, §6.7, §6.9).
//!
//! **Representation.** A function value is a closure record (`LayoutKind::Closure`):
//! slot 0 holds the code address, slots 1.. hold the captured values in capture order.
//! `Value::CallIndirect` calls the code with the record as a hidden first argument,
//! followed by the declared arguments.
//!
//! **Lifting.** A closure body is lowered, as soon as the checker reaches the closure
//! expression, into a new IR function by a nested [`FnLower`] over a fresh builder (the
//! enclosing function's lowering simply waits, so no state has to be queued or
//! re-entered). Finished functions are appended to [`Lifted`] and numbered after `main`;
//! a closure nested inside another closure is finished first, so every body that takes
//! the address of a lifted function is lowered after that function got its id.
//!
//! **Captures** are by value, at creation (§6.9, README item 12, floats included): every
//! name the body mentions (nested closures included, since they capture from the body)
//! that denotes a local variable or parameter in scope at the closure expression is
//! copied into the record. Globals are not captured, and neither are names that a
//! closure parameter shadows. The analysis is syntactic and may capture a name that the
//! body only uses after redeclaring it; that costs a copy, never correctness.
//!
//! **Ownership.** The record owns one reference to every object it captured, except for
//! `[弱 x]` captures, whose slots are marked `weak` and are neither retained nor released.
//! On entry the lifted function copies each capture slot into an ordinary local that owns
//! its value (objects retained, released at exit like any variable), so assignments to a
//! captured name change only that invocation's copy, and the body needs no special
//! cases. Calls borrow the function value and the arguments; the result is owned.

use super::body::{FnLower, Val, Var, VarKind};
use super::Checker;
use crate::builder::FnBuilder;
use crate::ir::*;
use qi_syntax::ast::{self, AstNode};
use qi_syntax::{Diagnostic, SyntaxKind, Text};
use rowan::TextRange;
use std::collections::HashMap;

/// Functions the checker creates while it lowers bodies.
#[derive(Default)]
pub(crate) struct Lifted {
    /// Id of the first lifted function (the one after `main`).
    pub first_id: u32,
    /// Functions created while lowering (lifted closures, trampolines, generic instances);
    /// `functions[i]` has id `first_id + i`. A slot is `None` while its id is reserved
    /// but its body not yet lowered.
    pub functions: Vec<Option<Function>>,
    /// The trampoline of each top-level function used as a value.
    trampolines: HashMap<FuncId, FuncId>,
    /// The layout of closures without captures (only the code address).
    code_only_layout: Option<LayoutId>,
}

/// One captured variable of a closure expression.
struct Capture {
    name: String,
    /// The variable in the enclosing function (always a local).
    var: Var,
    /// `[弱 x]`: the record does not own the object.
    weak: bool,
}

impl Checker<'_> {
    /// `函数(A, B): R`, `函数(A)` (result `空`).
    pub(super) fn resolve_fn_type(&mut self, f: &ast::FnType) -> Option<Type> {
        let mut params = Vec::new();
        let mut ok = true;
        for p in f.params() {
            match self.resolve_type(&p) {
                Some(Type::Void) => {
                    self.error(
                        p.syntax().text_range(),
                        "函数类型的形参不能是 空 类型",
                        "a function type cannot take a 空 parameter",
                    );
                    ok = false;
                }
                Some(t) => params.push(t),
                None => ok = false,
            }
        }
        let ret = match f.ret_type() {
            None => Type::Void,
            Some(t) => self.resolve_type(&t)?,
        };
        ok.then(|| Type::Fn(Box::new(FnType { params, ret })))
    }

    pub(super) fn add_lifted(&mut self, f: Function) -> FuncId {
        let id = self.reserve_function();
        self.fill_function(id, f);
        id
    }

    /// A new function id after `main`, whose body is supplied later by `fill_function`.
    pub(super) fn reserve_function(&mut self) -> FuncId {
        let id = FuncId(self.lifted.first_id + self.lifted.functions.len() as u32);
        self.lifted.functions.push(None);
        id
    }

    pub(super) fn fill_function(&mut self, id: FuncId, f: Function) {
        self.lifted.functions[(id.0 - self.lifted.first_id) as usize] = Some(f);
    }

    /// A record layout for a closure with these captures (slot 0: the code address).
    fn closure_layout(&mut self, captures: &[Capture]) -> LayoutId {
        let slots = captures
            .iter()
            .map(|c| Slot { ty: c.var.ty.clone(), weak: c.weak && c.var.ty.is_rc() })
            .collect();
        self.closure_layout_of(slots)
    }

    /// A record layout for a closure holding `captured` after the code address (slot 0).
    /// Compiler-made closures (`启动`, futures) use it too.
    pub(super) fn closure_layout_of(&mut self, captured: Vec<Slot>) -> LayoutId {
        if captured.is_empty() {
            if let Some(l) = self.lifted.code_only_layout {
                return l;
            }
        }
        let empty = captured.is_empty();
        let mut slots = vec![Slot { ty: Type::Int, weak: false }];
        slots.extend(captured);
        let id = LayoutId(self.layouts.len() as u32);
        self.layouts.push(Layout { kind: LayoutKind::Closure, slots });
        if empty {
            self.lifted.code_only_layout = Some(id);
        }
        id
    }

    /// `(环境, 参数…) -> 目标(参数…)`: the code of a top-level function used as a value,
    /// which must accept (and ignore) the closure record like every function value does.
    fn trampoline(&mut self, target: FuncId, ty: &FnType) -> FuncId {
        if let Some(&id) = self.lifted.trampolines.get(&target) {
            return id;
        }
        let sig = self.sig(target);
        let name = format!("{}.函数值", sig.name);
        let loc = self.loc(sig.decl.syntax().text_range());
        let mut params = vec![(None, Type::Fn(Box::new(ty.clone())))];
        params.extend(sig.params.iter().map(|p| (Some(p.name.clone()), p.ty.clone())));
        let mut b = FnBuilder::new(name, params, ty.ret.clone(), loc);
        let args = (1..=ty.params.len()).map(|i| Operand::Local(LocalId(i as u32))).collect();
        let call = Value::Call { func: target, args, loc };
        if ty.ret == Type::Void {
            b.push(Inst::Effect(call));
            b.terminate(Terminator::Return(None));
        } else {
            let r = b.temp(ty.ret.clone(), call);
            b.terminate(Terminator::Return(Some(r)));
        }
        let id = self.add_lifted(b.finish());
        self.lifted.trampolines.insert(target, id);
        id
    }
}

/// The names a closure captures if they denote locals: its capture list, then every
/// name its body mentions (in source order), without its own parameters. `true` marks a
/// `弱` entry of the capture list.
fn captured_names(e: &ast::ClosureExpr) -> Vec<(String, bool)> {
    let params: Vec<String> = e.params().filter_map(|p| p.name()).map(|n| n.text()).collect();
    let mut names: Vec<(String, bool)> = Vec::new();
    let mut add = |name: String, weak: bool| {
        if params.contains(&name) {
            return;
        }
        match names.iter_mut().find(|(n, _)| *n == name) {
            Some(entry) => entry.1 |= weak,
            None => names.push((name, weak)),
        }
    };
    for c in e.captures() {
        if let Some(n) = c.name() {
            add(n.text(), c.is_weak());
        }
    }
    let Some(body) = e.body() else { return names };
    for node in body.syntax().descendants() {
        match node.kind() {
            SyntaxKind::PATH_EXPR => {
                if let Some(n) = ast::PathExpr::cast(node).and_then(|p| p.as_single_name()) {
                    add(n.text(), false);
                }
            }
            // `新建 点 { 横 }`: the shorthand field names the variable `横`.
            SyntaxKind::STRUCT_LIT_FIELD => {
                let f = ast::StructLitField::cast(node).expect("kind checked");
                if let (Some(n), None) = (f.name(), f.value()) {
                    add(n.text(), false);
                }
            }
            _ => {}
        }
    }
    names
}

impl FnLower<'_, '_> {
    /// `闭包 [弱 x] (参数…): 类型 { … }` / `|参数…| { … }`: lift the body, then build the
    /// record holding the code address and the captured values (an owned temporary).
    pub(super) fn closure(&mut self, e: &ast::ClosureExpr) -> Option<Val> {
        let (param_names, ty) = self.closure_signature(e)?;
        let captures = self.closure_captures(e)?;
        let layout = self.c.closure_layout(&captures);
        let code = self.lift_closure_body(e, &param_names, &ty, &captures);
        Some(self.new_closure_record(ty, code, layout, &captures))
    }

    /// Parameter names and the function type. Untyped parameters are `整数`; without a
    /// return type (always for the bar form) the result is `空`.
    fn closure_signature(&mut self, e: &ast::ClosureExpr) -> Option<(Vec<String>, FnType)> {
        let mut names = Vec::new();
        let mut params = Vec::new();
        let mut ok = true;
        for p in e.params() {
            let range = p.syntax().text_range();
            if p.is_variadic() {
                self.c.unsupported(range, "闭包的变参", "variadic closure parameters");
                ok = false;
                continue;
            }
            if let Some(d) = p.default() {
                // A function value's type has no room for defaults: calls through it
                // always pass every argument.
                self.c.error(
                    d.syntax().text_range(),
                    "闭包的形参不能有默认值",
                    "closure parameters cannot have default values",
                );
                ok = false;
            }
            let Some(ty) = self.c.param_type(&p) else {
                ok = false;
                continue;
            };
            names.push(p.name().map(|n| n.text()).unwrap_or_default());
            params.push(ty);
        }
        let ret = match e.ret_type() {
            None => Type::Void,
            Some(t) => self.c.resolve_type(&t)?,
        };
        ok.then_some((names, FnType { params, ret }))
    }

    /// The enclosing locals the closure copies (see the module comment). Capture-list
    /// entries must name variables; a global there is accepted and not captured.
    fn closure_captures(&mut self, e: &ast::ClosureExpr) -> Option<Vec<Capture>> {
        let mut ok = true;
        for c in e.captures() {
            let Some(n) = c.name() else { continue };
            let text = n.text();
            if self.lookup(&text).is_none() {
                self.c.error(
                    n.syntax().text_range(),
                    format!("未声明的变量: {text}"),
                    format!("undeclared variable: {text}"),
                );
                ok = false;
            }
        }
        let captures = captured_names(e)
            .into_iter()
            .filter_map(|(name, weak)| match self.lookup(&name) {
                Some(var @ Var { kind: VarKind::Local(_), .. }) => {
                    Some(Capture { name, var, weak })
                }
                _ => None,
            })
            .collect();
        ok.then_some(captures)
    }

    /// Lower the closure body as a new function `(环境, 参数…)` and return its id.
    fn lift_closure_body(
        &mut self,
        e: &ast::ClosureExpr,
        param_names: &[String],
        ty: &FnType,
        captures: &[Capture],
    ) -> FuncId {
        let name = format!("{}.闭包", self.b.func.name);
        let loc = self.c.loc(e.syntax().text_range());
        let mut params = vec![(None, Type::Fn(Box::new(ty.clone())))];
        params.extend(param_names.iter().cloned().map(Some).zip(ty.params.iter().cloned()));
        let b = FnBuilder::new(name, params, ty.ret.clone(), loc);
        let env = Operand::Local(LocalId(0));
        // Captures first, so that parameters (declared after) shadow them.
        let defs: Vec<_> = captures.iter().map(|cap| self.def_of(&cap.var)).collect();
        let mut l = FnLower::new(&mut *self.c, b, ty.ret.clone());
        l.n_params = ty.params.len() + 1;
        for (i, cap) in captures.iter().enumerate() {
            let mut var = cap.var.clone();
            if !var.poisoned {
                let local = l.b.new_local(var.ty.clone(), Some(cap.name.clone()));
                l.b.assign(
                    local,
                    Value::GetSlot { obj: env, slot: i as u32 + 1, ty: var.ty.clone() },
                );
                if var.ty.is_rc() {
                    l.b.push(Inst::Retain(Operand::Local(local)));
                    l.owned_vars.push(local);
                }
                var.kind = VarKind::Local(local);
                l.inherit_def(local, defs[i]);
            }
            l.declare(cap.name.clone(), var);
        }
        let written = e.params().map(|p| p.name().map_or(p.range(), |n| n.syntax().text_range()));
        // (Each name is one of `e`'s parameters; the repeat only keeps the zip total.)
        let written = written.chain(std::iter::repeat(e.range()));
        for (i, ((name, pty), at)) in param_names.iter().zip(&ty.params).zip(written).enumerate() {
            let var = Var {
                kind: VarKind::Local(LocalId(i as u32 + 1)),
                ty: pty.clone(),
                is_const: false,
                poisoned: false,
            };
            l.declare_at(name.clone(), var, at);
        }
        let body = e.body();
        if let Some(body) = &body {
            l.block(body);
        }
        let end = body.and_then(|b| b.r_brace()).map(|t| t.text_range());
        let f = l.finish(end);
        self.c.add_lifted(f)
    }

    /// A fresh closure record (owned) with the code address and the captured values.
    fn new_closure_record(
        &mut self,
        ty: FnType,
        code: FuncId,
        layout: LayoutId,
        captures: &[Capture],
    ) -> Val {
        // Captures are locals, so their values are borrowed: the record takes its own
        // reference, except for a weak capture.
        let values = captures
            .iter()
            .map(|cap| (!cap.var.poisoned).then(|| (self.read_var(&cap.var), cap.weak)))
            .collect();
        self.closure_record(ty, code, layout, values)
    }

    /// A fresh closure record (owned) of type `ty`: the address of `code` in slot 0, then
    /// `values` in slots 1.. (`None` leaves a slot null). Each value goes into the record
    /// owned — an owned temporary is moved, a borrowed object retained — except when
    /// marked weak (the record then does not own it).
    pub(super) fn closure_record(
        &mut self,
        ty: FnType,
        code: FuncId,
        layout: LayoutId,
        values: Vec<Option<(Val, bool)>>,
    ) -> Val {
        let rec = self.temp(Type::Fn(Box::new(ty)), Value::NewRecord(layout));
        let addr = self.b.temp(Type::Int, Value::FuncAddr(code));
        self.b.push(Inst::SetSlot { obj: rec.op, slot: 0, value: addr });
        for (i, v) in values.into_iter().enumerate() {
            let Some((v, weak)) = v else { continue };
            let value = if weak { v.op } else { self.owned_operand(v) };
            self.b.push(Inst::SetSlot { obj: rec.op, slot: i as u32 + 1, value });
        }
        rec
    }

    /// A top-level function used as a value: a capture-free closure over its trampoline.
    pub(super) fn function_value(&mut self, name: &str, range: TextRange) -> Option<Val> {
        let ids = self.c.fns_by_name[name].clone();
        if ids.len() > 1 {
            self.c.error(
                range,
                format!("重载函数「{name}」不能作为函数值传递"),
                format!("overloaded function `{name}` cannot be used as a function value"),
            );
            return None;
        }
        let target = ids[0];
        let sig = self.c.sig(target);
        let ty = FnType {
            params: sig.params.iter().map(|p| p.ty.clone()).collect(),
            ret: sig.ret.clone(),
        };
        let code = self.c.trampoline(target, &ty);
        let layout = self.c.closure_layout(&[]);
        Some(self.new_closure_record(ty, code, layout, &[]))
    }

    /// `f(…)` where `f` is a variable holding a function value; `None` when `name` is not
    /// such a variable (the caller goes on resolving it).
    pub(super) fn call_function_variable(
        &mut self,
        name: &str,
        args: &[ast::Expr],
        range: TextRange,
    ) -> Option<Option<Val>> {
        let var = self.lookup(name).filter(|v| !v.poisoned && matches!(v.ty, Type::Fn(_)))?;
        let f = self.read_var(&var);
        let r = self.call_value(f.clone(), args, range);
        self.release_temp(&f);
        Some(r)
    }

    /// `e(…)` for a callee that is not a name: `造计数器(5)(2)`, `表[0](x)`.
    pub(super) fn call_expression(
        &mut self,
        callee: &ast::Expr,
        args: &[ast::Expr],
        range: TextRange,
    ) -> Option<Val> {
        let f = self.expr(callee)?;
        if !matches!(f.ty, Type::Fn(_)) {
            self.release_temp(&f);
            self.c.error(
                callee.syntax().text_range(),
                format!("只能调用函数，这里是 {}", f.ty),
                format!("only functions can be called, found {}", f.ty),
            );
            return None;
        }
        let r = self.call_value(f.clone(), args, range);
        self.release_temp(&f);
        r
    }

    /// Call a function value (consumes nothing: `f` stays owned by the caller).
    /// Arguments are coerced to the parameter types and borrowed for the call.
    pub(super) fn call_value(
        &mut self,
        f: Val,
        args: &[ast::Expr],
        range: TextRange,
    ) -> Option<Val> {
        let Type::Fn(ty) = f.ty.clone() else {
            self.c.error(
                range,
                format!("只能调用函数，这里是 {}", f.ty),
                format!("only functions can be called, found {}", f.ty),
            );
            return None;
        };
        if args.len() != ty.params.len() {
            self.c.error(
                range,
                format!(
                    "{} 类型的函数值需要 {} 个实参，实际传了 {} 个",
                    f.ty,
                    ty.params.len(),
                    args.len()
                ),
                format!(
                    "a function value of type {} takes {} argument(s) but {} were given",
                    f.ty,
                    ty.params.len(),
                    args.len()
                ),
            );
            return None;
        }
        let pairs: Vec<(ast::Expr, Type)> =
            args.iter().cloned().zip(ty.params.iter().cloned()).collect();
        let vals = self.arguments(&pairs)?;
        let loc = self.c.loc(range);
        if self.spawning(range) {
            return Some(self.defer_call(
                super::spawn::Callee::Value(f),
                vals,
                ty.ret.clone(),
                loc,
            ));
        }
        let call = Value::CallIndirect {
            callee: f.op,
            args: vals.iter().map(|v| v.op).collect(),
            ret: ty.ret.clone(),
            loc,
        };
        Some(self.finish_call(call, ty.ret.clone(), &vals))
    }

    /// `对象.字段 = 闭包 { … 对象 … }` without `[弱 对象]` makes a reference cycle that
    /// reference counting never frees (language.md §6.9): reported, returns true.
    pub(super) fn closure_self_cycle(
        &mut self,
        base: &ast::Expr,
        field: &str,
        value: &ast::Expr,
    ) -> bool {
        let Some(obj) = (match base {
            ast::Expr::Path(p) => p.as_single_name().map(|n| n.text()),
            _ => None,
        }) else {
            return false;
        };
        if !matches!(self.lookup(&obj), Some(Var { kind: VarKind::Local(_), .. })) {
            return false;
        }
        let mut value = value.clone();
        while let ast::Expr::Paren(p) = &value {
            let Some(inner) = p.expr() else { return false };
            value = inner;
        }
        let ast::Expr::Closure(c) = &value else { return false };
        if !captured_names(c).iter().any(|(n, weak)| *n == obj && !weak) {
            return false;
        }
        let d = Diagnostic::error(
            value.syntax().text_range(),
            Text::new(
                format!("检测到闭包自引用环：存入「{obj}.{field}」的闭包强捕获了「{obj}」，两者永远不会被释放"),
                format!("closure self-reference cycle: the closure stored in `{obj}.{field}` captures `{obj}`, so neither is ever freed"),
            ),
        )
        .with_hint(Text::new(
            format!("用弱捕获打破环：闭包 [弱 {obj}] (…) {{ … }}"),
            format!("break the cycle with a weak capture: 闭包 [弱 {obj}] (…) {{ … }}"),
        ));
        self.c.diagnostics.push(d);
        true
    }
}
