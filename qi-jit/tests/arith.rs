//! Machine-level semantics of the code generator, checked against Rust for many values:
//! wrapping integer arithmetic, truncating `/` and `%` (by constant and by variable
//! divisors), `MIN / -1`, shifts modulo 64, arithmetic `>>`, float arithmetic and ordered
//! comparisons (NaN), conversions (saturating and checked float→int, char), inline and
//! runtime `数学` functions, and the run-time errors (exceptions) of division by zero and
//! bad conversions.
//!
//! How results are observed: every case is a whole program run by a child process
//! (`common::run_child`), whose stdout and exit status are compared with what Rust
//! computes. Inputs reach the program through `字符串转整数` / `字符串转浮点数` of literal
//! strings — runtime calls — so Cranelift cannot constant-fold the operations under test.

mod common;

use common::{child_main, run_child, Prepared};
use qi_ir::builder::FnBuilder;
use qi_ir::*;

// ---- building programs -------------------------------------------------------------------

/// Functions and literal strings of a module under construction. `Module` is completed
/// from a checked empty program, so fields added to it later need no change here.
struct Prog {
    functions: Vec<Function>,
    strings: Vec<String>,
}

const L: Loc = Loc { file: 0, line: 1 };

impl Prog {
    fn new() -> Prog {
        Prog { functions: Vec::new(), strings: Vec::new() }
    }

    fn lit(&mut self, s: &str) -> Operand {
        let i = self.strings.iter().position(|x| x == s).unwrap_or_else(|| {
            self.strings.push(s.to_string());
            self.strings.len() - 1
        });
        Operand::Str(StrId(i as u32))
    }

    fn add(&mut self, f: Function) -> FuncId {
        self.functions.push(f);
        FuncId(self.functions.len() as u32 - 1)
    }

    /// `main` must be the last function added.
    fn finish(self) -> Module {
        let mut m = module_from_source("函数 入口() {}");
        m.main = FuncId(self.functions.len() as u32 - 1);
        m.functions = self.functions;
        m.globals.clear();
        m.strings = self.strings;
        m
    }
}

fn module_from_source(src: &str) -> Module {
    let parse = qi_syntax::parse(src);
    assert!(
        parse.errors.is_empty(),
        "{:?}",
        parse.errors.iter().map(|e| &e.message.zh).collect::<Vec<_>>()
    );
    let out = qi_ir::check(&parse.tree(), src, "t.qi");
    out.module.unwrap_or_else(|| {
        panic!("rejected: {:?}", out.diagnostics.iter().map(|d| &d.message.zh).collect::<Vec<_>>())
    })
}

fn builtin(b: &mut FnBuilder, op: Builtin, args: Vec<Operand>) {
    b.push(Inst::Effect(Value::Builtin { op, args, loc: L }));
}

fn print(b: &mut FnBuilder, ty: &Type, v: Operand) {
    let op = match ty {
        Type::Int => Builtin::PrintInt,
        Type::Float => Builtin::PrintFloat,
        Type::Bool => Builtin::PrintBool,
        Type::Char => Builtin::PrintChar,
        Type::Str => Builtin::PrintStr,
        t => panic!("cannot print {t}"),
    };
    builtin(b, op, vec![v]);
}

fn space(b: &mut FnBuilder) {
    builtin(b, Builtin::PrintSpace, vec![]);
}

fn newline(b: &mut FnBuilder) {
    builtin(b, Builtin::PrintNewline, vec![]);
}

/// A value the optimisers cannot see: `字符串转整数("<n>")`.
fn opaque_int(p: &mut Prog, b: &mut FnBuilder, n: i64) -> Operand {
    let s = p.lit(&n.to_string());
    b.temp(Type::Int, Value::Builtin { op: Builtin::StrToInt, args: vec![s], loc: L })
}

/// `字符串转浮点数("<text>")`.
fn opaque_float(p: &mut Prog, b: &mut FnBuilder, text: &str) -> Operand {
    let s = p.lit(text);
    b.temp(Type::Float, Value::Builtin { op: Builtin::StrToFloat, args: vec![s], loc: L })
}

