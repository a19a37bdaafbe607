//! Error reporting and recovery: the right message at the right range, all errors of
//! a file, trees that stay lossless, deep nesting that does not overflow the stack.

mod common;

use common::{messages, parse_err, parse_ok};
use qi_syntax::ast::*;
use qi_syntax::{parse, SyntaxKind, SyntaxNode, MAX_DEPTH};
use rowan::{TextRange, TextSize};

fn range_of(src: &str, needle: &str) -> TextRange {
    let start = src.find(needle).expect("needle");
    TextRange::at(TextSize::from(start as u32), TextSize::of(needle))
}

#[test]
fn reserved_word_as_variable_name() {
    let src = "包 主程序;\n函数 入口() {\n    变量 结果 = 1;\n}\n";
    let p = parse_err(src);
    assert_eq!(p.errors.len(), 1, "{:?}", p.errors);
    let e = &p.errors[0];
    assert_eq!(e.range, range_of(src, "结果"));
    assert!(e.message.zh.contains("意外的标记 `结果`"), "{}", e.message.zh);
    assert!(e.message.en.contains("unexpected `结果`"));
    let hint = e.hint.as_ref().unwrap();
    assert!(hint.zh.contains("是 qi 的保留字"), "{}", hint.zh);
    assert!(hint.zh.contains("`结果值`"));
    assert!(hint.en.contains("reserved word"));
    // The keyword still fills the name's place, so the rest of the statement parsed.
    let l = p.syntax().descendants().find_map(LetStmt::cast).unwrap();
    assert!(l.init().is_some());
}

#[test]
fn other_reserved_words_as_names() {
    for word in ["类型", "返回", "尝试", "继续", "模块", "如果"] {
        let src = format!("函数 f() {{ 变量 {word} = 1; }}");
        let p = parse_err(&src);
        assert_eq!(p.errors.len(), 1, "{word}: {:?}", p.errors);
        assert_eq!(p.errors[0].range, range_of(&src, word));
        assert!(p.errors[0].hint.as_ref().unwrap().zh.contains(word));
    }
    let p = parse_err("变量 模块 = 1;");
    assert!(p.errors[0].hint.as_ref().unwrap().zh.starts_with("「模块」是奇语保留关键字"));
    let p = parse_err("函数 类型() {}");
    assert_eq!(p.errors.len(), 1);
}

#[test]
fn missing_semicolon_at_line_end() {
    let src = "函数 f() {\n    变量 a = 1\n    打印行(a);\n}\n";
    let p = parse_err(src);
    assert_eq!(p.errors.len(), 1, "{:?}", p.errors);
    assert_eq!(p.errors[0].range, range_of(src, "打印行"));
    assert!(p.errors[0].message.en.contains("expected `;`"));
    assert!(p.errors[0].hint.as_ref().unwrap().zh.contains("漏写了 `;`"));
    // Both statements are still there.
    let f = p.syntax().descendants().find_map(FnDecl::cast).unwrap();
    assert_eq!(f.body().unwrap().stmts().count(), 2);
}

#[test]
fn missing_closing_brace() {
    let src = "函数 f() {\n    打印行(1);\n";
    let p = parse_err(src);
    assert_eq!(p.errors.len(), 1);
    assert!(p.errors[0].message.en.contains("end of file"));
    assert!(p.errors[0].hint.as_ref().unwrap().zh.contains("缺少 `}`"));
}

#[test]
fn missing_closing_paren() {
    let src = "函数 f() { 打印行(1, 2; }";
    let p = parse_err(src);
    assert!(p.errors[0].hint.as_ref().unwrap().en.contains("missing `)`"), "{:?}", p.errors);
    assert_eq!(p.errors[0].range, range_of(src, ";"));
}

#[test]
fn all_errors_of_a_file_are_reported() {
    let src = "函数 a() { 变量 = 1; }\n函数 b() { 打印行(1 +); }\n函数 c() { 如果 { } }\n函数 d() { 返回 1 }\n";
    let p = parse_err(src);
    assert_eq!(p.errors.len(), 4, "{:#?}", messages(&p));
    assert_eq!(p.tree().functions().count(), 4);
    // Sorted by position.
    assert!(p.errors.windows(2).all(|w| w[0].range.start() <= w[1].range.start()));
}

