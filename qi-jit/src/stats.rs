//! What the engine did, counted for `qi run --stats` and reported as `tracing` events
//! (`QI_LOG=debug`, `qi run --log debug`): one place every tier reports to, so the
//! counts and the log cannot disagree.
//!
//! Events use the target `qi::tier`: `interpreted` (a function's first interpretation)
//! and `compiled` (function, reason, the loop header of an on-stack-replacement variant
//! compiled with it, compile time in µs, machine-code bytes).

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

static INTERPRETED: AtomicU64 = AtomicU64::new(0);
static COMPILED: AtomicU64 = AtomicU64::new(0);
static COMPILE_NANOS: AtomicU64 = AtomicU64::new(0);
static CODE_BYTES: AtomicU64 = AtomicU64::new(0);

/// Why a function was compiled.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Reason {
    /// `--jit=eager`: every function before the program starts.
    Eager,
    /// Called often enough in the interpreter.
    HotCalls,
    /// Its loops ran often enough in the interpreter.
    HotLoop,
}

impl Reason {
    pub fn name(self) -> &'static str {
        match self {
            Reason::Eager => "eager",
            Reason::HotCalls => "hot calls",
            Reason::HotLoop => "hot loop",
        }
    }
}

/// The interpreter starts running `function` for the first time.
pub fn interpreted(function: &str) {
    INTERPRETED.fetch_add(1, Ordering::Relaxed);
    tracing::debug!(target: "qi::tier", function, "interpreted");
}

/// Cranelift compiled `function` (`bytes` of machine code) in `time`, with its
/// on-stack-replacement variant entered at IR block `osr` when there is one.
pub fn compiled(function: &str, reason: Reason, osr: Option<u32>, time: Duration, bytes: usize) {
    COMPILED.fetch_add(1, Ordering::Relaxed);
    COMPILE_NANOS.fetch_add(time.as_nanos() as u64, Ordering::Relaxed);
    CODE_BYTES.fetch_add(bytes as u64, Ordering::Relaxed);
    tracing::debug!(
        target: "qi::tier",
        function,
        reason = reason.name(),
        osr_block = osr.map(|b| format!("b{b}")),
        micros = time.as_micros() as u64,
        bytes,
        "compiled"
    );
}

/// The counts so far.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Functions the interpreter ran.
    pub interpreted: u64,
    /// Compilations by Cranelift: of a function, or of its on-stack-replacement variant.
    pub compiled: u64,
    /// Total time spent compiling.
    pub compile_time: Duration,
    /// Machine code generated, in bytes.
    pub code_bytes: u64,
}

pub fn snapshot() -> Stats {
    Stats {
        interpreted: INTERPRETED.load(Ordering::Relaxed),
        compiled: COMPILED.load(Ordering::Relaxed),
        compile_time: Duration::from_nanos(COMPILE_NANOS.load(Ordering::Relaxed)),
        code_bytes: CODE_BYTES.load(Ordering::Relaxed),
    }
}
