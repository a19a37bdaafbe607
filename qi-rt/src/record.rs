//! Records: structs, boxed enum values and closures share one layout.
//!
//! Layout: header (kind `Struct`, `Enum` or `Closure`) + pointer to a [`RecordDesc`] +
//! `n_slots` 8-byte slots starting at [`RECORD_SLOTS_OFFSET`]. The descriptor, built by
//! the compiler and never freed, says which slots own object references (released in
//! cascade when the record is freed). Scalars and non-owning (`弱`) pointers are plain
//! slots. Whoever builds a descriptor (the compiled program) keeps it alive for as long
//! as records of its layout exist.

use crate::guard::guard;
use crate::object::{self, Header, ObjKind};

/// Static description of one record layout.
#[repr(C)]
#[derive(Debug)]
pub struct RecordDesc {
    /// What the record is (for the live counters and leak reports).
    pub kind: ObjKind,
    pub n_slots: u32,
    /// Indices of the slots that own an object reference.
    pub object_slots: Box<[u32]>,
    /// Header flags of a new record: `FLAG_MAY_CYCLE` when the compiler found that
    /// records of this layout may be part of a reference cycle (qi-ir `cycles`), else 0.
    pub flags: u8,
}

#[repr(C)]
pub struct Record {
    pub header: Header,
    pub desc: *const RecordDesc,
}

/// Offset of the descriptor pointer.
pub const RECORD_DESC_OFFSET: i32 = 8;
/// Offset of slot 0.
pub const RECORD_SLOTS_OFFSET: i32 = 16;

const _: () = {
    assert!(std::mem::offset_of!(Record, desc) == RECORD_DESC_OFFSET as usize);
    assert!(std::mem::size_of::<Record>() == RECORD_SLOTS_OFFSET as usize);
};

fn payload_for(n_slots: u32) -> usize {
    8 + n_slots as usize * 8
}

/// The object references a record owns.
///
/// # Safety
/// `p` points to a record with a valid descriptor whose slots are initialised.
pub(crate) unsafe fn object_children(p: *mut Record) -> impl Iterator<Item = *mut Header> {
    // SAFETY: per the caller; the descriptor outlives the iteration (it outlives the record).
    let desc: &RecordDesc = unsafe { &*(*p).desc };
    let slots = (p as *mut u8).wrapping_add(RECORD_SLOTS_OFFSET as usize) as *const u64;
    desc.object_slots.iter().map(move |&i| {
        // SAFETY: `i < n_slots` (checked when the descriptor was built).
        unsafe { *slots.add(i as usize) as usize as *mut Header }
    })
}

/// Build a descriptor. Its address is what generated code passes to [`qi_record_new`];
/// the box must stay alive while any record of this layout exists.
/// `may_cycle`: records of this layout may be part of a reference cycle, so the cycle
/// collector must watch them.
pub fn new_desc(
    kind: ObjKind,
    n_slots: u32,
    object_slots: Vec<u32>,
    may_cycle: bool,
) -> Box<RecordDesc> {
    assert!(object_slots.iter().all(|&i| i < n_slots), "object slot out of range");
    assert!(matches!(kind, ObjKind::Struct | ObjKind::Enum | ObjKind::Closure));
    let flags = if may_cycle { object::FLAG_MAY_CYCLE } else { 0 };
    Box::new(RecordDesc { kind, n_slots, object_slots: object_slots.into_boxed_slice(), flags })
}

/// A new owned record with zeroed slots.
///
/// # Safety
/// `desc` comes from [`new_desc`] and is still alive.
pub unsafe extern "C" fn qi_record_new(desc: *const RecordDesc) -> *mut Record {
    guard(|| {
        // SAFETY: per the caller, a live descriptor.
        let d = unsafe { &*desc };
        // Not zeroed by the allocator: its zeroing path (mimalloc's aligned zero-allocation
        // and a `memset` call) cost more than storing the few slots here
        // (benches/README.md, "binarytrees: frozen fields and allocation").
        let p = match take_block(d.n_slots) {
            // SAFETY: a block of this record size, exclusively ours.
            Some(b) => unsafe {
                object::init_header(b, d.kind, d.flags, 0);
                b
            },
            None => object::allocate(d.kind, d.flags, 0, payload_for(d.n_slots), false),
        } as *mut Record;
        // SAFETY: fresh allocation with room for the descriptor pointer and `n_slots` slots.
        unsafe {
            (*p).desc = desc;
            zero_slots(p, d.n_slots as usize);
        }
        p
    })
}

