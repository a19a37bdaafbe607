//! Preemption: a green thread that runs longer than a time slice while others wait is
//! made to yield.
//!
//! The monitor thread (`worker::monitor`) raises a worker's [`Request`] when the same
//! green thread has been running on it for [`TIME_SLICE`] and another green thread is
//! queued, and interrupts the worker (`interrupt`): if the green thread is in generated
//! code, it calls [`safepoint`] there, which yields when its worker's request is raised.
//! The worker withdraws the request whenever its green thread switches out, so a request
//! never outlives the run it was meant for by more than the window between the monitor's
//! check and its store (the next green thread then yields once, which is harmless).

use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

/// How long a green thread may run while others wait before it is asked to yield.
pub const TIME_SLICE: Duration = Duration::from_millis(10);

/// One worker's request that its running green thread yield.
pub(super) struct Request(AtomicBool);

impl Request {
    pub(super) const fn new() -> Request {
        Request(AtomicBool::new(false))
    }

    /// Ask (the monitor).
    pub(super) fn raise(&self) {
        self.0.store(true, Ordering::Release);
    }

    /// Withdraw the request; was there one?
    pub(super) fn take(&self) -> bool {
        // The plain load keeps the common case (no request) free of a locked instruction.
        self.0.load(Ordering::Relaxed) && self.0.swap(false, Ordering::AcqRel)
    }
}

/// An interrupted green thread: yield if its worker was asked to. It goes to the back of
/// the global queue, like `让出()`.
pub fn safepoint() {
    if super::worker::take_preempt_request() {
        super::yield_now();
    }
}
