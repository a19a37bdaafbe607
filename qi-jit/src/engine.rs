//! The engine boundary: one place turns a checked module into something that runs, by
//! the tier mode. The interpreter and Cranelift are two implementations behind it.

use crate::interp::Interpreted;
use crate::tiers::Policy;
use crate::{JitError, Options, Program};
use std::fmt;

/// How functions are executed (`qi run --jit=…`, `QI_JIT=…`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Tier {
    /// Interpret every function at first; compile hot ones (`auto`, the default, and
    /// `stress`: docs/ARCHITECTURE.md "Mixing tiers").
    Mixed(Policy),
    /// Compile every function with Cranelift before `入口` starts.
    Eager,
    /// Interpret every function.
    Off,
}

impl Tier {
    /// The mode named `name` (`auto`, `stress`, `eager`, `off`).
    pub fn parse(name: &str) -> Option<Tier> {
        match name {
            "auto" => Some(Tier::Mixed(Policy::auto())),
            "stress" => Some(Tier::Mixed(Policy::stress())),
            "eager" => Some(Tier::Eager),
            "off" => Some(Tier::Off),
            _ => None,
        }
    }
}

/// Why a program cannot run.
#[derive(Debug)]
pub enum EngineError {
    /// Compilation failed: a bug in qi.
    Jit(JitError),
    /// The IR failed validation (debug builds): a bug in qi.
    InvalidIr(qi_ir::validate::InvalidIr),
}

impl EngineError {
    /// Is this a bug in qi (reported as an internal error)? Every tier runs every
    /// program, so today every engine error is.
    pub fn is_internal(&self) -> bool {
        matches!(self, EngineError::Jit(_) | EngineError::InvalidIr(_))
    }

    /// The message (the same in every language: internal errors are in English).
    pub fn message(&self, _english: bool) -> String {
        match self {
            EngineError::Jit(e) => e.to_string(),
            EngineError::InvalidIr(e) => e.to_string(),
        }
    }
}

impl fmt::Display for EngineError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message(true))
    }
}

impl std::error::Error for EngineError {}

/// A program ready to run in one tier.
pub enum Runnable {
    // Boxed: each is some hundreds of bytes, and their sizes differ by as much.
    Compiled(Box<Program>),
    Interpreted(Box<Interpreted>),
}

impl Runnable {
    /// Run as `Program::run` does.
    pub fn run(self) -> qi_rt::sched::Outcome {
        self.run_on(qi_rt::sched::workers_from_env())
    }

    pub fn run_on(self, workers: qi_rt::sched::Workers) -> qi_rt::sched::Outcome {
        match self {
            Runnable::Compiled(p) => p.run_on(workers),
            Runnable::Interpreted(p) => p.run_on(workers),
        }
    }
}

/// Prepare `module` to run in `tier`: both tiers run the IR of `qi_ir::opt::runnable`
/// (optimised unless `opts.optimize` is off, validated in debug builds). The interpreter
/// keeps `module` as the IR it runs.
pub fn prepare(module: qi_ir::Module, tier: Tier, opts: &Options) -> Result<Runnable, EngineError> {
    match tier {
        Tier::Eager => crate::compile(&module, opts)
            .map(|p| Runnable::Compiled(Box::new(p)))
            .map_err(EngineError::Jit),
        Tier::Off => interpreted(module, None, opts),
        Tier::Mixed(policy) => interpreted(module, Some(policy), opts),
    }
}

fn interpreted(
    module: qi_ir::Module,
    policy: Option<Policy>,
    opts: &Options,
) -> Result<Runnable, EngineError> {
    let runnable = qi_ir::opt::runnable(module, opts.optimize).map_err(EngineError::InvalidIr)?;
    Interpreted::new(runnable, policy)
        .map(|p| Runnable::Interpreted(Box::new(p)))
        .map_err(EngineError::Jit)
}
