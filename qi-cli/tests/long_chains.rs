//! Long chains of operators through the real `qi` binary: 10,000 and 100,000 terms of
//! every operator kind give a located, bilingual diagnostic and exit status 1 in
//! `qi check`, `qi run` and `qi run --emit ir` (never a stack overflow), and chains at the
//! nesting limit (`qi_syntax::MAX_DEPTH`) check, print their IR and run correctly.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use qi_syntax::MAX_DEPTH;

/// A directory of its own under the target directory, emptied first.
fn scratch(name: &str) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn qi(dir: &Path, args: &[&str], lang: &str) -> Output {
    Command::new(env!("CARGO_BIN_EXE_qi"))
        .args(args)
        .current_dir(dir)
        .env_remove("LANG")
        .env("QI_LANG", lang)
        .output()
        .expect("qi runs")
}

/// `函数 入口() { 变量 x = <terms joined by op>; 打印行(x); }`, a line break after every
/// 100 terms (diagnostics quote the line).
const PREFIX: &str = "函数 入口() { 变量 x = ";

fn program(term: &str, op: &str, terms: usize) -> String {
    let lines: Vec<String> = vec![term; terms].chunks(100).map(|chunk| chunk.join(op)).collect();
    format!("{PREFIX}{}; 打印行(x); }}\n", lines.join(&format!("{op}\n")))
}

/// (term, operator, levels of the first term) of every chain kind: arithmetic, bitwise,
/// shifts, string `+`, logic (both spellings), comparisons chained through `&&`/`||` (the
/// first comparison is a level of the chain itself).
const CHAINS: &[(&str, &str, usize)] = &[
    ("1", "+", 0),
    ("1", "-", 0),
    ("1", "*", 0),
    ("1", "/", 0),
    ("1", "%", 0),
    ("1", "|", 0),
    ("1", "^", 0),
    ("1", "&", 0),
    ("1", "<<", 0),
    ("1", ">>", 0),
    ("\"a\"", "+", 0),
    ("真", "&&", 0),
    ("假", "||", 0),
    ("真", " 且 ", 0),
    ("假", " 或 ", 0),
    ("1 < 2", " && ", 1),
    ("1 == 1", " || ", 1),
];

/// `line:column` (1-based, columns in characters) of the `n`-th (0-based) `op` in `text`.
fn position_of(text: &str, op: &str, n: usize) -> String {
    let byte = text.match_indices(op.trim()).nth(n).expect("enough operators").0;
    let before = &text[..byte];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    format!("{line}:{}", before[line_start..].chars().count() + 1)
}

#[test]
fn chains_of_10k_and_100k_terms_are_rejected_with_a_located_diagnostic() {
    let dir = scratch("long_chains");
    for (k, &(term, op, term_levels)) in CHAINS.iter().enumerate() {
        for terms in [10_000, 100_000] {
            let name = format!("chain{k}_{terms}.qi");
            let text = program(term, op, terms);
            std::fs::write(dir.join(&name), &text).unwrap();
            // The block is level 1 and the expression level 2; every operator adds one,
            // so the operator that would put the first term below the limit is the
            // (MAX_DEPTH - 1)-th (0-based: MAX_DEPTH - 2), less the first term's levels.
            let n = MAX_DEPTH as usize - 2 - term_levels;
            let at = format!("{name}:{}", position_of(&text, op, n));
            let runs: [(&[&str], &[&str]); 4] = [
                (&["check"], &["zh"]),
                (&["run"], &["en"]),
                (&["run", "--emit", "ir"], &["zh"]),
                (&["run", "--emit", "ir-raw"], &["en"]),
            ];
            for (args, langs) in runs {
                let args: Vec<&str> = args.iter().copied().chain([name.as_str()]).collect();
                for &lang in langs {
                    let message = match lang {
                        "zh" => "嵌套层数过深（最多 1024 层）",
                        _ => "nesting is too deep (at most 1024 levels)",
                    };
                    let out = qi(&dir, &args, lang);
                    let stderr = String::from_utf8_lossy(&out.stderr);
                    let context = format!("{args:?} {term}{op}… {lang}");
                    assert_eq!(out.status.code(), Some(1), "{context}: {}", tail(&stderr));
                    assert!(out.stdout.is_empty(), "{context}");
                    assert!(stderr.contains(message), "{context}: {}", tail(&stderr));
                    assert!(stderr.contains(&at), "{context}: want {at}: {}", tail(&stderr));
                    assert_eq!(stderr.matches(message).count(), 1, "{context}");
                }
            }
        }
    }
}

/// Other chains that build deep trees: calls, fields, method calls, indexing, `否则 如果`.
#[test]
fn postfix_and_else_if_chains_are_rejected_with_a_located_diagnostic() {
    let dir = scratch("long_postfix_chains");
    let n = 100_000;
    let programs = [
        ("fields", format!("{PREFIX}a{}; }}\n", ".b".repeat(n)), ".b"),
        ("calls", format!("{PREFIX}f{}; }}\n", "()".repeat(n)), "()"),
        ("methods", format!("{PREFIX}a{}; }}\n", ".m(1)".repeat(n)), ".m"),
        ("index", format!("{PREFIX}a{}; }}\n", "[0]".repeat(n)), "[0]"),
        (
            "else_if",
            format!("函数 入口() {{ 如果 真 {{}}{} }}\n", " 否则 如果 真 {}".repeat(n)),
            "如果",
        ),
    ];
    for (what, text, link) in programs {
        let name = format!("{what}.qi");
        std::fs::write(dir.join(&name), &text).unwrap();
        for args in
            [&["check"][..], &["run"], &["run", "--emit", "ir"], &["run", "--emit", "ir-raw"]]
        {
            let args: Vec<&str> = args.iter().copied().chain([name.as_str()]).collect();
            let out = qi(&dir, &args, "en");
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(1), "{what} {args:?}: {}", tail(&stderr));
            assert!(stderr.contains("nesting is too deep"), "{what}: {}", tail(&stderr));
            assert!(stderr.contains(&format!("{name}:1:")), "{what}: {}", tail(&stderr));
            assert!(text.contains(link));
        }
    }
}

