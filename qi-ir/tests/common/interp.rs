//! A reference interpreter of the IR, for differential tests (optimised vs. not) and for
//! checking the reference-counting discipline of the lowering.
//!
//! Scalars are Rust values; strings, arrays, records and exceptions live in a heap of
//! counted objects.
//! `Retain`/`Release` are executed exactly as the JIT does (literal strings are immortal,
//! null is ignored), and the interpreter *faults* on anything the IR must never do:
//! using or releasing a freed object, releasing a non-object, a null array or record, an
//! `unreachable` terminator. Objects still alive at the end (leaks) are reported in
//! `Outcome::live` / `Outcome::leaked`.
//!
//! Exceptions (`抛出`, and the run-time errors of the program itself: division by zero, an
//! index out of range, …) are counted objects too. Raising one makes it the run's
//! *pending* exception; the raising instruction's result is not assigned, and control goes
//! to its block's exceptional edge (`Block::unwind`) if the instruction is the block's last
//! one and the block has that edge, or else leaves the function, which then raises at its
//! caller's call instruction (the `Terminator::Unwind` of a function's unwind block does the
//! same). An exception leaving `main` ends the run as *uncaught* (`qi run`: exit status 2,
//! `未捕获的异常: …`). The interpreter faults when the IR mishandles the pending slot:
//! raising while another exception is pending (that one would be lost), returning normally
//! or ending the run with one pending, taking or tracing when none is.
//!
//! Leak accounting is exact on both ways a run can end: after a normal end nothing may be
//! alive; after an uncaught exception the interpreter does what the driver and `main`'s
//! normal exit would (release the exception and every global), and then nothing may be
//! alive either. Only a *fatal* error (an allocation the runtime cannot make) stops
//! without accounting.

use qi_ir::*;

/// Does the interpreter implement every library function `m` calls? (Those with effects
/// outside the program — files — are left to the conformance suite, which runs them for
/// real, as it runs the programs that call C functions.)
pub fn interprets(m: &Module) -> bool {
    if !m.foreign.functions.is_empty() {
        return false;
    }
    let known = |f: LibId| {
        let symbol = f.row().symbol;
        symbol.starts_with("qi_math_")
            || symbol.starts_with("qi_string_")
            || symbol.starts_with("qi_vector_")
            || matches!(symbol, "qi_io_println" | "qi_io_print")
    };
    m.functions.iter().flat_map(|f| &f.blocks).flat_map(|b| &b.insts).all(|i| match i {
        Inst::Assign { value: Value::Builtin { op: Builtin::Library(f), .. }, .. }
        | Inst::Effect(Value::Builtin { op: Builtin::Library(f), .. }) => known(*f),
        // Addresses of variable slots (`&变量`) are not modelled.
        Inst::Assign { value: Value::LocalAddr(_) | Value::GlobalAddr(_), .. } => false,
        _ => true,
    })
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum V {
    Int(i64),
    Float(f64),
    Bool(bool),
    Char(u32),
    Null,
    /// A literal (immortal) string.
    Lit(u32),
    /// A counted heap object.
    Obj(usize),
    /// The code address of a function (slot 0 of a closure).
    Func(u32),
}

#[derive(Debug)]
enum Data {
    Str(String),
    Arr {
        items: Vec<V>,
        objects: bool,
    },
    /// A struct, boxed enum or closure; `owns[i]`: slot `i` holds a counted reference.
    Rec {
        slots: Vec<V>,
        owns: Vec<bool>,
        kind: LayoutKind,
    },
    Exc(Box<Exception>),
}

/// The payload of an exception object.
#[derive(Clone, Debug, PartialEq)]
pub struct Exception {
    pub message: String,
    /// Where it was raised (`Loc`).
    pub file: u32,
    pub line: u32,
    /// Frames it unwound through, innermost first (`ExcTrace`): function, file, line. As
    /// by the runtime, the first `TRACE_FRAMES` are kept here, the last
    /// `TRACE_BOTTOM_FRAMES` in `bottom`, and those in between only counted.
    pub trace: Vec<(String, u32, u32)>,
    /// Frames not kept.
    pub omitted: usize,
    pub bottom: Vec<(String, u32, u32)>,
    /// The exception being handled when this one was raised (owned; `Null` if none).
    cause: V,
}

/// How many innermost frames a trace keeps (`qi_rt::trace::TOP_FRAMES`).
pub const TRACE_FRAMES: usize = 64;
/// How many outermost frames a trace keeps (`qi_rt::trace::BOTTOM_FRAMES`).
pub const TRACE_BOTTOM_FRAMES: usize = 16;

/// An exception that left `main`.
#[derive(Clone, Debug, PartialEq)]
pub struct Uncaught {
    pub message: String,
    pub file: u32,
    pub line: u32,
    pub trace: Vec<(String, u32, u32)>,
    pub omitted: usize,
    pub bottom: Vec<(String, u32, u32)>,
    /// The chain of causes, innermost last: message, file, line.
    pub causes: Vec<(String, u32, u32)>,
}

impl Uncaught {
    /// What `qi run` prints on stderr (`qi_rt::exception::uncaught_report`).
    pub fn report(&self, m: &Module, english: bool) -> String {
        let file = |i: u32| m.files.get(i as usize).cloned().unwrap_or_else(|| "?".into());
        let mut out = format!("{}{}\n", uncaught_label(english), self.message);
        let at = if english { "at" } else { "在" };
        let push_frames = |out: &mut String, frames: &[(String, u32, u32)]| {
            let mut i = 0;
            while i < frames.len() {
                let (function, f, line) = &frames[i];
                let same = frames[i..].iter().take_while(|t| **t == frames[i]).count();
                out.push_str(&format!("  {at} {function} ({}:{line})", file(*f)));
                if same > 1 {
                    out.push_str(&if english {
                        format!(" ×{same}")
                    } else {
                        format!("（重复 {same} 次）")
                    });
                }
                out.push('\n');
                i += same;
            }
        };
        if self.omitted == 0 {
            push_frames(&mut out, &[self.trace.as_slice(), &self.bottom].concat());
        } else {
            push_frames(&mut out, &self.trace);
            let n = self.omitted;
            out.push_str(&if english {
                format!("  … {n} more frames\n")
            } else {
                format!("  …… 另有 {n} 帧\n")
            });
            push_frames(&mut out, &self.bottom);
        }
        let label = if english { "caused by" } else { "起因" };
        for (message, f, line) in &self.causes {
            out.push_str(&format!("{label}: {message} ({}:{line})\n", file(*f)));
        }
        out
    }
}

fn uncaught_label(english: bool) -> &'static str {
    if english {
        "uncaught exception: "
    } else {
        "未捕获的异常: "
    }
}

