//! `qi test [PATH]`: finds a project's test files and test functions and runs each test
//! through the same front end and tiers as `qi run`, in a process of its own
//! (docs/TESTING.md).
//!
//! Test files are the `.qi` files under a `测试/` or `tests/` directory of PATH and the
//! files named `…_测试.qi`; PATH may also be one file. A test function is a free function
//! whose name starts with `测试`, with no parameters (not generic, not `异步`).
//!
//! Each test runs as `qi test --run-one 函数 文件`: the child loads a small entry file
//! next to the test file that imports it (`导入 ./名;`) and whose `入口` calls the test, so
//! the test file's own `入口`, if any, does not run (only the entry file's `入口` runs,
//! language.md §1). The child puts the runtime in test mode: a failed `测试` assertion
//! prints its location and makes the process end with status 1. A process per test keeps
//! an uncaught exception, a deadlock, a crash or a `退出` call inside its test.

use crate::loader::Entry;
use qi_syntax::ast::AstNode;
use qi_syntax::Lang;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The directories whose `.qi` files are test files.
const TEST_DIRS: [&str; 2] = ["测试", "tests"];

/// The end of a test file's name outside those directories.
const TEST_FILE_SUFFIX: &str = "_测试.qi";

/// The prefix of a test function's name.
const TEST_PREFIX: &str = "测试";

/// Runs `qi test PATH`; the exit status (0 all passed, 1 something failed, 64 no PATH).
pub fn run(path: Option<PathBuf>, lang: Lang) -> u8 {
    let path = path.unwrap_or_else(|| PathBuf::from("."));
    let files = if path.is_file() {
        vec![path]
    } else if path.is_dir() {
        // Dependencies under `qi_packages` are not this project's tests.
        let files = crate::source_files::qi_files(&path, &|name| name != "qi_packages");
        let files = files.into_iter().filter(|f| is_in_test_dir(f) || is_test_file_name(f));
        // Named from the current directory as given: `测试/甲.qi`, not `./测试/甲.qi`.
        files.into_iter().map(|f| f.strip_prefix(".").map(Path::to_path_buf).unwrap_or(f)).collect()
    } else {
        qi_rt::output::write_stderr_line(&match lang {
            Lang::Zh => format!("错误: 找不到 {}", path.display()),
            Lang::En => format!("error: {} does not exist", path.display()),
        });
        return crate::help::USAGE_ERROR;
    };
    let mut tally = Tally::default();
    for file in &files {
        run_file(file, lang, &mut tally);
    }
    let summary = match lang {
        Lang::Zh => format!("通过 {} 个，失败 {} 个", tally.passed, tally.failed),
        Lang::En => format!("{} passed, {} failed", tally.passed, tally.failed),
    };
    print(&summary);
    u8::from(tally.failed > 0)
}

#[derive(Default)]
struct Tally {
    passed: usize,
    failed: usize,
}

/// Checks the file with an entry that calls every test, then runs each test.
fn run_file(file: &Path, lang: Lang, tally: &mut Tally) {
    let name = file.display().to_string();
    let tests = match test_functions(file, lang) {
        Ok(tests) => tests,
        Err(message) => {
            qi_rt::output::write_stderr_line(&message);
            print(&verdict_line(lang, false, &name, None));
            tally.failed += 1;
            return;
        }
    };
    if tests.is_empty() {
        return;
    }
    // Diagnostics are shown once for the file, not once per test.
    let checked = {
        let entry = harness(file, &tests);
        crate::run_on_qi_stack(move || crate::front_end(&entry, lang).is_some())
    };
    if checked != Some(true) {
        for test in &tests {
            print(&verdict_line(lang, false, &name, Some(test.as_str())));
        }
        tally.failed += tests.len();
        return;
    }
    for test in &tests {
        let outcome = run_in_child(file, test, lang);
        let passed = matches!(outcome, Ok((Some(0), _)));
        print(&verdict_line(lang, passed, &name, Some(test.as_str())));
        if passed {
            tally.passed += 1;
            continue;
        }
        tally.failed += 1;
        match outcome {
            Ok((status, output)) => {
                let output = String::from_utf8_lossy(&output);
                for line in output.lines() {
                    print(&format!("    {line}"));
                }
                if let Some(note) = status_note(lang, status) {
                    print(&format!("    {note}"));
                }
            }
            Err(message) => print(&format!("    {message}")),
        }
    }
}

/// `通过 文件::测试名` / `ok 文件::测试名`; without a test, the file itself.
fn verdict_line(lang: Lang, passed: bool, file: &str, test: Option<&str>) -> String {
    let word = match (lang, passed) {
        (Lang::Zh, true) => "通过",
        (Lang::Zh, false) => "失败",
        (Lang::En, true) => "ok",
        (Lang::En, false) => "FAILED",
    };
    match test {
        Some(test) => format!("{word} {file}::{test}"),
        None => format!("{word} {file}"),
    }
}

