//! `qi run --stats` and `QI_LOG` / `--log`: what the engine reports about its tiers.
//! (Times vary from run to run, so these check the shape and the counts, not the times.)

use std::path::PathBuf;
use std::process::{Command, Output};

const PROGRAM: &str = "函数 加(a: 整数, b: 整数): 整数 { 返回 a + b; }\n\
                       函数 入口() { 打印行(加(1, 2)); }\n";

/// The program's file, written once: tests run in parallel, and rewriting it while
/// another test's `qi` reads it would hand that one an empty file.
fn program() -> PathBuf {
    static PATH: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    PATH.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("qi-engine-log-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("加法.qi");
        std::fs::write(&path, PROGRAM).unwrap();
        path
    })
    .clone()
}

fn qi(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_qi"));
    cmd.args(args).arg(program()).env_remove("QI_LOG").env_remove("QI_JIT").env("QI_LANG", "en");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().unwrap()
}

/// Runs `source` (written to `name` beside the test program) in stress mode with
/// threshold 2, logging tier-ups (`qi::tier=debug`) in English; `extra` are more flags.
fn logged_under_stress(name: &str, source: &str, extra: &[&str]) -> Output {
    let path = program().parent().unwrap().join(name);
    std::fs::write(&path, source).unwrap();
    Command::new(env!("CARGO_BIN_EXE_qi"))
        .args(["run", "--jit=stress", "--jit-threshold", "2", "--log", "qi::tier=debug"])
        .args(extra)
        .arg(&path)
        .env_remove("QI_LOG")
        .env("QI_LANG", "en")
        .output()
        .unwrap()
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// The two counts of a `qi stats:` line.
fn counts(line: &str) -> (u64, u64) {
    let rest = line.strip_prefix("qi stats: ").unwrap_or_else(|| panic!("{line}"));
    let (interpreted, rest) = rest.split_once(" functions interpreted, ").expect(line);
    let (compiled, _) = rest.split_once(" compiled (").expect(line);
    (interpreted.parse().unwrap(), compiled.parse().unwrap())
}

#[test]
fn stats_count_each_tier() {
    for (mode, interpreted_any, compiled_any) in [("off", true, false), ("eager", false, true)] {
        let out = qi(&["run", "--stats", "--jit", mode], &[]);
        assert_eq!(out.status.code(), Some(0), "{out:?}");
        assert_eq!(String::from_utf8_lossy(&out.stdout), "3\n");
        let err = stderr(&out);
        let line = err.trim_end();
        assert_eq!(err.lines().count(), 1, "{err}");
        let (interpreted, compiled) = counts(line);
        assert_eq!((interpreted > 0, compiled > 0), (interpreted_any, compiled_any), "{line}");
        assert!(line.contains("; first output at "), "{line}");
        assert!(line.contains(" ms; total "), "{line}");
    }
}

#[test]
fn stats_in_chinese() {
    let out = qi(&["run", "--stats", "--jit", "off"], &[("QI_LANG", "zh")]);
    assert!(stderr(&out).starts_with("qi 统计：解释执行的函数 "), "{out:?}");
}

#[test]
fn no_stats_or_log_unless_asked() {
    for mode in ["off", "eager"] {
        let out = qi(&["run", "--jit", mode], &[]);
        assert_eq!(String::from_utf8_lossy(&out.stdout), "3\n");
        assert_eq!(stderr(&out), "", "{mode}");
    }
}

#[test]
fn log_shows_each_compilation() {
    for (args, env) in [
        (&["run", "--jit", "eager"][..], &[("QI_LOG", "debug")][..]),
        (&["run", "--jit", "eager", "--log", "qi::tier=debug"], &[]),
    ] {
        let out = qi(args, env);
        assert_eq!(String::from_utf8_lossy(&out.stdout), "3\n");
        let err = stderr(&out);
        let line = err
            .lines()
            .find(|l| l.contains("qi::tier: compiled function=\"加\""))
            .unwrap_or_else(|| panic!("{args:?} {env:?}: {err}"));
        assert!(line.contains("reason=\"eager\" micros="), "{line}");
        assert!(line.contains(" bytes="), "{line}");
    }
    let out = qi(&["run", "--jit", "off", "--log", "debug"], &[]);
    assert!(stderr(&out).contains("qi::tier: interpreted function=\"加\""), "{out:?}");
}

#[test]
fn bad_log_filter_is_reported() {
    let out = qi(&["run"], &[("QI_LOG", "x=[")]);
    assert_eq!(out.status.code(), Some(1));
    assert!(out.stdout.is_empty());
    assert!(stderr(&out).starts_with("qi: QI_LOG x=[: not a log level or filter"), "{out:?}");
}

#[test]
fn log_shows_tier_ups_and_stats_count_them() {
    // Stress mode compiles synchronously, so the tier-ups happen at fixed points: `加` at
    // its second call, the loop (in `入口`, or where the optimiser inlined it) at its
    // first jump back (on-stack replacement).
    let out = logged_under_stress(
        "循环.qi",
        "函数 加(a: 整数, b: 整数): 整数 { 返回 a + b; }\n\
         函数 入口() { 变量 s = 0; 对于 i 在 0..100 { s = 加(s, i); } 打印行(s); }\n",
        &["--stats"],
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout), "4950\n");
    let err = stderr(&out);
    let compiled: Vec<&str> = err.lines().filter(|l| l.contains("qi::tier: compiled ")).collect();
    assert!(compiled.iter().any(|l| l.contains("function=\"加\" reason=\"hot calls\"")), "{err}");
    assert!(compiled.iter().any(|l| l.contains("reason=\"hot loop\" osr_block=\"b")), "{err}");
    let stats = err.lines().last().unwrap();
    let (_, n) = counts(stats);
    assert_eq!(n as usize, compiled.len(), "{err}");
}

