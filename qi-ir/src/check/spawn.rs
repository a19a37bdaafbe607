//! `启动 f(…)` (README item 8, docs/CONCURRENCY.md): the callee and the arguments are
//! evaluated at the `启动`, then a green thread makes the call and drops its result.
//!
//! The call is lowered by the ordinary call code (overloads, defaults, variadics,
//! methods, generic instances, function values), with one difference: `FnLower::spawn`
//! names the range of the call being started, and where that call would be emitted
//! (`emit_call`, `call_value`) `defer_call` builds a closure instead. Calls nested in
//! the arguments have other ranges and are made now, as they must be. The closure
//! record holds the callee (when it is a function value) and the argument values, owned;
//! its code, a function `函数()` made here, reads them from the record (which lives while
//! the green thread runs it) and makes the call. It has no exception handler: an
//! exception leaves it, and the runtime reports it as uncaught (README item 11).

use super::body::{FnLower, Val};
use super::Checker;
use crate::builder::FnBuilder;
use crate::ir::*;
use qi_syntax::ast::{self, AstNode};
use rowan::TextRange;

/// Where the call of a `启动` statement is captured while it is lowered.
pub(crate) struct SpawnSink {
    /// The call expression being started: its file and range (a default argument lowered
    /// at the call comes from another place, possibly another file).
    file: u32,
    range: TextRange,
    /// The closure built in its place.
    closure: Option<Val>,
}

/// What a deferred call calls.
pub(super) enum Callee {
    Direct(FuncId),
    /// A function value (borrowed: the caller releases it afterwards).
    Value(Val),
}

impl FnLower<'_, '_> {
    pub(super) fn spawn_stmt(&mut self, e: Option<ast::Expr>, range: TextRange) {
        let Some(mut e) = e else { return };
        while let ast::Expr::Paren(p) = &e {
            let Some(inner) = p.expr() else { return };
            e = inner;
        }
        let call_range = e.syntax().text_range();
        if !matches!(e, ast::Expr::Call(_) | ast::Expr::MethodCall(_)) {
            if let Some(v) = self.expr(&e) {
                self.release_temp(&v);
            }
            self.c.error(
                call_range,
                "启动 后面必须是函数调用",
                "启动 must be followed by a function call",
            );
            return;
        }
        let outer =
            self.spawn.replace(SpawnSink { file: self.c.file, range: call_range, closure: None });
        let v = self.expr(&e);
        let sink = std::mem::replace(&mut self.spawn, outer).expect("set above");
        match (v, sink.closure) {
            (_, Some(closure)) => {
                let loc = self.c.loc(range);
                self.b.push(Inst::Effect(Value::Builtin {
                    op: Builtin::Spawn,
                    args: vec![closure.op],
                    loc,
                }));
                self.release_temp(&closure);
            }
            (Some(v), None) => {
                // A builtin or a constructor: it was evaluated right here.
                self.release_temp(&v);
                self.c.error(
                    call_range,
                    "启动 只能启动函数、方法或函数值的调用（不能启动内建函数或构造子）",
                    "启动 can only start a call of a function, a method or a function value (not a builtin or a constructor)",
                );
            }
            (None, None) => {}
        }
    }

    /// Is the call at `range` the one a `启动` starts (not yet captured)?
    pub(super) fn spawning(&self, range: TextRange) -> bool {
        self.spawn
            .as_ref()
            .is_some_and(|s| s.file == self.c.file && s.range == range && s.closure.is_none())
    }

    /// In place of the call of `callee` with the checked `args` (returning `ret`): a closure
    /// `函数()` that makes it, stored for the `启动`. The arguments are consumed (owned ones
    /// move into the record, borrowed ones are retained); the result is `空`.
    pub(super) fn defer_call(
        &mut self,
        callee: Callee,
        args: Vec<Val>,
        ret: Type,
        loc: Loc,
    ) -> Val {
        let mut values: Vec<Val> = Vec::with_capacity(args.len() + 1);
        let direct = match callee {
            Callee::Direct(id) => Some(id),
            Callee::Value(f) => {
                values.push(Val::borrowed(f.op, f.ty));
                None
            }
        };
        values.extend(args);
        let types: Vec<Type> = values.iter().map(|v| v.ty.clone()).collect();
        let name = format!("{}.启动", self.b.func.name);
        let code = self.c.call_code(name, direct, &types, &ret, false, loc);
        let layout = self
            .c
            .closure_layout_of(types.into_iter().map(|ty| Slot { ty, weak: false }).collect());
        let ty = FnType { params: vec![], ret: Type::Void };
        let closure = self.closure_record(
            ty,
            code,
            layout,
            values.into_iter().map(|v| Some((v, false))).collect(),
        );
        if let Some(sink) = &mut self.spawn {
            sink.closure = Some(closure);
        }
        Val::borrowed(Operand::Int(0), Type::Void)
    }
}

impl Checker<'_> {
    /// The code of a compiler-made closure `函数()` that makes one call with the values of
    /// its record: `(环境) { 调用(环境.1, 环境.2, …) }`. Without `direct`, slot 1 holds the
    /// callee (a function value). With `complete`, the last slot holds a future, which the
    /// call's result completes; otherwise the result is dropped.
    pub(super) fn call_code(
        &mut self,
        name: String,
        direct: Option<FuncId>,
        slots: &[Type],
        ret: &Type,
        complete: bool,
        loc: Loc,
    ) -> FuncId {
        let env_ty = Type::Fn(Box::new(FnType { params: vec![], ret: Type::Void }));
        let mut b = FnBuilder::new(name, vec![(None, env_ty)], Type::Void, loc);
        let env = Operand::Local(LocalId(0));
        // The record owns the values for as long as the closure runs: borrowing them is
        // enough. There is no handler: an exception leaves the closure (a future then
        // fails with it).
        let mut ops: Vec<Operand> = slots
            .iter()
            .enumerate()
            .map(|(i, ty)| {
                b.temp(ty.clone(), Value::GetSlot { obj: env, slot: i as u32 + 1, ty: ty.clone() })
            })
            .collect();
        let future = if complete { ops.pop() } else { None };
        let call = match direct {
            Some(func) => Value::Call { func, args: ops, loc },
            None => {
                let callee = ops.remove(0);
                Value::CallIndirect { callee, args: ops, ret: ret.clone(), loc }
            }
        };
        let result = if *ret == Type::Void {
            b.push(Inst::Effect(call));
            None
        } else {
            let r = b.new_local(ret.clone(), None);
            b.assign(r, call);
            Some(r)
        };
        if let Some(fut) = future {
            let value = result.map(Operand::Local).unwrap_or(Operand::Int(0));
            let op = Builtin::FutureComplete(ret.bits());
            b.push(Inst::Effect(Value::Builtin { op, args: vec![fut, value], loc }));
        }
        if let Some(r) = result.filter(|_| ret.is_rc()) {
            b.push(Inst::Release(r));
        }
        b.terminate(Terminator::Return(None));
        self.add_lifted(b.finish())
    }
}
