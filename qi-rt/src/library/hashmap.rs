//! The `哈希表` module (builtins.md §G.3/§G.4): string-keyed hash tables of integers,
//! floats or strings behind `整数` handles. All three kinds share one handle counter,
//! from 1, never reused (§G.1). Nothing here raises: a handle naming no table of the
//! function's kind (never created, freed by `释放表`, or a table of another kind) gives
//! 0 / 0.0 / `""` and does nothing. Functions whose name names no kind (`包含键`,
//! `删除键`, `表大小`, `清空表`, `释放表`) take a table of any kind (docs/LANGUAGE-NOTES.md).
//!
//! Speed: a lookup hashes the key where the Qi string holds it (no copy), and a new key is
//! copied into the table once, when it is inserted. The handle is resolved under the
//! handle table's read lock ([`Handles::with`]: no reference-count traffic); each table
//! has its own read-write lock, held for one operation, never across a park, so green
//! threads on several workers may share a table. Keys are hashed by foldhash (hashbrown's
//! default hasher), seeded per process; `map` says how keys are stored.

mod map;

use parking_lot::RwLock;

use crate::guard::guard;
use crate::handles::{HandleKind, Handles};
use crate::string::{new_str, str_as_str, Str};
use map::Map;

/// One table.
enum Table {
    Int(Map<i64>),
    Float(Map<f64>),
    Text(Map<String>),
}

impl Table {
    fn len(&self) -> usize {
        match self {
            Table::Int(m) => m.len(),
            Table::Float(m) => m.len(),
            Table::Text(m) => m.len(),
        }
    }

    fn contains(&self, key: &str) -> bool {
        match self {
            Table::Int(m) => m.contains(key),
            Table::Float(m) => m.contains(key),
            Table::Text(m) => m.contains(key),
        }
    }

    fn remove(&mut self, key: &str) -> bool {
        match self {
            Table::Int(m) => m.remove(key),
            Table::Float(m) => m.remove(key),
            Table::Text(m) => m.remove(key),
        }
    }

    fn clear(&mut self) {
        match self {
            Table::Int(m) => m.clear(),
            Table::Float(m) => m.clear(),
            Table::Text(m) => m.clear(),
        }
    }
}

/// Every table, of every kind: one handle counter for the module.
static TABLES: Handles<RwLock<Table>> = Handles::counted(HandleKind::HashMap);

/// A new table's handle.
fn create(table: Table) -> i64 {
    TABLES.add(RwLock::new(table))
}

/// Runs `f` on the table `h` under its read lock; `None` when `h` names no table.
fn read<R>(h: i64, f: impl FnOnce(&Table) -> Option<R>) -> Option<R> {
    TABLES.with(h, |t| f(&t.read())).flatten()
}

/// Runs `f` on the table `h` under its write lock; `None` when `h` names no table.
fn write<R>(h: i64, f: impl FnOnce(&mut Table) -> Option<R>) -> Option<R> {
    TABLES.with(h, |t| f(&mut t.write())).flatten()
}

/// 1 for `Some`, 0 for `None`.
fn done(r: Option<()>) -> i64 {
    r.is_some() as i64
}

/// The text of a string argument.
///
/// # Safety
/// `s` is null or a live string that outlives the call.
unsafe fn text<'a>(s: *const Str) -> &'a str {
    // SAFETY: per the caller.
    unsafe { str_as_str(s) }
}

// Creating

/// `创建整数表()` → a new integer table's handle.
pub extern "C" fn qi_hashmap_int_create() -> i64 {
    guard(|| create(Table::Int(Map::default())))
}

/// `创建浮点表()` → a new float table's handle.
pub extern "C" fn qi_hashmap_float_create() -> i64 {
    guard(|| create(Table::Float(Map::default())))
}

/// `创建字符串表()` → a new string table's handle.
pub extern "C" fn qi_hashmap_string_create() -> i64 {
    guard(|| create(Table::Text(Map::default())))
}

// Setting and getting, by kind

/// `设置整数(h, 键, 值)` → 1, `键` now `值`; 0 when `h` names no integer table.
///
/// # Safety
/// `key` is null or a live string.
pub unsafe extern "C" fn qi_hashmap_int_set(h: i64, key: *const Str, value: i64) -> i64 {
    // SAFETY: per the caller.
    let key = unsafe { text(key) };
    guard(|| {
        done(write(h, |t| match t {
            Table::Int(m) => {
                m.set(key, value);
                Some(())
            }
            _ => None,
        }))
    })
}

