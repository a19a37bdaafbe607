//! The lexer: turns source text into a gap-free sequence of tokens (trivia included).
//!
//! Ordinary tokens come from the `logos` automaton derived on [`SyntaxKind`]. Literals
//! with an irregular extent (strings, chars, raw strings, nested block comments) and
//! template strings are scanned by the hand-written sub-lexers in `literals.rs`; inside
//! a template hole the driver recurses into ordinary lexing until the hole's closing
//! brace, so the hole's expression arrives at the parser as ordinary tokens.
//!
//! Invariants: tokens are never empty, cover the input without gaps or overlaps, and
//! lexing never panics; problems become `ERROR` tokens or diagnostics.

mod brackets;
mod literals;
mod unescape;

pub use brackets::check_bracket_spelling;
pub use unescape::{char_literal_value, string_literal_value, unescape_char, unescape_str};

use logos::Logos;
use rowan::{TextRange, TextSize};

use crate::diagnostic::{Diagnostic, Text};
use crate::syntax_kind::SyntaxKind::{self, *};

/// One token: its kind and its byte range in the source.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Token {
    pub kind: SyntaxKind,
    pub range: TextRange,
}

impl Token {
    pub fn text<'a>(&self, source: &'a str) -> &'a str {
        &source[self.range]
    }
}

/// Lexes `text` completely. The tokens' texts concatenate to `text`.
pub fn lex(text: &str) -> (Vec<Token>, Vec<Diagnostic>) {
    let mut lexer = Lexer::new(text);
    if text.starts_with('\u{FEFF}') {
        // A leading byte-order mark is ignored by the language but kept in the tree.
        lexer.push(WHITESPACE, 0, '\u{FEFF}'.len_utf8());
        lexer.pos = '\u{FEFF}'.len_utf8();
    }
    lexer.lex_code(false);
    (lexer.tokens, lexer.errors)
}

/// Deepest nesting of template strings inside template holes; deeper strings are lexed
/// as opaque string tokens so that pathological input cannot exhaust the stack.
const MAX_TEMPLATE_DEPTH: u32 = 32;

pub(crate) struct Lexer<'a> {
    text: &'a str,
    /// Byte offset up to which tokens have been produced.
    pos: usize,
    tokens: Vec<Token>,
    errors: Vec<Diagnostic>,
    /// How many template holes enclose the current position.
    hole_depth: u32,
    /// How many `${…}` holes enclose the current position (nesting them is an error).
    dollar_hole_depth: u32,
}

impl<'a> Lexer<'a> {
    fn new(text: &'a str) -> Lexer<'a> {
        Lexer {
            text,
            pos: 0,
            // Room for a token per two bytes at once: Chinese names and keywords take three
            // bytes a character, and the 5,548-line benchmark program has a token per 2.1
            // bytes; growing the vector copied it into memory touched for the first time
            // (page faults), while room never written is never faulted in.
            tokens: Vec::with_capacity(text.len() / 2 + 1),
            errors: Vec::new(),
            hole_depth: 0,
            dollar_hole_depth: 0,
        }
    }

    fn push(&mut self, kind: SyntaxKind, start: usize, end: usize) {
        debug_assert!(start < end, "empty token {kind:?} at {start}");
        self.tokens.push(Token { kind, range: range(start, end) });
    }

    fn error(&mut self, start: usize, end: usize, zh: impl Into<String>, en: impl Into<String>) {
        self.errors.push(Diagnostic::error(range(start, end), Text::new(zh, en)));
    }

    /// Lexes ordinary code from `self.pos`. In a template hole (`in_hole`), stops right
    /// after the `}`/`｝` that closes the hole and returns `true`; otherwise (or when the
    /// input ends first) runs to the end of the text and returns `false`.
    fn lex_code(&mut self, in_hole: bool) -> bool {
        let mut lx = self.logos_at(self.pos);
        // Braces opened inside the hole (struct literals, closure bodies …).
        let mut brace_depth = 0u32;
        while let Some(result) = lx.next() {
            let span = lx.span();
            let (start, end) = (span.start, span.end);
            let kind = match result {
                Ok(kind) => kind,
                Err(()) => {
                    let slice = &self.text[start..end];
                    if in_hole && brace_depth == 0 && slice == "｝" {
                        self.push(HOLE_CLOSE, start, end);
                        self.pos = end;
                        return true;
                    }
                    self.invalid_char(start, end);
                    continue;
                }
            };
            match kind {
                STRING | RAW_STRING | CHAR | TEMPLATE_START | BLOCK_COMMENT => {
                    self.pos = start;
                    match kind {
                        STRING => self.lex_string(start),
                        RAW_STRING => self.lex_raw_string(start),
                        CHAR => self.lex_char(start),
                        BLOCK_COMMENT => self.lex_block_comment(start),
                        _ => self.lex_prefixed_template(start, end),
                    }
                    lx = self.logos_at(self.pos);
                }
                IDENT if self.text[start..end].starts_with("否则如果") => {
                    // The glued `否则如果` is `否则 如果`; whatever follows is lexed afresh.
                    let mid = start + "否则".len();
                    let after = mid + "如果".len();
                    self.push(ELSE_KW, start, mid);
                    self.push(IF_KW, mid, after);
                    self.pos = after;
                    lx = self.logos_at(after);
                }
                L_BRACE if in_hole => {
                    brace_depth += 1;
                    self.push(kind, start, end);
                }
                R_BRACE if in_hole => {
                    if brace_depth == 0 && &self.text[start..end] == "}" {
                        self.push(HOLE_CLOSE, start, end);
                        self.pos = end;
                        return true;
                    }
                    brace_depth = brace_depth.saturating_sub(1);
                    self.push(kind, start, end);
                }
                INT => {
                    self.push(kind, start, end);
                    // 19 digits may already exceed i64::MAX; fewer never do.
                    if end - start >= 19 && self.text[start..end].parse::<i64>().is_err() {
                        self.error(
                            start,
                            end,
                            "无效的数字格式：整数超出 64 位范围",
                            "invalid number: integer literal does not fit in 64 bits",
                        );
                    }
                }
                _ => self.push(kind, start, end),
            }
        }
        self.pos = self.text.len();
        false
    }

    /// A `logos` lexer positioned at byte `pos` of the whole text (so spans stay absolute).
    fn logos_at(&self, pos: usize) -> logos::Lexer<'a, SyntaxKind> {
        let mut lx = SyntaxKind::lexer(self.text);
        lx.bump(pos);
        lx
    }

    /// Records a character no token can start with; a run of them becomes one token.
    fn invalid_char(&mut self, start: usize, end: usize) {
        if let Some(last) = self.tokens.last_mut() {
            if last.kind == ERROR && usize::from(last.range.end()) == start {
                last.range = range(usize::from(last.range.start()), end);
                let text = &self.text[last.range];
                if let Some(diag) = self.errors.last_mut() {
                    diag.range = last.range;
                    diag.message = invalid_char_text(text);
                }
                return;
            }
        }
        self.push(ERROR, start, end);
        let message = invalid_char_text(&self.text[start..end]);
        self.errors.push(Diagnostic::error(range(start, end), message));
    }
}

fn invalid_char_text(chars: &str) -> Text {
    Text::new(format!("无效字符 `{chars}`"), format!("invalid character `{chars}`"))
}

pub(crate) fn range(start: usize, end: usize) -> TextRange {
    TextRange::new(TextSize::from(start as u32), TextSize::from(end as u32))
}
