//! A side stack for the JSON work that recurses.
//!
//! `serde_json` parses, writes, clones and drops values recursively, about 0.7 KiB of
//! stack per nesting level in a release build and 2.7 KiB in a debug one, so a value
//! nested `value::MAX_DEPTH` levels needs up to 350 KiB. Runtime code called from a green
//! thread may only count on `sched::stack::LIMIT_MARGIN` (64 KiB) below the generated
//! code's limit, and green stacks have no guard page of their own (docs/CONCURRENCY.md,
//! "Limits"). So that work runs on a stack of its own: one per worker thread, made the
//! first time it is needed and kept (its pages are only touched as used, and it has a
//! guard page). A JSON call never parks nor calls back into Qi code, so the green thread
//! cannot move to another worker while it is on the side stack.

use std::cell::RefCell;

use corosensei::stack::DefaultStack;

/// Room for the deepest value with a debug build's frames, three times over.
const SIDE_STACK_SIZE: usize = 1 << 20;

thread_local! {
    static SIDE_STACK: RefCell<Option<DefaultStack>> = const { RefCell::new(None) };
}

/// Runs `f` on this thread's side stack (panics propagate to the caller).
pub fn on_side_stack<R>(f: impl FnOnce() -> R) -> R {
    SIDE_STACK.with(|cell| {
        let Ok(mut slot) = cell.try_borrow_mut() else {
            // Already on it (a nested call): there is room.
            return f();
        };
        if slot.is_none() {
            let stack = DefaultStack::new(SIDE_STACK_SIZE)
                .unwrap_or_else(|e| panic!("cannot map a stack for JSON work: {e}"));
            *slot = Some(stack);
        }
        let stack = slot.as_mut().expect("the side stack was just made");
        corosensei::on_stack(stack, f)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::library::json::value::MAX_DEPTH;
    use serde_json::Value;

    #[test]
    fn the_deepest_values_fit_on_the_side_stack_of_a_small_thread() {
        // A thread with less stack than one deep parse needs.
        let worker = std::thread::Builder::new().stack_size(64 << 10).spawn(|| {
            let text = "[".repeat(MAX_DEPTH) + &"]".repeat(MAX_DEPTH);
            on_side_stack(|| {
                let v: Value = serde_json::from_str(&text).expect("decodes");
                let again = v.clone();
                assert_eq!(
                    serde_json::to_string_pretty(&again).unwrap().lines().count(),
                    2 * MAX_DEPTH - 1
                );
                assert_eq!(v.to_string(), text);
            })
        });
        worker.unwrap().join().unwrap();
    }

    #[test]
    fn nested_calls_and_panics() {
        assert_eq!(on_side_stack(|| on_side_stack(|| 7)), 7);
        let caught = std::panic::catch_unwind(|| on_side_stack(|| panic!("深")));
        assert!(caught.is_err());
        assert_eq!(on_side_stack(|| 8), 8);
    }
}
