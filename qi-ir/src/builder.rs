//! Incremental construction of an IR function: blocks, locals and instructions, plus the
//! exceptional edges (`Block::unwind`) of instructions that can raise.

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
    /// Temporaries that own an object right now: an exception raised here must release them.
    live: Vec<LocalId>,
    /// Where an exception raised here goes (innermost `尝试` handler last; the first is the
    /// function's own unwind block), with how many of the `live` temporaries existed when
    /// the handler was set up: a landing releases only the ones after those (the others
    /// belong to code around the `尝试`, which goes on using them). Empty: raising
    /// instructions get no exceptional edge.
    handlers: Vec<(BlockId, usize)>,
    /// The source position of the statement being lowered.
    loc: Loc,
    /// The function's name in the literal pool, for stack traces.
    trace_name: Option<StrId>,
}

impl FnBuilder {
    pub fn new(name: String, params: Vec<(Option<String>, Type)>, ret: Type, loc: Loc) -> Self {
        let locals =
            params.iter().map(|(n, t)| LocalDecl { ty: t.clone(), name: n.clone() }).collect();
        let func = Function {
            name,
            params: params.into_iter().map(|(_, t)| t).collect(),
            ret,
            locals,
            blocks: vec![Block::default()],
            loc,
        };
        FnBuilder {
            func,
            current: BlockId(0),
            terminated: false,
            reached: vec![true],
            live: Vec::new(),
            handlers: Vec::new(),
            loc,
            trace_name: None,
        }
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

    /// Emit an instruction. One that can raise ends its block, with an exceptional edge to
    /// a landing block that records the frame, releases the live temporaries and goes on
    /// to the innermost handler.
    pub fn push(&mut self, inst: Inst) {
        if self.terminated {
            return;
        }
        let raises = !self.handlers.is_empty() && inst.can_throw(&self.func);
        // Raising a caught exception again (after `最终`) is not a new frame of its trace.
        let new_frame =
            !matches!(inst, Inst::Effect(Value::Builtin { op: Builtin::ExcRethrow, .. }));
        self.func.blocks[self.current.index()].insts.push(inst);
        if raises {
            let landing = self.landing(new_frame);
            let next = self.new_block();
            self.func.blocks[self.current.index()].unwind =
                Some(Unwind { to: landing, loc: self.loc });
            self.terminate(Terminator::Jump(next));
            self.reached[landing.index()] = true;
            self.switch_to(next);
        }
    }

    fn landing(&mut self, new_frame: bool) -> BlockId {
        let (handler, base) = *self.handlers.last().expect("caller checked");
        let mut insts = Vec::with_capacity(self.live.len() + 1);
        if let (Some(name), true) = (self.trace_name, new_frame) {
            let args = vec![
                Operand::Str(name),
                Operand::Int(self.loc.file as i64),
                Operand::Int(self.loc.line as i64),
            ];
            insts.push(Inst::Effect(Value::Builtin { op: Builtin::ExcTrace, args, loc: self.loc }));
        }
        insts
            .extend(self.live[base.min(self.live.len())..].iter().rev().map(|t| Inst::Release(*t)));
        self.func.blocks.push(Block { insts, term: Terminator::Jump(handler), unwind: None });
        self.reached.push(true);
        self.reached[handler.index()] = true;
        BlockId(self.func.blocks.len() as u32 - 1)
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

    // ---- exception bookkeeping -------------------------------------------------------

    /// The temporary now owns an object (released by landings until `disown`).
    pub fn own(&mut self, t: LocalId) {
        self.live.push(t);
    }

    /// The temporary's object was released or moved elsewhere.
    pub fn disown(&mut self, t: LocalId) {
        if let Some(i) = self.live.iter().rposition(|x| *x == t) {
            self.live.remove(i);
        }
    }

    pub fn push_handler(&mut self, b: BlockId) {
        self.handlers.push((b, self.live.len()));
    }

    pub fn pop_handler(&mut self) -> Option<BlockId> {
        self.handlers.pop().map(|(b, _)| b)
    }

    /// The function's own unwind block (the outermost handler).
    pub fn base_handler(&self) -> Option<BlockId> {
        self.handlers.first().map(|(b, _)| *b)
    }

    /// The handler stack, for code that must run outside the current `尝试` (`最终`
    /// bodies on a `返回`/`跳出` path) and restore it afterwards.
    pub fn handlers(&self) -> Vec<(BlockId, usize)> {
        self.handlers.clone()
    }

    pub fn set_handlers(&mut self, handlers: Vec<(BlockId, usize)>) {
        self.handlers = handlers;
    }

    pub fn set_loc(&mut self, loc: Loc) {
        self.loc = loc;
    }

    pub fn loc(&self) -> Loc {
        self.loc
    }

    /// Name frames of this function in stack traces (`None`: record no frame).
    pub fn set_trace_name(&mut self, name: Option<StrId>) {
        self.trace_name = name;
    }

    pub fn finish(mut self) -> Function {
        // Blocks never reached (e.g. after `返回` inside both arms of an if) keep the
        // `Unreachable` placeholder, which is exactly what they are.
        self.terminated = true;
        self.func
    }
}
