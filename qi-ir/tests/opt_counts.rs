//! The count elision of `opt` (`opt/borrow.rs`): releases of null locals are dropped, and
//! a variable that only reads an array element for a stretch of one block, or of a loop
//! nest, borrows it.
//! Each case checks the optimised IR's structure and runs the program in every tier
//! (`common::tiers::run`: same output everywhere, every object freed).

mod common;

use common::tiers::{self, run};
use common::{module_of, optimized_module_of as optimized};
use qi_ir::*;

#[test]
fn child_entry() {
    tiers::child_main();
}

fn func<'m>(m: &'m Module, name: &str) -> (FuncId, &'m Function) {
    let i = m.functions.iter().position(|f| f.name == name).expect("function");
    (FuncId(i as u32), &m.functions[i])
}

/// The local named `name` in `f`.
fn local(f: &Function, name: &str) -> LocalId {
    let i = f.locals.iter().position(|l| l.name.as_deref() == Some(name)).expect("local");
    LocalId(i as u32)
}

/// How many `retain`s of anything and `release`s of `l` the function holds.
fn counts(f: &Function, l: LocalId) -> (usize, usize) {
    let insts = || f.blocks.iter().flat_map(|b| &b.insts);
    let retains = insts().filter(|i| matches!(i, Inst::Retain(_))).count();
    let releases = insts().filter(|i| matches!(i, Inst::Release(r) if *r == l)).count();
    (retains, releases)
}

const BODIES: &str = "类型 体 { x: 浮点数, v: 浮点数 }
    函数 造(): 数组<体> {
        返回 [新建 体 { x: 0.0, v: 1.0 }, 新建 体 { x: 1.0, v: 1.0 }, 新建 体 { x: 2.0, v: 1.0 }];
    }";

#[test]
fn a_variable_that_only_reads_an_element_borrows_it() {
    let src = format!(
        "{BODIES}
         函数 推(系: 数组<体>, dt: 浮点数) {{
             对于 j 在 0..系.长度 {{
                 变量 b = 系[j];
                 b.x += dt * b.v;
             }}
         }}
         函数 入口() {{
             变量 系 = 造();
             推(系, 0.5);
             打印行(浮点数转整数(系[2].x * 10.0));
         }}"
    );
    let o = optimized(&src);
    let (id, f) = func(&o, "推");
    let b = local(f, "b");
    // As lowered: a `retain` of the element, `release b` before the assignment, at the end
    // of the iteration and on the exceptional exit. Now none: `b` holds the element only
    // inside the loop body's block, and is null everywhere else (so the exit's release
    // goes too).
    assert_eq!(counts(f, b), (0, 0), "{}", print::function_text(&o, id));
    assert_eq!(run(&src), "25\n");
}

#[test]
fn a_variable_is_not_borrowed_when_the_element_may_be_replaced() {
    // Storing into the array (which releases the element it replaces) ends the stretch:
    // `b` must own its element, which is freed only after its last read.
    let src = format!(
        "{BODIES}
         函数 换(系: 数组<体>) {{
             对于 j 在 0..系.长度 {{
                 变量 b = 系[j];
                 系[j] = 新建 体 {{ x: 0.0, v: 0.0 }};
                 打印行(浮点数转整数(b.x));
             }}
         }}
         函数 入口() {{ 换(造()); }}"
    );
    let o = optimized(&src);
    let (id, f) = func(&o, "换");
    let b = local(f, "b");
    let (retains, _) = counts(f, b);
    assert!(retains >= 1, "{}", print::function_text(&o, id));
    assert_eq!(run(&src), "0\n1\n2\n");
}

#[test]
fn a_variable_is_not_borrowed_across_a_call() {
    // The callee may empty the array the element came from.
    let src = format!(
        "{BODIES}
         函数 清(系: 数组<体>) {{ 对于 i 在 0..系.长度 {{ 系[i] = 新建 体 {{ x: -1.0, v: 0.0 }}; }} }}
         函数 读(系: 数组<体>) {{
             变量 b = 系[0];
             清(系);
             打印行(浮点数转整数(b.x), 浮点数转整数(系[0].x));
         }}
         函数 入口() {{ 变量 系 = 造(); 系[0].x = 7.0; 读(系); }}"
    );
    let o = optimized(&src);
    let (id, f) = func(&o, "读");
    let (retains, _) = counts(f, local(f, "b"));
    assert!(retains >= 1, "{}", print::function_text(&o, id));
    assert_eq!(run(&src), "7 -1\n");
}

#[test]
fn releases_of_locals_that_are_null_are_dropped() {
    // `s` is null when the loop body releases it before the assignment (first iteration:
    // never assigned; later ones: nulled at the end of the previous one), and on the exit
    // (it is only non-null within the body's block, which cannot raise after assigning
    // it). Only the release after its use is left.
    let src = "函数 入口() {
             对于 i 在 0..3 { 变量 s = \"第\" + i; 打印行(s); }
         }";
    let lowered = module_of(src);
    let o = optimized(src);
    let (_, before) = func(&lowered, "入口");
    let (id, after) = func(&o, "入口");
    let s = local(before, "s");
    assert_eq!(local(after, "s"), s);
    let (_, released_before) = counts(before, s);
    let (_, released_after) = counts(after, s);
    assert_eq!((released_before, released_after), (3, 1), "{}", print::function_text(&o, id));
    assert_eq!(run(src), "第0\n第1\n第2\n");
}

