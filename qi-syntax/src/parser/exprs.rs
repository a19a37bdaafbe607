//! Expressions (language.md §6): a Pratt parser over the precedence table of §6.1.
//!
//! Binding levels, loosest first: 1 assignment and send (right-assoc), 2 `|| 或`,
//! 3 `&& 与 且`, 4 comparisons (non-associative), 5 `作为` (non-associative), 6 `+ - | ^`,
//! 7 `* / % << >> &`; then prefix operators (`- + ! 非 等待 启动 <-`), postfix operators,
//! and the tight prefixes `&`/`*` which bind even closer than postfix.

use super::names::NameCtx;
use super::{messages, Expected, Parser};
use crate::syntax_kind::SyntaxKind::{self, *};

#[derive(Clone, Copy, PartialEq, Eq)]
enum Assoc {
    Left,
    Right,
    Non,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Infix {
    Binary,
    Assign,
    Send,
    Cast,
}

fn infix_info(kind: SyntaxKind) -> Option<(u8, Assoc, Infix)> {
    use Assoc::*;
    Some(match kind {
        EQ | PLUS_EQ | MINUS_EQ | STAR_EQ | SLASH_EQ | PERCENT_EQ => (1, Right, Infix::Assign),
        L_ARROW => (1, Right, Infix::Send),
        PIPE2 | OR_KW => (2, Left, Infix::Binary),
        AMP2 | AND_KW | ALSO_KW => (3, Left, Infix::Binary),
        EQ2 | NEQ | LT | LTEQ | GT | GTEQ => (4, Non, Infix::Binary),
        AS_KW => (5, Non, Infix::Cast),
        PLUS | MINUS | PIPE | CARET => (6, Left, Infix::Binary),
        STAR | SLASH | PERCENT | SHL | SHR | AMP => (7, Left, Infix::Binary),
        _ => return None,
    })
}

impl Parser<'_> {
    /// Parses an expression; returns `false` (consuming nothing) if none starts here.
    pub(crate) fn expr(&mut self) -> bool {
        self.expr_bp(1).is_some()
    }

    pub(crate) fn at_expr_start(&self) -> bool {
        match self.current() {
            MINUS | PLUS | BANG | NOT_KW | AWAIT_KW | SPAWN_KW | L_ARROW | AMP | STAR => true,
            INT | FLOAT | STRING | RAW_STRING | CHAR | TRUE_KW | FALSE_KW | TEMPLATE_START => true,
            IDENT | LEN_KW | L_PAREN | L_BRACK | NEW_KW | CLOSURE_KW | PIPE | PIPE2 => true,
            kind => self.keyword_starts_primary(kind),
        }
    }

    /// Can the `n`th token ahead begin an expression? (As [`Parser::at_expr_start`],
    /// without looking further.)
    pub(crate) fn nth_starts_expr(&self, n: usize) -> bool {
        match self.nth(n) {
            MINUS | PLUS | BANG | NOT_KW | AWAIT_KW | SPAWN_KW | L_ARROW | AMP | STAR => true,
            INT | FLOAT | STRING | RAW_STRING | CHAR | TRUE_KW | FALSE_KW | TEMPLATE_START => true,
            IDENT | LEN_KW | L_PAREN | L_BRACK | NEW_KW | CLOSURE_KW | PIPE | PIPE2 => true,
            kind => kind.is_builtin_type_kw() || is_word_primary(kind),
        }
    }

    /// At `启动协程 f(…)`: the word `启动协程` followed on the same line by a name (as
    /// an ordinary name it could not be followed by one).
    fn at_generator_start(&self) -> bool {
        self.at_contextual("启动协程")
            && matches!(self.nth(1), IDENT | LEN_KW)
            && !self.nth_newline_before(1)
    }

    /// Reserved words that can begin a primary expression: `数组<T>(n)`, `通道<T>()`,
    /// module paths named by a type word (`字符串::字节长度(s)`, `字符串.f(…)`), and the
    /// words that may name a field or parameter.
    fn keyword_starts_primary(&self, kind: SyntaxKind) -> bool {
        (kind.is_builtin_type_kw() && matches!(self.nth(1), COLON2 | DOT)) || is_word_primary(kind)
    }

