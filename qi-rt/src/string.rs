//! UTF-8 strings: immutable to every reader, grown in place by their only owner.
//!
//! Layout: header (kind `Str`) + `len: u64` (byte count) + the bytes. There is
//! no NUL terminator: `\0` is an ordinary byte. Null is accepted wherever a
//! string is read and behaves as the empty string.
//!
//! # Capacity
//! The header's `aux` is the string's *capacity class*: 0 means the allocation holds
//! exactly `len` data bytes; `k > 0` means it holds `2^k` data bytes, of which the first
//! `len` are the string. Only [`qi_str_append`] makes strings with spare capacity, and
//! only it writes into one after its creation — when the string it is given is uniquely
//! owned (count 1, neither immortal nor SHARED), which is exactly when releasing it would
//! free it: no other reference, counted or borrowed, can see the change. Growth doubles
//! the capacity (`realloc`), so appending `n` bytes one piece at a time costs O(n).

use std::cell::RefCell;

use crate::exception::raise_error;
use crate::format;
use crate::green::Raising;
use crate::guard::guard;
use crate::object::{self, Header, ObjKind};

#[repr(C)]
pub struct Str {
    pub header: Header,
    /// Length in bytes of the UTF-8 data that follows.
    pub len: u64,
}

/// Offset of the `u64` byte length.
pub const STR_LEN_OFFSET: i32 = 8;
/// Offset of the first data byte.
pub const STR_DATA_OFFSET: i32 = 16;

const _: () = {
    assert!(std::mem::offset_of!(Str, len) == STR_LEN_OFFSET as usize);
    assert!(std::mem::size_of::<Str>() == STR_DATA_OFFSET as usize);
};

/// Payload size (after the header) of a string object, needed to free it.
///
/// # Safety
/// `p` points to a string object (live or being freed).
pub(crate) unsafe fn payload_size(p: *const Str) -> usize {
    // SAFETY: per the caller, the header and the length field are readable.
    8 + unsafe { capacity(p) }
}

/// Number of data bytes the string's allocation holds (see "Capacity").
///
/// # Safety
/// `p` points to a string object (live or being freed).
unsafe fn capacity(p: *const Str) -> usize {
    // SAFETY: per the caller, the header and the length field are readable.
    match unsafe { (*p).header.aux } {
        0 => (unsafe { (*p).len }) as usize,
        class => 1usize << class,
    }
}

/// Smallest capacity [`qi_str_append`] gives a string it grows.
const MIN_CAPACITY: usize = 16;

/// The capacity class for at least `len` data bytes: a power of two, at least
/// [`MIN_CAPACITY`]; `None` when no such size exists.
fn capacity_class(len: usize) -> Option<u16> {
    let cap = len.max(MIN_CAPACITY).checked_next_power_of_two()?;
    Some(cap.trailing_zeros() as u16)
}

/// The bytes of a string; null gives the empty slice.
///
/// # Safety
/// `p` is null or a live string object that outlives `'a`.
#[inline]
pub unsafe fn str_bytes<'a>(p: *const Str) -> &'a [u8] {
    if p.is_null() {
        return &[];
    }
    // SAFETY: a live string has `len` initialised bytes right after the
    // 16-byte prefix, inside the same allocation (or static).
    unsafe {
        let len = (*p).len as usize;
        let data = (p as *const u8).add(STR_DATA_OFFSET as usize);
        std::slice::from_raw_parts(data, len)
    }
}

/// The text of a string; null gives `""`.
///
/// # Safety
/// `p` is null or a live string object that outlives `'a`.
#[inline]
pub unsafe fn str_as_str<'a>(p: *const Str) -> &'a str {
    // SAFETY: strings are only ever built from valid UTF-8 (see `new_str_from_utf8`).
    unsafe { std::str::from_utf8_unchecked(str_bytes(p)) }
}

/// A new owned string (rc=1) holding `s`.
pub fn new_str(s: &str) -> *mut Str {
    new_str_from_utf8(s.as_bytes())
}

/// A new owned string from bytes the caller guarantees to be UTF-8.
/// The empty string is the shared immortal `""` (no allocation).
pub(crate) fn new_str_from_utf8(bytes: &[u8]) -> *mut Str {
    if bytes.is_empty() {
        return crate::literal::empty_str();
    }
    debug_assert!(std::str::from_utf8(bytes).is_ok());
    let p = alloc_str(bytes.len(), 0);
    // SAFETY: `alloc_str` reserved exactly `bytes.len()` data bytes.
    unsafe {
        let data = (p as *mut u8).add(STR_DATA_OFFSET as usize);
        std::ptr::copy_nonoverlapping(bytes.as_ptr(), data, bytes.len());
    }
    p
}

