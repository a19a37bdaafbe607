//! GBK text: `文本.GBK字节(s)`, `文本.从GBK字节(字节)`, `输入输出.读取GBK文件(路径)` and
//! `输入输出.写入GBK文件(路径, 内容)`. Extensions over builtins.md §G.3
//! (docs/LANGUAGE-NOTES.md, "Chinese text"), and the only library functions that raise:
//! a character GBK has no bytes for, or bytes that are not GBK, raise a catchable
//! exception naming the character index or byte index (0-based) where it happened.
//!
//! GBK is `encoding_rs`'s, the WHATWG encoding (Windows code page 936): ASCII as itself,
//! the two-byte GBK table, and `€` as the single byte 0x80. Its decoder is GB18030's, so
//! the four-byte GB18030 sequences (a lead byte followed by a digit byte, 0x30–0x39) are
//! rejected here: they are not GBK, and the encoder never writes them. So
//! `从GBK字节(GBK字节(s))` is `s` for every text `GBK字节` accepts, and
//! `GBK字节(从GBK字节(b))` is `b` for every accepted `b` without the table's two
//! duplicates, 0xA2 0xE3 (`€`, written back as 0x80) and 0xA3 0xA0 (U+3000, written
//! back as 0xA1 0xA1).

use std::fs;

use encoding_rs::{DecoderResult, EncoderResult, GBK};

use crate::array::{array_slots, new_int_array, Array};
use crate::exception::raise_error;
use crate::green::Raising;
use crate::guard::guard;
use crate::string::{new_str, str_as_str, Str};

/// Why a text has no GBK form: its first character GBK cannot encode.
#[derive(Debug, PartialEq, Eq)]
pub struct Unencodable {
    pub ch: char,
    /// Index of the character among the text's Unicode scalar values (as `字符取` counts).
    pub index: usize,
}

/// Why bytes are not GBK: where the first bad sequence starts, and its bytes.
#[derive(Debug, PartialEq, Eq)]
pub struct Invalid {
    pub at: usize,
    pub bytes: Vec<u8>,
}

/// The GBK bytes of `s`.
pub fn encode(s: &str) -> Result<Vec<u8>, Unencodable> {
    let mut encoder = GBK.new_encoder();
    let mut out = Vec::new();
    let mut pos = 0;
    loop {
        let room = encoder.max_buffer_length_from_utf8_without_replacement(s.len() - pos);
        let start = out.len();
        out.resize(start + room.unwrap_or(usize::MAX), 0);
        let (result, read, written) =
            encoder.encode_from_utf8_without_replacement(&s[pos..], &mut out[start..], true);
        out.truncate(start + written);
        pos += read;
        match result {
            EncoderResult::InputEmpty => return Ok(out),
            EncoderResult::OutputFull => continue,
            EncoderResult::Unmappable(ch) => {
                let at = pos - ch.len_utf8();
                return Err(Unencodable { ch, index: s[..at].chars().count() });
            }
        }
    }
}

/// The text GBK `bytes` spell.
pub fn decode(bytes: &[u8]) -> Result<String, Invalid> {
    let mut decoder = GBK.new_decoder_without_bom_handling();
    let mut out = String::new();
    let mut pos = 0;
    let malformed = loop {
        let room = decoder.max_utf8_buffer_length_without_replacement(bytes.len() - pos);
        out.reserve(room.unwrap_or(usize::MAX));
        let (result, read) =
            decoder.decode_to_string_without_replacement(&bytes[pos..], &mut out, true);
        pos += read;
        match result {
            DecoderResult::InputEmpty => break None,
            DecoderResult::OutputFull => continue,
            DecoderResult::Malformed(bad, after) => {
                break Some(pos - after as usize - bad as usize..pos - after as usize)
            }
        }
    };
    // The bytes before the first malformed sequence are valid GB18030: find the first
    // four-byte sequence among them.
    let valid = malformed.as_ref().map_or(bytes.len(), |r| r.start);
    if let Some(at) = four_byte_sequence(&bytes[..valid]) {
        return Err(Invalid { at, bytes: bytes[at..at + 4].to_vec() });
    }
    match malformed {
        Some(r) => Err(Invalid { at: r.start, bytes: bytes[r].to_vec() }),
        None => Ok(out),
    }
}

