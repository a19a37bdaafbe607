//! The standard library's runtime: one file per module (builtins.md §G.3). Each module's
//! entry points are listed in `crate::symbols` and named by the rows of
//! `qi_ir::library`, which the JIT binds them by.

pub mod compress;
pub mod config;
pub mod crypto;
pub mod env;
pub mod gbk;
pub mod grapheme;
pub mod hashmap;
pub mod io;
pub mod json;
pub mod list;
pub mod math;
pub mod memory;
pub mod os;
pub mod path;
pub mod process;
pub mod punctuation;
pub mod random;
pub mod reflect;
pub mod regex;
pub mod subprocess;
pub mod sync;
pub mod test;
pub mod text;
pub mod time;
pub mod vector;
pub mod width;
