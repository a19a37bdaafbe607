//! The M:N scheduler: green threads (stackful coroutines) over one worker OS thread per
//! core.
//!
//! Each worker has a FIFO crossbeam-deque of runnable green threads and a one-task *next
//! slot*: a green thread woken by the running one runs next on the same worker (a sender
//! and the receiver it wakes stay together; the slot is not stealable). New green threads
//! go to the worker's deque, others steal from it and from the global injector; idle
//! workers park on their thread handle and are unparked when work is queued.
//!
//! A green thread is *active* while queued or running. When the last active one parks
//! and no timer is pending, no wake-up can ever come: the program is deadlocked.
//!
//! Thread-local state is read only in small `#[inline(never)]` functions, and no
//! reference into it is held across a switch: a green thread may resume on another
//! worker.

pub mod stack;
pub mod task;
mod timer;

use std::cell::{Cell, RefCell};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::thread::Thread;
use std::time::{Duration, Instant};

use corosensei::{Coroutine, CoroutineResult, Yielder};
use crossbeam_deque::{Injector, Steal, Stealer, Worker};
use parking_lot::{Condvar, Mutex};

use crate::object::Header;
use task::{Co, Start, Switch, Task, NOTIFIED, PARKED, QUEUED, RUNNING};

/// Generated entry stubs: they load the green thread's stack limit into the pinned
/// register and call the program's main function / a closure `函数()`; they return its
/// status (1: an exception is pending).
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

struct Sched {
    entry: Entry,
    injector: Injector<Arc<Task>>,
    stealers: Vec<Stealer<Arc<Task>>>,
    threads: Mutex<Vec<Thread>>,
    idle: Mutex<Vec<usize>>,
    idle_count: AtomicUsize,
    /// Green threads queued or running.
    active: AtomicUsize,
    /// Green threads not finished.
    live: AtomicUsize,
    timers: timer::Timers,
    outcome: Mutex<Option<Outcome>>,
    ended: Condvar,
    stopping: AtomicBool,
}

/// More than one worker: objects handed to another green thread must be marked shared.
static MULTI: AtomicBool = AtomicBool::new(false);

/// The scheduler the calling worker or timer thread serves. (Threads of an earlier run
/// that are still winding down keep theirs.)
#[inline(never)]
fn sched() -> &'static Sched {
    let p = THREAD_SCHED.with(|s| s.get());
    assert!(!p.is_null(), "not on a scheduler thread");
    // SAFETY: schedulers are leaked, so one lives for the rest of the process.
    unsafe { &*p }
}

fn set_thread_sched(s: &'static Sched) {
    THREAD_SCHED.with(|c| c.set(s as *const Sched));
}

struct WorkerLocal {
    queue: Worker<Arc<Task>>,
    next: Option<Arc<Task>>,
}

thread_local! {
    static WORKER: RefCell<Option<WorkerLocal>> = const { RefCell::new(None) };
    static CURRENT: Cell<*const Task> = const { Cell::new(std::ptr::null()) };
    static THREAD_SCHED: Cell<*const Sched> = const { Cell::new(std::ptr::null()) };
}

/// Number of workers: `QI_WORKERS`, else one per core.
pub fn worker_count() -> usize {
    std::env::var("QI_WORKERS")
        .ok()
        .and_then(|v| v.trim().parse::<usize>().ok())
        .filter(|n| *n > 0)
        .unwrap_or_else(|| std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1))
        .min(256)
}

/// Runs the program's main function as the first green thread on `workers` workers and
/// returns when it ends. Other green threads are abandoned; with live-object counting on,
/// the call first waits (briefly) for the still running ones to finish or block, so the
/// counts are not taken in the middle of their clean-up.
pub fn run_program(entry: Entry, workers: usize) -> Outcome {
    let workers = workers.max(1);
    MULTI.store(workers > 1, Ordering::Relaxed);
    let queues: Vec<Worker<Arc<Task>>> = (0..workers).map(|_| Worker::new_fifo()).collect();
    let sched: &'static Sched = Box::leak(Box::new(Sched {
        entry,
        injector: Injector::new(),
        stealers: queues.iter().map(Worker::stealer).collect(),
        threads: Mutex::new(Vec::new()),
        idle: Mutex::new(Vec::new()),
        idle_count: AtomicUsize::new(0),
        active: AtomicUsize::new(1),
        live: AtomicUsize::new(1),
        timers: timer::Timers::new(),
        outcome: Mutex::new(None),
        ended: Condvar::new(),
        stopping: AtomicBool::new(false),
    }));
    let spawn = |name: String, f: Box<dyn FnOnce() + Send>| {
        std::thread::Builder::new().name(name).spawn(f).expect("cannot start a worker thread").thread().clone()
    };
    spawn(
        "qi-timer".into(),
        Box::new(move || {
            set_thread_sched(sched);
            sched.timers.serve()
        }),
    );
    let main_task = Arc::new(Task::new(Start::Main, std::ptr::null_mut(), true));
    sched.injector.push(main_task.clone());
    {
        let mut threads = sched.threads.lock();
        for (i, queue) in queues.into_iter().enumerate() {
            threads.push(spawn(
                format!("qi-worker-{i}"),
                Box::new(move || {
                    set_thread_sched(sched);
                    worker_main(queue)
                }),
            ));
        }
    }
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
    sched.stopping.store(true, Ordering::SeqCst);
    for t in sched.threads.lock().iter() {
        t.unpark();
    }
    result
}

