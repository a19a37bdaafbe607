//! Asynchronous safepoints: how the monitor makes a busy green thread call the scheduler
//! without any poll in generated code (a poll at every loop edge cost `loop` and `sieve`
//! about 30 %: see benches/README.md).
//!
//! The monitor sends the worker `SIGURG`. If the signal interrupts *generated* code (the
//! program counter lies in a function the JIT compiled, see [`register_code`]), the
//! handler makes that code call [`preempt_stub`] as if it had called it itself: it pushes
//! the interrupted address on the green thread's stack and resumes at the stub. The stub
//! saves every register the System V ABI lets a call clobber (and the flags and the SSE
//! state), calls [`qi_interrupted`] (which yields if the worker was asked to), restores
//! them and returns to the interrupted instruction. Generated code keeps nothing below
//! its stack pointer (Cranelift uses no red zone), so the pushed word and the stub's frame
//! disturb nothing; the stack limit leaves `stack::LIMIT_MARGIN` for them.
//!
//! Any instruction of generated code is a safe place to switch green threads: its objects
//! are either its own or shared (atomic counts), and its state is in registers and on its
//! own stack. The one exception is a pending exception, held per OS thread between a
//! raise and the landing that takes it: then the request waits for the next signal. Nor
//! is a Qi callback running under C frames (`ffi::callbacks`).
//! A signal that lands in runtime or Rust code does nothing: the monitor asks again a
//! slice later (a single long runtime call is not preempted).

use std::sync::atomic::{AtomicPtr, Ordering};
use std::sync::Once;

use parking_lot::Mutex;

/// The signal used (ignored by default, so a stray one is harmless; Go uses it too).
pub(super) const SIGNAL: libc::c_int = libc::SIGURG;

/// Sorted `[start, end)` address ranges of the generated functions of every program run so
/// far. Replaced as a whole when code is added (a program, or a batch of the tiering
/// compiler); old tables are never freed, since a signal handler may still be reading one.
static CODE: AtomicPtr<Vec<(usize, usize)>> = AtomicPtr::new(std::ptr::null_mut());
/// The writers' lock, holding the replaced tables: kept reachable, so memory checkers do
/// not report them as lost.
static CODE_WRITER: Mutex<Vec<usize>> = Mutex::new(Vec::new());

/// Make the generated functions at `ranges` (`[start, end)`) interruptible. Entry stubs
/// and other code that runs before the pinned register holds the stack limit must not be
/// among them.
pub fn register_code(ranges: &[(usize, usize)]) {
    let mut replaced = CODE_WRITER.lock();
    let old = CODE.load(Ordering::Acquire);
    let mut all = ranges.to_vec();
    if !old.is_null() {
        // SAFETY: tables are never freed.
        all.extend_from_slice(unsafe { &*old });
        replaced.push(old as usize);
    }
    all.sort_unstable();
    CODE.store(Box::into_raw(Box::new(all)), Ordering::Release);
    install_handler();
}

/// Is `pc` in generated code? (Async-signal-safe: reads an immutable table.)
#[cfg_attr(not(all(target_arch = "x86_64", target_os = "linux")), allow(dead_code))]
fn in_generated_code(pc: usize) -> bool {
    let table = CODE.load(Ordering::Acquire);
    if table.is_null() {
        return false;
    }
    // SAFETY: tables are never freed or changed once published.
    let ranges = unsafe { &*table };
    let after = ranges.partition_point(|r| r.0 <= pc);
    after > 0 && pc < ranges[after - 1].1
}

#[cfg(all(target_arch = "x86_64", target_os = "linux"))]
fn install_handler() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // SAFETY: a zeroed `sigaction` is a valid empty one; the fields are set below.
        let mut action: libc::sigaction = unsafe { std::mem::zeroed() };
        action.sa_sigaction = on_signal as *const () as usize;
        action.sa_flags = libc::SA_SIGINFO | libc::SA_RESTART;
        // SAFETY: `sa_mask` is a valid signal set to initialise; installing a handler for
        // a signal the runtime owns affects no other code.
        let r = unsafe {
            libc::sigemptyset(&mut action.sa_mask);
            libc::sigaction(SIGNAL, &action, std::ptr::null_mut())
        };
        debug_assert_eq!(r, 0, "sigaction");
    });
}

/// Elsewhere there is no handler (the stub is x86-64 code and the handler reads Linux's
/// `ucontext_t`): `SIGURG` is ignored, and busy green threads are not preempted.
#[cfg(not(all(target_arch = "x86_64", target_os = "linux")))]
fn install_handler() {}

/// Interrupt the thread `thread` (a worker): see the module comment.
pub(super) fn interrupt(thread: libc::pthread_t) {
    // SAFETY: the caller guarantees the thread has not exited (see `worker::Slots`).
    unsafe { libc::pthread_kill(thread, SIGNAL) };
}

