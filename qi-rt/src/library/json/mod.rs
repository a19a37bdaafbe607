//! The `JSON` module (builtins.md §G.3/§G.4): JSON values behind `整数` handles.
//!
//! One counted handle table (`crate::handles`, kind `Json`) holds every value, each
//! behind its own mutex, so green threads on several workers may use one value at once:
//! each call is atomic, and no call holds two values' locks. Handles count from 1 and are
//! never reused; a handle naming nothing (never made, or freed by `删除`) gives the
//! zero value of the function's result (`""`, 0, 0.0, an empty array) and does nothing;
//! nothing here raises (§G.1). Objects keep their keys in insertion order (`serde_json`'s
//! `preserve_order`).
//!
//! Values are copied, never shared: `设置对象`/`设置数组`/`数组添加对象` store a copy of the
//! other handle's value, and `获取对象`/`获取数组`/`数组获取对象`/`数组获取数组` give a new
//! handle to a copy, which the program frees with `删除` like any other (the leak report
//! counts it). Setters and adders give 1 when they stored the value, 0 otherwise.
//! The semantics are in `value` and `text` (pure, unit-tested); work that recurses over a
//! value runs on a side stack (`stack`). docs/LANGUAGE-NOTES.md has the choices §G.4
//! leaves open.

mod array;
mod object;
mod stack;
mod text;
mod value;

pub use array::*;
pub use object::*;

use parking_lot::Mutex;
use serde_json::Value;

use crate::array::{array_slots, new_string_array, try_new_array, Array, ELEM_OBJECT};
use crate::guard::guard;
use crate::handles::{HandleKind, Handles};
use crate::literal::new_immortal_str;
use crate::string::{new_str, str_as_str, Str};
use stack::on_side_stack;

/// Every JSON value the program holds.
static VALUES: Handles<Mutex<Value>> = Handles::counted(HandleKind::Json);

/// A new handle naming `v`.
fn add(v: Value) -> i64 {
    VALUES.add(Mutex::new(v))
}

/// Runs `f` on the value `h` names under its lock; `None` when `h` names nothing.
fn with_value<R>(h: i64, f: impl FnOnce(&mut Value) -> R) -> Option<R> {
    let item = VALUES.get(h)?;
    let mut value = item.lock();
    Some(f(&mut value))
}

/// A copy of the value `h` names that may go one level down into another value
/// (`value::MAX_DEPTH`); `None` when `h` names nothing or the value is too deep. Call on
/// the side stack.
fn copy_to_nest(h: i64) -> Option<Value> {
    with_value(h, |v| value::fits_inside(v).then(|| v.clone())).flatten()
}

/// Puts `new` into the value `h` names with `put`: 1 when it was stored, 0 when `h`
/// names nothing or `put` refuses it. What `put` replaces or refuses is dropped on the
/// side stack, as dropping a deep value recurses.
fn store<T>(h: i64, new: Value, put: impl FnOnce(&mut Value, Value) -> Result<T, Value>) -> i64 {
    on_side_stack(|| with_value(h, |target| put(target, new).is_ok()).unwrap_or(false) as i64)
}

/// A new handle to a copy of what `pick` finds in the value `h` names; 0 when there is
/// nothing.
fn copy_out(h: i64, pick: impl FnOnce(&Value) -> Option<&Value>) -> i64 {
    on_side_stack(|| with_value(h, |v| pick(v).cloned()).flatten().map_or(0, add))
}

// ---- values as a whole -----------------------------------------------------------------

/// `创建对象()` → the handle of a new empty object.
pub extern "C" fn qi_json_create_object() -> i64 {
    guard(|| add(value::empty_object()))
}

/// `创建数组()` → the handle of a new empty array.
pub extern "C" fn qi_json_create_array() -> i64 {
    guard(|| add(Value::Array(Vec::new())))
}

