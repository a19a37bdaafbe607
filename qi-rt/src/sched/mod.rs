//! The M:N scheduler: green threads (stackful coroutines) over one worker OS thread per
//! core.
//!
//! Each worker has a FIFO crossbeam-deque of runnable green threads and a one-task *next
//! slot*: a green thread woken by the running one runs next on the same worker (a sender
//! and the receiver it wakes stay together). New green threads go to the worker's deque,
//! others steal from it and from the global injector; idle workers park on their thread
//! handle and are unparked when work is queued (details in `worker`).
//!
//! A green thread that runs for a whole time slice while others wait is interrupted and
//! yields (`preempt`, `interrupt`).
//!
//! A green thread is *active* while queued or running. When the last active one parks
//! and no timer is pending, no wake-up can ever come: the program is deadlocked.
//!
//! That conclusion is sound only if `active` never reaches 0 while a wake-up is on its
//! way. So whoever makes a green thread runnable counts it active *before* the waker
//! itself can stop counting: a green thread wakes others before it parks or ends, and
//! the worker that switched one out wakes its eager future's caller before it queues
//! that thread where another worker can take it (from then on it may run and block at
//! once). The timer thread is no green thread: it wakes under the timer heap's lock,
//! and every check of "nothing active and no timer pending" holds that lock.
//!
//! Thread-local state is read only in small `#[inline(never)]` functions, and no
//! reference into it is held across a switch: a green thread may resume on another
//! worker.

pub mod interrupt;
pub mod overflow;
pub mod preempt;
pub mod stack;
mod stash;
pub mod task;
mod timer;
mod worker;

use std::cell::Cell;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread::Thread;
use std::time::{Duration, Instant};

use crossbeam_deque::{Injector, Stealer, Worker};
use parking_lot::{Condvar, Mutex};

use crate::object::Header;
use task::{Start, Switch, Task, NOTIFIED, PARKED, QUEUED, RUNNING, STASHING};

/// Generated entry stubs: they set the green thread's stack limit (their stack pointer
/// less the stack budget they are given) in the pinned register and call the program's
/// main function / a closure `函数()`; they return its status (1: an exception is
/// pending).
pub type MainEntry = unsafe extern "C" fn(usize) -> u8;
pub type ClosureEntry = unsafe extern "C" fn(*mut Header, usize) -> u8;

#[derive(Clone, Copy)]
pub struct Entry {
    pub main: MainEntry,
    pub closure: ClosureEntry,
}

/// How a program ended.
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    /// `入口` returned.
    Finished,
    /// An exception escaped a green thread: the report to print.
    Uncaught(String),
    /// Every green thread is blocked and no timer is pending: how many are blocked.
    Deadlock(usize),
}

pub(super) struct Sched {
    entry: Entry,
    injector: Injector<Arc<Task>>,
    stealers: Vec<Stealer<Arc<Task>>>,
    /// Per worker: the next slot and the run counter (see `worker`).
    slots: Vec<worker::Slots>,
    /// How many workers to start (at most one per slot).
    workers: Workers,
    /// The started workers' threads, by index (worker 0 first; the others start together).
    threads: Mutex<Vec<Thread>>,
    /// The queues of the workers not started yet (see [`start_helpers`]).
    unstarted: Mutex<Vec<Worker<Arc<Task>>>>,
    /// Set once the other workers and the monitor are started.
    helpers_started: AtomicBool,
    /// Set once the timer thread is started.
    timer_started: AtomicBool,
    idle: Mutex<Vec<usize>>,
    idle_count: AtomicUsize,
    /// Green threads queued or running.
    active: AtomicUsize,
    /// Green threads not finished.
    live: AtomicUsize,
    /// Green threads parked on a wait that a thread outside the scheduler may end (a
    /// sub-process's output reader, [`park_external`]): while one is, no deadlock.
    external: AtomicUsize,
    timers: timer::Timers,
    outcome: Mutex<Option<Outcome>>,
    ended: Condvar,
    stopping: AtomicBool,
    /// The thread that called [`run_program`] (worker 0 until other green threads start).
    caller: Thread,
}

/// The scheduler the calling worker or timer thread serves. (Threads of an earlier run
/// that are still winding down keep theirs.)
#[inline(never)]
pub(super) fn sched() -> &'static Sched {
    let p = THREAD_SCHED.with(|s| s.get());
    assert!(!p.is_null(), "not on a scheduler thread");
    // SAFETY: schedulers are leaked, so one lives for the rest of the process.
    unsafe { &*p }
}

