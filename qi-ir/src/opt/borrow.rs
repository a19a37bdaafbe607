//! Ownership rules that remove reference-count traffic (docs/ARCHITECTURE.md,
//! "Ownership"):
//!
//! * **Releases of null.** `release l` where `l` is null on every path to it (never
//!   assigned yet, or last assigned `null`) does nothing and is dropped. A forward
//!   analysis of the locals that are definitely null finds them; it ignores locals whose
//!   address is taken (C may write them).
//! * **Borrowed locals.** A variable that holds, for a stretch of one block, an object
//!   read from an array or a record (`retain x; l = x; …; release l; l = null`) need not
//!   own it when nothing in the stretch can drop a reference or run other code: whatever
//!   kept `x`'s object alive when it was retained (the element slot, the record, a
//!   variable) still does at the end of the stretch, so the retain and the release cancel.
//!   nbody's `变量 b = 系[j];` in its pair loop is such a stretch.
//! * **Borrowed locals over several blocks** (`across_blocks`): the same rule when the
//!   stretch spans blocks (a loop), as nbody's `变量 a = 系[i];` around its pair loop.

mod across_blocks;

use crate::ir::*;

/// Apply both rules to `f`.
pub fn elide_counts(f: &mut Function) {
    drop_null_releases(f);
    for b in &mut f.blocks {
        borrow_in_block(b, &f.locals);
    }
    // A variable borrowed over several blocks is null where the function's exits
    // release it: those releases go too.
    if across_blocks::borrow_across_blocks(f) {
        drop_null_releases(f);
    }
}

/// A set of locals, one bit each.
#[derive(Clone, PartialEq, Eq)]
struct Locals(Vec<u64>);

impl Locals {
    fn new(n: usize, all: bool) -> Self {
        Locals(vec![if all { !0 } else { 0 }; n.div_ceil(64)])
    }
    fn has(&self, l: LocalId) -> bool {
        self.0[l.index() / 64] >> (l.index() % 64) & 1 == 1
    }
    fn set(&mut self, l: LocalId, on: bool) {
        let (w, bit) = (l.index() / 64, 1u64 << (l.index() % 64));
        if on {
            self.0[w] |= bit;
        } else {
            self.0[w] &= !bit;
        }
    }
    /// Intersect with `other`; whether that changed `self`.
    fn intersect(&mut self, other: &Locals) -> bool {
        let mut changed = false;
        for (a, b) in self.0.iter_mut().zip(&other.0) {
            changed |= *a & !*b != 0;
            *a &= *b;
        }
        changed
    }
}

/// How an instruction changes the set of definitely-null locals.
fn step(nulls: &mut Locals, inst: &Inst) {
    if let Inst::Assign { dst, value } = inst {
        nulls.set(*dst, matches!(value, Value::Use(Operand::Null)));
    }
}

/// Drop the releases of locals that are definitely null where they stand.
fn drop_null_releases(f: &mut Function) {
    let n = f.locals.len();
    let n_blocks = f.blocks.len();
    let taken = f.address_taken();
    // At entry every local but the parameters is null (frames start zeroed).
    let mut entry = Locals::new(n, true);
    for p in 0..f.params.len() {
        entry.set(LocalId(p as u32), false);
    }
    for (i, _) in taken.iter().enumerate().filter(|(_, &t)| t) {
        entry.set(LocalId(i as u32), false);
    }
    // Block entry states: `None` until some path reaches the block. Blocks are visited
    // in reverse postorder (the worklist takes the earliest first), so a block is
    // normally seen after all its forward predecessors: a chain of `如果`s is one pass,
    // where a stack visited every join again for each of its later predecessors.
    let (order, rank) = crate::cfg::reverse_postorder(f);
    let mut at: Vec<Option<Locals>> = vec![None; n_blocks];
    at[0] = Some(entry);
    let mut work = crate::cfg::RankQueue::new(n_blocks);
    work.push(0);
    // Scratch sets reused from block to block: this pass runs on every function before
    // anything runs, so it allocates only each reached block's entry state.
    let mut state = Locals::new(n, false);
    let mut before_last = Locals::new(n, false);
    while let Some(r) = work.pop() {
        let b = order[r];
        let block = &f.blocks[b];
        state.clone_from(at[b].as_ref().expect("queued blocks have a state"));
        let last = block.insts.len().saturating_sub(1);
        for (i, inst) in block.insts.iter().enumerate() {
            if i == last && block.unwind.is_some() {
                before_last.clone_from(&state);
            }
            step(&mut state, inst);
        }
        let mut flow = |to: BlockId, st: &Locals| {
            let changed = match &mut at[to.index()] {
                Some(old) => old.intersect(st),
                slot @ None => {
                    *slot = Some(st.clone());
                    true
                }
            };
            if changed {
                work.push(rank[to.index()]);
            }
        };
        for s in block.term.successors() {
            flow(s, &state);
        }
        if let Some(u) = block.unwind {
            // The raising instruction did not assign its result.
            if block.insts.is_empty() {
                before_last.clone_from(&state);
            }
            before_last.intersect(&state);
            flow(u.to, &before_last);
        }
    }
    for (b, state) in at.into_iter().enumerate() {
        let Some(mut state) = state else { continue };
        f.blocks[b].insts.retain(|inst| {
            if matches!(inst, Inst::Release(l) if state.has(*l)) {
                return false;
            }
            step(&mut state, inst);
            true
        });
    }
}

