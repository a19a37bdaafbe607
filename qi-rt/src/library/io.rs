//! The `输入输出` module (builtins.md §G.3, §G.4): printing a string and whole-file
//! operations. Results are 1 for success and 0 for failure (`文件大小`: -1), never an
//! exception (§G.1); `读取文件` gives `""` when the file cannot be read, and the text
//! with invalid UTF-8 sequences replaced by U+FFFD.

use std::fs;
use std::io::Write;

use crate::guard::guard;
use crate::output::{qi_print_newline, qi_print_str};
use crate::string::{new_str, str_as_str, Str};

/// 1 for `Ok`, 0 for `Err`.
fn done<T, E>(r: Result<T, E>) -> i64 {
    r.is_ok() as i64
}

pub fn read_file(path: &str) -> String {
    fs::read(path).map(|b| String::from_utf8_lossy(&b).into_owned()).unwrap_or_default()
}

pub fn append_file(path: &str, text: &str) -> std::io::Result<()> {
    fs::OpenOptions::new().append(true).create(true).open(path)?.write_all(text.as_bytes())
}

pub fn file_size(path: &str) -> i64 {
    fs::metadata(path).map_or(-1, |m| m.len() as i64)
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

/// `打印行(s)` → 0: the line goes through the program's buffered output.
///
/// # Safety
/// Every string argument is null or a live string object.
pub unsafe extern "C" fn qi_io_println(s: *const Str) -> i64 {
    // SAFETY: forwarded from the caller's contract.
    unsafe { qi_print_str(s) };
    qi_print_newline();
    0
}

/// `打印(s)` → 0, without a line end.
///
/// # Safety
/// Every string argument is null or a live string object.
pub unsafe extern "C" fn qi_io_print(s: *const Str) -> i64 {
    // SAFETY: forwarded from the caller's contract.
    unsafe { qi_print_str(s) };
    0
}

/// `读取文件(路径)`.
///
/// # Safety
/// Every string argument is null or a live string object.
pub unsafe extern "C" fn qi_io_read_file(path: *const Str) -> *mut Str {
    guard(|| new_str(&read_file(text!(path))))
}

/// `文件存在(路径)` → 1/0 (a file, a directory, or a link to one).
///
/// # Safety
/// Every string argument is null or a live string object.
pub unsafe extern "C" fn qi_io_file_exists(path: *const Str) -> i64 {
    guard(|| std::path::Path::new(text!(path)).exists() as i64)
}

/// `写入文件(路径, 内容)`: creates or truncates the file.
///
/// # Safety
/// Every string argument is null or a live string object.
pub unsafe extern "C" fn qi_io_write_file(path: *const Str, text: *const Str) -> i64 {
    guard(|| done(fs::write(text!(path), text!(text))))
}

/// `追加文件(路径, 内容)`: creates the file if it is missing.
///
/// # Safety
/// Every string argument is null or a live string object.
pub unsafe extern "C" fn qi_io_append_file(path: *const Str, text: *const Str) -> i64 {
    guard(|| done(append_file(text!(path), text!(text))))
}

/// `删除文件(路径)`.
///
/// # Safety
/// Every string argument is null or a live string object.
pub unsafe extern "C" fn qi_io_delete_file(path: *const Str) -> i64 {
    guard(|| done(fs::remove_file(text!(path))))
}

/// `文件大小(路径)` → bytes, or -1.
///
/// # Safety
/// Every string argument is null or a live string object.
pub unsafe extern "C" fn qi_io_file_size(path: *const Str) -> i64 {
    guard(|| file_size(text!(path)))
}

/// `重命名(旧, 新)`.
///
/// # Safety
/// Every string argument is null or a live string object.
pub unsafe extern "C" fn qi_io_rename(from: *const Str, to: *const Str) -> i64 {
    guard(|| done(fs::rename(text!(from), text!(to))))
}

/// `创建文件(路径)`: a new empty file (an existing one is emptied).
///
/// # Safety
/// Every string argument is null or a live string object.
pub unsafe extern "C" fn qi_io_create_file(path: *const Str) -> i64 {
    guard(|| done(fs::File::create(text!(path))))
}

/// `创建符号链接(目标, 链接)`: a symbolic link named `链接` pointing at `目标`.
///
/// # Safety
/// Every string argument is null or a live string object.
pub unsafe extern "C" fn qi_io_symlink(target: *const Str, link: *const Str) -> i64 {
    guard(|| done(std::os::unix::fs::symlink(text!(target), text!(link))))
}

/// `创建目录(路径)`, with its missing parents.
///
/// # Safety
/// Every string argument is null or a live string object.
pub unsafe extern "C" fn qi_io_create_dir(path: *const Str) -> i64 {
    guard(|| done(fs::create_dir_all(text!(path))))
}

/// `删除目录(路径)`, with everything in it.
///
/// # Safety
/// Every string argument is null or a live string object.
pub unsafe extern "C" fn qi_io_delete_dir(path: *const Str) -> i64 {
    guard(|| done(fs::remove_dir_all(text!(path))))
}
