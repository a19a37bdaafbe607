//! Property: for any input, parsing never panics and the tree's text is the input.

use proptest::prelude::*;
use qi_syntax::ast::*;
use qi_syntax::SyntaxNode;

fn consume<T>(_: T) {}

/// Calls the accessors of whatever view `node` casts to; they must never panic.
fn touch(node: SyntaxNode) {
    if let Some(e) = Expr::cast(node.clone()) {
        match e {
            Expr::Literal(l) => consume((
                l.kind(),
                l.int_value(),
                l.float_value(),
                l.string_value(),
                l.char_value(),
            )),
            Expr::Path(p) => consume((p.segments().count(), p.as_single_name(), p.generic_args())),
            Expr::Binary(b) => consume((b.op(), b.lhs(), b.rhs())),
            Expr::Prefix(p) => consume((p.op(), p.operand())),
            Expr::Call(c) => consume((c.callee(), c.args().count())),
            Expr::MethodCall(m) => consume((m.receiver(), m.name(), m.args().count())),
            Expr::Field(f) => consume((f.receiver(), f.name())),
            Expr::Index(i) => consume((i.base(), i.index())),
            Expr::StructLit(s) => consume((
                s.ty(),
                s.fields().for_each(|f| consume((f.name(), f.value()))),
                s.spread(),
            )),
            Expr::Closure(c) => {
                consume((c.captures().count(), c.params().count(), c.ret_type(), c.body()))
            }
            Expr::Template(t) => t.parts().for_each(|p| consume(p.text_value())),
            Expr::Cast(c) => consume((c.expr(), c.ty())),
            Expr::ArrayNew(a) => consume((a.elem_ty(), a.length())),
            Expr::ChanNew(c) => consume((c.elem_ty(), c.capacity())),
            Expr::Assign(a) => consume((a.op(), a.target(), a.value())),
            Expr::Send(s) => consume((s.chan(), s.value())),
            _ => {}
        }
    }
    if let Some(s) = Stmt::cast(node.clone()) {
        match s {
            Stmt::Let(l) => consume((l.name(), l.ty(), l.init(), l.is_const())),
            Stmt::If(i) => consume((i.cond(), i.then_branch(), i.else_branch())),
            Stmt::For(f) => {
                consume((f.binding(), f.iterable(), f.range_kind(), f.range_end(), f.body()))
            }
            Stmt::Match(m) => m.arms().for_each(|a| consume((a.pat(), a.guard(), a.body()))),
            Stmt::Select(s) => s.cases().for_each(|c| consume((c.kind(), c.stmts().count()))),
            Stmt::Try(t) => consume((
                t.body(),
                t.catch_clause().map(|c| (c.name(), c.ty())),
                t.finally_clause(),
            )),
            Stmt::Item(Item::Fn(f)) => consume((
                f.name(),
                f.receiver(),
                f.params().for_each(|p| consume((p.name(), p.ty(), p.default()))),
                f.ret_type(),
                f.body(),
            )),
            Stmt::Item(Item::Struct(s)) => {
                s.fields().for_each(|f| consume((f.name(), f.ty(), f.default())))
            }
            Stmt::Item(Item::Enum(e)) => e.variants().for_each(|v| consume(v.payload().count())),
            Stmt::Item(Item::Impl(i)) => consume((i.trait_ty(), i.self_ty(), i.methods().count())),
            Stmt::Item(Item::Import(i)) => {
                consume((i.path().map(|p| p.text()), i.alias(), i.selected().count()))
            }
            _ => {}
        }
    }
    if let Some(TypeRef::Named(p)) = TypeRef::cast(node.clone()) {
        consume((p.builtin(), p.text(), p.type_args().count()));
    }
    if let Some(Pat::Variant(v)) = Pat::cast(node) {
        consume((v.name(), v.fields().count()));
    }
}

/// Fragments that exercise the lexer's and parser's interesting paths.
const FRAGMENTS: &[&str] = &[
    "函数",
    "变量",
    "常量",
    "如果",
    "否则",
    "否则如果",
    "当",
    "对于",
    "在",
    "到",
    "直到",
    "返回",
    "跳出",
    "继续",
    "匹配",
    "选择",
    "情况",
    "默认",
    "超时",
    "尝试",
    "捕获",
    "最终",
    "抛出",
    "启动",
    "等待",
    "通道",
    "数组",
    "新建",
    "闭包",
    "弱",
    "类型",
    "结构体",
    "枚举",
    "特性",
    "实现",
    "外部",
    "导入",
    "导出",
    "包",
    "公开",
    "异步",
    "作为",
    "整数",
    "字符串",
    "真",
    "假",
    "与",
    "或",
    "非",
    "长度",
    "模块",
    "为",
    "x",
    "名",
    "_",
    "1",
    "3.14",
    "007",
    "..",
    "...",
    "(",
    ")",
    "（",
    "）",
    "{",
    "}",
    "【",
    "】",
    "[",
    "]",
    "<",
    ">",
    ">>",
    "<-",
    ":=",
    "=>",
    ":",
    "：",
    "::",
    ";",
    "；",
    ",",
    "，",
    ".",
    "=",
    "+=",
    "==",
    "!",
    "&",
    "|",
    "||",
    "*",
    "\"",
    "'",
    "`",
    "f\"",
    "模板\"",
    "${",
    "{",
    "｛",
    "｝",
    "\\",
    "/*",
    "*/",
    "//",
    "\n",
    " ",
    "。",
    "？",
    "《",
    "#",
    "$",
    "\u{FEFF}",
    "'a'",
    "\"s\"",
    "f\"{x}\"",
    "\"${y}\"",
];

fn fragment() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => proptest::sample::select(FRAGMENTS).prop_map(str::to_string),
        1 => any::<char>().prop_map(|c| c.to_string()),
        1 => "[ -~]{0,4}",
    ]
}

fn source() -> impl Strategy<Value = String> {
    proptest::collection::vec(fragment(), 0..60).prop_map(|parts| parts.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 3000, ..ProptestConfig::default() })]

    #[test]
    fn parse_is_lossless(src in source()) {
        let parse = qi_syntax::parse(&src);
        prop_assert_eq!(parse.syntax().to_string(), src.clone());
        for error in &parse.errors {
            prop_assert!(u32::from(error.range.end()) as usize <= src.len());
            prop_assert!(src.is_char_boundary(u32::from(error.range.start()) as usize));
        }
        // Views tolerate error trees: call the typed accessors on every node.
        for node in parse.syntax().descendants() {
            touch(node);
        }
        let _ = parse.tree().items().count();
    }

    #[test]
    fn arbitrary_unicode_is_lossless(src in "\\PC{0,80}") {
        let parse = qi_syntax::parse(&src);
        prop_assert_eq!(parse.syntax().to_string(), src);
    }
}
