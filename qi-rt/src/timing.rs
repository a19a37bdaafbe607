//! When the process started and when the program first printed: the "time to first
//! output" of `qi run --stats`, the latency a user sees before anything happens.

use std::sync::OnceLock;
use std::time::{Duration, Instant};

static START: OnceLock<Instant> = OnceLock::new();
static FIRST_OUTPUT: OnceLock<Instant> = OnceLock::new();

/// Records the start of the process (the driver calls it first thing).
pub fn mark_start() {
    let _ = START.set(Instant::now());
}

/// Records the first output of the program (later calls cost one atomic load).
#[inline]
pub fn note_output() {
    if FIRST_OUTPUT.get().is_none() {
        let _ = FIRST_OUTPUT.set(Instant::now());
    }
}

/// Time from the start to the program's first output, if both happened.
pub fn time_to_first_output() -> Option<Duration> {
    Some(FIRST_OUTPUT.get()?.saturating_duration_since(*START.get()?))
}

/// Time since the start, if it was recorded.
pub fn since_start() -> Option<Duration> {
    Some(START.get()?.elapsed())
}
