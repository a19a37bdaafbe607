//! IR-to-IR optimisations that pay off before machine-code generation, and the IR a tier
//! runs (`runnable`).
//!
//! * **Return forwarding**: a jump to an exit block that only returns a local becomes a
//!   direct return of the value assigned just before (the lowering sends every `返回`
//!   through one exit block so that it can release variables; when there is nothing to
//!   release, that detour only costs moves and jumps).
//! * **Inlining** of small functions at their call sites, one level deep (calls inside
//!   an inlined body are left alone, so recursion unrolls exactly once). Call sites keep
//!   their source locations in the inlined `Loc`s.
//! * **Count elision** (`borrow`): releases of null locals go, and a variable that only
//!   reads an object for a stretch of one block, or of several blocks that only read and
//!   raise nothing but fresh exceptions, borrows it instead of owning it.
//! * **Bounds facts** (`bounds`): an array access whose index is proved in range (a
//!   counted loop bounded by the array's length) loses its bounds check.
//! * **Loop versioning** (`version`): an innermost loop whose checks those facts cannot
//!   prove gets an unchecked copy, entered when tests made once before the loop hold.
//! * **Borrowed reads of frozen fields** (`frozen`): a local that only ever holds objects
//!   that cannot die during the call (a parameter's frozen fields, transitively) borrows.
//! * **Even halving** (`parity`): `x / 2` of a value proved even (`n * (n + 1)`) is a shift.

use crate::ir::*;
use crate::validate::{validate, InvalidIr};

mod borrow;
mod bounds;
mod frozen;
mod parity;
mod version;

/// Largest callee (in instructions, terminators included) that is inlined.
const INLINE_MAX_SIZE: usize = 24;
/// At most this many call sites are inlined into one function.
const INLINE_MAX_SITES: usize = 8;

/// The IR a tier runs: `m` as lowered, optimised when `optimise` (`qi run --no-opt` runs
/// it as lowered, to test the optimisations against). Debug builds validate the IR as
/// lowered and after the optimisations, so that a bug in either is an internal error
/// naming the function and the instruction rather than a wrong or crashing run; release
/// builds trust both. It takes the module rather than a copy of it: copying every function
/// was about a tenth of preparing a 5,000-line program to run.
pub fn runnable(m: Module, optimise: bool) -> Result<Module, InvalidIr> {
    let checked = |m: &Module, stage: &'static str| {
        if cfg!(debug_assertions) {
            validate(m).map_err(|e| InvalidIr { stage, ..e })
        } else {
            Ok(())
        }
    };
    checked(&m, "as lowered")?;
    let mut run = m;
    if optimise {
        optimize(&mut run);
        checked(&run, "after optimisation")?;
    }
    Ok(run)
}

/// Optimise every function of the module.
pub fn optimize(m: &mut Module) {
    for f in &mut m.functions {
        forward_returns(f);
    }
    // Only the small functions are ever inlined: copy those alone (a copy of the whole
    // module was about a third of preparing a 5,000-line program to run).
    let small: Vec<Option<Function>> =
        m.functions.iter().map(|f| inlinable(f).then(|| f.clone())).collect();
    let facts = frozen::Facts { structs: &m.structs, enums: &m.enums, frozen: &m.frozen };
    for (i, f) in m.functions.iter_mut().enumerate() {
        inline_calls(f, FuncId(i as u32), &small);
        forward_returns(f);
        parity::halve_even_values(f, &f.address_taken());
        frozen::borrow_frozen_reads(f, &facts);
        borrow::elide_counts(f);
        if let Some(solved) = bounds::drop_proved_checks(f) {
            version::version_loops(f, &solved);
        }
    }
}

fn forward_returns(f: &mut Function) {
    for b in 0..f.blocks.len() {
        let Terminator::Jump(to) = f.blocks[b].term else { continue };
        let target = &f.blocks[to.index()];
        if !target.insts.is_empty() {
            continue;
        }
        let Terminator::Return(ret) = target.term else { continue };
        let mut ret = ret;
        if let Some(Operand::Local(r)) = ret {
            if let Some(Inst::Assign { dst, value: Value::Use(v) }) = f.blocks[b].insts.last() {
                if *dst == r && !f.local_ty(r).is_rc() {
                    ret = Some(*v);
                    f.blocks[b].insts.pop();
                }
            }
        }
        f.blocks[b].term = Terminator::Return(ret);
    }
}

