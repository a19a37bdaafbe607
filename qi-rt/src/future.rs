//! Futures (`未来<T>`, README item 9): completed once, with a value or an exception, by
//! the green thread running the future's body; `等待` parks until then. The future owns
//! one reference to an object result or to the failure.

use std::sync::Arc;

use parking_lot::Mutex;

use crate::object::{self, Header, ObjKind};
use crate::sched::{self, task::Task, task::Xfer};

#[repr(C)]
pub struct Future {
    header: Header,
    data: *mut FutureData,
}

pub struct FutureData {
    state: Mutex<State>,
    /// The result is an object (a counted reference).
    objects: bool,
}

enum State {
    Pending(Vec<(Arc<Task>, u64)>),
    Done(u64),
    /// An owned exception.
    Failed(*mut Header),
}

/// What `等待` found.
pub enum Awaited {
    /// The value (owned).
    Value(u64),
    /// The failure (borrowed from the future).
    Failed(*mut Header),
}

/// # Safety
/// `f` is a live future object.
unsafe fn data<'a>(f: *mut Header) -> &'a FutureData {
    // SAFETY: per the caller; the data box lives as long as the object.
    unsafe { &*(*(f as *mut Future)).data }
}

fn new_future(state: State, objects: bool) -> *mut Header {
    let p = object::allocate(ObjKind::Future, 0, 0, 8, false) as *mut Future;
    let data = Box::new(FutureData { state: Mutex::new(state), objects });
    // SAFETY: fresh allocation with room for the data pointer.
    unsafe { (*p).data = Box::into_raw(data) };
    p as *mut Header
}

pub fn pending(objects: bool) -> *mut Header {
    new_future(State::Pending(Vec::new()), objects)
}

/// A completed future holding `v` (borrowed: the future takes its own reference).
///
/// # Safety
/// `v` is a value of the future's type (a live object when `objects`).
pub unsafe fn ready(v: u64, objects: bool) -> *mut Header {
    if objects {
        // SAFETY: a live object the caller holds.
        unsafe {
            sched::publish(v as usize as *mut Header);
            object::retain(v as usize as *mut Header);
        }
    }
    new_future(State::Done(v), objects)
}

/// A failed future (takes `e`).
///
/// # Safety
/// `e` is an owned, live exception.
pub unsafe fn failed(e: *mut Header, objects: bool) -> *mut Header {
    // SAFETY: `e` is a fresh exception the caller hands over.
    unsafe { sched::publish(e) };
    new_future(State::Failed(e), objects)
}

fn settle(f: *mut Header, state: State) {
    // SAFETY: callers pass live futures.
    let d = unsafe { data(f) };
    let waiters = {
        let mut st = d.state.lock();
        match std::mem::replace(&mut *st, state) {
            State::Pending(w) => w,
            old => {
                // Completed twice cannot happen (one body, one completion); keep the first.
                let second = std::mem::replace(&mut *st, old);
                drop(st);
                drop_state(second, d.objects);
                return;
            }
        }
    };
    for (task, ticket) in waiters {
        if task.claim(ticket) {
            // SAFETY: claimed, not yet woken.
            unsafe { task.set_xfer(Xfer { value: 0, case: 0, ok: true }) };
            sched::wake(task);
        }
    }
}

fn drop_state(st: State, objects: bool) {
    let p = match st {
        State::Done(v) if objects => v as usize as *mut Header,
        State::Failed(e) => e,
        _ => return,
    };
    // SAFETY: the state owned this reference.
    unsafe { object::release(p) };
}

/// Complete `f` with `v` (borrowed).
///
/// # Safety
/// `f` is a live future; `v` a value of its type.
pub unsafe fn complete(f: *mut Header, v: u64) {
    // SAFETY: per the caller.
    if unsafe { data(f) }.objects {
        // SAFETY: a live object; the future takes a reference.
        unsafe {
            sched::publish(v as usize as *mut Header);
            object::retain(v as usize as *mut Header);
        }
    }
    settle(f, State::Done(v));
}

/// Fail `f` with the owned exception `e`.
///
/// # Safety
/// `f` is a live future; `e` an owned exception.
pub unsafe fn fail(f: *mut Header, e: *mut Header) {
    // SAFETY: per the caller, `e` is owned.
    unsafe { sched::publish(e) };
    settle(f, State::Failed(e));
}

/// `等待 f`: parks until `f` is completed.
///
/// # Safety
/// `f` is a live future (kept alive by the caller).
pub unsafe fn await_future(f: *mut Header) -> Awaited {
    // SAFETY: per the caller.
    let d = unsafe { data(f) };
    loop {
        let mut st = d.state.lock();
        match &mut *st {
            State::Done(v) => {
                let v = *v;
                if d.objects {
                    // SAFETY: the future holds a reference; the caller gets its own.
                    unsafe { object::retain(v as usize as *mut Header) };
                }
                return Awaited::Value(v);
            }
            State::Failed(e) => return Awaited::Failed(*e),
            State::Pending(waiters) => {
                let task = sched::current_arc();
                let ticket = task.begin_wait();
                waiters.push((task, ticket));
                drop(st);
                sched::park();
            }
        }
    }
}

/// Free the payload of a dead future; returns the object it held (a reference to drop).
///
/// # Safety
/// `p` is a future object whose count reached zero.
pub(crate) unsafe fn drop_payload(p: *mut Header) -> *mut Header {
    // SAFETY: per the caller; the box was made by `new_future`.
    let data = unsafe { Box::from_raw((*(p as *mut Future)).data) };
    match data.state.into_inner() {
        State::Done(v) if data.objects => v as usize as *mut Header,
        State::Failed(e) => e,
        _ => std::ptr::null_mut(),
    }
}
