//! `抛出`, `尝试`/`捕获`/`最终` (language.md §7.7 as amended by README item 11).
//!
//! A raising instruction ends its block with an exceptional edge (`Block::unwind`) to a
//! landing that releases the live temporaries and goes to the innermost handler: a
//! `尝试`'s handler block, or the function's unwind block. A handler takes the pending
//! exception into a slot the lowering owns. `最终` bodies are lowered once per way out of
//! the `尝试`: normal end, `返回`/`跳出`/`继续` (before the jump), and after an exception
//! (then the exception is raised again).

use super::body::{Finally, FnLower, Val, Var, VarKind};
use crate::ir::*;
use qi_syntax::ast::{self, AstNode};

impl FnLower<'_, '_> {
    /// `抛出 值;`: the value becomes the message (rendered as in string concatenation).
    pub(super) fn throw_stmt(&mut self, s: &ast::ThrowStmt) {
        let Some(e) = s.expr() else { return };
        let range = e.syntax().text_range();
        let Some(v) = self.expr(&e) else { return };
        let Some(msg) = self.stringify(v, range) else { return };
        let loc = self.c.loc(range);
        let (file, line) = (Operand::Int(loc.file as i64), Operand::Int(loc.line as i64));
        let value = match self.caught.iter().rev().find(|c| c.2).map(|c| c.0) {
            // Raised while handling another exception: that one is the cause.
            Some(cause) => Value::Builtin {
                op: Builtin::ThrowCaused,
                args: vec![msg.op, Operand::Local(cause), file, line],
                loc,
            },
            None => Value::Builtin { op: Builtin::Throw, args: vec![msg.op, file, line], loc },
        };
        self.b.push(Inst::Effect(value));
        // (Never reached: the throw always leaves through its exceptional edge.)
        self.release_temp(&msg);
        self.b.terminate(Terminator::Unreachable);
    }

    pub(super) fn try_stmt(&mut self, s: &ast::TryStmt) {
        let Some(body) = s.body() else { return };
        let catch = s.catch_clause();
        let fin = s.finally_clause().and_then(|f| f.body());
        if catch.is_none() && s.finally_clause().is_none() {
            let at = s
                .syntax()
                .first_token()
                .map(|t| t.text_range())
                .unwrap_or_else(|| s.syntax().text_range());
            self.c.error(at, "尝试 后面需要 捕获 或 最终", "尝试 needs a 捕获 or a 最终");
            return;
        }
        let after = self.b.new_block();
        let handler = self.b.new_block();
        let outside = self.b.handlers();
        let finally_ctx = |this: &Self, f: &ast::Block| Finally {
            body: f.clone(),
            loops_outside: this.loop_depth(),
            handlers_outside: outside.clone(),
        };
        if let Some(f) = &fin {
            let ctx = finally_ctx(self, f);
            self.finally.push(ctx);
        }

        // The try body; exceptions go to `handler`.
        self.b.push_handler(handler);
        self.block(&body);
        self.b.pop_handler();
        self.run_own_finally(fin.as_ref());
        self.b.jump(after);

        // The handler: the exception is in `exc` (owned, released by any landing below).
        self.b.switch_to(handler);
        let exc = self.take_exception();
        match catch {
            Some(c) => {
                // An exception from the catch body goes through 最终 (if any) outwards.
                let rethrow = fin.as_ref().map(|_| self.b.new_block());
                if let Some(r) = rethrow {
                    self.b.push_handler(r);
                }
                self.caught.push((exc, self.loop_depth(), true));
                self.push_scope();
                if let Some(name) = c.name() {
                    let loc = self.b.loc();
                    let msg = self.temp(
                        Type::Str,
                        Value::Builtin {
                            op: Builtin::ExcMessage,
                            args: vec![Operand::Local(exc)],
                            loc,
                        },
                    );
                    self.bind_caught(&name.text(), name.syntax().text_range(), msg);
                }
                if let Some(b) = c.body() {
                    self.block(&b);
                }
                self.pop_scope();
                self.caught.pop();
                if rethrow.is_some() {
                    self.b.pop_handler();
                }
                self.drop_exception(exc);
                self.run_own_finally(fin.as_ref());
                self.b.jump(after);
                if let (Some(r), Some(f)) = (rethrow, &fin) {
                    // The catch body raised: the exception it handled is done with (its
                    // landing kept it, being older than this handler).
                    self.b.switch_to(r);
                    self.b.push(Inst::Release(exc));
                    let again = self.take_exception();
                    self.run_finally_then_raise(f, again);
                }
            }
            None => match &fin {
                // 尝试 … 最终 without 捕获: 最终, then the exception goes on (README 11).
                Some(f) => self.run_finally_then_raise(f, exc),
                None => {
                    // 尝试 without 捕获 or 最终 (a syntax error reported by the parser).
                    self.drop_exception(exc);
                    self.b.jump(after);
                }
            },
        }
        if fin.is_some() {
            self.finally.pop();
        }
        self.b.switch_to(after);
    }

    fn loop_depth(&self) -> usize {
        self.loops_len()
    }

