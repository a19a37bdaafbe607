//! The `子进程` module (builtins.md §G.3, §G.4): child processes with piped standard input
//! and output, talked to line by line. Nothing here raises (§G.1): a handle that names no
//! child gives 0 / `""` and does nothing.
//!
//! A child's standard output is read by an I/O thread of its own, which queues the lines
//! and wakes the green threads waiting for one: `读取行` parks only the green thread
//! (`sched::park_external`), and `读取行超时` adds a scheduler timer to the same wait. The
//! child's standard error is the program's own (inherited). `写入行` writes directly: it
//! blocks its worker only while the pipe to the child is full (the child does not read).
//! `结束` kills the child (if it still runs) and reaps it, blocking its worker for that
//! moment.

use std::collections::VecDeque;
use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};

use parking_lot::Mutex;

use crate::guard::guard;
use crate::handles::{HandleKind, Handles};
use crate::program::line_text;
use crate::sched::{self, task::Task};
use crate::string::{new_str, str_as_str, Str};
use crate::sync::{wake_claimed, Waiters};

/// What a child wrote to its standard output and has not been read yet, and the green
/// threads waiting for it.
#[derive(Default)]
struct Output {
    state: Mutex<(Lines, Waiters)>,
}

#[derive(Default)]
struct Lines {
    queue: VecDeque<String>,
    /// The output has ended (the child closed it, or `结束` ended the child).
    ended: bool,
}

impl Output {
    /// Queues `line` (`None`: the end of the output) and wakes every waiting reader (each
    /// looks at the queue again; one that finds it empty waits again).
    fn deliver(&self, line: Option<String>) {
        let woken: Vec<Arc<Task>> = {
            let mut st = self.state.lock();
            match line {
                Some(line) if !st.0.ended => st.0.queue.push_back(line),
                Some(_) => {}
                None => st.0.ended = true,
            }
            st.1.drain(..).filter_map(|(t, k)| wake_claimed(t, k)).collect()
        };
        for t in woken {
            sched::wake(t);
        }
    }

    /// The next line; `None` at the end of the output, or once `deadline` has passed.
    /// Parks the calling green thread while there is none.
    fn next_line(&self, deadline: Option<Instant>) -> Option<String> {
        loop {
            let mut st = self.state.lock();
            if let Some(line) = st.0.queue.pop_front() {
                return Some(line);
            }
            if st.0.ended {
                return None;
            }
            let wait = match deadline {
                None => None,
                Some(at) => {
                    Some(at.checked_duration_since(Instant::now()).filter(|d| !d.is_zero())?)
                }
            };
            // Registered under the lock the reader thread delivers under, so a line that
            // arrives from now on wakes us (a wake-up before we have switched out is kept
            // by the run state, see `sched::task`).
            let task = sched::current_arc();
            let ticket = task.begin_wait();
            // Waits that ended by their timer leave stale entries.
            st.1.retain(|(t, k)| t.is_open(*k));
            st.1.push_back((task, ticket));
            drop(st);
            if let Some(wait) = wait {
                sched::add_timer(wait, ticket);
            }
            sched::park_external();
        }
    }
}

/// A running (or finished, not yet reaped) child.
struct Subprocess {
    process: Mutex<Child>,
    /// The pipe to its standard input; `None` once `结束` closed it.
    stdin: Mutex<Option<ChildStdin>>,
    output: Arc<Output>,
}

static CHILDREN: Handles<Subprocess> = Handles::counted(HandleKind::Subprocess);

/// The I/O thread of one child: queues each line of its standard output, then the end.
fn read_lines(stdout: ChildStdout, output: Arc<Output>) {
    let mut input = BufReader::new(stdout);
    loop {
        let mut raw = Vec::new();
        match input.read_until(b'\n', &mut raw) {
            Ok(n) if n > 0 => output.deliver(Some(line_text(&raw))),
            _ => {
                output.deliver(None);
                return;
            }
        }
    }
}