fn params(tys: &[Type]) -> Vec<(Option<String>, Type)> {
    tys.iter().enumerate().map(|(i, t)| (Some(format!("p{i}")), t.clone())).collect()
}

/// A function of the given parameters that prints each of `values` (computed from the
/// parameters), separated by spaces, then a newline.
fn printer(name: &str, param_tys: &[Type], values: Vec<(Type, Value)>) -> Function {
    let mut b = FnBuilder::new(name.into(), params(param_tys), Type::Void, L);
    for (i, (ty, v)) in values.into_iter().enumerate() {
        if i > 0 {
            space(&mut b);
        }
        let r = b.temp(ty.clone(), v);
        print(&mut b, &ty, r);
    }
    newline(&mut b);
    b.terminate(Terminator::Return(None));
    b.finish()
}

fn arg(i: u32) -> Operand {
    Operand::Local(LocalId(i))
}

/// The one rendering of a float (spec README item 4).
fn fmt_float(x: f64) -> String {
    let mut s = format!("{x}");
    if x.is_finite() && x.trunc() == x {
        s.push_str(".0");
    }
    s
}

fn fmt_bool(b: bool) -> &'static str {
    if b {
        "真"
    } else {
        "假"
    }
}

// ---- the values --------------------------------------------------------------------------

const INTS: &[i64] = &[
    i64::MIN,
    i64::MIN + 1,
    -1_000_000_007,
    -65,
    -7,
    -2,
    -1,
    0,
    1,
    2,
    7,
    63,
    64,
    65,
    1 << 32,
    1_000_000_007,
    i64::MAX - 1,
    i64::MAX,
];

/// Floats as the text `字符串转浮点数` parses, with their value.
const FLOATS: &[&str] = &[
    "NaN", "-inf", "-1e300", "-2.5", "-1.5", "-0.5", "-0.0", "0.0", "5e-324", "0.5", "1.5", "2.5",
    "3.0", "1e300", "inf",
];

fn float_values() -> Vec<(&'static str, f64)> {
    FLOATS.iter().map(|t| (*t, t.parse::<f64>().unwrap())).collect()
}

// ---- the cases -----------------------------------------------------------------------------

/// A program and what it must do.
struct Case {
    module: Module,
    stdout: String,
    /// Expected exit status of the child (2 for an uncaught exception).
    status: i32,
    /// Text the child's stderr must contain.
    stderr_contains: Option<&'static str>,
}

fn ok(module: Module, stdout: String) -> Case {
    Case { module, stdout, status: 0, stderr_contains: None }
}

/// Integer `+ - * & | ^ << >>` and unary `-` for every pair, by variable operands.
fn int_ops() -> Case {
    let mut p = Prog::new();
    use BinOp::*;
    let bin = |op: BinOp| (Type::Int, Value::Binary(op, arg(0), arg(1)));
    let mut values: Vec<(Type, Value)> =
        [IAdd, ISub, IMul, IAnd, IOr, IXor, IShl, IShr].into_iter().map(bin).collect();
    values.push((Type::Int, Value::Unary(UnOp::INeg, arg(0))));
    let ops = p.add(printer("ops", &[Type::Int, Type::Int], values));
    let mut main = FnBuilder::new("main".into(), vec![], Type::Void, L);
    let mut expected = String::new();
    for &a in INTS {
        for &b in INTS {
            let (x, y) = (opaque_int(&mut p, &mut main, a), opaque_int(&mut p, &mut main, b));
            main.push(Inst::Effect(Value::Call { func: ops, args: vec![x, y], loc: L }));
            let r = [
                a.wrapping_add(b),
                a.wrapping_sub(b),
                a.wrapping_mul(b),
                a & b,
                a | b,
                a ^ b,
                a.wrapping_shl(b as u32),
                a.wrapping_shr(b as u32),
                a.wrapping_neg(),
            ];
            expected += &format!("{}\n", r.map(|v| v.to_string()).join(" "));
        }
    }
    main.terminate(Terminator::Return(None));
    p.add(main.finish());
    ok(p.finish(), expected)
}