/// A new string object followed by a NUL byte (beyond its length: not part of the
/// string), for immortal strings only: the NUL lies outside what `payload_size` would
/// free, and immortal strings are never freed.
pub(crate) fn new_nul_terminated_str(bytes: &[u8], flags: u8) -> *mut Str {
    debug_assert!(std::str::from_utf8(bytes).is_ok());
    debug_assert!(flags & object::FLAG_IMMORTAL != 0);
    let payload = bytes.len().saturating_add(9);
    let Some(p) = object::try_allocate(ObjKind::Str, flags, 0, payload, false) else {
        object::out_of_memory(payload)
    };
    let p = p as *mut Str;
    // SAFETY: a fresh allocation with room for the length, the bytes and the NUL.
    unsafe {
        (*p).len = bytes.len() as u64;
        let data = (p as *mut u8).add(STR_DATA_OFFSET as usize);
        std::ptr::copy_nonoverlapping(bytes.as_ptr(), data, bytes.len());
        *data.add(bytes.len()) = 0;
    }
    p
}

/// Allocates a string object of `len` bytes with uninitialised data, or `None` when it
/// cannot be allocated (too large, or no memory).
fn try_alloc_str(len: usize, flags: u8) -> Option<*mut Str> {
    let payload = len.checked_add(8)?;
    let p = object::try_allocate(ObjKind::Str, flags, 0, payload, false)? as *mut Str;
    // SAFETY: fresh allocation with room for the length field.
    unsafe { (*p).len = len as u64 };
    Some(p)
}

/// Allocates an owned string of `len` bytes (uninitialised) with room for `2^class`,
/// or `None` when it cannot be allocated.
fn try_alloc_str_with_capacity(len: usize, class: u16) -> Option<*mut Str> {
    let cap = 1usize << class;
    debug_assert!(len <= cap);
    let payload = cap.checked_add(8)?;
    let p = object::try_allocate(ObjKind::Str, 0, class, payload, false)? as *mut Str;
    // SAFETY: fresh allocation with room for the length field.
    unsafe { (*p).len = len as u64 };
    Some(p)
}

/// [`try_alloc_str`] for strings the runtime makes itself (conversions, literals,
/// arguments): running out of memory for them ends the program.
fn alloc_str(len: usize, flags: u8) -> *mut Str {
    match try_alloc_str(len, flags) {
        Some(p) => p,
        None => object::out_of_memory(len.saturating_add(8)),
    }
}

/// A new owned string holding `a` followed by `b`, or `None` when it cannot be
/// allocated.
pub(crate) fn new_str_concat(a: &[u8], b: &[u8]) -> Option<*mut Str> {
    let p = try_alloc_str(a.len().checked_add(b.len())?, 0)?;
    // SAFETY: `try_alloc_str` reserved `a.len() + b.len()` data bytes.
    unsafe {
        let data = (p as *mut u8).add(STR_DATA_OFFSET as usize);
        std::ptr::copy_nonoverlapping(a.as_ptr(), data, a.len());
        std::ptr::copy_nonoverlapping(b.as_ptr(), data.add(a.len()), b.len());
    }
    Some(p)
}

