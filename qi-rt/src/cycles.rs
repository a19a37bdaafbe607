//! The cycle collector: synchronous trial deletion over candidate roots (Bacon and
//! Rajan, "Concurrent Cycle Collection in Reference Counted Systems", 2001, its
//! synchronous part).
//!
//! Reference counting frees everything except cycles. Only objects allocated with
//! `FLAG_MAY_CYCLE` (records and arrays whose type can reach itself, decided by qi-ir
//! `cycles`) take part; everything else is a leaf or an outside reference to the
//! collector, and costs nothing.
//!
//! * **Candidates.** A watched object whose count drops to a non-zero value may have
//!   become the entry of a garbage cycle: it goes into the candidate buffer, once
//!   (`FLAG_BUFFERED` for objects of one thread, a set for shared ones, whose flags
//!   other threads read). The buffer holds a reference to each candidate, so a candidate
//!   is never freed behind its back; a collection gives those references back.
//! * **Collection** (when the buffer reaches its threshold, and at exit): every object
//!   reachable from the candidates through watched objects is marked gray, and each
//!   reference between them is subtracted from its target's count (`mark_gray`). What
//!   keeps a count above zero is then a reference from outside: that object and all it
//!   reaches are live again and get their counts back (`scan`, `scan_black`). The rest
//!   (white) is garbage only referenced from itself: it is freed, and the references it
//!   holds to objects outside the collector's view are released as usual.
//! * **Threads.** A collection reads and writes counts without atomics, so it runs only
//!   when no other green thread exists: the one running is the only unfinished green
//!   thread (`sched::alone`), or the program has ended. Then even shared objects are
//!   collected. Otherwise the buffer keeps growing (threshold doubled) until that holds,
//!   at the latest at exit (docs/CONCURRENCY.md).

use std::collections::HashSet;
use std::sync::atomic::Ordering;
use std::sync::LazyLock;
use std::time::{Duration, Instant};

use parking_lot::Mutex;

use crate::object::{
    self, Header, FLAG_BUFFERED, FLAG_GRAY, FLAG_MAY_CYCLE, FLAG_SHARED, FLAG_WHITE,
};

/// Candidates that start a collection; raised after a collection to the number of live
/// objects it went through, so that a large live cyclic structure is not traversed
/// again and again for a few candidates (the work per candidate stays bounded).
const BASE_THRESHOLD: usize = 10_000;

struct Buffer {
    /// Candidates (addresses), each holding one reference.
    roots: Vec<usize>,
    /// The shared objects among `roots`.
    shared: HashSet<usize>,
    threshold: usize,
    /// A collection is running: the candidates its frees produce wait for the next one.
    collecting: bool,
}

static BUFFER: LazyLock<Mutex<Buffer>> = LazyLock::new(|| {
    Mutex::new(Buffer {
        roots: Vec::new(),
        shared: HashSet::new(),
        threshold: BASE_THRESHOLD,
        collecting: false,
    })
});

/// What one collection did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Collection {
    /// Candidates it started from.
    pub candidates: usize,
    /// Objects it went through (gray).
    pub traversed: usize,
    /// Objects it freed (white).
    pub freed: usize,
    pub pause: Duration,
}

/// A reference to `p` that is not the last one is being dropped: if `p` is not a
/// candidate yet, the reference becomes the buffer's (returns true: the caller must not
/// drop it); otherwise returns false and the caller drops it.
///
/// # Safety
/// `p` is a live object with `FLAG_MAY_CYCLE` and the caller owns a reference to it.
pub(crate) unsafe fn buffer(p: *mut Header) -> bool {
    // SAFETY: live per the caller.
    let flags = unsafe { (*p).flags };
    let shared = flags & FLAG_SHARED != 0;
    if !shared {
        if flags & FLAG_BUFFERED != 0 {
            return false;
        }
        // SAFETY: an object of this thread only: nobody else reads its flags.
        unsafe { (*p).flags = flags | FLAG_BUFFERED };
    }
    let due = {
        let mut b = BUFFER.lock();
        if shared && !b.shared.insert(p as usize) {
            return false;
        }
        b.roots.push(p as usize);
        !b.collecting && b.roots.len() >= b.threshold
    };
    if due {
        if crate::sched::alone() {
            // SAFETY: no other green thread exists, and this one is inside the runtime,
            // where the objects' counts are exact (the reference handed over is counted
            // as the buffer's).
            unsafe { collect() };
        } else {
            let mut b = BUFFER.lock();
            b.threshold = b.threshold.saturating_mul(2);
        }
    }
    true
}

