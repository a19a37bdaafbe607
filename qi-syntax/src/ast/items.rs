//! Views of the file and its declarations.

use super::support::{child, child_after, children, token, token_where};
use super::{
    ast_enum, ast_node, text_without_trivia, AstChildren, Block, Expr, LetStmt, Name, NameRef,
    Path, Stmt, TypeRef,
};
use crate::lexer::string_literal_value;
use crate::SyntaxKind::*;
use crate::SyntaxToken;

ast_node!(
    /// The root: declarations and (top-level) statements in source order.
    SourceFile => SOURCE_FILE
);
ast_node!(PackageDecl => PACKAGE_DECL);
ast_node!(ImportDecl => IMPORT_DECL);
ast_node!(
    /// `标准库.字符串`, `./工具`, `../../甲.乙`
    ImportPath => IMPORT_PATH
);
ast_node!(
    /// `{名, …}` of a selective import.
    ImportList => IMPORT_LIST
);
ast_node!(ExportDecl => EXPORT_DECL);
ast_node!(FnDecl => FN_DECL);
ast_node!(
    /// Go-style method receiver `(自身 类型)` / `(变量 自身 类型)`.
    Receiver => RECEIVER
);
ast_node!(
    /// `( … )` of a function/closure, or `| … |` of a bar closure.
    ParamList => PARAM_LIST
);
ast_node!(Param => PARAM);
ast_node!(
    /// `: 类型` after a parameter list.
    RetType => RET_TYPE
);
ast_node!(GenericParamList => GENERIC_PARAM_LIST);
ast_node!(GenericParam => GENERIC_PARAM);
ast_node!(
    /// `类型 名 { … }` / `结构体 名 { … }`
    StructDecl => STRUCT_DECL
);
ast_node!(FieldList => FIELD_LIST);
ast_node!(Field => FIELD);
ast_node!(EnumDecl => ENUM_DECL);
ast_node!(VariantList => VARIANT_LIST);
ast_node!(Variant => VARIANT);
ast_node!(TraitDecl => TRAIT_DECL);
ast_node!(ImplDecl => IMPL_DECL);
ast_node!(
    /// The `{ 函数 … }` body of a trait, impl or extern block.
    AssocItemList => ASSOC_ITEM_LIST
);
ast_node!(
    /// `外部 "库" { 函数 …; }`
    ExternBlock => EXTERN_BLOCK
);
ast_node!(Visibility => VISIBILITY);

ast_enum!(
    /// A declaration (top level, or nested in a block).
    Item {
        Package(PackageDecl),
        Import(ImportDecl),
        Export(ExportDecl),
        Fn(FnDecl),
        Struct(StructDecl),
        Enum(EnumDecl),
        Trait(TraitDecl),
        Impl(ImplDecl),
        Extern(ExternBlock),
    }
);

fn has_visibility(node: &crate::SyntaxNode) -> bool {
    child::<Visibility>(node).is_some()
}

impl SourceFile {
    /// Every top-level declaration and statement, in order (`Stmt::Item` for
    /// declarations, `Stmt::Let` for globals).
    pub fn stmts(&self) -> AstChildren<Stmt> {
        children(&self.0)
    }
    pub fn items(&self) -> impl Iterator<Item = Item> {
        children(&self.0)
    }
    /// Global `变量`/`常量` declarations.
    pub fn globals(&self) -> impl Iterator<Item = LetStmt> {
        children(&self.0)
    }
    pub fn package(&self) -> Option<PackageDecl> {
        child(&self.0)
    }
    pub fn imports(&self) -> impl Iterator<Item = ImportDecl> {
        children(&self.0)
    }
    pub fn functions(&self) -> impl Iterator<Item = FnDecl> {
        children(&self.0)
    }
}

impl SourceFile {
    pub(crate) fn cast_root(node: crate::SyntaxNode) -> SourceFile {
        SourceFile(node)
    }
}

impl PackageDecl {
    pub fn path(&self) -> Option<Path> {
        child(&self.0)
    }
}

impl ImportDecl {
    /// `公开 导入 …` (a re-export).
    pub fn is_pub(&self) -> bool {
        has_visibility(&self.0)
    }
    pub fn path(&self) -> Option<ImportPath> {
        child(&self.0)
    }
    /// `作为 别名`
    pub fn alias(&self) -> Option<Name> {
        child(&self.0)
    }
    pub fn import_list(&self) -> Option<ImportList> {
        child(&self.0)
    }
    /// The names of `::{a, b}`; empty for a whole-module import.
    pub fn selected(&self) -> impl Iterator<Item = NameRef> {
        self.import_list().into_iter().flat_map(|list| list.names())
    }
}

