//! Parked green threads give their stack pages back.
//!
//! A parked green thread uses about 1 KiB at the top of its stack (the coroutine's start,
//! the entry stub, the frames down to its wait), but holds the whole touched page (4 KiB)
//! or more. When many green threads are parked, a worker *stashes* the one that has been
//! parked longest (`worker`, "Parked stacks"): it copies the used part of its stack,
//! from just below the switch down to its top, to the heap and gives the pages back
//! (`stack::give_back_top`). The thread's next run copies it back to the same addresses
//! first, so raw pointers into the stack (frame links, generated code's slots) stay valid.
//!
//! Nothing touches a parked thread's stack but the worker that resumes it: wakers hand
//! values over through the task record (`task::Xfer`, the wait queues), never through a
//! waiter's stack. While stashing, the worker owns the task (run state `STASHING`, which
//! a waker waits out, see `sched::wake`), so a given-back page is never touched before it
//! has been copied back.
//!
//! How far below the last recorded address the switch writes (`switch_depth`) is measured
//! once, by running the same switch on a fresh zero-filled stack: the depth depends only
//! on the compiled code of [`switch_out`] and corosensei's `Yielder::suspend`.

use std::sync::OnceLock;

use corosensei::stack::{DefaultStack, Stack};
use corosensei::{Coroutine, CoroutineResult, Yielder};

use super::stack;
use super::task::Switch;

/// A parked thread whose stack is used deeper than this is not stashed: copying it would
/// gain little (only the rounding to whole pages) and cost time.
const STASH_MAX: usize = 16 << 10;
/// Room added to the measured switch depth.
const SLACK: usize = 64;
/// The stack the switch depth is measured on, and how far below the mark it looks.
const STACK_FOR_MEASURING: usize = 64 << 10;
const WINDOW: usize = 16 << 10;

/// The stack of a green thread, as far as stashing is concerned. Belongs to the task: the
/// thread itself writes `switch_mark` while it runs; a worker reads and writes the rest
/// only while it owns the switched-out task (running it, or stashing it).
#[derive(Default)]
pub struct ParkedStack {
    /// The top of the stack (0 until the coroutine is made).
    pub base: usize,
    /// An address in [`switch_out`]'s frame at the thread's last switch.
    pub switch_mark: usize,
    /// The lowest stashed address and the stashed bytes `[low, base)`, while stashed.
    stashed: Option<(usize, Box<[u8]>)>,
}

/// Switch the running green thread out through `y`, first recording in `mark` an address
/// of this frame: everything the switched-out thread still needs lies above
/// `mark - switch_depth()`.
#[inline(never)]
pub(super) fn switch_out(y: &Yielder<(), Switch>, why: Switch, mark: *mut usize) {
    let here = 0u8;
    let here_addr = std::hint::black_box(std::ptr::addr_of!(here)) as usize;
    // SAFETY: the caller passes a place owned by the running green thread (or by the
    // measurement below), valid for a write.
    unsafe { mark.write(here_addr) };
    y.suspend(why);
}

/// Copies the used part of the switched-out stack `s` to the heap and gives its pages back.
/// Does nothing when it is already stashed, used too deep, or the switch depth could not
/// be measured.
///
/// # Safety
/// The caller owns the switched-out green thread of `s` (no one runs or resumes it until
/// [`restore`]).
pub unsafe fn stash(s: &mut ParkedStack) {
    let Some(depth) = switch_depth() else { return };
    if s.stashed.is_some() || s.base == 0 || s.switch_mark == 0 {
        return;
    }
    let low = (s.switch_mark - depth) & !15;
    // A thread parked inside a generator's body switched out on the generator's own
    // stack (`crate::generator`), not below its base: not stashed.
    let Some(used) = s.base.checked_sub(low) else { return };
    if used > STASH_MAX {
        return;
    }
    let mut saved = Vec::<u8>::with_capacity(used);
    // SAFETY: `[low, base)` is mapped stack memory of the switched-out thread, which
    // nothing writes while the caller owns it; `saved` has room for `used` bytes.
    unsafe {
        std::ptr::copy_nonoverlapping(low as *const u8, saved.as_mut_ptr(), used);
        saved.set_len(used);
    }
    stack::give_back_top(s.base, low);
    s.stashed = Some((low, saved.into_boxed_slice()));
}

/// Copies a stashed stack back to where it was (before its green thread runs again).
///
/// # Safety
/// The caller owns the switched-out green thread of `s`.
#[inline]
pub unsafe fn restore(s: &mut ParkedStack) {
    if let Some((low, saved)) = s.stashed.take() {
        // SAFETY: per the caller.
        unsafe { copy_back(low, &saved) };
    }
}

/// # Safety
/// `saved` was stashed from `low` of the stack of a green thread the caller owns.
#[cold]
#[inline(never)]
unsafe fn copy_back(low: usize, saved: &[u8]) {
    // SAFETY: `[low, low + len)` is the same range of the thread's own stack it was copied
    // from (still reserved for it: the stack goes back to the pool only when the thread
    // ends); the pages read as zero since given back and are written whole here.
    unsafe { std::ptr::copy_nonoverlapping(saved.as_ptr(), low as *mut u8, saved.len()) };
}

/// How many bytes below the mark recorded by [`switch_out`] the switch may write (rounded
/// up, with `SLACK`); `None` if no stack could be mapped to measure it.
fn switch_depth() -> Option<usize> {
    static DEPTH: OnceLock<Option<usize>> = OnceLock::new();
    *DEPTH.get_or_init(measure_switch_depth)
}

/// Runs [`switch_out`] on a fresh (zero-filled) stack and finds the lowest word it wrote
/// while switched out. The lowest write is the switch's own return address (never zero),
/// and every write below the mark is at or above the lowest: so the distance from the
/// mark bounds what a switched-out thread keeps below it.
fn measure_switch_depth() -> Option<usize> {
    let stack = DefaultStack::new(STACK_FOR_MEASURING).ok()?;
    let base = stack.base().get();
    let mut mark = 0usize;
    let mark_at = std::ptr::addr_of_mut!(mark) as usize;
    let mut co: Coroutine<(), Switch, (), DefaultStack> =
        Coroutine::with_stack(stack, move |y, ()| {
            switch_out(y, Switch::Yield, mark_at as *mut usize)
        });
    let CoroutineResult::Yield(_) = co.resume(()) else { return None };
    // SAFETY: written by the coroutine before it switched out (same thread).
    let mark = unsafe { (mark_at as *const usize).read_volatile() };
    // Searched from well below anything the switch can write (the coroutine has used a
    // few hundred bytes): a write at the window's very bottom means the window is too
    // small, and then nothing is stashed.
    let window = mark
        .checked_sub(WINDOW)
        .map(|w| w & !7)
        .filter(|w| *w >= base - STACK_FOR_MEASURING / 2)?;
    let lowest = (window..mark)
        .step_by(8)
        // SAFETY: `[window, mark)` is mapped read-write memory of the suspended
        // coroutine's stack (above its guard page: see `STACK_FOR_MEASURING`).
        .find(|a| unsafe { (*a as *const u64).read_volatile() } != 0)
        .filter(|lowest| *lowest > window)?;
    let _ = co.resume(());
    Some((mark - lowest + SLACK + 15) & !15)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_switch_depth_is_small() {
        let depth = switch_depth().expect("measured");
        assert!(depth > SLACK, "the switch writes below the mark: {depth}");
        assert!(depth < 2048, "a few frames: {depth}");
    }
}
