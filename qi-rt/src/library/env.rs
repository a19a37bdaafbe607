//! The `环境` module (builtins.md §G.3, §G.4): environment variables and the working
//! directory, with the semantics of the `操作系统` module's functions (`super::os`).
//! Where §G.4 is silent the results follow the reference implementation (and POSIX's
//! `setenv`/`chdir`): `设置`, `删除` and `改变目录` give 0 on success and -1 on failure;
//! `全部()` is a JSON object text (docs/LANGUAGE-NOTES.md, "Standard library").

use super::os;
use crate::guard::guard;
use crate::string::{new_str, str_as_str, Str};

/// 0 for success, -1 for failure.
fn zero_or_minus_one(ok: bool) -> i64 {
    if ok {
        0
    } else {
        -1
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

/// `获取(名)` → value or `""`.
///
/// # Safety
/// Every string argument is null or a live string object.
pub unsafe extern "C" fn qi_env_get(name: *const Str) -> *mut Str {
    guard(|| new_str(&os::env_get(text!(name))))
}

/// `设置(名, 值)` → 0 / -1.
///
/// # Safety
/// Every string argument is null or a live string object.
pub unsafe extern "C" fn qi_env_set(name: *const Str, value: *const Str) -> i64 {
    guard(|| zero_or_minus_one(os::env_set(text!(name), text!(value))))
}

/// `删除(名)` → 0 / -1.
///
/// # Safety
/// Every string argument is null or a live string object.
pub unsafe extern "C" fn qi_env_remove(name: *const Str) -> i64 {
    guard(|| zero_or_minus_one(os::env_remove(text!(name))))
}

/// `当前目录()`.
pub extern "C" fn qi_env_current_dir() -> *mut Str {
    guard(|| new_str(&os::current_dir()))
}

/// `改变目录(路径)` → 0 / -1.
///
/// # Safety
/// Every string argument is null or a live string object.
pub unsafe extern "C" fn qi_env_set_current_dir(path: *const Str) -> i64 {
    guard(|| zero_or_minus_one(os::change_dir(text!(path))))
}

/// `主目录()`.
pub extern "C" fn qi_env_home_dir() -> *mut Str {
    guard(|| new_str(&os::home_dir()))
}

/// `全部()` → `{"名":"值",…}`, keys sorted.
pub extern "C" fn qi_env_all() -> *mut Str {
    guard(|| new_str(&os::env_json()))
}
