//! Views of expressions.

use super::support::{
    child, child_after, child_after_token_where, children, first_child, token, token_kind_map,
    token_where,
};
use super::{
    ast_enum, ast_node, AssignOp, AstChildren, AstNode, BinOp, Block, GenericArgList, NameRef,
    Param, ParamList, PathType, PrefixOp, RetType, TypeRef,
};
use crate::lexer::{char_literal_value, string_literal_value, unescape_str};
use crate::SyntaxKind::*;
use crate::SyntaxToken;

ast_node!(
    /// An integer, float, string, raw string, char, `真` or `假`.
    Literal => LITERAL
);
ast_node!(
    /// A name or a `::`-path: `x`, `模块::函数`, `枚举::变体`, `字符串::字节长度`,
    /// with an optional turbofish `名::<T>`.
    PathExpr => PATH_EXPR
);
ast_node!(BinExpr => BIN_EXPR);
ast_node!(
    /// `- + ! 非` and the tight `&x` / `*p`.
    PrefixExpr => PREFIX_EXPR
);
ast_node!(CallExpr => CALL_EXPR);
ast_node!(ArgList => ARG_LIST);
ast_node!(
    /// `接收者.方法(…)` — also `模块.函数(…)`, which the checker resolves.
    MethodCallExpr => METHOD_CALL_EXPR
);
ast_node!(
    /// `x.字段` — also `枚举.变体` and `x.长度`.
    FieldExpr => FIELD_EXPR
);
ast_node!(IndexExpr => INDEX_EXPR);
ast_node!(ParenExpr => PAREN_EXPR);
ast_node!(
    /// `[a, b, …]`
    ArrayExpr => ARRAY_EXPR
);
ast_node!(
    /// `新建 名[<T>] { 字段: 值, ..基 }`
    StructLit => STRUCT_LIT
);
ast_node!(StructLitField => STRUCT_LIT_FIELD);
ast_node!(
    /// `..基值` in a struct literal.
    StructLitSpread => STRUCT_LIT_SPREAD
);
ast_node!(
    /// `闭包 [弱 x] (参数…): 类型 { … }` or `|a, b| { … }`
    ClosureExpr => CLOSURE_EXPR
);
ast_node!(CaptureList => CAPTURE_LIST);
ast_node!(Capture => CAPTURE);
ast_node!(
    /// `f"…{x}…"`, `模板"…"`, `模版"…"`, or `"…${x}…"`.
    TemplateString => TEMPLATE_STRING
);
ast_node!(TemplateHole => TEMPLATE_HOLE);
ast_node!(
    /// `x 作为 类型`
    CastExpr => CAST_EXPR
);
ast_node!(
    /// `数组<T>(n)`
    ArrayNewExpr => ARRAY_NEW_EXPR
);
ast_node!(
    /// `通道<T>(n)` / `通道<T>()`
    ChanNewExpr => CHAN_NEW_EXPR
);
ast_node!(
    /// `等待 f`
    AwaitExpr => AWAIT_EXPR
);
ast_node!(
    /// `<-通道`
    RecvExpr => RECV_EXPR
);
ast_node!(
    /// `启动 f(…)` used inside an expression.
    SpawnExpr => SPAWN_EXPR
);
ast_node!(
    /// `启动协程 f(…)`: makes a generator (like calling the `协程 函数`).
    GenStartExpr => GEN_START_EXPR
);
ast_node!(
    /// `目标 = 值`, `目标 += 值` …
    AssignExpr => ASSIGN_EXPR
);
ast_node!(
    /// `通道 <- 值`
    SendExpr => SEND_EXPR
);

ast_enum!(
    Expr {
        Literal(Literal),
        Path(PathExpr),
        Binary(BinExpr),
        Prefix(PrefixExpr),
        Call(CallExpr),
        MethodCall(MethodCallExpr),
        Field(FieldExpr),
        Index(IndexExpr),
        Paren(ParenExpr),
        Array(ArrayExpr),
        StructLit(StructLit),
        Closure(ClosureExpr),
        Template(TemplateString),
        Cast(CastExpr),
        ArrayNew(ArrayNewExpr),
        ChanNew(ChanNewExpr),
        Await(AwaitExpr),
        Recv(RecvExpr),
        Spawn(SpawnExpr),
        GenStart(GenStartExpr),
        Assign(AssignExpr),
        Send(SendExpr),
    }
);

/// What kind of literal a `Literal` is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum LiteralKind {
    Int,
    Float,
    Str,
    RawStr,
    Char,
    True,
    False,
}

