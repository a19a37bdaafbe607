//! Channels (README item 7, docs/CONCURRENCY.md): `通道<T>(n)`, `c <- v`, `<-c`,
//! `关闭(c)` and `对于 x 在 c`. (`选择` is in `select.rs`.)
//!
//! A value travels through a channel as 64 bits (`Type::bits`); the channel owns one
//! reference to every object it holds, so sending borrows the value and a receive
//! returns an owned one. Receiving from a closed, drained channel gives bits 0: the
//! zero value for scalars, and null for objects, which `closed_value` turns into the
//! zero value of `T` (or a runtime error when `T` has none).

use super::body::{FnLower, Val, Var, VarKind};
use crate::ir::*;
use qi_syntax::ast::{self, AstNode};
use rowan::TextRange;

impl FnLower<'_, '_> {
    /// `通道<T>(n)` / `通道<T>()` (capacity 0: unbuffered).
    pub(super) fn chan_new(&mut self, e: &ast::ChanNewExpr) -> Option<Val> {
        let range = e.syntax().text_range();
        let Some(elem_ty) = e.elem_ty() else {
            self.c.error(
                range,
                "通道类型需要元素类型：通道<T>",
                "channel type needs an element type: 通道<T>",
            );
            return None;
        };
        let elem = self.c.resolve_type(&elem_ty)?;
        if elem == Type::Void {
            self.c.error(range, "通道的元素类型不能是 空", "a channel cannot carry 空 values");
            return None;
        }
        let capacity = match e.capacity() {
            Some(n) => {
                let v = self.expr(&n)?;
                if !matches!(v.ty, Type::Int | Type::Bool) {
                    self.release_temp(&v);
                    self.c.error(
                        n.syntax().text_range(),
                        format!("通道容量必须是整数，这里是 {}", v.ty),
                        format!("a channel capacity must be an integer, found {}", v.ty),
                    );
                    return None;
                }
                self.coerce(v, &Type::Int, n.syntax().text_range())?.op
            }
            None => Operand::Int(0),
        };
        let loc = self.c.loc(range);
        let op = Builtin::ChanNew(elem.bits());
        Some(
            self.temp(Type::Chan(Box::new(elem)), Value::Builtin { op, args: vec![capacity], loc }),
        )
    }

    /// A channel operand: reports (with `what`) anything else and releases it.
    pub(super) fn channel(
        &mut self,
        e: &ast::Expr,
        what_zh: &str,
        what_en: &str,
    ) -> Option<(Val, Type)> {
        let v = self.expr(e)?;
        match v.ty.clone() {
            Type::Chan(elem) => Some((v, *elem)),
            other => {
                self.release_temp(&v);
                self.c.error(
                    e.syntax().text_range(),
                    format!("{what_zh}，这里是 {other}"),
                    format!("{what_en}, found {other}"),
                );
                None
            }
        }
    }

    /// `c <- v` (an expression statement): waits for room or a receiver; raises when the
    /// channel is closed.
    pub(super) fn send(&mut self, s: &ast::SendExpr) -> Option<Val> {
        let (chan, elem) =
            self.channel(&s.chan()?, "只能向通道发送", "can only send to a channel")?;
        let Some(value) = s.value().and_then(|e| self.send_value(&e, &chan.ty, &elem)) else {
            self.release_temp(&chan);
            return None;
        };
        let loc = self.c.loc(s.syntax().text_range());
        let op = Builtin::ChanSend(elem.bits());
        self.b.push(Inst::Effect(Value::Builtin { op, args: vec![chan.op, value.op], loc }));
        self.release_temp(&value);
        self.release_temp(&chan);
        Some(Val::borrowed(Operand::Int(0), Type::Void))
    }

    /// The value sent on a channel of type `chan_ty`, converted to its element type.
    pub(super) fn send_value(&mut self, e: &ast::Expr, chan_ty: &Type, elem: &Type) -> Option<Val> {
        let v = self.expr_expecting(e, elem)?;
        if !Self::converts_implicitly(&v.ty, elem) {
            self.release_temp(&v);
            self.c.error(
                e.syntax().text_range(),
                format!("发送的值类型不匹配：{chan_ty} 需要 {elem}，这里是 {}", v.ty),
                format!("wrong type sent: {chan_ty} carries {elem}, found {}", v.ty),
            );
            return None;
        }
        self.coerce(v, elem, e.syntax().text_range())
    }

    /// `<-c`: the next value; the zero value of `T` once the channel is closed and drained.
    pub(super) fn recv(&mut self, r: &ast::RecvExpr) -> Option<Val> {
        let range = r.syntax().text_range();
        let (chan, elem) =
            self.channel(&r.chan()?, "只能从通道接收", "can only receive from a channel")?;
        let loc = self.c.loc(range);
        let v = self.temp(
            elem.clone(),
            Value::Builtin { op: Builtin::ChanRecv(elem.bits()), args: vec![chan.op], loc },
        );
        self.release_temp(&chan);
        Some(self.closed_value(v, loc))
    }

