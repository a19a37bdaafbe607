//! The conformance suite with every function compiled before `入口` starts
//! (`QI_JIT=eager`): every program must give the same stdout, stderr and exit status as
//! its expectation files.

#[path = "conformance.rs"]
mod conformance;

fn main() {
    conformance::run_suite(Some("eager".into()), &[]);
}