    /// Returns the kind of the node built, or `None` if no expression starts here.
    fn expr_bp(&mut self, min_level: u8) -> Option<SyntaxKind> {
        if !self.at_expr_start() {
            return None;
        }
        if !self.enter() {
            return Some(ERROR);
        }
        let base = self.depth;
        let outer_peak = self.start_height(base);
        let cp = self.checkpoint();
        let start = self.current_range().start();
        let mut lhs = self.unary();
        let mut height = self.height(base);
        // Level of the non-associative operator just applied, if any.
        let mut non_assoc: Option<u8> = None;
        while let Some((level, assoc, form)) = infix_info(self.current()) {
            if level < min_level {
                break;
            }
            if let Some(prev) = non_assoc {
                if level >= prev {
                    let range = self.current_range();
                    let message = if prev == 4 {
                        messages::chained_comparison()
                    } else {
                        messages::cast_needs_parens()
                    };
                    self.error_at(range, message);
                }
            }
            if form == Infix::Assign && !matches!(lhs, PATH_EXPR | FIELD_EXPR | INDEX_EXPR | ERROR)
            {
                let range = rowan::TextRange::new(start, self.prev_end());
                self.error_at(range, messages::invalid_assign_target());
            }
            if !self.deepen(base + height) {
                break;
            }
            self.bump();
            self.reset_height(base);
            let node = match form {
                Infix::Cast => {
                    self.type_ref_no_generics();
                    CAST_EXPR
                }
                _ => {
                    let rhs_min = if assoc == Assoc::Right { level } else { level + 1 };
                    if self.expr_bp(rhs_min).is_none() {
                        self.error_expected(Expected::Expr);
                    }
                    match form {
                        Infix::Assign => ASSIGN_EXPR,
                        Infix::Send => SEND_EXPR,
                        _ => BIN_EXPR,
                    }
                }
            };
            // The operands so far move one level down; the right operand was measured
            // from this level.
            height = (height + 1).max(self.height(base));
            self.start_at(cp, node);
            self.finish();
            lhs = node;
            non_assoc = (assoc == Assoc::Non).then_some(level);
        }
        self.end_height(outer_peak, base, height);
        self.leave();
        Some(lhs)
    }

    /// Prefix operators of level 3, then a postfix expression.
    fn unary(&mut self) -> SyntaxKind {
        let node = match self.current() {
            MINUS | PLUS | BANG | NOT_KW => PREFIX_EXPR,
            AWAIT_KW => AWAIT_EXPR,
            SPAWN_KW => SPAWN_EXPR,
            L_ARROW => RECV_EXPR,
            IDENT if self.at_generator_start() => GEN_START_EXPR,
            _ => return self.postfix(),
        };
        if !self.enter() {
            return ERROR;
        }
        self.start(node);
        self.bump();
        if self.at_expr_start() {
            self.unary();
        } else {
            self.error_expected(Expected::Expr);
        }
        self.finish();
        self.leave();
        node
    }

    /// A primary (or tight `&`/`*` prefix) followed by calls, fields, method calls and
    /// indexing.
    fn postfix(&mut self) -> SyntaxKind {
        let base = self.depth;
        let outer_peak = self.start_height(base);
        let kind = self.postfix_chain(base);
        let height = self.height(base);
        self.end_height(outer_peak, base, height);
        kind
    }

