//! The `JSON` functions on objects: `设置…`, `获取…`, `是否包含键`, `键列表`, `取显示值`
//! and `字段…数组` (builtins.md §G.3/§G.4). A handle naming nothing or a value that is
//! not an object gives zero values and stores nothing.

use serde_json::Value;

use super::value::{self, field};
use super::{copy_out, copy_to_nest, on_side_stack, store, with_value};
use crate::array::{new_float_array, new_int_array, new_string_array, Array};
use crate::guard::guard;
use crate::string::{new_str, str_as_str, Str};

/// Sets field `key` of the object `h` to `new`: 1, or 0 when `h` names no object.
fn set(h: i64, key: &str, new: Value) -> i64 {
    store(h, new, |target, new| value::set_field(target, key, new))
}

/// Sets field `key` of the object `h` to a copy of the value `other` names.
fn set_copy(h: i64, key: &str, other: i64) -> i64 {
    on_side_stack(|| copy_to_nest(other).map_or(0, |copy| set(h, key, copy)))
}

/// Runs `f` on field `key` of the object `h` (`None` when there is no such field).
fn get<R>(h: i64, key: &str, f: impl FnOnce(Option<&Value>) -> R) -> Option<R> {
    with_value(h, |v| f(field(v, key)))
}

/// The elements of the array in field `key` of the object `h`, each made a `T` by `f`;
/// empty when there is no such array.
fn field_elements<T>(h: i64, key: &str, f: impl Fn(Option<&Value>) -> T) -> Vec<T> {
    get(h, key, |v| match v {
        Some(Value::Array(items)) => items.iter().map(|x| f(Some(x))).collect(),
        _ => Vec::new(),
    })
    .unwrap_or_default()
}

// The string arguments of every entry point below are null or live strings.

/// `设置字符串(h, 键, s)`.
///
/// # Safety
/// See above.
pub unsafe extern "C" fn qi_json_set_string(h: i64, key: *const Str, s: *const Str) -> i64 {
    // SAFETY: per the caller.
    let (key, s) = unsafe { (str_as_str(key), str_as_str(s)) };
    guard(|| set(h, key, Value::String(s.to_owned())))
}

/// `设置整数(h, 键, v)`.
///
/// # Safety
/// See above.
pub unsafe extern "C" fn qi_json_set_int(h: i64, key: *const Str, v: i64) -> i64 {
    // SAFETY: per the caller.
    let key = unsafe { str_as_str(key) };
    guard(|| set(h, key, Value::from(v)))
}

/// `设置浮点数(h, 键, v)` (NaN and infinities become `null`).
///
/// # Safety
/// See above.
pub unsafe extern "C" fn qi_json_set_float(h: i64, key: *const Str, v: f64) -> i64 {
    // SAFETY: per the caller.
    let key = unsafe { str_as_str(key) };
    guard(|| set(h, key, value::from_float(v)))
}

/// `设置布尔(h, 键, v)`: `true` for any non-zero `v`.
///
/// # Safety
/// See above.
pub unsafe extern "C" fn qi_json_set_bool(h: i64, key: *const Str, v: i64) -> i64 {
    // SAFETY: per the caller.
    let key = unsafe { str_as_str(key) };
    guard(|| set(h, key, value::from_truth(v)))
}

/// `设置对象(h, 键, 其他)`: a copy of the value `其他` names (0 when it names nothing).
///
/// # Safety
/// See above.
pub unsafe extern "C" fn qi_json_set_object(h: i64, key: *const Str, other: i64) -> i64 {
    // SAFETY: per the caller.
    let key = unsafe { str_as_str(key) };
    guard(|| set_copy(h, key, other))
}

/// `设置数组(h, 键, 其他)`: as `设置对象`.
///
/// # Safety
/// See above.
pub unsafe extern "C" fn qi_json_set_array(h: i64, key: *const Str, other: i64) -> i64 {
    // SAFETY: per the caller.
    let key = unsafe { str_as_str(key) };
    guard(|| set_copy(h, key, other))
}

/// `获取字符串(h, 键)` → the string, `""` for a miss.
///
/// # Safety
/// See above.
pub unsafe extern "C" fn qi_json_get_string(h: i64, key: *const Str) -> *mut Str {
    // SAFETY: per the caller.
    let key = unsafe { str_as_str(key) };
    guard(|| {
        let text = get(h, key, |v| new_str(value::text_of(v)));
        text.unwrap_or_else(|| new_str(""))
    })
}

