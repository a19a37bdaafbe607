//! The Rust ends of the crossings between the tiers, and their stack safety.
//!
//! *Compiled → interpreted*: a function's interpreter stub (`codegen`) calls
//! `interp_entry`, which interprets the function on a fresh interpreter state whose
//! budget is what the compiled frames left (the native stack pointer less the pinned
//! limit), less `RUST_FRAMES` for the interpreter's own Rust frames; with less than that
//! left it raises the catchable 栈溢出 in the frame being entered, as a compiled prologue
//! does. So compiled → interpreted → compiled → … nests Rust frames on the native stack
//! without ever running past the limit.
//!
//! *Interpreted → compiled*: the interpreter calls a compiled function's native adapter
//! with the limit to pin: the interpreter state's native limit (`Thread::native_limit`:
//! the caller's limit below an interpreter entry, the green thread's at its start) raised
//! by the bytes the interpreted frames take. So one budget covers both kinds of frames,
//! and a crossing costs only the native stack its Rust frames really use.
//!
//! The limit is handed down as an address, never as a size to subtract from the stack
//! pointer where the adapter runs: that pointer is below the one the size was measured
//! at (the Rust frames in between), so each crossing would lower the limit by their size
//! and a recursion through thousands of crossings would push it past the stack's end
//! (a segfault instead of 栈溢出).

use crate::interp::{program, Interpreted, Thread};
use qi_ir::FuncId;

/// A compiled function's native adapter: arguments, one 64-bit word per parameter of the
/// IR function (the interpreter's locals); where its result goes; the stack limit to pin.
/// Returns the status (1: it raised).
pub(crate) type AdapterFn =
    unsafe extern "C" fn(args: *const u64, result: *mut u64, limit: usize) -> u8;

/// Native stack the interpreter's Rust frames between an interpreter entry and the
/// calls it makes (runtime entry points, adapters) may take: far more than they need,
/// in a debug build too.
const RUST_FRAMES: usize = 128 << 10;

/// The current native stack pointer (near enough: the address of a local).
#[inline(always)]
pub(crate) fn stack_pointer() -> usize {
    let marker = 0u8;
    std::hint::black_box(&marker) as *const u8 as usize
}

/// The stack limit for compiled code called from `thread`'s interpreted frames.
pub(crate) fn compiled_limit(thread: &Thread) -> usize {
    thread.native_limit.saturating_add(thread.used())
}

/// Call a compiled function through its adapter with `args` (all its parameters) and
/// the stack `limit`; its result (0 for none or when it raised) and whether it raised.
pub(crate) fn call_adapter(adapter: AdapterFn, args: &[u64], limit: usize) -> (u64, bool) {
    let mut result = 0u64;
    // SAFETY: `args` holds one word per parameter of the adapter's function, of the
    // types its IR gives them (the caller's locals or arguments); `result` is writable.
    let status = unsafe { adapter(args.as_ptr(), &mut result, limit) };
    (result, status != 0)
}

impl Interpreted {
    /// Run `f` with `args` to its end: its compiled code when there is some, else
    /// interpreted (hook: the entries green threads start through, and `interp_entry`).
    pub(crate) fn run_function(&self, thread: &mut Thread, f: FuncId, args: &[u64]) -> (u64, bool) {
        match self.tiering.call(f) {
            Some(adapter) => call_adapter(adapter, args, compiled_limit(thread)),
            None => self.call(thread, f, args),
        }
    }
}

/// The Rust end of every interpreter stub: interpret function `func` with the
/// arguments at `args`, write its result to `result`, return its status. `limit` is the
/// caller's stack limit (the pinned register).
///
/// # Safety
/// `args` points to one word per parameter of `func`, `result` to a writable word; the
/// program of `crate::interp::program` is running.
pub(super) unsafe extern "C" fn interp_entry(
    func: u64,
    args: *const u64,
    result: *mut u64,
    limit: usize,
) -> u8 {
    let program = program();
    let f = FuncId(func as u32);
    let function = program.function(f);
    let left = stack_pointer().saturating_sub(limit);
    debug_assert!(
        qi_rt::sched::overflow::lowest_limit(stack_pointer()).is_none_or(|lowest| limit >= lowest),
        "the stack limit {limit:#x} handed down to {} is past its green thread's stack",
        function.name
    );
    if left < RUST_FRAMES {
        program.raise_stack_overflow(function.loc);
        return 1;
    }
    // SAFETY: per the caller, one word per parameter.
    let args = unsafe { std::slice::from_raw_parts(args, function.params.len()) };
    let mut thread = Thread::new(left - RUST_FRAMES);
    thread.native_limit = limit;
    let (value, raised) = program.run_function(&mut thread, f, args);
    // SAFETY: per the caller.
    unsafe { *result = value };
    raised as u8
}

impl Interpreted {
    /// An interpreted call of a compiled function whose arguments are pushed on the
    /// locals stack from `args` (hook: the interpreter's call instruction). It runs to
    /// its end; true when it returned (its result is in `dst`), false when it raised.
    pub(crate) fn call_compiled(
        &self,
        thread: &mut Thread,
        caller_base: usize,
        adapter: AdapterFn,
        args: usize,
        dst: Option<u32>,
    ) -> bool {
        let limit = compiled_limit(thread);
        let (value, raised) = call_adapter(adapter, &thread.stack[args..], limit);
        thread.stack.truncate(args);
        if let (false, Some(dst)) = (raised, dst) {
            thread.stack[caller_base + dst as usize] = value;
        }
        !raised
    }
}

impl Interpreted {
    /// On-stack replacement (hook: a loop-closing jump): run the rest of the interpreted
    /// frame whose locals start at `base` in its function's compiled variant entered at
    /// the jump's target, through that variant's adapter `osr`. The compiled frame takes
    /// over the locals (it releases what they own, as the frame would have); the result
    /// and status are the frame's own.
    pub(crate) fn run_compiled_loop(
        &self,
        thread: &mut Thread,
        base: usize,
        osr: AdapterFn,
    ) -> (u64, bool) {
        let limit = compiled_limit(thread);
        call_adapter(osr, &thread.stack[base..], limit)
    }
}
