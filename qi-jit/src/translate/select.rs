//! If-conversion: `如果 c { x += 1; }` without a branch.
//!
//! A branch one of whose arms only does a little arithmetic on scalar locals and goes on
//! where the other arm goes is translated as the arm's arithmetic, run whatever `c` is,
//! followed by a `select` per local it assigns (a conditional move): the old value when
//! the branch would not have taken the arm. A branch the predictor cannot learn costs
//! 15-20 cycles each time it guesses wrong; sieve's count of primes, `如果 !合数[k]
//! { 个数 += 1; }` over 20 million irregular flags, is the case (gcc makes it `cmp; adc`).
//! Only instructions that cannot raise, touch memory or take long are run unconditionally.

use super::{Linker, Translator};
use crate::runtime_calls::clif_type;
use cranelift_codegen::ir::InstBuilder;
use qi_ir::{BinOp, Inst, Terminator, Value};

/// At most this many instructions in the arm run unconditionally.
const MAX_ARM_INSTS: usize = 2;

/// A branch translated as a select: IR block `arm` runs whatever the condition, and
/// keeps its results when the branch would have gone there (`arm_is_then`). The arm,
/// and the other way when it is a block of its own, are not translated.
#[derive(Clone, Copy, Debug)]
pub(super) struct Select {
    pub(super) arm: usize,
    arm_is_then: bool,
    /// Bit `k`: the local instruction `k` of the arm assigns (first) needs its select: it
    /// is read outside the arm, or the arm reads its value before assigning it. A local
    /// the arm assigns before any read and nothing else reads (the temporary of
    /// `x += 1`) needs none: nothing sees its old value, and a select would keep it
    /// alive around the loop.
    selected: u8,
}

/// Which block reads a local: none, one, or several.
#[derive(Clone, Copy, PartialEq)]
enum Readers {
    None,
    One(usize),
    Many,
}

fn readers(f: &qi_ir::Function) -> Vec<Readers> {
    let mut readers = vec![Readers::None; f.locals.len()];
    for (i, b) in f.blocks.iter().enumerate() {
        let mut read = |l: qi_ir::LocalId| {
            let r = &mut readers[l.index()];
            *r = match *r {
                Readers::None => Readers::One(i),
                Readers::One(j) if j == i => Readers::One(i),
                _ => Readers::Many,
            };
        };
        for inst in &b.insts {
            inst.locals_read(&mut read);
        }
        b.term.locals_read(&mut read);
    }
    readers
}

/// Can `value` be computed when the program would not have: no raise, no memory, no call,
/// nothing slow?
fn speculable(value: &Value) -> bool {
    match value {
        Value::Use(_) | Value::Unary(..) => true,
        Value::Binary(op, ..) => {
            !matches!(op, BinOp::IDiv | BinOp::IRem | BinOp::FDiv | BinOp::FRem | BinOp::SCmp(_))
        }
        _ => false,
    }
}

