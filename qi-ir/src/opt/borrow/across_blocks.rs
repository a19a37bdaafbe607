//! The borrowed-local rule over a stretch of several blocks (a loop nest, as in nbody's
//! `变量 a = 系[i];` whose stretch spans the pair loop).
//!
//! From `retain x; l = x` in a block, every path that follows the terminators must reach
//! `release l; l = null` and, until it does, pass only instructions that keep objects
//! alive (`keeps_objects_alive`, as within one block), never re-enter the starting
//! block, and never leave the function. Then whatever kept `x`'s object alive at the
//! retain still does at each release, and the retain and the releases cancel.
//!
//! Raising is the one way out besides the releases: the last instruction of a block may
//! be an operation that raises a fresh exception and touches no object (a bounds-checked
//! read, an integer division, a checked conversion). Its landing block releases `l` on
//! the way out, which it must not do once `l` only borrows: so every such landing is
//! entered only from the stretch and leads back to none of it, and `l = null` is put at
//! its start (the object was never `l`'s to release).

use super::keeps_objects_alive;
use crate::ir::*;

/// Apply the rule to every `retain x; l = x` of `f` whose stretch leaves its block.
/// Returns whether it applied anywhere.
pub fn borrow_across_blocks(f: &mut Function) -> bool {
    let mut applied = false;
    for b in 0..f.blocks.len() {
        let mut i = 0;
        while i + 1 < f.blocks[b].insts.len() {
            if let Some(stretch) = stretch_from(f, b, i) {
                apply(f, b, i, &stretch);
                applied = true;
            }
            i += 1;
        }
    }
    applied
}

/// Where a borrowing stretch ends and which landings it leaves by.
struct Stretch {
    l: LocalId,
    /// The blocks with the stretch's closing `release l` (at the index given).
    releases: Vec<(usize, usize)>,
    /// The landing blocks of the stretch's raising instructions.
    landings: Vec<usize>,
}

/// The stretch starting with `retain x; l = x` at instruction `i` of block `start`, if
/// the rule holds for it and it does not end in `start` itself (the one-block rule's case).
fn stretch_from(f: &Function, start: usize, i: usize) -> Option<Stretch> {
    let insts = &f.blocks[start].insts;
    let (Inst::Retain(Operand::Local(x)), Inst::Assign { dst: l, value: Value::Use(y) }) =
        (&insts[i], &insts[i + 1])
    else {
        return None;
    };
    let l = *l;
    if *y != Operand::Local(*x) || *x == l {
        return None;
    }
    let mut releases = Vec::new();
    let mut raising = Vec::new();
    let mut seen = vec![false; f.blocks.len()];
    seen[start] = true;
    let mut work = vec![(start, i + 2)];
    while let Some((b, from)) = work.pop() {
        let block = &f.blocks[b];
        match scan(f, block, from, l)? {
            Scan::Release(k) => releases.push((b, k)),
            Scan::Through => {
                if matches!(
                    block.term,
                    Terminator::Return(_) | Terminator::Unwind | Terminator::Unreachable
                ) {
                    return None;
                }
                if block.unwind.is_some() {
                    raising.push(b);
                }
                for s in block.term.successors() {
                    let s = s.index();
                    if s == start {
                        return None;
                    }
                    if !seen[s] {
                        seen[s] = true;
                        work.push((s, 0));
                    }
                }
            }
        }
    }
    // Ending in the starting block is the one-block rule's case.
    if releases.iter().any(|&(b, _)| b == start) {
        return None;
    }
    let in_stretch = seen;
    let landings = landings_of(f, &raising, &in_stretch)?;
    Some(Stretch { l, releases, landings })
}

enum Scan {
    /// The stretch ends at this instruction (`release l`, followed by `l = null`).
    Release(usize),
    /// The stretch runs through the whole block.
    Through,
}

/// Scan `block` from instruction `from`: `None` when an instruction breaks the rule.
fn scan(f: &Function, block: &Block, from: usize, l: LocalId) -> Option<Scan> {
    let last = block.insts.len().wrapping_sub(1);
    for (k, inst) in block.insts.iter().enumerate().skip(from) {
        if matches!(inst, Inst::Release(r) if *r == l) {
            let nulls = matches!(block.insts.get(k + 1),
                Some(Inst::Assign { dst, value: Value::Use(Operand::Null) }) if *dst == l);
            return nulls.then_some(Scan::Release(k));
        }
        let raises_fresh = k == last && block.unwind.is_some() && raises_only(inst, l);
        if !raises_fresh && !keeps_objects_alive(inst, l, &f.locals) {
            return None;
        }
    }
    Some(Scan::Through)
}

/// Is `inst` an operation whose only effect besides its result is raising a new
/// exception (no object touched, no other code run), not copying `l`?
fn raises_only(inst: &Inst, l: LocalId) -> bool {
    let is_l = |op: &Operand| *op == Operand::Local(l);
    let Inst::Assign { dst, value } = inst else { return false };
    if *dst == l {
        return false;
    }
    match value {
        // The element is borrowed from the array: reading it moves no reference.
        Value::Index { array, index, .. } => !is_l(array) && !is_l(index),
        Value::Binary(BinOp::IDiv | BinOp::IRem, a, b) => !is_l(a) && !is_l(b),
        Value::Convert(Conv::FloatToInt | Conv::IntToChar, op) => !is_l(op),
        _ => false,
    }
}

/// The landing blocks of the stretch's raising blocks, if each is entered only from the
/// stretch (by unwinding) and leads back into none of it.
fn landings_of(f: &Function, raising: &[usize], in_stretch: &[bool]) -> Option<Vec<usize>> {
    let mut landings: Vec<usize> = raising
        .iter()
        .map(|&b| f.blocks[b].unwind.expect("raising blocks unwind").to.index())
        .collect();
    landings.sort_unstable();
    landings.dedup();
    for &landing in &landings {
        if in_stretch[landing] {
            return None;
        }
        let entered_from_stretch_only = f.blocks.iter().enumerate().all(|(p, block)| {
            let by_jump = block.term.successors().any(|s| s.index() == landing);
            let by_unwind = block.unwind.is_some_and(|u| u.to.index() == landing);
            !(by_jump || by_unwind) || in_stretch[p]
        });
        if !entered_from_stretch_only || reaches(f, landing, in_stretch) {
            return None;
        }
    }
    Some(landings)
}

/// Does some path from `from` (following terminators and unwinding) enter `target`?
fn reaches(f: &Function, from: usize, target: &[bool]) -> bool {
    let mut seen = vec![false; f.blocks.len()];
    let mut work = vec![from];
    seen[from] = true;
    while let Some(b) = work.pop() {
        let block = &f.blocks[b];
        let next = block.term.successors().chain(block.unwind.map(|u| u.to));
        for s in next {
            let s = s.index();
            if target[s] {
                return true;
            }
            if !seen[s] {
                seen[s] = true;
                work.push(s);
            }
        }
    }
    false
}

/// Drop the retain and the closing releases; null `l` where the stretch is left by
/// raising.
fn apply(f: &mut Function, start: usize, i: usize, stretch: &Stretch) {
    for &(b, k) in &stretch.releases {
        f.blocks[b].insts.remove(k);
    }
    f.blocks[start].insts.remove(i);
    for &landing in &stretch.landings {
        let null = Inst::Assign { dst: stretch.l, value: Value::Use(Operand::Null) };
        f.blocks[landing].insts.insert(0, null);
    }
}