/// `获取整数(h, 键)` → the value of `键`, 0 when missing.
///
/// # Safety
/// `key` is null or a live string.
pub unsafe extern "C" fn qi_hashmap_int_get(h: i64, key: *const Str) -> i64 {
    // SAFETY: per the caller.
    let key = unsafe { text(key) };
    guard(|| {
        read(h, |t| match t {
            Table::Int(m) => m.get(key).copied(),
            _ => None,
        })
        .unwrap_or(0)
    })
}

/// `设置浮点数(h, 键, 值)` → 1, `键` now `值`; 0 when `h` names no float table.
///
/// # Safety
/// `key` is null or a live string.
pub unsafe extern "C" fn qi_hashmap_float_set(h: i64, key: *const Str, value: f64) -> i64 {
    // SAFETY: per the caller.
    let key = unsafe { text(key) };
    guard(|| {
        done(write(h, |t| match t {
            Table::Float(m) => {
                m.set(key, value);
                Some(())
            }
            _ => None,
        }))
    })
}

/// `获取浮点数(h, 键)` → the value of `键`, 0.0 when missing.
///
/// # Safety
/// `key` is null or a live string.
pub unsafe extern "C" fn qi_hashmap_float_get(h: i64, key: *const Str) -> f64 {
    // SAFETY: per the caller.
    let key = unsafe { text(key) };
    guard(|| {
        read(h, |t| match t {
            Table::Float(m) => m.get(key).copied(),
            _ => None,
        })
        .unwrap_or(0.0)
    })
}

/// `设置字符串(h, 键, 值)` → 1, `键` now a copy of `值`; 0 when `h` names no string table.
///
/// # Safety
/// `key` and `value` are null or live strings.
pub unsafe extern "C" fn qi_hashmap_string_set(h: i64, key: *const Str, value: *const Str) -> i64 {
    // SAFETY: per the caller.
    let (key, value) = unsafe { (text(key), text(value)) };
    guard(|| {
        done(write(h, |t| match t {
            Table::Text(m) => {
                m.set(key, value.to_owned());
                Some(())
            }
            _ => None,
        }))
    })
}

/// `获取字符串(h, 键)` → a fresh copy of the value of `键`; the null string when missing
/// (it equals `""`; `打印行` prints nothing at all for it, builtins.md §G.4).
///
/// # Safety
/// `key` is null or a live string.
pub unsafe extern "C" fn qi_hashmap_string_get(h: i64, key: *const Str) -> *mut Str {
    // SAFETY: per the caller.
    let key = unsafe { text(key) };
    guard(|| {
        // Copied into the Qi string under the lock: no intermediate Rust copy.
        read(h, |t| match t {
            Table::Text(m) => m.get(key).map(|v| new_str(v)),
            _ => None,
        })
        .unwrap_or(std::ptr::null_mut())
    })
}

// Any kind

/// `包含键(h, 键)` → 1 when the table of any kind holds `键`, else 0.
///
/// # Safety
/// `key` is null or a live string.
pub unsafe extern "C" fn qi_hashmap_contains(h: i64, key: *const Str) -> i64 {
    // SAFETY: per the caller.
    let key = unsafe { text(key) };
    guard(|| read(h, |t| Some(t.contains(key) as i64)).unwrap_or(0))
}

/// `删除键(h, 键)` → 1 when `键` was in the table (of any kind) and is removed, else 0.
///
/// # Safety
/// `key` is null or a live string.
pub unsafe extern "C" fn qi_hashmap_remove(h: i64, key: *const Str) -> i64 {
    // SAFETY: per the caller.
    let key = unsafe { text(key) };
    guard(|| done(write(h, |t| t.remove(key).then_some(()))))
}

/// `表大小(h)` → the number of keys of the table of any kind.
pub extern "C" fn qi_hashmap_int_size(h: i64) -> i64 {
    guard(|| read(h, |t| Some(t.len() as i64)).unwrap_or(0))
}

/// `浮点表大小(h)` → the number of keys of the float table `h`.
pub extern "C" fn qi_hashmap_float_size(h: i64) -> i64 {
    guard(|| read(h, |t| matches!(t, Table::Float(_)).then(|| t.len() as i64)).unwrap_or(0))
}

/// `字符串表大小(h)` → the number of keys of the string table `h`.
pub extern "C" fn qi_hashmap_string_size(h: i64) -> i64 {
    guard(|| read(h, |t| matches!(t, Table::Text(_)).then(|| t.len() as i64)).unwrap_or(0))
}

