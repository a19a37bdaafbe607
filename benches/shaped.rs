//! Programs for the per-function compile benchmark (`benches/compile_function.rs`):
//! copies of one function of realistic shape whose size is chosen in IR instructions.
//!
//! The body cycles through statement kinds that cover what Qi code does — counted loops
//! that index an array, branches, integer and float arithmetic, struct field reads and
//! writes, a call that is not inlined, string concatenation and comparison — so that
//! the reference counting (retain/release) of arrays, structs and strings shows up as
//! it does in real programs.

use std::fmt::Write;

/// How many statement kinds [`statement`] cycles through.
const KINDS: usize = 6;

/// Statement `i` of a generated body (it may use `n`, `数据`, `p`, `和`, `浮`, `文`).
fn statement(i: usize) -> String {
    let c = i % 7 + 2;
    match i % KINDS {
        0 => format!(
            "    对于 k 在 0..n {{
        变量 v = 数据[k % 长度(数据)];
        如果 v > {c} {{
            和 += v * {c};
        }} 否则 {{
            和 -= k;
        }}
    }}
"
        ),
        1 => format!("    p.x = p.x + 和 % {c};\n    p.y = p.y * 2 - p.x;\n"),
        2 => format!("    和 += 链长(p, {c});\n"),
        3 => "    文 = 文 + \"项\" + 和;\n    如果 文 == p.名 {\n        和 += 1;\n    }\n".to_string(),
        4 => format!("    数据[{}] = 和 % 100 + 数据[{}];\n", i % 8, (i + 3) % 8),
        _ => format!("    浮 = 浮 * 0.5 + (和 作为 浮点数) / {c}.0;\n    如果 浮 > 1000.0 {{\n        浮 = 浮 - 1000.0;\n    }}\n"),
    }
}

/// A program with `copies` copies (`体0`, `体1`, …) of a function of `statements`
/// statements, the struct and the helper they use, and an `入口` that calls the last copy.
/// Each copy starts by calling the one before it, so every copy is reachable and `入口`
/// stays small whatever the number of copies.
pub fn generate_shaped_program(statements: usize, copies: usize) -> String {
    let mut out = String::new();
    out.push_str("包 主程序;\n\n类型 点 {\n    x: 整数,\n    y: 整数,\n    名: 字符串,\n}\n\n");
    // Recursive, so the optimiser keeps it a call.
    out.push_str(
        "函数 链长(p: 点, k: 整数): 整数 {
    如果 k <= 0 {
        返回 p.y;
    }
    返回 p.x + 链长(p, k - 1);
}

",
    );
    for copy in 0..copies {
        let _ = writeln!(out, "函数 体{copy}(n: 整数, 数据: 数组<整数>, p: 点): 字符串 {{");
        out.push_str("    变量 和 = n;\n    变量 浮 = 0.5;\n");
        match copy {
            0 => out.push_str("    变量 文 = p.名;\n"),
            _ => {
                let _ = writeln!(out, "    变量 文 = 体{}(n, 数据, p);", copy - 1);
            }
        }
        for i in 0..statements {
            out.push_str(&statement(i));
        }
        out.push_str("    返回 文;\n}\n\n");
    }
    out.push_str("函数 入口() {\n    变量 p = 新建 点 { x: 1, y: 2, 名: \"点\" };\n");
    out.push_str("    变量 数据 = [1, 2, 3, 4, 5, 6, 7, 8];\n");
    if copies > 0 {
        let _ = writeln!(out, "    打印行(体{}(2, 数据, p));", copies - 1);
    }
    out.push_str("}\n");
    out
}

/// The checked module of a generated program (panics on any diagnostic: a generator
/// that has stopped producing valid code must not be benchmarked).
pub fn checked_module(text: &str) -> qi_ir::Module {
    let parse = qi_syntax::parse(text);
    assert!(parse.errors.is_empty(), "generated program has syntax errors: {:?}", parse.errors);
    let checked = qi_ir::check(&parse.tree(), text, "generated.qi");
    assert!(
        checked.diagnostics.is_empty(),
        "generated program has diagnostics: {:?}",
        checked.diagnostics
    );
    checked.module.expect("a clean check produces a module")
}

/// IR instructions of a function as the Cranelift tier receives it: every instruction
/// and every block's terminator.
pub fn ir_instructions(f: &qi_ir::Function) -> usize {
    f.blocks.iter().map(|b| b.insts.len() + 1).sum()
}

/// IR instructions of function `name` of `module` after the IR optimisations (what
/// `qi_jit::compile` translates).
pub fn optimised_size(module: &qi_ir::Module, name: &str) -> usize {
    let runnable = qi_ir::opt::runnable(module.clone(), true).expect("generated IR is valid");
    let f = runnable.functions.iter().find(|f| f.name == name).expect("the function exists");
    ir_instructions(f)
}

/// The number of statements whose copies come closest to `target` IR instructions
/// (measured on the last of two copies: it has the call of the copy before it), and
/// that size.
pub fn statements_for(target: usize) -> (usize, usize) {
    let size = |statements| {
        optimised_size(&checked_module(&generate_shaped_program(statements, 2)), "体1")
    };
    let mut best = (0, size(0));
    for statements in 1.. {
        let s = size(statements);
        if s.abs_diff(target) < best.1.abs_diff(target) {
            best = (statements, s);
        }
        if s > target {
            break;
        }
    }
    best
}
