//! Typed views over the syntax tree, in the rust-analyzer style: each struct wraps a
//! `SyntaxNode` of one kind; accessors return `Option`s or iterators because error
//! trees may lack any child. Nothing here allocates a new tree; views are cheap clones.
//!
//! Entry point: [`SourceFile`] (from [`crate::Parse::tree`]).

mod exprs;
mod items;
mod ops;
mod patterns;
mod stmts;
mod types;

use std::marker::PhantomData;

pub use exprs::*;
pub use items::*;
pub use ops::*;
pub use patterns::*;
pub use stmts::*;
pub use types::*;

use crate::{SyntaxKind, SyntaxNode, SyntaxToken};

/// A typed view of a syntax node.
pub trait AstNode: Sized {
    fn can_cast(kind: SyntaxKind) -> bool;
    fn cast(node: SyntaxNode) -> Option<Self>;
    fn syntax(&self) -> &SyntaxNode;

    fn range(&self) -> rowan::TextRange {
        self.syntax().text_range()
    }
}

/// The children of a node that are of type `N`.
#[derive(Debug, Clone)]
pub struct AstChildren<N> {
    inner: rowan::SyntaxNodeChildren<crate::QiLanguage>,
    _marker: PhantomData<N>,
}

impl<N: AstNode> Iterator for AstChildren<N> {
    type Item = N;
    fn next(&mut self) -> Option<N> {
        self.inner.find_map(N::cast)
    }
}

/// Child-lookup helpers shared by the views.
pub(crate) mod support {
    use super::{AstChildren, AstNode};
    use crate::{SyntaxKind, SyntaxNode, SyntaxToken};

    pub(crate) fn child<N: AstNode>(parent: &SyntaxNode) -> Option<N> {
        parent.children().find_map(N::cast)
    }

    pub(crate) fn children<N: AstNode>(parent: &SyntaxNode) -> AstChildren<N> {
        AstChildren { inner: parent.children(), _marker: std::marker::PhantomData }
    }

    pub(crate) fn token(parent: &SyntaxNode, kind: SyntaxKind) -> Option<SyntaxToken> {
        parent.children_with_tokens().filter_map(|e| e.into_token()).find(|t| t.kind() == kind)
    }

    pub(crate) fn token_where(
        parent: &SyntaxNode,
        pred: impl Fn(SyntaxKind) -> bool,
    ) -> Option<SyntaxToken> {
        parent.children_with_tokens().filter_map(|e| e.into_token()).find(|t| pred(t.kind()))
    }

    /// The first child node of type `N` that comes after `token` — how views find
    /// positional operands (`= 初值`, the right operand of `+`) even when an earlier
    /// operand is missing from an error tree.
    pub(crate) fn child_after<N: AstNode>(token: &SyntaxToken) -> Option<N> {
        let mut next = token.next_sibling_or_token();
        while let Some(element) = next {
            if let Some(node) = element.as_node() {
                return N::cast(node.clone());
            }
            next = element.next_sibling_or_token();
        }
        None
    }

    /// The first child node, if it is of type `N` (a left operand).
    pub(crate) fn first_child<N: AstNode>(parent: &SyntaxNode) -> Option<N> {
        parent.first_child().and_then(N::cast)
    }
}

macro_rules! ast_node {
    ($(#[$meta:meta])* $name:ident => $kind:ident) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub struct $name(pub(crate) crate::SyntaxNode);

        impl crate::ast::AstNode for $name {
            fn can_cast(kind: crate::SyntaxKind) -> bool {
                kind == crate::SyntaxKind::$kind
            }
            fn cast(node: crate::SyntaxNode) -> Option<Self> {
                Self::can_cast(node.kind()).then(|| $name(node))
            }
            fn syntax(&self) -> &crate::SyntaxNode {
                &self.0
            }
        }
    };
}

macro_rules! ast_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident($node:ident)),* $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub enum $name {
            $($variant($node)),*
        }

        impl crate::ast::AstNode for $name {
            fn can_cast(kind: crate::SyntaxKind) -> bool {
                $(<$node as crate::ast::AstNode>::can_cast(kind))||*
            }
            fn cast(node: crate::SyntaxNode) -> Option<Self> {
                let kind = node.kind();
                $(
                    if <$node as crate::ast::AstNode>::can_cast(kind) {
                        return <$node as crate::ast::AstNode>::cast(node).map($name::$variant);
                    }
                )*
                None
            }
            fn syntax(&self) -> &crate::SyntaxNode {
                match self {
                    $($name::$variant(it) => crate::ast::AstNode::syntax(it)),*
                }
            }
        }
    };
}

pub(crate) use {ast_enum, ast_node};

ast_node!(
    /// A name being defined: variable, function, parameter, field, type, variant.
    Name => NAME
);
ast_node!(
    /// A name being used: a path segment, a field after `.`, a struct-literal field.
    NameRef => NAME_REF
);
ast_node!(
    /// The dotted path of `包 甲.乙;` or `导出 模块::名;`.
    Path => PATH
);

impl Name {
    /// The identifier token (an `IDENT`, or a reserved word allowed as a name).
    pub fn token(&self) -> Option<SyntaxToken> {
        self.0.first_token()
    }
    pub fn text(&self) -> String {
        self.token().map(|t| t.text().to_string()).unwrap_or_default()
    }
}

impl NameRef {
    pub fn token(&self) -> Option<SyntaxToken> {
        self.0.first_token()
    }
    pub fn text(&self) -> String {
        self.token().map(|t| t.text().to_string()).unwrap_or_default()
    }
}

impl Path {
    pub fn segments(&self) -> AstChildren<NameRef> {
        support::children(&self.0)
    }
    /// Segments joined with `.`.
    pub fn text(&self) -> String {
        self.segments().map(|s| s.text()).collect::<Vec<_>>().join(".")
    }
}

/// Text of a node without its trivia (e.g. `../公共/格式` of an import path).
pub(crate) fn text_without_trivia(node: &SyntaxNode) -> String {
    node.descendants_with_tokens()
        .filter_map(|e| e.into_token())
        .filter(|t| !t.kind().is_trivia())
        .map(|t| t.text().to_string())
        .collect()
}