fn set_thread_sched(s: &'static Sched) {
    THREAD_SCHED.with(|c| c.set(s as *const Sched));
}

thread_local! {
    static CURRENT: Cell<*const Task> = const { Cell::new(std::ptr::null()) };
    static THREAD_SCHED: Cell<*const Sched> = const { Cell::new(std::ptr::null()) };
}

/// A foreign call starts (`entering`) or ends on this worker: the monitor does not
/// signal a worker inside one (docs/FFI.md).
pub fn foreign_call(entering: bool) {
    worker::foreign_call(entering);
}

/// How many workers a program runs on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Workers {
    /// This many (at least one, at most 256): `QI_WORKERS`, tests.
    Exactly(usize),
    /// One per core the process may use: the CPUs it may run on, limited by its cgroup's
    /// CPU quota. The tables are sized by the CPUs (one system call); the quota, about
    /// fifteen system calls to read, is read when the other workers start, so a program
    /// that never starts a green thread does not pay for it (benches/README.md,
    /// "Start-up: the last system calls").
    PerCore,
}

impl From<usize> for Workers {
    fn from(n: usize) -> Workers {
        Workers::Exactly(n)
    }
}

impl Workers {
    /// The most workers the scheduler's tables must hold.
    fn most(self) -> usize {
        match self {
            Workers::Exactly(n) => n,
            Workers::PerCore => usable_cpus(),
        }
        .clamp(1, 256)
    }

    /// How many workers to start when the first green thread after `入口` is started.
    fn to_start(self, most: usize) -> usize {
        match self {
            Workers::Exactly(_) => most,
            Workers::PerCore => {
                std::thread::available_parallelism().map_or(1, |n| n.get()).min(most)
            }
        }
    }
}

/// The workers a program runs on: `QI_WORKERS`, else one per core.
pub fn workers_from_env() -> Workers {
    std::env::var("QI_WORKERS")
        .ok()
        .and_then(|v| v.trim().parse::<usize>().ok())
        .filter(|n| *n > 0)
        .map_or(Workers::PerCore, Workers::Exactly)
}

/// The number of CPUs this process may run on, without the cgroup quota that
/// `available_parallelism` also reads.
fn usable_cpus() -> usize {
    #[cfg(target_os = "linux")]
    {
        // SAFETY: `cpu_set_t` is plain data, valid when zeroed; the call writes at most
        // `size_of::<cpu_set_t>()` bytes into it.
        let (found, set) = unsafe {
            let mut set: libc::cpu_set_t = std::mem::zeroed();
            let found =
                libc::sched_getaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &mut set);
            (found, set)
        };
        if found == 0 {
            // SAFETY: `set` was filled in by the kernel.
            return unsafe { libc::CPU_COUNT(&set) } as usize;
        }
    }
    std::thread::available_parallelism().map_or(1, |n| n.get())
}

/// Every scheduler `run_program` made (see there).
static LEAKED: Mutex<Vec<&'static Sched>> = Mutex::new(Vec::new());

