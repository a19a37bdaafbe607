//! Which blocks of a function lie on a cycle of its control flow (jumps, branches and
//! unwind edges): the blocks a loop's jump back can land on.
//!
//! The decoder's layout turns some jumps that close no loop into jumps back (after
//! inlining, a callee's blocks may be placed before the caller's block that jumps to
//! them). The frame still polls at those, but only a jump back onto a cycle counts as a
//! loop for tiering, so straight-line code never asks for on-stack replacement.

use qi_ir::Function;

/// Per block of `f`: does it lie on a cycle? (The blocks of the strongly connected
/// components with more than one block or a jump to themselves; Tarjan's algorithm,
/// with an explicit stack.)
pub fn on_cycle(f: &Function) -> Vec<bool> {
    let n = f.blocks.len();
    let successors: Vec<Vec<usize>> = f
        .blocks
        .iter()
        .map(|b| {
            let mut s: Vec<usize> = b.term.successors().map(|t| t.index()).collect();
            s.extend(b.unwind.map(|u| u.to.index()));
            s
        })
        .collect();
    const UNSEEN: usize = usize::MAX;
    let mut index = vec![UNSEEN; n];
    let mut low = vec![0; n];
    let mut on_stack = vec![false; n];
    let mut stack = Vec::new();
    let mut cyclic = vec![false; n];
    let mut next_index = 0;
    // The depth-first walk: (block, how many of its successors are done).
    let mut walk: Vec<(usize, usize)> = Vec::new();
    for root in 0..n {
        if index[root] != UNSEEN {
            continue;
        }
        walk.push((root, 0));
        while let Some(&mut (b, ref mut done)) = walk.last_mut() {
            if *done == 0 && index[b] == UNSEEN {
                index[b] = next_index;
                low[b] = next_index;
                next_index += 1;
                stack.push(b);
                on_stack[b] = true;
            }
            if let Some(&s) = successors[b].get(*done) {
                *done += 1;
                if index[s] == UNSEEN {
                    walk.push((s, 0));
                } else if on_stack[s] {
                    low[b] = low[b].min(index[s]);
                }
                continue;
            }
            walk.pop();
            if let Some(&(parent, _)) = walk.last() {
                low[parent] = low[parent].min(low[b]);
            }
            if low[b] == index[b] {
                let top = stack.iter().rposition(|&x| x == b).expect("b is on the stack");
                let component = stack.split_off(top);
                let loops = component.len() > 1 || successors[b].contains(&b);
                for x in component {
                    on_stack[x] = false;
                    cyclic[x] = loops;
                }
            }
        }
    }
    cyclic
}

#[cfg(test)]
mod tests {
    use super::on_cycle;
    use qi_ir::{Block, BlockId, Function, Loc, Operand, Terminator, Type};

    fn function(terms: Vec<Terminator>) -> Function {
        Function {
            name: "f".into(),
            params: Vec::new(),
            ret: Type::Void,
            locals: Vec::new(),
            blocks: terms.into_iter().map(|term| Block { term, ..Block::default() }).collect(),
            loc: Loc::default(),
        }
    }

    fn jump(b: u32) -> Terminator {
        Terminator::Jump(BlockId(b))
    }

    fn branch(a: u32, b: u32) -> Terminator {
        Terminator::Branch { cond: Operand::Bool(true), then_to: BlockId(a), else_to: BlockId(b) }
    }

    #[test]
    fn straight_code_has_no_cycle_whatever_the_block_order() {
        // 0 → 2 → 1 → return: block 1 comes after block 2 but closes nothing.
        let f = function(vec![jump(2), Terminator::Return(None), jump(1)]);
        assert_eq!(on_cycle(&f), [false, false, false]);
    }

    #[test]
    fn a_loop_and_what_it_reaches() {
        // 0 → 1 ⇄ 2, 1 → 3 → 4 → 4 (a block that jumps to itself).
        let f = function(vec![jump(1), branch(2, 3), jump(1), jump(4), jump(4)]);
        assert_eq!(on_cycle(&f), [false, true, true, false, true]);
    }

    #[test]
    fn nested_loops_and_unreachable_blocks() {
        // 0 → 1 → 2 → 3 → 2 | 1; blocks 4 (a return), 5 and 6 (a loop) are unreachable.
        let f = function(vec![
            jump(1),
            jump(2),
            jump(3),
            Terminator::Branch {
                cond: Operand::Bool(true),
                then_to: BlockId(2),
                else_to: BlockId(1),
            },
            Terminator::Return(None),
            jump(6),
            jump(5),
        ]);
        assert_eq!(on_cycle(&f), [false, true, true, true, false, true, true]);
    }
}
