//! An interpreted program: the optimised module and everything resolved before it runs.

use super::code::Code;
use super::native::NativeFn;
use crate::runtime_calls::{self, RtFn};
use qi_ir::{Function, Inst, Value};
use rustc_hash::FxHashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::OnceLock;

/// A program the interpreter runs.
pub struct Interpreted {
    pub(crate) module: qi_ir::Module,
    /// Addresses of the literal string objects (immortal), by `StrId`.
    pub(crate) strings: Vec<u64>,
    /// Record descriptors by `LayoutId` (boxed: their addresses are handed to the runtime).
    #[allow(clippy::vec_box)]
    pub(crate) descs: Vec<Box<qi_rt::record::RecordDesc>>,
    /// Global slots (plain loads and stores, as compiled code makes).
    pub(crate) globals: Box<[AtomicU64]>,
    /// Names of globals as immortal strings (uninitialised-global errors), by `GlobalId`.
    pub(crate) global_names: Vec<u64>,
    /// Publish objects stored into globals and shared containers (the program starts
    /// green threads), as compiled code does.
    pub(super) publish_stores: bool,
    /// Each function's tier (`crate::tiers`): counters, entry table, adapters.
    pub(crate) tiering: crate::tiers::Tiering,
    /// Each function's decoded form, built when it is first interpreted.
    code: Box<[OnceLock<Code>]>,
    /// Runtime functions by symbol.
    natives: FxHashMap<&'static str, NativeFn>,
    /// The generated C boundary (`crate::glue`), for programs with `外部` blocks.
    glue: Option<Box<crate::glue::Glue>>,
    /// Which functions take addresses of their locals (`&变量`), by `FuncId`.
    takes_addresses: Box<[bool]>,
    /// The most locals a function has.
    pub(super) max_locals: usize,
    reflection: qi_rt::library::reflect::ProgramInfo,
}

impl Interpreted {
    /// Prepare `module` (already optimised) for interpretation; with a `policy`, hot
    /// functions move to compiled code (`crate::tiers`).
    pub fn new(
        module: qi_ir::Module,
        policy: Option<crate::tiers::Policy>,
    ) -> Result<Interpreted, crate::JitError> {
        let strings = module.strings.iter().map(|s| qi_rt::new_immortal_str(s) as u64).collect();
        let descs: Vec<_> = (0..module.layouts.len())
            .map(|l| crate::record_desc(&module, qi_ir::LayoutId(l as u32)))
            .collect();
        let globals = module.globals.iter().map(|_| AtomicU64::new(0)).collect();
        let global_names =
            module.globals.iter().map(|g| qi_rt::new_immortal_str(&g.name) as u64).collect();
        let publish_stores = crate::translate::uses_green_threads(&module);
        let glue = match module.foreign.functions.is_empty() && !passes_callbacks(&module) {
            true => None,
            false => Some(Box::new(crate::glue::build(&module, &descs, publish_stores)?)),
        };
        let natives = resolve(used_runtime_functions(&module));
        let reflection = qi_rt::library::reflect::ProgramInfo {
            functions: module.reflection.functions.clone(),
            structs: module.reflection.structs.clone(),
            enums: module.reflection.enums.clone(),
        };
        Ok(Interpreted {
            strings,
            descs,
            globals,
            global_names,
            publish_stores,
            tiering: crate::tiers::Tiering::new(module.functions.len(), policy),
            code: module.functions.iter().map(|_| OnceLock::new()).collect(),
            glue,
            takes_addresses: module
                .functions
                .iter()
                .map(|f| f.addressed_locals().next().is_some())
                .collect(),
            max_locals: module.functions.iter().map(|f| f.locals.len()).max().unwrap_or(0),
            module,
            natives,
            reflection,
        })
    }

    /// Run the program's `main` as the first green thread on `workers` worker threads.
    pub fn run_on(self, workers: qi_rt::sched::Workers) -> qi_rt::sched::Outcome {
        qi_rt::library::reflect::register(self.reflection.clone());
        let program: &'static Interpreted = Box::leak(Box::new(self));
        super::thread::run(program, workers)
    }

