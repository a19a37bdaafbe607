//! The parser: recursive descent for declarations and statements, Pratt parsing for
//! expressions, building a rowan green tree directly (checkpoints wrap a parsed left
//! operand into its parent node).
//!
//! The parser never fails: unexpected tokens are reported and wrapped in `ERROR` nodes,
//! and every token of the input, trivia included, ends up in the tree. Trivia is
//! attached lazily: it is flushed into whatever node is open when the next significant
//! token is consumed or the next node starts, so nodes begin and end at significant
//! tokens and whitespace/comments between them belong to the parent.

mod exprs;
mod green;
mod items;
mod messages;
mod names;
mod patterns;
mod stmts;
mod types;

use rowan::{GreenNode, TextRange, TextSize};

use crate::diagnostic::Diagnostic;
use crate::lexer::Token;
use crate::syntax_kind::SyntaxKind::{self, *};
pub(crate) use green::Checkpoint;
use green::TreeBuilder;
pub(crate) use messages::Expected;

/// Deepest nesting of expressions/blocks/types/patterns before the parser gives up on
/// the construct (reporting it) instead of recursing further and overflowing the stack.
/// Chains that the parser builds in a loop count too: every operator of `a + b + c`,
/// every call, field or index of `a.b(c)[d]` and every `否则 如果` adds a level to the
/// tree (`((a + b) + c)`). The limit therefore bounds the depth of every syntax tree,
/// and with it the recursion of every later pass (docs/ARCHITECTURE.md, invariants).
pub const MAX_DEPTH: u32 = 1024;

/// Parses a token sequence produced by [`crate::lexer::lex`] for `text`.
pub(crate) fn parse_tokens(text: &str, tokens: Vec<Token>) -> (GreenNode, Vec<Diagnostic>) {
    let mut p = Parser::new(text, tokens);
    p.builder.start_node(SOURCE_FILE.into());
    p.source_file_items();
    p.flush_rest();
    p.builder.finish_node();
    (p.builder.finish(), p.errors)
}

pub(crate) struct Parser<'t> {
    text: &'t str,
    /// All tokens, trivia included.
    tokens: Vec<Token>,
    /// Indices (into `tokens`) of the significant tokens.
    significant: Vec<u32>,
    /// Current position, an index into `significant`.
    pos: usize,
    /// `tokens[..emitted]` are already in the tree.
    emitted: usize,
    builder: TreeBuilder<'t>,
    errors: Vec<Diagnostic>,
    /// Nesting levels entered now ([`Parser::enter`]).
    depth: u32,
    /// The deepest level reached by the tree built so far (see [`Parser::deepen`]).
    peak: u32,
    reported_too_deep: bool,
    /// A too deep construct was just skipped: what the constructs around it miss at the
    /// point where the skip stopped is a consequence, not another error.
    cut_short: bool,
    /// Parsing the body of a `协程 函数`: there a statement `让出(x);` yields too.
    in_generator: bool,
}

impl<'t> Parser<'t> {
    fn new(text: &'t str, tokens: Vec<Token>) -> Parser<'t> {
        let significant = tokens
            .iter()
            .enumerate()
            .filter(|(_, t)| !t.kind.is_trivia())
            .map(|(i, _)| i as u32)
            .collect();
        Parser {
            text,
            tokens,
            significant,
            pos: 0,
            emitted: 0,
            builder: TreeBuilder::new(),
            errors: Vec::new(),
            depth: 0,
            peak: 0,
            reported_too_deep: false,
            cut_short: false,
            in_generator: false,
        }
    }

    // ---- looking at tokens -------------------------------------------------------

    fn nth_token(&self, n: usize) -> Option<&Token> {
        self.significant.get(self.pos + n).map(|&i| &self.tokens[i as usize])
    }

    fn nth(&self, n: usize) -> SyntaxKind {
        self.nth_token(n).map_or(EOF, |t| t.kind)
    }

    fn current(&self) -> SyntaxKind {
        self.nth(0)
    }

    fn at(&self, kind: SyntaxKind) -> bool {
        self.current() == kind
    }

    fn at_eof(&self) -> bool {
        self.pos >= self.significant.len()
    }

    fn current_text(&self) -> &'t str {
        self.nth_token(0).map_or("", |t| &self.text[t.range])
    }