    /// At the normal end of a try or catch body: its 最终 (outside the 尝试).
    fn run_own_finally(&mut self, fin: Option<&ast::Block>) {
        let Some(f) = fin else { return };
        if !self.b.is_open() {
            return;
        }
        let ctx = self.finally.pop();
        self.block(f);
        self.finally.extend(ctx);
    }

    /// In a handler: run 最终 (outside the 尝试), then raise `exc` again. While 最终 runs,
    /// `exc` is being handled: a `返回`/`跳出`/`继续` out of 最终 (which swallows it)
    /// releases it.
    fn run_finally_then_raise(&mut self, f: &ast::Block, exc: LocalId) {
        let ctx = self.finally.pop();
        self.caught.push((exc, self.loop_depth(), false));
        self.block(f);
        self.caught.pop();
        self.raise_again(exc);
        self.finally.extend(ctx);
    }

    /// On a `返回` path (`None`) or a `跳出`/`继续` leaving loops beyond `loops_kept`: the
    /// exceptions of the catch bodies being left are released (their slots stay owned on
    /// the other paths).
    /// Returns them: while the rest of the path is emitted (最终 bodies that may raise),
    /// landings must not release them again — the caller gives them back with
    /// `reown_caught` after the jump.
    pub(super) fn release_caught(&mut self, loops_kept: Option<usize>) -> Vec<LocalId> {
        let mut released = Vec::new();
        for (exc, loops, _) in self.caught.clone().into_iter().rev() {
            if loops_kept.is_some_and(|keep| loops < keep) {
                break;
            }
            self.b.push(Inst::Release(exc));
            self.b.disown(exc);
            released.push(exc);
        }
        released
    }

    /// The other paths still own the exceptions `release_caught` released on this one.
    pub(super) fn reown_caught(&mut self, released: Vec<LocalId>) {
        for exc in released.into_iter().rev() {
            self.b.own(exc);
        }
    }

    /// At a handler's entry: the pending exception, in a slot this code owns.
    fn take_exception(&mut self) -> LocalId {
        let loc = self.b.loc();
        let exc = self.b.new_local(Type::Exception, None);
        self.b.assign(exc, Value::Builtin { op: Builtin::ExcTake, args: vec![], loc });
        self.b.own(exc);
        exc
    }

    fn drop_exception(&mut self, exc: LocalId) {
        self.b.disown(exc);
        self.b.push(Inst::Release(exc));
    }

    /// Raise a taken exception again; its landing releases our reference.
    fn raise_again(&mut self, exc: LocalId) {
        let loc = self.b.loc();
        self.b.push(Inst::Effect(Value::Builtin {
            op: Builtin::ExcRethrow,
            args: vec![Operand::Local(exc)],
            loc,
        }));
        self.drop_exception(exc);
        self.b.terminate(Terminator::Unreachable);
    }

    /// The catch variable: a `字符串` holding the message, scoped to the catch body.
    fn bind_caught(&mut self, name: &str, at: rowan::TextRange, msg: Val) {
        let local = self.b.new_local(Type::Str, Some(name.to_string()));
        let op = self.owned_operand(msg);
        self.b.push(Inst::Release(local));
        self.track_owned(local);
        self.b.assign(local, Value::Use(op));
        self.declare_at(
            name.to_string(),
            Var { kind: VarKind::Local(local), ty: Type::Str, is_const: false, poisoned: false },
            at,
        );
    }

    /// Before `返回` (all `尝试`s) or `跳出`/`继续` (those inside the loop): run the `最终`
    /// bodies being left, innermost first, each outside its own `尝试`.
    pub(super) fn run_finally_bodies(&mut self, loops_kept: Option<usize>) {
        let mut i = self.finally.len();
        while i > 0 {
            i -= 1;
            if let Some(keep) = loops_kept {
                if self.finally[i].loops_outside < keep {
                    break;
                }
            }
            let saved_finally = self.finally.split_off(i);
            let saved_handlers = self.b.handlers();
            self.b.set_handlers(saved_finally[0].handlers_outside.clone());
            let body = saved_finally[0].body.clone();
            self.block(&body);
            self.b.set_handlers(saved_handlers);
            self.finally.extend(saved_finally);
        }
    }

    /// `异常位置()` / `异常原因()` inside a `捕获` body: where the caught exception was
    /// raised (`文件:行`), and the message of its cause (`""` if none).
    pub(super) fn caught_exception_info(
        &mut self,
        name: &str,
        args: &[ast::Expr],
        range: rowan::TextRange,
    ) -> Option<Option<Val>> {
        let op = match name {
            "异常位置" => Builtin::ExcLocation,
            "异常原因" => Builtin::ExcCause,
            _ => return None,
        };
        if !args.is_empty() {
            self.arity_error(name, 0, 0, args.len(), range);
            return Some(None);
        }
        let Some(&(exc, _, _)) = self.caught.iter().rev().find(|c| c.2) else {
            self.c.error(
                range,
                format!("{name}() 只能用在 捕获 块里"),
                format!("{name}() can only be used inside a 捕获 block"),
            );
            return Some(None);
        };
        let loc = self.c.loc(range);
        Some(Some(
            self.temp(Type::Str, Value::Builtin { op, args: vec![Operand::Local(exc)], loc }),
        ))
    }
}
