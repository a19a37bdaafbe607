//! Fixed-length arrays.
//!
//! Layout: header (kind `Array`, `aux` = element kind) + `len: u64` + `len`
//! 8-byte slots starting at [`ARRAY_DATA_OFFSET`]. Element `i` lives at
//! `ARRAY_DATA_OFFSET + 8 * i`. Integers, floats (bit pattern), booleans
//! (0/1) and characters (code point) are stored zero-extended in a slot;
//! object elements are pointers, and a zero slot is null.
//!
//! Generated code indexes arrays inline: it loads the length from
//! [`ARRAY_LEN_OFFSET`], compares the index *unsigned* against it (which also
//! rejects negative indices) and raises `qi_raise_index(index, len, …)` when out
//! of range.

use crate::exception::raise_error;
use crate::green::Raising;
use crate::guard::guard;
use crate::object::{self, Header, ObjKind};

#[repr(C)]
pub struct Array {
    pub header: Header,
    /// Number of 8-byte slots that follow.
    pub len: u64,
}

/// `aux` value: slots hold plain 8-byte scalars.
pub const ELEM_SCALAR: u16 = 0;
/// `aux` value: slots hold object pointers released when the array is freed.
pub const ELEM_OBJECT: u16 = 1;
/// `aux` value: one byte per element (booleans, 0/1), so that large boolean arrays
/// (sieves, visited sets) take an eighth of the memory.
pub const ELEM_BYTE: u16 = 2;

/// Flag in the element kind `qi_array_new` takes (never in `aux`): the array may be part
/// of a reference cycle (qi-ir `cycles`), so it is allocated with `FLAG_MAY_CYCLE`.
pub const ELEM_MAY_CYCLE: u32 = 0x1_0000;

/// Bytes per element for an element kind (`aux`).
pub const fn elem_size(elem: u16) -> usize {
    if elem == ELEM_BYTE {
        1
    } else {
        ARRAY_SLOT_SIZE as usize
    }
}

/// Offset of the `u64` element count.
pub const ARRAY_LEN_OFFSET: i32 = 8;
/// Offset of slot 0.
pub const ARRAY_DATA_OFFSET: i32 = 16;
/// Size of every slot.
pub const ARRAY_SLOT_SIZE: i32 = 8;

const _: () = {
    assert!(std::mem::offset_of!(Array, len) == ARRAY_LEN_OFFSET as usize);
    assert!(std::mem::size_of::<Array>() == ARRAY_DATA_OFFSET as usize);
};

/// Payload size (after the header) of an array object, needed to free it.
///
/// # Safety
/// `p` points to an array object (live or being freed).
pub(crate) unsafe fn payload_size(p: *const Array) -> usize {
    // SAFETY: the length field is readable per the caller; the size was
    // validated (no overflow) when the array was allocated.
    8 + unsafe { (*p).len } as usize * elem_size(unsafe { (*p).header.aux })
}

/// Payload bytes (length field and elements) of an array of `len` elements of kind
/// `elem`; `None` when the size overflows.
fn array_payload(len: usize, elem: u16) -> Option<usize> {
    len.checked_mul(elem_size(elem))?.checked_add(8)
}

/// A new zero-filled owned array (rc=1), or `None` when it cannot be allocated (too
/// large, or no memory).
pub(crate) fn try_new_array(len: usize, elem: u16) -> Option<*mut Array> {
    try_new_array_flagged(len, elem, 0)
}

/// [`try_new_array`] with header `flags` (0 or `FLAG_MAY_CYCLE`).
fn try_new_array_flagged(len: usize, elem: u16, flags: u8) -> Option<*mut Array> {
    let payload = array_payload(len, elem)?;
    let p = object::try_allocate(ObjKind::Array, flags, elem, payload, true)? as *mut Array;
    // SAFETY: fresh allocation with room for the length field.
    unsafe { (*p).len = len as u64 };
    Some(p)
}

/// A new zero-filled owned array (rc=1), for the runtime's own arrays of a size it knows
/// to be small (running out of memory then ends the program). Arrays whose length comes
/// from Qi code go through [`qi_array_new`], which raises instead.
pub fn new_array(len: usize, elem: u16) -> *mut Array {
    match try_new_array(len, elem) {
        Some(p) => p,
        None => object::out_of_memory(array_payload(len, elem).unwrap_or(usize::MAX)),
    }
}

/// The slots of an array, as raw 8-byte words.
///
/// # Safety
/// `p` is a live array of 8-byte slots (not `ELEM_BYTE`), and no other reference to
/// its slots is used while the returned slice is alive.
pub unsafe fn array_slots<'a>(p: *mut Array) -> &'a mut [u64] {
    // SAFETY: a live array has `len` initialised slots after the 16-byte prefix.
    unsafe {
        let len = (*p).len as usize;
        let data = (p as *mut u8).add(ARRAY_DATA_OFFSET as usize) as *mut u64;
        std::slice::from_raw_parts_mut(data, len)
    }
}