/// `清空表(h)` → 1, the table of any kind now empty (its keys and values freed).
pub extern "C" fn qi_hashmap_int_clear(h: i64) -> i64 {
    guard(|| {
        done(write(h, |t| {
            t.clear();
            Some(())
        }))
    })
}

/// `释放表(h)` → 1, the table of any kind and everything it holds freed; its handle then
/// names nothing. 0 when `h` names no table.
pub extern "C" fn qi_hashmap_free(h: i64) -> i64 {
    guard(|| TABLES.remove(h) as i64)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::object::qi_release;
    use crate::string::new_str;

    /// Runs `f` on a fresh Qi string holding `s`, then releases it.
    fn with_str<R>(s: &str, f: impl FnOnce(*const Str) -> R) -> R {
        let p = new_str(s);
        let r = f(p);
        // SAFETY: `p` is the string made above, released once.
        unsafe { qi_release(p.cast()) };
        r
    }

    fn take(p: *mut Str) -> String {
        // SAFETY: `p` is a fresh string from an entry point, released once.
        let s = unsafe { str_as_str(p) }.to_owned();
        unsafe { qi_release(p.cast()) };
        s
    }

    #[test]
    fn kinds_share_one_counter_and_other_kinds_name_nothing() {
        let ints = qi_hashmap_int_create();
        let floats = qi_hashmap_float_create();
        let texts = qi_hashmap_string_create();
        assert!(ints < floats && floats < texts, "one counter, never reused");
        with_str("键", |k| unsafe {
            assert_eq!(qi_hashmap_int_set(ints, k, 4), 1);
            assert_eq!(qi_hashmap_int_set(floats, k, 4), 0);
            assert_eq!(qi_hashmap_float_set(floats, k, 0.5), 1);
            assert_eq!(qi_hashmap_int_get(floats, k), 0);
            assert_eq!(qi_hashmap_float_get(floats, k), 0.5);
            with_str("值", |v| assert_eq!(qi_hashmap_string_set(texts, k, v), 1));
            assert_eq!(take(qi_hashmap_string_get(texts, k)), "值");
            assert_eq!(take(qi_hashmap_string_get(ints, k)), "");
            assert_eq!(qi_hashmap_contains(floats, k), 1);
        });
        assert_eq!(qi_hashmap_int_size(floats), 1, "表大小 takes any kind");
        assert_eq!(qi_hashmap_float_size(ints), 0);
        assert_eq!(qi_hashmap_string_size(texts), 1);
        for h in [ints, floats, texts] {
            assert_eq!(qi_hashmap_free(h), 1);
            assert_eq!(qi_hashmap_free(h), 0);
            assert_eq!(qi_hashmap_int_size(h), 0);
        }
    }

    #[test]
    fn free_drops_the_keys_and_values() {
        let h = qi_hashmap_string_create();
        with_str("甲", |k| with_str("乙", |v| unsafe { qi_hashmap_string_set(h, k, v) }));
        let held = TABLES.get(h).unwrap();
        assert_eq!(qi_hashmap_free(h), 1);
        assert!(TABLES.get(h).is_none());
        assert_eq!(std::sync::Arc::strong_count(&held), 1, "only this test holds it now");
    }

    #[test]
    fn a_set_copies_a_new_key_once_and_overwrites_an_old_one() {
        let h = qi_hashmap_int_create();
        with_str("k", |k| unsafe {
            assert_eq!(qi_hashmap_int_set(h, k, 1), 1);
            assert_eq!(qi_hashmap_int_set(h, k, 2), 1);
            assert_eq!(qi_hashmap_int_get(h, k), 2);
        });
        assert_eq!(qi_hashmap_int_size(h), 1);
        // Null is the empty string, an ordinary key.
        unsafe {
            assert_eq!(qi_hashmap_contains(h, std::ptr::null()), 0);
            assert_eq!(qi_hashmap_int_set(h, std::ptr::null(), 3), 1);
            with_str("", |k| assert_eq!(qi_hashmap_int_get(h, k), 3));
            assert_eq!(qi_hashmap_remove(h, std::ptr::null()), 1);
            assert_eq!(qi_hashmap_remove(h, std::ptr::null()), 0);
        }
        assert_eq!(qi_hashmap_int_clear(h), 1);
        assert_eq!(qi_hashmap_int_size(h), 0);
        assert_eq!(qi_hashmap_free(h), 1);
        assert_eq!(qi_hashmap_int_clear(h), 0);
    }
}