/// `解码(文本)` → the handle of the value the text is, 0 when it is not JSON.
///
/// # Safety
/// `text` is null or a live string.
pub unsafe extern "C" fn qi_json_decode(text: *const Str) -> i64 {
    // SAFETY: per the caller.
    let text = unsafe { str_as_str(text) };
    guard(|| on_side_stack(|| text::decode(text).map_or(0, add)))
}

/// `从文本(t)` → the handle of the JSON found in a text (`text::find_json`), 0 when none.
///
/// # Safety
/// `text` is null or a live string.
pub unsafe extern "C" fn qi_json_from_text(text: *const Str) -> i64 {
    // SAFETY: per the caller.
    let text = unsafe { str_as_str(text) };
    guard(|| on_side_stack(|| text::find_json(text).map_or(0, add)))
}

/// `删除(h)` → 1, the value freed; 0 when `h` names nothing.
pub extern "C" fn qi_json_free(h: i64) -> i64 {
    guard(|| {
        let Some(item) = VALUES.get(h) else { return 0 };
        if !VALUES.remove(h) {
            return 0; // another green thread freed it first
        }
        let freed = std::mem::take(&mut *item.lock());
        on_side_stack(|| drop(freed));
        1
    })
}

/// `转字符串(h)` → compact JSON text, `""` when `h` names nothing.
pub extern "C" fn qi_json_to_string(h: i64) -> *mut Str {
    guard(|| {
        let text = on_side_stack(|| with_value(h, |v| v.to_string()));
        new_str(&text.unwrap_or_default())
    })
}

/// `格式化(h)` → pretty JSON text (2-space indent), `""` when `h` names nothing.
pub extern "C" fn qi_json_to_string_pretty(h: i64) -> *mut Str {
    guard(|| {
        let text = on_side_stack(|| with_value(h, |v| serde_json::to_string_pretty(v).ok()));
        new_str(&text.flatten().unwrap_or_default())
    })
}

// ---- texts -----------------------------------------------------------------------------

/// `编码(s)` → the JSON string literal of `s`.
///
/// # Safety
/// `s` is null or a live string.
pub unsafe extern "C" fn qi_json_encode(s: *const Str) -> *mut Str {
    // SAFETY: per the caller.
    let s = unsafe { str_as_str(s) };
    guard(|| new_str(&text::encode(s)))
}

/// `从键值("a=1;b=x")` → compact JSON object text (`text::from_pairs`).
///
/// # Safety
/// `pairs` is null or a live string.
pub unsafe extern "C" fn qi_json_from_pairs(pairs: *const Str) -> *mut Str {
    // SAFETY: per the caller.
    let pairs = unsafe { str_as_str(pairs) };
    guard(|| new_str(&text::from_pairs(pairs)))
}

/// `枚举序号(值, 变体)` → the variant's 0-based position, -1 when absent
/// (`text::enum_tag`).
///
/// # Safety
/// Both arguments are null or live strings.
pub unsafe extern "C" fn qi_json_enum_tag(value: *const Str, variants: *const Str) -> i64 {
    // SAFETY: per the caller.
    let (value, variants) = unsafe { (str_as_str(value), str_as_str(variants)) };
    guard(|| on_side_stack(|| text::enum_tag(value, variants)))
}

/// `分配对象数组(n)` → a `数组<字符串>` of `n` texts `{}` (empty objects) to be replaced by
/// the program; empty for `n` ≤ 0 or an `n` the machine cannot hold. The elements are
/// one immortal string, so the array costs only its slots.
pub extern "C" fn qi_json_alloc_obj_array(n: i64) -> *mut Array {
    guard(|| {
        let Some(a) = usize::try_from(n).ok().and_then(|n| try_new_array(n, ELEM_OBJECT)) else {
            return new_string_array::<&str>(&[]);
        };
        let empty_object = new_immortal_str("{}") as usize as u64;
        // SAFETY: `a` is fresh and exclusively ours, an array of object slots.
        unsafe { array_slots(a) }.fill(empty_object);
        a
    })
}

#[cfg(test)]
mod tests;
