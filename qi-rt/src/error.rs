//! Runtime errors.
//!
//! Until Qi exceptions exist, a runtime error ends the program: stdout is
//! flushed, `运行时错误: <消息>` (or `runtime error: <message>`) goes to stderr
//! and the process exits with status 2. [`runtime_error`] is the single place
//! that does this, so that the exceptions work can turn it into a throw.

/// Exit status of a program stopped by a runtime error.
pub const RUNTIME_ERROR_EXIT_STATUS: i32 = 2;

/// Reports a runtime error with its Chinese and English messages and ends
/// the process.
#[cold]
#[inline(never)]
pub fn runtime_error(zh: String, en: String) -> ! {
    let line = runtime_error_text(&zh, &en, crate::lang::english());
    crate::output::write_stderr_line(&line);
    // Other workers may still run green threads: no exit-time destructors.
    crate::program::end_process(RUNTIME_ERROR_EXIT_STATUS as u8)
}

/// Ends the process with a runtime error for a failed operating-system operation: `what`
/// (Chinese, English) and the error in the message language.
#[cold]
#[inline(never)]
pub fn os_failure(what_zh: &str, what_en: &str, err: &std::io::Error) -> ! {
    let (zh, en) = (crate::os_error::describe(err, false), crate::os_error::describe(err, true));
    runtime_error(format!("{what_zh}：{zh}"), format!("{what_en}: {en}"))
}

/// The stderr line of a runtime error, in the chosen language.
pub fn runtime_error_text(zh: &str, en: &str, english: bool) -> String {
    if english {
        format!("runtime error: {en}")
    } else {
        format!("运行时错误: {zh}")
    }
}

#[cfg(test)]
mod tests {
    use super::runtime_error_text;

    #[test]
    fn message_text() {
        assert_eq!(
            runtime_error_text("除数为零", "division by zero", false),
            "运行时错误: 除数为零"
        );
        assert_eq!(
            runtime_error_text("除数为零", "division by zero", true),
            "runtime error: division by zero"
        );
    }
}