/// What every collection so far did (`qi run --stats`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Totals {
    pub collections: usize,
    pub freed: usize,
    pub traversed: usize,
    pub total_pause: Duration,
    pub longest_pause: Duration,
}

static TOTALS: Mutex<Totals> = Mutex::new(Totals {
    collections: 0,
    freed: 0,
    traversed: 0,
    total_pause: Duration::ZERO,
    longest_pause: Duration::ZERO,
});

/// The sums over every collection so far.
pub fn totals() -> Totals {
    *TOTALS.lock()
}

/// Number of candidates waiting.
pub fn candidates() -> usize {
    BUFFER.lock().roots.len()
}

/// Collect until no candidate is left (frees can make new ones); at exit.
///
/// # Safety
/// As [`collect`].
pub unsafe fn collect_all() -> Collection {
    let mut total = Collection::default();
    while candidates() > 0 {
        // SAFETY: per the caller.
        let c = unsafe { collect() };
        total.candidates += c.candidates;
        total.traversed += c.traversed;
        total.freed += c.freed;
        total.pause += c.pause;
        if c.candidates == 0 {
            break; // another collection is running (cannot happen single-threaded)
        }
    }
    total
}

/// One collection over the candidates buffered so far.
///
/// # Safety
/// No other thread uses any object while it runs (no other green thread exists, or the
/// program has ended), and the caller holds no uncounted reference into a cycle.
pub unsafe fn collect() -> Collection {
    let start = Instant::now();
    let roots: Vec<*mut Header> = {
        let mut b = BUFFER.lock();
        if b.collecting {
            return Collection::default();
        }
        b.collecting = true;
        b.shared.clear();
        std::mem::take(&mut b.roots).into_iter().map(|a| a as *mut Header).collect()
    };
    // The buffer's references end with this collection: take them off now, so that the
    // counts are the program's own (a count may reach zero: a garbage object then).
    for &r in &roots {
        // SAFETY: candidates are live (the buffer held them).
        unsafe {
            (*r).flags &= !FLAG_BUFFERED;
            set_rc(r, rc(r) - 1);
        }
    }
    // SAFETY: single-threaded per the caller; every gray object is live.
    let traversed = unsafe { mark_gray(&roots) };
    // SAFETY: as above.
    unsafe { scan(&roots) };
    // SAFETY: as above.
    let white = unsafe { collect_white(&roots) };
    // SAFETY: the white objects are only referenced from each other.
    unsafe { free(&white) };
    let collection = Collection {
        candidates: roots.len(),
        traversed,
        freed: white.len(),
        pause: start.elapsed(),
    };
    let mut b = BUFFER.lock();
    b.collecting = false;
    b.threshold = BASE_THRESHOLD.max(traversed - white.len());
    drop(b);
    let mut t = TOTALS.lock();
    t.collections += 1;
    t.freed += collection.freed;
    t.traversed += collection.traversed;
    t.total_pause += collection.pause;
    t.longest_pause = t.longest_pause.max(collection.pause);
    collection
}

// ---------------------------------------------------------------------------
// The phases. Explicit stacks, no recursion: a cyclic list of a million nodes is a
// million levels deep.

/// Does the collector follow `p`?
fn watched(p: *mut Header) -> bool {
    // SAFETY: non-null objects reached by the collector are live.
    !p.is_null() && unsafe { (*p).flags } & FLAG_MAY_CYCLE != 0
}

/// # Safety
/// `p` is live and no other thread touches it.
unsafe fn rc(p: *mut Header) -> u32 {
    // SAFETY: per the caller.
    unsafe { (*p).rc.load(Ordering::Relaxed) }
}

/// # Safety
/// As [`rc`].
unsafe fn set_rc(p: *mut Header, n: u32) {
    // SAFETY: per the caller.
    unsafe { (*p).rc.store(n, Ordering::Relaxed) }
}

/// # Safety
/// As [`rc`].
unsafe fn has(p: *mut Header, colour: u8) -> bool {
    // SAFETY: per the caller.
    unsafe { (*p).flags & colour != 0 }
}

/// # Safety
/// As [`rc`]. `colour` is `FLAG_GRAY`, `FLAG_WHITE` or 0 (black).
unsafe fn paint(p: *mut Header, colour: u8) {
    // SAFETY: per the caller.
    unsafe { (*p).flags = ((*p).flags & !(FLAG_GRAY | FLAG_WHITE)) | colour };
}

