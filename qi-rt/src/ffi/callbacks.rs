//! Qi functions called back from C (language.md §5.10, docs/FFI.md).
//!
//! Generated code brackets a foreign call that takes callbacks with
//! [`qi_ffi_callbacks_begin`] / [`qi_ffi_callbacks_end`]; each callback enters through a
//! generated trampoline that asks [`qi_ffi_callback_enter`] for the stack limit to run
//! Qi code with. While C frames are on the green thread's stack the thread must stay on
//! its OS thread: it is not preempted (`sched::interrupt`), and the state here is per OS
//! thread.
//!
//! An exception a callback throws never unwinds through C frames: the callback returns
//! 0 to C and the exception stays pending; further callbacks of the same foreign call
//! return 0 at once without running; when the foreign call returns, the caller raises
//! the exception.

use std::cell::Cell;

thread_local! {
    /// The stack limit of the Qi code that is inside a foreign call taking callbacks on
    /// this OS thread; 0 when there is none.
    static LIMIT: Cell<i64> = const { Cell::new(0) };
}

/// Is a foreign call taking callbacks running on this OS thread (so its green thread
/// must not be switched away)?
pub fn inside_foreign_call() -> bool {
    LIMIT.with(|l| l.get() != 0)
}

/// Before every foreign call: the worker is inside C (the monitor leaves it alone).
#[no_mangle]
pub extern "C" fn qi_ffi_enter() {
    crate::sched::foreign_call(true);
}

/// After every foreign call.
#[no_mangle]
pub extern "C" fn qi_ffi_leave() {
    crate::sched::foreign_call(false);
}

/// Before a foreign call that takes callbacks: the caller's stack limit (its pinned
/// register). Returns the previous state, for [`qi_ffi_callbacks_end`] (calls nest when
/// a callback makes a foreign call).
#[no_mangle]
pub extern "C" fn qi_ffi_callbacks_begin(limit: i64) -> i64 {
    LIMIT.with(|l| l.replace(limit))
}

/// After the foreign call: restores the previous state; 1 when a callback threw (the
/// exception is pending and the caller raises it), else 0.
#[no_mangle]
pub extern "C" fn qi_ffi_callbacks_end(previous: i64) -> u8 {
    LIMIT.with(|l| l.set(previous));
    crate::exception::is_pending() as u8
}

/// At the entry of a callback trampoline: the stack limit to run the Qi function with,
/// or 0 when an earlier callback of this foreign call threw (the trampoline then returns
/// 0 to C without running it). C calling a Qi function outside a foreign call that took
/// it — later, or from another thread — is a runtime error: there is no green thread to
/// run it on.
#[no_mangle]
pub extern "C" fn qi_ffi_callback_enter() -> i64 {
    let limit = LIMIT.with(Cell::get);
    if limit == 0 {
        crate::error::runtime_error(
            "C 代码在把回调传给它的外部调用之外调用了奇语函数（比如从别的线程或在调用返回之后）".into(),
            "C code called a Qi function outside the foreign call that was given it as a callback (from another thread, or after the call returned)".into(),
        );
    }
    if crate::exception::is_pending() {
        return 0;
    }
    limit
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calls_nest_and_restore_the_state() {
        assert!(!inside_foreign_call());
        let outer = qi_ffi_callbacks_begin(1000);
        assert_eq!(qi_ffi_callback_enter(), 1000);
        let inner = qi_ffi_callbacks_begin(2000);
        assert_eq!(qi_ffi_callback_enter(), 2000);
        assert_eq!(qi_ffi_callbacks_end(inner), 0);
        assert_eq!(qi_ffi_callback_enter(), 1000);
        assert_eq!(qi_ffi_callbacks_end(outer), 0);
        assert!(!inside_foreign_call());
    }
}