/// Runs the program's main function as the first green thread on `workers` workers and
/// returns when it ends. Other green threads are abandoned; with live-object counting on,
/// the call first waits (briefly) for the still running ones to finish or block, so the
/// counts are not taken in the middle of their clean-up.
///
/// Only the threads the program needs are started: worker 0 is the calling thread itself
/// until a second green thread starts; then the other workers and the monitor (time
/// slices) start ([`start_helpers`]), and worker 0 moves to a thread of its own at `入口`'s
/// next switch, while this one waits. The timer thread starts at the first timer. A
/// program that never starts a green thread runs on the calling thread alone.
pub fn run_program(entry: Entry, workers: Workers) -> Outcome {
    let most = workers.most();
    let mut queues: Vec<Worker<Arc<Task>>> = (0..most).map(|_| Worker::new_fifo()).collect();
    let stealers = queues.iter().map(Worker::stealer).collect();
    let first_queue = queues.remove(0);
    let sched: &'static Sched = Box::leak(Box::new(Sched {
        entry,
        injector: Injector::new(),
        stealers,
        slots: (0..most).map(|_| worker::Slots::new()).collect(),
        workers,
        threads: Mutex::new(Vec::new()),
        unstarted: Mutex::new(queues),
        helpers_started: AtomicBool::new(false),
        timer_started: AtomicBool::new(false),
        idle: Mutex::new(Vec::new()),
        idle_count: AtomicUsize::new(0),
        active: AtomicUsize::new(1),
        live: AtomicUsize::new(1),
        external: AtomicUsize::new(0),
        timers: timer::Timers::new(),
        outcome: Mutex::new(None),
        ended: Condvar::new(),
        stopping: AtomicBool::new(false),
        caller: std::thread::current(),
    }));
    // Leaked on purpose (threads that outlive the program may still read it), and kept
    // reachable so that memory checkers do not report it lost.
    LEAKED.lock().push(sched);
    let main_task = Arc::new(Task::new(Start::Main, std::ptr::null_mut(), true));
    sched.injector.push(main_task.clone());
    // Worker 0 is the calling thread while `入口` is the only green thread, so a program
    // that starts no other one creates no OS thread at all (see `worker::serve_here`).
    sched.threads.lock().push(std::thread::current());
    let caller_sched = THREAD_SCHED.with(|c| c.replace(sched as *const Sched));
    if let Some(w) = worker::serve_here(sched, first_queue) {
        // Other green threads started: worker 0 carries on, with its queue and list of
        // parked threads, on a thread of its own, and this one waits as before.
        let mut threads = sched.threads.lock();
        threads[0] = start_thread(sched, "qi-worker-0".into(), move || worker::worker_main(w));
    }
    THREAD_SCHED.with(|c| c.set(caller_sched));
    let mut outcome = sched.outcome.lock();
    while outcome.is_none() {
        sched.ended.wait(&mut outcome);
    }
    let result = outcome.take().expect("set");
    drop(outcome);
    if let Outcome::Deadlock(_) = result {
        // Every green thread is parked, so `入口`'s unfinished line can be taken.
        // SAFETY: a parked task's local state is touched by no worker.
        crate::output::emit_partial(std::mem::take(unsafe { &mut (*main_task.local.get()).line }));
    }
    if result == Outcome::Finished && crate::object::live_counts_enabled() {
        let deadline = Instant::now() + Duration::from_secs(2);
        while sched.active.load(Ordering::SeqCst) > 0 && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(1));
        }
    }
    if result == Outcome::Finished && crate::cycles::candidates() > 0 {
        // Garbage cycles are collected at exit when no green thread is left. `入口`'s
        // worker counts it finished just after ending the program: wait for that, but not
        // for other green threads (they are abandoned, and their cycles with them).
        let done =
            || sched.active.load(Ordering::SeqCst) == 0 && sched.live.load(Ordering::SeqCst) == 0;
        let deadline = Instant::now() + Duration::from_secs(1);
        while !done() && sched.live.load(Ordering::SeqCst) <= 1 && Instant::now() < deadline {
            std::thread::yield_now();
        }
        if done() {
            // SAFETY: no green thread is left (the loads order their last writes before
            // this), so nothing else touches objects.
            unsafe { crate::cycles::collect_all() };
        }
    }
    sched.stopping.store(true, Ordering::SeqCst);
    for t in sched.threads.lock().iter() {
        t.unpark();
    }
    result
}

/// Starts an OS thread of the scheduler `s`; a thread that cannot start ends the program
/// with an error.
fn start_thread(s: &'static Sched, name: String, f: impl FnOnce() + Send + 'static) -> Thread {
    std::thread::Builder::new()
        .name(name)
        .spawn(move || {
            set_thread_sched(s);
            f()
        })
        .unwrap_or_else(|e| {
            crate::error::os_failure("无法启动工作线程", "cannot start a worker thread", &e)
        })
        .thread()
        .clone()
}

fn start_worker(s: &'static Sched, index: usize, queue: Worker<Arc<Task>>) -> Thread {
    start_thread(s, format!("qi-worker-{index}"), move || {
        worker::worker_main(worker::WorkerLocal::new(index, queue))
    })
}

/// Before a second green thread is queued: starts the other workers and the monitor,
/// once. Until then only `入口` runs, alone on worker 0, where nothing needs a time slice
/// (no other green thread waits) and no other worker could take work.
fn start_helpers(s: &'static Sched) {
    if s.helpers_started.load(Ordering::Acquire) || s.helpers_started.swap(true, Ordering::AcqRel) {
        return;
    }
    {
        // Held while the workers start, so `worker::notify` never sees an idle worker
        // whose thread handle is not listed yet.
        let mut threads = s.threads.lock();
        let queues = std::mem::take(&mut *s.unstarted.lock());
        // Worker 0 runs already. The queues left over (fewer cores than CPUs) stay
        // empty: only a worker pushes to its own queue.
        let others = s.workers.to_start(s.slots.len()) - 1;
        for queue in queues.into_iter().take(others) {
            let index = threads.len();
            threads.push(start_worker(s, index, queue));
        }
    }
    start_thread(s, "qi-monitor".into(), move || worker::monitor(s));
}

