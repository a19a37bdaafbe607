//! `qi fmt [--check] [FILES…|-]`: formats Qi files in place with the canonical layout
//! (qi-syntax `format`, docs/FORMAT.md).
//!
//! Without FILES it formats every `.qi` file under the current directory; a directory
//! argument stands for the `.qi` files under it; `-` formats standard input to standard
//! output. With `--check` nothing is written: the files that would change are listed on
//! standard output and the status is 1. A file with syntax errors is reported and left as
//! it is (status 1). A file with a `// qi-fmt: off` line is left as it is, silently.

use qi_syntax::Lang;
use std::io::{IsTerminal, Read};
use std::path::{Path, PathBuf};

/// What happened to one file.
enum Outcome {
    Unchanged,
    /// Formatted (or, with `--check`, would be).
    Changed,
    /// Not formatted: an error was reported.
    Failed,
}

/// Runs `qi fmt`; the exit status.
pub fn run(check: bool, inputs: Vec<PathBuf>, lang: Lang) -> u8 {
    let inputs = if inputs.is_empty() { vec![PathBuf::from(".")] } else { inputs };
    let mut files = Vec::new();
    for input in inputs {
        if input.as_os_str() == "-" {
            files.push(input);
        } else if input.is_dir() {
            files.extend(crate::source_files::qi_files(&input, &|_| true));
        } else {
            files.push(input);
        }
    }
    let mut status = 0;
    for file in &files {
        let outcome = if file.as_os_str() == "-" {
            format_stdin(check, lang)
        } else {
            format_file(file, check, lang)
        };
        match outcome {
            Outcome::Unchanged => {}
            Outcome::Changed if !check => {}
            Outcome::Changed => status = 1,
            Outcome::Failed => status = 1,
        }
    }
    status
}

fn format_file(path: &Path, check: bool, lang: Lang) -> Outcome {
    let name = path.display().to_string();
    let text = match std::fs::read(path) {
        Ok(bytes) if qi_syntax::format::is_off(&String::from_utf8_lossy(&bytes)) => {
            return Outcome::Unchanged;
        }
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(text) => text,
            Err(_) => {
                error_line(
                    lang,
                    &format!("{name} 不是有效的 UTF-8 文本，未格式化"),
                    &format!("{name} is not valid UTF-8 text; not formatted"),
                );
                return Outcome::Failed;
            }
        },
        Err(e) => {
            let reason = qi_rt::os_error::describe(&e, lang == Lang::En);
            error_line(
                lang,
                &format!("无法读取文件 {name}: {reason}"),
                &format!("cannot read file {name}: {reason}"),
            );
            return Outcome::Failed;
        }
    };
    let formatted = match qi_syntax::format::format(&text) {
        Ok(formatted) => formatted,
        Err(errors) => {
            report_syntax_errors(&name, &text, &errors, lang);
            return Outcome::Failed;
        }
    };
    if formatted == text {
        return Outcome::Unchanged;
    }
    if check {
        qi_rt::output::write_stdout(format!("{name}\n").as_bytes());
        return Outcome::Changed;
    }
    if let Err(e) = std::fs::write(path, formatted) {
        let reason = qi_rt::os_error::describe(&e, lang == Lang::En);
        error_line(
            lang,
            &format!("无法写入文件 {name}: {reason}"),
            &format!("cannot write file {name}: {reason}"),
        );
        return Outcome::Failed;
    }
    Outcome::Changed
}

/// `-`: standard input formatted to standard output (with `--check`, only the verdict).
fn format_stdin(check: bool, lang: Lang) -> Outcome {
    let name = "<stdin>";
    let mut bytes = Vec::new();
    if let Err(e) = std::io::stdin().read_to_end(&mut bytes) {
        let reason = qi_rt::os_error::describe(&e, lang == Lang::En);
        error_line(
            lang,
            &format!("无法读取标准输入: {reason}"),
            &format!("cannot read standard input: {reason}"),
        );
        return Outcome::Failed;
    }
    let Ok(text) = String::from_utf8(bytes) else {
        error_line(lang, "标准输入不是有效的 UTF-8 文本", "standard input is not valid UTF-8 text");
        return Outcome::Failed;
    };
    if qi_syntax::format::is_off(&text) {
        if !check {
            qi_rt::output::write_stdout(text.as_bytes());
        }
        return Outcome::Unchanged;
    }
    let formatted = match qi_syntax::format::format(&text) {
        Ok(formatted) => formatted,
        Err(errors) => {
            report_syntax_errors(name, &text, &errors, lang);
            return Outcome::Failed;
        }
    };
    let changed = formatted != text;
    if check {
        if changed {
            qi_rt::output::write_stdout(format!("{name}\n").as_bytes());
        }
    } else {
        qi_rt::output::write_stdout(formatted.as_bytes());
    }
    if changed {
        Outcome::Changed
    } else {
        Outcome::Unchanged
    }
}

fn report_syntax_errors(name: &str, text: &str, errors: &[qi_syntax::Diagnostic], lang: Lang) {
    let color = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let mut out = Vec::new();
    crate::render::render_files(&mut out, &[(name, text)], errors, lang, color);
    qi_rt::output::write_stderr(&out);
    error_line(
        lang,
        &format!("{name} 有语法错误，未格式化"),
        &format!("{name} has syntax errors; not formatted"),
    );
}

fn error_line(lang: Lang, zh: &str, en: &str) {
    qi_rt::output::write_stderr_line(&match lang {
        Lang::Zh => format!("错误: {zh}"),
        Lang::En => format!("error: {en}"),
    });
}
