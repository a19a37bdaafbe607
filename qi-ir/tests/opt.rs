//! The IR optimisations (return forwarding, one-level inlining) preserve behaviour and
//! produce well-formed IR; the lowering's reference counting and exception paths are right.
//!
//! The behaviour is checked by running programs in the product (`run`, `balanced`, `ends`):
//! each program runs in a child process (qi-jit's harness, `qi-jit/tests/common/mod.rs`) in
//! every mode of its `MODES` — the eager JIT, the interpreter, the interpreter on the IR as
//! lowered — and every run must print the same, end the same way and free every object.
//! The structure of the optimised IR is checked directly. Every conformance program runs
//! on the unoptimised IR too (`tests/conformance_unoptimised.rs`), and random programs in
//! every mode (`qi-cli/tests/tiers_fuzz.rs`).

mod common;

use child::{ChildOutput, MODES, MODE_ENV};
use common::module_of;
use common::tiers::{self, child, run, run_everywhere, run_everywhere_with, ARGS_ENV};
use proptest::prelude::*;
use qi_ir::validate::validate;
use qi_ir::*;

fn optimized(m: &Module) -> Module {
    let mut o = m.clone();
    opt::optimize(&mut o);
    o
}

fn func_id(m: &Module, name: &str) -> FuncId {
    let i = m
        .functions
        .iter()
        .position(|f| f.name == name)
        .unwrap_or_else(|| panic!("no function {name}"));
    FuncId(i as u32)
}

fn func<'m>(m: &'m Module, name: &str) -> &'m Function {
    &m.functions[func_id(m, name).index()]
}

/// The callee of every call in `f`, in block order.
fn calls(f: &Function) -> Vec<FuncId> {
    f.blocks
        .iter()
        .flat_map(|b| &b.insts)
        .filter_map(|i| match i {
            Inst::Assign { value: Value::Call { func, .. }, .. }
            | Inst::Effect(Value::Call { func, .. }) => Some(*func),
            _ => None,
        })
        .collect()
}

fn calls_to(f: &Function, callee: FuncId) -> usize {
    calls(f).into_iter().filter(|c| *c == callee).count()
}

fn size(f: &Function) -> usize {
    f.blocks.iter().map(|b| b.insts.len() + 1).sum()
}

// ---- running programs in the product ------------------------------------------------------

/// Runs the program given as the case name when started by the child harness
/// (`common::tiers`); does nothing in a normal test run.
#[test]
fn child_entry() {
    tiers::child_main();
}

/// A checked program and its source (which `run` takes).
fn program_of(src: &str) -> (String, Module) {
    (src.to_string(), module_of(src))
}

// ---- structure of the optimised IR ------------------------------------------------------