#[test]
fn garbage_is_wrapped_in_error_nodes() {
    let src = "变量 a = 1 2 3;\n变量 b = 2;";
    let p = parse_err(src);
    assert_eq!(p.errors.len(), 1);
    assert_eq!(p.tree().globals().count(), 2);
    assert!(p.syntax().descendants().any(|n| n.kind() == SyntaxKind::ERROR));
}

#[test]
fn stray_closing_brace_at_top_level() {
    let p = parse_err("}\n函数 f() {}");
    assert_eq!(p.errors.len(), 1);
    assert_eq!(p.tree().functions().count(), 1);
}

#[test]
fn lexical_errors() {
    let src = "变量 a = 1 # 2;";
    let p = parse_err(src);
    assert_eq!(p.errors[0].range, range_of(src, "#"));
    assert!(p.errors[0].message.zh.contains("无效字符"));
    // An unterminated string keeps its text and is reported at the quote.
    let src = "打印行(\"abc";
    let p = parse_err(src);
    assert!(messages(&p).iter().any(|m| m.contains("unterminated string")));
    let p = parse_err("/* 未闭合 /* */");
    assert!(messages(&p)[0].contains("block comment"));
    let p = parse_err("变量 c = 'ab';");
    assert!(messages(&p)[0].contains("exactly one character"));
    let p = parse_err("变量 c = '';");
    assert!(messages(&p)[0].contains("empty character"));
    // 。！？《》 are whitespace.
    parse_ok("变量 a = 1;。！？《》");
}

#[test]
fn interpolation_errors() {
    let p = parse_err("打印行(\"${}\");");
    assert!(messages(&p)[0].contains("empty interpolation"));
    let p = parse_err("打印行(\"${a\");");
    assert!(
        messages(&p)
            .iter()
            .any(|m| m.contains("unclosed interpolation") || m.contains("unterminated")),
        "{:?}",
        messages(&p)
    );
    let p = parse_err("打印行(\"${f(\"${x}\")}\");");
    assert!(messages(&p)[0].contains("nested"), "{:?}", messages(&p));
    let p = parse_err("打印行(f\"{a b}\");");
    assert_eq!(p.errors.len(), 1);
    let p = parse_err("打印行(f\"{a");
    assert!(!p.errors.is_empty());
}

#[test]
fn lone_quote_and_bom() {
    parse_err("\"");
    parse_err("'");
    parse_err("`");
    parse_err("f\"");
    let p = parse_ok("\u{FEFF}包 主程序;");
    assert_eq!(p.syntax().first_token().unwrap().kind(), SyntaxKind::WHITESPACE);
}

/// Runs `f` on a thread with the default 2 MiB test stack, as `cargo test` does.
fn on_small_stack(f: impl FnOnce() + Send + 'static) {
    std::thread::Builder::new().stack_size(2 << 20).spawn(f).unwrap().join().unwrap();
}

#[test]
fn deep_nesting_does_not_overflow() {
    on_small_stack(|| {
        for (open, close) in
            [("(", ")"), ("[", "]"), ("-", ""), ("!", ""), ("a = ", ""), ("f(", ")")]
        {
            let src = format!("变量 x = {}1{};", open.repeat(100_000), close.repeat(100_000));
            let p = parse(&src);
            assert_eq!(p.syntax().to_string(), src);
            assert!(messages(&p).iter().any(|m| m.contains("nesting is too deep")), "{open}");
        }
        let src = "函数 f() ".to_string() + &"{".repeat(50_000) + &"}".repeat(50_000);
        let p = parse(&src);
        assert_eq!(p.syntax().to_string(), src);
        assert_eq!(messages(&p), ["nesting is too deep (at most 1024 levels)"]);
        let src = "函数 f() ".to_string() + &"{".repeat(50_000);
        assert_eq!(parse(&src).syntax().to_string(), src);
        let src = "变量 x: ".to_string() + &"数组<".repeat(50_000);
        assert_eq!(parse(&src).syntax().to_string(), src);
        let src = "匹配 x { ".to_string() + &"a(".repeat(50_000);
        assert_eq!(parse(&src).syntax().to_string(), src);
        let src = "f\"{".repeat(10_000);
        assert_eq!(parse(&src).syntax().to_string(), src);
        let src = "\"${".repeat(10_000);
        assert_eq!(parse(&src).syntax().to_string(), src);
    });
}

