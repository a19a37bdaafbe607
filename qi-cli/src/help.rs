//! Parsing the command line, with `--help` in Chinese or English by the same rule as the
//! diagnostics (`QI_LANG`, else `LANG`; qi-syntax `Lang::from_env`), and the exit status
//! of a usage error: 64 (`EX_USAGE` of sysexits), distinct from a rejected program (1)
//! and an uncaught exception (2).

use crate::Cli;
use clap::{Arg, Command, CommandFactory, FromArgMatches};
use qi_syntax::Lang;

/// Exit status of a command line `qi` does not understand.
pub const USAGE_ERROR: u8 = 64;

/// The parsed command line, or the status to exit with after clap printed the help, the
/// version or the usage error.
pub fn parse(lang: Lang) -> Result<Cli, u8> {
    if let Some(cli) = plain_run(std::env::args_os().skip(1).collect()) {
        return Ok(cli);
    }
    // The texts matter only when clap prints something: a command line that parses never
    // builds the localised command (translating every subcommand's texts was a sixth of
    // the instructions `hello` ran, benches/README.md "Start-up: what is left").
    let parsed = Cli::command().try_get_matches().ok().and_then(|m| Cli::from_arg_matches(&m).ok());
    if let Some(cli) = parsed {
        return Ok(cli);
    }
    let command = localize(Cli::command(), lang);
    let matches = command.try_get_matches().map_err(|e| {
        if !e.use_stderr() {
            // Help and version: already in `lang`.
            let _ = e.print();
            return 0;
        }
        print_usage_error(e, lang);
        USAGE_ERROR
    })?;
    Cli::from_arg_matches(&matches).map_err(|e| {
        print_usage_error(e, lang);
        USAGE_ERROR
    })
}

/// `qi run FILE [ARG…]` without any option (no word after `run` starts with `-`), the
/// command line of nearly every run, read without clap: building clap's command and
/// matching it was an eighth of the instructions `hello` ran (benches/README.md, "Start-up
/// on one thread"). Clap would give the same (`tests::plain_run_is_what_clap_parses`);
/// every other command line goes to it.
fn plain_run(args: Vec<std::ffi::OsString>) -> Option<Cli> {
    let mut args = args.into_iter();
    if args.next()? != "run" {
        return None;
    }
    let file = args.next()?;
    let rest: Vec<String> = args.map(|a| a.into_string().ok()).collect::<Option<_>>()?;
    if file.to_str().is_none_or(|f| f.starts_with('-')) || rest.iter().any(|a| a.starts_with('-')) {
        return None;
    }
    Some(Cli {
        command: crate::Command::Run {
            emit: None,
            no_opt: false,
            leak_report: false,
            jit: None,
            jit_threshold: None,
            stats: false,
            log: None,
            eval: None,
            file: Some(file.into()),
            args: rest,
        },
    })
}

fn print_usage_error(error: clap::Error, lang: Lang) {
    let _ = match lang {
        Lang::En => error.print(),
        Lang::Zh => error.apply::<crate::usage_error::Chinese>().print(),
    };
}

const STATUSES_EN: &str = "Exit status: 0 success, 1 program rejected (syntax or type errors) or \
`qi fmt --check` found files to change or `qi test` a failing test, 2 uncaught exception or deadlock, 64 usage error, 70 \
internal error, 74 output could not be written.";

const STATUSES_ZH: &str = "退出状态: 0 成功，1 程序被拒绝（语法或类型错误）或 `qi fmt --check` \
发现要改的文件、`qi test` 有测试失败，2 未捕获的异常或死锁，64 命令行用法错误，70 内部错误，74 无法写出输出。";

/// The command with its texts in `lang` (the English texts are the doc comments of `Cli`).
fn localize(command: Command, lang: Lang) -> Command {
    match lang {
        Lang::En => command.after_help(STATUSES_EN),
        Lang::Zh => chinese(command),
    }
}