/// The report of a deadlock: how many green threads are blocked.
pub fn deadlock_message(blocked: usize) -> String {
    if crate::lang::english() {
        format!("deadlock: all {blocked} green threads are blocked (none can run and no timer is pending)")
    } else {
        format!("死锁：全部 {blocked} 个绿色线程都在等待（没有可运行的线程，也没有待触发的定时器）")
    }
}

fn end(o: Outcome) {
    let s = sched();
    let mut outcome = s.outcome.lock();
    if outcome.is_none() && !s.stopping.load(Ordering::Relaxed) {
        *outcome = Some(o);
        s.ended.notify_all();
    }
}

fn worker_main(queue: Worker<Arc<Task>>) {
    set_worker(Some(WorkerLocal { queue, next: None }));
    let s = sched();
    while !s.stopping.load(Ordering::Relaxed) {
        match find_task() {
            Some(t) => run(t),
            None => idle(),
        }
    }
    // Abandoned green threads stay in memory (see `task::Local`'s drop).
    if let Some(w) = set_worker(None) {
        std::mem::forget(w);
    }
}

#[inline(never)]
fn set_worker(w: Option<WorkerLocal>) -> Option<WorkerLocal> {
    WORKER.with(|cell| std::mem::replace(&mut *cell.borrow_mut(), w))
}

#[inline(never)]
fn find_task() -> Option<Arc<Task>> {
    let s = sched();
    WORKER.with(|cell| {
        let mut guard = cell.borrow_mut();
        let w = guard.as_mut().expect("on a worker");
        if let Some(t) = w.next.take() {
            return Some(t);
        }
        if let Some(t) = w.queue.pop() {
            return Some(t);
        }
        loop {
            match s.injector.steal_batch_and_pop(&w.queue) {
                Steal::Success(t) => return Some(t),
                Steal::Retry => continue,
                Steal::Empty => break,
            }
        }
        for st in &s.stealers {
            loop {
                match st.steal_batch_and_pop(&w.queue) {
                    Steal::Success(t) => return Some(t),
                    Steal::Retry => continue,
                    Steal::Empty => break,
                }
            }
        }
        None
    })
}

fn has_work(s: &Sched) -> bool {
    !s.injector.is_empty() || s.stealers.iter().any(|st| !st.is_empty())
}

