//! The `路径` module (builtins.md §G.3, §G.4): path text by Rust's `std::path` rules
//! (`/` separated on Unix), and three questions to the file system. String results are
//! `""` when not applicable; truth values are 1/0. Nothing here raises (§G.1).

use std::path::Path;

use crate::guard::guard;
use crate::string::{new_str, str_as_str, Str};

fn text_of(p: &Path) -> String {
    p.to_string_lossy().into_owned()
}

/// `连接(a, b)`: `b` below `a` with one separator between; an absolute `b` replaces `a`.
pub fn join(a: &str, b: &str) -> String {
    text_of(&Path::new(a).join(b))
}

/// `文件名(p)`: the last component, `""` when it is `..` or there is none (`/`).
pub fn file_name(p: &str) -> String {
    Path::new(p).file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default()
}

/// `父目录(p)`: the path without its last component; `""` for `/`, `""` and a bare name.
pub fn parent(p: &str) -> String {
    Path::new(p).parent().map(text_of).unwrap_or_default()
}

/// `扩展名(p)`: the file name's text after its last `.`, without the dot; `""` when it has
/// none (`.bashrc` has none).
pub fn extension(p: &str) -> String {
    Path::new(p).extension().map(|e| e.to_string_lossy().into_owned()).unwrap_or_default()
}

/// `绝对路径(p)`: the canonical path (links and `..` resolved) when `p` exists, else `p`
/// made absolute against the working directory without touching the file system; `""`
/// for the empty path.
pub fn absolute(p: &str) -> String {
    if p.is_empty() {
        return String::new();
    }
    std::fs::canonicalize(p)
        .or_else(|_| std::path::absolute(p))
        .map(|a| text_of(&a))
        .unwrap_or_default()
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

/// `连接(a, b)`.
///
/// # Safety
/// Every string argument is null or a live string object.
pub unsafe extern "C" fn qi_path_join(a: *const Str, b: *const Str) -> *mut Str {
    guard(|| new_str(&join(text!(a), text!(b))))
}

/// `文件名(p)`.
///
/// # Safety
/// Every string argument is null or a live string object.
pub unsafe extern "C" fn qi_path_filename(p: *const Str) -> *mut Str {
    guard(|| new_str(&file_name(text!(p))))
}

/// `父目录(p)`.
///
/// # Safety
/// Every string argument is null or a live string object.
pub unsafe extern "C" fn qi_path_parent(p: *const Str) -> *mut Str {
    guard(|| new_str(&parent(text!(p))))
}

/// `扩展名(p)`.
///
/// # Safety
/// Every string argument is null or a live string object.
pub unsafe extern "C" fn qi_path_extension(p: *const Str) -> *mut Str {
    guard(|| new_str(&extension(text!(p))))
}

/// `绝对路径(p)`.
///
/// # Safety
/// Every string argument is null or a live string object.
pub unsafe extern "C" fn qi_path_absolute(p: *const Str) -> *mut Str {
    guard(|| new_str(&absolute(text!(p))))
}

/// `存在(p)` → 1/0 (a dangling link does not exist).
///
/// # Safety
/// Every string argument is null or a live string object.
pub unsafe extern "C" fn qi_path_exists(p: *const Str) -> i64 {
    guard(|| Path::new(text!(p)).exists() as i64)
}

/// `是目录(p)` → 1/0.
///
/// # Safety
/// Every string argument is null or a live string object.
pub unsafe extern "C" fn qi_path_is_dir(p: *const Str) -> i64 {
    guard(|| Path::new(text!(p)).is_dir() as i64)
}

/// `是文件(p)` → 1/0.
///
/// # Safety
/// Every string argument is null or a live string object.
pub unsafe extern "C" fn qi_path_is_file(p: *const Str) -> i64 {
    guard(|| Path::new(text!(p)).is_file() as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_text() {
        assert_eq!(join("a/b", "c.txt"), "a/b/c.txt");
        assert_eq!(join("a/", "c"), "a/c");
        assert_eq!(join("a", "/c"), "/c");
        assert_eq!(file_name("/x/文件.tar.gz"), "文件.tar.gz");
        assert_eq!(file_name("/"), "");
        assert_eq!(file_name("a/.."), "");
        assert_eq!(parent("/x/y.txt"), "/x");
        assert_eq!(parent("y.txt"), "");
        assert_eq!(parent("/"), "");
        assert_eq!(extension("a/b.tar.gz"), "gz");
        assert_eq!(extension(".bashrc"), "");
        assert_eq!(extension("a"), "");
    }

    #[test]
    fn absolute_paths() {
        assert_eq!(absolute(""), "");
        assert_eq!(absolute("/"), "/");
        assert_eq!(absolute("/no/such/x"), "/no/such/x");
        assert!(absolute("no_such_relative_path").ends_with("/no_such_relative_path"));
        assert!(absolute(".").starts_with('/'));
    }
}
