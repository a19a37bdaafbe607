//! Generators (`协程 函数`, docs/LANGUAGE-NOTES.md "Generators"): a `协程<T>` object owns
//! the closure `函数()` that runs the function's body and, once started, a coroutine on a
//! pooled green-thread stack running it.
//!
//! # Running on the caller's green thread
//! `恢复` switches into the body's coroutine on the resuming green thread and back at the
//! next `让出` (or at the body's end). The body is an ordinary compiled or interpreted
//! function entered through the program's closure entry stub, which sets the stack
//! limit register for the generator's own stack; the limit of the resumer comes back
//! with the other callee-saved registers when the switch returns. While the body runs,
//! the green thread's stack bookkeeping (`Local::stack_base`, `overflow_at`) describes
//! the generator's stack, so a stack overflow caught in the body gives back the right
//! pages. The body may park (a channel, a lock, a sleep): the green thread then switches
//! out from the generator's stack, through the scheduler's own yielder, and resumes
//! there later, possibly on another worker (corosensei links each stack to the one that
//! resumed it, so the nesting needs nothing more). Such a parked thread is not stashed
//! (`sched::stash`: its switch point is not on its own stack).
//!
//! # Ends
//! An exception leaving the body finishes the generator and stays pending for the
//! caller of `恢复`, whose frames are added to its trace after the body's. A generator
//! freed while suspended is *cancelled*: its body is resumed one last time, its `让出`
//! raises a private exception, and the body unwinds through its ordinary landings and
//! `最终` blocks, releasing everything its frames hold; the exception is then dropped
//! and any exception that was pending at the free is restored. A body that catches that
//! exception and yields again gets it raised again at once.
//!
//! # Values
//! The yielded value travels as 64 bits (`qi_ir::Bits`); an object is retained by
//! `让出` and handed to the caller, owned, by `qi_gen_take`. A generator marked shared
//! (another green thread may resume it) shares its closure, and publishes what it yields.

use corosensei::{Coroutine, CoroutineResult, Yielder};

use crate::exception::{self, raise_error};
use crate::green::Raising;
use crate::guard::guard;
use crate::object::{self, Header, ObjKind, FLAG_SHARED};
use crate::sched::{self, stack, stack::GreenStack};

#[repr(C)]
pub struct Generator {
    header: Header,
    data: *mut GenData,
}

/// What the body's `让出` is resumed with.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Resume {
    Next,
    /// The generator was freed: unwind.
    Cancel,
}

type GenCo = Coroutine<Resume, (), u8, GreenStack>;

#[derive(Clone, Copy, PartialEq, Eq)]
enum State {
    /// Made, never resumed: nothing runs yet.
    Fresh,
    /// Stopped at a `让出`.
    Suspended,
    /// Its body is running (on the green thread that resumed it).
    Running,
    /// The body ended (returned or raised): `恢复` gives `无` from now on.
    Done,
}

pub struct GenData {
    /// The closure running the body (owned until the body has ended).
    closure: *mut Header,
    /// The yielded values are objects (counted references).
    objects: bool,
    state: State,
    co: Option<GenCo>,
    /// The body's yielder, valid while the coroutine is started and not done.
    yielder: *const Yielder<Resume, ()>,
    /// The value of the last `让出`, not yet taken (owned).
    value: Option<u64>,
    /// The top of the coroutine's stack, and where a stack overflow was raised on it
    /// whose pages are not given back yet (see `sched::overflow`).
    stack_base: usize,
    overflow_at: usize,
    /// Being cancelled: every further `让出` raises.
    cancelling: bool,
}

/// # Safety
/// `g` is a live generator object.
unsafe fn data(g: *mut Header) -> *mut GenData {
    // SAFETY: per the caller; the data box lives as long as the object.
    unsafe { (*(g as *mut Generator)).data }
}

const fn ok(value: u64) -> Raising {
    Raising { value, raised: 0 }
}

