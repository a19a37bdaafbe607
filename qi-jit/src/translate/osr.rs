//! What an on-stack-replacement variant, entered at IR block `first`, can run and read.
//!
//! The variant is the whole function with a second way in: its entry block loads the
//! interpreted frame's locals and jumps to `first`. The blocks it can never run stay as
//! a skeleton (`Translator::skeleton_chain`): their edges keep Cranelift's block order,
//! and with it register allocation, that of the whole function, while none of their
//! assignments reaches the loop entered.

/// Per IR block: can the variant run it (a path, normal or exceptional, leads there
/// from `first`)?
pub fn reachable_from(f: &qi_ir::Function, first: usize) -> Vec<bool> {
    let mut reached = vec![false; f.blocks.len()];
    let mut stack = vec![first];
    while let Some(b) = stack.pop() {
        if std::mem::replace(&mut reached[b], true) {
            continue;
        }
        let block = &f.blocks[b];
        stack.extend(block.term.successors().map(|s| s.index()));
        stack.extend(block.unwind.map(|u| u.to.index()));
    }
    reached
}

/// Per local: does a block the variant can run read it? The others need no value from
/// the frame.
pub fn read_in(f: &qi_ir::Function, reached: &[bool]) -> Vec<bool> {
    let mut read = vec![false; f.locals.len()];
    let blocks = f.blocks.iter().zip(reached).filter(|(_, r)| **r);
    for (block, _) in blocks {
        let mut mark = |l: qi_ir::LocalId| read[l.index()] = true;
        for inst in &block.insts {
            inst.locals_read(&mut mark);
        }
        block.term.locals_read(&mut mark);
    }
    read
}