/// The run-time error messages of `qi_rt::exception`, in the run's language.
#[derive(Clone, Copy)]
struct Messages {
    english: bool,
}

impl Messages {
    fn pick(self, zh: String, en: String) -> String {
        if self.english {
            en
        } else {
            zh
        }
    }
    fn div_zero(self) -> String {
        self.pick("除数为零".into(), "division by zero".into())
    }
    fn index(self, index: i64, len: usize) -> String {
        self.pick(
            format!("下标越界：下标 {index}，长度 {len}"),
            format!("index out of range: index {index}, length {len}"),
        )
    }
    fn negative_length(self, n: i64) -> String {
        self.pick(format!("数组长度不能为负数：{n}"), format!("negative array length: {n}"))
    }
    fn array_too_large(self, n: i64) -> String {
        self.pick(
            format!("内存不足：无法分配长度为 {n} 的数组"),
            format!("out of memory: cannot allocate an array of length {n}"),
        )
    }
    fn float_to_int(self, x: f64) -> String {
        let shown = fmt_float(x);
        self.pick(
            format!("浮点数 {shown} 无法转换为整数"),
            format!("float {shown} cannot be converted to an integer"),
        )
    }
    fn int_to_char(self, n: i64) -> String {
        self.pick(format!("{n} 不是有效的字符码"), format!("{n} is not a valid character code"))
    }
    fn uninit_global(self, name: &str) -> String {
        self.pick(
            format!("全局变量 {name} 在初始化之前被读取"),
            format!("global {name} was read before its initialiser ran"),
        )
    }
    fn stack_overflow(self) -> String {
        self.pick("栈溢出：递归太深".into(), "stack overflow: recursion too deep".into())
    }
}

#[derive(Debug)]
struct Obj {
    data: Data,
    rc: u64,
    freed: bool,
}

/// What a run did.
#[derive(Debug)]
pub struct Outcome {
    pub stdout: String,
    /// The exception that ended the program, if one left `main`.
    pub uncaught: Option<Uncaught>,
    /// A fatal run-time error that ended the program (the runtime could not allocate).
    pub fatal: Option<String>,
    /// The message of the error that ended the program, either kind (exit status 2).
    pub runtime_error: Option<String>,
    /// Some call hit the depth limit (a `栈溢出` exception, caught or not).
    pub overflowed: bool,
    /// Exceptions raised during the run (thrown, runtime errors; not re-raises).
    pub raised: usize,
    /// The messages of the first 32 of them.
    pub raised_messages: Vec<String>,
    pub steps: u64,
    /// Calls made (frames pushed).
    pub calls: u64,
    pub max_depth: usize,
    /// Objects allocated during the run.
    pub allocations: usize,
    /// Objects still alive at the end of a run (after the clean-up of an uncaught
    /// exception), by kind, in the order and spelling of `qi run --leak-report`
    /// (`字符串`, `数组`, `结构体`, `枚举`, `闭包`, `异常`). Not counted after a fatal error.
    pub live: [usize; 6],
    /// Descriptions of the live objects.
    pub leaked: Vec<String>,
    /// The run's messages were English (`QI_LANG=en`).
    pub english: bool,
}

impl Outcome {
    /// The first line `qi run` prints on stderr when the run ends by an error.
    pub fn stderr_first_line(&self) -> Option<String> {
        match (&self.uncaught, &self.fatal) {
            (Some(u), _) => Some(format!("{}{}", uncaught_label(self.english), u.message)),
            (None, Some(f)) => Some(format!(
                "{}{f}",
                if self.english { "runtime error: " } else { "运行时错误: " }
            )),
            (None, None) => None,
        }
    }
}

/// The kinds of `Outcome::live`.
pub const KINDS: [&str; 6] = ["字符串", "数组", "结构体", "枚举", "闭包", "异常"];

#[derive(Clone, Copy, Debug)]
pub struct Limits {
    pub max_steps: u64,
    /// A call deeper than this raises `栈溢出：递归太深` at the call, as the JIT's check at
    /// function entry does when the stack runs out.
    pub max_depth: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { max_steps: 50_000_000, max_depth: 100_000 }
    }
}

enum Stop {
    /// A run-time error of the program: becomes a new exception, raised where it happened.
    Raise(String),
    /// An exception was made pending (`抛出`, re-raise): unwind.
    Raised,
    /// The run ends at once (what the runtime cannot recover from).
    Fatal(String),
    /// The IR did something it must never do.
    Fault(String),
}

/// How a run ended (when it did not fault).
enum End {
    Normal,
    Uncaught,
}

type R<T> = Result<T, Stop>;

fn fault<T>(msg: impl Into<String>) -> R<T> {
    Err(Stop::Fault(msg.into()))
}

struct Frame {
    func: usize,
    locals: Vec<V>,
    block: usize,
    ip: usize,
    ret_to: Option<LocalId>,
}

struct Machine<'m> {
    m: &'m Module,
    heap: Vec<Obj>,
    globals: Vec<V>,
    out: String,
    /// Lines of standard input still to read.
    input: std::vec::IntoIter<String>,
    args: Vec<String>,
    /// The pending exception (owned), or `Null`.
    pending: V,
    overflowed: bool,
    raised: usize,
    raised_messages: Vec<String>,
    calls: u64,
    msg: Messages,
}

/// Run `m`'s `main` with empty stdin and no arguments. `Err` is a fault (a bug in the IR).
pub fn run(m: &Module, limits: Limits) -> Result<Outcome, String> {
    run_with(m, limits, &[], &[])
}

/// Run with the given stdin lines and program arguments.
pub fn run_with(
    m: &Module,
    limits: Limits,
    input: &[&str],
    args: &[&str],
) -> Result<Outcome, String> {
    run_in(m, limits, input, args, false)
}

