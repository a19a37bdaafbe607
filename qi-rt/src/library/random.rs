//! The `随机` module (builtins.md §G.3, §G.4): uniform draws from `rand`'s thread-local
//! generator (seeded from the OS; the module has no seed function), UUIDs from `uuid`.

use rand::distr::{Alphanumeric, Distribution, Uniform};
use rand::RngExt;

use crate::guard::guard;
use crate::string::{new_str, Str};

/// `生成整数(最小, 最大)`: uniform in [最小, 最大); `最小` when the range is empty.
pub fn int_in(min: i64, max: i64) -> i64 {
    Uniform::new(min, max).map_or(min, |u| u.sample(&mut rand::rng()))
}

/// `生成浮点(最小, 最大)`: uniform in [最小, 最大); `最小` when the range is empty or not
/// finite.
pub fn float_in(min: f64, max: f64) -> f64 {
    Uniform::new(min, max).map_or(min, |u| u.sample(&mut rand::rng()))
}

/// `生成字符串(n)`: n characters of `[A-Za-z0-9]`; `""` for n ≤ 0.
pub fn alphanumeric(n: i64) -> String {
    let n = usize::try_from(n).unwrap_or(0);
    rand::rng().sample_iter(Alphanumeric).take(n).map(char::from).collect()
}

/// `生成整数(最小, 最大)`.
pub extern "C" fn qi_random_int(min: i64, max: i64) -> i64 {
    guard(|| int_in(min, max))
}

/// `生成浮点(最小, 最大)`.
pub extern "C" fn qi_random_float(min: f64, max: f64) -> f64 {
    guard(|| float_in(min, max))
}

/// `生成布尔()` → 1/0, each with probability ½.
pub extern "C" fn qi_random_bool() -> i64 {
    guard(|| rand::random_bool(0.5) as i64)
}

/// `生成字符串(n)`.
pub extern "C" fn qi_random_string(n: i64) -> *mut Str {
    guard(|| new_str(&alphanumeric(n)))
}

/// `UUID()`: a random (version 4) UUID, lowercase hyphenated text.
pub extern "C" fn qi_random_uuid() -> *mut Str {
    guard(|| new_str(&uuid::Uuid::new_v4().hyphenated().to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn draws_stay_in_range() {
        for _ in 0..1000 {
            assert!((-3..4).contains(&int_in(-3, 4)));
            let x = float_in(0.5, 0.75);
            assert!((0.5..0.75).contains(&x), "{x}");
        }
        assert_eq!(int_in(5, 5), 5);
        assert_eq!(int_in(9, 1), 9);
        assert_eq!(int_in(i64::MIN, i64::MIN + 1), i64::MIN);
        assert_eq!(float_in(2.0, 1.0), 2.0);
        assert_eq!(float_in(0.0, f64::INFINITY), 0.0);
        assert!(float_in(f64::NAN, 1.0).is_nan());
        let s = alphanumeric(64);
        assert_eq!(s.len(), 64);
        assert!(s.bytes().all(|b| b.is_ascii_alphanumeric()));
        assert_eq!(alphanumeric(-1), "");
    }
}
