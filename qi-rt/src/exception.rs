//! Qi exceptions (`抛出`, runtime errors): reference-counted objects carrying a message,
//! where they were raised, the Qi call stack they unwound through, and an optional cause
//! (the exception being handled when this one was raised).
//!
//! Generated code does not unwind the native stack. A raise stores the new exception as
//! the thread's *pending* exception and returns; every Qi function then returns a status
//! and its caller branches to its landing code, which releases what the frame owns,
//! appends the frame to the trace, and continues at a `捕获` or leaves in turn.

use crate::guard::guard;
use crate::object::{self, Header, ObjKind};
use crate::string::{new_str, str_as_str, Str};
use crate::trace::{Frame, Trace};
use std::cell::Cell;
use std::sync::Mutex;

/// The payload of an exception object.
pub struct ExceptionData {
    pub message: String,
    /// Where it was raised: file index and line.
    pub file: u32,
    pub line: u32,
    /// Frames it unwound through, innermost first (bounded: see `trace`).
    pub trace: Trace,
    /// The exception being handled when this one was raised (owned; may be null).
    pub cause: *mut Header,
}

#[repr(C)]
pub struct Exception {
    pub header: Header,
    pub data: *mut ExceptionData,
}

thread_local! {
    /// The exception being propagated on this OS thread (owned; null when none). Between
    /// a raise and the landing that takes it no green-thread switch happens, so one slot
    /// per OS thread serves all the green threads it runs.
    static PENDING: Cell<*mut Header> = const { Cell::new(std::ptr::null_mut()) };
}

/// Source file names by index, for locations in messages (shared by all workers).
static FILES: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// Source file names of the running program (index = `Loc::file`).
pub fn set_file_names(names: Vec<String>) {
    *FILES.lock().unwrap_or_else(|e| e.into_inner()) = names;
}

pub(crate) fn file_name(i: u32) -> String {
    FILES
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .get(i as usize)
        .cloned()
        .unwrap_or_else(|| "?".into())
}

/// Allocate a new exception object (rc=1).
pub fn new_exception(message: String, file: u32, line: u32, cause: *mut Header) -> *mut Header {
    let p = object::allocate(ObjKind::Exception, 0, 0, 8, false) as *mut Exception;
    let data = Box::new(ExceptionData { message, file, line, trace: Trace::default(), cause });
    // SAFETY: fresh allocation with room for the data pointer.
    unsafe { (*p).data = Box::into_raw(data) };
    p as *mut Header
}

/// # Safety
/// `p` is a live exception object.
pub(crate) unsafe fn data<'a>(p: *mut Header) -> &'a mut ExceptionData {
    // SAFETY: per the caller; the data box lives as long as the object.
    unsafe { &mut *(*(p as *mut Exception)).data }
}

/// Free the payload of a dead exception; returns its cause (a reference to drop).
///
/// # Safety
/// `p` is an exception object whose count reached zero.
pub(crate) unsafe fn drop_payload(p: *mut Header) -> *mut Header {
    // SAFETY: per the caller; the box was made by `new_exception`.
    let data = unsafe { Box::from_raw((*(p as *mut Exception)).data) };
    data.cause
}

/// Make `e` (owned) the pending exception.
fn raise(e: *mut Header) {
    let old = PENDING.with(|p| p.replace(e));
    // SAFETY: the pending slot owned `old`.
    unsafe { object::release(old) };
}

/// Is an exception pending on this OS thread (between a raise and its landing)?
#[inline(never)]
pub fn is_pending() -> bool {
    PENDING.with(|p| !p.get().is_null())
}

/// Make `e` (owned, or null) pending again after it was taken with [`take_pending`]
/// while other code ran (a generator's body unwinding: `crate::generator`).
pub(crate) fn restore_pending(e: *mut Header) {
    raise(e)
}

/// Take the pending exception (owned; null if none).
pub fn take_pending() -> *mut Header {
    PENDING.with(|p| p.replace(std::ptr::null_mut()))
}

/// Raise a runtime error with its Chinese and English messages (after a green thread
/// resumed: never inlined, so no thread-local address is reused across a switch).
#[inline(never)]
pub(crate) fn raise_error(zh: String, en: String, file: u32, line: u32) {
    raise_new(msg(zh, en), file, line)
}

