//! Entry points of green threads, channels, `选择`, futures and synchronisation (see
//! docs/CONCURRENCY.md). Values of any Qi type travel as 64 bits (`qi_ir::Bits`).
//!
//! Entry points that can raise return a [`Raising`] pair in two registers: the result
//! and 1 when an exception is now pending (generated code then unwinds), 0 otherwise.
//! They take the source position (file, line) of the operation last.

use crate::chan::{self, Channel};
use crate::exception::raise_error;
use crate::future::{self, Awaited};
use crate::guard::guard;
use crate::object::Header;
use crate::sched;
use crate::string::{str_as_str, Str};
use crate::sync::{self, MutexError, WaitGroupError};

/// A result and whether an exception is pending (returned in two registers).
#[repr(C)]
pub struct Raising {
    pub value: u64,
    pub raised: u64,
}

const fn ok(value: u64) -> Raising {
    Raising { value, raised: 0 }
}

fn raise(zh: String, en: String, file: u32, line: u32) -> Raising {
    raise_error(zh, en, file, line);
    Raising { value: 0, raised: 1 }
}

fn bad_handle(what_zh: &str, what_en: &str, h: i64, file: u32, line: u32) -> Raising {
    raise(format!("无效的{what_zh}句柄：{h}"), format!("invalid {what_en} handle: {h}"), file, line)
}

// ---------------------------------------------------------------------------
// Green threads

/// `启动`: runs the closure `函数()` on a new green thread.
///
/// # Safety
/// `closure` is a live closure object taking no arguments.
pub unsafe extern "C" fn qi_spawn(closure: *mut Header) {
    // SAFETY: per the caller.
    guard(|| unsafe { sched::spawn(closure) })
}

/// `设置超时(ms)`, `等待 异步睡眠(ms)`.
pub extern "C" fn qi_sleep(ms: i64) {
    guard(|| sched::sleep(ms))
}

/// `等待 让出()`.
pub extern "C" fn qi_yield() {
    guard(sched::yield_now)
}

/// `执行器运行全部()`.
pub extern "C" fn qi_run_all() {
    guard(sched::run_all)
}

/// `执行器单步()` → 1/0.
pub extern "C" fn qi_step() -> i64 {
    guard(|| sched::step() as i64)
}

/// `获取时间()`: milliseconds since the Unix epoch.
pub extern "C" fn qi_time_ms() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

// ---------------------------------------------------------------------------
// Channels

/// `通道<T>(n)`.
pub extern "C" fn qi_chan_new(cap: i64, objects: u8, file: u32, line: u32) -> Raising {
    guard(|| {
        if cap < 0 {
            return raise(
                format!("通道容量不能为负数：{cap}"),
                format!("negative channel capacity: {cap}"),
                file,
                line,
            );
        }
        ok(chan::new_channel(cap as usize, objects != 0) as u64)
    })
}

fn closed_send(file: u32, line: u32) -> Raising {
    raise("向已关闭的通道发送".into(), "send on a closed channel".into(), file, line)
}

/// `c <- v`.
///
/// # Safety
/// `c` is a live channel and `v` a value of its element type.
pub unsafe extern "C" fn qi_chan_send(c: *mut Channel, v: u64, file: u32, line: u32) -> Raising {
    // SAFETY: per the caller.
    guard(|| match unsafe { chan::send(c, v) } {
        Ok(()) => ok(0),
        Err(_) => closed_send(file, line),
    })
}

/// `<-c`: the value (owned), or 0 when the channel is closed and drained.
///
/// # Safety
/// `c` is a live channel.
pub unsafe extern "C" fn qi_chan_recv(c: *mut Channel) -> u64 {
    // SAFETY: per the caller.
    guard(|| unsafe { chan::recv(c) }.0)
}

/// Receive into the held slot; 0 when closed and drained.
///
/// # Safety
/// `c` is a live channel.
pub unsafe extern "C" fn qi_chan_recv_ok(c: *mut Channel) -> u8 {
    // SAFETY: per the caller.
    guard(|| unsafe { chan::recv_held(c) } as u8)
}

