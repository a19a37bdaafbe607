//! The storage of an interpreter state's stacks (locals, callers' places): a plain vector
//! while small, then one private mapping of the most the stack can ever hold.
//!
//! Why not a growing vector throughout: a deep recursion grows it to megabytes, and the
//! allocator need not give such blocks back to the system when they are freed (glibc's
//! raises its mmap threshold to the size of a freed mapped block, so the next ones come
//! from arenas it does not trim; mimalloc keeps freed pages in its own segments for a
//! while), so green threads that each overflowed once held 50–100 MiB between them. A
//! mapping is only address space until touched, like a green thread's native stack; its
//! pages are given back when a caught overflow unwinds (`shrink`), it is unmapped when
//! the state ends, and it never moves, so the address of a local (`&变量`) stays valid
//! (`pin`). Small stacks (most green threads) stay cheap vectors.

use std::ops::{Deref, DerefMut};

use qi_rt::pages::{self, PAGE};

/// A stack stays a vector up to this many bytes: what most green threads need, cheap to
/// allocate, and too little to matter when the allocator keeps it after it is freed.
const SMALL_BYTES: usize = 64 << 10;
/// Bytes a shrunk mapping keeps resident above the part in use.
const KEEP_BYTES: usize = 64 << 10;

/// A stack of `T` that holds at most `max` elements.
pub struct Stack<T: Copy> {
    store: Store<T>,
    max: usize,
}

enum Store<T> {
    Small(Vec<T>),
    /// `len` elements at `ptr`, in a mapping of `max` elements of which the first
    /// `touched` may be resident.
    Mapped {
        ptr: *mut T,
        len: usize,
        touched: usize,
    },
}

// SAFETY: the mapping is owned by the stack alone (like a `Vec`'s buffer); `T` is a
// plain value.
unsafe impl<T: Copy + Send> Send for Stack<T> {}

impl<T: Copy> Stack<T> {
    /// An empty stack that will never hold more than `max` elements (the interpreter's
    /// stack budget bounds it; see `Thread::new`).
    pub fn new(max: usize) -> Stack<T> {
        Stack { store: Store::Small(Vec::new()), max }
    }

    pub fn len(&self) -> usize {
        match &self.store {
            Store::Small(v) => v.len(),
            Store::Mapped { len, .. } => *len,
        }
    }

    /// Room for `additional` more elements.
    #[inline]
    fn reserve(&mut self, additional: usize) {
        let needed = self.len() + additional;
        if let Store::Small(v) = &mut self.store {
            if needed <= v.capacity() || needed * size_of::<T>() <= SMALL_BYTES {
                return v.reserve(additional);
            }
        }
        // The interpreter's stack checks keep it below (`Thread::new`): a bug otherwise.
        assert!(needed <= self.max, "interpreter stack bound exceeded ({needed} > {})", self.max);
        if matches!(self.store, Store::Small(_)) {
            self.map();
        }
        match &mut self.store {
            Store::Mapped { touched, .. } => *touched = (*touched).max(needed),
            // No address space for a mapping: the vector grows as vectors do.
            Store::Small(v) => v.reserve(additional),
        }
    }

    /// Move the elements into a mapping of `max` elements (once). False when the address
    /// space is exhausted: the elements then stay in the vector.
    fn map(&mut self) -> bool {
        let Store::Small(v) = &self.store else { return true };
        // Below `SMALL_BYTES` the bound is not checked: never map less than is held.
        self.max = self.max.max(v.len());
        let Some(low) = pages::reserve(mapping_bytes::<T>(self.max)) else { return false };
        let ptr = low as *mut T;
        // SAFETY: the fresh mapping holds `max >= v.len()` elements, so the copy fits and
        // overlaps nothing.
        unsafe { std::ptr::copy_nonoverlapping(v.as_ptr(), ptr, v.len()) };
        let len = v.len();
        self.store = Store::Mapped { ptr, len, touched: len };
        true
    }

    /// From now on the elements never move (the addresses of locals are taken).
    pub fn pin(&mut self) {
        if !self.map() {
            // No address space for a mapping: give the vector its whole bound now, so that
            // it never reallocates (the allocator ends the process if even that fails).
            if let Store::Small(v) = &mut self.store {
                v.reserve_exact(self.max - v.len());
            }
        }
    }

    #[inline]
    pub fn push(&mut self, x: T) {
        self.reserve(1);
        match &mut self.store {
            Store::Small(v) => v.push(x),
            Store::Mapped { ptr, len, .. } => {
                // SAFETY: `reserve` checked that element `len` lies inside the mapping.
                unsafe { ptr.add(*len).write(x) };
                *len += 1;
            }
        }
    }

