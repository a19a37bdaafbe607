//! The `列表` module (builtins.md §G.3/§G.4): typed dynamic lists of integers, floats,
//! strings and pointers behind `整数` handles. Handles come from one counter starting at 1
//! (§G.1) and are never reused. A handle that names no list of the right kind — never
//! created, freed, or a list of another kind — gives 0 / 0.0 / `""` and does nothing;
//! nothing here raises. Mutators return 1 on success and 0 otherwise.
//!
//! One handle table (`crate::handles`) holds every list, each behind its own mutex, so
//! green threads on several workers may use one list at once; the lock is held only for
//! one operation and never across a park. Strings are stored as Rust copies: the list owns them, and `删除列表` (or
//! removing the element) frees them. A pointer list stores the integers (handles or
//! addresses) it is given; `获取指针` gives the stored value as decimal text, `""` when
//! out of range (docs/LANGUAGE-NOTES.md).

use parking_lot::Mutex;

use crate::array::{new_string_array, Array};
use crate::guard::guard;
use crate::handles::{HandleKind, Handles};
use crate::string::{new_str, str_as_str, Str};

/// One list.
enum List {
    Int(Vec<i64>),
    Float(Vec<f64>),
    Text(Vec<String>),
    Pointer(Vec<i64>),
}

/// Every list, of every kind: one handle counter for the module.
static LISTS: Handles<Mutex<List>> = Handles::counted(HandleKind::List);

/// A new list's handle.
fn create(list: List) -> i64 {
    LISTS.add(Mutex::new(list))
}

/// A new string list holding `items` (`字符串.分割` returns one).
pub fn new_string_list(items: Vec<String>) -> i64 {
    create(List::Text(items))
}

/// A new integer list holding `items` (a byte buffer of `压缩.压缩字节` is one).
pub fn new_int_list(items: Vec<i64>) -> i64 {
    create(List::Int(items))
}

/// A copy of the elements of the integer list `h`; `None` when `h` names no integer list.
pub fn int_list_items(h: i64) -> Option<Vec<i64>> {
    ints(h, |l| Some(l.clone()))
}

/// Runs `f` on the list `h` under its lock; `None` when `h` names no list.
fn with<R>(h: i64, f: impl FnOnce(&mut List) -> Option<R>) -> Option<R> {
    LISTS.with(h, |l| f(&mut l.lock())).flatten()
}

fn ints<R>(h: i64, f: impl FnOnce(&mut Vec<i64>) -> Option<R>) -> Option<R> {
    with(h, |l| if let List::Int(v) = l { f(v) } else { None })
}

fn floats<R>(h: i64, f: impl FnOnce(&mut Vec<f64>) -> Option<R>) -> Option<R> {
    with(h, |l| if let List::Float(v) = l { f(v) } else { None })
}

fn texts<R>(h: i64, f: impl FnOnce(&mut Vec<String>) -> Option<R>) -> Option<R> {
    with(h, |l| if let List::Text(v) = l { f(v) } else { None })
}

fn pointers<R>(h: i64, f: impl FnOnce(&mut Vec<i64>) -> Option<R>) -> Option<R> {
    with(h, |l| if let List::Pointer(v) = l { f(v) } else { None })
}

/// `i` as an index into a list of `len` elements (`..=len` when `insert`).
fn index(i: i64, len: usize, insert: bool) -> Option<usize> {
    let i = usize::try_from(i).ok()?;
    (i < len || (insert && i == len)).then_some(i)
}

/// 1 for `Some`, 0 for `None`.
fn done(r: Option<()>) -> i64 {
    r.is_some() as i64
}

// 整数列表

/// `创建整数列表()` → a new integer list's handle.
pub extern "C" fn qi_list_int_create() -> i64 {
    guard(|| create(List::Int(Vec::new())))
}

/// `添加整数(h, v)` → 1, appending `v`.
pub extern "C" fn qi_list_int_push(h: i64, v: i64) -> i64 {
    guard(|| {
        done(ints(h, |l| {
            l.push(v);
            Some(())
        }))
    })
}

/// `获取整数(h, i)` → element `i`, 0 out of range.
pub extern "C" fn qi_list_int_get(h: i64, i: i64) -> i64 {
    guard(|| ints(h, |l| l.get(index(i, l.len(), false)?).copied()).unwrap_or(0))
}