    /// Whether the current token is the identifier `word` (contextual keywords like `为`).
    fn at_contextual(&self, word: &str) -> bool {
        self.at(IDENT) && self.current_text() == word
    }

    fn current_range(&self) -> TextRange {
        match self.nth_token(0) {
            Some(t) => t.range,
            None => TextRange::empty(TextSize::of(self.text)),
        }
    }

    /// End offset of the last consumed significant token.
    fn prev_end(&self) -> TextSize {
        match self.pos.checked_sub(1) {
            Some(p) => self.tokens[self.significant[p] as usize].range.end(),
            None => TextSize::from(0),
        }
    }

    /// Whether a line break separates the current token from the previous one; used to
    /// guess that a statement ended there (a forgotten `;`).
    fn newline_before(&self) -> bool {
        let Some(&cur) = self.significant.get(self.pos) else { return true };
        let from = match self.pos.checked_sub(1) {
            Some(p) => self.significant[p] as usize + 1,
            None => 0,
        };
        self.tokens[from..cur as usize].iter().any(|t| self.text[t.range].contains('\n'))
    }

    /// Whether a line break separates the `n`th token ahead from the one before it.
    fn nth_newline_before(&self, n: usize) -> bool {
        let (Some(&cur), Some(&prev)) =
            (self.significant.get(self.pos + n), self.significant.get(self.pos + n - 1))
        else {
            return true;
        };
        self.tokens[prev as usize + 1..cur as usize]
            .iter()
            .any(|t| self.text[t.range].contains('\n'))
    }

    /// Tokens that only the template-string parser may consume.
    fn at_template_inner(&self) -> bool {
        matches!(self.current(), HOLE_CLOSE | TEMPLATE_END | TEMPLATE_TEXT | HOLE_OPEN)
    }

    // ---- building the tree -------------------------------------------------------

    fn emit(&mut self, index: usize) {
        let t = self.tokens[index];
        let text: &'t str = self.text;
        self.builder.token(t.kind.into(), &text[t.range]);
    }

    /// Emits the trivia preceding the current token into the currently open node.
    fn flush_trivia(&mut self) {
        let upto = self.significant.get(self.pos).map_or(self.tokens.len(), |&i| i as usize);
        while self.emitted < upto {
            self.emit(self.emitted);
            self.emitted += 1;
        }
    }

    fn flush_rest(&mut self) {
        while self.emitted < self.tokens.len() {
            self.emit(self.emitted);
            self.emitted += 1;
        }
    }

    /// Consumes the current token (no-op at end of input).
    fn bump(&mut self) {
        if self.at_eof() {
            return;
        }
        self.flush_trivia();
        self.emit(self.emitted);
        self.emitted += 1;
        self.pos += 1;
        self.cut_short = false;
    }

    /// Consumes the leading `>` of a `>>` or `>=` token (closing generic arguments) and
    /// leaves the rest (`>` or `=`) as the current token.
    fn bump_split_gt(&mut self) {
        self.flush_trivia();
        let index = self.significant[self.pos] as usize;
        let t = self.tokens[index];
        let rest = if t.kind == SHR { GT } else { EQ };
        let mid = t.range.start() + TextSize::from(1);
        self.builder.token(GT.into(), ">");
        self.tokens[index] = Token { kind: rest, range: TextRange::new(mid, t.range.end()) };
    }

    fn eat(&mut self, kind: SyntaxKind) -> bool {
        if self.at(kind) {
            self.bump();
            true
        } else {
            false
        }
    }

    fn expect(&mut self, kind: SyntaxKind) -> bool {
        if self.eat(kind) {
            return true;
        }
        self.error_expected(Expected::Token(kind));
        false
    }

