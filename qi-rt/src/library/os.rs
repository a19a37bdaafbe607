//! The `操作系统` / `OS` module (builtins.md §G.3, §G.4): environment variables, the
//! working directory, facts about the machine and the user, directory listings, and
//! ending the program. Nothing here raises (§G.1): failures are `""`, 0 or -1.
//!
//! The pure functions at the top carry the semantics (the `环境` module shares them); the
//! entry points below only convert between Qi strings and Rust ones. Results follow the
//! reference implementation where §G.4 is silent (docs/LANGUAGE-NOTES.md, "Standard
//! library"): `设置环境变量`, `删除环境变量` and `切换目录` give 1 or -1, `加载环境文件`
//! the number of variables it set or -1.

use std::path::Path;

use crate::guard::guard;
use crate::string::{new_str, str_as_str, Str};

/// A name `setenv` accepts: not empty, no `=`, no NUL (std's `set_var` would panic).
fn valid_env_name(name: &str) -> bool {
    !name.is_empty() && !name.contains(['=', '\0'])
}

/// The value of environment variable `name`, `""` when it is unset or invalid; a value
/// that is not UTF-8 is decoded lossily.
pub fn env_get(name: &str) -> String {
    if !valid_env_name(name) {
        return String::new();
    }
    std::env::var_os(name).map(|v| v.to_string_lossy().into_owned()).unwrap_or_default()
}

/// Sets environment variable `name` (false for an invalid name or a value holding NUL).
pub fn env_set(name: &str, value: &str) -> bool {
    if !valid_env_name(name) || value.contains('\0') {
        return false;
    }
    std::env::set_var(name, value);
    true
}

/// Removes environment variable `name` (removing an unset one succeeds).
pub fn env_remove(name: &str) -> bool {
    if !valid_env_name(name) {
        return false;
    }
    std::env::remove_var(name);
    true
}

/// Every environment variable, sorted by name (the process's order is an accident).
fn env_sorted() -> Vec<(String, String)> {
    let mut vars: Vec<(String, String)> = std::env::vars_os()
        .map(|(k, v)| (k.to_string_lossy().into_owned(), v.to_string_lossy().into_owned()))
        .collect();
    vars.sort();
    vars
}

/// `所有环境变量()`: one `名=值` line per variable, sorted by name.
pub fn env_lines() -> String {
    env_sorted().into_iter().map(|(k, v)| format!("{k}={v}\n")).collect()
}

/// `环境.全部()`: a compact JSON object of every variable, keys sorted.
pub fn env_json() -> String {
    let map: serde_json::Map<String, serde_json::Value> =
        env_sorted().into_iter().map(|(k, v)| (k, serde_json::Value::String(v))).collect();
    serde_json::Value::Object(map).to_string()
}

/// Sets the variables of the `.env` file at `path` (`名=值` lines, `#` comments, quotes
/// and `export` as the `dotenvy` crate reads them), replacing existing values: the number
/// of variables set, or -1 when the file cannot be read. Malformed lines are skipped.
pub fn load_env_file(path: &str) -> i64 {
    let Ok(bytes) = std::fs::read(path) else {
        return -1;
    };
    let text = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
    let mut count = 0;
    for (name, value) in dotenvy::from_read_iter(text).flatten() {
        if env_set(&name, &value) {
            count += 1;
        }
    }
    count
}

/// The working directory, `""` if it cannot be read (it was removed).
pub fn current_dir() -> String {
    std::env::current_dir().map(|p| p.to_string_lossy().into_owned()).unwrap_or_default()
}

/// Changes the working directory of the whole process.
pub fn change_dir(path: &str) -> bool {
    std::env::set_current_dir(path).is_ok()
}

/// The user's home directory (`$HOME`, else the password database), `""` if unknown.
pub fn home_dir() -> String {
    std::env::home_dir().map(|p| p.to_string_lossy().into_owned()).unwrap_or_default()
}

/// `临时目录()`: `$TMPDIR`, else `/tmp`.
pub fn temp_dir() -> String {
    std::env::temp_dir().to_string_lossy().into_owned()
}

