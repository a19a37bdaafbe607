//! Helpers shared by the unit tests.

use std::sync::{Mutex, MutexGuard};

static EXCLUSIVE: Mutex<()> = Mutex::new(());

/// Serialises the tests that allocate objects or read the live counters,
/// which are process-wide and would otherwise see each other's objects.
pub fn exclusive() -> MutexGuard<'static, ()> {
    EXCLUSIVE.lock().unwrap_or_else(|e| e.into_inner())
}

/// `qi_retain` for tests, which only pass objects they know to be live.
pub fn retain<T>(p: *mut T) {
    // SAFETY: test code passes null, literals or objects it still holds.
    unsafe { crate::object::qi_retain(p.cast()) }
}

/// `qi_release` for tests, which only release references they own.
pub fn release<T>(p: *mut T) {
    // SAFETY: test code only gives up references it owns.
    unsafe { crate::object::qi_release(p.cast()) }
}
