//! Borrowed reads of frozen fields (docs/ARCHITECTURE.md, "Ownership").
//!
//! A local needs no reference of its own to an object that cannot die before the function
//! returns. Two rules decide which locals those are:
//!
//! * **Anchored values** cannot die during the call: a parameter the body never assigns
//!   (the caller keeps its argument for the whole call), `null` and literal strings, the
//!   object read from a frozen slot (`cycles::Frozen`: nothing ever stores into it once
//!   the record exists) of an anchored record (the record keeps it as long as it lives),
//!   and a local every assignment of which gives it an anchored value. The last is a
//!   greatest fixed point, so locals that copy each other around a loop qualify. A local
//!   whose address is taken never does (C may write it).
//! * **Borrowing locals** are anchored locals, not parameters, that own nothing the code
//!   could not do without: every assignment is `null`, a literal string, or a copy that
//!   takes its own reference from the `retain` just before it (`retain x; l = x`); and the
//!   local never gives a reference away: it is not returned, not copied into another
//!   local, a record, an array or a global without a `retain` of its own just before,
//!   and not the string an `Append` extends in place. Such a local's references are
//!   exactly those retains, and `release l` drops them: removing both changes no count
//!   while the object could die, since it cannot die before the function returns.
//!
//! `查` of `benches/programs/binarytrees.qi` is the case: `t` is a parameter, `节点`'s
//! fields are only set when a node is made, so the scrutinees `t.左`, `t.右` and the
//! bindings `左`, `右` all borrow, and the function does no count traffic at all.

use crate::cycles::Frozen;
use crate::ir::*;

/// The program-wide facts the rules read.
pub struct Facts<'m> {
    pub structs: &'m [StructDef],
    pub enums: &'m [EnumDef],
    pub frozen: &'m Frozen,
}

impl Facts<'_> {
    /// Does slot `slot` of a record of type `ty` hold the same object for the record's
    /// whole life? For a boxed enum, the slot of every variant that has it must be frozen.
    fn frozen_slot(&self, ty: &Type, slot: u32) -> bool {
        match ty {
            Type::Struct(s) => {
                self.structs.get(s.id.index()).is_some_and(|def| self.frozen.slot(def.layout, slot))
            }
            Type::Enum { e, boxed: true, nullable: false } => {
                let Some(def) = self.enums.get(e.id.index()) else { return false };
                let mut layouts = def.variants.iter().filter_map(|v| v.layout).peekable();
                layouts.peek().is_some() && layouts.all(|l| self.frozen.slot(l, slot))
            }
            _ => false,
        }
    }
}

/// Remove the count traffic of `f`'s borrowing locals: their `release`s and the `retain`
/// just before each of their assignments.
pub fn borrow_frozen_reads(f: &mut Function, facts: &Facts) {
    let anchored = anchored(f, facts);
    let borrowing = borrowing(f, &anchored);
    if !borrowing.iter().any(|&b| b) {
        return;
    }
    for b in &mut f.blocks {
        let mut drop = vec![false; b.insts.len()];
        for (k, inst) in b.insts.iter().enumerate() {
            match inst {
                Inst::Release(l) if borrowing[l.index()] => drop[k] = true,
                Inst::Assign { dst, .. } if borrowing[dst.index()] => {
                    if let Some(r) = retain_for_copy(&b.insts, k) {
                        drop[r] = true;
                    }
                }
                _ => {}
            }
        }
        let mut k = 0;
        b.insts.retain(|_| {
            k += 1;
            !drop[k - 1]
        });
    }
}

