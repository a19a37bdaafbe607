//! Array lengths loaded once per loop entry instead of at every access.
//!
//! An array's length never changes (docs/ARCHITECTURE.md, "Arrays"), so in a loop that
//! indexes an array variable the loop never assigns, the length read by every bounds
//! check is the one read when the loop was entered. The translator loads it at the end of
//! the loop's preheader (the one block outside the loop that jumps to its header) and
//! the bounds checks inside the loop compare with that value: one load per loop entry
//! instead of one per access, and the value stays in a register.
//!
//! The preheader runs even when the loop's body does not, where the variable may still
//! be null (never assigned on that path): the load there reads a zero length from a
//! static instead (`NULL_ARRAY`), so it never faults; the body, which would fault on a
//! null array anyway, never uses that value.

use qi_ir::{Function, Inst, LocalId, Operand, Value};

/// A zero word where an array keeps its length: what a hoisted length load of a null
/// array variable reads (the array layout's length offset is inside it).
pub static NULL_ARRAY: [u64; 4] = [0; 4];

/// Which array variables' lengths are hoisted, and where.
pub struct HoistedLengths {
    /// Per block: the arrays whose length is loaded at its end (it is a loop's preheader:
    /// the one block outside the loop with an edge into it).
    pub load_at_end: Vec<Vec<LocalId>>,
    /// Per block: the arrays whose hoisted length holds in it (it is in their loop).
    pub valid_in: Vec<Vec<LocalId>>,
}

impl HoistedLengths {
    pub fn of(f: &Function, addressed: &[bool]) -> Self {
        let n = f.blocks.len();
        let mut load_at_end = vec![Vec::new(); n];
        let mut valid_in: Vec<Vec<LocalId>> = vec![Vec::new(); n];
        let preds = predecessors(f);
        for (header, latches) in loops(f) {
            let body = loop_body(header, &latches, &preds);
            // The one way in from outside: a jump from a block outside the loop.
            let outside: Vec<usize> = preds[header].iter().copied().filter(|p| !body[*p]).collect();
            let [pre] = outside[..] else { continue };
            // No other way in (an irreducible loop, or one holding the entry block).
            let side_entry = (0..n)
                .any(|b| body[b] && b != header && (b == 0 || preds[b].iter().any(|p| !body[*p])));
            if side_entry {
                continue;
            }
            let mut assigned = vec![false; f.locals.len()];
            let mut indexed = Vec::new();
            for b in (0..n).filter(|b| body[*b]) {
                for inst in &f.blocks[b].insts {
                    if let Inst::Assign { dst, .. } = inst {
                        assigned[dst.index()] = true;
                    }
                    if let Some(a) = indexed_array(inst) {
                        indexed.push(a);
                    }
                }
            }
            indexed.sort_by_key(|l| l.0);
            indexed.dedup();
            indexed.retain(|a| !assigned[a.index()] && !addressed[a.index()]);
            if indexed.is_empty() {
                continue;
            }
            for b in (0..n).filter(|b| body[*b]) {
                for a in &indexed {
                    if !valid_in[b].contains(a) {
                        valid_in[b].push(*a);
                    }
                }
            }
            load_at_end[pre].extend(indexed);
        }
        HoistedLengths { load_at_end, valid_in }
    }
}

/// The array variable an element read or store indexes, if any.
fn indexed_array(inst: &Inst) -> Option<LocalId> {
    let array = match inst {
        Inst::Assign { value: Value::Index { array, .. }, .. }
        | Inst::Effect(Value::Index { array, .. })
        | Inst::SetIndex { array, .. } => array,
        _ => return None,
    };
    match array {
        Operand::Local(a) => Some(*a),
        _ => None,
    }
}

fn successors(f: &Function, b: usize) -> Vec<usize> {
    let block = &f.blocks[b];
    let mut s: Vec<usize> = block.term.successors().iter().map(|t| t.index()).collect();
    s.extend(block.unwind.map(|u| u.to.index()));
    s
}

fn predecessors(f: &Function) -> Vec<Vec<usize>> {
    let mut preds = vec![Vec::new(); f.blocks.len()];
    for b in 0..f.blocks.len() {
        for s in successors(f, b) {
            preds[s].push(b);
        }
    }
    preds
}

