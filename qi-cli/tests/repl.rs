//! `qi repl` (issue 16, point 3): sessions driven through standard input (no terminal),
//! with exact expected transcripts, and one under a pseudo-terminal (line editing and
//! history).

use std::io::Write;
use std::process::{Command, Stdio};

/// What one session printed: standard output, standard error, exit status.
#[derive(Debug, PartialEq)]
struct Transcript {
    stdout: String,
    stderr: String,
    status: i32,
}

/// A session with `input` as its standard input, messages in `lang`.
fn session_in(lang: &str, input: &str) -> Transcript {
    let mut child = Command::new(env!("CARGO_BIN_EXE_qi"))
        .arg("repl")
        .env("QI_LANG", lang)
        .env("NO_COLOR", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    Transcript {
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
        status: out.status.code().unwrap_or(-1),
    }
}

fn session(input: &str) -> Transcript {
    session_in("zh", input)
}

/// Only standard output matters (and nothing went to standard error).
fn quiet(input: &str, stdout: &str) {
    let t = session(input);
    assert_eq!(t, Transcript { stdout: stdout.into(), stderr: String::new(), status: 0 });
}

#[test]
fn expression_values_are_shown_with_their_types() {
    quiet(
        "1 + 2\n1.5 * 2.0\n\"文字\"\n'中'\n3 > 2\n[1, 2, 3]\n[\"甲\", \"乙\"]\n",
        "3 : 整数\n3.0 : 浮点数\n\"文字\" : 字符串\n'中' : 字符\n真 : 布尔\n\
         [1, 2, 3] : 数组<整数>\n[\"甲\", \"乙\"] : 数组<字符串>\n",
    );
}

#[test]
fn variables_persist_and_each_statement_runs_once() {
    quiet(
        "变量 x = 10;\n打印行(\"一次\");\nx * 2\nx = x + 1;\nx\n变量 名 = \"奇\"\n名 + \"语\"\n",
        "一次\n20 : 整数\n11 : 整数\n\"奇语\" : 字符串\n",
    );
}

#[test]
fn a_variable_declared_again_takes_the_new_type_and_value() {
    quiet("变量 x = 1\n变量 x = x + 1\nx\n变量 x = \"字\"\nx\n", "2 : 整数\n\"字\" : 字符串\n");
}

#[test]
fn a_function_declared_then_called_and_replaced() {
    quiet(
        "函数 平方(n: 整数): 整数 { 返回 n * n; }\n平方(7)\n\
         函数 平方(n: 整数): 整数 { 返回 n * n * n; }\n平方(2)\n",
        "49 : 整数\n8 : 整数\n",
    );
}

#[test]
fn functions_see_session_variables() {
    quiet(
        "变量 底 = 100\n函数 加底(n: 整数): 整数 { 返回 底 + n; }\n底 = 5;\n加底(1)\n",
        "6 : 整数\n",
    );
}

#[test]
fn a_struct_declared_then_used() {
    quiet(
        "类型 点 { x: 整数, y: 整数 }\n变量 p = 新建 点 { x: 1, y: 2 };\np.x + p.y\np\n\
         p.x = 10;\np\n",
        "3 : 整数\n点 { x: 1, y: 2 } : 点\n点 { x: 10, y: 2 } : 点\n",
    );
}

#[test]
fn enums_and_options_show_their_variants() {
    quiet("枚举 颜色 { 红, 绿 }\n颜色.绿\n有(3)\n", "颜色.绿 : 颜色\n有(3) : 选项<整数>\n");
}

#[test]
fn input_goes_on_while_brackets_are_open() {
    quiet(
        "函数 斐波(n: 整数): 整数 {\n    如果 n < 2 {\n        返回 n;\n    }\n    \
         返回 斐波(n - 1) + 斐波(n - 2);\n}\n斐波(20)\n如果 真 {\n    打印行(\"(\");\n}\n\
         [1,\n 2]\n",
        "6765 : 整数\n(\n[1, 2] : 数组<整数>\n",
    );
}

#[test]
fn a_type_error_is_located_and_the_session_goes_on() {
    let t = session("变量 y: 整数 = \"不对\";\n1 + 1\ny\n");
    assert_eq!(t.stdout, "2 : 整数\n");
    assert_eq!(
        t.stderr,
        "错误: 类型不匹配：期望 整数，实际是 字符串
   ,-[ <输入1>:1:12 ]
   |
 1 | 变量 y: 整数 = \"不对\";
   |                ^^^|^^  
   |                   `---- 这里
---'
错误: 未声明的变量: y
   ,-[ <输入3>:1:1 ]
   |
 1 | y;
   | |  
   | `-- 这里
---'
"
    );
    assert_eq!(t.status, 0);
}

#[test]
fn a_syntax_error_in_english() {
    let t = session_in("en", "变量 = 1;\n2\n");
    assert_eq!(t.stdout, "2 : 整数\n");
    assert!(t.stderr.starts_with("error: "), "{}", t.stderr);
    assert!(t.stderr.contains("<input 1>:1:"), "{}", t.stderr);
}

#[test]
fn an_uncaught_exception_does_not_end_the_session() {
    let t = session(
        "变量 n = 1\n抛出 \"坏了\";\n函数 坏() {\n    n = 2;\n    抛出 \"更坏\";\n}\n坏()\nn\n",
    );
    assert_eq!(t.stdout, "2 : 整数\n");
    assert_eq!(
        t.stderr,
        "未捕获的异常: 坏了\n  在 入口 (<输入2>:1)\n\
         未捕获的异常: 更坏\n  在 坏 (<输入3>:3)\n  在 入口 (<输入4>:1)\n"
    );
    assert_eq!(t.status, 0);
}

#[test]
fn type_shows_the_type_without_running() {
    let t = session(":type 1 + 2\n:type 打印行(\"不该\")\n:type \"甲\" + 1\n:type 未知\n:type\n");
    assert_eq!(t.stdout, "整数\n空\n字符串\n");
    assert_eq!(
        t.stderr,
        "错误: 未声明的变量: 未知
   ,-[ <:type>:1:1 ]
   |
 1 | 未知
   | ^^|^  
   |   `--- 这里
---'
用法: :type 表达式
"
    );
}

#[test]
fn quit_ends_the_session() {
    quiet("打印行(1);\n:quit\n打印行(2);\n", "1\n");
}

#[test]
fn help_lists_the_commands() {
    let t = session(":help\n");
    assert!(t.stdout.contains(":type 表达式"), "{}", t.stdout);
    assert!(t.stdout.contains(":quit"), "{}", t.stdout);
    let t = session_in("en", ":help\n");
    assert!(t.stdout.contains(":type EXPR"), "{}", t.stdout);
}

#[test]
fn function_values_cannot_stay() {
    let t = session("变量 f = 闭包(a: 整数): 整数 { 返回 a + 1; };\nf\n");
    assert!(t.stderr.contains("会话变量 f 的类型 函数(整数): 整数 含有函数值"), "{}", t.stderr);
    assert!(t.stderr.contains("未声明的变量: f"), "{}", t.stderr);
}

#[test]
fn declaring_the_entry_point_is_refused() {
    let t = session("函数 入口() { 打印行(1); }\n");
    assert!(t.stderr.contains("会话里不能声明 `入口`"), "{}", t.stderr);
    assert_eq!(t.stdout, "");
}

#[test]
fn standard_library_imports_stay_for_later_inputs() {
    quiet("导入 标准库.数学 作为 M;\nM.最大(1.0, 2.0)\n", "2.0 : 浮点数\n");
}

#[test]
fn repl_help_is_in_chinese() {
    let out = Command::new(env!("CARGO_BIN_EXE_qi"))
        .args(["repl", "--help"])
        .env("QI_LANG", "zh")
        .output()
        .unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.starts_with("交互环境"), "{text}");
}

/// `text` as the expect crate reads the terminal: each byte a character.
fn raw(text: &str) -> String {
    text.bytes().map(char::from).collect()
}

/// Under a pseudo-terminal: the banner, prompts, line editing (a backspace) and history
/// (the up arrow brings the last input back).
#[test]
fn a_terminal_session_has_line_editing_and_history() {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_qi"));
    cmd.arg("repl").env("QI_LANG", "zh").env("TERM", "xterm").env("NO_COLOR", "1");
    let mut p = rexpect::session::spawn_command(cmd, Some(20_000)).unwrap();
    p.exp_string(&raw("奇语交互环境")).unwrap();
    p.exp_string(&raw("奇> ")).unwrap();
    // `1 + 3`, backspace, `2`.
    p.send("1 + 3\x7f2\r").unwrap();
    p.flush().unwrap();
    p.exp_string(&raw("3 : 整数")).unwrap();
    p.exp_string(&raw("奇> ")).unwrap();
    p.send("变量 x = 40\r").unwrap();
    p.flush().unwrap();
    p.exp_string(&raw("奇> ")).unwrap();
    p.send("x + 2\r").unwrap();
    p.flush().unwrap();
    p.exp_string(&raw("42 : 整数")).unwrap();
    p.exp_string(&raw("奇> ")).unwrap();
    p.send("x = x + 1;\r").unwrap();
    p.flush().unwrap();
    p.exp_string(&raw("奇> ")).unwrap();
    // Up arrow twice: `x + 2` again.
    p.send("\x1b[A\x1b[A\r").unwrap();
    p.flush().unwrap();
    p.exp_string(&raw("43 : 整数")).unwrap();
    p.exp_string(&raw("奇> ")).unwrap();
    // A block over two lines: the second prompt is the continuation one.
    p.send("如果 真 {\r").unwrap();
    p.flush().unwrap();
    p.exp_string(&raw("..> ")).unwrap();
    p.send("打印行(\"块\"); }\r").unwrap();
    p.flush().unwrap();
    p.exp_string(&raw("块")).unwrap();
    p.exp_string(&raw("奇> ")).unwrap();
    p.send(":quit\r").unwrap();
    p.flush().unwrap();
    p.exp_eof().unwrap();
}
