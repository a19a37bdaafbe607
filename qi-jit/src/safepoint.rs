//! Safepoints: where generated code checks whether the scheduler wants the running green
//! thread to yield (cooperative preemption, `qi_rt::sched::preempt`).
//!
//! Code runs without end only around a cycle: a loop in one function, or recursion. So a
//! safepoint sits at the head of every loop (the target of a retreating edge in a
//! depth-first walk of the blocks: every cycle of the control-flow graph has one) and at
//! the entry of every function that can take part in recursion (one in a cycle of the
//! call graph, or one calling a function value, which may lead anywhere). Straight-line
//! code between safepoints is bounded, so a request is seen soon.
//!
//! The poll is a load of one global word and a branch not taken. The call on the taken
//! side goes to a trampoline with the `preserve_all` calling convention (defined here), so
//! the register allocator of the loop around it sees a call that clobbers nothing: with a
//! plain call in the loop, values live across the loop are moved between caller- and
//! callee-saved registers on every iteration (that cost `loop` 35 %).
//!
//! A loop head's safepoint is also the place for later hot-loop counting: a counter bumped
//! there finds the loops worth optimising further (or worth entering compiled code at).

use crate::runtime_calls;
use crate::translate::{Linker, Translator};
use crate::JitError;
use cranelift_codegen::ir::{self as clif, types, InstBuilder, MemFlagsData, UserFuncName};
use cranelift_codegen::isa::{CallConv, TargetFrontendConfig};
use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext};
use cranelift_jit::JITModule;
use cranelift_module::{FuncId, Linkage, Module as _};
use qi_ir::{Inst, Value};

impl<L: Linker> Translator<'_, '_, L> {
    /// Poll the preemption word; when it is set, let the runtime decide whether this green
    /// thread yields. Continues in a new block.
    pub(crate) fn safepoint(&mut self) {
        // The word is written by the monitor thread: a compiler barrier keeps Cranelift
        // from reusing the value of an earlier poll (redundant-load elimination), so each
        // pass through the safepoint really loads it. It emits no instruction.
        self.b.ins().sequence_point();
        let addr = qi_rt::sched::preempt::requests_address();
        let addr = self.b.ins().iconst(types::I64, addr as i64);
        let requests = self.b.ins().load(types::I32, MemFlagsData::trusted(), addr, 0);
        let slow = self.b.create_block();
        let cont = self.b.create_block();
        self.b.set_cold_block(slow);
        self.b.ins().brif(requests, slow, &[], cont, &[]);
        self.b.switch_to_block(slow);
        let trampoline = self.linker.safepoint_func(&mut self.b);
        self.b.ins().call(trampoline, &[]);
        self.b.ins().jump(cont, &[]);
        self.b.switch_to_block(cont);
    }

    /// A jump that closes a loop, polling on the way: the jump becomes a branch to the
    /// loop head, or (when the preemption word is set) to the safepoint call first. No
    /// new block joins the loop's hot path, so its register allocation stays as it was.
    pub(crate) fn polling_jump(&mut self, head: clif::Block) {
        self.b.ins().sequence_point();
        let addr = qi_rt::sched::preempt::requests_address();
        let addr = self.b.ins().iconst(types::I64, addr as i64);
        let requests = self.b.ins().load(types::I32, MemFlagsData::trusted(), addr, 0);
        let slow = self.b.create_block();
        self.b.set_cold_block(slow);
        self.b.ins().brif(requests, slow, &[], head, &[]);
        self.b.switch_to_block(slow);
        let trampoline = self.linker.safepoint_func(&mut self.b);
        self.b.ins().call(trampoline, &[]);
        self.b.ins().jump(head, &[]);
    }
}

/// Declare the trampoline `qi#safepoint` (`preserve_all`: it saves every register it or
/// the runtime uses), which calls `qi_safepoint`.
pub fn declare_trampoline(jit: &mut JITModule) -> Result<FuncId, JitError> {
    let sig = clif::Signature::new(CallConv::PreserveAll);
    jit.declare_function("qi#safepoint", Linkage::Local, &sig).map_err(|e| JitError(e.to_string()))
}

/// Define the trampoline declared as `id`.
pub fn define_trampoline(
    jit: &mut JITModule,
    ctx: &mut cranelift_codegen::Context,
    fctx: &mut FunctionBuilderContext,
    id: FuncId,
    call_conv: CallConv,
    frontend: TargetFrontendConfig,
) -> Result<(), JitError> {
    let err = |e: cranelift_module::ModuleError| JitError(e.to_string());
    let f = runtime_calls::SAFEPOINT;
    let runtime = jit
        .declare_function(f.symbol, Linkage::Import, &runtime_calls::signature(f, call_conv))
        .map_err(err)?;
    ctx.func.signature = clif::Signature::new(CallConv::PreserveAll);
    ctx.func.name = UserFuncName::user(1, 2);
    {
        let mut b = FunctionBuilder::new(&mut ctx.func, fctx);
        let entry = b.create_block();
        b.switch_to_block(entry);
        let callee = jit.declare_func_in_func(runtime, b.func);
        b.ins().call(callee, &[]);
        b.ins().return_(&[]);
        b.seal_all_blocks();
        b.finalize(frontend);
    }
    jit.define_function(id, ctx).map_err(err)?;
    jit.clear_context(ctx);
    Ok(())
}

