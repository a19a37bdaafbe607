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
///
/// Walking a node's children with rowan's cursor allocates a cursor for every child it
/// passes, tokens included; the lookups below scan the parent's green children instead
/// and make a cursor only for the child they return (about a fifth of checking a program
/// was rowan's cursor walks; benches/README.md, "Preparing a large program to run").
pub(crate) mod support {
    use super::{AstChildren, AstNode};
    use crate::{QiLanguage, SyntaxElement, SyntaxKind, SyntaxNode, SyntaxToken};
    use rowan::{Language, NodeOrToken, TextRange};

    /// The first child of `parent` (a token if `want_token`, else a node) that `pred` accepts
    /// by kind, made into a cursor. `None` when no child is accepted; `Some(None)` when
    /// the accepted child is empty, which a range cannot single out (the caller then walks
    /// the children with the cursor).
    fn green_find(
        parent: &SyntaxNode,
        want_token: bool,
        pred: impl Fn(SyntaxKind) -> bool,
    ) -> Option<Option<SyntaxElement>> {
        let green = parent.green();
        let mut offset = parent.text_range().start();
        for child in green.children() {
            let len = child.text_len();
            let is_token = matches!(child, NodeOrToken::Token(_));
            if is_token == want_token && pred(QiLanguage::kind_from_raw(child.kind())) {
                if len == 0.into() {
                    return Some(None);
                }
                return Some(parent.child_or_token_at_range(TextRange::at(offset, len)));
            }
            offset += len;
        }
        None
    }

    pub(crate) fn child<N: AstNode>(parent: &SyntaxNode) -> Option<N> {
        match green_find(parent, false, N::can_cast)? {
            Some(element) => element.into_node().and_then(N::cast),
            None => parent.children().find_map(N::cast),
        }
    }

    pub(crate) fn children<N: AstNode>(parent: &SyntaxNode) -> AstChildren<N> {
        AstChildren { inner: parent.children(), _marker: std::marker::PhantomData }
    }

    pub(crate) fn token(parent: &SyntaxNode, kind: SyntaxKind) -> Option<SyntaxToken> {
        token_where(parent, |k| k == kind)
    }

    pub(crate) fn token_where(
        parent: &SyntaxNode,
        pred: impl Fn(SyntaxKind) -> bool,
    ) -> Option<SyntaxToken> {
        match green_find(parent, true, &pred)? {
            Some(element) => element.into_token(),
            None => parent
                .children_with_tokens()
                .filter_map(|e| e.into_token())
                .find(|t| pred(t.kind())),
        }
    }

    /// What `of` makes of the first child token whose kind it accepts, read from the
    /// green children alone (no cursor: the checker asks for an operator's kind far more
    /// often than for its token).
    pub(crate) fn token_kind_map<T>(
        parent: &SyntaxNode,
        of: impl Fn(SyntaxKind) -> Option<T>,
    ) -> Option<T> {
        parent.green().children().find_map(|child| match child {
            NodeOrToken::Token(t) => of(QiLanguage::kind_from_raw(t.kind())),
            NodeOrToken::Node(_) => None,
        })
    }

    /// As `child_after` of the first child token `pred` accepts, found on the green
    /// children: one cursor, for the node returned, instead of one per sibling walked.
    pub(crate) fn child_after_token_where<N: AstNode>(
        parent: &SyntaxNode,
        pred: impl Fn(SyntaxKind) -> bool,
    ) -> Option<N> {
        let mut offset = parent.text_range().start();
        let mut after_token = false;
        for child in parent.green().children() {
            let len = child.text_len();
            match child {
                NodeOrToken::Token(t) if !after_token => {
                    after_token = pred(QiLanguage::kind_from_raw(t.kind()));
                }
                NodeOrToken::Node(_) if after_token => {
                    if len == 0.into() {
                        // A range cannot single out an empty node: walk the cursors.
                        return child_after(&token_where(parent, pred)?);
                    }
                    let element = parent.child_or_token_at_range(TextRange::at(offset, len))?;
                    return element.into_node().and_then(N::cast);
                }
                _ => {}
            }
            offset += len;
        }
        None
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

#[cfg(test)]
mod tests {
    use super::support;
    use super::{AssignOp, AstNode, BinOp, Expr, Name, TypeRef};
    use crate::{SyntaxKind, SyntaxNode};

    /// The lookups that scan green children find exactly what a walk of the cursor's
    /// children finds, on every node of every test program (valid ones and ones with
    /// syntax errors, whose trees have missing and empty children) and on broken input.
    #[test]
    fn green_lookups_agree_with_cursor_walks() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/programs");
        let mut sources = vec![
            "函数 入口() { 变量 x = ; x = (1 + ; 如果 { } }".to_string(),
            "结构体 点 { x: , y 整数 } 函数 f(a: , b): { 返回 a +; }".to_string(),
            "函数".to_string(),
            String::new(),
        ];
        let mut dirs = vec![root];
        while let Some(dir) = dirs.pop() {
            for entry in std::fs::read_dir(&dir).expect("tests/programs is readable") {
                let path = entry.expect("a directory entry").path();
                if path.is_dir() {
                    dirs.push(path);
                } else if path.extension().is_some_and(|e| e == "qi") {
                    sources.push(std::fs::read_to_string(&path).unwrap_or_default());
                }
            }
        }
        assert!(sources.len() > 500, "the test programs were found");
        for text in &sources {
            let root = crate::parse(text).syntax();
            for node in root.descendants() {
                check_node(&node);
            }
        }
    }

    fn check_node(node: &SyntaxNode) {
        let walked_token = |pred: &dyn Fn(SyntaxKind) -> bool| {
            node.children_with_tokens().filter_map(|e| e.into_token()).find(|t| pred(t.kind()))
        };
        let kinds: Vec<SyntaxKind> = node.children_with_tokens().map(|e| e.kind()).collect();
        for &kind in kinds.iter().chain([SyntaxKind::SEMI, SyntaxKind::IDENT].iter()) {
            assert_eq!(support::token(node, kind), walked_token(&|k| k == kind));
        }
        assert_eq!(
            support::token_where(node, |k| k.is_trivia()),
            walked_token(&|k: SyntaxKind| k.is_trivia())
        );
        let binary = |k: SyntaxKind| BinOp::from_kind(k).is_some();
        let assign = |k: SyntaxKind| AssignOp::from_kind(k).is_some();
        for op in [&binary as &dyn Fn(SyntaxKind) -> bool, &assign] {
            assert_eq!(
                support::token_kind_map(node, |k| op(k).then_some(k)),
                walked_token(op).map(|t| t.kind())
            );
            let walked_after = walked_token(op).and_then(|t| support::child_after::<Expr>(&t));
            assert_eq!(support::child_after_token_where::<Expr>(node, op), walked_after);
        }
        assert_eq!(support::child::<Expr>(node), node.children().find_map(Expr::cast));
        assert_eq!(support::child::<Name>(node), node.children().find_map(Name::cast));
        assert_eq!(support::child::<TypeRef>(node), node.children().find_map(TypeRef::cast));
    }
}