impl ImportPath {
    pub fn segments(&self) -> AstChildren<NameRef> {
        children(&self.0)
    }
    /// Starts with `./` or `../`.
    pub fn is_relative(&self) -> bool {
        matches!(self.0.first_token().map(|t| t.kind()), Some(DOT | DOT2))
    }
    /// How many `../` prefixes there are.
    pub fn parent_levels(&self) -> usize {
        self.0.children_with_tokens().filter(|e| e.kind() == DOT2).count()
    }
    /// The path as written, without whitespace (`../公共/格式`, `标准库.字符串`).
    pub fn text(&self) -> String {
        text_without_trivia(&self.0)
    }
}

impl ImportList {
    pub fn names(&self) -> AstChildren<NameRef> {
        children(&self.0)
    }
}

impl ExportDecl {
    pub fn path(&self) -> Option<Path> {
        child(&self.0)
    }
}

impl FnDecl {
    pub fn is_pub(&self) -> bool {
        has_visibility(&self.0)
    }
    pub fn is_async(&self) -> bool {
        token(&self.0, ASYNC_KW).is_some()
    }
    /// `协程 函数 …` (a generator): the word `协程` before `函数`.
    pub fn is_generator(&self) -> bool {
        self.generator_word().is_some()
    }
    /// The word `协程` of `协程 函数 …`.
    pub fn generator_word(&self) -> Option<SyntaxToken> {
        self.0
            .children_with_tokens()
            .take_while(|e| e.kind() != FN_KW)
            .filter_map(|e| e.into_token())
            .find(|t| t.kind() == IDENT && t.text() == "协程")
    }
    /// `导出 函数 …` (reverse FFI).
    pub fn is_export(&self) -> bool {
        token(&self.0, EXPORT_KW).is_some()
    }
    /// The C symbol of `导出 "符号" 函数 …`, as written (with quotes).
    pub fn export_symbol(&self) -> Option<SyntaxToken> {
        token(&self.0, STRING)
    }
    pub fn receiver(&self) -> Option<Receiver> {
        child(&self.0)
    }
    pub fn name(&self) -> Option<Name> {
        child(&self.0)
    }
    pub fn generic_param_list(&self) -> Option<GenericParamList> {
        child(&self.0)
    }
    pub fn generic_params(&self) -> impl Iterator<Item = GenericParam> {
        self.generic_param_list().into_iter().flat_map(|l| l.params())
    }
    pub fn param_list(&self) -> Option<ParamList> {
        child(&self.0)
    }
    pub fn params(&self) -> impl Iterator<Item = Param> {
        self.param_list().into_iter().flat_map(|l| l.params())
    }
    /// The declared return type (`None`: returns `空`, or missing in an error tree).
    pub fn ret_type(&self) -> Option<TypeRef> {
        child::<RetType>(&self.0).and_then(|r| r.ty())
    }
    pub fn body(&self) -> Option<Block> {
        child(&self.0)
    }
}

impl Receiver {
    /// `(变量 自身 类型)`; the `变量` has no effect.
    pub fn is_var(&self) -> bool {
        token(&self.0, VAR_KW).is_some()
    }
    pub fn name(&self) -> Option<Name> {
        child(&self.0)
    }
    pub fn ty(&self) -> Option<TypeRef> {
        child(&self.0)
    }
}

impl ParamList {
    pub fn params(&self) -> AstChildren<Param> {
        children(&self.0)
    }
}

impl Param {
    pub fn name(&self) -> Option<Name> {
        child(&self.0)
    }
    /// `None` for a bare untyped parameter (which means `整数`).
    pub fn ty(&self) -> Option<TypeRef> {
        child(&self.0)
    }
    /// The `= 默认值` expression.
    pub fn default(&self) -> Option<Expr> {
        token(&self.0, EQ).and_then(|eq| child_after(&eq))
    }
    /// `名...: 类型`
    pub fn is_variadic(&self) -> bool {
        token(&self.0, DOT3).is_some()
    }
}

impl RetType {
    pub fn ty(&self) -> Option<TypeRef> {
        child(&self.0)
    }
}

impl GenericParamList {
    pub fn params(&self) -> AstChildren<GenericParam> {
        children(&self.0)
    }
}

impl GenericParam {
    pub fn name(&self) -> Option<Name> {
        child(&self.0)
    }
    /// The trait of `<T: 特性>`.
    pub fn bound(&self) -> Option<TypeRef> {
        child(&self.0)
    }
}

