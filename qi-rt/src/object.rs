//! The header every heap object starts with, reference counting, allocation
//! and freeing.
//!
//! # Layout
//! ```text
//! offset 0  rc     u32  (AtomicU32) reference count
//! offset 4  kind   u8   ObjKind
//! offset 5  flags  u8   FLAG_IMMORTAL | FLAG_SHARED | FLAG_MAY_CYCLE | cycle collector bits
//! offset 6  aux    u16  kind-specific (arrays: element kind; strings: capacity class)
//! offset 8  payload (kind-specific; strings and arrays put a u64 length here)
//! ```
//!
//! # Reference counting
//! * Null is "no object": retain/release of null do nothing.
//! * `FLAG_IMMORTAL` objects (literals) are never counted nor freed.
//! * Objects without `FLAG_SHARED` are owned by one OS thread, so their count
//!   is updated with a relaxed load followed by a store: no lock prefix.
//! * `FLAG_SHARED` objects use atomic read-modify-write, with the same
//!   ordering discipline as `std::sync::Arc`.
//!
//! Inline fast path the JIT may emit (equivalent to `qi_retain`):
//! `if p != 0 && (flags(p) & (IMMORTAL|SHARED)) == 0 { rc(p) += 1 } else if p != 0 { call qi_retain }`;
//! and for release: `if p != 0 && flags(p) == 0 && rc(p) > 1 { rc(p) -= 1 } else { call qi_release }`.
//!
//! A `SHARED` flag is only ever set while the object is still owned by one
//! thread (before it is published), so plain reads of `flags` are race-free.

use std::alloc::Layout;
use std::sync::atomic::{fence, AtomicU32, AtomicUsize, Ordering};

use crate::guard::guard;

/// Every heap object starts with this 8-byte header.
#[repr(C)]
pub struct Header {
    pub rc: AtomicU32,
    pub kind: u8,
    pub flags: u8,
    pub aux: u16,
}

/// What follows the header. The discriminants are ABI: generated code and
/// `Header::kind` store them as bytes.
#[repr(u8)]
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ObjKind {
    Str = 1,
    Array = 2,
    /// A struct instance (record layout, see `record`).
    Struct = 3,
    /// A boxed enum value: tag in slot 0, then the variant's payload (record layout).
    Enum = 4,
    /// A closure: code pointer in slot 0, then the captured values (record layout).
    Closure = 5,
    /// A Qi exception (see `exception`).
    Exception = 6,
    /// A channel (see `chan`).
    Channel = 7,
    /// A future (see `future`).
    Future = 8,
    /// A generator `协程<T>` (see `generator`).
    Generator = 9,
}

impl ObjKind {
    /// All kinds, in discriminant order (used by the live counters).
    pub const ALL: [ObjKind; 9] = [
        ObjKind::Str,
        ObjKind::Array,
        ObjKind::Struct,
        ObjKind::Enum,
        ObjKind::Closure,
        ObjKind::Exception,
        ObjKind::Channel,
        ObjKind::Future,
        ObjKind::Generator,
    ];

    pub fn from_u8(v: u8) -> Option<ObjKind> {
        match v {
            1 => Some(ObjKind::Str),
            2 => Some(ObjKind::Array),
            3 => Some(ObjKind::Struct),
            4 => Some(ObjKind::Enum),
            5 => Some(ObjKind::Closure),
            6 => Some(ObjKind::Exception),
            7 => Some(ObjKind::Channel),
            8 => Some(ObjKind::Future),
            9 => Some(ObjKind::Generator),
            _ => None,
        }
    }

    /// English name, for leak reports.
    pub fn name(self) -> &'static str {
        match self {
            ObjKind::Str => "string",
            ObjKind::Array => "array",
            ObjKind::Struct => "struct",
            ObjKind::Enum => "enum",
            ObjKind::Closure => "closure",
            ObjKind::Exception => "exception",
            ObjKind::Channel => "channel",
            ObjKind::Future => "future",
            ObjKind::Generator => "generator",
        }
    }

    /// Chinese name, for leak reports.
    pub fn name_zh(self) -> &'static str {
        match self {
            ObjKind::Str => "字符串",
            ObjKind::Array => "数组",
            ObjKind::Struct => "结构体",
            ObjKind::Enum => "枚举",
            ObjKind::Closure => "闭包",
            ObjKind::Exception => "异常",
            ObjKind::Channel => "通道",
            ObjKind::Future => "未来",
            ObjKind::Generator => "协程",
        }
    }
}

