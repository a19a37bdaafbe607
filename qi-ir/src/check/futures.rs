//! Futures (README item 9, docs/CONCURRENCY.md): functions returning `未来<T>`, `等待`,
//! `未来::就绪(v)` and `未来::失败(消息)`.
//!
//! A function declared to return `未来<T>` (with or without `异步`) has a body that
//! returns `T`. It is lowered as two functions plus a closure code:
//! * the body, named as the function (so that stack traces show its name), returning `T`;
//! * the function callers call (`名.未来`): `fut = FutureNew`, a closure holding the
//!   parameters and `fut`, `FutureSpawn [closure, fut]`, return `fut`;
//! * the closure's code (`名.异步`): calls the body, then `FutureComplete [fut, result]`.
//!   If the body raises, the exception leaves the closure and the runtime fails the future.
//!
//! The body's `返回 e` takes a `T`, or a `未来<T>` whose outcome it adopts
//! (`返回 未来::失败("…")`, `返回 另一个未来函数()`): see `future_body_return`.

use super::body::{lower_body, FnLower, Val};
use super::Checker;
use crate::ir::*;
use qi_syntax::ast::{self, AstNode};
use rowan::TextRange;

impl Checker<'_> {
    /// The function callers call for `decl`, which returns `未来<result>`; lowers the body
    /// (returning `result`) on the way.
    pub(super) fn future_function(
        &mut self,
        decl: &ast::FnDecl,
        name: String,
        params: Vec<(Option<String>, Type)>,
        result: Type,
        loc: Loc,
    ) -> Function {
        let body_id = self.reserve_function();
        let body = lower_body(self, decl, name.clone(), params.clone(), result.clone(), true, loc);
        self.fill_function(body_id, body);
        let fut_ty = Type::Future(Box::new(result.clone()));
        let mut slots: Vec<Type> = params.iter().map(|(_, t)| t.clone()).collect();
        slots.push(fut_ty.clone());
        let code =
            self.call_code(format!("{name}.异步"), Some(body_id), &slots, &result, true, loc);
        let layout = self.closure_layout_of(
            slots.iter().map(|ty| Slot { ty: ty.clone(), weak: false }).collect(),
        );

        let n = params.len();
        let b = crate::builder::FnBuilder::new(format!("{name}.未来"), params, fut_ty.clone(), loc);
        let mut l = FnLower::new(self, b, fut_ty.clone());
        l.n_params = n;
        let fut = l.temp(
            fut_ty,
            Value::Builtin { op: Builtin::FutureNew(result.bits()), args: vec![], loc },
        );
        // The closure gets its own references to the (borrowed) parameters and the future.
        let mut values: Vec<Option<(Val, bool)>> = (0..n)
            .map(|i| {
                let local = LocalId(i as u32);
                Some((
                    Val::borrowed(Operand::Local(local), l.b.func.local_ty(local).clone()),
                    false,
                ))
            })
            .collect();
        values.push(Some((Val::borrowed(fut.op, fut.ty.clone()), false)));
        let closure_ty = FnType { params: vec![], ret: Type::Void };
        let closure = l.closure_record(closure_ty, code, layout, values);
        let spawn =
            Value::Builtin { op: Builtin::FutureSpawn, args: vec![closure.op, fut.op], loc };
        l.b.push(Inst::Effect(spawn));
        l.release_temp(&closure);
        l.return_value(fut);
        l.finish(None)
    }
}

