//! The scheduler starts only the OS threads a program needs: none while `入口` is the
//! only green thread (it runs on the thread that called `run_program`); the workers and
//! the monitor once a second green thread starts; the timer thread at the first timer.
//! Its own test binary: it counts the process's threads, which other tests' schedulers
//! would add to.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;

use qi_rt::object::Header;
use qi_rt::sched::{self, Entry, Outcome};

static SCENARIO: AtomicU64 = AtomicU64::new(0);
/// (workers, monitors, timers) seen by the program.
static SEEN: Mutex<(usize, usize, usize)> = Mutex::new((0, 0, 0));
/// The OS thread `入口` started on.
static STARTED_ON: Mutex<Option<std::thread::ThreadId>> = Mutex::new(None);

/// The scheduler's threads of this process, by kind, from their names.
fn scheduler_threads() -> (usize, usize, usize) {
    let mut counts = (0, 0, 0);
    for task in std::fs::read_dir("/proc/self/task").expect("procfs") {
        let comm =
            std::fs::read_to_string(task.expect("task").path().join("comm")).unwrap_or_default();
        let name = comm.trim_end();
        if name.starts_with("qi-worker-") {
            counts.0 += 1;
        } else if name == "qi-monitor" {
            counts.1 += 1;
        } else if name == "qi-timer" {
            counts.2 += 1;
        }
    }
    counts
}

unsafe extern "C" fn green(_c: *mut Header, _stack_budget: usize) -> u8 {
    0
}

unsafe extern "C" fn main_fn(_stack_budget: usize) -> u8 {
    *STARTED_ON.lock().unwrap() = Some(std::thread::current().id());
    if SCENARIO.load(Ordering::SeqCst) == 1 {
        // Any live object serves as the "closure": `green` ignores it.
        let c = qi_rt::chan::new_channel(0, false);
        // SAFETY: `c` is a live object; the green thread takes its own reference.
        unsafe { sched::spawn(c) };
        sched::sleep(1);
        // SAFETY: our reference.
        unsafe { qi_rt::object::release(c) };
    }
    *SEEN.lock().unwrap() = scheduler_threads();
    0
}

fn run(scenario: u64) -> (usize, usize, usize) {
    SCENARIO.store(scenario, Ordering::SeqCst);
    let outcome = sched::run_program(Entry { main: main_fn, closure: green }, 4.into());
    assert_eq!(outcome, Outcome::Finished);
    *SEEN.lock().unwrap()
}

#[test]
fn only_needed_threads_start() {
    assert_eq!(run(0), (0, 0, 0), "入口 alone: no worker thread, no monitor, no timer");
    assert_eq!(
        *STARTED_ON.lock().unwrap(),
        Some(std::thread::current().id()),
        "入口 runs on the thread that called run_program"
    );
    let (workers, monitors, timers) = run(1);
    // Workers 1-3 start with the second green thread; worker 0 leaves the calling thread
    // for one of its own when `入口` parks in its sleep, a thread that may not have its
    // name yet when `入口` looks.
    assert!(workers >= 3, "a second green thread starts the other 3 workers (saw {workers})");
    assert!(monitors >= 1, "a second green thread starts the monitor");
    assert!(timers >= 1, "a sleep starts the timer thread");
}
