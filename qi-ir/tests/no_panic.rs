//! Robustness: `check` never panics, whatever the (parsed) input, and whenever it
//! produces a module, that module is well-formed IR (before and after optimisation).
//!
//! Two sources of input: strings built from a Qi-flavoured alphabet, and mutations
//! (token deletions, duplications, swaps, replacements) of every valid conformance program.
//! `PROPTEST_CASES` overrides the number of cases.

mod common;

use common::mutate::{apply, corpus, mutation, Mutation};
use proptest::prelude::*;
use qi_ir::validate::validate;
use std::panic::{catch_unwind, AssertUnwindSafe};

/// Invalid IR from known checker bugs (each with the ignored test that shows it), so that
/// random inputs hitting them do not make these properties flaky. Remove an entry when its
/// bug is fixed.
const KNOWN_IR_BUGS: &[(&str, &str)] = &[];

/// Check `src`; on success also validate the module and its optimised form.
fn check_survives(src: &str) -> Result<(), String> {
    // On the stack `qi` gives the front end: the corpus holds the deepest nesting the
    // parser admits.
    let src = src.to_string();
    common::on_front_end_stack(move || check_survives_here(&src))
}

fn check_survives_here(src: &str) -> Result<(), String> {
    let result = catch_unwind(AssertUnwindSafe(|| {
        let parse = qi_syntax::parse(src);
        let out = qi_ir::check(&parse.tree(), src, "t.qi");
        for d in &out.diagnostics {
            // Every range lies inside the text, on character boundaries.
            let (s, e): (usize, usize) = (d.range.start().into(), d.range.end().into());
            if s > e || e > src.len() || !src.is_char_boundary(s) || !src.is_char_boundary(e) {
                return Err(format!(
                    "diagnostic range {s}..{e} outside the text: {}",
                    d.message.zh
                ));
            }
            if d.message.zh.is_empty() || d.message.en.is_empty() {
                return Err("empty diagnostic message".into());
            }
        }
        if let Some(m) = out.module {
            if let Err(e) = validate(&m) {
                if KNOWN_IR_BUGS.iter().any(|(pattern, _)| e.to_string().contains(pattern)) {
                    return Ok(());
                }
                return Err(format!("invalid IR: {e}"));
            }
            let mut o = m.clone();
            qi_ir::opt::optimize(&mut o);
            validate(&o).map_err(|e| format!("invalid IR after optimize: {e}"))?;
        }
        Ok(())
    }));
    match result {
        Ok(r) => r,
        Err(payload) => {
            let msg = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            Err(format!("panicked: {msg}"))
        }
    }
}

fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

// ---- arbitrary strings --------------------------------------------------------------------

const FRAGMENTS: &[&str] = &[
    // keywords
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
    "尝试",
    "捕获",
    "最终",
    "抛出",
    "启动",
    "等待",
    "新建",
    "闭包",
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
    "作为",
    "与",
    "且",
    "或",
    "非",
    "真",
    "假",
    // types and builtins
    "整数",
    "浮点数",
    "布尔",
    "字符",
    "字符串",
    "字节",
    "空",
    "数组",
    "数组<整数>",
    "数组<字符串>",
    "通道",
    "打印",
    "打印行",
    "长度",
    "数组长度",
    "命令行参数",
    "输入",
    "整数转字符串",
    "浮点数转整数",
    "字符串转整数",
    "入口",
    "入口()",
    "函数 入口() {",
    "函数 f(a: 整数): 整数 {",
    "有",
    "无",
    // identifiers
    "x",
    "y",
    "名",
    "甲",
    "乙",
    "_",
    "f",
    "入口",
    // literals
    "0",
    "1",
    "7",
    "-1",
    "9223372036854775807",
    "99999999999999999999",
    "3.14",
    "0.0",
    "007",
    "'a'",
    "'中'",
    "\"s\"",
    "\"\"",
    "f\"{x}\"",
    "\"${y}\"",
    "模板\"a{1}\"",
    "'\\n'",
    // operators and punctuation
    "+",
    "-",
    "*",
    "/",
    "%",
    "&",
    "|",
    "^",
    "<<",
    ">>",
    "==",
    "!=",
    "<",
    "<=",
    ">",
    ">=",
    "&&",
    "||",
    "!",
    "=",
    "+=",
    "-=",
    "*=",
    "/=",
    "%=",
    "..",
    "...",
    "::",
    ":",
    ".",
    ",",
    ";",
    "->",
    "=>",
    "<-",
    "(",
    ")",
    "{",
    "}",
    "[",
    "]",
    "（",
    "）",
    "【",
    "】",
    "，",
    "；",
    "：",
    "。",
    "“",
    "”",
    "「",
    "」",
    " ",
    "\n",
    "\t",
    "// 注释\n",
    "/* 块 */",
    "\u{FEFF}",
    "\u{3000}",
];

fn fragment() -> impl Strategy<Value = String> {
    prop_oneof![
        6 => proptest::sample::select(FRAGMENTS).prop_map(str::to_string),
        1 => any::<char>().prop_map(|c| c.to_string()),
        1 => "[ -~]{0,3}",
    ]
}

fn soup() -> impl Strategy<Value = String> {
    proptest::collection::vec(fragment(), 0..50).prop_map(|parts| parts.join(" "))
}

/// Fragments inside the body of `入口`, so that statements and expressions are checked.
fn in_entry() -> impl Strategy<Value = String> {
    (soup(), any::<bool>()).prop_map(|(body, close)| {
        let close = if close { "\n}" } else { "" };
        format!("函数 f(a: 整数, s: 字符串): 整数 {{ 返回 a; }}\n函数 入口() {{\n变量 x = 1;\n变量 s = \"s\";\n{body}{close}")
    })
}

