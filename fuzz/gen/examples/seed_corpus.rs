//! Write the seed corpus of the fuzz target: the generator input of seeds `first..first+n`,
//! each cut to the bytes its program uses.
//! `cargo run -p qi-fuzz-gen --example seed_corpus -- DIR FIRST N` (fuzz/seeds/tiers holds
//! the output for FIRST = 100000, N = 24: seeds the smoke test does not run by default).

fn main() {
    let mut args = std::env::args().skip(1);
    let dir = std::path::PathBuf::from(args.next().expect("a directory"));
    let first: u64 = args.next().and_then(|a| a.parse().ok()).expect("a first seed");
    let n: u64 = args.next().and_then(|a| a.parse().ok()).expect("a number of seeds");
    std::fs::create_dir_all(&dir).unwrap();
    for seed in first..first + n {
        let bytes = qi_fuzz_gen::seed_bytes(seed, qi_fuzz_gen::SEED_BYTES);
        let (_, used) = qi_fuzz_gen::generate_counted(&bytes);
        std::fs::write(dir.join(format!("seed{seed}")), &bytes[..used]).unwrap();
    }
}
