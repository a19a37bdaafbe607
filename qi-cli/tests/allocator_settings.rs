//! The allocator's compile-time settings that `qi`'s start-up depends on
//! (`.cargo/config.toml`, benches/README.md "Start-up: what is left"): mimalloc reserves
//! its arenas 64 MiB at a time, and still reads its `MIMALLOC_*` options from the
//! environment (now with `getenv`).
#![cfg(feature = "mimalloc")]

use std::process::Command;

/// mimalloc's `arena_reserve` option as `qi run -e ''` reports it (`MIMALLOC_VERBOSE=1`
/// prints every option at start), with `extra` added to the environment.
fn arena_reserve(extra: &[(&str, &str)]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_qi"))
        .args(["run", "-e", ""])
        .env("MIMALLOC_VERBOSE", "1")
        .envs(extra.iter().copied())
        .output()
        .expect("qi starts");
    assert!(out.status.success(), "{out:?}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    stderr
        .lines()
        .find_map(|line| line.split("option 'arena_reserve': ").nth(1))
        .unwrap_or_else(|| panic!("no arena_reserve line in:\n{stderr}"))
        .trim()
        .to_string()
}

#[test]
fn arenas_are_reserved_64_mib_at_a_time() {
    // The default 1 GiB arena's bitmaps took 42 page faults of every start.
    assert_eq!(arena_reserve(&[]), "65536 KiB");
}

#[test]
fn the_environment_still_sets_the_options() {
    assert_eq!(arena_reserve(&[("MIMALLOC_ARENA_RESERVE", "128MiB")]), "131072 KiB");
    assert_eq!(arena_reserve(&[("mimalloc_arena_reserve", "32MiB")]), "32768 KiB");
}
