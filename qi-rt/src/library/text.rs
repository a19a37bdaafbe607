//! The `字符串` / `文本` module (builtins.md §G.3, §G.4). Byte-indexed functions (`查找`,
//! `查找从位置`, `子串`, `子串从位置`, `字节长度`) count UTF-8 bytes; the `字符…` family
//! counts Unicode scalar values. Truth values are 1/0 integers; strings returned are
//! fresh. Nothing here raises: arguments out of range give `""` or -1.
//!
//! The semantics are the pure functions at the top (unit-tested); the entry points below
//! only convert between Qi strings and Rust ones.

use crate::guard::guard;
use crate::string::{new_str, str_as_str, Str};

/// The largest char boundary of `s` at or below `i` (`i` ≤ `s.len()`).
fn floor_boundary(s: &str, mut i: usize) -> usize {
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

/// The smallest char boundary of `s` at or above `i` (`i` ≤ `s.len()`).
fn ceil_boundary(s: &str, mut i: usize) -> usize {
    while !s.is_char_boundary(i) {
        i += 1;
    }
    i
}

/// The byte offset of char `index`, if `0 <= index <= char count`.
fn char_offset(s: &str, index: i64) -> Option<usize> {
    let index = usize::try_from(index).ok()?;
    s.char_indices().map(|(i, _)| i).chain([s.len()]).nth(index)
}

/// `子串(s, 起, 长)`: bytes `[起, 起 + 长)` clamped to `s`, shrunk inward to char
/// boundaries; `""` for a negative argument or a start past the end.
pub fn substring(s: &str, start: i64, len: i64) -> &str {
    let (Ok(start), Ok(len)) = (usize::try_from(start), usize::try_from(len)) else {
        return "";
    };
    if start > s.len() {
        return "";
    }
    let end = start.saturating_add(len).min(s.len());
    let (start, end) = (ceil_boundary(s, start), floor_boundary(s, end));
    if start >= end {
        return "";
    }
    &s[start..end]
}

/// `子串从位置(s, 起)`: the bytes from `起` (moved up to a char boundary) to the end.
pub fn substring_from(s: &str, start: i64) -> &str {
    match usize::try_from(start) {
        Ok(start) if start <= s.len() => &s[ceil_boundary(s, start)..],
        _ => "",
    }
}

/// `字符子串(s, 起, 个数)`: `个数` chars from char `起`, clamped; `""` for a negative
/// argument or a start past the end.
pub fn char_substring(s: &str, start: i64, count: i64) -> &str {
    if count < 0 {
        return "";
    }
    let Some(from) = char_offset(s, start) else { return "" };
    let rest = &s[from..];
    let to = rest.char_indices().map(|(i, _)| i).nth(count as usize).unwrap_or(rest.len());
    &rest[..to]
}

/// `字符从位置(s, i)`: the chars from char `i` on; `""` for a negative `i` or one past
/// the end.
pub fn char_from(s: &str, index: i64) -> &str {
    char_offset(s, index).map_or("", |from| &s[from..])
}

/// `字符取(s, i)`: char `i` as a string, or `""`.
pub fn char_at(s: &str, index: i64) -> &str {
    char_substring(s, index, 1)
}

/// `查找(s, t)`: the byte offset of the first `t` in `s`, or -1.
pub fn find(s: &str, t: &str) -> i64 {
    s.find(t).map_or(-1, |i| i as i64)
}

/// `查找从位置(s, t, 起)`: the byte offset of the first `t` at or after byte `起` (moved up
/// to a char boundary), or -1; -1 too for a negative start or one past the end.
pub fn find_from(s: &str, t: &str, start: i64) -> i64 {
    match usize::try_from(start) {
        Ok(start) if start <= s.len() => {
            let start = ceil_boundary(s, start);
            s[start..].find(t).map_or(-1, |i| (start + i) as i64)
        }
        _ => -1,
    }
}

/// `字符查找(s, t)`: the char index of the first `t` in `s`, or -1.
pub fn char_find(s: &str, t: &str) -> i64 {
    s.find(t).map_or(-1, |i| s[..i].chars().count() as i64)
}

/// `公共前缀(a, b)`: the byte length of the longest common prefix of whole chars.
pub fn common_prefix(a: &str, b: &str) -> i64 {
    a.chars().zip(b.chars()).take_while(|(x, y)| x == y).map(|(x, _)| x.len_utf8()).sum::<usize>()
        as i64
}

/// `公共后缀(a, b, 前缀)`: the byte length of the longest common suffix of whole chars
/// that does not reach into the first `前缀` bytes of either string (the common prefix
/// already counted, as a diff computes them; a negative `前缀` counts as 0).
pub fn common_suffix(a: &str, b: &str, prefix: i64) -> i64 {
    let skip = |s: &str| {
        let p = usize::try_from(prefix).unwrap_or(0).min(s.len());
        ceil_boundary(s, p)
    };
    let (a, b) = (&a[skip(a)..], &b[skip(b)..]);
    a.chars()
        .rev()
        .zip(b.chars().rev())
        .take_while(|(x, y)| x == y)
        .map(|(x, _)| x.len_utf8())
        .sum::<usize>() as i64
}

/// `替换(s, 旧, 新)`: every `旧` replaced; an empty `旧` changes nothing.
pub fn replace(s: &str, old: &str, new: &str) -> String {
    if old.is_empty() {
        return s.to_owned();
    }
    s.replace(old, new)
}

fn truth(b: bool) -> i64 {
    b as i64
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

/// `字节长度(s)`.
///
/// # Safety
/// Every string argument is null or a live string object.
pub unsafe extern "C" fn qi_string_byte_length(s: *const Str) -> i64 {
    guard(|| text!(s).len() as i64)
}

/// `字符数量(s)`.
///
/// # Safety
/// Every string argument is null or a live string object.
pub unsafe extern "C" fn qi_string_char_count(s: *const Str) -> i64 {
    guard(|| text!(s).chars().count() as i64)
}

/// `字符子串(s, 起, 个数)`.
///
/// # Safety
/// Every string argument is null or a live string object.
pub unsafe extern "C" fn qi_string_char_substring(s: *const Str, start: i64, n: i64) -> *mut Str {
    guard(|| new_str(char_substring(text!(s), start, n)))
}

/// `字符查找(s, t)`.
///
/// # Safety
/// Every string argument is null or a live string object.
pub unsafe extern "C" fn qi_string_char_find(s: *const Str, t: *const Str) -> i64 {
    guard(|| char_find(text!(s), text!(t)))
}

/// `字符取(s, i)`.
///
/// # Safety
/// Every string argument is null or a live string object.
pub unsafe extern "C" fn qi_string_char_at(s: *const Str, i: i64) -> *mut Str {
    guard(|| new_str(char_at(text!(s), i)))
}

/// `字符从位置(s, i)`.
///
/// # Safety
/// Every string argument is null or a live string object.
pub unsafe extern "C" fn qi_string_char_from(s: *const Str, i: i64) -> *mut Str {
    guard(|| new_str(char_from(text!(s), i)))
}

/// `等于(a, b)`.
///
/// # Safety
/// Every string argument is null or a live string object.
pub unsafe extern "C" fn qi_string_equals(a: *const Str, b: *const Str) -> i64 {
    guard(|| truth(text!(a) == text!(b)))
}

/// `子串(s, 起, 长)`.
///
/// # Safety
/// Every string argument is null or a live string object.
pub unsafe extern "C" fn qi_string_substring(s: *const Str, start: i64, len: i64) -> *mut Str {
    guard(|| new_str(substring(text!(s), start, len)))
}

/// `包含(s, t)`.
///
/// # Safety
/// Every string argument is null or a live string object.
pub unsafe extern "C" fn qi_string_contains(s: *const Str, t: *const Str) -> i64 {
    guard(|| truth(text!(s).contains(text!(t))))
}

/// `查找(s, t)`.
///
/// # Safety
/// Every string argument is null or a live string object.
pub unsafe extern "C" fn qi_string_find(s: *const Str, t: *const Str) -> i64 {
    guard(|| find(text!(s), text!(t)))
}

/// `查找从位置(s, t, 起)`.
///
/// # Safety
/// Every string argument is null or a live string object.
pub unsafe extern "C" fn qi_string_find_from(s: *const Str, t: *const Str, start: i64) -> i64 {
    guard(|| find_from(text!(s), text!(t), start))
}

/// `子串从位置(s, 起)`.
///
/// # Safety
/// Every string argument is null or a live string object.
pub unsafe extern "C" fn qi_string_substring_from(s: *const Str, start: i64) -> *mut Str {
    guard(|| new_str(substring_from(text!(s), start)))
}

/// `公共前缀(a, b)`.
///
/// # Safety
/// Every string argument is null or a live string object.
pub unsafe extern "C" fn qi_string_common_prefix(a: *const Str, b: *const Str) -> i64 {
    guard(|| common_prefix(text!(a), text!(b)))
}

/// `公共后缀(a, b, 前缀)`.
///
/// # Safety
/// Every string argument is null or a live string object.
pub unsafe extern "C" fn qi_string_common_suffix(a: *const Str, b: *const Str, prefix: i64) -> i64 {
    guard(|| common_suffix(text!(a), text!(b), prefix))
}

/// `替换(s, 旧, 新)`.
///
/// # Safety
/// Every string argument is null or a live string object.
pub unsafe extern "C" fn qi_string_replace(
    s: *const Str,
    old: *const Str,
    new: *const Str,
) -> *mut Str {
    guard(|| new_str(&replace(text!(s), text!(old), text!(new))))
}

/// `去空白(s)`: Unicode whitespace trimmed at both ends.
///
/// # Safety
/// Every string argument is null or a live string object.
pub unsafe extern "C" fn qi_string_trim(s: *const Str) -> *mut Str {
    guard(|| new_str(text!(s).trim()))
}

/// `转大写(s)`: full Unicode case mapping (`ß` → `SS`).
///
/// # Safety
/// Every string argument is null or a live string object.
pub unsafe extern "C" fn qi_string_to_upper(s: *const Str) -> *mut Str {
    guard(|| new_str(&text!(s).to_uppercase()))
}

/// `转小写(s)`: full Unicode case mapping.
///
/// # Safety
/// Every string argument is null or a live string object.
pub unsafe extern "C" fn qi_string_to_lower(s: *const Str) -> *mut Str {
    guard(|| new_str(&text!(s).to_lowercase()))
}

/// `开始于(s, t)`.
///
/// # Safety
/// Every string argument is null or a live string object.
pub unsafe extern "C" fn qi_string_starts_with(s: *const Str, t: *const Str) -> i64 {
    guard(|| truth(text!(s).starts_with(text!(t))))
}

/// `结束于(s, t)`.
///
/// # Safety
/// Every string argument is null or a live string object.
pub unsafe extern "C" fn qi_string_ends_with(s: *const Str, t: *const Str) -> i64 {
    guard(|| truth(text!(s).ends_with(text!(t))))
}

/// `分割(s, 分隔符)`: the pieces of `s` between occurrences of `分隔符`; an empty separator
/// gives `s` whole (builtins.md §G.4).
pub fn split<'a>(s: &'a str, separator: &str) -> Vec<&'a str> {
    if separator.is_empty() {
        return vec![s];
    }
    s.split(separator).collect()
}

