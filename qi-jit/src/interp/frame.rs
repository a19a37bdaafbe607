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

use super::decode::{pure, Decoded, Op, Target, Term};
use super::ops::Raised;
use super::thread::{Frame, Thread};
use super::Interpreted;
use qi_ir::{FuncId, Function, Inst, Operand, Terminator, Value};

/// A function's result (0 for none, or when it raised) and whether it raised.
pub type Outcome = (u64, bool);

/// Where a running function is.
struct At<'p> {
    func: &'p Function,
    code: &'p Decoded,
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
    pub(crate) fn call(&self, thread: &mut Thread, f: FuncId, args: &[u64]) -> Outcome {
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
        Some(At { func, code: self.decoded(f), id: f, block: 0, inst: 0, base })
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
                    code: self.decoded(caller.func),
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
        let base = at.base;
        loop {
            let f = at.func;
            let block = &f.blocks[at.block];
            let code = &at.code.blocks[at.block];
            let last = block.insts.len().wrapping_sub(1);
            let mut raised = false;
            // The next instruction, kept out of `at` until a call needs the place.
            let mut next = at.inst;
            while let Some(op) = code.ops.get(next) {
                let k = next;
                next += 1;
                let stack = &mut thread.stack;
                match *op {
                    Op::Move { dst, src } => {
                        stack[base + dst as usize] = stack[base + src as usize];
                        continue;
                    }
                    Op::Const { dst, bits } => {
                        stack[base + dst as usize] = bits;
                        continue;
                    }
                    Op::Binary { op, dst, a, b } => {
                        let (x, y) = (stack[base + a as usize], stack[base + b as usize]);
                        stack[base + dst as usize] = pure(op, x, y);
                        continue;
                    }
                    Op::BinaryK { op, dst, a, k } => {
                        stack[base + dst as usize] = pure(op, stack[base + a as usize], k);
                        continue;
                    }
                    Op::KBinary { op, dst, k, b } => {
                        stack[base + dst as usize] = pure(op, k, stack[base + b as usize]);
                        continue;
                    }
                    Op::Call => {
                        at.inst = next;
                        if self.call_inst(thread, at, &block.insts[k]) {
                            return Exit::Called;
                        }
                        raised = true;
                        break;
                    }
                    Op::Ir => {}
                }
                // Where an operation that fails reports itself: the position of the
                // block's raising last instruction, else the function's.
                let loc = match block.unwind {
                    Some(u) if k == last => u.loc,
                    _ => f.loc,
                };
                if let Err(Raised) = self.inst(thread, f, base, &block.insts[k], loc) {
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
            let to = match code.term {
                Term::Jump(to) => to,
                Term::Branch { cond, then_to, else_to } => {
                    if thread.stack[base + cond as usize] != 0 {
                        then_to
                    } else {
                        else_to
                    }
                }
                Term::ReturnLocal(l) => return Exit::Returned(thread.stack[base + l as usize]),
                Term::ReturnConst(bits) => return Exit::Returned(bits),
                Term::Ir => match &block.term {
                    Terminator::Jump(to) => {
                        Target { block: to.index() as u32, back: to.index() <= at.block }
                    }
                    Terminator::Branch { cond, then_to, else_to } => {
                        let to =
                            if self.operand(thread, base, cond) != 0 { then_to } else { else_to };
                        Target { block: to.index() as u32, back: to.index() <= at.block }
                    }
                    Terminator::Return(op) => {
                        return Exit::Returned(match op {
                            Some(op) if f.ret != qi_ir::Type::Void => {
                                self.operand(thread, base, op)
                            }
                            _ => 0,
                        });
                    }
                    Terminator::Unwind => return Exit::Raised,
                    Terminator::Unreachable => {
                        unreachable!("{}: an unreachable block was reached", f.name)
                    }
                },
            };
            // A jump back (to this or an earlier block) may close a loop.
            if to.back {
                thread.poll();
                if let Some(osr) = self.tiering.loop_back(at.id, to.block) {
                    // The frame continues in compiled code, which owns its locals now.
                    return match self.run_compiled_loop(thread, at.base, osr) {
                        (v, false) => Exit::Returned(v),
                        (_, true) => Exit::Raised,
                    };
                }
            }
            at.block = to.block as usize;
            at.inst = 0;
        }
    }

    /// Start the call `inst` (the instruction before `at`'s place): push the caller's
    /// place and make the callee `at`. False when it raised instead (stack overflow).
    fn call_inst<'p>(&'p self, thread: &mut Thread, at: &mut At<'p>, inst: &Inst) -> bool {
        let (callee, closure, args, dst) = match inst {
            Inst::Assign { dst, value: Value::Call { func, args, .. } } => {
                (*func, None, args, Some(dst.0))
            }
            Inst::Effect(Value::Call { func, args, .. }) => (*func, None, args, None),
            Inst::Assign { dst, value: Value::CallIndirect { callee, args, .. } } => {
                let (func, closure) = self.closure_callee(thread, at.base, callee);
                (func, Some(closure), args, Some(dst.0))
            }
            Inst::Effect(Value::CallIndirect { callee, args, .. }) => {
                let (func, closure) = self.closure_callee(thread, at.base, callee);
                (func, Some(closure), args, None)
            }
            _ => unreachable!("{}: decoded as a call", at.func.name),
        };
        let frame = thread.stack.len();
        if let Some(c) = closure {
            thread.stack.push(c);
        }
        for a in args {
            let v = self.operand(thread, at.base, a);
            thread.stack.push(v);
        }
        if let Some(adapter) = self.tiering.call(callee) {
            return self.call_compiled(thread, at.base, adapter, frame, dst);
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
                true
            }
            None => {
                thread.stack.truncate(frame);
                false
            }
        }
    }

    /// The function a closure operand runs, and the closure.
    fn closure_callee(&self, thread: &Thread, base: usize, callee: &Operand) -> (FuncId, u64) {
        let closure = self.operand(thread, base, callee);
        // SAFETY: the IR typed the callee as a live closure of this program.
        (unsafe { self.closure_function(closure) }, closure)
    }
}
