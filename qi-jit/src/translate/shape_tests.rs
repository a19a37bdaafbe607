//! The shape of the Cranelift IR `Translator` makes: how many blocks. Blocks are what
//! register allocation and the rest of Cranelift pay for, so compile time follows them
//! (benches/README.md, "Compile time per function").

use super::{Linker, Translator};
use crate::runtime_calls::{self, RtFn};
use cranelift_codegen::ir::{
    self as clif, ExtFuncData, ExternalName, InstBuilder, UserExternalName,
};
use cranelift_codegen::isa::CallConv;
use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext};

/// Imports every function under a made-up name: enough to build IR, not to link it.
struct ImportAll<'m> {
    module: &'m qi_ir::Module,
}

fn import(b: &mut FunctionBuilder, index: u32, sig: clif::Signature) -> clif::FuncRef {
    let signature = b.import_signature(sig);
    let name = b.func.declare_imported_user_function(UserExternalName { namespace: 0, index });
    b.import_function(ExtFuncData {
        name: ExternalName::user(name),
        signature,
        colocated: false,
        patchable: false,
    })
}

impl Linker for ImportAll<'_> {
    fn qi_func(&mut self, b: &mut FunctionBuilder, f: qi_ir::FuncId) -> clif::FuncRef {
        let sig = crate::qi_signature(&self.module.functions[f.index()], CallConv::SystemV);
        import(b, f.index() as u32, sig)
    }
    fn rt_func(&mut self, b: &mut FunctionBuilder, f: RtFn) -> clif::FuncRef {
        import(b, 1 << 20, runtime_calls::signature(f, CallConv::SystemV))
    }
    fn str_literal(&mut self, _: qi_ir::StrId) -> i64 {
        0x1000
    }
    fn global_slot(&mut self, _: qi_ir::GlobalId) -> i64 {
        0x2000
    }
    fn record_desc(&mut self, _: qi_ir::LayoutId) -> i64 {
        0x3000
    }
    fn global_name(&mut self, _: qi_ir::GlobalId) -> i64 {
        0x4000
    }
    fn foreign_addr(&mut self, _: qi_ir::ForeignId) -> i64 {
        0x5000
    }
    fn callback(
        &mut self,
        b: &mut FunctionBuilder,
        f: qi_ir::FuncId,
        _: &qi_ir::CallbackSig,
    ) -> clif::Value {
        // Only the block count matters here: the function's own address stands in.
        let func = self.qi_func(b, f);
        b.ins().func_addr(clif::types::I64, func)
    }
}

/// The Cranelift IR function `name` of `source` translates to.
fn translated(source: &str, name: &str) -> clif::Function {
    translated_with(source, name, true)
}

/// As [`translated`], with the IR optimisations (`optimise`) or without them (`--no-opt`).
fn translated_with(source: &str, name: &str, optimise: bool) -> clif::Function {
    translated_at(source, name, optimise, None)
}

/// As [`translated_with`]; with `osr`, the on-stack-replacement variant entered at that
/// IR block.
fn translated_at(source: &str, name: &str, optimise: bool, osr: Option<u32>) -> clif::Function {
    let parse = qi_syntax::parse(source);
    assert!(parse.errors.is_empty(), "{:?}", parse.errors);
    let checked = qi_ir::check(&parse.tree(), source, "shape.qi");
    assert!(checked.diagnostics.is_empty(), "{:?}", checked.diagnostics);
    let module = qi_ir::opt::runnable(checked.module.unwrap(), optimise).unwrap();
    let f = module.functions.iter().find(|f| f.name == name).unwrap();
    let frontend = crate::isa(&crate::Options::default()).unwrap().frontend_config();
    let signature = match osr {
        Some(_) => super::osr_signature(f, CallConv::SystemV),
        None => crate::qi_signature(f, CallConv::SystemV),
    };
    let mut func = clif::Function::with_name_signature(Default::default(), signature);
    let mut fctx = FunctionBuilderContext::new();
    let mut linker = ImportAll { module: &module };
    let b = FunctionBuilder::new(&mut func, &mut fctx);
    let mut translator = Translator::new(&module, f, b, &mut linker, false);
    translator.osr_entry = osr.map(qi_ir::BlockId);
    translator.translate(frontend);
    func
}

