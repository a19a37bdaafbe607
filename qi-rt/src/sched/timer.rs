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
    heap: Mutex<BinaryHeap<Entry>>,
    changed: Condvar,
    /// Heap size at which stale entries (of waits that ended otherwise) are dropped.
    prune_at: Mutex<usize>,
}

/// Is any entry's wait still open (a timer that can still wake something)?
fn any_open(heap: &BinaryHeap<Entry>) -> bool {
    heap.iter().any(|e| e.task.is_open(e.ticket))
}

impl Timers {
    pub fn new() -> Timers {
        Timers { heap: Mutex::new(BinaryHeap::new()), changed: Condvar::new(), prune_at: Mutex::new(1024) }
    }

    /// Wake `task` (claiming `ticket`, with case -1) at `at`.
    pub fn add(&self, at: Instant, task: Arc<Task>, ticket: u64) {
        let mut heap = self.heap.lock();
        // A `选择` woken by a channel leaves its timer behind; drop such entries from time
        // to time so that a loop of long timeouts does not accumulate them.
        let mut prune_at = self.prune_at.lock();
        if heap.len() >= *prune_at {
            heap.retain(|e| e.task.is_open(e.ticket));
            *prune_at = (heap.len() * 2).max(1024);
        }
        drop(prune_at);
        let earliest = heap.peek().is_none_or(|e| at < e.at);
        heap.push(Entry { at, task, ticket });
        if earliest {
            self.changed.notify_one();
        }
    }

    /// Runs `f(any timer can still wake a green thread)` under the heap's lock: a timer's
    /// wake-up also happens under it, so the deadlock check sees either the entry or the
    /// woken task. Entries of waits that ended otherwise do not count.
    pub fn with_pending<R>(&self, f: impl FnOnce(bool) -> R) -> R {
        let heap = self.heap.lock();
        f(any_open(&heap))
    }

    /// The timer thread's loop (never returns).
    pub fn serve(&self) {
        let mut heap = self.heap.lock();
        loop {
            let now = Instant::now();
            match heap.peek() {
                None => self.changed.wait(&mut heap),
                Some(e) if e.at > now => {
                    let wait = e.at - now;
                    self.changed.wait_for(&mut heap, wait.max(Duration::from_micros(50)));
                }
                Some(_) => {
                    let e = heap.pop().expect("peeked");
                    if e.task.claim(e.ticket) {
                        // SAFETY: we claimed the ticket and have not woken the task.
                        unsafe { e.task.set_xfer(Xfer { value: 0, case: -1, ok: true }) };
                        // Woken under the lock: the deadlock check sees either the entry
                        // or the runnable task.
                        super::wake(e.task);
                    } else if !any_open(&heap) {
                        // A stale entry was the last thing a deadlock check waited for.
                        super::deadlock_if_idle();
                    }
                }
            }
        }
    }
}