/// `获取整数(h, 键)` → the integer (a float truncated), 0 for a miss.
///
/// # Safety
/// See above.
pub unsafe extern "C" fn qi_json_get_int(h: i64, key: *const Str) -> i64 {
    // SAFETY: per the caller.
    let key = unsafe { str_as_str(key) };
    guard(|| get(h, key, value::int_of).unwrap_or(0))
}

/// `获取浮点数(h, 键)` → the number, 0.0 for a miss.
///
/// # Safety
/// See above.
pub unsafe extern "C" fn qi_json_get_float(h: i64, key: *const Str) -> f64 {
    // SAFETY: per the caller.
    let key = unsafe { str_as_str(key) };
    guard(|| get(h, key, value::float_of).unwrap_or(0.0))
}

/// `获取布尔(h, 键)` → 1 for `true`, else 0.
///
/// # Safety
/// See above.
pub unsafe extern "C" fn qi_json_get_bool(h: i64, key: *const Str) -> i64 {
    // SAFETY: per the caller.
    let key = unsafe { str_as_str(key) };
    guard(|| get(h, key, value::bool_of).unwrap_or(0))
}

/// `获取对象(h, 键)` → a new handle to a copy of the object there, 0 for a miss.
///
/// # Safety
/// See above.
pub unsafe extern "C" fn qi_json_get_object(h: i64, key: *const Str) -> i64 {
    // SAFETY: per the caller.
    let key = unsafe { str_as_str(key) };
    guard(|| copy_out(h, |v| field(v, key).filter(|f| f.is_object())))
}

/// `获取数组(h, 键)` → a new handle to a copy of the array there, 0 for a miss.
///
/// # Safety
/// See above.
pub unsafe extern "C" fn qi_json_get_array(h: i64, key: *const Str) -> i64 {
    // SAFETY: per the caller.
    let key = unsafe { str_as_str(key) };
    guard(|| copy_out(h, |v| field(v, key).filter(|f| f.is_array())))
}

/// `是否包含键(h, 键)` → 1/0.
///
/// # Safety
/// See above.
pub unsafe extern "C" fn qi_json_has_key(h: i64, key: *const Str) -> i64 {
    // SAFETY: per the caller.
    let key = unsafe { str_as_str(key) };
    guard(|| get(h, key, |v| v.is_some() as i64).unwrap_or(0))
}

/// `取显示值(h, 键)` → the value as text (`value::display`), `""` for a miss.
///
/// # Safety
/// See above.
pub unsafe extern "C" fn qi_json_get_display(h: i64, key: *const Str) -> *mut Str {
    // SAFETY: per the caller.
    let key = unsafe { str_as_str(key) };
    guard(|| new_str(&on_side_stack(|| get(h, key, value::display)).unwrap_or_default()))
}

/// `键列表(h)` → `数组<字符串>` of the object's keys in insertion order.
pub extern "C" fn qi_json_object_keys(h: i64) -> *mut Array {
    guard(|| new_string_array(&with_value(h, |v| value::keys(v)).unwrap_or_default()))
}

/// `字段字符串数组(h, 键)` → `数组<字符串>` of the array there (`""` for non-strings).
///
/// # Safety
/// See above.
pub unsafe extern "C" fn qi_json_field_str_array(h: i64, key: *const Str) -> *mut Array {
    // SAFETY: per the caller.
    let key = unsafe { str_as_str(key) };
    guard(|| new_string_array(&field_elements(h, key, |v| value::text_of(v).to_owned())))
}

/// `字段整数数组(h, 键)` → `数组<整数>` of the array there (as `获取整数` reads each).
///
/// # Safety
/// See above.
pub unsafe extern "C" fn qi_json_field_int_array(h: i64, key: *const Str) -> *mut Array {
    // SAFETY: per the caller.
    let key = unsafe { str_as_str(key) };
    guard(|| new_int_array(&field_elements(h, key, value::int_of)))
}

/// `字段浮点数组(h, 键)` → `数组<浮点数>` of the array there (non-numbers 0.0).
///
/// # Safety
/// See above.
pub unsafe extern "C" fn qi_json_field_float_array(h: i64, key: *const Str) -> *mut Array {
    // SAFETY: per the caller.
    let key = unsafe { str_as_str(key) };
    guard(|| new_float_array(&field_elements(h, key, value::float_of)))
}