/// The held value (owned).
pub extern "C" fn qi_chan_take() -> u64 {
    guard(chan::take_held)
}

/// `关闭(c)`.
///
/// # Safety
/// `c` is a live channel.
pub unsafe extern "C" fn qi_chan_close(c: *mut Channel, file: u32, line: u32) -> Raising {
    // SAFETY: per the caller.
    guard(|| match unsafe { chan::close(c) } {
        Ok(()) => ok(0),
        Err(_) => raise("关闭已关闭的通道".into(), "close of a closed channel".into(), file, line),
    })
}

pub extern "C" fn qi_select_begin() {
    guard(chan::select_begin)
}

/// # Safety
/// `c` is a live channel, kept alive until the `选择` ends.
pub unsafe extern "C" fn qi_select_recv(c: *mut Channel) {
    // SAFETY: per the caller.
    guard(|| unsafe { chan::select_add(c, None) })
}

/// # Safety
/// `c` is a live channel, kept alive until the `选择` ends; `v` a value of its type.
pub unsafe extern "C" fn qi_select_send(c: *mut Channel, v: u64) {
    // SAFETY: per the caller.
    guard(|| unsafe { chan::select_add(c, Some(v)) })
}

/// The chosen case: its index, -1 timeout, -2 `默认`. `timeout_ms` is `i64::MIN` without
/// a timeout case.
pub extern "C" fn qi_select_wait(
    timeout_ms: i64,
    has_default: u8,
    file: u32,
    line: u32,
) -> Raising {
    guard(|| match chan::select_wait(timeout_ms, has_default != 0) {
        Ok(i) => ok(i as u64),
        Err(_) => closed_send(file, line),
    })
}

// ---------------------------------------------------------------------------
// Futures

pub extern "C" fn qi_future_new(objects: u8) -> *mut Header {
    guard(|| future::pending(objects != 0))
}

/// Runs `closure` at once on a new green thread that completes `fut`. `stack_left` is
/// the caller's stack pointer less its stack limit (negative: none left), which the new
/// green thread inherits as its stack budget.
///
/// # Safety
/// `closure` is a live closure `函数()`, `fut` a live future.
pub unsafe extern "C" fn qi_future_spawn(closure: *mut Header, fut: *mut Header, stack_left: i64) {
    let stack_left = stack_left.max(0) as usize;
    // SAFETY: per the caller.
    guard(|| unsafe { sched::spawn_eager(closure, fut, stack_left) })
}

/// # Safety
/// `fut` is a live future and `v` a value of its type.
pub unsafe extern "C" fn qi_future_complete(fut: *mut Header, v: u64) {
    // SAFETY: per the caller.
    guard(|| unsafe { future::complete(fut, v) })
}

/// `未来::就绪(v)`.
///
/// # Safety
/// `v` is a value of the future's type.
pub unsafe extern "C" fn qi_future_ready(v: u64, objects: u8) -> *mut Header {
    // SAFETY: per the caller.
    guard(|| unsafe { future::ready(v, objects != 0) })
}

/// `未来::失败(消息)`.
///
/// # Safety
/// `message` is null or a live string.
pub unsafe extern "C" fn qi_future_failed(message: *const Str, objects: u8) -> *mut Header {
    // SAFETY: per the caller.
    let text = unsafe { str_as_str(message) }.to_string();
    // SAFETY: a fresh exception, handed over.
    guard(|| unsafe {
        future::failed(
            crate::exception::new_exception(text, 0, 0, std::ptr::null_mut()),
            objects != 0,
        )
    })
}

