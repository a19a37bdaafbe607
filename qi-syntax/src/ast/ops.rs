//! Operators of binary, prefix and assignment expressions.

use crate::SyntaxKind::{self, *};

/// A binary operator (word forms map to their symbol twins: `与`/`且` = `&&`, `或` = `||`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BinOp {
    Mul,
    Div,
    Rem,
    Shl,
    Shr,
    BitAnd,
    Add,
    Sub,
    BitOr,
    BitXor,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    And,
    Or,
}

impl BinOp {
    pub fn from_kind(kind: SyntaxKind) -> Option<BinOp> {
        Some(match kind {
            STAR => BinOp::Mul,
            SLASH => BinOp::Div,
            PERCENT => BinOp::Rem,
            SHL => BinOp::Shl,
            SHR => BinOp::Shr,
            AMP => BinOp::BitAnd,
            PLUS => BinOp::Add,
            MINUS => BinOp::Sub,
            PIPE => BinOp::BitOr,
            CARET => BinOp::BitXor,
            EQ2 => BinOp::Eq,
            NEQ => BinOp::Ne,
            LT => BinOp::Lt,
            LTEQ => BinOp::Le,
            GT => BinOp::Gt,
            GTEQ => BinOp::Ge,
            AMP2 | AND_KW | ALSO_KW => BinOp::And,
            PIPE2 | OR_KW => BinOp::Or,
            _ => return None,
        })
    }

    pub fn is_comparison(self) -> bool {
        matches!(self, BinOp::Eq | BinOp::Ne | BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge)
    }

    pub fn is_logical(self) -> bool {
        matches!(self, BinOp::And | BinOp::Or)
    }

    pub fn is_bitwise(self) -> bool {
        matches!(self, BinOp::Shl | BinOp::Shr | BinOp::BitAnd | BinOp::BitOr | BinOp::BitXor)
    }

    pub fn is_arithmetic(self) -> bool {
        matches!(self, BinOp::Mul | BinOp::Div | BinOp::Rem | BinOp::Add | BinOp::Sub)
    }

    /// The ASCII spelling, for messages.
    pub fn symbol(self) -> &'static str {
        match self {
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::Rem => "%",
            BinOp::Shl => "<<",
            BinOp::Shr => ">>",
            BinOp::BitAnd => "&",
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::BitOr => "|",
            BinOp::BitXor => "^",
            BinOp::Eq => "==",
            BinOp::Ne => "!=",
            BinOp::Lt => "<",
            BinOp::Le => "<=",
            BinOp::Gt => ">",
            BinOp::Ge => ">=",
            BinOp::And => "&&",
            BinOp::Or => "||",
        }
    }
}

/// A prefix operator of a `PREFIX_EXPR` (`等待`, `启动` and `<-` have their own nodes).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PrefixOp {
    /// `-x`
    Neg,
    /// `+x`
    Plus,
    /// `!x` / `非 x`
    Not,
    /// `&变量`
    AddrOf,
    /// `*指针`
    Deref,
}

impl PrefixOp {
    pub fn from_kind(kind: SyntaxKind) -> Option<PrefixOp> {
        Some(match kind {
            MINUS => PrefixOp::Neg,
            PLUS => PrefixOp::Plus,
            BANG | NOT_KW => PrefixOp::Not,
            AMP => PrefixOp::AddrOf,
            STAR => PrefixOp::Deref,
            _ => return None,
        })
    }
}

/// `=` or a compound assignment `op=`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum AssignOp {
    Assign,
    Add,
    Sub,
    Mul,
    Div,
    Rem,
}

impl AssignOp {
    pub fn from_kind(kind: SyntaxKind) -> Option<AssignOp> {
        Some(match kind {
            EQ => AssignOp::Assign,
            PLUS_EQ => AssignOp::Add,
            MINUS_EQ => AssignOp::Sub,
            STAR_EQ => AssignOp::Mul,
            SLASH_EQ => AssignOp::Div,
            PERCENT_EQ => AssignOp::Rem,
            _ => return None,
        })
    }

    /// The binary operator a compound assignment applies (`a += b` is `a = a + b`).
    pub fn binary_op(self) -> Option<BinOp> {
        Some(match self {
            AssignOp::Assign => return None,
            AssignOp::Add => BinOp::Add,
            AssignOp::Sub => BinOp::Sub,
            AssignOp::Mul => BinOp::Mul,
            AssignOp::Div => BinOp::Div,
            AssignOp::Rem => BinOp::Rem,
        })
    }
}
