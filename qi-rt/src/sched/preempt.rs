//! Cooperative preemption: a green thread that runs longer than a time slice while others
//! wait is asked to yield at its next *safepoint*.
//!
//! Generated code polls one global word, [`REQUESTS`], at every safepoint: the head of
//! every loop and the entry of every function that can recurse (see
//! `qi-jit/src/safepoint.rs`). The word counts the workers that have been asked to switch;
//! it is zero nearly always, so a poll is a load and a branch not taken. When it is not
//! zero, the code calls [`safepoint`], which looks at the request of the worker it runs on
//! (a green thread migrates between workers, so the code cannot know which worker that
//! is) and yields if that worker's green thread is the one asked.
//!
//! The monitor thread (`worker::monitor`) raises a worker's request when the same green
//! thread has been running on it for [`TIME_SLICE`] and another green thread is queued.
//! The worker withdraws it whenever its green thread switches out, so a request never
//! outlives the run it was meant for by more than the window between the monitor's check
//! and its store (the next green thread then yields once at its first safepoint, which is
//! harmless).

use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::time::Duration;

/// How long a green thread may run while others wait before it is asked to yield.
pub const TIME_SLICE: Duration = Duration::from_millis(10);

/// How many workers have a pending request (transiently off by one while a request is
/// raised and withdrawn at the same time; a spurious non-zero only costs a runtime call).
/// Shared by every scheduler of the process: a request of one only sends the others'
/// safepoints through the runtime for a moment.
pub static REQUESTS: AtomicU32 = AtomicU32::new(0);

/// The address generated code polls (a 32-bit word; non-zero: call [`safepoint`]).
pub fn requests_address() -> usize {
    REQUESTS.as_ptr() as usize
}

/// One worker's request that its running green thread yield.
pub(super) struct Request(AtomicBool);

impl Request {
    pub(super) const fn new() -> Request {
        Request(AtomicBool::new(false))
    }

    /// Ask (the monitor); asking twice is asking once.
    pub(super) fn raise(&self) {
        if !self.0.swap(true, Ordering::AcqRel) {
            REQUESTS.fetch_add(1, Ordering::Release);
        }
    }

    /// Withdraw the request; was there one?
    pub(super) fn take(&self) -> bool {
        // The plain load keeps the common case (no request) free of a locked instruction.
        if self.0.load(Ordering::Relaxed) && self.0.swap(false, Ordering::AcqRel) {
            REQUESTS.fetch_sub(1, Ordering::Release);
            true
        } else {
            false
        }
    }
}

/// Called by generated code at a safepoint when [`REQUESTS`] is not zero: yield if the
/// worker running this green thread was asked to. The thread goes to the back of the
/// global queue, like `让出()`.
pub fn safepoint() {
    if super::worker::take_preempt_request() {
        super::yield_now();
    }
}