/// The deepest node or token of the tree (the root is level 0), found without recursion.
fn tree_depth(root: &SyntaxNode) -> usize {
    let (mut depth, mut deepest) = (0usize, 0usize);
    for event in root.preorder_with_tokens() {
        match event {
            rowan::WalkEvent::Enter(_) => {
                deepest = deepest.max(depth);
                depth += 1;
            }
            rowan::WalkEvent::Leave(_) => depth -= 1,
        }
    }
    deepest
}

/// Every syntax tree is at most a few nodes per nesting level deep, whatever the input:
/// later passes may recurse over it.
const TREE_DEPTH_BOUND: usize = 4 * MAX_DEPTH as usize;

/// `变量 x = <terms joined by op>;` at the top level.
fn chain(term: &str, op: &str, n: usize) -> String {
    format!("变量 x = {};", vec![term; n].join(op))
}

#[test]
fn long_chains_are_too_deep_at_the_operator_over_the_limit() {
    on_small_stack(|| {
        let ops = ["+", "-", "*", "/", "%", "|", "^", "&", "<<", ">>", "&&", "||", " 或 ", " 与 "];
        for op in ops {
            for n in [10_000, 100_000] {
                let src = chain("1", op, n);
                let p = parse(&src);
                assert_eq!(p.syntax().to_string(), src);
                assert!(tree_depth(&p.syntax()) <= TREE_DEPTH_BOUND, "{op}");
                assert_eq!(p.errors.len(), 1, "{op}: {:?}", messages(&p));
                let e = &p.errors[0];
                assert_eq!(e.message.en, "nesting is too deep (at most 1024 levels)");
                assert_eq!(e.message.zh, "嵌套层数过深（最多 1024 层）");
                assert!(e.hint.as_ref().unwrap().en.contains("split it into several statements"));
                // The expression is level 1 and each operator adds one: the MAX_DEPTH-th
                // operator would put the first term on level 257.
                let at = src.match_indices(op).nth(MAX_DEPTH as usize - 1).unwrap().0
                    + (op.len() - op.trim_start().len());
                assert_eq!(e.range.start(), TextSize::from(at as u32), "{op}");
            }
        }
        // Comparisons chained through `&&`, strings, casts.
        for (term, op) in
            [("1 < 2", " && "), ("\"a\"", "+"), ("真", "&&"), ("(x 作为 整数)", " + ")]
        {
            let p = parse(&chain(term, op, 100_000));
            assert_eq!(messages(&p), ["nesting is too deep (at most 1024 levels)"], "{term}");
            assert!(tree_depth(&p.syntax()) <= TREE_DEPTH_BOUND);
        }
    });
}

#[test]
fn chains_below_the_limit_are_fine() {
    let limit = MAX_DEPTH as usize;
    // MAX_DEPTH - 1 operators: the deepest term is on level MAX_DEPTH.
    parse_ok(&chain("1", "+", limit));
    let p = parse_err(&chain("1", "+", limit + 1));
    assert_eq!(p.errors.len(), 1);
    // Inside a function body the block is one level more.
    parse_ok(&format!("函数 f() {{ {} }}", chain("1", "+", limit - 1)));
    parse_err(&format!("函数 f() {{ {} }}", chain("1", "+", limit)));
}

#[test]
fn chains_and_nesting_add_up() {
    let limit = MAX_DEPTH as usize;
    let nested = |n: usize| format!("{}1{}", "(".repeat(n), ")".repeat(n));
    // A deep first operand sinks one level per operator after it.
    let (most, some) = (limit * 3 / 4, limit / 2);
    let src = format!("变量 x = {}{};", nested(most), "+1".repeat(some));
    assert_eq!(messages(&parse(&src)), ["nesting is too deep (at most 1024 levels)"]);
    // The last operand is a child of the root: only its own nesting counts.
    let src = format!("变量 x = {}{};", "1+".repeat(some), nested(most));
    parse_ok(&src);
    let src = format!("变量 x = {}{};", nested(some - 10), "+1".repeat(some - 10));
    parse_ok(&src);
    let src = format!("变量 x = {}{};", nested(limit - 2), "+1");
    parse_ok(&src);
}

