//! Workers: where runnable green threads wait and how a worker picks the next one.
//!
//! * Each worker has a FIFO deque (others steal from it) and a one-task *next slot*: a
//!   green thread woken by the running one runs next on the same worker, so a sender and
//!   the receiver it wakes stay together.
//! * Fairness: every `FAIRNESS_TICK`th pick looks at the global injector and the deque
//!   before the next slot, so two green threads handing the worker to each other through
//!   the slot cannot starve the rest.
//! * The next slot is an atomic pointer other threads can empty: the monitor moves a task
//!   that waits there while its worker keeps running one green thread (a long
//!   computation) to the injector when another worker is idle.
//! * Idle workers park on their thread handle (no spinning) and are unparked when work is
//!   queued for them.
//! * Time slices: the monitor asks a worker whose green thread has run for
//!   `preempt::TIME_SLICE` while others wait to switch it out, and interrupts it (see
//!   `preempt`, `interrupt`).
//! * Parked stacks: each worker keeps a list of the green threads it parked that are not
//!   stashed, in the order they joined it (a thread already in some worker's list joins no
//!   other: `Task::remembered`). When the list grows beyond `RESIDENT_PARKED`, a thread
//!   at its front that has stayed parked since it joined is stashed (`stash`): its stack's
//!   used part goes to the heap and its pages back to the kernel; one that ran since gets
//!   another turn. So threads that park briefly and often (a sender and its receiver) keep
//!   their stacks and pay one load per park, and many long-parked ones cost about 1 KiB
//!   each instead of a page or more.

