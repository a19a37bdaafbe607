//! What the session says, in Chinese or English (the `QI_LANG`/`LANG` rule).

use qi_ir::Type;
use qi_syntax::{Lang, Text};

pub fn banner(lang: Lang) -> &'static str {
    match lang {
        Lang::Zh => "奇语交互环境（qi repl）。输入 :help 查看帮助，:quit 退出。",
        Lang::En => "Qi interactive session (qi repl). Type :help for help, :quit to leave.",
    }
}

pub fn help(lang: Lang) -> &'static str {
    match lang {
        Lang::Zh => {
            "\
输入声明（函数、类型、枚举、特性、实现、`导入 标准库.…`）或语句，按回车执行。
括号未闭合时输入继续到下一行。最后一条语句是表达式时显示它的值和类型。
顶层用 `变量`/`常量` 声明的变量在之后的输入里仍然可用；再次声明同名函数（同样的参数个数）会替换它。
命令:
  :help          显示本帮助
  :type 表达式   显示表达式的类型（不求值）
  :quit          退出（也可按 Ctrl-D）"
        }
        Lang::En => {
            "\
Enter declarations (functions, structs, enums, traits, impls, `导入 标准库.…`) or statements.
Input goes on to the next line while brackets are open. When the last statement is an
expression, its value is shown with its type.
Variables declared at top level with `变量`/`常量` stay for later inputs; declaring a function
again (with as many parameters) replaces it.
Commands:
  :help          show this help
  :type EXPR     show the type of an expression (without evaluating it)
  :quit          leave (Ctrl-D too)"
        }
    }
}

pub fn unknown_command(lang: Lang, command: &str) -> String {
    match lang {
        Lang::Zh => format!("未知命令 {command}：输入 :help 查看命令"),
        Lang::En => format!("unknown command {command}: type :help for the commands"),
    }
}

pub fn type_needs_expression(lang: Lang) -> &'static str {
    match lang {
        Lang::Zh => "用法: :type 表达式",
        Lang::En => "usage: :type EXPR",
    }
}

/// The name of the text of `:type` in its diagnostics.
pub fn type_input_name(lang: Lang) -> &'static str {
    match lang {
        Lang::Zh => "<:type>",
        Lang::En => "<:type>",
    }
}

/// Why a variable's value cannot stay for later inputs.
pub enum NotCarried {
    /// It is or holds a function value.
    Function,
    /// It is or holds a channel, a future or an exception.
    Thread,
}

pub fn not_carried(var: &str, ty: &Type, why: NotCarried) -> Text {
    match why {
        NotCarried::Function => Text::new(
            format!("会话变量 {var} 的类型 {ty} 含有函数值，不能留到之后的输入：请在同一次输入里使用它，或改用函数"),
            format!("session variable {var} of type {ty} holds a function value, which cannot stay for later inputs: use it within one input, or declare a function"),
        ),
        NotCarried::Thread => Text::new(
            format!("会话变量 {var} 的类型 {ty} 含有通道、未来或异常，它们只属于一次输入的运行，不能留到之后的输入"),
            format!("session variable {var} of type {ty} holds a channel, future or exception, which belong to one input's run and cannot stay for later inputs"),
        ),
    }
}

pub fn read_before_retyped(var: &str) -> Text {
    Text::new(
        format!("这次输入把 {var} 重新声明为另一种类型，在声明之前不能使用它：请分成两次输入"),
        format!("this input declares {var} again with another type, so it cannot use it before that declaration: split it into two inputs"),
    )
}
