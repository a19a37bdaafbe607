//! Mixing the tiers (`--jit=auto`, `--jit=stress`): every function starts interpreted;
//! one that gets hot (calls plus loop-closing jumps counted while it is interpreted reach
//! the policy's threshold) is compiled by Cranelift on a background thread, and later
//! calls of it from either tier run the native code. docs/ARCHITECTURE.md ("Mixing
//! tiers") describes the whole design.
//!
//! * `Tiering` (here) — the per-function state both tiers read: heat counters, the entry
//!   table compiled code calls through, the native adapters the interpreter calls
//!   compiled code through.
//! * `compiler` — the compiler thread: one long-lived `JITModule`, a function per batch.
//! * `codegen` — the generated crossings: a function's interpreter stub (the Qi calling
//!   convention, interprets it) and its native adapter (called from Rust, runs its code).
//! * `crossing` — the Rust ends of those crossings, with the stack checks.

pub(crate) mod codegen;
mod compiler;
mod crossing;

pub(crate) use crossing::{call_adapter, compiled_limit, stack_pointer, AdapterFn};

use crate::stats::Reason;

use qi_ir::FuncId;
use std::sync::atomic::{AtomicPtr, AtomicU32, AtomicU64, AtomicU8, AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

/// When interpreted functions move to compiled code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Policy {
    /// Calls plus loop-closing jumps of a function, counted while it is interpreted,
    /// after which it is compiled.
    pub threshold: u32,
    /// How long the green thread whose call or loop made a function hot (and any other
    /// calling it meanwhile, `Tiering::await_code`) waits for the batch before it goes on
    /// interpreting. Waiting gives up what the interpreter would
    /// do meanwhile (a twentieth of the compiled code's speed on calls and arithmetic)
    /// but leaves the green thread's core to the compiler thread: when the workers keep
    /// every core busy (parfib), the compiler thread otherwise waits milliseconds to be
    /// scheduled while they interpret (benches/README.md, "Tiering", "Waiting for the
    /// batch"). Bounded, so a long compile does not stall the program. `Duration::MAX`
    /// in the stress mode: every transition happens at a deterministic point.
    pub wait: Duration,
}

impl Policy {
    /// The default threshold (measured: benches/README.md, "Tiering").
    pub const DEFAULT_THRESHOLD: u32 = 1000;

    /// The default wait for a batch: a small function's batch takes about 1 ms on the
    /// 2-core VM, the compiler thread's set-up included (benches/README.md, "Tiering").
    pub const DEFAULT_WAIT: Duration = Duration::from_millis(2);

    /// `--jit=auto`: compile in the background after `DEFAULT_THRESHOLD`, waiting up
    /// to `DEFAULT_WAIT` for it.
    pub fn auto() -> Policy {
        Policy { threshold: Policy::DEFAULT_THRESHOLD, wait: Policy::DEFAULT_WAIT }
    }

    /// `--jit=stress`: compile at the first call or loop-closing jump, and wait for it.
    pub fn stress() -> Policy {
        Policy { threshold: 1, wait: Duration::MAX }
    }
}

/// At most this many on-stack-replacement variants per function (a frame that spins in
/// one loop after another gets one per loop; the bound keeps a function with many short
/// loops from being translated over and over).
const MAX_OSR_VARIANTS: usize = 4;

/// The on-stack-replacement variants of a function published so far: the block each is
/// entered at and its adapter. Immutable once published; a new variant publishes a
/// longer copy.
struct OsrVariants {
    variants: Vec<(u32, AdapterFn)>,
}

/// How often a green thread waiting for another's batch looks whether it is published.
const POLL_NANOS: u64 = 50_000;

const COLD: u8 = 0;
const REQUESTED: u8 = 1;
const COMPILED: u8 = 2;

