//! Buffered standard output for `打印` / `打印行`.
//!
//! Two stages:
//! 1. Each OS thread assembles the line it is printing in a thread-local
//!    [`LineAssembler`] (no lock per printed piece).
//! 2. Completed lines go to one process-wide [`OutputBatch`], which writes
//!    them with a single `write` once it holds about 8 KiB (or at once when
//!    stdout is a terminal, so interactive output appears line by line).
//!
//! A line is never split across writes unless it alone exceeds the batch
//! capacity, so lines printed by concurrent threads never interleave. The
//! batch is shared rather than per thread so that lines keep the order in
//! which threads completed them (a per-thread batch would reorder the output
//! of threads that synchronise with each other).
//!
//! A failed write ends the program (`crate::stdio`): quietly when the reader of a pipe
//! went away, otherwise with a message and status 74.

use std::cell::RefCell;
use std::io::{self, IsTerminal, Write};
use std::sync::{LazyLock, Mutex, MutexGuard};

use crate::format;
use crate::guard::guard;
use crate::stdio::{self, RawStream, Stream};
use crate::string::{str_bytes, Str};

/// Size at which a batch of complete lines is written out.
pub const BATCH_CAPACITY: usize = 8 * 1024;

/// The line one thread is currently printing.
pub struct LineAssembler {
    line: Vec<u8>,
    /// An unfinished line this long is released anyway (normally the batch
    /// capacity: it could not be written whole in one batch either).
    max_line: usize,
}

impl LineAssembler {
    pub const fn new(max_line: usize) -> LineAssembler {
        LineAssembler { line: Vec::new(), max_line }
    }

    /// Appends what `render` writes, then hands every completed line (or an
    /// over-long unfinished one) to `emit`.
    pub fn append(&mut self, render: impl FnOnce(&mut Vec<u8>), emit: impl FnOnce(&[u8])) {
        let start = self.line.len();
        render(&mut self.line);
        let ready = ready_len(&self.line, start, self.max_line);
        if ready > 0 {
            emit(&self.line[..ready]);
            self.line.drain(..ready);
        }
    }

    /// Takes everything, including an unterminated line.
    pub fn take(&mut self) -> Vec<u8> {
        std::mem::take(&mut self.line)
    }

    pub fn is_empty(&self) -> bool {
        self.line.is_empty()
    }

    /// Puts back an unfinished line taken with [`LineAssembler::take`].
    pub fn restore(&mut self, line: Vec<u8>) {
        debug_assert!(self.line.is_empty());
        self.line = line;
    }
}

/// How many leading bytes of `line` can be handed over after bytes were
/// appended from `new_from` on: everything up to the last newline among the
/// new bytes (older bytes hold no newline), or the whole text when it has no
/// newline but reached `capacity`.
pub fn ready_len(line: &[u8], new_from: usize, capacity: usize) -> usize {
    match line[new_from..].iter().rposition(|&b| b == b'\n') {
        Some(pos) => new_from + pos + 1,
        None if line.len() >= capacity => line.len(),
        None => 0,
    }
}

/// Complete lines waiting to be written to `sink`.
pub struct OutputBatch<W: Write> {
    pending: Vec<u8>,
    sink: W,
    capacity: usize,
    /// Write every push at once (interactive terminal).
    line_mode: bool,
}

impl<W: Write> OutputBatch<W> {
    pub fn new(sink: W, capacity: usize, line_mode: bool) -> OutputBatch<W> {
        OutputBatch { pending: Vec::new(), sink, capacity, line_mode }
    }

    /// Adds whole lines (or one over-long fragment); writes the batch when
    /// full or in line mode.
    pub fn push(&mut self, lines: &[u8]) -> io::Result<()> {
        self.pending.extend_from_slice(lines);
        if self.line_mode || self.pending.len() >= self.capacity {
            self.flush()
        } else {
            Ok(())
        }
    }

    /// Writes everything pending in one `write_all` (the batch is empty afterwards, also
    /// when the write failed).
    pub fn flush(&mut self) -> io::Result<()> {
        if self.pending.is_empty() {
            return Ok(());
        }
        let result = self.sink.write_all(&self.pending).and_then(|()| self.sink.flush());
        self.pending.clear();
        result
    }

    pub fn sink(&self) -> &W {
        &self.sink
    }
}

// ---------------------------------------------------------------------------
// The process's stdout

/// Thread-local line; on thread exit its unfinished text is queued so that
/// the final [`flush_all`] still writes it.
struct ThreadLine(RefCell<LineAssembler>);

impl Drop for ThreadLine {
    fn drop(&mut self) {
        let rest = self.0.get_mut().take();
        if !rest.is_empty() {
            push_stdout(&rest);
        }
    }
}

thread_local! {
    static THREAD_LINE: ThreadLine = const { ThreadLine(RefCell::new(LineAssembler::new(BATCH_CAPACITY))) };
}

static STDOUT_BATCH: LazyLock<Mutex<OutputBatch<RawStream>>> = LazyLock::new(|| {
    let interactive = std::io::stdout().is_terminal();
    Mutex::new(OutputBatch::new(RawStream(Stream::Stdout), BATCH_CAPACITY, interactive))
});