/// Literal constant: never freed, reference counting is a no-op.
pub const FLAG_IMMORTAL: u8 = 1;
/// Reachable from several OS threads: count updates must be atomic RMW.
pub const FLAG_SHARED: u8 = 2;
/// Its type can reach itself (qi-ir `cycles`): the cycle collector watches it. Set at
/// allocation only; objects without it never become cycle candidates.
pub const FLAG_MAY_CYCLE: u8 = 4;
/// In the cycle collector's candidate buffer (which holds a reference to it). Only set
/// on objects that are not shared (`cycles`).
pub const FLAG_BUFFERED: u8 = 8;
/// The cycle collector's colours, only set while it runs (`cycles`).
pub(crate) const FLAG_GRAY: u8 = 16;
pub(crate) const FLAG_WHITE: u8 = 32;

pub const HEADER_SIZE: usize = 8;
/// Byte offsets inside the header, typed as Cranelift memory offsets.
pub const RC_OFFSET: i32 = 0;
pub const KIND_OFFSET: i32 = 4;
pub const FLAGS_OFFSET: i32 = 5;
pub const AUX_OFFSET: i32 = 6;
/// All objects are 8-byte aligned (their payloads hold u64/f64/pointers).
pub const OBJECT_ALIGN: usize = 8;

const _: () = {
    assert!(std::mem::size_of::<Header>() == HEADER_SIZE);
    assert!(std::mem::offset_of!(Header, rc) == RC_OFFSET as usize);
    assert!(std::mem::offset_of!(Header, kind) == KIND_OFFSET as usize);
    assert!(std::mem::offset_of!(Header, flags) == FLAGS_OFFSET as usize);
    assert!(std::mem::offset_of!(Header, aux) == AUX_OFFSET as usize);
};

impl Header {
    /// Header of an immortal object, for statically allocated constants.
    pub const fn immortal(kind: ObjKind, aux: u16) -> Header {
        Header { rc: AtomicU32::new(1), kind: kind as u8, flags: FLAG_IMMORTAL, aux }
    }
}

// ---------------------------------------------------------------------------
// Live-object counters (for a future `--leak-report`). Relaxed atomics: they
// are statistics, not synchronisation. Immortal objects are not counted.

/// Indexed by the kind's discriminant (slot 0 unused).
const KIND_SLOTS: usize = ObjKind::ALL.len() + 1;
const _: () = {
    let mut i = 0;
    while i < ObjKind::ALL.len() {
        assert!(ObjKind::ALL[i] as usize == i + 1, "kinds are numbered 1, 2, … in ALL order");
        i += 1;
    }
};
static LIVE: [AtomicUsize; KIND_SLOTS] = [const { AtomicUsize::new(0) }; KIND_SLOTS];

/// Counting costs an atomic add per allocation and per free, which allocation-heavy
/// programs notice; it is on only when a leak report was asked for (or in tests).
static COUNTING: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(cfg!(test));

/// Turn the live-object counters on; call before the program allocates anything.
pub fn enable_live_counts() {
    COUNTING.store(true, Ordering::Relaxed);
}

/// Is live-object counting on?
pub fn live_counts_enabled() -> bool {
    COUNTING.load(Ordering::Relaxed)
}

#[inline]
fn count_alloc(kind: ObjKind) {
    if COUNTING.load(Ordering::Relaxed) {
        LIVE[kind as usize].fetch_add(1, Ordering::Relaxed);
    }
}

#[inline]
pub(crate) fn count_free(kind: ObjKind) {
    if COUNTING.load(Ordering::Relaxed) {
        LIVE[kind as usize].fetch_sub(1, Ordering::Relaxed);
    }
}

/// Number of live (allocated, not yet freed, non-immortal) objects per kind.
pub fn live_counts() -> Vec<(ObjKind, usize)> {
    ObjKind::ALL.iter().map(|&k| (k, LIVE[k as usize].load(Ordering::Relaxed))).collect()
}

/// Live count of one kind.
pub fn live_count(kind: ObjKind) -> usize {
    LIVE[kind as usize].load(Ordering::Relaxed)
}

