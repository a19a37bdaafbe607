//! qi-fuzz-gen: differential testing of the execution tiers.
//!
//! * `bytes` — the choices a program is made of: fuzzer input, or bytes from a seed.
//! * `program` — a random well-typed Qi program that always terminates.
//! * `tiers` — running one program with `qi run` in several modes and comparing what
//!   each did (stdout, stderr, exit status, objects left alive).
//!
//! Used by the cargo-fuzz target `fuzz/fuzz_targets/tiers.rs` and by the smoke test
//! `qi-cli/tests/tiers_fuzz.rs` (a few hundred seeds on every `cargo test`).

pub mod bytes;
pub mod program;
pub mod tiers;

pub use bytes::{seed_bytes, Bytes};

/// How many bytes of a seed make a program (`seed_bytes`): more than any program uses.
pub const SEED_BYTES: usize = 4096;
pub use program::{generate, generate_counted};
pub use tiers::{compare, Mismatch, Mode, RunResult, MODES};
