//! The typed mid-level IR: what the checker produces and every execution tier consumes.
//!
//! A function is a control-flow graph of basic blocks over *typed local slots*. All state
//! of a running function lives in its locals (there are no SSA temporaries that cross
//! blocks), which is what lets a future interpreter tier and the JIT agree on one frame
//! layout: on-stack replacement copies the locals array, and any block entry is a valid
//! place to switch tiers.
//!
//! Reference counting is explicit: the lowering emits `Retain`/`Release` so that every
//! tier executes exactly the same count traffic (and optimisations over it, such as
//! moving on last use, are IR-to-IR passes).

use std::fmt;

macro_rules! id {
    ($name:ident) => {
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        pub struct $name(pub u32);
        impl $name {
            pub fn index(self) -> usize {
                self.0 as usize
            }
        }
    };
}
id!(FuncId);
id!(LocalId);
id!(BlockId);
id!(GlobalId);
id!(StrId);
id!(StructId);
id!(EnumId);
id!(LayoutId);
id!(ForeignId);

/// A named type's identity plus its name (kept in the type so that messages and the IR
/// printer can show it without a lookup).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Named<Id> {
    pub id: Id,
    pub name: std::sync::Arc<str>,
}

/// The type of a function value.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct FnType {
    pub params: Vec<Type>,
    pub ret: Type,
}

/// Static types of values.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Type {
    /// No value (`空`): only a return type.
    Void,
    Int,
    Float,
    Bool,
    /// A Unicode scalar value (`字符`).
    Char,
    /// Reference-counted immutable UTF-8 string.
    Str,
    /// Reference-counted fixed-length array with 8-byte slots.
    Array(Box<Type>),
    /// A (monomorphised) struct: a reference-counted record.
    Struct(Named<StructId>),
    /// An enum. Without payloads it is its variant's tag (an integer); when any variant
    /// has a payload (`boxed`), a reference-counted record holding tag and payload —
    /// except `选项<对象>` (`nullable`), which is the object itself or null for `无`.
    Enum {
        e: Named<EnumId>,
        boxed: bool,
        nullable: bool,
    },
    /// A function value: a reference-counted closure record.
    Fn(Box<FnType>),
    /// A caught exception (only in compiler-made slots of `尝试` handlers).
    Exception,
    /// `通道<T>`: a reference-counted channel object carrying values of `T`.
    Chan(Box<Type>),
    /// `未来<T>`: a reference-counted future object that completes with a `T` or fails.
    Future(Box<Type>),
    /// `协程<T>`: a reference-counted generator object yielding values of `T`.
    Gen(Box<Type>),
    /// `指针`: an opaque C address (language.md §6.10), 64 bits, not counted.
    Ptr,
}

impl Type {
    /// Values of this type are pointers to reference-counted heap objects.
    pub fn is_rc(&self) -> bool {
        matches!(
            self,
            Type::Str
                | Type::Array(_)
                | Type::Struct(_)
                | Type::Fn(_)
                | Type::Enum { boxed: true, .. }
                | Type::Exception
                | Type::Chan(_)
                | Type::Future(_)
                | Type::Gen(_)
        )
    }

    /// How a value of this type travels through the runtime as 64 bits (channels,
    /// futures).
    pub fn bits(&self) -> Bits {
        match self {
            Type::Void => Bits::Void,
            Type::Float => Bits::Float,
            Type::Bool => Bits::Bool,
            Type::Char => Bits::Char,
            t if t.is_rc() => Bits::Object,
            _ => Bits::Int,
        }
    }
    /// A global of this type holds null until its initialiser has run (it has no zero
    /// value, and null is not one of its values), so reading it first is an error.
    pub fn null_until_initialised(&self) -> bool {
        matches!(
            self,
            Type::Struct(_)
                | Type::Fn(_)
                | Type::Enum { boxed: true, nullable: false, .. }
                | Type::Chan(_)
                | Type::Future(_)
                | Type::Gen(_)
        )
    }