impl FnLower<'_, '_> {
    /// `等待 e`: the `T` of a `未来<T>`, parking until it completes (its failure is raised
    /// here). `expected` is the type the context wants for the result: `未来::失败(…)`
    /// takes its `T` from it. Special forms: `等待 让出()`, `等待 异步睡眠(ms)`.
    pub(super) fn await_expr(
        &mut self,
        a: &ast::AwaitExpr,
        expected: Option<&Type>,
    ) -> Option<Val> {
        let range = a.syntax().text_range();
        let inner = a.expr()?;
        if let Some(v) = self.await_special(&inner) {
            return v;
        }
        let wanted = expected.map(|t| Type::Future(Box::new(t.clone())));
        let f = match &wanted {
            Some(w) => self.expr_expecting(&inner, w)?,
            None => self.expr(&inner)?,
        };
        let Type::Future(result) = f.ty.clone() else {
            self.release_temp(&f);
            self.c.error(
                inner.syntax().text_range(),
                format!("等待 只能用于 未来<T>，这里是 {}", f.ty),
                format!("等待 needs a 未来<T> (future), found {}", f.ty),
            );
            return None;
        };
        let loc = self.c.loc(range);
        let value = Value::Builtin { op: Builtin::Await(result.bits()), args: vec![f.op], loc };
        let r = self.finish_call(value, *result, &[]);
        self.release_temp(&f);
        Some(r)
    }

    /// The value of `返回 e` in the body of a function declared `: 未来<T>` (the body returns
    /// `T`): a `T`, or a `未来<T>` whose outcome becomes the function's (`return_adopting`).
    /// `e` is checked against `T`, except `未来::就绪/失败(…)`, which are checked against the
    /// declared `未来<T>` (`未来::失败` has no other way to learn its `T`). For `未来<空>`, any
    /// value other than a `未来<空>` is evaluated and discarded, as in a `空` function.
    pub(super) fn future_body_return(&mut self, e: &ast::Expr) -> Option<Val> {
        let result = self.ret_ty.clone();
        let declared = Type::Future(Box::new(result.clone()));
        // When `T` is itself a future, a constructor builds the `T`.
        let context = match result {
            Type::Future(_) => &result,
            _ if is_future_constructor(e) => &declared,
            _ => &result,
        };
        let v = match context {
            Type::Void => self.expr(e)?,
            context => self.expr_expecting(e, context)?,
        };
        if v.ty == declared || result == Type::Void {
            return Some(v);
        }
        let range = e.syntax().text_range();
        if matches!(v.ty, Type::Future(_)) && !matches!(result, Type::Future(_)) {
            self.release_temp(&v);
            self.c.error(
                range,
                format!("类型不匹配：期望 {result} 或 {declared}，实际是 {}", v.ty),
                format!("type mismatch: expected {result} or {declared}, found {}", v.ty),
            );
            return None;
        }
        self.coerce(v, &result, range)
    }

    /// `返回 f` with `f: 未来<T>` in the body of a function declared `: 未来<T>`: the
    /// function's future adopts `f`'s outcome. The `最终` bodies being left run first (as for
    /// any `返回`); then `f` is awaited outside every `尝试` of the body, so that its value
    /// is returned and its failure leaves the body, failing the function's future with the
    /// same message (no `捕获` of the body sees it).
    pub(super) fn return_adopting(&mut self, f: Val) {
        let loc = self.b.loc();
        let result = self.ret_ty.clone();
        // The future waits in a slot the function owns (released at its exit on both
        // ways out) while the `最终` bodies run.
        let pending = self.b.new_local(f.ty.clone(), None);
        self.b.push(Inst::Release(pending));
        self.track_owned(pending);
        let op = self.owned_operand(f);
        self.b.assign(pending, Value::Use(op));
        let released = self.release_caught(None);
        self.run_finally_bodies(None);
        let handlers = self.b.handlers();
        self.b.set_handlers(handlers.first().copied().into_iter().collect());
        self.b.set_loc(loc);
        let op = Builtin::Await(result.bits());
        let value = Value::Builtin { op, args: vec![Operand::Local(pending)], loc };
        let r = self.finish_call(value, result, &[]);
        self.return_value(r);
        self.b.set_handlers(handlers);
        self.reown_caught(released);
    }