#[test]
fn code_without_loops_never_asks_for_on_stack_replacement() {
    // After inlining, some of `斐波那契`'s blocks are laid out before the block that
    // jumps to them: a jump back that closes no loop. Stress mode with threshold 2:
    // the first call is interpreted up to its recursive call, which compiles it, and
    // then runs such a jump; it must not ask for an OSR variant.
    let out = logged_under_stress(
        "斐波那契.qi",
        "函数 斐波那契(n: 整数): 整数 {\n\
         如果 n < 2 { 返回 n; }\n\
         返回 斐波那契(n - 1) + 斐波那契(n - 2);\n\
         }\n\
         函数 入口() { 打印行(斐波那契(15)); }\n",
        &[],
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout), "610\n");
    let err = stderr(&out);
    let compiled: Vec<&str> = err.lines().filter(|l| l.contains("qi::tier: compiled ")).collect();
    assert!(
        compiled.iter().any(|l| l.contains("function=\"斐波那契\" reason=\"hot calls\"")),
        "{err}"
    );
    assert!(!err.contains("hot loop"), "{err}");
}

#[test]
fn a_hot_loop_compiles_its_variant_and_a_later_call_the_function() {
    // Stress mode with threshold 2: `和`'s first call is interpreted until its loop's
    // first jump back, which compiles only the on-stack-replacement variant the frame
    // moves into; its second call compiles the function itself.
    let out = logged_under_stress(
        "两次.qi",
        "函数 和(n: 整数): 整数 { 变量 s = 0; 对于 i 在 0..n { s += i; } 返回 s; }\n\
         函数 入口() { 打印行(和(10)); 打印行(和(100)); }\n",
        &[],
    );
    assert_eq!(String::from_utf8_lossy(&out.stdout), "45\n4950\n");
    let err = stderr(&out);
    let compiled: Vec<&str> = err
        .lines()
        .filter(|l| l.contains("qi::tier: compiled function=\"和\""))
        .map(|l| l.split_once(" micros=").expect(l).0)
        .collect();
    assert_eq!(compiled.len(), 2, "{err}");
    assert!(compiled[0].contains("reason=\"hot loop\" osr_block=\"b"), "{err}");
    assert!(compiled[1].ends_with("reason=\"hot calls\""), "{err}");
}

