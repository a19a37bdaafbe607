//! Anonymous memory mappings, the one place the runtime and the interpreter tier ask
//! the kernel for address space directly: green threads' stack slabs
//! (`sched::stack`) and large interpreter stacks (qi-jit's `interp::stack`). Both want
//! memory that is only address space until touched, whose pages can be given back
//! without unmapping, and that never moves.

/// The size of a page on the targets qi supports (x86-64 and AArch64 Linux with 4 KiB
/// pages).
pub const PAGE: usize = 4096;

/// Reserve `size` bytes of zero-filled, lazily backed, readable and writable memory; its
/// lowest address (page-aligned), or `None` when the address space is exhausted.
pub fn reserve(size: usize) -> Option<usize> {
    // SAFETY: an anonymous private mapping at an address the kernel chooses touches no
    // existing memory; the result is checked for failure before use.
    let p = unsafe {
        libc::mmap(
            std::ptr::null_mut(),
            size,
            libc::PROT_READ | libc::PROT_WRITE,
            libc::MAP_PRIVATE | libc::MAP_ANONYMOUS | libc::MAP_NORESERVE,
            -1,
            0,
        )
    };
    (p != libc::MAP_FAILED).then_some(p as usize)
}

/// Give the pages of `[low, low + len)` back to the kernel; they read as zero when
/// touched again.
///
/// # Safety
/// The range is page-aligned, lies inside a mapping made by [`reserve`], and nothing in
/// it is live (whatever it held is dead or has been copied out).
pub unsafe fn discard(low: usize, len: usize) {
    // SAFETY: the caller's contract above.
    let r = unsafe { libc::madvise(low as *mut libc::c_void, len, libc::MADV_DONTNEED) };
    debug_assert_eq!(r, 0, "madvise of a dead range");
}

/// Make the page-aligned `[low, low + len)` inaccessible, so that a runaway access faults.
///
/// # Safety
/// The range lies inside a mapping made by [`reserve`] and nothing will access it again.
pub unsafe fn forbid(low: usize, len: usize) {
    // SAFETY: the caller's contract above.
    let r = unsafe { libc::mprotect(low as *mut libc::c_void, len, libc::PROT_NONE) };
    debug_assert_eq!(r, 0, "mprotect of a guard range");
}

/// Unmap a whole mapping made by [`reserve`].
///
/// # Safety
/// `(low, size)` is exactly what `reserve` made and returned, and nothing points into it
/// any more.
pub unsafe fn release(low: usize, size: usize) {
    // SAFETY: the caller's contract above.
    let r = unsafe { libc::munmap(low as *mut libc::c_void, size) };
    debug_assert_eq!(r, 0, "munmap");
}
