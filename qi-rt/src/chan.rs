//! Channels with Go's semantics (README item 7): `通道<T>()` is unbuffered (a send waits
//! for a receiver), `通道<T>(n)` buffers n values, nothing is ever dropped; `关闭`, and a
//! closed, drained channel yields zero bits. `选择` polls its cases in source order.
//!
//! Values travel as 64 bits (`qi_ir::Bits`). For object elements the channel owns one
//! reference per buffered value, and a receiver gets its own reference. A parked sender's
//! value stays owned by the sender (it is borrowed by the send in progress); whoever takes
//! it retains it.
//!
//! A `选择` locks all its channels at once, in address order, so that polling and
//! registering as a waiter are one step for every channel involved (no wake-up can fall
//! between them). Single operations lock one channel; a waker never holds two locks.

use std::collections::VecDeque;
use std::sync::Arc;

use parking_lot::{Mutex, MutexGuard};

use crate::object::{self, Header, ObjKind};
use crate::sched::{self, task::Task, task::Xfer};

#[repr(C)]
pub struct Channel {
    header: Header,
    data: *mut ChanData,
}

pub struct ChanData {
    state: Mutex<ChanState>,
    /// Elements are objects (counted references).
    objects: bool,
}

struct Waiter {
    task: Arc<Task>,
    ticket: u64,
    case: i64,
    /// A sender's value (borrowed from the parked sender).
    value: u64,
}

struct ChanState {
    buf: VecDeque<u64>,
    cap: usize,
    closed: bool,
    recvq: VecDeque<Waiter>,
    sendq: VecDeque<Waiter>,
}

/// One case of a `选择` being assembled (in the running green thread's local state).
pub struct Case {
    chan: *mut Channel,
    /// The value of a send case.
    send: Option<u64>,
}

/// Sending on (or closing) a closed channel.
pub struct Closed;

/// # Safety
/// `c` is a live channel object.
unsafe fn data<'a>(c: *mut Channel) -> &'a ChanData {
    // SAFETY: per the caller; the data box lives as long as the object.
    unsafe { &*(*c).data }
}

pub fn new_channel(cap: usize, objects: bool) -> *mut Header {
    let p = object::allocate(ObjKind::Channel, 0, 0, 8, false) as *mut Channel;
    let data = Box::new(ChanData {
        state: Mutex::new(ChanState {
            buf: VecDeque::new(),
            cap,
            closed: false,
            recvq: VecDeque::new(),
            sendq: VecDeque::new(),
        }),
        objects,
    });
    // SAFETY: fresh allocation with room for the data pointer.
    unsafe { (*p).data = Box::into_raw(data) };
    p as *mut Header
}

/// Free the payload of a dead channel; returns the buffered objects (references to drop).
///
/// # Safety
/// `p` is a channel object whose count reached zero.
pub(crate) unsafe fn drop_payload(p: *mut Header) -> Vec<*mut Header> {
    // SAFETY: per the caller; the box was made by `new_channel`.
    let data = unsafe { Box::from_raw((*(p as *mut Channel)).data) };
    let state = data.state.into_inner();
    if data.objects {
        state.buf.into_iter().map(|v| v as usize as *mut Header).collect()
    } else {
        Vec::new()
    }
}

fn retain_bits(objects: bool, v: u64) {
    if objects {
        // SAFETY: `v` is a live object (owned by a sender or the channel).
        unsafe { object::retain(v as usize as *mut Header) };
    }
}

/// Claims the first live waiter of `q` (dropping stale ones).
fn claim_first(q: &mut VecDeque<Waiter>) -> Option<Waiter> {
    while let Some(w) = q.pop_front() {
        if w.task.claim(w.ticket) {
            return Some(w);
        }
    }
    None
}

/// Hand `x` to a claimed waiter; the caller wakes it after unlocking.
fn settle(w: &Waiter, x: Xfer) {
    // SAFETY: the waiter's ticket was claimed by us and it is not woken yet.
    unsafe { w.task.set_xfer(x) };
}

/// A receive that does not wait: `Some((bits, ok))`; `wake` gets the sender to wake, if
/// any (at most one per operation).
fn try_recv(
    st: &mut ChanState,
    objects: bool,
    wake: &mut Option<Arc<Task>>,
) -> Option<(u64, bool)> {
    if let Some(v) = st.buf.pop_front() {
        // Room freed: move the first waiting sender's value into the buffer.
        if let Some(w) = claim_first(&mut st.sendq) {
            retain_bits(objects, w.value);
            st.buf.push_back(w.value);
            settle(&w, Xfer { value: 0, case: w.case, ok: true });
            *wake = Some(w.task);
        }
        return Some((v, true));
    }
    if let Some(w) = claim_first(&mut st.sendq) {
        retain_bits(objects, w.value);
        settle(&w, Xfer { value: 0, case: w.case, ok: true });
        let v = w.value;
        *wake = Some(w.task);
        return Some((v, true));
    }
    if st.closed {
        return Some((0, false));
    }
    None
}

