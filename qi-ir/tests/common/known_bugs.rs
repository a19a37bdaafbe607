//! Known compiler bugs, recognised by what the reference interpreter sees when a run hits
//! one, so that the differential and random tests (here and in qi-jit's tests) stay
//! meaningful while the bug is open. Each names the ignored test (in `qi-ir/tests/opt.rs`)
//! that shows it. Remove an entry when its bug is fixed (its ignored test then passes).
//!
//! None is open now. Found by these tests and fixed since (their tests in `opt.rs` now
//! run): a `捕获` body left by `返回`/`跳出`/`继续` leaked the caught exception; a landing
//! inside a `捕获` body released the exception that body holds (use after free); the
//! inliner left an inlined callee's `raised` flag set from an earlier call; an exception
//! leaving a `捕获` body through `最终` leaked the caught exception; a `最终` body left early
//! leaked the exception it ran for; a raising `最终` on a `返回` out of a `捕获` body released
//! the caught exception twice; a failed element store leaked the value.
//!
//! An entry is a predicate on a run's result and the ignored test's name, e.g. for a leak
//! of exception objects only:
//!
//! ```ignore
//! (|r| matches!(r, Ok(o) if o.live[5] > 0 && o.live[..5].iter().all(|n| *n == 0)), "the_test")
//! ```

use super::interp::Outcome;

/// Recognises a run that hit a known bug.
pub type BugMatcher = fn(&Result<Outcome, String>) -> bool;

pub const KNOWN_BUGS: &[(BugMatcher, &str)] = &[];

/// The ignored test of the known bug this run hit, if any.
pub fn known_bug(r: &Result<Outcome, String>) -> Option<&'static str> {
    KNOWN_BUGS.iter().find(|(hit, _)| hit(r)).map(|(_, test)| *test)
}
