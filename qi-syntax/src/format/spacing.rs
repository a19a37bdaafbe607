//! The space between two tokens written on the same line: one space or none.
//!
//! The default is one space; the rules below take it away where the style joins tokens
//! (`f(x)`, `a.b`, `x: 整数`, `数组<整数>`, `-x`). A joined pair that the lexer would read
//! as one token (or as different tokens) gets its space back, so no rule can change the
//! token sequence. (So `数组<数组<整数>>`, which the parser reads by splitting `>>`, is
//! written `数组<数组<整数> >`, the form other Qi implementations require.)

use crate::syntax_kind::SyntaxKind::{self, *};
use crate::SyntaxToken;

/// Whether one space separates `prev` and `next` when they share a line.
pub(super) fn space_between(prev: &SyntaxToken, next: &SyntaxToken) -> bool {
    if inside_template_text(prev.kind(), next.kind()) {
        return false;
    }
    wants_space(prev, next) || glues(prev, next)
}

/// Tokens of a template string's text and the braces of its holes are written exactly as
/// they are: any space there would be text of the string.
fn inside_template_text(prev: SyntaxKind, next: SyntaxKind) -> bool {
    matches!(prev, TEMPLATE_START | TEMPLATE_TEXT | HOLE_CLOSE)
        && matches!(next, TEMPLATE_TEXT | HOLE_OPEN | TEMPLATE_END)
}

fn wants_space(prev: &SyntaxToken, next: &SyntaxToken) -> bool {
    let (p, n) = (prev.kind(), next.kind());
    if n.is_trivia() || p.is_trivia() {
        // Comments keep one space from the code beside them.
        return true;
    }
    if p == HOLE_OPEN || n == HOLE_CLOSE {
        return false;
    }
    if matches!(n, COMMA | SEMI | COLON | R_PAREN | R_BRACK) {
        return false;
    }
    if matches!(p, L_PAREN | L_BRACK) {
        return false;
    }
    if in_import_path(prev) && in_import_path(next) {
        // `导入 ../公共/格式;`
        return false;
    }
    if is_fullwidth(prev) || is_fullwidth(next) {
        // `（a：整数，b：整数）【`: full-width punctuation carries its own space.
        return false;
    }
    if p == L_BRACE || n == R_BRACE {
        // `{}` empty; `{ x }`, except the import list `甲::{a, b}`.
        let brace = if p == L_BRACE { prev } else { next };
        let import_list = parent_kind(brace) == Some(IMPORT_LIST);
        let empty = p == L_BRACE && n == R_BRACE;
        return !(empty || import_list);
    }
    if is_path_punct(n) {
        // `a.b`, `0..n`, `甲::乙`, `其余...`; `{ ..基值 }` and `对于 x 在 ..` keep theirs.
        return !(ends_operand(p) || p == R_BRACE);
    }
    if is_path_punct(p) {
        return false;
    }
    if is_angle(prev) || is_angle(next) {
        return angle_space(prev, next);
    }
    if n == L_PAREN {
        return paren_space(prev, next);
    }
    if n == L_BRACK && parent_kind(next) == Some(INDEX_EXPR) {
        return false;
    }
    if is_prefix_operator(prev) {
        // `-x`, `!x`, `<-甲`; keyword prefixes (`非 x`, `等待 f`) keep their space.
        return p.is_keyword();
    }
    if let Some(pipe) = closure_pipe(prev) {
        // `|a, b| 体`: no space inside the bars.
        return pipe == Pipe::Closing;
    }
    if closure_pipe(next) == Some(Pipe::Closing) {
        return false;
    }
    true
}

/// `.`, `..`, `...`, `::`.
fn is_path_punct(kind: SyntaxKind) -> bool {
    matches!(kind, DOT | DOT2 | DOT3 | COLON2)
}

/// Tokens that can end an operand (before `.`, `(`, `[` …).
fn ends_operand(kind: SyntaxKind) -> bool {
    matches!(
        kind,
        IDENT | INT | FLOAT | STRING | RAW_STRING | CHAR | TEMPLATE_END | R_PAREN | R_BRACK | GT
    ) || kind.is_literal()
        || kind.is_builtin_type_kw()
        || kind == LEN_KW
        || kind == UNDERSCORE
}

/// `<` and `>` of generic parameters or arguments (anything but a comparison or shift).
fn is_angle(token: &SyntaxToken) -> bool {
    matches!(token.kind(), LT | GT) && parent_kind(token) != Some(BIN_EXPR)
}