impl StructDecl {
    pub fn is_pub(&self) -> bool {
        has_visibility(&self.0)
    }
    pub fn name(&self) -> Option<Name> {
        child(&self.0)
    }
    pub fn generic_param_list(&self) -> Option<GenericParamList> {
        child(&self.0)
    }
    pub fn generic_params(&self) -> impl Iterator<Item = GenericParam> {
        self.generic_param_list().into_iter().flat_map(|l| l.params())
    }
    pub fn field_list(&self) -> Option<FieldList> {
        child(&self.0)
    }
    pub fn fields(&self) -> impl Iterator<Item = Field> {
        self.field_list().into_iter().flat_map(|l| l.fields())
    }
}

impl FieldList {
    pub fn fields(&self) -> AstChildren<Field> {
        children(&self.0)
    }
}

impl Field {
    pub fn is_pub(&self) -> bool {
        has_visibility(&self.0)
    }
    pub fn name(&self) -> Option<Name> {
        child(&self.0)
    }
    pub fn ty(&self) -> Option<TypeRef> {
        child(&self.0)
    }
    /// `= 字面量` (the checker requires a literal).
    pub fn default(&self) -> Option<Expr> {
        token(&self.0, EQ).and_then(|eq| child_after(&eq))
    }
    /// Legacy C-style `整数 甲;`.
    pub fn is_legacy(&self) -> bool {
        token(&self.0, COLON).is_none()
    }
}

impl EnumDecl {
    pub fn is_pub(&self) -> bool {
        has_visibility(&self.0)
    }
    pub fn name(&self) -> Option<Name> {
        child(&self.0)
    }
    pub fn generic_param_list(&self) -> Option<GenericParamList> {
        child(&self.0)
    }
    pub fn generic_params(&self) -> impl Iterator<Item = GenericParam> {
        self.generic_param_list().into_iter().flat_map(|l| l.params())
    }
    pub fn variants(&self) -> impl Iterator<Item = Variant> {
        child::<VariantList>(&self.0).into_iter().flat_map(|l| children::<Variant>(&l.0))
    }
}

impl Variant {
    pub fn name(&self) -> Option<Name> {
        child(&self.0)
    }
    /// Payload types of `变体(类型, …)`; empty for a payload-less variant.
    pub fn payload(&self) -> AstChildren<TypeRef> {
        children(&self.0)
    }
    pub fn has_payload(&self) -> bool {
        token(&self.0, L_PAREN).is_some()
    }
}

impl TraitDecl {
    pub fn is_pub(&self) -> bool {
        has_visibility(&self.0)
    }
    pub fn name(&self) -> Option<Name> {
        child(&self.0)
    }
    pub fn generic_param_list(&self) -> Option<GenericParamList> {
        child(&self.0)
    }
    /// Required methods have no body; default methods do.
    pub fn methods(&self) -> impl Iterator<Item = FnDecl> {
        assoc_fns(&self.0)
    }
}

impl ImplDecl {
    fn for_token(&self) -> Option<SyntaxToken> {
        // `实现 特性 对于 类型` (`为` accepted for `对于`).
        self.0
            .children_with_tokens()
            .filter_map(|e| e.into_token())
            .find(|t| t.kind() == FOR_KW || (t.kind() == IDENT && t.text() == "为"))
    }
    /// The trait of `实现 特性 对于 类型`; `None` for an inherent `实现 类型`.
    pub fn trait_ty(&self) -> Option<TypeRef> {
        self.for_token()?;
        child(&self.0)
    }
    /// The type whose methods these are.
    pub fn self_ty(&self) -> Option<TypeRef> {
        match self.for_token() {
            Some(for_token) => child_after(&for_token),
            None => child(&self.0),
        }
    }
    pub fn generic_param_list(&self) -> Option<GenericParamList> {
        child(&self.0)
    }
    pub fn methods(&self) -> impl Iterator<Item = FnDecl> {
        assoc_fns(&self.0)
    }
}

impl ExternBlock {
    /// The library name token (`"m"`, `"c"`, `""`).
    pub fn lib_token(&self) -> Option<SyntaxToken> {
        token_where(&self.0, |k| k == STRING)
    }
    pub fn lib_name(&self) -> Option<String> {
        self.lib_token().map(|t| string_literal_value(t.text()))
    }
    pub fn functions(&self) -> impl Iterator<Item = FnDecl> {
        assoc_fns(&self.0)
    }
}

impl AssocItemList {
    pub fn functions(&self) -> AstChildren<FnDecl> {
        children(&self.0)
    }
}

fn assoc_fns(node: &crate::SyntaxNode) -> impl Iterator<Item = FnDecl> {
    child::<AssocItemList>(node).into_iter().flat_map(|l| l.functions())
}
