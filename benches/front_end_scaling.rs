//! Criterion benchmarks that show the front end's time growing linearly with its input
//! on the inputs that used to make it quadratic (issue 9, point 3):
//!
//! * `syntax_chain` — `qi_syntax::parse` of `变量 x = 1+1+…+1;` with 10k, 40k and 100k
//!   terms (what `qi check --syntax` does; the chain is reported at the nesting limit and
//!   the rest skipped);
//! * `syntax_chunked_chain` — the same number of terms in statements of 200 terms: valid,
//!   200-level-deep trees (rowan's node cache used to rehash such subtrees whole);
//! * `check_undefined_names` — `qi_ir::check` of an `入口` using 10k, 40k and 100k
//!   different undefined names (one diagnostic each; reporting each once used to compare
//!   every new diagnostic with all earlier ones).
//!
//! Throughput is in source bytes, so a linear stage shows the same throughput at every
//! size.
//!
//! ```sh
//! cargo bench -p qi-benches --bench front_end_scaling -- --warm-up-time 1 --measurement-time 3
//! ```

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};

const SIZES: [usize; 3] = [10_000, 40_000, 100_000];

fn front_end_scaling(c: &mut Criterion) {
    let mut g = c.benchmark_group("syntax_chain");
    g.sample_size(10);
    for n in SIZES {
        let text = qi_benches::generate_chain(n);
        g.throughput(Throughput::Bytes(text.len() as u64));
        g.bench_with_input(BenchmarkId::from_parameter(n), text.as_str(), |b, text| {
            b.iter(|| qi_syntax::parse(black_box(text)))
        });
    }
    g.finish();

    let mut g = c.benchmark_group("syntax_chunked_chain");
    g.sample_size(10);
    for n in SIZES {
        let text = qi_benches::generate_chunked_chain(n, 200);
        g.throughput(Throughput::Bytes(text.len() as u64));
        g.bench_with_input(BenchmarkId::from_parameter(n), text.as_str(), |b, text| {
            b.iter(|| qi_syntax::parse(black_box(text)))
        });
    }
    g.finish();

    let mut g = c.benchmark_group("check_undefined_names");
    g.sample_size(10);
    for n in SIZES {
        let text = qi_benches::generate_undefined_names(n);
        let tree = qi_syntax::parse(&text).tree();
        g.throughput(Throughput::Bytes(text.len() as u64));
        g.bench_with_input(BenchmarkId::from_parameter(n), &tree, |b, tree| {
            b.iter(|| qi_ir::check(black_box(tree), black_box(&text), "generated.qi"))
        });
    }
    g.finish();
}

criterion_group!(benches, front_end_scaling);
criterion_main!(benches);
