//! The control-flow graph of a function: its blocks in reverse postorder (and a worklist
//! that visits them in that order), its loops. Read by the IR passes and by the Cranelift
//! tier (loop rotation).

use crate::ir::Function;

/// The blocks reachable from the entry in reverse postorder, and each block's position
/// in it (`usize::MAX` for unreachable blocks, which no edge from a reachable one enters).
pub fn reverse_postorder(f: &Function) -> (Vec<usize>, Vec<usize>) {
    let n = f.blocks.len();
    // A block's successors, its exceptional edge last; walked last first.
    let edge_count = |b: usize| {
        let block = &f.blocks[b];
        block.term.successors().count() + usize::from(block.unwind.is_some())
    };
    let edge = |b: usize, k: usize| {
        let block = &f.blocks[b];
        block.term.successors().chain(block.unwind.map(|u| u.to)).nth(k).map(|s| s.index())
    };
    let mut seen = vec![false; n];
    let mut post = Vec::with_capacity(n);
    // Iterative depth-first search: (block, how many of its edges are not yet walked),
    // nothing allocated per block.
    let mut stack: Vec<(usize, usize)> = vec![(0, edge_count(0))];
    seen[0] = true;
    while let Some((b, left)) = stack.last_mut() {
        if *left == 0 {
            post.push(*b);
            stack.pop();
            continue;
        }
        *left -= 1;
        let s = edge(*b, *left).expect("counted edge");
        if !seen[s] {
            seen[s] = true;
            stack.push((s, edge_count(s)));
        }
    }
    post.reverse();
    let mut rank = vec![usize::MAX; n];
    for (r, &b) in post.iter().enumerate() {
        rank[b] = r;
    }
    (post, rank)
}

/// A worklist of blocks, by their rank in reverse postorder, that hands out the earliest
/// first: a data-flow pass then normally visits a block after all its forward
/// predecessors. Flags and a cursor instead of an ordered set: no allocation per block
/// queued.
pub struct RankQueue {
    queued: Vec<bool>,
    /// No rank before this one is queued.
    first: usize,
}

impl RankQueue {
    /// An empty queue for a function of `blocks` blocks.
    pub fn new(blocks: usize) -> RankQueue {
        RankQueue { queued: vec![false; blocks], first: blocks }
    }

    /// Queue `rank` (once however often it is pushed before it is taken).
    pub fn push(&mut self, rank: usize) {
        self.queued[rank] = true;
        self.first = self.first.min(rank);
    }

    /// The earliest rank queued, taken out of the queue.
    pub fn pop(&mut self) -> Option<usize> {
        while self.first < self.queued.len() {
            let r = self.first;
            if self.queued[r] {
                self.queued[r] = false;
                return Some(r);
            }
            self.first += 1;
        }
        None
    }
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
        for s in block.term.successors().chain(block.unwind.map(|u| u.to)) {
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

#[cfg(test)]
mod tests {
    use super::RankQueue;

    #[test]
    fn a_rank_queue_hands_out_the_earliest_first_and_each_once() {
        let mut q = RankQueue::new(8);
        q.push(5);
        q.push(2);
        q.push(5);
        assert_eq!(q.pop(), Some(2));
        q.push(7);
        q.push(1);
        assert_eq!(q.pop(), Some(1));
        assert_eq!(q.pop(), Some(5));
        assert_eq!(q.pop(), Some(7));
        assert_eq!(q.pop(), None);
        q.push(0);
        assert_eq!(q.pop(), Some(0));
        assert_eq!(q.pop(), None);
    }
}