/// Loop headers with their latches: the targets of edges back to a block on the current
/// path of a depth-first walk from the entry.
fn loops(f: &Function) -> Vec<(usize, Vec<usize>)> {
    const UNSEEN: u8 = 0;
    const ON_PATH: u8 = 1;
    const DONE: u8 = 2;
    let mut state = vec![UNSEEN; f.blocks.len()];
    let mut headers: Vec<(usize, Vec<usize>)> = Vec::new();
    let mut stack = vec![(0usize, successors(f, 0), 0usize)];
    state[0] = ON_PATH;
    while let Some((b, succ, next)) = stack.last_mut() {
        let Some(&to) = succ.get(*next) else {
            state[*b] = DONE;
            stack.pop();
            continue;
        };
        *next += 1;
        let b = *b;
        match state[to] {
            ON_PATH => match headers.iter_mut().find(|(h, _)| *h == to) {
                Some((_, latches)) => latches.push(b),
                None => headers.push((to, vec![b])),
            },
            UNSEEN => {
                state[to] = ON_PATH;
                stack.push((to, successors(f, to), 0));
            }
            _ => {}
        }
    }
    headers
}

/// The blocks of the loop: the header and every block that reaches a latch without
/// passing through the header.
fn loop_body(header: usize, latches: &[usize], preds: &[Vec<usize>]) -> Vec<bool> {
    let mut body = vec![false; preds.len()];
    body[header] = true;
    let mut work: Vec<usize> = latches.to_vec();
    while let Some(b) = work.pop() {
        if std::mem::replace(&mut body[b], true) {
            continue;
        }
        work.extend(preds[b].iter().copied());
    }
    body
}

#[cfg(test)]
mod tests {
    use super::HoistedLengths;
    use qi_ir::{Function, LocalId, Module};

    fn module(source: &str) -> Module {
        let parse = qi_syntax::parse(source);
        assert!(parse.errors.is_empty(), "{:?}", parse.errors);
        let checked = qi_ir::check(&parse.tree(), source, "lengths.qi");
        assert!(checked.diagnostics.is_empty(), "{:?}", checked.diagnostics);
        qi_ir::opt::runnable(&checked.module.unwrap(), true).unwrap()
    }

    fn hoisted(f: &Function) -> HoistedLengths {
        HoistedLengths::of(f, &vec![false; f.locals.len()])
    }

    fn local(f: &Function, name: &str) -> LocalId {
        LocalId(f.locals.iter().position(|l| l.name.as_deref() == Some(name)).unwrap() as u32)
    }

    #[test]
    fn a_loop_indexing_an_array_it_never_assigns_loads_its_length_once_before() {
        let m = module(
            "函数 和(a: 数组<整数>, n: 整数): 整数 {
                 变量 s = 0;
                 对于 i 在 0..n { s += a[i] * a[n - 1 - i]; }
                 返回 s;
             }
             函数 入口() { 打印行(和([1, 2], 2)); }",
        );
        let f = m.functions.iter().find(|f| f.name == "和").unwrap();
        let h = hoisted(f);
        let a = local(f, "a");
        // Loaded at the end of exactly one block, which is outside the loop, and valid in
        // every block that indexes `a`.
        let pre: Vec<usize> = (0..f.blocks.len()).filter(|b| h.load_at_end[*b] == [a]).collect();
        assert_eq!(pre.len(), 1, "{}", qi_ir::print::function_text(&m, qi_ir::FuncId(0)));
        assert!(!h.valid_in[pre[0]].contains(&a));
        for (b, block) in f.blocks.iter().enumerate() {
            if block.insts.iter().any(|i| super::indexed_array(i) == Some(a)) {
                assert!(h.valid_in[b].contains(&a), "b{b}");
            }
        }
    }

    #[test]
    fn a_loop_that_assigns_the_array_variable_loads_the_length_at_each_access() {
        let m = module(
            "函数 入口() {
                 变量 b = [0, 0, 0];
                 对于 k 在 0..4 { b[k % 3] = k; 如果 k == 1 { b = [7, 8, 9]; } }
                 打印行(b[0]);
             }",
        );
        let f = m.functions.iter().find(|f| f.name == "入口").unwrap();
        let h = hoisted(f);
        assert!(h.load_at_end.iter().all(|v| v.is_empty()));
        assert!(h.valid_in.iter().all(|v| v.is_empty()));
    }
}