/// The longest chains the limit admits pass every stage: the checker, the IR printer,
/// the optimiser and code generation recurse over them without running out of stack.
#[test]
fn chains_at_the_limit_check_print_and_run() {
    let dir = scratch("chains_at_limit");
    // Block, expression: the chain's first term ends up on level MAX_DEPTH.
    let terms = MAX_DEPTH as usize - 1;
    let cases: Vec<(&str, &str, usize, String)> = vec![
        ("1", "+", terms, terms.to_string()),
        ("1", "-", terms, (2 - terms as i64).to_string()),
        ("2", "*", 40, (1i64 << 40).to_string()),
        ("1", "|", terms, "1".into()),
        ("\"ab\"", "+", terms, "ab".repeat(terms)),
        ("真", "&&", terms, "真".into()),
        ("假", "||", terms, "假".into()),
        // Each comparison is one more level: half as many of them.
        ("1 < 2", " && ", terms / 2, "真".into()),
    ];
    for (k, (term, op, n, expected)) in cases.into_iter().enumerate() {
        let name = format!("at_limit{k}.qi");
        std::fs::write(dir.join(&name), program(term, op, n)).unwrap();
        let check = qi(&dir, &["check", &name], "en");
        assert!(check.status.success(), "{term}{op}: {}", String::from_utf8_lossy(&check.stderr));
        for emit in ["ir", "ir-raw"] {
            let ir = qi(&dir, &["run", "--emit", emit, &name], "en");
            assert!(ir.status.success(), "{term}{op}: {}", String::from_utf8_lossy(&ir.stderr));
            assert!(!ir.stdout.is_empty());
        }
        let run = qi(&dir, &["run", &name], "en");
        assert!(run.status.success(), "{term}{op}: {}", String::from_utf8_lossy(&run.stderr));
        assert_eq!(String::from_utf8_lossy(&run.stdout), expected + "\n", "{term}{op}");
    }
}

/// Nesting of other kinds at the limit: parentheses, prefix operators, blocks, `如果`
/// inside `如果`, `否则 如果` chains. Each case is built at the deepest nesting the limit
/// admits (one level more is rejected) and must check, print its IR and run.
#[test]
fn nesting_at_the_limit_checks_and_runs() {
    let dir = scratch("nesting_at_limit");
    let max = MAX_DEPTH as usize;
    type Build = fn(usize) -> String;
    let cases: [(&str, Build, usize, String); 5] = [
        (
            "parens",
            |n| format!("{PREFIX}{}1{}; 打印行(x); }}", "(".repeat(n), ")".repeat(n)),
            max - 2,
            "1".into(),
        ),
        ("prefix", |n| format!("{PREFIX}{}1; 打印行(x); }}", "- ".repeat(n)), max - 2, "1".into()),
        (
            "blocks",
            |n| format!("函数 入口() {{ {}打印行(1);{} }}", "{ ".repeat(n), " }".repeat(n)),
            max - 3,
            "1".into(),
        ),
        (
            "ifs",
            |n| format!("函数 入口() {{ {}打印行(1);{} }}", "如果 真 { ".repeat(n), " }".repeat(n)),
            max - 3,
            "1".into(),
        ),
        (
            "else_ifs",
            |n| {
                let links: String =
                    (1..=n).map(|k| format!(" 否则 如果 i == {k} {{ 打印行({k}); }}")).collect();
                format!("函数 入口() {{ 变量 i = {}; 如果 i == 0 {{ 打印行(0); }}{links} }}", n - 1)
            },
            max - 4,
            // The program prints the last link's number.
            (max - 5).to_string(),
        ),
    ];
    for (what, build, n, expected) in cases {
        let name = format!("{what}.qi");
        std::fs::write(dir.join(&name), build(n)).unwrap();
        let check = qi(&dir, &["check", &name], "en");
        assert!(
            check.status.success(),
            "{what}: {}",
            tail(&String::from_utf8_lossy(&check.stderr))
        );
        for emit in ["ir", "ir-raw"] {
            let ir = qi(&dir, &["run", "--emit", emit, &name], "en");
            assert!(ir.status.success(), "{what} --emit {emit}");
        }
        let run = qi(&dir, &["run", &name], "en");
        assert!(run.status.success(), "{what}: {}", tail(&String::from_utf8_lossy(&run.stderr)));
        assert_eq!(String::from_utf8_lossy(&run.stdout), format!("{expected}\n"), "{what}");
        // One level more is over the limit: the case is really at it.
        let deeper = format!("{what}_deeper.qi");
        std::fs::write(dir.join(&deeper), build(n + 1)).unwrap();
        let check = qi(&dir, &["check", &deeper], "en");
        assert_eq!(check.status.code(), Some(1), "{what}");
        assert!(String::from_utf8_lossy(&check.stderr).contains("nesting is too deep"), "{what}");
    }
}

/// The end of a long message (diagnostics quote the whole, very long, line).
fn tail(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    chars[chars.len().saturating_sub(400)..].iter().collect()
}
