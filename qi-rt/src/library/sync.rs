//! The `同步` module's own entry points. Its locks and atomics are those of the builtin
//! `加锁` family (`crate::sync`, `crate::green`), whose entry points its rows name too.

/// `同步.销毁锁(h)` → 1. Handles live as long as the program (`crate::sync` tables never
/// shrink), so destroying one does nothing yet.
pub extern "C" fn qi_mutex_destroy(_h: i64) -> i64 {
    1
}

/// `同步.销毁原子(h)` → 1, as `qi_mutex_destroy`.
pub extern "C" fn qi_atomic_destroy(_h: i64) -> i64 {
    1
}