/// The Cranelift blocks of `func` in the order Cranelift lays them out for register
/// allocation (the reverse postorder of its depth-first walk from the entry).
fn layout_order(func: &clif::Function) -> Vec<clif::Block> {
    let cfg = cranelift_codegen::flowgraph::ControlFlowGraph::with_function(func);
    let domtree = cranelift_codegen::dominator_tree::DominatorTree::with_function(func, &cfg);
    domtree.cfg_postorder().iter().rev().copied().collect()
}

#[test]
fn an_osr_variant_keeps_the_block_order_of_its_function() {
    // Entered at an inner loop's header alone, the walk put the rest of the nest between
    // that loop's header and its body, and the register allocator, which estimates loop
    // depth from this order, spilled the inner loop's counters (fannkuch's swap loop).
    let source = "函数 f(n: 整数): 整数 {
        变量 s = 0;
        对于 i 在 0..n {
            变量 lo = 0;
            变量 hi = i;
            当 lo < hi {
                s += lo * hi;
                lo += 1;
                hi -= 1;
            }
        }
        返回 s;
    }
    函数 入口() {}";
    let whole = layout_order(&translated(source, "f"));
    // Cranelift block k + 1 is IR block k in both translations.
    let entries: Vec<usize> =
        (1..whole.len()).filter(|&k| whole.iter().any(|b| b.as_u32() as usize == k + 1)).collect();
    let mut checked = 0;
    for k in entries {
        let variant = layout_order(&translated_at(source, "f", true, Some(k as u32)));
        let Some(at) = variant.iter().position(|b| b.as_u32() as usize == k + 1) else {
            continue;
        };
        let common: Vec<_> = whole.iter().filter(|b| variant.contains(b)).collect();
        let ordered: Vec<_> = variant.iter().filter(|b| whole.contains(b)).collect();
        assert_eq!(ordered, common, "variant entered at b{k} (its block {at})");
        checked += 1;
    }
    assert!(checked > 2);
}

/// The number of Cranelift blocks function `name` of `source` translates to.
fn blocks(source: &str, name: &str) -> usize {
    translated(source, name).layout.blocks().count()
}

/// The number of instructions of function `name` of `source` whose opcode is `wanted`.
fn count(source: &str, name: &str, wanted: impl Fn(clif::Opcode) -> bool) -> usize {
    let func = translated(source, name);
    let blocks = func.layout.blocks();
    let insts = blocks.flat_map(|b| func.layout.block_insts(b).collect::<Vec<_>>());
    insts.filter(|i| wanted(func.dfg.insts[*i].opcode())).count()
}

/// The number of integer and float constants of function `name` of `source`.
fn constants(source: &str, name: &str) -> usize {
    count(source, name, |op| matches!(op, clif::Opcode::Iconst | clif::Opcode::F64const))
}

#[test]
fn a_straight_line_of_calls_shares_blocks() {
    // Every call may raise, so the IR ends a block after each one, and jumps to the
    // next; those blocks (each with a single way in) continue the block before them.
    let source = "函数 一(x: 整数): 整数 {
    如果 x > 100 { 抛出 \"大\"; }
    返回 x + 1;
}
函数 串(x: 整数): 整数 {
    返回 一(一(一(一(x))));
}
函数 入口() { 打印行(串(1)); }
";
    // Before: 52 blocks. The exception exits (cold) keep their own blocks.
    assert_eq!(blocks(source, "串"), 36);
}