use std::cell::RefCell;
use std::collections::VecDeque;
use std::sync::atomic::{fence, AtomicPtr, AtomicU32, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use corosensei::{Coroutine, CoroutineResult, Yielder};
use crossbeam_deque::{Steal, Worker};
use parking_lot::Mutex;

use super::interrupt::interrupt;
use super::preempt::{Request, TIME_SLICE};
use super::task::{Co, Local, Start, Switch, Task, DONE, PARKED, QUEUED, RUNNING, STASHING};
use super::{became_inactive, end, sched, set_current, stack, stash, wake, Outcome, Sched};

/// Every this many picks, the injector and the deque go before the next slot.
const FAIRNESS_TICK: u32 = 61;
/// How often the monitor looks for tasks stuck in a busy worker's next slot and for green
/// threads that have used up their time slice.
const MONITOR_PERIOD: Duration = Duration::from_millis(1);
/// How many parked green threads a worker's list holds before it stashes the oldest (see
/// "Parked stacks" above): about 4 MiB of stack pages per worker.
const RESIDENT_PARKED: usize = 1024;
/// How many threads at the front of the list one park looks at, at most.
const LOOKS_PER_PARK: usize = 4;

/// The per-worker state other threads may touch.
pub(super) struct Slots {
    /// The next slot: an `Arc<Task>` turned into a raw pointer, or null.
    next: AtomicPtr<Task>,
    /// Counts each start and each end of a run of a green thread on this worker (the
    /// monitor's clock): odd while one runs.
    runs: AtomicU64,
    /// The monitor's request that the running green thread yield.
    preempt: Request,
    /// The worker's OS thread while it runs (the monitor signals it). Cleared, under the
    /// lock, before the thread exits, so the monitor never signals an exited thread.
    thread: Mutex<Option<libc::pthread_t>>,
    /// Foreign calls in progress on this worker (nested through callbacks): while there
    /// is one the monitor sends no signal, which would cut a blocking C call short
    /// (`EINTR`). Only this worker writes it.
    in_foreign: AtomicU32,
}

impl Slots {
    pub(super) fn new() -> Slots {
        Slots {
            next: AtomicPtr::new(std::ptr::null_mut()),
            runs: AtomicU64::new(0),
            preempt: Request::new(),
            thread: Mutex::new(None),
            in_foreign: AtomicU32::new(0),
        }
    }

    /// One more start or end of a run (only this slot's worker writes the counter, so no
    /// read-modify-write is needed).
    fn tick(&self) {
        self.runs.store(self.runs.load(Ordering::Relaxed).wrapping_add(1), Ordering::Release);
    }

    /// Put `t` in the slot; returns the task that was there.
    fn replace(&self, t: Arc<Task>) -> Option<Arc<Task>> {
        let old = self.next.swap(Arc::into_raw(t) as *mut Task, Ordering::AcqRel);
        // SAFETY: non-null pointers in the slot come from `Arc::into_raw`, and the swap
        // made us their only owner.
        (!old.is_null()).then(|| unsafe { Arc::from_raw(old) })
    }

    fn take(&self) -> Option<Arc<Task>> {
        let old = self.next.swap(std::ptr::null_mut(), Ordering::AcqRel);
        // SAFETY: as in `replace`.
        (!old.is_null()).then(|| unsafe { Arc::from_raw(old) })
    }
}

pub(super) struct WorkerLocal {
    index: usize,
    queue: Worker<Arc<Task>>,
    ticks: u32,
    /// Parked green threads not stashed (see "Parked stacks" above), each with its count
    /// of switches when it joined or was last looked at.
    parked: ParkedList,
}

impl WorkerLocal {
    pub(super) fn new(index: usize, queue: Worker<Arc<Task>>) -> WorkerLocal {
        WorkerLocal { index, queue, ticks: 0, parked: VecDeque::new() }
    }
}

/// Parked green threads with their count of switches when last looked at.
type ParkedList = VecDeque<(Arc<Task>, u64)>;

thread_local! {
    static WORKER: RefCell<Option<WorkerLocal>> = const { RefCell::new(None) };
}

pub(super) fn worker_main(w: WorkerLocal) {
    let index = w.index;
    let s = sched();
    serve(s, w, || !s.stopping.load(Ordering::Relaxed));
    if let Some(w) = set_worker(None) {
        retire(w);
    }
    debug_assert!(s.slots[index].thread.lock().is_none());
}

/// A worker ends: the green threads it holds are abandoned and stay in memory (see
/// `task::Local`'s drop).
fn retire(w: WorkerLocal) {
    let WorkerLocal { queue, parked, .. } = w;
    std::mem::forget(queue);
    // Kept reachable (memory checkers would call a forgotten list lost).
    ENDED_WORKERS_PARKED.lock().push(parked);
}

/// Worker 0 on the thread that called `run_program`, while `入口` is the only green
/// thread: a program that starts no other one needs no thread besides its caller's (a
/// thread creation, its first heap pages and a handoff less). Returns `None` once the
/// program has ended with no other green thread started; otherwise, as soon as `入口`
/// switches out after starting one, the worker's state, to go on on a thread of its own
/// (the caller must return to wait for the outcome, which a green thread may set while
/// this one runs another). So this thread only ever runs `入口`.
pub(super) fn serve_here(
    s: &'static super::Sched,
    queue: Worker<Arc<Task>>,
) -> Option<WorkerLocal> {
    serve(s, WorkerLocal::new(0, queue), || {
        !s.helpers_started.load(Ordering::Acquire) && s.outcome.lock().is_none()
    });
    let w = set_worker(None).expect("worker 0's state");
    if s.helpers_started.load(Ordering::Acquire) {
        return Some(w);
    }
    retire(w);
    None
}

/// Runs green threads as worker `w` on this thread while `go_on()` holds, then stops
/// being that worker (the monitor no longer signals this thread); `w` stays installed.
fn serve(s: &super::Sched, w: WorkerLocal, go_on: impl Fn() -> bool) {
    let index = w.index;
    set_worker(Some(w));
    // SAFETY: `pthread_self` has no preconditions.
    *s.slots[index].thread.lock() = Some(unsafe { libc::pthread_self() });
    // A panic here is a bug in the runtime: report it and end the process rather than
    // leave the program hanging without this worker.
    let ran = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        while go_on() {
            match find_task(s) {
                Some(t) => run(t, index),
                None => idle(s, index),
            }
        }
    }));
    if let Err(payload) = ran {
        let what = crate::guard::panic_message(&*payload);
        crate::error::runtime_error(
            format!("运行时内部错误：{what}"),
            format!("internal runtime failure: {what}"),
        );
    }
    *s.slots[index].thread.lock() = None;
}

/// The lists of parked green threads of the workers that ended: those threads are
/// abandoned, and stay in memory with what they hold.
static ENDED_WORKERS_PARKED: Mutex<Vec<ParkedList>> = Mutex::new(Vec::new());

/// A foreign call starts (`entering`) or ends on the worker running the caller (see
/// `Slots::in_foreign`); nothing outside the workers.
pub(super) fn foreign_call(entering: bool) {
    let index = WORKER.with(|cell| cell.borrow().as_ref().map(|w| w.index));
    if let Some(i) = index {
        let n = &sched().slots[i].in_foreign;
        let now = n.load(Ordering::Relaxed);
        n.store(if entering { now + 1 } else { now.saturating_sub(1) }, Ordering::Release);
    }
}