fn stdout_batch() -> MutexGuard<'static, OutputBatch<RawStream>> {
    // A panic while holding the lock leaves a consistent batch: keep going.
    STDOUT_BATCH.lock().unwrap_or_else(|e| e.into_inner())
}

/// Ends the program if writing standard output failed.
fn check_stdout(result: io::Result<()>) {
    if let Err(e) = result {
        stdio::output_failed(Stream::Stdout, &e)
    }
}

/// Queues bytes of complete lines (or a final fragment) for standard output.
fn push_stdout(bytes: &[u8]) {
    crate::timing::note_output();
    let result = stdout_batch().push(bytes);
    check_stdout(result);
}

/// Prints what `render` appends to the calling thread's line.
fn print_with(render: impl FnOnce(&mut Vec<u8>)) {
    crate::timing::note_output();
    let mut render = Some(render);
    let done = THREAD_LINE.try_with(|t| match t.0.try_borrow_mut() {
        Ok(mut line) => {
            line.append(render.take().expect("render used once"), push_stdout);
            true
        }
        Err(_) => false,
    });
    if done != Ok(true) {
        // During thread teardown (or a re-entrant call): bypass the line.
        let mut bytes = Vec::new();
        (render.take().expect("render used once"))(&mut bytes);
        push_stdout(&bytes);
    }
}

/// Takes the calling OS thread's unfinished line: a green thread switching out keeps its
/// own (so lines of different green threads never mix).
#[inline(never)]
pub(crate) fn take_line() -> Vec<u8> {
    THREAD_LINE
        .try_with(|t| {
            t.0.try_borrow_mut()
                .map(|mut l| if l.is_empty() { Vec::new() } else { l.take() })
                .unwrap_or_default()
        })
        .unwrap_or_default()
}

/// Gives a resumed green thread's unfinished line back to the OS thread it runs on (whose
/// line is empty then).
#[inline(never)]
pub(crate) fn restore_line(line: Vec<u8>) {
    let _ = THREAD_LINE.try_with(|t| {
        if let Ok(mut l) = t.0.try_borrow_mut() {
            l.restore(line);
        }
    });
}

/// Queues the unterminated last line of a green thread that ended.
pub(crate) fn emit_partial(line: Vec<u8>) {
    if !line.is_empty() {
        push_stdout(&line);
    }
}

/// Writes all buffered output, including the calling thread's unterminated
/// line. (Unfinished lines of other running threads stay with them.)
pub fn flush_all() {
    let rest = THREAD_LINE
        .try_with(|t| t.0.try_borrow_mut().map(|mut l| l.take()).unwrap_or_default())
        .unwrap_or_default();
    let result = {
        let mut batch = stdout_batch();
        batch.push(&rest).and_then(|()| batch.flush())
    };
    check_stdout(result);
}

/// Prints `text` and a line end, as `打印行` does.
pub fn print_line(text: &str) {
    print_with(|out| {
        out.extend_from_slice(text.as_bytes());
        out.push(b'\n');
    });
}

/// Writes `bytes` to standard output at once (after what was printed before).
pub fn write_stdout(bytes: &[u8]) {
    push_stdout(bytes);
    flush_all();
}

/// Writes to stderr after flushing stdout (so that messages appear after the output that
/// preceded them).
pub fn write_stderr(bytes: &[u8]) {
    crate::timing::note_output();
    flush_all();
    stdio::write_all(Stream::Stderr, bytes);
}

/// [`write_stderr`] of one line.
pub fn write_stderr_line(text: &str) {
    let mut line = Vec::with_capacity(text.len() + 1);
    line.extend_from_slice(text.as_bytes());
    line.push(b'\n');
    write_stderr(&line);
}

// ---------------------------------------------------------------------------
// Entry points

/// Prints a string.
///
/// # Safety
/// Every string argument is null or a live string object.
pub unsafe extern "C" fn qi_print_str(s: *const Str) {
    // SAFETY: forwarded from the caller's contract.
    guard(|| print_with(|out| out.extend_from_slice(unsafe { str_bytes(s) })))
}

/// `打印行(s)` of one string: the string and a line end; a null string (what some library
/// functions give for a failure) prints nothing at all (builtins.md §A.2).
///
/// # Safety
/// `s` is null or a live string object.
pub unsafe extern "C" fn qi_print_str_line(s: *const Str) {
    if s.is_null() {
        return;
    }
    guard(|| {
        print_with(|out| {
            // SAFETY: forwarded from the caller's contract.
            out.extend_from_slice(unsafe { str_bytes(s) });
            out.push(b'\n');
        })
    })
}

pub extern "C" fn qi_print_int(n: i64) {
    guard(|| print_with(|out| format::fmt_int(n, out)))
}

pub extern "C" fn qi_print_float(x: f64) {
    guard(|| print_with(|out| format::fmt_float(x, out)))
}

