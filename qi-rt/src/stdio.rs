//! The process's standard output and standard error, written with plain `write(2)` calls,
//! and what a failed write does (docs/EXCEPTIONS.md, "Output errors"):
//!
//! * the reader of a pipe went away (`EPIPE`): the process ends quietly, killed by
//!   `SIGPIPE` as `cat` or `yes` would be (a shell shows status 141);
//! * any other failure (`/dev/full`, a full disk, an I/O error, a closed descriptor): a
//!   failed standard output is reported on standard error, `错误: 无法写入标准输出: …`,
//!   and the process ends with [`OUTPUT_ERROR_EXIT_STATUS`]; a failed standard error
//!   ends it with that status without a message (there is nowhere to write one).
//!
//! Output is never lost silently. Rust's `std::io::Stdout` is not used: it drops writes to
//! a closed descriptor without an error.

use std::io::{self, Write};
use std::sync::atomic::{AtomicBool, Ordering};

/// Exit status of a program whose output could not be written (`EX_IOERR` of sysexits.h).
pub const OUTPUT_ERROR_EXIT_STATUS: u8 = 74;

/// One of the two output streams.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stream {
    Stdout,
    Stderr,
}

impl Stream {
    fn fd(self) -> libc::c_int {
        match self {
            Stream::Stdout => libc::STDOUT_FILENO,
            Stream::Stderr => libc::STDERR_FILENO,
        }
    }
}

/// A standard stream as an unbuffered `Write`.
pub struct RawStream(pub Stream);

impl Write for RawStream {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        loop {
            // SAFETY: `buf` is valid for `buf.len()` bytes; the descriptor is only written.
            let n = unsafe { libc::write(self.0.fd(), buf.as_ptr().cast(), buf.len()) };
            if n >= 0 {
                return Ok(n as usize);
            }
            let err = io::Error::last_os_error();
            if err.kind() != io::ErrorKind::Interrupted {
                return Err(err);
            }
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Writes all of `bytes` to `stream`; a failure ends the process ([`output_failed`]).
pub fn write_all(stream: Stream, bytes: &[u8]) {
    if let Err(e) = RawStream(stream).write_all(bytes) {
        output_failed(stream, &e)
    }
}

/// Ends the process after a failed write to `stream` (see the module documentation).
#[cold]
#[inline(never)]
pub fn output_failed(stream: Stream, err: &io::Error) -> ! {
    // Several threads may fail at once: the first one reports and ends the process, the
    // others wait for it (so the message is written once, and whole).
    static ENDING: AtomicBool = AtomicBool::new(false);
    if ENDING.swap(true, Ordering::SeqCst) {
        loop {
            std::thread::park();
        }
    }
    if err.kind() == io::ErrorKind::BrokenPipe {
        end_by_sigpipe();
    }
    if stream == Stream::Stdout {
        let text = output_failure_text(stream, err, crate::lang::english());
        // A failure here has no other place to be reported: the status says it.
        let _ = RawStream(Stream::Stderr).write_all(format!("{text}\n").as_bytes());
    }
    // SAFETY: `_exit` only ends the process; nothing more can be written anyway.
    unsafe { libc::_exit(i32::from(OUTPUT_ERROR_EXIT_STATUS)) }
}

/// The message of a failed write, in the chosen language.
pub fn output_failure_text(stream: Stream, err: &io::Error, english: bool) -> String {
    let reason = crate::os_error::describe(err, english);
    match (stream, english) {
        (Stream::Stdout, false) => format!("错误: 无法写入标准输出: {reason}"),
        (Stream::Stdout, true) => format!("error: cannot write to standard output: {reason}"),
        (Stream::Stderr, false) => format!("错误: 无法写入标准错误: {reason}"),
        (Stream::Stderr, true) => format!("error: cannot write to standard error: {reason}"),
    }
}

/// Ends the process as the default action of `SIGPIPE` does (Rust ignores the signal, so
/// writes return `EPIPE` instead).
fn end_by_sigpipe() -> ! {
    // SAFETY: restoring the default disposition and raising the signal only end the
    // process; `_exit` is the fallback should the signal be blocked on this thread.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
        libc::raise(libc::SIGPIPE);
        libc::_exit(128 + libc::SIGPIPE)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_text() {
        let full = io::Error::from_raw_os_error(libc::ENOSPC);
        assert_eq!(
            output_failure_text(Stream::Stdout, &full, false),
            "错误: 无法写入标准输出: 设备上没有空间"
        );
        assert_eq!(
            output_failure_text(Stream::Stdout, &full, true),
            "error: cannot write to standard output: no space left on device"
        );
    }
}
