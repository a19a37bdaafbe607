//! Stacks for green threads, pooled.
//!
//! Every green thread, the one running `入口` included, gets the same `STACK_SIZE`, so a
//! recursion overflows at the same depth wherever it runs (docs/CONCURRENCY.md, "Stack
//! limit"). An eager future's green thread inherits what is left of its starter's
//! budget instead of a fresh one (see `sched::spawn_eager`), so a recursion through
//! futures overflows like a plain one.
//!
//! Stacks are carved out of large `MAP_NORESERVE` slabs, `STACKS_PER_SLAB` at a time: the
//! kernel only backs the pages a green thread touches, and one mapping per slab keeps
//! far below `vm.max_map_count` (65530 on stock Linux) even with 100,000 green threads —
//! a guard page per stack would cost two mappings each. Overflow is caught in software
//! instead: generated code compares its stack pointer with the limit in the pinned
//! register, which the entry stub sets `FULL_BUDGET` (or an eager future's smaller
//! budget) below its own frame. Below the deepest limit there are `LIMIT_MARGIN` bytes
//! for runtime code called at the deepest point.
//!
//! The lowest page of each slab is a guard page.
//!
//! A freed stack goes back to the pool; slabs are never unmapped (a program that once
//! ran N green threads at a time is likely to do so again), but the pages of free stacks
//! beyond `WARM_STACKS` are given back. After a stack overflow the
//! pages it touched are given back (`release_below`, see `sched::overflow`); so are the top
//! pages of a long-parked thread whose used part was copied out (`give_back_top`, see
//! `sched::stash`).

use parking_lot::Mutex;

/// Address-space reservation per green thread. Only touched pages use memory.
pub const STACK_SIZE: usize = 8 << 20;
/// Room below the generated code's limit for the runtime functions it calls (and the
/// stack-overflow report itself).
pub const LIMIT_MARGIN: usize = 64 << 10;
/// Room at the top for the coroutine's start and the runtime frames above the entry stub.
const ENTRY_RESERVE: usize = 64 << 10;
/// The most stack generated code may use on one green thread (counted from the entry
/// stub): the limit of recursion.
pub const FULL_BUDGET: usize = STACK_SIZE - ENTRY_RESERVE - LIMIT_MARGIN;
/// What starting an eager future costs its starter's budget on top of the stack the
/// starting code has used: about the memory the future's own green thread takes (the
/// pages of its stack that its start touches, its bookkeeping). So a chain of futures
/// each starting the next holds at most about one stack's worth of memory.
pub const EAGER_FUTURE_COST: usize = 8 << 10;
const STACKS_PER_SLAB: usize = 64;
/// `release_below` keeps the pages this close below the given address (the frames of
/// the runtime code doing it, and the top of a finished stack, which the next green thread
/// uses at once).
const KEPT_ABOVE: usize = 64 << 10;
use crate::pages::{self, PAGE};

/// A stack: `[base - STACK_SIZE, base)`, growing down from `base`.
pub struct GreenStack {
    base: usize,
}

/// No stack could be mapped (the address space is exhausted).
#[derive(Debug)]
pub struct NoStack;

// SAFETY: `base` and `base - STACK_SIZE` bound a private read-write mapping that this
// value owns exclusively until it is dropped (back to the pool); both are 16-byte aligned.
unsafe impl corosensei::stack::Stack for GreenStack {
    fn base(&self) -> corosensei::stack::StackPointer {
        corosensei::stack::StackPointer::new(self.base).expect("stack base is not null")
    }

    fn limit(&self) -> corosensei::stack::StackPointer {
        corosensei::stack::StackPointer::new(self.base - STACK_SIZE)
            .expect("stack limit is not null")
    }
}

impl GreenStack {
    /// The highest address of the stack (it grows down from here).
    pub fn base(&self) -> usize {
        self.base
    }
}

impl Drop for GreenStack {
    fn drop(&mut self) {
        let mut free = FREE.lock();
        if free.warm.len() < WARM_STACKS {
            free.warm.push(self.base);
            return;
        }
        drop(free);
        // Nothing lives on a freed stack; its lowest page may be a slab's guard page.
        give_back_top(self.base, self.base - STACK_SIZE + PAGE);
        FREE.lock().cold.push(self.base);
    }
}

/// Free pooled stacks (their bases): `warm` ones keep their touched pages, so the next
/// green thread starts on a resident top; beyond `WARM_STACKS` the pages are given back,
/// so that 100,000 green threads that have ended do not keep 100,000 pages (each went
/// through its stack's top, and a stashed one was copied back there before it ended).
struct FreeStacks {
    warm: Vec<usize>,
    cold: Vec<usize>,
}

