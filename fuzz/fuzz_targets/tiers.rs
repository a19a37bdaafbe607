//! Differential fuzzing of the execution tiers: the input bytes choose a random well-typed
//! Qi program (`qi-fuzz-gen`), which `qi run` runs in every mode of `qi_fuzz_gen::MODES`
//! (interpreter, eager JIT, interpreter on the unoptimised IR). Any difference in stdout,
//! stderr or exit status, an object left alive, a hang or a rejected program is a crash.
//!
//! It runs the `qi` binary named by `QI_BIN` (default `../target/release/qi`, built by
//! `cargo build --release -p qi-cli` at the top of the repository): see fuzz/README.md.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::path::PathBuf;
use std::time::Duration;

fn qi_binary() -> PathBuf {
    let path = std::env::var_os("QI_BIN")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("../target/release/qi"));
    assert!(path.exists(), "no qi binary at {} (set QI_BIN)", path.display());
    path
}

fuzz_target!(|data: &[u8]| {
    let source = qi_fuzz_gen::generate(data);
    let file = std::env::temp_dir().join(format!("qi-fuzz-tiers-{}.qi", std::process::id()));
    std::fs::write(&file, &source).expect("write the program");
    if let Err(mismatch) = qi_fuzz_gen::compare(&qi_binary(), &file, Duration::from_secs(20)) {
        panic!("{mismatch}\n--- program\n{source}");
    }
});
