//! A random, well-typed Qi program that terminates.
//!
//! What it exercises: integer arithmetic that wraps, divides by zero and shifts by any
//! count; float arithmetic with infinities, NaN and conversions both ways (`作为 整数`
//! raises on NaN, `浮点数转整数` saturates); strings (concatenation, comparison,
//! length); branches; `对于` and `当` loops with `跳出`/`继续`; arrays (literals, `数组<整数>(n)`
//! with a negative `n`, indexing in and out of bounds, iteration); a struct (fields read
//! and written, passed and returned); a global; closures capturing variables; calls,
//! recursion (mutual, and one chain 100 calls deep) and `作为 字符` (raising on a
//! non-scalar); exceptions (`抛出`, `尝试`/`捕获`/`最终`, raising again from a catch body,
//! uncaught, with collapsed traces).
//!
//! Why it terminates: loops run at most a few iterations (`对于` over a literal range or
//! over an array of at most 5 elements, `当` over a counter the body does not assign);
//! every function takes a depth `深`, returns at once when it is not positive, and passes
//! `深 - 1` to every call, while `入口` passes a literal of at most 3; each function body
//! makes at most a few calls; `链` recurses at most 100 deep; a closure cannot name itself,
//! so it cannot recurse. So the run is short even in the interpreter of a debug build, and
//! no stack overflows (whose traces depend on the tier's frame sizes).

use crate::bytes::Bytes;
use std::fmt::Write;

/// The program `data` describes (any bytes make a program; see `Bytes`).
pub fn generate(data: &[u8]) -> String {
    generate_counted(data).0
}

/// The program `data` describes, and how many bytes of `data` it used (the rest makes no
/// difference: a corpus file needs no more).
pub fn generate_counted(data: &[u8]) -> (String, usize) {
    let mut g = Gen::new(Bytes::new(data));
    g.program();
    let used = g.src.used().min(data.len());
    (g.out, used)
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Ty {
    Int,
    Float,
    Bool,
    Str,
    /// `点 { 甲: 整数, 乙: 浮点数 }`.
    Point,
    /// `数组<整数>`.
    Arr,
    /// `函数(整数): 整数`: a closure (only in variables `闭包` statements declare).
    Fn,
}

const TYPES: [Ty; 6] = [Ty::Int, Ty::Float, Ty::Bool, Ty::Str, Ty::Point, Ty::Arr];

impl Ty {
    fn qi(self) -> &'static str {
        match self {
            Ty::Int => "整数",
            Ty::Float => "浮点数",
            Ty::Bool => "布尔",
            Ty::Str => "字符串",
            Ty::Point => "点",
            Ty::Arr => "数组<整数>",
            Ty::Fn => "函数(整数): 整数",
        }
    }
}

struct Var {
    name: String,
    ty: Ty,
    /// Loop counters and loop variables are never assigned (that keeps loops bounded).
    assignable: bool,
}

struct Func {
    name: String,
    params: Vec<Ty>,
    ret: Option<Ty>,
}

/// Most functions a program declares (besides `入口`).
const MAX_FUNCS: usize = 4;
/// Most calls in one function body (`入口`: twice as many).
const MAX_CALLS: usize = 3;
/// Deepest nesting of blocks inside a body.
const MAX_NESTING: usize = 3;
/// Deepest expression.
const MAX_EXPR_DEPTH: u32 = 3;

const INT_LITERALS: &[&str] = &[
    "0",
    "1",
    "2",
    "3",
    "(-1)",
    "7",
    "10",
    "(-7)",
    "63",
    "64",
    "65",
    "(-64)",
    "255",
    "1000000007",
    "9223372036854775807",
    "(-9223372036854775807 - 1)",
    "4611686018427387904",
    "(-4294967296)",
];

const FLOAT_LITERALS: &[&str] = &[
    "0.0",
    "1.0",
    "(-1.0)",
    "0.5",
    "2.5",
    "(-7.5)",
    "3.14159",
    "0.1",
    "(-0.0)",
    "10000000000.0",
    "1000000000000000000000.0",
    "9007199254740993.0",
    "123456789.125",
];

const STR_LITERALS: &[&str] = &["\"\"", "\"甲\"", "\"ab\"", "\"中文\"", "\"x y\""];

const INT_OPS: &[&str] = &["+", "-", "*", "/", "%", "&", "|", "^", "<<", ">>"];
const FLOAT_OPS: &[&str] = &["+", "-", "*", "/", "%"];
const CMP_OPS: &[&str] = &["==", "!=", "<", "<=", ">", ">="];

