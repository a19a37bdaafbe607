//! The running frame's locals without bounds checks.
//!
//! A frame's locals are a window of its green thread's locals stack (`Thread::stack`).
//! The hot loop of `frame` reads and writes them through `Locals`, which borrows that
//! stack for as long as it lives, so nothing can grow (move) the stack under it: a call
//! or a slow instruction ends the borrow and makes a new `Locals` afterwards. The only
//! fact the borrow checker cannot see is that a slot lies inside the window; that holds
//! by construction: a `Slot` is made only by `Slot::new`, which the decoder calls with
//! the function's number of locals, and a frame's `Locals` is made with that same number
//! (checked against the stack's length in `Locals::new`).

use std::marker::PhantomData;

/// A local of a decoded function, known to be below its number of locals.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Slot(u32);

impl Slot {
    /// Local `index` of a function with `count` locals.
    ///
    /// # Panics
    /// When `index >= count`: the IR is malformed (the validator rejects it).
    pub fn new(index: usize, count: usize) -> Slot {
        assert!(index < count, "local _{index} of a function with {count} locals");
        Slot(index as u32)
    }

    pub fn index(self) -> usize {
        self.0 as usize
    }
}

/// The locals of the running frame: `count` slots from `base` of the locals stack.
pub struct Locals<'s> {
    first: *mut u64,
    #[cfg(debug_assertions)]
    count: usize,
    /// The stack is borrowed (exclusively) while the window is in use.
    _stack: PhantomData<&'s mut [u64]>,
}

impl<'s> Locals<'s> {
    /// The window of `count` locals from `base` of `stack`.
    #[inline(always)]
    pub fn new(stack: &'s mut [u64], base: usize, count: usize) -> Locals<'s> {
        let window = &mut stack[base..base + count];
        Locals {
            first: window.as_mut_ptr(),
            #[cfg(debug_assertions)]
            count,
            _stack: PhantomData,
        }
    }

    #[inline(always)]
    pub fn get(&self, s: Slot) -> u64 {
        #[cfg(debug_assertions)]
        debug_assert!(s.index() < self.count);
        // SAFETY: the window holds the frame's `count` locals and `s` is below the count of
        // the function this frame runs (module note); the stack is borrowed by `self`.
        unsafe { *self.first.add(s.index()) }
    }

    #[inline(always)]
    pub fn set(&mut self, s: Slot, v: u64) {
        #[cfg(debug_assertions)]
        debug_assert!(s.index() < self.count);
        // SAFETY: as for `get`.
        unsafe { *self.first.add(s.index()) = v }
    }
}