/// The object pointers held by an array of objects (empty for scalar arrays).
///
/// # Safety
/// `p` is an array whose slots are still intact.
pub(crate) unsafe fn object_children(p: *mut Array) -> impl Iterator<Item = *mut Header> {
    // SAFETY: per the caller.
    let is_objects = unsafe { (*p).header.aux } == ELEM_OBJECT;
    // SAFETY: per the caller; the slice is only read while iterating.
    let slots: &[u64] = if is_objects { unsafe { array_slots(p) } } else { &[] };
    slots.iter().map(|&w| w as usize as *mut Header)
}

/// A new owned array of new owned strings.
pub fn new_string_array<S: AsRef<str>>(items: &[S]) -> *mut Array {
    let a = new_array(items.len(), ELEM_OBJECT);
    // SAFETY: `a` is fresh and exclusively ours.
    let slots = unsafe { array_slots(a) };
    for (slot, item) in slots.iter_mut().zip(items) {
        *slot = crate::string::new_str(item.as_ref()) as usize as u64;
    }
    a
}

/// A new owned array of integers (`数组<整数>`).
pub fn new_int_array(items: &[i64]) -> *mut Array {
    let a = new_array(items.len(), ELEM_SCALAR);
    // SAFETY: `a` is fresh and exclusively ours.
    let slots = unsafe { array_slots(a) };
    for (slot, &x) in slots.iter_mut().zip(items) {
        *slot = x as u64;
    }
    a
}

/// A new owned array of floats (`数组<浮点数>`, the bit patterns in the slots).
pub fn new_float_array(items: &[f64]) -> *mut Array {
    let a = new_array(items.len(), ELEM_SCALAR);
    // SAFETY: `a` is fresh and exclusively ours.
    let slots = unsafe { array_slots(a) };
    for (slot, x) in slots.iter_mut().zip(items) {
        *slot = x.to_bits();
    }
    a
}

// ---------------------------------------------------------------------------
// Entry points

/// `数组<T>(n)`: `n` zeroed elements of kind `elem` (`ELEM_SCALAR`, `ELEM_OBJECT` for
/// object elements, `ELEM_BYTE` for booleans). Raises for a negative length, and for an
/// array that cannot be allocated (its size overflows, is beyond
/// the machine's memory (`memory::may_allocate`), or the allocator has no memory for it).
pub extern "C" fn qi_array_new(len: i64, elem: u32, file: u32, line: u32) -> Raising {
    guard(|| {
        if len < 0 {
            raise_error(
                format!("数组长度不能为负数：{len}"),
                format!("negative array length: {len}"),
                file,
                line,
            );
            return Raising { value: 0, raised: 1 };
        }
        let flags = if elem & ELEM_MAY_CYCLE != 0 { object::FLAG_MAY_CYCLE } else { 0 };
        let elem = match elem as u16 {
            ELEM_OBJECT => ELEM_OBJECT,
            ELEM_BYTE => ELEM_BYTE,
            _ => ELEM_SCALAR,
        };
        match try_new_array_flagged(len as usize, elem, flags) {
            Some(a) => Raising { value: a as u64, raised: 0 },
            None => {
                raise_error(
                    format!("内存不足：无法分配长度为 {len} 的数组"),
                    format!("out of memory: cannot allocate an array of length {len}"),
                    file,
                    line,
                );
                Raising { value: 0, raised: 1 }
            }
        }
    })
}

