//! What the `JSON` getters and setters make of a value: the pure conversions, unit-tested
//! here, which the entry points apply under a handle's lock.
//!
//! A getter that finds nothing of its type — no such key or index, or a value of another
//! type — gives its type's zero value (`""`, 0, 0.0, 0); the integer getters truncate a
//! float toward zero (saturating). Nothing here recurses: a value's depth is measured
//! with an explicit stack.

use serde_json::{Map, Value};

/// The deepest nesting a value may have: objects and arrays inside each other at most
/// this many levels. It is `serde_json`'s parsing limit (a text nested deeper does not
/// decode), so every text `转字符串`/`格式化` write decodes again; setters refuse to
/// nest a value deeper.
pub const MAX_DEPTH: usize = 127;

/// The field `key` of an object.
pub fn field<'a>(v: &'a Value, key: &str) -> Option<&'a Value> {
    v.as_object()?.get(key)
}

/// Element `i` of an array.
pub fn element(v: &Value, i: i64) -> Option<&Value> {
    v.as_array()?.get(usize::try_from(i).ok()?)
}

/// An integer getter's result: integers as they are, floats truncated toward zero
/// (saturating at the `整数` range, as integers above it are), anything else 0.
pub fn int_of(v: Option<&Value>) -> i64 {
    match v {
        Some(Value::Number(n)) => n.as_i64().unwrap_or_else(|| n.as_f64().map_or(0, |f| f as i64)),
        _ => 0,
    }
}

/// A float getter's result: any number as a float, anything else 0.0.
pub fn float_of(v: Option<&Value>) -> f64 {
    match v {
        Some(Value::Number(n)) => n.as_f64().unwrap_or(0.0),
        _ => 0.0,
    }
}

/// A boolean getter's result: 1 for `true`, 0 for anything else.
pub fn bool_of(v: Option<&Value>) -> i64 {
    matches!(v, Some(Value::Bool(true))) as i64
}

/// A string getter's result: a string's text, `""` for anything else (`取显示值` renders
/// any value).
pub fn text_of(v: Option<&Value>) -> &str {
    match v {
        Some(Value::String(s)) => s,
        _ => "",
    }
}

/// `取显示值`: a string's own text (no quotes), any other value as compact JSON text
/// (`3`, `2.5`, `true`, `null`, `[1,2]`), `""` when there is no value.
pub fn display(v: Option<&Value>) -> String {
    match v {
        None => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    }
}

/// A Qi float as a JSON value: JSON has no NaN nor infinities, which become `null`.
pub fn from_float(f: f64) -> Value {
    Value::from(f)
}

/// A Qi truth value (any non-zero integer is true) as a JSON boolean.
pub fn from_truth(b: i64) -> Value {
    Value::Bool(b != 0)
}

/// How deeply objects and arrays nest in `v`: 0 for a scalar, 1 for `[]` or `{"a":1}`.
pub fn depth(v: &Value) -> usize {
    let mut deepest = 0;
    let mut pending = vec![(v, 0)];
    while let Some((v, d)) = pending.pop() {
        let children: Box<dyn Iterator<Item = &Value>> = match v {
            Value::Array(a) => Box::new(a.iter()),
            Value::Object(o) => Box::new(o.values()),
            _ => continue,
        };
        deepest = deepest.max(d + 1);
        pending.extend(children.map(|c| (c, d + 1)));
    }
    deepest
}

/// May `v` be stored inside an object or array (one level deeper) without passing
/// [`MAX_DEPTH`]? (The container's own depth is at most `MAX_DEPTH` already.)
pub fn fits_inside(v: &Value) -> bool {
    depth(v) < MAX_DEPTH
}

/// Sets `key` of the object `target` to `new`: a new key goes last, an existing key keeps
/// its place and takes the new value. `Err(new)` when `target` is not an object. The
/// replaced value is returned, for the caller to drop where deep values may be dropped.
pub fn set_field(target: &mut Value, key: &str, new: Value) -> Result<Option<Value>, Value> {
    match target {
        Value::Object(o) => Ok(o.insert(key.to_owned(), new)),
        _ => Err(new),
    }
}

/// Appends `new` to the array `target`; `Err(new)` when it is not an array.
pub fn push(target: &mut Value, new: Value) -> Result<(), Value> {
    match target {
        Value::Array(a) => {
            a.push(new);
            Ok(())
        }
        _ => Err(new),
    }
}

