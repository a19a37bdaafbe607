//! Views of `匹配` patterns.

use super::support::{child, children, token};
use super::{ast_enum, ast_node, AstChildren, Literal, Name, NameRef};
use crate::SyntaxKind::*;

ast_node!(
    /// `_`
    WildcardPat => WILDCARD_PAT
);
ast_node!(
    /// `0`, `1.5`, `"字"`, `真`, `'x'`, and (leniently) `-1`.
    LiteralPat => LITERAL_PAT
);
ast_node!(
    /// A bare name: binds the value, or names a payload-less variant (`无`, `红`).
    IdentPat => IDENT_PAT
);
ast_node!(
    /// `枚举.变体` / `枚举::变体`
    PathPat => PATH_PAT
);
ast_node!(
    /// `变体(p, …)` / `枚举.变体(p, …)`
    VariantPat => VARIANT_PAT
);
ast_node!(
    /// `p | q | …`
    OrPat => OR_PAT
);

ast_enum!(
    Pat {
        Wildcard(WildcardPat),
        Literal(LiteralPat),
        Ident(IdentPat),
        Path(PathPat),
        Variant(VariantPat),
        Or(OrPat),
    }
);

impl LiteralPat {
    pub fn literal(&self) -> Option<Literal> {
        child(&self.0)
    }
    pub fn is_negative(&self) -> bool {
        token(&self.0, MINUS).is_some()
    }
}

impl IdentPat {
    pub fn name(&self) -> Option<Name> {
        child(&self.0)
    }
}

impl PathPat {
    pub fn segments(&self) -> AstChildren<NameRef> {
        children(&self.0)
    }
}

impl VariantPat {
    /// The variant's path (one segment for a bare `变体(…)`).
    pub fn segments(&self) -> AstChildren<NameRef> {
        children(&self.0)
    }
    /// The variant's own name (last segment).
    pub fn name(&self) -> Option<NameRef> {
        self.segments().last()
    }
    /// The payload sub-patterns.
    pub fn fields(&self) -> AstChildren<Pat> {
        children(&self.0)
    }
}

impl OrPat {
    pub fn alternatives(&self) -> AstChildren<Pat> {
        children(&self.0)
    }
}
