//! Operating-system errors about the program's files are shown in the message language
//! (`qi-rt/src/os_error.rs`): a directory or a missing path given as the program.
//! (Invalid UTF-8 in a source file is covered by conformance programs:
//! `errors/invalid_utf8*.qi`, `modules/invalid_utf8_import.qi`.)

use std::path::PathBuf;
use std::process::{Command, Output};

/// A fresh directory holding a directory `目录.qi`.
fn workspace() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("qi-os-errors-{}", std::process::id()));
    std::fs::create_dir_all(dir.join("目录.qi")).unwrap();
    dir
}

fn qi(args: &[&str], lang: Option<&str>) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_qi"));
    cmd.args(args).current_dir(workspace()).env_remove("QI_LANG").env("LANG", "C.UTF-8");
    if let Some(lang) = lang {
        cmd.env("QI_LANG", lang);
    }
    cmd.output().unwrap()
}

fn assert_rejected(args: &[&str], lang: Option<&str>, stderr: &str) {
    let out = qi(args, lang);
    assert_eq!(out.status.code(), Some(1), "{args:?}: {out:?}");
    assert_eq!(String::from_utf8_lossy(&out.stderr), stderr, "{args:?} {lang:?}");
    assert!(out.stdout.is_empty());
}

#[test]
fn a_directory_given_as_the_program() {
    for args in [&["run", "目录.qi"][..], &["check", "目录.qi"], &["check", "--syntax", "目录.qi"]]
    {
        assert_rejected(args, None, "错误: 无法读取文件 目录.qi: 是一个目录\n");
        assert_rejected(args, Some("en"), "error: cannot read file 目录.qi: is a directory\n");
    }
}

#[test]
fn a_missing_program() {
    for args in [&["run", "没有.qi"][..], &["check", "没有.qi"]] {
        assert_rejected(args, None, "错误: 无法读取文件 没有.qi: 没有这个文件或目录\n");
        assert_rejected(
            args,
            Some("en"),
            "error: cannot read file 没有.qi: no such file or directory\n",
        );
    }
}