/// Withdraw the preemption request of the worker running the caller; was there one?
#[inline(never)]
pub(super) fn take_preempt_request() -> bool {
    let index = WORKER.with(|cell| cell.borrow().as_ref().map(|w| w.index));
    index.is_some_and(|i| sched().slots[i].preempt.take())
}

#[inline(never)]
fn set_worker(w: Option<WorkerLocal>) -> Option<WorkerLocal> {
    WORKER.with(|cell| std::mem::replace(&mut *cell.borrow_mut(), w))
}

fn steal_injector(s: &Sched, w: &WorkerLocal) -> Option<Arc<Task>> {
    loop {
        match s.injector.steal_batch_and_pop(&w.queue) {
            Steal::Success(t) => return Some(t),
            Steal::Retry => continue,
            Steal::Empty => return None,
        }
    }
}

#[inline(never)]
fn find_task(s: &Sched) -> Option<Arc<Task>> {
    WORKER.with(|cell| {
        let mut guard = cell.borrow_mut();
        let w = guard.as_mut().expect("on a worker");
        w.ticks = w.ticks.wrapping_add(1);
        let slots = &s.slots[w.index];
        if w.ticks % FAIRNESS_TICK == 0 {
            if let Some(t) = steal_injector(s, w).or_else(|| w.queue.pop()) {
                return Some(t);
            }
        }
        if let Some(t) = slots.take().or_else(|| w.queue.pop()).or_else(|| steal_injector(s, w)) {
            return Some(t);
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
fn idle(s: &Sched, index: usize) {
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
pub(super) fn notify(s: &Sched) {
    // Pairs with the idle side's count increment before its queue check: either this
    // load sees the idle worker, or that check sees the pushed task.
    fence(Ordering::SeqCst);
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
pub(super) fn push(task: Arc<Task>, next: bool) {
    let s = sched();
    let leftover = WORKER.with(|cell| {
        let mut guard = cell.borrow_mut();
        match guard.as_mut() {
            Some(w) => {
                if next {
                    match s.slots[w.index].replace(task) {
                        Some(old) => {
                            w.queue.push(old);
                            Ok(true)
                        }
                        None => Ok(false),
                    }
                } else {
                    w.queue.push(task);
                    Ok(true)
                }
            }
            None => Err(task),
        }
    });
    match leftover {
        Ok(true) => notify(s),
        Ok(false) => {}
        Err(task) => {
            s.injector.push(task);
            notify(s);
        }
    }
}

/// The monitor thread: every period it asks workers whose green thread has used up its
/// time slice to switch it out, and hands tasks stuck in a busy worker's next slot to
/// idle workers.
pub(super) fn monitor(s: &'static Sched) {
    let mut slices = vec![SliceClock { runs: 0, since: Instant::now() }; s.slots.len()];
    let mut seen: Vec<(u64, *mut Task)> = vec![(u64::MAX, std::ptr::null_mut()); s.slots.len()];
    while !s.stopping.load(Ordering::Relaxed) {
        std::thread::sleep(MONITOR_PERIOD);
        end_long_slices(s, &mut slices);
        move_stuck_next(s, &mut seen);
    }
}

/// When the monitor last saw a worker's run counter change.
#[derive(Clone, Copy)]
struct SliceClock {
    runs: u64,
    since: Instant,
}

/// Ask each worker that has run the same green thread for a whole time slice to switch
/// it out, when another green thread is waiting to run (alone, it may keep the worker).
fn end_long_slices(s: &Sched, clocks: &mut [SliceClock]) {
    let now = Instant::now();
    let mut waiting = None;
    for (slots, clock) in s.slots.iter().zip(clocks.iter_mut()) {
        let runs = slots.runs.load(Ordering::Acquire);
        if runs != clock.runs {
            *clock = SliceClock { runs, since: now };
            continue;
        }
        let running = runs % 2 == 1;
        if running
            && slots.in_foreign.load(Ordering::Acquire) == 0
            && now.duration_since(clock.since) >= TIME_SLICE
            && *waiting.get_or_insert_with(|| others_waiting(s))
        {
            slots.preempt.raise();
            if let Some(thread) = *slots.thread.lock() {
                interrupt(thread);
            }
            // The next request for this run comes a slice later.
            clock.since = now;
        }
    }
}

/// Is a green thread queued anywhere (a deque, the injector or a next slot)?
fn others_waiting(s: &Sched) -> bool {
    has_work(s) || s.slots.iter().any(|sl| !sl.next.load(Ordering::Acquire).is_null())
}

/// A task that has waited in the next slot of a worker which kept running the same green
/// thread for a whole period goes to the injector, where an idle worker takes it.
fn move_stuck_next(s: &Sched, seen: &mut [(u64, *mut Task)]) {
    if s.idle_count.load(Ordering::SeqCst) == 0 {
        seen.iter_mut().for_each(|e| *e = (u64::MAX, std::ptr::null_mut()));
        return;
    }
    for (slots, last) in s.slots.iter().zip(seen.iter_mut()) {
        let now = (slots.runs.load(Ordering::Acquire), slots.next.load(Ordering::Acquire));
        if !now.1.is_null() && now == *last {
            if let Some(t) = slots.take() {
                s.injector.push(t);
                notify(s);
            }
        }
        *last = now;
    }
}

fn run(task: Arc<Task>, index: usize) {
    task.state.store(RUNNING, Ordering::Release);
    let slots = &sched().slots[index];
    // SAFETY: we are the only worker holding this task (it came out of a queue).
    let local = unsafe { &mut *task.local.get() };
    let mut co = match local.co.take() {
        Some(co) => {
            // SAFETY: ours, switched out (see above): its stack goes back in place before
            // it runs.
            unsafe { stash::restore(&mut *task.stack.get()) };
            co
        }
        None => {
            let start = local.start.take().expect("a new task has a start");
            match new_coroutine(&task, start) {
                Some((co, stack_base)) => {
                    local.stack_base = stack_base;
                    // SAFETY: ours, not started.
                    unsafe { (*task.stack.get()).base = stack_base };
                    co
                }
                None => return fail_without_stack(&task, local, start),
            }
        }
    };
    if !local.line.is_empty() {
        crate::output::restore_line(std::mem::take(&mut local.line));
    }
    set_current(Arc::as_ptr(&task));
    // Odd while the green thread runs (the monitor's time slices). Counted only once it
    // has a coroutine: a thread that fails without a stack never runs, and the count must
    // not be left the wrong way round.
    slots.tick();
    let r = co.resume(());
    set_current(std::ptr::null());
    slots.tick();
    let switches = task.switches.load(Ordering::Relaxed).wrapping_add(1);
    task.switches.store(switches, Ordering::Relaxed);
    // A request for the run that just ended must not make the next one yield.
    slots.preempt.take();
    // SAFETY: the task is switched out; it is still ours until we queue or park it.
    let local = unsafe { &mut *task.local.get() };
    local.line = crate::output::take_line();
    match r {
        CoroutineResult::Yield(Switch::Park) => {
            local.co = Some(co);
            let parent = local.parent.take();
            // Decided while the task is still ours: a thread already in the list of parked
            // threads (parked before and not stashed since) costs one load here.
            let remember = !task.remembered.load(Ordering::Relaxed);
            task.remembered.store(true, Ordering::Relaxed);
            if task
                .state
                .compare_exchange(RUNNING, PARKED, Ordering::AcqRel, Ordering::Acquire)
                .is_ok()
            {
                // The eager future's caller continues (woken before this thread counts as
                // inactive, so the deadlock check never sees neither).
                wake_parent(parent);
                if remember {
                    remember_parked(&task, switches);
                }
                became_inactive();
            } else {
                // Woken before it was switched out: run it again soon, after the caller
                // (which takes the next slot). The caller is woken first: once queued,
                // this thread may run and block elsewhere (see `sched` on `active`).
                if remember {
                    task.remembered.store(false, Ordering::Relaxed);
                }
                let has_parent = parent.is_some();
                wake_parent(parent);
                task.state.store(QUEUED, Ordering::Release);
                push(task, !has_parent);
            }
        }
        CoroutineResult::Yield(Switch::Yield) => {
            local.co = Some(co);
            // The caller is woken before this thread is queued: another worker may take
            // it from the injector at once and run it until it blocks or ends, and if the
            // caller were not counted active by then, nothing would be (a false deadlock).
            wake_parent(local.parent.take());
            task.state.store(QUEUED, Ordering::Release);
            let s = sched();
            s.injector.push(task);
            notify(s);
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
            super::overflow::at_end(local);
            drop(co);
            // A finished green thread's unterminated last line is output as it is.
            crate::output::emit_partial(std::mem::take(&mut local.line));
            wake_parent(local.parent.take());
            finish(&task, status);
        }
    }
}

/// `task` has just parked (after `switches` switches) and is new to the list of parked
/// threads (see "Parked stacks" above): it goes to the back. While the list is longer
/// than `RESIDENT_PARKED`, up to `LOOKS_PER_PARK` threads at its front are looked at: one
/// parked ever since it joined is stashed and leaves, one that has ended leaves, one that
/// ran since goes to the back again (a second chance, as in the CLOCK page replacement).
#[cold]
#[inline(never)]
fn remember_parked(task: &Arc<Task>, switches: u64) {
    WORKER.with(|cell| {
        let mut guard = cell.borrow_mut();
        let w = guard.as_mut().expect("on a worker");
        w.parked.push_back((task.clone(), switches));
        for _ in 0..LOOKS_PER_PARK {
            if w.parked.len() <= RESIDENT_PARKED {
                break;
            }
            let (t, at) = w.parked.pop_front().expect("longer than the bound");
            if let Some(now) = stash_if_parked_since(&t, at) {
                w.parked.push_back((t, now));
            }
        }
    });
}

/// Stashes `t`'s stack if `t` has stayed parked since its `at`th switch; then, or if it
/// has ended, `None` (it leaves the list). Otherwise its switch count now (it stays).
fn stash_if_parked_since(t: &Task, at: u64) -> Option<u64> {
    // A first look without taking the task (read again once taken).
    let now = t.switches.load(Ordering::Relaxed);
    if now == at
        && t.state.compare_exchange(PARKED, STASHING, Ordering::Acquire, Ordering::Relaxed).is_ok()
    {
        let now = t.switches.load(Ordering::Relaxed);
        let still = now == at;
        if still {
            // SAFETY: `STASHING` makes it ours: wakers wait until it is `PARKED` again.
            unsafe { stash::stash(&mut *t.stack.get()) };
            t.remembered.store(false, Ordering::Relaxed);
        }
        t.state.store(PARKED, Ordering::Release);
        return (!still).then_some(now);
    }
    (t.state.load(Ordering::Acquire) != DONE).then_some(now)
}

fn wake_parent(parent: Option<Arc<Task>>) {
    if let Some(p) = parent {
        wake(p);
    }
}

/// The coroutine of a task's first run and the top of its stack, or `None` when no stack
/// can be had.
fn new_coroutine(task: &Arc<Task>, start: Start) -> Option<(Co, usize)> {
    let stack = stack::take().ok()?;
    let stack_base = stack.base();
    let budget = task.stack_budget.min(stack::FULL_BUDGET);
    let entry = sched().entry;
    let task_addr = Arc::as_ptr(task) as usize;
    let co = Coroutine::with_stack(stack, move |y: &Yielder<(), Switch>, ()| {
        let task = task_addr as *const Task;
        // SAFETY: the worker resuming us holds an `Arc` of the task; the yielder lives on
        // this coroutine's stack for as long as the coroutine runs.
        unsafe { *(*task).yielder.get() = y as *const Yielder<(), Switch> };
        match start {
            // SAFETY: the stubs are the program's compiled entry points; the stack has
            // `budget` bytes below them and `LIMIT_MARGIN` more (see `stack`).
            Start::Main => unsafe { (entry.main)(budget) },
            Start::Closure(c) => {
                // SAFETY: as above; the task owns a reference to the closure `c`.
                let status = unsafe { (entry.closure)(c, budget) };
                // SAFETY: the task's reference, no longer needed.
                unsafe { crate::object::release(c) };
                status
            }
        }
    });
    Some((co, stack_base))
}

/// A new green thread for which no stack could be mapped ends at once with a catchable
/// exception: its future fails with it, or (a `启动` thread, `入口`) it is reported
/// as uncaught.
fn fail_without_stack(task: &Task, local: &mut Local, start: Start) {
    crate::exception::raise_error(
        "无法为绿色线程分配栈（地址空间不足）".into(),
        "cannot map a stack for a green thread (out of address space)".into(),
        0,
        0,
    );
    if let Start::Closure(c) = start {
        // SAFETY: the task's reference to its closure, which will never run.
        unsafe { crate::object::release(c) };
    }
    wake_parent(local.parent.take());
    finish(task, 1);
}

fn finish(task: &Task, status: u8) {
    task.state.store(DONE, Ordering::Release);
    if let Some(join) = &task.join {
        let failure = (status != 0).then(|| {
            let e = crate::exception::take_pending();
            // SAFETY: `e` is the owned pending exception (or null).
            let message = unsafe { crate::exception::message(e) };
            // SAFETY: as above; only its message is kept.
            unsafe { crate::object::release(e) };
            message
        });
        crate::sync::join_end(join, failure);
    } else if status != 0 {
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