    /// Chinese spelling, as written in Qi source and shown in diagnostics.
    pub fn zh(&self) -> String {
        match self {
            Type::Void => "空".into(),
            Type::Int => "整数".into(),
            Type::Float => "浮点数".into(),
            Type::Bool => "布尔".into(),
            Type::Char => "字符".into(),
            Type::Str => "字符串".into(),
            Type::Array(t) => format!("数组<{}>", t.zh()),
            Type::Struct(s) => s.name.to_string(),
            Type::Exception => "异常".into(),
            Type::Chan(t) => format!("通道<{}>", t.zh()),
            Type::Future(t) => format!("未来<{}>", t.zh()),
            Type::Gen(t) => format!("协程<{}>", t.zh()),
            Type::Enum { e, .. } => e.name.to_string(),
            Type::Ptr => "指针".into(),
            Type::Fn(f) => {
                let params: Vec<String> = f.params.iter().map(Type::zh).collect();
                match f.ret {
                    Type::Void => format!("函数({})", params.join(", ")),
                    ref r => format!("函数({}): {}", params.join(", "), r.zh()),
                }
            }
        }
    }
}

impl fmt::Display for Type {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.zh())
    }
}

/// A source position kept for runtime errors and stack traces: file index and 1-based line.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub struct Loc {
    pub file: u32,
    pub line: u32,
}

#[derive(Clone, Debug)]
pub struct Module {
    pub functions: Vec<Function>,
    pub globals: Vec<Global>,
    /// Literal strings, referenced by `Operand::Str`.
    pub strings: Vec<String>,
    /// The function the engine calls: it initialises the globals, then calls `入口`.
    pub main: FuncId,
    /// Source file names, indexed by `Loc::file`.
    pub files: Vec<String>,
    pub structs: Vec<StructDef>,
    pub enums: Vec<EnumDef>,
    /// Record layouts of structs, enum variants with payloads, and closures.
    pub layouts: Vec<Layout>,
    /// What the `反射` library module shows of the program.
    pub reflection: Reflection,
    /// The C functions of the program's `外部` blocks (language.md §5.10).
    pub foreign: Foreign,
    /// Which records and arrays may be part of a reference cycle (`cycles::analyze`).
    pub cyclic: crate::cycles::Cyclic,
    /// Which record slots are never written once the record exists (`cycles::analyze`).
    pub frozen: crate::cycles::Frozen,
}

/// The libraries and C functions a program declares in `外部` blocks. The engine loads
/// each library once and resolves each function before `入口` runs.
#[derive(Clone, Debug, Default)]
pub struct Foreign {
    pub libs: Vec<ForeignLib>,
    /// Indexed by `ForeignId`.
    pub functions: Vec<ForeignFn>,
}

/// A library named by an `外部 "名"` block (one entry per distinct name, whatever the
/// number of blocks and files naming it).
#[derive(Clone, Debug)]
pub struct ForeignLib {
    /// As written: `"m"`, `"c"`, `"z"`, `""` (the process itself), or a file name/path.
    pub name: String,
    /// The first block naming it (for loader errors).
    pub file: u32,
    pub range: rowan::TextRange,
}

/// A C function declared in an `外部` block.
#[derive(Clone, Debug)]
pub struct ForeignFn {
    /// The C symbol (unmangled: also its Qi name).
    pub name: String,
    /// Index into `Foreign::libs`.
    pub lib: u32,
    pub params: Vec<CType>,
    pub ret: CType,
    /// Its declaration (for resolution errors).
    pub file: u32,
    pub range: rowan::TextRange,
}

/// A type at the C boundary (language.md §5.10's mapping).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum CType {
    /// No result.
    Void,
    /// `整数` ↔ int64.
    I64,
    /// `浮点数` ↔ double.
    F64,
    /// `布尔` ↔ int64 0/1.
    Bool,
    /// `字符串`: `const char*` argument (NUL-terminated copy), `char*` result copied into
    /// a new string.
    Str,
    /// `指针` ↔ `void*`.
    Ptr,
    /// `C整数` ↔ int32, sign-extended back to `整数`.
    I32,
    /// `C无符号整数` ↔ uint32, zero-extended back to `整数`.
    U32,
    /// `函数(…): R`: a C function pointer; the argument is a capture-free top-level Qi
    /// function, called through a generated C-convention trampoline.
    Callback(Box<CallbackSig>),
    /// A struct of one or two 8-byte scalar fields, by value: each field travels as a
    /// scalar of its C type (`I64`, `F64` or `Ptr`), as the x86-64 System V convention
    /// passes and returns such a struct (in registers).
    Struct(Box<CStruct>),
}