/// For a copy `l = x` at `insts[k]`, the index of the `retain x` that gives `l` its own
/// reference: just before it, or before the `release l` of the old value the lowering puts
/// between them (`retain x; release l; l = x`).
fn retain_for_copy(insts: &[Inst], k: usize) -> Option<usize> {
    let Inst::Assign { dst, value: Value::Use(x @ Operand::Local(xl)) } = &insts[k] else {
        return None;
    };
    if xl == dst {
        return None;
    }
    let retained = |i: usize| matches!(&insts[i], Inst::Retain(r) if r == x);
    match k.checked_sub(1).map(|i| &insts[i]) {
        Some(Inst::Retain(_)) if retained(k - 1) => Some(k - 1),
        Some(Inst::Release(r)) if r == dst && k >= 2 && retained(k - 2) => Some(k - 2),
        _ => None,
    }
}

/// The anchored locals of `f` (the first rule).
fn anchored(f: &Function, facts: &Facts) -> Vec<bool> {
    let taken = f.address_taken();
    let mut assigned = vec![false; f.locals.len()];
    for inst in f.blocks.iter().flat_map(|b| &b.insts) {
        if let Inst::Assign { dst, .. } = inst {
            assigned[dst.index()] = true;
        }
    }
    let mut anchored: Vec<bool> = (0..f.locals.len())
        .map(|i| f.locals[i].ty.is_rc() && !taken[i] && !(i < f.params.len() && assigned[i]))
        .collect();
    // Start from every candidate and take away those with an assignment of a value that
    // is not anchored, until nothing changes.
    loop {
        let mut changed = false;
        for inst in f.blocks.iter().flat_map(|b| &b.insts) {
            let Inst::Assign { dst, value } = inst else { continue };
            if !anchored[dst.index()] {
                continue;
            }
            let keeps = match value {
                Value::Use(Operand::Null | Operand::Str(_)) => true,
                Value::Use(Operand::Local(m)) => anchored[m.index()],
                Value::GetSlot { obj: Operand::Local(m), slot, .. } => {
                    anchored[m.index()] && facts.frozen_slot(f.local_ty(*m), *slot)
                }
                _ => false,
            };
            if !keeps {
                anchored[dst.index()] = false;
                changed = true;
            }
        }
        if !changed {
            return anchored;
        }
    }
}

/// The borrowing locals of `f` (the second rule), given its anchored locals.
fn borrowing(f: &Function, anchored: &[bool]) -> Vec<bool> {
    let mut borrowing: Vec<bool> =
        anchored.iter().enumerate().map(|(i, &a)| a && i >= f.params.len()).collect();
    for b in &f.blocks {
        for (i, inst) in b.insts.iter().enumerate() {
            // Storing `op` gives a reference away: fine only with one of its own retained
            // just before.
            let mut store = |op: &Operand| {
                let retained = i > 0 && matches!(&b.insts[i - 1], Inst::Retain(r) if r == op);
                if let (Operand::Local(l), false) = (op, retained) {
                    borrowing[l.index()] = false;
                }
            };
            match inst {
                Inst::Assign { dst, value } => {
                    match value {
                        // A copy: both `dst` and `x` keep a reference only when it has one
                        // of its own.
                        Value::Use(Operand::Local(x)) => {
                            if retain_for_copy(&b.insts, i).is_none() {
                                borrowing[dst.index()] = false;
                                borrowing[x.index()] = false;
                            }
                        }
                        Value::Use(Operand::Null | Operand::Str(_)) => {}
                        _ => borrowing[dst.index()] = false,
                    }
                    never_extended(value, &mut borrowing);
                }
                Inst::Effect(value) => never_extended(value, &mut borrowing),
                Inst::SetGlobal { value, .. }
                | Inst::SetSlot { value, .. }
                | Inst::SetIndex { value, .. } => store(value),
                Inst::Retain(_) | Inst::Release(_) => {}
            }
        }
        if let Terminator::Return(Some(Operand::Local(l))) = b.term {
            borrowing[l.index()] = false;
        }
    }
    borrowing
}

/// `Append` takes the old string moved in: a borrowing local has none to give.
fn never_extended(value: &Value, borrowing: &mut [bool]) {
    if let Value::Builtin { op: Builtin::Append, args, .. } = value {
        if let Some(Operand::Local(l)) = args.first() {
            borrowing[l.index()] = false;
        }
    }
}
