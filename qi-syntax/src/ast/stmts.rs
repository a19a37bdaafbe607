//! Views of blocks and statements.

use super::support::{child, child_after, children, token, token_where};
use super::{
    ast_enum, ast_node, AstChildren, AstNode, Expr, Item, Name, Pat, RecvExpr, SendExpr, TypeRef,
};
use crate::SyntaxKind::*;
use crate::SyntaxToken;

ast_node!(
    /// `{ … }` or `【 … 】`
    Block => BLOCK
);
ast_node!(
    /// `变量 名 [: 类型] [= 初值];` or `常量 …` (local or global).
    LetStmt => LET_STMT
);
ast_node!(
    /// An expression followed by `;` (calls, assignments, sends …).
    ExprStmt => EXPR_STMT
);
ast_node!(IfStmt => IF_STMT);
ast_node!(
    /// `当 条件 { … }`
    WhileStmt => WHILE_STMT
);
ast_node!(
    /// `对于 x 在 …`
    ForStmt => FOR_STMT
);
ast_node!(BreakStmt => BREAK_STMT);
ast_node!(ContinueStmt => CONTINUE_STMT);
ast_node!(ReturnStmt => RETURN_STMT);
ast_node!(MatchStmt => MATCH_STMT);
ast_node!(MatchArmList => MATCH_ARM_LIST);
ast_node!(MatchArm => MATCH_ARM);
ast_node!(MatchGuard => MATCH_GUARD);
ast_node!(SelectStmt => SELECT_STMT);
ast_node!(SelectCase => SELECT_CASE);
ast_node!(
    /// The statements of one `选择` case.
    StmtList => STMT_LIST
);
ast_node!(TryStmt => TRY_STMT);
ast_node!(CatchClause => CATCH_CLAUSE);
ast_node!(FinallyClause => FINALLY_CLAUSE);
ast_node!(ThrowStmt => THROW_STMT);
ast_node!(
    /// `启动 表达式;`
    SpawnStmt => SPAWN_STMT
);
ast_node!(
    /// `让出 表达式;` (in a `协程 函数`)
    YieldStmt => YIELD_STMT
);

ast_enum!(
    Stmt {
        Let(LetStmt),
        Expr(ExprStmt),
        If(IfStmt),
        While(WhileStmt),
        For(ForStmt),
        Break(BreakStmt),
        Continue(ContinueStmt),
        Return(ReturnStmt),
        Match(MatchStmt),
        Select(SelectStmt),
        Try(TryStmt),
        Throw(ThrowStmt),
        Spawn(SpawnStmt),
        Yield(YieldStmt),
        Block(Block),
        Item(Item),
    }
);

impl Block {
    pub fn stmts(&self) -> AstChildren<Stmt> {
        children(&self.0)
    }
    /// The closing brace (absent in an unterminated block).
    pub fn r_brace(&self) -> Option<SyntaxToken> {
        token(&self.0, R_BRACE)
    }
}

impl LetStmt {
    /// `常量` rather than `变量`.
    pub fn is_const(&self) -> bool {
        token(&self.0, CONST_KW).is_some()
    }
    pub fn name(&self) -> Option<Name> {
        child(&self.0)
    }
    pub fn ty(&self) -> Option<TypeRef> {
        child(&self.0)
    }
    pub fn init(&self) -> Option<Expr> {
        token(&self.0, EQ).and_then(|eq| child_after(&eq))
    }
}

impl ExprStmt {
    pub fn expr(&self) -> Option<Expr> {
        child(&self.0)
    }
}

/// What follows `否则`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ElseBranch {
    Block(Block),
    If(IfStmt),
}

impl IfStmt {
    pub fn cond(&self) -> Option<Expr> {
        child(&self.0)
    }
    pub fn then_branch(&self) -> Option<Block> {
        // The block before `否则` (in `如果 x 否则 { … }` there is none).
        self.0
            .children_with_tokens()
            .take_while(|e| e.kind() != ELSE_KW)
            .find_map(|e| e.into_node().and_then(Block::cast))
    }
    pub fn else_branch(&self) -> Option<ElseBranch> {
        let else_kw = token(&self.0, ELSE_KW)?;
        let node =
            else_kw.siblings_with_tokens(rowan::Direction::Next).find_map(|e| e.into_node())?;
        match node.kind() {
            IF_STMT => Some(ElseBranch::If(IfStmt(node))),
            BLOCK => Some(ElseBranch::Block(Block(node))),
            _ => None,
        }
    }
}

impl WhileStmt {
    /// The condition, or in `当 变量 x = e { … }` the `选项<T>` expression `e`.
    pub fn cond(&self) -> Option<Expr> {
        child(&self.0)
    }
    /// `x` of `当 变量 x = e { … }`.
    pub fn binding(&self) -> Option<Name> {
        child(&self.0)
    }
    pub fn body(&self) -> Option<Block> {
        child(&self.0)
    }
}

/// The range operator of `对于 x 在 a … b`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RangeKind {
    /// `a..b`: half-open.
    DotDot,
    /// `a 直到 b`: half-open.
    Until,
    /// `a 到 b`: closed.
    To,
}

impl RangeKind {
    pub fn is_inclusive(self) -> bool {
        self == RangeKind::To
    }
}

