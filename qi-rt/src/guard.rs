//! Keeps Rust panics from unwinding into JIT-compiled frames (which cannot
//! unwind and would abort the process): every `extern "C"` entry point runs
//! its body through [`guard`], which turns a panic into a runtime error.

use std::panic::{catch_unwind, AssertUnwindSafe};

/// Runs `body`, converting a panic into a Qi runtime error.
///
/// `catch_unwind` costs nothing on the non-panicking path (it only adds a
/// landing pad), so this is fine on hot entry points like printing.
#[inline(always)]
pub(crate) fn guard<R>(body: impl FnOnce() -> R) -> R {
    // AssertUnwindSafe: after a panic we never observe the state again, the
    // process ends with a runtime error.
    match catch_unwind(AssertUnwindSafe(body)) {
        Ok(value) => value,
        Err(payload) => panicked(payload),
    }
}

#[cold]
#[inline(never)]
fn panicked(payload: Box<dyn std::any::Any + Send>) -> ! {
    let what = panic_message(&*payload);
    crate::error::runtime_error(
        format!("运行时内部错误：{what}"),
        format!("internal runtime failure: {what}"),
    )
}

/// The text of a panic payload (`panic!` gives `&str` or `String`).
pub(crate) fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_owned()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "panic".to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passes_values_through() {
        assert_eq!(guard(|| 41 + 1), 42);
    }

    #[test]
    fn payload_text() {
        let p = catch_unwind(|| panic!("boom {}", 1)).unwrap_err();
        assert_eq!(panic_message(&*p), "boom 1");
        let p = catch_unwind(|| panic!("static")).unwrap_err();
        assert_eq!(panic_message(&*p), "static");
    }
}
