//! The IR optimisations (return forwarding, one-level inlining) preserve behaviour and
//! produce well-formed IR.
//!
//! The strongest check is differential: every conformance program is run by a reference
//! interpreter of the IR (`common/interp.rs`) before and after `qi_ir::opt::optimize`; both
//! runs must print the program's `.out`, end the same way, and keep the reference counts
//! balanced (no leak, no use after free, no double release).

mod common;

use common::interp::{self, Limits, Outcome};
use common::validate::validate;
use common::{module_of, programs};
use proptest::prelude::*;
use qi_ir::*;

fn optimized(m: &Module) -> Module {
    let mut o = m.clone();
    opt::optimize(&mut o);
    o
}

fn func_id(m: &Module, name: &str) -> FuncId {
    let i = m.functions.iter().position(|f| f.name == name).unwrap_or_else(|| panic!("no function {name}"));
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
            Inst::Assign { value: Value::Call { func, .. }, .. } | Inst::Effect(Value::Call { func, .. }) => Some(*func),
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

/// Run, requiring a clean run: no fault and no leak.
fn run(m: &Module) -> Outcome {
    let o = interp::run(m, Limits::default()).unwrap_or_else(|e| panic!("interpreter fault: {e}\n{m}"));
    assert!(o.leaked.is_empty(), "leaked: {:?}\n{m}", o.leaked);
    o
}

/// The live-object counts a program's `.err` reports (`[qi] 存活对象: 字符串=0 …`), if any.
fn leak_report(p: &common::Program) -> Option<[usize; 5]> {
    let err = std::fs::read_to_string(common::programs_dir().join(&p.name).with_extension("err")).ok()?;
    let line = err.lines().find_map(|l| l.strip_prefix("[qi] 存活对象: "))?;
    let mut counts = [0; 5];
    for item in line.split_whitespace() {
        let (kind, n) = item.split_once('=')?;
        let k = interp::KINDS.iter().position(|x| *x == kind)?;
        counts[k] = n.parse().ok()?;
    }
    Some(counts)
}

// ---- differential test over the conformance programs -----------------------------------

/// What the conformance suite expects from one program, checked against one run.
fn matches_expectation(p: &common::Program, o: &Outcome) -> Result<(), String> {
    let want = p.out.clone().unwrap_or_default();
    if o.stdout != want {
        return Err(format!("stdout differs\n--- expected\n{want}--- actual\n{}", o.stdout));
    }
    match (p.status, &o.runtime_error) {
        (0, None) | (2, Some(_)) => Ok(()),
        (status, err) => Err(format!("expected exit status {status}, run ended with {err:?}")),
    }
}

/// Conformance programs that leak because of a known bug (see the ignored test named).
/// When the bug is fixed the entry must go: the test fails if such a program stops leaking.
/// (Empty now: `leaving_a_match_arm_early_releases_the_scrutinee` found one, since fixed.)
const KNOWN_LEAKS: &[(&str, &str)] = &[];

#[test]
fn optimised_and_unoptimised_ir_behave_identically_on_every_conformance_program() {
    let mut failures = Vec::new();
    let mut ran = 0;
    for p in programs() {
        let parse = qi_syntax::parse(&p.source);
        let Some(m) = check(&parse.tree(), &p.source, "t.qi").module else {
            failures.push(format!("== {}: rejected by the checker", p.name));
            continue;
        };
        let o = optimized(&m);
        let check = || -> Result<(), String> {
            validate(&m).map_err(|e| format!("invalid IR from the checker: {e}"))?;
            validate(&o).map_err(|e| format!("invalid IR after optimize: {e}"))?;
            let stdin: Vec<&str> = p.stdin.iter().map(String::as_str).collect();
            let args: Vec<&str> = p.args.iter().map(String::as_str).collect();
            let before = interp::run_with(&m, Limits::default(), &stdin, &args).map_err(|e| format!("unoptimised: {e}"))?;
            let after = interp::run_with(&o, Limits::default(), &stdin, &args).map_err(|e| format!("optimised: {e}"))?;
            matches_expectation(&p, &before).map_err(|e| format!("unoptimised: {e}"))?;
            // Reference counts are balanced: nothing stays alive at a normal end, except what
            // the program's own leak report (`QI_LEAK_REPORT`) says.
            if before.runtime_error.is_none() {
                let want = leak_report(&p).unwrap_or([0; 5]);
                let known = KNOWN_LEAKS.iter().find(|(name, _)| *name == p.name);
                for (name, o) in [("unoptimised", &before), ("optimised", &after)] {
                    match known {
                        None if o.live != want => {
                            return Err(format!("{name}: live objects {:?}, expected {want:?}: {:?}", o.live, o.leaked))
                        }
                        Some((_, test)) if o.live == want => {
                            return Err(format!("no longer leaks: remove it from KNOWN_LEAKS and un-ignore `{test}`"))
                        }
                        Some((_, test)) => eprintln!("{}: {name}: known leak (see `{test}`): {:?}", p.name, o.live),
                        None => {}
                    }
                }
            }
            if before.stdout != after.stdout || before.runtime_error != after.runtime_error {
                return Err(format!(
                    "optimisation changed behaviour:\nbefore {:?} {:?}\nafter  {:?} {:?}",
                    before.stdout, before.runtime_error, after.stdout, after.runtime_error
                ));
            }
            Ok(())
        };
        if let Err(e) = check() {
            failures.push(format!("== {}: {e}", p.name));
        }
        ran += 1;
    }
    assert!(ran > 100, "only {ran} programs");
    assert!(failures.is_empty(), "{} of {ran} programs failed:\n{}", failures.len(), failures.join("\n"));
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
    let m = module_of(
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
    assert_eq!(calls_to(func(&o, "入口"), sq), 0, "{}", print::function_text(&o, func_id(&o, "入口")));
    validate(&o).unwrap();
    assert_eq!(run(&m).stdout, "4\n8190\n");
    assert_eq!(run(&o).stdout, run(&m).stdout);
}

#[test]
fn self_recursion_is_unrolled_exactly_once() {
    let m = module_of(
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
    assert_eq!(of.blocks.len(), f.blocks.len() + 2 * (f.blocks.len() + 1), "two inlined bodies plus two continuation blocks");
    // The inlined copies live in new locals.
    assert_eq!(of.locals.len(), f.locals.len() * 3);
    validate(&o).unwrap();
    let (a, b) = (run(&m), run(&o));
    assert_eq!(a.stdout, "6765\n");
    assert_eq!(b.stdout, a.stdout);
    assert!(b.steps < a.steps, "inlining should save interpreter steps ({} vs {})", b.steps, a.steps);
}

#[test]
fn calls_inside_an_inlined_body_are_not_inlined_again() {
    let m = module_of(
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
    assert_eq!(run(&o).stdout, "12\n");
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
    assert_eq!(run(&o).stdout, run(&m).stdout);
}

#[test]
fn at_most_eight_sites_are_inlined_per_function() {
    let mut body = String::new();
    for i in 0..11 {
        body.push_str(&format!("打印行(一({i}));\n"));
    }
    let m = module_of(&format!(
        "函数 一(x: 整数): 整数 {{ 返回 x + 1; }}
         函数 入口() {{ {body} }}"
    ));
    let one = func_id(&m, "一");
    let o = optimized(&m);
    // `INLINE_MAX_SITES` in opt.rs is 8.
    assert_eq!(calls_to(func(&o, "入口"), one), 11 - 8);
    validate(&o).unwrap();
    assert_eq!(run(&o).stdout, (1..=11).map(|i| format!("{i}\n")).collect::<String>());
}

#[test]
fn inlined_object_locals_start_null_in_every_loop_iteration() {
    // The callee owns string locals; inlined into a loop, its slots must be reset on each
    // entry, or the release before a `变量` declaration would free the previous
    // iteration's (already released) string again.
    let m = module_of(
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
    let (a, b) = (run(&m), run(&o));
    assert_eq!(a.stdout, "[0][1][2][3]\n");
    assert_eq!(b.stdout, a.stdout);
}

#[test]
fn returns_are_forwarded_for_scalars_but_not_for_objects() {
    let m = module_of(
        "函数 正(x: 整数): 布尔 { 返回 x > 0; }
         函数 串(x: 整数): 字符串 { 返回 \"n\" + x; }
         函数 入口() { 打印行(正(1), 串(2)); }",
    );
    let o = optimized(&m);
    let pos = func(&o, "正");
    // The entry block now returns the comparison directly.
    match &pos.blocks[0].term {
        Terminator::Return(Some(_)) => {}
        other => panic!("expected a direct return, got {other:?}\n{}", print::function_text(&o, func_id(&o, "正"))),
    }
    assert!(
        pos.blocks.iter().all(|b| !matches!(b.term, Terminator::Jump(_))),
        "no jump to the exit block is left:\n{}",
        print::function_text(&o, func_id(&o, "正"))
    );
    // An object result keeps its move into the return slot (so the exit can release it
    // correctly), but the jump still becomes a return.
    let s = func(&o, "串");
    let ret_local = match &s.blocks[0].term {
        Terminator::Return(Some(Operand::Local(l))) => *l,
        other => panic!("expected a return, got {other:?}"),
    };
    assert!(s.blocks[0].insts.iter().any(|i| matches!(i, Inst::Assign { dst, .. } if *dst == ret_local)));
    assert_eq!(run(&o).stdout, "真 n2\n");
}

#[test]
fn forwarding_does_not_skip_an_exit_that_releases() {
    // The exit block releases `t`: a jump to it must stay a jump.
    let m = module_of(
        "函数 长(x: 整数): 整数 { 变量 t = \"ab\" + x; 返回 长度(t); }
         函数 入口() { 打印行(长(123)); }",
    );
    let o = optimized(&m);
    let f = func(&o, "长");
    let exit = f.blocks.iter().position(|b| b.insts.iter().any(|i| matches!(i, Inst::Release(_))) && matches!(b.term, Terminator::Return(_)));
    assert!(exit.is_some(), "{}", print::function_text(&o, func_id(&o, "长")));
    assert!(f.blocks.iter().any(|b| b.term.successors().contains(&BlockId(exit.unwrap() as u32))));
    assert_eq!(run(&o).stdout, "5\n");
}

// ---- the reference interpreter itself ---------------------------------------------------

fn handbuilt(functions: Vec<Function>, strings: Vec<&str>) -> Module {
    // Start from a checked module, so that fields added to `Module` later need no change here.
    let mut m = module_of("函数 入口() {}");
    m.main = FuncId(functions.len() as u32 - 1);
    m.functions = functions;
    m.globals.clear();
    m.strings = strings.into_iter().map(String::from).collect();
    m
}

fn concat_into(b: &mut builder::FnBuilder) -> LocalId {
    let s = b.new_local(Type::Str, None);
    b.assign(s, Value::Builtin { op: Builtin::Concat, args: vec![Operand::Str(StrId(0)), Operand::Str(StrId(0))], loc: Loc::default() });
    s
}

#[test]
fn interpreter_reports_leaks_double_releases_and_use_after_free() {
    // Leak: a fresh string never released.
    let mut b = builder::FnBuilder::new("main".into(), vec![], Type::Void, Loc::default());
    concat_into(&mut b);
    b.terminate(Terminator::Return(None));
    let o = interp::run(&handbuilt(vec![b.finish()], vec!["x"]), Limits::default()).unwrap();
    assert_eq!(o.live, [1, 0, 0, 0, 0]);

    // Double release.
    let mut b = builder::FnBuilder::new("main".into(), vec![], Type::Void, Loc::default());
    let s = concat_into(&mut b);
    b.push(Inst::Release(s));
    b.push(Inst::Release(s));
    b.terminate(Terminator::Return(None));
    let e = interp::run(&handbuilt(vec![b.finish()], vec!["x"]), Limits::default()).unwrap_err();
    assert!(e.contains("freed"), "{e}");

    // Use after free.
    let mut b = builder::FnBuilder::new("main".into(), vec![], Type::Void, Loc::default());
    let s = concat_into(&mut b);
    b.push(Inst::Release(s));
    b.push(Inst::Effect(Value::Builtin { op: Builtin::PrintStr, args: vec![Operand::Local(s)], loc: Loc::default() }));
    b.terminate(Terminator::Return(None));
    let e = interp::run(&handbuilt(vec![b.finish()], vec!["x"]), Limits::default()).unwrap_err();
    assert!(e.contains("freed"), "{e}");

    // Balanced: fine.
    let mut b = builder::FnBuilder::new("main".into(), vec![], Type::Void, Loc::default());
    let s = concat_into(&mut b);
    b.push(Inst::Retain(Operand::Local(s)));
    b.push(Inst::Effect(Value::Builtin { op: Builtin::PrintStr, args: vec![Operand::Local(s)], loc: Loc::default() }));
    b.push(Inst::Release(s));
    b.push(Inst::Release(s));
    b.terminate(Terminator::Return(None));
    let o = interp::run(&handbuilt(vec![b.finish()], vec!["x"]), Limits::default()).unwrap();
    assert!(o.leaked.is_empty());
    assert_eq!(o.stdout, "xx");
    assert_eq!(o.allocations, 1);
}

#[test]
fn interpreter_reaching_unreachable_is_a_fault() {
    let b = builder::FnBuilder::new("main".into(), vec![], Type::Void, Loc::default());
    let e = interp::run(&handbuilt(vec![b.finish()], vec![]), Limits::default()).unwrap_err();
    assert!(e.contains("unreachable"), "{e}");
}

#[test]
fn interpreter_semantics_of_scalars() {
    let m = module_of(
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
    let o = run(&m);
    assert_eq!(
        o.stdout,
        "-9223372036854775808 0 -3 -1 1 2 -4 -9223372036854775808\n\
         假 假 假 真 0 9223372036854775807\n\
         0.30000000000000004 inf -inf -0.0 10.0 -1.5\n\
         中 20013 中 98 2\n\
         真 真 4 x1.0真c\n"
    );
}

#[test]
fn interpreter_runtime_errors_end_the_run_with_the_output_so_far() {
    let m = module_of("函数 f(x: 整数): 整数 { 返回 10 / x; } 函数 入口() { 打印行(f(5)); 打印行(f(0)); 打印行(3); }");
    let o = run(&m);
    assert_eq!(o.stdout, "2\n");
    assert_eq!(o.runtime_error.as_deref(), Some("除数为零"));
    let o = run(&module_of("函数 f(n: 整数): 整数 { 返回 f(n + 1) + 1; } 函数 入口() { 打印行(f(0)); }"));
    assert_eq!(o.runtime_error.as_deref(), Some("栈溢出：递归太深"));
}

// ---- reference counting of the lowering -----------------------------------------------------

/// Run `src` before and after optimisation; both must print `out` and free every object.
#[track_caller]
fn balanced(src: &str, out: &str) {
    let m = module_of(src);
    validate(&m).unwrap();
    for (what, m) in [("unoptimised", m.clone()), ("optimised", optimized(&m))] {
        let o = interp::run(&m, Limits::default()).unwrap_or_else(|e| panic!("{what}: fault: {e}\n{src}"));
        assert_eq!(o.stdout, out, "{what}\n{src}");
        assert!(o.leaked.is_empty(), "{what}: leaked {:?}\n{src}\n{m}", o.leaked);
    }
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
    let ops = prop_oneof![Just("+"), Just("-"), Just("*"), Just("/"), Just("%"), Just("&"), Just("|"), Just("^"), Just("<<"), Just(">>")];
    let mut choices: Vec<(u32, BoxedStrategy<String>)> = vec![
        (2, leaf.boxed()),
        (4, (sub(), ops, sub()).prop_map(|(l, op, r)| format!("({l} {op} {r})")).boxed()),
        (1, (sub(), sub(), sub()).prop_map(|(c, t, e)| format!("(长度(\"\" + ({c} > {t})) + {e})")).boxed()),
    ];
    if callable > 0 {
        choices.push((3, (0..callable, sub(), sub()).prop_map(|(f, x, y)| format!("f{f}({x}, {y})")).boxed()));
        choices.push((1, (0..callable, sub()).prop_map(|(f, x)| format!("长度(s{f}({x}))")).boxed()));
    }
    proptest::strategy::Union::new_weighted(choices).boxed()
}

/// A random program: integer functions `f0…`, string functions `s0…` (each may call
/// earlier ones), and an `入口` that prints a few calls.
fn program() -> impl Strategy<Value = String> {
    (1usize..5).prop_flat_map(|n| {
        let funcs: Vec<_> = (0..n)
            .map(|i| (expr(2, i), expr(2, i), expr(1, i), any::<bool>(), 0u8..3))
            .collect();
        let calls = proptest::collection::vec((0..n, -30i64..30, -30i64..30), 1..5);
        (funcs, calls).prop_map(move |(funcs, calls)| {
            let mut src = String::new();
            for (i, (e1, e2, e3, early, loop_kind)) in funcs.into_iter().enumerate() {
                let guard = if early { format!("如果 {e3} > 3 {{ 返回 {e1}; }}\n") } else { String::new() };
                let body = match loop_kind {
                    0 => format!("{guard}返回 {e2};"),
                    1 => format!("变量 t = 0;\n对于 i 在 0..3 {{ t = t + ({e1}); 如果 t > 100 {{ 跳出; }} }}\n{guard}返回 t + {e2};"),
                    _ => format!("变量 t = {e1};\n当 t > 50 {{ t = t / 2; }}\n{guard}返回 t - {e2};"),
                };
                src.push_str(&format!("函数 f{i}(a: 整数, b: 整数): 整数 {{\n{body}\n}}\n"));
                src.push_str(&format!(
                    "函数 s{i}(a: 整数): 字符串 {{\n变量 r = \"<\" + a;\n如果 a % 2 == 0 {{ r = r + \"偶\"; 返回 r + \">\"; }}\n返回 r + f{i}(a, 1);\n}}\n"
                ));
            }
            src.push_str("函数 入口() {\n");
            for (f, x, y) in calls {
                src.push_str(&format!("打印行(f{f}({x}, {y}), s{f}({x}));\n"));
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
        let limits = Limits { max_steps: 2_000_000, max_depth: 10_000 };
        let before = interp::run(&m, limits);
        let after = interp::run(&o, limits);
        let (before, after) = match (before, after) {
            (Ok(b), Ok(a)) if b.leaked.is_empty() && a.leaked.is_empty() => (b, a),
            (b, a) => {
                let show = |r: Result<Outcome, String>| r.map(|o| o.leaked);
                return Err(TestCaseError::fail(format!("fault or leak\n{src}\nbefore: {:?}\nafter: {:?}", show(b), show(a))));
            }
        };
        prop_assert_eq!(&before.stdout, &after.stdout, "{}", src);
        prop_assert_eq!(&before.runtime_error, &after.runtime_error, "{}", src);
    }
}

// ---- mutated conformance programs: optimised vs unoptimised ---------------------------------

const MUTATION_FRAGMENTS: &[&str] = &["1", "0", "-1", "\"\"", "\"x\"", "+", "-", "*", "/", "%", "<<", "(", ")", "真", "假", "!", "返回", "跳出;", "继续;"];

proptest! {
    #![proptest_config(ProptestConfig { cases: cases(256), failure_persistence: None, ..ProptestConfig::default() })]

    /// Token mutations of the conformance programs that still check (a small fraction)
    /// must keep balanced reference counts and behave the same after optimisation.
    #[test]
    fn mutated_programs_that_still_check_behave_the_same_after_optimisation(
        program in any::<usize>(),
        muts in proptest::collection::vec(common::mutate::mutation(MUTATION_FRAGMENTS), 1..3),
    ) {
        let corpus = common::mutate::corpus();
        let t = &corpus[program % corpus.len()];
        let src = common::mutate::apply(t, &muts);
        let parse = qi_syntax::parse(&src);
        // A program with syntax errors never runs (`qi` stops after reporting them).
        if parse.has_errors() {
            return Ok(());
        }
        let Some(m) = check(&parse.tree(), &src, "t.qi").module else { return Ok(()) };
        let o = optimized(&m);
        let limits = Limits { max_steps: 300_000, max_depth: 2_000 };
        let stdin: Vec<&str> = t.stdin.iter().map(String::as_str).collect();
        let args: Vec<&str> = t.args.iter().map(String::as_str).collect();
        let before = interp::run_with(&m, limits, &stdin, &args);
        let after = interp::run_with(&o, limits, &stdin, &args);
        let step_limit = |r: &Result<Outcome, String>| matches!(r, Err(e) if e.starts_with("step limit"));
        if step_limit(&before) || step_limit(&after) {
            return Ok(()); // probably an endless loop: inconclusive
        }
        let (before, after) = match (before, after) {
            (Ok(b), Ok(a)) => (b, a),
            (b, a) => return Err(TestCaseError::fail(format!("{} {muts:?}: fault\nbefore: {:?}\nafter: {:?}\n{src}", t.name, b.err(), a.err()))),
        };
        // Inlining changes the recursion depth at which the stack overflows, and so the
        // output printed before it: inconclusive.
        let overflow = |o: &Outcome| o.runtime_error.as_deref().is_some_and(|e| e.contains("栈溢出"));
        if overflow(&before) || overflow(&after) {
            return Ok(());
        }
        let short = |s: &str| s.chars().take(300).collect::<String>();
        prop_assert!(
            before.stdout == after.stdout && before.runtime_error == after.runtime_error,
            "{} {:?}: optimisation changed behaviour\nbefore: {:?} {:?}\nafter:  {:?} {:?}\n{}",
            t.name, muts, short(&before.stdout), before.runtime_error, short(&after.stdout), after.runtime_error, src
        );
        if before.runtime_error.is_none() {
            prop_assert!(before.leaked.is_empty() && after.leaked.is_empty(), "{} {:?}: leaked {:?} / {:?}\n{}", t.name, muts, before.leaked, after.leaked, src);
        }
    }
}