    /// [`Parser::postfix`] measuring the chain's height below `base` in `self.peak`.
    fn postfix_chain(&mut self, base: u32) -> SyntaxKind {
        let cp = self.checkpoint();
        let mut kind = if matches!(self.current(), AMP | STAR) {
            self.tight_prefix()
        } else {
            match self.primary() {
                Some(kind) => kind,
                None => {
                    self.error_expected(Expected::Expr);
                    return ERROR;
                }
            }
        };
        let mut height = self.height(base);
        while matches!(self.current(), L_PAREN | DOT | L_BRACK) {
            if !self.deepen(base + height) {
                break;
            }
            self.reset_height(base);
            kind = match self.current() {
                L_PAREN => {
                    self.arg_list();
                    CALL_EXPR
                }
                DOT => {
                    self.bump();
                    self.name_ref(NameCtx::Field);
                    if self.at(COLON2) && self.nth(1) == LT {
                        self.bump();
                        self.generic_arg_list();
                    }
                    if self.at(L_PAREN) {
                        self.arg_list();
                        METHOD_CALL_EXPR
                    } else {
                        FIELD_EXPR
                    }
                }
                L_BRACK => {
                    self.bump();
                    self.required_expr();
                    self.expect(R_BRACK);
                    INDEX_EXPR
                }
                _ => unreachable!("the loop condition admits only these"),
            };
            height = (height + 1).max(self.height(base));
            self.start_at(cp, kind);
            self.finish();
        }
        self.reset_height(base + height);
        kind
    }

    /// `&x`, `*p` (level 1: the operand is a primary, postfix applies to the result).
    fn tight_prefix(&mut self) -> SyntaxKind {
        if !self.enter() {
            return ERROR;
        }
        self.start(PREFIX_EXPR);
        self.bump();
        if matches!(self.current(), AMP | STAR) {
            self.tight_prefix();
        } else if self.primary().is_none() {
            self.error_expected(Expected::Expr);
        }
        self.finish();
        self.leave();
        PREFIX_EXPR
    }

    fn primary(&mut self) -> Option<SyntaxKind> {
        let kind = self.current();
        Some(match kind {
            _ if kind.is_literal() => {
                self.start(LITERAL);
                self.bump();
                self.finish();
                LITERAL
            }
            TEMPLATE_START => self.template(),
            ARRAY_KW if self.nth(1) == LT => self.sized_new(ARRAY_NEW_EXPR, true),
            CHAN_KW if self.nth(1) == LT => self.sized_new(CHAN_NEW_EXPR, false),
            IDENT | LEN_KW => self.path_expr(),
            L_PAREN => {
                self.start(PAREN_EXPR);
                self.bump();
                self.required_expr();
                self.expect(R_PAREN);
                self.finish();
                PAREN_EXPR
            }
            L_BRACK => {
                self.start(ARRAY_EXPR);
                self.bump();
                self.comma_list(R_BRACK, Expected::Expr, |p| {
                    p.expr();
                });
                self.expect(R_BRACK);
                self.finish();
                ARRAY_EXPR
            }
            NEW_KW => self.struct_lit(),
            CLOSURE_KW => self.closure(),
            PIPE | PIPE2 => self.bar_closure(),
            _ if self.keyword_starts_primary(kind) => self.path_expr(),
            _ => return None,
        })
    }

    /// `名`, `模块::函数`, `枚举::变体`, `字符串::字节长度`, turbofish `名::<T>`.
    fn path_expr(&mut self) -> SyntaxKind {
        self.start(PATH_EXPR);
        self.start(NAME_REF);
        self.bump();
        self.finish();
        while self.at(COLON2) {
            if self.nth(1) == LT {
                self.bump();
                self.generic_arg_list();
                break;
            }
            self.bump();
            if !self.name_ref(NameCtx::Field) {
                break;
            }
        }
        self.finish();
        PATH_EXPR
    }

    /// `数组<T>(n)` / `通道<T>(n)` / `通道<T>()`.
    fn sized_new(&mut self, node: SyntaxKind, size_required: bool) -> SyntaxKind {
        self.start(node);
        self.bump();
        self.generic_arg_list();
        if self.at(L_PAREN) {
            // `数组<T>()` lacks the length (a channel's capacity may be omitted).
            let missing_size = size_required && self.nth(1) == R_PAREN;
            let close = self.nth_token(1).map(|t| t.range);
            self.arg_list();
            if let (true, Some(range)) = (missing_size, close) {
                self.error_at(range, messages::unexpected(Some(")"), Expected::Expr));
            }
        } else {
            self.error_expected(Expected::Token(L_PAREN));
        }
        self.finish();
        node
    }

    pub(crate) fn arg_list(&mut self) {
        self.start(ARG_LIST);
        self.bump();
        self.comma_list(R_PAREN, Expected::Expr, |p| {
            p.expr();
        });
        self.expect(R_PAREN);
        self.finish();
    }