thread_local! {
    /// Scratch buffer for number-to-string conversions, so converting a number
    /// allocates only the resulting object.
    static SCRATCH: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// Formats with `render` into a scratch buffer and returns it as a new string.
fn new_str_formatted(render: impl FnOnce(&mut Vec<u8>)) -> *mut Str {
    SCRATCH.with(|cell| match cell.try_borrow_mut() {
        Ok(mut buf) => {
            buf.clear();
            render(&mut buf);
            new_str_from_utf8(&buf)
        }
        // Re-entered (cannot happen today); fall back to a private buffer.
        Err(_) => {
            let mut buf = Vec::new();
            render(&mut buf);
            new_str_from_utf8(&buf)
        }
    })
}

// ---------------------------------------------------------------------------
// Pure conversions, shared with the entry points and testable without objects.

/// `字符串转整数`: Rust `i64::from_str` (optional sign, ASCII digits), 0 on failure.
pub fn parse_int(s: &str) -> i64 {
    s.parse::<i64>().unwrap_or(0)
}

/// `字符串转浮点数`: Rust `f64::from_str`, 0.0 on failure.
pub fn parse_float(s: &str) -> f64 {
    s.parse::<f64>().unwrap_or(0.0)
}

/// -1, 0 or 1 by lexicographic comparison of the UTF-8 bytes.
pub fn compare_bytes(a: &[u8], b: &[u8]) -> i64 {
    a.cmp(b) as i64
}

// ---------------------------------------------------------------------------
// Entry points. Arguments are borrowed, results owned.

/// `a + b` on strings (also what template strings are made of). Raises when the result
/// cannot be allocated, naming its length in bytes.
///
/// # Safety
/// Every string argument is null or a live string object.
pub unsafe extern "C" fn qi_str_concat(
    a: *const Str,
    b: *const Str,
    file: u32,
    line: u32,
) -> Raising {
    guard(|| {
        // SAFETY: forwarded from the caller's contract.
        let (x, y) = unsafe { (str_bytes(a), str_bytes(b)) };
        // Concatenating with "" returns the other operand, shared.
        let shared = if x.is_empty() && !b.is_null() {
            b
        } else if y.is_empty() && !a.is_null() {
            a
        } else {
            std::ptr::null()
        };
        if !shared.is_null() {
            // SAFETY: `shared` is live; the new reference is handed to the caller.
            unsafe { object::retain(shared as *mut Header) };
            return Raising { value: shared as u64, raised: 0 };
        }
        match new_str_concat(x, y) {
            Some(s) => Raising { value: s as u64, raised: 0 },
            // Two live strings: their lengths cannot overflow when added.
            None => raise_string_too_long(x.len() + y.len(), file, line),
        }
    })
}

/// `s = s + piece` where the slot `s` gives up its reference: `old` is *owned* (moved in),
/// `piece` borrowed, the result owned. A uniquely owned `old` (see "Capacity") is extended
/// in place, growing its allocation by doubling when it is full; any other is copied into
/// a new string with spare capacity, and the reference to it dropped. Raises when the
/// result cannot be allocated; `old` is then left untouched and still the caller's.
///
/// # Safety
/// `old` is null or a live string object whose reference the caller gives up (unless
/// this raises); `piece` is null or a live string object (it may be `old` itself).
pub unsafe extern "C" fn qi_str_append(
    old: *mut Str,
    piece: *const Str,
    file: u32,
    line: u32,
) -> Raising {
    guard(|| {
        // SAFETY: forwarded from the caller's contract.
        let (cur, add) = unsafe { (str_bytes(old), str_bytes(piece)) };
        let done = |s: *mut Str| Raising { value: s as u64, raised: 0 };
        if add.is_empty() {
            return done(old);
        }
        if cur.is_empty() && !piece.is_null() {
            // As `qi_str_concat`: the result is the piece itself, shared.
            // SAFETY: `piece` is live; `old` is ours to release (it is not `piece`, which
            // is not empty).
            unsafe {
                object::retain(piece as *mut Header);
                object::release(old as *mut Header);
            }
            return done(piece as *mut Str);
        }
        let (cur_len, add_len) = (cur.len(), add.len());
        let grown = match cur_len.checked_add(add_len) {
            // SAFETY: `old` is live and ours; `piece` is live.
            Some(len) => unsafe { append_bytes(old, piece, len) },
            None => None,
        };
        match grown {
            Some(s) => done(s),
            None => raise_string_too_long(cur_len.saturating_add(add_len), file, line),
        }
    })
}

/// Is this string the only reference to itself, so that it may be changed in place?
///
/// # Safety
/// `p` is a live string object.
unsafe fn uniquely_owned(p: *const Str) -> bool {
    // SAFETY: live per the caller. Without SHARED the object belongs to this thread, so a
    // relaxed read of the count is exact.
    let h = unsafe { &(*p).header };
    h.flags == 0 && h.rc.load(std::sync::atomic::Ordering::Relaxed) == 1
}

/// The body of [`qi_str_append`] for a non-empty `old` and `piece` making `len` bytes:
/// the result, or `None` (with `old` untouched) when it cannot be allocated.
///
/// # Safety
/// `old` is a live string whose reference the caller gives up on success; `piece` is live.
unsafe fn append_bytes(old: *mut Str, piece: *const Str, len: usize) -> Option<*mut Str> {
    // SAFETY: both are live; `old` is exclusively ours when uniquely owned.
    unsafe {
        let cur_len = (*old).len as usize;
        let add_len = (*piece).len as usize;
        let data = |s: *mut Str| (s as *mut u8).add(STR_DATA_OFFSET as usize);
        // Appending a string to itself in place would read what it writes (and a
        // reallocation would move the piece): copy that case instead.
        if uniquely_owned(old) && !std::ptr::eq(old, piece) {
            let target = if len <= capacity(old) {
                old
            } else {
                let class = capacity_class(len)?;
                let moved = object::try_reallocate(
                    old as *mut Header,
                    payload_size(old),
                    8 + (1 << class),
                )? as *mut Str;
                (*moved).header.aux = class;
                moved
            };
            let src = (piece as *const u8).add(STR_DATA_OFFSET as usize);
            std::ptr::copy_nonoverlapping(src, data(target).add(cur_len), add_len);
            (*target).len = len as u64;
            return Some(target);
        }
        let new = try_alloc_str_with_capacity(len, capacity_class(len)?)?;
        std::ptr::copy_nonoverlapping(str_bytes(old).as_ptr(), data(new), cur_len);
        std::ptr::copy_nonoverlapping(str_bytes(piece).as_ptr(), data(new).add(cur_len), add_len);
        object::release(old as *mut Header);
        Some(new)
    }
}

pub extern "C" fn qi_str_from_int(n: i64) -> *mut Str {
    guard(|| new_str_formatted(|buf| format::fmt_int(n, buf)))
}

pub extern "C" fn qi_str_from_float(x: f64) -> *mut Str {
    guard(|| new_str_formatted(|buf| format::fmt_float(x, buf)))
}

/// `真` / `假` (immortal constants: no allocation).
pub extern "C" fn qi_str_from_bool(b: u8) -> *mut Str {
    guard(|| crate::literal::bool_str(b != 0))
}

/// The character itself (U+FFFD for a value that is not a Unicode scalar).
pub extern "C" fn qi_str_from_char(c: u32) -> *mut Str {
    guard(|| new_str_formatted(|buf| format::fmt_char(c, buf)))
}

/// -1 / 0 / 1, lexicographic by UTF-8 bytes.
///
/// # Safety
/// Every string argument is null or a live string object.
pub unsafe extern "C" fn qi_str_cmp(a: *const Str, b: *const Str) -> i64 {
    // SAFETY: forwarded from the caller's contract.
    guard(|| unsafe { compare_bytes(str_bytes(a), str_bytes(b)) })
}

/// 1 if equal contents, else 0.
///
/// # Safety
/// Every string argument is null or a live string object.
pub unsafe extern "C" fn qi_str_eq(a: *const Str, b: *const Str) -> u8 {
    if a == b {
        return 1; // same object (interned literals make this common)
    }
    // SAFETY: forwarded from the caller's contract.
    guard(|| unsafe { (str_bytes(a) == str_bytes(b)) as u8 })
}

/// `长度(字符串)`: number of Unicode scalar values.
///
/// # Safety
/// Every string argument is null or a live string object.
pub unsafe extern "C" fn qi_str_len(a: *const Str) -> i64 {
    // SAFETY: forwarded from the caller's contract.
    guard(|| unsafe { str_as_str(a) }.chars().count() as i64)
}

/// `字符串::字节长度`: number of UTF-8 bytes.
///
/// # Safety
/// Every string argument is null or a live string object.
pub unsafe extern "C" fn qi_str_byte_len(a: *const Str) -> i64 {
    // SAFETY: forwarded from the caller's contract.
    guard(|| unsafe { str_bytes(a) }.len() as i64)
}

///
/// # Safety
/// Every string argument is null or a live string object.
pub unsafe extern "C" fn qi_str_to_int(a: *const Str) -> i64 {
    // SAFETY: forwarded from the caller's contract.
    guard(|| parse_int(unsafe { str_as_str(a) }))
}

///
/// # Safety
/// Every string argument is null or a live string object.
pub unsafe extern "C" fn qi_str_to_float(a: *const Str) -> f64 {
    // SAFETY: forwarded from the caller's contract.
    guard(|| parse_float(unsafe { str_as_str(a) }))
}

/// Raise the exception for a string of `len` bytes that cannot be allocated.
fn raise_string_too_long(len: usize, file: u32, line: u32) -> Raising {
    raise_error(
        format!("内存不足：无法分配长度为 {len} 字节的字符串"),
        format!("out of memory: cannot allocate a string of {len} bytes"),
        file,
        line,
    );
    Raising { value: 0, raised: 1 }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::object::live_count;
    use crate::test_support::{exclusive, release, retain};

    // The tests only pass literals, null and strings they hold, which is the
    // contract of every entry point; these wrappers state it once.
    fn concat(a: *const Str, b: *const Str) -> *mut Str {
        // SAFETY: see above.
        let r = unsafe { qi_str_concat(a, b, 0, 0) };
        assert_eq!(r.raised, 0);
        r.value as usize as *mut Str
    }
    fn cmp(a: *const Str, b: *const Str) -> i64 {
        // SAFETY: see above.
        unsafe { qi_str_cmp(a, b) }
    }
    fn eq(a: *const Str, b: *const Str) -> u8 {
        // SAFETY: see above.
        unsafe { qi_str_eq(a, b) }
    }
    fn len(a: *const Str) -> i64 {
        // SAFETY: see above.
        unsafe { qi_str_len(a) }
    }
    fn byte_len(a: *const Str) -> i64 {
        // SAFETY: see above.
        unsafe { qi_str_byte_len(a) }
    }

    /// Reads an owned result and releases it.
    fn take(p: *mut Str) -> String {
        // SAFETY: `p` is a live string we own.
        let s = unsafe { str_as_str(p) }.to_owned();
        release(p);
        s
    }

    fn lit(s: &str) -> *const Str {
        crate::literal::new_immortal_str(s)
    }

    #[test]
    fn concat_and_conversions() {
        let _g = exclusive();
        let before = live_count(ObjKind::Str);
        assert_eq!(take(concat(lit("你好，"), lit("世界"))), "你好，世界");
        assert_eq!(take(concat(lit("a\0b"), lit("c"))), "a\0bc");
        assert_eq!(take(concat(lit(""), lit("x"))), "x");
        assert_eq!(take(concat(lit("x"), std::ptr::null())), "x");
        assert_eq!(take(concat(std::ptr::null(), std::ptr::null())), "");
        assert_eq!(take(qi_str_from_int(-42)), "-42");
        assert_eq!(take(qi_str_from_int(i64::MIN)), "-9223372036854775808");
        assert_eq!(take(qi_str_from_float(6.0)), "6.0");
        assert_eq!(take(qi_str_from_float(0.1 + 0.2)), "0.30000000000000004");
        assert_eq!(take(qi_str_from_bool(1)), "真");
        assert_eq!(take(qi_str_from_bool(0)), "假");
        assert_eq!(take(qi_str_from_char('中' as u32)), "中");
        assert_eq!(take(qi_str_from_char(0xD800)), "\u{FFFD}");
        assert_eq!(live_count(ObjKind::Str), before);
    }

    #[test]
    fn concat_of_owned_strings_counts_and_frees() {
        let _g = exclusive();
        let before = live_count(ObjKind::Str);
        let a = qi_str_from_int(12);
        let b = concat(a, lit(""));
        assert_eq!(a, b, "concat with empty shares the operand");
        release(b);
        let c = concat(a, a);
        assert_eq!(live_count(ObjKind::Str), before + 2);
        assert_eq!(take(c), "1212");
        release(a);
        assert_eq!(live_count(ObjKind::Str), before);
    }

    fn append(old: *mut Str, piece: *const Str) -> *mut Str {
        // SAFETY: `old` is ours to give up, `piece` a literal or a string we hold.
        let r = unsafe { qi_str_append(old, piece, 0, 0) };
        assert_eq!(r.raised, 0);
        r.value as usize as *mut Str
    }

    #[test]
    fn append_grows_a_unique_string_in_place_by_doubling() {
        let _g = exclusive();
        let before = live_count(ObjKind::Str);
        let mut s = append(new_str("ab"), lit("c"));
        // SAFETY: `s` is a live string we own.
        assert_eq!(unsafe { capacity(s) }, MIN_CAPACITY, "a copy gets spare room");
        let first = s;
        for _ in 0..13 {
            s = append(s, lit("x"));
        }
        assert_eq!(s, first, "16 bytes fit without moving");
        let mut moves = 0;
        for _ in 0..1000 {
            let prev = s;
            s = append(s, lit("yz"));
            moves += (prev != s) as usize;
        }
        // SAFETY: as above.
        assert_eq!(unsafe { capacity(s) }, 2048);
        assert!(moves <= 7, "doubling from 16 to 2048 reallocates at most 7 times");
        let text = take(s);
        assert_eq!(text.len(), 16 + 2000);
        assert!(text.starts_with("abcxxxxxxxxxxxxxyz"));
        assert_eq!(live_count(ObjKind::Str), before);
    }

    #[test]
    fn append_never_changes_a_string_someone_else_sees() {
        let _g = exclusive();
        let before = live_count(ObjKind::Str);
        let s = append(new_str("ab"), lit("c"));
        retain(s);
        let t = append(s, lit("d"));
        assert_ne!(s, t);
        // SAFETY: `s` is still live (we kept a reference).
        assert_eq!(unsafe { str_as_str(s) }, "abc");
        assert_eq!(take(t), "abcd");
        // An immortal literal is never written to.
        let l = lit("常量");
        let u = append(l as *mut Str, lit("!"));
        // SAFETY: literals are always live.
        assert_eq!(unsafe { str_as_str(l) }, "常量");
        assert_eq!(take(u), "常量!");
        // Appending a string to itself.
        let d = append(s, s);
        assert_eq!(take(d), "abcabc");
        // Empty operands: moved through, or the piece shared.
        let e = new_str("e");
        assert_eq!(append(e, lit("")), e);
        let p = new_str("p");
        assert_eq!(append(lit("") as *mut Str, p), p);
        release(p);
        release(p);
        release(e);
        assert_eq!(live_count(ObjKind::Str), before);
    }

    #[test]
    fn comparison() {
        let _g = exclusive();
        assert_eq!(cmp(lit("梨"), lit("桃")), 1, "梨 U+68A8 > 桃 U+6843");
        assert_eq!(cmp(lit("苹果"), lit("香蕉")), -1);
        assert_eq!(cmp(lit("abc"), lit("abc")), 0);
        assert_eq!(cmp(lit("ab"), lit("abc")), -1);
        assert_eq!(cmp(lit(""), std::ptr::null()), 0);
        assert_eq!(eq(lit("x"), lit("x")), 1);
        assert_eq!(eq(lit("x"), lit("y")), 0);
        let owned = new_str("x");
        assert_eq!(eq(owned, lit("x")), 1);
        release(owned);
    }

    #[test]
    fn lengths() {
        assert_eq!(len(lit("你好")), 2);
        assert_eq!(byte_len(lit("你好")), 6);
        assert_eq!(len(lit("奇语 qi!")), 6);
        assert_eq!(len(lit("😀é")), 2);
        assert_eq!(len(std::ptr::null()), 0);
        assert_eq!(byte_len(lit("a\0b")), 3);
    }

    #[test]
    fn to_int_edge_cases() {
        assert_eq!(parse_int("+17"), 17);
        assert_eq!(parse_int("-5"), -5);
        assert_eq!(parse_int("1.5"), 0);
        assert_eq!(parse_int("abc"), 0);
        assert_eq!(parse_int(" 7"), 0);
        assert_eq!(parse_int("7 "), 0);
        assert_eq!(parse_int(""), 0);
        assert_eq!(parse_int("9223372036854775807"), i64::MAX);
        assert_eq!(parse_int("9223372036854775808"), 0);
        assert_eq!(parse_int("-9223372036854775808"), i64::MIN);
        assert_eq!(parse_int("007"), 7);
        // SAFETY: a literal.
        assert_eq!(unsafe { qi_str_to_int(lit("41")) } + 1, 42);
    }

    #[test]
    fn to_float_edge_cases() {
        assert_eq!(parse_float("2.5e2"), 250.0);
        assert_eq!(parse_float("1"), 1.0);
        assert_eq!(parse_float("-2.5"), -2.5);
        assert_eq!(parse_float("1e3"), 1000.0);
        assert_eq!(parse_float(".5"), 0.5);
        assert_eq!(parse_float("inf"), f64::INFINITY);
        assert!(parse_float("NaN").is_nan());
        assert_eq!(parse_float("abc"), 0.0);
        assert_eq!(parse_float(" 1"), 0.0);
        // SAFETY: a literal.
        assert_eq!(unsafe { qi_str_to_float(lit("0.25")) }, 0.25);
    }
}
