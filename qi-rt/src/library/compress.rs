//! The `压缩` module (builtins.md §G.3, §G.4): gzip (`flate2` on the pure-Rust
//! `miniz_oxide`) of files, strings and byte buffers. Nothing here raises (§G.1):
//!
//! * `压缩文件(源, 目标)`/`解压文件(源, 目标)` → 0 on success, -1 on failure (no source,
//!   an unwritable target, the source and target one file, data that is not gzip); a
//!   target left half-written by a failure is removed.
//! * `压缩字符串(s)` → Base64 (standard, padded) of the gzip stream of `s`'s UTF-8
//!   bytes; `解压字符串(b64)` → the original text, `""` when the input is not Base64 of a
//!   gzip stream (decoded bytes that are not UTF-8: invalid sequences become U+FFFD).
//! * `压缩字节(h)`/`解压字节(h)`: a byte buffer is an integer list of the `列表` module
//!   holding 0–255; the result is a new integer list's handle (the program frees it with
//!   `删除列表`), 0 when `h` names no integer list, an element is outside 0–255 or the
//!   data is not gzip.
//!
//! Decompression accepts concatenated gzip members (as `gzip -d` does). The work runs on
//! the calling worker (docs/CONCURRENCY.md, "Blocking library calls").

use std::fs::File;
use std::io::{self, BufReader, BufWriter, Read};

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use flate2::read::{GzEncoder, MultiGzDecoder};
use flate2::Compression;

use crate::guard::guard;
use crate::library::list::{int_list_items, new_int_list};
use crate::string::{new_str, str_as_str, Str};

/// The gzip stream of `bytes` (default level; no name, time 0 in the header, so the same
/// input always gives the same stream).
pub fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    // Reading from a slice into a vector cannot fail.
    let _ = GzEncoder::new(bytes, Compression::default()).read_to_end(&mut out);
    out
}

/// The data of the gzip stream `bytes` (one member or several, concatenated); an error
/// when it is not gzip, is cut short or has anything after its last member.
pub fn gunzip(bytes: &[u8]) -> io::Result<Vec<u8>> {
    if bytes.is_empty() {
        // No member at all is not a gzip stream (the decoder would give nothing).
        return Err(io::ErrorKind::UnexpectedEof.into());
    }
    let mut out = Vec::new();
    MultiGzDecoder::new(bytes).read_to_end(&mut out)?;
    Ok(out)
}

/// `压缩字符串(s)`.
pub fn gzip_string(s: &str) -> String {
    STANDARD.encode(gzip(s.as_bytes()))
}

/// `解压字符串(b64)`: `None` when `b64` is not Base64 of a gzip stream.
pub fn gunzip_string(b64: &str) -> Option<String> {
    let data = gunzip(&STANDARD.decode(b64).ok()?).ok()?;
    Some(String::from_utf8_lossy(&data).into_owned())
}

/// The bytes of an integer list; `None` when `h` names none or an element is not a byte.
fn list_bytes(h: i64) -> Option<Vec<u8>> {
    int_list_items(h)?.into_iter().map(|v| u8::try_from(v).ok()).collect()
}

/// A new integer list of `bytes`.
fn bytes_list(bytes: Vec<u8>) -> i64 {
    new_int_list(bytes.into_iter().map(i64::from).collect())
}

/// Streams `source` through `code` into `target`. The target is created only once the
/// source is open, and removed again when the transfer fails.
fn transform_file(
    source: &str,
    target: &str,
    code: impl FnOnce(BufReader<File>) -> Box<dyn Read>,
) -> io::Result<()> {
    let input = File::open(source)?;
    if same_file(&input, target) {
        // Creating the target would empty the source before it is read.
        return Err(io::ErrorKind::InvalidInput.into());
    }
    let output = File::create(target)?;
    let copied = (|| {
        let mut writer = BufWriter::new(output);
        io::copy(&mut code(BufReader::new(input)), &mut writer)?;
        writer.into_inner().map_err(|e| e.into_error())?.sync_all()
    })();
    if copied.is_err() {
        let _ = std::fs::remove_file(target);
    }
    copied
}

