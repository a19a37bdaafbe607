//! `qi test` (issue 16, point 4; docs/TESTING.md) on the example project in
//! `tests/qtest/项目`: passing, failing and erroring tests, nested directories, a
//! `_测试.qi` file beside the code, a rejected test file, a test file with its own
//! `入口`; exact expected output and status, under every tier.

use std::path::PathBuf;
use std::process::Command;

/// What one run of `qi test` did.
#[derive(Debug, PartialEq)]
struct Ran {
    status: i32,
    stdout: String,
    stderr: String,
}

fn project() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/qtest/项目")
}

/// Runs `qi test args…` in the example project, in language `lang`, with `env` set.
fn qi_test(args: &[&str], lang: &str, env: &[(&str, &str)]) -> Ran {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_qi"));
    cmd.arg("test").args(args).current_dir(project()).env("QI_LANG", lang).env("NO_COLOR", "1");
    cmd.env_remove("QI_JIT");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().unwrap();
    Ran {
        status: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}

const PROJECT_STDOUT: &str = "\
通过 tests/english.qi::测试英文目录
通过 测试/基本.qi::测试通过的断言
失败 测试/基本.qi::测试失败的断言
    失败之前的输出
    ❌ 断言失败: 期望 5, 实际 4
       消息: 二加二
       位置: 测试/基本.qi:10:5
    ❌ 断言失败: 期望假值, 实际为真
       消息: 第二处失败
       位置: 测试/基本.qi:12:5
失败 测试/基本.qi::测试未捕获的异常
    未捕获的异常: 除数为零
      在 除 (源码/算术.qi:7)
      在 测试未捕获的异常 (测试/基本.qi:16)
      在 入口 (测试/<qi test>:4)
失败 测试/基本.qi::测试调用退出
    ❌ 断言失败: 值不应该等于 1
       消息: 退出之前失败
       位置: 测试/基本.qi:20:5
通过 测试/嵌套/更深.qi::测试嵌套目录
失败 测试/嵌套/更深.qi::测试退出状态
    （退出状态 3）
失败 测试/有错.qi::测试类型错误
失败 测试/有错.qi::测试同一文件的另一个
通过 源码/算术_测试.qi::测试加法
通过 4 个，失败 6 个
";

/// The rejected file's diagnostic, shown once for the file.
const PROJECT_STDERR: &str = "\
错误: 类型不匹配：期望 整数，实际是 字符串
   ,-[ 测试/有错.qi:2:16 ]
   |
 2 |     变量 数: 整数 = \"不是整数\";
   |                     ^^^^^|^^^^  
   |                          `------ 这里
---'
";

#[test]
fn the_whole_project_reports_each_test_and_the_failing_assertions() {
    let ran = qi_test(&[], "zh", &[]);
    assert_eq!(
        ran,
        Ran { status: 1, stdout: PROJECT_STDOUT.into(), stderr: PROJECT_STDERR.into() }
    );
}

#[test]
fn every_tier_gives_the_same_report() {
    for tier in ["off", "eager", "stress", "auto"] {
        let ran = qi_test(&[], "zh", &[("QI_JIT", tier)]);
        assert_eq!((ran.status, ran.stdout.as_str()), (1, PROJECT_STDOUT), "QI_JIT={tier}");
    }
}

#[test]
fn a_directory_inside_a_test_directory_in_english() {
    let ran = qi_test(&["测试/嵌套"], "en", &[]);
    let stdout = "\
ok 测试/嵌套/更深.qi::测试嵌套目录
FAILED 测试/嵌套/更深.qi::测试退出状态
    (exit status 3)
1 passed, 1 failed
";
    assert_eq!(ran, Ran { status: 1, stdout: stdout.into(), stderr: String::new() });
}

#[test]
fn a_passing_file_exits_with_0() {
    let ran = qi_test(&["源码/算术_测试.qi"], "en", &[]);
    let stdout = "ok 源码/算术_测试.qi::测试加法\n1 passed, 0 failed\n";
    assert_eq!(ran, Ran { status: 0, stdout: stdout.into(), stderr: String::new() });
}

#[test]
fn an_assertion_location_is_in_english_too() {
    let ran = qi_test(&["测试/基本.qi"], "en", &[]);
    assert_eq!(ran.status, 1);
    assert!(ran.stdout.contains("       at: 测试/基本.qi:10:5\n"), "{}", ran.stdout);
    assert!(ran.stdout.ends_with("1 passed, 3 failed\n"), "{}", ran.stdout);
}

#[test]
fn a_file_outside_the_test_directories_is_no_test_file() {
    // `源码/普通.qi` has a `测试…` function that would fail.
    let ran = qi_test(&["源码"], "zh", &[]);
    let stdout = "通过 源码/算术_测试.qi::测试加法\n通过 1 个，失败 0 个\n";
    assert_eq!(ran, Ran { status: 0, stdout: stdout.into(), stderr: String::new() });
}

#[test]
fn usage_errors_exit_with_64() {
    let missing = qi_test(&["没有这个目录"], "zh", &[]);
    let stderr = "错误: 找不到 没有这个目录\n";
    assert_eq!(missing, Ran { status: 64, stdout: String::new(), stderr: stderr.into() });
    assert_eq!(qi_test(&["测试", "多余"], "en", &[]).status, 64);
}
