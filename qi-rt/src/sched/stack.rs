//! Stacks for green threads, pooled.
//!
//! Stacks are carved out of large `MAP_NORESERVE` slabs, `STACKS_PER_SLAB` at a time: the
//! kernel only backs the pages a green thread touches, and one mapping per slab keeps
//! far below `vm.max_map_count` (65530 on stock Linux) even with 100,000 green threads —
//! a guard page per stack would cost two mappings each. Overflow is caught in software
//! instead: generated code compares its stack pointer with the limit in the pinned
//! register (see `limit`), which leaves `LIMIT_MARGIN` bytes for runtime code called at
//! the deepest point.
//!
//! The lowest page of each slab and of the main stack is a guard page.
//!
//! A freed stack goes back to the pool; slabs are never unmapped (a program that once
//! ran N green threads at a time is likely to do so again).

use parking_lot::Mutex;

/// Address-space reservation per green thread. Only touched pages use memory.
pub const GREEN_STACK_SIZE: usize = 1 << 20;
/// Stack of the green thread that runs `入口` (deep recursion is common there).
pub const MAIN_STACK_SIZE: usize = 256 << 20;
/// Room below the generated code's limit for the runtime functions it calls (and the
/// stack-overflow report itself).
pub const LIMIT_MARGIN: usize = 64 << 10;
const STACKS_PER_SLAB: usize = 64;

/// A stack: `[limit, base)`, growing down from `base`.
pub struct GreenStack {
    base: usize,
    size: usize,
}

impl GreenStack {
    /// The lowest address generated code may reach (the value of the pinned register).
    pub fn code_limit(&self) -> usize {
        self.base - self.size + LIMIT_MARGIN
    }
}

// SAFETY: `base` and `base - size` bound a private read-write mapping that this value
// owns exclusively until it is dropped (back to the pool); both are 16-byte aligned.
unsafe impl corosensei::stack::Stack for GreenStack {
    fn base(&self) -> corosensei::stack::StackPointer {
        corosensei::stack::StackPointer::new(self.base).expect("stack base is not null")
    }

    fn limit(&self) -> corosensei::stack::StackPointer {
        corosensei::stack::StackPointer::new(self.base - self.size)
            .expect("stack limit is not null")
    }
}

impl Drop for GreenStack {
    fn drop(&mut self) {
        if self.size == GREEN_STACK_SIZE {
            FREE.lock().push(self.base);
        }
        // The main stack is used once per program; it is left mapped (the process ends).
    }
}

/// Bases of free pooled stacks.
static FREE: Mutex<Vec<usize>> = Mutex::new(Vec::new());

/// A stack for a new green thread.
pub fn take() -> GreenStack {
    if let Some(base) = FREE.lock().pop() {
        return GreenStack { base, size: GREEN_STACK_SIZE };
    }
    let slab = map(GREEN_STACK_SIZE * STACKS_PER_SLAB);
    guard_page(slab);
    let mut free = FREE.lock();
    for i in 1..STACKS_PER_SLAB {
        free.push(slab + (i + 1) * GREEN_STACK_SIZE);
    }
    GreenStack { base: slab + GREEN_STACK_SIZE, size: GREEN_STACK_SIZE }
}

/// The stack of the green thread that runs `入口`.
pub fn take_main() -> GreenStack {
    let low = map(MAIN_STACK_SIZE);
    guard_page(low);
    GreenStack { base: low + MAIN_STACK_SIZE, size: MAIN_STACK_SIZE }
}

/// Make the lowest page at `low` inaccessible: a runaway runtime frame below the lowest
/// stack of a slab (or below the main stack) faults instead of writing into other memory.
/// (One guard per slab, not per stack: see the module comment.)
fn guard_page(low: usize) {
    // SAFETY: `low` is the page-aligned start of a mapping we own; the page lies below
    // every limit handed out (`LIMIT_MARGIN` is larger than a page).
    let r = unsafe { libc::mprotect(low as *mut libc::c_void, 4096, libc::PROT_NONE) };
    debug_assert_eq!(r, 0, "mprotect of a guard page");
}

/// Reserve `size` bytes of zero-filled, lazily backed memory; its lowest address.
fn map(size: usize) -> usize {
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
    if p == libc::MAP_FAILED {
        crate::error::runtime_error(
            "无法为绿色线程分配栈（地址空间不足）".into(),
            "cannot map a stack for a green thread (out of address space)".into(),
        );
    }
    p as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stacks_are_reused_and_writable() {
        let a = take();
        let base = a.base;
        // SAFETY: the top word of a fresh stack is mapped read-write memory we own.
        unsafe {
            let top = (base - 8) as *mut u64;
            top.write(42);
            assert_eq!(top.read(), 42);
        }
        assert!(a.code_limit() < base && a.code_limit() > base - GREEN_STACK_SIZE);
        drop(a);
        let b = take();
        assert_eq!(b.base, base, "the last freed stack is handed out first");
    }
}