// ---------------------------------------------------------------------------
// Allocation

/// Total object size for a payload of `payload` bytes, or `None` if it cannot
/// be represented (the caller reports "out of memory").
pub fn object_layout(payload: usize) -> Option<Layout> {
    let size = HEADER_SIZE.checked_add(payload)?;
    Layout::from_size_align(size, OBJECT_ALIGN).ok()
}

/// Allocates an object of `kind` with `payload` bytes after the header, rc=1.
/// The payload is zeroed when `zeroed` is set, otherwise uninitialised.
/// `flags` is 0, `FLAG_IMMORTAL` (immortal objects are not counted as live) or
/// `FLAG_MAY_CYCLE` (watched by the cycle collector, `cycles`). Ends the program with a runtime error when memory is exhausted: for the
/// runtime's own small objects, where that means the machine has no memory left. Sizes
/// that come from the program go through [`try_allocate`] and raise an exception.
pub(crate) fn allocate(
    kind: ObjKind,
    flags: u8,
    aux: u16,
    payload: usize,
    zeroed: bool,
) -> *mut Header {
    match try_allocate(kind, flags, aux, payload, zeroed) {
        Some(p) => p,
        None => out_of_memory(payload),
    }
}

/// [`allocate`], or `None` when the size cannot be represented, is beyond what the
/// machine could hold (`memory::may_allocate`), or the allocator has no memory for it.
pub(crate) fn try_allocate(
    kind: ObjKind,
    flags: u8,
    aux: u16,
    payload: usize,
    zeroed: bool,
) -> Option<*mut Header> {
    let layout = object_layout(payload).filter(|l| crate::memory::may_allocate(l.size()))?;
    // SAFETY: the layout has non-zero size (at least the 8-byte header).
    let p = unsafe {
        if zeroed {
            std::alloc::alloc_zeroed(layout)
        } else {
            std::alloc::alloc(layout)
        }
    } as *mut Header;
    if p.is_null() {
        return None;
    }
    // SAFETY: `p` is a fresh, suitably aligned allocation at least HEADER_SIZE long.
    unsafe { init_header(p, kind, flags, aux) };
    Some(p)
}

/// Writes the header of a new object (count 1) and counts it as live.
///
/// # Safety
/// `p` is a block for a new object, aligned and at least `HEADER_SIZE` long.
#[inline]
pub(crate) unsafe fn init_header(p: *mut Header, kind: ObjKind, flags: u8, aux: u16) {
    // SAFETY: per the caller.
    unsafe { p.write(Header { rc: AtomicU32::new(1), kind: kind as u8, flags, aux }) };
    if flags & FLAG_IMMORTAL == 0 {
        count_alloc(kind);
    }
}

/// Moves an object to an allocation of `new_payload` bytes after the header (as `realloc`
/// does: the first bytes are kept, the rest is uninitialised), or `None` when that size
/// cannot be allocated; the object is then left as it was.
///
/// # Safety
/// `p` comes from [`allocate`] with a payload of `old_payload` bytes and is exclusively
/// the caller's; on success only the returned pointer may be used.
pub(crate) unsafe fn try_reallocate(
    p: *mut Header,
    old_payload: usize,
    new_payload: usize,
) -> Option<*mut Header> {
    let old = object_layout(old_payload).expect("layout was valid at allocation");
    let new = object_layout(new_payload).filter(|l| crate::memory::may_allocate(l.size()))?;
    // SAFETY: `p` was allocated with `old` (per the caller); the new size is non-zero and,
    // being a valid layout with the same alignment, does not overflow `isize`.
    let q = unsafe { std::alloc::realloc(p as *mut u8, old, new.size()) } as *mut Header;
    (!q.is_null()).then_some(q)
}

/// Ends the program: the runtime could not allocate an object of its own.
#[cold]
pub(crate) fn out_of_memory(payload: usize) -> ! {
    crate::error::runtime_error(
        format!("内存不足（无法分配 {payload} 字节）"),
        format!("out of memory (cannot allocate {payload} bytes)"),
    )
}

