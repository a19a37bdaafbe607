//! qi-ir: name resolution, type checking and lowering of Qi source to the typed IR.

pub mod builder;
pub mod cfg;
mod check;
pub mod cycles;
pub mod index;
pub mod ir;
pub mod library;
pub mod opt;
pub mod print;
pub mod validate;

pub use ir::*;
pub use library::{LibFn, LibId, LibType};

pub use check::{check, check_program, check_program_indexed, CheckOutput, SourceUnit};
pub use index::Index;

/// Stack for checking, lowering, optimising and compiling a program: they recurse over the
/// syntax tree, whose depth the parser bounds (`qi_syntax::MAX_DEPTH`). The deepest
/// admitted program needs about 32 MiB in an unoptimised build (`tests/deep_nesting.rs`);
/// this leaves a wide margin, and only touched pages cost memory.
pub const FRONT_END_STACK: usize = 256 << 20;