fn chinese(command: Command) -> Command {
    let mut command = command
        .about("qi —— 奇语（Qi）的快速运行时")
        .after_help(STATUSES_ZH)
        .help_template(
            "{about-with-newline}\n用法: {usage}\n\n命令:\n{subcommands}\n\n选项:\n{options}{after-help}",
        )
        .mut_subcommands(|sub| {
            let about = sub_about(sub.get_name());
            let sub = match about {
                Some((short, long)) => sub.about(short).long_about(long),
                None => sub,
            };
            let name = sub.get_name().to_string();
            // `qi repl` takes no arguments: no empty 参数 section.
            let template = match sub.get_positionals().next() {
                Some(_) => "{about-with-newline}\n用法: {usage}\n\n参数:\n{positionals}\n\n选项:\n{options}{after-help}",
                None => "{about-with-newline}\n用法: {usage}\n\n选项:\n{options}{after-help}",
            };
            sub.help_template(template)
            .mut_args(move |arg| translate_arg(&name, arg))
        });
    // The `-h`/`-V` flags exist once the command is built.
    command.build();
    // So does the `help` subcommand.
    command.mut_args(help_flag).mut_subcommands(|sub| {
        let sub = match sub_about(sub.get_name()) {
            Some((short, long)) => sub.about(short).long_about(long),
            None => sub,
        };
        sub.mut_args(help_flag)
    })
}

/// The `about` and `long_about` of a subcommand.
fn sub_about(name: &str) -> Option<(&'static str, &'static str)> {
    Some(match name {
        "run" => (
            "检查并运行程序: `qi run 程序.qi [参数…]`、`qi run - < 程序.qi`、`qi run -e '打印行(1 + 1);'`",
            "检查并运行程序: `qi run 程序.qi [参数…]`、`qi run - < 程序.qi`、\
             `qi run -e '打印行(1 + 1);'`。\n\n绿色线程运行在每个核一个的工作线程上；\
             `QI_WORKERS=n` 设定工作线程数。退出状态: 0 正常结束，1 程序被拒绝（或 `--jit` \
             无法运行它），2 未捕获的异常或死锁，64 用法错误，74 无法写出输出；输出管道被关闭时 \
             `qi` 由 SIGPIPE 安静地结束（shell 里是 141）。",
        ),
        "check" => ("报告程序的全部诊断，不运行", "报告程序的全部诊断，不运行。"),
        "fmt" => (
            "按唯一的规范格式就地格式化 Qi 文件（docs/FORMAT.md）",
            "按唯一的规范格式就地格式化 Qi 文件（docs/FORMAT.md）。\n\n退出状态: 0 完成（`--check` \
             时: 没有要改的），1 有文件会被修改（`--check`）或有语法错误（报告出来，文件不动）。",
        ),
        "test" => (
            "运行项目的测试函数（docs/TESTING.md）",
            "运行项目的测试函数（docs/TESTING.md）: 在 `测试/` 或 `tests/` 目录下的 `.qi` 文件和 \
             `…_测试.qi` 文件里，名字以 `测试` 开头、没有参数的函数，每个在自己的进程里运行。\
             \n\n退出状态: 0 全部通过，1 有测试失败（或测试文件被拒绝）。",
        ),
        "repl" => (
            "交互环境: 逐行输入声明和语句，显示值和类型，变量在输入之间保留（`:help`、`:type 表达式`、`:quit`）",
            "交互环境: 逐行输入声明和语句，显示值和类型，变量在输入之间保留（`:help`、\
             `:type 表达式`、`:quit`）。\n\n标准输入是终端时支持行编辑和历史；否则逐行读取输入，\
             不显示提示符。退出状态: 0。",
        ),
        "lsp" => (
            "编辑器用的语言服务器（LSP），经标准输入输出通信",
            "编辑器用的语言服务器（Language Server Protocol），经标准输入输出通信: 按 `qi check` \
             的方式报告诊断，并提供悬停提示、跳转到定义、补全、文档符号和 `qi fmt` 格式化。",
        ),
        "help" => ("显示本帮助或所给子命令的帮助", "显示本帮助或所给子命令的帮助。"),
        _ => return None,
    })
}

