//! The bounds pass of `opt` (`opt/bounds.rs`): an access whose index the loop guard and
//! the array's creation prove in range loses its bounds check (and its unwind edge);
//! every other access keeps it. Each case checks the optimised IR and runs the program in
//! every tier (`common::tiers::run`: same output everywhere, every object freed).

mod common;

use common::access_checks;
use common::optimized_module_of as optimized;
use common::tiers::{self, run};

#[test]
fn child_entry() {
    tiers::child_main();
}

fn program(body: &str) -> String {
    format!(
        "函数 一到(n: 整数): 数组<整数> {{
             变量 a = 数组<整数>(n);
             对于 i 在 0..n {{ a[i] = i + 1; }}
             返回 a;
         }}
         函数 试(a: 数组<整数>): 整数 {{
             变量 和 = 0;
             {body}
             返回 和;
         }}
         函数 入口() {{
             尝试 {{ 打印行(试(一到(4))); }} 捕获 e {{ 打印行(e); }}
         }}"
    )
}

#[test]
fn a_loop_bounded_by_the_length_is_unchecked() {
    let src = program("对于 i 在 0..长度(a) { 和 += a[i]; }");
    let o = optimized(&src);
    assert_eq!(access_checks(&o, "试"), [false]);
    // The array made with length n, indexed below n.
    assert_eq!(access_checks(&o, "一到"), [false]);
    assert_eq!(run(&src), "10\n");
}

#[test]
fn an_array_made_with_n_plus_one_is_unchecked_up_to_n() {
    let src = program(
        "变量 n = 长度(a);
         变量 c = 数组<整数>(n + 1);
         对于 i 在 0 到 n { c[i] = i; 和 += c[i]; }",
    );
    let o = optimized(&src);
    assert_eq!(access_checks(&o, "试"), [false, false]);
    assert_eq!(run(&src), "10\n");
}

#[test]
fn a_while_loop_with_its_own_counter_is_unchecked() {
    let src = program("变量 i = 0; 当 i < 长度(a) { 和 += a[i]; i += 1; }");
    let o = optimized(&src);
    assert_eq!(access_checks(&o, "试"), [false]);
    assert_eq!(run(&src), "10\n");
}

#[test]
fn a_store_after_a_read_of_the_same_index_is_unchecked() {
    // The read raised or proved the index in range.
    let src = program("变量 k = 长度(a) - 1; 和 = a[k]; a[k] = 0; 和 += a[k];");
    let o = optimized(&src);
    assert_eq!(access_checks(&o, "试"), [true, false, false]);
    assert_eq!(run(&src), "4\n");
}

/// Loops whose accesses must keep their check, and the error each raises.
#[test]
fn accesses_not_proved_in_range_keep_their_check() {
    let cases = [
        // The bound is larger than the length.
        ("变量 n = 长度(a) + 1; 对于 i 在 0..n { 和 += a[i]; }", "下标越界：下标 4，长度 4"),
        // A negative start.
        ("对于 i 在 -1..长度(a) { 和 += a[i]; }", "下标越界：下标 -1，长度 4"),
        // Inclusive of the length.
        ("对于 i 在 0 到 长度(a) { 和 += a[i]; }", "下标越界：下标 4，长度 4"),
        // The array is replaced by a shorter one inside the loop.
        (
            "对于 i 在 0..长度(a) { 如果 i == 2 { a = 一到(1); } 和 += a[i]; }",
            "下标越界：下标 2，长度 1",
        ),
        // The index is one past the counter.
        ("对于 i 在 0..长度(a) { 和 += a[i + 1]; }", "下标越界：下标 4，长度 4"),
        // The counter steps by 2 before it is used.
        ("变量 i = 0; 当 i < 长度(a) { i += 2; 和 += a[i]; }", "下标越界：下标 4，长度 4"),
        // The counter goes down.
        (
            "变量 i = 长度(a) - 1; 当 i < 长度(a) { 和 += a[i]; i -= 1; }",
            "下标越界：下标 -1，长度 4",
        ),
        // Another array's length.
        ("变量 b = 一到(2); 对于 i 在 0..长度(a) { 和 += b[i]; }", "下标越界：下标 2，长度 2"),
    ];
    for (body, error) in cases {
        let src = program(body);
        let o = optimized(&src);
        // The loop as written keeps its check; loop versioning may add an unchecked copy
        // after it, entered only when tests before the loop prove it in range
        // (`opt_version.rs`), which these inputs do not take.
        assert_eq!(access_checks(&o, "试").first(), Some(&true), "{body}");
        assert_eq!(run(&src), format!("{error}\n"), "{body}");
    }
}