static FREE: Mutex<FreeStacks> = Mutex::new(FreeStacks { warm: Vec::new(), cold: Vec::new() });

/// How many free stacks keep their pages (at most a few MiB: a top page or two each).
const WARM_STACKS: usize = 1024;

/// A stack for a new green thread.
pub fn take() -> Result<GreenStack, NoStack> {
    {
        let mut free = FREE.lock();
        if let Some(base) = free.warm.pop().or_else(|| free.cold.pop()) {
            return Ok(GreenStack { base });
        }
    }
    let slab = pages::reserve(STACK_SIZE * STACKS_PER_SLAB).ok_or(NoStack)?;
    guard_page(slab);
    let mut free = FREE.lock();
    for i in 1..STACKS_PER_SLAB {
        free.cold.push(slab + (i + 1) * STACK_SIZE);
    }
    Ok(GreenStack { base: slab + STACK_SIZE })
}

/// Give the pages of the stack with top `base` that lie more than `KEPT_ABOVE` below
/// `addr` back to the kernel (they read as zero when touched again). Nothing may live
/// there any more: callers pass their own stack pointer, or `base` for a finished thread.
pub fn release_below(base: usize, addr: usize) {
    // The lowest page may be a slab's guard page: leave it alone.
    let low = base - STACK_SIZE + PAGE;
    let high = (addr.saturating_sub(KEPT_ABOVE)) & !(PAGE - 1);
    if high <= low {
        return;
    }
    // SAFETY: `[low, high)` is page-aligned, inside this stack's part of its slab, and
    // below anything the caller still uses (see above): its contents are dead.
    unsafe { pages::discard(low, high - low) };
}

/// Give back the pages of a stack with top `base` from the one holding `low` up to `base`
/// (they read as zero when touched again): a parked green thread's stashed top
/// (`sched::stash`). Nothing may use `[low & !(PAGE - 1), base)` until it is written again.
pub fn give_back_top(base: usize, low: usize) {
    let low = low & !(PAGE - 1);
    debug_assert!(base.is_multiple_of(PAGE) && low < base && base - low <= STACK_SIZE - PAGE);
    // SAFETY: `[low, base)` is page-aligned, inside this stack's part of its slab, above
    // its lowest page (the slab's guard page); the caller has copied out whatever of it is
    // still live.
    unsafe { pages::discard(low, base - low) };
}

/// Make the lowest page at `low` inaccessible: a runaway runtime frame below the lowest
/// stack of a slab faults instead of writing into other memory. (One guard per slab, not
/// per stack: see the module comment.)
fn guard_page(low: usize) {
    // SAFETY: `low` is the page-aligned start of a slab `reserve` made; the page lies
    // below every limit handed out (`LIMIT_MARGIN` is larger than a page).
    unsafe { pages::forbid(low, PAGE) };
}

#[cfg(test)]
mod tests {
    use super::*;

    fn is_resident(addr: usize) -> bool {
        let mut v = 0u8;
        // SAFETY: a page of a mapping this test owns; one byte of result.
        let r = unsafe { libc::mincore((addr & !(PAGE - 1)) as *mut libc::c_void, PAGE, &mut v) };
        assert_eq!(r, 0);
        v & 1 != 0
    }

    #[test]
    fn stacks_are_reused_and_writable() {
        let a = take().unwrap();
        let base = a.base;
        // SAFETY: the top word of a fresh stack is mapped read-write memory we own.
        unsafe {
            let top = (base - 8) as *mut u64;
            top.write(42);
            assert_eq!(top.read(), 42);
        }
        drop(a);
        let b = take().unwrap();
        assert_eq!(b.base, base, "the last freed stack is handed out first");
    }

    #[test]
    fn deep_pages_are_given_back() {
        let a = take().unwrap();
        let base = a.base;
        let deep = base - STACK_SIZE / 2;
        let shallow = base - 8;
        // Used as a recursion would: every page from the top down to `deep`.
        // SAFETY: every word written lies inside the stack, mapped read-write memory we own.
        unsafe {
            for page in (deep..base).step_by(PAGE) {
                (page as *mut u64).write(7);
            }
            (shallow as *mut u64).write(9);
        }
        assert!(is_resident(deep));
        release_below(base, base);
        assert!(!is_resident(deep), "pages deep down are released");
        assert!(is_resident(shallow), "the top pages stay");
        // SAFETY: as above; the released page reads as zero again.
        unsafe {
            assert_eq!((deep as *const u64).read(), 0);
            assert_eq!((shallow as *const u64).read(), 9);
        }
    }
}
