//! Per-OS-thread free lists of small record blocks.
//!
//! Programs that build and drop many small records (binarytrees: one record per tree
//! node) spent about a quarter of their instructions in the allocator's general entry
//! and exit (benches/README.md, "binarytrees: record blocks kept per thread"). A freed
//! record of up to `CLASSES - 1` slots is kept here instead, on a list of its size, and
//! the next record of that size takes it back: a pop and a push on a thread-local list.
//!
//! Every block on a list is an ordinary allocation of exactly its class's object layout
//! (`object::object_layout`), made by the global allocator, so a block may leave the
//! lists at any time through `dealloc` with that layout: when the lists are full
//! ([`MAX_CACHED_BYTES`]), and when the thread ends. A record freed on another thread
//! than the one that made it (sent through a channel) joins the freeing thread's list;
//! the allocator sees that cross-thread free only when the block is finally deallocated.
//!
//! Only in builds with the `record-cache` feature (on with mimalloc in `qi-cli`): under
//! valgrind's system-allocator build every record is freed to the allocator, so that a
//! use after free is still seen.

use std::alloc::Layout;
use std::cell::Cell;

/// Records of `0..CLASSES` slots are kept (16 to 72 bytes with header and descriptor).
pub(crate) const CLASSES: usize = 8;

/// How many bytes of free blocks one thread keeps at most: the rest goes back to the
/// allocator, so a program that once dropped a huge tree does not hold its memory.
pub(crate) const MAX_CACHED_BYTES: usize = 4 << 20;

/// One list head per class, and the bytes held by all of them.
struct Lists {
    heads: [Cell<*mut u8>; CLASSES],
    bytes: Cell<usize>,
}

impl Drop for Lists {
    fn drop(&mut self) {
        for (class, head) in self.heads.iter().enumerate() {
            let mut p = head.replace(std::ptr::null_mut());
            while !p.is_null() {
                // SAFETY: a block on the list holds the next block's address in its first
                // word, and was allocated with its class's layout.
                unsafe {
                    let next = *(p as *const *mut u8);
                    std::alloc::dealloc(p, layout(class));
                    p = next;
                }
            }
        }
        self.bytes.set(0);
    }
}

thread_local! {
    static LISTS: Lists = const {
        Lists { heads: [const { Cell::new(std::ptr::null_mut()) }; CLASSES], bytes: Cell::new(0) }
    };
}

/// Size of a block of `class` (a record of `class` slots).
#[inline]
const fn size(class: usize) -> usize {
    crate::record::RECORD_SLOTS_OFFSET as usize + class * 8
}

fn layout(class: usize) -> Layout {
    crate::object::object_layout(size(class) - crate::object::HEADER_SIZE)
        .expect("a small record's layout is valid")
}

/// A free block for a record of `class` slots, or null when this thread has none (or
/// is ending). The block's contents are garbage.
#[inline]
pub(crate) fn take(class: usize) -> *mut u8 {
    if class >= CLASSES {
        return std::ptr::null_mut();
    }
    LISTS
        .try_with(|l| {
            let head = l.heads[class].get();
            if !head.is_null() {
                // SAFETY: a block on the list holds the next block's address in its
                // first word.
                l.heads[class].set(unsafe { *(head as *const *mut u8) });
                l.bytes.set(l.bytes.get() - size(class));
            }
            head
        })
        .unwrap_or(std::ptr::null_mut())
}

/// Keeps the block `p` of a freed record of `class` slots for the next record of its
/// size; false when it is not kept (too large, lists full, thread ending): the caller
/// then deallocates it.
///
/// # Safety
/// `p` was allocated with the layout of a record of `class` slots, is dead and is not
/// used again by the caller when this returns true.
#[inline]
pub(crate) unsafe fn put(p: *mut u8, class: usize) -> bool {
    if class >= CLASSES {
        return false;
    }
    LISTS
        .try_with(|l| {
            let bytes = l.bytes.get() + size(class);
            if bytes > MAX_CACHED_BYTES {
                return false;
            }
            // SAFETY: the block is dead and at least one word long (the header).
            unsafe { *(p as *mut *mut u8) = l.heads[class].get() };
            l.heads[class].set(p);
            l.bytes.set(bytes);
            true
        })
        .unwrap_or(false)
}

/// Bytes this thread's lists hold (for tests).
#[cfg(test)]
pub(crate) fn cached_bytes() -> usize {
    LISTS.with(|l| l.bytes.get())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn block(class: usize) -> *mut u8 {
        // SAFETY: the layout has a non-zero size.
        unsafe { std::alloc::alloc(layout(class)) }
    }

    #[test]
    fn a_kept_block_is_taken_again_by_its_class_only() {
        std::thread::spawn(|| {
            let b = block(2);
            // SAFETY: a fresh block of class 2, not used again here.
            assert!(unsafe { put(b, 2) });
            assert_eq!(cached_bytes(), 32);
            assert!(take(1).is_null());
            assert!(take(3).is_null());
            assert_eq!(take(2), b);
            assert!(take(2).is_null());
            assert_eq!(cached_bytes(), 0);
            // SAFETY: taken back above: ours again.
            unsafe { std::alloc::dealloc(b, layout(2)) };
        })
        .join()
        .unwrap();
    }

    #[test]
    fn large_records_and_full_lists_go_to_the_allocator() {
        std::thread::spawn(|| {
            assert!(take(CLASSES).is_null());
            let big = block(CLASSES);
            // SAFETY: a fresh block; not kept, so freed below.
            assert!(!unsafe { put(big, CLASSES) });
            // SAFETY: not kept: still ours.
            unsafe { std::alloc::dealloc(big, layout(CLASSES)) };
            let per_block = size(0);
            let fit = MAX_CACHED_BYTES / per_block;
            for _ in 0..fit {
                // SAFETY: fresh blocks of class 0.
                assert!(unsafe { put(block(0), 0) });
            }
            let extra = block(0);
            // SAFETY: a fresh block; the lists are full, so it stays ours.
            assert!(!unsafe { put(extra, 0) });
            // SAFETY: not kept.
            unsafe { std::alloc::dealloc(extra, layout(0)) };
            assert_eq!(cached_bytes(), fit * per_block);
            // The thread's end deallocates what the lists hold (the leak checks of the
            // system-allocator build would see otherwise).
        })
        .join()
        .unwrap();
    }
}
