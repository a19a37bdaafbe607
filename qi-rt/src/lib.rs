//! qi-rt — the runtime that JIT-compiled Qi code calls into.
//!
//! Generated code passes heap objects around as plain pointers (i64) to a
//! reference-counted [`object::Header`] and calls the `extern "C"` entry
//! points listed in [`symbols`]. Everything an entry point does that can be
//! expressed as pure Rust (formatting, parsing, line buffering) lives in safe,
//! separately testable functions; raw-memory code is kept to `object`,
//! `string`, `array` and `literal`.
//!
//! Ownership convention for every entry point: arguments are *borrowed* (the
//! callee does not consume the caller's reference) and returned objects are
//! *owned* (the caller receives one reference and must release it).
//! Entry points that take object pointers are `unsafe`: they trust the
//! caller (generated code) to pass null or live objects of the right kind.

#![deny(unsafe_op_in_unsafe_fn)]

pub mod array;
#[cfg(any(test, feature = "record-cache"))]
mod blocks;
pub mod chan;
pub mod cycles;
pub mod error;
pub mod exception;
pub mod ffi;
pub mod format;
pub mod future;
pub mod generator;
pub mod green;
mod guard;
pub mod handles;
pub mod lang;
pub mod library;
pub mod literal;
pub mod memory;
pub mod numeric;
pub mod object;
pub mod os_error;
pub mod output;
pub mod pages;
pub mod program;
pub mod record;
pub mod sched;
pub mod stdio;
pub mod string;
pub mod symbols;
pub mod sync;
pub mod timing;
pub mod trace;

#[cfg(test)]
mod test_support;

pub use array::Array;
pub use literal::new_immortal_str;
pub use object::{enable_live_counts, live_counts, qi_release, qi_retain, Header, ObjKind};
pub use program::{finish, set_args};
pub use string::{str_as_str, Str};
pub use symbols::{entry_points, symbols, AbiType, EntryPoint};