fn size(f: &Function) -> usize {
    f.blocks.iter().map(|b| b.insts.len() + 1).sum()
}

fn inlinable(callee: &Function) -> bool {
    size(callee) <= INLINE_MAX_SIZE
}

/// The call in an instruction, if any: (result slot, callee, arguments).
fn call_of(inst: &Inst) -> Option<(Option<LocalId>, FuncId, &[Operand])> {
    match inst {
        Inst::Assign { dst, value: Value::Call { func, args, .. } } => {
            Some((Some(*dst), *func, args))
        }
        Inst::Effect(Value::Call { func, args, .. }) => Some((None, *func, args)),
        _ => None,
    }
}

/// Inline into `f` the calls to the functions `originals` holds (by `FuncId`; `None` for
/// those too large to inline), as they were before any inlining.
fn inline_calls(f: &mut Function, _id: FuncId, originals: &[Option<Function>]) {
    let mut sites = 0;
    // Blocks that hold code of this function (not of an inlined body).
    let mut todo: Vec<BlockId> = (0..f.blocks.len() as u32).map(BlockId).collect();
    while let Some(b) = todo.pop() {
        let Some(i) = f.blocks[b.index()].insts.iter().position(|inst| {
            call_of(inst).is_some_and(|(_, callee, _)| originals[callee.index()].is_some())
        }) else {
            continue;
        };
        if sites == INLINE_MAX_SITES {
            return;
        }
        sites += 1;
        let cont = inline_at(f, b, i, originals);
        // The rest of the original block moved into `cont`: look there next.
        todo.push(cont);
    }
}

/// Inline the call at `f.blocks[b].insts[i]`; returns the block holding the code after it.
/// If the call had an exceptional edge, the callee's `Unwind`s go there.
fn inline_at(f: &mut Function, b: BlockId, i: usize, originals: &[Option<Function>]) -> BlockId {
    let call = f.blocks[b.index()].insts.remove(i);
    let (dst, callee_id, args) = call_of(&call).expect("caller checked it is a call");
    let callee = originals[callee_id.index()].as_ref().expect("caller checked it is inlinable");
    let local_base = f.locals.len() as u32;
    let block_base = f.blocks.len() as u32;
    f.locals.extend(callee.locals.iter().cloned());

    // The code after the call continues in a new block.
    let rest = f.blocks[b.index()].insts.split_off(i);
    let term = std::mem::take(&mut f.blocks[b.index()].term);
    let unwind = f.blocks[b.index()].unwind.take();
    let cont = BlockId(block_base + callee.blocks.len() as u32);

    let entry = &mut f.blocks[b.index()];
    for (k, arg) in args.iter().enumerate() {
        entry
            .insts
            .push(Inst::Assign { dst: LocalId(local_base + k as u32), value: Value::Use(*arg) });
    }
    // The callee's frame starts zeroed, as a real call's does (the lowering relies on it:
    // object slots start null, flags start false); in a loop the inlined slots would
    // otherwise keep the previous iteration's values.
    for (k, l) in callee.locals.iter().enumerate().skip(callee.params.len()) {
        let zero = match l.ty {
            Type::Float => Operand::Float(0.0),
            Type::Bool => Operand::Bool(false),
            Type::Char => Operand::Char(0),
            Type::Void | Type::Int | Type::Ptr => Operand::Int(0),
            Type::Enum { boxed: false, .. } => Operand::Int(0),
            _ => Operand::Null,
        };
        entry
            .insts
            .push(Inst::Assign { dst: LocalId(local_base + k as u32), value: Value::Use(zero) });
    }
    entry.term = Terminator::Jump(BlockId(block_base));

    let map = Remap { local_base, block_base };
    for cb in &callee.blocks {
        let mut insts: Vec<Inst> = cb.insts.iter().map(|inst| map.inst(inst)).collect();
        let term = match &cb.term {
            Terminator::Return(op) => {
                if let (Some(d), Some(op)) = (dst, op) {
                    insts.push(Inst::Assign { dst: d, value: Value::Use(map.operand(op)) });
                }
                Terminator::Jump(cont)
            }
            Terminator::Unwind => match unwind {
                Some(u) => Terminator::Jump(u.to),
                None => Terminator::Unwind,
            },
            other => map.term(other),
        };
        let unwind = cb.unwind.map(|u| Unwind { to: map.block(u.to), loc: u.loc });
        f.blocks.push(Block { insts, term, unwind });
    }
    f.blocks.push(Block { insts: rest, term, unwind: None });
    cont
}

