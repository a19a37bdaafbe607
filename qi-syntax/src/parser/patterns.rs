//! `匹配` patterns (language.md §7.6): `_`, literals, names, `变体(p, …)`,
//! `枚举.变体` / `枚举::变体` paths, and alternatives `p | q`.

use super::names::NameCtx;
use super::{Expected, Parser};
use crate::syntax_kind::SyntaxKind::*;

impl Parser<'_> {
    pub(crate) fn at_pattern_start(&self) -> bool {
        let kind = self.current();
        kind == UNDERSCORE
            || kind.is_literal()
            || (kind == MINUS && matches!(self.nth(1), INT | FLOAT))
            || NameCtx::Plain.accepts(kind)
    }

    /// A pattern with alternatives.
    pub(crate) fn pattern(&mut self) {
        if !self.enter() {
            return;
        }
        let cp = self.checkpoint();
        self.single_pattern();
        if self.at(PIPE) {
            while self.eat(PIPE) {
                self.single_pattern();
            }
            self.start_at(cp, OR_PAT);
            self.finish();
        }
        self.leave();
    }

    fn single_pattern(&mut self) {
        let kind = self.current();
        if kind == UNDERSCORE {
            self.start(WILDCARD_PAT);
            self.bump();
            self.finish();
        } else if kind.is_literal() || kind == MINUS {
            if kind == MINUS && !matches!(self.nth(1), INT | FLOAT) {
                self.error_expected(Expected::Pattern);
                return;
            }
            self.start(LITERAL_PAT);
            self.eat(MINUS);
            self.start(LITERAL);
            self.bump();
            self.finish();
            self.finish();
        } else if NameCtx::Plain.accepts(kind) {
            if !matches!(self.nth(1), DOT | COLON2 | L_PAREN) {
                self.start(IDENT_PAT);
                self.name(NameCtx::Plain);
                self.finish();
                return;
            }
            let cp = self.checkpoint();
            self.name_ref(NameCtx::Plain);
            let mut segments = 1;
            while matches!(self.current(), DOT | COLON2) && NameCtx::Plain.accepts(self.nth(1)) {
                self.bump();
                self.name_ref(NameCtx::Plain);
                segments += 1;
            }
            if self.eat(L_PAREN) {
                self.comma_list(R_PAREN, Expected::Pattern, |p| {
                    if p.at_pattern_start() {
                        p.pattern();
                    }
                });
                self.expect(R_PAREN);
                self.start_at(cp, VARIANT_PAT);
                self.finish();
            } else {
                // `名.` not followed by a name: report the dangling separator.
                if segments == 1 {
                    self.error_expected(Expected::Token(FAT_ARROW));
                }
                self.start_at(cp, PATH_PAT);
                self.finish();
            }
        } else {
            self.error_expected(Expected::Pattern);
        }
    }
}