#[test]
fn a_frame_that_left_a_hot_loop_gets_a_variant_for_its_next_one() {
    // Stress mode with threshold 50: `圈`'s inner call (深 = 0) makes the first loop hot
    // and runs the rest of its frame in that loop's variant; the outer frame (深 = 1),
    // still interpreted, then spins in the second loop, which needs a variant of its own
    // (there was one variant per function: that loop stayed interpreted).
    let path = program().parent().unwrap().join("两个循环.qi");
    std::fs::write(
        &path,
        "函数 圈(深: 整数): 整数 {\n\
         变量 s = 0;\n\
         如果 深 == 0 { 对于 i 在 0..100 { s += i; } 返回 s; }\n\
         s = 圈(深 - 1);\n\
         变量 j = 0;\n\
         当 j < 100 { s += j * 2; j += 1; }\n\
         返回 s;\n\
         }\n\
         函数 入口() { 打印行(圈(1)); }\n",
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_qi"))
        .args(["run", "--jit=stress", "--jit-threshold", "50", "--log", "qi::tier=debug"])
        .arg(&path)
        .env_remove("QI_LOG")
        .env("QI_LANG", "en")
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout), "14850\n");
    let err = stderr(&out);
    let blocks: Vec<&str> = err
        .lines()
        .filter(|l| l.contains("qi::tier: compiled function=\"圈\" reason=\"hot loop\""))
        .map(|l| l.split_once("osr_block=\"").expect(l).1.split_once('"').expect(l).0)
        .collect();
    assert_eq!(blocks.len(), 2, "{err}");
    assert_ne!(blocks[0], blocks[1], "{err}");
    assert!(!err.contains("reason=\"hot calls\""), "{err}");
}

#[test]
fn in_auto_the_call_that_makes_a_function_hot_waits_for_its_batch() {
    // `斐波那契(12)` makes 465 calls and is hot at the 20th. The call that asked for it
    // returns once its batch is published (the wait is bounded; a minute here, so that a
    // loaded machine cannot time it out), so `倒数`, called after it, is first interpreted
    // after the batch was logged. Without the wait (`QI_JIT_WAIT_US=0`) the interpreter
    // finishes `斐波那契(12)` and starts `倒数` first (20 of 20 runs of a debug build).
    let path = program().parent().unwrap().join("等待编译.qi");
    std::fs::write(
        &path,
        "函数 斐波那契(n: 整数): 整数 { 如果 n < 2 { 返回 n; } 返回 斐波那契(n - 1) + 斐波那契(n - 2); }\n\
         函数 倒数(n: 整数): 整数 { 如果 n == 0 { 返回 0; } 返回 倒数(n - 1); }\n\
         函数 入口() { 打印行(斐波那契(12)); 打印行(倒数(3)); }\n",
    )
    .unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_qi"))
        .args(["run", "--jit=auto", "--jit-threshold", "20", "--log", "qi::tier=debug", "--stats"])
        .arg(&path)
        .env_remove("QI_LOG")
        .env_remove("QI_JIT")
        .env("QI_JIT_WAIT_US", "60000000")
        .env("QI_LANG", "en")
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout), "144\n0\n");
    let err = stderr(&out);
    let line = |text: &str| err.lines().position(|l| l.contains(text));
    let compiled = line("compiled function=\"斐波那契\" reason=\"hot calls\"").expect(&err);
    let next = line("interpreted function=\"倒数\"").expect(&err);
    assert!(compiled < next, "{err}");
}

#[test]
fn a_bad_wait_is_reported() {
    let out = qi(&["run"], &[("QI_JIT_WAIT_US", "soon")]);
    assert_eq!(out.status.code(), Some(1), "{out:?}");
    assert!(out.stdout.is_empty());
    assert_eq!(stderr(&out), "qi: QI_JIT_WAIT_US=soon is not a number of microseconds\n");
}