/// Frees the memory of one object whose children have already been dealt
/// with.
///
/// # Safety
/// `p` must come from [`allocate`] with the same payload size and must not be
/// used afterwards.
pub(crate) unsafe fn deallocate(p: *mut Header, kind: ObjKind, payload: usize) {
    let layout = object_layout(payload).expect("layout was valid at allocation");
    // SAFETY: guaranteed by the caller: same pointer and layout as allocated.
    unsafe { std::alloc::dealloc(p as *mut u8, layout) };
    count_free(kind);
}

// ---------------------------------------------------------------------------
// Reference counting

/// Adds one reference. No-op for null and immortal objects.
///
/// # Safety
/// `p` is null or points to a live object.
#[inline]
pub unsafe fn retain(p: *mut Header) {
    if p.is_null() {
        return;
    }
    // SAFETY: non-null, live per the caller.
    let h = unsafe { &*p };
    if h.flags & FLAG_IMMORTAL != 0 {
        return;
    }
    if h.flags & FLAG_SHARED != 0 {
        // Relaxed is enough for an increment: the caller already holds a reference.
        h.rc.fetch_add(1, Ordering::Relaxed);
    } else {
        // Wrapping would need 2^32 references to one object (32 GiB of
        // slots pointing at it); not checked, to keep this path minimal.
        let n = h.rc.load(Ordering::Relaxed);
        h.rc.store(n.wrapping_add(1), Ordering::Relaxed);
    }
}

/// Drops one reference without freeing; returns true when it was the last
/// one (the caller must then free the object).
///
/// # Safety
/// `p` is non-null and points to a live object.
#[inline]
unsafe fn drop_ref(p: *mut Header) -> bool {
    // SAFETY: non-null, live per the caller.
    let h = unsafe { &*p };
    let flags = h.flags;
    // The common case first, with one test: an object of this thread only.
    if flags & (FLAG_IMMORTAL | FLAG_SHARED) == 0 {
        let n = h.rc.load(Ordering::Relaxed);
        if n <= 1 {
            return true;
        }
        // A reference that is not the last one may leave a garbage cycle behind: it
        // becomes the cycle collector's candidate buffer's.
        // SAFETY: `p` is live and the caller's reference is handed over.
        if flags & FLAG_MAY_CYCLE != 0 && unsafe { crate::cycles::buffer(p) } {
            return false;
        }
        h.rc.store(n - 1, Ordering::Relaxed);
        return false;
    }
    if flags & FLAG_IMMORTAL != 0 {
        return false;
    }
    // Shared: as above, a reference that is not the last one moves to the candidate
    // buffer instead of being dropped (no race with other threads' decrements: the count
    // does not change). Read at 1, the count is ours alone and cannot change either.
    // SAFETY: `p` is live and the caller's reference is handed over.
    if flags & FLAG_MAY_CYCLE != 0
        && h.rc.load(Ordering::Relaxed) > 1
        && unsafe { crate::cycles::buffer(p) }
    {
        return false;
    }
    if h.rc.fetch_sub(1, Ordering::Release) != 1 {
        return false;
    }
    // Make every other thread's writes to the object (done before their own release)
    // visible before we free it, as `Arc` does.
    fence(Ordering::Acquire);
    true
}

/// Drops one reference and frees the object when it was the last one.
/// Freeing cascades to the objects it references.
///
/// # Safety
/// `p` is null or points to a live object whose reference the caller owns.
#[inline]
pub unsafe fn release(p: *mut Header) {
    // SAFETY: per the caller.
    if !p.is_null() && unsafe { drop_ref(p) } {
        // SAFETY: the count reached zero, so nobody else can reach `p`.
        unsafe { destroy(p) };
    }
}

/// The objects still to free: a small inline stack (no allocation for the usual short
/// cascades), spilling into a vector for long ones.
struct WorkList {
    inline: [*mut Header; 32],
    len: usize,
    spill: Vec<*mut Header>,
}

impl WorkList {
    fn new() -> Self {
        WorkList { inline: [std::ptr::null_mut(); 32], len: 0, spill: Vec::new() }
    }

    #[inline]
    fn push(&mut self, p: *mut Header) {
        if self.len < self.inline.len() {
            self.inline[self.len] = p;
            self.len += 1;
        } else {
            self.spill.push(p);
        }
    }