pub extern "C" fn qi_print_bool(b: u8) {
    guard(|| print_with(|out| format::fmt_bool(b != 0, out)))
}

pub extern "C" fn qi_print_char(c: u32) {
    guard(|| print_with(|out| format::fmt_char(c, out)))
}

/// The separator between the arguments of `打印` / `打印行`.
pub extern "C" fn qi_print_space() {
    guard(|| print_with(|out| out.push(b' ')))
}

/// Ends the current line (`打印行`).
pub extern "C" fn qi_print_newline() {
    guard(|| print_with(|out| out.push(b'\n')))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Records each `write` call separately.
    #[derive(Default)]
    struct Recorder {
        writes: Vec<Vec<u8>>,
    }

    impl Write for Recorder {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.writes.push(buf.to_vec());
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    /// A reader that went away.
    struct BrokenPipe {
        attempts: usize,
    }

    impl Write for BrokenPipe {
        fn write(&mut self, _: &[u8]) -> std::io::Result<usize> {
            self.attempts += 1;
            Err(std::io::Error::from(std::io::ErrorKind::BrokenPipe))
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    /// The same plumbing as stdout, on test objects.
    struct TestOut {
        line: LineAssembler,
        batch: OutputBatch<Recorder>,
    }

    impl TestOut {
        fn new(capacity: usize, line_mode: bool) -> TestOut {
            TestOut {
                line: LineAssembler::new(capacity),
                batch: OutputBatch::new(Recorder::default(), capacity, line_mode),
            }
        }
        fn print(&mut self, text: &str) {
            let batch = &mut self.batch;
            self.line.append(
                |out| out.extend_from_slice(text.as_bytes()),
                |ready| batch.push(ready).unwrap(),
            );
        }
        fn finish(&mut self) {
            let rest = self.line.take();
            self.batch.push(&rest).unwrap();
            self.batch.flush().unwrap();
        }
        fn writes(&self) -> Vec<String> {
            self.batch.sink().writes.iter().map(|w| String::from_utf8(w.clone()).unwrap()).collect()
        }
    }

    #[test]
    fn ready_len_rules() {
        assert_eq!(ready_len(b"abc", 0, 100), 0);
        assert_eq!(ready_len(b"abc\n", 3, 100), 4);
        assert_eq!(ready_len(b"a\nb\nc", 1, 100), 4);
        assert_eq!(ready_len(b"abcdef", 3, 4), 6, "over-long line is released whole");
        assert_eq!(ready_len(b"ab\ncdef", 2, 4), 3, "complete lines first");
    }

    #[test]
    fn small_output_is_written_once_at_the_end() {
        let mut out = TestOut::new(BATCH_CAPACITY, false);
        out.print("甲");
        out.print("12");
        out.print("真\n");
        out.print("x= 5\n");
        out.print("tail");
        assert!(out.writes().is_empty());
        out.finish();
        assert_eq!(out.writes(), ["甲12真\nx= 5\ntail"]);
    }

    #[test]
    fn full_batches_contain_whole_lines_only() {
        let mut out = TestOut::new(16, false);
        for i in 0..10 {
            out.print(&format!("line{i}"));
            out.print("\n");
        }
        out.finish();
        let writes = out.writes();
        assert!(writes.len() > 1);
        for w in &writes {
            assert!(w.ends_with('\n'), "{w:?}");
        }
        let all: String = writes.concat();
        let expected: String = (0..10).map(|i| format!("line{i}\n")).collect();
        assert_eq!(all, expected);
    }

    #[test]
    fn an_unfinished_line_is_not_split() {
        let mut out = TestOut::new(16, false);
        out.print("0123456789\n");
        out.print("abcdefgh"); // pending: batch holds 11 bytes, line 8
        out.print("\n"); // batch reaches 20 ≥ 16 → written
        assert_eq!(out.writes(), ["0123456789\nabcdefgh\n"]);
    }

    #[test]
    fn over_long_line_is_split() {
        let mut out = TestOut::new(8, false);
        out.print("abcdefghij");
        assert_eq!(out.writes(), ["abcdefghij"]);
        out.print("k\n");
        out.finish();
        assert_eq!(out.writes(), ["abcdefghij", "k\n"]);
    }

    #[test]
    fn line_mode_writes_each_line() {
        let mut out = TestOut::new(BATCH_CAPACITY, true);
        out.print("a");
        assert!(out.writes().is_empty());
        out.print("b\nc\n");
        out.print("d\n");
        out.finish();
        assert_eq!(out.writes(), ["ab\nc\n", "d\n"]);
    }

    #[test]
    fn write_errors_are_returned() {
        let mut batch = OutputBatch::new(BrokenPipe { attempts: 0 }, 8, false);
        assert!(batch.push(b"hi\n").is_ok(), "not written yet");
        let err = batch.push(b"hello\n").unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::BrokenPipe);
        assert_eq!(batch.sink().attempts, 1);
        // The failed batch was dropped: nothing is left to write.
        assert!(batch.flush().is_ok());
        assert_eq!(batch.sink().attempts, 1);
    }
}
