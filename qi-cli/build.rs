//! How `qi` is linked on Linux.
//! - Position-dependent: a position-independent executable makes the dynamic loader apply
//!   about 22,000 relative relocations at every start and copy the pages they touch (about
//!   0.25 ms of `hello`, benches/README.md). The libraries, heap and stacks are still
//!   placed at random addresses.
//! - On x86-64, whose Rust toolchains link with LLD: the functions in `startup.order`
//!   (written by `startup-order.sh`: the runtime's hot functions, then those that start-up
//!   runs) are placed side by side at the head of the code, so starting a program touches
//!   about 10 pages of code instead of 40 scattered ones; and each segment starts on a
//!   page of its own (`-z separate-loadable-segments`), so the data's offsets within
//!   their pages do not change with the code's length (a 64-byte shift of them alone
//!   moved `strings` by 10 %, benches/README.md, "Start-up code packed together"). A
//!   name the build no longer has is skipped. A build told to use another linker (`-C
//!   linker…` in `RUSTFLAGS`) gets the default layout.

fn main() {
    println!("cargo:rerun-if-changed=startup.order");
    let cfg = |key: &str| std::env::var(key).unwrap_or_default();
    if cfg("CARGO_CFG_TARGET_OS") != "linux" {
        return;
    }
    let link_arg = |arg: &str| println!("cargo:rustc-link-arg-bin=qi={arg}");
    link_arg("-no-pie");
    let lld = cfg("CARGO_CFG_TARGET_ARCH") == "x86_64"
        && cfg("CARGO_CFG_TARGET_ENV") == "gnu"
        && !cfg("CARGO_ENCODED_RUSTFLAGS").contains("linker");
    if lld {
        let order = format!("{}/startup.order", cfg("CARGO_MANIFEST_DIR"));
        link_arg(&format!("-Wl,--symbol-ordering-file={order}"));
        link_arg("-Wl,--no-warn-symbol-ordering");
        link_arg("-Wl,-z,separate-loadable-segments");
    }
}