/// Element count; 0 for null.
///
/// # Safety
/// `a` is null or a live array.
pub unsafe extern "C" fn qi_array_len(a: *const Array) -> i64 {
    if a.is_null() {
        return 0;
    }
    // SAFETY: forwarded from the caller's contract.
    guard(|| unsafe { (*a).len } as i64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::object::live_count;
    use crate::string::{new_str, str_as_str};
    use crate::test_support::{exclusive, release, retain};

    /// `数组<T>(n)` that must succeed.
    fn new(len: i64, elem: u32) -> *mut Array {
        let r = qi_array_new(len, elem, 0, 0);
        assert_eq!(r.raised, 0, "array of length {len}");
        r.value as usize as *mut Array
    }

    /// `数组<T>(n)` that must raise: the message of the pending exception.
    fn new_fails(len: i64, elem: u32) -> String {
        let r = qi_array_new(len, elem, 0, 7);
        assert_eq!((r.value, r.raised), (0, 1), "array of length {len}");
        let e = crate::exception::take_pending();
        // SAFETY: a raise leaves a live exception pending.
        let (message, line) = unsafe {
            let d = crate::exception::data(e);
            (d.message.clone(), d.line)
        };
        assert_eq!(line, 7);
        release(e);
        message
    }

    #[test]
    fn impossible_lengths_raise_naming_the_length() {
        let _g = exclusive();
        let before = live_count(ObjKind::Array);
        for elem in [ELEM_SCALAR, ELEM_OBJECT, ELEM_BYTE] {
            for len in [i64::MAX, (1 << 61) - 1, 1 << 60] {
                let message = new_fails(len, elem as u32);
                assert!(message.contains(&len.to_string()), "{message}");
            }
        }
        // 2^47 bytes of booleans (one byte each) is beyond the limit, as are 2^44 slots.
        assert!(new_fails(1 << 47, ELEM_BYTE as u32).contains("140737488355328"));
        assert!(new_fails(1 << 44, ELEM_SCALAR as u32).contains("17592186044416"));
        // Just beyond the machine's memory.
        let elems = crate::memory::object_limit() / 8;
        assert!(new_fails(elems as i64, ELEM_SCALAR as u32).contains(&elems.to_string()));
        assert!(new_fails(-3, ELEM_SCALAR as u32).contains("-3"));
        assert_eq!(live_count(ObjKind::Array), before);
    }

    #[test]
    fn sizes_are_checked_for_overflow() {
        assert_eq!(array_payload(3, ELEM_SCALAR), Some(32));
        assert_eq!(array_payload(3, ELEM_BYTE), Some(11));
        assert_eq!(array_payload(1 << 61, ELEM_SCALAR), None);
        assert_eq!(array_payload(usize::MAX - 7, ELEM_BYTE), None);
    }

    fn len(a: *const Array) -> i64 {
        // SAFETY: the tests pass null or arrays they hold.
        unsafe { qi_array_len(a) }
    }

    #[test]
    fn new_arrays_are_zeroed() {
        let _g = exclusive();
        let before = live_count(ObjKind::Array);
        let a = new(5, 0);
        assert_eq!(len(a), 5);
        // SAFETY: `a` is live and ours.
        assert_eq!(unsafe { array_slots(a) }, &[0u64; 5]);
        // SAFETY: as above.
        unsafe { array_slots(a)[4] = 7.5f64.to_bits() };
        assert_eq!(live_count(ObjKind::Array), before + 1);
        release(a);
        assert_eq!(live_count(ObjKind::Array), before);
        let empty = new(0, 1);
        assert_eq!(len(empty), 0);
        release(empty);
        assert_eq!(len(std::ptr::null()), 0);
    }

    #[test]
    fn arrays_of_strings_release_in_cascade() {
        let _g = exclusive();
        let strs = live_count(ObjKind::Str);
        let arrs = live_count(ObjKind::Array);
        let a = new_string_array(&["甲", "乙", "丙"]);
        // A string that is also referenced elsewhere must survive the array.
        // SAFETY: `a` is live and ours.
        let kept = unsafe { array_slots(a)[1] } as usize as *mut Header;
        retain(kept);
        // A null slot and an immortal literal among the elements.
        let b = new(3, 1);
        // SAFETY: `b` is live and ours; we transfer one reference into it.
        unsafe {
            retain(a);
            array_slots(b)[0] = a as usize as u64;
            array_slots(b)[2] = crate::literal::new_immortal_str("字面") as usize as u64;
        }
        assert_eq!(live_count(ObjKind::Str), strs + 3);
        assert_eq!(live_count(ObjKind::Array), arrs + 2);
        release(a);
        assert_eq!(live_count(ObjKind::Array), arrs + 2, "still held by b");
        release(b);
        assert_eq!(live_count(ObjKind::Array), arrs);
        assert_eq!(live_count(ObjKind::Str), strs + 1);
        // SAFETY: we still hold a reference to `kept`.
        assert_eq!(unsafe { str_as_str(kept as *const crate::Str) }, "乙");
        release(kept);
        assert_eq!(live_count(ObjKind::Str), strs);
    }

    #[test]
    fn deep_chains_free_without_recursion() {
        let _g = exclusive();
        let arrs = live_count(ObjKind::Array);
        let strs = live_count(ObjKind::Str);
        let mut head = new(2, 1);
        // SAFETY: `head` is live and ours.
        unsafe { array_slots(head)[1] = new_str("底") as usize as u64 };
        let depth = if cfg!(miri) { 1_000 } else { 200_000 };
        for _ in 0..depth {
            let next = new(2, 1);
            // SAFETY: `next` is fresh; the reference to `head` moves into it.
            unsafe { array_slots(next)[0] = head as usize as u64 };
            head = next;
        }
        release(head);
        assert_eq!(live_count(ObjKind::Array), arrs);
        assert_eq!(live_count(ObjKind::Str), strs);
    }

    #[test]
    fn shared_marking_reaches_elements() {
        let _g = exclusive();
        let a = new_string_array(&["x"]);
        // SAFETY: `a` is live, not yet visible to other threads.
        unsafe { object::mark_shared(a as *mut Header) };
        // SAFETY: `a` is live.
        let child = unsafe { array_slots(a)[0] } as usize as *mut Header;
        // SAFETY: both objects are live.
        unsafe {
            assert_ne!((*a).header.flags & object::FLAG_SHARED, 0);
            assert_ne!((*child).flags & object::FLAG_SHARED, 0);
        }
        release(a);
    }
}
