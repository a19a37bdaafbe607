//! Declarations (language.md §5): package lines, imports/exports, functions and
//! methods, structs, enums, traits, implementations, foreign blocks.

use super::Checkpoint;

use super::names::NameCtx;
use super::{Expected, Parser};
use crate::syntax_kind::SyntaxKind::*;

impl Parser<'_> {
    /// Whether the current token starts a declaration (rather than a statement).
    pub(crate) fn at_item_start(&self) -> bool {
        match self.current() {
            PUB_KW | IMPORT_KW | EXPORT_KW | ENUM_KW | TRAIT_KW | IMPL_KW | EXTERN_KW
            | PACKAGE_KW | ASYNC_KW | FN_KW | STRUCT_KW => true,
            // `类型` may also name a field/parameter used as an expression (`类型 = 1;`).
            TYPE_KW => matches!(self.nth(1), IDENT | LEN_KW) || self.nth(1).is_keyword(),
            // `协程 函数` (generators): `协程` is a word of its own only there.
            IDENT => self.at_generator_fn(),
            _ => false,
        }
    }

    /// A declaration, with its `公开` / `异步` / `导出` modifiers.
    pub(crate) fn item(&mut self) {
        let cp = self.checkpoint();
        if self.at(PUB_KW) {
            self.start(VISIBILITY);
            self.bump();
            self.finish();
        }
        match self.current() {
            IMPORT_KW => self.import_decl(cp),
            FN_KW | ASYNC_KW => self.fn_decl(cp),
            IDENT if self.at_generator_fn() => self.fn_decl(cp),
            EXPORT_KW => {
                let marks_fn = matches!(self.nth(1), FN_KW | ASYNC_KW)
                    || (self.nth(1) == STRING && self.nth(2) == FN_KW);
                if marks_fn {
                    self.fn_decl(cp)
                } else {
                    self.export_decl(cp)
                }
            }
            TYPE_KW | STRUCT_KW => self.struct_decl(cp),
            ENUM_KW => self.enum_decl(cp),
            TRAIT_KW => self.trait_decl(cp),
            IMPL_KW => self.impl_decl(cp),
            EXTERN_KW => self.extern_block(cp),
            PACKAGE_KW => self.package_decl(cp),
            VAR_KW | CONST_KW => self.let_stmt(cp),
            _ => {
                // `公开` followed by something that cannot be public.
                self.error_expected(Expected::Item);
                self.start_at(cp, ERROR);
                self.finish();
            }
        }
    }

    /// `[协程] [异步] [导出 ["符号"]] 函数 [(接收者 类型)] 名[<T>](参数…)[: 类型] { … }` — or `;`
    /// instead of the body inside `特性` and `外部` blocks.
    fn fn_decl(&mut self, cp: Checkpoint) {
        self.start_at(cp, FN_DECL);
        let generator = self.at_generator_fn();
        if generator {
            self.bump();
        }
        self.eat(ASYNC_KW);
        if self.eat(EXPORT_KW) {
            self.eat(STRING);
        }
        self.eat(ASYNC_KW);
        self.expect(FN_KW);
        if self.at(L_PAREN) {
            self.receiver();
        }
        self.name(NameCtx::Plain);
        if self.at(LT) {
            self.generic_param_list();
        }
        if self.at(L_PAREN) {
            self.param_list();
        } else {
            self.error_expected(Expected::Token(L_PAREN));
        }
        if self.at(COLON) {
            self.ret_type();
        }
        if self.at(L_BRACE) {
            let outer = std::mem::replace(&mut self.in_generator, generator);
            self.block();
            self.in_generator = outer;
        } else if !self.eat(SEMI) {
            self.error_expected(Expected::Token(L_BRACE));
        }
        self.finish();
    }

    /// At `协程 函数` (the word `协程` right before `函数`, on the same line).
    pub(crate) fn at_generator_fn(&self) -> bool {
        self.at_contextual("协程") && self.nth(1) == FN_KW && !self.nth_newline_before(1)
    }

    /// Go-style receiver `(自身 类型)` / `(变量 自身 类型)`.
    fn receiver(&mut self) {
        self.start(RECEIVER);
        self.bump();
        self.eat(VAR_KW);
        self.name(NameCtx::Plain);
        self.type_ref();
        self.expect(R_PAREN);
        self.finish();
    }

    /// `(a: 整数, b: 字符串 = "x", 其余...: 整数, 裸)`
    pub(crate) fn param_list(&mut self) {
        self.start(PARAM_LIST);
        self.bump();
        self.comma_list(R_PAREN, Expected::Name, |p| p.param(true));
        self.expect(R_PAREN);
        self.finish();
    }

    /// One parameter; consumes nothing if the current token cannot start one.
    pub(crate) fn param(&mut self, allow_default: bool) {
        let reserved_word = self.current().is_keyword() && !self.newline_before();
        if !self.at_name(NameCtx::Field) && !reserved_word {
            return;
        }
        self.start(PARAM);
        self.name(NameCtx::Field);
        self.eat(DOT3);
        if self.eat(COLON) {
            self.type_ref();
        }
        if allow_default && self.eat(EQ) && !self.expr() {
            self.error_expected(Expected::Expr);
        }
        self.finish();
    }

    pub(crate) fn ret_type(&mut self) {
        self.start(RET_TYPE);
        self.bump();
        self.type_ref();
        self.finish();
    }

    /// `类型 名[<T>] { 字段… }` (also `结构体`).
    fn struct_decl(&mut self, cp: Checkpoint) {
        self.start_at(cp, STRUCT_DECL);
        self.bump();
        self.name(NameCtx::Plain);
        if self.at(LT) {
            self.generic_param_list();
        }
        if self.at(L_BRACE) {
            self.field_list();
        } else {
            self.error_expected(Expected::Token(L_BRACE));
        }
        self.finish();
    }

    fn field_list(&mut self) {
        self.start(FIELD_LIST);
        self.bump();
        while !self.at(R_BRACE) && !self.at_eof() && !self.at_template_inner() {
            let before = self.pos;
            self.field();
            if self.pos == before {
                self.err_and_bump(Expected::Name);
                continue;
            }
            if !self.eat(COMMA) && !self.eat(SEMI) && !self.at(R_BRACE) {
                self.error_expected(Expected::OneOf(&[COMMA, SEMI, R_BRACE]));
                self.recover_line(&[COMMA, SEMI]);
                if !self.eat(COMMA) {
                    self.eat(SEMI);
                }
            }
        }
        self.expect(R_BRACE);
        self.finish();
    }

    /// `[公开] 名: 类型 [= 默认值]`, or the legacy C style `[公开] 类型 名`.
    fn field(&mut self) {
        let modern = self.nth(usize::from(self.at(PUB_KW)) + 1) == COLON;
        let starts = self.at(PUB_KW)
            || (modern && (self.at_name(NameCtx::Field) || self.current().is_keyword()))
            || self.at_type_start();
        if !starts {
            return;
        }
        self.start(FIELD);
        if self.at(PUB_KW) {
            self.start(VISIBILITY);
            self.bump();
            self.finish();
        }
        if modern {
            self.name(NameCtx::Field);
            self.expect(COLON);
            self.type_ref();
            if self.eat(EQ) && !self.expr() {
                self.error_expected(Expected::Expr);
            }
        } else {
            self.type_ref();
            self.name(NameCtx::Field);
        }
        self.finish();
    }

    /// `枚举 名[<T>] { 变体, 变体(类型, …), … }`
    fn enum_decl(&mut self, cp: Checkpoint) {
        self.start_at(cp, ENUM_DECL);
        self.bump();
        self.name(NameCtx::Plain);
        if self.at(LT) {
            self.generic_param_list();
        }
        if self.at(L_BRACE) {
            self.start(VARIANT_LIST);
            self.bump();
            while !self.at(R_BRACE) && !self.at_eof() && !self.at_template_inner() {
                let before = self.pos;
                if self.at_name(NameCtx::Plain) || self.current().is_keyword() {
                    self.variant();
                }
                if self.pos == before {
                    self.err_and_bump(Expected::Name);
                    continue;
                }
                if !self.eat(COMMA) && !self.eat(SEMI) && !self.at(R_BRACE) {
                    self.error_expected(Expected::OneOf(&[COMMA, R_BRACE]));
                }
            }
            self.expect(R_BRACE);
            self.finish();
        } else {
            self.error_expected(Expected::Token(L_BRACE));
        }
        self.finish();
    }

    fn variant(&mut self) {
        self.start(VARIANT);
        self.name(NameCtx::Plain);
        if self.eat(L_PAREN) {
            self.comma_list(R_PAREN, Expected::Type, |p| {
                if p.at_type_start() {
                    p.type_ref();
                }
            });
            self.expect(R_PAREN);
        }
        self.finish();
    }

    /// `特性 名 { 函数 …; 函数 … { … } }`
    fn trait_decl(&mut self, cp: Checkpoint) {
        self.start_at(cp, TRAIT_DECL);
        self.bump();
        self.name(NameCtx::Plain);
        if self.at(LT) {
            self.generic_param_list();
        }
        self.assoc_item_list();
        self.finish();
    }

    /// `实现 类型 { … }` or `实现 特性 对于 类型 { … }` (`为` is accepted for `对于`).
    fn impl_decl(&mut self, cp: Checkpoint) {
        self.start_at(cp, IMPL_DECL);
        self.bump();
        if self.at(LT) {
            self.generic_param_list();
        }
        self.type_ref();
        if self.at(FOR_KW) || self.at_contextual("为") {
            self.bump();
            self.type_ref();
        }
        self.assoc_item_list();
        self.finish();
    }

    /// `外部 "库" { 函数 …; }`
    fn extern_block(&mut self, cp: Checkpoint) {
        self.start_at(cp, EXTERN_BLOCK);
        self.bump();
        if !self.eat(STRING) {
            self.error_expected(Expected::Token(STRING));
        }
        self.assoc_item_list();
        self.finish();
    }

    /// The `{ … }` of a trait, impl or extern block: function declarations only.
    fn assoc_item_list(&mut self) {
        if !self.at(L_BRACE) {
            self.error_expected(Expected::Token(L_BRACE));
            return;
        }
        self.start(ASSOC_ITEM_LIST);
        self.bump();
        while !self.at(R_BRACE) && !self.at_eof() && !self.at_template_inner() {
            match self.current() {
                PUB_KW | ASYNC_KW | FN_KW | EXPORT_KW => self.item(),
                SEMI => self.bump(),
                _ => self.err_and_bump(Expected::Token(FN_KW)),
            }
        }
        self.expect(R_BRACE);
        self.finish();
    }

    /// `包 名;` / `包 甲.乙;`
    fn package_decl(&mut self, cp: Checkpoint) {
        self.start_at(cp, PACKAGE_DECL);
        self.bump();
        self.path();
        self.expect_semi();
        self.finish();
    }

    /// `导出 名;` / `导出 模块::名;`
    fn export_decl(&mut self, cp: Checkpoint) {
        self.start_at(cp, EXPORT_DECL);
        self.bump();
        self.path();
        self.expect_semi();
        self.finish();
    }

    /// Segments joined by `.` or `::`.
    fn path(&mut self) {
        self.start(PATH);
        self.name_ref(NameCtx::PathSegment);
        while matches!(self.current(), DOT | COLON2) && NameCtx::PathSegment.accepts(self.nth(1)) {
            self.bump();
            self.name_ref(NameCtx::PathSegment);
        }
        self.finish();
    }

    /// `导入 路径 [作为 别名] [::{名, …}];` where the path may start with `./` or `../`.
    fn import_decl(&mut self, cp: Checkpoint) {
        self.start_at(cp, IMPORT_DECL);
        self.bump();
        self.import_path();
        if self.eat(AS_KW) {
            self.name(NameCtx::Plain);
        }
        if self.at(COLON2) && self.nth(1) == L_BRACE {
            self.bump();
            self.start(IMPORT_LIST);
            self.bump();
            self.comma_list(R_BRACE, Expected::Name, |p| {
                if p.at_name(NameCtx::PathSegment) {
                    p.name_ref(NameCtx::PathSegment);
                }
            });
            self.expect(R_BRACE);
            self.finish();
        }
        self.expect_semi();
        self.finish();
    }

    fn import_path(&mut self) {
        self.start(IMPORT_PATH);
        while matches!(self.current(), DOT | DOT2) && self.nth(1) == SLASH {
            self.bump();
            self.bump();
        }
        self.name_ref(NameCtx::PathSegment);
        while matches!(self.current(), DOT | SLASH) && NameCtx::PathSegment.accepts(self.nth(1)) {
            self.bump();
            self.name_ref(NameCtx::PathSegment);
        }
        self.finish();
    }
}