impl Outcome {
    /// Writes the report of an abnormal end to stderr; the process's exit status.
    pub fn report(self) -> u8 {
        let text = match self {
            Outcome::Finished => return 0,
            Outcome::Uncaught(report) => report,
            Outcome::Deadlock(blocked) => deadlock_message(blocked),
        };
        crate::output::write_stderr_line(text.trim_end());
        2
    }
}

/// The report of a deadlock: how many green threads are blocked.
pub fn deadlock_message(blocked: usize) -> String {
    if crate::lang::english() {
        format!("deadlock: all {blocked} green threads are blocked (none can run and no timer is pending)")
    } else {
        format!("死锁：全部 {blocked} 个绿色线程都在等待（没有可运行的线程，也没有待触发的定时器）")
    }
}

pub(super) fn end(o: Outcome) {
    let s = sched();
    let mut outcome = s.outcome.lock();
    if outcome.is_none() && !s.stopping.load(Ordering::Relaxed) {
        *outcome = Some(o);
        s.ended.notify_all();
        drop(outcome);
        // The calling thread of `run_program` may be serving as worker 0, idle (a timer
        // thread found the deadlock): it returns once it sees the outcome.
        s.caller.unpark();
    }
}

/// Make a parked green thread runnable (after claiming its wait ticket).
pub fn wake(task: Arc<Task>) {
    let mut spins = 0u32;
    loop {
        match task.state.load(Ordering::Acquire) {
            PARKED => {
                if task
                    .state
                    .compare_exchange(PARKED, QUEUED, Ordering::AcqRel, Ordering::Acquire)
                    .is_ok()
                {
                    sched().active.fetch_add(1, Ordering::SeqCst);
                    worker::push(task, true);
                    return;
                }
            }
            RUNNING => {
                if task
                    .state
                    .compare_exchange(RUNNING, NOTIFIED, Ordering::AcqRel, Ordering::Acquire)
                    .is_ok()
                {
                    return;
                }
            }
            // A worker is copying its stack out (a few microseconds, without any lock a
            // waker may hold): wait until it is parked again, then queue it as usual.
            STASHING => {
                spins += 1;
                if spins.is_multiple_of(64) {
                    std::thread::yield_now();
                } else {
                    std::hint::spin_loop();
                }
            }
            _ => return,
        }
    }
}

pub(super) fn became_inactive() {
    let s = sched();
    if s.active.fetch_sub(1, Ordering::SeqCst) == 1 {
        s.timers.with_pending(|pending| {
            if !pending {
                deadlock_if_idle();
            }
        });
    }
}

/// With no timer able to wake anything (the caller holds the timer heap's lock): if no
/// green thread is queued or running either, and none waits for a thread outside the
/// scheduler, the program is deadlocked.
fn deadlock_if_idle() {
    let s = sched();
    if s.active.load(Ordering::SeqCst) == 0 && s.external.load(Ordering::SeqCst) == 0 {
        end(Outcome::Deadlock(s.live.load(Ordering::SeqCst)));
    }
}

/// Starts an OS thread that works for the calling thread's scheduler from outside it (an
/// I/O thread): it may claim wait tickets and [`wake`] green threads, which go to the
/// global queue. Called off a scheduler thread (unit tests), the new thread serves none
/// and must not wake anything.
pub fn spawn_outside_thread(
    name: &str,
    stack_size: usize,
    f: impl FnOnce() + Send + 'static,
) -> std::io::Result<()> {
    // As an address: raw pointers are not `Send`. Schedulers are leaked, so it stays valid.
    let serving = THREAD_SCHED.with(|s| s.get()) as usize;
    std::thread::Builder::new().name(name.into()).stack_size(stack_size).spawn(move || {
        THREAD_SCHED.with(|c| c.set(serving as *const Sched));
        f()
    })?;
    Ok(())
}

#[inline(never)]
pub(super) fn set_current(t: *const Task) {
    CURRENT.with(|c| c.set(t));
}