/// `/` and `%` by a variable divisor (the checked path), every nonzero divisor.
fn int_division_by_variable() -> Case {
    let mut p = Prog::new();
    let div = p.add(printer(
        "div",
        &[Type::Int, Type::Int],
        vec![
            (Type::Int, Value::Binary(BinOp::IDiv, arg(0), arg(1))),
            (Type::Int, Value::Binary(BinOp::IRem, arg(0), arg(1))),
        ],
    ));
    let mut main = FnBuilder::new("main".into(), vec![], Type::Void, L);
    let mut expected = String::new();
    for &a in INTS {
        for &b in INTS.iter().filter(|b| **b != 0) {
            let (x, y) = (opaque_int(&mut p, &mut main, a), opaque_int(&mut p, &mut main, b));
            main.push(Inst::Effect(Value::Call { func: div, args: vec![x, y], loc: L }));
            expected += &format!("{} {}\n", a.wrapping_div(b), a.wrapping_rem(b));
        }
    }
    main.terminate(Terminator::Return(None));
    p.add(main.finish());
    ok(p.finish(), expected)
}

/// `/` and `%` by constant divisors (Cranelift turns most into multiplications; `-1` takes
/// the checked path with a constant).
fn int_division_by_constant() -> Case {
    let mut p = Prog::new();
    let divisors: Vec<i64> =
        INTS.iter().copied().filter(|d| *d != 0).chain([3, 10, -10, 1 << 62, 641, -641]).collect();
    let mut values = Vec::new();
    for &d in &divisors {
        values.push((Type::Int, Value::Binary(BinOp::IDiv, arg(0), Operand::Int(d))));
        values.push((Type::Int, Value::Binary(BinOp::IRem, arg(0), Operand::Int(d))));
    }
    let div = p.add(printer("div_const", &[Type::Int], values));
    let mut main = FnBuilder::new("main".into(), vec![], Type::Void, L);
    let mut expected = String::new();
    for &a in INTS.iter().chain(&[12345678901234, -12345678901234, 640, 641, 642, -642]) {
        let x = opaque_int(&mut p, &mut main, a);
        main.push(Inst::Effect(Value::Call { func: div, args: vec![x], loc: L }));
        let r: Vec<String> = divisors
            .iter()
            .flat_map(|&d| [a.wrapping_div(d), a.wrapping_rem(d)])
            .map(|v| v.to_string())
            .collect();
        expected += &format!("{}\n", r.join(" "));
    }
    main.terminate(Terminator::Return(None));
    p.add(main.finish());
    ok(p.finish(), expected)
}

/// Integer comparisons (signed) for every pair.
fn int_comparisons() -> Case {
    let mut p = Prog::new();
    let cmps = [Cmp::Eq, Cmp::Ne, Cmp::Lt, Cmp::Le, Cmp::Gt, Cmp::Ge];
    let values =
        cmps.iter().map(|c| (Type::Bool, Value::Binary(BinOp::ICmp(*c), arg(0), arg(1)))).collect();
    let f = p.add(printer("cmp", &[Type::Int, Type::Int], values));
    let mut main = FnBuilder::new("main".into(), vec![], Type::Void, L);
    let mut expected = String::new();
    for &a in INTS {
        for &b in INTS {
            let (x, y) = (opaque_int(&mut p, &mut main, a), opaque_int(&mut p, &mut main, b));
            main.push(Inst::Effect(Value::Call { func: f, args: vec![x, y], loc: L }));
            let r = [a == b, a != b, a < b, a <= b, a > b, a >= b];
            expected += &format!("{}\n", r.map(fmt_bool).join(" "));
        }
    }
    main.terminate(Terminator::Return(None));
    p.add(main.finish());
    ok(p.finish(), expected)
}

