//! The deep stack the front end needs (`qi_ir::FRONT_END_STACK`), on the main thread.
//!
//! Checking, lowering and compiling recurse over the syntax tree, so they run on a stack
//! of their own. It is a coroutine's stack on the calling thread rather than a thread of
//! its own: `qi run` then runs a program that starts no green thread on this one thread
//! alone (the scheduler's worker 0 is its caller, qi-rt `sched::run_program`), without a
//! thread creation, a join and a second set of the allocator's thread-local heap pages
//! (benches/README.md, "Start-up on one thread").

use corosensei::stack::DefaultStack;
use corosensei::{Coroutine, CoroutineResult, Yielder};

/// Runs `f` on a stack of `size` bytes (only touched pages cost memory) on this thread.
/// `None` if it panicked (the panic hook has written the message) or the stack could not
/// be mapped (then this writes a message).
pub fn run<T: 'static>(size: usize, f: impl FnOnce() -> T + 'static) -> Option<T> {
    let stack = match DefaultStack::new(size) {
        Ok(stack) => stack,
        Err(e) => {
            let reason = qi_rt::os_error::describe_for_user(&e);
            qi_rt::output::write_stderr_line(&if qi_rt::lang::english() {
                format!("error: cannot map the stack that runs the program: {reason}")
            } else {
                format!("错误: 无法映射运行程序的栈: {reason}")
            });
            return None;
        }
    };
    // A panic is caught on the coroutine's own stack, so it never unwinds across the
    // switch.
    let mut co = Coroutine::with_stack(stack, move |_: &Yielder<(), ()>, ()| {
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).ok()
    });
    match co.resume(()) {
        CoroutineResult::Return(result) => result,
        CoroutineResult::Yield(()) => unreachable!("the front end never yields"),
    }
}