/// `等待 f`: the value (owned), or raises the future's failure.
///
/// # Safety
/// `fut` is a live future.
pub unsafe extern "C" fn qi_await(fut: *mut Header, file: u32, line: u32) -> Raising {
    let _ = (file, line);
    // SAFETY: per the caller.
    guard(|| match unsafe { future::await_future(fut) } {
        Awaited::Value(v) => ok(v),
        Awaited::Failed(e) => {
            // SAFETY: the future keeps `e` alive.
            unsafe { crate::exception::raise_copy(e) };
            Raising { value: 0, raised: 1 }
        }
    })
}

// ---------------------------------------------------------------------------
// Wait groups, mutexes, deadline timers

pub extern "C" fn qi_wg_new() -> i64 {
    guard(sync::wait_group_new)
}

fn wg_result(r: Result<(), WaitGroupError>, h: i64, file: u32, line: u32) -> Raising {
    match r {
        Ok(()) => ok(0),
        Err(WaitGroupError::BadHandle) => bad_handle("等待组", "wait group", h, file, line),
        Err(WaitGroupError::Negative) => {
            raise("等待组计数变为负数".into(), "negative wait group counter".into(), file, line)
        }
    }
}

pub extern "C" fn qi_wg_add(h: i64, n: i64, file: u32, line: u32) -> Raising {
    guard(|| wg_result(sync::wait_group_add(h, n), h, file, line))
}

pub extern "C" fn qi_wg_done(h: i64, file: u32, line: u32) -> Raising {
    guard(|| wg_result(sync::wait_group_add(h, -1), h, file, line))
}

pub extern "C" fn qi_wg_wait(h: i64, file: u32, line: u32) -> Raising {
    guard(|| match sync::wait_group_wait(h) {
        Ok(()) => ok(0),
        Err(_) => bad_handle("等待组", "wait group", h, file, line),
    })
}

pub extern "C" fn qi_mutex_new() -> i64 {
    guard(sync::mutex_new)
}

pub extern "C" fn qi_mutex_lock(h: i64, file: u32, line: u32) -> Raising {
    guard(|| match sync::mutex_lock(h) {
        Ok(()) => ok(1),
        Err(_) => bad_handle("互斥锁", "mutex", h, file, line),
    })
}

pub extern "C" fn qi_mutex_unlock(h: i64, file: u32, line: u32) -> Raising {
    guard(|| match sync::mutex_unlock(h) {
        Ok(()) => ok(1),
        Err(MutexError::BadHandle) => bad_handle("互斥锁", "mutex", h, file, line),
        Err(MutexError::NotLocked) => {
            raise("解锁未加锁的互斥锁".into(), "unlock of an unlocked mutex".into(), file, line)
        }
    })
}

pub extern "C" fn qi_mutex_try_lock(h: i64, file: u32, line: u32) -> Raising {
    guard(|| match sync::mutex_try_lock(h) {
        Ok(b) => ok(b as u64),
        Err(_) => bad_handle("互斥锁", "mutex", h, file, line),
    })
}

/// `创建定时器(ms)`.
pub extern "C" fn qi_timer_new(ms: i64) -> i64 {
    guard(|| sync::timer_new(ms))
}

/// `定时器过期(t)` → 1/0.
pub extern "C" fn qi_timer_expired(h: i64, file: u32, line: u32) -> Raising {
    guard(|| match sync::timer_expired(h) {
        Ok(b) => ok(b as u64),
        Err(_) => bad_handle("定时器", "timer", h, file, line),
    })
}

/// `停止定时器(t)` → 1.
pub extern "C" fn qi_timer_stop(h: i64, file: u32, line: u32) -> Raising {
    guard(|| match sync::timer_stop(h) {
        Ok(()) => ok(1),
        Err(_) => bad_handle("定时器", "timer", h, file, line),
    })
}

/// Publishes an object stored where other green threads can reach it (a global, or a
/// slot of a shared object): it and all it reaches become shared.
///
/// # Safety
/// `p` is null or a live object.
pub unsafe extern "C" fn qi_publish(p: *mut Header) {
    // SAFETY: per the caller.
    guard(|| unsafe { sched::publish(p) })
}
