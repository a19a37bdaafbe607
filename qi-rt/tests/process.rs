//! End-to-end behaviour that only a whole process shows: runtime errors
//! (stderr text, exit status 2, stdout flushed first), the final flush, and
//! reading standard input.
//!
//! The test binary re-runs itself: the test `child` performs the scenario
//! named by `QI_RT_CHILD_CASE` (and does nothing when it is unset).

use std::io::Write;
use std::process::{Command, Output, Stdio};

use qi_rt::error::runtime_error;
use qi_rt::new_immortal_str;
use qi_rt::output::{qi_print_float, qi_print_int, qi_print_newline, qi_print_space, qi_print_str};
use qi_rt::program::{qi_input, qi_input_prompt};

const CASE_VAR: &str = "QI_RT_CHILD_CASE";

fn print(s: &str) {
    // SAFETY: literals are always live.
    unsafe { qi_print_str(new_immortal_str(s)) };
}

/// Prints an owned string on its own line and releases it.
fn print_owned_line(p: *mut qi_rt::Str) {
    // SAFETY: `p` is a live string we own.
    unsafe {
        qi_print_str(p);
        qi_print_newline();
        qi_rt::qi_release(p as *mut qi_rt::Header);
    }
}

fn run_case(case: &str) {
    match case {
        "fatal" => {
            print("before");
            qi_print_newline();
            print("partial");
            runtime_error("内存不足".into(), "out of memory".into());
        }
        "threads" => {
            let workers: Vec<_> = (0..4)
                .map(|t| {
                    std::thread::spawn(move || {
                        for i in 0..2000 {
                            print("线程");
                            qi_print_space();
                            qi_print_int(t);
                            qi_print_space();
                            qi_print_int(i);
                            qi_print_space();
                            qi_print_float(0.5);
                            qi_print_newline();
                        }
                    })
                })
                .collect();
            for w in workers {
                w.join().unwrap();
            }
            print("no newline at the end");
            qi_rt::finish();
        }
        "input" => {
            // SAFETY: a literal prompt.
            print_owned_line(unsafe { qi_input_prompt(new_immortal_str("请输入：")) });
            print_owned_line(qi_input());
            print_owned_line(qi_input());
            print("end");
            qi_print_newline();
            qi_rt::finish();
        }
        "no_stack" => {
            // Leave far less address space than one slab of green-thread stacks needs.
            limit_address_space(256 << 20);
            let entry = qi_rt::sched::Entry { main: never_runs, closure: never_runs_closure };
            let outcome = qi_rt::sched::run_program(entry, 1.into());
            std::process::exit(outcome.report() as i32);
        }
        other => panic!("unknown case {other}"),
    }
}

/// Limit this process's address space to what it maps now plus `extra` bytes.
fn limit_address_space(extra: u64) {
    let statm = std::fs::read_to_string("/proc/self/statm").unwrap();
    let pages: u64 = statm.split_whitespace().next().unwrap().parse().unwrap();
    let limit = pages * 4096 + extra;
    let rl = libc::rlimit { rlim_cur: limit, rlim_max: limit };
    // SAFETY: a plain system call on a valid struct.
    assert_eq!(unsafe { libc::setrlimit(libc::RLIMIT_AS, &rl) }, 0);
}

unsafe extern "C" fn never_runs(_stack_budget: usize) -> u8 {
    unreachable!("a green thread without a stack ran")
}

unsafe extern "C" fn never_runs_closure(_: *mut qi_rt::Header, _stack_budget: usize) -> u8 {
    unreachable!("a green thread without a stack ran")
}

#[test]
fn child() {
    if let Ok(case) = std::env::var(CASE_VAR) {
        run_case(&case);
    }
}

fn run(case: &str, lang: Option<&str>, stdin: &[u8]) -> Output {
    let mut cmd = Command::new(std::env::current_exe().unwrap());
    cmd.args(["child", "--exact", "--nocapture", "--test-threads=1"])
        .env(CASE_VAR, case)
        .env_remove("QI_LANG")
        .env_remove("LANG")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(lang) = lang {
        cmd.env("QI_LANG", lang);
    }
    let mut child = cmd.spawn().unwrap();
    child.stdin.take().unwrap().write_all(stdin).unwrap();
    child.wait_with_output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8(bytes.to_vec()).unwrap()
}

fn assert_runtime_error(case: &str, lang: Option<&str>, message: &str) -> Output {
    let out = run(case, lang, b"");
    assert_eq!(out.status.code(), Some(2), "{case}: {out:?}");
    assert!(
        text(&out.stderr).contains(&format!("{message}\n")),
        "{case}: stderr {:?}",
        text(&out.stderr)
    );
    out
}

// (Errors of Qi programs are exceptions — see `exception.rs` and the conformance suite;
// these are the fatal failures outside the language's model.)
#[test]
fn fatal_errors_flush_stdout_first() {
    let out = assert_runtime_error("fatal", None, "运行时错误: 内存不足");
    assert!(text(&out.stdout).contains("before\npartial"), "{:?}", text(&out.stdout));
    assert_runtime_error("fatal", Some("en"), "runtime error: out of memory");
}

#[test]
fn lines_from_threads_stay_whole() {
    let out = run("threads", None, b"");
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    let stdout = text(&out.stdout);
    let mut count = 0;
    // libtest's own "test child ... " may precede the first line.
    for line in stdout.lines().filter_map(|l| l.find("线程").map(|at| &l[at..])) {
        let parts: Vec<&str> = line.split(' ').collect();
        assert_eq!(parts.len(), 4, "{line:?}");
        assert_eq!(parts[3], "0.5");
        count += 1;
    }
    assert_eq!(count, 8000);
    assert!(stdout.contains("no newline at the end"));
}

#[test]
fn a_green_thread_without_a_stack_is_an_exception() {
    let out = run("no_stack", None, b"");
    assert_eq!(out.status.code(), Some(2), "{out:?}");
    assert!(
        text(&out.stderr).contains("未捕获的异常: 无法为绿色线程分配栈（地址空间不足）\n"),
        "{:?}",
        text(&out.stderr)
    );
    let out = run("no_stack", Some("en"), b"");
    assert!(
        text(&out.stderr).contains(
            "uncaught exception: cannot map a stack for a green thread (out of address space)\n"
        ),
        "{:?}",
        text(&out.stderr)
    );
}

#[test]
fn input_reads_lines_and_shows_the_prompt() {
    let out = run("input", None, "名字\r\nsecond\n".as_bytes());
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert!(text(&out.stdout).contains("请输入：名字\nsecond\n\nend\n"), "{:?}", text(&out.stdout));
}
