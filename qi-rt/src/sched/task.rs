//! A green thread: its coroutine, its run state, and the wake-up ticket protocol.
//!
//! # Waiting and waking
//! A green thread that must wait opens a *ticket* ([`Task::begin_wait`]), records
//! `(task, ticket)` wherever a wake-up can come from (channel queues, timers, wait
//! groups …) and parks. A waker first *claims* the ticket ([`Task::claim`], a
//! compare-and-swap), so of several possible wakers exactly one proceeds; it writes the
//! outcome into the task's [`Xfer`] and calls `sched::wake`. Entries whose claim fails
//! are stale and are dropped.
//!
//! # Run states
//! `wake` may run before the waiting green thread has actually switched out; the run
//! state tells the worker what to do when it does (see `worker::run`).

use std::cell::UnsafeCell;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicU8, Ordering};

use corosensei::{Coroutine, Yielder};

use super::stack::GreenStack;
use super::stash::ParkedStack;
use crate::object::Header;

/// In a run queue (or about to be run).
pub const QUEUED: u8 = 0;
/// Running on a worker.
pub const RUNNING: u8 = 1;
/// Switched out, waiting for a wake-up.
pub const PARKED: u8 = 2;
/// Woken while still running (it was about to park): run it again.
pub const NOTIFIED: u8 = 3;
/// Finished.
pub const DONE: u8 = 4;
/// Parked, and a worker is copying its stack out (`stash`): wakers wait until it is
/// `PARKED` again.
pub const STASHING: u8 = 5;

/// Why a green thread switched back to its worker.
pub enum Switch {
    /// Wait for a wake-up.
    Park,
    /// Let other runnable green threads go first.
    Yield,
    /// Run this new green thread at once; resume the switching one when it first
    /// switches out (eager futures).
    RunChild(std::sync::Arc<Task>),
}

pub type Co = Coroutine<(), Switch, u8, GreenStack>;

/// What a green thread runs.
#[derive(Clone, Copy)]
pub enum Start {
    /// The program's main function (global initialisers, then `入口`).
    Main,
    /// A closure object `函数()` (owned by the task until it has run).
    Closure(*mut Header),
}

/// The result of a wait, written by the waker that claimed the ticket.
#[derive(Clone, Copy, Default)]
pub struct Xfer {
    /// A received value (owned by the task when `ok`).
    pub value: u64,
    /// Which `选择` case (or 0 for a plain operation); -1 for a timer.
    pub case: i64,
    /// False when the channel was closed.
    pub ok: bool,
}

/// State only the green thread itself, or its worker between two resumptions, touches.
pub struct Local {
    pub co: Option<Co>,
    pub start: Option<Start>,
    /// The unfinished output line of this green thread while it is switched out.
    pub line: Vec<u8>,
    /// Eager future: the parent to make runnable when this task first switches out.
    pub parent: Option<std::sync::Arc<Task>>,
    /// Cases of the `选择` being assembled.
    pub select: Vec<super::super::chan::Case>,
    /// The value taken by `ChanTake` (owned bits).
    pub held: u64,
    /// The top of its stack (set when the coroutine is made).
    pub stack_base: usize,
    /// Where a stack overflow was raised whose pages are not given back yet, or 0 (see
    /// `sched::overflow`).
    pub overflow_at: usize,
    /// The innermost generator whose body this green thread is running, or null
    /// (`crate::generator`: `让出` finds its generator here).
    pub generator: *mut crate::generator::GenData,
    next_ticket: u64,
}

