//! `qi_ir::cfg`: reverse postorder and the headers of innermost loops, on lowered programs.

mod common;

use common::module_of;
use qi_ir::cfg::{innermost_loop_headers, reverse_postorder};

/// The loop headers of function `name` (blocks an edge from a block no earlier in reverse
/// postorder returns to), each with whether it heads an innermost loop.
fn headers(src: &str, name: &str) -> Vec<(usize, bool)> {
    let m = module_of(src);
    let f = m.functions.iter().find(|f| f.name == name).expect("function");
    let (_, rank) = reverse_postorder(f);
    let innermost = innermost_loop_headers(f);
    let mut headers: Vec<usize> = Vec::new();
    for (b, block) in f.blocks.iter().enumerate() {
        for s in block.term.successors() {
            let h = s.index();
            if rank[b] != usize::MAX && rank[h] <= rank[b] && !headers.contains(&h) {
                headers.push(h);
            }
        }
    }
    headers.sort_by_key(|&h| rank[h]);
    headers.into_iter().map(|h| (h, innermost[h] == Some(h))).collect()
}

#[test]
fn of_a_nest_only_the_inner_loop_is_innermost() {
    let src = "函数 f(n: 整数): 整数 {
        变量 s = 0;
        对于 i 在 0..n {
            变量 j = 0;
            当 j < i {
                s += j;
                j += 1;
            }
        }
        返回 s;
    }
    函数 入口() { 打印行(f(4)); }";
    let flags: Vec<bool> = headers(src, "f").into_iter().map(|(_, inner)| inner).collect();
    assert_eq!(flags, [false, true]);
}

#[test]
fn loops_side_by_side_are_each_innermost() {
    let src = "函数 f(n: 整数): 整数 {
        变量 s = 0;
        对于 i 在 0..n { s += i; }
        对于 i 在 0..n { s -= i; }
        返回 s;
    }
    函数 入口() { 打印行(f(4)); }";
    let flags: Vec<bool> = headers(src, "f").into_iter().map(|(_, inner)| inner).collect();
    assert_eq!(flags, [true, true]);
}

#[test]
fn three_deep_with_two_inner_loops() {
    let src = "函数 f(n: 整数): 整数 {
        变量 s = 0;
        当 真 {
            当 s < n {
                对于 i 在 0..n { s += i; }
                s += 1;
            }
            对于 k 在 0..3 { s -= k; }
            如果 s > 100 { 跳出; }
            s += n;
        }
        返回 s;
    }
    函数 入口() { 打印行(f(4)); }";
    let flags: Vec<bool> = headers(src, "f").into_iter().map(|(_, inner)| inner).collect();
    // 当 真, 当 s < n, its 对于, then the second 对于 (reverse postorder).
    assert_eq!(flags.len(), 4, "{flags:?}");
    assert_eq!(flags.iter().filter(|&&x| x).count(), 2, "{flags:?}");
    assert!(!flags[0] && !flags[1], "{flags:?}");
}

#[test]
fn straight_code_has_no_innermost_loop() {
    let src = "函数 f(n: 整数): 整数 {
        如果 n > 2 { 返回 n; }
        返回 n + 1;
    }
    函数 入口() { 打印行(f(4)); }";
    let m = module_of(src);
    let f = m.functions.iter().find(|f| f.name == "f").unwrap();
    assert!(innermost_loop_headers(f).iter().all(Option::is_none));
}