/// The tier state of every function of an interpreted program.
pub struct Tiering {
    /// `None`: interpret everything (`--jit=off`).
    policy: Option<Policy>,
    /// Per function: calls plus loop-closing jumps while interpreted (racy increments
    /// are fine: the count only decides when to compile).
    heat: Box<[AtomicU32]>,
    /// Per function: jumps back to blocks without a variant since its last variant was
    /// published (`loop_back`), counted the same way.
    waited: Box<[AtomicU32]>,
    /// Per function: `COLD`, `REQUESTED`, `COMPILED`.
    state: Box<[AtomicU8]>,
    /// The entry table, per function: what compiled code calls it through — 0 until some
    /// compiled code may call it, then its interpreter stub, then its compiled code. A
    /// closure's slot 0 holds the address of its function's entry (`entry_address`), in
    /// both tiers.
    entries: Box<[AtomicUsize]>,
    /// Per function: its native adapter once compiled (0 before).
    adapters: Box<[AtomicUsize]>,
    /// Per function: `COLD`, `REQUESTED` (a variant is being compiled), `COMPILED` (none
    /// is) for its on-stack-replacement variants, each entered at the header of a loop
    /// that got hot. One at a time: a frame that left a hot loop before its variant was
    /// ready and spins in a later one asks for another (`osr_wanted`).
    osr_state: Box<[AtomicU8]>,
    /// Per function: its published on-stack-replacement variants (null before), whose
    /// adapters are called with the interpreted frame's locals as arguments.
    osr: Box<[AtomicPtr<OsrVariants>]>,
    /// Owns every list `osr` ever pointed to: never freed while the program runs (an
    /// interpreter thread may be reading one that a longer one replaced).
    /// (Boxed: the published pointers must not move when the vector grows.)
    #[allow(clippy::vec_box)]
    osr_lists: Mutex<Vec<Box<OsrVariants>>>,
    /// The compiler thread, started at the first request.
    compiler: OnceLock<compiler::Handle>,
    /// What `wait_until` counts from.
    epoch: Instant,
    /// Per function: until when (nanoseconds after `epoch`) calls of it wait for the
    /// batch asked for it (0: they do not; `await_code`).
    wait_until: Box<[AtomicU64]>,
}

impl Tiering {
    pub fn new(functions: usize, policy: Option<Policy>) -> Tiering {
        Tiering {
            policy,
            heat: (0..functions).map(|_| AtomicU32::new(0)).collect(),
            waited: (0..functions).map(|_| AtomicU32::new(0)).collect(),
            state: (0..functions).map(|_| AtomicU8::new(COLD)).collect(),
            entries: (0..functions).map(|_| AtomicUsize::new(0)).collect(),
            adapters: (0..functions).map(|_| AtomicUsize::new(0)).collect(),
            osr_state: (0..functions).map(|_| AtomicU8::new(COLD)).collect(),
            osr: (0..functions).map(|_| AtomicPtr::new(std::ptr::null_mut())).collect(),
            osr_lists: Mutex::new(Vec::new()),
            compiler: OnceLock::new(),
            epoch: Instant::now(),
            wait_until: (0..functions).map(|_| AtomicU64::new(0)).collect(),
        }
    }

    /// The address of `f`'s entry: what a closure of `f` holds in slot 0.
    pub fn entry_address(&self, f: FuncId) -> u64 {
        self.entries[f.index()].as_ptr() as u64
    }

    /// The function whose entry is at `address` (a closure's slot 0).
    pub fn function_at(&self, address: u64) -> FuncId {
        let base = self.entries.as_ptr() as u64;
        debug_assert!(address >= base && address < base + 8 * self.entries.len() as u64);
        FuncId(((address - base) / 8) as u32)
    }

    /// `f`'s native adapter when it is compiled.
    #[inline]
    pub fn compiled(&self, f: FuncId) -> Option<AdapterFn> {
        let adapter = self.adapters[f.index()].load(Ordering::Acquire);
        // SAFETY: only `publish` stores non-zero values: adapters of this signature.
        (adapter != 0).then(|| unsafe { std::mem::transmute::<usize, AdapterFn>(adapter) })
    }

    /// A call of `f` from the interpreter (hook: its call instruction and entries): the
    /// adapter to call its compiled code through, else (`None`) interpret it. Counts
    /// the call while `f` is interpreted; in the stress mode the call that crosses the
    /// threshold already runs the compiled code.
    #[inline]
    pub fn call(&self, f: FuncId) -> Option<AdapterFn> {
        self.compiled(f).or_else(|| {
            self.count(f, Reason::HotCalls, None);
            self.compiled(f)
        })
    }

    /// A loop-closing jump to `block` in interpreted `f` (hook: where the interpreter
    /// polls): the adapter of `f`'s on-stack-replacement variant entered at `block`, to
    /// continue the frame in (its locals as arguments), else (`None`) keep interpreting.
    /// Counts the jump; in the stress mode the first one already moves. Once `f` has a
    /// variant, a jump back elsewhere counts towards another only after `threshold`
    /// more (`waited`): a frame that left its hot loop while the variant was compiled
    /// mostly comes back to it soon, and a second variant asked for meanwhile was
    /// entered instead, at a block where it may run slower (fannkuch: 0.33 s with the
    /// copy loop's variant, 0.36 s or 0.41 s in 2 of 10 runs with a later loop's).
    #[inline]
    pub fn loop_back(&self, f: FuncId, block: u32) -> Option<AdapterFn> {
        let policy = self.policy?;
        self.osr_at(f, block).or_else(|| {
            if !self.osr_variants(f).is_empty() && !self.waited_for_variant(f, policy) {
                return None;
            }
            self.count(f, Reason::HotLoop, Some(block));
            self.osr_at(f, block)
        })
    }

