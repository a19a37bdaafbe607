//! Loop versioning: an innermost loop whose bounds checks the facts cannot prove gets a
//! copy without them, entered when a few comparisons made once before the loop hold.
//!
//! The bounds pass (`bounds.rs`) proves an access in range from facts that hold on every
//! path to it. A loop bounded by a parameter (`对于 j 在 0..n { v[j] }`) or starting from
//! a value it cannot bound (`j = i * i`, `hi = 排列[0]`) has no such facts, yet they
//! usually hold when the loop is entered. So: before the loop, test `n <= 长度(v)` (or
//! `0 <= j`, `hi < 长度(排列)`); where all tests hold, run a copy of the loop, else the
//! original. The bounds analysis runs over the copy alone, entered with the facts that
//! hold entering the loop and the tests, and drops the checks it proves there; nothing
//! here claims an access in range by itself. The original loop keeps every check, so an
//! index out of range still raises the same exception at the same place, after the same
//! iterations. The tests read `长度(a)` before the loop, where the loop might not have
//! indexed `a` at all: an array local always holds an array (a declared one starts
//! empty), so the read is safe wherever the local is in scope.
//!
//! Tests are chosen from the loop's checked accesses `a[x]` (`a` not assigned in the
//! loop): `0 <= x` and `x < 长度(a)` for the value `x` (through copies) has on entry, and
//! for a header guard `x < b` / `x <= b` with `b` not assigned in the loop, `b <= 长度(a)`
//! / `b < 长度(a)`. A loop is versioned only when its copy has fewer checks than the
//! original, and each test that the copy does not need is dropped again, so a loop
//! pays the fewest comparisons on entry.
//!
//! One loop per function is versioned: the one whose copy drops the most checks (the
//! first of equals). Every copy adds code and live ranges to the whole function:
//! versioning fannkuch's rotation loop beside its reversal loop made `入口` spill a hot
//! value, and its generated code ran 34 M instructions more (fannkuch 9) for one check
//! per iteration of a loop that mostly runs once (benches/README.md, "Loop versioning").
//! sieve's marking loop, versioned on `0 <= j` alone, first ran slower than unversioned:
//! its copy ended in two taken jumps per iteration; since innermost loops are rotated
//! (qi-jit `translate.rs`), it runs faster ("Loop rotation").

use super::bounds;
use crate::ir::*;

/// Functions with more blocks are not versioned (each try copies the function).
const MAX_BLOCKS: usize = 600;
/// Loops with more blocks are not copied (code size and compile time).
const MAX_LOOP_BLOCKS: usize = 48;
/// At most this many loops of one function are tried.
const MAX_TRIES: usize = 8;
/// At most this many tests guard one copy.
const MAX_TESTS: usize = 6;

/// A test made before the loop: `lhs cmp rhs`, or `lhs cmp 长度(array)` with `Len`.
#[derive(Clone, Copy, PartialEq, Debug)]
enum Rhs {
    Op(Operand),
    Len(LocalId),
}

#[derive(Clone, Copy, PartialEq, Debug)]
struct Test {
    lhs: Operand,
    cmp: Cmp,
    rhs: Rhs,
}

/// A natural loop: its header and its blocks (header first), single-entry.
struct Loop {
    header: usize,
    blocks: Vec<usize>,
}

/// Version the innermost loop of `f` whose copy drops the most checks the bounds facts
/// do not prove. `solved` is what `bounds::drop_proved_checks` solved for `f`.
pub(crate) fn version_loops(f: &mut Function, solved: &bounds::Solution) {
    if f.blocks.len() > MAX_BLOCKS || !f.blocks.iter().any(|b| b.insts.iter().any(is_checked)) {
        return;
    }
    let loops: Vec<Loop> = innermost_loops(f)
        .into_iter()
        .filter(|l| l.blocks.iter().any(|&b| f.blocks[b].insts.iter().any(is_checked)))
        .take(MAX_TRIES)
        .collect();
    if loops.is_empty() {
        return;
    }
    // The loop whose copy drops the most checks: (checks dropped, loop, tests, facts on
    // entry, result).
    let mut chosen: Option<(usize, &Loop, Vec<Test>, bounds::EntryFacts, Function)> = None;
    for l in &loops {
        let tests = candidate_tests(f, l);
        let mut in_loop = vec![false; f.blocks.len()];
        for &b in &l.blocks {
            in_loop[b] = true;
        }
        let Some(entering) = bounds::facts_entering(f, solved, l.header, &in_loop) else {
            continue;
        };
        let Some((g, left)) = attempt(f, l, &tests, &entering) else { continue };
        let dropped = checks_in(f, &l.blocks).saturating_sub(left);
        if dropped > chosen.as_ref().map_or(0, |c| c.0) {
            chosen = Some((dropped, l, tests, entering, g));
        }
    }
    let Some((dropped, l, mut tests, entering, mut best)) = chosen else { return };
    // Drop each test the copy does without.
    let mut k = 0;
    while k < tests.len() && tests.len() > 1 {
        let mut fewer = tests.clone();
        fewer.remove(k);
        match attempt(f, l, &fewer, &entering) {
            Some((g, left)) if checks_in(f, &l.blocks) - left >= dropped => {
                best = g;
                tests = fewer;
            }
            _ => k += 1,
        }
    }
    // The copy's blocks are appended: the original loop keeps its block numbers.
    *f = best;
}

