//! Numeric conversions and arithmetic: the exact semantics generated code implements
//! (checked conversions are inlined there, raising Qi exceptions), and the operations
//! that have no single Cranelift instruction.

/// `x 作为 整数`: truncation toward zero when `x` is in i64 range.
pub fn float_to_int_checked(x: f64) -> Option<i64> {
    // -2^63 is representable exactly; 2^63 is the first value out of range.
    // NaN fails both comparisons.
    const LOW: f64 = -9_223_372_036_854_775_808.0;
    const HIGH: f64 = 9_223_372_036_854_775_808.0;
    (LOW..HIGH).contains(&x).then_some(x as i64)
}

/// `整数 作为 字符`: the character when `n` is a Unicode scalar value.
pub fn int_to_char_checked(n: i64) -> Option<u32> {
    u32::try_from(n).ok().filter(|&c| char::from_u32(c).is_some())
}

/// `浮点数转整数`: truncation, saturating at the i64 bounds, NaN → 0.
pub extern "C" fn qi_float_to_int_sat(x: f64) -> i64 {
    // Cannot panic, so no `guard` is needed.
    x as i64 // Rust's float→int `as` is exactly this saturating conversion
}

/// Float `%`: C `fmod` semantics (sign of the dividend), which Rust's `%` is.
pub extern "C" fn qi_float_rem(a: f64, b: f64) -> f64 {
    // Cannot panic, so no `guard` is needed.
    a % b
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checked_float_to_int() {
        assert_eq!(float_to_int_checked(3.99), Some(3));
        assert_eq!(float_to_int_checked(-3.9), Some(-3));
        assert_eq!(float_to_int_checked(-0.0), Some(0));
        assert_eq!(float_to_int_checked(-9223372036854775808.0), Some(i64::MIN));
        assert_eq!(float_to_int_checked(9223372036854774784.0), Some(9223372036854774784));
        assert_eq!(float_to_int_checked(9223372036854775808.0), None);
        assert_eq!(float_to_int_checked(-9223372036854777856.0), None);
        assert_eq!(float_to_int_checked(f64::NAN), None);
        assert_eq!(float_to_int_checked(f64::INFINITY), None);
    }

    #[test]
    fn saturating_float_to_int() {
        assert_eq!(qi_float_to_int_sat(-3.9), -3);
        assert_eq!(qi_float_to_int_sat(f64::NAN), 0);
        assert_eq!(qi_float_to_int_sat(1e300), i64::MAX);
        assert_eq!(qi_float_to_int_sat(f64::NEG_INFINITY), i64::MIN);
    }

    #[test]
    fn checked_int_to_char() {
        assert_eq!(int_to_char_checked(65), Some(65));
        assert_eq!(int_to_char_checked(0x4E2D), Some(0x4E2D));
        assert_eq!(int_to_char_checked(0x10FFFF), Some(0x10FFFF));
        assert_eq!(int_to_char_checked(0xD800), None);
        assert_eq!(int_to_char_checked(0x110000), None);
        assert_eq!(int_to_char_checked(-1), None);
        assert_eq!(int_to_char_checked(1 << 40), None);
    }

    #[test]
    fn float_remainder() {
        assert_eq!(qi_float_rem(-7.5, 2.0), -1.5);
        assert_eq!(qi_float_rem(7.5, -2.0), 1.5);
        assert!(qi_float_rem(1.0, 0.0).is_nan());
    }
}