    /// Count a jump back of `f` to a block without a variant while it has one: has the
    /// frame spun `threshold` times since that was published?
    fn waited_for_variant(&self, f: FuncId, policy: Policy) -> bool {
        let waited = &self.waited[f.index()];
        let n = waited.load(Ordering::Relaxed).saturating_add(1);
        waited.store(n, Ordering::Relaxed);
        n >= policy.threshold
    }

    #[inline]
    fn osr_at(&self, f: FuncId, block: u32) -> Option<AdapterFn> {
        self.osr_variants(f).iter().find(|(b, _)| *b == block).map(|(_, adapter)| *adapter)
    }

    /// `f`'s published on-stack-replacement variants.
    #[inline]
    fn osr_variants(&self, f: FuncId) -> &[(u32, AdapterFn)] {
        let list = self.osr[f.index()].load(Ordering::Acquire);
        // SAFETY: only `publish_osr` stores non-null pointers: to lists that `osr_lists`
        // owns, unchanged, for as long as `self` lives.
        unsafe { list.as_ref() }.map_or(&[], |list| list.variants.as_slice())
    }

    /// May an on-stack-replacement variant of `f` entered at `block` be asked for now
    /// (and if so, it is marked as being compiled)? When no variant is being compiled,
    /// none is entered there yet and fewer than `MAX_OSR_VARIANTS` are.
    fn osr_wanted(&self, f: FuncId, block: u32) -> bool {
        let state = &self.osr_state[f.index()];
        let from = state.load(Ordering::Relaxed);
        let variants = self.osr_variants(f);
        from != REQUESTED
            && variants.len() < MAX_OSR_VARIANTS
            && variants.iter().all(|(b, _)| *b != block)
            && state.compare_exchange(from, REQUESTED, Ordering::AcqRel, Ordering::Acquire).is_ok()
    }

    #[inline]
    fn count(&self, f: FuncId, reason: Reason, osr: Option<u32>) {
        let Some(policy) = self.policy else { return };
        let heat = &self.heat[f.index()];
        let n = heat.load(Ordering::Relaxed).saturating_add(1);
        heat.store(n, Ordering::Relaxed);
        if n >= policy.threshold {
            self.request(f, reason, osr, policy);
        } else if n == policy.threshold / 2 {
            self.start_compiler();
        }
    }

    /// Start the compiler thread ahead of the first request, when a function or loop is
    /// halfway to hot: its set-up (the ISA, the symbol table, the `JITModule`) then
    /// overlaps the rest of the warm-up instead of delaying the first compiled code
    /// (parfib's `斐波那契` ran interpreted for 4 ms of which compiling took 0.7 ms).
    #[cold]
    fn start_compiler(&self) {
        self.compiler.get_or_init(compiler::Handle::start);
    }

    /// Ask for `f` to be compiled when its calls made it hot (once), for its
    /// on-stack-replacement variant at block `osr` when a loop did (`osr_wanted`). A hot loop alone does not
    /// compile the function: the variant runs the rest of the frame, and a function
    /// called once (`入口`) would be translated twice for nothing, delaying the batches
    /// queued behind it; if it is called again, that call asks for it.
    #[cold]
    fn request(&self, f: FuncId, reason: Reason, osr: Option<u32>, policy: Policy) {
        let first = |state: &AtomicU8| {
            state.load(Ordering::Relaxed) == COLD
                && state
                    .compare_exchange(COLD, REQUESTED, Ordering::AcqRel, Ordering::Acquire)
                    .is_ok()
        };
        let compile = osr.is_none() && first(&self.state[f.index()]);
        let osr = osr.filter(|block| self.osr_wanted(f, *block));
        if !compile && osr.is_none() {
            if reason == Reason::HotCalls {
                self.await_code(f);
            }
            return;
        }
        if compile && policy.wait != Duration::MAX {
            let until = self.epoch.elapsed().saturating_add(policy.wait).as_nanos();
            self.wait_until[f.index()].store(until as u64, Ordering::Relaxed);
        }
        let compiler = self.compiler.get_or_init(compiler::Handle::start);
        compiler.compile(compiler::Request::new(f, reason, compile, osr), policy.wait);
    }

    /// A call of `f` on another green thread while the batch a first one asked for is
    /// compiled: wait like that one, until the code is published or that one's wait ends
    /// (parfib: the other worker went on interpreting `斐波那契`, keeping its core from the
    /// compiler thread). So one request stalls calls of `f` for at most `Policy::wait` in
    /// all; the stress mode's unbounded wait is the requester's alone (a batch that
    /// fails leaves `f` requested for ever).
    #[cold]
    fn await_code(&self, f: FuncId) {
        let until = self.wait_until[f.index()].load(Ordering::Relaxed);
        while !self.is_compiled(f) {
            let now = self.epoch.elapsed().as_nanos() as u64;
            if now >= until {
                return;
            }
            std::thread::sleep(Duration::from_nanos((until - now).min(POLL_NANOS)));
        }
    }

