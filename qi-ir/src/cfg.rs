//! The control-flow graph of a function: its blocks in reverse postorder and its
//! innermost loops. Read by the IR passes and by the Cranelift tier (loop rotation).

use crate::ir::Function;

/// The blocks reachable from the entry in reverse postorder, and each block's position
/// in it (`usize::MAX` for unreachable blocks, which no edge from a reachable one enters).
pub fn reverse_postorder(f: &Function) -> (Vec<usize>, Vec<usize>) {
    let n = f.blocks.len();
    let edges = |b: usize| {
        let block = &f.blocks[b];
        block.term.successors().into_iter().chain(block.unwind.map(|u| u.to)).map(|s| s.index())
    };
    let mut seen = vec![false; n];
    let mut post = Vec::with_capacity(n);
    // Iterative depth-first search: (block, its successors not yet walked).
    let mut stack: Vec<(usize, Vec<usize>)> = vec![(0, edges(0).collect())];
    seen[0] = true;
    while let Some((b, rest)) = stack.last_mut() {
        match rest.pop() {
            Some(s) if !seen[s] => {
                seen[s] = true;
                let next = edges(s).collect();
                stack.push((s, next));
            }
            Some(_) => {}
            None => {
                post.push(*b);
                stack.pop();
            }
        }
    }
    post.reverse();
    let mut rank = vec![usize::MAX; n];
    for (r, &b) in post.iter().enumerate() {
        rank[b] = r;
    }
    (post, rank)
}

/// Functions with more blocks than this are not analysed for loops (no block is in an
/// innermost loop): the walk below costs up to blocks × loops.
const MAX_BLOCKS: usize = 4000;

/// Per block: the header of the loop it lies in, when that loop contains no other loop.
/// A loop is a block `h` that an edge from a block at or after it in reverse postorder
/// returns to, with the blocks that reach such an edge without passing `h`.
pub fn innermost_loop_headers(f: &Function) -> Vec<Option<usize>> {
    let n = f.blocks.len();
    if n > MAX_BLOCKS {
        return vec![None; n];
    }
    let (order, rank) = reverse_postorder(f);
    let mut preds = vec![Vec::new(); n];
    for &b in &order {
        let block = &f.blocks[b];
        for s in block.term.successors().into_iter().chain(block.unwind.map(|u| u.to)) {
            preds[s.index()].push(b);
        }
    }
    // Per block, the header of the innermost loop it lies in: headers are visited in
    // reverse postorder, so an inner loop's header claims its blocks after the outer's.
    let mut header = vec![usize::MAX; n];
    let mut has_inner = vec![false; n];
    for &h in &order {
        let latches: Vec<usize> =
            preds[h].iter().copied().filter(|&p| rank[p] >= rank[h]).collect();
        if latches.is_empty() {
            continue;
        }
        if header[h] != usize::MAX {
            has_inner[header[h]] = true;
        }
        header[h] = h;
        let mut work = latches;
        while let Some(b) = work.pop() {
            if header[b] == h {
                continue;
            }
            header[b] = h;
            work.extend(preds[b].iter().copied());
        }
    }
    header.iter().map(|&h| (h != usize::MAX && !has_inner[h]).then_some(h)).collect()
}
