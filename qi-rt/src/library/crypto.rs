//! The `加密` module (builtins.md §G.3, §G.4): MD5, SHA-256, SHA-512 and HMAC-SHA256 of
//! a string's UTF-8 bytes as lowercase hex, and Base64 (standard alphabet, padded).
//! Nothing here raises (§G.1): `Base64解码` of text that is not padded standard Base64
//! gives `""`, and decoded bytes that are not UTF-8 have each invalid sequence replaced
//! by U+FFFD (as `读取文件` does).

use std::fmt::Write;

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use hmac::{Hmac, KeyInit, Mac};
use md5::Md5;
use sha2::{Digest, Sha256, Sha512};

use crate::guard::guard;
use crate::string::{new_str, str_as_str, Str};

/// `bytes` as lowercase hex.
fn hex(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        // Writing to a `String` cannot fail.
        let _ = write!(out, "{b:02x}");
    }
    out
}

/// `MD5哈希(s)`.
pub fn md5(s: &str) -> String {
    hex(&Md5::digest(s.as_bytes()))
}

/// `SHA256哈希(s)`.
pub fn sha256(s: &str) -> String {
    hex(&Sha256::digest(s.as_bytes()))
}

/// `SHA512哈希(s)`.
pub fn sha512(s: &str) -> String {
    hex(&Sha512::digest(s.as_bytes()))
}

/// `HMAC_SHA256(数据, 密钥)` (RFC 2104; a key of any length).
pub fn hmac_sha256(data: &str, key: &str) -> String {
    // HMAC takes keys of every length: longer ones are hashed, shorter ones padded.
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(key.as_bytes()) else {
        unreachable!("HMAC accepts a key of any length")
    };
    mac.update(data.as_bytes());
    hex(&mac.finalize().into_bytes())
}

/// `Base64编码(s)`: the UTF-8 bytes of `s`, standard alphabet, padded.
pub fn base64_encode(s: &str) -> String {
    STANDARD.encode(s.as_bytes())
}

/// `Base64解码(s)`: the decoded bytes as text (invalid UTF-8 sequences become U+FFFD);
/// `""` when `s` is not standard padded Base64 (whitespace included).
pub fn base64_decode(s: &str) -> String {
    STANDARD.decode(s).map(|b| String::from_utf8_lossy(&b).into_owned()).unwrap_or_default()
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

/// `MD5哈希(s)` → 32 hex digits.
///
/// # Safety
/// Every string argument is null or a live string object.
pub unsafe extern "C" fn qi_crypto_md5(s: *const Str) -> *mut Str {
    guard(|| new_str(&md5(text!(s))))
}

/// `SHA256哈希(s)` → 64 hex digits.
///
/// # Safety
/// Every string argument is null or a live string object.
pub unsafe extern "C" fn qi_crypto_sha256(s: *const Str) -> *mut Str {
    guard(|| new_str(&sha256(text!(s))))
}

/// `Base64编码(s)`.
///
/// # Safety
/// Every string argument is null or a live string object.
pub unsafe extern "C" fn qi_crypto_base64_encode(s: *const Str) -> *mut Str {
    guard(|| new_str(&base64_encode(text!(s))))
}

/// `SHA512哈希(s)` → 128 hex digits.
///
/// # Safety
/// Every string argument is null or a live string object.
pub unsafe extern "C" fn qi_crypto_sha512(s: *const Str) -> *mut Str {
    guard(|| new_str(&sha512(text!(s))))
}

/// `Base64解码(s)`.
///
/// # Safety
/// Every string argument is null or a live string object.
pub unsafe extern "C" fn qi_crypto_base64_decode(s: *const Str) -> *mut Str {
    guard(|| new_str(&base64_decode(text!(s))))
}

/// `HMAC_SHA256(数据, 密钥)` → 64 hex digits.
///
/// # Safety
/// Every string argument is null or a live string object.
pub unsafe extern "C" fn qi_crypto_hmac_sha256(data: *const Str, key: *const Str) -> *mut Str {
    guard(|| new_str(&hmac_sha256(text!(data), text!(key))))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digests_of_known_inputs() {
        assert_eq!(md5(""), "d41d8cd98f00b204e9800998ecf8427e");
        assert_eq!(md5("abc"), "900150983cd24fb0d6963f7d28e17f72");
        assert_eq!(
            sha256("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(sha256(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
        assert_eq!(
            sha512("abc"),
            "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a\
             2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f"
        );
    }

    #[test]
    fn hmac_rfc_4231_vectors() {
        // Test case 2: a short key.
        assert_eq!(
            hmac_sha256("what do ya want for nothing?", "Jefe"),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        // The well-known example, and an empty key and message.
        assert_eq!(
            hmac_sha256("The quick brown fox jumps over the lazy dog", "key"),
            "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8"
        );
        assert_eq!(
            hmac_sha256("", ""),
            "b613679a0814d9ec772f95d778c35fc5ff1697c493715653c6c712144292c5ad"
        );
        // A key longer than SHA-256's 64-byte block is hashed first.
        assert_eq!(hmac_sha256("x", &"k".repeat(200)).len(), 64);
    }

    #[test]
    fn base64_round_trips_and_rejects_bad_input() {
        assert_eq!(base64_encode("奇"), "5aWH");
        assert_eq!(base64_encode(""), "");
        assert_eq!(base64_encode("ab"), "YWI=");
        assert_eq!(base64_decode("YWI="), "ab");
        assert_eq!(base64_decode("5aWH"), "奇");
        assert_eq!(base64_decode(""), "");
        // Unpadded, bad characters, whitespace, the URL-safe alphabet: not accepted.
        for bad in ["YWI", "YW I=", "YWI=\n", "@@@@", "_-8=", "Y"] {
            assert_eq!(base64_decode(bad), "", "{bad:?}");
        }
        // 0xff 0xfe is not UTF-8: each invalid byte becomes U+FFFD.
        assert_eq!(base64_decode("//5h"), "\u{fffd}\u{fffd}a");
    }
}