/// Run with the given stdin lines and program arguments, with English run-time error
/// messages if `english` (`QI_LANG=en`).
pub fn run_in(
    m: &Module,
    limits: Limits,
    input: &[&str],
    args: &[&str],
    english: bool,
) -> Result<Outcome, String> {
    let mut mach = Machine {
        m,
        heap: Vec::new(),
        globals: m.globals.iter().map(|g| zero(&g.ty)).collect(),
        out: String::new(),
        input: input.iter().map(|s| s.to_string()).collect::<Vec<_>>().into_iter(),
        args: args.iter().map(|s| s.to_string()).collect(),
        pending: V::Null,
        overflowed: false,
        raised: 0,
        raised_messages: Vec::new(),
        calls: 0,
        msg: Messages { english },
    };
    let mut steps = 0u64;
    let mut max_depth = 0usize;
    let result = mach.exec(limits, &mut steps, &mut max_depth);
    let fail = |mach: &Machine, msg: String| Err(format!("{msg}\n(output so far: {:?})", mach.out));
    let (uncaught, fatal) = match result {
        Ok(End::Normal) => (None, None),
        Ok(End::Uncaught) => match mach.uncaught_cleanup() {
            Ok(u) => (Some(u), None),
            Err(Stop::Fault(msg) | Stop::Raise(msg) | Stop::Fatal(msg)) => return fail(&mach, msg),
            Err(Stop::Raised) => return fail(&mach, "raised during the clean-up".into()),
        },
        Err(Stop::Fatal(msg)) => (None, Some(msg)),
        Err(Stop::Fault(msg)) => return fail(&mach, msg),
        Err(Stop::Raise(msg)) => {
            return fail(&mach, format!("run-time error {msg:?} escaped the interpreter loop"))
        }
        Err(Stop::Raised) => {
            return fail(&mach, "an exception escaped the interpreter loop".into())
        }
    };
    let mut live = [0; 6];
    let mut leaked = Vec::new();
    if fatal.is_none() {
        for (i, o) in mach.heap.iter().enumerate().filter(|(_, o)| !o.freed) {
            let kind = match &o.data {
                Data::Str(_) => 0,
                Data::Arr { .. } => 1,
                Data::Rec { kind: LayoutKind::Struct, .. } => 2,
                Data::Rec { kind: LayoutKind::Enum, .. } => 3,
                Data::Rec { kind: LayoutKind::Closure, .. } => 4,
                Data::Exc(_) => 5,
            };
            live[kind] += 1;
            leaked.push(format!("#{i} rc={} {:?}", o.rc, o.data));
        }
    }
    let runtime_error = uncaught.as_ref().map(|u| u.message.clone()).or_else(|| fatal.clone());
    Ok(Outcome {
        stdout: mach.out,
        uncaught,
        fatal,
        runtime_error,
        overflowed: mach.overflowed,
        raised: mach.raised,
        raised_messages: mach.raised_messages,
        steps,
        calls: mach.calls,
        max_depth,
        allocations: mach.heap.len(),
        live,
        leaked,
        english,
    })
}

fn zero(ty: &Type) -> V {
    match ty {
        Type::Int | Type::Void | Type::Ptr => V::Int(0),
        Type::Float => V::Float(0.0),
        Type::Bool => V::Bool(false),
        Type::Char => V::Char(0),
        Type::Enum { boxed: false, .. } => V::Int(0),
        Type::Str
        | Type::Array(_)
        | Type::Struct(_)
        | Type::Fn(_)
        | Type::Enum { boxed: true, .. }
        | Type::Exception
        | Type::Chan(_)
        | Type::Future(_) => V::Null,
    }
}

/// The one rendering of a float (spec README item 4).
pub fn fmt_float(x: f64) -> String {
    let mut s = format!("{x}");
    if x.is_finite() && x.trunc() == x {
        s.push_str(".0");
    }
    s
}

fn cmp_result(c: Cmp, o: std::cmp::Ordering) -> bool {
    use std::cmp::Ordering::*;
    match c {
        Cmp::Eq => o == Equal,
        Cmp::Ne => o != Equal,
        Cmp::Lt => o == Less,
        Cmp::Le => o != Greater,
        Cmp::Gt => o == Greater,
        Cmp::Ge => o != Less,
    }
}

