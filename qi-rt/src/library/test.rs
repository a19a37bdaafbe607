//! The `测试` module (builtins.md §G.3, §G.4): assertions return 1 (held) or 0 (failed)
//! and report a failure on stderr; they never abort the program. `测试通过` prints to
//! stdout through the program's buffered output, so it keeps its place among the lines
//! the program prints.
//!
//! Under `qi test` (docs/TESTING.md) the runtime is in test mode: a failed assertion also
//! says where it was called (`file:line:column`, passed by the checker as the entry
//! point's trailing arguments) and is counted, and a process that ends with status 0
//! after a failed assertion ends with status 1 instead (whether it returned from `入口`
//! or called `退出`), so the test fails.

use crate::guard::guard;
use crate::output::{print_line, write_stderr_line};
use crate::string::{str_as_str, Str};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

/// Set by `qi test` before the test runs.
static TEST_MODE: AtomicBool = AtomicBool::new(false);

/// Failed assertions so far (test mode only).
static FAILED: AtomicU64 = AtomicU64::new(0);

/// Test mode: failed assertions are located and counted (see the module doc).
pub fn enable_test_mode() {
    TEST_MODE.store(true, Ordering::Relaxed);
}

/// The status the process ends with: a normal end (0) after a failed assertion in test
/// mode is a failure (1).
pub fn exit_status(status: u8) -> u8 {
    if status == 0 && FAILED.load(Ordering::Relaxed) > 0 {
        1
    } else {
        status
    }
}

/// Where an assertion was called: the file index, line and column the checker passes.
#[derive(Clone, Copy)]
struct CallSite {
    file: i64,
    line: i64,
    column: i64,
}

/// |Δ| below which `断言相等_浮点` holds.
const FLOAT_TOLERANCE: f64 = 1e-10;

/// 1 when `held`; else writes `failure` and the message (if any) to stderr, 0.
/// In test mode the failure also gives the call site and is counted.
fn assertion(held: bool, failure: impl FnOnce() -> String, message: &str, at: CallSite) -> i64 {
    if held {
        return 1;
    }
    write_stderr_line(&format!("❌ 断言失败: {}", failure()));
    if !message.is_empty() {
        write_stderr_line(&format!("   消息: {message}"));
    }
    if TEST_MODE.load(Ordering::Relaxed) {
        FAILED.fetch_add(1, Ordering::Relaxed);
        let file = crate::exception::file_name(u32::try_from(at.file).unwrap_or(u32::MAX));
        let label = if crate::lang::english() { "at" } else { "位置" };
        write_stderr_line(&format!("   {label}: {file}:{}:{}", at.line, at.column));
    }
    0
}

pub fn eq_float(actual: f64, expected: f64) -> bool {
    (actual - expected).abs() < FLOAT_TOLERANCE
}

// ---- entry points ---------------------------------------------------------------------
// Every string argument is null or a live string object; a null reads as "".

macro_rules! text {
    ($p:expr) => {
        // SAFETY: forwarded from the entry point's contract.
        unsafe { str_as_str($p) }
    };
}

/// `测试通过(名)`: stdout `✅ 测试通过: 名`.
///
/// # Safety
/// Every string argument is null or a live string object.
pub unsafe extern "C" fn qi_test_pass(name: *const Str) {
    guard(|| print_line(&format!("✅ 测试通过: {}", text!(name))))
}

/// `测试失败(名, 原因)`: stderr `❌ 测试失败: 名 - 原因`.
///
/// # Safety
/// Every string argument is null or a live string object.
pub unsafe extern "C" fn qi_test_fail(name: *const Str, reason: *const Str) {
    guard(|| write_stderr_line(&format!("❌ 测试失败: {} - {}", text!(name), text!(reason))))
}

/// `断言相等_整数(实际, 期望, 消息)`.
///
/// # Safety
/// Every string argument is null or a live string object.
pub unsafe extern "C" fn qi_test_assert_eq_int(
    actual: i64,
    expected: i64,
    msg: *const Str,
    file: i64,
    line: i64,
    column: i64,
) -> i64 {
    let at = CallSite { file, line, column };
    guard(|| {
        let failure = || format!("期望 {expected}, 实际 {actual}");
        assertion(actual == expected, failure, text!(msg), at)
    })
}

/// `断言相等_浮点(实际, 期望, 消息)`: holds when |实际 − 期望| < 1e-10. The values are
/// reported in Rust's shortest form (`2`, `1.5`), as the reference compiler's runtime
/// reports them, so that test programs print what they print there.
///
/// # Safety
/// Every string argument is null or a live string object.
pub unsafe extern "C" fn qi_test_assert_eq_float(
    actual: f64,
    expected: f64,
    msg: *const Str,
    file: i64,
    line: i64,
    column: i64,
) -> i64 {
    let at = CallSite { file, line, column };
    guard(|| {
        let failure = || format!("期望 {expected}, 实际 {actual}");
        assertion(eq_float(actual, expected), failure, text!(msg), at)
    })
}

/// `断言相等_字符串(实际, 期望, 消息)`: the texts are reported in single quotes.
///
/// # Safety
/// Every string argument is null or a live string object.
pub unsafe extern "C" fn qi_test_assert_eq_string(
    actual: *const Str,
    expected: *const Str,
    msg: *const Str,
    file: i64,
    line: i64,
    column: i64,
) -> i64 {
    let at = CallSite { file, line, column };
    guard(|| {
        let (actual, expected) = (text!(actual), text!(expected));
        let failure = || format!("期望 '{expected}', 实际 '{actual}'");
        assertion(actual == expected, failure, text!(msg), at)
    })
}

/// `断言真(条件, 消息)`: holds for any non-zero value.
///
/// # Safety
/// Every string argument is null or a live string object.
pub unsafe extern "C" fn qi_test_assert_true(
    value: i64,
    msg: *const Str,
    file: i64,
    line: i64,
    column: i64,
) -> i64 {
    let at = CallSite { file, line, column };
    guard(|| assertion(value != 0, || "期望真值, 实际为假".to_string(), text!(msg), at))
}

/// `断言假(条件, 消息)`: holds for 0.
///
/// # Safety
/// Every string argument is null or a live string object.
pub unsafe extern "C" fn qi_test_assert_false(
    value: i64,
    msg: *const Str,
    file: i64,
    line: i64,
    column: i64,
) -> i64 {
    let at = CallSite { file, line, column };
    guard(|| assertion(value == 0, || "期望假值, 实际为真".to_string(), text!(msg), at))
}

/// `断言不等_整数(a, b, 消息)`.
///
/// # Safety
/// Every string argument is null or a live string object.
pub unsafe extern "C" fn qi_test_assert_ne_int(
    a: i64,
    b: i64,
    msg: *const Str,
    file: i64,
    line: i64,
    column: i64,
) -> i64 {
    let at = CallSite { file, line, column };
    guard(|| assertion(a != b, || format!("值不应该等于 {b}"), text!(msg), at))
}