/// `数组<整数>`, `对<K, V> {`, `数组<整数>(n)`.
fn angle_space(prev: &SyntaxToken, next: &SyntaxToken) -> bool {
    if is_angle(next) {
        // Nothing before `<` or `>`.
        return false;
    }
    if prev.kind() == LT {
        return false;
    }
    // After the closing `>`: `(` and `[` join, the rest is spaced as usual.
    !matches!(next.kind(), L_PAREN | L_BRACK)
}

/// Before `(`: calls and parameter lists join (`f(x)`, `闭包(x)`, `函数(整数)`,
/// `等待(f)`), a parenthesised expression after a keyword keeps its space (`如果 (x)`).
fn paren_space(prev: &SyntaxToken, next: &SyntaxToken) -> bool {
    let p = prev.kind();
    if p == R_BRACK && parent_kind(prev) == Some(CAPTURE_LIST) {
        // `闭包 [弱 c] (n: 整数)`
        return true;
    }
    let list = matches!(parent_kind(next), Some(ARG_LIST | PARAM_LIST));
    if list && !p.is_keyword() {
        return false;
    }
    if matches!(p, CLOSURE_KW | TIMEOUT_KW | LEN_KW) || p.is_builtin_type_kw() {
        return false;
    }
    if is_prefix_operator(prev) && p.is_keyword() {
        // `等待(f)`, `非(a 与 b)`; but `等待 (新建 盒 {…}).取()`, whose operand goes on
        // after the parentheses.
        let operand = next.parent().filter(|n| n.kind() == PAREN_EXPR);
        return operand.and_then(|o| o.parent()) != prev.parent();
    }
    if p == FN_KW && parent_kind(prev) == Some(FN_TYPE) {
        return false;
    }
    if is_prefix_operator(prev) && !p.is_keyword() {
        return false;
    }
    !ends_operand(p) || p.is_keyword()
}

/// The operator token of a prefix expression (`-`, `!`, `非`, `<-`, `等待`, `启动` …),
/// or the sign of a literal pattern (`-1 =>`).
fn is_prefix_operator(token: &SyntaxToken) -> bool {
    let Some(parent) = token.parent() else { return false };
    let prefix = matches!(parent.kind(), PREFIX_EXPR | RECV_EXPR | AWAIT_EXPR | SPAWN_EXPR)
        || (parent.kind() == LITERAL_PAT && token.kind() == MINUS);
    prefix && parent.first_token().is_some_and(|first| first == *token)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Pipe {
    Opening,
    Closing,
}

/// Which bar of a `|参数|` closure parameter list `token` is, if it is one.
fn closure_pipe(token: &SyntaxToken) -> Option<Pipe> {
    if token.kind() != PIPE || parent_kind(token) != Some(PARAM_LIST) {
        return None;
    }
    let parent = token.parent()?;
    let first = parent.first_token()?;
    Some(if first == *token { Pipe::Opening } else { Pipe::Closing })
}

/// Full-width punctuation (`（`, `，`, `：`, `【` …), which the language accepts for its
/// ASCII twin.
fn is_fullwidth(token: &SyntaxToken) -> bool {
    !token.kind().is_trivia()
        && !matches!(token.kind(), STRING | RAW_STRING | CHAR | IDENT | TEMPLATE_TEXT)
        && !token.kind().is_keyword()
        && token
            .text()
            .chars()
            .next()
            .is_some_and(|c| matches!(c, '\u{FF00}'..='\u{FFEF}' | '【' | '】'))
}

fn in_import_path(token: &SyntaxToken) -> bool {
    token.parent_ancestors().any(|n| n.kind() == IMPORT_PATH)
}

fn parent_kind(token: &SyntaxToken) -> Option<SyntaxKind> {
    token.parent().map(|p| p.kind())
}

/// Whether `prev` written right before `next` would lex as something else than `prev`
/// followed by `next`: the lexer reads left to right, so it is enough that `prev` still
/// ends where it ended. Literals that end with their own delimiter never glue.
fn glues(prev: &SyntaxToken, next: &SyntaxToken) -> bool {
    let delimited = matches!(
        prev.kind(),
        STRING
            | RAW_STRING
            | CHAR
            | TEMPLATE_START
            | TEMPLATE_TEXT
            | TEMPLATE_END
            | HOLE_OPEN
            | HOLE_CLOSE
            | BLOCK_COMMENT
    );
    if delimited {
        return false;
    }
    let (a, b) = (prev.text(), next.text());
    let joined = format!("{a}{b}");
    let (tokens, _) = crate::lexer::lex(&joined);
    tokens.first().is_none_or(|t| usize::from(t.range.end()) != a.len())
}