/// Gray everything reachable from the roots through watched objects, subtracting each
/// reference between them from its target's count. Returns how many were grayed.
unsafe fn mark_gray(roots: &[*mut Header]) -> usize {
    let mut grayed = 0;
    let mut pending = Vec::new();
    for &r in roots {
        // SAFETY: live, single-threaded (the caller's contract).
        unsafe {
            if has(r, FLAG_GRAY) {
                continue;
            }
            paint(r, FLAG_GRAY);
        }
        grayed += 1;
        pending.push(r);
        while let Some(s) = pending.pop() {
            // SAFETY: gray objects are live; their children too.
            unsafe {
                object::for_each_child(s, |t| {
                    if watched(t) {
                        set_rc(t, rc(t) - 1);
                        if !has(t, FLAG_GRAY) {
                            paint(t, FLAG_GRAY);
                            grayed += 1;
                            pending.push(t);
                        }
                    }
                })
            };
        }
    }
    grayed
}

/// A gray object whose count stayed above zero is referenced from outside: it and what
/// it reaches are live (black); a gray object at zero is white, for now.
unsafe fn scan(roots: &[*mut Header]) {
    let mut pending: Vec<*mut Header> = roots.to_vec();
    while let Some(s) = pending.pop() {
        // SAFETY: reached from the roots through live objects.
        unsafe {
            if !has(s, FLAG_GRAY) {
                continue;
            }
            if rc(s) > 0 {
                scan_black(s);
            } else {
                paint(s, FLAG_WHITE);
                object::for_each_child(s, |t| {
                    if watched(t) {
                        pending.push(t)
                    }
                });
            }
        }
    }
}

/// `s` is live: blacken it and what it reaches, giving back the references that
/// `mark_gray` subtracted.
unsafe fn scan_black(s: *mut Header) {
    // SAFETY: a live gray or white object (the caller's).
    unsafe { paint(s, 0) };
    let mut pending = vec![s];
    while let Some(u) = pending.pop() {
        // SAFETY: black objects reached from a live one are live.
        unsafe {
            object::for_each_child(u, |t| {
                if watched(t) {
                    set_rc(t, rc(t) + 1);
                    if has(t, FLAG_GRAY | FLAG_WHITE) {
                        paint(t, 0);
                        pending.push(t);
                    }
                }
            })
        };
    }
}

/// The white objects (garbage), painted back to black so that each is listed once.
unsafe fn collect_white(roots: &[*mut Header]) -> Vec<*mut Header> {
    let mut white = Vec::new();
    let mut pending = Vec::new();
    for &r in roots {
        // SAFETY: roots are still allocated (nothing was freed yet).
        if !unsafe { has(r, FLAG_WHITE) } {
            continue;
        }
        // SAFETY: as above.
        unsafe { paint(r, 0) };
        white.push(r);
        pending.push(r);
        while let Some(s) = pending.pop() {
            // SAFETY: as above.
            unsafe {
                object::for_each_child(s, |t| {
                    if watched(t) && has(t, FLAG_WHITE) {
                        paint(t, 0);
                        white.push(t);
                        pending.push(t);
                    }
                })
            };
        }
    }
    white
}