/// Float `+ - * / %`, ordered comparisons (every comparison with NaN is false, `!=`
/// included) and `-x`, for every pair.
fn float_ops_and_comparisons() -> Case {
    let mut p = Prog::new();
    use BinOp::*;
    let mut values: Vec<(Type, Value)> = [FAdd, FSub, FMul, FDiv, FRem]
        .into_iter()
        .map(|op| (Type::Float, Value::Binary(op, arg(0), arg(1))))
        .collect();
    for c in [Cmp::Eq, Cmp::Ne, Cmp::Lt, Cmp::Le, Cmp::Gt, Cmp::Ge] {
        values.push((Type::Bool, Value::Binary(FCmp(c), arg(0), arg(1))));
    }
    values.push((Type::Float, Value::Unary(UnOp::FNeg, arg(0))));
    let f = p.add(printer("fops", &[Type::Float, Type::Float], values));
    let mut main = FnBuilder::new("main".into(), vec![], Type::Void, L);
    let mut expected = String::new();
    let fl = float_values();
    for &(ta, a) in &fl {
        for &(tb, b) in &fl {
            let (x, y) = (opaque_float(&mut p, &mut main, ta), opaque_float(&mut p, &mut main, tb));
            main.push(Inst::Effect(Value::Call { func: f, args: vec![x, y], loc: L }));
            let mut r: Vec<String> =
                [a + b, a - b, a * b, a / b, a % b].into_iter().map(fmt_float).collect();
            let ordered = |f: fn(&f64, &f64) -> bool| {
                fmt_bool(!a.is_nan() && !b.is_nan() && f(&a, &b)).to_string()
            };
            r.push(ordered(|x, y| x == y));
            r.push(ordered(|x, y| x != y));
            r.push(ordered(|x, y| x < y));
            r.push(ordered(|x, y| x <= y));
            r.push(ordered(|x, y| x > y));
            r.push(ordered(|x, y| x >= y));
            r.push(fmt_float(-a));
            expected += &format!("{}\n", r.join(" "));
        }
    }
    main.terminate(Terminator::Return(None));
    p.add(main.finish());
    ok(p.finish(), expected)
}

/// Conversions that cannot fail: saturating float→int (NaN → 0), int→float, bool and
/// char widening.
fn conversions() -> Case {
    let mut p = Prog::new();
    let sat = p.add(printer(
        "sat",
        &[Type::Float],
        vec![(Type::Int, Value::Convert(Conv::FloatToIntSat, arg(0)))],
    ));
    let i2f = p.add(printer(
        "i2f",
        &[Type::Int],
        vec![
            (Type::Float, Value::Convert(Conv::IntToFloat, arg(0))),
            (Type::Bool, Value::Convert(Conv::IntToBool, arg(0))),
        ],
    ));
    let mut main = FnBuilder::new("main".into(), vec![], Type::Void, L);
    let mut expected = String::new();
    let extra = [
        "9223372036854775807.0",
        "9223372036854774784.0",
        "-9223372036854775808.0",
        "-9223372036854777856.0",
        "1.9999",
        "-1.9999",
        "123456789.99",
    ];
    for t in FLOATS.iter().chain(&extra) {
        let x = opaque_float(&mut p, &mut main, t);
        main.push(Inst::Effect(Value::Call { func: sat, args: vec![x], loc: L }));
        expected += &format!("{}\n", t.parse::<f64>().unwrap() as i64);
    }
    for &a in INTS {
        let x = opaque_int(&mut p, &mut main, a);
        main.push(Inst::Effect(Value::Call { func: i2f, args: vec![x], loc: L }));
        expected += &format!("{} {}\n", fmt_float(a as f64), fmt_bool(a != 0));
    }
    // Checked float→int of values in range (truncation toward zero).
    let checked = p.add(printer(
        "checked",
        &[Type::Float],
        vec![(Type::Int, Value::Convert(Conv::FloatToInt, arg(0)))],
    ));
    for t in [
        "-0.0",
        "0.5",
        "-0.5",
        "2.5",
        "-2.5",
        "1e18",
        "-9223372036854775808.0",
        "9223372036854774784.0",
    ] {
        let x = opaque_float(&mut p, &mut main, t);
        main.push(Inst::Effect(Value::Call { func: checked, args: vec![x], loc: L }));
        expected += &format!("{}\n", t.parse::<f64>().unwrap() as i64);
    }
    // Characters: int → char (checked) → int, and bool → int / float.
    let chars = p.add(printer(
        "chars",
        &[Type::Int],
        vec![(Type::Char, Value::Convert(Conv::IntToChar, arg(0)))],
    ));
    for c in [0x41, 0x4E2D, 0x1F600, 0x10FFFF, 0xD7FF, 0xE000] {
        let x = opaque_int(&mut p, &mut main, c);
        main.push(Inst::Effect(Value::Call { func: chars, args: vec![x], loc: L }));
        expected += &format!("{}\n", char::from_u32(c as u32).unwrap());
    }
    let mut bb = FnBuilder::new("bools".into(), params(&[Type::Int]), Type::Void, L);
    let flag = bb.temp(Type::Bool, Value::Convert(Conv::IntToBool, arg(0)));
    let i = bb.temp(Type::Int, Value::Convert(Conv::BoolToInt, flag));
    print(&mut bb, &Type::Int, i);
    space(&mut bb);
    let f = bb.temp(Type::Float, Value::Convert(Conv::BoolToFloat, flag));
    print(&mut bb, &Type::Float, f);
    space(&mut bb);
    let n = bb.temp(Type::Bool, Value::Unary(UnOp::Not, flag));
    print(&mut bb, &Type::Bool, n);
    newline(&mut bb);
    bb.terminate(Terminator::Return(None));
    let bf = p.add(bb.finish());
    for v in [0, 1, -5] {
        let x = opaque_int(&mut p, &mut main, v);
        main.push(Inst::Effect(Value::Call { func: bf, args: vec![x], loc: L }));
        let t = v != 0;
        expected += &format!("{} {} {}\n", t as i64, fmt_float(t as i64 as f64), fmt_bool(!t));
    }
    main.terminate(Terminator::Return(None));
    p.add(main.finish());
    ok(p.finish(), expected)
}

