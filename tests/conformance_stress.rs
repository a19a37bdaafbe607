//! The conformance suite in the tiering stress mode (`QI_JIT=stress`): every function is
//! compiled at its first call or loop-closing jump while the caller waits, so every
//! crossing between the tiers happens at a deterministic point. Every program must give
//! the same stdout, stderr and exit status as its expectation files.

#[path = "conformance.rs"]
mod conformance;

fn main() {
    conformance::run_suite(Some("stress".into()), &[]);
}
