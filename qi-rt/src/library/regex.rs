//! The `正则` module (builtins.md §G.3, §G.4): Rust `regex` syntax, the pattern first and
//! then the text. Nothing here raises (§G.1): an invalid pattern gives 0 (`是否匹配`), a
//! null string (`查找`), the text unchanged (`全部替换`) or `"[]"` (`查找全部`, `切割`).
//! `查找全部` and `切割` give a JSON array of strings.
//!
//! Programs call these in loops with the same few patterns, so compiled patterns (and
//! invalid ones) are kept in a small cache shared by every worker. A match runs in time
//! linear in the text (the `regex` crate has no backtracking) but keeps its worker until
//! it returns (docs/CONCURRENCY.md, "Blocking library calls").

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, LazyLock};

use ::regex::Regex;
use parking_lot::Mutex;

use crate::guard::guard;
use crate::string::{new_str, str_as_str, Str};

/// How many patterns the cache keeps; the oldest goes first when it is full.
const CACHE_CAPACITY: usize = 64;

/// Longer patterns are compiled on every call rather than kept (their text would be what
/// the cache holds most of).
const CACHED_PATTERN_MAX_LEN: usize = 4096;

/// Compiled patterns by their text; `None` for one that does not compile.
struct Cache {
    compiled: HashMap<String, Option<Arc<Regex>>>,
    /// The keys of `compiled`, oldest first.
    order: VecDeque<String>,
}

static CACHE: LazyLock<Mutex<Cache>> =
    LazyLock::new(|| Mutex::new(Cache { compiled: HashMap::new(), order: VecDeque::new() }));

/// `pattern` compiled, or `None` when it is not a valid pattern.
fn compiled(pattern: &str) -> Option<Arc<Regex>> {
    if let Some(hit) = CACHE.lock().compiled.get(pattern) {
        return hit.clone();
    }
    // Compiled outside the lock: other workers keep using the cache meanwhile.
    let regex = Regex::new(pattern).ok().map(Arc::new);
    if pattern.len() <= CACHED_PATTERN_MAX_LEN {
        let mut cache = CACHE.lock();
        if !cache.compiled.contains_key(pattern) {
            if cache.order.len() == CACHE_CAPACITY {
                if let Some(oldest) = cache.order.pop_front() {
                    cache.compiled.remove(&oldest);
                }
            }
            cache.order.push_back(pattern.to_owned());
            cache.compiled.insert(pattern.to_owned(), regex.clone());
        }
    }
    regex
}

/// A JSON array of the strings `items`.
fn json_array<'a>(items: impl Iterator<Item = &'a str>) -> String {
    serde_json::Value::Array(items.map(|s| serde_json::Value::String(s.to_owned())).collect())
        .to_string()
}

/// `是否匹配(模式, 文本)`: 1 when the pattern matches somewhere in the text; 0 otherwise and
/// for an invalid pattern.
pub fn is_match(pattern: &str, text: &str) -> i64 {
    compiled(pattern).is_some_and(|r| r.is_match(text)) as i64
}

/// `查找(模式, 文本)`: the first match, `""` when there is none; `None` for an invalid
/// pattern.
pub fn find(pattern: &str, text: &str) -> Option<String> {
    let regex = compiled(pattern)?;
    Some(regex.find(text).map_or("", |m| m.as_str()).to_owned())
}

/// `查找全部(模式, 文本)`: every non-overlapping match as a JSON array (`"[]"` for an
/// invalid pattern).
pub fn find_all(pattern: &str, text: &str) -> String {
    match compiled(pattern) {
        Some(regex) => json_array(regex.find_iter(text).map(|m| m.as_str())),
        None => "[]".to_owned(),
    }
}

/// `全部替换(模式, 文本, 替换)`: every match replaced; `$1`, `${名}` in the replacement
/// name capture groups and `$$` is a `$` (the `regex` crate's expansion). An invalid
/// pattern gives the text unchanged.
pub fn replace_all(pattern: &str, text: &str, replacement: &str) -> String {
    match compiled(pattern) {
        Some(regex) => regex.replace_all(text, replacement).into_owned(),
        None => text.to_owned(),
    }
}