#[test]
fn optimize_keeps_signatures_names_and_main() {
    let m = module_of(
        "变量 g = \"全局\";
         函数 加(a: 整数, b: 整数): 整数 { 返回 a + b; }
         函数 名(s: 字符串): 字符串 { 返回 s + g; }
         函数 入口() { 打印行(加(1, 2), 名(\"x\")); }",
    );
    let o = optimized(&m);
    assert_eq!(o.functions.len(), m.functions.len());
    assert_eq!(o.main, m.main);
    assert_eq!(o.strings, m.strings);
    assert_eq!(o.globals.len(), m.globals.len());
    for (a, b) in m.functions.iter().zip(&o.functions) {
        assert_eq!(a.name, b.name);
        assert_eq!(a.params, b.params);
        assert_eq!(a.ret, b.ret);
        // Inlining only appends locals: the original ones keep their ids and types.
        assert!(b.locals.len() >= a.locals.len());
        for (x, y) in a.locals.iter().zip(&b.locals) {
            assert_eq!(x.ty, y.ty);
            assert_eq!(x.name, y.name);
        }
    }
    validate(&o).unwrap();
}

#[test]
fn small_callees_are_inlined_at_every_site() {
    let (src, m) = program_of(
        "函数 平方(x: 整数): 整数 { 返回 x * x; }
         函数 入口() {
             变量 a = 平方(3);
             如果 平方(a) > 10 { 打印行(平方(2)); }
             当 a < 100 { a = a + 平方(a); }
             打印行(a);
         }",
    );
    let sq = func_id(&m, "平方");
    assert_eq!(calls_to(func(&m, "入口"), sq), 4);
    let o = optimized(&m);
    assert_eq!(
        calls_to(func(&o, "入口"), sq),
        0,
        "{}",
        print::function_text(&o, func_id(&o, "入口"))
    );
    validate(&o).unwrap();
    assert_eq!(run(&src), "4\n8190\n");
}

#[test]
fn self_recursion_is_unrolled_exactly_once() {
    let (src, m) = program_of(
        "函数 斐波那契(n: 整数): 整数 {
             如果 n < 2 { 返回 n; }
             返回 斐波那契(n - 1) + 斐波那契(n - 2);
         }
         函数 入口() { 打印行(斐波那契(20)); }",
    );
    let fib = func_id(&m, "斐波那契");
    let f = &m.functions[fib.index()];
    assert!(size(f) <= 24, "the test needs a small recursive function (size {})", size(f));
    assert_eq!(calls_to(f, fib), 2);
    let o = optimized(&m);
    let of = &o.functions[fib.index()];
    // Both calls were replaced by a copy of the original body, whose two calls each stay.
    assert_eq!(calls_to(of, fib), 4, "{}", print::function_text(&o, fib));
    assert_eq!(
        of.blocks.len(),
        f.blocks.len() + 2 * (f.blocks.len() + 1),
        "two inlined bodies plus two continuation blocks"
    );
    // The inlined copies live in new locals.
    assert_eq!(of.locals.len(), f.locals.len() * 3);
    validate(&o).unwrap();
    assert_eq!(run(&src), "6765\n");
}

#[test]
fn calls_inside_an_inlined_body_are_not_inlined_again() {
    let (src, m) = program_of(
        "函数 内(x: 整数): 整数 { 返回 x + 1; }
         函数 中(x: 整数): 整数 { 返回 内(x) * 2; }
         函数 入口() { 打印行(中(5)); }",
    );
    let o = optimized(&m);
    let (inner, middle) = (func_id(&m, "内"), func_id(&m, "中"));
    let entry = func(&o, "入口");
    assert_eq!(calls_to(entry, middle), 0);
    // `内` is called from the copy of `中`'s original body: left alone (one level only).
    assert_eq!(calls_to(entry, inner), 1);
    // In `中` itself, `内` is inlined.
    assert_eq!(calls_to(func(&o, "中"), inner), 0);
    assert_eq!(run(&src), "12\n");
}

#[test]
fn large_callees_are_not_inlined() {
    let mut body = String::new();
    for i in 0..30 {
        body.push_str(&format!("x = x * 3 + {i};\n"));
    }
    let src = format!(
        "函数 大(x: 整数): 整数 {{ {body} 返回 x; }}
         函数 入口() {{ 打印行(大(1)); }}"
    );
    let m = module_of(&src);
    let big = func_id(&m, "大");
    assert!(size(&m.functions[big.index()]) > 24);
    let o = optimized(&m);
    assert_eq!(calls_to(func(&o, "入口"), big), 1);
    assert_eq!(run(&src), "257363915118296\n");
}

#[test]
fn at_most_eight_sites_are_inlined_per_function() {
    let mut body = String::new();
    for i in 0..11 {
        body.push_str(&format!("打印行(一({i}));\n"));
    }
    let (src, m) = program_of(&format!(
        "函数 一(x: 整数): 整数 {{ 返回 x + 1; }}
         函数 入口() {{ {body} }}"
    ));
    let one = func_id(&m, "一");
    let o = optimized(&m);
    // `INLINE_MAX_SITES` in opt.rs is 8.
    assert_eq!(calls_to(func(&o, "入口"), one), 11 - 8);
    validate(&o).unwrap();
    assert_eq!(run(&src), (1..=11).map(|i| format!("{i}\n")).collect::<String>());
}

#[test]
fn inlined_object_locals_start_null_in_every_loop_iteration() {
    // The callee owns string locals; inlined into a loop, its slots must be reset on each
    // entry, or the release before a `变量` declaration would free the previous
    // iteration's (already released) string again.
    let (src, m) = program_of(
        "函数 包装(s: 字符串): 字符串 { 变量 t = \"[\" + s; 返回 t + \"]\"; }
         函数 入口() {
             变量 acc = \"\";
             对于 i 在 0..4 { acc = acc + 包装(\"\" + i); }
             打印行(acc);
         }",
    );
    let o = optimized(&m);
    assert_eq!(calls_to(func(&o, "入口"), func_id(&m, "包装")), 0);
    validate(&o).unwrap();
    assert_eq!(run(&src), "[0][1][2][3]\n");
}

#[test]
fn returns_are_forwarded_for_scalars_but_not_for_objects() {
    let (src, m) = program_of(
        "函数 正(x: 整数): 布尔 { 返回 x > 0; }
         函数 串(x: 整数): 字符串 { 返回 \"n\" + x; }
         函数 入口() { 打印行(正(1), 串(2)); }",
    );
    let o = optimized(&m);
    let pos = func(&o, "正");
    // The entry block now returns the comparison directly.
    match &pos.blocks[0].term {
        Terminator::Return(Some(_)) => {}
        other => panic!(
            "expected a direct return, got {other:?}\n{}",
            print::function_text(&o, func_id(&o, "正"))
        ),
    }
    assert!(
        pos.blocks.iter().all(|b| !matches!(b.term, Terminator::Jump(_))),
        "no jump to the exit block is left:\n{}",
        print::function_text(&o, func_id(&o, "正"))
    );
    // An object result keeps its move into the return slot (so the exit can release it
    // correctly), but the jump still becomes a return.
    // (The concatenation may raise, so the code after it is in a block of its own.)
    let s = func(&o, "串");
    let (block, ret_local) = s
        .blocks
        .iter()
        .find_map(|b| match &b.term {
            Terminator::Return(Some(Operand::Local(l))) if !b.insts.is_empty() => Some((b, *l)),
            _ => None,
        })
        .unwrap_or_else(|| {
            panic!("expected a return:\n{}", print::function_text(&o, func_id(&o, "串")))
        });
    assert!(block.insts.iter().any(|i| matches!(i, Inst::Assign { dst, .. } if *dst == ret_local)));
    assert_eq!(run(&src), "真 n2\n");
}

#[test]
fn forwarding_does_not_skip_an_exit_that_releases() {
    // The exit block releases `t` (for a `返回` and, sharing the releases, for an exception
    // leaving the function): a jump to it must stay a jump, and every return comes after it.
    let (src, m) = program_of(
        "函数 长(x: 整数): 整数 { 变量 t = \"ab\" + x; 返回 长度(t); }
         函数 入口() { 打印行(长(123)); }",
    );
    let o = optimized(&m);
    let id = func_id(&o, "长");
    let f = &o.functions[id.index()];
    let t = f
        .locals
        .iter()
        .position(|l| l.name.as_deref() == Some("t"))
        .map(|i| LocalId(i as u32))
        .unwrap();
    let releases_t = |b: &Block| b.insts.iter().any(|i| matches!(i, Inst::Release(l) if *l == t));
    // (The entry block releases `t` too, before assigning it.)
    let exit = (1..f.blocks.len())
        .find(|&b| releases_t(&f.blocks[b]) && f.blocks[b].term.successors().next().is_some());
    let Some(exit) = exit else {
        panic!("no exit block releasing t:\n{}", print::function_text(&o, id))
    };
    assert!(
        f.blocks.iter().any(|b| b.term.successors().any(|s| s == BlockId(exit as u32))),
        "{}",
        print::function_text(&o, id)
    );
    // No path from the entry reaches a `return` without passing the exit block.
    for (b, blk) in f.blocks.iter().enumerate() {
        if matches!(blk.term, Terminator::Return(_)) && !releases_t(blk) {
            let reach = reachable_avoiding(f, exit);
            assert!(
                !reach[b],
                "b{b} returns without releasing t:\n{}",
                print::function_text(&o, id)
            );
        }
    }
    assert_eq!(run(&src), "5\n");
}

/// Blocks reachable from the entry without passing through `avoid` (normal and exceptional
/// edges).
fn reachable_avoiding(f: &Function, avoid: usize) -> Vec<bool> {
    let mut seen = vec![false; f.blocks.len()];
    let mut stack = vec![0usize];
    while let Some(b) = stack.pop() {
        if b == avoid || std::mem::replace(&mut seen[b], true) {
            continue;
        }
        stack.extend(f.blocks[b].term.successors().map(|s| s.index()));
        stack.extend(f.blocks[b].unwind.map(|u| u.to.index()));
    }
    seen
}

// ---- hand-built IR for the validator -----------------------------------------------------

fn handbuilt(functions: Vec<Function>, strings: Vec<&str>) -> Module {
    // Start from a checked module, so that fields added to `Module` later need no change here.
    let mut m = module_of("函数 入口() {}");
    m.main = FuncId(functions.len() as u32 - 1);
    m.functions = functions;
    m.globals.clear();
    m.strings = strings.into_iter().map(String::from).collect();
    m
}

#[test]
fn semantics_of_scalars() {
    let (src, _) = program_of(
        "函数 入口() {
             变量 最小 = -9223372036854775807 - 1;
             打印行(最小 / -1, 最小 % -1, -7 / 2, -7 % 2, 7 % -2, 1 << 65, -16 >> 2, 最小 * -1);
             变量 nan = 0.0 / 0.0;
             打印行(nan == nan, nan != nan, nan < 1.0, 1.0 != 2.0, 浮点数转整数(nan), 浮点数转整数(字符串转浮点数(\"1e300\")));
             打印行(0.1 + 0.2, 1.0 / 0.0, -1.0 / 0.0, -0.0, 2.5 * 4, -7.5 % 2.0);
             打印行('中', '中' 作为 整数, 20013 作为 字符, 'a' + 1, 真 + 真);
             打印行(\"b\" > \"abc\", \"\" < \"a\", 长度(\"中文ab\"), \"x\" + 1.0 + 真 + 'c');
         }",
    );
    assert_eq!(
        run(&src),
        "-9223372036854775808 0 -3 -1 1 2 -4 -9223372036854775808\n\
         假 假 假 真 0 9223372036854775807\n\
         0.30000000000000004 inf -inf -0.0 10.0 -1.5\n\
         中 20013 中 98 2\n\
         真 真 4 x1.0真c\n"
    );
}

#[test]
fn uncaught_runtime_errors_end_the_run_with_the_output_so_far() {
    let src = "函数 f(x: 整数): 整数 {\n返回 10 / x;\n}\n函数 入口() { 打印行(f(5)); 打印行(f(0)); 打印行(3); }";
    ends(src, "2\n", Some("未捕获的异常: 除数为零\n  在 f (t.qi:2)\n  在 入口 (t.qi:4)\n"));
    let o = run_everywhere_with(src, &[("QI_LANG", "en")]);
    assert_eq!(
        (o.stdout.as_str(), o.stderr.as_str(), o.status),
        (
            "2\n",
            "uncaught exception: division by zero\n  at f (t.qi:2)\n  at 入口 (t.qi:4)\n",
            Some(2)
        )
    );
}

// ---- exceptions ----------------------------------------------------------------------------

/// Run `src` in every mode (`run_everywhere`); each must print `out`, end by the uncaught
/// exception whose report (`t.qi`, Chinese) is `report` (`None`: end normally), and free
/// every object (after the clean-up of an uncaught exception too).
#[track_caller]
fn ends(src: &str, out: &str, report: Option<&str>) {
    validate(&module_of(src)).unwrap();
    let o = run_everywhere(src);
    assert_eq!(o.stdout, out, "{src}");
    assert_eq!(o.stderr, report.unwrap_or(""), "{src}");
    assert_eq!(o.status, Some(if report.is_some() { 2 } else { 0 }), "{src}");
}
#[test]
fn an_exception_raised_in_a_catch_body_has_the_caught_one_as_its_cause() {
    balanced(
        "函数 入口() {
             尝试 {
                 尝试 { 抛出 \"一\"; } 捕获 e { 抛出 e + \"二\"; }
             } 捕获 f {
                 打印行(f, \"因为\", 异常原因());
             }
             尝试 { 抛出 3; } 捕获 g { 打印行(g, \"[\" + 异常原因() + \"]\"); }
         }",
        "一二 因为 一\n3 []\n",
    );
    ends(
        "函数 入口() {
             尝试 { 抛出 \"一\"; } 捕获 e {
                 抛出 \"二\";
             }
         }",
        "",
        Some("未捕获的异常: 二\n  在 入口 (t.qi:3)\n起因: 一 (t.qi:2)\n"),
    );
}

#[test]
fn an_uncaught_exception_through_a_recursion_reports_it_collapsed_and_leaves_nothing_behind() {
    // (Frames holding strings and globals: exceptions/uncaught_through_frames_with_live_objects.qi.)
    ends(
        "函数 降(n: 整数): 整数 {
             如果 n == 0 { 抛出 \"底\"; }
             返回 降(n - 1) + 1;
         }
         函数 入口() { 打印行(降(5)); }",
        "",
        Some("未捕获的异常: 底\n  在 降 (t.qi:2)\n  在 降 (t.qi:3)（重复 5 次）\n  在 入口 (t.qi:5)\n"),
    );
}

#[test]
fn a_stack_overflow_is_caught_in_a_caller() {
    let src = "函数 无底(n: 整数): 整数 { 返回 无底(n + 1) + 1; }
               函数 入口() {
                   变量 s = \"活着\";
                   尝试 { 打印行(无底(0)); } 捕获 e { 打印行(e, s); }
                   打印行(\"之后\");
               }";
    assert_eq!(run(src), "栈溢出：递归太深 活着\n之后\n");
}
/// Hand-built IR: a function whose entry block holds `insts` and ends with `term`, with
/// an exceptional edge to block 1 (`handler`, `handler_term`) when `edge`.
fn with_handler(
    name: &str,
    insts: Vec<Inst>,
    edge: bool,
    handler: Vec<Inst>,
    handler_term: Terminator,
) -> Function {
    let mut b = builder::FnBuilder::new(name.into(), vec![], Type::Void, Loc::default());
    let h = b.new_block();
    let mut f = b.finish();
    f.blocks[0] = Block {
        insts,
        term: Terminator::Return(None),
        unwind: edge.then_some(Unwind { to: h, loc: Loc { file: 0, line: 9 } }),
    };
    f.blocks[h.index()] = Block { insts: handler, term: handler_term, unwind: None };
    f
}

fn builtin(op: Builtin, args: Vec<Operand>) -> Value {
    Value::Builtin { op, args, loc: Loc::default() }
}

fn throw(msg: u32, line: i64) -> Inst {
    Inst::Effect(builtin(
        Builtin::Throw,
        vec![Operand::Str(StrId(msg)), Operand::Int(0), Operand::Int(line)],
    ))
}

/// The IR a tier is given (`opt::runnable`) is validated in debug builds, as lowered and
/// after the optimisations: a fault is an error naming the stage, the function and the
/// instruction (`qi run` reports it as an internal error), never a silent wrong run.
#[test]
fn invalid_ir_given_to_a_tier_is_an_error_naming_the_function_and_instruction() {
    let m = module_of("函数 加一(x: 整数): 整数 { 返回 x + 1; } 函数 入口() { 打印行(加一(1)); }");
    let id = func_id(&m, "加一");
    assert!(opt::runnable(m.clone(), true).is_ok());
    // The lowering's `_2 = IAdd _0, 1` made to add a float.
    let mut bad = m.clone();
    let inst = bad.functions[id.index()].blocks[0]
        .insts
        .iter_mut()
        .find(|i| matches!(i, Inst::Assign { value: Value::Binary(BinOp::IAdd, ..), .. }))
        .expect("the addition");
    let Inst::Assign { value: Value::Binary(_, _, rhs), .. } = inst else { unreachable!() };
    *rhs = Operand::Float(1.0);
    let e =
        opt::runnable(bad.clone(), true).expect_err("invalid IR must not pass in a debug build");
    assert_eq!(e.stage, "as lowered");
    assert_eq!(e.function, format!("f{} 加一", id.0));
    assert!(e.detail.starts_with("b0["), "{e}");
    assert!(e.detail.contains("`_") && e.detail.contains("IAdd _0, 1.0`"), "{e}");
    assert!(e.detail.contains("expected 整数"), "{e}");
    let text = e.to_string();
    assert!(text.starts_with("invalid IR as lowered in f"), "{text}");
    // Without optimisation too (`--no-opt`).
    assert_eq!(opt::runnable(bad, false).unwrap_err(), e);
}

#[test]
fn validator_checks_exceptional_edges() {
    let print = Inst::Effect(builtin(Builtin::PrintNewline, vec![]));
    let ok = with_handler(
        "main",
        vec![throw(0, 1)],
        true,
        vec![print.clone()],
        Terminator::Return(None),
    );
    let m = handbuilt(vec![ok.clone()], vec!["x"]);
    validate(&m).unwrap();
    let bad = |f: Function| validate(&handbuilt(vec![f], vec!["x"])).unwrap_err().to_string();
    // The edge leads out of range.
    let mut f = ok.clone();
    f.blocks[0].unwind = Some(Unwind { to: BlockId(7), loc: Loc::default() });
    assert!(bad(f).contains("out of range"));
    // The last instruction cannot raise.
    let f = with_handler(
        "main",
        vec![throw(0, 1), print.clone()],
        true,
        vec![],
        Terminator::Return(None),
    );
    assert!(bad(f).contains("cannot raise"));
    let f = with_handler("main", vec![], true, vec![], Terminator::Return(None));
    assert!(bad(f).contains("no instructions"));
    // A landing (entered by the edge) left unfinished.
    let f = with_handler("main", vec![throw(0, 1)], true, vec![], Terminator::Unreachable);
    assert!(bad(f).contains("unfinished"));
    // What follows an instruction that always raises is dead: its `unreachable` is fine,
    // but the same block after an instruction that may not raise is not.
    let mut f = ok.clone();
    f.blocks[0].term = Terminator::Jump(BlockId(2));
    f.blocks.push(Block {
        insts: vec![print.clone()],
        term: Terminator::Unreachable,
        unwind: None,
    });
    validate(&handbuilt(vec![f.clone()], vec!["x"])).unwrap();
    f.blocks[0].insts =
        vec![Inst::Effect(Value::Binary(BinOp::IDiv, Operand::Int(1), Operand::Int(0)))];
    assert!(bad(f).contains("unfinished"));
    // `unwind` is a terminator of any function.
    let mut f = ok;
    f.blocks[1].term = Terminator::Unwind;
    validate(&handbuilt(vec![f], vec!["x"])).unwrap();
}

// ---- bugs found in the exception lowering (fixed) -------------------------------------------

#[test]
fn leaving_a_catch_body_early_releases_the_caught_exception() {
    balanced(
        "函数 试(n: 整数): 字符串 {
             尝试 { 返回 \"\" + 7 / n; } 捕获 e { 返回 \"捕获：\" + e; }
         }
         函数 入口() {
             对于 i 在 0..3 {
                 尝试 { 抛出 \"x\"; } 捕获 e { 如果 i == 1 { 继续; } 如果 i == 2 { 跳出; } }
             }
             打印行(试(0));
         }",
        "捕获：除数为零\n",
    );
}

#[test]
fn a_try_inside_a_catch_body_leaves_the_caught_exception_alone() {
    balanced(
        "函数 入口() {
             尝试 { 抛出 \"一\"; } 捕获 e {
                 尝试 { 抛出 \"二\"; } 捕获 f { 打印行(e, f, 异常原因()); }
                 打印行(e, 异常位置());
             }
         }",
        "一 二 一\n一 t.qi:2\n",
    );
}

#[test]
fn an_inlined_callee_that_raised_once_returns_normally_the_next_time() {
    // (The inliner used to reset only the object locals of the callee: its `raised` flag
    // kept `真` from the call that raised.)
    balanced(
        "函数 检(n: 整数): 整数 {
             变量 s = \"x\" + n;
             如果 n == 1 { 抛出 s; }
             返回 长度(s);
         }
         函数 入口() {
             对于 i 在 0..3 {
                 尝试 { 打印行(检(i)); } 捕获 e { 打印行(\"捕获\", e); }
             }
         }",
        "2\n捕获 x1\n2\n",
    );
}

// ---- reference counting of the lowering -----------------------------------------------------

/// Run `src` in every mode (`run_everywhere`); each must print `out`, end normally and free
/// every object.
#[track_caller]
fn balanced(src: &str, out: &str) {
    validate(&module_of(src)).unwrap();
    assert_eq!(run(src), out, "{src}");
}
#[test]
fn strings_and_arrays_are_freed_on_every_path() {
    balanced(
        "函数 拼(s: 字符串, n: 整数): 字符串 {
             变量 r = s;
             对于 i 在 0..n { r = r + i; 如果 i == 5 { 返回 r + \"!\"; } }
             返回 r;
         }
         函数 入口() {
             变量 a = 数组<字符串>(3);
             a[0] = 拼(\"x\", 2);
             a[1] = 拼(\"y\", 9);
             a[1] = a[0] + a[1];
             变量 总 = \"\";
             对于 s 在 a { 如果 长度(s) == 0 { 继续; } 总 = 总 + s + \";\"; 如果 长度(总) > 100 { 跳出; } }
             当 真 { 变量 t = 总 + \"?\"; 如果 长度(t) > 0 { 跳出; } }
             打印行(总);
         }",
        "x01;x01y012345!;\n",
    );
}

#[test]
fn structs_and_closures_are_freed() {
    balanced(
        "类型 点 { 名: 字符串, 横: 整数 }
         函数 造(名: 字符串): 点 { 返回 新建 点 { 名: 名 + \"!\", 横: 1 }; }
         函数 入口() {
             变量 p = 造(\"甲\");
             p.名 = p.名 + \"乙\";
             变量 前缀 = \"<\";
             变量 f = 闭包(x: 整数): 字符串 { 返回 前缀 + x; };
             打印行(p.名, f(p.横));
         }",
        "甲!乙 <1\n",
    );
}

/// The scrutinee of a `匹配` read from a field is retained into a hidden slot; leaving an
/// arm with `返回`, `跳出` or `继续` must still release it (this leaked once).
#[test]
fn leaving_a_match_arm_early_releases_the_scrutinee() {
    let ty = "类型 人 { 名: 字符串, 邮箱: 选项<字符串> }\n";
    balanced(
        &format!(
            "{ty}函数 邮箱文字(p: 人): 字符串 {{
                 匹配 p.邮箱 {{ 有(m) => {{ 返回 m; }} 无 => {{ 返回 \"(无)\"; }} }}
             }}
             函数 入口() {{ 变量 a = 新建 人 {{ 名: \"甲\", 邮箱: 有(\"j@qi\") }}; 打印行(邮箱文字(a)); }}"
        ),
        "j@qi\n",
    );
    balanced(
        &format!(
            "{ty}函数 入口() {{
                 变量 a = 新建 人 {{ 名: \"甲\", 邮箱: 有(\"j@qi\") }};
                 对于 i 在 0..2 {{ 匹配 a.邮箱 {{ 有(m) => {{ 如果 i == 0 {{ 继续; }} 打印行(m); }} 无 => {{}} }} }}
                 当 真 {{ 匹配 a.邮箱 {{ 有(m) => {{ 跳出; }} 无 => {{}} }} }}
             }}"
        ),
        "j@qi\n",
    );
}

// ---- random programs: optimised vs unoptimised --------------------------------------------

/// A random integer expression over the parameters `a`, `b` and calls of earlier functions.
fn expr(depth: u32, callable: usize) -> BoxedStrategy<String> {
    let leaf = prop_oneof![
        Just("a".to_string()),
        Just("b".to_string()),
        (-20i64..20).prop_map(|n| if n < 0 { format!("({n})") } else { n.to_string() }),
    ];
    if depth == 0 {
        return leaf.boxed();
    }
    let sub = move || expr(depth - 1, callable);
    let ops = prop_oneof![
        Just("+"),
        Just("-"),
        Just("*"),
        Just("/"),
        Just("%"),
        Just("&"),
        Just("|"),
        Just("^"),
        Just("<<"),
        Just(">>")
    ];
    let mut choices: Vec<(u32, BoxedStrategy<String>)> = vec![
        (2, leaf.boxed()),
        (4, (sub(), ops, sub()).prop_map(|(l, op, r)| format!("({l} {op} {r})")).boxed()),
        (
            1,
            (sub(), sub(), sub())
                .prop_map(|(c, t, e)| format!("(长度(\"\" + ({c} > {t})) + {e})"))
                .boxed(),
        ),
    ];
    if callable > 0 {
        choices.push((
            3,
            (0..callable, sub(), sub()).prop_map(|(f, x, y)| format!("f{f}({x}, {y})")).boxed(),
        ));
        choices
            .push((1, (0..callable, sub()).prop_map(|(f, x)| format!("长度(s{f}({x}))")).boxed()));
    }
    proptest::strategy::Union::new_weighted(choices).boxed()
}

/// A random program: integer functions `f0…`, string functions `s0…` (each may call
/// earlier ones), and an `入口` that prints a few calls. Exceptions come from `抛出` in
/// the integer functions and from division by zero, and go through `尝试`/`捕获`/`最终`
/// of several shapes, with string temporaries and variables alive when they are raised.
fn program() -> impl Strategy<Value = String> {
    (1usize..5).prop_flat_map(|n| {
        let funcs: Vec<_> = (0..n)
            .map(|i| (expr(2, i), expr(2, i), expr(1, i), 0u8..3, 0u8..3, 0u8..7))
            .collect();
        let calls = proptest::collection::vec((0..n, -30i64..30, -30i64..30, any::<bool>()), 1..5);
        (funcs, calls).prop_map(move |(funcs, calls)| {
            let mut src = String::new();
            for (i, (e1, e2, e3, early, loop_kind, try_kind)) in funcs.into_iter().enumerate() {
                let guard = match early {
                    0 => String::new(),
                    1 => format!("如果 {e3} > 3 {{ 返回 {e1}; }}\n"),
                    _ => format!("如果 {e3} > 3 {{ 变量 m = \"大\" + ({e1}); 抛出 m; }}\n"),
                };
                let body = match loop_kind {
                    0 => format!("{guard}返回 {e2};"),
                    1 => format!("变量 t = 0;\n对于 i 在 0..3 {{ t = t + ({e1}); 如果 t > 100 {{ 跳出; }} }}\n{guard}返回 t + {e2};"),
                    _ => format!("变量 t = {e1};\n当 t > 50 {{ t = t / 2; }}\n{guard}返回 t - {e2};"),
                };
                src.push_str(&format!("函数 f{i}(a: 整数, b: 整数): 整数 {{\n{body}\n}}\n"));
                let tail = match try_kind {
                    0 => format!("返回 r + f{i}(a, 1);"),
                    1 => format!("尝试 {{ r = r + f{i}(a, 1); }} 捕获 e {{ r = r + \"!\" + e; }}\n返回 r;"),
                    2 => format!(
                        "尝试 {{ 如果 a % 3 == 0 {{ 抛出 \"三\" + a; }} r = (\"[\" + r) + f{i}(a, 2); }} 最终 {{ r = r + \"终\"; }}\n返回 r + \">\";"
                    ),
                    3 => format!(
                        "尝试 {{ 返回 r + f{i}(a, 3); }} 捕获 e {{ r = r + e + 异常位置(); }} 最终 {{ 打印(\"终\"); }}\n返回 r;"
                    ),
                    4 => format!(
                        "对于 k 在 0..3 {{ 尝试 {{ 如果 k == 1 {{ 继续; }} r = r + f{i}(a + k, k); }} 捕获 e {{ r = r + \"?\"; }} 最终 {{ r = r + k; }} }}\n返回 r;"
                    ),
                    5 => format!(
                        "尝试 {{ r = r + f{i}(a, 5); }} 捕获 e {{ 返回 r + e + 异常原因(); }} 最终 {{ r = r + \"终\"; }}\n返回 r;"
                    ),
                    // The 最终 itself may raise, on every way out.
                    _ => format!(
                        "对于 k 在 0..2 {{ 尝试 {{ 如果 k == 1 {{ 跳出; }} r = r + f{i}(a, k); }} 捕获 e {{ 抛出 e + \"!\"; }} 最终 {{ r = (\"(\" + r) + f{i}(k, a); }} }}\n返回 r;"
                    ),
                };
                src.push_str(&format!(
                    "函数 s{i}(a: 整数): 字符串 {{\n变量 r = \"<\" + a;\n如果 a % 2 == 0 {{ r = r + \"偶\"; 返回 r + \">\"; }}\n{tail}\n}}\n"
                ));
            }
            src.push_str("函数 入口() {\n");
            for (f, x, y, caught) in calls {
                let call = format!("打印行(f{f}({x}, {y}), s{f}({x}));");
                if caught {
                    src.push_str(&format!("尝试 {{ {call} }} 捕获 e {{ 打印行(\"捕获\", e); }}\n"));
                } else {
                    src.push_str(&format!("{call}\n"));
                }
            }
            src.push_str("}\n");
            src
        })
    })
}

fn cases(default: u32) -> u32 {
    std::env::var("PROPTEST_CASES").ok().and_then(|v| v.parse().ok()).unwrap_or(default)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(64), failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn random_programs_behave_the_same_after_optimisation(src in program()) {
        let m = module_of(&src);
        let o = optimized(&m);
        prop_assert!(validate(&m).is_ok(), "{:?}", validate(&m));
        prop_assert!(validate(&o).is_ok(), "{:?}", validate(&o));
        // The same in every tier, on the IR before and after optimisation, nothing leaked.
        run_everywhere(&src);
    }
}

// ---- mutated conformance programs: optimised vs unoptimised ---------------------------------

const MUTATION_FRAGMENTS: &[&str] = &[
    "1",
    "0",
    "-1",
    "\"\"",
    "\"x\"",
    "+",
    "-",
    "*",
    "/",
    "%",
    "<<",
    "(",
    ")",
    "真",
    "假",
    "!",
    "返回",
    "跳出;",
    "继续;",
    "抛出 \"变\";",
    "抛出",
];

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(256), failure_persistence: None, ..ProptestConfig::default() })]

    /// Token mutations of the conformance programs that still check (a small fraction)
    /// must keep balanced reference counts and behave the same after optimisation.
    #[test]
    fn mutated_programs_that_still_check_behave_the_same_after_optimisation(
        program in any::<usize>(),
        muts in proptest::collection::vec(common::mutate::mutation(MUTATION_FRAGMENTS), 1..3),
    ) {
        // On the stack `qi` gives the front end: the corpus holds the deepest nesting the
        // parser admits, and the interpreter recurses with the program.
        common::on_front_end_stack(move || mutated_program_behaves_the_same(program, muts))?;
    }
}

/// `// qi-leaks: allowed`: the program keeps a reference cycle on purpose.
fn leaks_allowed(source: &str) -> bool {
    source.lines().any(|l| l.trim() == "// qi-leaks: allowed")
}

/// Runs longer than this are inconclusive (a mutation may make a loop endless).
const MUTATED_RUN_LIMIT_MS: &str = "5000";

fn mutated_program_behaves_the_same(
    program: usize,
    muts: Vec<common::mutate::Mutation>,
) -> Result<(), TestCaseError> {
    // (Concurrent programs may interleave differently from run to run.)
    let corpus: Vec<&common::mutate::Tokens> =
        common::mutate::corpus().iter().filter(|t| !common::needs_threads(&t.name)).collect();
    let t = corpus[program % corpus.len()];
    let src = common::mutate::apply(t, &muts);
    let parse = qi_syntax::parse(&src);
    // A program with syntax errors never runs (`qi` stops after reporting them).
    if parse.has_errors() {
        return Ok(());
    }
    let Some(m) = check(&parse.tree(), &src, "t.qi").module else { return Ok(()) };
    if !interpretable(&m) {
        return Ok(());
    }
    // Arguments as the program's `// qi-args:` give them; standard input empty.
    let args = t.args.join("\n");
    let runs: Vec<(&str, ChildOutput)> = MODES
        .iter()
        .map(|(mode, _, _)| {
            let env =
                [(MODE_ENV, *mode), (child::LIMIT_ENV, MUTATED_RUN_LIMIT_MS), (ARGS_ENV, &args)];
            (*mode, child::run_child(&src, &env))
        })
        .collect();
    if runs.iter().any(|(_, r)| r.status == Some(child::LIMIT_STATUS)) {
        return Ok(()); // probably an endless loop: inconclusive
    }
    // The depth at which the stack overflows depends on the tier's frames and on
    // inlining, and so does the output printed before it (and after it, when it is
    // caught): inconclusive.
    let overflow = |r: &ChildOutput| r.stdout.contains("栈溢出") || r.stderr.contains("栈溢出");
    if runs.iter().any(|(_, r)| overflow(r)) {
        return Ok(());
    }
    let short = |s: &str| s.chars().take(300).collect::<String>();
    let (first_mode, first) = &runs[0];
    for (mode, run) in &runs[1..] {
        prop_assert!(
            run.stdout == first.stdout && run.stderr == first.stderr && run.status == first.status,
            "{} {:?}: {first_mode} and {mode} differ\n{first_mode}: {:?} {:?} {:?}\n{mode}: {:?} {:?} {:?}\n{}",
            t.name,
            muts,
            short(&first.stdout),
            first.status,
            short(&first.stderr),
            short(&run.stdout),
            run.status,
            short(&run.stderr),
            src
        );
    }
    // Balanced after a normal end, unless the program keeps a reference cycle on purpose
    // (a mutation may keep it). (After an uncaught exception the globals still hold
    // their objects.)
    for (mode, run) in &runs {
        if run.status == Some(0) && !leaks_allowed(&src) {
            prop_assert!(
                run.live == Some([0; 6]),
                "{} {:?}: {mode}: live objects {:?}\n{}",
                t.name,
                muts,
                run.live,
                src
            );
        }
    }
    Ok(())
}

/// Can the interpreter run it (no C functions, no addresses of variables)?
fn interpretable(m: &Module) -> bool {
    let takes_addresses =
        m.functions.iter().flat_map(|f| &f.blocks).flat_map(|b| &b.insts).any(|i| {
            matches!(i, Inst::Assign { value: Value::LocalAddr(_) | Value::GlobalAddr(_), .. })
        });
    m.foreign.functions.is_empty() && !takes_addresses
}

// ---- more bugs found in the exception lowering (fixed) -------------------------------------

#[test]
fn an_exception_leaving_a_catch_body_through_finally_releases_the_caught_exception() {
    balanced(
        "函数 入口() {
             尝试 {
                 尝试 { 抛出 \"一\"; } 捕获 e { 抛出 e + \"二\"; } 最终 { 打印行(\"最终\"); }
             } 捕获 f {
                 打印行(f, \"因为\", 异常原因());
             }
         }",
        "最终\n一二 因为 一\n",
    );
}

#[test]
fn leaving_a_finally_body_early_releases_the_exception_it_was_running_for() {
    balanced(
        "函数 覆盖(): 整数 { 尝试 { 抛出 \"丢\"; } 最终 { 返回 7; } }
         函数 入口() {
             打印行(覆盖());
             对于 i 在 0..3 { 尝试 { 如果 i == 1 { 抛出 \"一\"; } } 最终 { 继续; } }
             当 真 { 尝试 { 抛出 \"二\"; } 最终 { 跳出; } }
             打印行(\"吞了\");
         }",
        "7\n吞了\n",
    );
}

#[test]
fn a_finally_raising_after_a_return_from_a_catch_body_releases_the_caught_exception_once() {
    balanced(
        "函数 f(n: 整数): 字符串 {
             变量 列 = 数组<整数>(0);
             尝试 { 抛出 \"甲\"; } 捕获 e { 返回 \"错误\" + e; } 最终 { 列[0] = n; }
         }
         函数 入口() {
             尝试 { 打印行(f(1)); } 捕获 e { 打印行(\"外\", e); }
         }",
        "外 下标越界：下标 0，长度 0\n",
    );
}

#[test]
fn a_failed_element_store_releases_the_value() {
    balanced(
        "类型 点 { 名: 字符串 }
         函数 入口() {
             变量 列: 数组<字符串> = [];
             尝试 { 列[0] = \"b\" + 1; } 捕获 e { 打印行(e); }
             变量 点列 = [新建 点 { 名: \"甲\" }];
             尝试 { 点列[1] = 新建 点 { 名: \"乙\" + 1 }; } 捕获 e { 打印行(e); }
         }",
        "下标越界：下标 0，长度 0\n下标越界：下标 1，长度 1\n",
    );
}

// ---- a tool -----------------------------------------------------------------------------
