//! Which objects can be part of a reference cycle, and which record slots are never
//! written once the record exists (*frozen*), both decided from the program's stores.
//!
//! The runtime's cycle collector (qi-rt `cycles`) only ever looks at objects allocated
//! with the "may form a cycle" flag. This module decides, once per module, which record
//! layouts and which array types get it.
//!
//! * **The type graph** has one node per struct, one per enum, one per array type, and
//!   one for all closures together (a function type says nothing of what its closures
//!   capture, so every function value is taken to hold what any closure of the program
//!   captures). An edge goes from a node to the node of each object type its values own.
//!   Strings, exceptions, channels and futures are leaves: the collector does not look
//!   inside them, so a cycle through a channel's buffer or a future's result is never
//!   collected (docs/LANGUAGE-NOTES.md).
//! * **Only a store can close a cycle.** An object's slots are filled when it is made,
//!   with objects that exist already; so a cycle needs at least one reference stored
//!   into an object that others could already reach. The stores of the program are
//!   classified by a forward data-flow pass over each function: a store into a record or
//!   array that was just made and has not been handed to anything yet (not copied,
//!   retained, passed or returned: only its slots written or read) initialises it and
//!   cannot close a cycle; every other store is a *mutation edge*.
//! * A node may be on a cycle when it lies on a cycle of the type graph through a
//!   mutation edge. A binary tree built bottom-up (`benches/programs/binarytrees.qi`) or a
//!   list built by prepending has no mutation edge, so its nodes are never watched and
//!   cost the collector nothing; `a.下 = 有(b)` makes `节点` watched.
//! * **Frozen slots.** An owned object slot of a struct or boxed-enum layout that no
//!   mutation store writes keeps, for the record's whole life, the object it was made
//!   with. Every write to a record is an IR store (`SetSlot`; generics are monomorphised,
//!   closures and generators store through the same instruction, C receives structs by
//!   value and only with scalar fields, and the runtime writes a record's slots only when
//!   it frees the record), so the stores seen here are all there are. The IR optimiser
//!   uses the fact to borrow such slots' objects (`opt/frozen.rs`).

use std::collections::HashMap;

use crate::ir::{
    EnumDef, Function, Inst, Layout, LayoutId, LayoutKind, Operand, StructDef, Type, Value,
};

/// Which slots of each record layout are frozen: they own an object and no store writes
/// them after the record was made (so they hold the object they were made with until the
/// record is freed).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Frozen {
    /// `layouts[l][s]`: slot `s` of layout `l` is frozen.
    pub layouts: Vec<Vec<bool>>,
}

impl Frozen {
    /// Is slot `slot` of layout `l` frozen? (No for anything out of range: a module
    /// assembled by hand knows no facts.)
    pub fn slot(&self, l: LayoutId, slot: u32) -> bool {
        self.layouts.get(l.index()).and_then(|s| s.get(slot as usize)).copied().unwrap_or(false)
    }
}

/// A store into an object that may already be reachable from elsewhere.
struct Mutation {
    /// The type of the record or array stored into.
    target: Type,
    /// The slot written (`None` for an array element).
    slot: Option<u32>,
    /// The type of the value stored.
    value: Type,
}

/// The answer for one module: indexed by layout, plus the element types of the arrays
/// that may sit on a cycle.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Cyclic {
    /// `layouts[l]`: records of layout `l` may be part of a cycle.
    pub layouts: Vec<bool>,
    /// `数组<T>` may be part of a cycle for each `T` listed.
    pub array_elems: Vec<Type>,
}

impl Cyclic {
    /// May records of layout `l` be part of a cycle?
    pub fn layout(&self, l: LayoutId) -> bool {
        self.layouts.get(l.index()).copied().unwrap_or(false)
    }

