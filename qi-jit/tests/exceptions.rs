//! Exceptions in every execution tier: each program runs in a child process (as `qi run`
//! runs it) in every mode of `common::MODES` — the eager JIT, the interpreter, and the
//! interpreter on the IR as lowered (unoptimised) — and all must print the same, end the
//! same way (exit status 2 for an uncaught exception, with the same report: message,
//! frames, causes) and leave the same objects alive: none after a normal end, none after
//! the clean-up of an uncaught exception either unless globals hold objects (after an
//! uncaught exception `main` does not reach the end that releases the globals).
//!
//! The programs: focused sources below, and every one-file program of the conformance
//! directories `exceptions/` and `runtime_errors/`.

mod common;

use common::{child_main, run_child, ChildOutput, Prepared, MODES, MODE_ENV};
use qi_ir::Module;
use std::path::{Path, PathBuf};

// ---- the programs ----------------------------------------------------------------------------

/// Focused programs (checked as `t.qi`).
const SOURCES: &[(&str, &str)] = &[
    (
        "closures_methods_and_function_values",
        "类型 账户 { 名: 字符串, 余额: 整数 }
函数 取(a: 账户, n: 整数): 整数 {
    如果 n > a.余额 { 抛出 a.名 + \" 余额不足\"; }
    a.余额 = a.余额 - n;
    返回 a.余额;
}
函数 各(列: 数组<整数>, f: 函数(整数): 整数): 字符串 {
    变量 s = \"\";
    对于 x 在 列 { s = s + f(x) + \" \"; }
    返回 s;
}
函数 入口() {
    变量 a = 新建 账户 { 名: \"甲\", 余额: 10 };
    尝试 { 打印行(取(a, 3), 取(a, 30)); } 捕获 e { 打印行(e, a.余额); }
    变量 上限 = 5;
    变量 查 = 闭包(x: 整数): 整数 { 如果 x > 上限 { 抛出 \"超过 \" + 上限 + \"：\" + x; } 返回 x * x; };
    尝试 { 打印行(各([1, 2], 查)); 打印行(各([3, 9, 4], 查)); } 捕获 e { 打印行(\"捕获\", e); }
    变量 表 = [闭包(x: 整数): 整数 { 返回 x + 1; }, 闭包(x: 整数): 整数 { 返回 10 / x; }];
    对于 i 在 0..2 { 尝试 { 打印行(表[i](0)); } 捕获 e { 打印行(\"表\", i, e); } }
}
",
    ),
    (
        "cause_chain_uncaught",
        "函数 入口() {
    尝试 {
        尝试 { 抛出 \"一\"; } 捕获 e { 抛出 e + \"二\"; } 最终 { 打印行(\"最终\"); }
    } 捕获 f {
        打印行(f, 异常原因());
        抛出 \"三\";
    }
}
",
    ),
    (
        "recursion_collapsed_in_the_trace",
        "函数 降(n: 整数): 整数 {
    如果 n == 0 { 返回 1 / n; }
    返回 降(n - 1) + 1;
}
函数 入口() { 打印行(降(100)); }
",
    ),
    (
        "stack_overflow_caught",
        "函数 无底(n: 整数): 整数 { 返回 无底(n + 1) + 1; }
函数 入口() {
    变量 s = \"活着\";
    尝试 { 打印行(无底(0)); } 捕获 e { 打印行(e, s); }
    打印行(\"之后\");
}
",
    ),
    (
        "global_initialiser_raises",
        "函数 校验(n: 整数): 整数 {
    如果 n > 1 { 抛出 \"初值太大：\" + n; }
    返回 n;
}
变量 甲 = \"甲\" + 校验(1);
变量 乙 = 校验(2);
函数 入口() { 打印行(甲, 乙); }
",
    ),
];

/// Focused programs that exposed JIT bugs (fixed since), each checked by its own test below:
/// an exception through a top-level function used as a value (its trampoline's call had
/// no exceptional edge, and the JIT ignored the status of such calls), and a `选项<对象>`
/// global holding `无` (null) read as an uninitialised global.
const REGRESSIONS: &[(&str, &str)] = &[
    (
        "exception_through_a_function_value",
        "函数 坏(x: 整数): 整数 {
    变量 t = 0;
    对于 i 在 0..10 { t = t + i * x; 如果 t > 1000 { 打印行(t); } }
    对于 i 在 0..10 { t = t + i * x; 如果 t > 1000 { 打印行(t); } }
    对于 i 在 0..10 { t = t + i * x; 如果 t > 1000 { 打印行(t); } }
    如果 x > 0 { 抛出 \"坏了\"; }
    返回 x;
}
函数 入口() {
    变量 f = 坏;
    尝试 { 打印行(f(1)); 打印行(\"不可达\"); } 捕获 e { 打印行(\"捕获：\" + e); }
    打印行(f(0));
    f(2);
    打印行(\"也不可达\");
}
",
    ),
    (
        "option_global_holding_none",
        "变量 g: 选项<字符串> = 无;
函数 入口() {
    匹配 g { 有(s) => { 打印行(s); } 无 => { 打印行(\"无\"); } }
    g = 有(\"有了\");
    匹配 g { 有(s) => { 打印行(s); } 无 => { 打印行(\"无\"); } }
}
",
    ),
];

fn programs_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join("tests").join("programs")
}

/// The conformance programs run here: one-file programs of `exceptions/` and
/// `runtime_errors/` (`dir/name.qi`) that the checker accepts, without standard input.
fn conformance_programs() -> Vec<String> {
    let mut names = Vec::new();
    for dir in ["exceptions", "runtime_errors"] {
        let Ok(entries) = std::fs::read_dir(programs_dir().join(dir)) else { continue };
        for e in entries.flatten() {
            let p = e.path();
            let rejected = p.with_extension("err").exists() && !p.with_extension("status").exists();
            if p.extension().is_some_and(|x| x == "qi")
                && !p.with_extension("in").exists()
                && !rejected
            {
                names.push(format!("{dir}/{}", p.file_name().unwrap().to_string_lossy()));
            }
        }
    }
    names.sort();
    names
}

/// A program to run: its module, arguments and language.
struct Program {
    module: Module,
    args: Vec<String>,
    english: bool,
}

fn check(src: &str, file: &str) -> Option<Module> {
    let parse = qi_syntax::parse(src);
    if !parse.errors.is_empty() {
        return None;
    }
    qi_ir::check(&parse.tree(), src, file).module
}

/// `src:<name>` (of `SOURCES` or `REGRESSIONS`) or `prog:<dir/name.qi>`.
fn program(case: &str) -> Option<Program> {
    if let Some(name) = case.strip_prefix("src:") {
        let (_, src) = SOURCES.iter().chain(REGRESSIONS).find(|(n, _)| *n == name)?;
        return Some(Program {
            module: check(src, "t.qi").expect("focused programs check"),
            args: Vec::new(),
            english: false,
        });
    }
    let rel = case.strip_prefix("prog:")?;
    let src = std::fs::read_to_string(programs_dir().join(rel)).ok()?;
    let directive = |key: &str| {
        src.lines()
            .filter_map(move |l| l.trim().strip_prefix(key))
            .map(str::trim)
            .collect::<Vec<_>>()
    };
    let args = directive("// qi-args:")
        .iter()
        .flat_map(|a| a.split_whitespace().map(str::to_string))
        .collect();
    let english = directive("// qi-env:").contains(&"QI_LANG=en");
    // Named as `qi run` names it from `tests/programs`.
    Some(Program { module: check(&src, rel)?, args, english })
}

// ---- the child process ---------------------------------------------------------------------

/// Runs one case when started by `run_child`; does nothing in a normal test run.
#[test]
fn child_entry() {
    child_main(|case| {
        let p = program(case).unwrap_or_else(|| panic!("no case {case}"));
        Prepared { module: p.module, args: p.args }
    });
}

// ---- comparison ----------------------------------------------------------------------------

/// Run `case` in every mode and compare; `Ok(note)` when they agree (the note says what was
/// tolerated), `Err` with the differences.
fn compare(case: &str) -> Result<Option<String>, String> {
    let Some(p) = program(case) else {
        return Ok(Some(format!("{case}: not checked by the checker, skipped")));
    };
    qi_ir::validate::validate(&p.module).map_err(|e| format!("invalid IR: {e}"))?;
    let runs: Vec<ChildOutput> = MODES
        .iter()
        .map(|(mode, _, _)| {
            let mut env = vec![(MODE_ENV, *mode)];
            if p.english {
                env.push(("QI_LANG", "en"));
            }
            run_child(case, &env)
        })
        .collect();
    let global_objects = p.module.globals.iter().any(|g| g.ty.is_rc());
    let mut diffs = Vec::new();
    for ((mode, _, _), run) in MODES.iter().zip(&runs) {
        if !matches!(run.status, Some(0 | 2)) {
            diffs.push(format!("{mode}: exit status {:?}\n{}", run.status, run.stderr));
        }
        // Every object freed, after the clean-up of an uncaught exception too, except what
        // globals hold then (`main` never reaches the end that releases them).
        let globals_may_hold = run.status == Some(2) && global_objects;
        if run.live != Some([0; 6]) && !globals_may_hold {
            diffs.push(format!("{mode}: live objects {:?}", run.live));
        }
        if run.live != runs[0].live {
            diffs.push(format!(
                "{mode}: live objects {:?}, {:?} in {}",
                run.live, runs[0].live, MODES[0].0
            ));
        }
    }
    let (reference, note) = (&runs[0], overflow_note(case, &runs[0]));
    for ((mode, _, _), run) in MODES.iter().zip(&runs).skip(1) {
        diffs.extend(differences(MODES[0].0, reference, mode, run, note.is_some()));
    }
    if diffs.is_empty() {
        Ok(note)
    } else {
        Err(diffs.join("\n"))
    }
}

/// An uncaught stack overflow: its trace depends on how many frames of each tier the
/// stack holds (the conformance programs of such overflows pin `QI_JIT=eager`), so only
/// its first line is compared.
fn overflow_note(case: &str, run: &ChildOutput) -> Option<String> {
    let first = run.stderr.lines().next().unwrap_or_default();
    (first.contains("栈溢出") || first.contains("stack overflow")).then(|| {
        format!("{case}: uncaught stack overflow, only the first line of its report compared")
    })
}

fn differences(
    want_mode: &str,
    want: &ChildOutput,
    mode: &str,
    got: &ChildOutput,
    overflowed: bool,
) -> Vec<String> {
    let mut diffs = Vec::new();
    if got.stdout != want.stdout {
        diffs.push(format!(
            "stdout differs\n--- {want_mode}\n{}--- {mode}\n{}",
            want.stdout, got.stdout
        ));
    }
    if got.status != want.status {
        diffs.push(format!("exit status: {want_mode} {:?}, {mode} {:?}", want.status, got.status));
    }
    let same_report = if overflowed {
        got.stderr.lines().next() == want.stderr.lines().next()
    } else {
        got.stderr == want.stderr
    };
    if !same_report {
        diffs.push(format!(
            "stderr differs\n--- {want_mode}\n{}--- {mode}\n{}",
            want.stderr, got.stderr
        ));
    }
    diffs
}

/// Compare every case, several children at a time.
fn compare_all(cases: Vec<String>) {
    let threads = std::thread::available_parallelism().map_or(4, |n| n.get()).min(8);
    let chunks: Vec<Vec<String>> =
        (0..threads).map(|t| cases.iter().skip(t).step_by(threads).cloned().collect()).collect();
    let results: Vec<(String, Result<Option<String>, String>, std::time::Duration)> =
        std::thread::scope(|s| {
            let handles: Vec<_> = chunks
                .iter()
                .map(|chunk| {
                    s.spawn(move || {
                        chunk
                            .iter()
                            .map(|c| {
                                let t = std::time::Instant::now();
                                (c.clone(), compare(c), t.elapsed())
                            })
                            .collect::<Vec<_>>()
                    })
                })
                .collect();
            handles.into_iter().flat_map(|h| h.join().unwrap()).collect()
        });
    let mut failures = Vec::new();
    for (case, r, _) in &results {
        match r {
            Ok(Some(note)) => eprintln!("{note}"),
            Ok(None) => {}
            Err(e) => failures.push(format!("== {case}: {e}")),
        }
    }
    if std::env::var_os("QI_TEST_TIMES").is_some() {
        for (case, _, t) in &results {
            eprintln!("{:>8.1?} {case}", t);
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} programs differ:\n{}",
        failures.len(),
        results.len(),
        failures.join("\n")
    );
}

// ---- the tests ----------------------------------------------------------------------------

#[test]
fn focused_programs_behave_the_same_in_every_tier() {
    compare_all(SOURCES.iter().map(|(n, _)| format!("src:{n}")).collect());
}

#[test]
fn conformance_exception_programs_behave_the_same_in_every_tier() {
    let cases: Vec<String> =
        conformance_programs().into_iter().map(|p| format!("prog:{p}")).collect();
    assert!(cases.len() > 20, "only {} programs", cases.len());
    compare_all(cases);
}

#[test]
fn an_exception_through_a_top_level_function_used_as_a_value_is_not_lost() {
    compare_all(vec!["src:exception_through_a_function_value".into()]);
}

#[test]
fn an_option_global_holding_none_can_be_read() {
    compare_all(vec!["src:option_global_holding_none".into()]);
}