/// A free block kept for records of `n_slots` slots (`blocks`), if there is one.
#[inline(always)]
fn take_block(n_slots: u32) -> Option<*mut Header> {
    #[cfg(any(test, feature = "record-cache"))]
    {
        let b = crate::blocks::take(n_slots as usize);
        (!b.is_null()).then_some(b as *mut Header)
    }
    #[cfg(not(any(test, feature = "record-cache")))]
    {
        let _ = n_slots;
        None
    }
}

/// Frees the memory of a dead record whose references have been dealt with: kept for
/// the next record of its size (`blocks`) or given back to the allocator.
///
/// # Safety
/// `p` is a record of `kind` with a valid descriptor, made by [`qi_record_new`], which
/// nobody references or uses again.
#[inline]
pub(crate) unsafe fn free(p: *mut Record, kind: ObjKind) {
    // SAFETY: per the caller, the descriptor outlives every record.
    let n_slots = unsafe { (*(*p).desc).n_slots };
    #[cfg(any(test, feature = "record-cache"))]
    // SAFETY: the block was allocated for a record of `n_slots` slots and is dead.
    if unsafe { crate::blocks::put(p as *mut u8, n_slots as usize) } {
        object::count_free(kind);
        return;
    }
    // SAFETY: the payload size it was allocated with.
    unsafe { object::deallocate(p as *mut Header, kind, payload_for(n_slots)) };
}

/// Make every slot of a fresh record zero (null): the generated code stores the fields
/// after the allocation, and what runs in between may raise (the unwind path then frees
/// the record, reading its object slots) or let the cycle collector look at it.
///
/// # Safety
/// `p` is a fresh record allocation with room for `n` slots.
#[inline(always)]
unsafe fn zero_slots(p: *mut Record, n: usize) {
    // SAFETY: per the caller, the slots lie within the allocation.
    let slots = unsafe { (p as *mut u8).add(RECORD_SLOTS_OFFSET as usize) } as *mut u64;
    // The first four slots (all of most records) with plain stores, spelt out: a loop, even
    // a bounded one, becomes a `memset` call.
    // SAFETY: each slot stored below has an index under `n`: within the allocation.
    unsafe {
        if n > 0 {
            slots.write(0);
        }
        if n > 1 {
            slots.add(1).write(0);
        }
        if n > 2 {
            slots.add(2).write(0);
        }
        if n > 3 {
            slots.add(3).write(0);
        }
        if n > 4 {
            std::ptr::write_bytes(slots.add(4), 0, n - 4);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::object::{live_count, release};

    #[test]
    fn records_release_their_object_slots() {
        let desc_box = new_desc(ObjKind::Struct, 3, vec![1], false);
        let desc: *const RecordDesc = &*desc_box;
        let before_structs = live_count(ObjKind::Struct);
        let before_strs = live_count(ObjKind::Str);
        // SAFETY: the descriptor outlives the record; slot 1 receives an owned string.
        unsafe {
            let r = qi_record_new(desc);
            let slots = (r as *mut u8).add(RECORD_SLOTS_OFFSET as usize) as *mut u64;
            *slots.add(0) = 42;
            *slots.add(1) = crate::string::new_str("字段") as usize as u64;
            assert_eq!(live_count(ObjKind::Struct), before_structs + 1);
            assert_eq!(live_count(ObjKind::Str), before_strs + 1);
            release(r as *mut Header);
        }
        assert_eq!(live_count(ObjKind::Struct), before_structs);
        assert_eq!(live_count(ObjKind::Str), before_strs);
    }

    #[test]
    fn new_records_start_with_every_slot_zero() {
        // Records of each size, each made in memory a freed record of that size filled
        // with ones (the allocator hands out the block just freed, or another one: the
        // slots must read zero either way).
        for n in 0..12u32 {
            let desc_box = new_desc(ObjKind::Struct, n, vec![], false);
            let desc: *const RecordDesc = &*desc_box;
            // SAFETY: the descriptor outlives the records; their slots are scalars.
            unsafe {
                let dirty = qi_record_new(desc);
                let slots = (dirty as *mut u8).add(RECORD_SLOTS_OFFSET as usize) as *mut u64;
                for i in 0..n as usize {
                    *slots.add(i) = u64::MAX;
                }
                release(dirty as *mut Header);
                let r = qi_record_new(desc);
                let slots = (r as *mut u8).add(RECORD_SLOTS_OFFSET as usize) as *const u64;
                let values: Vec<u64> = (0..n as usize).map(|i| *slots.add(i)).collect();
                assert_eq!(values, vec![0; n as usize], "{n} slots");
                release(r as *mut Header);
            }
        }
    }
}
