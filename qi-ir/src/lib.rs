//! qi-ir: name resolution, type checking and lowering of Qi source to the typed IR.

pub mod builder;
mod check;
pub mod ir;
pub mod opt;
pub mod print;

pub use ir::*;

pub use check::{check, check_program, CheckOutput, SourceUnit};
