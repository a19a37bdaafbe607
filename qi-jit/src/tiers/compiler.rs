//! The compiler thread: one long-lived `JITModule` (code of earlier batches stays valid
//! when later ones are finalized) compiling one function per request, against the
//! interpreter's program state (literal strings, record descriptors, globals), so values
//! cross the tiers unchanged.
//!
//! A batch is the function (when its calls made it hot) or its on-stack-replacement
//! variant (when a loop did), their native adapters, and the interpreter stubs of the
//! functions its code may call that have no entry yet (in the first batch also of every
//! function a closure can be made of: closures made by the interpreter may reach
//! compiled code). Its code calls a function compiled in an earlier batch (or itself)
//! directly, any other through its entry (load + indirect call). Publishing — after
//! `finalize_definitions` and `register_code` — is a release store into the tables
//! (`Tiering::publish`).

use super::codegen::Gen;
use crate::interp::{program, Interpreted};
use crate::runtime_calls::RtFn;
use crate::stats::Reason;
use crate::{translate, JitError, Options};
use cranelift_codegen::ir::{self as clif, types, InstBuilder, MemFlagsData};
use cranelift_codegen::isa::{CallConv, TargetFrontendConfig};
use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext};
use cranelift_jit::{JITBuilder, JITModule};
use cranelift_module::{default_libcall_names, Linkage, Module as _};
use qi_ir::{FuncId, Inst, Value};
use std::collections::HashMap;
use std::sync::{mpsc, Mutex};
use std::time::{Duration, Instant};

/// How the program asks for compilations.
pub struct Handle {
    requests: Mutex<mpsc::Sender<Request>>,
}

/// What to compile of one function.
pub struct Request {
    func: FuncId,
    reason: Reason,
    /// The function itself (not yet compiled).
    code: bool,
    /// Its on-stack-replacement variant entered at this block.
    osr: Option<u32>,
    /// Told when the batch is published (the requesting green thread waits for it, for
    /// at most `Policy::wait`).
    done: Option<mpsc::SyncSender<()>>,
}

impl Request {
    pub fn new(func: FuncId, reason: Reason, code: bool, osr: Option<u32>) -> Request {
        Request { func, reason, code, osr, done: None }
    }
}

impl Handle {
    /// Start the compiler thread (for the running interpreted program).
    pub fn start() -> Handle {
        let (requests, queue) = mpsc::channel::<Request>();
        std::thread::Builder::new()
            .name("qi-jit".into())
            // Translation is flat; this is room for Cranelift (lazily committed).
            .stack_size(64 << 20)
            .spawn(move || serve(queue))
            .expect("the compiler thread starts");
        Handle { requests: Mutex::new(requests) }
    }

    /// Compile what `request` asks for; return once it is published or `wait` has
    /// passed, whichever comes first (`Duration::MAX`: once it is published).
    pub fn compile(&self, mut request: Request, wait: Duration) {
        let published = (!wait.is_zero()).then(|| {
            let (done, published) = mpsc::sync_channel(1);
            request.done = Some(done);
            published
        });
        let sent = self.requests.lock().unwrap_or_else(|e| e.into_inner()).send(request);
        if let (Ok(()), Some(published)) = (sent, published) {
            await_batch(&published, wait);
        }
    }
}

/// Wait for the compiler thread's word that a batch is published, for at most `wait`
/// (`Duration::MAX`: until it comes); whether it came. After a timeout the batch is
/// published later (its word then finds no one); without a word the compiler thread has
/// gone (the function stays interpreted).
fn await_batch(published: &mpsc::Receiver<()>, wait: Duration) -> bool {
    match wait {
        Duration::MAX => published.recv().is_ok(),
        bounded => published.recv_timeout(bounded).is_ok(),
    }
}

fn serve(queue: mpsc::Receiver<Request>) {
    let mut compiler = match Compiler::new(program()) {
        Ok(c) => c,
        Err(e) => return internal_error(&e),
    };
    // The latest request first: it is the code the program runs now, while an earlier
    // one may be done with (a loop that has ended). Each function is asked for a bounded
    // number of times (its code, a few variants), so none waits for ever.
    let mut pending: Vec<Request> = Vec::new();
    loop {
        if pending.is_empty() {
            match queue.recv() {
                Ok(request) => pending.push(request),
                Err(_) => return,
            }
        }
        pending.extend(queue.try_iter());
        let request = pending.pop().expect("a pending request");
        if let Err(e) = compiler.batch(&request) {
            // The function stays interpreted (a bug in qi: the tests see the message).
            internal_error(&e);
        }
        if let Some(done) = request.done {
            let _ = done.send(());
        }
    }
}