    /// Run as `run_on` does, with the global slots holding `globals` first instead of
    /// zero, and return the outcome with the words the slots hold at the end: how
    /// `qi repl` carries its variables from one program to the next
    /// (docs/ARCHITECTURE.md, "The interactive session"). The words are moved: an object
    /// in `globals` is owned by its slot (and published first when the program starts
    /// green threads, as a store into a global would), and the words returned are owned
    /// by the caller.
    pub fn run_with_globals(
        self,
        workers: qi_rt::sched::Workers,
        globals: &[u64],
    ) -> (qi_rt::sched::Outcome, Vec<u64>) {
        for ((slot, &word), global) in self.globals.iter().zip(globals).zip(&self.module.globals) {
            if self.publish_stores && global.ty.is_rc() && word != 0 {
                // SAFETY: an object word of a global's type is a live object it owns.
                unsafe { qi_rt::green::qi_publish(word as *mut qi_rt::object::Header) };
            }
            slot.store(word, Ordering::Relaxed);
        }
        qi_rt::library::reflect::register(self.reflection.clone());
        let program: &'static Interpreted = Box::leak(Box::new(self));
        let outcome = super::thread::run(program, workers);
        // The scheduler reported the outcome under its lock after main's last store.
        let words = program.globals.iter().map(|slot| slot.load(Ordering::Acquire)).collect();
        (outcome, words)
    }

    /// The resolved runtime function `f`.
    pub(super) fn native(&self, f: RtFn) -> &NativeFn {
        &self.natives[f.symbol]
    }

    /// The generated C boundary (the program declares C functions or passes callbacks).
    pub(crate) fn glue(&self) -> &crate::glue::Glue {
        self.glue.as_ref().expect("a program with C calls has its C boundary")
    }

    /// Does `f` take addresses of its locals (`&变量`)? Its interpreted frame then stays
    /// interpreted to its end (no on-stack replacement: compiled code keeps such locals
    /// in its own stack slots, where the addresses taken before would not point).
    pub(super) fn takes_addresses(&self, f: qi_ir::FuncId) -> bool {
        self.takes_addresses[f.index()]
    }

    pub(crate) fn function(&self, f: qi_ir::FuncId) -> &Function {
        &self.module.functions[f.index()]
    }

    /// The decoded form of `f`, decoded on first use.
    #[inline]
    pub(super) fn code(&self, f: qi_ir::FuncId) -> &Code {
        self.code[f.index()].get_or_init(|| {
            let function = self.function(f);
            crate::stats::interpreted(&function.name);
            self.decode(function)
        })
    }
}

/// Every runtime function the module's code can call.
fn used_runtime_functions(module: &qi_ir::Module) -> Vec<RtFn> {
    use runtime_calls::*;
    static FIXED: OnceLock<Vec<RtFn>> = OnceLock::new();
    let fixed = FIXED.get_or_init(|| {
        vec![
            PUBLISH,
            RETAIN,
            RELEASE,
            STR_CMP,
            FLOAT_REM,
            RECORD_NEW,
            ARRAY_NEW,
            RAISE_STACK_OVERFLOW,
            RAISE_INDEX,
            RAISE_DIV_ZERO,
            RAISE_UNINIT_GLOBAL,
            RAISE_FLOAT_TO_INT,
            RAISE_INT_TO_CHAR,
        ]
    });
    let mut used = fixed.clone();
    for f in &module.functions {
        for inst in f.blocks.iter().flat_map(|b| &b.insts) {
            if let Inst::Assign { value: Value::Builtin { op, .. }, .. }
            | Inst::Effect(Value::Builtin { op, .. }) = inst
            {
                used.push(runtime_calls::builtin(*op));
            }
        }
    }
    used
}

/// The addresses of the runtime functions in `used`, found in one pass over the runtime's
/// symbol table: a map of all of it (about 400 entries) cost more than the rest of
/// preparing `hello` (benches/README.md, "Start-up: what is left").
fn resolve(used: Vec<RtFn>) -> FxHashMap<&'static str, NativeFn> {
    let mut wanted: FxHashMap<&'static str, RtFn> =
        used.into_iter().map(|f| (f.symbol, f)).collect();
    let mut natives = FxHashMap::default();
    natives.reserve(wanted.len());
    for (symbol, addr) in qi_rt::symbols() {
        if let Some(f) = wanted.remove(symbol) {
            let native = NativeFn::new(addr, f)
                .unwrap_or_else(|| panic!("{symbol} has too many parameters"));
            natives.insert(symbol, native);
        }
    }
    if let Some(symbol) = wanted.keys().next() {
        panic!("{symbol} is unknown");
    }
    natives
}

/// Does the program pass Qi functions to C (`Value::Callback`)?
fn passes_callbacks(module: &qi_ir::Module) -> bool {
    module.functions.iter().flat_map(|f| &f.blocks).flat_map(|b| &b.insts).any(|i| {
        matches!(
            i,
            Inst::Assign { value: Value::Callback { .. }, .. }
                | Inst::Effect(Value::Callback { .. })
        )
    })
}
