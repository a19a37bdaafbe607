//! The Qi frames an exception unwound through, innermost first, in bounded memory.
//!
//! A stack overflow unwinds through hundreds of thousands of frames, but a report needs
//! only both ends: where it went wrong (the innermost frames) and how the thread got
//! there (the outermost ones, down to the thread's entry function such as `入口`). So a
//! trace keeps the first `TOP_FRAMES` frames pushed, the last `BOTTOM_FRAMES` (a ring),
//! and counts those in between.

use std::collections::VecDeque;

use crate::string::Str;

/// One frame: function name (an immortal string literal of the program, kept without a
/// reference), file index, line.
pub type Frame = (*const Str, u32, u32);

/// Innermost frames kept.
pub const TOP_FRAMES: usize = 64;
/// Outermost frames kept.
pub const BOTTOM_FRAMES: usize = 16;

#[derive(Clone, Default)]
pub struct Trace {
    top: Vec<Frame>,
    bottom: VecDeque<Frame>,
    /// Frames pushed but kept in neither end.
    omitted: usize,
}

impl Trace {
    /// The next frame outwards.
    pub fn push(&mut self, frame: Frame) {
        if self.top.len() < TOP_FRAMES {
            self.top.push(frame);
            return;
        }
        if self.bottom.len() == BOTTOM_FRAMES {
            self.bottom.pop_front();
            self.omitted += 1;
        }
        self.bottom.push_back(frame);
    }

    /// The innermost frames kept.
    pub fn top(&self) -> &[Frame] {
        &self.top
    }

    /// How many frames between `top` and `bottom` were dropped.
    pub fn omitted(&self) -> usize {
        self.omitted
    }

    /// The outermost frames kept (innermost first).
    pub fn bottom(&self) -> impl Iterator<Item = &Frame> {
        self.bottom.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(line: u32) -> Frame {
        (std::ptr::null(), 0, line)
    }

    fn lines(t: &Trace) -> (Vec<u32>, usize, Vec<u32>) {
        (t.top().iter().map(|f| f.2).collect(), t.omitted(), t.bottom().map(|f| f.2).collect())
    }

    #[test]
    fn a_short_trace_is_kept_whole() {
        let mut t = Trace::default();
        (1..=3).for_each(|i| t.push(frame(i)));
        assert_eq!(lines(&t), (vec![1, 2, 3], 0, vec![]));
    }

    #[test]
    fn a_long_trace_keeps_both_ends_and_counts_the_middle() {
        let mut t = Trace::default();
        let n = 1_000_000;
        (0..n).for_each(|i| t.push(frame(i)));
        let (top, omitted, bottom) = lines(&t);
        assert_eq!(top, (0..TOP_FRAMES as u32).collect::<Vec<_>>());
        assert_eq!(bottom, (n - BOTTOM_FRAMES as u32..n).collect::<Vec<_>>());
        assert_eq!(omitted, n as usize - TOP_FRAMES - BOTTOM_FRAMES);
    }

    #[test]
    fn a_copy_continues_where_the_original_stopped() {
        let mut t = Trace::default();
        (0..TOP_FRAMES as u32 + 3).for_each(|i| t.push(frame(i)));
        let mut copy = t.clone();
        copy.push(frame(1000));
        assert_eq!(lines(&copy).2, vec![64, 65, 66, 1000]);
        assert_eq!(lines(&t).2, vec![64, 65, 66]);
    }
}
