//! Services of the running program: its arguments, standard input, and the
//! end-of-program flush.

use std::io::BufRead;
use std::sync::Mutex;

use crate::array::{new_string_array, Array};
use crate::guard::guard;
use crate::string::{new_str, Str};

static ARGS: Mutex<Vec<String>> = Mutex::new(Vec::new());

/// Records the program's arguments (those after the file name of `qi run`).
pub fn set_args(args: Vec<String>) {
    *ARGS.lock().unwrap_or_else(|e| e.into_inner()) = args;
}

/// Called by the driver when the program ends: writes all pending output.
pub fn finish() {
    crate::output::flush_all();
}

/// Ends the process with `status` after writing all pending output, without running
/// exit-time destructors: abandoned green threads may still be running on the workers,
/// and must not meet a torn-down allocator or standard stream.
pub fn end_process(status: u8) -> ! {
    let status = crate::library::test::exit_status(status);
    finish();
    use std::io::Write;
    let _ = std::io::stderr().flush();
    // SAFETY: `_exit` only ends the process; everything that must reach the outside
    // (stdout batch, stderr) has been written above.
    unsafe { libc::_exit(i32::from(status)) }
}

/// Strips one line end (`\n` or `\r\n`) and decodes the line (invalid UTF-8
/// becomes U+FFFD, since strings must be UTF-8).
pub fn line_text(mut raw: &[u8]) -> String {
    if let Some(rest) = raw.strip_suffix(b"\n") {
        raw = rest.strip_suffix(b"\r").unwrap_or(rest);
    }
    String::from_utf8_lossy(raw).into_owned()
}

/// Reads one line from `input`; `""` at end of input or on a read error.
pub fn read_line_from(input: &mut impl BufRead) -> String {
    let mut raw = Vec::new();
    match input.read_until(b'\n', &mut raw) {
        Ok(_) => line_text(&raw),
        Err(_) => String::new(),
    }
}

fn read_stdin_line() -> *mut Str {
    // Prompts and earlier output must be visible before we block.
    crate::output::flush_all();
    new_str(&read_line_from(&mut std::io::stdin().lock()))
}

// ---------------------------------------------------------------------------
// Entry points

/// `命令行参数()`: a fresh array of fresh strings.
pub extern "C" fn qi_args() -> *mut Array {
    guard(|| new_string_array(&ARGS.lock().unwrap_or_else(|e| e.into_inner())))
}

/// `输入()`: one line of stdin without its line end; `""` at end of input.
pub extern "C" fn qi_input() -> *mut Str {
    guard(read_stdin_line)
}

/// `输入(提示)`: prints the prompt (no newline), then reads a line.
///
/// # Safety
/// `prompt` is null or a live string.
pub unsafe extern "C" fn qi_input_prompt(prompt: *const Str) -> *mut Str {
    guard(|| {
        // SAFETY: forwarded from the caller's contract.
        unsafe { crate::output::qi_print_str(prompt) };
        read_stdin_line()
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::object::{live_count, ObjKind};
    use crate::test_support::{exclusive, release};

    #[test]
    fn line_ends_are_stripped() {
        assert_eq!(line_text(b"abc\n"), "abc");
        assert_eq!(line_text(b"abc\r\n"), "abc");
        assert_eq!(line_text(b"abc"), "abc");
        assert_eq!(line_text(b"abc\r"), "abc\r");
        assert_eq!(line_text(b""), "");
        assert_eq!(line_text(b"\n"), "");
        assert_eq!(line_text("你好\n".as_bytes()), "你好");
        assert_eq!(line_text(b"a\xffb\n"), "a\u{FFFD}b");
    }

    #[test]
    fn reading_lines_until_eof() {
        let mut input: &[u8] = b"first\r\nsecond\nlast";
        assert_eq!(read_line_from(&mut input), "first");
        assert_eq!(read_line_from(&mut input), "second");
        assert_eq!(read_line_from(&mut input), "last");
        assert_eq!(read_line_from(&mut input), "");
        assert_eq!(read_line_from(&mut input), "");
    }

    #[test]
    fn args_array() {
        let _g = exclusive();
        let strs = live_count(ObjKind::Str);
        set_args(vec!["一".into(), "two".into()]);
        let a = qi_args();
        // SAFETY: `a` is a live array.
        assert_eq!(unsafe { crate::array::qi_array_len(a) }, 2);
        // SAFETY: `a` is a live array of live strings.
        unsafe {
            let slots = crate::array::array_slots(a);
            assert_eq!(crate::string::str_as_str(slots[0] as usize as *const Str), "一");
            assert_eq!(crate::string::str_as_str(slots[1] as usize as *const Str), "two");
        }
        release(a);
        assert_eq!(live_count(ObjKind::Str), strs);
        set_args(Vec::new());
    }
}
