//! Byte offset → line number, for the locations kept in the IR.

use rowan::TextSize;

pub struct LineIndex<'a> {
    text: &'a str,
    /// Byte offset of the start of every line.
    starts: Vec<u32>,
}

impl<'a> LineIndex<'a> {
    pub fn new(text: &'a str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i as u32 + 1));
        LineIndex { text, starts }
    }

    /// 1-based line of a byte offset.
    pub fn line(&self, offset: TextSize) -> u32 {
        let off: u32 = offset.into();
        self.starts.partition_point(|&s| s <= off) as u32
    }

    /// 1-based column of a byte offset, in characters.
    pub fn column(&self, offset: TextSize) -> u32 {
        let off: u32 = offset.into();
        let start = self.starts[self.line(offset) as usize - 1];
        let chars = self.text.get(start as usize..off as usize).map_or(0, |s| s.chars().count());
        chars as u32 + 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_are_one_based() {
        let idx = LineIndex::new("a\nbc\n\nd");
        assert_eq!(idx.line(0.into()), 1);
        assert_eq!(idx.line(2.into()), 2);
        assert_eq!(idx.line(5.into()), 3);
        assert_eq!(idx.line(6.into()), 4);
    }

    #[test]
    fn columns_count_characters() {
        let idx = LineIndex::new("甲乙x\n  丙");
        assert_eq!(idx.column(0.into()), 1);
        assert_eq!(idx.column(6.into()), 3);
        assert_eq!(idx.column(10.into()), 3);
    }
}
