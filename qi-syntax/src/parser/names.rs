//! Names, and which reserved words may serve as names where (language.md §2.4).

use super::{Expected, Parser};
use crate::syntax_kind::SyntaxKind::{self, *};

/// The position a name appears in; decides which reserved words are acceptable.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum NameCtx {
    /// Variables, functions, types, variants: identifiers and `长度`.
    Plain,
    /// Struct fields (declaration, literal, `x.字段`), parameters, closure parameters,
    /// captures: also `类型 通道 结果 选项 继续 匹配 列表 数组 默认 最终`.
    Field,
    /// Segments of package/import/export paths: any word but `作为` (import paths are
    /// unambiguous, so we accept more than the reference's list of type words).
    PathSegment,
}

impl NameCtx {
    pub(crate) fn accepts(self, kind: SyntaxKind) -> bool {
        let plain = matches!(kind, IDENT | LEN_KW);
        match self {
            NameCtx::Plain => plain,
            NameCtx::Field => plain || kind.is_field_name_kw(),
            NameCtx::PathSegment => plain || (kind.is_keyword() && kind != AS_KW),
        }
    }
}

impl Parser<'_> {
    pub(crate) fn at_name(&self, ctx: NameCtx) -> bool {
        ctx.accepts(self.current())
    }

    /// A `NAME` (a definition). Returns whether a token was consumed.
    pub(crate) fn name(&mut self, ctx: NameCtx) -> bool {
        self.name_like(NAME, ctx)
    }

    /// A `NAME_REF` (a use).
    pub(crate) fn name_ref(&mut self, ctx: NameCtx) -> bool {
        self.name_like(NAME_REF, ctx)
    }

    fn name_like(&mut self, node: SyntaxKind, ctx: NameCtx) -> bool {
        if self.at_name(ctx) {
            self.start(node);
            self.bump();
            self.finish();
            return true;
        }
        self.error_expected(Expected::Name);
        // A reserved word on the same line is almost certainly meant as the name: keep
        // it in that role (after the error) so the rest of the construct parses normally.
        let structural = matches!(self.current(), IN_KW | AS_KW | TO_KW | UNTIL_KW);
        if self.current().is_keyword() && !structural && !self.newline_before() {
            self.start(node);
            self.bump();
            self.finish();
            return true;
        }
        false
    }
}