/// `生成(程序, 参数)`: starts `program` (found through `PATH` unless it holds a `/`) with
/// the arguments of the JSON array of strings `args` (`""`: none); its handle, or 0 when
/// it cannot start or `args` is no such array.
pub fn spawn(program: &str, args: &str) -> i64 {
    let Ok(args) = super::process::arguments(args) else { return 0 };
    let spawned = Command::new(program)
        .args(&args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn();
    let Ok(mut child) = spawned else { return 0 };
    let (Some(stdin), Some(stdout)) = (child.stdin.take(), child.stdout.take()) else {
        return 0;
    };
    let output = Arc::new(Output::default());
    let reader = output.clone();
    let thread =
        sched::spawn_outside_thread("qi-subprocess", 64 * 1024, move || read_lines(stdout, reader));
    if thread.is_err() {
        let _ = child.kill();
        let _ = child.wait();
        return 0;
    }
    CHILDREN.add(Subprocess { process: Mutex::new(child), stdin: Mutex::new(Some(stdin)), output })
}

/// `写入行(h, 文本)`: writes `text` and a `\n` to the child's standard input and flushes;
/// whether it could (not when the child has closed its input or ended).
pub fn write_line(handle: i64, text: &str) -> bool {
    let Some(child) = CHILDREN.get(handle) else { return false };
    let mut stdin = child.stdin.lock();
    let Some(pipe) = stdin.as_mut() else { return false };
    let mut line = String::with_capacity(text.len() + 1);
    line.push_str(text);
    line.push('\n');
    pipe.write_all(line.as_bytes()).and_then(|()| pipe.flush()).is_ok()
}

/// `读取行(h)` / `读取行超时(h, 毫秒)`: the child's next output line without its line
/// end; `None` at the end of its output, after `timeout`, or for a handle naming no child.
pub fn read_line(handle: i64, timeout: Option<Duration>) -> Option<String> {
    let child = CHILDREN.get(handle)?;
    // A limit too far away to represent is no limit.
    let deadline = timeout.and_then(|d| Instant::now().checked_add(d));
    child.output.next_line(deadline)
}

/// `存活(h)`: whether the child has not ended yet.
pub fn is_alive(handle: i64) -> bool {
    CHILDREN.get(handle).is_some_and(|c| matches!(c.process.lock().try_wait(), Ok(None)))
}

/// `结束(h)`: kills the child if it still runs, reaps it, and frees the handle; whether
/// the handle named a child. Green threads waiting for its output get the end of it.
pub fn terminate(handle: i64) -> bool {
    let Some(child) = CHILDREN.get(handle) else { return false };
    if !CHILDREN.remove(handle) {
        // Another green thread is ending it.
        return false;
    }
    {
        let mut process = child.process.lock();
        if matches!(process.try_wait(), Ok(None)) {
            let _ = process.kill();
        }
        let _ = process.wait();
    }
    *child.stdin.lock() = None;
    // A grandchild may still hold the output pipe open: the readers do not wait for it.
    child.output.deliver(None);
    true
}

// ---- entry points ---------------------------------------------------------------------
// Every string argument is null or a live string object (the entry-point contract of
// `crate`); a null reads as "".

macro_rules! text {
    ($p:expr) => {
        // SAFETY: forwarded from the entry point's contract.
        unsafe { str_as_str($p) }
    };
}

/// `生成(程序, 参数)` → handle, or 0.
///
/// # Safety
/// Every string argument is null or a live string object.
pub unsafe extern "C" fn qi_subprocess_spawn(program: *const Str, args: *const Str) -> i64 {
    guard(|| spawn(text!(program), text!(args)))
}

/// `写入行(h, 文本)` → 1/0.
///
/// # Safety
/// `text` is null or a live string object.
pub unsafe extern "C" fn qi_subprocess_write_line(handle: i64, text: *const Str) -> i64 {
    guard(|| i64::from(write_line(handle, text!(text))))
}

/// `读取行(h)` → the next line; `""` at the end of the output.
pub extern "C" fn qi_subprocess_read_line(handle: i64) -> *mut Str {
    guard(|| new_str(&read_line(handle, None).unwrap_or_default()))
}

/// `读取行超时(h, 毫秒)` → the next line; `""` at the end of the output or when none came
/// within `毫秒` (≤ 0: only a line already there).
pub extern "C" fn qi_subprocess_read_line_timeout(handle: i64, millis: i64) -> *mut Str {
    let timeout = Duration::from_millis(millis.max(0) as u64);
    guard(|| new_str(&read_line(handle, Some(timeout)).unwrap_or_default()))
}

/// `存活(h)` → 1/0.
pub extern "C" fn qi_subprocess_is_alive(handle: i64) -> i64 {
    guard(|| i64::from(is_alive(handle)))
}

/// `结束(h)` → 1, or 0 for a handle naming no child.
pub extern "C" fn qi_subprocess_terminate(handle: i64) -> i64 {
    guard(|| i64::from(terminate(handle)))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Lines already queued, and the end, are read without parking (these tests do not
    /// run on a green thread).
    #[test]
    fn queued_lines_then_the_end() {
        let out = Output::default();
        out.deliver(Some("一".into()));
        out.deliver(Some(String::new()));
        out.deliver(None);
        out.deliver(Some("after the end".into()));
        assert_eq!(out.next_line(None).as_deref(), Some("一"));
        assert_eq!(out.next_line(None).as_deref(), Some(""));
        assert_eq!(out.next_line(None), None);
        assert_eq!(out.next_line(Some(Instant::now())), None);
    }

    #[test]
    fn a_passed_deadline_does_not_wait() {
        let out = Output::default();
        assert_eq!(out.next_line(Some(Instant::now())), None);
        out.deliver(Some("x".into()));
        assert_eq!(out.next_line(Some(Instant::now())).as_deref(), Some("x"));
    }

    #[test]
    fn children_talk_and_end() {
        let live = || CHILDREN.live();
        let before = live();
        let cat = spawn("cat", "");
        assert!(cat > 0);
        assert!(is_alive(cat));
        assert!(write_line(cat, "你好"));
        // The reader thread delivers asynchronously; a line is read once it is there.
        let out = CHILDREN.get(cat).unwrap().output.clone();
        let deadline = Instant::now() + Duration::from_secs(10);
        let line = loop {
            if let Some(line) = out.next_line(Some(Instant::now())) {
                break Some(line);
            }
            if Instant::now() > deadline {
                break None;
            }
            std::thread::sleep(Duration::from_millis(1));
        };
        assert_eq!(line.as_deref(), Some("你好"));
        assert!(terminate(cat));
        assert!(!terminate(cat));
        assert!(!is_alive(cat));
        assert!(!write_line(cat, "x"));
        assert_eq!(read_line(cat, None), None);
        assert_eq!(out.next_line(None), None, "ending the child ends its output");
        assert_eq!(live(), before);
    }

    #[test]
    fn failures_give_no_handle() {
        assert_eq!(spawn("/no/such/program", ""), 0);
        assert_eq!(spawn("", ""), 0);
        assert_eq!(spawn("true", "[1]"), 0);
        assert_eq!(spawn("true", "{"), 0);
        assert!(!is_alive(0));
        assert!(!is_alive(-1));
        assert!(!write_line(i64::MAX, "x"));
        assert!(!terminate(0));
    }
}
