//! Views of types.

use super::support::{child, children};
use super::{ast_enum, ast_node, AstChildren, NameRef, RetType};
use crate::SyntaxKind::{self, *};

ast_node!(
    /// A named type with optional type arguments: `整数`, `点`, `包.点`, `数组<T>`,
    /// `通道<整数>`, `对<整数, 字符串>`, `结果<T, E>`.
    PathType => PATH_TYPE
);
ast_node!(
    /// `函数(A, B): R`
    FnType => FN_TYPE
);
ast_node!(
    /// `<T, U>` (type arguments; also a turbofish's).
    GenericArgList => GENERIC_ARG_LIST
);

ast_enum!(
    TypeRef {
        Named(PathType),
        Fn(FnType),
    }
);

/// The built-in types named by reserved words.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BuiltinType {
    Int,
    Byte,
    Float,
    Bool,
    Char,
    String,
    Void,
    Ptr,
    Array,
    List,
    Chan,
    Future,
    Option,
    Result,
}

impl BuiltinType {
    pub fn from_kind(kind: SyntaxKind) -> Option<BuiltinType> {
        Some(match kind {
            INT_KW => BuiltinType::Int,
            BYTE_KW => BuiltinType::Byte,
            FLOAT_KW => BuiltinType::Float,
            BOOL_KW => BuiltinType::Bool,
            CHAR_KW => BuiltinType::Char,
            STRING_KW => BuiltinType::String,
            VOID_KW => BuiltinType::Void,
            PTR_KW => BuiltinType::Ptr,
            ARRAY_KW => BuiltinType::Array,
            LIST_KW => BuiltinType::List,
            CHAN_KW => BuiltinType::Chan,
            FUTURE_KW => BuiltinType::Future,
            OPTION_KW => BuiltinType::Option,
            RESULT_KW => BuiltinType::Result,
            _ => return None,
        })
    }
}

impl PathType {
    /// The name segments (`包.点` has two).
    pub fn segments(&self) -> AstChildren<NameRef> {
        children(&self.0)
    }
    /// The last segment: the type's own name.
    pub fn name(&self) -> Option<NameRef> {
        self.segments().last()
    }
    /// Segments joined with `.`.
    pub fn text(&self) -> String {
        self.segments().map(|s| s.text()).collect::<Vec<_>>().join(".")
    }
    /// `Some` if the type is named by a reserved word (`整数`, `数组` …).
    pub fn builtin(&self) -> Option<BuiltinType> {
        let first = self.segments().next()?.token()?;
        BuiltinType::from_kind(first.kind())
    }
    pub fn generic_args(&self) -> Option<GenericArgList> {
        child(&self.0)
    }
    /// The type arguments (empty without `<…>`).
    pub fn type_args(&self) -> impl Iterator<Item = TypeRef> {
        self.generic_args().into_iter().flat_map(|l| l.types())
    }
}

impl FnType {
    pub fn params(&self) -> AstChildren<TypeRef> {
        children(&self.0)
    }
    /// `None` means `空`.
    pub fn ret_type(&self) -> Option<TypeRef> {
        child::<RetType>(&self.0).and_then(|r| r.ty())
    }
}

impl GenericArgList {
    pub fn types(&self) -> AstChildren<TypeRef> {
        children(&self.0)
    }
}
