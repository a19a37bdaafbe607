//! A bracket pair must use one spelling: `（…）`, `(…)`, `【…】` or `{…}` (language.md §2.5).
//!
//! The parser sees ASCII and full-width brackets as the same token kinds, so mixing them
//! (`（ … )`) is caught here, on the token stream.

use super::Token;
use crate::diagnostic::{Diagnostic, Text};
use crate::SyntaxKind::{self, *};

fn is_full_width(text: &str) -> bool {
    !text.is_ascii()
}

fn closer_of(open: SyntaxKind) -> Option<SyntaxKind> {
    match open {
        L_PAREN => Some(R_PAREN),
        L_BRACE => Some(R_BRACE),
        L_BRACK => Some(R_BRACK),
        _ => None,
    }
}

/// Report closing brackets whose spelling (ASCII or full-width) differs from the opening
/// one. Brackets of different kinds are left to the parser.
pub fn check_bracket_spelling(text: &str, tokens: &[Token]) -> Vec<Diagnostic> {
    let mut open: Vec<&Token> = Vec::new();
    let mut errors = Vec::new();
    for t in tokens {
        if closer_of(t.kind).is_some() {
            open.push(t);
            continue;
        }
        if !matches!(t.kind, R_PAREN | R_BRACE | R_BRACK) {
            continue;
        }
        let Some(pos) = open.iter().rposition(|o| closer_of(o.kind) == Some(t.kind)) else {
            continue;
        };
        let o = open[pos];
        open.truncate(pos);
        let (ot, ct) = (o.text(text), t.text(text));
        if is_full_width(ot) != is_full_width(ct) {
            errors.push(Diagnostic::error(
                t.range,
                Text::new(
                    format!("括号不配对：`{ot}` 不能用 `{ct}` 闭合，全角与半角括号须成对使用"),
                    format!("mismatched brackets: `{ot}` cannot be closed by `{ct}`; full-width and ASCII brackets must pair with their own kind"),
                ),
            ));
        }
    }
    errors
}

#[cfg(test)]
mod tests {
    use super::*;

    fn errors(src: &str) -> usize {
        let (tokens, _) = crate::lexer::lex(src);
        check_bracket_spelling(src, &tokens).len()
    }

    #[test]
    fn pairs_must_match_their_spelling() {
        assert_eq!(errors("f（1, 2）; g(3);"), 0);
        assert_eq!(errors("函数 f() 【 返回; 】"), 0);
        assert_eq!(errors("f（1, 2);"), 1);
        assert_eq!(errors("如果 a 【 b; }"), 1);
        assert_eq!(errors("x = [1, (2)];"), 0);
    }
}