/// A send that does not wait: `Ok(true)` done, `Ok(false)` would wait.
fn try_send(
    st: &mut ChanState,
    objects: bool,
    v: u64,
    wake: &mut Option<Arc<Task>>,
) -> Result<bool, Closed> {
    if st.closed {
        return Err(Closed);
    }
    if let Some(w) = claim_first(&mut st.recvq) {
        retain_bits(objects, v);
        settle(&w, Xfer { value: v, case: w.case, ok: true });
        *wake = Some(w.task);
        return Ok(true);
    }
    if st.buf.len() < st.cap {
        retain_bits(objects, v);
        st.buf.push_back(v);
        return Ok(true);
    }
    Ok(false)
}

fn wake_all(tasks: impl IntoIterator<Item = Arc<Task>>) {
    for t in tasks {
        sched::wake(t);
    }
}

/// `c <- v` (v borrowed).
///
/// # Safety
/// `c` is a live channel; `v` a value of its element type.
pub unsafe fn send(c: *mut Channel, v: u64) -> Result<(), Closed> {
    // SAFETY: per the caller.
    let d = unsafe { data(c) };
    if d.objects {
        // SAFETY: an object element the sender holds.
        unsafe { sched::publish(v as usize as *mut Header) };
    }
    let mut wake = None;
    let mut st = d.state.lock();
    if try_send(&mut st, d.objects, v, &mut wake)? {
        drop(st);
        wake_all(wake);
        return Ok(());
    }
    let task = sched::current_arc();
    let ticket = task.begin_wait();
    st.sendq.push_back(Waiter { task: task.clone(), ticket, case: 0, value: v });
    drop(st);
    sched::park();
    if task.xfer().ok {
        Ok(())
    } else {
        Err(Closed)
    }
}

/// `<-c`: the value (owned) and false for a closed, drained channel.
///
/// # Safety
/// `c` is a live channel.
pub unsafe fn recv(c: *mut Channel) -> (u64, bool) {
    // SAFETY: per the caller.
    let d = unsafe { data(c) };
    let mut wake = None;
    let mut st = d.state.lock();
    if let Some(r) = try_recv(&mut st, d.objects, &mut wake) {
        drop(st);
        wake_all(wake);
        return r;
    }
    let task = sched::current_arc();
    let ticket = task.begin_wait();
    st.recvq.push_back(Waiter { task: task.clone(), ticket, case: 0, value: 0 });
    drop(st);
    sched::park();
    let x = task.xfer();
    (x.value, x.ok)
}

/// `关闭(c)`: wakes every waiting receiver (closed) and sender (error).
///
/// # Safety
/// `c` is a live channel.
pub unsafe fn close(c: *mut Channel) -> Result<(), Closed> {
    // SAFETY: per the caller.
    let d = unsafe { data(c) };
    let mut wake = Vec::new();
    {
        let mut st = d.state.lock();
        if st.closed {
            return Err(Closed);
        }
        st.closed = true;
        while let Some(w) = claim_first(&mut st.recvq) {
            settle(&w, Xfer { value: 0, case: w.case, ok: false });
            wake.push(w.task);
        }
        while let Some(w) = claim_first(&mut st.sendq) {
            settle(&w, Xfer { value: 0, case: w.case, ok: false });
            wake.push(w.task);
        }
    }
    wake_all(wake);
    Ok(())
}

// ---------------------------------------------------------------------------
// 选择

fn select_cases() -> &'static mut Vec<Case> {
    let t = sched::current();
    // SAFETY: the running task's own local state, used only between SelectBegin and the
    // end of SelectWait of this green thread.
    unsafe { &mut (*t.local.get()).select }
}

pub fn select_begin() {
    select_cases().clear();
}

/// # Safety
/// `c` is a live channel (kept alive by the caller until the `选择` ends).
pub unsafe fn select_add(c: *mut Channel, send: Option<u64>) {
    // SAFETY: per the caller.
    if let Some(v) = send {
        if unsafe { data(c) }.objects {
            // SAFETY: an object element the sender holds.
            unsafe { sched::publish(v as usize as *mut Header) };
        }
    }
    select_cases().push(Case { chan: c, send });
}

