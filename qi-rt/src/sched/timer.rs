//! Timers (sleeps, `选择` timeouts): one heap of deadlines served by one thread. A timer
//! only wakes its green thread (claiming its ticket); no worker ever blocks on time.

use std::collections::BinaryHeap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use parking_lot::{Condvar, Mutex};

use super::task::{Task, Xfer};

struct Entry {
    at: Instant,
    task: Arc<Task>,
    ticket: u64,
}

impl PartialEq for Entry {
    fn eq(&self, other: &Self) -> bool {
        self.at == other.at
    }
}
impl Eq for Entry {}
impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Entry {
    /// Earliest deadline first (the heap is a max-heap).
    fn cmp(&self, other: &Self) -> std::cmp::Ordering {
        other.at.cmp(&self.at)
    }
}

pub struct Timers {
    heap: Mutex<Heap>,
    changed: Condvar,
}

struct Heap {
    entries: BinaryHeap<Entry>,
    /// Size at which stale entries (of waits that ended otherwise) are dropped.
    prune_at: usize,
}

/// Is any entry's wait still open (a timer that can still wake something)?
fn any_open(heap: &BinaryHeap<Entry>) -> bool {
    heap.iter().any(|e| e.task.is_open(e.ticket))
}

impl Timers {
    pub fn new() -> Timers {
        Timers {
            heap: Mutex::new(Heap { entries: BinaryHeap::new(), prune_at: 1024 }),
            changed: Condvar::new(),
        }
    }

    /// Wake `task` (claiming `ticket`, with case -1) at `at`.
    pub fn add(&self, at: Instant, task: Arc<Task>, ticket: u64) {
        let mut heap = self.heap.lock();
        // A `选择` woken by a channel leaves its timer behind; drop such entries from time
        // to time so that a loop of long timeouts does not accumulate them.
        if heap.entries.len() >= heap.prune_at {
            heap.entries.retain(|e| e.task.is_open(e.ticket));
            heap.prune_at = (heap.entries.len() * 2).max(1024);
        }
        let earliest = heap.entries.peek().is_none_or(|e| at < e.at);
        heap.entries.push(Entry { at, task, ticket });
        if earliest {
            self.changed.notify_one();
        }
    }

    /// Runs `f(any timer can still wake a green thread)` under the heap's lock: a timer's
    /// wake-up also happens under it, so the deadlock check sees either the entry or the
    /// woken task. Entries of waits that ended otherwise do not count.
    pub fn with_pending<R>(&self, f: impl FnOnce(bool) -> R) -> R {
        let heap = self.heap.lock();
        f(any_open(&heap.entries))
    }

    /// The timer thread's loop (never returns).
    pub fn serve(&self) {
        let mut heap = self.heap.lock();
        loop {
            let now = Instant::now();
            match heap.entries.peek() {
                None => self.changed.wait(&mut heap),
                Some(e) if e.at > now => {
                    let wait = e.at - now;
                    self.changed.wait_for(&mut heap, wait.max(Duration::from_micros(50)));
                }
                Some(_) => {
                    let e = heap.entries.pop().expect("peeked");
                    if e.task.claim(e.ticket) {
                        // SAFETY: we claimed the ticket and have not woken the task.
                        unsafe { e.task.set_xfer(Xfer { value: 0, case: -1, ok: true }) };
                        // Woken under the lock: the deadlock check sees either the entry
                        // or the runnable task.
                        super::wake(e.task);
                    } else if !any_open(&heap.entries) {
                        // A stale entry was the last thing a deadlock check waited for.
                        super::deadlock_if_idle();
                    }
                }
            }
        }
    }
}
