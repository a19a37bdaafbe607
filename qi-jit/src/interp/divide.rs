//! Signed division by a constant without a division instruction, as Cranelift compiles
//! it: `n / d` is the high half of `n × magic`, corrected and shifted (H. S. Warren,
//! *Hacker's Delight*, 2nd ed., §10-4 and §10-5: the magic number for signed division).
//! A hardware division costs about as much as the rest of a `loop` iteration in the
//! interpreter; the multiplication a few cycles.

/// A constant divisor `d` with `2 <= |d| < 2^31`, ready to divide by (16 bytes, so that
/// an op holding one stays as small as the others).
#[derive(Clone, Copy, Debug)]
pub struct Divisor {
    /// The magic multiplier.
    magic: i64,
    /// The divisor itself (for remainders).
    d: i32,
    /// The right shift after the multiplication.
    shift: u8,
}

impl Divisor {
    /// `d` as a divisor, `None` for the divisors it does not handle (0, ±1, and those
    /// of 2^31 and beyond, rare as constants: the plain division handles them).
    pub fn new(d: i64) -> Option<Divisor> {
        let ad = d.unsigned_abs();
        if !(2..1 << 31).contains(&ad) {
            return None;
        }
        const TWO63: u64 = 1 << 63;
        // The largest |nc| with nc ≡ -1 (mod d) (Warren, figure 10-1).
        let t = TWO63 + ((d as u64) >> 63);
        let anc = t - 1 - t % ad;
        let mut p = 63u32;
        let (mut q1, mut r1) = (TWO63 / anc, TWO63 % anc);
        let (mut q2, mut r2) = (TWO63 / ad, TWO63 % ad);
        loop {
            p += 1;
            q1 = q1.wrapping_mul(2);
            r1 = r1.wrapping_mul(2);
            if r1 >= anc {
                q1 = q1.wrapping_add(1);
                r1 = r1.wrapping_sub(anc);
            }
            q2 = q2.wrapping_mul(2);
            r2 = r2.wrapping_mul(2);
            if r2 >= ad {
                q2 = q2.wrapping_add(1);
                r2 = r2.wrapping_sub(ad);
            }
            let delta = ad - r2;
            if !(q1 < delta || (q1 == delta && r1 == 0)) {
                break;
            }
        }
        let magic = q2.wrapping_add(1) as i64;
        let magic = if d < 0 { magic.wrapping_neg() } else { magic };
        Some(Divisor { magic, d: d as i32, shift: (p - 64) as u8 })
    }

    /// `n / d`, truncated toward zero.
    #[inline(always)]
    pub fn quotient(self, n: i64) -> i64 {
        let mut q = ((n as i128 * self.magic as i128) >> 64) as i64;
        // The magic number's sign differs from the divisor's when it did not fit.
        if self.d > 0 && self.magic < 0 {
            q = q.wrapping_add(n);
        } else if self.d < 0 && self.magic > 0 {
            q = q.wrapping_sub(n);
        }
        q >>= self.shift;
        // Round toward zero: add one to a negative quotient.
        q.wrapping_add((q as u64 >> 63) as i64)
    }

    /// `n % d`, with the sign of `n`.
    #[inline(always)]
    pub fn remainder(self, n: i64) -> i64 {
        n.wrapping_sub(self.quotient(n).wrapping_mul(self.d as i64))
    }
}

#[cfg(test)]
mod tests {
    use super::Divisor;

    /// Dividends around every power of two and its negation, the extremes, and a spread
    /// of pseudo-random values.
    fn dividends() -> Vec<i64> {
        let mut v = vec![0, 1, -1, i64::MIN, i64::MIN + 1, i64::MAX, i64::MAX - 1];
        for s in 0..63 {
            let p = 1i64 << s;
            v.extend([p - 1, p, p + 1, -p - 1, -p, -p + 1]);
        }
        let mut x = 0x9E37_79B9_7F4A_7C15u64;
        for _ in 0..2000 {
            // xorshift64
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            v.push(x as i64);
            v.push((x >> (x % 63)) as i64);
        }
        v
    }

    fn divisors() -> Vec<i64> {
        let mut v: Vec<i64> = (2..=1000).collect();
        for s in 2..31 {
            let p = 1i64 << s;
            v.extend([p - 1, p, p + 1]);
        }
        v.extend([7, 10, 60, 86_400, 1_000_000_007, (1 << 31) - 1]);
        let negated: Vec<i64> = v.iter().map(|d| -d).collect();
        v.extend(negated);
        v
    }

    #[test]
    fn matches_the_division_instruction() {
        let ns = dividends();
        for d in divisors() {
            let by = Divisor::new(d).unwrap_or_else(|| panic!("{d} is handled"));
            for &n in &ns {
                assert_eq!(by.quotient(n), n.wrapping_div(d), "{n} / {d}");
                assert_eq!(by.remainder(n), n.wrapping_rem(d), "{n} % {d}");
            }
        }
    }

    #[test]
    fn leaves_the_rest_to_the_division_instruction() {
        for d in [0, 1, -1, 1 << 31, -(1 << 31), 3_037_000_499, i64::MAX, i64::MIN] {
            assert!(Divisor::new(d).is_none(), "{d}");
        }
    }
}
