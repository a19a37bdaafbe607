//! The conformance suite on the IR as lowered (`QI_NO_OPT=1`), in the interpreter tier
//! (`QI_JIT=off`): every program must give the same stdout, stderr and exit status as its
//! expectation files (and free every object, as in every run of the suite), so the IR
//! optimisations (`qi_ir::opt`) change nothing a program can observe. The programs of
//! `UNOPTIMISED_NOT_YET` are ignored (programs whose expected output is that of the
//! optimised code).
//!
//! (This replaces the differential test that ran each program's IR before and after
//! optimisation in a reference interpreter under qi-ir's tests.)

#[path = "conformance.rs"]
mod conformance;

fn main() {
    conformance::EXTRA_ENV.set(vec![("QI_NO_OPT", "1")]).expect("set once");
    conformance::run_suite(Some("off".into()), &[conformance::UNOPTIMISED_NOT_YET]);
}
