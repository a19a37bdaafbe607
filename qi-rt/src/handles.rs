//! Handle tables: what the standard library keeps behind the `整数` handles Qi programs
//! hold (lists, hash maps, JSON values, mutexes, sub-processes …, builtins.md §G.1).
//!
//! Handles of one table are positive integers counted from 1 and never reused, so a
//! stale handle names nothing instead of someone else's value. Handle `h` is slot `h - 1`
//! of a vector; a freed slot is `None` (8 bytes stay behind per freed handle, the price of
//! never reusing one). Items are `Arc`s: an operation clones the item out under the
//! table's read lock and works on it after releasing that lock, so a long operation (a
//! sub-process read, a big JSON encode) never blocks other handles, and freeing a handle
//! while another green thread still uses its item only drops the item when that thread is
//! done. Every table is safe to use from green threads on several workers at once; items
//! needing mutation carry their own lock.
//!
//! Tables whose values the program frees explicitly (`删除列表`, `释放表`, `JSON.删除` …)
//! are *counted*: `qi run --leak-report` lists how many handles of each such kind are
//! still live at exit ([`live_handle_counts`]).

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use parking_lot::RwLock;

/// The kinds of handles the leak report counts (those with a freeing function).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum HandleKind {
    List,
    HashMap,
    Json,
    Subprocess,
}

impl HandleKind {
    pub const ALL: [HandleKind; 4] =
        [HandleKind::List, HandleKind::HashMap, HandleKind::Json, HandleKind::Subprocess];

    pub fn name(self) -> &'static str {
        match self {
            HandleKind::List => "list-handles",
            HandleKind::HashMap => "hashmap-handles",
            HandleKind::Json => "json-handles",
            HandleKind::Subprocess => "subprocess-handles",
        }
    }

    pub fn name_zh(self) -> &'static str {
        match self {
            HandleKind::List => "列表句柄",
            HandleKind::HashMap => "哈希表句柄",
            HandleKind::Json => "JSON句柄",
            HandleKind::Subprocess => "子进程句柄",
        }
    }
}

static LIVE: [AtomicUsize; HandleKind::ALL.len()] =
    [const { AtomicUsize::new(0) }; HandleKind::ALL.len()];

/// Live handles of every counted kind (all tables of that kind together).
pub fn live_handle_counts() -> Vec<(HandleKind, usize)> {
    HandleKind::ALL.iter().map(|&k| (k, LIVE[k as usize].load(Ordering::Relaxed))).collect()
}

/// One table of handles naming `T`s.
pub struct Handles<T> {
    items: RwLock<Vec<Option<Arc<T>>>>,
    counted: Option<HandleKind>,
}

impl<T> Handles<T> {
    /// A table the leak report does not count (its items are small and many programs
    /// never free them: wait groups, mutexes, atomics, timers, join handles).
    pub const fn new() -> Handles<T> {
        Handles { items: RwLock::new(Vec::new()), counted: None }
    }

    /// A table whose live handles the leak report counts as `kind`.
    pub const fn counted(kind: HandleKind) -> Handles<T> {
        Handles { items: RwLock::new(Vec::new()), counted: Some(kind) }
    }

    /// A new handle naming `item`.
    pub fn add(&self, item: T) -> i64 {
        self.add_shared(Arc::new(item))
    }

    /// A new handle naming `item`, which the caller may keep sharing.
    pub fn add_shared(&self, item: Arc<T>) -> i64 {
        let mut items = self.items.write();
        items.push(Some(item));
        if let Some(kind) = self.counted {
            LIVE[kind as usize].fetch_add(1, Ordering::Relaxed);
        }
        items.len() as i64
    }

    /// The item `handle` names, if any.
    pub fn get(&self, handle: i64) -> Option<Arc<T>> {
        let items = self.items.read();
        let slot = usize::try_from(handle.wrapping_sub(1)).ok().and_then(|i| items.get(i));
        slot.and_then(Option::clone)
    }

    /// Runs `f` on the item `handle` names while holding the table's read lock (cheaper
    /// than [`Handles::get`] for short operations: no reference-count traffic). `f` must
    /// not park the green thread nor touch this table's handles.
    pub fn with<R>(&self, handle: i64, f: impl FnOnce(&T) -> R) -> Option<R> {
        let items = self.items.read();
        let slot = usize::try_from(handle.wrapping_sub(1)).ok().and_then(|i| items.get(i));
        slot.and_then(Option::as_ref).map(|item| f(item))
    }

    /// Frees what `handle` names when `may_free` allows it; whether it did. (A green
    /// thread using the item at that moment keeps it alive until it is done.)
    pub fn remove_if(&self, handle: i64, may_free: impl FnOnce(&T) -> bool) -> bool {
        let removed = {
            let mut items = self.items.write();
            let Some(slot) =
                usize::try_from(handle.wrapping_sub(1)).ok().and_then(|i| items.get_mut(i))
            else {
                return false;
            };
            match slot {
                Some(item) if may_free(item) => slot.take(),
                _ => None,
            }
        };
        let Some(item) = removed else { return false };
        if let Some(kind) = self.counted {
            LIVE[kind as usize].fetch_sub(1, Ordering::Relaxed);
        }
        // Dropped outside the lock: freeing a big value takes time.
        drop(item);
        true
    }

    /// Frees what `handle` names; whether it named something.
    pub fn remove(&self, handle: i64) -> bool {
        self.remove_if(handle, |_| true)
    }

    /// How many handles of this table are live.
    pub fn live(&self) -> usize {
        self.items.read().iter().filter(|s| s.is_some()).count()
    }
}

impl<T> Default for Handles<T> {
    fn default() -> Self {
        Handles::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handles_count_from_one_and_are_never_reused() {
        let t: Handles<i32> = Handles::new();
        assert_eq!(t.add(7), 1);
        assert_eq!(t.add(8), 2);
        assert!(t.remove(1));
        assert!(!t.remove(1));
        assert_eq!(t.get(1), None);
        assert_eq!(t.add(9), 3);
        assert_eq!(t.with(2, |v| *v), Some(8));
        assert_eq!(t.get(0), None);
        assert_eq!(t.get(-5), None);
        assert_eq!(t.get(i64::MIN), None);
        assert_eq!(t.live(), 2);
    }

    #[test]
    fn remove_if_may_refuse() {
        let t: Handles<String> = Handles::new();
        let h = t.add("子".to_owned());
        assert!(!t.remove_if(h, |_| false));
        assert_eq!(t.live(), 1);
        assert!(t.remove_if(h, |s| s == "子"));
        assert_eq!(t.live(), 0);
    }

    #[test]
    fn an_item_in_use_outlives_its_handle() {
        let t: Handles<String> = Handles::new();
        let h = t.add("值".to_owned());
        let held = t.get(h).unwrap();
        assert!(t.remove(h));
        assert_eq!(*held, "值");
    }

    #[test]
    fn green_threads_on_several_workers_may_share_a_table() {
        let t: Arc<Handles<parking_lot::Mutex<Vec<i64>>>> = Arc::new(Handles::new());
        let h = t.add(parking_lot::Mutex::new(Vec::new()));
        let threads: Vec<_> = (0..4)
            .map(|k| {
                let t = t.clone();
                std::thread::spawn(move || {
                    for i in 0..1000 {
                        t.with(h, |v| v.lock().push(k * 1000 + i));
                        t.add(parking_lot::Mutex::new(Vec::new()));
                    }
                })
            })
            .collect();
        for th in threads {
            th.join().unwrap();
        }
        assert_eq!(t.get(h).unwrap().lock().len(), 4000);
        assert_eq!(t.live(), 4001);
    }
}