    /// May an array with elements of type `elem` be part of a cycle?
    pub fn array(&self, elem: &Type) -> bool {
        self.array_elems.contains(elem)
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum Node {
    Struct(u32),
    Enum(u32),
    Closures,
    Array(Type),
}

/// The node whose objects a value of type `ty` points to, if the collector looks inside
/// such objects.
fn node_of(ty: &Type) -> Option<Node> {
    match ty {
        Type::Struct(s) => Some(Node::Struct(s.id.0)),
        // `选项<对象>` without a box is the object itself (or null): one more hop through
        // the enum's node keeps the graph simple and loses nothing.
        Type::Enum { e, boxed: true, .. } | Type::Enum { e, nullable: true, .. } => {
            Some(Node::Enum(e.id.0))
        }
        Type::Fn(_) => Some(Node::Closures),
        Type::Array(elem) => Some(Node::Array((**elem).clone())),
        _ => None,
    }
}

struct Graph {
    edges: HashMap<Node, Vec<Node>>,
}

impl Graph {
    fn add_edges(&mut self, from: Node, slots: impl Iterator<Item = Type>) {
        let targets: Vec<Node> = slots.filter_map(|t| node_of(&t)).collect();
        for t in &targets {
            self.add_node(t.clone());
        }
        self.edges.entry(from).or_default().extend(targets);
    }

    /// Array nodes have one edge, to their element's node, and are discovered as they
    /// are met.
    fn add_node(&mut self, n: Node) {
        if self.edges.contains_key(&n) {
            return;
        }
        self.edges.insert(n.clone(), Vec::new());
        if let Node::Array(elem) = &n {
            if let Some(target) = node_of(elem) {
                self.edges.get_mut(&n).expect("inserted").push(target.clone());
                self.add_node(target);
            }
        }
    }

    /// The nodes `start` reaches along zero or more edges (itself included).
    fn reachable(&self, start: &Node) -> Vec<Node> {
        let mut seen: Vec<Node> = vec![start.clone()];
        let mut pending: Vec<&Node> = vec![start];
        while let Some(n) = pending.pop() {
            for t in self.edges.get(n).into_iter().flatten() {
                if !seen.contains(t) {
                    seen.push(t.clone());
                    pending.push(t);
                }
            }
        }
        seen
    }
}

/// Decide, for a module's structs, enums, record layouts and functions, which objects
/// may be part of a reference cycle and which record slots are frozen.
pub fn analyze(
    structs: &[StructDef],
    enums: &[EnumDef],
    layouts: &[Layout],
    functions: &[Function],
) -> (Cyclic, Frozen) {
    let owned = |l: LayoutId| -> Vec<Type> {
        layouts[l.index()].slots.iter().filter(|s| s.owns_object()).map(|s| s.ty.clone()).collect()
    };
    // The node each layout's records belong to.
    let mut layout_node: Vec<Option<Node>> = vec![None; layouts.len()];
    let mut graph = Graph { edges: HashMap::new() };
    for (i, s) in structs.iter().enumerate() {
        let n = Node::Struct(i as u32);
        graph.add_node(n.clone());
        graph.add_edges(n.clone(), owned(s.layout).into_iter());
        layout_node[s.layout.index()] = Some(n);
    }
    for (i, e) in enums.iter().enumerate() {
        let n = Node::Enum(i as u32);
        graph.add_node(n.clone());
        for v in &e.variants {
            // Unboxed variants keep their payload in the enum value itself (the nullable
            // `选项<对象>`), boxed ones in their record.
            graph.add_edges(n.clone(), v.payload.iter().cloned());
            if let Some(l) = v.layout {
                layout_node[l.index()] = Some(n.clone());
            }
        }
    }
    graph.add_node(Node::Closures);
    for (i, l) in layouts.iter().enumerate() {
        if l.kind == LayoutKind::Closure {
            graph.add_edges(Node::Closures, owned(LayoutId(i as u32)).into_iter());
            layout_node[i] = Some(Node::Closures);
        }
    }
    let mut stores: Vec<Mutation> = Vec::new();
    for f in functions {
        mutations(f, &mut stores);
    }
    let frozen = frozen_slots(structs, enums, layouts, &stores);
    let mutations: Vec<(Node, Node)> =
        stores.iter().filter_map(|m| Some((node_of(&m.target)?, node_of(&m.value)?))).collect();
    for (from, to) in &mutations {
        graph.add_node(from.clone());
        graph.add_node(to.clone());
        graph.edges.get_mut(from).expect("added").push(to.clone());
    }
    // A node is on a cycle through mutation edge (u, v) when v reaches it and it reaches u.
    let reach: HashMap<Node, Vec<Node>> =
        graph.edges.keys().map(|n| (n.clone(), graph.reachable(n))).collect();
    let reaches = |a: &Node, b: &Node| reach.get(a).is_some_and(|r| r.contains(b));
    let on_cycle = |n: &Node| mutations.iter().any(|(u, v)| reaches(v, n) && reaches(n, u));
    let layouts = layout_node.iter().map(|n| n.as_ref().is_some_and(on_cycle)).collect();
    let mut array_elems: Vec<Type> = graph
        .edges
        .keys()
        .filter_map(|n| match n {
            Node::Array(elem) if on_cycle(n) => Some(elem.clone()),
            _ => None,
        })
        .collect();
    array_elems.sort_by_key(|t| t.zh());
    (Cyclic { layouts, array_elems }, Frozen { layouts: frozen })
}

/// The frozen slots of each layout: owned object slots of struct and enum layouts that no
/// mutation writes. Closure records are left out (their readers see them typed as a
/// function, which does not say which layout they have).
fn frozen_slots(
    structs: &[StructDef],
    enums: &[EnumDef],
    layouts: &[Layout],
    stores: &[Mutation],
) -> Vec<Vec<bool>> {
    let mut frozen: Vec<Vec<bool>> = layouts
        .iter()
        .map(|l| l.slots.iter().map(|s| l.kind != LayoutKind::Closure && s.owns_object()).collect())
        .collect();
    let mut thaw = |l: LayoutId, slot: u32| {
        if let Some(s) = frozen[l.index()].get_mut(slot as usize) {
            *s = false;
        }
    };
    for m in stores {
        let Some(slot) = m.slot else { continue };
        match &m.target {
            Type::Struct(s) => thaw(structs[s.id.index()].layout, slot),
            // A boxed enum's record is one of its variants' layouts.
            Type::Enum { e, nullable: false, .. } => {
                for l in enums[e.id.index()].variants.iter().filter_map(|v| v.layout) {
                    thaw(l, slot);
                }
            }
            _ => {}
        }
    }
    // A store into a record of a type the match above does not place (the lowering makes
    // none) would be one the fact does not account for: then nothing is frozen.
    if stores.iter().any(|m| {
        m.slot.is_some()
            && !matches!(
                m.target,
                Type::Struct(_) | Type::Enum { nullable: false, .. } | Type::Fn(_)
            )
    }) {
        frozen.iter_mut().flatten().for_each(|s| *s = false);
    }
    frozen
}

/// The stores of `f` that write an object others may already reach (those that may close
/// a cycle, and those that thaw a slot).
fn mutations(f: &Function, out: &mut Vec<Mutation>) {
    let n_blocks = f.blocks.len();
    if n_blocks == 0 {
        return;
    }
    // `fresh[l]` at a block's entry: local `l` holds an object made in this function
    // that nothing else can reach (None: block not reached yet).
    let mut entry: Vec<Option<Vec<bool>>> = vec![None; n_blocks];
    entry[0] = Some(vec![false; f.locals.len()]);
    // Blocks in reverse postorder (the worklist takes the earliest first), so that a join
    // is normally visited once, after its forward predecessors; the states are scratch
    // buffers reused from block to block (this runs on every function before anything
    // runs).
    let (order, rank) = crate::cfg::reverse_postorder(f);
    let mut pending = crate::cfg::RankQueue::new(n_blocks);
    pending.push(0);
    let mut fresh = Vec::new();
    let mut unwind_state = Vec::new();
    while let Some(r) = pending.pop() {
        let b = order[r];
        fresh.clone_from(entry[b].as_ref().expect("queued blocks have a state"));
        let block = &f.blocks[b];
        if block.unwind.is_some() && block.insts.is_empty() {
            unwind_state.clone_from(&fresh);
        }
        for (i, inst) in block.insts.iter().enumerate() {
            step(f, inst, &mut fresh, &mut |_| {});
            if i + 1 == block.insts.len() && block.unwind.is_some() {
                // A raising last instruction assigns nothing.
                unwind_state.clone_from(&fresh);
                if let Inst::Assign { dst, .. } = inst {
                    unwind_state[dst.index()] = false;
                }
            }
        }
        let mut flow = |to: usize, state: &Vec<bool>| {
            let changed = match &mut entry[to] {
                None => {
                    entry[to] = Some(state.clone());
                    true
                }
                Some(old) => {
                    let mut changed = false;
                    for (o, &s) in old.iter_mut().zip(state) {
                        if *o && !s {
                            *o = false;
                            changed = true;
                        }
                    }
                    changed
                }
            };
            if changed {
                pending.push(rank[to]);
            }
        };
        for to in block.term.successors() {
            flow(to.index(), &fresh);
        }
        if let Some(u) = &block.unwind {
            flow(u.to.index(), &unwind_state);
        }
    }
    for (b, block) in f.blocks.iter().enumerate() {
        let Some(state) = &entry[b] else { continue };
        fresh.clone_from(state);
        for inst in &block.insts {
            step(f, inst, &mut fresh, &mut |m| out.push(m));
        }
    }
}

/// One instruction of the freshness pass; `mutation` gets the stores that are not
/// initialisations.
fn step(f: &Function, inst: &Inst, fresh: &mut [bool], mutation: &mut dyn FnMut(Mutation)) {
    let escape = |fresh: &mut [bool], op: &Operand| {
        if let Operand::Local(l) = op {
            fresh[l.index()] = false;
        }
    };
    let mut store = |fresh: &mut [bool], target: &Operand, slot: Option<u32>, value: &Operand| {
        let init = matches!(target, Operand::Local(t) if fresh[t.index()] && value != target);
        if !init {
            mutation(Mutation { target: f.operand_ty(target), slot, value: f.operand_ty(value) });
        }
        escape(fresh, value);
    };
    match inst {
        Inst::Assign { dst, value } => {
            escaping_operands(value, |op| escape(fresh, op));
            if let Value::LocalAddr(l) = value {
                fresh[l.index()] = false;
            }
            fresh[dst.index()] = matches!(value, Value::NewRecord(_) | Value::NewArray { .. });
        }
        Inst::Effect(value) => {
            escaping_operands(value, |op| escape(fresh, op));
            if let Value::LocalAddr(l) = value {
                fresh[l.index()] = false;
            }
        }
        Inst::SetGlobal { value, .. } => escape(fresh, value),
        Inst::Retain(op) => escape(fresh, op),
        Inst::Release(l) => fresh[l.index()] = false,
        Inst::SetSlot { obj, slot, value } => store(fresh, obj, Some(*slot), value),
        Inst::SetIndex { array, value, .. } => store(fresh, array, None, value),
    }
}

/// The operands of a value that may hand the object on (reading a slot or the length
/// of a fresh object does not), given to `each`.
fn escaping_operands<'v>(v: &'v Value, mut each: impl FnMut(&'v Operand)) {
    match v {
        Value::Use(o) | Value::Unary(_, o) | Value::Convert(_, o) => each(o),
        Value::Binary(_, a, b) => {
            each(a);
            each(b);
        }
        Value::Call { args, .. }
        | Value::Builtin { args, .. }
        | Value::CallForeign { args, .. } => args.iter().for_each(each),
        Value::CallIndirect { callee, args, .. } => {
            each(callee);
            args.iter().for_each(each);
        }
        Value::NewArray { len, .. } => each(len),
        Value::Index { index, .. } => each(index),
        Value::ArrayLen(_)
        | Value::GetSlot { .. }
        | Value::LocalAddr(_)
        | Value::GlobalAddr(_)
        | Value::Callback { .. }
        | Value::Global(_)
        | Value::NewRecord(_)
        | Value::FuncAddr(_) => {}
    }
}
