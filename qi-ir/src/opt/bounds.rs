//! Bounds facts: an array access whose index is proved in range loses its bounds check.
//!
//! Qi arrays have a fixed length (no push or pop; builtins.md, language.md 6.8), so the
//! length of the array a local holds changes only when the local is assigned. Locals
//! whose address is taken (`&变量`, written by C) take no part. A forward must-analysis
//! over the blocks keeps facts between locals, constants and array lengths: `a <= b`,
//! `a < b`, `x == y + 1` and "`c` holds the comparison of `a` and `b`"; a branch on
//! `c` adds the comparison (or its negation) on each edge, and joins keep the facts all
//! predecessors agree on. An assignment kills every fact about its destination.
//!
//! Facts come from: constants, copies, `len`, a new array (its length is the operand,
//! which was not negative), comparisons, a successful access (`0 <= i < 长度(a)`
//! afterwards), and `i + 1` where `i` has a strict upper bound (so the sum cannot wrap).
//! An access is unchecked when `0 <= i` and `i < 长度(a)` follow; its unwind edge goes,
//! since it can no longer raise.
//!
//! This covers counted loops whose guard bounds the index by the array's length, directly
//! or through a local the array was created with (`数组<T>(n)`, `数组<T>(n + 1)`).

mod fact_set;

use crate::ir::*;
use fact_set::FactSet;

/// Functions larger than this keep all their checks (the analysis copies fact sets per
/// block; compile time matters more there).
const MAX_BLOCKS: usize = 4000;
/// A fact set is cut to this many facts (fewer facts is always sound; an ordered set
/// keeps the cut, and so the compiled code, the same from run to run).
const MAX_FACTS: usize = 256;

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
enum Term {
    Const(i64),
    Local(LocalId),
    Len(LocalId),
}

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
enum Fact {
    Le(Term, Term),
    Lt(Term, Term),
    /// `.0 == .1 + 1`, wrapping.
    Succ(LocalId, LocalId),
    /// `.0` holds the result of comparing `.2` with `.3`.
    Cond(LocalId, Cmp, Term, Term),
}

type Facts = FactSet;

impl Term {
    fn mentions(self, l: LocalId) -> bool {
        matches!(self, Term::Local(x) | Term::Len(x) if x == l)
    }
    fn renamed(self, from: LocalId, to: LocalId) -> Term {
        match self {
            Term::Local(x) if x == from => Term::Local(to),
            Term::Len(x) if x == from => Term::Len(to),
            t => t,
        }
    }
}

impl Fact {
    fn mentions(self, l: LocalId) -> bool {
        match self {
            Fact::Le(a, b) | Fact::Lt(a, b) => a.mentions(l) || b.mentions(l),
            Fact::Succ(a, b) => a == l || b == l,
            Fact::Cond(c, _, a, b) => c == l || a.mentions(l) || b.mentions(l),
        }
    }
    fn renamed(self, from: LocalId, to: LocalId) -> Fact {
        let r = |x: LocalId| if x == from { to } else { x };
        match self {
            Fact::Le(a, b) => Fact::Le(a.renamed(from, to), b.renamed(from, to)),
            Fact::Lt(a, b) => Fact::Lt(a.renamed(from, to), b.renamed(from, to)),
            Fact::Succ(a, b) => Fact::Succ(r(a), r(b)),
            Fact::Cond(c, k, a, b) => Fact::Cond(r(c), k, a.renamed(from, to), b.renamed(from, to)),
        }
    }
}

/// Drop the bounds checks of `f`'s accesses that the facts prove in range.
///
/// Returns the facts it solved (`None` when `f` has no checks or is too large), which
/// loop versioning starts from: they were solved with the unwind edges of the accesses
/// now unchecked, so they are at most weaker than the facts without them.
pub(crate) fn drop_proved_checks(f: &mut Function) -> Option<Solution> {
    let has_checks = f.blocks.iter().flat_map(|b| &b.insts).any(|i| checked_access(i).is_some());
    if !has_checks || f.blocks.len() > MAX_BLOCKS {
        return None;
    }
    let entry = Analysis::new(f).solve(0, Facts::new(), None);
    drop_checks_with(f, &entry);
    Some(Solution(entry))
}