/// Whether the existing path `target` is the open file `file`.
fn same_file(file: &File, target: &str) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (file.metadata(), std::fs::metadata(target)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

/// `压缩文件(源, 目标)`.
pub fn gzip_file(source: &str, target: &str) -> io::Result<()> {
    transform_file(source, target, |r| Box::new(GzEncoder::new(r, Compression::default())))
}

/// `解压文件(源, 目标)`.
pub fn gunzip_file(source: &str, target: &str) -> io::Result<()> {
    if std::fs::metadata(source)?.len() == 0 {
        // An empty file is not a gzip stream (the decoder reads it as zero members).
        return Err(io::ErrorKind::InvalidData.into());
    }
    transform_file(source, target, |r| Box::new(MultiGzDecoder::new(r)))
}

/// 0 for `Ok`, -1 for `Err`.
fn status<T>(r: io::Result<T>) -> i64 {
    if r.is_ok() {
        0
    } else {
        -1
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

/// `压缩文件(源, 目标)` → 0 / -1.
///
/// # Safety
/// Every string argument is null or a live string object.
pub unsafe extern "C" fn qi_compress_gzip_file(source: *const Str, target: *const Str) -> i64 {
    guard(|| status(gzip_file(text!(source), text!(target))))
}

/// `解压文件(源, 目标)` → 0 / -1.
///
/// # Safety
/// Every string argument is null or a live string object.
pub unsafe extern "C" fn qi_compress_gunzip_file(source: *const Str, target: *const Str) -> i64 {
    guard(|| status(gunzip_file(text!(source), text!(target))))
}

/// `压缩字符串(s)` → Base64 text.
///
/// # Safety
/// Every string argument is null or a live string object.
pub unsafe extern "C" fn qi_compress_gzip_string(s: *const Str) -> *mut Str {
    guard(|| new_str(&gzip_string(text!(s))))
}

/// `解压字符串(b64)` → the text, `""` for bad input.
///
/// # Safety
/// Every string argument is null or a live string object.
pub unsafe extern "C" fn qi_compress_gunzip_string(b64: *const Str) -> *mut Str {
    guard(|| new_str(&gunzip_string(text!(b64)).unwrap_or_default()))
}

/// `压缩字节(h)` → a new integer list's handle, 0 on failure.
pub extern "C" fn qi_compress_gzip_bytes(h: i64) -> i64 {
    guard(|| list_bytes(h).map_or(0, |bytes| bytes_list(gzip(&bytes))))
}

/// `解压字节(h)` → a new integer list's handle, 0 on failure.
pub extern "C" fn qi_compress_gunzip_bytes(h: i64) -> i64 {
    guard(|| {
        let data = list_bytes(h).and_then(|bytes| gunzip(&bytes).ok());
        data.map_or(0, bytes_list)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_round_trip() {
        for s in ["", "奇", "hello hello hello hello", &"重复".repeat(1000)] {
            let packed = gzip_string(s);
            assert!(packed.starts_with("H4sI"), "gzip magic in Base64: {packed}");
            assert_eq!(gunzip_string(&packed).as_deref(), Some(s));
        }
        assert!(gzip_string(&"a".repeat(10_000)).len() < 100);
    }

    #[test]
    fn bad_input_is_none() {
        assert_eq!(gunzip_string(""), None);
        assert_eq!(gunzip_string("not base64!"), None);
        assert_eq!(gunzip_string(&STANDARD.encode("plain text")), None);
        let mut cut = gzip(b"some text to cut short");
        cut.truncate(cut.len() - 3);
        assert!(gunzip(&cut).is_err());
        let mut trailing = gzip(b"x");
        trailing.extend_from_slice(b"junk");
        assert!(gunzip(&trailing).is_err());
    }

    #[test]
    fn members_concatenate() {
        let mut two = gzip(b"ab");
        two.extend(gzip("奇".as_bytes()));
        assert_eq!(gunzip(&two).unwrap(), "ab奇".as_bytes());
    }

    #[test]
    fn byte_lists() {
        let h = new_int_list(vec![0, 1, 2, 255, 254]);
        let packed = qi_compress_gzip_bytes(h);
        assert!(packed > 0);
        assert_eq!(int_list_items(packed).unwrap()[..2], [0x1f, 0x8b]);
        let back = qi_compress_gunzip_bytes(packed);
        assert_eq!(int_list_items(back).unwrap(), [0, 1, 2, 255, 254]);
        // Not a byte, no list, not gzip, a list of another kind.
        let bad = new_int_list(vec![1, 256]);
        assert_eq!(qi_compress_gzip_bytes(bad), 0);
        assert_eq!(qi_compress_gzip_bytes(new_int_list(vec![-1])), 0);
        assert_eq!(qi_compress_gzip_bytes(i64::MAX), 0);
        assert_eq!(qi_compress_gunzip_bytes(h), 0);
        assert_eq!(qi_compress_gunzip_bytes(new_int_list(Vec::new())), 0);
        let strings = crate::library::list::new_string_list(vec!["1".to_owned()]);
        assert_eq!(qi_compress_gzip_bytes(strings), 0);
        // An empty buffer compresses to a valid stream of nothing.
        let empty = qi_compress_gzip_bytes(new_int_list(Vec::new()));
        assert_eq!(int_list_items(qi_compress_gunzip_bytes(empty)).unwrap(), Vec::<i64>::new());
    }

    #[test]
    fn files() {
        let dir = std::env::temp_dir().join(format!("qi-compress-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = |n: &str| dir.join(n).to_str().unwrap().to_owned();
        std::fs::write(p("a.txt"), "内容\n".repeat(100)).unwrap();
        gzip_file(&p("a.txt"), &p("a.gz")).unwrap();
        gunzip_file(&p("a.gz"), &p("b.txt")).unwrap();
        assert_eq!(std::fs::read(p("b.txt")).unwrap(), std::fs::read(p("a.txt")).unwrap());
        // Failures: no source, target in no directory, one file as both, not gzip, empty.
        assert!(gzip_file(&p("none"), &p("x.gz")).is_err());
        assert!(!dir.join("x.gz").exists(), "no target without a source");
        assert!(gzip_file(&p("a.txt"), &p("no/dir/x.gz")).is_err());
        assert!(gzip_file(&p("a.txt"), &p("a.txt")).is_err());
        assert_eq!(std::fs::read_to_string(p("a.txt")).unwrap(), "内容\n".repeat(100));
        assert!(gunzip_file(&p("a.txt"), &p("c.txt")).is_err());
        assert!(!dir.join("c.txt").exists(), "a failed target is removed");
        std::fs::write(p("empty.gz"), "").unwrap();
        assert!(gunzip_file(&p("empty.gz"), &p("c.txt")).is_err());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