/// The offset of the first four-byte GB18030 sequence of `bytes`, which must be valid
/// GB18030: one byte up to 0x80, else a lead byte and a trail byte, or a lead byte, a
/// digit byte and two more.
fn four_byte_sequence(bytes: &[u8]) -> Option<usize> {
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] <= 0x80 {
            i += 1;
        } else if bytes.get(i + 1).is_some_and(u8::is_ascii_digit) {
            return Some(i);
        } else {
            i += 2;
        }
    }
    None
}

/// Elements of a `数组<整数>` as bytes, or the first one outside 0..=255 (its index and value).
fn array_bytes(words: &[u64]) -> Result<Vec<u8>, (usize, i64)> {
    words
        .iter()
        .enumerate()
        .map(|(i, &w)| u8::try_from(w as i64).map_err(|_| (i, w as i64)))
        .collect()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("0x{b:02X}")).collect::<Vec<_>>().join(" ")
}

// ---- raising ---------------------------------------------------------------------------

fn raised(zh: String, en: String, file: u32, line: u32) -> Raising {
    raise_error(zh, en, file, line);
    Raising { value: 0, raised: 1 }
}

fn raise_unencodable(e: Unencodable, file: u32, line: u32) -> Raising {
    let (ch, code, index) = (e.ch, e.ch as u32, e.index);
    raised(
        format!("GBK 无法编码字符「{ch}」（U+{code:04X}），字符下标 {index}"),
        format!("GBK cannot encode '{ch}' (U+{code:04X}) at character index {index}"),
        file,
        line,
    )
}

fn raise_invalid(e: Invalid, path: Option<&str>, file: u32, line: u32) -> Raising {
    let (at, bytes) = (e.at, hex(&e.bytes));
    let (zh, en) = match path {
        Some(p) => (
            format!("文件「{p}」不是有效的 GBK：字节下标 {at}（{bytes}）"),
            format!("file '{p}' is not valid GBK: byte index {at} ({bytes})"),
        ),
        None => (
            format!("不是有效的 GBK 字节：字节下标 {at}（{bytes}）"),
            format!("invalid GBK bytes at byte index {at} ({bytes})"),
        ),
    };
    raised(zh, en, file, line)
}

// ---- entry points ---------------------------------------------------------------------
// Every string argument is null or a live string object, every array argument null or a
// live `数组<整数>` (the entry-point contract of `crate`); null reads as empty.

macro_rules! text {
    ($p:expr) => {
        // SAFETY: forwarded from the entry point's contract.
        unsafe { str_as_str($p) }
    };
}

/// `GBK字节(s)` → a fresh `数组<整数>` of bytes 0–255; raises for a character GBK cannot
/// encode.
///
/// # Safety
/// Every string argument is null or a live string object.
pub unsafe extern "C" fn qi_text_gbk_encode(s: *const Str, file: u32, line: u32) -> Raising {
    guard(|| match encode(text!(s)) {
        Ok(bytes) => {
            let words: Vec<i64> = bytes.into_iter().map(i64::from).collect();
            Raising { value: new_int_array(&words) as u64, raised: 0 }
        }
        Err(e) => raise_unencodable(e, file, line),
    })
}

/// `从GBK字节(字节)` → the text; raises for an element outside 0–255 or bytes that are
/// not GBK.
///
/// # Safety
/// `a` is null or a live `数组<整数>`.
pub unsafe extern "C" fn qi_text_gbk_decode(a: *const Array, file: u32, line: u32) -> Raising {
    guard(|| {
        let words: &[u64] = if a.is_null() {
            &[]
        } else {
            // SAFETY: per the caller; the slots are only read, before anything else runs.
            unsafe { array_slots(a as *mut Array) }
        };
        let bytes = match array_bytes(words) {
            Ok(bytes) => bytes,
            Err((index, value)) => {
                return raised(
                    format!("GBK 字节必须在 0 到 255 之间：下标 {index} 的值是 {value}"),
                    format!("GBK bytes must be 0 to 255: element {index} is {value}"),
                    file,
                    line,
                )
            }
        };
        match decode(&bytes) {
            Ok(text) => Raising { value: new_str(&text) as u64, raised: 0 },
            Err(e) => raise_invalid(e, None, file, line),
        }
    })
}

