//! `文本.全角转半角(s)` and `文本.半角转全角(s)`: the full-width forms of ASCII (U+FF01–U+FF5E,
//! `Ａ１！`) and the ideographic space U+3000, to and from ASCII's letters, digits,
//! punctuation (U+0021–U+007E) and its space. Nothing else changes: not `。、「」`, which
//! have no ASCII form, not the half-width katakana, not `￥`, nor control characters and
//! line ends. An extension over builtins.md §G.3 (docs/LANGUAGE-NOTES.md, "Chinese text").

use crate::guard::guard;
use crate::string::{new_str, str_as_str, Str};

/// How far the full-width forms of `!`…`~` lie above them (U+FF01 − U+0021).
const OFFSET: u32 = 0xFEE0;
const IDEOGRAPHIC_SPACE: char = '\u{3000}';

fn to_half(c: char) -> char {
    match c {
        IDEOGRAPHIC_SPACE => ' ',
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - OFFSET).unwrap_or(c),
        _ => c,
    }
}

fn to_full(c: char) -> char {
    match c {
        ' ' => IDEOGRAPHIC_SPACE,
        '!'..='~' => char::from_u32(c as u32 + OFFSET).unwrap_or(c),
        _ => c,
    }
}

/// `全角转半角(s)`.
pub fn to_halfwidth(s: &str) -> String {
    s.chars().map(to_half).collect()
}

/// `半角转全角(s)`.
pub fn to_fullwidth(s: &str) -> String {
    s.chars().map(to_full).collect()
}

/// `全角转半角(s)`.
///
/// # Safety
/// `s` is null or a live string object (null reads as "").
pub unsafe extern "C" fn qi_text_to_halfwidth(s: *const Str) -> *mut Str {
    // SAFETY: forwarded from the caller's contract.
    guard(|| new_str(&to_halfwidth(unsafe { str_as_str(s) })))
}

/// `半角转全角(s)`.
///
/// # Safety
/// `s` is null or a live string object (null reads as "").
pub unsafe extern "C" fn qi_text_to_fullwidth(s: *const Str) -> *mut Str {
    // SAFETY: forwarded from the caller's contract.
    guard(|| new_str(&to_fullwidth(unsafe { str_as_str(s) })))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ascii_and_its_full_width_forms_trade_places() {
        assert_eq!(to_fullwidth("Qi 2024, ok!~"), "Ｑｉ　２０２４，　ｏｋ！～");
        assert_eq!(to_halfwidth("Ｑｉ　２０２４，　ｏｋ！～"), "Qi 2024, ok!~");
        let ascii: String = (' '..='~').collect();
        assert_eq!(to_halfwidth(&to_fullwidth(&ascii)), ascii);
        assert!(to_fullwidth(&ascii).chars().all(|c| !c.is_ascii()));
    }

    #[test]
    fn everything_else_stays() {
        let other = "中文。、「」ｶﾞ￥\t\n\u{7f}é👍";
        assert_eq!(to_halfwidth(other), other);
        assert_eq!(to_fullwidth("中文。、「」ｶﾞ￥"), "中文。、「」ｶﾞ￥");
        assert_eq!(to_fullwidth("\t\n"), "\t\n");
        assert_eq!(to_halfwidth(""), "");
    }
}