/// Clear the checks that the facts on entry to each block (`None`: not visited) prove.
fn drop_checks_with(f: &mut Function, entry: &[Option<Facts>]) {
    let proved = {
        let an = Analysis::new(f);
        let mut proved = Vec::new();
        for (bi, state) in entry.iter().enumerate() {
            let Some(mut facts) = state.clone() else { continue };
            for (k, inst) in f.blocks[bi].insts.iter().enumerate() {
                if let Some((array, index)) = checked_access(inst) {
                    if an.in_range(&facts, array, index) {
                        proved.push((bi, k));
                    }
                }
                an.step(&mut facts, inst);
            }
        }
        proved
    };
    for (bi, k) in proved {
        let blk = &mut f.blocks[bi];
        set_unchecked(&mut blk.insts[k]);
        // It was the block's raising instruction: it cannot raise any more.
        if k + 1 == blk.insts.len() {
            blk.unwind = None;
        }
    }
}

/// The facts that hold whenever control enters block `to` from outside `region`, on
/// every such edge of `f`: what loop versioning (`version.rs`) starts its copy with.
/// `None` if the function is too large to analyse.
pub(crate) fn facts_entering(
    f: &Function,
    solved: &Solution,
    to: usize,
    region: &[bool],
) -> Option<EntryFacts> {
    let an = Analysis::new(f);
    let mut joined: Option<Facts> = None;
    for (p, state) in solved.0.iter().enumerate() {
        let Some(mut facts) = state.clone() else { continue };
        if region[p] {
            continue;
        }
        let blk = &f.blocks[p];
        let edges: Vec<bool> = match blk.term {
            Terminator::Jump(t) if t.index() == to => vec![true],
            Terminator::Branch { then_to, else_to, .. } => [(then_to, true), (else_to, false)]
                .into_iter()
                .filter(|(t, _)| t.index() == to)
                .map(|(_, holds)| holds)
                .collect(),
            _ => Vec::new(),
        };
        if edges.is_empty() {
            continue;
        }
        for inst in &blk.insts {
            an.step(&mut facts, inst);
        }
        for holds in edges {
            let mut on_edge = facts.clone();
            if let Terminator::Branch { cond: Operand::Local(c), .. } = blk.term {
                an.refine(&mut on_edge, c, holds);
            }
            match &mut joined {
                None => joined = Some(on_edge),
                Some(old) => {
                    old.intersect(&on_edge);
                }
            }
        }
    }
    joined.map(EntryFacts)
}

/// The facts on entry to every block of a function, opaque outside this module.
pub(crate) struct Solution(Vec<Option<Facts>>);

/// Facts on entry to a block, opaque outside this module.
#[derive(Clone)]
pub(crate) struct EntryFacts(Facts);

/// Drop the checks the facts prove in `region` of `f`, entered only at block `start`
/// with `facts`: the analysis runs over the region alone (a loop's versioned copy).
pub(crate) fn drop_proved_checks_in(
    f: &mut Function,
    start: usize,
    facts: EntryFacts,
    region: &[bool],
) {
    let entry = Analysis::new(f).solve(start, facts.0, Some(region));
    drop_checks_with(f, &entry);
}

/// The array and index of a bounds-checked access.
fn checked_access(inst: &Inst) -> Option<(Operand, Operand)> {
    match inst {
        Inst::Assign { value: Value::Index { array, index, checked: true, .. }, .. }
        | Inst::SetIndex { array, index, checked: true, .. } => Some((*array, *index)),
        _ => None,
    }
}

fn set_unchecked(inst: &mut Inst) {
    match inst {
        Inst::Assign { value: Value::Index { checked, .. }, .. }
        | Inst::SetIndex { checked, .. } => *checked = false,
        _ => unreachable!("only accesses are unchecked"),
    }
}

/// Add `new` to `facts`, each lower bound by a non-negative constant also as `0 <= t`:
/// joins keep only the facts all predecessors share, and a loop entered with `i = 2` and
/// continued with `0 <= i` still knows `0 <= i`.
fn add(facts: &mut Facts, new: impl IntoIterator<Item = Fact>) {
    for x in new {
        if let Fact::Le(Term::Const(c), t) | Fact::Lt(Term::Const(c), t) = x {
            if c >= 0 {
                facts.insert(Fact::Le(Term::Const(0), t));
            }
        }
        facts.insert(x);
    }
    while facts.len() > MAX_FACTS {
        facts.pop_last();
    }
}

struct Analysis<'f> {
    f: &'f Function,
    /// Locals that facts may name: integers, booleans and arrays whose address is not
    /// taken.
    tracked: Vec<bool>,
}