    fn start(&mut self, kind: SyntaxKind) {
        self.flush_trivia();
        self.builder.start_node(kind.into());
    }

    fn finish(&mut self) {
        self.builder.finish_node();
    }

    fn checkpoint(&mut self) -> Checkpoint {
        self.flush_trivia();
        self.builder.checkpoint()
    }

    fn start_at(&mut self, checkpoint: Checkpoint, kind: SyntaxKind) {
        self.builder.start_node_at(checkpoint, kind.into());
    }

    // ---- errors and recovery -----------------------------------------------------

    fn push_error(&mut self, diagnostic: Diagnostic) {
        // One error per position: later complaints about the same spot are cascades.
        if self.errors.last().is_some_and(|last| last.range.start() == diagnostic.range.start()) {
            return;
        }
        self.errors.push(diagnostic);
    }

    fn error_at(&mut self, range: TextRange, message: crate::diagnostic::Text) {
        self.push_error(Diagnostic::error(range, message));
    }

    /// Reports that the current token is not what `expected` describes.
    fn error_expected(&mut self, expected: Expected) {
        if self.at(ERROR) || self.cut_short {
            return; // the lexer already reported this character, or a skip explains it
        }
        let range = self.current_range();
        let found = (!self.at_eof()).then(|| self.current_text());
        let mut diagnostic = Diagnostic::error(range, messages::unexpected(found, expected));
        if let Some(hint) = messages::hint(self.current(), self.current_text(), expected) {
            diagnostic = diagnostic.with_hint(hint);
        }
        self.push_error(diagnostic);
    }

    /// Reports the current token and skips it inside an `ERROR` node.
    fn err_and_bump(&mut self, expected: Expected) {
        self.error_expected(expected);
        if self.at_eof() {
            return;
        }
        self.start(ERROR);
        self.bump_any();
        self.finish();
    }

    /// Consumes one token, or a whole template string so its inner tokens stay paired.
    fn bump_any(&mut self) {
        if self.at(TEMPLATE_START) {
            self.template();
        } else {
            self.bump();
        }
    }

    /// Enters one level of nesting; at the limit, reports once, skips the construct
    /// and returns `false`.
    fn enter(&mut self) -> bool {
        if self.depth < MAX_DEPTH {
            self.depth += 1;
            self.peak = self.peak.max(self.depth);
            return true;
        }
        self.too_deep(messages::too_deep());
        false
    }

    /// Before a chain (binary operators, postfix operators) wraps the tree built so far,
    /// whose deepest level is `deepest`, into a new node: the wrap moves that tree one
    /// level down. At the limit, reports once, skips the rest of the chain and returns
    /// `false`.
    fn deepen(&mut self, deepest: u32) -> bool {
        if deepest < MAX_DEPTH {
            return true;
        }
        self.too_deep(messages::chain_too_deep());
        false
    }

    /// Enters the level of the next link of a chain built by nesting open nodes (the
    /// `否则 如果` of an `如果`), reporting a too long chain as such. The link's own
    /// contents (condition, block) need the level below it too.
    fn enter_chain_link(&mut self) -> bool {
        self.deepen(self.depth + 1) && self.enter()
    }

    fn too_deep(&mut self, diagnostic: Diagnostic) {
        if !self.reported_too_deep {
            self.reported_too_deep = true;
            let range = self.current_range();
            self.push_error(Diagnostic { range, ..diagnostic });
        }
        self.skip_nested();
        self.cut_short = true;
    }

    /// Starts measuring the height of a chain whose root is at level `base`: returns the
    /// peak to restore with [`Parser::end_height`].
    fn start_height(&mut self, base: u32) -> u32 {
        std::mem::replace(&mut self.peak, base)
    }

    /// Levels below `base` reached since the last [`Parser::start_height`] or
    /// [`Parser::reset_height`].
    fn height(&self, base: u32) -> u32 {
        self.peak - base
    }

    fn reset_height(&mut self, base: u32) {
        self.peak = base;
    }