/// Why a test process ended, when the output alone may not say (an assertion failure or
/// an uncaught exception prints its own report; `退出(3)` or a signal does not).
fn status_note(lang: Lang, status: Option<i32>) -> Option<String> {
    match (lang, status) {
        (_, Some(1 | 2)) => None,
        (Lang::Zh, Some(n)) => Some(format!("（退出状态 {n}）")),
        (Lang::En, Some(n)) => Some(format!("(exit status {n})")),
        (Lang::Zh, None) => Some("（进程被信号终止）".to_string()),
        (Lang::En, None) => Some("(the process was killed by a signal)".to_string()),
    }
}

fn print(line: &str) {
    qi_rt::output::write_stdout(format!("{line}\n").as_bytes());
}

/// Runs one test as `qi test --run-one 测试名 文件`: its exit status (`None` for a signal)
/// and everything it wrote, standard output and standard error in the order written.
fn run_in_child(file: &Path, test: &str, lang: Lang) -> Result<(Option<i32>, Vec<u8>), String> {
    let failed = |e: std::io::Error| {
        let reason = qi_rt::os_error::describe(&e, lang == Lang::En);
        match lang {
            Lang::Zh => format!("错误: 无法运行测试: {reason}"),
            Lang::En => format!("error: cannot run the test: {reason}"),
        }
    };
    let qi = std::env::current_exe().map_err(failed)?;
    let (mut reader, writer) = std::io::pipe().map_err(failed)?;
    let mut child = {
        let mut command = Command::new(qi);
        command
            .arg("test")
            .arg("--run-one")
            .arg(test)
            .arg(file)
            .stdin(Stdio::null())
            .stdout(writer.try_clone().map_err(failed)?)
            .stderr(writer);
        // The command holds the pipe's writing ends until it is dropped: the read below
        // ends only when the child's ends close.
        command.spawn().map_err(failed)?
    };
    let mut output = Vec::new();
    reader.read_to_end(&mut output).map_err(failed)?;
    let status = child.wait().map_err(failed)?;
    Ok((status.code(), output))
}

/// `qi test --run-one 测试名 文件` (the child of [`run_in_child`]): runs the test like
/// `qi run` runs a program, in test mode.
pub fn run_one(file: PathBuf, test: String, lang: Lang) -> u8 {
    qi_rt::library::test::enable_test_mode();
    let tier = match crate::tier(None, None) {
        Ok(tier) => tier,
        Err(bad) => {
            qi_rt::output::write_stderr_line(&crate::tier_error(lang, bad));
            return 1;
        }
    };
    let entry = harness(&file, std::slice::from_ref(&test));
    let flags = crate::RunFlags { emit: None, leak_report: false, stats: false };
    crate::run(entry, Vec::new(), flags, tier, qi_jit::Options::default(), lang)
}

/// The entry file that runs `tests` of `file`: it sits in the file's directory (so
/// imports resolve from there) and imports the file.
fn harness(file: &Path, tests: &[String]) -> Entry {
    let dir = file.parent().unwrap_or(Path::new(""));
    let stem = file.file_stem().map(|s| s.to_string_lossy().into_owned()).unwrap_or_default();
    let calls: String = tests.iter().map(|t| format!("    {t}();\n")).collect();
    let text = format!("导入 ./{stem};\n\n函数 入口() {{\n{calls}}}\n");
    Entry { path: dir.join("<qi test>"), given: Some(text.into_bytes()) }
}

/// The test functions of `file`, in source order (from its syntax tree: the file's
/// syntax errors are reported when it is checked).
fn test_functions(file: &Path, lang: Lang) -> Result<Vec<String>, String> {
    let text = std::fs::read(file).map_err(|e| {
        let reason = qi_rt::os_error::describe(&e, lang == Lang::En);
        match lang {
            Lang::Zh => format!("错误: 无法读取文件 {}: {reason}", file.display()),
            Lang::En => format!("error: cannot read file {}: {reason}", file.display()),
        }
    })?;
    let text = String::from_utf8_lossy(&text);
    let tree = qi_syntax::parse(&text).tree();
    Ok(tree
        .functions()
        .filter(|f| {
            f.receiver().is_none()
                && f.params().next().is_none()
                && f.generic_params().next().is_none()
                && !f.is_async()
        })
        .filter_map(|f| f.name().map(|n| n.syntax().text().to_string()))
        .filter(|name| name.starts_with(TEST_PREFIX))
        .collect())
}

/// PATH as given lies in a test directory (`测试/嵌套/甲.qi`).
fn is_in_test_dir(path: &Path) -> bool {
    path.components().any(|c| TEST_DIRS.iter().any(|t| c.as_os_str() == *t))
}

/// A test file outside the test directories: `名字_测试.qi`.
fn is_test_file_name(path: &Path) -> bool {
    path.file_name().is_some_and(|n| n.to_string_lossy().ends_with(TEST_FILE_SUFFIX))
}
