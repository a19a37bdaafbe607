//! Line breaks and indentation, and writing the formatted text.
//!
//! Line breaks: every declaration at the top level and every element of a multi-line
//! brace list (statements of a block, fields, variants, match arms, select cases,
//! methods) starts its own line; a brace list written on one line stays on one line.
//! Elsewhere the author's line breaks are kept (at most one blank line, none right after
//! an opening or before a closing bracket), except that `,` and `;` never start a line,
//! `{` stays on the line of what it opens, and `} 否则`, `} 捕获`, `} 最终` stay together
//! after a block written over several lines.
//!
//! Indentation: four spaces per level. Brackets opened on a line indent the lines inside
//! them by one level (once per line, however many open there), and a closing bracket that
//! starts a line goes back to the level of the line that opened it. A line that continues
//! a statement or expression is indented one level more. The statements of a `选择` case
//! are indented under their `情况`.

use std::collections::{HashMap, HashSet};

use rowan::TextSize;

use super::pieces::Piece;
use super::spacing::space_between;
use crate::syntax_kind::SyntaxKind::{self, *};
use crate::{SyntaxNode, SyntaxToken};

const INDENT: &str = "    ";

/// What separates two pieces.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Break {
    /// Same line, with one space or none.
    Join { space: bool },
    /// A new line, after one blank line or none.
    Line { blank: bool },
}

/// An open bracket, or the statement list of a `选择` case, and the indentation level
/// of the lines inside.
struct Open {
    /// The level of lines inside is one more than this.
    base: usize,
    /// For a case's statement list, where it ends (it has no closing token).
    ends_at: Option<TextSize>,
}

/// Writes `pieces` as formatted text.
pub(super) fn write(pieces: &[Piece]) -> String {
    let mut layout = Layout { containers: HashMap::new() };
    let mut out = String::new();
    let mut stack: Vec<Open> = Vec::new();
    // The level of the current line without its continuation indent, and with it.
    let (mut line_base, mut line_indent) = (0usize, 0usize);
    let mut prev: Option<&Piece> = None;
    // Where the code ends on lines that end with a `//` comment (offsets into `out`).
    let mut trailing_comments = Vec::new();
    for piece in pieces {
        let token = &piece.token;
        let start = token.text_range().start();
        while stack.last().is_some_and(|o| o.ends_at.is_some_and(|end| end <= start)) {
            stack.pop();
        }
        if let Some(prev) = prev {
            match layout.decide(prev, piece) {
                Break::Join { space } => {
                    if token.kind() == LINE_COMMENT {
                        trailing_comments.push(out.len());
                    }
                    if space {
                        out.push(' ');
                    }
                }
                Break::Line { blank } => {
                    out.push('\n');
                    if blank {
                        out.push('\n');
                    }
                    line_base = match stack.last() {
                        Some(open) if is_closer(token.kind()) && open.ends_at.is_none() => {
                            open.base
                        }
                        Some(open) => open.base + 1,
                        None => 0,
                    };
                    line_indent = line_base + usize::from(layout.continues(&prev.token, token));
                    for _ in 0..line_indent {
                        out.push_str(INDENT);
                    }
                }
            }
        }
        out.push_str(written_text(token));
        match token.kind() {
            L_PAREN | L_BRACK | HOLE_OPEN => stack.push(Open { base: line_indent, ends_at: None }),
            // A block's body lines up with the start of its statement, not with the
            // continuation line its `{` may be on (`如果 a &&\n    b {`).
            L_BRACE => stack.push(Open { base: line_base, ends_at: None }),
            R_PAREN | R_BRACK | R_BRACE | HOLE_CLOSE => {
                stack.pop();
            }
            COLON => {
                if let Some(list) = case_statements(token) {
                    stack.push(Open { base: line_base, ends_at: Some(list.text_range().end()) });
                }
            }
            _ => {}
        }
        prev = Some(piece);
    }
    if !out.is_empty() {
        out.push('\n');
    }
    align_trailing_comments(&out, &trailing_comments)
}

