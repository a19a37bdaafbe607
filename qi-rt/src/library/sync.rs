//! The `同步` module (builtins.md §G.3/§G.4): real mutexes and atomic integers on `整数`
//! handles. The mutexes are those of the builtin `加锁` family (`crate::sync`), so a handle
//! from `创建互斥锁()` works here too, but these entry points never raise (§G.1): a handle
//! that names nothing — never created, or destroyed — gives 0 and does nothing. Locking
//! parks only the green thread.

use crate::guard::guard;
use crate::object::Header;
use crate::string::{new_str, Str};
use crate::sync;

/// `同步.创建锁()` → a new mutex's handle.
pub extern "C" fn qi_sync_mutex_create() -> i64 {
    guard(sync::mutex_new)
}

/// `同步.加锁(h)` → 1 once the green thread holds the mutex (it parks meanwhile); 0 for a
/// handle that names none.
pub extern "C" fn qi_sync_mutex_lock(h: i64) -> i64 {
    guard(|| sync::mutex_lock(h).is_ok() as i64)
}

/// `同步.解锁(h)` → 1 when it released the mutex (handing it to the first waiter); 0,
/// doing nothing, for a mutex that is not locked or a handle that names none.
pub extern "C" fn qi_sync_mutex_unlock(h: i64) -> i64 {
    guard(|| sync::mutex_unlock(h).is_ok() as i64)
}

/// `同步.尝试加锁(h)` → 1 when it took the free mutex, 0 when it is held or the handle
/// names none.
pub extern "C" fn qi_sync_mutex_trylock(h: i64) -> i64 {
    guard(|| sync::mutex_try_lock(h).unwrap_or(false) as i64)
}

/// `同步.销毁锁(h)` → 1 when it freed the mutex; 0 (doing nothing) for a locked mutex or
/// a handle that names none.
pub extern "C" fn qi_sync_mutex_destroy(h: i64) -> i64 {
    guard(|| sync::mutex_destroy(h) as i64)
}

/// `同步.创建原子(初值)` → a new atomic integer's handle.
pub extern "C" fn qi_sync_atomic_create(v: i64) -> i64 {
    guard(|| sync::atomic_new(v))
}

/// `同步.读原子(h)` → its value; 0 for a handle that names none.
pub extern "C" fn qi_sync_atomic_load(h: i64) -> i64 {
    guard(|| sync::atomic_load(h).unwrap_or(0))
}

/// `同步.写原子(h, v)` → `v`, stored; 0, storing nothing, for a handle that names none.
pub extern "C" fn qi_sync_atomic_store(h: i64, v: i64) -> i64 {
    guard(|| sync::atomic_store(h, v).unwrap_or(0))
}

/// `同步.原子加(h, 增量)` → the new value (wrapping); 0 for a handle that names none.
pub extern "C" fn qi_sync_atomic_add(h: i64, d: i64) -> i64 {
    guard(|| sync::atomic_add(h, d).unwrap_or(0))
}

/// `同步.原子比较交换(h, 期望, 新值)` → 1 when the value was `期望` and is now `新值`, else 0
/// (also for a handle that names none).
pub extern "C" fn qi_sync_atomic_cas(h: i64, expected: i64, new: i64) -> i64 {
    guard(|| sync::atomic_cas(h, expected, new).unwrap_or(false) as i64)
}

/// `同步.销毁原子(h)` → 1 when it freed the atomic; 0 for a handle that names none.
pub extern "C" fn qi_sync_atomic_destroy(h: i64) -> i64 {
    guard(|| sync::atomic_destroy(h) as i64)
}

// Goroutine inspection: green threads started with a join handle keep their uncaught
// exception there instead of ending the program (docs/CONCURRENCY.md).

/// `同步.启动并等待协程(函数值)` → the join handle of a new green thread running `f`.
///
/// # Safety
/// `f` is a live closure object `函数(): 空`.
pub unsafe extern "C" fn qi_sync_goroutine_spawn(f: *mut Header) -> i64 {
    // SAFETY: per the caller.
    guard(|| unsafe { crate::sched::spawn_joined(f) })
}

/// `同步.等待协程(h)` → 1 once the thread has ended (parking meanwhile); 0 for a handle that
/// names none.
pub extern "C" fn qi_sync_goroutine_join(h: i64) -> i64 {
    guard(|| sync::join_wait(h).is_ok() as i64)
}

/// `同步.协程有异常(h)` → 1 when the thread has ended by an uncaught exception, else 0
/// (also while it runs, and for a handle that names none).
pub extern "C" fn qi_sync_goroutine_has_exception(h: i64) -> i64 {
    guard(|| sync::join_failed(h).unwrap_or(false) as i64)
}

/// `同步.获取协程异常句柄(h)` → the message of the thread's uncaught exception, which is
/// then taken (no longer counted by `协程异常数量`); `""` when it has none (yet), or for a
/// handle that names none.
pub extern "C" fn qi_sync_goroutine_take_exception(h: i64) -> *mut Str {
    guard(|| new_str(&sync::join_take_exception(h).ok().flatten().unwrap_or_default()))
}

/// `同步.协程异常数量()` → how many joined threads ended by an exception not yet taken.
pub extern "C" fn qi_sync_goroutine_exception_count() -> i64 {
    guard(|| sync::untaken_exceptions() as i64)
}

/// `同步.获取协程异常()` → the message of the oldest exception not yet taken, taking it;
/// `""` when there is none.
pub extern "C" fn qi_sync_goroutine_take_oldest_exception() -> *mut Str {
    guard(|| new_str(&sync::take_oldest_exception().unwrap_or_default()))
}