/// A struct passed by value at the C boundary.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct CStruct {
    /// The Qi struct type.
    pub ty: Type,
    pub layout: LayoutId,
    /// The C type of each field, in order.
    pub fields: Vec<CType>,
}

/// The C signature of a callback parameter (no strings, no structs).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct CallbackSig {
    pub params: Vec<CType>,
    pub ret: CType,
}

impl CType {
    /// The Qi type a value of this C type has in the program.
    pub fn qi_type(&self) -> Type {
        match self {
            CType::Void => Type::Void,
            CType::I64 | CType::I32 | CType::U32 => Type::Int,
            CType::F64 => Type::Float,
            CType::Bool => Type::Bool,
            CType::Str => Type::Str,
            CType::Ptr | CType::Callback(_) => Type::Ptr,
            CType::Struct(s) => s.ty.clone(),
        }
    }
}

/// The program's declarations as the `反射` library module shows them (builtins.md §G.3;
/// which ones count: `check/reflect.rs`), in declaration order: plain text the engine
/// hands to the runtime before the program starts.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Reflection {
    /// (name, signature text `函数 加(a: 整数, b: 整数): 整数`), each name once; the
    /// signatures of overloads one per line.
    pub functions: Vec<(String, String)>,
    /// (name, fields text `x: 整数, y: 浮点数`).
    pub structs: Vec<(String, String)>,
    pub enums: Vec<String>,
}

#[derive(Clone, Debug)]
pub struct StructDef {
    pub name: String,
    pub fields: Vec<(String, Type)>,
    pub layout: LayoutId,
}

#[derive(Clone, Debug)]
pub struct EnumDef {
    pub name: String,
    pub variants: Vec<VariantDef>,
    pub boxed: bool,
}

