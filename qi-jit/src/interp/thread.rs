//! The interpreter on green threads: the entries the scheduler starts threads through,
//! and the state one green thread's interpreted frames share.
//!
//! Interpreted frames live on this state's stacks (`frame`), not on the native stack: the
//! stack budget an entry is given bounds the bytes they take (locals and saved places),
//! and a function that calls Qi functions checks it on entry and raises the catchable
//! 栈溢出 there, as compiled code checks its stack pointer against the pinned register.
//! An interpreted frame takes more bytes or fewer than a compiled one, so the depth at
//! which a recursion overflows differs between the tiers.
//!
//! Preemption: the monitor's signal only stops generated code, so interpreted code polls
//! the preemption request itself on loop-closing jumps and on entering functions that
//! call functions (so a recursion without loops polls too; every `POLL_EVERY` of them
//! per green thread, to keep the poll off the hot path), never while an exception is
//! pending.

use super::stack::Stack;
use super::Interpreted;
use qi_rt::object::Header;
use std::sync::atomic::{AtomicPtr, Ordering};

/// Loop-closing jumps and calls between two polls of the preemption request.
const POLL_EVERY: u32 = 1024;

/// The program the entries run (one interpreted program per process: `run` leaks it).
static PROGRAM: AtomicPtr<Interpreted> = AtomicPtr::new(std::ptr::null_mut());

pub(crate) fn program() -> &'static Interpreted {
    let p = PROGRAM.load(Ordering::Acquire);
    assert!(!p.is_null(), "an interpreted program runs");
    // SAFETY: set by `run` from a leaked program, never freed.
    unsafe { &*p }
}

/// Run `program`'s main function as the first green thread on `workers` workers.
pub fn run(program: &'static Interpreted, workers: qi_rt::sched::Workers) -> qi_rt::sched::Outcome {
    PROGRAM.store(program as *const Interpreted as *mut Interpreted, Ordering::Release);
    let entry = qi_rt::sched::Entry { main: enter_main, closure: enter_closure };
    qi_rt::sched::run_program(entry, workers)
}

/// Where a caller continues when its callee returns.
#[derive(Clone, Copy)]
pub struct Frame {
    pub func: qi_ir::FuncId,
    /// The op after the call (which says where the result goes).
    pub pc: u32,
    /// Its locals start here on the locals stack.
    pub base: usize,
}

/// The interpreter state of one green thread.
pub struct Thread {
    /// The locals of every interpreted frame of this green thread, innermost last.
    pub stack: Stack<u64>,
    /// The callers of the running interpreted function, innermost last.
    pub frames: Stack<Frame>,
    /// Bytes the frames may take.
    budget: usize,
    /// The native stack's limit for compiled code this state calls (`crate::tiers`).
    pub native_limit: usize,
    /// Loop-closing jumps left before the next poll.
    polls: u32,
}

impl Thread {
    /// The state of interpreted frames that may take `budget` bytes.
    ///
    /// Its stacks never grow past what the budget allows: `stack.len() * 8` and
    /// `frames.len() * size_of::<Frame>()` stay below `budget` at every checked entry
    /// (`out_of_stack`), and past the last one only a function that calls nothing is
    /// entered, which adds at most the most locals a function has (`max_locals`). So that
    /// is their bound, and a stack's storage never moves once mapped (`stack::Stack`).
    pub(crate) fn new(budget: usize) -> Thread {
        let native_limit = crate::tiers::stack_pointer().saturating_sub(budget);
        let max_locals = super::program().max_locals;
        Thread {
            stack: Stack::new(budget / 8 + 2 * max_locals + 2),
            frames: Stack::new(budget / size_of::<Frame>() + 2),
            budget,
            native_limit,
            polls: POLL_EVERY,
        }
    }

    /// Give back most of the memory of stacks that are far larger than what they hold
    /// (after a deep recursion was unwound), as the runtime gives back the pages of a
    /// caught overflow (`sched::overflow`).
    pub fn shrink(&mut self) {
        self.stack.shrink();
        self.frames.shrink();
    }

    /// The address of the word at `index` of the locals stack (`&变量` of a local, for C
    /// and `内存`), valid as long as its frame is: the stack is pinned (never moves).
    pub fn local_address(&mut self, index: usize) -> u64 {
        self.stack.pin();
        debug_assert!(index < self.stack.len());
        self.stack.as_mut_ptr().wrapping_add(index) as u64
    }

    /// Bytes the frames take.
    pub(crate) fn used(&self) -> usize {
        self.stack.len() * 8 + self.frames.len() * std::mem::size_of::<Frame>()
    }

    /// Is the stack budget used up?
    #[inline]
    pub fn out_of_stack(&self) -> bool {
        self.used() >= self.budget
    }

    /// Bytes of the budget left (what an eager future's body inherits).
    pub fn stack_left(&self) -> usize {
        self.budget.saturating_sub(self.used())
    }

    /// A loop-closing jump: let a waiting green thread in when this one was asked to.
    #[inline]
    pub fn poll(&mut self) {
        self.polls -= 1;
        if self.polls == 0 {
            // Between a raise and the landing that takes it, the exception is held per
            // OS thread: no switch then (as for compiled code, `sched::interrupt`).
            if qi_rt::exception::is_pending() {
                self.polls = 1;
                return;
            }
            self.polls = POLL_EVERY;
            qi_rt::sched::preempt::safepoint();
        }
    }
}

/// `qi_rt::sched::MainEntry`: the program's main function.
extern "C" fn enter_main(budget: usize) -> u8 {
    let program = program();
    let mut thread = Thread::new(budget);
    let (_, raised) = program.run_function(&mut thread, program.module.main, &[]);
    raised as u8
}

/// `qi_rt::sched::ClosureEntry`: a closure `函数()`.
///
/// # Safety
/// `closure` is a live closure record of this program.
unsafe extern "C" fn enter_closure(closure: *mut Header, budget: usize) -> u8 {
    let program = program();
    let mut thread = Thread::new(budget);
    // SAFETY: per the caller.
    let f = unsafe { program.closure_function(closure as u64) };
    let (_, raised) = program.run_function(&mut thread, f, &[closure as u64]);
    raised as u8
}
