//! How large one object may be.
//!
//! An object whose size comes from the program (`数组<T>(n)`, a concatenated string) is
//! refused — the program gets a catchable exception — when it is larger than the
//! machine's memory (RAM plus swap, read once): such a request cannot be used, and with
//! overcommitting allocators (mimalloc maps with `MAP_NORESERVE`) it would otherwise
//! "succeed" and get the process killed later, when its pages are touched.

use std::sync::OnceLock;

/// Upper bound on any object, header included: 2^47 bytes, the whole user address space
/// of x86-64 and AArch64 Linux (48-bit virtual addresses), when the machine's memory is
/// unknown.
pub const MAX_OBJECT_BYTES: usize = 1 << 47;

/// Objects up to this size are never compared with the machine's memory (the check is
/// for huge requests; small ones skip the lookup).
const ALWAYS_TRIED: usize = 1 << 24;

/// May an object of `size` bytes (header included) be allocated?
#[inline]
pub fn may_allocate(size: usize) -> bool {
    size <= ALWAYS_TRIED || size <= object_limit()
}

/// The largest object allocated: the machine's memory, at most [`MAX_OBJECT_BYTES`].
pub fn object_limit() -> usize {
    static LIMIT: OnceLock<usize> = OnceLock::new();
    *LIMIT.get_or_init(|| machine_memory().map_or(MAX_OBJECT_BYTES, |m| m.min(MAX_OBJECT_BYTES)))
}

/// RAM plus swap in bytes, when the system says.
#[cfg(target_os = "linux")]
fn machine_memory() -> Option<usize> {
    // SAFETY: `sysinfo` only writes the struct it is given; all-zero is a valid value of
    // this plain C struct.
    let info = unsafe {
        let mut info: libc::sysinfo = std::mem::zeroed();
        if libc::sysinfo(&mut info) != 0 {
            return None;
        }
        info
    };
    let units = (info.totalram as u128 + info.totalswap as u128) * info.mem_unit.max(1) as u128;
    (units > 0).then(|| usize::try_from(units).unwrap_or(usize::MAX))
}

/// Physical memory in bytes, when the system says.
#[cfg(all(unix, not(target_os = "linux")))]
fn machine_memory() -> Option<usize> {
    // SAFETY: `sysconf` has no preconditions.
    let (pages, page) =
        unsafe { (libc::sysconf(libc::_SC_PHYS_PAGES), libc::sysconf(libc::_SC_PAGESIZE)) };
    let bytes = (pages as u128).checked_mul(page as u128)?;
    (pages > 0 && page > 0).then(|| usize::try_from(bytes).unwrap_or(usize::MAX))
}

#[cfg(not(unix))]
fn machine_memory() -> Option<usize> {
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limit_is_the_machine_memory_capped() {
        let limit = object_limit();
        assert!(limit <= MAX_OBJECT_BYTES);
        assert!(limit > ALWAYS_TRIED, "a machine with more than 16 MiB of memory");
        assert!(may_allocate(ALWAYS_TRIED));
        assert!(may_allocate(limit));
        assert!(!may_allocate(limit + 1));
        assert!(!may_allocate(usize::MAX));
    }
}