impl Literal {
    pub fn token(&self) -> Option<SyntaxToken> {
        self.0.first_token()
    }
    pub fn kind(&self) -> Option<LiteralKind> {
        Some(match self.token()?.kind() {
            INT => LiteralKind::Int,
            FLOAT => LiteralKind::Float,
            STRING => LiteralKind::Str,
            RAW_STRING => LiteralKind::RawStr,
            CHAR => LiteralKind::Char,
            TRUE_KW => LiteralKind::True,
            FALSE_KW => LiteralKind::False,
            _ => return None,
        })
    }
    /// The value of an integer literal; `None` if it does not fit in i64 (the checker
    /// reports `无效的数字格式`) or this is not an integer.
    pub fn int_value(&self) -> Option<i64> {
        let token = self.token().filter(|t| t.kind() == INT)?;
        token.text().parse().ok()
    }
    pub fn float_value(&self) -> Option<f64> {
        let token = self.token().filter(|t| t.kind() == FLOAT)?;
        token.text().parse().ok()
    }
    /// The decoded value of a string or raw string literal.
    pub fn string_value(&self) -> Option<String> {
        let token = self.token().filter(|t| matches!(t.kind(), STRING | RAW_STRING))?;
        Some(string_literal_value(token.text()))
    }
    /// The decoded character of a char literal (`None` if malformed).
    pub fn char_value(&self) -> Option<char> {
        let token = self.token().filter(|t| t.kind() == CHAR)?;
        char_literal_value(token.text())
    }
    pub fn bool_value(&self) -> Option<bool> {
        match self.kind()? {
            LiteralKind::True => Some(true),
            LiteralKind::False => Some(false),
            _ => None,
        }
    }
}

impl PathExpr {
    pub fn segments(&self) -> AstChildren<NameRef> {
        children(&self.0)
    }
    /// The name if this is a single-segment path (a plain variable/function name).
    pub fn as_single_name(&self) -> Option<NameRef> {
        let mut segments = self.segments();
        let first = segments.next()?;
        segments.next().is_none().then_some(first)
    }
    /// The explicit type arguments of a turbofish `名::<T>`.
    pub fn generic_args(&self) -> Option<GenericArgList> {
        child(&self.0)
    }
}

impl BinExpr {
    pub fn op(&self) -> Option<(BinOp, SyntaxToken)> {
        let token = token_where(&self.0, |k| BinOp::from_kind(k).is_some())?;
        Some((BinOp::from_kind(token.kind())?, token))
    }
    /// The operator alone, without its token.
    pub fn op_kind(&self) -> Option<BinOp> {
        token_kind_map(&self.0, BinOp::from_kind)
    }
    pub fn lhs(&self) -> Option<Expr> {
        first_child(&self.0)
    }
    pub fn rhs(&self) -> Option<Expr> {
        child_after_token_where(&self.0, |k| BinOp::from_kind(k).is_some())
    }
}

impl PrefixExpr {
    pub fn op(&self) -> Option<(PrefixOp, SyntaxToken)> {
        let token = self.0.first_token()?;
        Some((PrefixOp::from_kind(token.kind())?, token))
    }
    pub fn operand(&self) -> Option<Expr> {
        child(&self.0)
    }
}

impl CallExpr {
    pub fn callee(&self) -> Option<Expr> {
        first_child(&self.0)
    }
    pub fn arg_list(&self) -> Option<ArgList> {
        child(&self.0)
    }
    pub fn args(&self) -> impl Iterator<Item = Expr> {
        self.arg_list().into_iter().flat_map(|l| l.args())
    }
}

impl ArgList {
    pub fn args(&self) -> AstChildren<Expr> {
        children(&self.0)
    }
}

impl MethodCallExpr {
    pub fn receiver(&self) -> Option<Expr> {
        first_child(&self.0)
    }
    pub fn name(&self) -> Option<NameRef> {
        child(&self.0)
    }
    /// `x.方法::<T>(…)`
    pub fn generic_args(&self) -> Option<GenericArgList> {
        child(&self.0)
    }
    pub fn arg_list(&self) -> Option<ArgList> {
        child(&self.0)
    }
    pub fn args(&self) -> impl Iterator<Item = Expr> {
        self.arg_list().into_iter().flat_map(|l| l.args())
    }
}

impl FieldExpr {
    pub fn receiver(&self) -> Option<Expr> {
        first_child(&self.0)
    }
    pub fn name(&self) -> Option<NameRef> {
        child(&self.0)
    }
}

impl IndexExpr {
    pub fn base(&self) -> Option<Expr> {
        first_child(&self.0)
    }
    pub fn index(&self) -> Option<Expr> {
        token(&self.0, L_BRACK).and_then(|t| child_after(&t))
    }
}

impl ParenExpr {
    pub fn expr(&self) -> Option<Expr> {
        child(&self.0)
    }
}

impl ArrayExpr {
    pub fn elements(&self) -> AstChildren<Expr> {
        children(&self.0)
    }
}

impl StructLit {
    /// The struct type, possibly generic (`对<整数>`).
    pub fn ty(&self) -> Option<PathType> {
        child(&self.0)
    }
    pub fn fields(&self) -> AstChildren<StructLitField> {
        children(&self.0)
    }
    /// The base of `..基值`.
    pub fn spread(&self) -> Option<Expr> {
        child::<StructLitSpread>(&self.0).and_then(|s| s.expr())
    }
}

impl StructLitField {
    pub fn name(&self) -> Option<NameRef> {
        child(&self.0)
    }
    pub fn value(&self) -> Option<Expr> {
        child(&self.0)
    }
}