fn raise(zh: &str, en: &str, file: u32, line: u32) -> Raising {
    raise_error(zh.into(), en.into(), file, line);
    Raising { value: 0, raised: 1 }
}

/// A new generator that will run `closure` (borrowed: the generator takes a reference).
///
/// # Safety
/// `closure` is a live closure `函数()`.
pub unsafe fn new_generator(closure: *mut Header, objects: bool) -> *mut Header {
    // SAFETY: per the caller.
    unsafe { object::retain(closure) };
    let p = object::allocate(ObjKind::Generator, 0, 0, 8, false) as *mut Generator;
    let data = Box::new(GenData {
        closure,
        objects,
        state: State::Fresh,
        co: None,
        yielder: std::ptr::null(),
        value: None,
        stack_base: 0,
        overflow_at: 0,
        cancelling: false,
    });
    // SAFETY: fresh allocation with room for the data pointer.
    unsafe { (*p).data = Box::into_raw(data) };
    p as *mut Header
}

/// The closure of a live generator (null once its body has ended), for marking shared.
///
/// # Safety
/// `g` is a live generator object.
pub(crate) unsafe fn closure(g: *mut Header) -> *mut Header {
    // SAFETY: per the caller.
    unsafe { (*data(g)).closure }
}

/// Makes the coroutine of a fresh generator; false when no stack can be had.
///
/// # Safety
/// `gd` is the data of a live fresh generator.
unsafe fn start(gd: *mut GenData) -> bool {
    let Ok(stack) = stack::take() else { return false };
    let entry = sched::entry();
    let stack_base = stack.base();
    // SAFETY: per the caller.
    let closure = unsafe { (*gd).closure };
    let gd_addr = gd as usize;
    let co = Coroutine::with_stack(stack, move |y: &Yielder<Resume, ()>, _first: Resume| {
        // SAFETY: the generator lives while its body runs (`resume` holds a reference,
        // and a free cancels the body before the data goes); the yielder lives on this
        // coroutine's stack while it runs.
        unsafe { (*(gd_addr as *mut GenData)).yielder = y as *const Yielder<Resume, ()> };
        // SAFETY: the program's closure entry stub; the stack has the full budget below
        // it and `LIMIT_MARGIN` more; the generator owns a reference to the closure.
        unsafe { (entry.closure)(closure, stack::FULL_BUDGET) }
    });
    // SAFETY: per the caller.
    unsafe {
        (*gd).stack_base = stack_base;
        (*gd).co = Some(co);
    }
    true
}

/// Switches into the body until it yields or ends, with the running green thread's
/// stack bookkeeping set for the generator's stack meanwhile.
///
/// # Safety
/// `gd` is the data of a live started generator that is not running, and a green thread
/// runs the caller.
unsafe fn run(gd: *mut GenData, how: Resume) -> CoroutineResult<(), u8> {
    let task = sched::current_ptr();
    // SAFETY: the running green thread's own local state, touched only through this raw
    // pointer (the body may park and the thread resume on another worker; the task
    // stays the same).
    let local = unsafe { (*task).local.get() };
    // SAFETY: as above; `gd` per the caller.
    let saved = unsafe {
        let saved = ((*local).stack_base, (*local).overflow_at, (*local).generator);
        (*local).stack_base = (*gd).stack_base;
        (*local).overflow_at = (*gd).overflow_at;
        (*local).generator = gd;
        (*gd).state = State::Running;
        saved
    };
    // SAFETY: per the caller the coroutine exists; the data box does not move.
    let result = unsafe { (*gd).co.as_mut().expect("started").resume(how) };
    // SAFETY: as above.
    unsafe {
        (*gd).overflow_at = (*local).overflow_at;
        ((*local).stack_base, (*local).overflow_at, (*local).generator) = saved;
    }
    match result {
        // SAFETY: per the caller.
        CoroutineResult::Yield(()) => unsafe { (*gd).state = State::Suspended },
        // SAFETY: per the caller.
        CoroutineResult::Return(_) => unsafe { finish(gd) },
    }
    result
}

