//! Even halving (`opt/parity.rs`): `x / 2` of a value proved even becomes `x >> 1` and
//! `x % 2` becomes 0; every other division by 2 stays. Each case checks the optimised IR
//! and runs the program in every tier (`common::tiers::run`: the IR as lowered too), on
//! negative and wrapping values, against the answer Rust's arithmetic gives.

mod common;

use common::optimized_module_of as optimized;
use common::tiers::{self, run};
use qi_ir::*;

#[test]
fn child_entry() {
    tiers::child_main();
}

/// The divisions and shifts by a constant in function `name`, in order: `"/2"`, `"%2"`,
/// `">>1"`.
fn halvings(m: &Module, name: &str) -> Vec<String> {
    let f = m.functions.iter().find(|f| f.name == name).expect("function");
    f.blocks
        .iter()
        .flat_map(|b| &b.insts)
        .filter_map(|i| match i {
            Inst::Assign { value: Value::Binary(op, _, Operand::Int(c)), .. } => match op {
                BinOp::IDiv => Some(format!("/{c}")),
                BinOp::IRem => Some(format!("%{c}")),
                BinOp::IShr => Some(format!(">>{c}")),
                _ => None,
            },
            _ => None,
        })
        .collect()
}

/// `试(a, b)` returning `expr`, printed for each pair of `pairs`.
fn program(body: &str, pairs: &[(i64, i64)]) -> String {
    let calls: String = pairs.iter().map(|(a, b)| format!("打印行(试({a}, {b}));\n")).collect();
    format!(
        "函数 试(a: 整数, b: 整数): 整数 {{
             {body}
         }}
         函数 入口() {{
             {calls}
         }}"
    )
}

/// Values around zero and where `a * (a + 1)` wraps past 2⁶³.
const PAIRS: [(i64, i64); 6] =
    [(0, 0), (3, 4), (-7, 3), (-1, -1), (3_037_000_500, 0), (i64::MAX, i64::MIN + 5)];

fn expected(f: impl Fn(i64, i64) -> i64) -> String {
    PAIRS.iter().map(|&(a, b)| format!("{}\n", f(a, b))).collect()
}

#[test]
fn a_triangular_number_is_halved_with_a_shift() {
    let src = program("返回 (a + b) * (a + b + 1) / 2;", &PAIRS);
    assert_eq!(halvings(&optimized(&src), "试"), [">>1"]);
    let t = |a: i64, b: i64| {
        let n = a.wrapping_add(b);
        n.wrapping_mul(n.wrapping_add(1)) / 2
    };
    assert_eq!(run(&src), expected(t));
}

#[test]
fn the_remainder_of_an_even_product_is_zero() {
    let src = program("变量 t = a - 1; 返回 t * a % 2 + a * 6 % 2 + (a << 3) % 2;", &PAIRS);
    assert!(halvings(&optimized(&src), "试").is_empty());
    assert_eq!(run(&src), expected(|_, _| 0));
}

#[test]
fn parities_follow_copies_and_reassignments_in_the_block() {
    // `t` is `a + 1` when multiplied; then `a` changes, so `a * u` proves nothing.
    let src = program(
        "变量 t = a;
         t = t + 1;
         变量 p = a * t / 2;
         变量 u = a + 1;
         a = b;
         返回 p + a * u / 2;",
        &PAIRS,
    );
    assert_eq!(halvings(&optimized(&src), "试"), [">>1", "/2"]);
    let t = |a: i64, b: i64| {
        let u = a.wrapping_add(1);
        (a.wrapping_mul(u) / 2).wrapping_add(b.wrapping_mul(u) / 2)
    };
    assert_eq!(run(&src), expected(t));
}

#[test]
fn products_not_proved_even_keep_their_division() {
    let src = program(
        "变量 x = a * b / 2;
         变量 y = a * (a + 2) / 2;
         变量 z = (a + 1) * (b + 1) / 2;
         变量 w = a * a % 2;
         返回 x + y + z + w;",
        &PAIRS,
    );
    assert_eq!(halvings(&optimized(&src), "试"), ["/2", "/2", "/2", "%2"]);
    let t = |a: i64, b: i64| {
        let x = a.wrapping_mul(b) / 2;
        let y = a.wrapping_mul(a.wrapping_add(2)) / 2;
        let z = a.wrapping_add(1).wrapping_mul(b.wrapping_add(1)) / 2;
        let w = a.wrapping_mul(a) % 2;
        x.wrapping_add(y).wrapping_add(z).wrapping_add(w)
    };
    assert_eq!(run(&src), expected(t));
}

#[test]
fn a_value_from_another_block_is_an_unknown_of_its_own() {
    // `n` is assigned in each branch; the product after the join proves nothing, and
    // the one in a branch sees the branch's value.
    let src = program(
        "变量 n = 0;
         如果 a > b { n = a; } 否则 { n = a + 1; }
         变量 p = n * (a + 1) / 2;
         如果 a > b { p = p + n * (n - 1) / 2; }
         返回 p;",
        &PAIRS,
    );
    assert_eq!(halvings(&optimized(&src), "试"), ["/2", ">>1"]);
    let t = |a: i64, b: i64| {
        let n = if a > b { a } else { a.wrapping_add(1) };
        let mut p = n.wrapping_mul(a.wrapping_add(1)) / 2;
        if a > b {
            p = p.wrapping_add(n.wrapping_mul(n.wrapping_sub(1)) / 2);
        }
        p
    };
    assert_eq!(run(&src), expected(t));
}