/// The running green thread, or null outside green threads.
#[inline(never)]
pub(crate) fn current_ptr() -> *const Task {
    CURRENT.with(|c| c.get())
}

/// The entry stubs of the running program (generators start their bodies through
/// `closure`, as green threads do).
pub(crate) fn entry() -> Entry {
    sched().entry
}

/// The running green thread.
#[inline(never)]
pub fn current() -> &'static Task {
    let t = CURRENT.with(|c| c.get());
    assert!(!t.is_null(), "not on a green thread");
    // SAFETY: the worker running this green thread holds an `Arc` of it until it switches
    // out, and callers do not keep the reference past their own wait.
    unsafe { &*t }
}

/// Is the caller the only unfinished green thread, so that no other thread can touch an
/// object until it starts one? (False outside green threads.) The cycle collector runs
/// only then.
pub fn alone() -> bool {
    let s = THREAD_SCHED.with(|s| s.get());
    if s.is_null() || CURRENT.with(|c| c.get()).is_null() {
        return false;
    }
    // SAFETY: schedulers are leaked, so one lives for the rest of the process. SeqCst
    // pairs with the decrement of a finishing green thread, which comes after its last
    // use of any object.
    unsafe { (*s).live.load(Ordering::SeqCst) == 1 }
}

/// Switch out of the running green thread.
#[inline(never)]
fn suspend(why: Switch) {
    let t = current();
    // SAFETY: set when the coroutine started; valid while it runs.
    let y = unsafe { &**t.yielder.get() };
    // SAFETY: the running thread's own stack record (a place, no reference kept).
    let mark = unsafe { std::ptr::addr_of_mut!((*t.stack.get()).switch_mark) };
    stash::switch_out(y, why, mark);
}

/// Park the running green thread until a waker claims its open ticket.
pub fn park() {
    suspend(Switch::Park);
}

/// Like [`park`], for a wait that a thread outside the scheduler may end (an I/O thread
/// claims the ticket and calls [`wake`]). Until the green thread runs again it counts as
/// a wait that can still end, so the deadlock check does not fire meanwhile: the count
/// goes up while the thread is active and down only once it is active again, so every
/// check sees the thread as active or as such a wait.
pub fn park_external() {
    sched().external.fetch_add(1, Ordering::SeqCst);
    park();
    sched().external.fetch_sub(1, Ordering::SeqCst);
}

/// Let other runnable green threads run first.
pub fn yield_now() {
    suspend(Switch::Yield);
}

/// `执行器运行全部()`: returns once the caller is the only green thread that is queued or
/// running and no timer or outside thread can wake another one (every other thread finished or is blocked
/// for good).
pub fn run_all() {
    let s = sched();
    loop {
        if s.active.load(Ordering::SeqCst) > 1 {
            yield_now();
            continue;
        }
        // Look again under the timer heap's lock: the timer thread wakes a sleeper under
        // it, so the sleeper is seen either as a pending timer or as active. Read apart,
        // a timer firing between the two reads hid its thread from both.
        let (others, pending) = s.timers.with_pending(|pending| {
            let external = s.external.load(Ordering::SeqCst) > 0;
            (s.active.load(Ordering::SeqCst) > 1, pending || external)
        });
        if others {
            yield_now();
        } else if pending {
            sleep(1);
        } else {
            return;
        }
    }
}

/// `执行器单步()`: lets the other runnable green threads run once; were there any?
pub fn step() -> bool {
    let others = sched().active.load(Ordering::SeqCst) > 1;
    yield_now();
    others
}

/// Sleep `ms` milliseconds (parks only the green thread).
pub fn sleep(ms: i64) {
    sleep_for(Duration::from_millis(ms.max(0) as u64));
}

/// Sleep for `d` (parks only the green thread); a zero duration only yields.
pub fn sleep_for(d: Duration) {
    let t = current();
    if d.is_zero() {
        yield_now();
        return;
    }
    let ticket = t.begin_wait();
    add_timer(d, ticket);
    park();
}

/// Wake the running green thread (case -1) after `after`, if its ticket is still open.
pub fn add_timer(after: Duration, ticket: u64) {
    let s = sched();
    if !s.timer_started.load(Ordering::Acquire) && !s.timer_started.swap(true, Ordering::AcqRel) {
        start_thread(s, "qi-timer".into(), move || s.timers.serve());
    }
    s.timers.add(Instant::now() + after, current_arc(), ticket);
}

