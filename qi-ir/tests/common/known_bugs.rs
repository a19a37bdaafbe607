//! Known compiler bugs, recognised by what the reference interpreter sees when a run hits
//! one, so that the differential and random tests (here and in qi-jit's tests) stay
//! meaningful while the bug is open. Each names the ignored test (in `qi-ir/tests/opt.rs`)
//! that shows it. Remove an entry when its bug is fixed (its ignored test then passes).
//!
//! Fixed since they were found (their tests now run): a `捕获` body left by
//! `返回`/`跳出`/`继续` leaked the caught exception; a landing inside a `捕获` body released
//! the exception that body holds (use after free); the inliner left an inlined callee's
//! `raised` flag set from an earlier call.

use super::interp::Outcome;

pub const KNOWN_BUGS: &[(fn(&Result<Outcome, String>) -> bool, &str)] = &[
    // Only exception objects stay alive: an exception raised in a `捕获` body of a
    // `尝试` with `最终` leaks the exception the `捕获` caught; a `最终` body left by
    // `返回`/`跳出`/`继续` while it runs for an exception leaks that exception.
    (
        |r| matches!(r, Ok(o) if o.live[5] > 0 && o.live[..5].iter().all(|n| *n == 0)),
        "an_exception_leaving_a_catch_body_through_finally_releases_the_caught_exception` or \
         `leaving_a_finally_body_early_releases_the_exception_it_was_running_for",
    ),
    // Objects alive after an index out of range was raised: a store `数组[i] = 值` that
    // raises leaks the value it was about to store.
    (
        |r| {
            matches!(r, Ok(o) if o.fatal.is_none() && o.live.iter().any(|n| *n > 0)
                && o.raised_messages.iter().any(|m| m.starts_with("下标越界") || m.starts_with("index out of range")))
        },
        "a_failed_element_store_releases_the_value",
    ),
    // An exception object used or released after it was freed: a `最终` copy on the way
    // out of a `捕获` body raised, and its landing released the caught exception again.
    (
        |r| matches!(r, Err(e) if e.contains("freed object") && e.contains("Exc(")),
        "a_finally_raising_after_a_return_from_a_catch_body_releases_the_caught_exception_once",
    ),
];

/// The ignored test of the known bug this run hit, if any.
pub fn known_bug(r: &Result<Outcome, String>) -> Option<&'static str> {
    KNOWN_BUGS.iter().find(|(hit, _)| hit(r)).map(|(_, test)| *test)
}
