//! The conformance suite under the interpreter tier (`QI_JIT=off`): every program must
//! give the same stdout, stderr and exit status as its expectation files.

#[path = "conformance.rs"]
mod conformance;

fn main() {
    conformance::run_suite(Some("off".into()), &[]);
}
