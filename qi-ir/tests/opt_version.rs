//! Loop versioning (`opt/version.rs`): an innermost loop whose checks the bounds facts
//! cannot prove gets an unchecked copy, entered when tests made before the loop hold;
//! the original loop keeps its checks. Each case checks the optimised IR and runs the
//! program in every tier (`common::tiers::run`: same output everywhere, every object
//! freed), on inputs that take the copy and inputs that take the original.

mod common;

use common::access_checks;
use common::optimized_module_of as optimized;
use common::tiers::{self, run};
use qi_ir::*;

#[test]
fn child_entry() {
    tiers::child_main();
}

/// How many array lengths function `name` reads (the versioning tests read one each).
fn lengths_read(m: &Module, name: &str) -> usize {
    let f = m.functions.iter().find(|f| f.name == name).expect("function");
    f.blocks
        .iter()
        .flat_map(|b| &b.insts)
        .filter(|i| matches!(i, Inst::Assign { value: Value::ArrayLen(_), .. }))
        .count()
}

/// `试(a, n)` with `body`, called on a 4-element array with each `n` of `ns` (caught).
fn program(body: &str, ns: &[i64]) -> String {
    let calls: String = ns
        .iter()
        .map(|n| format!("尝试 {{ 打印行(试(一到(4), {n})); }} 捕获 e {{ 打印行(e); }}\n"))
        .collect();
    format!(
        "函数 一到(n: 整数): 数组<整数> {{
             变量 a = 数组<整数>(n);
             对于 i 在 0..n {{ a[i] = i + 1; }}
             返回 a;
         }}
         函数 试(a: 数组<整数>, n: 整数): 整数 {{
             变量 和 = 0;
             {body}
             返回 和;
         }}
         函数 入口() {{
             {calls}
         }}"
    )
}

#[test]
fn a_loop_bounded_by_a_parameter_gets_an_unchecked_copy() {
    // Noinline: the loop must stay in `试` (a call in the loop keeps it too big to inline).
    let src = program("对于 j 在 0..n { 和 += a[j] * 10 + j; 打印(j); } 打印行(\"\");", &[4, 2, 5]);
    let o = optimized(&src);
    // The original loop's access, then the copy's.
    assert_eq!(access_checks(&o, "试"), [true, false]);
    // One test: `n <= 长度(a)` (`0 <= j` is known, `j = 0`).
    assert_eq!(lengths_read(&o, "试"), 1);
    assert_eq!(run(&src), "0123\n106\n01\n31\n0123下标越界：下标 4，长度 4\n");
}

#[test]
fn a_stride_loop_needing_only_a_sign_test_gets_an_unchecked_copy() {
    // sieve's marking loop: `j` starts at `i * i`, steps by `i`, which an earlier access
    // bounds by the length; the copy is entered when `0 <= j`, a test without a length
    // (once slower than no copy, faster since innermost loops are rotated:
    // `opt/version.rs`). Where `j` starts negative, the original loop raises.
    let src = program(
        "变量 i = n;
         如果 a[i] > 0 {
             变量 j = i * i - 3;
             当 j < 长度(a) { 和 += a[j]; j += i; }
         }",
        &[1, 2, 3, 4],
    );
    let o = optimized(&src);
    // `a[i]`, the original loop's access, then the copy's.
    assert_eq!(access_checks(&o, "试"), [true, true, false]);
    assert_eq!(run(&src), "下标越界：下标 -2，长度 4\n6\n0\n下标越界：下标 4，长度 4\n");
}

#[test]
fn a_reversal_bounded_by_an_element_gets_an_unchecked_copy() {
    // fannkuch's flips: `hi` starts at a value read from the array.
    let src = program(
        "变量 lo = 0;
         变量 hi = n;
         当 lo < hi {
             变量 t = a[lo];
             a[lo] = a[hi];
             a[hi] = t;
             lo += 1;
             hi -= 1;
         }
         和 = 看(a);",
        &[3, 2, 4, -1],
    )
    .replace(
        "函数 入口()",
        "函数 看(a: 数组<整数>): 整数 { 返回 a[0] * 1000 + a[1] * 100 + a[2] * 10 + a[3]; }
         函数 入口()",
    );
    let o = optimized(&src);
    // Original: both reads checked (the stores follow reads of the same index); copy: none.
    let checks = access_checks(&o, "试");
    assert_eq!(checks.iter().filter(|c| **c).count(), 2, "{checks:?}");
    assert_eq!(checks.len(), 8, "{checks:?}");
    assert_eq!(lengths_read(&o, "试"), 1);
    assert_eq!(run(&src), "4321\n3214\n下标越界：下标 4，长度 4\n1234\n");
}

#[test]
fn loops_that_cannot_be_proved_even_after_tests_are_not_copied() {
    let cases = [
        // The array is replaced inside the loop.
        "对于 i 在 0..n { 如果 i == 2 { a = 一到(1); } 和 += a[i]; }",
        // The counter steps by a value no length bounds.
        "变量 i = 0; 当 i < n { 和 += a[i]; i += n; }",
        // The counter goes down below zero.
        "变量 i = n; 当 i < 长度(a) { 和 += a[i]; i -= 1; }",
    ];
    let outputs = ["下标越界：下标 2，长度 1\n", "1\n", "下标越界：下标 -1，长度 4\n"];
    for (body, output) in cases.into_iter().zip(outputs) {
        let src = program(body, &[3]);
        let o = optimized(&src);
        let checks = access_checks(&o, "试");
        // One access, checked: no copy.
        assert_eq!(checks, [true], "{body}");
        assert_eq!(run(&src), output, "{body}");
    }
}