/// Raise a fresh exception carrying the message, origin, trace and cause of `e` (a failed
/// future's exception, which several awaiters may re-raise). The frames the awaiter
/// unwinds through are appended to the copied trace, so a report shows the frames from
/// the throw site up through the future's body, then the awaiting ones.
///
/// # Safety
/// `e` is a live exception.
#[inline(never)]
pub(crate) unsafe fn raise_copy(e: *mut Header) {
    // SAFETY: per the caller; only read (several awaiters may do this at once).
    let d: &ExceptionData = unsafe { &*(*(e as *mut Exception)).data };
    // SAFETY: the cause is live while `e` is (and shared with it); the copy takes its own
    // reference.
    unsafe { object::retain(d.cause) };
    let copy = new_exception(d.message.clone(), d.file, d.line, d.cause);
    // SAFETY: a fresh exception nobody else sees yet.
    unsafe { data(copy) }.trace = d.trace.clone();
    raise(copy)
}

fn raise_new(message: String, file: u32, line: u32) {
    raise(new_exception(message, file, line, std::ptr::null_mut()));
}

fn lang_en() -> bool {
    crate::lang::english()
}

fn msg(zh: String, en: String) -> String {
    if lang_en() {
        en
    } else {
        zh
    }
}

// ---------------------------------------------------------------------------
// Entry points

/// `抛出 消息` (the message is already converted to a string).
///
/// # Safety
/// `message` is null or a live string.
pub unsafe extern "C" fn qi_throw(message: *const Str, file: i64, line: i64) {
    // SAFETY: per the caller.
    let text = unsafe { str_as_str(message) }.to_string();
    guard(|| raise_new(text, file as u32, line as u32))
}

/// `抛出` inside a `捕获` body: the caught exception becomes the cause.
///
/// # Safety
/// `message` is null or a live string; `cause` is null or a live exception.
pub unsafe extern "C" fn qi_throw_caused(
    message: *const Str,
    cause: *mut Header,
    file: i64,
    line: i64,
) {
    // SAFETY: per the caller.
    let text = unsafe { str_as_str(message) }.to_string();
    // SAFETY: the new exception keeps its own reference to the cause.
    unsafe { object::retain(cause) };
    guard(|| raise(new_exception(text, file as u32, line as u32, cause)))
}

/// Take the pending exception into a `捕获` (owned).
pub extern "C" fn qi_exc_take() -> *mut Header {
    crate::sched::overflow::after_catch();
    take_pending()
}

/// Raise a caught exception again (after `最终`); `e` stays owned by the caller.
///
/// # Safety
/// `e` is a live exception.
pub unsafe extern "C" fn qi_exc_rethrow(e: *mut Header) {
    // SAFETY: the pending slot takes its own reference.
    unsafe { object::retain(e) };
    raise(e)
}

/// The message of an exception (owned string).
///
/// # Safety
/// `e` is null or a live exception.
pub unsafe extern "C" fn qi_exc_message(e: *mut Header) -> *mut Str {
    if e.is_null() {
        return new_str("");
    }
    // SAFETY: per the caller.
    let m = unsafe { data(e) }.message.clone();
    guard(|| new_str(&m))
}

/// `文件:行` where an exception was raised (owned string).
///
/// # Safety
/// `e` is null or a live exception.
pub unsafe extern "C" fn qi_exc_location(e: *mut Header) -> *mut Str {
    if e.is_null() {
        return new_str("");
    }
    // SAFETY: per the caller.
    let d = unsafe { data(e) };
    let (file, line) = (d.file, d.line);
    guard(|| new_str(&format!("{}:{line}", file_name(file))))
}

/// The message of an exception's cause, or `""` (owned string).
///
/// # Safety
/// `e` is null or a live exception.
pub unsafe extern "C" fn qi_exc_cause(e: *mut Header) -> *mut Str {
    if e.is_null() {
        return new_str("");
    }
    // SAFETY: per the caller; the cause, if any, is owned by `e`.
    let cause = unsafe { data(e) }.cause;
    // SAFETY: as above.
    unsafe { qi_exc_message(cause) }
}

/// A frame the pending exception unwinds through (innermost first).
///
/// # Safety
/// `function` is an immortal string (it is kept without a reference).
pub unsafe extern "C" fn qi_exc_trace(function: *const Str, file: i64, line: i64) {
    PENDING.with(|p| {
        let e = p.get();
        if !e.is_null() {
            // SAFETY: the pending exception is live.
            unsafe { data(e) }.trace.push((function, file as u32, line as u32));
        }
    })
}

pub extern "C" fn qi_raise_div_zero(file: u32, line: u32) {
    raise_new(msg("除数为零".into(), "division by zero".into()), file, line)
}

// The raising entry points that report values take them through memory, `operands`
// pointing to one 64-bit word per value: compiled code stores them there on its cold
// raise path. Passed in argument registers, each value of a hot loop that a bounds check
// or a conversion reports would be pinned to a call's register by Cranelift's register
// allocator, which then copies or spills it in the loop (benches/README.md, "Cold raise
// paths take their operands through memory").

