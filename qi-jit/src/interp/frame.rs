//! Executing functions: each frame is a window of the green thread's locals stack, and
//! interpreted calls do not nest on the native stack — a call pushes the caller's place
//! (`Frame`) and continues with the callee in the same loop, a return pops it. So the
//! interpreter's frames are the locals arrays the IR was designed for (what on-stack
//! replacement will copy), and recursion depth is bounded by the stack budget counted in
//! interpreted frames (`Thread::out_of_stack`), not by the size of Rust frames.
//!
//! A running frame is three values kept in registers: its decoded code, its place in it
//! (`pc`) and its locals (`base`). The ops that need nothing else run in `straight`; the
//! others (calls, returns, IR instructions, polls) stop it and `run` handles them.
//!
//! Exceptions follow the protocol of compiled code (docs/EXCEPTIONS.md): whatever
//! raises leaves the exception pending in the runtime and reports "raised"; the block's
//! unwind edge then continues at its landing (which records this frame in the Qi stack
//! trace with `ExcTrace`, as lowered), and a function without one returns "raised" to
//! its caller, whose call instruction then raises in turn. An interpreted frame thus
//! appears in stack traces exactly as a compiled one: the trace is built by the IR both
//! tiers run.

use super::code::{pure, Arg, Code, Op, NO_BLOCK, NO_LANDING};
use super::locals::Locals;
use super::ops::{self, Raised};
use super::thread::{Frame, Thread};
use super::Interpreted;
use qi_ir::FuncId;

/// A function's result (0 for none, or when it raised) and whether it raised.
pub type Outcome = (u64, bool);

/// Why `straight` stopped.
enum Stop {
    /// A jump back: poll for preemption, then go on.
    Back,
    /// The function returns this value.
    Return(u64),
    /// The function leaves raised, past its own landings (its compiled continuation,
    /// entered by on-stack replacement, raised out of it).
    Leave,
    /// The op before `pc` needs the thread or the program.
    Slow,
}

/// A frame that was entered: its function, code and locals.
struct Entered<'p> {
    func: FuncId,
    code: &'p Code,
    base: usize,
}

impl Interpreted {
    /// Call `f` with `args` and run it (and all it calls) to its end. Green-thread
    /// entries start here.
    pub(crate) fn call(&self, thread: &mut Thread, f: FuncId, args: &[u64]) -> Outcome {
        let base = thread.stack.len();
        thread.stack.extend_from_slice(args);
        let Some(code) = self.enter(thread, f, base) else {
            thread.stack.truncate(base);
            return (0, true);
        };
        self.run(thread, Entered { func: f, code, base })
    }

    /// Start `f`, whose arguments were pushed on the locals stack from `base` (polling
    /// for preemption when `f` calls functions); `None` when the stack budget is used up (the overflow is then raised, in the frame being
    /// entered, as compiled code raises it).
    #[inline]
    fn enter(&self, thread: &mut Thread, f: FuncId, base: usize) -> Option<&Code> {
        let code = self.code(f);
        thread.stack.resize(base + code.locals, 0);
        if code.checks_stack {
            if thread.out_of_stack() {
                self.raise_stack_overflow(self.function(f).loc);
                return None;
            }
            // A recursion need not loop: entering a function that calls functions is a
            // safepoint too (as any point of compiled code is), or a green thread that
            // only recurses would never let another run on its worker.
            thread.poll();
        }
        Some(code)
    }