/// The keys of an object in insertion order (none for anything else).
pub fn keys(v: &Value) -> Vec<String> {
    v.as_object().map(|o| o.keys().cloned().collect()).unwrap_or_default()
}

/// An empty object.
pub fn empty_object() -> Value {
    Value::Object(Map::new())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn integer_getters_truncate_floats_toward_zero_and_saturate() {
        let v = json!({"i": 7, "f": 2.9, "n": -2.9, "big": 1e300, "u": 18446744073709551615u64,
                       "s": "3", "b": true});
        let get = |k| int_of(field(&v, k));
        assert_eq!(get("i"), 7);
        assert_eq!(get("f"), 2);
        assert_eq!(get("n"), -2);
        assert_eq!(get("big"), i64::MAX);
        assert_eq!(get("u"), i64::MAX);
        assert_eq!(get("s"), 0);
        assert_eq!(get("b"), 0);
        assert_eq!(get("missing"), 0);
    }

    #[test]
    fn other_getters_give_zero_values_for_other_types() {
        let v = json!({"i": 7, "s": "奇", "t": true, "f": false, "o": {}});
        assert_eq!(float_of(field(&v, "i")), 7.0);
        assert_eq!(float_of(field(&v, "s")), 0.0);
        assert_eq!(text_of(field(&v, "s")), "奇");
        assert_eq!(text_of(field(&v, "i")), "");
        assert_eq!(bool_of(field(&v, "t")), 1);
        assert_eq!(bool_of(field(&v, "f")), 0);
        assert_eq!(bool_of(field(&v, "i")), 0);
        assert_eq!(field(&json!([1]), "0"), None);
    }

    #[test]
    fn display_renders_any_value() {
        let v = json!({"s": "奇", "i": 3, "f": 3.0, "h": 2.5, "b": false, "z": null, "a": [1, {"k": "v"}]});
        let show = |k| display(field(&v, k));
        assert_eq!(show("s"), "奇");
        assert_eq!(show("i"), "3");
        assert_eq!(show("f"), "3.0");
        assert_eq!(show("h"), "2.5");
        assert_eq!(show("b"), "false");
        assert_eq!(show("z"), "null");
        assert_eq!(show("a"), r#"[1,{"k":"v"}]"#);
        assert_eq!(show("missing"), "");
    }

    #[test]
    fn elements_by_index() {
        let v = json!([10, 20]);
        assert_eq!(int_of(element(&v, 1)), 20);
        assert_eq!(element(&v, 2), None);
        assert_eq!(element(&v, -1), None);
        assert_eq!(element(&json!({"0": 1}), 0), None);
    }

    #[test]
    fn non_finite_floats_are_null() {
        assert_eq!(from_float(f64::NAN), Value::Null);
        assert_eq!(from_float(f64::INFINITY), Value::Null);
        assert_eq!(from_float(2.5), json!(2.5));
        assert_eq!(from_truth(-3), json!(true));
    }

    #[test]
    fn depth_counts_nesting_levels() {
        assert_eq!(depth(&json!(1)), 0);
        assert_eq!(depth(&json!([])), 1);
        assert_eq!(depth(&json!({"a": [1, [2]], "b": {}})), 3);
        let mut deep = json!(0);
        for _ in 0..MAX_DEPTH {
            assert!(fits_inside(&deep));
            deep = json!([deep]);
        }
        assert_eq!(depth(&deep), MAX_DEPTH);
        assert!(!fits_inside(&deep));
        // What the setters may build, the parser reads back (and one level more it does not).
        assert!(serde_json::from_str::<Value>(&deep.to_string()).is_ok());
        assert!(serde_json::from_str::<Value>(&json!([deep]).to_string()).is_err());
    }

    #[test]
    fn fields_keep_insertion_order_and_their_place() {
        let mut v = empty_object();
        assert_eq!(set_field(&mut v, "乙", json!(1)), Ok(None));
        assert_eq!(set_field(&mut v, "甲", json!(2)), Ok(None));
        assert_eq!(set_field(&mut v, "乙", json!(3)), Ok(Some(json!(1))));
        assert_eq!(keys(&v), ["乙", "甲"]);
        assert_eq!(v.to_string(), r#"{"乙":3,"甲":2}"#);
        assert_eq!(set_field(&mut json!([]), "k", json!(1)), Err(json!(1)));
        assert_eq!(push(&mut v, json!(1)), Err(json!(1)));
        assert!(keys(&json!([1])).is_empty());
    }
}