/// `设置整数(h, i, v)` → 1, element `i` now `v`; 0 out of range.
pub extern "C" fn qi_list_int_set(h: i64, i: i64, v: i64) -> i64 {
    guard(|| {
        done(ints(h, |l| {
            let i = index(i, l.len(), false)?;
            l[i] = v;
            Some(())
        }))
    })
}

/// `整数列表大小(h)` → its length.
pub extern "C" fn qi_list_int_size(h: i64) -> i64 {
    guard(|| ints(h, |l| Some(l.len() as i64)).unwrap_or(0))
}

/// `弹出整数(h)` → the last element, removed; 0 when empty.
pub extern "C" fn qi_list_int_pop(h: i64) -> i64 {
    guard(|| ints(h, |l| l.pop()).unwrap_or(0))
}

/// `清空整数列表(h)` → 1, the list now empty.
pub extern "C" fn qi_list_int_clear(h: i64) -> i64 {
    guard(|| {
        done(ints(h, |l| {
            l.clear();
            Some(())
        }))
    })
}

/// `删除整数元素(h, i)` → 1, element `i` removed; 0 out of range.
pub extern "C" fn qi_list_int_remove(h: i64, i: i64) -> i64 {
    guard(|| {
        done(ints(h, |l| {
            let i = index(i, l.len(), false)?;
            l.remove(i);
            Some(())
        }))
    })
}

/// `插入整数(h, i, v)` → 1, `v` now at `i` (`i` may be the length); 0 out of range.
pub extern "C" fn qi_list_int_insert(h: i64, i: i64, v: i64) -> i64 {
    guard(|| {
        done(ints(h, |l| {
            let i = index(i, l.len(), true)?;
            l.insert(i, v);
            Some(())
        }))
    })
}

/// `包含整数(h, v)` → 1 when `v` is an element.
pub extern "C" fn qi_list_int_contains(h: i64, v: i64) -> i64 {
    guard(|| ints(h, |l| Some(l.contains(&v) as i64)).unwrap_or(0))
}

/// `查找整数索引(h, v)` → the index of the first `v`, -1 when absent (or no list).
pub extern "C" fn qi_list_int_index_of(h: i64, v: i64) -> i64 {
    guard(|| ints(h, |l| l.iter().position(|&x| x == v)).map_or(-1, |i| i as i64))
}

// 浮点列表

/// `创建浮点列表()` → a new float list's handle.
pub extern "C" fn qi_list_float_create() -> i64 {
    guard(|| create(List::Float(Vec::new())))
}

/// `添加浮点数(h, v)` → 1, appending `v`.
pub extern "C" fn qi_list_float_push(h: i64, v: f64) -> i64 {
    guard(|| {
        done(floats(h, |l| {
            l.push(v);
            Some(())
        }))
    })
}

/// `获取浮点数(h, i)` → element `i`, 0.0 out of range.
pub extern "C" fn qi_list_float_get(h: i64, i: i64) -> f64 {
    guard(|| floats(h, |l| l.get(index(i, l.len(), false)?).copied()).unwrap_or(0.0))
}

/// `浮点列表大小(h)` → its length.
pub extern "C" fn qi_list_float_size(h: i64) -> i64 {
    guard(|| floats(h, |l| Some(l.len() as i64)).unwrap_or(0))
}

// 字符串列表

/// `创建字符串列表()` → a new string list's handle.
pub extern "C" fn qi_list_string_create() -> i64 {
    guard(|| create(List::Text(Vec::new())))
}

/// `添加字符串(h, s)` → 1, appending a copy of `s`.
///
/// # Safety
/// `s` is null or a live string.
pub unsafe extern "C" fn qi_list_string_push(h: i64, s: *const Str) -> i64 {
    // SAFETY: per the caller.
    let s = unsafe { str_as_str(s) };
    guard(|| {
        done(texts(h, |l| {
            l.push(s.to_owned());
            Some(())
        }))
    })
}