#[test]
fn postfix_and_else_if_chains_are_too_deep() {
    on_small_stack(|| {
        let srcs = [
            format!("变量 x = a{};", ".b".repeat(100_000)),
            format!("变量 x = f{};", "()".repeat(100_000)),
            format!("变量 x = a{};", "[0]".repeat(100_000)),
            format!("变量 x = a{};", ".m(1)".repeat(100_000)),
            format!("函数 f() {{ 如果 真 {{}}{} }}", " 否则 如果 真 {}".repeat(100_000)),
        ];
        for src in srcs {
            let p = parse(&src);
            assert_eq!(p.syntax().to_string(), src);
            assert!(tree_depth(&p.syntax()) <= TREE_DEPTH_BOUND);
            assert_eq!(messages(&p), ["nesting is too deep (at most 1024 levels)"]);
            assert!(p.errors[0].hint.is_some());
        }
        let limit = MAX_DEPTH as usize;
        parse_ok(&format!("变量 x = a{};", ".b".repeat(limit - 1)));
        parse_ok(&format!("函数 f() {{ 如果 真 {{}}{} }}", " 否则 如果 真 {}".repeat(limit - 2)));
    });
}

/// What the constructs around a skipped too deep part miss where the skip stopped (the
/// `{` of an `如果`, a `;`) is not reported again.
#[test]
fn too_deep_is_reported_once_without_cascades() {
    let over = MAX_DEPTH as usize + 44;
    let deep = format!("{}1{}", "(".repeat(over), ")".repeat(over));
    for src in [
        format!("函数 f() {{ 如果 {deep} {{ }} }}"),
        format!("如果 {deep} {{ }}"),
        format!("函数 f() {{ 变量 x = {deep}; 打印行(x); }}"),
        format!("函数 f() {{ 如果 x {{ }}{} }}", " 否则 如果 x == 1 { }".repeat(over)),
    ] {
        let p = parse(&src);
        assert_eq!(p.syntax().to_string(), src);
        assert_eq!(messages(&p), ["nesting is too deep (at most 1024 levels)"], "{src}");
    }
}

#[test]
fn deep_trees_of_every_kind_stay_within_the_bound() {
    on_small_stack(|| {
        for (open, close) in
            [("(", ")"), ("[", "]"), ("-", ""), ("a = ", ""), ("f(", ")"), ("{", "}")]
        {
            let src = format!("变量 x = {}1{};", open.repeat(100_000), close.repeat(100_000));
            assert!(tree_depth(&parse(&src).syntax()) <= TREE_DEPTH_BOUND, "{open}");
        }
    });
}

#[test]
fn moderate_nesting_is_fine() {
    let src = format!("变量 x = {}1{};", "(".repeat(100), ")".repeat(100));
    parse_ok(&src);
}

#[test]
fn missing_comma_in_a_list() {
    let src = "打印行(1 2, 3);";
    let p = parse_err(src);
    assert_eq!(p.errors.len(), 1, "{:?}", messages(&p));
    assert_eq!(p.errors[0].range, range_of(src, "2"));
    assert!(messages(&p)[0].contains("expected `,` or `)`"));
    let call = p.syntax().descendants().find_map(CallExpr::cast).unwrap();
    assert_eq!(call.args().count(), 3);
}

#[test]
fn unclosed_parameter_list_before_body() {
    let src = "函数 入口( {\n    打印行(1);\n}";
    let p = parse_err(src);
    assert_eq!(p.errors.len(), 1, "{:?}", messages(&p));
    assert!(p.errors[0].hint.as_ref().unwrap().en.contains("missing `)`"));
    let f = p.syntax().descendants().find_map(FnDecl::cast).unwrap();
    assert_eq!(f.body().unwrap().stmts().count(), 1);
}

#[test]
fn struct_field_without_separator() {
    let src = "类型 点 {\n 横: 整数 纵: 整数,\n 高: 整数\n}";
    let p = parse_err(src);
    assert_eq!(p.errors.len(), 1, "{:?}", messages(&p));
    let s = p.syntax().descendants().find_map(StructDecl::cast).unwrap();
    let names: Vec<_> = s.fields().map(|f| f.name().unwrap().text()).collect();
    assert_eq!(names, ["横", "高"]);
}
