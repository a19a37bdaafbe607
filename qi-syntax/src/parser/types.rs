//! Types (language.md §3.1) and generic parameter/argument lists (§5.9).

use super::names::NameCtx;
use super::{Expected, Parser};
use crate::syntax_kind::SyntaxKind::*;

impl Parser<'_> {
    pub(crate) fn at_type_start(&self) -> bool {
        let kind = self.current();
        kind == IDENT || kind == FN_KW || kind.is_builtin_type_kw()
    }

    /// A type; returns `false` (after reporting) if none starts here.
    pub(crate) fn type_ref(&mut self) -> bool {
        self.type_ref_with(true)
    }

    /// The target of `作为`: a plain type name, so that `x 作为 整数 < y` compares.
    pub(crate) fn type_ref_no_generics(&mut self) -> bool {
        self.type_ref_with(false)
    }

    fn type_ref_with(&mut self, generics: bool) -> bool {
        if !self.at_type_start() {
            self.error_expected(Expected::Type);
            // A misplaced reserved word on the same line still fills the type's place.
            if self.current().is_keyword() && !self.newline_before() {
                self.start(PATH_TYPE);
                self.name_ref(NameCtx::PathSegment);
                self.finish();
                return true;
            }
            return false;
        }
        if !self.enter() {
            return true;
        }
        if self.at(FN_KW) {
            self.fn_type();
        } else {
            self.path_type(generics);
        }
        self.leave();
        true
    }

    /// `名`, `包.名`, `数组<T>`, `对<整数, 字符串>`.
    fn path_type(&mut self, generics: bool) {
        self.start(PATH_TYPE);
        let dotted = self.at(IDENT);
        self.start(NAME_REF);
        self.bump();
        self.finish();
        while dotted && self.at(DOT) && self.nth(1) == IDENT {
            self.bump();
            self.name_ref(NameCtx::Plain);
        }
        if generics && self.at(LT) {
            self.generic_arg_list();
        }
        self.finish();
    }

    /// `函数(A, B): R`
    fn fn_type(&mut self) {
        self.start(FN_TYPE);
        self.bump();
        if self.eat(L_PAREN) {
            self.comma_list(R_PAREN, Expected::Type, |p| {
                if p.at_type_start() {
                    p.type_ref();
                }
            });
            self.expect(R_PAREN);
        } else {
            self.error_expected(Expected::Token(L_PAREN));
        }
        if self.at(COLON) {
            self.ret_type();
        }
        self.finish();
    }

    /// `<T, U>` after a type name, `::` (turbofish), `数组` or `通道`.
    pub(crate) fn generic_arg_list(&mut self) {
        self.start(GENERIC_ARG_LIST);
        self.expect(LT);
        while !matches!(self.current(), GT | SHR | EOF) {
            let before = self.pos;
            self.type_ref();
            if self.pos == before || !self.eat(COMMA) {
                break;
            }
        }
        self.expect_generic_close();
        self.finish();
    }

    /// `<T, E: 特性>` after a declared name.
    pub(crate) fn generic_param_list(&mut self) {
        self.start(GENERIC_PARAM_LIST);
        self.bump();
        while !matches!(self.current(), GT | SHR | EOF) {
            if !self.at_name(NameCtx::Plain) {
                self.error_expected(Expected::Name);
                break;
            }
            self.start(GENERIC_PARAM);
            self.name(NameCtx::Plain);
            if self.eat(COLON) {
                self.type_ref();
            }
            self.finish();
            if !self.eat(COMMA) {
                break;
            }
        }
        self.expect_generic_close();
        self.finish();
    }

    /// The closing `>`. A `>>` (as in `数组<数组<整数>>`) or `>=` (`变量 p: 盒<T>= …`) is
    /// split and its first `>` taken — more lenient than the reference, which needs a space.
    fn expect_generic_close(&mut self) {
        if self.at(SHR) || self.at(GTEQ) {
            self.bump_split_gt();
        } else {
            self.expect(GT);
        }
    }
}
