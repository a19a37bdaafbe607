//! Helpers shared by the benchmarks.
//!
//! [`generate_program`] builds a large Qi program in the subset the checker supports
//! today (functions, globals, 变量/常量, 如果/当/对于, scalar arithmetic, string `+`,
//! template strings, conversions), so the pipeline benchmarks measure realistic code of
//! arbitrary size. The unit test below keeps it valid: it must parse and check with no
//! diagnostic at all.

use std::fmt::Write;

mod shaped;
pub use shaped::{
    checked_module, generate_shaped_program, ir_instructions, optimised_size, statements_for,
};

/// How many different function shapes the generator cycles through.
const KINDS: usize = 5;

/// Name of generated function `i` (its prefix says which shape it has).
fn fn_name(i: usize) -> String {
    let prefix = match i % KINDS {
        0 => "求和",
        1 => "缩放",
        2 => "拼接",
        3 => "判定",
        _ => "移字",
    };
    format!("{prefix}{i}")
}

/// An `整数`-typed expression that calls function `j` with arguments derived from the
/// `整数` expression `e` (which must be side-effect free and small).
fn int_call(j: usize, e: &str) -> String {
    let name = fn_name(j);
    match j % KINDS {
        0 => format!("{name}({e}, {e} + 1)"),
        1 => format!("({name}(({e}) 作为 浮点数, {e}) 作为 整数)"),
        2 => format!("长度({name}(\"项\" + ({e}), {e}))"),
        3 => format!("({name}({e}) 作为 整数)"),
        _ => format!("({name}('a', {e}) 作为 整数)"),
    }
}

/// Generates a valid Qi program with `functions` functions (plus globals and `入口`).
///
/// Each function has parameters, locals, a loop, branches, arithmetic and calls the
/// function before it, so the call graph is a chain: running the program is cheap (no
/// exponential blow-up) and every function is reachable from `入口`.
pub fn generate_program(functions: usize) -> String {
    let mut out = String::with_capacity(functions * 420 + 1024);
    out.push_str("// 由 qi-benches 的 generate_program 生成，用于基准测试。\n包 主程序;\n\n");
    out.push_str("常量 模数: 整数 = 10007;\n");
    out.push_str("常量 比例 = 0.75;\n");
    out.push_str("常量 前缀: 字符串 = \"奇\";\n");
    out.push_str("变量 调用次数 = 0;\n\n");

    for i in 0..functions {
        // A small per-function constant so functions differ.
        let c = i % 13 + 2;
        // Call the previous function, or stand in a constant for the first one.
        let call = |e: &str| {
            if i == 0 {
                format!("({e}) + {c}")
            } else {
                int_call(i - 1, e)
            }
        };
        let name = fn_name(i);
        let body = match i % KINDS {
            0 => format!(
                "函数 {name}(a: 整数, b: 整数): 整数 {{
    变量 和 = {c};
    常量 上 = a % 8 + 2;
    对于 k 在 0..上 {{
        如果 k % 3 == 0 {{
            和 += k * b % 97;
        }} 否则 如果 k % 3 == 1 {{
            和 -= k;
        }} 否则 {{
            和 = 和 * 2 % 1009;
        }}
    }}
    调用次数 += 1;
    变量 r = {call};
    返回 (和 + r) % 模数;
}}
",
                call = call("a % 50")
            ),
            1 => format!(
                "函数 {name}(x: 浮点数, n: 整数): 浮点数 {{
    变量 y = x * {c}.5 * 比例 + 1.0;
    变量 i = 0;
    当 i < n % 6 {{
        y = y / 2.0 + (i 作为 浮点数);
        i += 1;
    }}
    如果 y > 1000.0 {{
        y = y - 1000.0;
    }}
    变量 r = {call};
    返回 y + ((r % 100) 作为 浮点数);
}}
",
                call = call("n % 40")
            ),
            2 => format!(
                "函数 {name}(名: 字符串, n: 整数): 字符串 {{
    变量 s = 前缀 + 名 + \"-{i}\";
    对于 k 在 1 到 n % 4 {{
        s += f\"[{{k}}:{{k * {c}}}]\";
    }}
    变量 m = {call};
    如果 长度(s) > 40 {{
        s = \"长\" + 长度(s);
    }}
    返回 f\"{{s}}/{{m % 1000}}\";
}}
",
                call = call("n % 30")
            ),
            3 => format!(
                "函数 {name}(n: 整数): 布尔 {{
    变量 d = 2;
    变量 素 = n > 1;
    当 d * d <= n {{
        如果 n % d == 0 {{
            素 = 假;
            跳出;
        }}
        d += 1;
    }}
    变量 t = {call};
    返回 (素 && t % 2 == 0) || (!素 && n > {c});
}}
",
                call = call("n % 20 + 1")
            ),
            _ => format!(
                "函数 {name}(c: 字符, n: 整数): 字符 {{
    变量 码 = c 作为 整数;
    对于 k 在 0 直到 n % 5 {{
        码 += k + 1;
    }}
    如果 码 > 122 {{
        码 = 97;
    }}
    变量 t = {call};
    返回 (码 + t % 3) 作为 字符;
}}
",
                call = call("n % 25")
            ),
        };
        out.push_str(&body);
        out.push('\n');
    }

    // The entry point calls the last function of every shape.
    out.push_str("函数 入口() {\n    变量 总 = 0;\n");
    for kind in 0..KINDS {
        let Some(last) = (0..functions).rev().find(|i| i % KINDS == kind) else {
            continue;
        };
        let _ = writeln!(
            out,
            "    对于 i 在 0..3 {{\n        总 = (总 + {}) % 模数;\n    }}",
            int_call(last, "i")
        );
    }
    out.push_str("    打印行(f\"总={总}，调用={调用次数}\");\n");
    if functions > 0 {
        let _ = writeln!(out, "    打印行(\"最后：\" + {});", int_call(functions - 1, "7"));
    }
    out.push_str("}\n");
    out
}

