//! Links `qi` as a position-dependent executable on Linux: a position-independent one
//! makes the dynamic loader apply about 22,000 relative relocations at every start and
//! copy the pages they touch (about 0.25 ms of `hello`, benches/README.md). The
//! libraries, heap and stacks are still placed at random addresses.

fn main() {
    if std::env::var("CARGO_CFG_TARGET_OS").as_deref() == Ok("linux") {
        println!("cargo:rustc-link-arg-bin=qi=-no-pie");
    }
}