impl<'f> Analysis<'f> {
    fn new(f: &'f Function) -> Self {
        let taken = f.address_taken();
        let tracked: Vec<bool> = f
            .locals
            .iter()
            .zip(taken)
            .map(|(d, taken)| !taken && matches!(d.ty, Type::Int | Type::Bool | Type::Array(_)))
            .collect();
        Analysis { f, tracked }
    }

    fn term(&self, op: &Operand) -> Option<Term> {
        match op {
            Operand::Int(c) => Some(Term::Const(*c)),
            Operand::Local(l) if self.tracked[l.index()] => Some(Term::Local(*l)),
            _ => None,
        }
    }

    /// The facts on entry to each reachable block (`None`: unreachable).
    /// With `region`, only the region's blocks are visited: entered at `start` with
    /// `facts`, the edges leaving it are not followed.
    fn solve(&self, start: usize, facts: Facts, region: Option<&[bool]>) -> Vec<Option<Facts>> {
        let blocks = &self.f.blocks;
        let mut entry: Vec<Option<Facts>> = vec![None; blocks.len()];
        entry[start] = Some(facts);
        // Visited in reverse postorder (the worklist takes the earliest first): a block is
        // normally seen after its forward predecessors, so the facts a join keeps (and
        // with them what `MAX_FACTS` cuts) do not depend on the order edges were pushed.
        let (order, rank) = crate::cfg::reverse_postorder(self.f);
        let mut work = crate::cfg::RankQueue::new(blocks.len());
        work.push(rank[start]);
        while let Some(r) = work.pop() {
            let b = order[r];
            let mut facts = entry[b].clone().expect("queued blocks are reached");
            let blk = &blocks[b];
            let mut edges: Vec<(BlockId, Facts)> = Vec::new();
            for (k, inst) in blk.insts.iter().enumerate() {
                if k + 1 == blk.insts.len() {
                    if let Some(u) = blk.unwind {
                        edges.push((u.to, facts.clone()));
                    }
                }
                self.step(&mut facts, inst);
            }
            match &blk.term {
                Terminator::Jump(t) => edges.push((*t, facts)),
                Terminator::Branch { cond, then_to, else_to } => {
                    let mut then_facts = facts.clone();
                    if let Operand::Local(c) = cond {
                        self.refine(&mut then_facts, *c, true);
                        self.refine(&mut facts, *c, false);
                    }
                    edges.push((*then_to, then_facts));
                    edges.push((*else_to, facts));
                }
                _ => {}
            }
            for (to, facts) in edges {
                let t = to.index();
                if region.is_some_and(|r| !r[t]) {
                    continue;
                }
                let changed = match &mut entry[t] {
                    None => {
                        entry[t] = Some(facts);
                        true
                    }
                    Some(old) => old.intersect(&facts),
                };
                if changed {
                    work.push(rank[t]);
                }
            }
        }
        entry
    }

    /// On the edge where local `c` is `holds`: add the comparisons it holds.
    fn refine(&self, facts: &mut Facts, c: LocalId, holds: bool) {
        let conds: Vec<(Cmp, Term, Term)> = facts
            .iter()
            .filter_map(|x| match *x {
                Fact::Cond(d, k, a, b) if d == c => Some((k, a, b)),
                _ => None,
            })
            .collect();
        for (k, a, b) in conds {
            let new: &[Fact] = match (k, holds) {
                (Cmp::Lt, true) | (Cmp::Ge, false) => &[Fact::Lt(a, b)],
                (Cmp::Le, true) | (Cmp::Gt, false) => &[Fact::Le(a, b)],
                (Cmp::Gt, true) | (Cmp::Le, false) => &[Fact::Lt(b, a)],
                (Cmp::Ge, true) | (Cmp::Lt, false) => &[Fact::Le(b, a)],
                (Cmp::Eq, true) | (Cmp::Ne, false) => &[Fact::Le(a, b), Fact::Le(b, a)],
                _ => &[],
            };
            add(facts, new.iter().copied());
        }
    }

    /// The facts after `inst` completes normally.
    fn step(&self, facts: &mut Facts, inst: &Inst) {
        match inst {
            // Facts name tracked locals only: assigning another changes none.
            Inst::Assign { dst, value } if self.tracked[dst.index()] => {
                let new = self.assigned(facts, *dst, value);
                facts.retain(|x| !x.mentions(*dst));
                add(facts, new);
            }
            Inst::SetIndex { array, index, .. } => {
                add(facts, self.accessed(array, index));
            }
            _ => {}
        }
    }