    /// Run the frame just entered until it returns.
    fn run<'p>(&'p self, thread: &mut Thread, entered: Entered<'p>) -> Outcome {
        let outer = thread.frames.len();
        let Entered { mut func, mut code, mut base } = entered;
        let mut pc = 0;
        loop {
            let mut stop = {
                let mut locals = Locals::new(&mut thread.stack, base, code.locals);
                straight(code, &mut pc, &mut locals)
            };
            if let Stop::Back = stop {
                thread.poll();
                // A jump back onto a loop may close a hot one: on-stack replacement (a
                // jump back that closes none, laid out so, names no block). A frame whose
                // locals have addresses stays here: compiled code keeps them elsewhere.
                let block = code.loop_at[pc];
                let osr = if block == NO_BLOCK || self.takes_addresses(func) {
                    None
                } else {
                    self.tiering.loop_back(func, code.osr_entry[block as usize])
                };
                let Some(osr) = osr else {
                    continue;
                };
                // The frame continues in compiled code, which owns its locals now.
                stop = match self.run_compiled_loop(thread, base, osr) {
                    (value, false) => Stop::Return(value),
                    (_, true) => Stop::Leave,
                };
            }
            let raised = match stop {
                Stop::Back => unreachable!("handled above"),
                Stop::Leave => true,
                Stop::Return(value) => {
                    thread.stack.truncate(base);
                    if thread.frames.len() == outer {
                        return (value, false);
                    }
                    // Back in the caller, after its call.
                    let caller = thread.frames.pop().expect("a caller");
                    (func, code, pc, base) =
                        (caller.func, self.code(caller.func), caller.pc as usize, caller.base);
                    if let Some(dst) = call_result(code, pc) {
                        thread.stack[base + dst.index()] = value;
                    }
                    continue;
                }
                Stop::Slow => match code.ops[pc - 1] {
                    Op::Call { .. } | Op::CallClosure { .. } => {
                        match self.enter_call(thread, func, code, pc, base) {
                            Ok(Some(callee)) => {
                                (func, code, base, pc) = (callee.func, callee.code, callee.base, 0);
                                continue;
                            }
                            // A compiled callee ran to its end.
                            Ok(None) => continue,
                            Err(Raised) => true,
                        }
                    }
                    Op::Ir { block, inst }
                    | Op::Index { block, inst, .. }
                    | Op::SetIndex { block, inst, .. } => {
                        self.ir(thread, func, base, block as usize, inst as usize).is_err()
                    }
                    Op::Unwind => true,
                    Op::Unreachable { block } => {
                        unreachable!(
                            "{}: unreachable block b{block} was reached",
                            self.function(func).name
                        )
                    }
                    _ => unreachable!("a fast op stopped"),
                },
            };
            if raised {
                // The op before `pc` raised: continue at its block's landing, or leave
                // the function raised, and its caller's call raises in turn.
                let mut caught = if matches!(stop, Stop::Leave) { None } else { landing(code, pc) };
                while caught.is_none() {
                    thread.stack.truncate(base);
                    if thread.frames.len() == outer {
                        return (0, true);
                    }
                    let caller = thread.frames.pop().expect("a caller");
                    (func, code, pc, base) =
                        (caller.func, self.code(caller.func), caller.pc as usize, caller.base);
                    caught = landing(code, pc);
                    if caught.is_some() {
                        // A caught overflow leaves stacks as large as the budget.
                        thread.shrink();
                    }
                }
                pc = caught.expect("a landing");
            }
        }
    }

    /// The one place a Qi call (`Op::Call`, `Op::CallClosure`, the op before `pc` of the
    /// frame running `caller`'s `code` at `base`) chooses its callee and enters it: the
    /// arguments are pushed as the callee's first locals, the caller's place is pushed,
    /// and the callee is the frame to run. A compiled callee runs to its end at once
    /// (`None`: the caller goes on). Raises (stack overflow, or raised in compiled code)
    /// instead when the budget is used up.
    fn enter_call<'p>(
        &'p self,
        thread: &mut Thread,
        caller: FuncId,
        code: &Code,
        pc: usize,
        base: usize,
    ) -> Result<Option<Entered<'p>>, Raised> {
        let value = |thread: &Thread, a: Arg| match a {
            Arg::Local(s) => thread.stack[base + s.index()],
            Arg::Const(k) => k,
        };
        let (callee, args) = match code.ops[pc - 1] {
            Op::Call { func, args, nargs, .. } => (func, args as usize..(args + nargs) as usize),
            Op::CallClosure { args, nargs, .. } => {
                let closure = value(thread, code.args[args as usize]);
                // SAFETY: the IR typed the callee as a live closure of this program.
                let func = unsafe { self.closure_function(closure) };
                // The closure is its function's first argument.
                (func, args as usize..(args + 1 + nargs) as usize)
            }
            _ => unreachable!("not a call"),
        };
        let frame = thread.stack.len();
        for &a in &code.args[args] {
            let v = value(thread, a);
            thread.stack.push(v);
        }
        if let Some(adapter) = self.tiering.call(callee) {
            let dst = call_result(code, pc).map(|s| s.index() as u32);
            return match self.call_compiled(thread, base, adapter, frame, dst) {
                true => Ok(None),
                false => Err(Raised),
            };
        }
        let Some(callee_code) = self.enter(thread, callee, frame) else {
            thread.stack.truncate(frame);
            return Err(Raised);
        };
        thread.frames.push(Frame { func: caller, pc: pc as u32, base });
        Ok(Some(Entered { func: callee, code: callee_code, base: frame }))
    }

    /// Run instruction `inst` of block `block` of `func`, whose frame is at `base`.
    fn ir(
        &self,
        thread: &mut Thread,
        func: FuncId,
        base: usize,
        block: usize,
        inst: usize,
    ) -> Result<(), Raised> {
        let f = self.function(func);
        let b = &f.blocks[block];
        // Where an operation that fails reports itself: the position of the block's
        // raising last instruction, else the function's.
        let loc = match b.unwind {
            Some(u) if inst + 1 == b.insts.len() => u.loc,
            _ => f.loc,
        };
        self.inst(thread, f, base, &b.insts[inst], loc)
    }
}

/// Where the local receiving the result of the call before `pc` is.
fn call_result(code: &Code, pc: usize) -> Option<super::locals::Slot> {
    match code.ops[pc - 1] {
        Op::Call { dst, .. } | Op::CallClosure { dst, .. } => dst,
        _ => unreachable!("a frame waits after a call"),
    }
}

