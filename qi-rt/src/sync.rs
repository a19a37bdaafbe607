//! Wait groups, mutexes and atomic integers. Qi programs hold them as `整数` handles
//! (their spelling in real programs): positive integers counted per kind from 1, never
//! reused (builtins.md §G.1). `同步.销毁锁`/`销毁原子` free what a handle holds; its slot
//! then names nothing. Waiting parks only the green thread.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;

use parking_lot::{Mutex, MutexGuard};

use crate::handles::Handles;

use crate::sched::{self, task::Task, task::Xfer};

/// A handle that names nothing of its kind.
pub struct BadHandle;

/// Wait groups, mutexes, timers, atomics and join handles are small and many programs
/// never free them, so their tables are not counted by the leak report.
struct Table<T>(Handles<T>);

impl<T> Table<T> {
    const fn new() -> Table<T> {
        Table(Handles::new())
    }

    fn add(&self, item: T) -> i64 {
        self.0.add(item)
    }

    fn add_shared(&self, item: Arc<T>) -> i64 {
        self.0.add_shared(item)
    }

    fn get(&self, handle: i64) -> Result<Arc<T>, BadHandle> {
        self.0.get(handle).ok_or(BadHandle)
    }

    fn remove(&self, handle: i64, may_free: impl FnOnce(&T) -> bool) -> bool {
        self.0.remove_if(handle, may_free)
    }
}

/// Parked green threads and their wait tickets.
pub(crate) type Waiters = VecDeque<(Arc<Task>, u64)>;

/// Registers the running green thread in the waiters of `st` (whose lock is held) and
/// parks it until a waker claims it.
fn park_in<S>(mut st: MutexGuard<'_, (S, Waiters)>) {
    let task = sched::current_arc();
    let ticket = task.begin_wait();
    st.1.push_back((task, ticket));
    drop(st);
    sched::park();
}

/// Claims `task`'s wait `ticket` (case 0): the task to `sched::wake`, or `None` when
/// someone else claimed it first (a stale waiter).
pub(crate) fn wake_claimed(task: Arc<Task>, ticket: u64) -> Option<Arc<Task>> {
    if task.claim(ticket) {
        // SAFETY: claimed, not yet woken.
        unsafe { task.set_xfer(Xfer { value: 0, case: 0, ok: true }) };
        Some(task)
    } else {
        None
    }
}

// ---------------------------------------------------------------------------
// Wait groups

struct WaitGroup {
    state: Mutex<(i64, Waiters)>,
}

static WAIT_GROUPS: Table<WaitGroup> = Table::new();

pub enum WaitGroupError {
    BadHandle,
    Negative,
}

impl From<BadHandle> for WaitGroupError {
    fn from(_: BadHandle) -> Self {
        WaitGroupError::BadHandle
    }
}

pub fn wait_group_new() -> i64 {
    WAIT_GROUPS.add(WaitGroup { state: Mutex::new((0, VecDeque::new())) })
}

/// Counter += n (n truncated to 32 bits, as in the reference); at 0 the waiters wake.
pub fn wait_group_add(handle: i64, n: i64) -> Result<(), WaitGroupError> {
    let g = WAIT_GROUPS.get(handle)?;
    let woken: Vec<Arc<Task>> = {
        let mut st = g.state.lock();
        let count = st.0 + i64::from(n as i32);
        if count < 0 {
            return Err(WaitGroupError::Negative);
        }
        st.0 = count;
        if count != 0 {
            return Ok(());
        }
        st.1.drain(..).filter_map(|(t, k)| wake_claimed(t, k)).collect()
    };
    for t in woken {
        sched::wake(t);
    }
    Ok(())
}