    /// A received object is null when the channel was closed and drained: substitute the
    /// zero value of its type (`""`, an empty array), or raise for a type without one.
    /// Scalars arrive as their zero bits already, and null is `无` for a `选项<对象>`.
    pub(super) fn closed_value(&mut self, v: Val, loc: Loc) -> Val {
        let needs_zero = v.ty.is_rc() && !self.is_niche(&v.ty);
        let Operand::Local(slot) = v.op else { return v };
        if !needs_zero {
            return v;
        }
        let is_null =
            self.b.temp(Type::Bool, Value::Binary(BinOp::ICmp(Cmp::Eq), v.op, Operand::Null));
        let closed = self.b.new_block();
        let join = self.b.new_block();
        self.b.branch(is_null, closed, join);
        self.b.switch_to(closed);
        let ty = v.ty.clone();
        match super::types::zero_value(self.c, &ty) {
            Some(zero) => self.b.assign(slot, zero),
            None => {
                let msg = self.c.intern(&format!("从已关闭的通道接收：类型 {ty} 没有零值"));
                let args = vec![
                    Operand::Str(msg),
                    Operand::Int(loc.file as i64),
                    Operand::Int(loc.line as i64),
                ];
                self.b.push(Inst::Effect(Value::Builtin { op: Builtin::Throw, args, loc }));
                self.b.terminate(Terminator::Unreachable);
            }
        }
        self.b.jump(join);
        self.b.switch_to(join);
        v
    }

    /// `关闭(c)`: raises when the channel is already closed.
    pub(super) fn close_call(
        &mut self,
        name: &str,
        args: &[ast::Expr],
        range: TextRange,
    ) -> Option<Val> {
        let [arg] = args else {
            self.arity_error(name, 1, 1, args.len(), range);
            return None;
        };
        let (chan, _) = self.channel(arg, "关闭 需要通道", "关闭 needs a channel")?;
        let loc = self.c.loc(range);
        self.b.push(Inst::Effect(Value::Builtin {
            op: Builtin::ChanClose,
            args: vec![chan.op],
            loc,
        }));
        self.release_temp(&chan);
        Some(Val::borrowed(Operand::Int(0), Type::Void))
    }

    /// `对于 x 在 c { … }`: receives until the channel is closed and drained.
    /// `head: ChanRecvOk → body | exit`, `body: x = ChanTake; …`; `继续` goes to `head`.
    pub(super) fn for_channel(&mut self, s: &ast::ForStmt, chan: Val, elem: Type) {
        self.for_pulled(
            s,
            chan,
            elem,
            |l, chan, loc| {
                let args = vec![chan];
                l.b.temp(Type::Bool, Value::Builtin { op: Builtin::ChanRecvOk, args, loc })
            },
            |_, elem, loc| Value::Builtin { op: Builtin::ChanTake(elem.bits()), args: vec![], loc },
        )
    }

    /// `对于 x 在 src { … }` over a source values are pulled from one at a time (a
    /// channel, a generator): `head: ready(src) → body | exit`, `body: x = take(src); …`;
    /// `继续` goes to `head`.
    pub(super) fn for_pulled(
        &mut self,
        s: &ast::ForStmt,
        src: Val,
        elem: Type,
        ready: impl FnOnce(&mut Self, Operand, Loc) -> Operand,
        take: impl FnOnce(Operand, &Type, Loc) -> Value,
    ) {
        // The loop keeps its own reference: the body may reassign the variable it came from.
        let src_local = self.b.new_local(src.ty.clone(), None);
        let op = self.owned_operand(src);
        // An outer loop's 跳出/继续 may have left the previous source here.
        self.b.push(Inst::Release(src_local));
        self.b.assign(src_local, Value::Use(op));
        self.track_owned(src_local);
        self.push_scope();
        let x = self.b.new_local(elem.clone(), s.binding().map(|n| n.text()));
        if elem.is_rc() {
            self.track_owned(x);
        }
        if let Some(name) = s.binding() {
            self.declare(
                name.text(),
                Var { kind: VarKind::Local(x), ty: elem.clone(), is_const: false, poisoned: false },
            );
        }
        let loc = self.b.loc();
        let (head, body, exit) = (self.b.new_block(), self.b.new_block(), self.b.new_block());
        self.b.jump(head);
        self.b.switch_to(head);
        let ok = ready(self, Operand::Local(src_local), loc);
        self.b.branch(ok, body, exit);
        self.b.switch_to(body);
        if elem.is_rc() {
            self.b.push(Inst::Release(x));
        }
        self.b.assign(x, take(Operand::Local(src_local), &elem, loc));
        self.loop_body(s.body(), head, exit);
        self.b.jump(head);
        self.b.switch_to(exit);
        self.pop_scope();
        self.b.push(Inst::Release(src_local));
        self.b.assign(src_local, Value::Use(Operand::Null));
    }
}
