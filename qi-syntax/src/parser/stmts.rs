//! Statements and blocks (language.md §4, §7, §9.3).

use super::Checkpoint;

use super::names::NameCtx;
use super::{Expected, Parser};
use crate::syntax_kind::SyntaxKind::{self, *};

/// Tokens after a name that make it the left operand of an infix operator.
fn infix_continues(kind: SyntaxKind) -> bool {
    matches!(
        kind,
        EQ2 | NEQ
            | LTEQ
            | GT
            | GTEQ
            | SLASH
            | PERCENT
            | SHL
            | SHR
            | CARET
            | AMP2
            | AND_KW
            | ALSO_KW
            | OR_KW
            | AS_KW
    ) || is_assignment(kind)
}

fn is_assignment(kind: SyntaxKind) -> bool {
    matches!(kind, EQ | PLUS_EQ | MINUS_EQ | STAR_EQ | SLASH_EQ | PERCENT_EQ | COLON_EQ)
}

impl Parser<'_> {
    /// The top level: declarations and statements until the end of input.
    pub(crate) fn source_file_items(&mut self) {
        while !self.at_eof() {
            let before = self.pos;
            if self.at(R_BRACE) || self.at_template_inner() {
                self.err_and_bump(Expected::Item);
                continue;
            }
            self.stmt();
            if self.pos == before {
                self.err_and_bump(Expected::Item);
            }
        }
    }

    /// One statement or declaration. Consumes nothing if the current token can start
    /// neither (the caller then reports and skips it).
    pub(crate) fn stmt(&mut self) {
        match self.current() {
            VAR_KW | CONST_KW => {
                let cp = self.checkpoint();
                self.let_stmt(cp);
            }
            IF_KW => self.if_stmt(),
            WHILE_KW => self.while_stmt(),
            FOR_KW => self.for_stmt(),
            RETURN_KW => self.return_stmt(),
            BREAK_KW => self.keyword_stmt(BREAK_STMT),
            CONTINUE_KW => self.keyword_stmt(CONTINUE_STMT),
            MATCH_KW => self.match_stmt(),
            SELECT_KW => self.select_stmt(),
            TRY_KW => self.try_stmt(),
            THROW_KW => self.expr_keyword_stmt(THROW_STMT),
            SPAWN_KW => self.expr_keyword_stmt(SPAWN_STMT),
            L_BRACE => {
                self.block();
            }
            // An empty statement, e.g. the tolerated `;` after `匹配 { … }`.
            SEMI => self.bump(),
            _ if self.at_item_start() => self.item(),
            IDENT if self.at_yield() => self.expr_keyword_stmt(YIELD_STMT),
            _ => self.expr_stmt(),
        }
    }

    /// `{ 语句… }` (also `【…】`). Returns `false` (after reporting) if there is no `{`.
    pub(crate) fn block(&mut self) -> bool {
        if !self.at(L_BRACE) {
            self.error_expected(Expected::Token(L_BRACE));
            return false;
        }
        if !self.enter() {
            return true;
        }
        self.start(BLOCK);
        self.bump();
        while !self.at(R_BRACE) && !self.at_eof() && !self.at_template_inner() {
            let before = self.pos;
            self.stmt();
            if self.pos == before {
                self.err_and_bump(Expected::Stmt);
            }
        }
        self.expect(R_BRACE);
        self.finish();
        self.leave();
        true
    }

    /// Requires the `;` (or `；`) ending a simple statement.
    pub(crate) fn expect_semi(&mut self) {
        if self.eat(SEMI) {
            return;
        }
        self.error_expected(Expected::Token(SEMI));
        self.recover_line(&[SEMI]);
        self.eat(SEMI);
    }

    /// `变量 名 [: 类型] [= 初值];` / `常量 …` (the checkpoint may precede `公开`).
    pub(crate) fn let_stmt(&mut self, cp: Checkpoint) {
        self.start_at(cp, LET_STMT);
        self.bump();
        self.name(NameCtx::Plain);
        if self.eat(COLON) {
            self.type_ref();
        }
        if self.eat(EQ) && !self.expr() {
            self.error_expected(Expected::Expr);
        }
        self.expect_semi();
        self.finish();
    }

    fn expr_stmt(&mut self) {
        let cp = self.checkpoint();
        if !self.expr() {
            return;
        }
        self.start_at(cp, EXPR_STMT);
        self.expect_semi();
        self.finish();
    }

    /// `跳出;` / `继续;`
    fn keyword_stmt(&mut self, kind: crate::SyntaxKind) {
        self.start(kind);
        self.bump();
        self.expect_semi();
        self.finish();
    }

    /// At `让出 表达式;`. `让出` is an ordinary name elsewhere, so outside a `协程 函数`
    /// only a word that cannot continue an expression after a name (`让出 值;`, not
    /// `让出(…)`, `让出 - 1`, `让出 = …`) makes it one (so that the checker can say that
    /// `让出` belongs in a `协程 函数`). Inside one, `让出(x);` and `让出 -1;` yield too.
    fn at_yield(&self) -> bool {
        if !self.at_contextual("让出") || self.nth_newline_before(1) {
            return false;
        }
        let next = self.nth(1);
        let continues_name = matches!(
            next,
            L_PAREN
                | L_BRACK
                | DOT
                | COLON2
                | MINUS
                | PLUS
                | STAR
                | AMP
                | L_ARROW
                | LT
                | PIPE
                | PIPE2
        ) || infix_continues(next);
        if self.in_generator {
            return next != SEMI
                && !matches!(next, DOT | COLON2)
                && !is_assignment(next)
                && self.nth_starts_expr(1);
        }
        !continues_name && self.nth_starts_expr(1)
    }

    /// `抛出 表达式;` / `启动 表达式;` / `让出 表达式;`
    fn expr_keyword_stmt(&mut self, kind: crate::SyntaxKind) {
        self.start(kind);
        self.bump();
        self.required_expr();
        self.expect_semi();
        self.finish();
    }

    fn return_stmt(&mut self) {
        self.start(RETURN_STMT);
        self.bump();
        if !matches!(self.current(), SEMI | R_BRACE | EOF) && !self.newline_ends_return() {
            self.required_expr();
        }
        self.expect_semi();
        self.finish();
    }

    /// `返回` followed on the next line by a statement keyword: a forgotten `;`, not a
    /// returned value.
    fn newline_ends_return(&self) -> bool {
        self.newline_before() && !self.at_expr_start()
    }

    pub(crate) fn required_expr(&mut self) {
        if !self.expr() {
            self.error_expected(Expected::Expr);
        }
    }

    /// `如果 条件 { … } [否则 如果 … ] [否则 { … }]` — the `否则 如果` chain is parsed
    /// iteratively (nested `IF_STMT` nodes, but no recursion).
    fn if_stmt(&mut self) {
        let mut open = 0;
        let mut entered = 0;
        loop {
            self.start(IF_STMT);
            open += 1;
            self.bump();
            self.required_expr();
            self.block();
            if self.eat(ELSE_KW) {
                if self.at(IF_KW) {
                    // Each `否则 如果` nests one level deeper in the tree.
                    if !self.enter_chain_link() {
                        break;
                    }
                    entered += 1;
                    continue;
                }
                self.block();
            }
            break;
        }
        for _ in 0..open {
            self.finish();
        }
        for _ in 0..entered {
            self.leave();
        }
    }

    /// `当 条件 { … }`, or `当 变量 x = 表达式 { … }` (loops while the `选项<T>` is `有`).
    fn while_stmt(&mut self) {
        self.start(WHILE_STMT);
        self.bump();
        if self.eat(VAR_KW) {
            self.name(NameCtx::Plain);
            self.expect(EQ);
        }
        self.required_expr();
        self.block();
        self.finish();
    }

    /// `对于 x 在 a..b` / `a 直到 b` / `a 到 b` / `表达式`, optionally in `( )`.
    fn for_stmt(&mut self) {
        self.start(FOR_STMT);
        self.bump();
        let parens = self.eat(L_PAREN);
        if !self.eat(UNDERSCORE) {
            self.name(NameCtx::Plain);
        }
        self.expect(IN_KW);
        self.required_expr();
        if matches!(self.current(), DOT2 | UNTIL_KW | TO_KW) {
            self.bump();
            self.required_expr();
        }
        if parens {
            self.expect(R_PAREN);
        }
        self.block();
        self.finish();
    }

    /// `匹配 值 { 模式 [如果 守卫] => { … } | 表达式 [,;] … }`
    fn match_stmt(&mut self) {
        self.start(MATCH_STMT);
        self.bump();
        self.required_expr();
        if self.at(L_BRACE) {
            self.start(MATCH_ARM_LIST);
            self.bump();
            while !self.at(R_BRACE) && !self.at_eof() && !self.at_template_inner() {
                let before = self.pos;
                if self.at_pattern_start() {
                    self.match_arm();
                }
                if self.pos == before {
                    self.err_and_bump(Expected::Pattern);
                }
            }
            self.expect(R_BRACE);
            self.finish();
        } else {
            self.error_expected(Expected::Token(L_BRACE));
        }
        self.finish();
    }

    fn match_arm(&mut self) {
        self.start(MATCH_ARM);
        self.pattern();
        if self.at(IF_KW) {
            self.start(MATCH_GUARD);
            self.bump();
            self.required_expr();
            self.finish();
        }
        self.expect(FAT_ARROW);
        if self.at(L_BRACE) {
            self.block();
            // Separators after a block arm are unnecessary but harmless.
            if matches!(self.current(), COMMA | SEMI) {
                self.bump();
            }
        } else if self.expr() {
            if matches!(self.current(), COMMA | SEMI) {
                self.bump();
            } else if !self.at(R_BRACE) {
                self.error_expected(Expected::OneOf(&[COMMA, SEMI, R_BRACE]));
            }
        } else {
            self.error_expected(Expected::Expr);
        }
        self.finish();
    }

    /// `选择 { 情况 v := <-c: 语句… 情况 <-c: … 情况 c <- v: … 情况 超时(ms): … 默认: … }`
    fn select_stmt(&mut self) {
        self.start(SELECT_STMT);
        self.bump();
        if self.eat(L_BRACE) {
            loop {
                match self.current() {
                    CASE_KW | DEFAULT_KW => self.select_case(),
                    R_BRACE | EOF => break,
                    _ if self.at_template_inner() => break,
                    _ => self.err_and_bump(Expected::OneOf(&[CASE_KW, DEFAULT_KW, R_BRACE])),
                }
            }
            self.expect(R_BRACE);
        } else {
            self.error_expected(Expected::Token(L_BRACE));
        }
        self.finish();
    }

    fn select_case(&mut self) {
        self.start(SELECT_CASE);
        if !self.eat(DEFAULT_KW) {
            self.bump(); // 情况
            if self.eat(TIMEOUT_KW) {
                self.expect(L_PAREN);
                self.required_expr();
                self.expect(R_PAREN);
            } else if self.at_name(NameCtx::Plain) && self.nth(1) == COLON_EQ {
                self.name(NameCtx::Plain);
                self.bump();
                self.required_expr();
            } else {
                self.required_expr();
            }
        }
        self.expect(COLON);
        self.start(STMT_LIST);
        while !matches!(self.current(), CASE_KW | DEFAULT_KW | R_BRACE | EOF)
            && !self.at_template_inner()
        {
            let before = self.pos;
            self.stmt();
            if self.pos == before {
                self.err_and_bump(Expected::Stmt);
            }
        }
        self.finish();
        self.finish();
    }

    /// `尝试 { … } [捕获 [名 [: 类型]] { … }]… [最终 { … }]`
    fn try_stmt(&mut self) {
        self.start(TRY_STMT);
        self.bump();
        self.block();
        while self.at(CATCH_KW) {
            self.start(CATCH_CLAUSE);
            self.bump();
            if self.at_name(NameCtx::Plain) {
                self.name(NameCtx::Plain);
                if self.eat(COLON) {
                    self.type_ref();
                }
            }
            self.block();
            self.finish();
        }
        if self.at(FINALLY_KW) {
            self.start(FINALLY_CLAUSE);
            self.bump();
            self.block();
            self.finish();
        }
        self.finish();
    }
}