    pub fn pop(&mut self) -> Option<T> {
        let n = self.len();
        let x = self.get(n.checked_sub(1)?).copied();
        self.truncate(n - 1);
        x
    }

    #[inline]
    pub fn extend_from_slice(&mut self, xs: &[T]) {
        for &x in xs {
            self.push(x);
        }
    }

    /// Grow to `n` elements with `x`, or cut to `n`.
    #[inline]
    pub fn resize(&mut self, n: usize, x: T) {
        let len = self.len();
        if n <= len {
            return self.truncate(n);
        }
        self.reserve(n - len);
        match &mut self.store {
            Store::Small(v) => v.resize(n, x),
            Store::Mapped { ptr, len, .. } => {
                for i in *len..n {
                    // SAFETY: `reserve` checked that elements below `n` lie inside the mapping.
                    unsafe { ptr.add(i).write(x) };
                }
                *len = n;
            }
        }
    }

    #[inline]
    pub fn truncate(&mut self, n: usize) {
        match &mut self.store {
            Store::Small(v) => v.truncate(n),
            Store::Mapped { len, .. } => *len = (*len).min(n),
        }
    }

    /// Give back most of the memory beyond what is in use (after a deep recursion was
    /// unwound), as the runtime gives back the pages of a caught overflow.
    pub fn shrink(&mut self) {
        match &mut self.store {
            Store::Small(v) => {
                let keep = KEEP_BYTES / size_of::<T>();
                if v.capacity() > keep.max(4 * v.len()) {
                    v.shrink_to(keep.max(2 * v.len()));
                }
            }
            Store::Mapped { ptr, len, touched } => {
                let start = *ptr as usize;
                let low = (start + *len * size_of::<T>() + KEEP_BYTES).next_multiple_of(PAGE);
                let high = (start + *touched * size_of::<T>()).next_multiple_of(PAGE);
                if high > low {
                    // SAFETY: `[low, high)` is page-aligned, inside the mapping and above
                    // every element in use: its contents are dead (they read as zero when
                    // touched again).
                    unsafe { pages::discard(low, high - low) };
                    *touched = (low - start) / size_of::<T>();
                }
            }
        }
    }
}

impl<T: Copy> Deref for Stack<T> {
    type Target = [T];

    #[inline]
    fn deref(&self) -> &[T] {
        match &self.store {
            Store::Small(v) => v,
            // SAFETY: the first `len` elements of the mapping are initialised, and the
            // mapping lives as long as `self`.
            Store::Mapped { ptr, len, .. } => unsafe { std::slice::from_raw_parts(*ptr, *len) },
        }
    }
}

impl<T: Copy> DerefMut for Stack<T> {
    #[inline]
    fn deref_mut(&mut self) -> &mut [T] {
        match &mut self.store {
            Store::Small(v) => v,
            // SAFETY: as for `deref`, borrowed exclusively through `self`.
            Store::Mapped { ptr, len, .. } => unsafe { std::slice::from_raw_parts_mut(*ptr, *len) },
        }
    }
}

impl<T: Copy> Drop for Stack<T> {
    fn drop(&mut self) {
        if let Store::Mapped { ptr, .. } = self.store {
            // SAFETY: the mapping `map` made, of this size; nothing points into it once
            // the interpreter state that owns the stack ends.
            unsafe { pages::release(ptr as usize, mapping_bytes::<T>(self.max)) };
        }
    }
}

/// The size of the mapping for a stack of at most `max` elements.
fn mapping_bytes<T>(max: usize) -> usize {
    (max.max(1) * size_of::<T>()).next_multiple_of(PAGE)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grows_past_small_keeping_contents_and_pins() {
        let mut s: Stack<u64> = Stack::new(1 << 20);
        for i in 0..100_000u64 {
            s.push(i);
        }
        assert!(matches!(s.store, Store::Mapped { .. }));
        assert_eq!(s[99_999], 99_999);
        let first = s.as_ptr();
        s.resize(500_000, 7);
        assert_eq!((s.as_ptr(), s[499_999], s[1]), (first, 7, 1));
        s.truncate(10);
        s.shrink();
        s.resize(200_000, 0);
        assert_eq!((s.as_ptr(), s[150_000], s[9]), (first, 0, 9), "given-back pages read as zero");
        assert_eq!(s.pop(), Some(0));
    }

    #[test]
    fn pinned_small_stack_never_moves() {
        let mut s: Stack<u64> = Stack::new(1000);
        s.push(1);
        s.pin();
        let first = s.as_ptr();
        s.resize(1000, 3);
        assert_eq!((s.as_ptr(), s[0], s[999]), (first, 1, 3));
    }
}