/// `分割(s, 分隔符)` → the handle of a new string list (the `列表` module) of the pieces.
///
/// # Safety
/// Every string argument is null or a live string object.
pub unsafe extern "C" fn qi_string_split(s: *const Str, separator: *const Str) -> i64 {
    guard(|| {
        let pieces = split(text!(s), text!(separator));
        crate::library::list::new_string_list(pieces.into_iter().map(str::to_owned).collect())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: &str = "你好，Qi";

    #[test]
    fn byte_substrings_shrink_to_char_boundaries() {
        assert_eq!(substring(S, 9, 2), "Qi");
        assert_eq!(substring(S, 1, 5), "好"); // [1, 6) → [3, 6)
        assert_eq!(substring(S, 0, 100), S);
        assert_eq!(substring(S, 11, 1), "");
        assert_eq!(substring(S, 12, 1), "");
        assert_eq!(substring(S, -1, 2), "");
        assert_eq!(substring(S, 0, -2), "");
        assert_eq!(substring(S, 1, 1), "");
        assert_eq!(substring_from(S, 7), "Qi"); // 7 → 9
        assert_eq!(substring_from(S, 11), "");
        assert_eq!(substring_from(S, 12), "");
        assert_eq!(substring_from(S, -1), "");
    }

    #[test]
    fn char_substrings_clamp() {
        assert_eq!(char_substring(S, 3, 2), "Qi");
        assert_eq!(char_substring(S, 1, 100), "好，Qi");
        assert_eq!(char_substring(S, 5, 1), "");
        assert_eq!(char_substring(S, 6, 1), "");
        assert_eq!(char_substring(S, -1, 1), "");
        assert_eq!(char_substring(S, 0, -1), "");
        assert_eq!(char_at(S, 1), "好");
        assert_eq!(char_at(S, 5), "");
        assert_eq!(char_from(S, 2), "，Qi");
        assert_eq!(char_from(S, 5), "");
        assert_eq!(char_from(S, 6), "");
        assert_eq!(char_from(S, -1), "");
    }

    #[test]
    fn finding() {
        assert_eq!(find(S, "Qi"), 9);
        assert_eq!(find(S, "x"), -1);
        assert_eq!(char_find(S, "Qi"), 3);
        assert_eq!(char_find(S, "x"), -1);
        assert_eq!(find_from("abab", "ab", 1), 2);
        assert_eq!(find_from("abab", "ab", 3), -1);
        assert_eq!(find_from(S, "好", 1), 3);
        assert_eq!(find_from("ab", "", 2), 2);
        assert_eq!(find_from("ab", "", 3), -1);
        assert_eq!(find_from("ab", "a", -1), -1);
    }

    #[test]
    fn common_ends() {
        assert_eq!(common_prefix("你好吗", "你好呀"), 6);
        assert_eq!(common_prefix("你", "佢"), 0); // they share two bytes, not a char
        assert_eq!(common_suffix("abcxyz", "abxyz", 2), 3);
        assert_eq!(common_suffix("aaa", "aa", 2), 0);
        assert_eq!(common_suffix("ab", "ab", -5), 2);
    }

    #[test]
    fn replacing() {
        assert_eq!(replace(S, "Qi", "奇"), "你好，奇");
        assert_eq!(replace("aaa", "a", "bb"), "bbbbbb");
        assert_eq!(replace("ab", "", "x"), "ab");
    }

    #[test]
    fn split_keeps_empty_pieces_and_an_empty_separator_gives_one() {
        assert_eq!(split("a,b,c", ","), ["a", "b", "c"]);
        assert_eq!(split("x--y----z", "--"), ["x", "y", "", "z"]);
        assert_eq!(split("a,b", ""), ["a,b"]);
        assert_eq!(split("", ","), [""]);
        assert_eq!(split("你，好", "，"), ["你", "好"]);
    }
}