/// Lines in a row that end with a `//` comment get their comments in one column, one
/// space after the longest code (widths counted in columns, CJK characters being two).
fn align_trailing_comments(out: &str, code_ends: &[usize]) -> String {
    if code_ends.is_empty() {
        return out.to_string();
    }
    // (line start, line end) of every line, and the code end of those with a comment.
    let mut lines: Vec<(usize, usize, Option<usize>)> = Vec::new();
    let mut start = 0;
    let mut ends = code_ends.iter().copied().peekable();
    for (i, _) in out.match_indices('\n') {
        let mut code_end = None;
        while let Some(end) = ends.next_if(|&end| end <= i) {
            if end >= start {
                code_end = Some(end);
            }
        }
        lines.push((start, i, code_end));
        start = i + 1;
    }
    let mut result = String::with_capacity(out.len() + code_ends.len() * 8);
    let mut i = 0;
    while i < lines.len() {
        let run = lines[i..].iter().take_while(|l| l.2.is_some()).count().max(1);
        let group = &lines[i..i + run];
        let column = group
            .iter()
            .filter_map(|&(start, _, end)| end.map(|end| width(&out[start..end])))
            .max()
            .unwrap_or(0);
        for &(start, end, code_end) in group {
            match code_end {
                Some(code_end) if run > 1 => {
                    let code = &out[start..code_end];
                    result.push_str(code);
                    result.push_str(&" ".repeat(column - width(code) + 1));
                    result.push_str(out[code_end..end].trim_start());
                }
                _ => result.push_str(&out[start..end]),
            }
            result.push('\n');
        }
        i += run;
    }
    result
}

/// Display columns of `text`: East Asian wide and full-width characters count two.
fn width(text: &str) -> usize {
    text.chars()
        .map(|c| match c {
            '\u{1100}'..='\u{115F}'
            | '\u{2E80}'..='\u{A4CF}'
            | '\u{AC00}'..='\u{D7A3}'
            | '\u{F900}'..='\u{FAFF}'
            | '\u{FE30}'..='\u{FE4F}'
            | '\u{FF00}'..='\u{FF60}'
            | '\u{FFE0}'..='\u{FFE6}'
            | '\u{20000}'..='\u{3FFFD}' => 2,
            _ => 1,
        })
        .sum()
}

/// A token's text as written: a `//` comment loses the whitespace at its end (the `\r` of
/// a CRLF line end belongs to it), every other token is written as it is.
pub(super) fn written_text(token: &SyntaxToken) -> &str {
    match token.kind() {
        LINE_COMMENT => token.text().trim_end(),
        _ => token.text(),
    }
}

fn is_opener(kind: SyntaxKind) -> bool {
    matches!(kind, L_PAREN | L_BRACK | L_BRACE | HOLE_OPEN)
}

fn is_closer(kind: SyntaxKind) -> bool {
    matches!(kind, R_PAREN | R_BRACK | R_BRACE | HOLE_CLOSE)
}

/// The statements after the `:` of a `选择` case.
fn case_statements(colon: &SyntaxToken) -> Option<SyntaxNode> {
    let case = colon.parent().filter(|p| p.kind() == SELECT_CASE)?;
    case.children()
        .find(|c| c.kind() == STMT_LIST && c.text_range().start() >= colon.text_range().end())
}

/// Nodes whose children are laid out as a list: a line break between two of their
/// children is not the continuation of a statement.
fn is_list(kind: SyntaxKind) -> bool {
    matches!(
        kind,
        SOURCE_FILE
            | BLOCK
            | STMT_LIST
            | SELECT_STMT
            | SELECT_CASE
            | MATCH_STMT
            | MATCH_ARM_LIST
            | IF_STMT
            | TRY_STMT
            | ARG_LIST
            | PARAM_LIST
            | ARRAY_EXPR
            | STRUCT_LIT
            | FIELD_LIST
            | VARIANT_LIST
            | ASSOC_ITEM_LIST
            | EXTERN_BLOCK
            | IMPORT_LIST
            | CAPTURE_LIST
            | GENERIC_ARG_LIST
            | GENERIC_PARAM_LIST
            | TEMPLATE_STRING
    )
}

struct Layout {
    /// Whether the brace list opened at an offset is laid out one element per line.
    containers: HashMap<TextSize, bool>,
}

