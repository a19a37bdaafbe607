//! An allocation the allocator refuses raises a catchable exception naming the requested
//! length (arrays) or size (strings), like one that is too large from the start (those are
//! conformance programs under `tests/programs/runtime_errors/`).
//!
//! The refusal is made certain whatever the machine and its overcommit policy: the running
//! program waits on its standard input while the test lowers its address-space limit
//! (`prlimit`) to what it already uses plus a little; then it asks for more.
#![cfg(target_os = "linux")]

use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};

/// Room left above the program's address space when the limit is set.
const HEADROOM: u64 = 256 << 20;

const PROGRAM: &str = r#"包 主程序;

函数 入口() {
    打印行("就绪");
    输入();
    尝试 {
        变量 a = 数组<整数>(1073741824);
        打印行("分配了", a.长度);
    } 捕获 错 {
        打印行(错);
    }
    变量 s = "0123456789abcdef";
    尝试 {
        当 真 { s = s + s; }
    } 捕获 错 {
        打印行(错);
    }
    尝试 {
        当 真 { s = f"{s}{s}"; }
    } 捕获 错 {
        打印行("模板", 错);
    }
    打印行("结束");
}
"#;

fn vm_size_bytes(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("proc status");
    let line = status.lines().find(|l| l.starts_with("VmSize:")).expect("VmSize line");
    let kib: u64 = line.split_whitespace().nth(1).and_then(|v| v.parse().ok()).expect("VmSize");
    kib * 1024
}

fn limit_address_space(pid: u32, bytes: u64) {
    let limit = libc::rlimit { rlim_cur: bytes, rlim_max: bytes };
    // SAFETY: `prlimit` reads `limit` and writes nothing (null old-limit pointer).
    let r =
        unsafe { libc::prlimit(pid as libc::pid_t, libc::RLIMIT_AS, &limit, std::ptr::null_mut()) };
    assert_eq!(r, 0, "prlimit: {}", std::io::Error::last_os_error());
}

#[test]
fn refused_allocations_are_catchable_exceptions() {
    let dir = std::env::temp_dir().join(format!("qi-alloc-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let file = dir.join("分配.qi");
    std::fs::write(&file, PROGRAM).unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_qi"))
        .arg("run")
        .arg(&file)
        .env("QI_WORKERS", "1")
        .env_remove("QI_LANG")
        .env("LANG", "C.UTF-8")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("qi runs");
    let mut stdout = BufReader::new(child.stdout.take().unwrap());
    let mut line = String::new();
    stdout.read_line(&mut line).unwrap();
    assert_eq!(line, "就绪\n");
    limit_address_space(child.id(), vm_size_bytes(child.id()) + HEADROOM);
    child.stdin.take().unwrap().write_all(b"\n").unwrap();
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut stdout, &mut rest).unwrap();
    let out = child.wait_with_output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "stdout {rest:?}, stderr {stderr:?}");
    let lines: Vec<&str> = rest.lines().collect();
    assert_eq!(lines.len(), 4, "{rest:?}");
    assert_eq!(lines[0], "内存不足：无法分配长度为 1073741824 的数组");
    for (line, prefix) in [(lines[1], ""), (lines[2], "模板 ")] {
        let size = line
            .strip_prefix(&format!("{prefix}内存不足：无法分配长度为 "))
            .and_then(|l| l.strip_suffix(" 字节的字符串"))
            .and_then(|n| n.parse::<u64>().ok())
            .unwrap_or_else(|| panic!("unexpected line {line:?}"));
        // The string doubled from 16 bytes until it no longer fitted under the limit.
        assert!(size.is_power_of_two() && (1 << 20..=2 * HEADROOM).contains(&size), "{size}");
    }
    assert_eq!(lines[3], "结束");
    let _ = std::fs::remove_dir_all(&dir);
}