/// The machine's host name, `""` if it cannot be read.
pub fn hostname() -> String {
    let mut buf = [0u8; 256];
    // SAFETY: `buf` is writable for its whole length, which is what we pass.
    let rc = unsafe { libc::gethostname(buf.as_mut_ptr().cast(), buf.len()) };
    if rc != 0 {
        return String::new();
    }
    let len = buf.iter().position(|b| *b == 0).unwrap_or(buf.len());
    String::from_utf8_lossy(&buf[..len]).into_owned()
}

/// The user's login name: `$USER`, else `$LOGNAME`, else the password database entry of
/// the effective user; `""` if none.
pub fn username() -> String {
    ["USER", "LOGNAME"]
        .iter()
        .map(|v| env_get(v))
        .find(|n| !n.is_empty())
        .unwrap_or_else(passwd_name)
}

/// The name of the effective user in the password database, `""` if it has none.
fn passwd_name() -> String {
    let mut buf = vec![0 as libc::c_char; 4096];
    // SAFETY: `passwd` is plain old data; all-zero is a valid (empty) value.
    let mut entry: libc::passwd = unsafe { std::mem::zeroed() };
    let mut found: *mut libc::passwd = std::ptr::null_mut();
    // SAFETY: every pointer is valid for the call, `buf` for its whole length; on success
    // `found` points at `entry`, whose strings point into `buf`.
    let rc = unsafe {
        libc::getpwuid_r(libc::geteuid(), &mut entry, buf.as_mut_ptr(), buf.len(), &mut found)
    };
    if rc != 0 || found.is_null() || entry.pw_name.is_null() {
        return String::new();
    }
    // SAFETY: `pw_name` is a NUL-terminated string inside `buf`, still alive here.
    let name = unsafe { std::ffi::CStr::from_ptr(entry.pw_name) };
    name.to_string_lossy().into_owned()
}

/// `CPU核心数()`: the CPUs this process may run on (affinity and cgroup quotas count).
pub fn cpu_count() -> i64 {
    std::thread::available_parallelism().map_or(1, |n| n.get() as i64)
}

/// `列出目录(路径)`: the names of the directory's entries, sorted, each followed by a line
/// end; `""` if it cannot be read.
pub fn list_dir(path: &str) -> String {
    let Ok(entries) = std::fs::read_dir(path) else {
        return String::new();
    };
    let mut names: Vec<String> =
        entries.flatten().map(|e| e.file_name().to_string_lossy().into_owned()).collect();
    names.sort();
    names.into_iter().map(|n| n + "\n").collect()
}