impl StructLitSpread {
    pub fn expr(&self) -> Option<Expr> {
        child(&self.0)
    }
}

impl ClosureExpr {
    /// The `|…|` form (never has a return type).
    pub fn is_bar_form(&self) -> bool {
        token(&self.0, CLOSURE_KW).is_none()
    }
    pub fn capture_list(&self) -> Option<CaptureList> {
        child(&self.0)
    }
    pub fn captures(&self) -> impl Iterator<Item = Capture> {
        self.capture_list().into_iter().flat_map(|l| children::<Capture>(&l.0))
    }
    pub fn param_list(&self) -> Option<ParamList> {
        child(&self.0)
    }
    pub fn params(&self) -> impl Iterator<Item = Param> {
        self.param_list().into_iter().flat_map(|l| l.params())
    }
    pub fn ret_type(&self) -> Option<TypeRef> {
        child::<RetType>(&self.0).and_then(|r| r.ty())
    }
    pub fn body(&self) -> Option<Block> {
        child(&self.0)
    }
}

impl Capture {
    /// `弱 x`: a non-owning capture.
    pub fn is_weak(&self) -> bool {
        token(&self.0, WEAK_KW).is_some()
    }
    pub fn name(&self) -> Option<NameRef> {
        child(&self.0)
    }
}

/// A piece of a template string, in source order.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum TemplatePart {
    /// Literal text (escapes undecoded; see [`TemplatePart::text_value`]).
    Text(SyntaxToken),
    Hole(TemplateHole),
}

impl TemplatePart {
    /// The decoded text of a `Text` part.
    pub fn text_value(&self) -> Option<String> {
        match self {
            TemplatePart::Text(token) => Some(unescape_str(token.text())),
            TemplatePart::Hole(_) => None,
        }
    }
}

impl TemplateString {
    pub fn parts(&self) -> impl Iterator<Item = TemplatePart> {
        self.0.children_with_tokens().filter_map(|element| match element {
            rowan::NodeOrToken::Token(t) if t.kind() == TEMPLATE_TEXT => {
                Some(TemplatePart::Text(t))
            }
            rowan::NodeOrToken::Node(n) => TemplateHole::cast(n).map(TemplatePart::Hole),
            _ => None,
        })
    }
    /// A plain string with `${…}` holes (rather than `f"…"`/`模板"…"`).
    pub fn is_dollar_form(&self) -> bool {
        self.0.first_token().is_some_and(|t| t.text() == "\"")
    }
}

impl TemplateHole {
    /// The interpolated expression (`None` for an empty hole).
    pub fn expr(&self) -> Option<Expr> {
        child(&self.0)
    }
}

impl CastExpr {
    pub fn expr(&self) -> Option<Expr> {
        first_child(&self.0)
    }
    pub fn ty(&self) -> Option<TypeRef> {
        token(&self.0, AS_KW).and_then(|t| child_after(&t))
    }
}

impl ArrayNewExpr {
    pub fn elem_ty(&self) -> Option<TypeRef> {
        child::<GenericArgList>(&self.0).and_then(|l| l.types().next())
    }
    pub fn length(&self) -> Option<Expr> {
        child::<ArgList>(&self.0).and_then(|l| l.args().next())
    }
}

impl ChanNewExpr {
    pub fn elem_ty(&self) -> Option<TypeRef> {
        child::<GenericArgList>(&self.0).and_then(|l| l.types().next())
    }
    /// `None` for `通道<T>()` (unbuffered).
    pub fn capacity(&self) -> Option<Expr> {
        child::<ArgList>(&self.0).and_then(|l| l.args().next())
    }
}

impl AwaitExpr {
    pub fn expr(&self) -> Option<Expr> {
        child(&self.0)
    }
}

impl RecvExpr {
    /// The channel received from.
    pub fn chan(&self) -> Option<Expr> {
        child(&self.0)
    }
}

impl SpawnExpr {
    pub fn expr(&self) -> Option<Expr> {
        child(&self.0)
    }
}

impl GenStartExpr {
    /// The call of the `协程 函数`.
    pub fn expr(&self) -> Option<Expr> {
        child(&self.0)
    }
}

impl AssignExpr {
    pub fn op(&self) -> Option<(AssignOp, SyntaxToken)> {
        let token = token_where(&self.0, |k| AssignOp::from_kind(k).is_some())?;
        Some((AssignOp::from_kind(token.kind())?, token))
    }
    /// The operator alone, without its token.
    pub fn op_kind(&self) -> Option<AssignOp> {
        token_kind_map(&self.0, AssignOp::from_kind)
    }
    pub fn target(&self) -> Option<Expr> {
        first_child(&self.0)
    }
    pub fn value(&self) -> Option<Expr> {
        child_after_token_where(&self.0, |k| AssignOp::from_kind(k).is_some())
    }
}

impl SendExpr {
    pub fn chan(&self) -> Option<Expr> {
        first_child(&self.0)
    }
    pub fn value(&self) -> Option<Expr> {
        token(&self.0, L_ARROW).and_then(|t| child_after(&t))
    }
}
