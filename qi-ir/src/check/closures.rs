//! Function values: closures and calls through them.

use super::body::{FnLower, Val};
use qi_syntax::ast;
use rowan::TextRange;

impl FnLower<'_, '_> {
    /// Call a function value (consumes nothing: `f` stays owned by the caller).
    pub(super) fn call_value(&mut self, _f: Val, _args: &[ast::Expr], range: TextRange) -> Option<Val> {
        self.unsupported(range, "函数值调用", "calls of function values")
    }
}