/// Where the loops of a function poll: each edge that closes a cycle (a retreating edge
/// of a depth-first walk from the entry; every cycle of the control-flow graph has one).
pub struct LoopPolls {
    /// The block ends with a `Jump` that closes a cycle: the jump itself polls (a
    /// conditional branch to the loop head, or to the safepoint call first).
    pub at_jump: Vec<bool>,
    /// The block is entered by a cycle-closing edge that is not such a jump (a branch,
    /// or an exceptional edge): it polls on entry.
    pub at_entry: Vec<bool>,
}

/// The polls of `f`'s loops (exceptional edges count: a loop may go round through a
/// handler).
pub fn loop_polls(f: &qi_ir::Function) -> LoopPolls {
    #[derive(Clone, Copy, PartialEq)]
    enum Mark {
        New,
        OnPath,
        Done,
    }
    let succs = |b: usize| {
        let block = &f.blocks[b];
        let mut s: Vec<usize> = block.term.successors().iter().map(|s| s.index()).collect();
        s.extend(block.unwind.map(|u| u.to.index()));
        s
    };
    let n = f.blocks.len();
    let mut polls = LoopPolls { at_jump: vec![false; n], at_entry: vec![false; n] };
    if n == 0 {
        return polls;
    }
    let mut mark = vec![Mark::New; n];
    // Iterative walk (functions can have many blocks): a block and its successors still to
    // visit.
    let mut path: Vec<(usize, Vec<usize>)> = vec![(0, succs(0))];
    mark[0] = Mark::OnPath;
    while let Some((b, rest)) = path.last_mut() {
        let b = *b;
        match rest.pop() {
            Some(s) => match mark[s] {
                Mark::New => {
                    mark[s] = Mark::OnPath;
                    path.push((s, succs(s)));
                }
                Mark::OnPath => {
                    // A jump's only successor is `s`, so the poll there is on this edge
                    // alone; an exceptional edge comes first in the walk's order but is
                    // not the terminator's.
                    let is_jump = matches!(f.blocks[b].term, qi_ir::Terminator::Jump(to) if to.index() == s)
                        && f.blocks[b].unwind.map(|u| u.to.index()) != Some(s);
                    if is_jump {
                        polls.at_jump[b] = true;
                    } else {
                        polls.at_entry[s] = true;
                    }
                }
                Mark::Done => {}
            },
            None => {
                mark[b] = Mark::Done;
                path.pop();
            }
        }
    }
    polls
}

/// For each function of `m`: can it take part in recursion (so its entry needs a
/// safepoint)? True for functions on a cycle of direct calls and for functions that call
/// a function value.
pub fn recursive_functions(m: &qi_ir::Module) -> Vec<bool> {
    let n = m.functions.len();
    let mut indirect = vec![false; n];
    let mut callees: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (i, f) in m.functions.iter().enumerate() {
        for inst in f.blocks.iter().flat_map(|b| &b.insts) {
            let value = match inst {
                Inst::Assign { value, .. } | Inst::Effect(value) => value,
                _ => continue,
            };
            match value {
                Value::Call { func, .. } => callees[i].push(func.index()),
                Value::CallIndirect { .. } => indirect[i] = true,
                _ => {}
            }
        }
    }
    let on_cycle = on_call_cycle(&callees);
    (0..n).map(|i| indirect[i] || on_cycle[i]).collect()
}

/// Which nodes of the graph `edges` lie on a cycle: the strongly connected components
/// with more than one node or a self-edge (Tarjan's algorithm, iterative).
fn on_call_cycle(edges: &[Vec<usize>]) -> Vec<bool> {
    let n = edges.len();
    const UNSEEN: usize = usize::MAX;
    let mut index = vec![UNSEEN; n];
    let mut low = vec![0; n];
    let mut on_stack = vec![false; n];
    let mut stack = Vec::new();
    let mut result = vec![false; n];
    let mut next = 0;
    for root in 0..n {
        if index[root] != UNSEEN {
            continue;
        }
        // (node, position of the next edge to follow)
        let mut walk = vec![(root, 0usize)];
        index[root] = next;
        low[root] = next;
        next += 1;
        stack.push(root);
        on_stack[root] = true;
        while let Some(&(v, pos)) = walk.last() {
            if let Some(&w) = edges[v].get(pos) {
                walk.last_mut().expect("not empty").1 += 1;
                if index[w] == UNSEEN {
                    index[w] = next;
                    low[w] = next;
                    next += 1;
                    stack.push(w);
                    on_stack[w] = true;
                    walk.push((w, 0));
                } else if on_stack[w] {
                    low[v] = low[v].min(index[w]);
                }
                continue;
            }
            walk.pop();
            if let Some(&(parent, _)) = walk.last() {
                low[parent] = low[parent].min(low[v]);
            }
            if low[v] == index[v] {
                let mut component = Vec::new();
                loop {
                    let w = stack.pop().expect("v is on the stack");
                    on_stack[w] = false;
                    component.push(w);
                    if w == v {
                        break;
                    }
                }
                let cyclic = component.len() > 1 || edges[v].contains(&v);
                for w in component {
                    result[w] = cyclic;
                }
            }
        }
    }
    result
}

#[cfg(test)]
mod tests {
    use super::on_call_cycle;

    #[test]
    fn cycles_of_the_call_graph() {
        // 0 → 1 → 2 → 1 (cycle 1-2), 3 → 3 (self), 4 → 0 (none), 5 alone.
        let edges = vec![vec![1], vec![2], vec![1], vec![3], vec![0], vec![]];
        assert_eq!(on_call_cycle(&edges), vec![false, true, true, true, false, false]);
    }
}