fn internal_error(e: &JitError) {
    if cfg!(debug_assertions) {
        eprintln!("qi: internal error: {e}");
    }
}

struct Compiler {
    program: &'static Interpreted,
    jit: JITModule,
    ctx: cranelift_codegen::Context,
    fctx: FunctionBuilderContext,
    call_conv: CallConv,
    frontend: TargetFrontendConfig,
    /// Cranelift ids of the Qi functions declared so far.
    code: Vec<Option<cranelift_module::FuncId>>,
    rt_funcs: HashMap<&'static str, cranelift_module::FuncId>,
    /// Functions closures can be made of (`Value::FuncAddr`).
    closure_functions: Vec<FuncId>,
    batches: usize,
    publish_stores: bool,
}

impl Compiler {
    fn new(program: &'static Interpreted) -> Result<Compiler, JitError> {
        let isa = crate::isa(&Options::default())?;
        let call_conv = isa.default_call_conv();
        let frontend = isa.frontend_config();
        let mut builder = JITBuilder::with_isa(isa, default_libcall_names());
        builder.symbols(qi_rt::symbols());
        let jit = JITModule::new(builder);
        let module = &program.module;
        let mut closure_functions: Vec<FuncId> = module
            .functions
            .iter()
            .flat_map(|f| &f.blocks)
            .flat_map(|b| &b.insts)
            .filter_map(|i| match i {
                Inst::Assign { value: Value::FuncAddr(f), .. }
                | Inst::Effect(Value::FuncAddr(f)) => Some(*f),
                _ => None,
            })
            .collect();
        closure_functions.sort_by_key(|f| f.index());
        closure_functions.dedup();
        Ok(Compiler {
            program,
            ctx: jit.make_context(),
            jit,
            fctx: FunctionBuilderContext::new(),
            call_conv,
            frontend,
            code: vec![None; module.functions.len()],
            rt_funcs: HashMap::new(),
            closure_functions,
            batches: 0,
            publish_stores: translate::uses_green_threads(module),
        })
    }

    /// The Cranelift id of Qi function `f`'s code, declared on first use.
    fn declare(&mut self, f: FuncId) -> Result<cranelift_module::FuncId, JitError> {
        if let Some(id) = self.code[f.index()] {
            return Ok(id);
        }
        let func = &self.program.module.functions[f.index()];
        let sig = crate::qi_signature(func, self.call_conv);
        let id = self
            .jit
            .declare_function(&format!("{}#{}", func.name, f.index()), Linkage::Local, &sig)
            .map_err(|e| JitError(e.to_string()))?;
        self.code[f.index()] = Some(id);
        Ok(id)
    }