struct Gen<'a> {
    src: Bytes<'a>,
    out: String,
    funcs: Vec<Func>,
    /// Variables in scope, innermost block last.
    scopes: Vec<Vec<Var>>,
    /// Caught exceptions in scope (names).
    caught: Vec<String>,
    next_name: usize,
    loops: usize,
    nesting: usize,
    calls_left: usize,
    /// Scopes below this index belong outside the closure being generated.
    assign_floor: usize,
    /// The current function's result (`None`: `空`).
    ret: Option<Ty>,
    /// In `入口`: calls pass a literal depth instead of `深 - 1`.
    in_entry: bool,
    indent: usize,
}

impl<'a> Gen<'a> {
    fn new(src: Bytes<'a>) -> Gen<'a> {
        Gen {
            src,
            out: String::new(),
            funcs: Vec::new(),
            scopes: Vec::new(),
            caught: Vec::new(),
            next_name: 0,
            loops: 0,
            nesting: 0,
            calls_left: 0,
            assign_floor: 0,
            ret: None,
            in_entry: false,
            indent: 0,
        }
    }

    fn fresh(&mut self, prefix: &str) -> String {
        self.next_name += 1;
        format!("{prefix}{}", self.next_name)
    }

    fn line(&mut self, text: &str) {
        for _ in 0..self.indent {
            self.out.push_str("    ");
        }
        self.out.push_str(text);
        self.out.push('\n');
    }

    fn declare(&mut self, name: &str, ty: Ty, assignable: bool) {
        let var = Var { name: name.to_string(), ty, assignable };
        self.scopes.last_mut().expect("inside a body").push(var);
    }

    fn vars_of(&self, ty: Ty, assignable_only: bool) -> Vec<String> {
        // A closure body assigns only its own variables (it may capture the others).
        let from = if assignable_only { self.assign_floor } else { 0 };
        self.scopes[from.min(self.scopes.len())..]
            .iter()
            .flatten()
            .filter(|v| v.ty == ty && (v.assignable || !assignable_only))
            .map(|v| v.name.clone())
            .collect()
    }

    // ---- the program ----------------------------------------------------------------------

    fn program(&mut self) {
        self.out.push_str("包 主程序;\n\n类型 点 { 甲: 整数, 乙: 浮点数 }\n\n变量 总数 = 0;\n");
        // Deep (but bounded) recursion that may raise at its bottom: uncaught, its trace
        // shows the repeated frames collapsed.
        self.out.push_str(
            "\n函数 链(n: 整数, 底: 整数): 整数 {\n    如果 n <= 0 { 返回 100 / 底; }\n    返回 链(n - 1, 底) + 1;\n}\n",
        );
        let n = 1 + self.src.below(MAX_FUNCS);
        for i in 0..n {
            let params = (0..self.src.below(4)).map(|_| *self.src.pick(&TYPES)).collect();
            let ret = match self.src.below(TYPES.len() + 1) {
                0 => None,
                k => Some(TYPES[k - 1]),
            };
            self.funcs.push(Func { name: format!("函{i}"), params, ret });
        }
        for i in 0..n {
            self.function(i);
        }
        self.entry();
    }

    fn function(&mut self, i: usize) {
        let f = &self.funcs[i];
        let (name, params, ret) = (f.name.clone(), f.params.clone(), f.ret);
        let mut sig = format!("函数 {name}(深: 整数");
        let mut vars = vec![Var { name: "深".into(), ty: Ty::Int, assignable: false }];
        for (k, ty) in params.iter().enumerate() {
            let _ = write!(sig, ", 参{k}: {}", ty.qi());
            vars.push(Var { name: format!("参{k}"), ty: *ty, assignable: true });
        }
        sig.push(')');
        if let Some(t) = ret {
            let _ = write!(sig, ": {}", t.qi());
        }
        self.out.push('\n');
        self.line(&format!("{sig} {{"));
        self.indent += 1;
        self.scopes.push(vars);
        self.ret = ret;
        self.in_entry = false;
        self.calls_left = MAX_CALLS;
        // The recursion bound: every call passes `深 - 1`.
        let base = match ret {
            None => "返回;".to_string(),
            Some(t) => format!("返回 {};", self.leaf(t)),
        };
        self.line(&format!("如果 深 <= 0 {{ {base} }}"));
        self.statements(4);
        if let Some(t) = ret {
            let e = self.expr(t, MAX_EXPR_DEPTH);
            self.line(&format!("返回 {e};"));
        }
        self.scopes.pop();
        self.indent -= 1;
        self.line("}");
    }

    fn entry(&mut self) {
        self.out.push('\n');
        self.line("函数 入口() {");
        self.indent += 1;
        self.scopes.push(Vec::new());
        self.ret = None;
        self.in_entry = true;
        self.calls_left = 2 * MAX_CALLS;
        self.statements(6);
        self.line("打印行(\"总数\", 总数);");
        self.scopes.pop();
        self.indent -= 1;
        self.line("}");
    }

    // ---- statements -----------------------------------------------------------------------

    /// Up to `max` statements (fewer when the input runs out).
    fn statements(&mut self, max: usize) {
        let n = self.src.below(max + 1);
        for _ in 0..n {
            self.statement();
        }
    }

    /// A block: `{`, statements in a new scope, `}` (the caller writes what precedes `{`).
    fn block(&mut self, head: &str, max: usize) {
        self.block_in(head, Vec::new(), None, max);
    }

    /// `head {`, then `first` (if any) and up to `max` statements in a scope holding
    /// `scope`; the caller closes the brace.
    fn block_in(&mut self, head: &str, scope: Vec<Var>, first: Option<&str>, max: usize) {
        self.line(&format!("{head} {{"));
        self.indent += 1;
        self.nesting += 1;
        self.scopes.push(scope);
        if let Some(first) = first {
            self.line(first);
        }
        self.statements(max);
        self.scopes.pop();
        self.nesting -= 1;
        self.indent -= 1;
    }

    /// A loop's body (where `跳出`/`继续` may appear), closed.
    fn loop_block(&mut self, head: &str, scope: Vec<Var>, first: Option<&str>) {
        self.loops += 1;
        self.block_in(head, scope, first, 3);
        self.loops -= 1;
        self.line("}");
    }

    fn statement(&mut self) {
        let nested_ok = self.nesting < MAX_NESTING;
        // 0 (the input used up) is a print: no nesting, no new choices beyond a leaf.
        match self.src.below(17) {
            0 | 1 => self.print(),
            2 | 3 => {
                let ty = *self.src.pick(&TYPES);
                let e = self.expr(ty, MAX_EXPR_DEPTH);
                let name = self.fresh("v");
                self.line(&format!("变量 {name} = {e};"));
                self.declare(&name, ty, true);
            }
            4 => self.assign(),
            5 => self.store(),
            6 if nested_ok => self.if_else(),
            7 if nested_ok => self.for_range(),
            8 if nested_ok => self.while_counter(),
            9 if nested_ok => self.for_array(),
            10 if nested_ok => self.try_catch(),
            11 => self.leave(),
            12 => {
                let e = self.expr(Ty::Int, 2);
                self.line(&format!("总数 = 总数 + {e};"));
            }
            13 if self.calls_left > 0 => {
                let call = self.call(None);
                self.line(&format!("{call};"));
            }
            15 if nested_ok => self.closure(),
            14 if !self.caught.is_empty() => {
                let e = self.src.pick(&self.caught).clone();
                let cause = if self.src.chance(1, 2) { ", 异常原因()" } else { "" };
                self.line(&format!("打印行(\"捕获\", {e}{cause});"));
            }
            _ => self.print(),
        }
    }

    /// `变量 f = 闭包(x: 整数): 整数 { … };`: a body of its own (no `跳出` out of it, its
    /// own `返回`), capturing the variables in scope (never assigning them).
    fn closure(&mut self) {
        let (name, param) = (self.fresh("闭"), self.fresh("y"));
        self.line(&format!("变量 {name} = 闭包({param}: 整数): 整数 {{"));
        let saved = (self.ret, self.loops, std::mem::take(&mut self.caught), self.assign_floor);
        self.ret = Some(Ty::Int);
        self.loops = 0;
        self.indent += 1;
        self.nesting += 1;
        self.assign_floor = self.scopes.len();
        self.scopes.push(vec![Var { name: param, ty: Ty::Int, assignable: true }]);
        self.statements(3);
        let e = self.expr(Ty::Int, 2);
        self.line(&format!("返回 {e};"));
        self.scopes.pop();
        self.nesting -= 1;
        self.indent -= 1;
        (self.ret, self.loops, self.caught, self.assign_floor) = saved;
        self.line("};");
        self.declare(&name, Ty::Fn, false);
    }

    fn print(&mut self) {
        let n = 1 + self.src.below(3);
        let mut args = vec![format!("\"{}\"", self.next_label())];
        for _ in 0..n {
            let ty = *self.src.pick(&[Ty::Int, Ty::Float, Ty::Bool, Ty::Str]);
            args.push(self.expr(ty, 2));
        }
        // A character: `作为 字符` raises unless the integer is a Unicode scalar value.
        if self.src.chance(1, 6) {
            let c = self.expr(Ty::Int, 1);
            args.push(format!("({c} 作为 字符)"));
        }
        // An object is printed through its parts.
        if self.src.chance(1, 4) {
            let p = self.expr(Ty::Point, 1);
            args.push(format!("({p}).乙"));
        }
        self.line(&format!("打印行({});", args.join(", ")));
    }

    fn next_label(&mut self) -> String {
        self.fresh("标")
    }

    fn assign(&mut self) {
        let ty = *self.src.pick(&TYPES);
        let vars = self.vars_of(ty, true);
        if vars.is_empty() {
            return self.print();
        }
        let v = self.src.pick(&vars).clone();
        let e = self.expr(ty, MAX_EXPR_DEPTH);
        let op = match ty {
            Ty::Int => *self.src.pick(&["=", "+=", "-=", "*=", "/=", "%="]),
            Ty::Float => *self.src.pick(&["=", "+=", "*="]),
            Ty::Str => *self.src.pick(&["=", "+="]),
            _ => "=",
        };
        self.line(&format!("{v} {op} {e};"));
    }

    /// An array element or a struct field written (of a variable).
    fn store(&mut self) {
        let ty = if self.src.chance(1, 2) { Ty::Point } else { Ty::Arr };
        let vars = self.vars_of(ty, false);
        if vars.is_empty() {
            return self.print();
        }
        let v = self.src.pick(&vars).clone();
        if ty == Ty::Arr {
            let i = self.index();
            let e = self.expr(Ty::Int, 2);
            self.line(&format!("{v}[{i}] = {e};"));
        } else {
            let (field, ty) = *self.src.pick(&[("甲", Ty::Int), ("乙", Ty::Float)]);
            let e = self.expr(ty, 2);
            self.line(&format!("{v}.{field} = {e};"));
        }
    }

    fn if_else(&mut self) {
        let c = self.expr(Ty::Bool, 2);
        self.block(&format!("如果 {c}"), 3);
        if self.src.chance(1, 2) {
            self.line("} 否则 {");
            self.indent += 1;
            self.nesting += 1;
            self.scopes.push(Vec::new());
            self.statements(3);
            self.scopes.pop();
            self.nesting -= 1;
            self.indent -= 1;
        }
        self.line("}");
    }

    fn for_range(&mut self) {
        let lo = self.src.below(3) as i64 - 1;
        let hi = lo + self.src.below(5) as i64;
        let i = self.fresh("i");
        let head = format!("对于 {i} 在 {lo}..{hi}");
        self.loop_block(&head, vec![Var { name: i, ty: Ty::Int, assignable: false }], None);
    }

    fn while_counter(&mut self) {
        let k = self.fresh("k");
        let limit = self.src.below(5);
        self.line(&format!("变量 {k} = 0;"));
        self.declare(&k, Ty::Int, false);
        // The count goes first, so that a `继续` cannot skip it.
        let step = format!("{k} = {k} + 1;");
        self.loop_block(&format!("当 {k} < {limit}"), Vec::new(), Some(&step));
    }

    /// Arrays hold at most 5 elements (literals of at most 4, `数组<整数>(n)` with `n`
    /// below 5), so this loop is short too.
    fn for_array(&mut self) {
        let a = self.expr(Ty::Arr, 1);
        let x = self.fresh("x");
        let head = format!("对于 {x} 在 {a}");
        self.loop_block(&head, vec![Var { name: x, ty: Ty::Int, assignable: false }], None);
    }

    fn try_catch(&mut self) {
        self.block("尝试", 3);
        let form = self.src.below(3);
        if form != 2 {
            let e = self.fresh("错");
            self.line(&format!("}} 捕获 {e} {{"));
            self.indent += 1;
            self.nesting += 1;
            self.scopes.push(Vec::new());
            self.caught.push(e.clone());
            self.line(&format!("打印行(\"捕获\", {e});"));
            self.statements(2);
            // Raising again, with the caught exception as the cause.
            if self.src.chance(1, 4) {
                let c = self.expr(Ty::Bool, 1);
                self.line(&format!("如果 {c} {{ 抛出 {e} + \"!\"; }}"));
            }
            self.caught.pop();
            self.scopes.pop();
            self.nesting -= 1;
            self.indent -= 1;
        }
        if form != 0 {
            self.line("} 最终 {");
            self.indent += 1;
            self.nesting += 1;
            self.scopes.push(Vec::new());
            self.statements(2);
            self.scopes.pop();
            self.nesting -= 1;
            self.indent -= 1;
        }
        self.line("}");
    }

    /// A conditional way out: `跳出`, `继续` (in a loop), `返回`, `抛出`.
    fn leave(&mut self) {
        let c = self.expr(Ty::Bool, 2);
        let how = match self.src.below(4) {
            0 if self.loops > 0 => "跳出;".to_string(),
            1 if self.loops > 0 => "继续;".to_string(),
            2 => match self.ret {
                None => "返回;".to_string(),
                Some(t) => {
                    let e = self.expr(t, 2);
                    format!("返回 {e};")
                }
            },
            _ => {
                let e = self.expr(Ty::Int, 2);
                format!("抛出 \"抛\" + {e};")
            }
        };
        self.line(&format!("如果 {c} {{ {how} }}"));
    }

    // ---- expressions ----------------------------------------------------------------------

    /// A literal or a variable of type `ty` (objects: a small constructor).
    fn leaf(&mut self, ty: Ty) -> String {
        let vars = self.vars_of(ty, false);
        if !vars.is_empty() && self.src.chance(1, 2) {
            return self.src.pick(&vars).clone();
        }
        match ty {
            Ty::Int => self.src.pick(INT_LITERALS).to_string(),
            Ty::Float => self.src.pick(FLOAT_LITERALS).to_string(),
            Ty::Bool => self.src.pick(&["假", "真"]).to_string(),
            Ty::Str => self.src.pick(STR_LITERALS).to_string(),
            Ty::Point => {
                let (a, b) = (self.leaf(Ty::Int), self.leaf(Ty::Float));
                format!("新建 点 {{ 甲: {a}, 乙: {b} }}")
            }
            Ty::Arr => {
                let n = 1 + self.src.below(4);
                let items: Vec<String> = (0..n).map(|_| self.leaf(Ty::Int)).collect();
                format!("[{}]", items.join(", "))
            }
            Ty::Fn => {
                let y = self.fresh("y");
                format!("闭包({y}: 整数): 整数 {{ 返回 {y} * 2; }}")
            }
        }
    }

    /// An index: mostly in bounds of a small array, sometimes anything.
    fn index(&mut self) -> String {
        match self.src.below(4) {
            0 => "0".into(),
            1 => self.src.below(6).to_string(),
            _ => self.expr(Ty::Int, 1),
        }
    }

    fn expr(&mut self, ty: Ty, depth: u32) -> String {
        if depth == 0 || self.src.chance(1, 3) {
            return self.leaf(ty);
        }
        let d = depth - 1;
        match ty {
            Ty::Int => match self.src.below(12) {
                10 if !self.vars_of(Ty::Fn, false).is_empty() => {
                    let fns = self.vars_of(Ty::Fn, false);
                    let f = self.src.pick(&fns).clone();
                    format!("{f}({})", self.expr(Ty::Int, d))
                }
                11 => {
                    let n = self.src.pick(&["0", "1", "5", "30", "100"]).to_string();
                    format!("链({n}, {})", self.expr(Ty::Int, d))
                }
                0..=2 => {
                    let (a, b) = (self.expr(Ty::Int, d), self.expr(Ty::Int, d));
                    let op = self.src.pick(INT_OPS);
                    format!("({a} {op} {b})")
                }
                3 => format!("(-{})", self.expr(Ty::Int, d)),
                4 => {
                    let f = self.expr(Ty::Float, d);
                    if self.src.chance(1, 2) {
                        format!("({f} 作为 整数)")
                    } else {
                        format!("浮点数转整数({f})")
                    }
                }
                5 => {
                    let of = if self.src.chance(1, 2) { Ty::Arr } else { Ty::Str };
                    format!("长度({})", self.expr(of, d))
                }
                6 => {
                    let a = self.expr(Ty::Arr, d);
                    let i = self.index();
                    format!("({a})[{i}]")
                }
                7 => format!("({}).甲", self.expr(Ty::Point, d)),
                8 => self.call_or_leaf(Ty::Int),
                _ => {
                    let b = self.expr(Ty::Bool, d);
                    format!("({b} 作为 整数)")
                }
            },
            Ty::Float => match self.src.below(6) {
                0..=2 => {
                    let (a, b) = (self.expr(Ty::Float, d), self.expr(Ty::Float, d));
                    let op = self.src.pick(FLOAT_OPS);
                    format!("({a} {op} {b})")
                }
                3 => format!("({} 作为 浮点数)", self.expr(Ty::Int, d)),
                4 => format!("({}).乙", self.expr(Ty::Point, d)),
                _ => self.call_or_leaf(Ty::Float),
            },
            Ty::Bool => match self.src.below(6) {
                0 | 1 => {
                    let t = *self.src.pick(&[Ty::Int, Ty::Float, Ty::Str]);
                    let (a, b) = (self.expr(t, d), self.expr(t, d));
                    let op = self.src.pick(CMP_OPS);
                    format!("({a} {op} {b})")
                }
                2 => {
                    let (a, b) = (self.expr(Ty::Bool, d), self.expr(Ty::Bool, d));
                    let op = self.src.pick(&["且", "或", "&&", "||"]);
                    format!("({a} {op} {b})")
                }
                3 => format!("(非 {})", self.expr(Ty::Bool, d)),
                4 => format!("({} 作为 布尔)", self.expr(Ty::Int, d)),
                _ => self.call_or_leaf(Ty::Bool),
            },
            Ty::Str => match self.src.below(4) {
                0 | 1 => {
                    let a = self.expr(Ty::Str, d);
                    let t = *self.src.pick(&[Ty::Str, Ty::Int, Ty::Float, Ty::Bool]);
                    let b = self.expr(t, d);
                    format!("({a} + {b})")
                }
                2 if !self.caught.is_empty() => {
                    let e = self.src.pick(&self.caught).clone();
                    format!("(\"\" + {e})")
                }
                _ => self.call_or_leaf(Ty::Str),
            },
            Ty::Point => match self.src.below(3) {
                0 => {
                    let (a, b) = (self.expr(Ty::Int, d), self.expr(Ty::Float, d));
                    format!("新建 点 {{ 甲: {a}, 乙: {b} }}")
                }
                _ => self.call_or_leaf(Ty::Point),
            },
            Ty::Arr => match self.src.below(3) {
                0 => {
                    let n = match self.src.below(2) {
                        0 => self.src.below(5).to_string(),
                        // Negative lengths raise; at most 4 elements either way.
                        _ => format!("({} % 5)", self.expr(Ty::Int, d)),
                    };
                    format!("数组<整数>({n})")
                }
                1 => {
                    let n = 1 + self.src.below(4);
                    let items: Vec<String> = (0..n).map(|_| self.expr(Ty::Int, d)).collect();
                    format!("[{}]", items.join(", "))
                }
                _ => self.call_or_leaf(Ty::Arr),
            },
            Ty::Fn => self.leaf(Ty::Fn),
        }
    }

    /// A call of a function returning `ty`, if there is one and calls are left.
    fn call_or_leaf(&mut self, ty: Ty) -> String {
        if self.calls_left == 0 || !self.funcs.iter().any(|f| f.ret == Some(ty)) {
            return self.leaf(ty);
        }
        self.call(Some(ty))
    }

    /// A call: of a function returning `ty`, or of any function (`None`).
    fn call(&mut self, ty: Option<Ty>) -> String {
        self.calls_left -= 1;
        let candidates: Vec<usize> =
            (0..self.funcs.len()).filter(|&i| ty.is_none() || self.funcs[i].ret == ty).collect();
        let i = *self.src.pick(&candidates);
        let depth = if self.in_entry {
            // Mostly shallow: each level multiplies the calls.
            self.src.pick(&["1", "2", "0", "2", "3"]).to_string()
        } else {
            "深 - 1".to_string()
        };
        let mut args = vec![depth];
        for k in 0..self.funcs[i].params.len() {
            let t = self.funcs[i].params[k];
            args.push(self.expr(t, 1));
        }
        format!("{}({})", self.funcs[i].name, args.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bytes::seed_bytes;

    #[test]
    fn the_same_bytes_make_the_same_program() {
        let bytes = seed_bytes(7, 4096);
        assert_eq!(generate(&bytes), generate(&bytes));
        assert_ne!(generate(&bytes), generate(&seed_bytes(8, 4096)));
    }

    #[test]
    fn no_input_makes_a_small_complete_program() {
        let p = generate(&[]);
        assert!(p.contains("函数 函0(深: 整数)"), "{p}");
        assert!(p.contains("函数 入口() {"), "{p}");
        assert!(p.trim_end().ends_with('}'), "{p}");
    }
}