impl Layout {
    fn decide(&mut self, prev: &Piece, cur: &Piece) -> Break {
        let (p, c) = (prev.token.kind(), cur.token.kind());
        let source_break = cur.newlines_before > 0;
        // One blank line at most, and none just inside brackets.
        let blank = cur.newlines_before >= 2 && !is_opener(p) && !is_closer(c);
        if p == LINE_COMMENT {
            return Break::Line { blank };
        }
        if c.is_trivia() {
            // A comment stays where it was: after the code on its line or on its own.
            return if source_break { Break::Line { blank } } else { Break::Join { space: true } };
        }
        if p == BLOCK_COMMENT && !source_break {
            return Break::Join { space: true };
        }
        if matches!(p, TEMPLATE_START | TEMPLATE_TEXT | HOLE_CLOSE)
            && matches!(c, TEMPLATE_TEXT | HOLE_OPEN | TEMPLATE_END)
        {
            return Break::Join { space: false };
        }
        if self.starts_element(&cur.token)
            || (c == R_BRACE && self.is_vertical_close(&cur.token))
            || (p == L_BRACE && self.is_vertical_open(&prev.token))
        {
            return Break::Line { blank };
        }
        // `} 否则` after a block over several lines; after a one-line block the author
        // chooses (`如果 a { x; }` and `否则 { y; }` may be two lines).
        let joined = matches!(c, COMMA | SEMI)
            || (matches!(c, ELSE_KW | CATCH_KW | FINALLY_KW)
                && self.is_vertical_close(&prev.token))
            || (c == L_BRACE && self.owns_list(&cur.token));
        if source_break && (!joined || p == BLOCK_COMMENT) {
            return Break::Line { blank };
        }
        Break::Join { space: space_between(&prev.token, &cur.token) }
    }

    /// Whether `token` begins an element of a list laid out one element per line: a
    /// declaration or statement at the top level, or an element of a multi-line brace
    /// list.
    fn starts_element(&mut self, token: &SyntaxToken) -> bool {
        let mut node = token.parent();
        while let Some(n) = node {
            if n.first_token().as_ref() != Some(token) {
                return false;
            }
            let Some(parent) = n.parent() else { return false };
            if parent.kind() == SOURCE_FILE {
                return true;
            }
            if let Some(open) = list_brace(&parent, L_BRACE) {
                if open.text_range().end() <= token.text_range().start() {
                    return self.is_vertical_open(&open);
                }
            }
            node = Some(parent);
        }
        false
    }

    /// Whether `{` opens a brace list (a block, fields, arms …; not an import list).
    fn owns_list(&self, brace: &SyntaxToken) -> bool {
        brace.parent().is_some_and(|p| p.kind() != IMPORT_LIST)
    }

    fn is_vertical_close(&mut self, close: &SyntaxToken) -> bool {
        if close.kind() != R_BRACE {
            return false;
        }
        let open = close.parent().and_then(|p| list_brace(&p, L_BRACE));
        open.is_some_and(|open| self.is_vertical_open(&open))
    }

    /// A brace list is one element per line when it was written over several lines (and
    /// is not empty); written on one line, it stays so.
    fn is_vertical_open(&mut self, open: &SyntaxToken) -> bool {
        if !self.owns_list(open) {
            return false;
        }
        let key = open.text_range().start();
        if let Some(&vertical) = self.containers.get(&key) {
            return vertical;
        }
        let vertical = open
            .parent()
            .zip(open.parent().and_then(|p| list_brace(&p, R_BRACE)))
            .is_some_and(|(parent, close)| {
                let inside =
                    rowan::TextRange::new(open.text_range().end(), close.text_range().start());
                let text = parent.text().slice(inside - parent.text_range().start()).to_string();
                text.contains('\n') && !text.trim().is_empty()
            });
        self.containers.insert(key, vertical);
        vertical
    }

    /// Whether a line break between `prev` and `cur` continues a statement or expression
    /// (and so is indented one more level).
    fn continues(&mut self, prev: &SyntaxToken, cur: &SyntaxToken) -> bool {
        if is_opener(prev.kind()) || is_closer(cur.kind()) || matches!(prev.kind(), COMMA | SEMI) {
            return false;
        }
        if self.starts_element(cur) {
            return false;
        }
        let prev_ancestors: HashSet<SyntaxNode> = prev.parent_ancestors().collect();
        let common = cur.parent_ancestors().find(|n| prev_ancestors.contains(n));
        common.is_some_and(|n| !is_list(n.kind()))
    }
}

/// The `{` (first) or `}` (last) that `node` itself holds, if any.
fn list_brace(node: &SyntaxNode, kind: SyntaxKind) -> Option<SyntaxToken> {
    let mut braces =
        node.children_with_tokens().filter_map(|e| e.into_token()).filter(|t| t.kind() == kind);
    if kind == L_BRACE {
        braces.next()
    } else {
        braces.last()
    }
}