const PAIRS: &str = "函数 对(系: 数组<体>, dt: 浮点数) {
        对于 i 在 0..系.长度 {
            变量 a = 系[i];
            对于 j 在 i + 1..系.长度 {
                变量 b = 系[j];
                a.v -= dt * b.x;
                b.v += dt * a.x;
            }
        }
    }";

#[test]
fn a_variable_that_only_reads_an_element_over_a_loop_borrows_it() {
    // nbody's shape: `a` holds `系[i]` over the whole pair loop (several blocks).
    let src = format!(
        "{BODIES}
         {PAIRS}
         函数 入口() {{
             变量 系 = 造();
             对(系, 0.5);
             打印行(浮点数转整数(系[0].v * 100.0), 浮点数转整数(系[2].v * 100.0));
         }}"
    );
    let o = optimized(&src);
    let (id, f) = func(&o, "对");
    // As lowered: a retain of each element, and releases of `a` at the end of the outer
    // iteration and on the exits. Now none for either variable.
    assert_eq!(counts(f, local(f, "a")), (0, 0), "{}", print::function_text(&o, id));
    assert_eq!(counts(f, local(f, "b")), (0, 0), "{}", print::function_text(&o, id));
    assert_eq!(run(&src), "-50 150\n");
}

#[test]
fn a_variable_borrowed_over_a_loop_is_not_released_when_the_loop_raises() {
    // The inner loop's read goes out of bounds: the raise leaves the stretch by its
    // landing, which must not release `a` (it never owned the element).
    let src = format!(
        "{BODIES}
         函数 越(系: 数组<体>) {{
             对于 i 在 0..系.长度 {{
                 变量 a = 系[i];
                 对于 j 在 0..系.长度 + 1 {{
                     变量 b = 系[j];
                     a.x += b.v;
                 }}
             }}
         }}
         函数 入口() {{
             变量 系 = 造();
             尝试 {{ 越(系); }} 捕获 e {{ 打印行(\"越界\"); }}
             打印行(浮点数转整数(系[0].x), 浮点数转整数(系[1].x));
         }}"
    );
    let o = optimized(&src);
    let (id, f) = func(&o, "越");
    assert_eq!(counts(f, local(f, "a")), (0, 0), "{}", print::function_text(&o, id));
    assert_eq!(run(&src), "越界\n3 1\n");
}

#[test]
fn a_variable_is_not_borrowed_over_a_loop_that_stores_into_the_array() {
    // The inner loop replaces the element `a` holds: `a` must keep it alive.
    let src = format!(
        "{BODIES}
         函数 换(系: 数组<体>) {{
             对于 i 在 0..系.长度 {{
                 变量 a = 系[i];
                 对于 j 在 0..1 {{
                     系[i] = 新建 体 {{ x: -1.0, v: 0.0 }};
                 }}
                 打印行(浮点数转整数(a.x), 浮点数转整数(系[i].x));
             }}
         }}
         函数 入口() {{ 换(造()); }}"
    );
    let o = optimized(&src);
    let (id, f) = func(&o, "换");
    let (retains, _) = counts(f, local(f, "a"));
    assert!(retains >= 1, "{}", print::function_text(&o, id));
    assert_eq!(run(&src), "0 -1\n1 -1\n2 -1\n");
}

#[test]
fn a_variable_is_not_borrowed_over_a_loop_that_calls() {
    // The callee may empty the array the element came from.
    let src = format!(
        "{BODIES}
         函数 清(系: 数组<体>) {{ 对于 i 在 0..系.长度 {{ 系[i] = 新建 体 {{ x: -1.0, v: 0.0 }}; }} }}
         函数 读(系: 数组<体>) {{
             变量 a = 系[0];
             对于 j 在 0..2 {{ 清(系); }}
             打印行(浮点数转整数(a.x), 浮点数转整数(系[0].x));
         }}
         函数 入口() {{ 变量 系 = 造(); 系[0].x = 7.0; 读(系); }}"
    );
    let o = optimized(&src);
    let (id, f) = func(&o, "读");
    let (retains, _) = counts(f, local(f, "a"));
    assert!(retains >= 1, "{}", print::function_text(&o, id));
    assert_eq!(run(&src), "7 -1\n");
}

#[test]
fn a_variable_is_not_borrowed_when_a_handler_leads_back_into_the_stretch() {
    // A handler inside the stretch continues it after the raise: `a` is read there, so
    // it cannot be nulled on the way; it keeps owning its element.
    let src = format!(
        "{BODIES}
         函数 和(系: 数组<体>): 浮点数 {{
             变量 s = 0.0;
             对于 i 在 0..系.长度 {{
                 变量 a = 系[i];
                 尝试 {{ 变量 b = 系[i + 1]; s += b.v; }} 捕获 e {{ s += 100.0; }}
                 s += a.x;
             }}
             返回 s;
         }}
         函数 入口() {{ 打印行(浮点数转整数(和(造()))); }}"
    );
    let o = optimized(&src);
    let (id, f) = func(&o, "和");
    let (retains, _) = counts(f, local(f, "a"));
    assert!(retains >= 1, "{}", print::function_text(&o, id));
    assert_eq!(run(&src), "105\n");
}
