//! Borrowed reads of frozen fields (`opt/frozen.rs`): a local that only ever holds objects
//! read from frozen fields of a parameter (transitively) owns no reference. Each case checks
//! the optimised IR's count traffic and runs the program in every tier
//! (`common::tiers::run`: same output everywhere, every object freed).

mod common;

use common::optimized_module_of as optimized;
use common::tiers::{self, run};
use qi_ir::*;

#[test]
fn child_entry() {
    tiers::child_main();
}

/// The `retain`s and `release`s of the function named `name`, and its IR text.
fn counts(m: &Module, name: &str) -> (usize, usize, String) {
    let i = m.functions.iter().position(|f| f.name == name).expect("function");
    let insts = || m.functions[i].blocks.iter().flat_map(|b| &b.insts);
    let retains = insts().filter(|i| matches!(i, Inst::Retain(_))).count();
    let releases = insts().filter(|i| matches!(i, Inst::Release(_))).count();
    (retains, releases, print::function_text(m, FuncId(i as u32)))
}

const TREE: &str = "类型 节点 { 左: 选项<节点>, 右: 选项<节点>, 值: 整数 }
    函数 建(d: 整数, v: 整数): 节点 {
        如果 d > 0 {
            返回 新建 节点 { 左: 有(建(d - 1, v * 2)), 右: 有(建(d - 1, v * 2 + 1)), 值: v };
        }
        返回 新建 节点 { 左: 无, 右: 无, 值: v };
    }";

/// binarytrees' `查`, summing the values.
const SUM: &str = "函数 和(t: 节点): 整数 {
        匹配 t.左 {
            有(左) => {
                匹配 t.右 {
                    有(右) => { 返回 t.值 + 和(左) + 和(右); }
                    无 => { 返回 t.值 + 和(左); }
                }
            }
            无 => { 返回 t.值; }
        }
    }";

#[test]
fn a_read_only_traversal_does_no_count_traffic() {
    let src = format!("{TREE} {SUM} 函数 入口() {{ 打印行(和(建(3, 1))); }}");
    let (retains, releases, text) = counts(&optimized(&src), "和");
    // As lowered: the scrutinees `t.左`, `t.右` and the bindings `左`, `右` each retained
    // once and released at the exit.
    assert_eq!((retains, releases), (0, 0), "{text}");
    assert_eq!(run(&src), "120\n");
}

#[test]
fn a_variable_walking_frozen_links_borrows() {
    // `p` starts as the parameter and then follows `下`: every value it holds is alive
    // for the whole call.
    let src = "类型 格 { 下: 选项<格>, 值: 整数 }
        函数 链(n: 整数): 格 {
            变量 头 = 新建 格 { 下: 无, 值: 0 };
            对于 i 在 1..n { 头 = 新建 格 { 下: 有(头), 值: i }; }
            返回 头;
        }
        函数 总(l: 格): 整数 {
            变量 p = l;
            变量 s = 0;
            当 真 {
                s += p.值;
                匹配 p.下 {
                    有(q) => { p = q; }
                    无 => { 返回 s; }
                }
            }
            返回 s;
        }
        函数 入口() { 打印行(总(链(5))); }";
    let (retains, releases, text) = counts(&optimized(src), "总");
    assert_eq!((retains, releases), (0, 0), "{text}");
    assert_eq!(run(src), "10\n");
}

#[test]
fn a_field_stored_after_construction_is_not_borrowed() {
    // `换` stores into `左` of an existing node: `左` is not frozen, so `和`'s reads own
    // their objects as lowered.
    let src = format!(
        "{TREE} {SUM}
         函数 换(t: 节点) {{ t.左 = 有(建(1, 7)); }}
         函数 入口() {{ 变量 t = 建(2, 1); 换(t); 打印行(和(t)); }}"
    );
    let (retains, releases, text) = counts(&optimized(&src), "和");
    assert!(retains >= 2 && releases >= 2, "{text}");
    assert_eq!(run(&src), "53\n");
}

#[test]
fn a_reassigned_parameter_is_not_an_anchor() {
    let src = format!(
        "{TREE}
         函数 重(t: 节点): 整数 {{
             t = 建(1, 5);
             匹配 t.左 {{
                 有(l) => {{ t = 建(0, 3); 返回 l.值 + t.值; }}
                 无 => {{ 返回 0; }}
             }}
         }}
         函数 入口() {{ 打印行(重(建(0, 1))); }}"
    );
    let (retains, releases, text) = counts(&optimized(&src), "重");
    assert!(retains >= 2 && releases >= 2, "{text}");
    assert_eq!(run(&src), "13\n");
}

#[test]
fn a_returned_or_stored_borrow_keeps_its_own_reference() {
    // `x` borrows; the copies returned and stored into the array take a reference each.
    let src = format!(
        "{TREE}
         函数 左子(t: 节点): 节点 {{
             匹配 t.左 {{
                 有(x) => {{ 返回 x; }}
                 无 => {{ 返回 t; }}
             }}
         }}
         函数 存左(t: 节点, 箱: 数组<节点>) {{
             匹配 t.左 {{
                 有(x) => {{ 箱[0] = x; }}
                 无 => {{}}
             }}
         }}
         函数 入口() {{
             变量 c = 左子(建(2, 1));
             变量 箱 = [建(0, 0)];
             存左(建(2, 1), 箱);
             打印行(c.值, 箱[0].值);
         }}"
    );
    let o = optimized(&src);
    // Left: the retains that give the result (`x` or `t`) and the stored element their
    // references, the release of the result on the exceptional exit and of the element
    // the store replaces. The scrutinee and `x` do no traffic.
    for (name, traffic) in [("左子", (2, 1)), ("存左", (1, 1))] {
        let (retains, releases, text) = counts(&o, name);
        assert_eq!((retains, releases), traffic, "{text}");
    }
    assert_eq!(run(&src), "2 2\n");
}