    /// `等待 让出()` (yield) and `等待 异步睡眠(ms)` / `睡眠(ms)`: coroutine builtins, which
    /// come before any function of those names (language.md §6.7).
    fn await_special(&mut self, e: &ast::Expr) -> Option<Option<Val>> {
        let ast::Expr::Call(c) = e else { return None };
        let Some(ast::Expr::Path(p)) = c.callee() else { return None };
        let name = p.as_single_name()?.text();
        let op = match name.as_str() {
            "让出" | "yield" => Builtin::Yield,
            "异步睡眠" | "睡眠" | "sleep" => Builtin::Sleep,
            _ => return None,
        };
        let args: Vec<ast::Expr> = c.args().collect();
        Some(self.fixed_builtin(op, &name, &args, c.syntax().text_range()))
    }

    /// `未来::就绪(v)` / `未来::失败(消息)` (also `ready`/`failed`, and `未来.就绪(v)`).
    /// `expected`: the type the context wants (a `未来<T>` fixes `T`).
    pub(super) fn future_constructor(
        &mut self,
        name: &str,
        args: &[ast::Expr],
        expected: Option<&Type>,
        range: TextRange,
    ) -> Option<Val> {
        let elem = match expected {
            Some(Type::Future(t)) => Some((**t).clone()),
            _ => None,
        };
        let failed = match name {
            "就绪" | "ready" => false,
            "失败" | "failed" => true,
            _ => {
                self.c.error(
                    range,
                    format!("未来 没有函数「{name}」（可用：就绪、失败）"),
                    format!("未来 has no function `{name}` (available: 就绪, 失败)"),
                );
                self.check_and_drop(args);
                return None;
            }
        };
        let [arg] = args else {
            self.arity_error(&format!("未来::{name}"), 1, 1, args.len(), range);
            return None;
        };
        let loc = self.c.loc(range);
        if failed {
            let Some(elem) = elem else {
                self.c.error(
                    range,
                    format!("未来::{name} 无法推断结果类型：给变量加 : 未来<类型> 注解，或写在 等待 有类型的地方"),
                    format!("未来::{name} cannot infer the result type: annotate the variable with : 未来<类型>, or use it where the type is known"),
                );
                self.check_and_drop(args);
                return None;
            };
            let msg = self.expr(arg)?;
            let msg = self.coerce(msg, &Type::Str, arg.syntax().text_range())?;
            let op = Builtin::FutureFailed(elem.bits());
            let r = self
                .temp(Type::Future(Box::new(elem)), Value::Builtin { op, args: vec![msg.op], loc });
            self.release_temp(&msg);
            return Some(r);
        }
        let v = match elem.filter(|t| *t != Type::Void) {
            Some(t) => {
                let v = self.expr_expecting(arg, &t)?;
                self.coerce(v, &t, arg.syntax().text_range())?
            }
            None => self.expr(arg)?,
        };
        if v.ty == Type::Void {
            self.c.error(
                arg.syntax().text_range(),
                "空 值不能作为未来的结果",
                "a 空 value cannot be the result of a future",
            );
            return None;
        }
        let op = Builtin::FutureReady(v.ty.bits());
        let r = self.temp(
            Type::Future(Box::new(v.ty.clone())),
            Value::Builtin { op, args: vec![v.op], loc },
        );
        self.release_temp(&v);
        Some(r)
    }
}

/// `未来::就绪(…)` / `未来::失败(…)` (or any other `未来::名(…)`, `未来.名(…)`), in
/// parentheses or not: the expressions `expr_expecting` lowers as future constructors.
fn is_future_constructor(e: &ast::Expr) -> bool {
    match e {
        ast::Expr::Paren(p) => p.expr().is_some_and(|e| is_future_constructor(&e)),
        ast::Expr::Call(c) => match c.callee() {
            Some(ast::Expr::Path(p)) => {
                let segments: Vec<String> = p.segments().map(|s| s.text()).collect();
                matches!(segments.as_slice(), [t, _] if t == "未来")
            }
            _ => false,
        },
        ast::Expr::MethodCall(m) => match m.receiver() {
            Some(ast::Expr::Path(p)) => p.as_single_name().is_some_and(|n| n.text() == "未来"),
            _ => false,
        },
        _ => false,
    }
}