/// The running task as an `Arc` (for wait queues).
pub fn current_arc() -> Arc<Task> {
    let t = current();
    // SAFETY: every task is allocated by an `Arc` and kept alive while running.
    unsafe {
        Arc::increment_strong_count(t as *const Task);
        Arc::from_raw(t as *const Task)
    }
}

/// Mark `p` (and all it reaches) shared: another green thread may see it. Even with one
/// worker: a green thread can be preempted between any two instructions of generated
/// code (`interrupt`), so a plain count update of an object two green threads hold could
/// be interleaved with the other's.
///
/// # Safety
/// `p` is null or a live object the running green thread owns or already shares.
pub unsafe fn publish(p: *mut Header) {
    // SAFETY: `p` is null or a live object the running green thread owns or shares.
    unsafe { crate::object::mark_shared(p) };
}

/// `启动`: a new green thread running `closure` (borrowed; the thread takes a reference).
///
/// # Safety
/// `closure` is a live closure object `函数()`.
pub unsafe fn spawn(closure: *mut Header) {
    // SAFETY: per the caller.
    unsafe { spawn_task(closure, None) };
}

/// `同步.启动并等待协程`: like [`spawn`], but the thread's end and uncaught exception go to
/// a new join handle (returned) instead of ending the program.
///
/// # Safety
/// `closure` is a live closure object `函数()`.
pub unsafe fn spawn_joined(closure: *mut Header) -> i64 {
    let (handle, join) = crate::sync::join_new();
    // SAFETY: per the caller.
    unsafe { spawn_task(closure, Some(join)) };
    handle
}

/// # Safety
/// `closure` is a live closure object `函数()`.
unsafe fn spawn_task(closure: *mut Header, join: Option<Arc<crate::sync::Join>>) {
    let s = sched();
    start_helpers(s);
    // SAFETY: per the caller.
    unsafe { publish(closure) };
    // SAFETY: a live closure object.
    unsafe { crate::object::retain(closure) };
    s.live.fetch_add(1, Ordering::SeqCst);
    s.active.fetch_add(1, Ordering::SeqCst);
    let task = Task::new(Start::Closure(closure), std::ptr::null_mut(), false);
    let task = match join {
        Some(join) => task.with_join(join),
        None => task,
    };
    worker::push(Arc::new(task), false);
}

/// An eager future: a new green thread running `closure` at once; it completes (or fails)
/// `future`. The caller continues when that thread first switches out.
///
/// The body runs as if called here, so its green thread may use only the `stack_left`
/// bytes of stack the starting generated code had left, less `EAGER_FUTURE_COST`: a
/// recursion through futures overflows with `栈溢出` as a plain recursion would, instead
/// of taking a fresh stack per level until memory runs out.
///
/// # Safety
/// `closure` is a live closure object `函数()`, `future` a live future.
pub unsafe fn spawn_eager(closure: *mut Header, future: *mut Header, stack_left: usize) {
    let s = sched();
    start_helpers(s);
    // SAFETY: per the caller.
    unsafe {
        publish(closure);
        publish(future);
    }
    // SAFETY: live objects; the new task takes a reference to each.
    unsafe {
        crate::object::retain(closure);
        crate::object::retain(future);
    }
    s.live.fetch_add(1, Ordering::SeqCst);
    s.active.fetch_add(1, Ordering::SeqCst);
    let budget = stack_left.saturating_sub(stack::EAGER_FUTURE_COST);
    let child = Task::new(Start::Closure(closure), future, false).with_stack_budget(budget);
    suspend(Switch::RunChild(Arc::new(child)));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_exact_count_is_kept_within_one_to_256() {
        assert_eq!(Workers::Exactly(0).most(), 1);
        assert_eq!(Workers::Exactly(3).most(), 3);
        assert_eq!(Workers::Exactly(1000).most(), 256);
        assert_eq!(Workers::Exactly(3).to_start(3), 3);
    }

    #[test]
    fn one_per_core_starts_no_more_than_the_quota_allows() {
        let most = Workers::PerCore.most();
        assert_eq!(most, usable_cpus().clamp(1, 256));
        let quota = std::thread::available_parallelism().map_or(1, |n| n.get());
        assert_eq!(Workers::PerCore.to_start(most), quota.min(most));
        assert_eq!(Workers::PerCore.to_start(1), 1);
    }
}