fn is_checked(inst: &Inst) -> bool {
    matches!(
        inst,
        Inst::Assign { value: Value::Index { checked: true, .. }, .. }
            | Inst::SetIndex { checked: true, .. }
    )
}

fn checks_in(f: &Function, blocks: &[usize]) -> usize {
    blocks.iter().map(|&b| f.blocks[b].insts.iter().filter(|i| is_checked(i)).count()).sum()
}

/// `f` with loop `l` versioned on `tests`, the checks the facts prove dropped in the
/// copy (entered with `entering` and the tests), and the number of checks left there;
/// `None` without tests.
fn attempt(
    f: &Function,
    l: &Loop,
    tests: &[Test],
    entering: &bounds::EntryFacts,
) -> Option<(Function, usize)> {
    if tests.is_empty() {
        return None;
    }
    let mut g = f.clone();
    let copy = version(&mut g, l, tests)?;
    // The tests' blocks and the copy: everything added after `f`'s blocks.
    let mut region = vec![false; g.blocks.len()];
    region[f.blocks.len()..].fill(true);
    bounds::drop_proved_checks_in(&mut g, f.blocks.len(), entering.clone(), &region);
    let left = checks_in(&g, &copy);
    Some((g, left))
}

/// The predecessors of every block (through terminators and unwind edges).
fn predecessors(f: &Function) -> Vec<Vec<usize>> {
    let mut preds = vec![Vec::new(); f.blocks.len()];
    for (b, blk) in f.blocks.iter().enumerate() {
        for s in blk.term.successors().chain(blk.unwind.map(|u| u.to)) {
            preds[s.index()].push(b);
        }
    }
    preds
}

/// The single-entry loops of `f` that contain no other loop.
fn innermost_loops(f: &Function) -> Vec<Loop> {
    let (_, rank) = crate::cfg::reverse_postorder(f);
    let preds = predecessors(f);
    let reachable = |b: usize| rank[b] != usize::MAX;
    let mut loops = Vec::new();
    let mut headers: Vec<usize> = Vec::new();
    for (b, blk) in f.blocks.iter().enumerate() {
        if !reachable(b) {
            continue;
        }
        for s in blk.term.successors() {
            let h = s.index();
            if rank[h] <= rank[b] && !headers.contains(&h) {
                headers.push(h);
            }
        }
    }
    'headers: for h in headers {
        // The blocks that reach a latch of `h` without passing `h`.
        let mut body = vec![h];
        let mut work: Vec<usize> =
            preds[h].iter().copied().filter(|&p| reachable(p) && rank[p] >= rank[h]).collect();
        while let Some(b) = work.pop() {
            if body.contains(&b) {
                continue;
            }
            body.push(b);
            if body.len() > MAX_LOOP_BLOCKS {
                continue 'headers;
            }
            work.extend(preds[b].iter().copied().filter(|&p| reachable(p)));
        }
        for &b in &body[1..] {
            // Single entry: only the header is entered from outside.
            if preds[b].iter().any(|&p| reachable(p) && !body.contains(&p)) {
                continue 'headers;
            }
        }
        for &b in &body {
            // Innermost: no other loop closes inside.
            let blk = &f.blocks[b];
            let inner = blk
                .term
                .successors()
                .any(|s| s.index() != h && body.contains(&s.index()) && rank[s.index()] <= rank[b]);
            if inner {
                continue 'headers;
            }
        }
        // The header is entered from outside only by jumps and branches.
        let outside_unwinds = preds[h]
            .iter()
            .any(|&p| !body.contains(&p) && f.blocks[p].unwind.is_some_and(|u| u.to.index() == h));
        if outside_unwinds {
            continue;
        }
        // The copy keeps the original's block order (and so its layout in machine code).
        body[1..].sort_unstable();
        loops.push(Loop { header: h, blocks: body });
    }
    loops
}