/// Per IR block: the select its branch becomes, if any. Only branches inside innermost
/// loops (`loop_of`, from `qi_ir::cfg::innermost_loop_headers`), which run often enough
/// for a wrong guess to matter: elsewhere a branch is cheap, and fannkuch's
/// `如果 翻转 > 最多翻转 { … }` in its outer loop, turned into a select, made it 7 %
/// slower. `preds` counts every way into a block; `excluded` marks blocks that must keep
/// their own Cranelift block (cold ones, the entry of an on-stack-replacement variant,
/// rotated loop headers, whose test is also copied elsewhere); `addressed` the locals
/// that live in memory.
pub(super) fn selects(
    f: &qi_ir::Function,
    loop_of: &[Option<usize>],
    preds: &[u32],
    excluded: &[bool],
    addressed: &[bool],
) -> Vec<Option<Select>> {
    let arm_ok = |arm: usize, branch: usize| {
        let b = &f.blocks[arm];
        let Terminator::Jump(join) = b.term else { return None };
        let join = join.index();
        let fits = preds[arm] == 1
            && loop_of[arm] == loop_of[branch]
            && !excluded[arm]
            && b.unwind.is_none()
            && (1..=MAX_ARM_INSTS).contains(&b.insts.len())
            && join != branch
            && join != arm
            && b.insts.iter().all(|inst| match inst {
                Inst::Assign { dst, value } => {
                    let ty = f.local_ty(*dst);
                    !addressed[dst.index()]
                        && !ty.is_rc()
                        && clif_type(ty).is_some()
                        && speculable(value)
                }
                _ => false,
            });
        fits.then_some(join)
    };
    // The other way: straight to the join, or through an empty block of its own.
    let other_ok = |other: usize, join: usize| {
        let b = &f.blocks[other];
        other == join
            || (preds[other] == 1
                && !excluded[other]
                && b.insts.is_empty()
                && b.unwind.is_none()
                && matches!(b.term, Terminator::Jump(j) if j.index() == join))
    };
    let arms: Vec<Option<(usize, bool)>> = f
        .blocks
        .iter()
        .enumerate()
        .map(|(i, b)| {
            let Terminator::Branch { then_to, else_to, .. } = b.term else { return None };
            let (t, e) = (then_to.index(), else_to.index());
            if excluded[i] || t == e || loop_of[i].is_none() {
                return None;
            }
            [(t, e, true), (e, t, false)].into_iter().find_map(|(arm, other, arm_is_then)| {
                let join = arm_ok(arm, i)?;
                other_ok(other, join).then_some((arm, arm_is_then))
            })
        })
        .collect();
    if arms.iter().all(Option::is_none) {
        return arms.iter().map(|_| None).collect();
    }
    let readers = readers(f);
    let selected = |arm: usize| {
        let insts = &f.blocks[arm].insts;
        let mut bits = 0u8;
        for (k, inst) in insts.iter().enumerate() {
            let Inst::Assign { dst, .. } = inst else { continue };
            let first =
                insts.iter().position(|i| matches!(i, Inst::Assign { dst: d, .. } if d == dst));
            let r = readers[dst.index()];
            let outside = r != Readers::None && r != Readers::One(arm);
            // A value the arm reads before it assigns it comes from an earlier run of the
            // arm, which may not have happened: only a select keeps it right.
            let mut read_first = false;
            for inst in &insts[..=k] {
                inst.locals_read(&mut |l| read_first |= l == *dst);
            }
            if first == Some(k) && (outside || read_first) {
                bits |= 1 << k;
            }
        }
        bits
    };
    arms.into_iter()
        .map(|a| a.map(|(arm, arm_is_then)| Select { arm, arm_is_then, selected: selected(arm) }))
        .collect()
}

/// The blocks `selects` leaves untranslated: each select's arm, and its other way when
/// that is an empty block rather than the join.
pub(super) fn folded(f: &qi_ir::Function, selects: &[Option<Select>]) -> Vec<bool> {
    let mut folded = vec![false; f.blocks.len()];
    for (i, s) in selects.iter().enumerate() {
        let Some(s) = s else { continue };
        folded[s.arm] = true;
        let Terminator::Branch { then_to, else_to, .. } = f.blocks[i].term else { continue };
        let other = if s.arm_is_then { else_to } else { then_to }.index();
        let Terminator::Jump(join) = f.blocks[s.arm].term else { continue };
        if other != join.index() {
            folded[other] = true;
        }
    }
    folded
}

