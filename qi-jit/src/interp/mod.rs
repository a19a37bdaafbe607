//! The interpreter tier: runs the optimised IR of each function directly over its locals
//! array, calling the same `qi-rt` entry points as generated code (the `runtime_calls`
//! table), so that output, reference counts, exceptions and Qi stack traces are the
//! JIT's. How it fits with the JIT is in docs/ARCHITECTURE.md ("Execution tiers").
//!
//! * `native` — calling a runtime entry point by address.
//! * `program` — what a run needs: the module, literals, record descriptors, globals,
//!   the runtime functions resolved once.
//! * `code` — the decoded form of a function: one flat array of ops.
//! * `decode` — decoding each function into its `code`, on its first call.
//! * `divide` — division by a constant without a division instruction.
//! * `locals` — the running frame's locals, read without bounds checks.
//! * `frame` — running functions: the ops, calls and returns without native recursion,
//!   the exception protocol.
//! * `ops` — instructions and values.
//! * `builtins` — builtins and library rows: arguments laid out as generated code
//!   passes them.
//! * `stack` — the storage of an interpreter state's stacks: a vector while small, then a
//!   mapping that never moves and gives its pages back.
//! * `thread` — green-thread entries, the per-thread interpreter state (locals stack,
//!   stack limit, preemption poll).

mod builtins;
mod code;
mod cycles;
mod decode;
mod divide;
mod frame;
mod locals;
mod native;
mod ops;
mod program;
mod stack;
mod thread;

pub use program::Interpreted;
pub(crate) use thread::{program, Thread};
