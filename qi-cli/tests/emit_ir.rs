//! `qi run --emit ir` prints the IR both tiers run (after the IR optimisations),
//! `--emit ir-raw` the IR as lowered, and `--no-opt` (or `QI_NO_OPT=1`) runs and prints
//! the IR as lowered.

use std::path::PathBuf;
use std::process::{Command, Output};

/// A small callee (inlined by `qi_ir::opt`) called from `入口`.
const SOURCE: &str = "函数 平方(x: 整数): 整数 { 返回 x * x; }
函数 入口() { 打印行(平方(7)); }
";

/// The program's file, written once: tests run in parallel, and rewriting it while
/// another test's `qi` reads it would hand that one an empty file.
fn program() -> PathBuf {
    static PATH: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    PATH.get_or_init(|| {
        let dir = std::env::temp_dir().join(format!("qi-emit-ir-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("平方.qi");
        std::fs::write(&path, SOURCE).unwrap();
        path
    })
    .clone()
}

fn qi(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_qi"));
    cmd.args(args).arg(program());
    for (key, _) in std::env::vars_os() {
        if key.to_string_lossy().starts_with("QI_") {
            cmd.env_remove(&key);
        }
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
    out
}

/// The body of `入口` in the printed IR.
fn entry_body(ir: &[u8]) -> String {
    let text = String::from_utf8_lossy(ir);
    let start = text.find("fn f1 入口").unwrap_or_else(|| panic!("no 入口 in\n{text}"));
    let end = text[start..].find("\n}").map_or(text.len(), |i| start + i);
    text[start..end].to_string()
}

#[test]
fn emit_ir_shows_the_optimised_ir_and_ir_raw_the_lowered_one() {
    let optimised = entry_body(&qi(&["run", "--emit", "ir"], &[]).stdout);
    let raw = entry_body(&qi(&["run", "--emit", "ir-raw"], &[]).stdout);
    // The lowered 入口 calls 平方, the optimised one has it inlined.
    assert!(raw.contains("call 平方"), "{raw}");
    assert!(!raw.contains("IMul"), "{raw}");
    assert!(!optimised.contains("call 平方"), "{optimised}");
    assert!(optimised.contains("IMul"), "the inlined multiplication: {optimised}");
}

#[test]
fn no_opt_prints_and_runs_the_lowered_ir() {
    let raw = qi(&["run", "--emit", "ir-raw"], &[]).stdout;
    assert_eq!(qi(&["run", "--no-opt", "--emit", "ir"], &[]).stdout, raw);
    assert_eq!(qi(&["run", "--emit", "ir"], &[("QI_NO_OPT", "1")]).stdout, raw);
    for tier in ["off", "eager"] {
        let jit = format!("--jit={tier}");
        assert_eq!(qi(&["run", "--no-opt", &jit], &[]).stdout, b"49\n", "{tier}");
        assert_eq!(qi(&["run", &jit], &[("QI_NO_OPT", "1")]).stdout, b"49\n", "{tier}");
    }
}