pub struct Task {
    pub state: AtomicU8,
    /// `ticket * 2 + 1` while a wait is open, `ticket * 2` once claimed.
    wait: AtomicU64,
    pub xfer: UnsafeCell<Xfer>,
    pub local: UnsafeCell<Local>,
    pub yielder: UnsafeCell<*const Yielder<(), Switch>>,
    /// Its stack, for stashing while parked (see `stash`): written by the thread itself
    /// while it runs, else only by a worker that owns it (running or stashing it).
    pub stack: UnsafeCell<ParkedStack>,
    /// How often it has switched out (written by its worker before it marks it `PARKED`):
    /// a worker stashes a thread only if it has stayed parked since it last looked.
    pub switches: AtomicU64,
    /// In a worker's list of parked threads that are not stashed (`worker`, "Parked
    /// stacks"). Set by the worker parking it while it owns it; cleared by the worker
    /// that stashes it, while it owns it (`STASHING`).
    pub remembered: AtomicBool,
    /// A future this task completes (owned; null for `启动` threads): if the task ends by
    /// an exception, the future fails with it.
    pub future: *mut Header,
    /// The join handle's state of a thread started by `同步.启动并等待协程`: its end, and
    /// an uncaught exception, go there instead of ending the program.
    pub join: Option<std::sync::Arc<crate::sync::Join>>,
    pub is_main: bool,
    /// How many bytes of stack its generated code may use (`stack::FULL_BUDGET`, less
    /// for an eager future: see `sched::spawn_eager`).
    pub stack_budget: usize,
}

// SAFETY: the cells are never accessed concurrently. `local`, `yielder` and `stack` belong
// to the one worker running (or stashing) the task (the run state hands the task from worker to worker with
// acquire/release ordering); `xfer` is written only by the waker that won the ticket, before
// it wakes the task, and read by the task after it resumes. Raw object pointers are
// objects marked shared before they are handed to another worker.
unsafe impl Send for Task {}
// SAFETY: see above.
unsafe impl Sync for Task {}

impl Task {
    pub fn new(start: Start, future: *mut Header, is_main: bool) -> Task {
        Task {
            state: AtomicU8::new(QUEUED),
            wait: AtomicU64::new(0),
            xfer: UnsafeCell::new(Xfer::default()),
            local: UnsafeCell::new(Local {
                co: None,
                start: Some(start),
                line: Vec::new(),
                parent: None,
                select: Vec::new(),
                held: 0,
                stack_base: 0,
                overflow_at: 0,
                generator: std::ptr::null_mut(),
                next_ticket: 1,
            }),
            yielder: UnsafeCell::new(std::ptr::null()),
            stack: UnsafeCell::new(ParkedStack::default()),
            switches: AtomicU64::new(0),
            remembered: AtomicBool::new(false),
            future,
            join: None,
            is_main,
            stack_budget: super::stack::FULL_BUDGET,
        }
    }

    /// The same task, ending into the join handle state `join`.
    pub fn with_join(self, join: std::sync::Arc<crate::sync::Join>) -> Task {
        Task { join: Some(join), ..self }
    }

    /// The same task with a smaller stack budget.
    pub fn with_stack_budget(self, stack_budget: usize) -> Task {
        Task { stack_budget, ..self }
    }

    /// Opens a wait (called by the task itself); the ticket wakers must claim.
    pub fn begin_wait(&self) -> u64 {
        // SAFETY: only the running task itself calls this.
        let local = unsafe { &mut *self.local.get() };
        let ticket = local.next_ticket;
        local.next_ticket += 1;
        self.wait.store(ticket * 2 + 1, Ordering::SeqCst);
        ticket
    }

    /// Is the wait `ticket` still open (nobody claimed it yet)?
    pub fn is_open(&self, ticket: u64) -> bool {
        self.wait.load(Ordering::Acquire) == ticket * 2 + 1
    }

    /// Claims the open wait `ticket`; true for exactly one caller per ticket.
    pub fn claim(&self, ticket: u64) -> bool {
        self.wait
            .compare_exchange(ticket * 2 + 1, ticket * 2, Ordering::AcqRel, Ordering::Acquire)
            .is_ok()
    }

    /// Writes the outcome of a claimed wait.
    ///
    /// # Safety
    /// The caller claimed the task's open ticket and has not woken it yet.
    pub unsafe fn set_xfer(&self, x: Xfer) {
        // SAFETY: per the caller, nobody else touches `xfer` now.
        unsafe { *self.xfer.get() = x };
    }

    /// The outcome of the last wait (called by the task after it resumed).
    pub fn xfer(&self) -> Xfer {
        // SAFETY: the waker finished writing before it woke us.
        unsafe { *self.xfer.get() }
    }
}

impl Drop for Local {
    fn drop(&mut self) {
        if let Some(co) = self.co.take() {
            if co.started() && !co.done() {
                // An abandoned green thread (the program ended): dropping its coroutine
                // would unwind through generated frames, which cannot unwind.
                std::mem::forget(co);
            }
        }
    }
}
