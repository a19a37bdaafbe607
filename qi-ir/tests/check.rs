//! The checker: which programs it accepts, the exact diagnostics (Chinese and English text,
//! and position as `line:col-line:col`, 1-based, columns in Unicode scalar values) of the
//! ones it rejects, and the shape of the IR it lowers to.
//!
//! Every program here parses cleanly, so each diagnostic comes from `qi_ir::check`.

mod common;

use common::checking::*;
use qi_ir::*;

// ---- accepted programs -------------------------------------------------------------------

/// Runs the program given as the case name when started by the child harness
/// (`common::tiers`); does nothing in a normal test run.
#[test]
fn child_entry() {
    common::tiers::child_main();
}

#[test]
fn accepts_the_scalar_language() {
    accept(
        "包 主程序;
         变量 计数 = 0;
         常量 名 = \"奇\";
         变量 待定: 浮点数;
         函数 加(a: 整数, b: 整数 = 2): 整数 { 返回 a + b; }
         函数 面积(边: 整数): 整数 { 返回 边 * 边; }
         函数 面积(宽: 整数, 高: 整数): 整数 { 返回 宽 * 高; }
         函数 无类型(x) { 打印行(x + 1); }
         函数 零(): 字符串 { }
         函数 入口() {
             变量 s = 名 + 计数 + 1.5 + 真 + 'c';
             变量 c: 字符 = '中';
             变量 f: 浮点数 = 1;
             变量 i: 整数 = 真;
             计数 += 加(1) + 面积(2) + 面积(2, 3);
             如果 计数 { 打印(计数); } 否则 如果 !真 { } 否则 { }
             当 计数 > 0 { 计数 -= 1; 如果 计数 == 3 { 继续; } 如果 计数 == 1 { 跳出; } }
             对于 k 在 0..3 { 打印(k); }
             对于 k 在 1 到 3 { 打印(k); }
             对于 k 在 0 直到 3 { 打印(k); }
             对于 a 在 命令行参数() { 打印行(a); }
             打印行(s, c, f, i, 待定, 长度(s), s.长度, 'a' < 'b', c 作为 整数, 65 作为 字符);
             打印行(f\"{计数}-{s}\", \"${计数 * 2}\", 1 < 2.5, \"a\" < \"b\", 非 假 与 真 或 假);
             打印行(3.99 作为 整数, 真 作为 字符串, \"41\" 作为 整数, 7 作为 浮点数, 1 作为 布尔);
             打印行(整数转字符串(1), 浮点数转字符串(1.5), 字符串转整数(\"1\"), 字符串转浮点数(\"2\"),
                   整数转浮点数(3), 浮点数转整数(2.5), 数组长度(命令行参数()));
             输入输出.打印行(输入(), 输入(\"? \"));
             无类型(1);
             打印行(零());
             返回;
         }",
    );
}

#[test]
fn entry_may_take_parameters_and_return_a_value() {
    let m = accept("函数 入口(参数: 数组<字符串>, n: 整数): 整数 { 返回 长度(参数) + n; }");
    // `main` passes zero values: a fresh empty array (released afterwards) and 0.
    let main = &m.functions[m.main.index()];
    let t = print::function_text(&m, m.main);
    assert!(t.contains("new 数组<字符串>(0)"), "{t}");
    assert!(insts(main).any(|(_, i)| matches!(i, Inst::Release(_))), "{t}");
}

#[test]
fn a_warning_alone_keeps_the_module() {
    let (m, ds) = check_src("打印行(1);\n函数 入口() {}\n");
    assert_eq!(
        ds,
        ["warning 1:1-1:8 顶层语句不会执行：请把它写进 `入口` 或其他函数 | top-level statement is never executed: move it into `入口` or another function"]
    );
    assert!(m.is_some());
}

#[test]
fn shadowing_and_redeclaration_are_allowed() {
    accept(
        in_entry(
            "变量 层 = 1;
         如果 真 { 变量 层 = \"二\"; 如果 真 { 变量 层 = 3.5; 打印行(层); } 打印行(层); }
         变量 层 = 真;
         对于 层 在 0..2 { 打印行(层); }
         打印行(层);",
        )
        .as_str(),
    );
}

// ---- declarations ---------------------------------------------------------------------

#[test]
fn missing_entry() {
    assert_errors("函数 主() {}\n", &["1:1-1:1 未找到 入口() 函数 | no `入口()` function found"]);
    assert_errors("", &["1:1-1:1 未找到 入口() 函数 | no `入口()` function found"]);
    // Reported together with the other errors of the file.
    assert_errors(
        "函数 主() { 打印行(甲); }",
        &[
            "1:1-1:1 未找到 入口() 函数 | no `入口()` function found",
            "1:14-1:15 未声明的变量: 甲 | undeclared variable: 甲",
        ],
    );
}

#[test]
fn function_declaration_errors() {
    assert_errors(
        "函数 大<T>(a: T): T { 返回 a; }
函数 有() {}
函数 无() {}
函数 成() {}
函数 败() {}
函数 合(a...: 整数) {}
函数 f(a: 空) {}
函数 入口() {}",
        &[
            "2:4-2:5 「有」是奇语内建构造子（选项/结果），不能用作函数名 | `有` is a built-in constructor (选项/结果) and cannot name a function",
            "3:4-3:5 「无」是奇语内建构造子（选项/结果），不能用作函数名 | `无` is a built-in constructor (选项/结果) and cannot name a function",
            "4:4-4:5 「成」是奇语内建构造子（选项/结果），不能用作函数名 | `成` is a built-in constructor (选项/结果) and cannot name a function",
            "5:4-5:5 「败」是奇语内建构造子（选项/结果），不能用作函数名 | `败` is a built-in constructor (选项/结果) and cannot name a function",
            "7:6-7:10 形参不能是 空 类型 | a parameter cannot have type 空",
        ],
    );
}

#[test]
fn overloading_rules() {
    assert_errors(
        "函数 f(a: 整数) {}
函数 f(b: 整数) {}
函数 g(a: 整数 = 1) {}
函数 g() {}
函数 h(): 整数 { 返回 1; }
函数 h(a: 整数): 字符串 { 返回 \"\"; }
函数 入口() {}",
        &[
            "2:4-2:5 函数「f」重复定义：已有一个接收 1 个参数的版本 | function `f` is defined twice with 1 parameters",
            "4:4-4:5 重载函数「g」不支持默认参数或变参 | overloaded function `g` cannot have default or variadic parameters",
            "6:4-6:5 重载函数「h」各定义的返回类型必须一致（现有 整数，新增 字符串） | overloads of `h` must have the same return type (整数 vs 字符串)",
        ],
    );
}

#[test]
fn type_errors_in_signatures() {
    assert_errors(
        "函数 g(a: 某类) {}
函数 h(a: 数组) {}
函数 i(a: 指针, b: 列表<整数>, c: 通道<空>, d: 通道, e: 未来) {}
函数 j(): 某类 { }
函数 入口() {}",
        &[
            "1:9-1:11 未定义的类型: 某类 | unknown type: 某类",
            "2:9-2:11 数组类型需要元素类型：数组<T> | array type needs an element type: 数组<T>",
            "3:16-3:22 暂不支持：列表 | not supported yet: lists",
            "3:27-3:32 通道的元素类型不能是 空 | a channel cannot carry 空 values",
            "3:37-3:39 通道类型需要元素类型：通道<T> | channel type needs an element type: 通道<T>",
            "3:44-3:46 未来类型需要结果类型：未来<T> | future type needs a result type: 未来<T>",
            "4:9-4:11 未定义的类型: 某类 | unknown type: 某类",
        ],
    );
}

#[test]
fn global_declaration_errors() {
    assert_errors(
        "变量 甲 = 1;
变量 甲 = 2;
常量 乙: 整数;
变量 丙;
变量 丁: 空;
函数 空函() {}
变量 戊 = 空函();
函数 入口() {}",
        &[
            "2:4-2:5 全局变量 `甲` 重复定义 | global `甲` is defined twice",
            "3:1-3:10 常量必须有初值 | a constant needs an initial value",
            "4:1-4:6 变量声明需要类型注解或初值 | a variable declaration needs a type or an initial value",
            "5:1-5:9 变量不能是 空 类型 | a variable cannot have type 空",
            "7:8-7:12 不能用 空 值初始化变量 | cannot initialise a variable with a 空 value",
        ],
    );
}

#[test]
fn a_global_initialiser_sees_only_the_globals_above_it() {
    assert_errors(
        "变量 甲 = 乙 + 1;\n变量 乙 = 2;\n函数 入口() { 打印行(甲, 乙); }",
        &["1:8-1:9 未声明的变量: 乙 | undeclared variable: 乙"],
    );
}

#[test]
fn local_declaration_errors() {
    assert_errors(
        &in_entry(
            "常量 乙: 整数;
变量 丙;
变量 丁: 空;
变量 戊 = 打印行(1);
变量 己: 某类;",
        ),
        &[
            "2:1-2:10 常量必须有初值 | a constant needs an initial value",
            "3:1-3:6 变量声明需要类型注解或初值 | a variable declaration needs a type or an initial value",
            "4:1-4:9 变量不能是 空 类型 | a variable cannot have type 空",
            "5:8-5:14 不能用 空 值初始化变量 | cannot initialise a variable with a 空 value",
            "6:7-6:9 未定义的类型: 某类 | unknown type: 某类",
        ],
    );
}

// ---- statements -----------------------------------------------------------------------

#[test]
fn assignment_errors() {
    assert_errors(
        &in_entry(
            "变量 a = 1;
某::名 = 1;
未有 = 1 + 未有2;
常量 c = 1;
c = 2;
c += 1;",
        ),
        &[
            "3:1-3:5 无效的赋值目标 | invalid assignment target",
            "4:1-4:3 赋值给未声明变量: 未有 | assignment to undeclared variable: 未有",
            "4:10-4:13 未声明的变量: 未有2 | undeclared variable: 未有2",
            "6:1-6:2 不能给常量 `c` 重新赋值 | cannot assign twice to constant `c`",
            "7:1-7:2 不能给常量 `c` 重新赋值 | cannot assign twice to constant `c`",
        ],
    );
}

#[test]
fn assigning_a_global_constant() {
    assert_errors(
        "常量 上限 = 10;\n函数 入口() {\n    上限 = 20;\n}\n",
        &["3:5-3:7 不能给常量 `上限` 重新赋值 | cannot assign twice to constant `上限`"],
    );
}

#[test]
fn an_assignment_has_no_value() {
    assert_errors(
        &in_entry("变量 a = 1;\n变量 b = (a = 2);"),
        &["3:9-3:14 赋值是语句，不能用作值 | an assignment is a statement and has no value"],
    );
}

#[test]
fn conditions_and_loops() {
    assert_errors(
        &in_entry(
            "如果 \"x\" { }
当 1.5 { }
如果 真 { } 否则 如果 'c' { }
对于 i 在 1.0..3 { }
对于 i 在 0 到 \"a\" { }
对于 c 在 \"abc\" { }
对于 c 在 5 { }",
        ),
        &[
            "2:4-2:7 条件必须是 布尔 值，这里是 字符串 | a condition must be a 布尔, found 字符串",
            "3:3-3:6 条件必须是 布尔 值，这里是 浮点数 | a condition must be a 布尔, found 浮点数",
            "4:16-4:19 条件必须是 布尔 值，这里是 字符 | a condition must be a 布尔, found 字符",
            "5:8-5:11 区间循环的起点必须是整数，不能是浮点数 | the start of a range loop must be an integer, not 浮点数",
            "6:12-6:15 区间循环的终点必须是整数，不能是字符串 | the end of a range loop must be an integer, not 字符串",
            "7:8-7:13 `对于 x 在 …` 只能遍历整数区间、数组或通道，这里是 字符串 | `对于 x 在 …` can only iterate over an integer range, an array or a channel, found 字符串",
            "8:8-8:9 `对于 x 在 …` 只能遍历整数区间、数组或通道，这里是 整数 | `对于 x 在 …` can only iterate over an integer range, an array or a channel, found 整数",
        ],
    );
}

#[test]
fn break_and_continue_outside_a_loop() {
    assert_errors(
        "函数 处理(n: 整数) {\n    如果 n == 2 { 继续; }\n    跳出;\n}\n函数 入口() { 对于 i 在 0..3 { 处理(i); } }",
        &[
            "2:17-2:20 继续 只能出现在 当 / 对于 循环体内 | 继续 (continue) can only appear inside a 当 / 对于 loop",
            "3:5-3:8 跳出 只能出现在 当 / 对于 循环体内 | 跳出 (break) can only appear inside a 当 / 对于 loop",
        ],
    );
}

#[test]
fn type_mismatches_in_initialisers_assignments_arguments_and_returns() {
    assert_errors(
        "函数 f(): 整数 { 返回 \"s\"; }
函数 g(a: 整数) {}
函数 h(): 字符串 { 返回 1.5; }
函数 入口() {
    变量 x: 整数 = 2.5;
    变量 y: 字符串 = 1;
    变量 z = 1;
    z = \"a\";
    z = 1.5;
    z += 0.5;
    g(2.5);
    g(\"s\");
    变量 b: 布尔 = 1;
    变量 c: 字符 = 65;
}",
        &[
            "1:17-1:20 类型不匹配：期望 整数，实际是 字符串 | type mismatch: expected 整数, found 字符串",
            "3:18-3:21 类型不匹配：期望 字符串，实际是 浮点数 | type mismatch: expected 字符串, found 浮点数",
            "5:16-5:19 类型不匹配：期望 整数，实际是 浮点数（用 `作为 整数` 显式转换） | type mismatch: expected 整数, found 浮点数 (convert explicitly with `作为 整数`)",
            "6:17-6:18 类型不匹配：期望 字符串，实际是 整数 | type mismatch: expected 字符串, found 整数",
            "8:9-8:12 类型不匹配：期望 整数，实际是 字符串 | type mismatch: expected 整数, found 字符串",
            "9:9-9:12 类型不匹配：期望 整数，实际是 浮点数（用 `作为 整数` 显式转换） | type mismatch: expected 整数, found 浮点数 (convert explicitly with `作为 整数`)",
            "10:10-10:13 类型不匹配：期望 整数，实际是 浮点数（用 `作为 整数` 显式转换） | type mismatch: expected 整数, found 浮点数 (convert explicitly with `作为 整数`)",
            "11:7-11:10 类型不匹配：期望 整数，实际是 浮点数（用 `作为 整数` 显式转换） | type mismatch: expected 整数, found 浮点数 (convert explicitly with `作为 整数`)",
            "12:7-12:10 类型不匹配：期望 整数，实际是 字符串 | type mismatch: expected 整数, found 字符串",
            "13:16-13:17 类型不匹配：期望 布尔，实际是 整数 | type mismatch: expected 布尔, found 整数",
            "14:16-14:18 类型不匹配：期望 字符，实际是 整数 | type mismatch: expected 字符, found 整数",
        ],
    );
}

#[test]
fn implicit_conversions_that_are_allowed() {
    // 整数 → 浮点数 and 布尔 → 整数 only (language.md §3.3).
    let m = accept(
        "函数 f(x: 浮点数): 浮点数 { 返回 1; }
         函数 入口() { 变量 a: 浮点数 = 2; a = 3; 变量 b: 整数 = 真; b = 假; 打印行(f(1), a, b); }",
    );
    let t = text(&m, "入口");
    assert_eq!(t.matches("IntToFloat").count(), 3, "{t}");
    assert_eq!(t.matches("BoolToInt").count(), 2, "{t}");
}

#[test]
fn unsupported_statements_are_reported_with_their_location() {
    assert_errors(
        &in_entry(
            "尝试 { } 捕获 e { }
抛出 \"x\";
函数 内() {}",
        ),
        &["4:1-4:10 暂不支持：函数体内的声明（请改用闭包） | not supported yet: declarations inside a function body"],
    );
}

#[test]
fn unsupported_top_level_items_are_reported_with_their_location() {
    assert_errors(
        "导入 标准库.内存;
导出 甲;
特性 可 { 函数 名(): 字符串; }
外部 \"c\" { 函数 abs(n: 整数): 整数; }
函数 入口() {}",
        &["2:1-2:6 暂不支持：导出 | not supported yet: exports"],
    );
}

#[test]
fn unsupported_expressions_are_reported_with_their_location() {
    assert_errors(
        &in_entry(
            "变量 a = 1;
变量 k = &a;
变量 l = *a;
某模块::做(2.0);
某模块.做(2.0);",
        ),
        &[
            "5:1-5:12 暂不支持：标准库模块 | not supported yet: standard-library modules",
            "6:1-6:11 暂不支持：标准库模块 | not supported yet: standard-library modules",
        ],
    );
}

// ---- expressions ----------------------------------------------------------------------

#[test]
fn names() {
    assert_errors(
        &in_entry("打印行(甲);\n变量 x = 1;\n打印行(x(2));\n未知(1, 未知变量);\n(x)(1);"),
        &[
            "2:5-2:6 未声明的变量: 甲 | undeclared variable: 甲",
            "4:5-4:6 `x` 是 整数 类型的变量，不是函数，不能调用 | `x` is a variable of type 整数, not a function",
            "5:1-5:3 未定义的函数: 未知 | undefined function: 未知",
            "5:7-5:11 未声明的变量: 未知变量 | undeclared variable: 未知变量",
            "6:1-6:4 只能调用函数，这里是 整数 | only functions can be called, found 整数",
        ],
    );
}

#[test]
fn unary_operators() {
    assert_errors(
        &in_entry(
            "变量 f = -\"s\";\n变量 g = !1.5;\n变量 h = +真;\n变量 i = -真;\n变量 j = 非 \"s\";",
        ),
        &[
            "2:8-2:12 一元运算 - 不能用于 字符串 | unary - cannot be applied to 字符串",
            "3:8-3:12 一元运算 ! 不能用于 浮点数 | unary ! cannot be applied to 浮点数",
            "4:8-4:10 一元运算 + 不能用于 布尔 | unary + cannot be applied to 布尔",
            "5:8-5:10 一元运算 - 不能用于 布尔 | unary - cannot be applied to 布尔",
            "6:8-6:13 一元运算 ! 不能用于 字符串 | unary ! cannot be applied to 字符串",
        ],
    );
}

#[test]
fn integer_literal_out_of_range_is_a_lexical_error_the_checker_repeats() {
    // The lexer reports it first (`qi` shows only syntax errors when there are any); the
    // checker must not panic on it and reports it too.
    let src = in_entry("变量 a = 99999999999999999999;");
    let parse = qi_syntax::parse(&src);
    assert_eq!(parse.errors.len(), 1);
    let out = check(&parse.tree(), &src, "t.qi");
    let ds: Vec<String> =
        out.diagnostics.iter().map(|d| format!("{} | {}", d.message.zh, d.message.en)).collect();
    assert_eq!(
        ds,
        ["无效的数字格式：99999999999999999999 超出 整数 的范围 | invalid number: 99999999999999999999 does not fit in an integer"]
    );
    assert!(out.module.is_none());
}

#[test]
fn length_and_indexing() {
    assert_errors(
        &in_entry(
            "变量 a = 1;
变量 s = \"abc\";
变量 n = 命令行参数();
变量 l = a.长度;
变量 m = a[0];
变量 q = 长度(1.5);
变量 r = 数组长度(s);
变量 o = n[\"x\"];
变量 p = s[0];",
        ),
        &[
            "5:8-5:12 长度 只能用于字符串或数组，这里是 整数 | 长度 needs a string or an array, found 整数",
            "6:8-6:12 只能对数组取下标，这里是 整数 | only arrays can be indexed, found 整数",
            "7:8-7:15 长度 只能用于字符串或数组，这里是 浮点数 | 长度 needs a string or an array, found 浮点数",
            "8:8-8:15 数组长度 需要数组，这里是 字符串 | 数组长度 needs an array, found 字符串",
            "9:10-9:13 下标必须是整数，这里是 字符串 | an index must be an integer, found 字符串",
            "10:8-10:12 只能对数组取下标，这里是 字符串 | only arrays can be indexed, found 字符串",
        ],
    );
}

#[test]
fn string_rendering_errors() {
    assert_errors(
        "函数 空函() {}
函数 入口() {
    变量 n = 命令行参数();
    打印行(\"值${空函()}\");
    打印行(\"值${n}\");
    打印行(f\"值{n}\");
    变量 s = \"a\" + n;
    变量 t = 空函() 作为 字符串;
    变量 u = n + \"a\";
}",
        &[
            "4:13-4:17 空 值不能转换为字符串 | a 空 value cannot be turned into a string",
            "5:13-5:14 数组不能直接拼接为字符串 | an array cannot be concatenated into a string",
            "6:13-6:14 数组不能直接拼接为字符串 | an array cannot be concatenated into a string",
            "7:12-7:19 数组不能直接拼接为字符串 | an array cannot be concatenated into a string",
            "8:12-8:23 空 值不能转换为字符串 | a 空 value cannot be turned into a string",
            "9:12-9:19 数组不能直接拼接为字符串 | an array cannot be concatenated into a string",
        ],
    );
}

#[test]
fn bad_conversions_with_zuowei() {
    assert_errors(
        &in_entry(
            "变量 n = 命令行参数();
变量 u = \"x\" 作为 布尔;
变量 v = 1.5 作为 字符;
变量 w = n 作为 整数;
变量 y = 1 作为 空;
变量 z = 'c' 作为 浮点数;
变量 x = 真 作为 字符;",
        ),
        &[
            "3:8-3:17 不支持的类型转换：字符串 作为 布尔（支持 整数/浮点数/布尔/字符/字符串 间的标量转换） | unsupported conversion: 字符串 作为 布尔 (only scalar conversions between 整数/浮点数/布尔/字符/字符串)",
            "4:8-4:17 不支持的类型转换：浮点数 作为 字符（支持 整数/浮点数/布尔/字符/字符串 间的标量转换） | unsupported conversion: 浮点数 作为 字符 (only scalar conversions between 整数/浮点数/布尔/字符/字符串)",
            "5:8-5:15 不支持的类型转换：数组<字符串> 作为 整数（支持 整数/浮点数/布尔/字符/字符串 间的标量转换） | unsupported conversion: 数组<字符串> 作为 整数 (only scalar conversions between 整数/浮点数/布尔/字符/字符串)",
            "6:8-6:14 不支持的类型转换：整数 作为 空（支持 整数/浮点数/布尔/字符/字符串 间的标量转换） | unsupported conversion: 整数 作为 空 (only scalar conversions between 整数/浮点数/布尔/字符/字符串)",
            "7:8-7:18 不支持的类型转换：字符 作为 浮点数（支持 整数/浮点数/布尔/字符/字符串 间的标量转换） | unsupported conversion: 字符 作为 浮点数 (only scalar conversions between 整数/浮点数/布尔/字符/字符串)",
            "8:8-8:15 不支持的类型转换：布尔 作为 字符（支持 整数/浮点数/布尔/字符/字符串 间的标量转换） | unsupported conversion: 布尔 作为 字符 (only scalar conversions between 整数/浮点数/布尔/字符/字符串)",
        ],
    );
}

#[test]
fn conversions_that_are_allowed() {
    let m = accept(&in_entry(
        "打印行(3.99 作为 整数, 真 作为 字符串, \"41\" 作为 整数, \"1.5\" 作为 浮点数, 7 作为 浮点数, 1 作为 布尔,
               真 作为 整数, 真 作为 浮点数, 'a' 作为 整数, 97 作为 字符, 1.5 作为 字符串, 'c' 作为 字符串, 5 作为 字节, 1 作为 整数);",
    ));
    let f = func(&m, "入口");
    let convs: Vec<Conv> = insts(f)
        .filter_map(|(_, i)| match i {
            Inst::Assign { value: Value::Convert(c, _), .. } => Some(*c),
            _ => None,
        })
        .collect();
    use Conv::*;
    assert_eq!(
        convs,
        [FloatToInt, IntToFloat, IntToBool, BoolToInt, BoolToFloat, CharToInt, IntToChar]
    );
    let builtins: Vec<Builtin> = insts(f)
        .filter_map(|(_, i)| match i {
            Inst::Assign { value: Value::Builtin { op, .. }, .. } => Some(*op),
            _ => None,
        })
        .collect();
    use Builtin::*;
    assert_eq!(builtins, [BoolToStr, StrToInt, StrToFloat, FloatToStr, CharToStr]);
}

#[test]
fn logical_operators() {
    assert_errors(
        &in_entry("变量 a = \"s\" && 真;\n变量 b = 真 || 1.5;\n变量 c = 'c' 与 真;"),
        &[
            "2:8-2:11 逻辑运算的操作数必须是 布尔，这里是 字符串 | operands of a logical operator must be 布尔, found 字符串",
            "3:13-3:16 逻辑运算的操作数必须是 布尔，这里是 浮点数 | operands of a logical operator must be 布尔, found 浮点数",
            "4:8-4:11 逻辑运算的操作数必须是 布尔，这里是 字符 | operands of a logical operator must be 布尔, found 字符",
        ],
    );
}

#[test]
fn arithmetic_operand_errors() {
    assert_errors(
        "函数 空函() {}
函数 入口() {
    变量 n = 命令行参数();
    变量 c = 空函() + 1;
    变量 c2 = 1 * 空函();
    变量 d = \"s\" - 1;
    变量 e = 1 * \"s\";
    变量 f = n * 1;
    变量 g = \"a\" % \"b\";
}",
        &[
            "4:12-4:20 空 值不能参与运算 | a 空 value cannot be used in an operation",
            "5:13-5:21 空 值不能参与运算 | a 空 value cannot be used in an operation",
            "6:12-6:19 运算 - 不支持左操作数（字符串） | operator - does not accept a left operand of type 字符串",
            "7:12-7:19 运算 * 不支持右操作数（字符串） | operator * does not accept a right operand of type 字符串",
            "8:12-8:17 运算 * 不支持左操作数（数组<字符串>） | operator * does not accept a left operand of type 数组<字符串>",
            "9:12-9:21 运算 % 不支持左操作数（字符串） | operator % does not accept a left operand of type 字符串",
        ],
    );
}

#[test]
fn bitwise_operators_on_floats() {
    assert_errors(
        &in_entry("变量 g = 1.5 & 1;\n变量 h = 1 | 2.5;\n变量 i = 1.5 << 2;\n变量 j = 1 ^ 2.0;\n变量 k = 8 >> 1.0;"),
        &[
            "2:8-2:15 位运算 & 只能用于整数，左操作数是浮点数。请先用 作为 整数 转换 | bitwise & needs integers, the left operand is 浮点数; convert with 作为 整数",
            "3:8-3:15 位运算 | 只能用于整数，右操作数是浮点数。请先用 作为 整数 转换 | bitwise | needs integers, the right operand is 浮点数; convert with 作为 整数",
            "4:8-4:16 位运算 << 只能用于整数，左操作数是浮点数。请先用 作为 整数 转换 | bitwise << needs integers, the left operand is 浮点数; convert with 作为 整数",
            "5:8-5:15 位运算 ^ 只能用于整数，右操作数是浮点数。请先用 作为 整数 转换 | bitwise ^ needs integers, the right operand is 浮点数; convert with 作为 整数",
            "6:8-6:16 位运算 >> 只能用于整数，右操作数是浮点数。请先用 作为 整数 转换 | bitwise >> needs integers, the right operand is 浮点数; convert with 作为 整数",
        ],
    );
}

#[test]
fn comparisons() {
    assert_errors(
        &in_entry(
            "变量 n = 命令行参数();
变量 j = \"10\" < 9;
变量 k = n == n;
变量 l = 真 < 1.5;
变量 m = 'a' == \"a\";
变量 o = 1 == \"1\";",
        ),
        &[
            "3:8-3:16 不能比较 字符串 和 整数 | cannot compare 字符串 with 整数",
            "4:8-4:14 不能比较 数组<字符串> 和 数组<字符串> | cannot compare 数组<字符串> with 数组<字符串>",
            "5:8-5:15 不能比较 布尔 和 浮点数 | cannot compare 布尔 with 浮点数",
            "6:8-6:18 不能比较 字符 和 字符串 | cannot compare 字符 with 字符串",
            "7:8-7:16 不能比较 整数 和 字符串 | cannot compare 整数 with 字符串",
        ],
    );
}

#[test]
fn comparisons_that_are_allowed_and_their_lowering() {
    let m = accept(&in_entry(
        "变量 nan = 0.0 / 0.0;
         打印行(1 < 2.5, nan != nan, 'a' < 'b', 'a' == 97, 真 == 假, \"a\" <= \"b\", 1 >= 1);",
    ));
    let ops: Vec<BinOp> = insts(func(&m, "入口"))
        .filter_map(|(_, i)| match i {
            Inst::Assign { value: Value::Binary(op, ..), .. } if !matches!(op, BinOp::FDiv) => {
                Some(*op)
            }
            _ => None,
        })
        .collect();
    use BinOp::*;
    assert_eq!(
        ops,
        [
            FCmp(Cmp::Lt),
            FCmp(Cmp::Ne),
            ICmp(Cmp::Lt),
            ICmp(Cmp::Eq),
            ICmp(Cmp::Eq),
            SCmp(Cmp::Le),
            ICmp(Cmp::Ge)
        ]
    );
}

// ---- calls ------------------------------------------------------------------------------

#[test]
fn arity_errors() {
    assert_errors(
        "函数 一(a: 整数) {}
函数 二(a: 整数, b: 整数 = 2): 整数 { 返回 a + b; }
函数 重(a: 整数) {}
函数 重(a: 整数, b: 整数) {}
函数 入口() {
一();
一(1, 2);
二();
二(1, 2, 3);
重();
重(1, 2, 3);
整数转字符串();
整数转字符串(1, 2);
命令行参数(1);
输入(1, 2);
长度();
数组长度(1, 2);
}",
        &[
            "6:1-6:4 函数「一」需要 1 个实参，实际传了 0 个 | function `一` takes 1 argument(s) but 0 were given",
            "7:1-7:8 函数「一」需要 1 个实参，实际传了 2 个 | function `一` takes 1 argument(s) but 2 were given",
            "8:1-8:4 函数「二」需要 1 到 2 个实参，实际传了 0 个 | function `二` takes 1 to 2 argument(s) but 0 were given",
            "9:1-9:11 函数「二」需要 1 到 2 个实参，实际传了 3 个 | function `二` takes 1 to 2 argument(s) but 3 were given",
            "10:1-10:4 函数「重」有重载，但没有接收 0 个实参的版本（可选形参个数：1 / 2） | no overload of `重` takes 0 arguments (available: 1 / 2)",
            "11:1-11:11 函数「重」有重载，但没有接收 3 个实参的版本（可选形参个数：1 / 2） | no overload of `重` takes 3 arguments (available: 1 / 2)",
            "12:1-12:9 函数「整数转字符串」需要 1 个实参，实际传了 0 个 | function `整数转字符串` takes 1 argument(s) but 0 were given",
            "13:1-13:13 函数「整数转字符串」需要 1 个实参，实际传了 2 个 | function `整数转字符串` takes 1 argument(s) but 2 were given",
            "14:1-14:9 函数「命令行参数」需要 0 个实参，实际传了 1 个 | function `命令行参数` takes 0 argument(s) but 1 were given",
            "15:1-15:9 函数「输入」需要 0 到 1 个实参，实际传了 2 个 | function `输入` takes 0 to 1 argument(s) but 2 were given",
            "16:1-16:5 函数「长度」需要 1 个实参，实际传了 0 个 | function `长度` takes 1 argument(s) but 0 were given",
            "17:1-17:11 函数「数组长度」需要 1 个实参，实际传了 2 个 | function `数组长度` takes 1 argument(s) but 2 were given",
        ],
    );
}

#[test]
fn english_arity_messages_are_english() {
    let ds = errors("函数 二(a: 整数, b: 整数 = 2) {}\n函数 入口() { 二(); 输入(1, 2); }");
    for d in ds {
        let en = d.split(" | ").nth(1).unwrap();
        assert!(!en.contains('到') && !en.contains('或'), "{en}");
    }
}

#[test]
fn builtin_argument_types() {
    assert_errors(
        &in_entry(
            "整数转字符串(\"s\");
浮点数转字符串(\"s\");
字符串转整数(1);
字符串转浮点数(真);
整数转浮点数(1.5);
浮点数转整数(\"1\");
输入(5);",
        ),
        &[
            "2:8-2:11 类型不匹配：期望 整数，实际是 字符串 | type mismatch: expected 整数, found 字符串",
            "3:9-3:12 类型不匹配：期望 浮点数，实际是 字符串 | type mismatch: expected 浮点数, found 字符串",
            "4:8-4:9 类型不匹配：期望 字符串，实际是 整数 | type mismatch: expected 字符串, found 整数",
            "5:9-5:10 类型不匹配：期望 字符串，实际是 布尔 | type mismatch: expected 字符串, found 布尔",
            "6:8-6:11 类型不匹配：期望 整数，实际是 浮点数（用 `作为 整数` 显式转换） | type mismatch: expected 整数, found 浮点数 (convert explicitly with `作为 整数`)",
            "7:8-7:11 类型不匹配：期望 浮点数，实际是 字符串 | type mismatch: expected 浮点数, found 字符串",
            "8:4-8:5 类型不匹配：期望 字符串，实际是 整数 | type mismatch: expected 字符串, found 整数",
        ],
    );
}

#[test]
fn printing_void_and_arrays() {
    assert_errors(
        "函数 空函() {}
函数 入口() {
    变量 n = 命令行参数();
    打印行(空函());
    打印行(n);
    打印(1, 空函(), n);
    打印行(打印(1));
}",
        &[
            "4:9-4:13 不能打印空值 | cannot print a 空 value",
            "5:9-5:10 不能直接打印数组 | cannot print an array directly",
            "6:11-6:15 不能打印空值 | cannot print a 空 value",
            "6:17-6:18 不能直接打印数组 | cannot print an array directly",
            "7:9-7:14 不能打印空值 | cannot print a 空 value",
        ],
    );
}

#[test]
fn matching_a_void_value_is_an_error() {
    let src = "函数 f() {}\n函数 入口() {\n    匹配 f() { _ => { 打印行(1); } }\n}\n";
    let ds = errors(src);
    assert_eq!(ds.len(), 1, "{ds:?}");
    assert!(ds[0].starts_with("3:8-3:11 "), "the error should point at `f()`: {ds:?}");
}

#[test]
fn explicit_type_arguments() {
    assert_errors(
        "函数 小(x: 整数): 整数 { 返回 x; }\n函数 入口() { 打印行(小::<整数>(1)); }",
        &["2:15-2:25 小 不是泛型函数，不能带显式类型实参 <...> | 小 is not a generic function and takes no explicit type arguments"],
    );
}

#[test]
fn explicit_type_arguments_of_an_undefined_function() {
    assert_errors(
        &in_entry("打印行(大::<整数>(1));"),
        &["2:5-2:6 未定义的函数: 大 | undefined function: 大"],
    );
}

#[test]
fn methods_and_modules_that_do_not_exist() {
    assert_errors(
        &in_entry("变量 x = 1;\nx.方法();\n数学::平方根(2.0);\n数学.开方(2.0, 1.0);"),
        &[
            "3:1-3:7 整数 类型没有方法 方法 | type 整数 has no method 方法",
            "4:1-4:13 标准库模块「数学」没有函数「平方根」 | standard-library module `数学` has no function `平方根`",
            "5:1-5:16 标准库函数「开方」需要 1 个实参，实际传了 2 个 | standard-library function `开方` takes 1 argument(s) but 2 were given",
        ],
    );
}

#[test]
fn calling_a_function_value_with_the_wrong_arity() {
    assert_errors(
        &in_entry("变量 m = 入口;\nm(1);"),
        &["3:1-3:5 函数() 类型的函数值需要 0 个实参，实际传了 1 个 | a function value of type 函数() takes 0 argument(s) but 1 were given"],
    );
}

#[test]
fn a_default_argument_is_checked_at_each_call_site() {
    // A default is evaluated in the caller's scope (language.md §5.4), so it is checked
    // where it is used: a function that is never called is not checked at all.
    let (m, ds) = check_src("函数 g(a: 整数 = 未知) {}\n函数 入口() {}");
    assert!(ds.is_empty() && m.is_some());
    // …and the caller's variables are visible to it.
    accept("函数 g(a: 整数 = 基) { 打印行(a); }\n函数 入口() { 变量 基 = 5; g(); }");
}

/// (Was reported once per call.)
#[test]
fn a_bad_default_argument_is_reported_once() {
    assert_errors(
        "函数 f(a: 整数 = \"s\") {}\n函数 入口() { f(); f(); }",
        &["1:14-1:17 类型不匹配：期望 整数，实际是 字符串 | type mismatch: expected 整数, found 字符串"],
    );
}

// ---- every error of a file ---------------------------------------------------------------

#[test]
fn all_errors_of_a_file_are_reported() {
    let ds = errors(
        "变量 全 = 未定义 + 1;
常量 常: 整数;
函数 甲(x: 整数): 整数 {
    返回 \"串\";
}
函数 乙() {
    跳出;
    变量 s: 字符串 = 1;
    s = 2.5;
    打印行(未知量);
}
函数 入口() {
    变量 k = 1.5 & 2;
    如果 \"x\" { 继续; }
    甲(1, 2);
    甲(\"s\");
    丙();
    变量 q: 某类;
    打印行(\"a\" < 1);
}",
    );
    // (`s = 2.5` on line 9 is not reported: `s`'s declaration already failed.)
    let expected = [
        "1:8-1:11 未声明的变量: 未定义",
        "2:1-2:10 常量必须有初值",
        "4:8-4:11 类型不匹配：期望 整数，实际是 字符串",
        "7:5-7:8 跳出 只能出现在 当 / 对于 循环体内",
        "8:17-8:18 类型不匹配：期望 字符串，实际是 整数",
        "10:9-10:12 未声明的变量: 未知量",
        "13:12-13:19 位运算 & 只能用于整数，左操作数是浮点数。请先用 作为 整数 转换",
        "14:8-14:11 条件必须是 布尔 值，这里是 字符串",
        "14:14-14:17 继续 只能出现在 当 / 对于 循环体内",
        "15:5-15:12 函数「甲」需要 1 个实参，实际传了 2 个",
        "16:7-16:10 类型不匹配：期望 整数，实际是 字符串",
        "17:5-17:6 未定义的函数: 丙",
        "18:11-18:13 未定义的类型: 某类",
        "19:9-19:16 不能比较 字符串 和 整数",
    ];
    let zh: Vec<String> = ds.iter().map(|d| d.split(" | ").next().unwrap().to_string()).collect();
    assert_eq!(zh, expected, "\n{}", ds.join("\n"));
}

#[test]
fn a_failed_declaration_does_not_cascade() {
    // `x`'s declaration fails; its later uses are not reported again.
    assert_errors(
        &in_entry("变量 x: 整数 = \"s\";\n打印行(x + 1);\nx = 2;\n变量 y = x * 2;"),
        &["2:12-2:15 类型不匹配：期望 整数，实际是 字符串 | type mismatch: expected 整数, found 字符串"],
    );
    // Likewise for a global whose initialiser failed.
    assert_errors(
        "变量 g = 未知;\n函数 入口() { 打印行(g); g = 1; }",
        &["1:8-1:10 未声明的变量: 未知 | undeclared variable: 未知"],
    );
}

#[test]
fn positions_count_unicode_scalars_and_full_width_punctuation() {
    // Full-width brackets and commas are ordinary punctuation; columns count characters.
    assert_errors(
        "函数 入口（） {\n\t打印行（1，  \"字\" + 甲）；\n}",
        &["2:16-2:17 未声明的变量: 甲 | undeclared variable: 甲"],
    );
}

// ---- shape of the lowered IR ----------------------------------------------------------

#[test]
fn logical_and_short_circuits_through_a_branch() {
    let m = accept(
        "函数 响(x: 整数): 布尔 { 打印行(x); 返回 x > 0; }
         函数 与门(a: 布尔): 布尔 { 返回 a && 响(1); }
         函数 或门(a: 布尔): 布尔 { 返回 a || 响(2); }
         函数 入口() { 打印行(与门(假), 或门(真)); }",
    );
    let ring = func_id(&m, "响");
    for (name, skip_when) in [("与门", false), ("或门", true)] {
        let f = func(&m, name);
        // The entry block tests `a` directly…
        let Terminator::Branch { cond: Operand::Local(LocalId(0)), then_to, else_to } =
            f.blocks[0].term
        else {
            panic!("{name}: the entry block must branch on `a`:\n{}", text(&m, name));
        };
        // …and the call happens only on one side of that branch.
        let call_blocks = blocks_calling(f, ring);
        assert_eq!(call_blocks.len(), 1);
        assert_ne!(call_blocks[0], 0, "{name}: the right operand is evaluated unconditionally");
        let rhs = if skip_when { else_to } else { then_to };
        let done = if skip_when { then_to } else { else_to };
        assert_eq!(call_blocks[0], rhs.index(), "{}", text(&m, name));
        // The short-circuit side reaches the return without passing the call.
        let reach = reachable_from(f, done.index(), None);
        assert!(!reach[call_blocks[0]], "{}", text(&m, name));
    }
}

#[test]
fn conditions_on_integers_convert_with_not_zero() {
    let m = accept(
        "函数 入口() { 变量 n = 3; 如果 n { 打印行(1); } 当 n { n -= 1; } 打印行(真 && n, !n); }",
    );
    let f = func(&m, "入口");
    let int_to_bool = insts(f)
        .filter(|(_, i)| {
            matches!(i, Inst::Assign { value: Value::Convert(Conv::IntToBool, _), .. })
        })
        .count();
    assert_eq!(int_to_bool, 3, "{}", text(&m, "入口"));
    // `!n` on an integer is `n == 0`.
    assert!(insts(f).any(|(_, i)| matches!(
        i,
        Inst::Assign { value: Value::Binary(BinOp::ICmp(Cmp::Eq), _, Operand::Int(0)), .. }
    )));
}

#[test]
fn a_string_variable_reassigned_in_a_loop_is_released_or_moved_before_each_assignment() {
    let m = accept(
        "函数 入口() {
             变量 s = \"\";
             对于 i 在 0..3 { s = s + i; }
             当 长度(s) < 10 { 变量 t = s + \"!\"; s = t; }
             打印行(s);
         }",
    );
    let f = func(&m, "入口");
    for name in ["s", "t"] {
        let v = var(f, name);
        let mut assigns = 0;
        for b in &f.blocks {
            for (k, inst) in b.insts.iter().enumerate() {
                if let Inst::Assign { dst, value } = inst {
                    if *dst == v && !matches!(value, Value::Use(Operand::Null)) {
                        assigns += 1;
                        // An append moves the old value in instead (`s = s + i`).
                        if let Value::Builtin { op: Builtin::Append, args, .. } = value {
                            assert_eq!(args[0], Operand::Local(v));
                            continue;
                        }
                        assert!(
                            k > 0 && matches!(b.insts[k - 1], Inst::Release(l) if l == v),
                            "`{name}` assigned without releasing its old value first:\n{}",
                            text(&m, "入口")
                        );
                    }
                }
            }
        }
        assert!(assigns >= 1);
    }
    // `t` goes out of scope at the end of the loop body: released and nulled there.
    let t = var(f, "t");
    assert!(f.blocks.iter().any(|b| b.insts.windows(2).any(|w| matches!(
        (&w[0], &w[1]),
        (Inst::Release(a), Inst::Assign { dst, value: Value::Use(Operand::Null) }) if *a == t && *dst == t
    ))));
}

#[test]
fn parameters_are_borrowed_unless_assigned() {
    let m = accept(
        "函数 读(s: 字符串, a: 数组<字符串>): 整数 { 返回 长度(s) + 长度(a); }
         函数 改(s: 字符串): 字符串 { s = s + \"!\"; 返回 s; }
         函数 入口() { 打印行(读(\"x\", 命令行参数()), 改(\"y\")); }",
    );
    let read = func(&m, "读");
    for (_, i) in insts(read) {
        match i {
            Inst::Retain(Operand::Local(l)) | Inst::Release(l) if l.index() < 2 => {
                panic!("parameter touched by reference counting:\n{}", text(&m, "读"))
            }
            _ => {}
        }
    }
    let change = func(&m, "改");
    // An assigned parameter owns its value: retained on entry, released at exit.
    assert!(
        matches!(change.blocks[0].insts[0], Inst::Retain(Operand::Local(LocalId(0)))),
        "{}",
        text(&m, "改")
    );
    // The exit: the block that returns, or the block of releases (shared with the way out
    // by an exception) that goes on to an empty block that returns.
    let returns = |b: BlockId| {
        matches!(change.blocks[b.index()].term, Terminator::Return(_))
            && change.blocks[b.index()].insts.is_empty()
    };
    let exit_releases = change
        .blocks
        .iter()
        .skip(1)
        .filter(|b| matches!(b.term, Terminator::Return(_)) || b.term.successors().any(returns))
        .flat_map(|b| &b.insts)
        .filter(|i| matches!(i, Inst::Release(LocalId(0))))
        .count();
    assert_eq!(exit_releases, 1, "{}", text(&m, "改"));
}

#[test]
fn object_results_are_owned_and_released_after_use() {
    let m = accept("函数 名(): 字符串 { 返回 \"a\" + 1; } 函数 入口() { 打印行(名()); 名(); 变量 n = 长度(名()); }");
    let f = func(&m, "入口");
    let name = func_id(&m, "名");
    // Every call result is released (printing borrows it; an unused result is dropped),
    // after the call in its block, or in the block that continues it (a call ends its block).
    let mut calls = 0;
    for b in &f.blocks {
        for (k, inst) in b.insts.iter().enumerate() {
            if let Inst::Assign { dst, value: Value::Call { func, .. } } = inst {
                if *func == name {
                    calls += 1;
                    let mut after: Vec<&Inst> = b.insts[k + 1..].iter().collect();
                    if let (true, Terminator::Jump(next)) = (k + 1 == b.insts.len(), &b.term) {
                        after.extend(&f.blocks[next.index()].insts);
                    }
                    assert!(
                        after.iter().any(|i| matches!(i, Inst::Release(l) if l == dst)),
                        "{}",
                        text(&m, "入口")
                    );
                }
            }
        }
    }
    assert_eq!(calls, 3);
}

#[test]
fn range_bounds_are_evaluated_once_before_the_loop() {
    let m = accept(
        "函数 终点(): 整数 { 打印行(\"求值\"); 返回 3; }
         函数 入口() { 对于 i 在 0..终点() { 打印行(i); } }",
    );
    let f = func(&m, "入口");
    let calls = blocks_calling(f, func_id(&m, "终点"));
    assert_eq!(calls.len(), 1);
    // The block that calls it is not part of any cycle.
    let b = calls[0];
    for s in f.blocks[b].term.successors() {
        assert!(!reachable_from(f, s.index(), None)[b], "{}", text(&m, "入口"));
    }
}

#[test]
fn negative_literals_are_constants() {
    let m = accept(&in_entry("打印行(-5, -2.5, -(5));"));
    let f = func(&m, "入口");
    let printed: Vec<Operand> = insts(f)
        .filter_map(|(_, i)| match i {
            Inst::Effect(Value::Builtin {
                op: Builtin::PrintInt | Builtin::PrintFloat,
                args,
                ..
            }) => Some(args[0]),
            _ => None,
        })
        .collect();
    assert_eq!(printed[0], Operand::Int(-5));
    assert_eq!(printed[1], Operand::Float(-2.5));
    assert!(
        matches!(printed[2], Operand::Local(_)),
        "a parenthesised literal is negated at run time"
    );
}

#[test]
fn defaults_are_filled_in_at_the_call_site() {
    let m = accept(
        "函数 问好(名: 字符串, 前缀: 字符串 = \"你好，\"): 字符串 { 返回 前缀 + 名; }
         函数 入口() { 打印行(问好(\"阿明\")); 打印行(问好(\"阿明\", \"嗨，\")); }",
    );
    let f = func(&m, "入口");
    let greet = func_id(&m, "问好");
    let arg_counts: Vec<usize> = insts(f)
        .filter_map(|(_, i)| match i {
            Inst::Assign { value: Value::Call { func, args, .. }, .. } if *func == greet => {
                Some(args.len())
            }
            _ => None,
        })
        .collect();
    assert_eq!(arg_counts, [2, 2]);
}

#[test]
fn overloads_are_chosen_by_arity() {
    let m = accept(
        "函数 面积(边: 整数): 整数 { 返回 边 * 边; }
         函数 面积(宽: 整数, 高: 整数): 整数 { 返回 宽 * 高; }
         函数 入口() { 打印行(面积(4), 面积(2, 5)); }",
    );
    let f = func(&m, "入口");
    let callees: Vec<(usize, usize)> = insts(f)
        .filter_map(|(_, i)| match i {
            Inst::Assign { value: Value::Call { func, args, .. }, .. } => {
                Some((func.index(), args.len()))
            }
            _ => None,
        })
        .collect();
    assert_eq!(callees.len(), 2);
    assert_ne!(callees[0].0, callees[1].0);
    for (id, n) in callees {
        assert_eq!(m.functions[id].params.len(), n);
        assert_eq!(m.functions[id].name, "面积");
    }
}

#[test]
fn calls_and_builtins_record_their_source_line() {
    let m =
        accept("函数 f(x: 整数): 整数 { 返回 10 / x; }\n函数 入口() {\n\n    打印行(f(2));\n}\n");
    let f = func(&m, "入口");
    let call_lines: Vec<u32> = insts(f)
        .filter_map(|(_, i)| match i {
            Inst::Assign { value: Value::Call { loc, .. }, .. } => Some(loc.line),
            _ => None,
        })
        .collect();
    assert_eq!(call_lines, [4]);
    assert_eq!(func(&m, "f").loc.line, 1);
    assert_eq!(func(&m, "入口").loc.line, 2);
    assert_eq!(m.files, ["t.qi"]);
}

#[test]
fn falling_off_the_end_returns_the_zero_value() {
    let m = accept("函数 整(): 整数 { } 函数 浮(): 浮点数 { 返回; } 函数 串(): 字符串 { } 函数 入口() { 打印行(整(), 浮(), 串()); }");
    for (name, zero) in
        [("整", Value::Use(Operand::Int(0))), ("浮", Value::Use(Operand::Float(0.0)))]
    {
        let f = func(&m, name);
        assert!(
            insts(f).any(|(_, i)| matches!(i, Inst::Assign { value, .. } if format!("{value:?}") == format!("{zero:?}"))),
            "{}",
            text(&m, name)
        );
    }
    let s = func(&m, "串");
    assert!(insts(s).any(|(_, i)| matches!(i, Inst::Assign { value: Value::Use(Operand::Str(id)), .. } if m.strings[id.index()].is_empty())));
}

#[test]
fn main_initialises_globals_in_order_then_calls_entry_then_releases_object_globals() {
    let m = accept(
        "变量 甲 = \"a\" + 1;
         变量 乙 = 2;
         变量 丙 = 甲 + 乙;
         函数 入口() { 打印行(丙); }",
    );
    let main = &m.functions[m.main.index()];
    assert_eq!(
        m.globals.iter().map(|g| (g.name.as_str(), g.ty.clone())).collect::<Vec<_>>(),
        [("甲", Type::Str), ("乙", Type::Int), ("丙", Type::Str)]
    );
    let mut order = Vec::new();
    for (_, i) in insts(main) {
        match i {
            Inst::SetGlobal { global, .. } => order.push(format!("set g{}", global.0)),
            Inst::Effect(Value::Call { func, .. }) => {
                order.push(format!("call {}", m.functions[func.index()].name))
            }
            _ => {}
        }
    }
    assert_eq!(order, ["set g0", "set g1", "set g2", "call 入口"]);
    // After the call, both string globals are read and released.
    let t = print::function_text(&m, m.main);
    let after_call = t.split("call 入口()").nth(1).unwrap();
    assert_eq!(after_call.matches("release").count(), 2, "{t}");
}

#[test]
fn string_concatenation_renders_every_scalar() {
    let m = accept(&in_entry("变量 s = \"x\" + 1 + 2.5 + 真 + 'c';\n打印行(s);"));
    let ops: Vec<Builtin> = insts(func(&m, "入口"))
        .filter_map(|(_, i)| match i {
            Inst::Assign { value: Value::Builtin { op, .. }, .. } => Some(*op),
            _ => None,
        })
        .collect();
    use Builtin::*;
    assert_eq!(ops, [IntToStr, Concat, FloatToStr, Concat, BoolToStr, Concat, CharToStr, Concat]);
}

/// `s = s + a + b` and `s += e` on a local string variable lower to one `Append` that
/// takes the variable's old value (so the runtime may grow a uniquely owned string in
/// place): the pieces are joined first, and the variable is not released before it.
#[test]
fn appending_to_a_string_variable_moves_it_into_one_append() {
    let body = |appends: &str| {
        in_entry(&format!(
            "变量 s = \"\";\n对于 i 在 0..3 {{ {appends} }}\n打印行(s);\n变量 t = s;\n打印行(t);"
        ))
    };
    let src = body("s = s + \"a\" + i; s += 1.5;");
    let m = accept(&src);
    let f = func(&m, "入口");
    let s = var(f, "s");
    let t = text(&m, "入口");
    let appends: Vec<&Vec<Operand>> = insts(f)
        .filter_map(|(_, i)| match i {
            Inst::Assign { dst, value: Value::Builtin { op: Builtin::Append, args, .. } } => {
                assert_eq!(*dst, s, "{t}");
                Some(args)
            }
            _ => None,
        })
        .collect();
    assert_eq!(appends.len(), 2, "{t}");
    assert!(appends.iter().all(|args| args[0] == Operand::Local(s)), "{t}");
    let ops: Vec<Builtin> = insts(f)
        .filter_map(|(_, i)| match i {
            Inst::Assign { value: Value::Builtin { op, .. }, .. } => Some(*op),
            _ => None,
        })
        .collect();
    use Builtin::*;
    assert_eq!(ops, [IntToStr, Concat, Append, FloatToStr, Append], "{t}");
    let releases_of_s =
        |f: &Function| insts(f).filter(|(_, i)| matches!(i, Inst::Release(l) if *l == s)).count();
    let plain = accept(&body(""));
    assert_eq!(releases_of_s(f), releases_of_s(func(&plain, "入口")), "{t}");
    // Run in every tier, before and after optimisation, nothing left alive.
    assert_eq!(common::tiers::run(&src), "a01.5a11.5a21.5\na01.5a11.5a21.5\n");
}

#[test]
fn print_separates_arguments_with_one_space() {
    let m = accept(&in_entry("打印(1, \"a\", 2.5);\n打印行();"));
    let ops: Vec<Builtin> = insts(func(&m, "入口"))
        .filter_map(|(_, i)| match i {
            Inst::Effect(Value::Builtin { op, .. }) => Some(*op),
            _ => None,
        })
        .collect();
    use Builtin::*;
    assert_eq!(ops, [PrintInt, PrintSpace, PrintStr, PrintSpace, PrintFloat, PrintNewline]);
}

// ---- exceptions ---------------------------------------------------------------------------

#[test]
fn exception_builtins_are_only_available_inside_a_catch_body() {
    assert_errors(
        &in_entry(
            "打印行(异常位置());
尝试 { 打印行(异常原因()); } 最终 { 打印行(异常位置()); }
尝试 { } 捕获 e { 变量 f = 闭包() { 打印行(异常原因()); }; }
尝试 { } 捕获 e { 打印行(异常位置(1)); }",
        ),
        &[
            "2:5-2:11 异常位置() 只能用在 捕获 块里 | 异常位置() can only be used inside a 捕获 block",
            "3:10-3:16 异常原因() 只能用在 捕获 块里 | 异常原因() can only be used inside a 捕获 block",
            "3:30-3:36 异常位置() 只能用在 捕获 块里 | 异常位置() can only be used inside a 捕获 block",
            "4:33-4:39 异常原因() 只能用在 捕获 块里 | 异常原因() can only be used inside a 捕获 block",
            "5:19-5:26 函数「异常位置」需要 0 个实参，实际传了 1 个 | function `异常位置` takes 0 argument(s) but 1 were given",
        ],
    );
    // Inside a 捕获 body (also a nested one, and after a nested 尝试), and as variable names.
    let m = accept(&in_entry(
        "尝试 { 抛出 1; } 捕获 e {
    打印行(异常位置(), 异常原因());
    尝试 { 抛出 2; } 捕获 f { 打印行(异常原因()); }
    打印行(异常位置());
}
变量 异常原因 = 1;
打印行(异常原因);",
    ));
    let count = |op: Builtin| {
        insts(func(&m, "入口")).filter(|(_, i)| matches!(i, Inst::Assign { value: Value::Builtin { op: o, .. }, .. } if *o == op)).count()
    };
    assert_eq!(
        (count(Builtin::ExcLocation), count(Builtin::ExcCause)),
        (2, 2),
        "{}",
        text(&m, "入口")
    );
}

#[test]
fn a_thrown_value_must_have_a_text() {
    assert_errors(
        "类型 点 { x: 整数 }
函数 空转() {}
函数 入口() {
    抛出 空转();
    抛出 [1, 2];
    抛出 新建 点 { x: 1 };
    抛出 闭包() {};
}",
        &[
            "4:8-4:12 空 值不能转换为字符串 | a 空 value cannot be turned into a string",
            "5:8-5:14 数组不能直接拼接为字符串 | an array cannot be concatenated into a string",
            "6:8-6:21 结构体不能直接拼接为字符串 | a struct cannot be concatenated into a string",
            "7:8-7:15 函数值不能拼接为字符串 | a function value cannot be concatenated into a string",
        ],
    );
    // Every scalar is rendered as in concatenation; the message operand is a string.
    let m = accept(&in_entry("抛出 404;"));
    let f = func(&m, "入口");
    let throw = insts(f).find_map(|(_, i)| match i {
        Inst::Effect(Value::Builtin { op: Builtin::Throw, args, .. }) => Some(args.clone()),
        _ => None,
    });
    let args = throw.unwrap_or_else(|| panic!("no Throw:\n{}", text(&m, "入口")));
    assert_eq!(args.len(), 3);
    assert_eq!(f.operand_ty(&args[0]), Type::Str);
    assert!(matches!(args[1..], [Operand::Int(0), Operand::Int(2)]), "{args:?}");
}

#[test]
fn the_catch_variable_is_a_string_of_the_catch_body() {
    assert_errors(
        &in_entry(
            "尝试 { } 捕获 e { e = 1; }
尝试 { } 捕获 e { }
打印行(e);",
        ),
        &[
            "2:19-2:20 类型不匹配：期望 字符串，实际是 整数 | type mismatch: expected 字符串, found 整数",
            "4:5-4:6 未声明的变量: e | undeclared variable: e",
        ],
    );
    // It shadows an outer variable of another type, which is visible again afterwards.
    accept(&in_entry(
        "变量 e = 1;\n尝试 { 抛出 e; } 捕获 e { 打印行(e + \"!\"); }\n打印行(e + 1);",
    ));
}

#[test]
fn every_shape_of_try_is_accepted_and_a_match_may_raise_inside_one() {
    let src = "枚举 形 { 圆(浮点数), 方(整数) }
函数 面积(s: 形): 浮点数 {
    尝试 {
        匹配 s {
            圆(r) => { 如果 r < 0.0 { 抛出 \"负半径 \" + r; } 返回 r * r * 3.0; }
            方(a) => { 返回 (a * a) 作为 浮点数; }
        }
    } 捕获 e: 字符串 {
        打印行(e);
    }
    返回 0.0;
}
函数 入口() {
    尝试 { } 捕获 { }
    尝试 { } 捕获 e { }
    尝试 { } 最终 { }
    尝试 { } 捕获 e { } 最终 { }
    尝试 { 抛出 1; } 捕获 { 打印行(\"吞掉\"); }
    打印行(面积(形::圆(-1.0)), 面积(形::方(2)));
}";
    let m = accept(src);
    // Each 尝试 with a handler takes the pending exception there, into a slot of type 异常.
    let f = func(&m, "入口");
    let takes = insts(f)
        .filter(|(_, i)| {
            matches!(i, Inst::Assign { value: Value::Builtin { op: Builtin::ExcTake, .. }, .. })
        })
        .count();
    assert!(takes >= 1, "{}", text(&m, "入口"));
    for (_, i) in insts(f) {
        if let Inst::Assign { dst, value: Value::Builtin { op: Builtin::ExcTake, .. } } = i {
            assert_eq!(f.local_ty(*dst), &Type::Exception);
        }
    }
    assert_eq!(common::tiers::run(src), "吞掉\n负半径 -1.0\n0.0 4.0\n");
}

/// The blocks of `f` whose last instruction satisfies `pred`.
fn blocks_ending_with(f: &Function, pred: impl Fn(&Inst) -> bool) -> Vec<usize> {
    (0..f.blocks.len()).filter(|&b| f.blocks[b].insts.last().is_some_and(&pred)).collect()
}

fn is_call_of(i: &Inst, callee: FuncId) -> bool {
    matches!(i, Inst::Assign { value: Value::Call { func, .. }, .. } | Inst::Effect(Value::Call { func, .. }) if *func == callee)
}

#[test]
fn a_call_inside_a_try_ends_its_block_with_an_unwind_edge_to_a_landing_that_releases_the_live_temporaries(
) {
    let m = accept(
        "函数 g(n: 整数): 字符串 { 如果 n > 1 { 抛出 \"大\"; } 返回 \"g\"; }
函数 入口() {
    变量 n = 字符串转整数(\"2\");
    尝试 {
        变量 s = (\"x\" + n) + g(n);
        打印行(s);
    } 捕获 e {
        打印行(e);
    }
}",
    );
    let f = func(&m, "入口");
    let g = func_id(&m, "g");
    let t = text(&m, "入口");
    // The call is the last instruction of its block, which has the exceptional edge.
    let [b] = blocks_ending_with(f, |i| is_call_of(i, g))[..] else {
        panic!("one block must end with the call:\n{t}")
    };
    assert_eq!(blocks_calling(f, g), [b], "nothing follows the call in its block:\n{t}");
    let u = f.blocks[b].unwind.unwrap_or_else(|| panic!("b{b} has no unwind edge:\n{t}"));
    assert_eq!(u.loc.line, 5, "{t}");
    // The landing records the frame, then releases the temporary `"x" + n` (alive during
    // the call), then goes to the handler, which takes the exception.
    let landing = &f.blocks[u.to.index()];
    let call_args = match f.blocks[b].insts.last() {
        Some(Inst::Assign { value: Value::Call { args, .. }, .. }) => args.clone(),
        other => panic!("{other:?}"),
    };
    let concat_temp = insts(f).find_map(|(_, i)| match i {
        Inst::Assign { dst, value: Value::Builtin { op: Builtin::Concat, args, .. } }
            if matches!(args[0], Operand::Str(s) if m.strings[s.index()] == "x") =>
        {
            Some(*dst)
        }
        _ => None,
    });
    let concat_temp = concat_temp.unwrap_or_else(|| panic!("no \"x\" + n:\n{t}"));
    assert!(!call_args.contains(&Operand::Local(concat_temp)));
    match &landing.insts[..] {
        [Inst::Effect(Value::Builtin { op: Builtin::ExcTrace, args, .. }), rest @ ..] => {
            assert!(matches!(args[0], Operand::Str(s) if m.strings[s.index()] == "入口"), "{t}");
            assert!(matches!(args[2], Operand::Int(5)), "{t}");
            let released: Vec<LocalId> = rest
                .iter()
                .filter_map(|i| if let Inst::Release(l) = i { Some(*l) } else { None })
                .collect();
            assert_eq!(
                released,
                [concat_temp],
                "the landing releases exactly the live temporary:\n{t}"
            );
        }
        other => panic!("a landing starts by recording the frame: {other:?}\n{t}"),
    }
    let Terminator::Jump(handler) = landing.term else {
        panic!("the landing jumps to the handler:\n{t}")
    };
    assert!(
        matches!(
            f.blocks[handler.index()].insts.first(),
            Some(Inst::Assign { value: Value::Builtin { op: Builtin::ExcTake, .. }, .. })
        ),
        "the handler starts by taking the exception:\n{t}"
    );
    // In `g`, `抛出` ends its block too, with an edge to `g`'s own landing, and what
    // follows it is unreachable.
    let gf = func(&m, "g");
    let throws = blocks_ending_with(gf, |i| {
        matches!(i, Inst::Effect(Value::Builtin { op: Builtin::Throw, .. }))
    });
    assert_eq!(throws.len(), 1, "{}", text(&m, "g"));
    assert!(gf.blocks[throws[0]].unwind.is_some());
}

#[test]
fn every_raising_instruction_of_a_lowered_function_ends_its_block_with_an_edge() {
    let m = accept(
        "类型 点 { x: 整数 }
变量 原点 = 新建 点 { x: 0 };
函数 各(列: 数组<整数>, f: 函数(整数): 整数): 整数 { 变量 s = 0; 对于 x 在 列 { s = s + f(x); } 返回 s; }
函数 入口() {
    变量 列 = 数组<整数>(字符串转整数(\"3\"));
    列[1] = 10 / 列.长度;
    变量 c = 闭包(x: 整数): 整数 { 返回 x % 7 + 原点.x; };
    打印行(各(列, c), 列[2], (1.5 作为 整数) 作为 字符);
}",
    );
    for (i, f) in m.functions.iter().enumerate() {
        // A trampoline (a top-level function used as a value) is built without handlers:
        // its call has no edge, so the trampoline itself unwinds.
        if f.name.ends_with(".函数值") {
            continue;
        }
        for (b, blk) in f.blocks.iter().enumerate() {
            for (k, inst) in blk.insts.iter().enumerate() {
                if inst.can_throw(f) {
                    let last = k + 1 == blk.insts.len();
                    assert!(
                        last && blk.unwind.is_some(),
                        "{} b{b}[{k}] can raise but {}:\n{}",
                        f.name,
                        if last { "has no edge" } else { "is not last" },
                        print::function_text(&m, FuncId(i as u32))
                    );
                }
            }
        }
    }
}

/// How many times the literal `s` is printed in `f`.
fn prints_of(m: &Module, f: &Function, s: &str) -> usize {
    insts(f)
        .filter(|(_, i)| matches!(i, Inst::Effect(Value::Builtin { op: Builtin::PrintStr | Builtin::PrintStrLine, args, .. }) if matches!(args[0], Operand::Str(id) if m.strings[id.index()] == s)))
        .count()
}

#[test]
fn finally_bodies_are_duplicated_on_every_way_out() {
    let src = "函数 f(n: 整数): 整数 {
    对于 i 在 0..n {
        尝试 {
            如果 i == 5 { 跳出; }
            如果 i == 3 { 继续; }
            如果 i == 4 { 返回 i; }
            如果 i == 7 { 抛出 \"七\"; }
        } 最终 {
            打印行(\"终\");
        }
    }
    返回 0;
}
函数 g() {
    尝试 {
        对于 i 在 0..3 {
            尝试 { 如果 i == 1 { 跳出; } 打印行(10 / (i + 1)); } 最终 { 打印行(\"内\"); }
        }
        如果 真 { 返回; }
    } 捕获 e {
        打印行(e, 10 / 长度(e));
    } 最终 {
        打印行(\"外\");
    }
}
函数 入口() { 打印行(f(9)); g(); }";
    let m = accept(src);
    let f = func(&m, "f");
    // The normal end of the try body, `跳出`, `继续`, `返回`, and the handler (then the
    // exception is raised again).
    assert_eq!(prints_of(&m, f, "终"), 5, "{}", text(&m, "f"));
    let rethrows = blocks_ending_with(f, |i| {
        matches!(i, Inst::Effect(Value::Builtin { op: Builtin::ExcRethrow, .. }))
    });
    assert_eq!(rethrows.len(), 1, "{}", text(&m, "f"));
    let b = &f.blocks[rethrows[0]];
    let one_block = Function { blocks: vec![b.clone()], ..f.clone() };
    assert!(
        b.unwind.is_some() && prints_of(&m, &one_block, "终") == 1,
        "最终, then raise again:\n{}",
        text(&m, "f")
    );
    // In g: the inner 最终 runs on the inner try's normal end, its `跳出` and its exception
    // path; `跳出` leaves only the inner 尝试. The outer 最终 runs on the outer try body's
    // normal end, the `返回`, the catch body's end and the exception from the catch body.
    let g = func(&m, "g");
    assert_eq!(prints_of(&m, g, "内"), 3, "{}", text(&m, "g"));
    assert_eq!(prints_of(&m, g, "外"), 4, "{}", text(&m, "g"));
    assert_eq!(common::tiers::run(src), "终\n终\n终\n终\n终\n4\n10\n内\n内\n外\n");
}

#[test]
fn a_raise_in_a_global_initialiser_records_the_initialiser_line() {
    let m = accept("函数 一(): 整数 { 返回 1; }\n变量 甲 = 1;\n变量 乙 = 10 / (一() - 甲);\n函数 入口() { 打印行(乙); }");
    let main = &m.functions[m.main.index()];
    let lines: Vec<u32> = main.blocks.iter().filter_map(|b| b.unwind).map(|u| u.loc.line).collect();
    assert!(!lines.is_empty());
    // The call of 一 and the division on line 3, the call of 入口 on line 4.
    assert_eq!(lines[..2], [3, 3], "{}", print::function_text(&m, m.main));
}

#[test]
fn a_raise_records_the_line_of_the_raising_expression() {
    let m = accept("函数 坏(): 整数 { 抛出 \"坏\"; }\n函数 入口() {\n    打印行(\n        1,\n        坏()\n    );\n}");
    let f = func(&m, "入口");
    let lines: Vec<u32> = f.blocks.iter().filter_map(|b| b.unwind).map(|u| u.loc.line).collect();
    assert_eq!(lines, [5], "{}", text(&m, "入口"));
}

/// `Module::reflection` (the text the `反射` module shows) is made only for a program that
/// calls a `反射` function: for any other it would be work for nothing.
#[test]
fn reflection_is_made_only_for_programs_that_use_it() {
    let plain = common::module_of(
        "函数 加(a: 整数, b: 整数): 整数 { 返回 a + b; }\n函数 入口() { 打印行(加(1, 2)); }",
    );
    assert_eq!(plain.reflection, Reflection::default());
    let reflecting = common::module_of(
        "导入 标准库.反射;\n函数 加(a: 整数, b: 整数): 整数 { 返回 a + b; }\n\
         函数 入口() { 打印行(反射.函数签名(\"加\")); }",
    );
    let sig = reflecting.reflection.functions.iter().find(|(name, _)| name == "加");
    assert_eq!(sig.map(|(_, text)| text.as_str()), Some("函数 加(a: 整数, b: 整数): 整数"));
}