/// The body has ended: its stack goes back to the pool, its closure is released.
///
/// # Safety
/// `gd` is the data of a live generator whose body has just ended.
unsafe fn finish(gd: *mut GenData) {
    // SAFETY: per the caller.
    let gd = unsafe { &mut *gd };
    gd.state = State::Done;
    gd.yielder = std::ptr::null();
    if gd.overflow_at != 0 {
        stack::release_below(gd.stack_base, gd.stack_base);
        gd.overflow_at = 0;
    }
    gd.co = None;
    // SAFETY: the generator's reference, no longer needed.
    unsafe { object::release(std::mem::replace(&mut gd.closure, std::ptr::null_mut())) };
}

/// `恢复(g)`, first half: runs the body to its next `让出` (1: a value is ready for
/// `qi_gen_take`) or to its end (0, and 0 ever after). An exception leaving the body
/// stays pending (raised = 1).
///
/// # Safety
/// `g` is a live generator.
pub unsafe extern "C" fn qi_gen_resume(g: *mut Header, file: u32, line: u32) -> Raising {
    // SAFETY: per the caller.
    guard(|| unsafe { resume(g, file, line) })
}

/// # Safety
/// `g` is a live generator.
unsafe fn resume(g: *mut Header, file: u32, line: u32) -> Raising {
    // SAFETY: per the caller.
    let gd = unsafe { data(g) };
    // SAFETY: per the caller.
    match unsafe { (*gd).state } {
        State::Done => return ok(0),
        State::Running => {
            return raise(
                "协程正在运行：不能在它自己的函数体里恢复它",
                "the generator is running: it cannot be resumed from its own body",
                file,
                line,
            )
        }
        // SAFETY: per the caller.
        State::Fresh if !unsafe { start(gd) } => {
            return raise(
                "无法为协程分配栈（地址空间不足）",
                "cannot map a stack for a generator (out of address space)",
                file,
                line,
            )
        }
        State::Fresh | State::Suspended => {}
    }
    // The body might drop the caller's last reference (through a global): the generator
    // stays alive until the switch back.
    // SAFETY: per the caller.
    unsafe { object::retain(g) };
    // SAFETY: started and not running (checked above); `恢复` runs on a green thread.
    let result = unsafe { run(gd, Resume::Next) };
    let out = match result {
        CoroutineResult::Yield(()) => ok(1),
        CoroutineResult::Return(0) => ok(0),
        CoroutineResult::Return(_) => Raising { value: 0, raised: 1 },
    };
    // SAFETY: the reference taken above.
    unsafe { object::release(g) };
    out
}

/// `恢复(g)`, second half: the value of the `让出` it stopped at (owned).
///
/// # Safety
/// `g` is a live generator.
pub unsafe extern "C" fn qi_gen_take(g: *mut Header) -> u64 {
    // SAFETY: per the caller.
    guard(|| unsafe { (*data(g)).value.take() }.unwrap_or(0))
}

/// `让出 v` in the body of the generator the running green thread is running (`v`
/// borrowed). Returns when it is resumed; raises when it is being cancelled.
///
/// # Safety
/// Called only from a generator's body (the checker allows `让出` nowhere else), with a
/// value of its element type.
pub unsafe extern "C" fn qi_gen_yield(v: u64, file: u32, line: u32) -> Raising {
    // SAFETY: per the caller.
    guard(|| unsafe { yield_value(v, file, line) })
}