/// The locals assigned anywhere in the loop.
fn assigned_in(f: &Function, l: &Loop) -> Vec<bool> {
    let mut set = vec![false; f.locals.len()];
    for &b in &l.blocks {
        for inst in &f.blocks[b].insts {
            if let Inst::Assign { dst, .. } = inst {
                set[dst.index()] = true;
            }
        }
    }
    set
}

/// The tests that would let the bounds facts prove the loop's checked accesses.
fn candidate_tests(f: &Function, l: &Loop) -> Vec<Test> {
    let taken = f.address_taken();
    let assigned = assigned_in(f, l);
    let plain_int = |x: LocalId| !taken[x.index()] && *f.local_ty(x) == Type::Int;
    // The local an in-loop copy `x = y` (the only assignment of `x` in the loop) reads.
    let copied_from = |x: LocalId| match only_assignment(f, l, x) {
        Some(Value::Use(Operand::Local(y))) => Some(*y),
        _ => None,
    };
    let invariant = |op: Operand| match op {
        Operand::Local(b) => plain_int(b) && !assigned[b.index()],
        _ => true,
    };
    let guard = header_guard(f, l);
    let mut tests: Vec<Test> = Vec::new();
    let push = |t: Test, tests: &mut Vec<Test>| {
        if !tests.contains(&t) && tests.len() < MAX_TESTS {
            tests.push(t);
        }
    };
    for &b in &l.blocks {
        for inst in &f.blocks[b].insts {
            if !is_checked(inst) {
                continue;
            }
            let (Inst::Assign { value: Value::Index { array, index, .. }, .. }
            | Inst::SetIndex { array, index, .. }) = inst
            else {
                continue;
            };
            let (Operand::Local(a), Operand::Local(mut x)) = (*array, *index) else {
                continue;
            };
            if taken[a.index()] || assigned[a.index()] || !plain_int(x) {
                continue;
            }
            // Through copies to the guard's variable (whose value on entry the tests see),
            // else to a Qi variable, else to the first local not a copy.
            let mut chain = vec![x];
            while chain.len() < 4 {
                match copied_from(x) {
                    Some(y) if plain_int(y) && !chain.contains(&y) => {
                        x = y;
                        chain.push(y);
                    }
                    _ => break,
                }
            }
            if let Some((gx, ..)) = guard.filter(|(gx, ..)| chain.contains(gx)) {
                x = gx;
            } else if let Some(&v) = chain.iter().find(|v| f.locals[v.index()].name.is_some()) {
                // A Qi variable rather than a temporary: the value the loop carries.
                x = v;
            }
            // `a[i + 1]` in a loop guarded by `i < b`: in range when `b < 长度(a)`.
            if let (
                Some((gx, true, bound)),
                Some(Value::Binary(BinOp::IAdd, Operand::Local(y), Operand::Int(1))),
            ) = (guard, only_assignment(f, l, x))
            {
                if *y == gx && invariant(bound) {
                    push(Test { lhs: bound, cmp: Cmp::Lt, rhs: Rhs::Len(a) }, &mut tests);
                }
            }
            let x_op = Operand::Local(x);
            push(Test { lhs: Operand::Int(0), cmp: Cmp::Le, rhs: Rhs::Op(x_op) }, &mut tests);
            push(Test { lhs: x_op, cmp: Cmp::Lt, rhs: Rhs::Len(a) }, &mut tests);
            if let Some((gx, strict, bound)) = guard {
                if gx == x && invariant(bound) {
                    let cmp = if strict { Cmp::Le } else { Cmp::Lt };
                    push(Test { lhs: bound, cmp, rhs: Rhs::Len(a) }, &mut tests);
                }
            }
        }
    }
    tests
}

/// The value of the only assignment of `x` in loop `l`, if it has exactly one.
fn only_assignment<'f>(f: &'f Function, l: &Loop, x: LocalId) -> Option<&'f Value> {
    let mut found = None;
    for &b in &l.blocks {
        for inst in &f.blocks[b].insts {
            if let Inst::Assign { dst, value } = inst {
                if *dst == x {
                    if found.is_some() {
                        return None;
                    }
                    found = Some(value);
                }
            }
        }
    }
    found
}