    /// Compile what `request` asks for and publish it.
    fn batch(&mut self, request: &Request) -> Result<(), JitError> {
        let start = Instant::now();
        let program = self.program;
        let f = request.func;
        let func = &program.module.functions[f.index()];
        let mut wanted = Vec::new();
        let code = match request.code {
            true => {
                let id = self.declare(f)?;
                let size = self.translate(f, id, None, true, &mut wanted)?;
                Some((id, size))
            }
            false => None,
        };
        let osr = match request.osr {
            Some(block) => {
                let sig = translate::osr_signature(func, self.call_conv);
                let id = self
                    .jit
                    .declare_function(
                        &format!("{}#{}#osr{block}", func.name, f.index()),
                        Linkage::Local,
                        &sig,
                    )
                    .map_err(|e| JitError(e.to_string()))?;
                let size = self.translate(f, id, Some(block), code.is_some(), &mut wanted)?;
                Some((block, id, size))
            }
            None => None,
        };

        if self.batches == 0 {
            wanted.extend_from_slice(&self.closure_functions);
        }
        wanted.sort_by_key(|g| g.index());
        wanted.dedup();
        wanted.retain(|g| (*g != f || code.is_none()) && !program.tiering.has_entry(*g));
        let mut gen = Gen {
            jit: &mut self.jit,
            ctx: &mut self.ctx,
            fctx: &mut self.fctx,
            call_conv: self.call_conv,
            frontend: self.frontend,
        };
        let adapter = match code {
            Some((id, _)) => Some(gen.adapter(func, f.index(), id, None)?),
            None => None,
        };
        let osr_adapter = match osr {
            Some((block, id, _)) => Some(gen.adapter(func, f.index(), id, Some(block))?),
            None => None,
        };
        let mut stubs = Vec::with_capacity(wanted.len());
        for g in wanted {
            stubs.push((g, gen.stub(&program.module.functions[g.index()], g.index())?));
        }
        self.jit.finalize_definitions().map_err(|e| JitError(e.to_string()))?;
        self.batches += 1;

        // Where preemption may stop a green thread (not the adapters: they run before the
        // pinned register holds the limit).
        let mut ranges = Vec::new();
        let mut size = 0;
        for (id, bytes) in code.iter().map(|(id, n)| (*id, *n)).chain(osr.map(|(_, id, n)| (id, n)))
        {
            let start = self.jit.get_finalized_function(id) as usize;
            ranges.push((start, start + bytes));
            size += bytes;
        }
        qi_rt::sched::interrupt::register_code(&ranges);
        let stubs: Vec<(FuncId, usize)> = stubs
            .into_iter()
            .map(|(g, id)| (g, self.jit.get_finalized_function(id) as usize))
            .collect();
        let adapter = adapter.map(|id| self.jit.get_finalized_function(id) as usize);
        match (code, adapter) {
            (Some((id, _)), Some(adapter)) => {
                let code = self.jit.get_finalized_function(id) as usize;
                program.tiering.publish(f, code, adapter, &stubs);
            }
            _ => program.tiering.publish_stubs(&stubs),
        }
        if let (Some((block, _, _)), Some(adapter)) = (osr, osr_adapter) {
            let adapter = self.jit.get_finalized_function(adapter) as usize;
            program.tiering.publish_osr(f, block, adapter);
        }
        crate::stats::compiled(&func.name, request.reason, request.osr, start.elapsed(), size);
        Ok(())
    }

    /// Translate and define `f` as Cranelift function `id` (entered at block `osr` for
    /// its on-stack-replacement variant); the bytes of its machine code. `with_code`:
    /// `f`'s own code is in this batch, so the code calls `f` directly. Functions whose
    /// entries its code reads are added to `wanted`.
    fn translate(
        &mut self,
        f: FuncId,
        id: cranelift_module::FuncId,
        osr: Option<u32>,
        with_code: bool,
        wanted: &mut Vec<FuncId>,
    ) -> Result<usize, JitError> {
        let program = self.program;
        let module = &program.module;
        let func = &module.functions[f.index()];
        self.ctx.func.signature = match osr {
            Some(_) => translate::osr_signature(func, self.call_conv),
            None => crate::qi_signature(func, self.call_conv),
        };
        self.ctx.func.name =
            clif::UserFuncName::user(if osr.is_some() { 5 } else { 0 }, f.index() as u32);
        let mut linker = TieredLinker {
            jit: &mut self.jit,
            code: &mut self.code,
            rt_funcs: &mut self.rt_funcs,
            program,
            call_conv: self.call_conv,
            current: with_code.then_some(f),
            wanted: Vec::new(),
        };
        let b = FunctionBuilder::new(&mut self.ctx.func, &mut self.fctx);
        let mut translator =
            translate::Translator::new(module, func, b, &mut linker, self.publish_stores);
        translator.osr_entry = osr.map(qi_ir::BlockId);
        translator.translate(self.frontend);
        wanted.append(&mut linker.wanted);
        if let Err(e) = self.jit.define_function(id, &mut self.ctx) {
            // The next batch starts from an empty context whatever happened here.
            self.jit.clear_context(&mut self.ctx);
            return Err(JitError(format!("{}: {e:?}", func.name)));
        }
        let size = self.ctx.compiled_code().map_or(0, |c| c.code_info().total_size as usize);
        self.jit.clear_context(&mut self.ctx);
        Ok(size)
    }
}