/// Small statements assembled from well-formed pieces: more of them get past the parser.
fn statement() -> impl Strategy<Value = String> {
    let atom = proptest::sample::select(
        &[
            "x",
            "s",
            "1",
            "2.5",
            "真",
            "'c'",
            "\"t\"",
            "f(x, s)",
            "f(1)",
            "长度(s)",
            "命令行参数()",
            "命令行参数()[0]",
            "打印行(x)",
            "(x)",
            "-x",
            "!真",
            "x 作为 浮点数",
            "s 作为 整数",
            "未知",
            "输入()",
            "f\"{x}\"",
        ][..],
    );
    let op = proptest::sample::select(
        &["+", "-", "*", "/", "%", "&", "<<", "==", "<", "&&", "||", "作为 字符串"][..],
    );
    let expr = (atom.clone(), op, atom).prop_map(|(a, o, b)| {
        if o.starts_with('作') {
            format!("{a} {o}")
        } else {
            format!("{a} {o} {b}")
        }
    });
    prop_oneof![
        expr.clone().prop_map(|e| format!("变量 v = {e};")),
        expr.clone().prop_map(|e| format!("x = {e};")),
        expr.clone().prop_map(|e| format!("s += {e};")),
        expr.clone().prop_map(|e| format!("打印行({e});")),
        expr.clone().prop_map(|e| format!("如果 {e} {{ 跳出; }} 否则 {{ 继续; }}")),
        expr.clone().prop_map(|e| format!("当 {e} {{ x -= 1; }}")),
        expr.clone().prop_map(|e| format!("对于 i 在 0..{e} {{ 打印(i); }}")),
        expr.clone().prop_map(|e| format!("对于 i 在 {e} {{ 打印(i); }}")),
        expr.prop_map(|e| format!("返回 {e};")),
    ]
}

fn statements() -> impl Strategy<Value = String> {
    proptest::collection::vec(statement(), 1..8).prop_map(|ss| {
        format!(
            "变量 g = 1;\n函数 f(a: 整数, s: 字符串 = \"d\"): 整数 {{ 返回 a; }}\n函数 入口() {{\n变量 x = 1;\n变量 s = \"s\";\n{}\n}}\n",
            ss.join("\n")
        )
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(512), failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn check_never_panics_on_token_soup(src in soup()) {
        if let Err(e) = check_survives(&src) {
            return Err(TestCaseError::fail(format!("{e}\ninput: {src:?}")));
        }
    }

    #[test]
    fn check_never_panics_inside_a_function_body(src in in_entry()) {
        if let Err(e) = check_survives(&src) {
            return Err(TestCaseError::fail(format!("{e}\ninput: {src:?}")));
        }
    }

    #[test]
    fn check_never_panics_on_assembled_statements(src in statements()) {
        if let Err(e) = check_survives(&src) {
            return Err(TestCaseError::fail(format!("{e}\ninput: {src:?}")));
        }
    }
}

// ---- mutations of the conformance programs -------------------------------------------------

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(768), failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn check_never_panics_on_mutated_programs(
        program in any::<usize>(),
        muts in proptest::collection::vec(mutation(FRAGMENTS), 1..5),
    ) {
        let corpus = corpus();
        let t = &corpus[program % corpus.len()];
        let src = apply(t, &muts);
        if let Err(e) = check_survives(&src) {
            return Err(TestCaseError::fail(format!("{e}\nprogram {} with {muts:?}:\n{src}", t.name)));
        }
    }
}

/// Deterministic sweep: every program with single significant tokens deleted, and with
/// neighbouring significant tokens swapped — every `stride`-th position, the stride chosen
/// for about `QI_SWEEP_VARIANTS` (default 12 000) variants, to keep the debug-build run
/// short as the corpus grows. `QI_SWEEP_VARIANTS=1000000` sweeps every position.
#[test]
fn check_never_panics_on_single_token_deletions_and_swaps() {
    let budget: usize =
        std::env::var("QI_SWEEP_VARIANTS").ok().and_then(|v| v.parse().ok()).unwrap_or(12_000);
    let positions: usize = corpus().iter().map(|t| t.significant.len()).sum();
    let stride = (2 * positions).div_ceil(budget.max(1)).max(1);
    let mut failures = Vec::new();
    let mut checked = 0;
    for (n, t) in corpus().iter().enumerate() {
        for k in (n % stride..t.significant.len()).step_by(stride) {
            for muts in [vec![Mutation::Delete(k)], vec![Mutation::Swap(k, k + 1)]] {
                let src = apply(t, &muts);
                checked += 1;
                if let Err(e) = check_survives(&src) {
                    failures.push(format!("{} {muts:?}: {e}", t.name));
                }
            }
        }
    }
    assert!(checked > budget.min(2 * positions) / 2, "only {checked} variants");
    assert!(
        failures.is_empty(),
        "{} failures, e.g.:\n{}",
        failures.len(),
        failures.iter().take(10).cloned().collect::<Vec<_>>().join("\n")
    );
}

#[test]
fn every_valid_program_checks_to_valid_ir() {
    common::on_front_end_stack(every_valid_program_checks_to_valid_ir_body);
}

fn every_valid_program_checks_to_valid_ir_body() {
    for p in common::programs() {
        let parse = qi_syntax::parse(&p.source);
        assert!(parse.errors.is_empty(), "{}", p.name);
        let out = qi_ir::check(&parse.tree(), &p.source, "t.qi");
        let m = out.module.unwrap_or_else(|| {
            panic!("{} rejected: {:?}", p.name, common::messages(&out.diagnostics))
        });
        validate(&m).unwrap_or_else(|e| panic!("{}: {e}", p.name));
    }
}
