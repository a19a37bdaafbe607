//! Running compiled programs in a child process, as `qi run` does.
//!
//! `qi_jit` has no API that returns a function pointer for a `FuncId`, and a program may end
//! by an uncaught exception or a fatal run-time error (which exits the process), so every
//! case is a whole program run by a child: the test binary re-runs itself with
//! `QI_JIT_TEST_CASE=<case>` and only the test named `child_entry` (which calls
//! `child_main`), which builds the case's module, prepares it with `qi_jit::prepare` in the
//! mode `QI_JIT_TEST_MODE` names (`MODES`; default: the eager JIT), runs it on a thread
//! whose stack bounds the runtime knows, and exits like `qi run`: status 0,
//! or 2 after printing the report of an uncaught exception. Its last stderr line gives the
//! live-object counts (`[live] 字符串 数组 结构体 枚举 闭包 异常`), taken after the run (and
//! after the driver released an uncaught exception).
#![allow(dead_code)]

use qi_ir::Module;
use std::io::Write;
use std::process::Command;

pub const CHILD_ENV: &str = "QI_JIT_TEST_CASE";
/// The mode a child runs its case in (a name of `MODES`).
pub const MODE_ENV: &str = "QI_JIT_TEST_MODE";
/// A time limit for the child's run, in milliseconds (unset: none); a child past it exits
/// with `LIMIT_STATUS` (for programs that may loop forever, whose test is then
/// inconclusive).
pub const LIMIT_ENV: &str = "QI_JIT_TEST_LIMIT_MS";
pub const LIMIT_STATUS: i32 = 124;

/// The ways a child can run a program: (name, tier, optimised IR). The first is the
/// default.
pub const MODES: &[(&str, qi_jit::Tier, bool)] = &[
    ("eager", qi_jit::Tier::Eager, true),
    ("off", qi_jit::Tier::Off, true),
    ("off-unoptimised", qi_jit::Tier::Off, false),
    (
        "stress",
        qi_jit::Tier::Mixed(qi_jit::Policy { threshold: 1, wait: std::time::Duration::MAX }),
        true,
    ),
];
const MARKER: &str = "\u{1}QI-JIT-CHILD-OUTPUT\n";
const LIVE: &str = "[live] ";

/// What a child needs to run one case.
pub struct Prepared {
    pub module: Module,
    /// `命令行参数()`.
    pub args: Vec<String>,
}

/// In the child (`QI_JIT_TEST_CASE` set): run the case `build` makes, then exit. Does
/// nothing in a normal test run.
pub fn child_main(build: impl FnOnce(&str) -> Prepared) {
    let Ok(name) = std::env::var(CHILD_ENV) else { return };
    if let Some(ms) = std::env::var(LIMIT_ENV).ok().and_then(|v| v.parse().ok()) {
        std::thread::spawn(move || {
            std::thread::sleep(std::time::Duration::from_millis(ms));
            std::process::exit(LIMIT_STATUS);
        });
    }
    let Prepared { module, args } = build(&name);
    let mode = std::env::var(MODE_ENV).unwrap_or_else(|_| MODES[0].0.to_string());
    let &(_, tier, optimize) =
        MODES.iter().find(|m| m.0 == mode).unwrap_or_else(|| panic!("no mode {mode}"));
    let mut out = std::io::stdout();
    out.write_all(MARKER.as_bytes()).unwrap();
    out.flush().unwrap();
    qi_rt::enable_live_counts();
    qi_rt::set_args(args);
    // Like `qi run`: compile on a thread with a deep stack; the program runs on green threads.
    const STACK: usize = 64 << 20;
    let status = std::thread::Builder::new()
        .stack_size(STACK)
        .spawn(move || {
            let opts = qi_jit::Options { verify: true, optimize, ..Default::default() };
            qi_rt::exception::set_file_names(module.files.clone());
            match qi_jit::prepare(module, tier, &opts) {
                Ok(program) => program.run().report(),
                Err(e) => {
                    eprintln!("compile error: {e}");
                    70
                }
            }
        })
        .unwrap()
        .join()
        .unwrap_or(71);
    qi_rt::finish();
    // Strings, arrays, structs, enums, closures, exceptions (channels and futures come
    // after them).
    let counts: Vec<String> =
        qi_rt::live_counts().into_iter().take(6).map(|(_, n)| n.to_string()).collect();
    eprintln!("{LIVE}{}", counts.join(" "));
    // Like `qi run`: no exit-time destructors while workers may still run.
    qi_rt::program::end_process(status);
}

pub struct ChildOutput {
    pub stdout: String,
    /// Without the live-count line.
    pub stderr: String,
    /// `None`: killed by a signal.
    pub status: Option<i32>,
    /// Objects alive at the end, by kind (`[live]` line), if the child got that far.
    pub live: Option<[usize; 6]>,
}

/// Run case `name` in a child; `env` adds environment variables (`QI_LANG=en`).
pub fn run_child(name: &str, env: &[(&str, &str)]) -> ChildOutput {
    let exe = std::env::current_exe().unwrap();
    let mut cmd = Command::new(exe);
    cmd.args(["child_entry", "--exact", "--nocapture", "--test-threads=1"])
        .env(CHILD_ENV, name)
        .env_remove("QI_LANG")
        .env_remove("LC_ALL")
        .env_remove("LC_MESSAGES")
        .env("LANG", "C.UTF-8");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("cannot re-run the test binary");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stdout = match stdout.split_once(MARKER) {
        Some((_, after)) => after.to_string(),
        None => panic!(
            "the child never started the case:\nstdout: {stdout}\nstderr: {}",
            String::from_utf8_lossy(&out.stderr)
        ),
    };
    let mut stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let mut live = None;
    if let Some(at) = stderr.rfind(LIVE) {
        let line = stderr[at + LIVE.len()..].trim().to_string();
        let counts: Vec<usize> = line.split_whitespace().filter_map(|n| n.parse().ok()).collect();
        live = counts.try_into().ok();
        stderr.truncate(at);
    }
    ChildOutput { stdout, stderr, status: out.status.code(), live }
}
