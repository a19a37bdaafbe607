//! A failed write to standard output or standard error ends `qi` with a message and
//! status 74; a pipe whose reader went away ends it quietly by SIGPIPE
//! (`qi-rt/src/stdio.rs`, docs/EXCEPTIONS.md "Output errors"). These run the real binary
//! with its output on `/dev/full` or on a pipe the test closes early.
#![cfg(target_os = "linux")]

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::os::unix::process::ExitStatusExt;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};

const FULL_ZH: &str = "错误: 无法写入标准输出: 设备上没有空间\n";
const FULL_EN: &str = "error: cannot write to standard output: no space left on device\n";

/// Writes `source` to a fresh file named `name` and returns its path.
fn program(name: &str, source: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("qi-output-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::write(&path, source).unwrap();
    path
}

fn qi(args: &[&str], file: &PathBuf, env: &[(&str, &str)]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_qi"));
    cmd.args(args).arg(file).env_remove("QI_LANG").env("LANG", "C.UTF-8");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd
}

fn dev_full() -> Stdio {
    Stdio::from(File::options().write(true).open("/dev/full").expect("/dev/full"))
}

/// Runs with standard output on `/dev/full`.
fn stdout_full(args: &[&str], file: &PathBuf, env: &[(&str, &str)]) -> Output {
    qi(args, file, env).stdout(dev_full()).stderr(Stdio::piped()).output().unwrap()
}

fn text(bytes: &[u8]) -> &str {
    std::str::from_utf8(bytes).unwrap()
}

const SHORT: &str =
    "包 主程序;\n函数 入口() {\n    打印行(\"你好\");\n    打印(\"没有换行\");\n}\n";

#[test]
fn output_flushed_at_exit_onto_a_full_device_is_an_error() {
    let file = program("短.qi", SHORT);
    let out = stdout_full(&["run"], &file, &[]);
    assert_eq!(out.status.code(), Some(74), "{out:?}");
    assert_eq!(text(&out.stderr), FULL_ZH);
    let out = stdout_full(&["run"], &file, &[("QI_LANG", "en")]);
    assert_eq!(out.status.code(), Some(74), "{out:?}");
    assert_eq!(text(&out.stderr), FULL_EN);
}

/// Green threads print more than a batch (8 KiB), so the failing writes happen on the
/// workers while `入口` waits.
const FROM_THREADS: &str = "包 主程序;
函数 写(组: 整数, k: 整数) {
    对于 i 在 0..2000 { 打印行(\"线程\", k, \"行\", i); }
    完成(组);
}
函数 入口() {
    变量 组 = 创建等待组();
    添加等待(组, 4);
    对于 k 在 0..4 { 启动 写(组, k); }
    等待组等待(组);
    打印行(\"完\");
}
";

#[test]
fn output_of_green_threads_onto_a_full_device_is_an_error() {
    let file = program("线程.qi", FROM_THREADS);
    for workers in ["1", "4"] {
        let out = stdout_full(&["run"], &file, &[("QI_WORKERS", workers)]);
        assert_eq!(out.status.code(), Some(74), "{workers} workers: {out:?}");
        assert_eq!(text(&out.stderr), FULL_ZH, "{workers} workers: reported once");
    }
}

/// Reads one line of the program's standard output, closes the pipe, and returns how the
/// program ended.
fn read_one_line_then_close(file: &PathBuf, env: &[(&str, &str)]) -> Output {
    let mut child =
        qi(&["run"], file, env).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().unwrap();
    let mut reader = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    reader.read_line(&mut line).unwrap();
    assert!(!line.is_empty());
    drop(reader);
    child.wait_with_output().unwrap()
}

#[test]
fn a_closed_pipe_ends_the_program_quietly() {
    let endless = program(
        "无尽.qi",
        "包 主程序;\n函数 入口() {\n    变量 i = 0;\n    当 真 { 打印行(i); i += 1; }\n}\n",
    );
    let endless_thread = program(
        "无尽线程.qi",
        "包 主程序;
函数 写() {
    变量 i = 0;
    当 真 { 打印行(\"线程\", i); i += 1; }
}
函数 入口() {
    变量 c = 通道<整数>();
    启动 写();
    <-c;
}
",
    );
    for (file, workers) in [(&endless, "1"), (&endless_thread, "1"), (&endless_thread, "4")] {
        let out = read_one_line_then_close(file, &[("QI_WORKERS", workers)]);
        assert_eq!(out.status.signal(), Some(libc::SIGPIPE), "{file:?}: {out:?}");
        assert_eq!(text(&out.stderr), "", "{file:?}");
    }
}

#[test]
fn a_full_standard_error_is_an_error_too() {
    let file = program(
        "未捕获.qi",
        "包 主程序;\n函数 入口() {\n    打印行(\"之前\");\n    抛出 \"坏了\";\n}\n",
    );
    let out = qi(&["run"], &file, &[]).stdout(Stdio::piped()).stderr(dev_full()).output().unwrap();
    assert_eq!(out.status.code(), Some(74), "{out:?}");
    assert_eq!(text(&out.stdout), "之前\n");
    // Diagnostics of `qi check` go to standard error as well.
    let bad = program("错.qi", "包 主程序;\n函数 入口() {\n    变量 x: 整数 = \"串\";\n}\n");
    let out = qi(&["check"], &bad, &[]).stderr(dev_full()).output().unwrap();
    assert_eq!(out.status.code(), Some(74), "{out:?}");
}

#[test]
fn emitted_ir_onto_a_full_device_is_an_error() {
    let file = program("中间.qi", SHORT);
    for emit in ["ir", "ir-raw"] {
        let out = stdout_full(&["run", "--emit", emit], &file, &[]);
        assert_eq!(out.status.code(), Some(74), "{emit} {out:?}");
        assert_eq!(text(&out.stderr), FULL_ZH);
    }
}