/// The library row of `数学.name`.
fn math(name: &str) -> Builtin {
    let id = qi_ir::library::function(&qi_ir::library::MATH, name).expect("a 数学 function");
    Builtin::Library(id)
}

/// The `数学` functions, inline (sqrt, abs, floor, ceil) and in the runtime, on special values.
fn math_functions() -> Case {
    let mut p = Prog::new();
    let unary = [
        "开方",
        "绝对值",
        "向下取整",
        "向上取整",
        "四舍五入",
        "指数",
        "自然对数",
        "对数2",
        "立方根",
        "双曲正切",
        "正弦",
    ];
    let values = unary
        .iter()
        .map(|f| (Type::Float, Value::Builtin { op: math(f), args: vec![arg(0)], loc: L }))
        .collect();
    let un = p.add(printer("un", &[Type::Float], values));
    let values = ["幂", "最大", "最小"]
        .iter()
        .map(|f| (Type::Float, Value::Builtin { op: math(f), args: vec![arg(0), arg(1)], loc: L }))
        .collect();
    let bin = p.add(printer("bin", &[Type::Float, Type::Float], values));
    let mut main = FnBuilder::new("main".into(), vec![], Type::Void, L);
    let mut expected = String::new();
    let fl = float_values();
    for &(t, x) in &fl {
        let a = opaque_float(&mut p, &mut main, t);
        main.push(Inst::Effect(Value::Call { func: un, args: vec![a], loc: L }));
        let r = [
            x.sqrt(),
            x.abs(),
            x.floor(),
            x.ceil(),
            x.round(),
            x.exp(),
            x.ln(),
            x.log2(),
            x.cbrt(),
            x.tanh(),
            x.sin(),
        ];
        expected += &format!("{}\n", r.map(fmt_float).join(" "));
    }
    for &(ta, a) in &fl {
        for &(tb, b) in &fl {
            let (x, y) = (opaque_float(&mut p, &mut main, ta), opaque_float(&mut p, &mut main, tb));
            main.push(Inst::Effect(Value::Call { func: bin, args: vec![x, y], loc: L }));
            expected += &format!(
                "{} {} {}\n",
                fmt_float(a.powf(b)),
                fmt_float(a.max(b)),
                fmt_float(a.min(b))
            );
        }
    }
    let mut consts = FnBuilder::new("consts".into(), vec![], Type::Void, L);
    for f in ["圆周率", "自然常数"] {
        let v = consts.temp(Type::Float, Value::Builtin { op: math(f), args: vec![], loc: L });
        print(&mut consts, &Type::Float, v);
        space(&mut consts);
    }
    newline(&mut consts);
    consts.terminate(Terminator::Return(None));
    let c = p.add(consts.finish());
    main.push(Inst::Effect(Value::Call { func: c, args: vec![], loc: L }));
    expected +=
        &format!("{} {} \n", fmt_float(std::f64::consts::PI), fmt_float(std::f64::consts::E));
    main.terminate(Terminator::Return(None));
    p.add(main.finish());
    ok(p.finish(), expected)
}