    /// After a successful access: `0 <= index < 长度(array)`.
    fn accessed(&self, array: &Operand, index: &Operand) -> Vec<Fact> {
        let (Some(Term::Local(a)), Some(i)) = (self.term(array), self.term(index)) else {
            return Vec::new();
        };
        vec![Fact::Lt(i, Term::Len(a)), Fact::Le(Term::Const(0), i)]
    }

    /// The facts `dst = value` establishes, in terms of the values before it.
    fn assigned(&self, facts: &Facts, dst: LocalId, value: &Value) -> Vec<Fact> {
        if !self.tracked[dst.index()] {
            return Vec::new();
        }
        let d = Term::Local(dst);
        let mut new = Vec::new();
        match value {
            Value::Use(Operand::Int(c)) => {
                new.extend([Fact::Le(d, Term::Const(*c)), Fact::Le(Term::Const(*c), d)]);
            }
            Value::Use(Operand::Local(s)) if *s != dst && self.tracked[s.index()] => {
                new.extend(
                    facts
                        .iter()
                        .filter(|x| x.mentions(*s) && !x.mentions(dst))
                        .map(|x| x.renamed(*s, dst)),
                );
                if !matches!(self.f.local_ty(dst), Type::Array(_)) {
                    new.extend([Fact::Le(d, Term::Local(*s)), Fact::Le(Term::Local(*s), d)]);
                }
            }
            Value::Binary(BinOp::IAdd, Operand::Local(x), Operand::Int(1))
            | Value::Binary(BinOp::IAdd, Operand::Int(1), Operand::Local(x))
                if self.tracked[x.index()] =>
            {
                let x = *x;
                let bounds = self.upper_bounds(facts, Term::Local(x));
                let strict: Vec<Term> = bounds
                    .iter()
                    .filter(|(t, s)| *s && !t.mentions(dst))
                    .map(|(t, _)| *t)
                    .collect();
                if !strict.is_empty() {
                    // `x < t` for some `t`: `x + 1` does not wrap, and is at most `t`.
                    new.extend(strict.into_iter().map(|t| Fact::Le(d, t)));
                    if self.non_negative(facts, Term::Local(x)) {
                        new.push(Fact::Le(Term::Const(1), d));
                    }
                    if x != dst {
                        new.push(Fact::Lt(Term::Local(x), d));
                    }
                }
                if x != dst {
                    new.push(Fact::Succ(dst, x));
                }
            }
            // A stride added to an index: both in some array's range, so the sum is not
            // negative and did not wrap (sieve's `j += i`).
            Value::Binary(BinOp::IAdd, Operand::Local(x), Operand::Local(y))
                if self.tracked[x.index()]
                    && self.tracked[y.index()]
                    && self.below_some_length(facts, Term::Local(*x))
                    && self.below_some_length(facts, Term::Local(*y)) =>
            {
                new.push(Fact::Le(Term::Const(0), d));
            }
            Value::Binary(BinOp::ISub, Operand::Local(x), Operand::Int(1))
                if self.tracked[x.index()] && self.non_negative(facts, Term::Local(*x)) =>
            {
                // `x - 1` does not wrap for `x >= 0`, and is below every bound of `x`.
                let x = Term::Local(*x);
                new.extend(
                    self.upper_bounds(facts, x)
                        .into_iter()
                        .filter(|(t, _)| !t.mentions(dst))
                        .map(|(t, _)| Fact::Lt(d, t)),
                );
                if self.positive(facts, x) {
                    new.push(Fact::Le(Term::Const(0), d));
                }
            }
            Value::Binary(BinOp::ICmp(k), a, b)
                if self.f.operand_ty(a) == Type::Int && self.f.operand_ty(b) == Type::Int =>
            {
                if let (Some(a), Some(b)) = (self.term(a), self.term(b)) {
                    if !a.mentions(dst) && !b.mentions(dst) {
                        new.push(Fact::Cond(dst, *k, a, b));
                    }
                }
            }
            Value::ArrayLen(a) => {
                if let Some(Term::Local(a)) = self.term(a) {
                    new.extend([Fact::Le(d, Term::Len(a)), Fact::Le(Term::Len(a), d)]);
                }
            }
            Value::NewArray { len, .. } => {
                // Created, so the length operand was not negative.
                if let Some(n) = self.term(len) {
                    new.extend([
                        Fact::Le(Term::Len(dst), n),
                        Fact::Le(n, Term::Len(dst)),
                        Fact::Le(Term::Const(0), n),
                    ]);
                }
            }
            Value::Index { array, index, .. } => {
                new.extend(self.accessed(array, index).into_iter().filter(|x| !x.mentions(dst)));
            }
            _ => {}
        }
        new
    }

