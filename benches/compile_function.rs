//! Criterion benchmarks of Cranelift compile time (issue 14, point 2).
//!
//! * `compile_function` — one function of about 50, 200 and 1,000 IR instructions
//!   (`qi_benches::generate_shaped_program`: loops indexing arrays, branches, integer and
//!   float arithmetic, struct fields, calls, strings). The program holds enough copies of
//!   the function for about 10,000 IR instructions; each iteration compiles it with
//!   `qi_jit::compile` and counts the engine's own compile time (`qi_jit::stats`:
//!   translation to Cranelift IR and Cranelift's compilation of every function) divided
//!   by the number of copies, so the time reported is per function, and the throughput
//!   is in IR instructions.
//! * `compile_module` — the whole-module compile (`qi_jit::compile`, wall clock, IR
//!   optimisations and linking included) of a generated program of about 50,000 lines
//!   (`qi_benches::generate_program`), throughput in IR instructions.
//!
//! ```sh
//! cargo bench -p qi-benches --bench compile_function -- --warm-up-time 1 --measurement-time 3
//! ```

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};

/// IR instructions compiled per iteration of `compile_function` (over all copies).
const IR_PER_ITERATION: usize = 10_000;

/// Functions of `generate_program` in the 50,000-line program.
const LARGE_PROGRAM_FUNCTIONS: usize = 3_620;

fn options() -> qi_jit::Options {
    qi_jit::Options { verify: false, ..Default::default() }
}

fn compile_function(c: &mut Criterion) {
    let opts = options();
    let mut g = c.benchmark_group("compile_function");
    for target in [50, 200, 1000] {
        let (statements, size) = qi_benches::statements_for(target);
        let copies = (IR_PER_ITERATION / size).max(2);
        let text = qi_benches::generate_shaped_program(statements, copies);
        let module = qi_benches::checked_module(&text);
        eprintln!(
            "compile_function/{target}_ir: {statements} statements, {size} IR instructions \
             per function, {copies} copies"
        );
        g.throughput(Throughput::Elements(size as u64));
        g.bench_with_input(BenchmarkId::from_parameter(format!("{target}_ir")), &module, |b, m| {
            b.iter_custom(|iters| {
                let mut total = Duration::ZERO;
                for _ in 0..iters {
                    let before = qi_jit::stats::snapshot().compile_time;
                    let program = qi_jit::compile(black_box(m), &opts).expect("compiles");
                    total += qi_jit::stats::snapshot().compile_time - before;
                    program.free();
                }
                total / copies as u32
            })
        });
    }
    g.finish();
}

fn compile_module(c: &mut Criterion) {
    let opts = options();
    let text = qi_benches::generate_program(LARGE_PROGRAM_FUNCTIONS);
    let module = qi_benches::checked_module(&text);
    let runnable = qi_ir::opt::runnable(module.clone(), true).expect("valid IR");
    let ir: usize = runnable.functions.iter().map(qi_benches::ir_instructions).sum();
    eprintln!(
        "compile_module: {} lines, {} functions, {ir} IR instructions",
        text.lines().count(),
        runnable.functions.len()
    );
    let mut g = c.benchmark_group("compile_module");
    g.throughput(Throughput::Elements(ir as u64));
    // About a second per iteration.
    g.sample_size(10);
    g.bench_with_input(BenchmarkId::from_parameter("50000_lines"), &module, |b, m| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            for _ in 0..iters {
                let started = Instant::now();
                let program = qi_jit::compile(black_box(m), &opts).expect("compiles");
                total += started.elapsed();
                program.free();
            }
            total
        })
    });
    g.finish();
}

criterion_group!(benches, compile_function, compile_module);
criterion_main!(benches);
