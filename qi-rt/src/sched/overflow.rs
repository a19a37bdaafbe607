//! Giving back the stack pages a stack overflow touched.
//!
//! An overflow has touched the whole of its green thread's stack (8 MiB). Those pages are
//! dead once the exception has been caught above them or the thread has ended, so they
//! are returned to the kernel then (`stack::release_below`) instead of staying resident
//! with a thread that lives on or with the pool. Only overflows do this: checking every
//! ending green thread for deep use would cost a system call each.

use super::stack;
use super::task::Local;
use super::CURRENT;

/// A catch at least this far above the overflow gives the pages below it back (nearer,
/// it waits for a catch further up or for the thread's end).
const RELEASE_STEP: usize = 1 << 20;

/// The running green thread's local state, if a green thread is running.
#[inline(never)]
fn running_local() -> Option<&'static mut Local> {
    let t = CURRENT.with(|c| c.get());
    // SAFETY: a running green thread's local state belongs to it, and it is the caller;
    // the reference is not kept past this module's functions, which do not switch.
    (!t.is_null()).then(|| unsafe { &mut *(*t).local.get() })
}

fn stack_pointer() -> usize {
    let here = 0u8;
    std::ptr::addr_of!(here) as usize
}

/// A stack overflow is being raised on the running green thread.
pub fn note_overflow() {
    if let Some(local) = running_local() {
        local.overflow_at = stack_pointer();
    }
}

/// The lowest stack limit that generated code may be given on the running green thread,
/// if `sp` lies in its stack: `LIMIT_MARGIN` above the stack's lowest address (runtime
/// code called at the deepest point needs that room). For checks of how the tiers hand
/// limits down (`qi-jit`'s crossings); `None` elsewhere (no green thread, or `sp` on
/// another stack, a generator's).
pub fn lowest_limit(sp: usize) -> Option<usize> {
    let base = running_local()?.stack_base;
    let floor = base.checked_sub(stack::STACK_SIZE)?;
    (base != 0 && (floor..base).contains(&sp)).then_some(floor + stack::LIMIT_MARGIN)
}

/// An exception was caught (or taken by a `最终`) on the running green thread.
pub fn after_catch() {
    let Some(local) = running_local() else { return };
    if local.overflow_at == 0 {
        return;
    }
    let here = stack_pointer();
    if here.saturating_sub(local.overflow_at) >= RELEASE_STEP {
        stack::release_below(local.stack_base, here);
        local.overflow_at = 0;
    }
}

/// The green thread of `local` has ended (its stack is dead).
pub(super) fn at_end(local: &mut Local) {
    if local.overflow_at != 0 {
        stack::release_below(local.stack_base, local.stack_base);
        local.overflow_at = 0;
    }
}