/// Ends the program with status `code` (its low 8 bits, as the OS keeps them) after
/// writing all pending output, even an unterminated `打印` line.
pub fn exit(code: i64) -> ! {
    crate::program::end_process(code as u8)
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

/// 1 for success, -1 for failure.
fn one_or_minus_one(ok: bool) -> i64 {
    if ok {
        1
    } else {
        -1
    }
}

/// `获取环境变量(名)` → value or `""`.
///
/// # Safety
/// Every string argument is null or a live string object.
pub unsafe extern "C" fn qi_os_getenv(name: *const Str) -> *mut Str {
    guard(|| new_str(&env_get(text!(name))))
}

/// `设置环境变量(名, 值)` → 1 / -1.
///
/// # Safety
/// Every string argument is null or a live string object.
pub unsafe extern "C" fn qi_os_setenv(name: *const Str, value: *const Str) -> i64 {
    guard(|| one_or_minus_one(env_set(text!(name), text!(value))))
}

/// `删除环境变量(名)` → 1 / -1.
///
/// # Safety
/// Every string argument is null or a live string object.
pub unsafe extern "C" fn qi_os_unsetenv(name: *const Str) -> i64 {
    guard(|| one_or_minus_one(env_remove(text!(name))))
}

/// `所有环境变量()` → `名=值` lines.
pub extern "C" fn qi_os_environ() -> *mut Str {
    guard(|| new_str(&env_lines()))
}

/// `加载环境文件(路径)` → variables set, or -1.
///
/// # Safety
/// Every string argument is null or a live string object.
pub unsafe extern "C" fn qi_os_load_env(path: *const Str) -> i64 {
    guard(|| load_env_file(text!(path)))
}

/// `当前目录()`.
pub extern "C" fn qi_os_getcwd() -> *mut Str {
    guard(|| new_str(&current_dir()))
}

/// `切换目录(路径)` → 1 / -1.
///
/// # Safety
/// Every string argument is null or a live string object.
pub unsafe extern "C" fn qi_os_chdir(path: *const Str) -> i64 {
    guard(|| one_or_minus_one(change_dir(text!(path))))
}

/// `用户主目录()`.
pub extern "C" fn qi_os_homedir() -> *mut Str {
    guard(|| new_str(&home_dir()))
}

/// `临时目录()`.
pub extern "C" fn qi_os_tempdir() -> *mut Str {
    guard(|| new_str(&temp_dir()))
}

/// `操作系统类型()`: `linux`, `macos`, `windows`, … (Rust's `std::env::consts::OS`).
pub extern "C" fn qi_os_type() -> *mut Str {
    guard(|| new_str(std::env::consts::OS))
}

/// `系统架构()`: `x86_64`, `aarch64`, …
pub extern "C" fn qi_os_arch() -> *mut Str {
    guard(|| new_str(std::env::consts::ARCH))
}

/// `系统家族()`: `unix` or `windows`.
pub extern "C" fn qi_os_family() -> *mut Str {
    guard(|| new_str(std::env::consts::FAMILY))
}

/// `主机名()`.
pub extern "C" fn qi_os_hostname() -> *mut Str {
    guard(|| new_str(&hostname()))
}

/// `用户名()`.
pub extern "C" fn qi_os_username() -> *mut Str {
    guard(|| new_str(&username()))
}

/// `CPU核心数()`.
pub extern "C" fn qi_os_cpu_count() -> i64 {
    guard(cpu_count)
}

/// `进程ID()`.
pub extern "C" fn qi_os_getpid() -> i64 {
    i64::from(std::process::id())
}

/// `列出目录(路径)` → sorted names, one per line.
///
/// # Safety
/// Every string argument is null or a live string object.
pub unsafe extern "C" fn qi_os_list_dir(path: *const Str) -> *mut Str {
    guard(|| new_str(&list_dir(text!(path))))
}

/// `是否为目录(路径)` → 1/0 (a link to a directory counts).
///
/// # Safety
/// Every string argument is null or a live string object.
pub unsafe extern "C" fn qi_os_is_dir(path: *const Str) -> i64 {
    guard(|| Path::new(text!(path)).is_dir() as i64)
}

/// `是否为文件(路径)` → 1/0 (a link to a file counts).
///
/// # Safety
/// Every string argument is null or a live string object.
pub unsafe extern "C" fn qi_os_is_file(path: *const Str) -> i64 {
    guard(|| Path::new(text!(path)).is_file() as i64)
}

/// `退出程序(码)`: ends the program at once with that status, output flushed first.
pub extern "C" fn qi_os_exit(code: i64) -> ! {
    exit(code)
}

/// `释放字符串(s)`: does nothing. Strings are reference-counted and the argument is only
/// borrowed: the caller's reference frees it when it goes out of use.
///
/// # Safety
/// Every string argument is null or a live string object.
pub unsafe extern "C" fn qi_os_free_string(_s: *const Str) {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_names_fail_without_panicking() {
        for name in ["", "A=B", "A\0B"] {
            assert_eq!(env_get(name), "");
            assert!(!env_set(name, "x"));
            assert!(!env_remove(name));
        }
        assert!(!env_set("QI_OS_TEST_NUL", "a\0b"));
    }

    #[test]
    fn set_get_remove() {
        assert!(env_set("QI_OS_TEST_VAR", "值"));
        assert_eq!(env_get("QI_OS_TEST_VAR"), "值");
        assert!(env_lines().contains("QI_OS_TEST_VAR=值\n"));
        assert!(env_json().contains("\"QI_OS_TEST_VAR\":\"值\""));
        assert!(env_remove("QI_OS_TEST_VAR"));
        assert_eq!(env_get("QI_OS_TEST_VAR"), "");
        assert!(env_remove("QI_OS_TEST_VAR"), "removing an unset variable succeeds");
    }

    #[test]
    fn machine_facts() {
        assert!(cpu_count() >= 1);
        assert!(!hostname().is_empty());
        assert!(!passwd_name().is_empty());
        assert_eq!(list_dir("/no/such/dir"), "");
        assert_eq!(load_env_file("/no/such/file"), -1);
    }
}
