//! Incremental construction of an IR function: blocks, locals and instructions.

use crate::ir::*;

pub struct FnBuilder {
    pub func: Function,
    current: BlockId,
    /// The current block already has its terminator, or nothing jumps to it: code
    /// emitted now is unreachable and dropped.
    terminated: bool,
    /// Blocks that some emitted jump or branch targets. The lowering emits every jump to a
    /// block before it starts filling that block, so a block nobody jumps to when it is
    /// entered is dead.
    reached: Vec<bool>,
}

impl FnBuilder {
    pub fn new(name: String, params: Vec<(Option<String>, Type)>, ret: Type, loc: Loc) -> Self {
        let locals = params.iter().map(|(n, t)| LocalDecl { ty: t.clone(), name: n.clone() }).collect();
        let func = Function {
            name,
            params: params.into_iter().map(|(_, t)| t).collect(),
            ret,
            locals,
            blocks: vec![Block::default()],
            loc,
        };
        FnBuilder { func, current: BlockId(0), terminated: false, reached: vec![true] }
    }

    pub fn new_local(&mut self, ty: Type, name: Option<String>) -> LocalId {
        self.func.locals.push(LocalDecl { ty, name });
        LocalId(self.func.locals.len() as u32 - 1)
    }

    pub fn new_block(&mut self) -> BlockId {
        self.func.blocks.push(Block::default());
        self.reached.push(false);
        BlockId(self.func.blocks.len() as u32 - 1)
    }

    /// Continue emitting into `b`; if nothing jumps to it, it stays closed (dead code).
    pub fn switch_to(&mut self, b: BlockId) {
        self.current = b;
        self.terminated = !self.reached[b.index()];
    }

    pub fn current(&self) -> BlockId {
        self.current
    }

    /// Is the insertion point reachable (no terminator emitted yet)?
    pub fn is_open(&self) -> bool {
        !self.terminated
    }

    pub fn push(&mut self, inst: Inst) {
        if !self.terminated {
            self.func.blocks[self.current.index()].insts.push(inst);
        }
    }

    pub fn terminate(&mut self, term: Terminator) {
        if !self.terminated {
            for s in term.successors() {
                self.reached[s.index()] = true;
            }
            self.func.blocks[self.current.index()].term = term;
            self.terminated = true;
        }
    }

    pub fn jump(&mut self, to: BlockId) {
        self.terminate(Terminator::Jump(to));
    }

    pub fn branch(&mut self, cond: Operand, then_to: BlockId, else_to: BlockId) {
        self.terminate(Terminator::Branch { cond, then_to, else_to });
    }

    /// Evaluate `value` into a fresh temporary of type `ty`.
    pub fn temp(&mut self, ty: Type, value: Value) -> Operand {
        let t = self.new_local(ty, None);
        self.push(Inst::Assign { dst: t, value });
        Operand::Local(t)
    }

    pub fn assign(&mut self, dst: LocalId, value: Value) {
        self.push(Inst::Assign { dst, value });
    }

    pub fn finish(mut self) -> Function {
        // Blocks never reached (e.g. after `返回` inside both arms of an if) keep the
        // `Unreachable` placeholder, which is exactly what they are.
        self.terminated = true;
        self.func
    }
}
