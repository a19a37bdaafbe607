//! The tree flattened into what the formatter keeps: significant tokens and comments,
//! each with the number of line breaks the author wrote before it.

use crate::syntax_kind::SyntaxKind::*;
use crate::{SyntaxNode, SyntaxToken};

/// A token or comment to write, and the line breaks in the whitespace before it.
pub(super) struct Piece {
    pub token: SyntaxToken,
    pub newlines_before: u32,
}

/// Every token of `root` except whitespace and empty statements, in source order.
pub(super) fn collect(root: &SyntaxNode) -> Vec<Piece> {
    let mut pieces = Vec::new();
    let mut newlines = 0u32;
    for token in root.descendants_with_tokens().filter_map(|e| e.into_token()) {
        match token.kind() {
            // Whitespace also covers `。！？《》` and a byte-order mark: all of it is
            // rewritten, only its line breaks are remembered.
            WHITESPACE => newlines += token.text().matches('\n').count() as u32,
            SEMI if is_empty_statement(&token) => {}
            _ => {
                pieces.push(Piece { token, newlines_before: newlines });
                newlines = 0;
            }
        }
    }
    pieces
}

/// A `;` standing alone where a statement could be (the tolerated `;` after `匹配 {…}`):
/// the one optional `;` of the language, which the formatter drops.
fn is_empty_statement(token: &SyntaxToken) -> bool {
    token.parent().is_some_and(|p| matches!(p.kind(), BLOCK | SOURCE_FILE | STMT_LIST))
}