pub fn wait_group_wait(handle: i64) -> Result<(), BadHandle> {
    let g = WAIT_GROUPS.get(handle)?;
    let st = g.state.lock();
    if st.0 != 0 {
        park_in(st);
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// Mutexes

struct GreenMutex {
    /// (locked, waiters); an unlock hands the lock straight to the first waiter.
    state: Mutex<(bool, Waiters)>,
}

static MUTEXES: Table<GreenMutex> = Table::new();

pub enum MutexError {
    BadHandle,
    NotLocked,
}

impl From<BadHandle> for MutexError {
    fn from(_: BadHandle) -> Self {
        MutexError::BadHandle
    }
}

pub fn mutex_new() -> i64 {
    MUTEXES.add(GreenMutex { state: Mutex::new((false, VecDeque::new())) })
}

pub fn mutex_lock(handle: i64) -> Result<(), BadHandle> {
    let m = MUTEXES.get(handle)?;
    let mut st = m.state.lock();
    if !st.0 {
        st.0 = true;
        return Ok(());
    }
    // Woken as the new owner.
    park_in(st);
    Ok(())
}

pub fn mutex_try_lock(handle: i64) -> Result<bool, BadHandle> {
    let m = MUTEXES.get(handle)?;
    let mut st = m.state.lock();
    if st.0 {
        return Ok(false);
    }
    st.0 = true;
    Ok(true)
}

/// `同步.销毁锁`: frees an unlocked mutex; false for a locked one (its owner and waiters
/// still need it) and for a handle that names none.
pub fn mutex_destroy(handle: i64) -> bool {
    MUTEXES.remove(handle, |m| !m.state.lock().0)
}

pub fn mutex_unlock(handle: i64) -> Result<(), MutexError> {
    let m = MUTEXES.get(handle)?;
    let next = {
        let mut st = m.state.lock();
        if !st.0 {
            return Err(MutexError::NotLocked);
        }
        let mut next = None;
        while let Some((t, k)) = st.1.pop_front() {
            if let Some(t) = wake_claimed(t, k) {
                next = Some(t);
                break;
            }
        }
        if next.is_none() {
            st.0 = false;
        }
        next
    };
    if let Some(t) = next {
        sched::wake(t);
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// Deadline timers (`创建定时器`): a deadline and whether the timer was stopped.

static TIMERS: Table<Mutex<(std::time::Instant, bool)>> = Table::new();

pub fn timer_new(ms: i64) -> i64 {
    let at = std::time::Instant::now() + std::time::Duration::from_millis(ms.max(0) as u64);
    TIMERS.add(Mutex::new((at, false)))
}

pub fn timer_expired(h: i64) -> Result<bool, BadHandle> {
    let t = TIMERS.get(h)?;
    let (at, stopped) = *t.lock();
    Ok(!stopped && std::time::Instant::now() >= at)
}

pub fn timer_stop(h: i64) -> Result<(), BadHandle> {
    TIMERS.get(h)?.lock().1 = true;
    Ok(())
}

// ---------------------------------------------------------------------------
// Atomic integers (`同步`)

static ATOMICS: Table<AtomicI64> = Table::new();

pub fn atomic_new(v: i64) -> i64 {
    ATOMICS.add(AtomicI64::new(v))
}

/// `同步.销毁原子`: frees the atomic; false for a handle that names none.
pub fn atomic_destroy(h: i64) -> bool {
    ATOMICS.remove(h, |_| true)
}

pub fn atomic_load(h: i64) -> Result<i64, BadHandle> {
    Ok(ATOMICS.get(h)?.load(Ordering::SeqCst))
}

pub fn atomic_store(h: i64, v: i64) -> Result<i64, BadHandle> {
    ATOMICS.get(h)?.store(v, Ordering::SeqCst);
    Ok(v)
}

/// Adds `d`; the new value (wrapping, like Qi arithmetic).
pub fn atomic_add(h: i64, d: i64) -> Result<i64, BadHandle> {
    Ok(ATOMICS.get(h)?.fetch_add(d, Ordering::SeqCst).wrapping_add(d))
}

pub fn atomic_cas(h: i64, expected: i64, new: i64) -> Result<bool, BadHandle> {
    Ok(ATOMICS.get(h)?.compare_exchange(expected, new, Ordering::SeqCst, Ordering::SeqCst).is_ok())
}

// ---------------------------------------------------------------------------
// Join handles (`同步.启动并等待协程`): a green thread whose uncaught exception is kept
// here instead of ending the program.

/// The state of a joined green thread.
pub struct Join {
    state: Mutex<(JoinState, Waiters)>,
}

enum JoinState {
    Running,
    Finished,
    /// Ended by an uncaught exception: its message, and whether `获取协程异常` or
    /// `获取协程异常句柄` has taken it.
    Failed {
        message: String,
        taken: bool,
    },
}

static JOINS: Table<Join> = Table::new();

/// The exceptions of joined green threads not yet taken, oldest first.
static UNTAKEN: Mutex<VecDeque<Arc<Join>>> = Mutex::new(VecDeque::new());

/// A join handle for a green thread about to start, and its state for the thread.
pub fn join_new() -> (i64, Arc<Join>) {
    let join = Arc::new(Join { state: Mutex::new((JoinState::Running, VecDeque::new())) });
    (JOINS.add_shared(join.clone()), join)
}

/// The joined green thread ended: normally (`failure` `None`) or by an uncaught
/// exception with that message. Wakes its waiters.
pub fn join_end(join: &Arc<Join>, failure: Option<String>) {
    let woken: Vec<Arc<Task>> = {
        // Locks in this order everywhere: the queue, then a join's state.
        let mut untaken = UNTAKEN.lock();
        let mut st = join.state.lock();
        st.0 = match failure {
            None => JoinState::Finished,
            Some(message) => {
                untaken.push_back(join.clone());
                JoinState::Failed { message, taken: false }
            }
        };
        st.1.drain(..).filter_map(|(t, k)| wake_claimed(t, k)).collect()
    };
    for t in woken {
        sched::wake(t);
    }
}

/// `等待协程(h)`: parks until the thread has ended.
pub fn join_wait(handle: i64) -> Result<(), BadHandle> {
    let join = JOINS.get(handle)?;
    let st = join.state.lock();
    if matches!(st.0, JoinState::Running) {
        // Woken by `join_end`, after which the thread has ended.
        park_in(st);
    }
    Ok(())
}

/// `协程有异常(h)`: whether the thread has ended by an uncaught exception.
pub fn join_failed(handle: i64) -> Result<bool, BadHandle> {
    Ok(matches!(JOINS.get(handle)?.state.lock().0, JoinState::Failed { .. }))
}

/// Marks `join`'s exception taken; its message, or `None` when it has none.
fn take(join: &Arc<Join>, untaken: &mut VecDeque<Arc<Join>>) -> Option<String> {
    let mut st = join.state.lock();
    let JoinState::Failed { message, taken } = &mut st.0 else { return None };
    if !*taken {
        *taken = true;
        untaken.retain(|j| !Arc::ptr_eq(j, join));
    }
    Some(message.clone())
}

/// `获取协程异常句柄(h)`: the message of the thread's uncaught exception (taking it, so
/// `协程异常数量` no longer counts it); `None` while it runs or when it ended normally.
pub fn join_take_exception(handle: i64) -> Result<Option<String>, BadHandle> {
    let join = JOINS.get(handle)?;
    // The queue's lock first (see `join_end`).
    let mut untaken = UNTAKEN.lock();
    Ok(take(&join, &mut untaken))
}

/// `协程异常数量()`: how many joined threads ended by an exception not yet taken.
pub fn untaken_exceptions() -> usize {
    UNTAKEN.lock().len()
}

/// `获取协程异常()`: takes the oldest exception not yet taken; its message.
pub fn take_oldest_exception() -> Option<String> {
    let mut untaken = UNTAKEN.lock();
    let oldest = untaken.front()?.clone();
    take(&oldest, &mut untaken)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn destroying_frees_and_the_handle_is_not_reused() {
        let a = atomic_new(5);
        let held = std::sync::Arc::downgrade(&ATOMICS.get(a).ok().unwrap());
        assert!(atomic_destroy(a));
        assert!(held.upgrade().is_none(), "the atomic is freed");
        assert!(atomic_load(a).is_err());
        assert!(!atomic_destroy(a));
        assert!(!atomic_destroy(0));
        assert_ne!(atomic_new(1), a);
        let m = mutex_new();
        assert_eq!(mutex_try_lock(m).ok(), Some(true));
        assert!(!mutex_destroy(m), "a locked mutex stays");
        assert!(mutex_unlock(m).is_ok());
        assert!(mutex_destroy(m));
        assert!(mutex_try_lock(m).is_err());
        assert!(!mutex_destroy(m));
    }

    /// The only test touching the program-wide queue of untaken exceptions.
    #[test]
    fn join_handles_keep_exceptions_until_taken_oldest_first() {
        let (ok, ok_state) = join_new();
        let (first, first_state) = join_new();
        let (second, second_state) = join_new();
        assert_eq!(join_failed(first).ok(), Some(false), "running");
        assert_eq!(join_take_exception(first).ok(), Some(None));
        join_end(&second_state, Some("二".into()));
        join_end(&ok_state, None);
        join_end(&first_state, Some("一".into()));
        assert!(join_wait(ok).is_ok(), "ended: no parking");
        assert_eq!(join_failed(ok).ok(), Some(false));
        assert_eq!(join_failed(first).ok(), Some(true));
        assert_eq!(untaken_exceptions(), 2);
        assert_eq!(join_take_exception(first).ok(), Some(Some("一".into())));
        assert_eq!(join_take_exception(first).ok(), Some(Some("一".into())), "still readable");
        assert_eq!(untaken_exceptions(), 1);
        assert_eq!(take_oldest_exception().as_deref(), Some("二"));
        assert_eq!(take_oldest_exception(), None);
        assert_eq!(join_take_exception(second).ok(), Some(Some("二".into())));
        assert_eq!(untaken_exceptions(), 0);
        assert!(join_wait(0).is_err());
        assert!(join_failed(-1).is_err());
        assert!(join_take_exception(i64::MAX).is_err());
    }

    #[test]
    fn handles_and_atomics() {
        let a = atomic_new(5);
        assert_eq!(atomic_add(a, 3).ok(), Some(8));
        assert_eq!(atomic_cas(a, 8, 1).ok(), Some(true));
        assert_eq!(atomic_cas(a, 8, 2).ok(), Some(false));
        assert_eq!(atomic_load(a).ok(), Some(1));
        assert!(atomic_load(0).is_err());
        assert!(atomic_load(-3).is_err());
        let m = mutex_new();
        assert_eq!(mutex_try_lock(m).ok(), Some(true));
        assert_eq!(mutex_try_lock(m).ok(), Some(false));
        assert!(mutex_unlock(m).is_ok());
        assert!(matches!(mutex_unlock(m), Err(MutexError::NotLocked)));
        let t = timer_new(0);
        assert_eq!(timer_expired(t).ok(), Some(true));
        assert!(timer_stop(t).is_ok());
        assert_eq!(timer_expired(t).ok(), Some(false));
        assert_eq!(timer_expired(timer_new(1_000_000)).ok(), Some(false));
        assert!(timer_expired(0).is_err());
        let g = wait_group_new();
        assert!(wait_group_add(g, 2).is_ok());
        assert!(wait_group_add(i64::MIN, 1).is_err());
        assert!(wait_group_add(g, -1).is_ok());
        assert!(matches!(wait_group_add(g, -2), Err(WaitGroupError::Negative)));
    }
}
