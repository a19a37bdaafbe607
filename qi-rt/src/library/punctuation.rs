//! `文本.是中文标点(s)`: is `s` one Chinese punctuation mark? An extension over
//! builtins.md §G.3 (docs/LANGUAGE-NOTES.md, "Chinese text").
//!
//! The marks are the punctuation (General Category P) of the blocks made for CJK text,
//! and the General Punctuation characters GB/T 15834 writes Chinese with:
//!
//! * CJK Symbols and Punctuation: `、。〃〈〉《》「」『』【】〔〕〖〗〘〙〚〛〜〝〞〟〰〽`,
//!   not the ideographic space U+3000, the symbols (`〄〒〓〠`…), the letters and numerals
//!   (`々〆〇`…) nor the tone marks of that block;
//! * Halfwidth and Fullwidth Forms: the full-width forms of ASCII's punctuation and
//!   symbols (`！＂＃＄％＆＇（）＊＋，－．／：；＜＝＞？＠［＼］＾＿｀｛｜｝～`, exactly what
//!   `全角转半角` maps to ASCII punctuation), `｟｠` and the half-width `｡｢｣､･`;
//! * Vertical Forms (U+FE10–U+FE19) and CJK Compatibility Forms (U+FE30–U+FE4F), the
//!   vertical-text forms of the same marks;
//! * from General Punctuation and Latin-1: `—` (破折号 is two), `‘’“”` (引号), `…`
//!   (省略号 is two) and `·` (间隔号).
//!
//! ASCII punctuation, the en dash and the small form variants (U+FE50–U+FE6F) are not
//! Chinese punctuation. Anything but exactly one Unicode scalar value gives 0.

use crate::guard::guard;
use crate::string::{str_as_str, Str};

/// The code point ranges (inclusive) of the marks listed above.
const MARKS: &[(u32, u32)] = &[
    (0x00B7, 0x00B7),
    (0x2014, 0x2014),
    (0x2018, 0x2019),
    (0x201C, 0x201D),
    (0x2026, 0x2026),
    (0x3001, 0x3003),
    (0x3008, 0x3011),
    (0x3014, 0x301F),
    (0x3030, 0x3030),
    (0x303D, 0x303D),
    (0xFE10, 0xFE19),
    (0xFE30, 0xFE4F),
    (0xFF01, 0xFF0F),
    (0xFF1A, 0xFF20),
    (0xFF3B, 0xFF40),
    (0xFF5B, 0xFF65),
];

/// Is `c` a Chinese punctuation mark?
pub fn is_mark(c: char) -> bool {
    let c = c as u32;
    MARKS.iter().any(|&(lo, hi)| (lo..=hi).contains(&c))
}

/// `是中文标点(s)`: 1 when `s` is exactly one Chinese punctuation mark, else 0.
pub fn is_cjk_punctuation(s: &str) -> i64 {
    let mut chars = s.chars();
    match (chars.next(), chars.next()) {
        (Some(c), None) => is_mark(c) as i64,
        _ => 0,
    }
}

/// `是中文标点(s)`.
///
/// # Safety
/// `s` is null or a live string object (null reads as "").
pub unsafe extern "C" fn qi_text_is_cjk_punctuation(s: *const Str) -> i64 {
    // SAFETY: forwarded from the caller's contract.
    guard(|| is_cjk_punctuation(unsafe { str_as_str(s) }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_marks_of_the_issue_count() {
        for m in "。，！？：；、（）【】《》「」『』…—“”‘’·〈〉〔〕～｟｠｡｢｣､･︐︰﹏".chars()
        {
            assert!(is_mark(m), "{m} (U+{:04X})", m as u32);
        }
    }

    #[test]
    fn letters_spaces_symbols_and_western_marks_do_not() {
        for c in "a1,.!?;:'\"()-–中々〇〒\u{3000} ＡＺ０９￥﹐".chars() {
            assert!(!is_mark(c), "{c} (U+{:04X})", c as u32);
        }
    }

    #[test]
    fn only_one_character_is_asked_about() {
        assert_eq!(is_cjk_punctuation("。"), 1);
        assert_eq!(is_cjk_punctuation("。。"), 0);
        assert_eq!(is_cjk_punctuation("……"), 0);
        assert_eq!(is_cjk_punctuation(""), 0);
        assert_eq!(is_cjk_punctuation("a"), 0);
    }

    /// Within the CJK blocks the ranges are exactly Unicode's punctuation (and, among the
    /// full-width forms, its symbols too), so they restate no table by hand.
    #[test]
    fn the_block_ranges_follow_the_general_category() {
        let punctuation = regex::Regex::new(r"^\p{P}$").unwrap();
        let symbol = regex::Regex::new(r"^\p{S}$").unwrap();
        let blocks = [(0x3000, 0x303F), (0xFE10, 0xFE1F), (0xFE30, 0xFE4F), (0xFF00, 0xFFEF)];
        for (lo, hi) in blocks {
            for c in (lo..=hi).filter_map(char::from_u32) {
                let s = c.to_string();
                let want = if (0xFF00..=0xFFEF).contains(&(c as u32)) {
                    // Up to the half-width CJK marks; not the currency signs and arrows.
                    c <= '\u{FF65}' && (punctuation.is_match(&s) || symbol.is_match(&s))
                } else {
                    punctuation.is_match(&s)
                };
                assert_eq!(is_mark(c), want, "{c} (U+{:04X})", c as u32);
            }
        }
    }

    #[test]
    fn the_ranges_are_sorted_and_disjoint() {
        for w in MARKS.windows(2) {
            assert!(w[0].0 <= w[0].1 && w[0].1 < w[1].0, "{w:X?}");
        }
    }
}
