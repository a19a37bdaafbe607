//! Positions: the byte offsets of the syntax tree and diagnostics against the LSP's
//! line and UTF-16 column (the protocol's default encoding: a character outside the
//! Basic Multilingual Plane, such as 𝄞, counts two, a Chinese character one).

use lsp_types::{Position, Range};
use rowan::{TextRange, TextSize};

/// Where each line of a text starts, for converting in both directions.
pub struct LineIndex<'t> {
    text: &'t str,
    /// Byte offset of the start of each line; the first is 0.
    starts: Vec<usize>,
}

impl<'t> LineIndex<'t> {
    pub fn new(text: &'t str) -> LineIndex<'t> {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex { text, starts }
    }

    /// The position of a byte offset (clamped to the text, and back to a character
    /// boundary).
    pub fn position(&self, offset: TextSize) -> Position {
        let mut offset = usize::from(offset).min(self.text.len());
        while !self.text.is_char_boundary(offset) {
            offset -= 1;
        }
        let line = self.starts.partition_point(|&s| s <= offset) - 1;
        let before = &self.text[self.starts[line]..offset];
        let character = before.chars().map(char::len_utf16).sum::<usize>();
        Position { line: line as u32, character: character as u32 }
    }

    pub fn range(&self, range: TextRange) -> Range {
        Range { start: self.position(range.start()), end: self.position(range.end()) }
    }

    /// The byte offset of a position; a column past the line's end means its end, a line
    /// past the text's end the end of the text, and a column inside a surrogate pair the
    /// character's start.
    pub fn offset(&self, position: Position) -> TextSize {
        let Some(&start) = self.starts.get(position.line as usize) else {
            return TextSize::of(self.text);
        };
        let line_end = self.text[start..].find('\n').map_or(self.text.len(), |i| start + i);
        let mut units = 0;
        let mut offset = start;
        for ch in self.text[start..line_end].chars() {
            units += ch.len_utf16();
            if units > position.character as usize {
                break;
            }
            offset += ch.len_utf8();
        }
        TextSize::from(offset as u32)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pos(line: u32, character: u32) -> Position {
        Position { line, character }
    }

    #[test]
    fn chinese_characters_count_one_unit_each() {
        let text = "函数 入口() {\n    变量 甲 = 1;\n}\n";
        let index = LineIndex::new(text);
        let at = text.find('甲').unwrap();
        assert_eq!(index.position(TextSize::from(at as u32)), pos(1, 7));
        assert_eq!(index.offset(pos(1, 7)), TextSize::from(at as u32));
    }

    #[test]
    fn astral_characters_count_two_units() {
        let text = "变量 s = \"𝄞𝄞\"; 乙\n";
        let index = LineIndex::new(text);
        let at = text.find('乙').unwrap();
        // 变量 s = "  is 8 units, each 𝄞 two, then `";` and a space.
        assert_eq!(index.position(TextSize::from(at as u32)), pos(0, 15));
        assert_eq!(index.offset(pos(0, 15)), TextSize::from(at as u32));
        // Inside the surrogate pair of the first 𝄞: its start.
        let clef = text.find('𝄞').unwrap();
        assert_eq!(index.offset(pos(0, 9)), TextSize::from(clef as u32));
    }

    #[test]
    fn positions_past_the_end_are_clamped() {
        let text = "甲\n乙";
        let index = LineIndex::new(text);
        assert_eq!(index.offset(pos(0, 99)), TextSize::from(3));
        assert_eq!(index.offset(pos(9, 0)), TextSize::of(text));
        assert_eq!(index.position(TextSize::from(99)), pos(1, 1));
        // Inside a character's bytes: its start.
        assert_eq!(index.position(TextSize::from(1)), pos(0, 0));
    }
}