/// # Safety
/// `operands` points to two readable words: the index and the length.
pub unsafe extern "C" fn qi_raise_index(operands: *const i64, file: u32, line: u32) {
    // SAFETY: per the caller.
    let (index, len) = unsafe { (*operands, *operands.add(1)) };
    raise_new(
        msg(
            format!("下标越界：下标 {index}，长度 {len}"),
            format!("index out of range: index {index}, length {len}"),
        ),
        file,
        line,
    )
}

/// # Safety
/// `operand` points to a readable word: the float.
pub unsafe extern "C" fn qi_raise_float_to_int(operand: *const f64, file: u32, line: u32) {
    // SAFETY: per the caller.
    let shown = crate::format::float_to_string(unsafe { *operand });
    raise_new(
        msg(
            format!("浮点数 {shown} 无法转换为整数"),
            format!("float {shown} cannot be converted to an integer"),
        ),
        file,
        line,
    )
}

/// # Safety
/// `operand` points to a readable word: the character code.
pub unsafe extern "C" fn qi_raise_int_to_char(operand: *const i64, file: u32, line: u32) {
    // SAFETY: per the caller.
    let n = unsafe { *operand };
    raise_new(
        msg(format!("{n} 不是有效的字符码"), format!("{n} is not a valid character code")),
        file,
        line,
    )
}

/// # Safety
/// `operand` points to a readable word: null or a live string, the global's name.
pub unsafe extern "C" fn qi_raise_uninit_global(operand: *const *const Str, file: u32, line: u32) {
    // SAFETY: per the caller.
    let name = unsafe { str_as_str(*operand) }.to_string();
    raise_new(
        msg(
            format!("全局变量 {name} 在初始化之前被读取"),
            format!("global {name} was read before its initialiser ran"),
        ),
        file,
        line,
    )
}

pub extern "C" fn qi_raise_stack_overflow(file: u32, line: u32) {
    crate::sched::overflow::note_overflow();
    raise_new(
        msg("栈溢出：递归太深".into(), "stack overflow: recursion too deep".into()),
        file,
        line,
    )
}

/// One line per frame: `  在 函数 (文件:行)`; consecutive identical frames (recursion)
/// are shown once, with a count.
fn push_frames(out: &mut String, frames: &[Frame]) {
    let at = if lang_en() { "at" } else { "在" };
    let mut i = 0;
    while i < frames.len() {
        let (function, file, line) = frames[i];
        let same = frames[i..].iter().take_while(|f| **f == frames[i]).count();
        // SAFETY: function names are immortal literals of the program.
        let function = unsafe { str_as_str(function) };
        out.push_str(&format!("  {at} {function} ({}:{line})", file_name(file)));
        if same > 1 {
            out.push_str(&if lang_en() {
                format!(" ×{same}")
            } else {
                format!("（重复 {same} 次）")
            });
        }
        out.push('\n');
        i += same;
    }
}

/// The message of exception `e` (`""` for null).
///
/// # Safety
/// `e` is null or a live exception.
pub unsafe fn message(e: *mut Header) -> String {
    if e.is_null() {
        return String::new();
    }
    // SAFETY: per the caller.
    unsafe { data(e) }.message.clone()
}

/// The text printed for an exception nobody caught: the message, then one line per frame
/// (innermost first) with the function and the `file:line` of the call site.
///
/// # Safety
/// `e` is null or a live exception.
pub unsafe fn uncaught_report(e: *mut Header) -> String {
    if e.is_null() {
        return String::new();
    }
    // SAFETY: per the caller.
    let d = unsafe { data(e) };
    let mut out = if lang_en() {
        format!("uncaught exception: {}\n", d.message)
    } else {
        format!("未捕获的异常: {}\n", d.message)
    };
    let bottom: Vec<Frame> = d.trace.bottom().copied().collect();
    if d.trace.omitted() == 0 {
        // Nothing between the two ends: one run of frames (a recursion may span both).
        push_frames(&mut out, &[d.trace.top(), &bottom].concat());
    } else {
        push_frames(&mut out, d.trace.top());
        let n = d.trace.omitted();
        out.push_str(&if lang_en() {
            format!("  … {n} more frames\n")
        } else {
            format!("  …… 另有 {n} 帧\n")
        });
        push_frames(&mut out, &bottom);
    }
    let mut cause = d.cause;
    while !cause.is_null() {
        // SAFETY: causes are live while their exception is.
        let c = unsafe { data(cause) };
        let label = if lang_en() { "caused by" } else { "起因" };
        out.push_str(&format!("{label}: {} ({}:{})\n", c.message, file_name(c.file), c.line));
        cause = c.cause;
    }
    out
}