    /// Make `f`'s compiled code (with its adapter) and the interpreter stubs of a batch
    /// visible to both tiers. Called by the compiler thread after the code is final.
    fn publish(&self, f: FuncId, code: usize, adapter: usize, stubs: &[(FuncId, usize)]) {
        self.publish_stubs(stubs);
        self.entries[f.index()].store(code, Ordering::Release);
        self.adapters[f.index()].store(adapter, Ordering::Release);
        self.state[f.index()].store(COMPILED, Ordering::Release);
    }

    /// Make interpreter stubs visible (compiled code about to be published calls them).
    fn publish_stubs(&self, stubs: &[(FuncId, usize)]) {
        for (g, stub) in stubs {
            // A stub never replaces code: the entry is 0 until its first stub.
            let _ = self.entries[g.index()].compare_exchange(
                0,
                *stub,
                Ordering::Release,
                Ordering::Relaxed,
            );
        }
    }

    /// Make `f`'s on-stack-replacement variant at `block` (its adapter) visible, beside
    /// the ones published before.
    fn publish_osr(&self, f: FuncId, block: u32, adapter: usize) {
        // SAFETY: the compiler thread passes the adapter it made for this variant.
        let adapter = unsafe { std::mem::transmute::<usize, AdapterFn>(adapter) };
        let mut variants = self.osr_variants(f).to_vec();
        variants.push((block, adapter));
        let mut list = Box::new(OsrVariants { variants });
        let pointer: *mut OsrVariants = &mut *list;
        self.osr_lists.lock().unwrap_or_else(|e| e.into_inner()).push(list);
        self.osr[f.index()].store(pointer, Ordering::Release);
        self.waited[f.index()].store(0, Ordering::Relaxed);
        self.osr_state[f.index()].store(COMPILED, Ordering::Release);
    }

    /// Is `f` compiled (its code published)?
    fn is_compiled(&self, f: FuncId) -> bool {
        self.state[f.index()].load(Ordering::Acquire) == COMPILED
    }

    /// Does `f` have an entry yet (a stub or its code)?
    fn has_entry(&self, f: FuncId) -> bool {
        self.entries[f.index()].load(Ordering::Acquire) != 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Stands for a compiled variant's adapter; never called.
    unsafe extern "C" fn adapter(_: *const u64, _: *mut u64, _: usize) -> u8 {
        0
    }

    fn tiering() -> Tiering {
        Tiering::new(1, Some(Policy { threshold: 1, wait: Duration::ZERO }))
    }

    #[test]
    fn a_later_loop_gets_its_own_variant_and_the_earlier_one_stays() {
        let (t, f) = (tiering(), FuncId(0));
        assert!(t.osr_wanted(f, 4), "the first hot loop");
        assert!(!t.osr_wanted(f, 8), "not while one is being compiled");
        t.publish_osr(f, 4, adapter as *const () as usize);
        assert!(t.osr_at(f, 4).is_some() && t.osr_at(f, 8).is_none());
        assert!(!t.osr_wanted(f, 4), "there is one entered there");
        // The frame left loop 4 before its variant was ready and spins in loop 8.
        assert!(t.osr_wanted(f, 8));
        t.publish_osr(f, 8, adapter as *const () as usize);
        assert!(t.osr_at(f, 8).is_some() && t.osr_at(f, 4).is_some());
        assert!(!t.osr_wanted(f, 4) && !t.osr_wanted(f, 8), "never one block twice");
    }

    #[test]
    fn after_a_variant_another_loop_waits_the_threshold_again() {
        let policy = Policy { threshold: 3, wait: Duration::ZERO };
        let (t, f) = (Tiering::new(1, Some(policy)), FuncId(0));
        t.publish_osr(f, 4, adapter as *const () as usize);
        assert!(!t.waited_for_variant(f, policy) && !t.waited_for_variant(f, policy));
        assert!(t.waited_for_variant(f, policy), "the third jump back elsewhere");
        t.publish_osr(f, 8, adapter as *const () as usize);
        assert!(!t.waited_for_variant(f, policy), "counted again from the new variant");
    }

    #[test]
    fn variants_per_function_are_bounded() {
        let (t, f) = (tiering(), FuncId(0));
        for block in 0..MAX_OSR_VARIANTS as u32 {
            assert!(t.osr_wanted(f, block));
            t.publish_osr(f, block, adapter as *const () as usize);
        }
        assert!(!t.osr_wanted(f, 99));
        assert_eq!(t.osr_variants(f).len(), MAX_OSR_VARIANTS);
    }
}