    /// `新建 名[<T>] { 字段: 值, ..基 }`
    fn struct_lit(&mut self) -> SyntaxKind {
        self.start(STRUCT_LIT);
        self.bump();
        self.type_ref();
        if self.eat(L_BRACE) {
            self.comma_list(R_BRACE, Expected::Name, |p| p.struct_lit_field());
            self.expect(R_BRACE);
        } else {
            self.error_expected(Expected::Token(L_BRACE));
        }
        self.finish();
        STRUCT_LIT
    }

    fn struct_lit_field(&mut self) {
        if self.at(DOT2) {
            self.start(STRUCT_LIT_SPREAD);
            self.bump();
            self.required_expr();
            self.finish();
        } else if self.at_name(NameCtx::Field)
            || (self.current().is_keyword() && self.nth(1) == COLON)
        {
            self.start(STRUCT_LIT_FIELD);
            self.name_ref(NameCtx::Field);
            self.expect(COLON);
            self.required_expr();
            self.finish();
        }
    }

    /// `闭包 [弱 x, y] (参数…) [: 类型] { … }`
    fn closure(&mut self) -> SyntaxKind {
        self.start(CLOSURE_EXPR);
        self.bump();
        if self.at(L_BRACK) {
            self.start(CAPTURE_LIST);
            self.bump();
            self.comma_list(R_BRACK, Expected::Name, |p| {
                if p.at(WEAK_KW) || p.at_name(NameCtx::Field) {
                    p.start(CAPTURE);
                    p.eat(WEAK_KW);
                    p.name_ref(NameCtx::Field);
                    p.finish();
                }
            });
            self.expect(R_BRACK);
            self.finish();
        }
        if self.at(L_PAREN) {
            self.param_list();
        }
        if self.at(COLON) {
            self.ret_type();
        }
        self.block();
        self.finish();
        CLOSURE_EXPR
    }

    /// `|a: T, b| { … }` / `|| { … }`
    fn bar_closure(&mut self) -> SyntaxKind {
        self.start(CLOSURE_EXPR);
        self.start(PARAM_LIST);
        if !self.eat(PIPE2) {
            self.bump();
            self.comma_list(PIPE, Expected::Name, |p| p.param(false));
            self.expect(PIPE);
        }
        self.finish();
        self.block();
        self.finish();
        CLOSURE_EXPR
    }

    /// `f"…{x}…"`, `模板"…"`, `"…${x}…"`: text pieces and holes.
    pub(crate) fn template(&mut self) -> SyntaxKind {
        self.start(TEMPLATE_STRING);
        self.bump();
        loop {
            match self.current() {
                TEMPLATE_TEXT => self.bump(),
                HOLE_OPEN => self.template_hole(),
                TEMPLATE_END => {
                    self.bump();
                    break;
                }
                // End of input inside the string: the lexer has reported it.
                _ => break,
            }
        }
        self.finish();
        TEMPLATE_STRING
    }

    fn template_hole(&mut self) {
        self.start(TEMPLATE_HOLE);
        let open = self.current_range();
        self.bump();
        if self.at(HOLE_CLOSE) {
            let range = open.cover(self.current_range());
            self.error_at(range, messages::empty_hole());
        } else {
            self.required_expr();
            if !self.at(HOLE_CLOSE) && !self.at_eof() {
                self.error_expected(Expected::Token(HOLE_CLOSE));
                self.start(ERROR);
                while !self.at(HOLE_CLOSE) && !self.at_eof() {
                    self.bump_any();
                }
                self.finish();
            }
        }
        // A missing `}` only happens at the end of input, which the lexer reported.
        self.eat(HOLE_CLOSE);
        self.finish();
    }
}

/// Reserved words that begin a primary expression wherever they stand: `数组<T>(n)`,
/// `通道<T>()`, and the words that may name a field or parameter.
fn is_word_primary(kind: SyntaxKind) -> bool {
    matches!(
        kind,
        TYPE_KW | RESULT_KW | OPTION_KW | LIST_KW | ARRAY_KW | CHAN_KW | DEFAULT_KW | FINALLY_KW
    )
}
