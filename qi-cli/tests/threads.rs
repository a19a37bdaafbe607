//! `qi run` starts only the OS threads a program needs: a program that never starts a
//! green thread runs on the process's one thread (the front end on a coroutine stack,
//! `入口` on the scheduler's worker 0 served by that same thread), in every tier mode.
//! The program counts the threads itself, in `/proc/self/task`.

use std::process::Command;

/// The number of threads the program saw, one entry per line of `列出目录`.
fn threads_seen(code: &str, jit: &str) -> usize {
    let out = Command::new(env!("CARGO_BIN_EXE_qi"))
        .args(["run", "--jit", jit, "-e", code])
        .env("QI_LANG", "en")
        .env("QI_WORKERS", "2")
        .output()
        .unwrap();
    assert!(out.status.success(), "{jit}: {}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    text.lines().filter(|l| !l.is_empty() && l.chars().all(|c| c.is_ascii_digit())).count()
}

#[test]
#[cfg(target_os = "linux")]
fn a_program_without_green_threads_runs_on_one_thread() {
    for jit in ["auto", "eager", "off"] {
        let n = threads_seen(r#"打印行(操作系统.列出目录("/proc/self/task"));"#, jit);
        assert_eq!(n, 1, "{jit}: threads besides the main one started");
    }
}

#[test]
#[cfg(target_os = "linux")]
fn a_second_green_thread_starts_the_workers() {
    // The spawned thread counts, and `入口` waits for its answer: the workers run it.
    let code = r#"变量 回 = 通道<字符串>();
        启动 闭包() { 回 <- 操作系统.列出目录("/proc/self/task"); }();
        打印行(<-回);"#;
    let n = threads_seen(code, "auto");
    assert!(n >= 3, "the main thread, 2 workers and the monitor expected, saw {n}");
}
