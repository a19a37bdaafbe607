//! The one rendering of each scalar type (README item 4), used by printing,
//! string concatenation, templates and `作为 字符串` alike.
//!
//! Every function appends to a caller-provided buffer so that printing a
//! number allocates nothing.

use std::fmt::Write as _;

/// Decimal, with `-` for negatives.
pub fn fmt_int(n: i64, out: &mut Vec<u8>) {
    let mut digits = [0u8; 20];
    let text = int_digits(n.unsigned_abs(), &mut digits);
    if n < 0 {
        out.push(b'-');
    }
    out.extend_from_slice(text);
}

/// Pairs "00".."99", so the loop below emits two digits per division.
const DIGIT_PAIRS: &[u8; 200] = b"\
0001020304050607080910111213141516171819\
2021222324252627282930313233343536373839\
4041424344454647484950515253545556575859\
6061626364656667686970717273747576777879\
8081828384858687888990919293949596979899";

/// Writes the decimal digits of `n` at the end of `buf` and returns them.
fn int_digits(mut n: u64, buf: &mut [u8; 20]) -> &[u8] {
    let mut start = buf.len();
    while n >= 100 {
        let pair = (n % 100) as usize * 2;
        n /= 100;
        start -= 2;
        buf[start..start + 2].copy_from_slice(&DIGIT_PAIRS[pair..pair + 2]);
    }
    if n >= 10 {
        let pair = n as usize * 2;
        start -= 2;
        buf[start..start + 2].copy_from_slice(&DIGIT_PAIRS[pair..pair + 2]);
    } else {
        start -= 1;
        buf[start] = b'0' + n as u8;
    }
    &buf[start..]
}

/// Shortest decimal that round-trips, never in exponent form; finite
/// integral values keep `.0`; `NaN`, `inf`, `-inf`.
pub fn fmt_float(x: f64, out: &mut Vec<u8>) {
    // Rust's `Display` for f64 is already the shortest round-trip decimal
    // without exponent (`1e20` → `100000000000000000000`, `-0.0` → `-0`).
    let _ = write!(ByteWriter(out), "{x}");
    if x.is_finite() && x.trunc() == x {
        out.extend_from_slice(b".0");
    }
}

/// `真` / `假`.
pub fn fmt_bool(b: bool, out: &mut Vec<u8>) {
    out.extend_from_slice(if b { "真" } else { "假" }.as_bytes());
}

/// The character itself, UTF-8 encoded. A value that is not a Unicode scalar
/// (cannot come from well-typed code) renders as U+FFFD.
pub fn fmt_char(c: u32, out: &mut Vec<u8>) {
    let ch = char::from_u32(c).unwrap_or(char::REPLACEMENT_CHARACTER);
    let mut utf8 = [0u8; 4];
    out.extend_from_slice(ch.encode_utf8(&mut utf8).as_bytes());
}

/// Convenience for messages: a float as its Qi text.
pub fn float_to_string(x: f64) -> String {
    let mut out = Vec::with_capacity(24);
    fmt_float(x, &mut out);
    String::from_utf8(out).expect("float text is ASCII")
}

/// Adapter letting `core::fmt` append to a byte vector without the
/// bookkeeping of `io::Write`.
struct ByteWriter<'a>(&'a mut Vec<u8>);

impl std::fmt::Write for ByteWriter<'_> {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        self.0.extend_from_slice(s.as_bytes());
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn float(x: f64) -> String {
        float_to_string(x)
    }

    fn int(n: i64) -> String {
        let mut out = Vec::new();
        fmt_int(n, &mut out);
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn integers() {
        assert_eq!(int(0), "0");
        assert_eq!(int(7), "7");
        assert_eq!(int(10), "10");
        assert_eq!(int(99), "99");
        assert_eq!(int(100), "100");
        assert_eq!(int(-12), "-12");
        assert_eq!(int(20013), "20013");
        assert_eq!(int(i64::MAX), "9223372036854775807");
        assert_eq!(int(i64::MIN), "-9223372036854775808");
        for n in [1i64, 9, 11, 101, 999, 1000, 12345, 1234567, -1, -1000000007] {
            assert_eq!(int(n), n.to_string());
        }
    }

    #[test]
    fn floats_from_the_spec() {
        assert_eq!(float(6.0), "6.0");
        assert_eq!(float(-0.0), "-0.0");
        assert_eq!(float(0.0), "0.0");
        assert_eq!(float(0.0 - 0.0 * 1.0), "0.0");
        assert_eq!(float(1e20), "100000000000000000000.0");
        assert_eq!(float(0.1 + 0.2), "0.30000000000000004");
        assert_eq!(float(1.0 / 3.0), "0.3333333333333333");
        assert_eq!(float(1e-7), "0.0000001");
        assert_eq!(float(2.5 * 4.0), "10.0");
        assert_eq!(float(100.0), "100.0");
        assert_eq!(float(250.0), "250.0");
        assert_eq!(float(2.0), "2.0");
        assert_eq!(float(7.0), "7.0");
        assert_eq!(float(3.25), "3.25");
        assert_eq!(float(0.5), "0.5");
        assert_eq!(float(-1.5), "-1.5");
        assert_eq!(float(f64::NAN), "NaN");
        assert_eq!(float(f64::INFINITY), "inf");
        assert_eq!(float(f64::NEG_INFINITY), "-inf");
    }

    #[test]
    fn floats_never_use_exponents_and_round_trip() {
        for x in
            [1e300, 5e-324, f64::MAX, f64::MIN_POSITIVE, 123456.789e10, -2.2250738585072014e-308]
        {
            let s = float(x);
            assert!(!s.contains('e'), "{s}");
            assert_eq!(s.parse::<f64>().unwrap(), x);
        }
        assert!(float(f64::MAX).ends_with(".0"));
    }

    #[test]
    fn bools_and_chars() {
        let mut out = Vec::new();
        fmt_bool(true, &mut out);
        fmt_bool(false, &mut out);
        fmt_char('中' as u32, &mut out);
        fmt_char('A' as u32, &mut out);
        fmt_char('😀' as u32, &mut out);
        fmt_char(0x11_0000, &mut out);
        assert_eq!(String::from_utf8(out).unwrap(), "真假中A😀\u{FFFD}");
    }

    #[test]
    fn appends_to_existing_content() {
        let mut out = b"x=".to_vec();
        fmt_int(5, &mut out);
        out.push(b' ');
        fmt_float(2.5, &mut out);
        assert_eq!(out, b"x=5 2.5");
    }
}
