//! Criterion benchmarks of the three front-to-back pipeline stages on one large generated
//! program (see `qi_benches::generate_program`):
//!
//! * `lex_parse` — `qi_syntax::parse` (lexer + parser, lossless tree);
//! * `check_lower` — `qi_ir::check` on the parsed tree (name resolution, types, IR);
//! * `cranelift_compile` — `qi_jit::compile` of the checked module with the Cranelift
//!   verifier off, freeing the machine code after every iteration.
//!
//! Throughput is reported in source bytes. The program has `QI_BENCH_FUNCTIONS`
//! functions (default 1000).
//!
//! ```sh
//! cargo bench -p qi-benches --bench pipeline -- --warm-up-time 1 --measurement-time 3
//! ```

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};

fn functions() -> usize {
    std::env::var("QI_BENCH_FUNCTIONS").ok().and_then(|v| v.parse().ok()).unwrap_or(1000)
}

fn pipeline(c: &mut Criterion) {
    let n = functions();
    let text = qi_benches::generate_program(n);
    let bytes = text.len() as u64;
    let lines = text.lines().count();
    eprintln!("generated program: {n} functions, {lines} lines, {bytes} bytes");

    // Parse and check once up front, both to feed the later stages and to fail loudly
    // (instead of benchmarking error paths) if the generator ever produces bad code.
    let parse = qi_syntax::parse(&text);
    assert!(parse.errors.is_empty(), "generated program has syntax errors: {:?}", parse.errors);
    let tree = parse.tree();
    let checked = qi_ir::check(&tree, &text, "generated.qi");
    assert!(
        checked.diagnostics.is_empty(),
        "generated program has diagnostics: {:?}",
        checked.diagnostics
    );
    let module = checked.module.expect("a clean check produces a module");
    let opts = qi_jit::Options { verify: false, ..Default::default() };

    let id = BenchmarkId::from_parameter(format!("{n}_functions"));

    let mut g = c.benchmark_group("lex_parse");
    g.throughput(Throughput::Bytes(bytes));
    g.bench_with_input(id.clone(), text.as_str(), |b, text| {
        b.iter(|| qi_syntax::parse(black_box(text)))
    });
    g.finish();

    let mut g = c.benchmark_group("check_lower");
    g.throughput(Throughput::Bytes(bytes));
    g.bench_with_input(id.clone(), &tree, |b, tree| {
        b.iter(|| qi_ir::check(black_box(tree), black_box(&text), "generated.qi"))
    });
    g.finish();

    let mut g = c.benchmark_group("cranelift_compile");
    g.throughput(Throughput::Bytes(bytes));
    // One iteration takes a large fraction of a second: fewer, longer samples.
    g.sample_size(10);
    g.bench_with_input(id, &module, |b, module| {
        b.iter(|| {
            let program =
                qi_jit::compile(black_box(module), &opts).expect("generated program compiles");
            program.free();
        })
    });
    g.finish();
}

criterion_group!(benches, pipeline);
criterion_main!(benches);