/// Parks this worker until work is queued (re-checking after registering as idle, so a
/// push that did not see it idle is not missed).
fn idle() {
    let s = sched();
    let me = std::thread::current();
    let index = {
        let threads = s.threads.lock();
        threads.iter().position(|t| t.id() == me.id()).unwrap_or(usize::MAX)
    };
    {
        let mut idle = s.idle.lock();
        idle.push(index);
        s.idle_count.fetch_add(1, Ordering::SeqCst);
    }
    if !has_work(s) && !s.stopping.load(Ordering::SeqCst) {
        std::thread::park();
    }
    let mut idle = s.idle.lock();
    if let Some(pos) = idle.iter().position(|i| *i == index) {
        idle.swap_remove(pos);
        s.idle_count.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Wake one idle worker, if any, for newly queued work.
fn notify() {
    let s = sched();
    if s.idle_count.load(Ordering::SeqCst) == 0 {
        return;
    }
    let mut idle = s.idle.lock();
    if let Some(i) = idle.pop() {
        s.idle_count.fetch_sub(1, Ordering::SeqCst);
        drop(idle);
        if let Some(t) = s.threads.lock().get(i) {
            t.unpark();
        }
    }
}

/// Queue a runnable green thread: on a worker, into its next slot (`next`) or deque;
/// elsewhere (the timer thread), into the injector.
#[inline(never)]
fn push(task: Arc<Task>, next: bool) {
    let s = sched();
    let leftover = WORKER.with(|cell| {
        let mut guard = cell.borrow_mut();
        match guard.as_mut() {
            Some(w) => {
                if next {
                    if let Some(old) = w.next.replace(task) {
                        w.queue.push(old);
                        return Ok(true);
                    }
                    Ok(false)
                } else {
                    w.queue.push(task);
                    Ok(true)
                }
            }
            None => Err(task),
        }
    });
    match leftover {
        Ok(true) => notify(),
        Ok(false) => {}
        Err(task) => {
            s.injector.push(task);
            notify();
        }
    }
}

/// Make a parked green thread runnable (after claiming its wait ticket).
pub fn wake(task: Arc<Task>) {
    loop {
        match task.state.load(Ordering::Acquire) {
            PARKED => {
                if task.state.compare_exchange(PARKED, QUEUED, Ordering::AcqRel, Ordering::Acquire).is_ok() {
                    sched().active.fetch_add(1, Ordering::SeqCst);
                    push(task, true);
                    return;
                }
            }
            RUNNING => {
                if task.state.compare_exchange(RUNNING, NOTIFIED, Ordering::AcqRel, Ordering::Acquire).is_ok() {
                    return;
                }
            }
            _ => return,
        }
    }
}

fn became_inactive() {
    let s = sched();
    if s.active.fetch_sub(1, Ordering::SeqCst) == 1 {
        s.timers.with_pending(|pending| {
            if !pending && s.active.load(Ordering::SeqCst) == 0 {
                end(Outcome::Deadlock(s.live.load(Ordering::SeqCst)));
            }
        });
    }
}

fn run(task: Arc<Task>) {
    task.state.store(RUNNING, Ordering::Release);
    // SAFETY: we are the only worker holding this task (it came out of a queue).
    let local = unsafe { &mut *task.local.get() };
    let mut co = match local.co.take() {
        Some(co) => co,
        None => new_coroutine(&task, local.start.take().expect("a new task has a start")),
    };
    if !local.line.is_empty() {
        crate::output::restore_line(std::mem::take(&mut local.line));
    }
    set_current(Arc::as_ptr(&task));
    let r = co.resume(());
    set_current(std::ptr::null());
    // SAFETY: the task is switched out; it is still ours until we queue or park it.
    let local = unsafe { &mut *task.local.get() };
    local.line = crate::output::take_line();
    match r {
        CoroutineResult::Yield(Switch::Park) => {
            local.co = Some(co);
            let parent = local.parent.take();
            if task.state.compare_exchange(RUNNING, PARKED, Ordering::AcqRel, Ordering::Acquire).is_ok() {
                // The eager future's caller continues (woken before this thread counts as
                // inactive, so the deadlock check never sees neither).
                wake_parent(parent);
                became_inactive();
            } else {
                // Woken before it was switched out: run it again soon (after the caller).
                task.state.store(QUEUED, Ordering::Release);
                push(task, true);
                wake_parent(parent);
            }
        }
        CoroutineResult::Yield(Switch::Yield) => {
            local.co = Some(co);
            let parent = local.parent.take();
            task.state.store(QUEUED, Ordering::Release);
            sched().injector.push(task);
            notify();
            wake_parent(parent);
        }
        CoroutineResult::Yield(Switch::RunChild(child)) => {
            // Starting another eager future is not a block: a waiting caller of this
            // thread keeps waiting until this thread itself switches out.
            local.co = Some(co);
            // SAFETY: the child has not started; nobody else holds its local state.
            unsafe { (*child.local.get()).parent = Some(task.clone()) };
            // No ticket is open, so only the child's first switch wakes this thread.
            task.state.store(PARKED, Ordering::Release);
            push(child, true);
            became_inactive();
        }
        CoroutineResult::Return(status) => {
            drop(co);
            // A finished green thread's unterminated last line is output as it is.
            crate::output::emit_partial(std::mem::take(&mut local.line));
            wake_parent(local.parent.take());
            finish(&task, status);
        }
    }
}

fn wake_parent(parent: Option<Arc<Task>>) {
    if let Some(p) = parent {
        wake(p);
    }
}

fn new_coroutine(task: &Arc<Task>, start: Start) -> Co {
    let stack = if task.is_main { stack::take_main() } else { stack::take() };
    let limit = stack.code_limit();
    let entry = sched().entry;
    let task_addr = Arc::as_ptr(task) as usize;
    Coroutine::with_stack(stack, move |y: &Yielder<(), Switch>, ()| {
        let task = task_addr as *const Task;
        // SAFETY: the worker resuming us holds an `Arc` of the task; the yielder lives on
        // this coroutine's stack for as long as the coroutine runs.
        unsafe { *(*task).yielder.get() = y as *const Yielder<(), Switch> };
        match start {
            // SAFETY: the stubs are the program's compiled entry points; `limit` is the
            // lowest address of this stack generated code may use.
            Start::Main => unsafe { (entry.main)(limit) },
            Start::Closure(c) => {
                // SAFETY: as above; the task owns a reference to the closure `c`.
                let status = unsafe { (entry.closure)(c, limit) };
                // SAFETY: the task's reference, no longer needed.
                unsafe { crate::object::release(c) };
                status
            }
        }
    })
}

fn finish(task: &Task, status: u8) {
    task.state.store(task::DONE, Ordering::Release);
    if status != 0 {
        let e = crate::exception::take_pending();
        if !task.future.is_null() {
            // SAFETY: the task owns a reference to its future; `e` is owned.
            unsafe { crate::future::fail(task.future, e) };
        } else {
            // SAFETY: `e` is the owned pending exception (or null).
            let report = unsafe { crate::exception::uncaught_report(e) };
            // SAFETY: as above.
            unsafe { crate::object::release(e) };
            end(Outcome::Uncaught(report));
        }
    } else if task.is_main {
        end(Outcome::Finished);
    }
    if !task.future.is_null() {
        // SAFETY: the task's own reference.
        unsafe { crate::object::release(task.future) };
    }
    sched().live.fetch_sub(1, Ordering::SeqCst);
    became_inactive();
}

#[inline(never)]
fn set_current(t: *const Task) {
    CURRENT.with(|c| c.set(t));
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

/// Switch out of the running green thread.
#[inline(never)]
fn suspend(why: Switch) {
    let t = current();
    // SAFETY: set when the coroutine started; valid while it runs.
    let y = unsafe { &**t.yielder.get() };
    y.suspend(why);
}

/// Park the running green thread until a waker claims its open ticket.
pub fn park() {
    suspend(Switch::Park);
}

/// Let other runnable green threads run first.
pub fn yield_now() {
    suspend(Switch::Yield);
}

/// Sleep `ms` milliseconds (parks only the green thread).
pub fn sleep(ms: i64) {
    let t = current();
    if ms <= 0 {
        yield_now();
        return;
    }
    let ticket = t.begin_wait();
    add_timer(Duration::from_millis(ms as u64), ticket);
    park();
}

/// Wake the running green thread (case -1) after `after`, if its ticket is still open.
pub fn add_timer(after: Duration, ticket: u64) {
    let t = current();
    // SAFETY: `t` is the running task; `Arc::increment_strong_count` needs the pointer
    // to come from an `Arc`, which every task does.
    let arc = unsafe {
        Arc::increment_strong_count(t as *const Task);
        Arc::from_raw(t as *const Task)
    };
    sched().timers.add(Instant::now() + after, arc, ticket);
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

/// Mark `p` (and all it reaches) shared if other workers may see it.
///
/// # Safety
/// `p` is null or a live object the running green thread owns or already shares.
pub unsafe fn publish(p: *mut Header) {
    if MULTI.load(Ordering::Relaxed) {
        // SAFETY: `p` is null or a live object the running green thread owns or shares.
        unsafe { crate::object::mark_shared(p) };
    }
}

/// `启动`: a new green thread running `closure` (borrowed; the thread takes a reference).
///
/// # Safety
/// `closure` is a live closure object `函数()`.
pub unsafe fn spawn(closure: *mut Header) {
    let s = sched();
    // SAFETY: per the caller.
    unsafe { publish(closure) };
    // SAFETY: a live closure object.
    unsafe { crate::object::retain(closure) };
    s.live.fetch_add(1, Ordering::SeqCst);
    s.active.fetch_add(1, Ordering::SeqCst);
    push(Arc::new(Task::new(Start::Closure(closure), std::ptr::null_mut(), false)), false);
}

/// An eager future: a new green thread running `closure` at once; it completes (or fails)
/// `future`. The caller continues when that thread first switches out.
///
/// # Safety
/// `closure` is a live closure object `函数()`, `future` a live future.
pub unsafe fn spawn_eager(closure: *mut Header, future: *mut Header) {
    let s = sched();
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
    suspend(Switch::RunChild(Arc::new(Task::new(Start::Closure(closure), future, false))));
}