    /// The inline entries first (the order objects are freed in does not matter): the
    /// spill vector is looked at only when they are used up, not once per object.
    #[inline]
    fn pop(&mut self) -> Option<*mut Header> {
        if self.len == 0 {
            return self.spill.pop();
        }
        self.len -= 1;
        Some(self.inline[self.len])
    }
}

/// Frees `first` and, transitively, every child whose count drops to zero.
/// Uses an explicit work list instead of recursion so that freeing a long
/// chain of objects cannot overflow the native stack.
///
/// # Safety
/// `first` is an unreachable object whose count has reached zero.
unsafe fn destroy(first: *mut Header) {
    // SAFETY: `first` is dead and exclusively ours; its kind byte is intact.
    if unsafe { (*first).kind } == ObjKind::Str as u8 {
        // A string references nothing: free it without setting up the work list (string
        // temporaries are freed often, e.g. one per `s += i` in a loop).
        // SAFETY: `first` is a string object allocated by `string::alloc_str`.
        let payload = unsafe { crate::string::payload_size(first as *const crate::string::Str) };
        // SAFETY: same payload size as at allocation.
        unsafe { deallocate(first, ObjKind::Str, payload) };
        return;
    }
    let mut pending = WorkList::new();
    let mut next = Some(first);
    while let Some(p) = next.take().or_else(|| pending.pop()) {
        // SAFETY: `p` is dead and exclusively ours; its kind byte is intact.
        let kind = unsafe { (*p).kind };
        // Records first, with one range test: most objects freed in cascades are records
        // (trees, lists), and the general dispatch below is a jump table.
        if is_record_kind(kind) {
            // SAFETY: `p` is a record object with a valid descriptor; its children are
            // live.
            unsafe { destroy_record(p as *mut crate::record::Record, &mut pending) };
            continue;
        }
        match ObjKind::from_u8(kind) {
            Some(ObjKind::Str) => {
                // SAFETY: `p` is a string object allocated by `string::alloc_str`.
                let payload =
                    unsafe { crate::string::payload_size(p as *const crate::string::Str) };
                // SAFETY: same payload size as at allocation.
                unsafe { deallocate(p, ObjKind::Str, payload) };
            }
            Some(ObjKind::Array) => {
                let a = p as *mut crate::array::Array;
                // SAFETY: `p` is an array object; its children are live.
                unsafe {
                    for child in crate::array::object_children(a) {
                        if !child.is_null() && drop_ref(child) {
                            pending.push(child);
                        }
                    }
                    let payload = crate::array::payload_size(a);
                    deallocate(p, ObjKind::Array, payload);
                }
            }
            Some(ObjKind::Struct | ObjKind::Enum | ObjKind::Closure) => {
                unreachable!("records are freed above")
            }
            Some(ObjKind::Exception) => {
                // SAFETY: `p` is a dead exception; its cause reference is ours to drop.
                unsafe {
                    let cause = crate::exception::drop_payload(p);
                    if !cause.is_null() && drop_ref(cause) {
                        pending.push(cause);
                    }
                    deallocate(p, ObjKind::Exception, 8);
                }
            }
            Some(ObjKind::Channel) => {
                // SAFETY: a dead channel; the values it buffered are ours to drop.
                unsafe {
                    for child in crate::chan::drop_payload(p) {
                        if !child.is_null() && drop_ref(child) {
                            pending.push(child);
                        }
                    }
                    deallocate(p, ObjKind::Channel, 8);
                }
            }
            Some(ObjKind::Future) => {
                // SAFETY: a dead future; its result (or failure) is ours to drop.
                unsafe {
                    let child = crate::future::drop_payload(p);
                    if !child.is_null() && drop_ref(child) {
                        pending.push(child);
                    }
                    deallocate(p, ObjKind::Future, 8);
                }
            }
            Some(ObjKind::Generator) => {
                // SAFETY: a dead generator: a suspended body is unwound first, then its
                // closure and unread value are ours to drop.
                unsafe {
                    for child in crate::generator::drop_payload(p) {
                        if !child.is_null() && drop_ref(child) {
                            pending.push(child);
                        }
                    }
                    deallocate(p, ObjKind::Generator, 8);
                }
            }
            None => {
                // A corrupted header: never free memory we cannot size.
                debug_assert!(false, "qi-rt: freeing object of unknown kind {kind}");
            }
        }
    }
}

