//! The scheduler, channels and wait groups driven from Rust "programs" (entry functions
//! standing in for generated code), on 1 and 4 workers. One test function: a process has
//! one running scheduler at a time.

use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};

use qi_rt::chan::{self, Channel};
use qi_rt::object::{release, Header};
use qi_rt::sched::{self, Entry, Outcome};

static RESULT: AtomicI64 = AtomicI64::new(0);
static SCENARIO: AtomicU64 = AtomicU64::new(0);

const SENDERS: u64 = 2000;
const ROUNDS: u64 = 20_000;

fn ch(p: *mut Header) -> *mut Channel {
    p as *mut Channel
}

/// The "closure" a green thread runs is the channel it works on.
unsafe extern "C" fn green(c: *mut Header, _stack_budget: usize) -> u8 {
    // SAFETY: every scenario spawns with a live channel.
    unsafe {
        match SCENARIO.load(Ordering::SeqCst) {
            // Fan-in: send 1.
            0 => {
                let _ = chan::send(ch(c), 1);
            }
            // Ping-pong: receive v, send v + 1 on the same (unbuffered) channel.
            1 => {
                for _ in 0..ROUNDS {
                    let (v, _) = chan::recv(ch(c));
                    let _ = chan::send(ch(c), v + 1);
                }
            }
            _ => {}
        }
    }
    0
}

unsafe extern "C" fn main_fn(_stack_budget: usize) -> u8 {
    // SAFETY: channels made here stay alive until released at the end.
    unsafe {
        match SCENARIO.load(Ordering::SeqCst) {
            0 => {
                let c = chan::new_channel(16, false);
                for _ in 0..SENDERS {
                    sched::spawn(c);
                }
                let mut sum = 0;
                for _ in 0..SENDERS {
                    sum += chan::recv(ch(c)).0 as i64;
                }
                RESULT.store(sum, Ordering::SeqCst);
                release(c);
            }
            1 => {
                let c = chan::new_channel(0, false);
                sched::spawn(c);
                let mut v = 0;
                for _ in 0..ROUNDS {
                    let _ = chan::send(ch(c), v);
                    v = chan::recv(ch(c)).0;
                }
                RESULT.store(v as i64, Ordering::SeqCst);
                release(c);
            }
            2 => {
                // Nobody ever sends: a deadlock.
                let c = chan::new_channel(0, false);
                chan::recv(ch(c));
            }
            3 => {
                // A select that times out, then one that takes a buffered value.
                let a = chan::new_channel(1, false);
                chan::select_begin();
                chan::select_add(ch(a), None);
                let first = chan::select_wait(20, false).ok().unwrap_or(99);
                let _ = chan::send(ch(a), 7);
                chan::select_begin();
                chan::select_add(ch(a), None);
                let second = chan::select_wait(i64::MIN, false).ok().unwrap_or(99);
                let v = chan::take_held();
                RESULT.store(first * 100 + second * 10 + v as i64, Ordering::SeqCst);
                release(a);
            }
            _ => {}
        }
    }
    0
}

fn run(scenario: u64, workers: usize) -> (Outcome, i64) {
    SCENARIO.store(scenario, Ordering::SeqCst);
    RESULT.store(-1, Ordering::SeqCst);
    let outcome = sched::run_program(Entry { main: main_fn, closure: green }, workers.into());
    (outcome, RESULT.load(Ordering::SeqCst))
}

#[test]
fn scheduler_scenarios() {
    for workers in [1, 4] {
        assert_eq!(run(0, workers), (Outcome::Finished, SENDERS as i64), "fan-in on {workers}");
        assert_eq!(run(1, workers), (Outcome::Finished, ROUNDS as i64), "ping-pong on {workers}");
        assert_eq!(run(2, workers).0, Outcome::Deadlock(1), "deadlock on {workers}");
        assert_eq!(run(3, workers), (Outcome::Finished, -100 + 7), "select on {workers}");
    }
}