impl<L: Linker> Translator<'_, '_, L> {
    /// Block `i`'s branch as the select `s`; ends the Cranelift block as the arm would.
    pub(super) fn select(&mut self, i: usize, s: Select) {
        let Terminator::Branch { cond, .. } = &self.func.blocks[i].term else {
            unreachable!("a select is made of a branch")
        };
        let c = self.operand(cond);
        let arm = &self.func.blocks[s.arm];
        let mut old = Vec::with_capacity(arm.insts.len());
        for (k, inst) in arm.insts.iter().enumerate() {
            if let Inst::Assign { dst, .. } = inst {
                if s.selected & (1 << k) != 0 {
                    old.push((*dst, self.read_local(*dst)));
                }
            }
        }
        for inst in &arm.insts {
            self.inst(inst);
        }
        for (dst, before) in old {
            let after = self.read_local(dst);
            let (yes, no) = if s.arm_is_then { (after, before) } else { (before, after) };
            let v = self.b.ins().select(c, yes, no);
            self.write_local(dst, v);
        }
        self.end_block(s.arm);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use qi_ir::{BlockId, Cmp, Function, LocalDecl, LocalId, Operand, Type};

    /// Local `k` as an operand.
    fn l(k: u32) -> Operand {
        Operand::Local(LocalId(k))
    }

    /// `local k = value`.
    fn set(k: u32, value: Value) -> Inst {
        Inst::Assign { dst: LocalId(k), value }
    }

    /// `local k = local a + 1`.
    fn plus_one(k: u32, a: u32) -> Inst {
        set(k, Value::Binary(BinOp::IAdd, l(a), Operand::Int(1)))
    }

    /// `f(n)`: `对于 i 在 0..n { 如果 i > 2 { arm } } 返回 s`, locals n, t, s, i, c, x, with
    /// the arm's instructions given directly (the lowering never makes some of them).
    fn looped(arm: Vec<Inst>) -> Function {
        let block = |insts: Vec<Inst>, term: Terminator| qi_ir::Block { insts, term, unwind: None };
        let jump = |b: u32| Terminator::Jump(BlockId(b));
        let branch = |c: u32, t: u32, e: u32| Terminator::Branch {
            cond: l(c),
            then_to: BlockId(t),
            else_to: BlockId(e),
        };
        let local = |ty: Type| LocalDecl { ty, name: None };
        Function {
            name: "f".into(),
            params: vec![Type::Int],
            ret: Type::Int,
            locals: [Type::Int, Type::Int, Type::Int, Type::Int, Type::Bool, Type::Int]
                .into_iter()
                .map(local)
                .collect(),
            blocks: vec![
                block(vec![set(3, Value::Use(Operand::Int(0)))], jump(1)),
                block(
                    vec![set(4, Value::Binary(BinOp::ICmp(Cmp::Lt), l(3), l(0)))],
                    branch(4, 2, 5),
                ),
                block(
                    vec![set(4, Value::Binary(BinOp::ICmp(Cmp::Gt), l(3), Operand::Int(2)))],
                    branch(4, 3, 4),
                ),
                block(arm, jump(4)),
                block(vec![plus_one(3, 3)], jump(1)),
                block(vec![], Terminator::Return(Some(l(2)))),
            ],
            loc: Default::default(),
        }
    }

    /// The select block 2's branch becomes, with no block excluded and no local in memory.
    fn select_of(f: &Function) -> Option<Select> {
        let preds = super::super::predecessor_counts(f, &[0]);
        let loop_of = qi_ir::cfg::innermost_loop_headers(f);
        let excluded = vec![false; f.blocks.len()];
        let addressed = vec![false; f.locals.len()];
        selects(f, &loop_of, &preds, &excluded, &addressed)[2]
    }

    #[test]
    fn a_temporary_assigned_before_any_read_needs_no_select() {
        // `s += 1` as lowered: `x = s + 1; s = x`. Only `s` is seen after the arm.
        let f = looped(vec![plus_one(5, 2), set(2, Value::Use(l(5)))]);
        let s = select_of(&f).expect("a select");
        assert_eq!((s.arm, s.arm_is_then, s.selected), (3, true, 0b10));
    }

    #[test]
    fn a_local_the_arm_reads_before_assigning_keeps_its_select() {
        // `t = t + 1; s = t`: nothing but the arm reads `t`, but its old value must be the
        // one the last run of the arm left, not one computed when the arm did not run.
        let f = looped(vec![plus_one(1, 1), set(2, Value::Use(l(1)))]);
        assert_eq!(select_of(&f).expect("a select").selected, 0b11);
    }

    #[test]
    fn an_arm_that_divides_stays_a_branch() {
        let f = looped(vec![set(2, Value::Binary(BinOp::IDiv, Operand::Int(100), l(3)))]);
        assert!(select_of(&f).is_none());
    }
}