#[test]
fn releasing_a_local_before_its_first_value_makes_no_code() {
    // `t` is released before it is first assigned (the IR releases a local's old value on
    // every assignment); it is null then, and that needs no test.
    let source = "函数 同(s: 字符串): 字符串 {
    变量 t = s;
    返回 t;
}
函数 入口() { 打印行(同(\"字\")); }
";
    // Unoptimised: the IR's own passes drop that release (opt/borrow.rs) and borrow `t`
    // (opt/frozen.rs), so only `--no-opt` code still reaches the translator with it.
    // Before: 26 blocks (25 with the straight lines merged); the release of the null `t`
    // took four of them.
    assert_eq!(translated_with(source, "同", false).layout.blocks().count(), 20);
}

#[test]
fn locals_start_from_one_zero_per_type() {
    // Every local that is not a parameter starts as zero (null for objects): one constant
    // of each machine type in the entry block serves them all.
    let source = "函数 多(n: 整数): 整数 {
    变量 a = n + 1;
    变量 b = a * 2;
    变量 c = b - a;
    变量 d = c + b * a;
    变量 x = 0.5;
    变量 y = x * 2.0;
    如果 y > 1.0 { d += 1; }
    返回 d;
}
函数 入口() { 打印行(多(1)); }
";
    // Before: 26 constants (one zero per local that is not a parameter, besides the
    // literals and source positions).
    assert_eq!(constants(source, "多"), 14);
}

/// The number of conditional branches of function `name` of `source`.
fn branches(source: &str, name: &str) -> usize {
    count(source, name, |op| op == clif::Opcode::Brif)
}

#[test]
fn only_an_innermost_loop_ends_in_a_copy_of_its_test() {
    // Rotation: the inner loop's jump back becomes its test, one more branch; the outer
    // loop keeps its jump back (rotating it changed how fannkuch's whole nest was
    // allocated registers, and cost 24 %).
    let nest = "函数 f(n: 整数): 整数 {
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
    // Before rotation: 2, one test per loop.
    assert_eq!(branches(nest, "f"), 3);
    // Loops side by side are each innermost: before rotation 2, one test each.
    let side_by_side = "函数 f(n: 整数): 整数 {
        变量 s = 0;
        对于 i 在 0..n { s += i; }
        对于 i 在 0..n { s -= i * i; }
        返回 s;
    }
    函数 入口() { 打印行(f(4)); }";
    assert_eq!(branches(side_by_side, "f"), 4);
    // A loop that divides floats is not rotated (spectral's ran 5 % slower rotated).
    let divides = "函数 f(n: 整数): 浮点数 {
        变量 s = 0.0;
        对于 i 在 0..n { s += 1.0 / (i + 1); }
        返回 s;
    }
    函数 入口() { 打印行(f(4)); }";
    assert_eq!(branches(divides, "f"), 1);
}

fn selects(source: &str, name: &str) -> usize {
    count(source, name, |op| op == clif::Opcode::Select)
}

#[test]
fn a_small_update_in_an_innermost_loop_is_a_select() {
    // Sieve's count: the branch on irregular data becomes a conditional move of `n`
    // alone (the temporary `n + 1` goes in, only the arm reads it); the loop keeps its
    // test and the copy of it that rotation puts at the end of the body.
    let counts = "函数 f(a: 数组<整数>): 整数 {
        变量 n = 0;
        对于 i 在 0..长度(a) {
            如果 a[i] > 0 { n += 1; }
        }
        返回 n;
    }
    函数 入口() {}";
    assert_eq!((selects(counts, "f"), branches(counts, "f")), (1, 2));
    // The arm may be the else branch, and the value a bool.
    let else_arm = "函数 f(a: 数组<整数>): 布尔 {
        变量 有 = 假;
        对于 i 在 0..长度(a) {
            如果 a[i] >= 0 {} 否则 { 有 = 真; }
        }
        返回 有;
    }
    函数 入口() {}";
    assert_eq!((selects(else_arm, "f"), branches(else_arm, "f")), (1, 2));
    // A division may raise, so it only runs when the branch says so.
    let divides = "函数 f(a: 数组<整数>): 整数 {
        变量 q = 0;
        对于 i 在 0..长度(a) {
            如果 a[i] != 0 { q = 100 / a[i]; }
        }
        返回 q;
    }
    函数 入口() {}";
    assert_eq!(selects(divides, "f"), 0);
    // Outside innermost loops branches stay: fannkuch's maximum in its outer loop ran
    // 7 % slower as a select.
    let outer = "函数 f(n: 整数): 整数 {
        变量 m = 0;
        对于 i 在 0..n {
            变量 s = 0;
            对于 j 在 0..i { s += j; }
            如果 s > m { m = s; }
        }
        返回 m;
    }
    函数 入口() {}";
    assert_eq!(selects(outer, "f"), 0);
}