/// The header's guard as "`x < bound`" (`true`) or "`x <= bound`" (`false`) while the
/// loop runs, when the header ends in a branch on a comparison it computes.
fn header_guard(f: &Function, l: &Loop) -> Option<(LocalId, bool, Operand)> {
    let blk = &f.blocks[l.header];
    let Terminator::Branch { cond: Operand::Local(c), then_to, else_to } = blk.term else {
        return None;
    };
    let stays = |t: BlockId| l.blocks.contains(&t.index());
    let holds = match (stays(then_to), stays(else_to)) {
        (true, false) => true,
        (false, true) => false,
        _ => return None,
    };
    let Some(Inst::Assign { value: Value::Binary(BinOp::ICmp(k), p, q), .. }) =
        blk.insts.iter().rev().find(|i| matches!(i, Inst::Assign { dst, .. } if *dst == c))
    else {
        return None;
    };
    // The comparison that holds inside the loop, as `lhs k rhs`.
    let k = if holds { *k } else { negate(*k)? };
    match (k, *p, *q) {
        (Cmp::Lt, Operand::Local(x), b) => Some((x, true, b)),
        (Cmp::Le, Operand::Local(x), b) => Some((x, false, b)),
        (Cmp::Gt, b, Operand::Local(x)) => Some((x, true, b)),
        (Cmp::Ge, b, Operand::Local(x)) => Some((x, false, b)),
        _ => None,
    }
}

fn negate(k: Cmp) -> Option<Cmp> {
    Some(match k {
        Cmp::Lt => Cmp::Ge,
        Cmp::Le => Cmp::Gt,
        Cmp::Gt => Cmp::Le,
        Cmp::Ge => Cmp::Lt,
        _ => return None,
    })
}

/// Copy loop `l` of `f` and enter the copy through `tests` (the original where one fails).
/// Returns the copy's blocks.
fn version(f: &mut Function, l: &Loop, tests: &[Test]) -> Option<Vec<usize>> {
    if tests.is_empty() {
        return None;
    }
    let h = l.header;
    let n = f.blocks.len();
    // New blocks: one per test, then the copy.
    let first_test = n;
    let copy_of = |b: usize| n + tests.len() + l.blocks.iter().position(|&x| x == b).unwrap();
    let in_loop = |b: BlockId| l.blocks.contains(&b.index());
    let remap = |b: BlockId| if in_loop(b) { BlockId(copy_of(b.index()) as u32) } else { b };
    // Enter the tests instead of the header from outside the loop.
    for b in 0..n {
        if l.blocks.contains(&b) {
            continue;
        }
        let enter = |t: &mut BlockId| {
            if t.index() == h {
                *t = BlockId(first_test as u32);
            }
        };
        match &mut f.blocks[b].term {
            Terminator::Jump(t) => enter(t),
            Terminator::Branch { then_to, else_to, .. } => {
                enter(then_to);
                enter(else_to);
            }
            _ => {}
        }
    }
    for (i, t) in tests.iter().enumerate() {
        let mut insts = Vec::new();
        let rhs = match t.rhs {
            Rhs::Op(op) => op,
            Rhs::Len(a) => {
                let len = new_local(f, Type::Int);
                insts.push(Inst::Assign { dst: len, value: Value::ArrayLen(Operand::Local(a)) });
                Operand::Local(len)
            }
        };
        let c = new_local(f, Type::Bool);
        insts.push(Inst::Assign { dst: c, value: Value::Binary(BinOp::ICmp(t.cmp), t.lhs, rhs) });
        let next = if i + 1 < tests.len() {
            BlockId((first_test + i + 1) as u32)
        } else {
            remap(BlockId(h as u32))
        };
        f.blocks.push(Block {
            insts,
            term: Terminator::Branch {
                cond: Operand::Local(c),
                then_to: next,
                else_to: BlockId(h as u32),
            },
            unwind: None,
        });
    }
    let mut copy = Vec::with_capacity(l.blocks.len());
    for &b in &l.blocks {
        let mut blk = f.blocks[b].clone();
        blk.term = match blk.term {
            Terminator::Jump(t) => Terminator::Jump(remap(t)),
            Terminator::Branch { cond, then_to, else_to } => {
                Terminator::Branch { cond, then_to: remap(then_to), else_to: remap(else_to) }
            }
            t => t,
        };
        if let Some(u) = &mut blk.unwind {
            u.to = remap(u.to);
        }
        copy.push(f.blocks.len());
        f.blocks.push(blk);
    }
    Some(copy)
}

fn new_local(f: &mut Function, ty: Type) -> LocalId {
    f.locals.push(LocalDecl { ty, name: None });
    LocalId((f.locals.len() - 1) as u32)
}
