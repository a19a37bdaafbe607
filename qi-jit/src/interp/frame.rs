//! Executing functions: each frame is a window of the green thread's locals stack, and
//! interpreted calls do not nest on the native stack — a call pushes the caller's place
//! (`Frame`) and continues with the callee in the same loop, a return pops it. So the
//! interpreter's frames are the locals arrays the IR was designed for (what on-stack
//! replacement will copy), and recursion depth is bounded by the stack budget counted in
//! interpreted frames (`Thread::out_of_stack`), not by the size of Rust frames.
//!
//! Exceptions follow the protocol of compiled code (docs/EXCEPTIONS.md): whatever
//! raises leaves the exception pending in the runtime and reports "raised"; the block's
//! unwind edge then continues at its landing (which records this frame in the Qi stack
//! trace with `ExcTrace`, as lowered), and a function without one returns "raised" to
//! its caller, whose call instruction then raises in turn. An interpreted frame thus
//! appears in stack traces exactly as a compiled one: the trace is built by the IR both
//! tiers run.

use super::ops::Raised;
use super::thread::{Frame, Thread};
use super::Interpreted;
use qi_ir::{FuncId, Function, Inst, Operand, Terminator, Value};

/// A function's result (0 for none, or when it raised) and whether it raised.
pub type Outcome = (u64, bool);

/// Where a running function is.
struct At<'p> {
    func: &'p Function,
    id: FuncId,
    block: usize,
    /// The next instruction of `block`.
    inst: usize,
    base: usize,
}

/// How `exec` stopped.
enum Exit {
    Returned(u64),
    Raised,
    /// It called a function: the caller's place is pushed, the callee is now running.
    Called,
}

impl Interpreted {
    /// Call `f` with `args` and run it (and all it calls) to its end.
    pub(super) fn call(&self, thread: &mut Thread, f: FuncId, args: &[u64]) -> Outcome {
        let base = thread.stack.len();
        thread.stack.extend_from_slice(args);
        let Some(at) = self.enter(thread, f, base) else {
            thread.stack.truncate(base);
            return (0, true);
        };
        self.run(thread, at)
    }

    /// Start `f`, whose arguments were pushed on the locals stack from `base`; `None`
    /// when the stack budget is used up (the overflow is then raised, in the frame being
    /// entered, as compiled code raises it).
    fn enter(&self, thread: &mut Thread, f: FuncId, base: usize) -> Option<At<'_>> {
        let func = self.function(f);
        thread.stack.resize(base + func.locals.len(), 0);
        if self.checks_stack[f.index()] && thread.out_of_stack() {
            self.raise_stack_overflow(func.loc);
            return None;
        }
        Some(At { func, id: f, block: 0, inst: 0, base })
    }

    /// Run from `at` until the function of `at` returns.
    fn run<'p>(&'p self, thread: &mut Thread, mut at: At<'p>) -> Outcome {
        let outer = thread.frames.len();
        loop {
            let (mut value, mut raised) = match self.exec(thread, &mut at) {
                Exit::Called => continue,
                Exit::Returned(v) => (v, false),
                Exit::Raised => (0, true),
            };
            // `at`'s function has ended: back in its caller.
            loop {
                thread.stack.truncate(at.base);
                if thread.frames.len() == outer {
                    return (value, raised);
                }
                let caller = thread.frames.pop().expect("a caller");
                let func = self.function(caller.func);
                at = At {
                    func,
                    id: caller.func,
                    block: caller.block as usize,
                    inst: caller.inst as usize,
                    base: caller.base,
                };
                if !raised {
                    if let Some(dst) = caller.dst {
                        thread.stack[at.base + dst as usize] = value;
                    }
                    break;
                }
                // Its call instruction raised.
                match func.blocks[at.block].unwind {
                    Some(u) => {
                        at.block = u.to.index();
                        at.inst = 0;
                        // A caught overflow leaves stacks as large as the budget.
                        thread.shrink();
                        break;
                    }
                    // The caller leaves too.
                    None => (value, raised) = (0, true),
                }
            }
        }
    }

    /// Run `at`'s function until it returns, raises out of itself, or calls.
    fn exec<'p>(&'p self, thread: &mut Thread, at: &mut At<'p>) -> Exit {
        loop {
            let f = at.func;
            let block = &f.blocks[at.block];
            let last = block.insts.len().wrapping_sub(1);
            let mut raised = false;
            while at.inst < block.insts.len() {
                let k = at.inst;
                let inst = &block.insts[k];
                at.inst += 1;
                let call = match inst {
                    Inst::Assign { dst, value: Value::Call { func, args, .. } } => {
                        Some((*func, None, args, Some(dst.0)))
                    }
                    Inst::Effect(Value::Call { func, args, .. }) => Some((*func, None, args, None)),
                    Inst::Assign { dst, value: Value::CallIndirect { callee, args, .. } } => {
                        let (func, closure) = self.closure_callee(thread, at.base, callee);
                        Some((func, Some(closure), args, Some(dst.0)))
                    }
                    Inst::Effect(Value::CallIndirect { callee, args, .. }) => {
                        let (func, closure) = self.closure_callee(thread, at.base, callee);
                        Some((func, Some(closure), args, None))
                    }
                    _ => None,
                };
                if let Some((callee, closure, args, dst)) = call {
                    let frame = thread.stack.len();
                    if let Some(c) = closure {
                        thread.stack.push(c);
                    }
                    for a in args {
                        let v = self.operand(thread, at.base, a);
                        thread.stack.push(v);
                    }
                    match self.enter(thread, callee, frame) {
                        Some(next) => {
                            thread.frames.push(Frame {
                                func: at.id,
                                block: at.block as u32,
                                inst: at.inst as u32,
                                base: at.base,
                                dst,
                            });
                            *at = next;
                            return Exit::Called;
                        }
                        None => {
                            thread.stack.truncate(frame);
                            raised = true;
                            break;
                        }
                    }
                }
                // Where an operation that fails reports itself: the position of the
                // block's raising last instruction, else the function's.
                let loc = match block.unwind {
                    Some(u) if k == last => u.loc,
                    _ => f.loc,
                };
                if let Err(Raised) = self.inst(thread, f, at.base, inst, loc) {
                    raised = true;
                    break;
                }
            }
            if raised {
                match block.unwind {
                    Some(u) => {
                        at.block = u.to.index();
                        at.inst = 0;
                        continue;
                    }
                    None => return Exit::Raised,
                }
            }
            let next = match &block.term {
                Terminator::Jump(to) => to.index(),
                Terminator::Branch { cond, then_to, else_to } => {
                    if self.operand(thread, at.base, cond) != 0 {
                        then_to.index()
                    } else {
                        else_to.index()
                    }
                }
                Terminator::Return(op) => {
                    return Exit::Returned(match op {
                        Some(op) if f.ret != qi_ir::Type::Void => self.operand(thread, at.base, op),
                        _ => 0,
                    });
                }
                Terminator::Unwind => return Exit::Raised,
                Terminator::Unreachable => {
                    unreachable!("{}: an unreachable block was reached", f.name)
                }
            };
            // A jump back (to this or an earlier block) may close a loop.
            if next <= at.block {
                thread.poll();
            }
            at.block = next;
            at.inst = 0;
        }
    }

    /// The function a closure operand runs, and the closure.
    fn closure_callee(&self, thread: &Thread, base: usize, callee: &Operand) -> (FuncId, u64) {
        let closure = self.operand(thread, base, callee);
        // SAFETY: the IR typed the callee as a live closure of this program.
        (unsafe { super::ops::closure_function(closure) }, closure)
    }
}