/// Translation against the interpreter's program state, calling through the entry table.
struct TieredLinker<'c> {
    jit: &'c mut JITModule,
    code: &'c mut Vec<Option<cranelift_module::FuncId>>,
    rt_funcs: &'c mut HashMap<&'static str, cranelift_module::FuncId>,
    program: &'static Interpreted,
    call_conv: CallConv,
    /// The function being compiled, when its own code is in the batch (an OSR variant
    /// alone calls it through its entry).
    current: Option<FuncId>,
    /// Functions whose entries the code reads (they need one: a stub if not compiled).
    wanted: Vec<FuncId>,
}

impl TieredLinker<'_> {
    /// The address of `f`'s entry as a constant.
    fn entry(&mut self, b: &mut FunctionBuilder, f: FuncId) -> clif::Value {
        if Some(f) != self.current {
            self.wanted.push(f);
        }
        b.ins().iconst(types::I64, self.program.tiering.entry_address(f) as i64)
    }
}

impl translate::Linker for TieredLinker<'_> {
    fn qi_func(&mut self, b: &mut FunctionBuilder, f: FuncId) -> clif::FuncRef {
        let id = self.code[f.index()].expect("direct calls go to declared functions");
        self.jit.declare_func_in_func(id, b.func)
    }

    fn call_qi(&mut self, b: &mut FunctionBuilder, f: FuncId, args: &[clif::Value]) -> clif::Inst {
        if Some(f) == self.current || self.program.tiering.is_compiled(f) {
            let fref = self.qi_func(b, f);
            return b.ins().call(fref, args);
        }
        let entry = self.entry(b, f);
        let code = b.ins().load(types::I64, MemFlagsData::trusted(), entry, 0);
        let sig = crate::qi_signature(&self.program.module.functions[f.index()], self.call_conv);
        let sig = b.import_signature(sig);
        b.ins().call_indirect(sig, code, args)
    }

    fn func_value(&mut self, b: &mut FunctionBuilder, f: FuncId) -> clif::Value {
        self.entry(b, f)
    }

    fn closure_code(&mut self, b: &mut FunctionBuilder, slot0: clif::Value) -> clif::Value {
        b.ins().load(types::I64, MemFlagsData::trusted(), slot0, 0)
    }

    fn rt_func(&mut self, b: &mut FunctionBuilder, f: RtFn) -> clif::FuncRef {
        crate::runtime_func_ref(self.jit, self.rt_funcs, self.call_conv, b, f)
    }

    fn str_literal(&mut self, s: qi_ir::StrId) -> i64 {
        self.program.strings[s.index()] as i64
    }

    fn global_slot(&mut self, g: qi_ir::GlobalId) -> i64 {
        self.program.globals[g.index()].as_ptr() as i64
    }

    fn record_desc(&mut self, l: qi_ir::LayoutId) -> i64 {
        &*self.program.descs[l.index()] as *const qi_rt::record::RecordDesc as i64
    }

    fn global_name(&mut self, g: qi_ir::GlobalId) -> i64 {
        self.program.global_names[g.index()] as i64
    }

    fn foreign_addr(&mut self, f: qi_ir::ForeignId) -> i64 {
        self.program.glue().foreign[f.index()] as i64
    }

    /// The trampoline the interpreter's C boundary made (`crate::glue`): it calls the
    /// function's interpreter stub, which runs its compiled code once there is some.
    fn callback(
        &mut self,
        b: &mut FunctionBuilder,
        f: FuncId,
        sig: &qi_ir::CallbackSig,
    ) -> clif::Value {
        let address = self.program.glue().callback(f, sig);
        b.ins().iconst(types::I64, address as i64)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_batch_is_awaited_until_published_or_for_the_bound_at_most() {
        let (done, published) = mpsc::sync_channel(1);
        done.send(()).unwrap();
        assert!(await_batch(&published, Duration::MAX));
        done.send(()).unwrap();
        assert!(await_batch(&published, Duration::from_millis(1)));
        // Not published (yet): a bounded wait gives up, the green thread interprets on.
        assert!(!await_batch(&published, Duration::from_millis(1)));
        // The compiler thread has gone: no wait for ever.
        drop(done);
        assert!(!await_batch(&published, Duration::MAX));
    }
}