/// A program that prints `before`, then evaluates `value` on the opaque operands, then
/// prints `after` (which must never appear).
fn failing(
    build: impl FnOnce(&mut Prog, &mut FnBuilder) -> (Type, Value),
    stderr: &'static str,
) -> Case {
    let mut p = Prog::new();
    let mut main = FnBuilder::new("main".into(), vec![], Type::Void, L);
    let before = p.lit("before");
    print(&mut main, &Type::Str, before);
    newline(&mut main);
    let (ty, v) = build(&mut p, &mut main);
    let r = main.temp(ty.clone(), v);
    print(&mut main, &ty, r);
    let after = p.lit("after");
    print(&mut main, &Type::Str, after);
    newline(&mut main);
    main.terminate(Terminator::Return(None));
    p.add(main.finish());
    Case { module: p.finish(), stdout: "before\n".into(), status: 2, stderr_contains: Some(stderr) }
}

const DIV_ZERO: &str = "未捕获的异常: 除数为零";

fn div_zero_variable() -> Case {
    failing(
        |p, b| {
            let x = opaque_int(p, b, 7);
            let y = opaque_int(p, b, 0);
            (Type::Int, Value::Binary(BinOp::IDiv, x, y))
        },
        DIV_ZERO,
    )
}

fn rem_zero_variable() -> Case {
    failing(
        |p, b| {
            let x = opaque_int(p, b, i64::MIN);
            let y = opaque_int(p, b, 0);
            (Type::Int, Value::Binary(BinOp::IRem, x, y))
        },
        DIV_ZERO,
    )
}

fn div_zero_constant() -> Case {
    failing(
        |p, b| {
            let x = opaque_int(p, b, 7);
            (Type::Int, Value::Binary(BinOp::IDiv, x, Operand::Int(0)))
        },
        DIV_ZERO,
    )
}

fn rem_zero_constant() -> Case {
    failing(
        |p, b| {
            let x = opaque_int(p, b, -7);
            (Type::Int, Value::Binary(BinOp::IRem, x, Operand::Int(0)))
        },
        DIV_ZERO,
    )
}

fn float_to_int_nan() -> Case {
    failing(
        |p, b| {
            let x = opaque_float(p, b, "NaN");
            (Type::Int, Value::Convert(Conv::FloatToInt, x))
        },
        "未捕获的异常: 浮点数 NaN 无法转换为整数",
    )
}

fn float_to_int_too_big() -> Case {
    failing(
        |p, b| {
            let x = opaque_float(p, b, "9223372036854775808.0");
            (Type::Int, Value::Convert(Conv::FloatToInt, x))
        },
        "未捕获的异常: 浮点数 9223372036854776000.0 无法转换为整数",
    )
}

fn int_to_char_surrogate() -> Case {
    failing(
        |p, b| {
            let x = opaque_int(p, b, 0xD800);
            (Type::Char, Value::Convert(Conv::IntToChar, x))
        },
        "未捕获的异常: 55296 不是有效的字符码",
    )
}