/// Where the frame continues when the op before `pc` raised: its block's landing.
fn landing(code: &Code, pc: usize) -> Option<usize> {
    let block = match code.ops[pc - 1] {
        Op::Call { block, .. }
        | Op::CallClosure { block, .. }
        | Op::Ir { block, .. }
        | Op::Index { block, .. }
        | Op::SetIndex { block, .. } => block,
        // `unwind` leaves the function.
        _ => return None,
    };
    match code.landings[block as usize] {
        NO_LANDING => None,
        pc => Some(pc as usize),
    }
}

/// Run the ops that only need the frame's locals, from `pc` until one that needs more
/// (left just before `pc`).
#[inline(always)]
fn straight(code: &Code, pc: &mut usize, locals: &mut Locals) -> Stop {
    let mut at = *pc;
    // A jump or branch to `to`: one back (to its own op or before) stops to poll.
    macro_rules! go {
        ($to:expr) => {{
            let to = $to as usize;
            let back = to < at;
            at = to;
            if back {
                *pc = at;
                return Stop::Back;
            }
        }};
    }
    loop {
        let op = &code.ops[at];
        at += 1;
        match *op {
            Op::Move { dst, src } => locals.set(dst, locals.get(src)),
            Op::Const { dst, bits } => locals.set(dst, bits),
            Op::Add { dst, a, b } => {
                locals.set(dst, locals.get(a).wrapping_add(locals.get(b)));
            }
            Op::AddCopy { dst, copy, a, b } => {
                let v = locals.get(a).wrapping_add(locals.get(b));
                locals.set(dst, v);
                locals.set(copy, v);
            }
            Op::AddK { dst, a, k } => locals.set(dst, locals.get(a).wrapping_add(k)),
            Op::Sub { dst, a, b } => {
                locals.set(dst, locals.get(a).wrapping_sub(locals.get(b)));
            }
            Op::SubK { dst, a, k } => locals.set(dst, locals.get(a).wrapping_sub(k)),
            Op::Mul { dst, a, b } => {
                locals.set(dst, locals.get(a).wrapping_mul(locals.get(b)));
            }
            Op::MulK { dst, a, k } => locals.set(dst, locals.get(a).wrapping_mul(k)),
            Op::DivK { dst, a, by } => locals.set(dst, by.quotient(locals.get(a) as i64) as u64),
            Op::RemK { dst, a, by } => locals.set(dst, by.remainder(locals.get(a) as i64) as u64),
            Op::Binary { op, dst, a, b } => {
                locals.set(dst, pure(op, locals.get(a), locals.get(b)));
            }
            Op::BinaryK { op, dst, a, k } => locals.set(dst, pure(op, locals.get(a), k)),
            Op::KBinary { op, dst, k, b } => locals.set(dst, pure(op, k, locals.get(b))),
            Op::Unary { op, dst, a } => locals.set(dst, op.apply(locals.get(a))),
            Op::GetSlot { dst, obj, slot } => locals.set(dst, ops::get_slot(locals.get(obj), slot)),
            Op::SetSlot { obj, slot, src } => ops::set_slot(locals.get(obj), slot, locals.get(src)),
            Op::Index { dst, array, index, .. } => {
                match ops::get_element_word(locals.get(array), locals.get(index)) {
                    Some(v) => locals.set(dst, v),
                    // Out of bounds: the IR instruction raises.
                    None => {
                        *pc = at;
                        return Stop::Slow;
                    }
                }
            }
            Op::SetIndex { array, index, src, .. } => {
                if !ops::set_element_word(locals.get(array), locals.get(index), locals.get(src)) {
                    *pc = at;
                    return Stop::Slow;
                }
            }
            Op::Retain { src } => ops::retain(locals.get(src)),
            Op::Release { src } => ops::release(locals.get(src)),
            Op::IfLt { dst, a, b, then_to, else_to } => {
                let c = (locals.get(a) as i64) < (locals.get(b) as i64);
                locals.set(dst, c as u64);
                go!(if c { then_to } else { else_to });
            }
            Op::IfLtK { dst, a, k, then_to, else_to } => {
                let c = (locals.get(a) as i64) < (k as i64);
                locals.set(dst, c as u64);
                go!(if c { then_to } else { else_to });
            }
            Op::If { cmp, dst, a, b, then_to, else_to } => {
                let c = pure(cmp, locals.get(a), locals.get(b));
                locals.set(dst, c);
                go!(if c != 0 { then_to } else { else_to });
            }
            Op::IfK { cmp, dst, a, k, then_to, else_to } => {
                let c = pure(cmp, locals.get(a), k);
                locals.set(dst, c);
                go!(if c != 0 { then_to } else { else_to });
            }
            Op::Branch { cond, then_to, else_to } => {
                go!(if locals.get(cond) != 0 { then_to } else { else_to });
            }
            Op::Jump { to } => at = to as usize,
            Op::JumpBack { to } => {
                *pc = to as usize;
                return Stop::Back;
            }
            Op::ReturnLocal(s) => return Stop::Return(locals.get(s)),
            Op::ReturnConst(bits) => return Stop::Return(bits),
            Op::Call { .. }
            | Op::CallClosure { .. }
            | Op::Ir { .. }
            | Op::Unwind
            | Op::Unreachable { .. } => {
                *pc = at;
                return Stop::Slow;
            }
        }
    }
}
