//! The `进程` module (builtins.md §G.3, §G.4): running a program and waiting for it, the
//! process id, and ending the program. Nothing here raises (§G.1).
//!
//! `执行` blocks the OS thread that runs the calling green thread until the program ends
//! (as file I/O does); the program's standard input is empty.

use std::process::Command;

use crate::guard::guard;
use crate::string::{new_str, str_as_str, Str};

/// A JSON string literal of `s` (`"` and control characters escaped).
fn json_string(s: &str) -> String {
    serde_json::Value::String(s.to_owned()).to_string()
}

/// The message in the runtime's language (`crate::lang`).
fn say(zh: String, en: String) -> String {
    if crate::lang::english() {
        en
    } else {
        zh
    }
}

/// The result text of `执行`: `{"status":…,"stdout":"…","stderr":"…"}`, keys in that
/// order, compact.
fn result_json(status: i64, stdout: &str, stderr: &str) -> String {
    format!(
        "{{\"status\":{status},\"stdout\":{},\"stderr\":{}}}",
        json_string(stdout),
        json_string(stderr)
    )
}

/// The program arguments of `参数` (`执行`, `子进程.生成`): a JSON array of strings, or
/// none for a blank text.
pub(crate) fn arguments(args: &str) -> Result<Vec<String>, serde_json::Error> {
    if args.trim().is_empty() {
        Ok(Vec::new())
    } else {
        serde_json::from_str(args)
    }
}

/// `执行(命令, 参数)`: runs `command` (found through `PATH` unless it holds a `/`) with
/// the arguments of the JSON array of strings `args` (`""`: none) and waits for it. The
/// status is the program's exit status, -1 when a signal ended it; when it cannot run
/// (unknown program, `args` not a JSON array of strings) the status is -1 and `stderr`
/// says why.
pub fn execute(command: &str, args: &str) -> String {
    let args = match arguments(args) {
        Ok(args) => args,
        Err(e) => {
            let why = say(
                format!("参数不是字符串的 JSON 数组：{e}"),
                format!("the arguments are not a JSON array of strings: {e}"),
            );
            return result_json(-1, "", &why);
        }
    };
    match Command::new(command).args(&args).output() {
        Ok(out) => result_json(
            out.status.code().map_or(-1, i64::from),
            &String::from_utf8_lossy(&out.stdout),
            &String::from_utf8_lossy(&out.stderr),
        ),
        Err(e) => {
            let why =
                say(format!("无法运行「{command}」：{e}"), format!("cannot run `{command}`: {e}"));
            result_json(-1, "", &why)
        }
    }
}

// ---- entry points ---------------------------------------------------------------------
// Every string argument is null or a live string object (the entry-point contract of
// `crate`); a null reads as "".

macro_rules! text {
    ($p:expr) => {
        // SAFETY: forwarded from the entry point's contract.
        unsafe { str_as_str($p) }
    };
}

/// `执行(命令, 参数)` → JSON object text.
///
/// # Safety
/// Every string argument is null or a live string object.
pub unsafe extern "C" fn qi_process_execute(command: *const Str, args: *const Str) -> *mut Str {
    guard(|| new_str(&execute(text!(command), text!(args))))
}

/// `当前ID()`.
pub extern "C" fn qi_process_current_pid() -> i64 {
    i64::from(std::process::id())
}

/// `退出(码)`: as `操作系统.退出程序`.
pub extern "C" fn qi_process_exit(code: i64) -> ! {
    super::os::exit(code)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runs_and_captures() {
        assert_eq!(
            execute("sh", r#"["-c", "echo hi; echo 错 >&2; exit 3"]"#),
            r#"{"status":3,"stdout":"hi\n","stderr":"错\n"}"#
        );
        assert_eq!(execute("true", ""), r#"{"status":0,"stdout":"","stderr":""}"#);
    }

    #[test]
    fn failures_are_status_minus_one() {
        assert!(
            execute("/no/such/program", "").starts_with(r#"{"status":-1,"stdout":"","stderr":"#)
        );
        assert!(execute("true", "[1]").starts_with(r#"{"status":-1,"stdout":"","stderr":"#));
        assert!(execute("true", "{").starts_with(r#"{"status":-1,"#));
    }
}
