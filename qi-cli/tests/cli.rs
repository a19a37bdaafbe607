//! The command line around the subcommands (issue 16, point 5) and `qi fmt`'s file
//! handling: the real binary, with exact expected output and status.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

/// What one run of `qi` did.
#[derive(Debug, PartialEq)]
struct Ran {
    status: i32,
    stdout: String,
    stderr: String,
}

/// Runs `qi args…` in `dir` with `stdin` as its standard input, in language `lang`.
fn qi_in(dir: Option<&PathBuf>, args: &[&str], stdin: &str, lang: &str) -> Ran {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_qi"));
    cmd.args(args)
        .env("QI_LANG", lang)
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(dir) = dir {
        cmd.current_dir(dir);
    }
    let mut child = cmd.spawn().unwrap();
    child.stdin.take().unwrap().write_all(stdin.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    Ran {
        status: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}

fn qi(args: &[&str], stdin: &str) -> Ran {
    qi_in(None, args, stdin, "zh")
}

fn ran(status: i32, stdout: &str, stderr: &str) -> Ran {
    Ran { status, stdout: stdout.into(), stderr: stderr.into() }
}

/// A fresh empty directory for one test.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("qi-cli-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn run_dash_reads_the_program_from_standard_input() {
    let program = "函数 入口() { 打印行(\"来自标准输入\", 命令行参数()[0]); }\n";
    assert_eq!(qi(&["run", "-", "甲"], program), ran(0, "来自标准输入 甲\n", ""));
}

#[test]
fn check_dash_reads_standard_input() {
    let expected = "错误: 未声明的变量: y\n   ,-[ <stdin>:1:15 ]\n   |\n 1 | 函数 入口() { 打印行(y); }\n   |                      |  \n   |                      `-- 这里\n---'\n";
    assert_eq!(qi(&["check", "-"], "函数 入口() { 打印行(y); }\n"), ran(1, "", expected));
}

#[test]
fn run_e_runs_a_body_inside_an_implicit_entry() {
    assert_eq!(qi(&["run", "-e", "打印行(1+1);"], ""), ran(0, "2\n", ""));
    // What would be the file is the program's first argument.
    let args = qi(&["run", "-e", "打印行(命令行参数()[0] + 命令行参数()[1]);", "甲", "乙"], "");
    assert_eq!(args, ran(0, "甲乙\n", ""));
}

#[test]
fn run_e_errors_point_into_the_body_on_line_2() {
    let expected = "error: undeclared variable: x\n   ,-[ <-e>:2:5 ]\n   |\n 2 | 打印行(x);\n   |        |  \n   |        `-- here\n---'\n";
    let got = qi_in(None, &["run", "-e", "打印行(x);"], "", "en");
    assert_eq!(got, ran(1, "", expected));
}

#[test]
fn usage_errors_exit_64() {
    let got = qi_in(None, &["run", "--no-such-flag", "x.qi"], "", "en");
    assert_eq!((got.status, got.stdout.as_str()), (64, ""));
    assert!(got.stderr.starts_with("error: unexpected argument '--no-such-flag' found"), "{got:?}");
    assert_eq!(qi(&["frobnicate"], "").status, 64);
    assert_eq!(qi(&["run"], "").status, 64);
    assert_eq!(qi(&[], "").status, 64);
}

#[test]
fn usage_errors_are_chinese_by_default() {
    let zh = "错误: 无法识别的参数 '--emi'\n\n  提示: 相近的有 '--emit'\n  提示: 若要把 '--emi' 作为值传递，请写 '-- --emi'\n\n用法: qi run --emit <EMIT> [FILE] [ARGS]...\n\n更多信息请用 '--help'。\n";
    assert_eq!(qi(&["run", "--emi", "ir"], ""), ran(64, "", zh));
    let zh = "错误: 参数 '--jit <JIT>' 的值 'fast' 无效\n  可选值: auto, stress, eager, off\n\n更多信息请用 '--help'。\n";
    assert_eq!(qi(&["run", "--jit=fast", "x.qi"], ""), ran(64, "", zh));
    let zh =
        "错误: 无法识别的子命令 'frobnicate'\n\n用法: qi <COMMAND>\n\n更多信息请用 '--help'。\n";
    assert_eq!(qi(&["frobnicate"], ""), ran(64, "", zh));
}

#[test]
fn help_is_chinese_by_default_and_english_with_qi_lang_en() {
    let zh = "按唯一的规范格式就地格式化 Qi 文件（docs/FORMAT.md）\n\n用法: qi fmt [OPTIONS] [FILES]...\n\n参数:\n  [FILES]...  文件或目录（其中的 `.qi` 文件）；`-` 把标准输入格式化到标准输出。不给: 当前目录下的全部 `.qi` 文件\n\n选项:\n      --check  什么都不改: 列出会被修改的文件，有则以 1 退出\n  -h, --help   显示帮助（`-h` 为摘要）\n";
    assert_eq!(qi(&["fmt", "-h"], ""), ran(0, zh, ""));
    let en = "Format Qi files in place with the one canonical layout (docs/FORMAT.md)\n\nUsage: qi fmt [OPTIONS] [FILES]...\n\nArguments:\n  [FILES]...  Files or directories (their `.qi` files); `-` formats standard input to standard output. None: every `.qi` file under the current directory\n\nOptions:\n      --check  Change nothing: list the files that would change and exit with 1 if any\n  -h, --help   Print help (see more with '--help')\n";
    assert_eq!(qi_in(None, &["fmt", "-h"], "", "en"), ran(0, en, ""));
    // `--help` (the long form) has no English line either.
    let long = qi(&["run", "--help"], "");
    assert!(long.stdout.contains("  -h, --help\n          显示帮助"), "{long:?}");
    assert!(!long.stdout.contains("Print help"), "{long:?}");
    // The top-level help documents the exit statuses, usage errors included.
    let top = qi(&["--help"], "");
    assert!(top.stdout.contains("64 命令行用法错误"), "{top:?}");
    let top = qi_in(None, &["--help"], "", "en");
    assert!(top.stdout.contains("64 usage error"), "{top:?}");
}

#[test]
fn fmt_dash_formats_standard_input_to_standard_output() {
    let got = qi(&["fmt", "-"], "函数 入口(){打印行(1+2) ;}");
    assert_eq!(got, ran(0, "函数 入口() { 打印行(1 + 2); }\n", ""));
    assert_eq!(qi(&["fmt", "--check", "-"], "函数 入口() {}\n"), ran(0, "", ""));
    assert_eq!(qi(&["fmt", "--check", "-"], "函数 入口(){}"), ran(1, "<stdin>\n", ""));
}

#[test]
fn fmt_check_lists_the_files_that_would_change_and_changes_nothing() {
    let dir = scratch("check");
    std::fs::create_dir_all(dir.join("库")).unwrap();
    std::fs::write(dir.join("好.qi"), "函数 入口() {}\n").unwrap();
    std::fs::write(dir.join("库/乱.qi"), "函数 f(){}\n").unwrap();
    std::fs::write(dir.join("说明.txt"), "不是 Qi").unwrap();
    assert_eq!(qi_in(Some(&dir), &["fmt", "--check"], "", "zh"), ran(1, "./库/乱.qi\n", ""));
    assert_eq!(std::fs::read_to_string(dir.join("库/乱.qi")).unwrap(), "函数 f(){}\n");
    // Formatting in place, then nothing is left to change.
    assert_eq!(qi_in(Some(&dir), &["fmt", "库"], "", "zh"), ran(0, "", ""));
    assert_eq!(std::fs::read_to_string(dir.join("库/乱.qi")).unwrap(), "函数 f() {}\n");
    assert_eq!(qi_in(Some(&dir), &["fmt", "--check"], "", "zh"), ran(0, "", ""));
}

#[test]
fn fmt_reports_a_file_with_syntax_errors_and_leaves_it_alone() {
    let dir = scratch("syntax");
    let broken = "函数 入口() { 打印行(1 }\n";
    std::fs::write(dir.join("坏.qi"), broken).unwrap();
    let expected = "error: unexpected `}`, expected `)`\n   ,-[ 坏.qi:1:17 ]\n   |\n 1 | 函数 入口() { 打印行(1 }\n   |                        |  \n   |                        `-- missing `)` — check whether a call or parameter list lacks its closing parenthesis\n---'\nerror: 坏.qi has syntax errors; not formatted\n";
    assert_eq!(qi_in(Some(&dir), &["fmt", "坏.qi"], "", "en"), ran(1, "", expected));
    assert_eq!(std::fs::read_to_string(dir.join("坏.qi")).unwrap(), broken);
}