#[cfg(all(target_arch = "x86_64", target_os = "linux"))]
extern "C" fn on_signal(_sig: libc::c_int, _info: *mut libc::siginfo_t, ctx: *mut libc::c_void) {
    // SAFETY: with SA_SIGINFO the third argument is the interrupted context, which the
    // kernel restores when the handler returns.
    let gregs = unsafe { &mut (*(ctx as *mut libc::ucontext_t)).uc_mcontext.gregs };
    let pc = gregs[libc::REG_RIP as usize] as usize;
    if !in_generated_code(pc) {
        return;
    }
    // Generated code may run a little below its stack limit (held in r15 whenever the pc
    // is in a registered function): a leaf function's frame, or a frame whose entry check
    // is about to fail. The kernel's signal frame, the stub and the scheduler take room
    // from `LIMIT_MARGIN` below the limit; where too little of it is left, do nothing
    // (the monitor asks again a slice later).
    let rsp = gregs[libc::REG_RSP as usize] as usize;
    let limit = gregs[libc::REG_R15 as usize] as usize;
    if rsp < limit.saturating_sub(super::stack::LIMIT_MARGIN - SIGNAL_ROOM) {
        return;
    }
    let sp = rsp - 8;
    // SAFETY: generated code runs on a green thread's stack, which has at least
    // `LIMIT_MARGIN` bytes mapped below its stack pointer, and keeps nothing there.
    unsafe { (sp as *mut usize).write(pc) };
    gregs[libc::REG_RSP as usize] = sp as i64;
    gregs[libc::REG_RIP as usize] = preempt_stub as *const () as usize as i64;
}

/// Room below the stack limit that a preemption needs besides the kernel's signal frame:
/// the stub's frame (about 600 bytes) and the scheduler's frames down to the switch.
const SIGNAL_ROOM: usize = 16 << 10;

/// Called by [`preempt_stub`] in the interrupted green thread.
#[cfg(all(target_arch = "x86_64", target_os = "linux"))]
extern "C" fn qi_interrupted() {
    crate::guard::guard(|| {
        // Not with C frames on the stack either (a callback from C): they must stay on
        // this OS thread (docs/FFI.md).
        if !crate::exception::is_pending() && !crate::ffi::callbacks::inside_foreign_call() {
            super::preempt::safepoint();
        }
    })
}

#[cfg(all(target_arch = "x86_64", target_os = "linux"))]
extern "C" {
    /// Saves the caller-saved state, calls [`qi_interrupted`], restores it and returns to
    /// the interrupted instruction (whose address the signal handler pushed).
    #[link_name = "qi_rt_preempt_stub"]
    fn preempt_stub();
}

// Frame: the flags, rbp, the nine caller-saved general registers, then (16-byte aligned)
// the 512-byte FXSAVE area with x87/MXCSR/xmm0-15.
#[cfg(all(target_arch = "x86_64", target_os = "linux"))]
std::arch::global_asm!(
    ".text",
    ".p2align 4",
    ".globl qi_rt_preempt_stub",
    ".hidden qi_rt_preempt_stub",
    "qi_rt_preempt_stub:",
    "pushfq",
    "push rbp",
    "mov rbp, rsp",
    "push rax",
    "push rcx",
    "push rdx",
    "push rsi",
    "push rdi",
    "push r8",
    "push r9",
    "push r10",
    "push r11",
    "and rsp, -16",
    "sub rsp, 512",
    "fxsave64 [rsp]",
    "call {interrupted}",
    "fxrstor64 [rsp]",
    "lea rsp, [rbp - 72]",
    "pop r11",
    "pop r10",
    "pop r9",
    "pop r8",
    "pop rdi",
    "pop rsi",
    "pop rdx",
    "pop rcx",
    "pop rax",
    "pop rbp",
    "popfq",
    "ret",
    interrupted = sym qi_interrupted,
);

#[cfg(test)]
mod tests {
    use super::{in_generated_code, register_code};

    #[test]
    fn code_ranges_accumulate_and_exclude_their_ends() {
        // Addresses no real code has (the table is global to the process).
        let base = usize::MAX - 0x10_0000;
        register_code(&[(base + 0x100, base + 0x200)]);
        register_code(&[(base + 0x10, base + 0x20)]);
        assert!(in_generated_code(base + 0x100));
        assert!(in_generated_code(base + 0x1ff));
        assert!(!in_generated_code(base + 0x200));
        assert!(in_generated_code(base + 0x15));
        assert!(!in_generated_code(base + 0x20));
        assert!(!in_generated_code(base + 0x50));
    }
}
