//! The entry points' handle semantics: copies, self-insertion, freeing, depth limits.

use super::*;
use crate::array::array_slots;
use crate::test_support::release;

/// Calls `f` with a Qi string holding `s`.
fn with_str<R>(s: &str, f: impl FnOnce(*const Str) -> R) -> R {
    let p = new_str(s);
    let r = f(p);
    release(p);
    r
}

/// The text of a Qi string result (released).
fn text(p: *mut Str) -> String {
    // SAFETY: `p` is a live string we own.
    let s = unsafe { str_as_str(p) }.to_owned();
    release(p);
    s
}

fn compact(h: i64) -> String {
    text(qi_json_to_string(h))
}

fn set_object(h: i64, key: &str, other: i64) -> i64 {
    // SAFETY: a live string.
    with_str(key, |k| unsafe { qi_json_set_object(h, k, other) })
}

#[test]
fn setters_store_copies_and_getters_give_copies() {
    let outer = qi_json_create_object();
    let inner = qi_json_create_array();
    assert_eq!(qi_json_array_push_int(inner, 1), 1);
    assert_eq!(set_object(outer, "列", inner), 1);
    assert_eq!(qi_json_array_push_int(inner, 2), 1);
    assert_eq!(compact(outer), r#"{"列":[1]}"#, "the stored copy did not change");
    // SAFETY: a live string.
    let got = with_str("列", |k| unsafe { qi_json_get_array(outer, k) });
    assert!(got > 0 && got != inner);
    assert_eq!(qi_json_array_push_int(got, 3), 1);
    assert_eq!(compact(got), "[1,3]");
    assert_eq!(compact(outer), r#"{"列":[1]}"#, "the copy taken out is the program's own");
    for h in [outer, inner, got] {
        assert_eq!(qi_json_free(h), 1);
    }
}

#[test]
fn an_object_may_be_stored_into_itself() {
    let o = qi_json_create_object();
    // SAFETY: live strings.
    with_str("a", |k| unsafe { qi_json_set_int(o, k, 1) });
    assert_eq!(set_object(o, "自己", o), 1);
    assert_eq!(compact(o), r#"{"a":1,"自己":{"a":1}}"#);
    assert_eq!(qi_json_array_push_object(o, o), 0, "not an array");
    assert_eq!(qi_json_free(o), 1);
}

#[test]
fn freed_and_unknown_handles_name_nothing() {
    let a = qi_json_create_array();
    assert_eq!(qi_json_free(a), 1);
    assert_eq!(qi_json_free(a), 0);
    assert_eq!(qi_json_array_push_int(a, 1), 0);
    assert_eq!(qi_json_array_length(a), 0);
    assert_eq!(compact(a), "");
    assert_eq!(text(qi_json_to_string_pretty(0)), "");
    assert!(VALUES.get(a).is_none());
    let o = qi_json_create_object();
    assert_eq!(set_object(o, "k", a), 0, "a freed source stores nothing");
    assert_eq!(set_object(o, "k", -7), 0);
    assert_eq!(compact(o), "{}");
    assert_eq!(qi_json_free(o), 1);
}

#[test]
fn values_never_nest_deeper_than_the_parser_reads() {
    let mut h = qi_json_create_array();
    for _ in 1..value::MAX_DEPTH {
        let outer = qi_json_create_array();
        assert_eq!(qi_json_array_push_object(outer, h), 1);
        assert_eq!(qi_json_free(h), 1);
        h = outer;
    }
    let too_deep = qi_json_create_array();
    assert_eq!(qi_json_array_push_object(too_deep, h), 0);
    let written = compact(h);
    // SAFETY: a live string.
    let again = with_str(&written, |t| unsafe { qi_json_decode(t) });
    assert!(again > 0, "what is written decodes again");
    for h in [h, too_deep, again] {
        assert_eq!(qi_json_free(h), 1);
    }
}

#[test]
fn floats_keep_a_point_and_non_finite_ones_are_null() {
    let a = qi_json_create_array();
    for f in [2.5, 3.0, -0.0, 1e20, f64::NAN] {
        assert_eq!(qi_json_array_push_float(a, f), 1);
    }
    assert_eq!(compact(a), "[2.5,3.0,-0.0,1e+20,null]");
    assert_eq!(qi_json_array_get_int(a, 0), 2);
    assert_eq!(qi_json_array_get_float(a, 4), 0.0);
    assert_eq!(qi_json_free(a), 1);
}

#[test]
fn allocated_object_arrays_share_one_immortal_text() {
    let a = qi_json_alloc_obj_array(3);
    // SAFETY: a fresh array of string slots.
    let slots = unsafe { array_slots(a) }.to_vec();
    assert_eq!(slots.len(), 3);
    assert!(slots.iter().all(|&s| s == slots[0]));
    // SAFETY: the slots hold live strings.
    assert_eq!(unsafe { str_as_str(slots[0] as usize as *const Str) }, "{}");
    release(a);
    for n in [0, -1, i64::MAX] {
        let empty = qi_json_alloc_obj_array(n);
        // SAFETY: a fresh array.
        assert!(unsafe { array_slots(empty) }.is_empty());
        release(empty);
    }
}
