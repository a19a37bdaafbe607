//! Appending to a string variable: `s = s + a + b …` and `s += e`, where `s` is a local
//! string variable, lower to one `Builtin::Append` that moves the variable's old value
//! into the runtime, which extends it in place when nothing else refers to it (so a loop
//! building a string costs amortised linear time instead of quadratic).
//!
//! Meaning and diagnostics are exactly those of the `+` chain the statement spells:
//! the pieces `a`, `b`, … are evaluated (and rendered as strings) left to right first,
//! joined with `Concat` when there are several, and only then appended, so a piece that
//! raises leaves `s` as it was. Reading the variable before or after the pieces makes no
//! difference: a local can only change by an assignment statement of its own function
//! (closures capture copies).

use super::body::{FnLower, Val, Var, VarKind};
use crate::ir::*;
use qi_syntax::ast::{self, AstNode, BinOp as AstOp};
use rowan::TextRange;

impl FnLower<'_, '_> {
    /// Lower `name op= value` as an append if it is one (see the module comment); returns
    /// false, having emitted nothing, when it is not.
    pub(super) fn try_append(
        &mut self,
        a: &ast::AssignExpr,
        name: &str,
        var: &Var,
        value: &ast::Expr,
    ) -> bool {
        let VarKind::Local(slot) = var.kind else { return false };
        if var.ty != Type::Str {
            return false;
        }
        // Each piece with the range its `+` reports errors at.
        let pieces: Vec<(ast::Expr, TextRange)> = match a.op_kind().and_then(|op| op.binary_op()) {
            Some(AstOp::Add) => vec![(value.clone(), Self::range_of(a))],
            Some(_) => return false,
            None => match appended_to(name, value) {
                Some(pieces) => pieces,
                None => return false,
            },
        };
        let results: Vec<Option<Val>> =
            pieces.iter().map(|(e, range)| self.piece(e, *range)).collect();
        let Some(vals) = self.all_or_release(results) else { return true };
        let mut joined: Option<Val> = None;
        for (v, (_, range)) in vals.into_iter().zip(&pieces) {
            joined = Some(match joined {
                None => v,
                Some(prev) => self.concat(prev, v, *range),
            });
        }
        let Some(piece) = joined else { return true };
        let (_, outer) = pieces.last().expect("an append has a piece");
        let loc = self.c.loc(*outer);
        self.claim_assigned(slot);
        self.b.assign(
            slot,
            Value::Builtin { op: Builtin::Append, args: vec![Operand::Local(slot), piece.op], loc },
        );
        self.release_temp(&piece);
        true
    }

    /// One piece, rendered as a string, with the diagnostics of `s + piece`.
    fn piece(&mut self, e: &ast::Expr, range: TextRange) -> Option<Val> {
        let v = self.expr(e)?;
        if v.ty == Type::Void {
            self.c.error(range, "空 值不能参与运算", "a 空 value cannot be used in an operation");
            return None;
        }
        self.stringify(v, range)
    }
}

/// The pieces of `value` if it is `name + p1 + p2 …` (a left-nested `+` chain whose
/// leftmost operand is the variable itself), each with the range of its `+`.
fn appended_to(name: &str, value: &ast::Expr) -> Option<Vec<(ast::Expr, TextRange)>> {
    let mut pieces = Vec::new();
    let mut e = value.clone();
    loop {
        match &e {
            ast::Expr::Binary(b) => {
                let AstOp::Add = b.op_kind()? else { return None };
                pieces.push((b.rhs()?, b.syntax().text_range()));
                let lhs = b.lhs()?;
                e = lhs;
            }
            ast::Expr::Path(p) if !pieces.is_empty() => {
                let same = p.as_single_name().is_some_and(|n| n.text() == name);
                if !same {
                    return None;
                }
                pieces.reverse();
                return Some(pieces);
            }
            _ => return None,
        }
    }
}
