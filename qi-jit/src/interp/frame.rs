//! Executing a function: its frame is a window of the green thread's locals stack, its
//! control flow the IR's blocks.
//!
//! Exceptions follow the protocol of compiled code (docs/EXCEPTIONS.md): whatever
//! raises leaves the exception pending in the runtime and reports "raised"; the block's
//! unwind edge then continues at its landing (which records this frame in the Qi stack
//! trace with `ExcTrace`, as lowered), and a function without one returns "raised" to
//! its caller. An interpreted frame thus appears in stack traces exactly as a compiled
//! one: the trace is built by the IR both tiers run.

use super::ops::Raised;
use super::thread::Thread;
use super::Interpreted;
use qi_ir::{FuncId, Function, Inst, Operand, Terminator, Value};

/// A function's result (0 for none, or when it raised) and whether it raised.
pub type Outcome = (u64, bool);

impl Interpreted {
    /// Call `f` with `args`.
    pub(super) fn call(&self, thread: &mut Thread, f: FuncId, args: &[u64]) -> Outcome {
        let base = thread.stack.len();
        thread.stack.extend_from_slice(args);
        self.enter(thread, f, base)
    }

    /// Run `f`, whose arguments were pushed on the locals stack from `base`; its frame is
    /// popped when it returns.
    pub(super) fn enter(&self, thread: &mut Thread, f: FuncId, base: usize) -> Outcome {
        let func = self.function(f);
        thread.stack.resize(base + func.locals.len(), 0);
        let outcome = if self.checks_stack[f.index()] && thread.out_of_stack() {
            // Raised in the frame being entered: nothing is owned yet, leave at once.
            self.raise_stack_overflow(func.loc);
            (0, true)
        } else {
            self.exec(thread, func, base)
        };
        thread.stack.truncate(base);
        outcome
    }

    /// Call `func` with `args` of the frame at `base` (after `closure`, the hidden first
    /// argument of a function value's body).
    #[inline(always)]
    fn call_inst(
        &self,
        thread: &mut Thread,
        base: usize,
        func: FuncId,
        closure: Option<u64>,
        args: &[Operand],
    ) -> Result<u64, Raised> {
        let frame = thread.stack.len();
        if let Some(c) = closure {
            thread.stack.push(c);
        }
        for a in args {
            let v = self.operand(thread, base, a);
            thread.stack.push(v);
        }
        match self.enter(thread, func, frame) {
            (_, true) => Err(Raised),
            (v, false) => Ok(v),
        }
    }

    /// The function a closure operand runs, and the closure.
    #[inline(always)]
    fn closure_callee(&self, thread: &Thread, base: usize, callee: &Operand) -> (FuncId, u64) {
        let closure = self.operand(thread, base, callee);
        // SAFETY: the IR typed the callee as a live closure of this program.
        (unsafe { super::ops::closure_function(closure) }, closure)
    }

    fn exec(&self, thread: &mut Thread, f: &Function, base: usize) -> Outcome {
        let mut b = 0usize;
        loop {
            let block = &f.blocks[b];
            let last = block.insts.len().wrapping_sub(1);
            let mut raised = false;
            for (k, inst) in block.insts.iter().enumerate() {
                // Where an operation that fails reports itself: the position of the
                // block's raising last instruction, else the function's.
                let loc = match block.unwind {
                    Some(u) if k == last => u.loc,
                    _ => f.loc,
                };
                // Calls are made here, not in `inst`: a recursion then nests only this
                // function and `enter` on the native stack.
                let step = match inst {
                    Inst::Assign { dst, value: Value::Call { func, args, .. } } => {
                        self.call_inst(thread, base, *func, None, args).map(|v| {
                            thread.stack[base + dst.index()] = v;
                        })
                    }
                    Inst::Effect(Value::Call { func, args, .. }) => {
                        self.call_inst(thread, base, *func, None, args).map(drop)
                    }
                    Inst::Assign { dst, value: Value::CallIndirect { callee, args, .. } } => {
                        let (func, closure) = self.closure_callee(thread, base, callee);
                        self.call_inst(thread, base, func, Some(closure), args).map(|v| {
                            thread.stack[base + dst.index()] = v;
                        })
                    }
                    Inst::Effect(Value::CallIndirect { callee, args, .. }) => {
                        let (func, closure) = self.closure_callee(thread, base, callee);
                        self.call_inst(thread, base, func, Some(closure), args).map(drop)
                    }
                    _ => self.inst(thread, f, base, inst, loc),
                };
                if let Err(Raised) = step {
                    raised = true;
                    break;
                }
            }
            if raised {
                match block.unwind {
                    Some(u) => {
                        b = u.to.index();
                        continue;
                    }
                    None => return (0, true),
                }
            }
            let next = match &block.term {
                Terminator::Jump(to) => to.index(),
                Terminator::Branch { cond, then_to, else_to } => {
                    if self.operand(thread, base, cond) != 0 {
                        then_to.index()
                    } else {
                        else_to.index()
                    }
                }
                Terminator::Return(op) => {
                    let value = match op {
                        Some(op) if f.ret != qi_ir::Type::Void => self.operand(thread, base, op),
                        _ => 0,
                    };
                    return (value, false);
                }
                Terminator::Unwind => return (0, true),
                Terminator::Unreachable => {
                    unreachable!("{}: an unreachable block was reached", f.name)
                }
            };
            // A jump back (to this or an earlier block) may close a loop.
            if next <= b {
                thread.poll();
            }
            b = next;
        }
    }
}
