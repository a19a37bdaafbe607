//! The `数学` standard-library module (builtins.md §G.3, §G.4). Semantics are Rust's `f64`
//! methods. (The JIT computes square root, absolute value, floor, ceiling and the two
//! constants inline; these entry points are what the rows name.)

pub extern "C" fn qi_math_sqrt(x: f64) -> f64 {
    x.sqrt()
}

pub extern "C" fn qi_math_abs(x: f64) -> f64 {
    x.abs()
}

pub extern "C" fn qi_math_floor(x: f64) -> f64 {
    x.floor()
}

pub extern "C" fn qi_math_ceil(x: f64) -> f64 {
    x.ceil()
}

pub extern "C" fn qi_math_pi() -> f64 {
    std::f64::consts::PI
}

pub extern "C" fn qi_math_e() -> f64 {
    std::f64::consts::E
}

pub extern "C" fn qi_math_sin(x: f64) -> f64 {
    x.sin()
}

pub extern "C" fn qi_math_cos(x: f64) -> f64 {
    x.cos()
}

pub extern "C" fn qi_math_tan(x: f64) -> f64 {
    x.tan()
}

pub extern "C" fn qi_math_asin(x: f64) -> f64 {
    x.asin()
}

pub extern "C" fn qi_math_acos(x: f64) -> f64 {
    x.acos()
}

pub extern "C" fn qi_math_atan(x: f64) -> f64 {
    x.atan()
}

pub extern "C" fn qi_math_tanh(x: f64) -> f64 {
    x.tanh()
}

pub extern "C" fn qi_math_exp(x: f64) -> f64 {
    x.exp()
}

pub extern "C" fn qi_math_ln(x: f64) -> f64 {
    x.ln()
}

pub extern "C" fn qi_math_log10(x: f64) -> f64 {
    x.log10()
}

pub extern "C" fn qi_math_log2(x: f64) -> f64 {
    x.log2()
}

pub extern "C" fn qi_math_cbrt(x: f64) -> f64 {
    x.cbrt()
}

pub extern "C" fn qi_math_round(x: f64) -> f64 {
    x.round()
}

pub extern "C" fn qi_math_pow(x: f64, y: f64) -> f64 {
    x.powf(y)
}

/// The larger value; a NaN operand is ignored (Rust `f64::max`).
pub extern "C" fn qi_math_max(x: f64, y: f64) -> f64 {
    x.max(y)
}

/// The smaller value; a NaN operand is ignored (Rust `f64::min`).
pub extern "C" fn qi_math_min(x: f64, y: f64) -> f64 {
    x.min(y)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn follows_rust_f64() {
        assert_eq!(qi_math_round(2.5), 3.0);
        assert_eq!(qi_math_round(-2.5), -3.0);
        assert_eq!(qi_math_pow(2.0, 10.0), 1024.0);
        assert_eq!(qi_math_max(f64::NAN, 1.0), 1.0);
        assert_eq!(qi_math_min(3.0, -1.0), -1.0);
        assert_eq!(qi_math_cbrt(27.0), 3.0);
    }
}
