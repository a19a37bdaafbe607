//! The `JSON` functions on arrays: `数组添加…`, `数组获取…` and `数组长度` (builtins.md
//! §G.3/§G.4). A handle naming nothing or a value that is not an array gives zero values
//! and stores nothing; an index outside the array (negative included) is a miss.

use serde_json::Value;

use super::value::{self, element};
use super::{copy_out, copy_to_nest, on_side_stack, store, with_value};
use crate::guard::guard;
use crate::string::{new_str, str_as_str, Str};

/// Appends `new` to the array `h`: 1, or 0 when `h` names no array.
fn push(h: i64, new: Value) -> i64 {
    store(h, new, value::push)
}

/// Runs `f` on element `i` of the array `h` (`None` when there is no such element).
fn get<R>(h: i64, i: i64, f: impl FnOnce(Option<&Value>) -> R) -> Option<R> {
    with_value(h, |v| f(element(v, i)))
}

/// `数组添加字符串(h, s)`.
///
/// # Safety
/// `s` is null or a live string.
pub unsafe extern "C" fn qi_json_array_push_string(h: i64, s: *const Str) -> i64 {
    // SAFETY: per the caller.
    let s = unsafe { str_as_str(s) };
    guard(|| push(h, Value::String(s.to_owned())))
}

/// `数组添加整数(h, v)`.
pub extern "C" fn qi_json_array_push_int(h: i64, v: i64) -> i64 {
    guard(|| push(h, Value::from(v)))
}

/// `数组添加浮点数(h, v)` (NaN and infinities become `null`).
pub extern "C" fn qi_json_array_push_float(h: i64, v: f64) -> i64 {
    guard(|| push(h, value::from_float(v)))
}

/// `数组添加布尔(h, v)`: `true` for any non-zero `v`.
pub extern "C" fn qi_json_array_push_bool(h: i64, v: i64) -> i64 {
    guard(|| push(h, value::from_truth(v)))
}

/// `数组添加对象(h, 其他)`: a copy of the value `其他` names (0 when it names nothing).
pub extern "C" fn qi_json_array_push_object(h: i64, other: i64) -> i64 {
    guard(|| on_side_stack(|| copy_to_nest(other).map_or(0, |copy| push(h, copy))))
}

/// `数组长度(h)` → the number of elements, 0 for anything but an array.
pub extern "C" fn qi_json_array_length(h: i64) -> i64 {
    guard(|| with_value(h, |v| v.as_array().map_or(0, |a| a.len() as i64)).unwrap_or(0))
}

/// `数组获取字符串(h, i)` → the string, `""` for a miss.
pub extern "C" fn qi_json_array_get_string(h: i64, i: i64) -> *mut Str {
    guard(|| get(h, i, |v| new_str(value::text_of(v))).unwrap_or_else(|| new_str("")))
}

/// `数组获取整数(h, i)` → the integer (a float truncated), 0 for a miss.
pub extern "C" fn qi_json_array_get_int(h: i64, i: i64) -> i64 {
    guard(|| get(h, i, value::int_of).unwrap_or(0))
}

/// `数组获取浮点数(h, i)` → the number, 0.0 for a miss.
pub extern "C" fn qi_json_array_get_float(h: i64, i: i64) -> f64 {
    guard(|| get(h, i, value::float_of).unwrap_or(0.0))
}

/// `数组获取布尔(h, i)` → 1 for `true`, else 0.
pub extern "C" fn qi_json_array_get_bool(h: i64, i: i64) -> i64 {
    guard(|| get(h, i, value::bool_of).unwrap_or(0))
}

/// `数组获取对象(h, i)` → a new handle to a copy of the object there, 0 for a miss.
pub extern "C" fn qi_json_array_get_object(h: i64, i: i64) -> i64 {
    guard(|| copy_out(h, |v| element(v, i).filter(|e| e.is_object())))
}

/// `数组获取数组(h, i)` → a new handle to a copy of the array there, 0 for a miss.
pub extern "C" fn qi_json_array_get_array(h: i64, i: i64) -> i64 {
    guard(|| copy_out(h, |v| element(v, i).filter(|e| e.is_array())))
}