/// Can `inst` neither drop a reference, nor run other code, nor raise? (Then an object
/// alive before it is alive after it.) Uses of `l` other than reading through it are
/// refused too, so that `l` never hands its object on (`m = l` would make `m` think it
/// owns it).
fn keeps_objects_alive(inst: &Inst, l: LocalId, locals: &[LocalDecl]) -> bool {
    let is_l = |op: &Operand| *op == Operand::Local(l);
    let is_rc = |op: &Operand| match op {
        Operand::Local(x) => locals[x.index()].ty.is_rc(),
        Operand::Str(_) | Operand::Null => true,
        _ => false,
    };
    match inst {
        Inst::Assign { dst, value } => *dst != l && reads_only(value, &is_l, &is_rc),
        // A scalar field (of `l`'s object or another): no reference moves.
        Inst::SetSlot { value, .. } => !is_rc(value),
        _ => false,
    }
}

/// A value that computes without side effects on objects and cannot raise, and does not
/// copy `l` (reading a field or the length through it is fine).
fn reads_only(
    value: &Value,
    is_l: &dyn Fn(&Operand) -> bool,
    is_rc: &dyn Fn(&Operand) -> bool,
) -> bool {
    match value {
        Value::Use(op) | Value::Unary(_, op) => !is_l(op),
        Value::Binary(op, a, b) => !matches!(op, BinOp::IDiv | BinOp::IRem) && !is_l(a) && !is_l(b),
        Value::Convert(c, op) => !matches!(c, Conv::FloatToInt | Conv::IntToChar) && !is_l(op),
        Value::GetSlot { .. } | Value::ArrayLen(_) => true,
        // Library functions of scalars only touch no object (`数学.开方`).
        Value::Builtin { op: op @ Builtin::Library(_), args, .. } => {
            !(*op).may_raise() && !args.iter().any(is_rc)
        }
        _ => false,
    }
}

/// The borrowed-local rule within block `b`.
fn borrow_in_block(b: &mut Block, locals: &[LocalDecl]) {
    let mut i = 0;
    while i + 1 < b.insts.len() {
        // `retain x; l = x`
        let (
            Inst::Retain(Operand::Local(x)),
            Inst::Assign { dst: l, value: Value::Use(Operand::Local(y)) },
        ) = (&b.insts[i], &b.insts[i + 1])
        else {
            i += 1;
            continue;
        };
        let (x, l) = (*x, *l);
        if x != *y || x == l {
            i += 1;
            continue;
        }
        // The stretch up to `release l; l = null`.
        let mut end = None;
        for k in i + 2..b.insts.len() {
            let inst = &b.insts[k];
            if matches!(inst, Inst::Release(r) if *r == l) {
                if matches!(b.insts.get(k + 1),
                    Some(Inst::Assign { dst, value: Value::Use(Operand::Null) }) if *dst == l)
                {
                    end = Some(k);
                }
                break;
            }
            if !keeps_objects_alive(inst, l, locals) {
                break;
            }
        }
        match end {
            Some(k) => {
                b.insts.remove(k);
                b.insts.remove(i);
                i += 1;
            }
            None => i += 1,
        }
    }
}