/// `读取GBK文件(路径)` → the file's text; `""` when it cannot be read (as `读取文件`), an
/// exception when it is not GBK.
///
/// # Safety
/// Every string argument is null or a live string object.
pub unsafe extern "C" fn qi_io_read_gbk_file(path: *const Str, file: u32, line: u32) -> Raising {
    guard(|| {
        let path = text!(path);
        let Ok(bytes) = fs::read(path) else {
            return Raising { value: new_str("") as u64, raised: 0 };
        };
        match decode(&bytes) {
            Ok(text) => Raising { value: new_str(&text) as u64, raised: 0 },
            Err(e) => raise_invalid(e, Some(path), file, line),
        }
    })
}

/// `写入GBK文件(路径, 内容)` → 1 written / 0 failed (as `写入文件`); a text GBK cannot
/// encode raises before the file is touched.
///
/// # Safety
/// Every string argument is null or a live string object.
pub unsafe extern "C" fn qi_io_write_gbk_file(
    path: *const Str,
    content: *const Str,
    file: u32,
    line: u32,
) -> Raising {
    guard(|| match encode(text!(content)) {
        Ok(bytes) => Raising { value: fs::write(text!(path), bytes).is_ok() as u64, raised: 0 },
        Err(e) => raise_unencodable(e, file, line),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_round_trips() {
        let text = "中文GBK：你好，世界！€é";
        let bytes = encode(text).unwrap();
        assert_eq!(&bytes[..4], [0xD6, 0xD0, 0xCE, 0xC4]);
        assert_eq!(bytes[bytes.len() - 3], 0x80);
        assert_eq!(decode(&bytes).unwrap(), text);
        assert_eq!(encode("").unwrap(), b"");
        assert_eq!(decode(b"").unwrap(), "");
    }

    #[test]
    fn characters_without_gbk_bytes_are_named() {
        assert_eq!(encode("你好😀"), Err(Unencodable { ch: '😀', index: 2 }));
        assert_eq!(encode("a한"), Err(Unencodable { ch: '한', index: 1 }));
    }

    #[test]
    fn bad_bytes_are_located() {
        // A lone byte 0xFF; a lead byte at the end; a lead byte before a control byte.
        assert_eq!(decode(b"ab\xFF"), Err(Invalid { at: 2, bytes: vec![0xFF] }));
        assert_eq!(decode(b"\xD6\xD0\xD6"), Err(Invalid { at: 2, bytes: vec![0xD6] }));
        let e = decode(b"\xD6\xD0\x81\x0Ax").unwrap_err();
        assert_eq!(e.at, 2);
    }

    #[test]
    fn four_byte_gb18030_sequences_are_not_gbk() {
        // U+00A5 is 0x81 0x30 0x84 0x36 in GB18030, after "中".
        assert_eq!(
            decode(b"\xD6\xD0\x81\x30\x84\x36"),
            Err(Invalid { at: 2, bytes: vec![0x81, 0x30, 0x84, 0x36] })
        );
        // The earlier of a four-byte sequence and a malformed byte is reported.
        assert_eq!(decode(b"\x81\x30\x84\x36\xFF").unwrap_err().at, 0);
        assert_eq!(decode(b"\xFF\x81\x30\x84\x36").unwrap_err().at, 0);
    }

    /// Every two-byte sequence the decoder accepts has a character the encoder writes back
    /// as the same bytes, but for the two duplicates of the table.
    #[test]
    fn every_gbk_pair_round_trips_but_two_duplicates() {
        let mut differ = Vec::new();
        for lead in 0x81u8..=0xFE {
            for trail in (0x40u8..=0xFE).filter(|&t| t != 0x7F) {
                if let Ok(text) = decode(&[lead, trail]) {
                    let back = encode(&text).expect("a decoded character encodes");
                    if back != [lead, trail] {
                        differ.push(([lead, trail], text, back));
                    }
                }
            }
        }
        assert_eq!(
            differ,
            [
                ([0xA2, 0xE3], "€".to_owned(), vec![0x80]),
                ([0xA3, 0xA0], "\u{3000}".to_owned(), vec![0xA1, 0xA1]),
            ]
        );
    }

    #[test]
    fn array_elements_must_be_bytes() {
        assert_eq!(array_bytes(&[0, 255]), Ok(vec![0, 255]));
        assert_eq!(array_bytes(&[1, 256]), Err((1, 256)));
        assert_eq!(array_bytes(&[(-1i64) as u64]), Err((0, -1)));
    }
}