    /// Is `index` provably in `0..长度(array)`?
    fn in_range(&self, facts: &Facts, array: Operand, index: Operand) -> bool {
        let (Some(Term::Local(a)), Some(i)) = (self.term(&array), self.term(&index)) else {
            return false;
        };
        self.non_negative(facts, i)
            && self.upper_bounds(facts, i).iter().any(|(t, s)| *s && *t == Term::Len(a))
    }

    /// Does `0 <= t` follow from the facts?
    fn non_negative(&self, facts: &Facts, t: Term) -> bool {
        self.least(facts, t).is_some_and(|c| c >= 0)
    }

    /// Does `1 <= t` follow from the facts?
    fn positive(&self, facts: &Facts, t: Term) -> bool {
        self.least(facts, t).is_some_and(|c| c >= 1)
    }

    /// The largest constant the facts prove `t` at least: through chains of `<=` and `<`
    /// down to a constant or an array length (never negative).
    fn least(&self, facts: &Facts, t: Term) -> Option<i64> {
        let mut found: Vec<(Term, bool)> = vec![(t, false)];
        let mut work = vec![0usize];
        while let Some(i) = work.pop() {
            let (t, strict) = found[i];
            for x in facts {
                let (u, s) = match *x {
                    Fact::Le(a, b) if b == t => (a, strict),
                    Fact::Lt(a, b) if b == t => (a, true),
                    _ => continue,
                };
                reach(&mut found, &mut work, u, s);
            }
        }
        found
            .iter()
            .filter_map(|(t, strict)| match t {
                Term::Const(c) => Some(c.saturating_add(*strict as i64)),
                Term::Len(_) => Some(*strict as i64),
                Term::Local(_) => None,
            })
            .max()
    }

    /// Is `t` known to lie in `0..长度(a)` for some array `a`? Such values are below
    /// 2^62 (an array takes at least a byte of the address space per element, and no
    /// target has more than 2^57 bytes of it), so the sum of two of them cannot wrap.
    fn below_some_length(&self, facts: &Facts, t: Term) -> bool {
        self.non_negative(facts, t)
            && self.upper_bounds(facts, t).iter().any(|(u, s)| *s && matches!(u, Term::Len(_)))
    }

    /// Every term known to be at least `from`, with whether it is strictly greater.
    fn upper_bounds(&self, facts: &Facts, from: Term) -> Vec<(Term, bool)> {
        let mut found: Vec<(Term, bool)> = vec![(from, false)];
        let mut work = vec![0usize];
        let consts: Vec<i64> = facts
            .iter()
            .flat_map(|x| match *x {
                Fact::Le(a, b) | Fact::Lt(a, b) => [Some(a), Some(b)],
                _ => [None, None],
            })
            .filter_map(|t| if let Some(Term::Const(c)) = t { Some(c) } else { None })
            .collect();
        while let Some(i) = work.pop() {
            let (t, strict) = found[i];
            let mut next: Vec<(Term, bool)> = Vec::new();
            for x in facts {
                match *x {
                    Fact::Le(a, b) if a == t => next.push((b, strict)),
                    Fact::Lt(a, b) if a == t => next.push((b, true)),
                    // `y == x + 1` is above `x` unless it wrapped, which made it negative.
                    Fact::Succ(y, x)
                        if Term::Local(x) == t && self.non_negative(facts, Term::Local(y)) =>
                    {
                        next.push((Term::Local(y), true))
                    }
                    _ => {}
                }
            }
            if let Term::Const(c) = t {
                next.extend(
                    consts.iter().filter(|d| **d >= c).map(|d| (Term::Const(*d), strict || *d > c)),
                );
            }
            for (u, s) in next {
                reach(&mut found, &mut work, u, s);
            }
        }
        found
    }
}

/// Record that term `u` is reached (`strict`: strictly beyond the start) in a walk over the
/// facts, and queue it when that is new: a term not found before, or found before but not
/// strictly.
fn reach(found: &mut Vec<(Term, bool)>, work: &mut Vec<usize>, u: Term, strict: bool) {
    match found.iter().position(|(v, _)| *v == u) {
        None => {
            found.push((u, strict));
            work.push(found.len() - 1);
        }
        Some(j) if strict && !found[j].1 => {
            found[j].1 = true;
            work.push(j);
        }
        Some(_) => {}
    }
}
