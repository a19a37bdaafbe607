//! The `同步` module's own entry points. Its locks and atomics are those of the builtin
//! `加锁` family (`crate::sync`, `crate::green`), whose entry points its rows name too.

use crate::guard::guard;
use crate::sync;

/// `同步.销毁锁(h)` → 1 when it freed the mutex; 0 (doing nothing) for a locked mutex or
/// a handle that names none.
pub extern "C" fn qi_mutex_destroy(h: i64) -> i64 {
    guard(|| sync::mutex_destroy(h) as i64)
}

/// `同步.销毁原子(h)` → 1 when it freed the atomic; 0 for a handle that names none.
pub extern "C" fn qi_atomic_destroy(h: i64) -> i64 {
    guard(|| sync::atomic_destroy(h) as i64)
}