impl ForStmt {
    /// The loop variable (`None` for `_` or in an error tree).
    pub fn binding(&self) -> Option<Name> {
        child(&self.0)
    }
    pub fn is_wildcard(&self) -> bool {
        token(&self.0, UNDERSCORE).is_some()
    }
    /// The iterated expression, or the start of a range.
    pub fn iterable(&self) -> Option<Expr> {
        token(&self.0, IN_KW).and_then(|t| child_after(&t))
    }
    fn range_token(&self) -> Option<SyntaxToken> {
        token_where(&self.0, |k| matches!(k, DOT2 | UNTIL_KW | TO_KW))
    }
    /// `Some` for a numeric range loop.
    pub fn range_kind(&self) -> Option<RangeKind> {
        Some(match self.range_token()?.kind() {
            DOT2 => RangeKind::DotDot,
            UNTIL_KW => RangeKind::Until,
            _ => RangeKind::To,
        })
    }
    /// The end of a range loop.
    pub fn range_end(&self) -> Option<Expr> {
        self.range_token().and_then(|t| child_after(&t))
    }
    pub fn body(&self) -> Option<Block> {
        child(&self.0)
    }
}

impl ReturnStmt {
    pub fn expr(&self) -> Option<Expr> {
        child(&self.0)
    }
}

impl MatchStmt {
    pub fn scrutinee(&self) -> Option<Expr> {
        child(&self.0)
    }
    pub fn arms(&self) -> impl Iterator<Item = MatchArm> {
        child::<MatchArmList>(&self.0).into_iter().flat_map(|l| children::<MatchArm>(&l.0))
    }
}

/// The right side of `=>`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum MatchArmBody {
    Block(Block),
    Expr(Expr),
}

impl MatchArm {
    pub fn pat(&self) -> Option<Pat> {
        child(&self.0)
    }
    /// The condition of `模式 如果 守卫 =>`.
    pub fn guard(&self) -> Option<Expr> {
        child::<MatchGuard>(&self.0).and_then(|g| child(&g.0))
    }
    pub fn body(&self) -> Option<MatchArmBody> {
        let arrow = token(&self.0, FAT_ARROW)?;
        let node =
            arrow.siblings_with_tokens(rowan::Direction::Next).find_map(|e| e.into_node())?;
        if let Some(block) = Block::cast(node.clone()) {
            return Some(MatchArmBody::Block(block));
        }
        Expr::cast(node).map(MatchArmBody::Expr)
    }
}

impl SelectStmt {
    pub fn cases(&self) -> AstChildren<SelectCase> {
        children(&self.0)
    }
}

/// What a `选择` case waits for.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum SelectCaseKind {
    /// `情况 v := <-c:` (binding present) or `情况 <-c:`.
    Recv { binding: Option<Name>, recv: RecvExpr },
    /// `情况 c <- v:`
    Send(SendExpr),
    /// `情况 超时(毫秒):`
    Timeout(Option<Expr>),
    /// `默认:`
    Default,
}

impl SelectCase {
    pub fn is_default(&self) -> bool {
        token(&self.0, DEFAULT_KW).is_some()
    }
    pub fn is_timeout(&self) -> bool {
        token(&self.0, TIMEOUT_KW).is_some()
    }
    /// The variable of `情况 v := <-c:`.
    pub fn binding(&self) -> Option<Name> {
        child(&self.0)
    }
    /// The case's expression: the receive, the send, or the timeout's milliseconds.
    pub fn expr(&self) -> Option<Expr> {
        child(&self.0)
    }
    /// `None` in an error tree (e.g. `情况 f():`).
    pub fn kind(&self) -> Option<SelectCaseKind> {
        if self.is_default() {
            return Some(SelectCaseKind::Default);
        }
        if self.is_timeout() {
            return Some(SelectCaseKind::Timeout(self.expr()));
        }
        match self.expr()? {
            Expr::Recv(recv) => Some(SelectCaseKind::Recv { binding: self.binding(), recv }),
            Expr::Send(send) => Some(SelectCaseKind::Send(send)),
            _ => None,
        }
    }
    pub fn body(&self) -> Option<StmtList> {
        child(&self.0)
    }
    pub fn stmts(&self) -> impl Iterator<Item = Stmt> {
        self.body().into_iter().flat_map(|b| b.stmts())
    }
}

impl StmtList {
    pub fn stmts(&self) -> AstChildren<Stmt> {
        children(&self.0)
    }
}

impl TryStmt {
    pub fn body(&self) -> Option<Block> {
        child(&self.0)
    }
    /// All `捕获` clauses (only the first one is used by the language).
    pub fn catch_clauses(&self) -> AstChildren<CatchClause> {
        children(&self.0)
    }
    pub fn catch_clause(&self) -> Option<CatchClause> {
        child(&self.0)
    }
    pub fn finally_clause(&self) -> Option<FinallyClause> {
        child(&self.0)
    }
}

impl CatchClause {
    /// The variable receiving the message.
    pub fn name(&self) -> Option<Name> {
        child(&self.0)
    }
    /// `捕获 e: 类型` (parsed and ignored by the language).
    pub fn ty(&self) -> Option<TypeRef> {
        child(&self.0)
    }
    pub fn body(&self) -> Option<Block> {
        child(&self.0)
    }
}

impl FinallyClause {
    pub fn body(&self) -> Option<Block> {
        child(&self.0)
    }
}

impl ThrowStmt {
    pub fn expr(&self) -> Option<Expr> {
        child(&self.0)
    }
}

impl SpawnStmt {
    pub fn expr(&self) -> Option<Expr> {
        child(&self.0)
    }
}

impl YieldStmt {
    pub fn expr(&self) -> Option<Expr> {
        child(&self.0)
    }
}