/// Locks the distinct channels of `cases` in address order.
fn lock_all(cases: &[Case]) -> Vec<(*mut Channel, MutexGuard<'static, ChanState>)> {
    let mut chans: Vec<*mut Channel> = cases.iter().map(|c| c.chan).collect();
    chans.sort();
    chans.dedup();
    chans
        .into_iter()
        // SAFETY: the channels are live for the whole `选择` (the caller holds them).
        .map(|c| (c, unsafe { data(c) }.state.lock()))
        .collect()
}

fn state_of<'a>(
    locks: &'a mut [(*mut Channel, MutexGuard<'static, ChanState>)],
    c: *mut Channel,
) -> &'a mut ChanState {
    let i = locks.iter().position(|(p, _)| *p == c).expect("locked");
    &mut locks[i].1
}

/// Runs the `选择` assembled since `select_begin`: the chosen case index, -1 for the
/// timeout, -2 for `默认`. A receive case's value is left in the task's held slot.
pub fn select_wait(timeout_ms: i64, has_default: bool) -> Result<i64, Closed> {
    let task = sched::current_arc();
    let cases = std::mem::take(select_cases());
    let result = select_run(&task, &cases, timeout_ms, has_default);
    *select_cases() = cases;
    result
}

fn set_held(task: &Task, v: u64, ok: bool) {
    // SAFETY: the running task's own local state.
    unsafe { (*task.local.get()).held = if ok { v } else { 0 } };
}

fn select_run(
    task: &Arc<Task>,
    cases: &[Case],
    timeout_ms: i64,
    has_default: bool,
) -> Result<i64, Closed> {
    let mut wake = None;
    let mut locks = lock_all(cases);
    // Poll in source order.
    for (i, case) in cases.iter().enumerate() {
        // SAFETY: live channel.
        let objects = unsafe { data(case.chan) }.objects;
        let st = state_of(&mut locks, case.chan);
        let done = match case.send {
            None => try_recv(st, objects, &mut wake).map(|(v, ok)| set_held(task, v, ok)).is_some(),
            Some(v) => try_send(st, objects, v, &mut wake)?,
        };
        if done {
            drop(locks);
            wake_all(wake);
            return Ok(i as i64);
        }
    }
    if has_default {
        return Ok(-2);
    }
    // `i64::MIN` (the IR's `NO_TIMEOUT`): no timeout case; a negative one counts as 0.
    let timeout_ms = if timeout_ms == i64::MIN { None } else { Some(timeout_ms.max(0)) };
    if timeout_ms == Some(0) {
        return Ok(-1);
    }
    // Register on every channel, then park.
    let ticket = task.begin_wait();
    for (i, case) in cases.iter().enumerate() {
        let st = state_of(&mut locks, case.chan);
        let w =
            Waiter { task: task.clone(), ticket, case: i as i64, value: case.send.unwrap_or(0) };
        if case.send.is_some() {
            st.sendq.push_back(w);
        } else {
            st.recvq.push_back(w);
        }
    }
    drop(locks);
    if let Some(ms) = timeout_ms {
        sched::add_timer(std::time::Duration::from_millis(ms as u64), ticket);
    }
    sched::park();
    // Remove the entries the other cases left behind.
    for (_, mut st) in lock_all(cases) {
        st.recvq.retain(|w| !(Arc::ptr_eq(&w.task, task) && w.ticket == ticket));
        st.sendq.retain(|w| !(Arc::ptr_eq(&w.task, task) && w.ticket == ticket));
    }
    let x = task.xfer();
    if x.case >= 0 {
        let case = &cases[x.case as usize];
        if case.send.is_some() {
            if !x.ok {
                return Err(Closed);
            }
        } else {
            set_held(task, x.value, x.ok);
        }
    }
    Ok(x.case)
}

/// The value held by the last `ChanRecvOk` / receiving `选择` case (owned; 0 if none).
pub fn take_held() -> u64 {
    let t = sched::current();
    // SAFETY: the running task's own local state.
    unsafe { std::mem::take(&mut (*t.local.get()).held) }
}

/// Receive into the held slot: false when the channel is closed and drained.
///
/// # Safety
/// `c` is a live channel.
pub unsafe fn recv_held(c: *mut Channel) -> bool {
    // SAFETY: per the caller.
    let (v, ok) = unsafe { recv(c) };
    set_held(sched::current(), v, ok);
    ok
}