/// # Safety
/// See [`qi_gen_yield`].
unsafe fn yield_value(v: u64, file: u32, line: u32) -> Raising {
    let task = sched::current_ptr();
    // SAFETY: the running green thread's local state; `generator` is set by `run` while
    // the body runs, and the body is running this.
    let gd = unsafe { (*(*task).local.get()).generator };
    assert!(!gd.is_null(), "让出 outside a generator's body");
    // SAFETY: the generator is alive while its body runs (see `run`).
    let g = unsafe { &mut *gd };
    if g.cancelling {
        return abandoned(file, line);
    }
    if g.objects {
        let obj = v as usize as *mut Header;
        // SAFETY: a live object of the element type, borrowed from the body.
        unsafe {
            object::retain(obj);
            if generator_is_shared(gd) {
                sched::publish(obj);
            }
        }
    }
    if let Some(old) = g.value.replace(v) {
        release_value(g.objects, old);
    }
    let yielder = g.yielder;
    // SAFETY: the yielder lives on the body's stack, which is running this.
    let how = unsafe { &*yielder }.suspend(());
    // The body is running again (maybe on another worker: nothing of the switched-out
    // frame is reused but the data box, which does not move).
    if how == Resume::Cancel {
        // SAFETY: as above.
        unsafe { (*gd).cancelling = true };
        return abandoned(file, line);
    }
    ok(0)
}

fn abandoned(file: u32, line: u32) -> Raising {
    raise("协程已被放弃", "the generator was abandoned", file, line)
}

/// Is the generator whose data is `gd` marked shared? The data does not point back to
/// the object, but marking a generator shared marks its closure too (`object::mark_shared`),
/// and nothing else holds that closure, so the closure's mark answers.
fn generator_is_shared(gd: *mut GenData) -> bool {
    // SAFETY: a live generator's data; its closure is live while the body runs.
    let closure = unsafe { (*gd).closure };
    // SAFETY: as above.
    !closure.is_null() && unsafe { (*closure).flags } & FLAG_SHARED != 0
}

fn release_value(objects: bool, v: u64) {
    if objects {
        // SAFETY: an owned reference held by the generator.
        unsafe { object::release(v as usize as *mut Header) };
    }
}

/// Frees the payload of a dead generator: cancels a suspended body first (see the
/// module comment), then returns the references left to drop (its closure, an untaken
/// object value; null where none).
///
/// # Safety
/// `g` is a generator object whose count reached zero.
pub(crate) unsafe fn drop_payload(g: *mut Header) -> [*mut Header; 2] {
    // SAFETY: per the caller; the box was made by `new_generator`.
    let gd = unsafe { data(g) };
    // SAFETY: as above.
    if unsafe { (*gd).state } == State::Suspended {
        if sched::current_ptr().is_null() {
            // Not on a green thread (cannot happen for a running program): the frames
            // cannot be unwound here, so the stack is left as it is.
            // SAFETY: as above.
            std::mem::forget(unsafe { (*gd).co.take() });
        } else {
            let pending = exception::take_pending();
            // SAFETY: suspended, so started and not running; on a green thread.
            let result = unsafe { run(gd, Resume::Cancel) };
            debug_assert!(matches!(result, CoroutineResult::Return(_)), "a cancelled body ends");
            if let CoroutineResult::Yield(()) = result {
                // Unreachable: every `让出` of a cancelled body raises.
                // SAFETY: as above.
                std::mem::forget(unsafe { (*gd).co.take() });
            }
            // SAFETY: the cancellation's exception (or null), owned by the pending slot.
            unsafe { object::release(exception::take_pending()) };
            exception::restore_pending(pending);
        }
    }
    // SAFETY: per the caller; nothing else refers to the data now.
    let mut gd = unsafe { Box::from_raw(gd) };
    let value = match gd.value.take() {
        Some(v) if gd.objects => v as usize as *mut Header,
        _ => std::ptr::null_mut(),
    };
    if let Some(co) = gd.co.take() {
        if co.started() && !co.done() {
            // Dropping a suspended coroutine would unwind generated frames.
            std::mem::forget(co);
        }
    }
    [gd.closure, value]
}

/// `协程 函数` called: a generator running `closure` `函数()` (borrowed) whose values
/// are objects when `objects` is 1.
///
/// # Safety
/// `closure` is a live closure `函数()`.
pub unsafe extern "C" fn qi_gen_new(closure: *mut Header, objects: u8) -> *mut Header {
    // SAFETY: per the caller.
    guard(|| unsafe { new_generator(closure, objects != 0) })
}