struct Remap {
    local_base: u32,
    block_base: u32,
}

impl Remap {
    fn local(&self, l: LocalId) -> LocalId {
        LocalId(l.0 + self.local_base)
    }
    fn block(&self, b: BlockId) -> BlockId {
        BlockId(b.0 + self.block_base)
    }
    fn operand(&self, op: &Operand) -> Operand {
        match op {
            Operand::Local(l) => Operand::Local(self.local(*l)),
            other => *other,
        }
    }
    fn operands(&self, ops: &[Operand]) -> Vec<Operand> {
        ops.iter().map(|o| self.operand(o)).collect()
    }
    fn value(&self, v: &Value) -> Value {
        match v {
            Value::Use(o) => Value::Use(self.operand(o)),
            Value::Unary(op, o) => Value::Unary(*op, self.operand(o)),
            Value::Binary(op, a, b) => Value::Binary(*op, self.operand(a), self.operand(b)),
            Value::Convert(c, o) => Value::Convert(*c, self.operand(o)),
            Value::Call { func, args, loc } => {
                Value::Call { func: *func, args: self.operands(args), loc: *loc }
            }
            Value::Builtin { op, args, loc } => {
                Value::Builtin { op: *op, args: self.operands(args), loc: *loc }
            }
            Value::LocalAddr(l) => Value::LocalAddr(self.local(*l)),
            Value::GlobalAddr(g) => Value::GlobalAddr(*g),
            Value::CallForeign { func, args, callbacks, loc } => Value::CallForeign {
                func: *func,
                args: self.operands(args),
                callbacks: *callbacks,
                loc: *loc,
            },
            Value::Callback { func, sig } => Value::Callback { func: *func, sig: sig.clone() },
            Value::Global(g) => Value::Global(*g),
            Value::NewArray { elem, len, loc } => {
                Value::NewArray { elem: elem.clone(), len: self.operand(len), loc: *loc }
            }
            Value::ArrayLen(o) => Value::ArrayLen(self.operand(o)),
            Value::NewRecord(l) => Value::NewRecord(*l),
            Value::GetSlot { obj, slot, ty } => {
                Value::GetSlot { obj: self.operand(obj), slot: *slot, ty: ty.clone() }
            }
            Value::FuncAddr(f) => Value::FuncAddr(*f),
            Value::CallIndirect { callee, args, ret, loc } => Value::CallIndirect {
                callee: self.operand(callee),
                args: self.operands(args),
                ret: ret.clone(),
                loc: *loc,
            },
            Value::Index { array, index, elem, loc, checked } => Value::Index {
                array: self.operand(array),
                index: self.operand(index),
                elem: elem.clone(),
                loc: *loc,
                checked: *checked,
            },
        }
    }
    fn inst(&self, inst: &Inst) -> Inst {
        match inst {
            Inst::Assign { dst, value } => {
                Inst::Assign { dst: self.local(*dst), value: self.value(value) }
            }
            Inst::Effect(v) => Inst::Effect(self.value(v)),
            Inst::SetGlobal { global, value } => {
                Inst::SetGlobal { global: *global, value: self.operand(value) }
            }
            Inst::Retain(o) => Inst::Retain(self.operand(o)),
            Inst::Release(l) => Inst::Release(self.local(*l)),
            Inst::SetSlot { obj, slot, value } => {
                Inst::SetSlot { obj: self.operand(obj), slot: *slot, value: self.operand(value) }
            }
            Inst::SetIndex { array, index, value, loc, checked } => Inst::SetIndex {
                array: self.operand(array),
                index: self.operand(index),
                value: self.operand(value),
                loc: *loc,
                checked: *checked,
            },
        }
    }
    fn term(&self, t: &Terminator) -> Terminator {
        match t {
            Terminator::Jump(b) => Terminator::Jump(self.block(*b)),
            Terminator::Branch { cond, then_to, else_to } => Terminator::Branch {
                cond: self.operand(cond),
                then_to: self.block(*then_to),
                else_to: self.block(*else_to),
            },
            Terminator::Return(op) => Terminator::Return(op.map(|o| self.operand(&o))),
            Terminator::Unwind => Terminator::Unwind,
            Terminator::Unreachable => Terminator::Unreachable,
        }
    }
}
