//! Foreign functions (language.md §5.10, docs/FFI.md): loading C libraries, the string
//! conversions at the C boundary. Raw memory access (`内存`) is `library::memory`.
//!
//! Generated code calls the C functions directly; this module only finds them
//! (`loader`) and converts what cannot be passed as is (`strings`).

pub mod callbacks;
pub mod loader;
pub mod strings;
