//! Synchronisation and timing on `整数` handles (language.md §9.4, README item 8): the
//! builtin wait-group, mutex and time functions. (The `同步` standard-library module is
//! rows of `crate::library`.)

use super::body::{FnLower, Val};
use crate::ir::*;
use qi_syntax::ast;
use rowan::TextRange;

impl FnLower<'_, '_> {
    /// A call of a builtin whose parameters and result have fixed types (`Builtin::params`,
    /// `Builtin::result`); `name` is the name it was called by.
    pub(super) fn fixed_builtin(
        &mut self,
        op: Builtin,
        name: &str,
        args: &[ast::Expr],
        range: TextRange,
    ) -> Option<Val> {
        let params = op.params().expect("a builtin with fixed parameter types");
        if args.len() != params.len() {
            self.arity_error(name, params.len(), params.len(), args.len(), range);
            self.check_and_drop(args);
            return None;
        }
        let pairs: Vec<(ast::Expr, Type)> =
            args.iter().cloned().zip(params.iter().cloned()).collect();
        let vals = self.arguments(&pairs)?;
        let loc = self.c.loc(range);
        let value = Value::Builtin { op, args: vals.iter().map(|v| v.op).collect(), loc };
        let ret = op.result().expect("a builtin with a fixed result type");
        Some(self.finish_call(value, ret, &vals))
    }
}