fn translate_arg(command: &str, arg: Arg) -> Arg {
    let zh = match (command, arg.get_id().as_str()) {
        ("run", "emit") => "打印中间形式而不运行: ir（优化后要运行的 IR）、ir-raw（降级后、优化前的 IR）、asm（每个函数的机器码，写到标准错误）",
        ("run", "no_opt") => "运行（或 `--emit ir` 打印）未经 IR 优化的 IR，用于检验优化（也可 `QI_NO_OPT=1`）",
        ("run", "leak_report") => "退出时把按种类统计的存活堆对象数打印到标准错误（也可 `QI_LEAK_REPORT=1`）",
        ("run", "jit") => "函数如何运行: auto（默认，解释执行并用 Cranelift 编译热函数）、eager（入口开始前编译全部函数）、off（全部解释执行）、stress（每个函数首次调用或循环时编译并等待，用于测试）（也可 `QI_JIT=…`）",
        ("run", "stats") => "退出时把解释与编译的函数数、编译耗时、首次输出的时间（和环收集的次数与停顿）打印到标准错误",
        ("run", "log") => "把引擎事件（每次升级的原因、编译耗时和代码大小）记录到标准错误: 级别如 `debug`，或过滤指令如 `qi::tier=debug`（也可 `QI_LOG=…`）",
        ("run", "jit_threshold") => "auto 模式下调用次数加循环次数达到多少时编译一个函数（也可 `QI_JIT_THRESHOLD=…`；用于测试和测量）",
        ("run", "eval") => "把这段代码当作隐含的 `入口` 的函数体运行，而不是运行文件（此时本该是文件的参数成为程序的第一个参数）；诊断指向第 2 行",
        ("run", "file") => "程序的入口文件；`-` 从标准输入读程序",
        ("run", "args") => "传给程序的参数（`命令行参数()`）",
        ("check", "syntax") => "只做语法分析: 报告语法错误（任何 Qi 文件都可以）",
        ("check", "file") => "要检查的文件；`-` 从标准输入读",
        ("fmt", "check") => "什么都不改: 列出会被修改的文件，有则以 1 退出",
        ("fmt", "files") => "文件或目录（其中的 `.qi` 文件）；`-` 把标准输入格式化到标准输出。不给: 当前目录下的全部 `.qi` 文件",
        ("test", "path") => "项目目录（默认: 当前目录）或一个测试文件",
        ("help", _) => "要显示帮助的子命令",
        _ => return arg,
    };
    let arg = arg.help(zh).long_help(None);
    // The values are listed in the text above (their own descriptions are English).
    match (command, arg.get_id().as_str()) {
        ("run", "emit" | "jit") => arg.hide_possible_values(true),
        _ => arg,
    }
}

fn help_flag(arg: Arg) -> Arg {
    match arg.get_id().as_str() {
        // Both texts: clap shows `long_help` under `--help`.
        "help" => arg.help("显示帮助（`-h` 为摘要）").long_help("显示帮助（`-h` 为摘要）"),
        "version" => arg.help("显示版本"),
        _ => arg,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::Parser;

    fn plain(argv: &[&str]) -> Option<Cli> {
        plain_run(argv.iter().skip(1).map(Into::into).collect())
    }

    #[test]
    fn plain_run_is_what_clap_parses() {
        for argv in [
            &["qi", "run", "程序.qi"][..],
            &["qi", "run", "dir/a.qi", "x", "两 个", "3"],
            &["qi", "run", "run"],
        ] {
            let ours = plain(argv).expect("a plain run");
            let clap = Cli::try_parse_from(argv).expect("clap parses it");
            assert_eq!(format!("{ours:?}"), format!("{clap:?}"), "{argv:?}");
        }
    }

    #[test]
    fn anything_else_goes_to_clap() {
        for argv in [
            &["qi"][..],
            &["qi", "run"],
            &["qi", "run", "-"],
            &["qi", "run", "--stats", "a.qi"],
            &["qi", "run", "a.qi", "--stats"],
            &["qi", "run", "a.qi", "-x"],
            &["qi", "run", "-e", "打印行(1);"],
            &["qi", "check", "a.qi"],
            &["qi", "--help"],
        ] {
            assert!(plain(argv).is_none(), "{argv:?}");
        }
    }
}
