//! The `向量` module (builtins.md §G.3, §G.4): arithmetic on `数组<浮点数>`. Arguments
//! are borrowed arrays of float slots; results are fresh arrays. Never an exception
//! (§G.1): arrays of different lengths are used up to the shorter one, and a zero vector
//! has no direction (`归一化` returns it unchanged, `余弦相似度` gives 0.0).

use crate::array::{array_slots, new_float_array, Array};
use crate::guard::guard;

/// The dot product; 0.0 for empty vectors (`Iterator::sum` of no floats is -0.0).
pub fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).fold(0.0, |acc, (x, y)| acc + x * y)
}

pub fn magnitude(a: &[f64]) -> f64 {
    dot(a, a).sqrt()
}

pub fn cosine_similarity(a: &[f64], b: &[f64]) -> f64 {
    let norms = magnitude(a) * magnitude(b);
    if norms == 0.0 {
        0.0
    } else {
        dot(a, b) / norms
    }
}

pub fn add(a: &[f64], b: &[f64]) -> Vec<f64> {
    a.iter().zip(b).map(|(x, y)| x + y).collect()
}

pub fn normalize(a: &[f64]) -> Vec<f64> {
    let n = magnitude(a);
    if n == 0.0 {
        a.to_vec()
    } else {
        a.iter().map(|x| x / n).collect()
    }
}

pub fn scale(a: &[f64], k: f64) -> Vec<f64> {
    a.iter().map(|x| x * k).collect()
}

/// The elements of a `数组<浮点数>`; null reads as empty.
///
/// # Safety
/// `a` is null or a live array of floats.
unsafe fn floats(a: *const Array) -> Vec<f64> {
    if a.is_null() {
        return Vec::new();
    }
    // SAFETY: per the caller; the slots are only read, before anything else runs.
    unsafe { array_slots(a as *mut Array) }.iter().map(|w| f64::from_bits(*w)).collect()
}

// ---- entry points ---------------------------------------------------------------------
// Every array argument is null or a live `数组<浮点数>`.

macro_rules! floats {
    ($p:expr) => {
        // SAFETY: forwarded from the entry point's contract.
        unsafe { floats($p) }
    };
}

/// `点积(a, b)`.
///
/// # Safety
/// Every array argument is null or a live array of floats.
pub unsafe extern "C" fn qi_vector_dot(a: *const Array, b: *const Array) -> f64 {
    guard(|| dot(&floats!(a), &floats!(b)))
}

/// `长度(a)`: the Euclidean norm.
///
/// # Safety
/// Every array argument is null or a live array of floats.
pub unsafe extern "C" fn qi_vector_magnitude(a: *const Array) -> f64 {
    guard(|| magnitude(&floats!(a)))
}

/// `余弦相似度(a, b)`.
///
/// # Safety
/// Every array argument is null or a live array of floats.
pub unsafe extern "C" fn qi_vector_cosine_similarity(a: *const Array, b: *const Array) -> f64 {
    guard(|| cosine_similarity(&floats!(a), &floats!(b)))
}

/// `加(a, b)`.
///
/// # Safety
/// Every array argument is null or a live array of floats.
pub unsafe extern "C" fn qi_vector_add(a: *const Array, b: *const Array) -> *mut Array {
    guard(|| new_float_array(&add(&floats!(a), &floats!(b))))
}

/// `归一化(a)`.
///
/// # Safety
/// Every array argument is null or a live array of floats.
pub unsafe extern "C" fn qi_vector_normalize(a: *const Array) -> *mut Array {
    guard(|| new_float_array(&normalize(&floats!(a))))
}

/// `数乘(a, k)`.
///
/// # Safety
/// Every array argument is null or a live array of floats.
pub unsafe extern "C" fn qi_vector_scale(a: *const Array, k: f64) -> *mut Array {
    guard(|| new_float_array(&scale(&floats!(a), k)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arithmetic() {
        let (a, b) = ([3.0, 4.0], [4.0, -3.0]);
        assert_eq!(dot(&a, &b), 0.0);
        assert_eq!(magnitude(&a), 5.0);
        assert_eq!(cosine_similarity(&a, &a), 1.0);
        assert_eq!(cosine_similarity(&a, &[0.0, 0.0]), 0.0);
        assert_eq!(add(&a, &b), [7.0, 1.0]);
        assert_eq!(add(&a, &[1.0]), [4.0]);
        assert_eq!(normalize(&a), [0.6, 0.8]);
        assert_eq!(normalize(&[0.0]), [0.0]);
        assert_eq!(scale(&a, 2.0), [6.0, 8.0]);
        assert!(magnitude(&[]).is_sign_positive());
    }
}