/// Free the garbage. Its references to watched objects are already off their counts
/// (`mark_gray`); those to other objects are released as usual, once all of it is gone.
unsafe fn free(white: &[*mut Header]) {
    let mut outside = Vec::new();
    for &w in white {
        // SAFETY: garbage is intact until freed below.
        unsafe {
            object::for_each_child(w, |t| {
                if !t.is_null() && !watched(t) {
                    outside.push(t)
                }
            })
        };
    }
    for &w in white {
        // SAFETY: only other white objects referenced `w`; they are freed too, and no
        // one reads their slots any more.
        unsafe { object::free_shell(w) };
    }
    for t in outside {
        // SAFETY: each is a reference a freed object owned.
        unsafe { object::release(t) };
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::object::{live_count, ObjKind};
    use crate::record::{new_desc, qi_record_new, RecordDesc, RECORD_SLOTS_OFFSET};
    use crate::test_support::{exclusive, release};

    /// A watched struct layout: slot 0 an integer, slot 1 an object reference.
    fn desc() -> Box<RecordDesc> {
        new_desc(ObjKind::Struct, 2, vec![1], true)
    }

    fn node(d: &RecordDesc, value: u64) -> *mut Header {
        // SAFETY: the descriptor outlives the records of these tests.
        let r = unsafe { qi_record_new(d) } as *mut Header;
        set(r, 0, value);
        r
    }

    fn slot(r: *mut Header, i: usize) -> *mut u64 {
        (r as *mut u8).wrapping_add(RECORD_SLOTS_OFFSET as usize + 8 * i) as *mut u64
    }

    fn set(r: *mut Header, i: usize, v: u64) {
        // SAFETY: `r` is a live two-slot record held by the test.
        unsafe { *slot(r, i) = v };
    }

    fn get(r: *mut Header, i: usize) -> u64 {
        // SAFETY: as above.
        unsafe { *slot(r, i) }
    }

    /// `a.1 = b`, counting the new reference (as generated code does).
    fn link(a: *mut Header, b: *mut Header) {
        // SAFETY: both live; the slot was null.
        unsafe { object::retain(b) };
        set(a, 1, b as u64);
    }

    fn collect_now() -> Collection {
        // SAFETY: the tests run under `exclusive()` and hold no reference into garbage.
        unsafe { collect_all() }
    }

    #[test]
    fn garbage_pairs_are_freed_and_reachable_ones_kept() {
        let _g = exclusive();
        collect_now();
        let d = desc();
        let before = live_count(ObjKind::Struct);
        let mut kept = Vec::new();
        for i in 0..1000 {
            let a = node(&d, i);
            let b = node(&d, 1000 + i);
            link(a, b);
            link(b, a);
            release(b); // b lives on through a
            if i % 100 == 0 {
                kept.push(a);
            } else {
                release(a);
            }
        }
        assert_eq!(live_count(ObjKind::Struct), before + 2000, "cycles outlive their owners");
        let c = collect_now();
        assert_eq!(c.freed, 1980);
        assert_eq!(live_count(ObjKind::Struct), before + 20);
        for (k, &a) in kept.iter().enumerate() {
            let b = get(a, 1) as *mut Header;
            assert_eq!(get(a, 0), 100 * k as u64);
            assert_eq!(get(b, 0), 1000 + 100 * k as u64);
            assert_eq!(get(b, 1), a as u64, "the kept cycle is intact");
            // SAFETY: live objects of the test.
            assert_eq!(unsafe { rc(a) }, 2, "a's counts are restored: b and the test");
        }
        for a in kept {
            release(a);
        }
        collect_now();
        assert_eq!(live_count(ObjKind::Struct), before);
    }

    #[test]
    fn unwatched_children_of_garbage_are_released() {
        let _g = exclusive();
        collect_now();
        let strings = live_count(ObjKind::Str);
        // Slot 1 links the cycle, slot 2 holds a string (never watched).
        let d = new_desc(ObjKind::Struct, 3, vec![1, 2], true);
        let a = node(&d, 1);
        let b = node(&d, 2);
        link(a, b);
        link(b, a);
        set(a, 2, crate::string::new_str("环里的字符串") as u64);
        release(b);
        release(a);
        assert_eq!(live_count(ObjKind::Str), strings + 1);
        collect_now();
        assert_eq!(live_count(ObjKind::Str), strings);
    }

    #[test]
    fn a_long_cyclic_chain_needs_no_deep_native_stack() {
        let _g = exclusive();
        collect_now();
        let d = desc();
        let before = live_count(ObjKind::Struct);
        let first = node(&d, 0);
        let mut last = first;
        for i in 1..200_000 {
            let n = node(&d, i);
            link(last, n);
            release(n);
            last = n;
        }
        link(last, first);
        release(first);
        collect_now();
        assert_eq!(live_count(ObjKind::Struct), before);
        assert_eq!(candidates(), 0);
    }

    #[test]
    fn shared_cycles_are_collected_when_no_other_thread_runs() {
        let _g = exclusive();
        collect_now();
        let d = desc();
        let before = live_count(ObjKind::Struct);
        let a = node(&d, 1);
        let b = node(&d, 2);
        link(a, b);
        link(b, a);
        release(b);
        // SAFETY: `a` (and `b`) are not yet visible to another thread.
        unsafe { object::mark_shared(a) };
        let addr = a as usize;
        std::thread::spawn(move || release(addr as *mut Header)).join().unwrap();
        assert_eq!(live_count(ObjKind::Struct), before + 2);
        collect_now();
        assert_eq!(live_count(ObjKind::Struct), before);
    }
}