/// The same integer semantics through the front end (`check` → IR → JIT), including the
/// forms the checker folds (`-5` literals) and compound assignment.
fn arithmetic_from_source() -> Case {
    let src = "函数 数(s: 字符串): 整数 { 返回 字符串转整数(s); }
函数 入口() {
    变量 最小 = 数(\"-9223372036854775808\");
    变量 负一 = 数(\"-1\");
    打印行(最小 / 负一, 最小 % 负一, 最小 / -1, 最小 % -1, -最小, 最小 - 1, 最小 * 负一);
    打印行(数(\"-7\") / 2, 数(\"-7\") % 2, 数(\"7\") / -2, 数(\"7\") % -2, 数(\"-7\") / 数(\"2\"), 数(\"-7\") % 数(\"-2\"));
    打印行(1 << 数(\"65\"), 数(\"-16\") >> 2, 数(\"-1\") >> 数(\"63\"), 数(\"1\") << 数(\"-1\"), 数(\"6\") & 3 | 8);
    变量 x = 数(\"9223372036854775807\");
    x += 1;
    打印行(x);
    x -= 1;
    打印行(x);
    x *= 2;
    打印行(x);
    x /= 数(\"-3\");
    打印行(x);
    x %= 数(\"1000\");
    打印行(x);
    变量 nan = 字符串转浮点数(\"NaN\");
    打印行(nan == nan, nan != nan, nan < 1.0, nan >= nan, 1 < nan, 浮点数转整数(nan), 浮点数转整数(-nan));
    打印行(浮点数转整数(字符串转浮点数(\"1e300\")), 浮点数转整数(字符串转浮点数(\"-inf\")), 3.99 作为 整数, -3.99 作为 整数);
    打印行('中' 作为 整数, 20013 作为 字符, 'a' + 1, 'b' - 'a', 真 + 真, 'z' > 'a');
}
";
    let expected = "-9223372036854775808 0 -9223372036854775808 0 -9223372036854775808 9223372036854775807 -9223372036854775808\n\
                    -3 -1 -3 1 -3 -1\n\
                    2 -4 -1 -9223372036854775808 10\n\
                    -9223372036854775808\n\
                    9223372036854775807\n\
                    -2\n\
                    0\n\
                    0\n\
                    假 假 假 假 假 0 0\n\
                    9223372036854775807 -9223372036854775808 3 -3\n\
                    20013 中 98 1 2 真\n";
    ok(module_from_source(src), expected.into())
}

/// Reading an array global in a function called by an earlier global's initialiser: the
/// global still holds null, and `长度`/iteration dereference it.
fn array_global_read_before_its_initialiser() -> Case {
    let src = "变量 甲 = 读乙();
变量 乙: 数组<整数>;
函数 读乙(): 整数 { 返回 长度(乙); }
函数 入口() { 打印行(甲, 长度(乙)); }
";
    ok(module_from_source(src), "0 0\n".into())
}

/// The same for a struct global: reading its field dereferences null.
fn struct_global_read_before_its_initialiser() -> Case {
    let src = "类型 点 { 横: 整数 }
变量 甲 = 读乙();
变量 乙 = 新建 点 { 横: 1 };
函数 读乙(): 整数 { 返回 乙.横; }
函数 入口() { 打印行(甲, 乙.横); }
";
    // A struct has no zero value: the read raises an exception naming the global, not a crash.
    Case {
        module: module_from_source(src),
        stdout: String::new(),
        status: 2,
        stderr_contains: Some("未捕获的异常: 全局变量 乙 在初始化之前被读取\n  在 读乙 (t.qi:4)\n"),
    }
}

type NamedCase = (&'static str, fn() -> Case);

const CASES: &[NamedCase] = &[
    ("int_ops", int_ops),
    ("int_division_by_variable", int_division_by_variable),
    ("int_division_by_constant", int_division_by_constant),
    ("int_comparisons", int_comparisons),
    ("float_ops_and_comparisons", float_ops_and_comparisons),
    ("conversions", conversions),
    ("math", math_functions),
    ("div_zero_variable", div_zero_variable),
    ("rem_zero_variable", rem_zero_variable),
    ("div_zero_constant", div_zero_constant),
    ("rem_zero_constant", rem_zero_constant),
    ("float_to_int_nan", float_to_int_nan),
    ("float_to_int_too_big", float_to_int_too_big),
    ("int_to_char_surrogate", int_to_char_surrogate),
    ("arithmetic_from_source", arithmetic_from_source),
    ("array_global_read_before_its_initialiser", array_global_read_before_its_initialiser),
    ("struct_global_read_before_its_initialiser", struct_global_read_before_its_initialiser),
];

fn case(name: &str) -> Case {
    CASES.iter().find(|(n, _)| *n == name).unwrap_or_else(|| panic!("no case {name}")).1()
}

// ---- the child process ---------------------------------------------------------------------

/// Runs one case when started by `run_child`; does nothing in a normal test run.
#[test]
fn child_entry() {
    child_main(|name| Prepared { module: case(name).module, args: Vec::new() });
}

#[track_caller]
fn check_case(name: &str) {
    let want = case(name);
    let got = run_child(name, &[]);
    if got.stdout != want.stdout {
        let first = got.stdout.lines().zip(want.stdout.lines()).position(|(a, b)| a != b);
        let detail = match first {
            Some(i) => format!(
                "first difference at line {}:\n  expected: {}\n  actual:   {}",
                i + 1,
                want.stdout.lines().nth(i).unwrap(),
                got.stdout.lines().nth(i).unwrap()
            ),
            None => format!(
                "expected {} lines, got {}",
                want.stdout.lines().count(),
                got.stdout.lines().count()
            ),
        };
        panic!(
            "{name}: stdout differs; {detail}\nstatus {:?}, stderr:\n{}",
            got.status, got.stderr
        );
    }
    assert_eq!(
        got.status,
        Some(want.status),
        "{name}: exit status (None = killed by a signal)\nstderr:\n{}",
        got.stderr
    );
    if let Some(s) = want.stderr_contains {
        assert!(got.stderr.contains(s), "{name}: stderr lacks {s:?}:\n{}", got.stderr);
    }
}

// ---- the tests ---------------------------------------------------------------------------

/// The IR validator (`qi_ir::validate`: ids in range, every instruction well-typed).
#[test]
fn every_case_builds_valid_ir() {
    for (name, f) in CASES {
        let c = f();
        qi_ir::validate::validate(&c.module).unwrap_or_else(|e| panic!("{name}: {e}"));
    }
}

#[test]
fn integer_add_sub_mul_bitwise_shift_negate_wrap_like_rust() {
    check_case("int_ops");
}

#[test]
fn integer_division_by_a_variable_truncates_and_min_by_minus_one_wraps() {
    check_case("int_division_by_variable");
}

#[test]
fn integer_division_by_a_constant_matches_division_by_a_variable() {
    check_case("int_division_by_constant");
}

#[test]
fn integer_comparisons_are_signed() {
    check_case("int_comparisons");
}

#[test]
fn float_arithmetic_and_ordered_comparisons_with_nan() {
    check_case("float_ops_and_comparisons");
}

#[test]
fn conversions_saturate_and_widen_like_rust() {
    check_case("conversions");
}

#[test]
fn math_functions_match_rust() {
    check_case("math");
}

#[test]
fn division_by_zero_is_a_runtime_error_for_variable_and_constant_divisors() {
    for name in ["div_zero_variable", "rem_zero_variable", "div_zero_constant", "rem_zero_constant"]
    {
        check_case(name);
    }
}

#[test]
fn checked_conversions_fail_with_a_runtime_error() {
    for name in ["float_to_int_nan", "float_to_int_too_big", "int_to_char_surrogate"] {
        check_case(name);
    }
}

#[test]
fn integer_semantics_through_the_front_end() {
    check_case("arithmetic_from_source");
}

#[test]
fn global_read_before_initialisation_does_not_crash() {
    check_case("array_global_read_before_its_initialiser");
    check_case("struct_global_read_before_its_initialiser");
}