/// Is `kind` (a header's kind byte) one of the record kinds (struct, enum, closure)?
#[inline(always)]
fn is_record_kind(kind: u8) -> bool {
    const _: () = assert!(
        ObjKind::Enum as u8 == ObjKind::Struct as u8 + 1
            && ObjKind::Closure as u8 == ObjKind::Struct as u8 + 2
    );
    kind.wrapping_sub(ObjKind::Struct as u8) < 3
}

/// Drops the references a dead record owns (those reaching zero join `pending`) and
/// frees it.
///
/// # Safety
/// `r` is a dead record, exclusively ours, with a valid descriptor and live children.
#[inline(always)]
unsafe fn destroy_record(r: *mut crate::record::Record, pending: &mut WorkList) {
    // SAFETY: per the caller.
    unsafe {
        let kind = (*r).header.kind;
        for child in crate::record::object_children(r) {
            if !child.is_null() && drop_ref(child) {
                pending.push(child);
            }
        }
        let kind = match kind - ObjKind::Struct as u8 {
            0 => ObjKind::Struct,
            1 => ObjKind::Enum,
            _ => ObjKind::Closure,
        };
        crate::record::free(r, kind);
    }
}

/// Calls `f` with each object reference `p` owns that the cycle collector follows (the
/// elements of an array of objects, the object slots of a record; null included). Other
/// kinds hold none it follows.
///
/// # Safety
/// `p` is a live object whose slots are intact.
pub(crate) unsafe fn for_each_child(p: *mut Header, mut f: impl FnMut(*mut Header)) {
    // SAFETY: live per the caller.
    let kind = unsafe { (*p).kind };
    match ObjKind::from_u8(kind) {
        // SAFETY: an array object with intact slots.
        Some(ObjKind::Array) => unsafe {
            crate::array::object_children(p as *mut crate::array::Array).for_each(f)
        },
        Some(ObjKind::Struct | ObjKind::Enum | ObjKind::Closure) => {
            // SAFETY: a record object with a valid descriptor.
            for child in unsafe { crate::record::object_children(p as *mut crate::record::Record) }
            {
                f(child)
            }
        }
        _ => {}
    }
}

/// Frees the memory of an array or record whose references the caller has already dealt
/// with (the cycle collector frees garbage cycles so).
///
/// # Safety
/// `p` is an array or record object nobody references any more; it is not used again.
pub(crate) unsafe fn free_shell(p: *mut Header) {
    // SAFETY: per the caller, `p` is intact until freed here.
    unsafe {
        match ObjKind::from_u8((*p).kind) {
            Some(ObjKind::Array) => {
                let payload = crate::array::payload_size(p as *mut crate::array::Array);
                deallocate(p, ObjKind::Array, payload)
            }
            Some(kind @ (ObjKind::Struct | ObjKind::Enum | ObjKind::Closure)) => {
                crate::record::free(p as *mut crate::record::Record, kind)
            }
            _ => debug_assert!(false, "qi-rt: the cycle collector only frees records and arrays"),
        }
    }
}

/// Marks `p` and everything reachable from it as shared between OS threads,
/// so that further count updates use atomic read-modify-write. Must be called
/// by the owning thread before the object is published to another thread.
///
/// # Safety
/// `p` is null or a live object not yet visible to any other thread.
pub unsafe fn mark_shared(p: *mut Header) {
    let mut pending = vec![p];
    while let Some(p) = pending.pop() {
        if p.is_null() {
            continue;
        }
        // SAFETY: live per the caller; read through the raw pointer because
        // immortal objects may live in (immutable) statics.
        let (flags, kind) = unsafe { ((*p).flags, (*p).kind) };
        if flags & (FLAG_SHARED | FLAG_IMMORTAL) != 0 {
            continue; // already done (also stops on shared sub-graphs)
        }
        // SAFETY: a mortal object is heap-allocated and exclusively owned here.
        unsafe { (*p).flags = flags | FLAG_SHARED };
        if kind == ObjKind::Array as u8 {
            // SAFETY: `p` is an array object with live children.
            pending.extend(unsafe { crate::array::object_children(p as *mut crate::array::Array) });
        } else if matches!(
            ObjKind::from_u8(kind),
            Some(ObjKind::Struct | ObjKind::Enum | ObjKind::Closure)
        ) {
            // SAFETY: `p` is a record object with live children.
            pending
                .extend(unsafe { crate::record::object_children(p as *mut crate::record::Record) });
        } else if kind == ObjKind::Exception as u8 {
            // SAFETY: `p` is a live exception, owned here; its cause is live while it is.
            pending.push(unsafe { crate::exception::data(p) }.cause);
        } else if kind == ObjKind::Generator as u8 {
            // SAFETY: `p` is a live generator, owned here.
            pending.push(unsafe { crate::generator::closure(p) });
        }
    }
}

