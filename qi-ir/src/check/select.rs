//! `选择 { 情况 v := <-c: … 情况 <-c: … 情况 c <- v: … 情况 超时(ms): … 默认: … }`
//! (README item 7, docs/CONCURRENCY.md).
//!
//! The channel and value expressions (and the timeout) are evaluated once, in source
//! order; then `SelectBegin`, one `SelectRecv`/`SelectSend` per channel case in source
//! order, and `SelectWait` returns the index of the case that ran (-1: timeout, -2:
//! `默认`). A chain of comparisons dispatches to the case bodies. The evaluated operands
//! stay owned until `SelectWait` returns (the runtime borrows them while it waits).
//! Case bodies are not loops: `跳出`/`继续` in them refer to the enclosing loop.

use super::body::{FnLower, Val, Var, VarKind};
use crate::ir::*;
use qi_syntax::ast::{self, AstNode, SelectCaseKind};
use qi_syntax::SyntaxKind;

/// What one case waits for, once its operands are evaluated.
enum Wait {
    /// The channel case with this index in `SelectWait`'s numbering; the element type
    /// and the binding of a receive.
    Channel {
        index: i64,
        recv: Option<(Type, Option<ast::Name>)>,
    },
    Timeout,
    Default,
    /// A case that failed to check (its body is still checked, for its own errors).
    Invalid {
        binding: Option<ast::Name>,
    },
}

/// What the cases of a `选择` need before the wait.
#[derive(Default)]
struct Prepared {
    /// Evaluated channels and values, owned until the wait is over.
    operands: Vec<Val>,
    /// The `SelectRecv`/`SelectSend` calls to make, in source order.
    registrations: Vec<(Builtin, Vec<Operand>)>,
    timeout: Option<Operand>,
    has_timeout: bool,
    has_default: bool,
}

impl FnLower<'_, '_> {
    pub(super) fn select_stmt(&mut self, s: &ast::SelectStmt) {
        let mut prepared = Prepared::default();
        let waits: Vec<(ast::SelectCase, Wait)> =
            s.cases().map(|case| (case.clone(), self.select_case(&case, &mut prepared))).collect();

        let loc = self.b.loc();
        let builtin = |op: Builtin, args: Vec<Operand>| Value::Builtin { op, args, loc };
        self.b.push(Inst::Effect(builtin(Builtin::SelectBegin, vec![])));
        for (op, args) in prepared.registrations {
            self.b.push(Inst::Effect(builtin(op, args)));
        }
        let wait_args = vec![
            prepared.timeout.unwrap_or(Operand::Int(NO_TIMEOUT)),
            Operand::Bool(prepared.has_default),
        ];
        let chosen = self.b.temp(Type::Int, builtin(Builtin::SelectWait, wait_args));
        for v in prepared.operands.iter().rev() {
            self.release_temp(v);
        }

        let after = self.b.new_block();
        for (case, wait) in waits {
            let index = match &wait {
                Wait::Channel { index, .. } => *index,
                Wait::Timeout => -1,
                Wait::Default => -2,
                // Never chosen; the body is checked in a block nothing reaches.
                Wait::Invalid { .. } => i64::MIN,
            };
            let body = self.b.new_block();
            let next = self.b.new_block();
            let hit = self
                .b
                .temp(Type::Bool, Value::Binary(BinOp::ICmp(Cmp::Eq), chosen, Operand::Int(index)));
            self.b.branch(hit, body, next);
            self.b.switch_to(body);
            self.select_case_body(&case, wait);
            self.b.jump(after);
            self.b.switch_to(next);
        }
        self.b.jump(after);
        self.b.switch_to(after);
    }