/// `获取字符串(h, i)` → a fresh copy of element `i`; the null string out of range (it
/// equals `""`, and `打印行` prints nothing at all for it, builtins.md §G.4).
pub extern "C" fn qi_list_string_get(h: i64, i: i64) -> *mut Str {
    guard(|| match texts(h, |l| l.get(index(i, l.len(), false)?).cloned()) {
        Some(s) => new_str(&s),
        None => std::ptr::null_mut(),
    })
}

/// `字符串列表大小(h)` → its length.
pub extern "C" fn qi_list_string_size(h: i64) -> i64 {
    guard(|| texts(h, |l| Some(l.len() as i64)).unwrap_or(0))
}

/// `转字符串数组(h)` → a fresh `数组<字符串>` of its elements (empty when no list).
pub extern "C" fn qi_list_string_to_array(h: i64) -> *mut Array {
    guard(|| new_string_array(&texts(h, |l| Some(l.clone())).unwrap_or_default()))
}

// 指针列表

/// `创建指针列表()` → a new pointer list's handle.
pub extern "C" fn qi_list_ptr_create() -> i64 {
    guard(|| create(List::Pointer(Vec::new())))
}

/// `添加指针(h, p)` → 1, appending `p`.
pub extern "C" fn qi_list_ptr_push(h: i64, p: i64) -> i64 {
    guard(|| {
        done(pointers(h, |l| {
            l.push(p);
            Some(())
        }))
    })
}

/// `获取指针(h, i)` → element `i` as decimal text, `""` out of range.
pub extern "C" fn qi_list_ptr_get(h: i64, i: i64) -> *mut Str {
    guard(|| {
        let p = pointers(h, |l| l.get(index(i, l.len(), false)?).copied());
        new_str(&p.map(|p| p.to_string()).unwrap_or_default())
    })
}

/// `设置指针(h, i, p)` → 1, element `i` now `p`; 0 out of range.
pub extern "C" fn qi_list_ptr_set(h: i64, i: i64, p: i64) -> i64 {
    guard(|| {
        done(pointers(h, |l| {
            let i = index(i, l.len(), false)?;
            l[i] = p;
            Some(())
        }))
    })
}

/// `指针列表大小(h)` → its length.
pub extern "C" fn qi_list_ptr_size(h: i64) -> i64 {
    guard(|| pointers(h, |l| Some(l.len() as i64)).unwrap_or(0))
}

/// `删除列表(h)` → 1, the list of any kind and what it holds freed; its handle then
/// names nothing. 0 when `h` names no list.
pub extern "C" fn qi_list_free(h: i64) -> i64 {
    guard(|| LISTS.remove(h) as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handles_of_another_kind_or_freed_name_nothing() {
        let ints = qi_list_int_create();
        let floats = qi_list_float_create();
        assert!(floats > ints, "one counter, never reused");
        assert_eq!(qi_list_int_push(ints, 4), 1);
        assert_eq!(qi_list_int_push(floats, 4), 0);
        assert_eq!(qi_list_float_push(floats, 0.5), 1);
        assert_eq!(qi_list_float_size(ints), 0);
        assert_eq!(qi_list_int_get(ints, 0), 4);
        assert_eq!(qi_list_free(ints), 1);
        assert_eq!(qi_list_free(ints), 0);
        assert_eq!(qi_list_int_get(ints, 0), 0);
        assert_eq!(qi_list_int_index_of(ints, 4), -1);
        assert_eq!(qi_list_float_get(floats, 0), 0.5);
        assert_eq!(qi_list_free(floats), 1);
    }

    #[test]
    fn free_drops_the_strings_the_list_holds() {
        let h = new_string_list(vec!["甲".to_owned(), "乙".to_owned()]);
        assert_eq!(qi_list_string_size(h), 2);
        assert!(LISTS.get(h).is_some());
        assert_eq!(qi_list_free(h), 1);
        assert!(LISTS.get(h).is_none(), "the list and its strings are gone");
        assert_eq!(qi_list_string_size(h), 0);
    }

    #[test]
    fn indexes_are_checked() {
        assert_eq!(index(0, 0, false), None);
        assert_eq!(index(0, 0, true), Some(0));
        assert_eq!(index(2, 2, true), Some(2));
        assert_eq!(index(3, 2, true), None);
        assert_eq!(index(-1, 2, false), None);
        assert_eq!(index(1, 2, false), Some(1));
    }
}