/// `变量 x = 1+1+…+1;` with `terms` terms on one line: past the nesting limit the parser
/// reports the chain once and skips the rest of it flat.
pub fn generate_chain(terms: usize) -> String {
    format!("变量 x = {};\n", vec!["1"; terms].join("+"))
}

/// `terms` terms of `1+1+…` split into statements of `per_statement` terms each (below
/// the nesting limit), so the whole input becomes valid, deep trees.
pub fn generate_chunked_chain(terms: usize, per_statement: usize) -> String {
    let mut out = String::with_capacity(terms * 2 + terms / per_statement * 16);
    let mut left = terms;
    let mut i = 0;
    while left > 0 {
        let n = left.min(per_statement);
        let _ = writeln!(out, "变量 x{i} = {};", vec!["1"; n].join("+"));
        left -= n;
        i += 1;
    }
    out
}

/// `入口` printing `names` different undefined names, one per line: one diagnostic each.
pub fn generate_undefined_names(names: usize) -> String {
    let mut out = String::with_capacity(names * 32 + 32);
    out.push_str("函数 入口() {\n");
    for i in 0..names {
        let _ = writeln!(out, "    打印行(未定义{i});");
    }
    out.push_str("}\n");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_chains_and_names_give_the_expected_diagnostics() {
        assert_eq!(qi_syntax::parse(&generate_chain(10_000)).errors.len(), 1);
        assert!(qi_syntax::parse(&generate_chunked_chain(10_000, 200)).errors.is_empty());
        let text = generate_undefined_names(100);
        let parse = qi_syntax::parse(&text);
        assert!(parse.errors.is_empty());
        let out = qi_ir::check(&parse.tree(), &text, "generated.qi");
        assert_eq!(out.diagnostics.len(), 100);
    }

    fn assert_clean(n: usize) {
        let text = generate_program(n);
        let parse = qi_syntax::parse(&text);
        assert!(parse.errors.is_empty(), "{n} functions: syntax errors: {:#?}", parse.errors);
        let out = qi_ir::check(&parse.tree(), &text, "generated.qi");
        assert!(out.diagnostics.is_empty(), "{n} functions: diagnostics: {:#?}", out.diagnostics);
        assert!(out.module.is_some(), "{n} functions: no module");
    }

    #[test]
    fn generated_program_parses_and_checks_cleanly() {
        for n in [0, 1, 2, 5, 7, 11] {
            assert_clean(n);
        }
        assert_clean(1000);
    }

    #[test]
    fn shaped_programs_check_cleanly_and_reach_their_sizes() {
        for target in [50, 200, 1000] {
            let (statements, size) = statements_for(target);
            assert!(
                size.abs_diff(target) * 5 <= target,
                "{target}: {statements} statements give {size}"
            );
            checked_module(&generate_shaped_program(statements, 3));
        }
    }

    #[test]
    fn generated_program_is_large() {
        let text = generate_program(1000);
        assert!(text.lines().count() > 10_000, "only {} lines", text.lines().count());
    }
}