// ---------------------------------------------------------------------------
// Entry points

/// Adds one reference to `p` (null and immortal: no-op).
///
/// # Safety
/// `p` is null or a live object.
pub unsafe extern "C" fn qi_retain(p: *mut Header) {
    // SAFETY: forwarded from the caller's contract.
    guard(|| unsafe { retain(p) })
}

/// Drops one reference to `p`, freeing it (and cascading) at zero.
///
/// # Safety
/// `p` is null or a live object whose reference the caller gives up.
pub unsafe extern "C" fn qi_release(p: *mut Header) {
    // SAFETY: forwarded from the caller's contract.
    guard(|| unsafe { release(p) })
}

/// The object in an interpreted frame's local `slot`, read by compiled code that
/// continues the frame (on-stack replacement); the frame's reference moves with it.
///
/// A call rather than a load in the compiled code on purpose: Cranelift's register
/// allocator joins a loaded value with the argument of the `qi_release` call at the
/// function's exit and pins the whole live range to that call's register, then splits it
/// at every call until it copies or spills the object at each use in the hot loop. A
/// call's result, like every object of the whole function (each comes from a call), is
/// not joined that way. Measured in benches/README.md ("The OSR variant's objects").
///
/// # Safety
/// `slot` points to a readable, aligned word.
pub unsafe extern "C" fn qi_osr_object(slot: *const *mut Header) -> *mut Header {
    // SAFETY: forwarded from the caller's contract.
    unsafe { *slot }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::{exclusive, release, retain};

    fn rc(p: *mut Header) -> u32 {
        // SAFETY: test objects are live while inspected.
        unsafe { (*p).rc.load(Ordering::Relaxed) }
    }

    #[test]
    fn null_is_ignored() {
        retain(std::ptr::null_mut::<Header>());
        release(std::ptr::null_mut::<Header>());
    }

    #[test]
    fn retain_release_free_at_zero() {
        let _g = exclusive();
        let before = live_count(ObjKind::Str);
        let s = crate::string::new_str("abc") as *mut Header;
        assert_eq!(live_count(ObjKind::Str), before + 1);
        assert_eq!(rc(s), 1);
        retain(s);
        retain(s);
        assert_eq!(rc(s), 3);
        release(s);
        release(s);
        assert_eq!(rc(s), 1);
        assert_eq!(live_count(ObjKind::Str), before + 1);
        release(s);
        assert_eq!(live_count(ObjKind::Str), before);
    }

    #[test]
    fn shared_objects_use_atomic_counts_across_threads() {
        let _g = exclusive();
        let before = live_count(ObjKind::Str);
        let s = crate::string::new_str("shared") as *mut Header;
        // SAFETY: `s` is live and not yet visible to other threads.
        unsafe { mark_shared(s) };
        let addr = s as usize;
        let threads: Vec<_> = (0..4)
            .map(|_| {
                retain(s);
                std::thread::spawn(move || {
                    let p = addr as *mut Header;
                    for _ in 0..1000 {
                        retain(p);
                        release(p);
                    }
                    release(p);
                })
            })
            .collect();
        for t in threads {
            t.join().unwrap();
        }
        assert_eq!(rc(s), 1);
        release(s);
        assert_eq!(live_count(ObjKind::Str), before);
    }

    #[test]
    fn layout_rejects_impossible_sizes() {
        assert!(object_layout(usize::MAX).is_none());
        assert!(object_layout(isize::MAX as usize).is_none());
        assert_eq!(object_layout(8).unwrap().size(), 16);
    }

    #[test]
    fn kind_round_trip() {
        for k in ObjKind::ALL {
            assert_eq!(ObjKind::from_u8(k as u8), Some(k));
        }
        assert_eq!(ObjKind::from_u8(0), None);
    }
}