#[derive(Clone, Debug)]
pub struct VariantDef {
    pub name: String,
    pub payload: Vec<Type>,
    /// For boxed enums: slot 0 is the tag, slots 1.. the payload.
    pub layout: Option<LayoutId>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LayoutKind {
    Struct,
    Enum,
    Closure,
}

/// The slots of a record object.
#[derive(Clone, Debug)]
pub struct Layout {
    pub kind: LayoutKind,
    pub slots: Vec<Slot>,
}

#[derive(Clone, Debug)]
pub struct Slot {
    pub ty: Type,
    /// A `弱` capture: the slot does not own its object.
    pub weak: bool,
}

impl Slot {
    /// Does the record own (and release) the object in this slot?
    pub fn owns_object(&self) -> bool {
        self.ty.is_rc() && !self.weak
    }
}

#[derive(Clone, Debug)]
pub struct Global {
    pub name: String,
    pub ty: Type,
}

#[derive(Clone, Debug)]
pub struct Function {
    pub name: String,
    /// The first `params.len()` locals are the parameters, in order.
    pub params: Vec<Type>,
    pub ret: Type,
    pub locals: Vec<LocalDecl>,
    /// `blocks[0]` is the entry block.
    pub blocks: Vec<Block>,
    pub loc: Loc,
}

#[derive(Clone, Debug)]
pub struct LocalDecl {
    pub ty: Type,
    /// The source name, for locals that are Qi variables; `None` for temporaries.
    pub name: Option<String>,
}

#[derive(Clone, Debug, Default)]
pub struct Block {
    pub insts: Vec<Inst>,
    pub term: Terminator,
    /// Set when the block's *last* instruction can raise an exception (a call, `抛出`, or
    /// an operation that fails at run time): if it does, its result is not assigned and
    /// control goes to `to` instead of the terminator. The lowering ends a block after
    /// every such instruction, so the code at `to` knows exactly which temporaries to
    /// release.
    pub unwind: Option<Unwind>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Unwind {
    pub to: BlockId,
    /// Where the raising instruction is (for runtime errors and stack traces).
    pub loc: Loc,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Operand {
    Local(LocalId),
    Int(i64),
    Float(f64),
    Bool(bool),
    Char(u32),
    /// A literal string: an immortal object, so using it needs no count traffic.
    Str(StrId),
    /// The null object pointer: an object slot that holds no reference.
    Null,
}

#[derive(Clone, Debug)]
pub enum Inst {
    /// `dst = value`. Overwrites without releasing: the lowering releases the old value first
    /// when the slot owns a reference.
    Assign { dst: LocalId, value: Value },
    /// Evaluate for its effect (a call whose result is unused or void).
    Effect(Value),
    /// Store into a global slot (same ownership rule as `Assign`).
    SetGlobal { global: GlobalId, value: Operand },
    /// Add one reference to the object in the operand (no-op for null).
    Retain(Operand),
    /// Drop the reference held by the local (no-op for null). The slot keeps its stale value.
    Release(LocalId),
    /// Store into a record slot (same ownership rule as `Assign`).
    SetSlot { obj: Operand, slot: u32, value: Operand },
    /// Store into an array element (same ownership rule as `Assign`), bounds-checked unless
    /// `checked` is false: the bounds pass (`opt/bounds.rs`) proved the index in range.
    SetIndex { array: Operand, index: Operand, value: Operand, loc: Loc, checked: bool },
}

#[derive(Clone, Debug)]
pub enum Value {
    Use(Operand),
    Unary(UnOp, Operand),
    Binary(BinOp, Operand, Operand),
    Convert(Conv, Operand),
    Call {
        func: FuncId,
        args: Vec<Operand>,
        loc: Loc,
    },
    Builtin {
        op: Builtin,
        args: Vec<Operand>,
        loc: Loc,
    },
    Global(GlobalId),
    /// A fresh zero-filled array (owned). Raises for a negative length and for an array
    /// that cannot be allocated.
    NewArray {
        elem: Type,
        len: Operand,
        loc: Loc,
    },
    /// Length of an array (borrowed operand).
    ArrayLen(Operand),
    /// Element read, bounds-checked unless `checked` is false (the bounds pass proved the
    /// index in range); the element is borrowed from the array.
    Index {
        array: Operand,
        index: Operand,
        elem: Type,
        loc: Loc,
        checked: bool,
    },
    /// A fresh record of the layout with all slots zero/null (owned).
    NewRecord(LayoutId),
    /// Read a record slot (borrowed).
    GetSlot {
        obj: Operand,
        slot: u32,
        ty: Type,
    },
    /// The machine-code address of a function (stored in closures).
    FuncAddr(FuncId),
    /// Call a function value: the code pointer is slot 0 of the closure record, which is
    /// passed as the hidden first argument.
    CallIndirect {
        callee: Operand,
        args: Vec<Operand>,
        ret: Type,
        loc: Loc,
    },
    /// `&变量` of a local: the address of its 8-byte slot (`指针`). A local whose address
    /// is taken lives in memory for the whole function, so what C writes there is what
    /// the program reads next.
    LocalAddr(LocalId),
    /// `&变量` of a global: the address of its slot.
    GlobalAddr(GlobalId),
    /// Call a C function of an `外部` block with the C calling convention; the
    /// arguments are borrowed (`Foreign::functions[func]` gives the C types). With
    /// `callbacks` (it takes Qi functions as callbacks) it raises what a callback threw.
    CallForeign {
        func: ForeignId,
        args: Vec<Operand>,
        callbacks: bool,
        loc: Loc,
    },
    /// The C function pointer through which C calls Qi function `func` with signature
    /// `sig` (a `指针`).
    Callback {
        func: FuncId,
        sig: Box<CallbackSig>,
    },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UnOp {
    INeg,
    FNeg,
    Not,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Cmp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BinOp {
    IAdd,
    ISub,
    IMul,
    /// Truncating division; a zero divisor is a runtime error, `MIN / -1` wraps.
    IDiv,
    /// Remainder with the sign of the dividend; zero divisor is a runtime error.
    IRem,
    IAnd,
    IOr,
    IXor,
    /// Shift counts are taken modulo 64.
    IShl,
    /// Arithmetic (sign-propagating) right shift.
    IShr,
    FAdd,
    FSub,
    FMul,
    FDiv,
    /// C `fmod`.
    FRem,
    /// Integer-like comparison: 整数, 布尔 and 字符 operands.
    ICmp(Cmp),
    /// Ordered float comparison (any comparison with NaN is false, `!=` included).
    FCmp(Cmp),
    /// String comparison by UTF-8 bytes.
    SCmp(Cmp),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Conv {
    IntToFloat,
    /// Truncation; NaN or out of range is a runtime error (`作为 整数`).
    FloatToInt,
    /// Truncation, saturating, NaN → 0 (`浮点数转整数`).
    FloatToIntSat,
    BoolToInt,
    BoolToFloat,
    /// `≠ 0`.
    IntToBool,
    CharToInt,
    /// Not a Unicode scalar value is a runtime error.
    IntToChar,
}

/// Operations implemented by the runtime. Arguments are borrowed; object results are owned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Builtin {
    Concat,
    /// `s = s + piece` for a string variable `s`: (old value of `s`, piece) → the new
    /// value. The exception to "arguments are borrowed": the old value is *moved in* (the
    /// variable gives up its reference without a `Release`), so that the runtime may
    /// extend a uniquely owned string in place. If it raises, the old value stays owned
    /// by the variable. May raise (the result may be more than memory holds).
    Append,
    IntToStr,
    FloatToStr,
    BoolToStr,
    CharToStr,
    StrToInt,
    StrToFloat,
    /// Number of Unicode scalar values.
    StrLen,
    PrintStr,
    /// `打印行(s)` of one string: the string and a line end, or nothing at all for a null
    /// string (a library function's failure result, builtins.md §A.2).
    PrintStrLine,
    PrintInt,
    PrintFloat,
    PrintBool,
    PrintChar,
    PrintSpace,
    PrintNewline,
    /// `命令行参数()`: a fresh `数组<字符串>`.
    Args,
    /// `输入()`.
    Input,
    /// `输入(提示)`.
    InputPrompt,
    /// A standard-library function: its row of `library::LIBRARY` gives its types, flags and
    /// runtime entry point.
    Library(crate::library::LibId),
    /// `抛出 消息` (args: message, file, line).
    Throw,
    /// `抛出` inside `捕获`: (message, caught exception, file, line).
    ThrowCaused,
    /// Take the pending exception (owned) at the entry of a handler.
    ExcTake,
    /// Raise a taken exception again (after `最终`).
    ExcRethrow,
    /// The message / `文件:行` / cause message of an exception.
    ExcMessage,
    ExcLocation,
    ExcCause,
    /// Record a frame the pending exception leaves: (function name, file, line).
    ExcTrace,

    // --- Concurrency (docs/CONCURRENCY.md). `Bits` says how the element or result type
    // travels as 64 bits; builtins marked "may raise" end their block with an unwind edge.
    /// `启动`: (closure `函数()`) — start a green thread running it.
    Spawn,
    /// `通道<T>(n)`: (capacity: 整数; 0 = unbuffered) → 通道<T>. May raise (negative n).
    ChanNew(Bits),
    /// `c <- v`: (channel, value); waits for room or a receiver. May raise (closed).
    ChanSend(Bits),
    /// `<-c`: (channel) → T; the value's bits are 0 when the channel is closed and drained.
    ChanRecv(Bits),
    /// (channel) → 布尔: receives and holds the value for `ChanTake`; false when the
    /// channel is closed and drained (`对于 x 在 c`).
    ChanRecvOk,
    /// () → T: the value held by the last `ChanRecvOk` or receiving `SelectWait` case of
    /// this green thread (owned).
    ChanTake(Bits),
    /// `关闭(c)`: (channel). May raise (already closed).
    ChanClose,
    /// `选择`: starts collecting the cases of this green thread's next `SelectWait`.
    SelectBegin,
    /// (channel): a receive case.
    SelectRecv,
    /// (channel, value): a send case.
    SelectSend(Bits),
    /// (timeout ms: 整数, `NO_TIMEOUT` = none, other negatives count as 0; has `默认`: 布尔) → 整数: the index of the chosen
    /// channel case in the order they were added, -1 for the timeout, -2 for `默认`.
    /// A chosen receive case's value is then read with `ChanTake`. May raise (send case on
    /// a closed channel).
    SelectWait,
    /// `创建等待组()` → 整数 handle.
    WaitGroupNew,
    /// (group, n). May raise (negative counter, bad handle).
    WaitGroupAdd,
    /// (group). May raise.
    WaitGroupDone,
    /// (group): parks until the counter is 0. May raise.
    WaitGroupWait,
    /// `创建互斥锁()` → 整数 handle.
    MutexNew,
    /// (mutex) → 整数 (1). Parks until acquired. May raise (bad handle).
    MutexLock,
    /// (mutex) → 整数 (1). May raise (not locked, bad handle).
    MutexUnlock,
    /// (mutex) → 整数: 1 acquired, 0 busy. May raise (bad handle).
    MutexTryLock,
    /// `设置超时(ms)`, `等待 异步睡眠(ms)`: (ms) — parks the green thread.
    Sleep,
    /// `等待 让出()`: lets the other runnable green threads run first.
    Yield,
    /// `获取时间()` → 整数 milliseconds since the Unix epoch.
    TimeMs,
    /// `执行器运行全部()`: waits until every other green thread has finished or is blocked
    /// with no timer left to wake it.
    RunAll,
    /// `执行器单步()` → 整数: lets the other runnable green threads run once; 1 if there
    /// were any, else 0.
    Step,
    /// `创建定时器(ms)` → 整数 handle of a deadline `ms` from now.
    TimerNew,
    /// `定时器过期(t)` → 整数: 1 once the deadline has passed (and the timer was not
    /// stopped), else 0. May raise (bad handle).
    TimerExpired,
    /// `停止定时器(t)` → 整数 (1): the timer never expires. May raise (bad handle).
    TimerStop,
    /// () → 未来<T>: a pending future.
    FutureNew(Bits),
    /// (closure `函数()`, future): starts the closure as a green thread at once; the caller
    /// continues when it first blocks or ends. If the closure raises, the future fails
    /// with that exception instead.
    FutureSpawn,
    /// (future, value): completes the future.
    FutureComplete(Bits),
    /// `未来::就绪(v)`: (value) → 未来<T>.
    FutureReady(Bits),
    /// `未来::失败(消息)`: (message: 字符串) → 未来<T>.
    FutureFailed(Bits),
    /// `等待 f`: (future) → T, parking until it completes. May raise (failed future).
    Await(Bits),

    // --- Generators (`协程 函数`, docs/LANGUAGE-NOTES.md "Generators").
    /// (closure `函数()` running the body, borrowed) → 协程<T>: a generator that has not
    /// started.
    GenNew(Bits),
    /// `恢复(g)`, first half: (generator) → 整数: runs the body to its next `让出` (1) or
    /// to its end (0, and 0 ever after). May raise (the body's exception).
    GenResume,
    /// `恢复(g)`, second half: (generator) → T, the value of the `让出` it stopped at
    /// (owned).
    GenTake(Bits),
    /// `让出 v`: (value, borrowed) — hands `v` to the resumer and waits to be resumed.
    /// May raise (the generator was freed while suspended: its body unwinds).
    GenYield(Bits),
}

/// The timeout argument of `SelectWait` for a `选择` without `情况 超时`.
pub const NO_TIMEOUT: i64 = i64::MIN;

/// How a Qi value travels through the runtime as 64 bits: integers as themselves,
/// floats by their IEEE bits, booleans as 0/1, characters as code points, objects as
/// pointers (the receiver of an object gets its own reference).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Bits {
    Int,
    Float,
    Bool,
    Char,
    Object,
    Void,
}

impl Builtin {
    /// Can this builtin raise an exception (so its block needs an unwind edge)?
    pub fn may_raise(self) -> bool {
        use Builtin::*;
        // A library function of builtins.md §G.3 never throws (§G.1); the extensions
        // that do say so in their row.
        if let Library(f) = self {
            return f.row().raises;
        }
        matches!(
            self,
            Throw
                | ThrowCaused
                | ExcRethrow
                // The result may be more than memory holds.
                | Concat
                | Append
                | ChanNew(_)
                | ChanSend(_)
                | ChanClose
                | SelectWait
                | WaitGroupAdd
                | WaitGroupDone
                | WaitGroupWait
                | MutexLock
                | MutexUnlock
                | MutexTryLock
                | TimerExpired
                | TimerStop
                | Await(_)
                | GenResume
                | GenYield(_)
        )
    }
}

impl Builtin {
    /// Parameter types; `None` for the concurrency builtins whose parameters depend on
    /// an element type (channels, futures) — the checker types those — and for library
    /// functions (their rows say).
    pub fn params(self) -> Option<&'static [Type]> {
        use Builtin::*;
        use Type::*;
        Some(match self {
            Concat | Append => &[Str, Str],
            IntToStr | PrintInt => &[Int],
            FloatToStr | PrintFloat => &[Float],
            BoolToStr | PrintBool => &[Bool],
            CharToStr | PrintChar => &[Char],
            StrToInt | StrToFloat | StrLen | PrintStr | PrintStrLine | InputPrompt => &[Str],
            PrintSpace | PrintNewline | Args | Input | ExcTake => &[],
            Throw => &[Str, Int, Int],
            ThrowCaused => &[Str, Exception, Int, Int],
            ExcRethrow | ExcMessage | ExcLocation | ExcCause => &[Exception],
            ExcTrace => &[Str, Int, Int],
            SelectBegin | WaitGroupNew | MutexNew | Yield | TimeMs | RunAll | Step => &[],
            WaitGroupDone | WaitGroupWait | MutexLock | MutexUnlock | MutexTryLock | Sleep
            | TimerNew | TimerExpired | TimerStop => &[Int],
            WaitGroupAdd => &[Int, Int],
            SelectWait => &[Int, Bool],
            Spawn | ChanNew(_) | ChanSend(_) | ChanRecv(_) | ChanRecvOk | ChanTake(_)
            | ChanClose | SelectRecv | SelectSend(_) | FutureNew(_) | FutureSpawn
            | FutureComplete(_) | FutureReady(_) | FutureFailed(_) | Await(_) | GenNew(_)
            | GenResume | GenTake(_) | GenYield(_) => return None,
            // The row's `LibType`s (`library::LibFn::params`).
            Library(_) => return None,
        })
    }

    /// Result type (`Void` for none); `None` when it depends on an element type.
    pub fn result(self) -> Option<Type> {
        use Builtin::*;
        Some(match self {
            Concat | Append | IntToStr | FloatToStr | BoolToStr | CharToStr | Input
            | InputPrompt => Type::Str,
            StrToInt | StrLen => Type::Int,
            StrToFloat => Type::Float,
            Library(f) => f.row().ret.ty(),
            PrintStr | PrintStrLine | PrintInt | PrintFloat | PrintBool | PrintChar
            | PrintSpace | PrintNewline | Throw | ThrowCaused | ExcRethrow | ExcTrace => Type::Void,
            ExcTake => Type::Exception,
            ExcMessage | ExcLocation | ExcCause => Type::Str,
            Args => Type::Array(Box::new(Type::Str)),
            Spawn | ChanSend(_) | ChanClose | SelectBegin | SelectRecv | SelectSend(_)
            | WaitGroupAdd | WaitGroupDone | WaitGroupWait | Sleep | Yield | FutureSpawn
            | FutureComplete(_) | RunAll | GenYield(_) => Type::Void,
            ChanRecvOk => Type::Bool,
            SelectWait | WaitGroupNew | MutexNew | MutexLock | MutexUnlock | MutexTryLock
            | TimeMs | TimerNew | TimerExpired | TimerStop | Step | GenResume => Type::Int,
            ChanNew(_) | ChanRecv(_) | ChanTake(_) | FutureNew(_) | FutureReady(_)
            | FutureFailed(_) | Await(_) | GenNew(_) | GenTake(_) => return None,
        })
    }
}

/// The blocks a terminator may go to (at most two), without allocating.
pub type Successors =
    std::iter::Chain<std::option::IntoIter<BlockId>, std::option::IntoIter<BlockId>>;

#[derive(Clone, Debug, Default)]
pub enum Terminator {
    Jump(BlockId),
    Branch {
        cond: Operand,
        then_to: BlockId,
        else_to: BlockId,
    },
    Return(Option<Operand>),
    /// Leave the function with the thread's pending exception: the caller continues at
    /// the unwind target of its call.
    Unwind,
    /// Never reached: placeholders of dead blocks, and the fall-through of a `匹配`
    /// that covers every variant.
    #[default]
    Unreachable,
}

impl Value {
    /// Call `read` with every local this value reads (its address, for `LocalAddr`).
    pub fn locals_read(&self, read: &mut impl FnMut(LocalId)) {
        let mut op = |o: &Operand| {
            if let Operand::Local(l) = o {
                read(*l);
            }
        };
        match self {
            Value::Use(o)
            | Value::Unary(_, o)
            | Value::Convert(_, o)
            | Value::ArrayLen(o)
            | Value::NewArray { len: o, .. }
            | Value::GetSlot { obj: o, .. } => op(o),
            Value::Binary(_, a, b) | Value::Index { array: a, index: b, .. } => {
                op(a);
                op(b);
            }
            Value::Call { args, .. }
            | Value::Builtin { args, .. }
            | Value::CallForeign { args, .. } => args.iter().for_each(op),
            Value::CallIndirect { callee, args, .. } => {
                op(callee);
                args.iter().for_each(op);
            }
            Value::LocalAddr(l) => read(*l),
            Value::GlobalAddr(_)
            | Value::Callback { .. }
            | Value::Global(_)
            | Value::NewRecord(_)
            | Value::FuncAddr(_) => {}
        }
    }
}

impl Inst {
    /// Call `read` with every local this instruction reads (`Release` reads the one it
    /// releases).
    pub fn locals_read(&self, read: &mut impl FnMut(LocalId)) {
        let mut ops = |os: &[&Operand]| {
            for o in os {
                if let Operand::Local(l) = o {
                    read(*l);
                }
            }
        };
        match self {
            Inst::Assign { value, .. } | Inst::Effect(value) => value.locals_read(read),
            Inst::SetGlobal { value, .. } | Inst::Retain(value) => ops(&[value]),
            Inst::Release(l) => read(*l),
            Inst::SetSlot { obj, value, .. } => ops(&[obj, value]),
            Inst::SetIndex { array, index, value, .. } => ops(&[array, index, value]),
        }
    }
}

impl Terminator {
    /// Call `read` with every local this terminator reads.
    pub fn locals_read(&self, read: &mut impl FnMut(LocalId)) {
        match self {
            Terminator::Branch { cond: Operand::Local(l), .. }
            | Terminator::Return(Some(Operand::Local(l))) => read(*l),
            _ => {}
        }
    }

    pub fn successors(&self) -> Successors {
        let (first, second) = match self {
            Terminator::Jump(b) => (Some(*b), None),
            Terminator::Branch { then_to, else_to, .. } => (Some(*then_to), Some(*else_to)),
            Terminator::Return(_) | Terminator::Unwind | Terminator::Unreachable => (None, None),
        };
        first.into_iter().chain(second)
    }
}

impl Inst {
    /// Can executing this instruction raise an exception (`Block::unwind`)?
    pub fn can_throw(&self, f: &Function) -> bool {
        let (value, dst) = match self {
            Inst::Assign { dst, value } => (value, Some(*dst)),
            Inst::Effect(value) => (value, None),
            Inst::SetIndex { checked, .. } => return *checked,
            _ => return false,
        };
        match value {
            Value::Call { .. } | Value::CallIndirect { .. } => true,
            Value::Index { checked, .. } => *checked,
            Value::CallForeign { callbacks, .. } => *callbacks,
            Value::Binary(BinOp::IDiv | BinOp::IRem, _, d) => {
                !matches!(d, Operand::Int(n) if *n != 0)
            }
            Value::Convert(Conv::FloatToInt | Conv::IntToChar, _) => true,
            // Any length may be more than memory holds.
            Value::NewArray { .. } => true,
            Value::Builtin { op, .. } => op.may_raise(),
            // A struct, enum or function global is null until its initialiser ran.
            Value::Global(_) => dst.is_some_and(|d| f.local_ty(d).null_until_initialised()),
            _ => false,
        }
    }
}

impl Function {
    /// The locals whose address is taken (`&变量`), once per taking.
    pub fn addressed_locals(&self) -> impl Iterator<Item = LocalId> + '_ {
        self.blocks.iter().flat_map(|b| &b.insts).filter_map(|inst| match inst {
            Inst::Assign { value: Value::LocalAddr(l), .. } | Inst::Effect(Value::LocalAddr(l)) => {
                Some(*l)
            }
            _ => None,
        })
    }

    /// Which locals have their address taken, one flag per local: C may store into them
    /// at any call, so the optimisations that follow a local's values leave them alone,
    /// and compiled code keeps them in stack slots.
    pub fn address_taken(&self) -> Vec<bool> {
        let mut taken = vec![false; self.locals.len()];
        for l in self.addressed_locals() {
            taken[l.index()] = true;
        }
        taken
    }

    pub fn local_ty(&self, l: LocalId) -> &Type {
        &self.locals[l.index()].ty
    }
    /// Static type of an operand in this function.
    pub fn operand_ty(&self, op: &Operand) -> Type {
        match op {
            Operand::Local(l) => self.local_ty(*l).clone(),
            Operand::Int(_) => Type::Int,
            Operand::Float(_) => Type::Float,
            Operand::Bool(_) => Type::Bool,
            Operand::Char(_) => Type::Char,
            Operand::Str(_) => Type::Str,
            Operand::Null => Type::Str,
        }
    }
}