/// `切割(模式, 文本)`: the pieces between matches as a JSON array, empty pieces kept
/// (`"[]"` for an invalid pattern).
pub fn split(pattern: &str, text: &str) -> String {
    match compiled(pattern) {
        Some(regex) => json_array(regex.split(text)),
        None => "[]".to_owned(),
    }
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

/// `是否匹配(模式, 文本)` → 1/0.
///
/// # Safety
/// Every string argument is null or a live string object.
pub unsafe extern "C" fn qi_regex_is_match(pattern: *const Str, text: *const Str) -> i64 {
    guard(|| is_match(text!(pattern), text!(text)))
}

/// `查找(模式, 文本)` → the first match; a null string for an invalid pattern.
///
/// # Safety
/// Every string argument is null or a live string object.
pub unsafe extern "C" fn qi_regex_find(pattern: *const Str, text: *const Str) -> *mut Str {
    guard(|| find(text!(pattern), text!(text)).map_or(std::ptr::null_mut(), |m| new_str(&m)))
}

/// `全部替换(模式, 文本, 替换)`.
///
/// # Safety
/// Every string argument is null or a live string object.
pub unsafe extern "C" fn qi_regex_replace_all(
    pattern: *const Str,
    text: *const Str,
    replacement: *const Str,
) -> *mut Str {
    guard(|| new_str(&replace_all(text!(pattern), text!(text), text!(replacement))))
}

/// `切割(模式, 文本)` → JSON array text.
///
/// # Safety
/// Every string argument is null or a live string object.
pub unsafe extern "C" fn qi_regex_split(pattern: *const Str, text: *const Str) -> *mut Str {
    guard(|| new_str(&split(text!(pattern), text!(text))))
}

/// `查找全部(模式, 文本)` → JSON array text.
///
/// # Safety
/// Every string argument is null or a live string object.
pub unsafe extern "C" fn qi_regex_find_all(pattern: *const Str, text: *const Str) -> *mut Str {
    guard(|| new_str(&find_all(text!(pattern), text!(text))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matching_and_finding() {
        assert_eq!(is_match(r"\d+", "abc123"), 1);
        assert_eq!(is_match(r"^\d+$", "abc123"), 0);
        assert_eq!(find(r"\d+", "a12b345").as_deref(), Some("12"));
        assert_eq!(find(r"\d+", "abc").as_deref(), Some(""));
        assert_eq!(find_all(r"\d+", "a12b345c6"), r#"["12","345","6"]"#);
        assert_eq!(find_all(r"\d+", "abc"), "[]");
        assert_eq!(find_all(r"[\p{Han}]+", "Qi是奇，很好"), r#"["是奇","很好"]"#);
        // An empty pattern matches at every char boundary.
        assert_eq!(find_all("", "奇a"), r#"["","",""]"#);
    }

    #[test]
    fn replacing_expands_groups() {
        assert_eq!(replace_all(r"(\w+)@(\w+)", "ab@cd x@y", "$2@$1"), "cd@ab y@x");
        assert_eq!(replace_all(r"(?P<n>\d)", "a1b2", "<${n}>"), "a<1>b<2>");
        assert_eq!(replace_all(r"\d", "a1", "$$"), "a$");
        assert_eq!(replace_all(r"\s+", "a  b\tc", " "), "a b c");
    }

    #[test]
    fn splitting_keeps_empty_pieces_and_escapes_json() {
        assert_eq!(split(r"\s*,\s*", "a , b,,c"), r#"["a","b","","c"]"#);
        assert_eq!(split(",", ""), r#"[""]"#);
        assert_eq!(split("x", "a\"b\n"), r#"["a\"b\n"]"#);
    }

    #[test]
    fn invalid_patterns_never_panic() {
        for bad in ["(", "[a-", r"\", "a{2,1}", "(?P<>a)"] {
            assert_eq!(is_match(bad, "a"), 0, "{bad}");
            assert_eq!(find(bad, "a"), None, "{bad}");
            assert_eq!(find_all(bad, "a"), "[]", "{bad}");
            assert_eq!(split(bad, "a"), "[]", "{bad}");
            assert_eq!(replace_all(bad, "a(b", "x"), "a(b", "{bad}");
        }
        // Too big once compiled: an error from the crate, not a panic or a hang.
        assert_eq!(is_match(r"\w{1000}{1000}", "a"), 0);
    }

    #[test]
    fn the_cache_stays_bounded_and_answers_the_same() {
        for i in 0..CACHE_CAPACITY * 2 {
            assert_eq!(is_match(&format!("^{i}$"), &i.to_string()), 1);
        }
        assert!(CACHE.lock().compiled.len() <= CACHE_CAPACITY);
        assert!(CACHE.lock().order.len() <= CACHE_CAPACITY);
        let long = "a".repeat(CACHED_PATTERN_MAX_LEN + 1);
        assert_eq!(is_match(&long, &long), 1);
        assert!(!CACHE.lock().compiled.contains_key(&long));
        // A hit gives the same answers as a fresh compile.
        assert_eq!(find(r"b+", "abbc").as_deref(), Some("bb"));
        assert_eq!(find(r"b+", "abbc").as_deref(), Some("bb"));
        assert_eq!(find("(", "x"), None);
        assert_eq!(find("(", "x"), None);
    }

    #[test]
    fn the_cache_is_safe_across_threads() {
        let threads: Vec<_> = (0..4)
            .map(|t| {
                std::thread::spawn(move || {
                    for i in 0..500 {
                        let p = format!("^x{}$", (i + t) % 100);
                        assert_eq!(is_match(&p, &format!("x{}", (i + t) % 100)), 1);
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
    }
}