impl Machine<'_> {
    fn exec(&mut self, limits: Limits, steps: &mut u64, max_depth: &mut usize) -> R<End> {
        let main = self.m.main.index();
        let mut frames = vec![self.frame(main, &[], None)?];
        loop {
            *steps += 1;
            if *steps > limits.max_steps {
                return fault(format!("step limit of {} exceeded", limits.max_steps));
            }
            match self.step(&mut frames, limits, max_depth) {
                Ok(None) => continue,
                Ok(Some(end)) => return Ok(end),
                Err(Stop::Raise(msg)) => {
                    let loc = self.raise_loc(&frames)?;
                    self.raise_new(msg, loc, V::Null)?;
                }
                Err(Stop::Raised) => {}
                Err(other) => return Err(other),
            }
            if self.propagate(&mut frames) {
                return Ok(End::Uncaught);
            }
        }
    }

    /// Where a run-time error of the instruction just executed in the top frame is
    /// reported: the position of its block's exceptional edge, else the function's
    /// (as the JIT does).
    fn raise_loc(&self, frames: &[Frame]) -> R<Loc> {
        let fr = frames.last().expect("a frame");
        let f = &self.m.functions[fr.func];
        let block = &f.blocks[fr.block];
        Ok(match block.unwind {
            Some(u) if fr.ip == block.insts.len() => u.loc,
            _ => f.loc,
        })
    }

    /// The instruction just executed by the top frame raised (the exception is pending):
    /// continue at its block's exceptional edge if it is the block's last instruction and
    /// the block has one; otherwise leave the function and do the same at the caller's call
    /// instruction. Returns true when the exception left `main`.
    fn propagate(&mut self, frames: &mut Vec<Frame>) -> bool {
        loop {
            let Some(fr) = frames.last_mut() else { return true };
            let block = &self.m.functions[fr.func].blocks[fr.block];
            if let (Some(u), true) = (block.unwind, fr.ip == block.insts.len()) {
                fr.block = u.to.index();
                fr.ip = 0;
                return false;
            }
            frames.pop();
        }
    }

    /// Execute one instruction or terminator of the top frame. `Ok(Some(_))`: the run ended.
    fn step(
        &mut self,
        frames: &mut Vec<Frame>,
        limits: Limits,
        max_depth: &mut usize,
    ) -> R<Option<End>> {
        let m = self.m;
        let fr = frames.last_mut().expect("a frame");
        let func = &m.functions[fr.func];
        let Some(block) = func.blocks.get(fr.block) else {
            return fault(format!("block b{} out of range", fr.block));
        };
        if fr.ip < block.insts.len() {
            let inst = &block.insts[fr.ip];
            fr.ip += 1;
            let (dst, value) = match inst {
                Inst::Assign { dst, value } => (Some(*dst), Some(value)),
                Inst::Effect(value) => (None, Some(value)),
                _ => (None, None),
            };
            let call = match value {
                Some(Value::Call { func, args, .. }) => {
                    let args: Vec<V> =
                        args.iter().map(|a| operand(&fr.locals, a)).collect::<R<_>>()?;
                    Some((func.index(), args))
                }
                Some(Value::CallIndirect { callee, args, .. }) => {
                    let closure = operand(&fr.locals, callee)?;
                    let code = match self.record(closure)?.0.first() {
                        Some(V::Func(f)) => *f as usize,
                        other => return fault(format!("closure without code pointer: {other:?}")),
                    };
                    let mut vals = vec![closure];
                    for a in args {
                        vals.push(operand(&fr.locals, a)?);
                    }
                    Some((code, vals))
                }
                _ => None,
            };
            if let Some((callee, args)) = call {
                let f = self.frame(callee, &args, dst)?;
                if frames.len() >= limits.max_depth {
                    // Like the JIT's check at function entry: raised in the frame being
                    // entered, which owns nothing yet and leaves at once.
                    self.overflowed = true;
                    let loc = m.functions[callee].loc;
                    self.raise_new(self.msg.stack_overflow(), loc, V::Null)?;
                    return Err(Stop::Raised);
                }
                frames.push(f);
                self.calls += 1;
                *max_depth = (*max_depth).max(frames.len());
                return Ok(None);
            }
            let locals = &mut frames.last_mut().unwrap().locals;
            self.inst(locals, inst)?;
            return Ok(None);
        }
        match &block.term {
            Terminator::Jump(b) => {
                fr.block = b.index();
                fr.ip = 0;
            }
            Terminator::Branch { cond, then_to, else_to } => {
                let c = match operand(&fr.locals, cond)? {
                    V::Bool(b) => b,
                    other => return fault(format!("branch on {other:?}")),
                };
                fr.block = if c { then_to.index() } else { else_to.index() };
                fr.ip = 0;
            }
            Terminator::Return(op) => {
                if self.pending != V::Null {
                    return fault(format!(
                        "{} returns normally with an exception pending (it would be lost)",
                        func.name
                    ));
                }
                let v = match op {
                    Some(op) => Some(operand(&fr.locals, op)?),
                    None => None,
                };
                let done = frames.pop().unwrap();
                let Some(caller) = frames.last_mut() else { return Ok(Some(End::Normal)) };
                if let Some(dst) = done.ret_to {
                    let Some(v) = v else {
                        return fault(format!(
                            "{} returned nothing to _{}",
                            m.functions[done.func].name, dst.0
                        ));
                    };
                    set(&mut caller.locals, dst, v)?;
                }
            }
            Terminator::Unwind => {
                if self.pending == V::Null {
                    return fault(format!(
                        "`unwind` in {} b{} with no exception pending",
                        func.name, fr.block
                    ));
                }
                // The caller's call instruction raised.
                frames.pop();
                return Err(Stop::Raised);
            }
            Terminator::Unreachable => {
                return fault(format!("reached `unreachable` in {} b{}", func.name, fr.block));
            }
        }
        Ok(None)
    }

    /// Make a new exception (owning `cause`) the pending one.
    fn raise_new(&mut self, message: String, loc: Loc, cause: V) -> R<()> {
        self.raised += 1;
        if self.raised_messages.len() < 32 {
            self.raised_messages.push(message.clone());
        }
        let exc = Exception {
            message,
            file: loc.file,
            line: loc.line,
            trace: Vec::new(),
            omitted: 0,
            bottom: Vec::new(),
            cause,
        };
        let e = self.new_obj(Data::Exc(Box::new(exc)));
        self.set_pending(e)
    }

    fn set_pending(&mut self, e: V) -> R<()> {
        if self.pending != V::Null {
            let old = self.exception(self.pending)?.message.clone();
            return fault(format!(
                "raised while the exception {old:?} is pending (it would be lost)"
            ));
        }
        self.pending = e;
        Ok(())
    }

    fn exception(&self, v: V) -> R<&Exception> {
        match v {
            V::Obj(i) => match &self.live(i)?.data {
                Data::Exc(e) => Ok(e),
                other => fault(format!("object #{i} used as an exception: {other:?}")),
            },
            other => fault(format!("{other:?} used as an exception")),
        }
    }

    /// After an exception left `main`: what the driver reports, then the clean-up the
    /// driver (the exception) and `main`'s normal exit (the globals) would do.
    fn uncaught_cleanup(&mut self) -> R<Uncaught> {
        let e = self.exception(self.pending)?;
        let mut causes = Vec::new();
        let mut cause = e.cause;
        while cause != V::Null {
            let c = self.exception(cause)?;
            causes.push((c.message.clone(), c.file, c.line));
            cause = c.cause;
        }
        let u = Uncaught {
            message: e.message.clone(),
            file: e.file,
            line: e.line,
            trace: e.trace.clone(),
            omitted: e.omitted,
            bottom: e.bottom.clone(),
            causes,
        };
        let pending = std::mem::replace(&mut self.pending, V::Null);
        self.release(pending)?;
        for (g, global) in self.m.globals.iter().enumerate() {
            if global.ty.is_rc() {
                self.release(self.globals[g])?;
            }
        }
        Ok(u)
    }

    fn frame(&self, func: usize, args: &[V], ret_to: Option<LocalId>) -> R<Frame> {
        let Some(f) = self.m.functions.get(func) else {
            return fault(format!("call of f{func} out of range"));
        };
        if args.len() != f.params.len() {
            return fault(format!("{} called with {} arguments", f.name, args.len()));
        }
        let mut locals: Vec<V> = f.locals.iter().map(|l| zero(&l.ty)).collect();
        locals[..args.len()].copy_from_slice(args);
        Ok(Frame { func, locals, block: 0, ip: 0, ret_to })
    }

    fn new_obj(&mut self, data: Data) -> V {
        self.heap.push(Obj { data, rc: 1, freed: false });
        V::Obj(self.heap.len() - 1)
    }

    fn live(&self, i: usize) -> R<&Obj> {
        let o = &self.heap[i];
        if o.freed {
            return fault(format!("use of freed object #{i} ({:?})", o.data));
        }
        Ok(o)
    }

    fn str_of(&self, v: V) -> R<&str> {
        match v {
            V::Lit(s) => Ok(&self.m.strings[s as usize]),
            V::Null => Ok(""),
            V::Obj(i) => match &self.live(i)?.data {
                Data::Str(s) => Ok(s),
                other => fault(format!("object #{i} used as a string: {other:?}")),
            },
            other => fault(format!("{other:?} used as a string")),
        }
    }

    fn array_of(&self, v: V) -> R<&Vec<V>> {
        match v {
            V::Obj(i) => match &self.live(i)?.data {
                Data::Arr { items, .. } => Ok(items),
                other => fault(format!("object #{i} used as an array: {other:?}")),
            },
            V::Null => fault("null array dereferenced (the JIT would crash)"),
            other => fault(format!("{other:?} used as an array")),
        }
    }

    fn record(&self, v: V) -> R<(&Vec<V>, &Vec<bool>)> {
        match v {
            V::Obj(i) => match &self.live(i)?.data {
                Data::Rec { slots, owns, .. } => Ok((slots, owns)),
                other => fault(format!("object #{i} used as a record: {other:?}")),
            },
            V::Null => fault("null record dereferenced (the JIT would crash)"),
            other => fault(format!("{other:?} used as a record")),
        }
    }

    fn retain(&mut self, v: V) -> R<()> {
        match v {
            V::Null | V::Lit(_) => Ok(()),
            V::Obj(i) => {
                self.live(i)?;
                self.heap[i].rc += 1;
                Ok(())
            }
            other => fault(format!("retain of {other:?}")),
        }
    }

    /// Drop one reference; objects reaching zero free their children too (iteratively,
    /// like the runtime, so that long chains cannot overflow the stack).
    fn release(&mut self, v: V) -> R<()> {
        let mut pending = vec![v];
        while let Some(v) = pending.pop() {
            match v {
                V::Null | V::Lit(_) => {}
                V::Obj(i) => {
                    self.live(i)?;
                    self.heap[i].rc -= 1;
                    if self.heap[i].rc == 0 {
                        self.heap[i].freed = true;
                        match &self.heap[i].data {
                            Data::Arr { items, objects: true } => {
                                pending.extend(items.iter().copied())
                            }
                            Data::Rec { slots, owns, .. } => pending.extend(
                                slots.iter().zip(owns).filter(|(_, o)| **o).map(|(s, _)| *s),
                            ),
                            Data::Exc(e) => pending.push(e.cause),
                            _ => {}
                        }
                    }
                }
                other => return fault(format!("release of {other:?}")),
            }
        }
        Ok(())
    }

    fn inst(&mut self, locals: &mut [V], inst: &Inst) -> R<()> {
        match inst {
            Inst::Assign { dst, value } => {
                let v = self.value(locals, value)?;
                set(locals, *dst, v)
            }
            Inst::Effect(value) => self.value(locals, value).map(|_| ()),
            Inst::SetGlobal { global, value } => {
                let v = operand(locals, value)?;
                match self.globals.get_mut(global.index()) {
                    Some(slot) => {
                        *slot = v;
                        Ok(())
                    }
                    None => fault(format!("global g{} out of range", global.0)),
                }
            }
            Inst::Retain(op) => {
                let v = operand(locals, op)?;
                self.retain(v)
            }
            Inst::Release(l) => {
                let v = get(locals, *l)?;
                self.release(v)
            }
            Inst::SetSlot { obj, slot, value } => {
                let (o, v) = (operand(locals, obj)?, operand(locals, value)?);
                self.record(o)?;
                let V::Obj(i) = o else { unreachable!() };
                let Data::Rec { slots, .. } = &mut self.heap[i].data else { unreachable!() };
                match slots.get_mut(*slot as usize) {
                    Some(s) => {
                        *s = v;
                        Ok(())
                    }
                    None => fault(format!("slot {slot} out of range")),
                }
            }
            Inst::SetIndex { array, index, value, .. } => {
                let (a, idx, v) =
                    (operand(locals, array)?, operand(locals, index)?, operand(locals, value)?);
                let len = self.array_of(a)?.len();
                let V::Int(idx) = idx else { return fault(format!("index {idx:?}")) };
                let V::Obj(i) = a else { unreachable!() };
                let Data::Arr { items, .. } = &mut self.heap[i].data else { unreachable!() };
                match usize::try_from(idx).ok().filter(|&k| k < len) {
                    Some(k) => {
                        items[k] = v;
                        Ok(())
                    }
                    None => Err(Stop::Raise(self.msg.index(idx, len))),
                }
            }
        }
    }

    fn value(&mut self, locals: &[V], value: &Value) -> R<V> {
        let op = |o: &Operand| operand(locals, o);
        Ok(match value {
            Value::Use(o) => op(o)?,
            Value::Unary(u, a) => match (u, op(a)?) {
                (UnOp::INeg, V::Int(x)) => V::Int(x.wrapping_neg()),
                (UnOp::FNeg, V::Float(x)) => V::Float(-x),
                (UnOp::Not, V::Bool(b)) => V::Bool(!b),
                (u, v) => return fault(format!("{u:?} of {v:?}")),
            },
            Value::Binary(b, x, y) => self.binary(*b, op(x)?, op(y)?)?,
            Value::Convert(c, a) => convert(*c, op(a)?, self.msg)?,
            Value::Call { .. } | Value::CallIndirect { .. } => {
                unreachable!("calls are handled by the frame loop")
            }
            // The reference interpreter calls no C code.
            Value::CallForeign { .. }
            | Value::Callback { .. }
            | Value::LocalAddr(_)
            | Value::GlobalAddr(_) => {
                return fault("foreign calls and addresses are not interpreted")
            }
            Value::NewRecord(l) => {
                let Some(layout) = self.m.layouts.get(l.index()) else {
                    return fault(format!("layout L{} out of range", l.0));
                };
                let slots = layout.slots.iter().map(|s| zero(&s.ty)).collect();
                let owns = layout.slots.iter().map(|s| s.owns_object()).collect();
                self.new_obj(Data::Rec { slots, owns, kind: layout.kind })
            }
            Value::GetSlot { obj, slot, .. } => {
                let o = op(obj)?;
                match self.record(o)?.0.get(*slot as usize) {
                    Some(v) => *v,
                    None => return fault(format!("slot {slot} out of range")),
                }
            }
            Value::FuncAddr(f) => V::Func(f.0),
            Value::Builtin { op: b, args, .. } => {
                let args: Vec<V> = args.iter().map(op).collect::<R<_>>()?;
                self.builtin(*b, &args)?
            }
            Value::Global(g) => {
                let (Some(v), Some(global)) =
                    (self.globals.get(g.index()), self.m.globals.get(g.index()))
                else {
                    return fault(format!("global g{} out of range", g.0));
                };
                // A struct, function or boxed-enum global has no zero value: null until its
                // initialiser ran. (A `选项<对象>` is a nullable pointer whose null is `无`.)
                let checked = matches!(
                    global.ty,
                    Type::Struct(_) | Type::Fn(_) | Type::Enum { boxed: true, .. }
                );
                if *v == V::Null && checked && !is_nullable_option(self.m, &global.ty) {
                    return Err(Stop::Raise(self.msg.uninit_global(&global.name)));
                }
                *v
            }
            Value::NewArray { elem, len, .. } => {
                let n = match op(len)? {
                    V::Int(n) => n,
                    v => return fault(format!("array length {v:?}")),
                };
                if n < 0 {
                    return Err(Stop::Raise(self.msg.negative_length(n)));
                }
                if n >= 1 << 40 {
                    // At least 1 TiB whatever the element type: more than the machine's
                    // memory, which the runtime refuses with an exception.
                    return Err(Stop::Raise(self.msg.array_too_large(n)));
                }
                if n > 1 << 24 {
                    return fault(format!("array of {n} elements is too big for the interpreter"));
                }
                let items = vec![zero(elem); n as usize];
                self.new_obj(Data::Arr { items, objects: elem.is_rc() })
            }
            Value::ArrayLen(a) => V::Int(self.array_of(op(a)?)?.len() as i64),
            Value::Index { array, index, .. } => {
                let items = self.array_of(op(array)?)?;
                let i = match op(index)? {
                    V::Int(i) => i,
                    v => return fault(format!("index {v:?}")),
                };
                match usize::try_from(i).ok().and_then(|i| items.get(i)) {
                    Some(v) => *v,
                    None => return Err(Stop::Raise(self.msg.index(i, items.len()))),
                }
            }
        })
    }

    fn binary(&mut self, b: BinOp, x: V, y: V) -> R<V> {
        use V::*;
        Ok(match (b, x, y) {
            (BinOp::IAdd, Int(a), Int(c)) => Int(a.wrapping_add(c)),
            (BinOp::ISub, Int(a), Int(c)) => Int(a.wrapping_sub(c)),
            (BinOp::IMul, Int(a), Int(c)) => Int(a.wrapping_mul(c)),
            (BinOp::IDiv | BinOp::IRem, Int(_), Int(0)) => {
                return Err(Stop::Raise(self.msg.div_zero()))
            }
            (BinOp::IDiv, Int(a), Int(c)) => Int(a.wrapping_div(c)),
            (BinOp::IRem, Int(a), Int(c)) => Int(a.wrapping_rem(c)),
            (BinOp::IAnd, Int(a), Int(c)) => Int(a & c),
            (BinOp::IOr, Int(a), Int(c)) => Int(a | c),
            (BinOp::IXor, Int(a), Int(c)) => Int(a ^ c),
            (BinOp::IShl, Int(a), Int(c)) => Int(a.wrapping_shl(c as u32)),
            (BinOp::IShr, Int(a), Int(c)) => Int(a.wrapping_shr(c as u32)),
            (BinOp::FAdd, Float(a), Float(c)) => Float(a + c),
            (BinOp::FSub, Float(a), Float(c)) => Float(a - c),
            (BinOp::FMul, Float(a), Float(c)) => Float(a * c),
            (BinOp::FDiv, Float(a), Float(c)) => Float(a / c),
            (BinOp::FRem, Float(a), Float(c)) => Float(a % c),
            (BinOp::ICmp(c), a, d) => {
                let (Some(a), Some(d)) = (as_int(a).or(address(a)), as_int(d).or(address(d)))
                else {
                    return fault(format!("ICmp of {a:?}, {d:?}"));
                };
                Bool(cmp_result(c, a.cmp(&d)))
            }
            (BinOp::FCmp(c), Float(a), Float(d)) => Bool(match a.partial_cmp(&d) {
                Some(o) => cmp_result(c, o),
                None => false, // ordered comparisons: NaN makes every one false, `!=` too
            }),
            (BinOp::SCmp(c), a, d) => {
                let o = self.str_of(a)?.as_bytes().cmp(self.str_of(d)?.as_bytes());
                Bool(cmp_result(c, o))
            }
            (b, x, y) => return fault(format!("{b:?} of {x:?}, {y:?}")),
        })
    }

    /// A library function, by its row's entry point: `数学`, `字符串`, `向量` and the printing
    /// of `输入输出` (the text functions are `qi-rt`'s own pure functions, so what this
    /// checks is the IR around them: argument types and the ownership of results).
    fn library(&mut self, f: LibId, args: &[V]) -> R<V> {
        use qi_rt::library::text;
        let symbol = f.row().symbol;
        let float = |i: usize| match args.get(i) {
            Some(V::Float(x)) => Ok(*x),
            v => fault(format!("{symbol}: argument {i} is {v:?}")),
        };
        let int = |i: usize| match args.get(i) {
            Some(V::Int(n)) => Ok(*n),
            v => fault(format!("{symbol}: argument {i} is {v:?}")),
        };
        let string = |this: &Self, i: usize| match args.get(i) {
            Some(v) => this.str_of(*v).map(str::to_owned),
            None => fault(format!("{symbol}: missing argument {i}")),
        };
        let new_str = |this: &mut Self, s: &str| this.new_obj(Data::Str(s.to_owned()));
        let truth = |b: bool| V::Int(b as i64);
        if let Some(op) = symbol.strip_prefix("qi_vector_") {
            return self.vector(op, args);
        }
        if let Some(math) = symbol.strip_prefix("qi_math_") {
            return Ok(V::Float(match math {
                "sqrt" => float(0)?.sqrt(),
                "abs" => float(0)?.abs(),
                "floor" => float(0)?.floor(),
                "ceil" => float(0)?.ceil(),
                "round" => float(0)?.round(),
                "sin" => float(0)?.sin(),
                "cos" => float(0)?.cos(),
                "tan" => float(0)?.tan(),
                "asin" => float(0)?.asin(),
                "acos" => float(0)?.acos(),
                "atan" => float(0)?.atan(),
                "tanh" => float(0)?.tanh(),
                "exp" => float(0)?.exp(),
                "ln" => float(0)?.ln(),
                "log10" => float(0)?.log10(),
                "log2" => float(0)?.log2(),
                "cbrt" => float(0)?.cbrt(),
                "pow" => float(0)?.powf(float(1)?),
                "max" => float(0)?.max(float(1)?),
                "min" => float(0)?.min(float(1)?),
                "pi" => std::f64::consts::PI,
                "e" => std::f64::consts::E,
                other => return fault(format!("the interpreter has no qi_math_{other}")),
            }));
        }
        Ok(match symbol {
            "qi_io_println" | "qi_io_print" => {
                let s = string(self, 0)?;
                self.out.push_str(&s);
                if symbol == "qi_io_println" {
                    self.out.push('\n');
                }
                V::Int(0)
            }
            "qi_string_byte_length" => V::Int(string(self, 0)?.len() as i64),
            "qi_string_char_count" => V::Int(string(self, 0)?.chars().count() as i64),
            "qi_string_char_substring" => {
                let s = string(self, 0)?;
                new_str(self, text::char_substring(&s, int(1)?, int(2)?))
            }
            "qi_string_char_find" => V::Int(text::char_find(&string(self, 0)?, &string(self, 1)?)),
            "qi_string_char_at" => {
                let s = string(self, 0)?;
                new_str(self, text::char_at(&s, int(1)?))
            }
            "qi_string_char_from" => {
                let s = string(self, 0)?;
                new_str(self, text::char_from(&s, int(1)?))
            }
            "qi_string_equals" => truth(string(self, 0)? == string(self, 1)?),
            "qi_string_substring" => {
                let s = string(self, 0)?;
                new_str(self, text::substring(&s, int(1)?, int(2)?))
            }
            "qi_string_contains" => truth(string(self, 0)?.contains(&string(self, 1)?)),
            "qi_string_find" => V::Int(text::find(&string(self, 0)?, &string(self, 1)?)),
            "qi_string_find_from" => {
                V::Int(text::find_from(&string(self, 0)?, &string(self, 1)?, int(2)?))
            }
            "qi_string_substring_from" => {
                let s = string(self, 0)?;
                new_str(self, text::substring_from(&s, int(1)?))
            }
            "qi_string_common_prefix" => {
                V::Int(text::common_prefix(&string(self, 0)?, &string(self, 1)?))
            }
            "qi_string_common_suffix" => {
                V::Int(text::common_suffix(&string(self, 0)?, &string(self, 1)?, int(2)?))
            }
            "qi_string_replace" => {
                let r = text::replace(&string(self, 0)?, &string(self, 1)?, &string(self, 2)?);
                new_str(self, &r)
            }
            "qi_string_trim" => {
                let s = string(self, 0)?;
                new_str(self, s.trim())
            }
            "qi_string_to_upper" => {
                let s = string(self, 0)?.to_uppercase();
                new_str(self, &s)
            }
            "qi_string_to_lower" => {
                let s = string(self, 0)?.to_lowercase();
                new_str(self, &s)
            }
            "qi_string_starts_with" => truth(string(self, 0)?.starts_with(&string(self, 1)?)),
            "qi_string_ends_with" => truth(string(self, 0)?.ends_with(&string(self, 1)?)),
            other => return fault(format!("the interpreter has no {other}")),
        })
    }

    /// A `向量` function (`qi_vector_<op>`) on borrowed `数组<浮点数>` arguments, by
    /// qi-rt's pure functions; an array result is a fresh object of float slots.
    fn vector(&mut self, op: &str, args: &[V]) -> R<V> {
        use qi_rt::library::vector;
        let floats = |this: &Self, i: usize| -> R<Vec<f64>> {
            let items = this.array_of(*args.get(i).ok_or(Stop::Fault(format!("{op}: no {i}")))?)?;
            items
                .iter()
                .map(|v| match v {
                    V::Float(x) => Ok(*x),
                    other => fault(format!("qi_vector_{op}: element {other:?}")),
                })
                .collect()
        };
        let result = match op {
            "dot" => return Ok(V::Float(vector::dot(&floats(self, 0)?, &floats(self, 1)?))),
            "magnitude" => return Ok(V::Float(vector::magnitude(&floats(self, 0)?))),
            "cosine_similarity" => {
                let (a, b) = (floats(self, 0)?, floats(self, 1)?);
                return Ok(V::Float(vector::cosine_similarity(&a, &b)));
            }
            "add" => vector::add(&floats(self, 0)?, &floats(self, 1)?),
            "normalize" => vector::normalize(&floats(self, 0)?),
            "scale" => match args.get(1) {
                Some(V::Float(k)) => vector::scale(&floats(self, 0)?, *k),
                v => return fault(format!("qi_vector_scale: factor {v:?}")),
            },
            other => return fault(format!("the interpreter has no qi_vector_{other}")),
        };
        let items = result.into_iter().map(V::Float).collect();
        Ok(self.new_obj(Data::Arr { items, objects: false }))
    }

    fn builtin(&mut self, b: Builtin, args: &[V]) -> R<V> {
        use Builtin::*;
        let arg = |i: usize| {
            args.get(i).copied().ok_or(Stop::Fault(format!("{b:?}: missing argument {i}")))
        };
        let new_str = |this: &mut Self, s: String| this.new_obj(Data::Str(s));
        Ok(match b {
            Concat => {
                let s = format!("{}{}", self.str_of(arg(0)?)?, self.str_of(arg(1)?)?);
                new_str(self, s)
            }
            // The old value is moved in: a new string, and the old reference dropped (the
            // runtime's in-place growth is only an optimisation of exactly this).
            Append => {
                let s = format!("{}{}", self.str_of(arg(0)?)?, self.str_of(arg(1)?)?);
                let r = new_str(self, s);
                self.release(arg(0)?)?;
                r
            }
            IntToStr => match arg(0)? {
                V::Int(n) => new_str(self, n.to_string()),
                v => return fault(format!("IntToStr of {v:?}")),
            },
            FloatToStr => match arg(0)? {
                V::Float(x) => new_str(self, fmt_float(x)),
                v => return fault(format!("FloatToStr of {v:?}")),
            },
            BoolToStr => match arg(0)? {
                V::Bool(x) => new_str(self, if x { "真" } else { "假" }.into()),
                v => return fault(format!("BoolToStr of {v:?}")),
            },
            CharToStr => match arg(0)? {
                V::Char(c) => new_str(self, char::from_u32(c).unwrap_or('\u{FFFD}').to_string()),
                v => return fault(format!("CharToStr of {v:?}")),
            },
            StrToInt => V::Int(self.str_of(arg(0)?)?.parse::<i64>().unwrap_or(0)),
            StrToFloat => V::Float(self.str_of(arg(0)?)?.parse::<f64>().unwrap_or(0.0)),
            StrLen => V::Int(self.str_of(arg(0)?)?.chars().count() as i64),
            PrintStr => {
                let s = self.str_of(arg(0)?)?.to_string();
                self.out.push_str(&s);
                V::Int(0)
            }
            // This interpreter has no null strings (no library calls).
            PrintStrLine => {
                let s = self.str_of(arg(0)?)?.to_string();
                self.out.push_str(&s);
                self.out.push('\n');
                V::Int(0)
            }
            PrintInt | PrintFloat | PrintBool | PrintChar => {
                let text = match (b, arg(0)?) {
                    (PrintInt, V::Int(n)) => n.to_string(),
                    (PrintFloat, V::Float(x)) => fmt_float(x),
                    (PrintBool, V::Bool(x)) => if x { "真" } else { "假" }.into(),
                    (PrintChar, V::Char(c)) => char::from_u32(c).unwrap_or('\u{FFFD}').to_string(),
                    (b, v) => return fault(format!("{b:?} of {v:?}")),
                };
                self.out.push_str(&text);
                V::Int(0)
            }
            PrintSpace => {
                self.out.push(' ');
                V::Int(0)
            }
            PrintNewline => {
                self.out.push('\n');
                V::Int(0)
            }
            Args => {
                let items: Vec<V> =
                    self.args.clone().into_iter().map(|s| new_str(self, s)).collect();
                self.new_obj(Data::Arr { items, objects: true })
            }
            Library(f) => return self.library(f, args),
            Input | InputPrompt => {
                if b == InputPrompt {
                    let s = self.str_of(arg(0)?)?.to_string();
                    self.out.push_str(&s);
                }
                let line = self.input.next().unwrap_or_default();
                new_str(self, line)
            }
            Throw | ThrowCaused => {
                let message = self.str_of(arg(0)?)?.to_string();
                let (cause, at) = match b {
                    ThrowCaused => (arg(1)?, 2),
                    _ => (V::Null, 1),
                };
                let (V::Int(file), V::Int(line)) = (arg(at)?, arg(at + 1)?) else {
                    return fault(format!("{b:?} with position {:?}", &args[at..]));
                };
                if cause != V::Null {
                    self.exception(cause)?;
                    // The new exception keeps its own reference to its cause.
                    self.retain(cause)?;
                }
                self.raise_new(message, Loc { file: file as u32, line: line as u32 }, cause)?;
                return Err(Stop::Raised);
            }
            ExcTake => {
                if self.pending == V::Null {
                    return fault(
                        "ExcTake with no exception pending (a handler entered without one)",
                    );
                }
                std::mem::replace(&mut self.pending, V::Null)
            }
            ExcRethrow => {
                let e = arg(0)?;
                self.exception(e)?;
                // The pending slot takes its own reference; the caller's stays.
                self.retain(e)?;
                self.set_pending(e)?;
                return Err(Stop::Raised);
            }
            ExcMessage | ExcLocation | ExcCause => {
                let e = arg(0)?;
                let text = if e == V::Null {
                    String::new()
                } else {
                    let x = self.exception(e)?;
                    match b {
                        ExcMessage => x.message.clone(),
                        ExcLocation => {
                            let file = self
                                .m
                                .files
                                .get(x.file as usize)
                                .map(String::as_str)
                                .unwrap_or("?");
                            format!("{file}:{}", x.line)
                        }
                        _ if x.cause == V::Null => String::new(),
                        _ => self.exception(x.cause)?.message.clone(),
                    }
                };
                new_str(self, text)
            }
            ExcTrace => {
                let function = self.str_of(arg(0)?)?.to_string();
                let (V::Int(file), V::Int(line)) = (arg(1)?, arg(2)?) else {
                    return fault(format!("ExcTrace of {args:?}"));
                };
                let V::Obj(i) = self.pending else {
                    return fault(
                        "ExcTrace with no exception pending (a landing entered normally)",
                    );
                };
                self.live(i)?;
                let Data::Exc(e) = &mut self.heap[i].data else {
                    return fault("the pending object is not an exception");
                };
                let frame = (function, file as u32, line as u32);
                if e.trace.len() < TRACE_FRAMES {
                    e.trace.push(frame);
                } else {
                    if e.bottom.len() == TRACE_BOTTOM_FRAMES {
                        e.bottom.remove(0);
                        e.omitted += 1;
                    }
                    e.bottom.push(frame);
                }
                V::Int(0)
            }
            // The reference interpreter is single-threaded: programs with green threads,
            // channels or futures are checked by the conformance runner only.
            _ => return fault(format!("{b:?}: concurrency is not interpreted")),
        })
    }
}

