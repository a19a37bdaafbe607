//! Print the program of a seed (as the smoke test makes it) or of a fuzzer input file:
//! `cargo run -p qi-fuzz-gen --example show -- 17` or `… -- fuzz/artifacts/tiers/crash-…`.

fn main() {
    let arg = std::env::args().nth(1).expect("a seed or a file");
    let bytes = match arg.parse::<u64>() {
        Ok(seed) => qi_fuzz_gen::seed_bytes(seed, qi_fuzz_gen::SEED_BYTES),
        Err(_) => std::fs::read(&arg).expect("a readable file"),
    };
    print!("{}", qi_fuzz_gen::generate(&bytes));
}
