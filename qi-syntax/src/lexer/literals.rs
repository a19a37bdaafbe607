//! Hand-written sub-lexers for the tokens whose extent a regular automaton cannot find:
//! strings (which may turn out to be `${…}` templates), template strings with holes,
//! raw strings, char literals and nested block comments.
//!
//! Scanning is byte-wise: every delimiter we look for (`"` `\` `$` `{` `'` `` ` `` `*` `/`)
//! is ASCII, and UTF-8 continuation bytes never equal an ASCII byte, so every token
//! boundary we produce falls on a character boundary. The one non-ASCII delimiter, `｛`,
//! starts with a lead byte, which likewise only matches at a character start.

use super::{Lexer, MAX_TEMPLATE_DEPTH};
use crate::syntax_kind::SyntaxKind::*;

/// How holes are written inside a template string.
#[derive(Clone, Copy, PartialEq, Eq)]
enum HoleStyle {
    /// `f"…{x}…"` / `模板"…｛x｝…"`
    Brace,
    /// A plain string containing `${x}`.
    Dollar,
}

const FULLWIDTH_L_CURLY: &[u8] = "｛".as_bytes();

impl Lexer<'_> {
    /// A `"` string at `start`. Becomes a template as soon as an unescaped `${` appears.
    pub(super) fn lex_string(&mut self, start: usize) {
        if self.hole_depth >= MAX_TEMPLATE_DEPTH {
            return self.lex_opaque_string(start, start + 1);
        }
        let bytes = self.text.as_bytes();
        let mut i = start + 1;
        loop {
            match bytes.get(i) {
                None => return self.unterminated_string(start, start + 1, STRING),
                Some(b'\\') => i = (i + 2).min(bytes.len()),
                Some(b'"') => {
                    self.push(STRING, start, i + 1);
                    self.pos = i + 1;
                    return;
                }
                Some(b'$') if bytes.get(i + 1) == Some(&b'{') => {
                    self.push(TEMPLATE_START, start, start + 1);
                    if self.dollar_hole_depth > 0 {
                        self.error(
                            i,
                            i + 2,
                            "字符串插值暂不支持嵌套：${…} 里又出现了 ${…}，请把内层表达式先存到变量再插值",
                            "nested `${…}` interpolation is not supported; store the inner value in a variable first",
                        );
                    }
                    return self.template_body(start, start + 1, HoleStyle::Dollar);
                }
                Some(_) => i += 1,
            }
        }
    }

    /// `f"`, `模板"` or `模版"` at `start`; `body_start` is just after the quote.
    pub(super) fn lex_prefixed_template(&mut self, start: usize, body_start: usize) {
        if self.hole_depth >= MAX_TEMPLATE_DEPTH {
            return self.lex_opaque_string(start, body_start);
        }
        self.push(TEMPLATE_START, start, body_start);
        self.template_body(start, body_start, HoleStyle::Brace);
    }

    /// Scans template text and holes up to and including the closing `"`.
    fn template_body(&mut self, start: usize, body_start: usize, style: HoleStyle) {
        let len = self.text.len();
        let mut i = body_start;
        let mut text_start = body_start;
        loop {
            let bytes = self.text.as_bytes();
            let hole_len = match bytes.get(i) {
                None => {
                    self.flush_text(text_start, i);
                    self.pos = len;
                    self.error(
                        start,
                        body_start,
                        "未终止的模板字符串",
                        "unterminated template string",
                    );
                    return;
                }
                Some(b'\\') => {
                    i = (i + 2).min(len);
                    continue;
                }
                Some(b'"') => {
                    self.flush_text(text_start, i);
                    self.push(TEMPLATE_END, i, i + 1);
                    self.pos = i + 1;
                    return;
                }
                Some(b'{') if style == HoleStyle::Brace => 1,
                Some(_)
                    if style == HoleStyle::Brace && bytes[i..].starts_with(FULLWIDTH_L_CURLY) =>
                {
                    FULLWIDTH_L_CURLY.len()
                }
                Some(b'$') if style == HoleStyle::Dollar && bytes.get(i + 1) == Some(&b'{') => 2,
                Some(_) => {
                    i += 1;
                    continue;
                }
            };
            self.flush_text(text_start, i);
            let hole_end = i + hole_len;
            self.push(HOLE_OPEN, i, hole_end);
            self.pos = hole_end;
            self.hole_depth += 1;
            let dollar = style == HoleStyle::Dollar;
            if dollar {
                self.dollar_hole_depth += 1;
            }
            let closed = self.lex_code(true);
            self.hole_depth -= 1;
            if dollar {
                self.dollar_hole_depth -= 1;
            }
            if !closed {
                self.error(
                    i,
                    hole_end,
                    "字符串插值未闭合：缺少配对的 }",
                    "unclosed interpolation: missing the matching `}`",
                );
                return;
            }
            i = self.pos;
            text_start = i;
        }
    }

    fn flush_text(&mut self, start: usize, end: usize) {
        if start < end {
            self.push(TEMPLATE_TEXT, start, end);
        }
    }

    /// A string nested too deeply inside template holes: one `STRING` token, holes not
    /// recognised. Only reached by pathological input.
    fn lex_opaque_string(&mut self, start: usize, body_start: usize) {
        self.error(
            start,
            body_start,
            "模板字符串嵌套过深",
            "template strings are nested too deeply",
        );
        let bytes = self.text.as_bytes();
        let mut i = body_start;
        while i < bytes.len() {
            match bytes[i] {
                b'\\' => i += 2,
                b'"' => {
                    self.push(STRING, start, i + 1);
                    self.pos = i + 1;
                    return;
                }
                _ => i += 1,
            }
        }
        self.push(STRING, start, bytes.len());
        self.pos = bytes.len();
    }

    fn unterminated_string(&mut self, start: usize, quote_end: usize, kind: crate::SyntaxKind) {
        let len = self.text.len();
        self.push(kind, start, len);
        self.pos = len;
        self.error(start, quote_end, "未终止的字符串字面量", "unterminated string literal");
    }

    /// `` `…` ``: no escapes, no interpolation.
    pub(super) fn lex_raw_string(&mut self, start: usize) {
        match self.text[start + 1..].find('`') {
            Some(off) => {
                let end = start + 1 + off + 1;
                self.push(RAW_STRING, start, end);
                self.pos = end;
            }
            None => self.unterminated_string(start, start + 1, RAW_STRING),
        }
    }

    /// `'x'` or `'\n'`. Malformed literals still become one `CHAR` token with an error.
    pub(super) fn lex_char(&mut self, start: usize) {
        let text = self.text;
        let body = start + 1;
        let mut chars = text[body..].chars();
        let after_first = match chars.next() {
            None | Some('\n') | Some('\r') => return self.bad_char(start, body, false),
            Some('\'') => {
                self.push(CHAR, start, body + 1);
                self.pos = body + 1;
                self.error(start, body + 1, "空的字符字面量", "empty character literal");
                return;
            }
            Some('\\') => match chars.next() {
                None => return self.bad_char(start, text.len(), false),
                Some(c) => body + 1 + c.len_utf8(),
            },
            Some(c) => body + c.len_utf8(),
        };
        if text[after_first..].starts_with('\'') {
            self.push(CHAR, start, after_first + 1);
            self.pos = after_first + 1;
            return;
        }
        // Too long or unclosed: take up to a closing quote on the same line, if any.
        let line_rest = &text[after_first..];
        let line_end = line_rest.find(['\n', '\r']).unwrap_or(line_rest.len());
        match line_rest[..line_end].find('\'') {
            Some(off) => self.bad_char(start, after_first + off + 1, true),
            None => self.bad_char(start, after_first, false),
        }
    }

    fn bad_char(&mut self, start: usize, end: usize, closed: bool) {
        self.push(CHAR, start, end);
        self.pos = end;
        if closed {
            self.error(
                start,
                end,
                "字符字面量只能包含一个字符",
                "a character literal must contain exactly one character",
            );
        } else {
            self.error(start, start + 1, "未终止的字符字面量", "unterminated character literal");
        }
    }

    /// `/* … */` with nesting.
    pub(super) fn lex_block_comment(&mut self, start: usize) {
        let bytes = self.text.as_bytes();
        let mut depth = 1u32;
        let mut i = start + 2;
        while i < bytes.len() {
            if bytes[i] == b'/' && bytes.get(i + 1) == Some(&b'*') {
                depth += 1;
                i += 2;
            } else if bytes[i] == b'*' && bytes.get(i + 1) == Some(&b'/') {
                depth -= 1;
                i += 2;
                if depth == 0 {
                    self.push(BLOCK_COMMENT, start, i);
                    self.pos = i;
                    return;
                }
            } else {
                i += 1;
            }
        }
        self.push(BLOCK_COMMENT, start, bytes.len());
        self.pos = bytes.len();
        self.error(start, start + 2, "未终止的块注释", "unterminated block comment");
    }
}
