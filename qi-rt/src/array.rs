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

use crate::error::runtime_error;
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

/// A new zero-filled owned array (rc=1). `len` must fit in memory; callers
/// coming from Qi code go through [`qi_array_new`], which validates it.
pub fn new_array(len: usize, elem: u16) -> *mut Array {
    let payload = len
        .checked_mul(elem_size(elem))
        .and_then(|bytes| bytes.checked_add(8))
        .unwrap_or(usize::MAX);
    let p = object::allocate(ObjKind::Array, 0, elem, payload, true) as *mut Array;
    // SAFETY: fresh allocation with room for the length field.
    unsafe { (*p).len = len as u64 };
    p
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

// ---------------------------------------------------------------------------
// Entry points

/// `数组<T>(n)`: `n` zeroed elements of kind `elem` (`ELEM_SCALAR`, `ELEM_OBJECT` for
/// object elements, `ELEM_BYTE` for booleans). A negative length is a runtime error.
pub extern "C" fn qi_array_new(len: i64, elem: u32) -> *mut Array {
    guard(|| {
        if len < 0 {
            runtime_error(
                format!("数组长度不能为负数：{len}"),
                format!("negative array length: {len}"),
            );
        }
        let elem = match elem as u16 {
            ELEM_OBJECT => ELEM_OBJECT,
            ELEM_BYTE => ELEM_BYTE,
            _ => ELEM_SCALAR,
        };
        new_array(len as usize, elem)
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

    fn len(a: *const Array) -> i64 {
        // SAFETY: the tests pass null or arrays they hold.
        unsafe { qi_array_len(a) }
    }

    #[test]
    fn new_arrays_are_zeroed() {
        let _g = exclusive();
        let before = live_count(ObjKind::Array);
        let a = qi_array_new(5, 0);
        assert_eq!(len(a), 5);
        // SAFETY: `a` is live and ours.
        assert_eq!(unsafe { array_slots(a) }, &[0u64; 5]);
        // SAFETY: as above.
        unsafe { array_slots(a)[4] = 7.5f64.to_bits() };
        assert_eq!(live_count(ObjKind::Array), before + 1);
        release(a);
        assert_eq!(live_count(ObjKind::Array), before);
        let empty = qi_array_new(0, 1);
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
        let b = qi_array_new(3, 1);
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
        let mut head = qi_array_new(2, 1);
        // SAFETY: `head` is live and ours.
        unsafe { array_slots(head)[1] = new_str("底") as usize as u64 };
        let depth = if cfg!(miri) { 1_000 } else { 200_000 };
        for _ in 0..depth {
            let next = qi_array_new(2, 1);
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