/// Is `ty` a `选项<T>` of an object type, represented as a nullable pointer (`有(x)` is `x`,
/// `无` is null)? (The rule of the validator's `niche_payload`.)
pub fn is_nullable_option(m: &Module, ty: &Type) -> bool {
    let Type::Enum { e, .. } = ty else { return false };
    let Some(def) = m.enums.get(e.id.index()) else { return false };
    match def.variants.as_slice() {
        [some, none] => {
            def.name.starts_with("选项")
                && none.payload.is_empty()
                && some.payload.len() == 1
                && some.payload[0].is_rc()
        }
        _ => false,
    }
}

fn as_int(v: V) -> Option<i64> {
    match v {
        V::Int(n) => Some(n),
        V::Bool(b) => Some(b as i64),
        V::Char(c) => Some(c as i64),
        V::Func(f) => Some(f as i64),
        _ => None,
    }
}

/// An object's identity, for address comparisons (`选项<对象>` null tests).
fn address(v: V) -> Option<i64> {
    match v {
        V::Null => Some(0),
        V::Obj(i) => Some(i as i64 + 1),
        V::Lit(s) => Some(-(s as i64) - 1),
        _ => None,
    }
}

fn convert(c: Conv, v: V, msg: Messages) -> R<V> {
    use V::*;
    Ok(match (c, v) {
        (Conv::IntToFloat, Int(n)) => Float(n as f64),
        (Conv::FloatToInt, Float(x)) => {
            if (-9_223_372_036_854_775_808.0..9_223_372_036_854_775_808.0).contains(&x) {
                Int(x as i64)
            } else {
                return Err(Stop::Raise(msg.float_to_int(x)));
            }
        }
        (Conv::FloatToIntSat, Float(x)) => Int(x as i64),
        (Conv::BoolToInt, Bool(b)) => Int(b as i64),
        (Conv::BoolToFloat, Bool(b)) => Float(b as i64 as f64),
        (Conv::IntToBool, Int(n)) => Bool(n != 0),
        (Conv::CharToInt, Char(c)) => Int(c as i64),
        (Conv::IntToChar, Int(n)) => {
            match u32::try_from(n).ok().filter(|c| char::from_u32(*c).is_some()) {
                Some(c) => Char(c),
                None => return Err(Stop::Raise(msg.int_to_char(n))),
            }
        }
        (c, v) => return fault(format!("{c:?} of {v:?}")),
    })
}

fn get(locals: &[V], l: LocalId) -> R<V> {
    match locals.get(l.index()) {
        Some(v) => Ok(*v),
        None => fault(format!("local _{} out of range", l.0)),
    }
}

fn set(locals: &mut [V], l: LocalId, v: V) -> R<()> {
    match locals.get_mut(l.index()) {
        Some(slot) => {
            *slot = v;
            Ok(())
        }
        None => fault(format!("local _{} out of range", l.0)),
    }
}

fn operand(locals: &[V], op: &Operand) -> R<V> {
    Ok(match op {
        Operand::Local(l) => get(locals, *l)?,
        Operand::Int(n) => V::Int(*n),
        Operand::Float(x) => V::Float(*x),
        Operand::Bool(b) => V::Bool(*b),
        Operand::Char(c) => V::Char(*c),
        Operand::Str(s) => V::Lit(s.0),
        Operand::Null => V::Null,
    })
}
