//! qi-syntax: lexer, lossless syntax tree and typed AST views for Qi (奇语).
//!
//! ```
//! let parse = qi_syntax::parse("函数 入口() { 打印行(1 + 2); }");
//! assert!(parse.errors.is_empty());
//! assert_eq!(parse.syntax().to_string(), "函数 入口() { 打印行(1 + 2); }");
//! ```
//!
//! Modules: [`lexer`] (tokens, escape decoding), `parser` (internal), [`ast`] (typed
//! views), [`syntax_kind`] (token and node kinds), [`diagnostic`] (error reports).

pub mod ast;
pub mod diagnostic;
pub mod format;
pub mod lexer;
mod parser;
pub mod syntax_kind;

use std::fmt::Write as _;

pub use diagnostic::{Diagnostic, Lang, Severity, Text};
pub use parser::MAX_DEPTH;
pub use syntax_kind::{QiLanguage, SyntaxElement, SyntaxKind, SyntaxNode, SyntaxToken};

/// The result of parsing one file: a lossless green tree and every syntax error.
#[derive(Clone, Debug)]
pub struct Parse {
    pub green: rowan::GreenNode,
    /// Lexical and syntax errors, sorted by position.
    pub errors: Vec<Diagnostic>,
}

impl Parse {
    pub fn syntax(&self) -> SyntaxNode {
        SyntaxNode::new_root(self.green.clone())
    }

    pub fn tree(&self) -> ast::SourceFile {
        ast::SourceFile::cast_root(self.syntax())
    }

    pub fn errors(&self) -> &[Diagnostic] {
        &self.errors
    }

    pub fn has_errors(&self) -> bool {
        !self.errors.is_empty()
    }
}

/// Lexes and parses `text`. Never fails: the tree's text is always exactly `text`.
pub fn parse(text: &str) -> Parse {
    let (tokens, mut errors) = lexer::lex(text);
    errors.extend(lexer::check_bracket_spelling(text, &tokens));
    let (green, parse_errors) = parser::parse_tokens(text, tokens);
    errors.extend(parse_errors);
    errors.sort_by_key(|d| d.range.start());
    Parse { green, errors }
}

/// An indented dump of the tree, one node or token per line (`KIND@start..end`, tokens
/// with their text), for tests and debugging.
pub fn debug_tree(node: &SyntaxNode) -> String {
    let mut out = String::new();
    let mut indent = 0usize;
    for event in node.preorder_with_tokens() {
        match event {
            rowan::WalkEvent::Enter(element) => {
                let _ =
                    write!(out, "{:indent$}{:?}@{:?}", "", element.kind(), element.text_range());
                if let rowan::NodeOrToken::Token(token) = &element {
                    let _ = write!(out, " {:?}", token.text());
                }
                out.push('\n');
                indent += 2;
            }
            rowan::WalkEvent::Leave(_) => indent -= 2,
        }
    }
    out
}