    /// Ends a measurement: the tree under `base` reaches `height` levels below it.
    fn end_height(&mut self, outer_peak: u32, base: u32, height: u32) {
        self.peak = outer_peak.max(base + height);
    }

    fn leave(&mut self) {
        self.depth -= 1;
    }

    /// Skips (flat, without recursion) up to a `;` or an unmatched closing bracket.
    fn skip_nested(&mut self) {
        if self.at_eof() || self.at(SEMI) || is_closer(self.current()) {
            return;
        }
        self.start(ERROR);
        let mut balance = 0u32;
        while !self.at_eof() {
            let kind = self.current();
            if is_closer(kind) {
                if balance == 0 {
                    break;
                }
                balance -= 1;
            } else if is_opener(kind) {
                balance += 1;
            } else if kind == SEMI && balance == 0 {
                break;
            }
            self.bump();
        }
        self.finish();
    }

    /// After a construct that lacks its terminator: skips the junk that follows it on
    /// the same line, up to (not including) one of `stops`, an unmatched closing bracket
    /// or the end of the line. A line break right away means the terminator was simply
    /// forgotten, so nothing is skipped.
    fn recover_line(&mut self, stops: &[SyntaxKind]) {
        if self.newline_before() || self.at_eof() || is_closer(self.current()) {
            return;
        }
        self.start(ERROR);
        let mut balance = 0u32;
        while !self.at_eof() && !self.at_template_inner() {
            let kind = self.current();
            if balance == 0 && (stops.contains(&kind) || is_closer(kind) || self.newline_before()) {
                break;
            }
            if kind == TEMPLATE_START {
                self.template(); // consumed whole, so it does not affect the balance
                continue;
            }
            if is_opener(kind) {
                balance += 1;
            } else if is_closer(kind) {
                balance -= 1;
            }
            self.bump();
        }
        self.finish();
    }

    /// Items separated by `,` up to `close` (not consumed). `item` parses one element;
    /// it must consume nothing when the current token cannot start one.
    fn comma_list(&mut self, close: SyntaxKind, what: Expected, mut item: impl FnMut(&mut Self)) {
        let mut reported_missing_comma = false;
        while !self.at(close) && !self.at_eof() && !self.at_list_stop() {
            let before = self.pos;
            item(self);
            if self.pos == before {
                self.err_and_bump(what);
                continue;
            }
            if self.at(close) || self.eat(COMMA) {
                continue;
            }
            if self.at_list_stop() {
                break;
            }
            // Another element follows without a comma: report once, keep parsing.
            if !reported_missing_comma {
                reported_missing_comma = true;
                self.error_expected(Expected::Either(COMMA, close));
            }
        }
    }

    /// Tokens at which a list gives up: closers, `;`, a `{` (no list element starts
    /// with one, so it most likely opens the body after an unclosed list), and keywords
    /// that only start statements or declarations.
    fn at_list_stop(&self) -> bool {
        let kind = self.current();
        is_closer(kind)
            || matches!(
                kind,
                SEMI | L_BRACE
                    | TEMPLATE_TEXT
                    | VAR_KW
                    | CONST_KW
                    | IF_KW
                    | WHILE_KW
                    | FOR_KW
                    | RETURN_KW
                    | BREAK_KW
                    | THROW_KW
                    | TRY_KW
                    | SELECT_KW
                    | IMPORT_KW
                    | PACKAGE_KW
                    | STRUCT_KW
                    | ENUM_KW
                    | TRAIT_KW
                    | IMPL_KW
                    | EXTERN_KW
            )
    }
}

fn is_opener(kind: SyntaxKind) -> bool {
    matches!(kind, L_PAREN | L_BRACE | L_BRACK | TEMPLATE_START | HOLE_OPEN)
}

fn is_closer(kind: SyntaxKind) -> bool {
    matches!(kind, R_PAREN | R_BRACE | R_BRACK | TEMPLATE_END | HOLE_CLOSE)
}