    /// Check one case and evaluate its operands (in source order, with the other cases').
    fn select_case(&mut self, case: &ast::SelectCase, p: &mut Prepared) -> Wait {
        let range = case.syntax().text_range();
        // The `超时` / `默认` keyword, where a duplicate is reported.
        let keyword = |kind: SyntaxKind| {
            case.syntax()
                .children_with_tokens()
                .find(|t| t.kind() == kind)
                .map_or(range, |t| t.text_range())
        };
        let index = p.registrations.len() as i64;
        match case.kind() {
            None => {
                self.c.error(
                    case.expr().map(|e| e.syntax().text_range()).unwrap_or(range),
                    "选择 的情况必须是接收（<-通道）、发送（通道 <- 值）、超时(毫秒) 或 默认",
                    "a 选择 case must be a receive (<-channel), a send (channel <- value), 超时(ms) or 默认",
                );
                Wait::Invalid { binding: case.binding() }
            }
            Some(SelectCaseKind::Default) => {
                if std::mem::replace(&mut p.has_default, true) {
                    self.c.error(
                        keyword(SyntaxKind::DEFAULT_KW),
                        "选择 只能有一个 默认 情况",
                        "a 选择 can have only one 默认 case",
                    );
                }
                Wait::Default
            }
            Some(SelectCaseKind::Timeout(e)) => {
                if std::mem::replace(&mut p.has_timeout, true) {
                    self.c.error(
                        keyword(SyntaxKind::TIMEOUT_KW),
                        "选择 只能有一个 超时 情况",
                        "a 选择 can have only one 超时 case",
                    );
                }
                match e.and_then(|e| self.timeout_ms(&e)) {
                    Some(ms) => {
                        p.timeout.get_or_insert(ms);
                        Wait::Timeout
                    }
                    None => Wait::Invalid { binding: None },
                }
            }
            Some(SelectCaseKind::Recv { binding, recv }) => {
                match recv.chan().and_then(|e| {
                    self.channel(&e, "只能从通道接收", "can only receive from a channel")
                }) {
                    Some((chan, elem)) => {
                        p.registrations.push((Builtin::SelectRecv, vec![chan.op]));
                        p.operands.push(chan);
                        Wait::Channel { index, recv: Some((elem, binding)) }
                    }
                    None => Wait::Invalid { binding },
                }
            }
            Some(SelectCaseKind::Send(send)) => {
                if let Some(b) = case.binding() {
                    self.c.error(
                        b.syntax().text_range(),
                        "发送情况不能绑定变量（只有接收情况 v := <-通道 可以）",
                        "a send case cannot bind a variable (only a receive case v := <-channel can)",
                    );
                }
                match self.select_send_operands(&send) {
                    Some((chan, value, elem)) => {
                        p.registrations
                            .push((Builtin::SelectSend(elem.bits()), vec![chan.op, value.op]));
                        p.operands.push(chan);
                        p.operands.push(value);
                        Wait::Channel { index, recv: None }
                    }
                    None => Wait::Invalid { binding: None },
                }
            }
        }
    }

    /// The milliseconds of `超时(…)`: an 整数.
    fn timeout_ms(&mut self, e: &ast::Expr) -> Option<Operand> {
        let v = self.expr(e)?;
        if !Self::converts_implicitly(&v.ty, &Type::Int) {
            self.release_temp(&v);
            self.c.error(
                e.syntax().text_range(),
                format!("超时 的毫秒数必须是整数，这里是 {}", v.ty),
                format!("the milliseconds of 超时 must be an integer, found {}", v.ty),
            );
            return None;
        }
        Some(self.coerce(v, &Type::Int, e.syntax().text_range())?.op)
    }

    /// `情况 c <- v:`: the channel, then the value converted to its element type.
    fn select_send_operands(&mut self, send: &ast::SendExpr) -> Option<(Val, Val, Type)> {
        let (chan, elem) =
            self.channel(&send.chan()?, "只能向通道发送", "can only send to a channel")?;
        match send.value().and_then(|e| self.send_value(&e, &chan.ty, &elem)) {
            Some(value) => Some((chan, value, elem)),
            None => {
                self.release_temp(&chan);
                None
            }
        }
    }

    /// The statements of a chosen case, in a scope of their own; a receive case first
    /// takes its value (into its variable, or released).
    fn select_case_body(&mut self, case: &ast::SelectCase, wait: Wait) {
        let loc = self.c.loc(case.syntax().text_range());
        self.b.set_loc(loc);
        self.push_scope();
        match wait {
            Wait::Channel { recv: Some((elem, binding)), .. } => {
                let take = Value::Builtin { op: Builtin::ChanTake(elem.bits()), args: vec![], loc };
                match binding {
                    Some(name) => {
                        let v = self.temp(elem.clone(), take);
                        let v = self.closed_value(v, loc);
                        // A fresh variable of the case body, like a `匹配` binding.
                        self.bind(&name.text(), v);
                    }
                    None if elem.is_rc() => {
                        let v = self.temp(elem, take);
                        self.release_temp(&v);
                    }
                    None => self.b.push(Inst::Effect(take)),
                }
            }
            Wait::Invalid { binding: Some(name) } => {
                // Known, so that its uses are not reported again.
                let local = self.b.new_local(Type::Int, Some(name.text()));
                self.declare(
                    name.text(),
                    Var {
                        kind: VarKind::Local(local),
                        ty: Type::Int,
                        is_const: false,
                        poisoned: true,
                    },
                );
            }
            _ => {}
        }
        for stmt in case.stmts() {
            self.stmt(&stmt);
        }
        self.pop_scope();
    }
}
