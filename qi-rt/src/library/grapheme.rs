//! `文本.字素…`: text by extended grapheme cluster (UAX #29), the unit a reader sees as one
//! character: `👨‍👩‍👧` (people joined by ZWJ), `🇨🇳` (two regional indicators), `👍🏽`
//! (a skin tone), `é` written `e` + U+0301. The segmentation is `unicode-segmentation`'s;
//! indices count clusters from 0 and clamp exactly as the `字符…` family does
//! (`crate::library::text`): a negative argument or a start past the end gives `""`.
//! An extension over builtins.md §G.3; `长度` and `字符数量` still count scalar values.

use unicode_segmentation::UnicodeSegmentation;

use crate::array::{new_string_array, Array};
use crate::guard::guard;
use crate::string::{new_str, str_as_str, Str};

/// The extended grapheme clusters of `s`.
fn clusters(s: &str) -> impl DoubleEndedIterator<Item = &str> {
    s.graphemes(true)
}

/// `字素数量(s)`.
pub fn count(s: &str) -> i64 {
    clusters(s).count() as i64
}

/// `字素子串(s, 起, 个数)`: `个数` clusters from cluster `起`, clamped to the text; `""` for
/// a negative argument or a start past the end.
pub fn substring(s: &str, start: i64, n: i64) -> &str {
    let (Ok(start), Ok(n)) = (usize::try_from(start), usize::try_from(n)) else {
        return "";
    };
    let mut from = clusters(s).skip(start).take(n).map(|g| {
        // A cluster is a subslice of `s`: its offset is the distance of the pointers.
        let at = g.as_ptr() as usize - s.as_ptr() as usize;
        (at, at + g.len())
    });
    let Some((begin, mut end)) = from.next() else { return "" };
    if let Some((_, last)) = from.last() {
        end = last;
    }
    &s[begin..end]
}

/// `字素取(s, i)`: cluster `i`, or `""`.
pub fn at(s: &str, index: i64) -> &str {
    substring(s, index, 1)
}

/// `字素列表(s)`: every cluster in order (none for `""`).
pub fn list(s: &str) -> Vec<&str> {
    clusters(s).collect()
}

/// `字素反转(s)`: the clusters in reverse order, each kept whole (a flag stays a flag).
pub fn reverse(s: &str) -> String {
    clusters(s).rev().collect()
}

// ---- entry points ---------------------------------------------------------------------
// Every string argument is null or a live string object (the entry-point contract of
// `crate`); a null reads as "".

macro_rules! text {
    ($p:expr) => {
        // SAFETY: forwarded from the entry point's contract.
        unsafe { str_as_str($p) }
    };
}

/// `字素数量(s)`.
///
/// # Safety
/// Every string argument is null or a live string object.
pub unsafe extern "C" fn qi_text_grapheme_count(s: *const Str) -> i64 {
    guard(|| count(text!(s)))
}

/// `字素取(s, i)`.
///
/// # Safety
/// Every string argument is null or a live string object.
pub unsafe extern "C" fn qi_text_grapheme_at(s: *const Str, i: i64) -> *mut Str {
    guard(|| new_str(at(text!(s), i)))
}

/// `字素子串(s, 起, 个数)`.
///
/// # Safety
/// Every string argument is null or a live string object.
pub unsafe extern "C" fn qi_text_grapheme_substring(s: *const Str, start: i64, n: i64) -> *mut Str {
    guard(|| new_str(substring(text!(s), start, n)))
}

/// `字素列表(s)` → a fresh `数组<字符串>`.
///
/// # Safety
/// Every string argument is null or a live string object.
pub unsafe extern "C" fn qi_text_grapheme_list(s: *const Str) -> *mut Array {
    guard(|| new_string_array(&list(text!(s))))
}

/// `字素反转(s)`.
///
/// # Safety
/// Every string argument is null or a live string object.
pub unsafe extern "C" fn qi_text_grapheme_reverse(s: *const Str) -> *mut Str {
    guard(|| new_str(&reverse(text!(s))))
}

#[cfg(test)]
mod tests {
    use super::*;

    const FAMILY: &str = "👨\u{200d}👩\u{200d}👧";
    const FLAG: &str = "🇨🇳";
    const THUMB: &str = "👍🏽";
    const E_ACUTE: &str = "e\u{301}";

    #[test]
    fn clusters_are_what_a_reader_sees() {
        assert_eq!(count(FAMILY), 1);
        assert_eq!(count(&format!("{FLAG}{FLAG}")), 2);
        assert_eq!(count(THUMB), 1);
        assert_eq!(count(E_ACUTE), 1);
        assert_eq!(count("你好，Qi"), 5);
        assert_eq!(count("\r\n"), 1);
        assert_eq!(count(""), 0);
        assert_eq!(list(&format!("a{FAMILY}{E_ACUTE}中")), ["a", FAMILY, E_ACUTE, "中"]);
        assert!(list("").is_empty());
    }

    #[test]
    fn indices_clamp_like_the_char_family() {
        let s = format!("甲{FLAG}{THUMB}乙");
        assert_eq!(at(&s, 1), FLAG);
        assert_eq!(at(&s, 3), "乙");
        assert_eq!(at(&s, 4), "");
        assert_eq!(at(&s, -1), "");
        assert_eq!(substring(&s, 1, 2), format!("{FLAG}{THUMB}"));
        assert_eq!(substring(&s, 2, 100), format!("{THUMB}乙"));
        assert_eq!(substring(&s, 0, 0), "");
        assert_eq!(substring(&s, 4, 1), "");
        assert_eq!(substring(&s, 5, 1), "");
        assert_eq!(substring(&s, -1, 2), "");
        assert_eq!(substring(&s, 0, -1), "");
        assert_eq!(substring(&s, i64::MAX, i64::MAX), "");
        assert_eq!(substring("", 0, 1), "");
    }

    #[test]
    fn reversing_keeps_clusters_whole() {
        assert_eq!(reverse(&format!("a{FLAG}{E_ACUTE}")), format!("{E_ACUTE}{FLAG}a"));
        assert_eq!(reverse(FAMILY), FAMILY);
        assert_eq!(reverse("你好"), "好你");
        assert_eq!(reverse(""), "");
    }
}
