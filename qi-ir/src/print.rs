//! Human-readable text form of the IR (`qi run --emit=ir`).

use crate::ir::*;
use std::fmt::{self, Write};

impl fmt::Display for Module {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, g) in self.globals.iter().enumerate() {
            writeln!(f, "global g{i} {}: {}", g.name, g.ty)?;
        }
        for (i, func) in self.functions.iter().enumerate() {
            if i > 0 || !self.globals.is_empty() {
                writeln!(f)?;
            }
            let main = if FuncId(i as u32) == self.main { " (main)" } else { "" };
            write_function(f, self, i, func, main)?;
        }
        Ok(())
    }
}

fn write_function(
    f: &mut fmt::Formatter<'_>,
    m: &Module,
    index: usize,
    func: &Function,
    main: &str,
) -> fmt::Result {
    let params: Vec<String> =
        (0..func.params.len()).map(|i| format!("_{i}: {}", func.locals[i].ty)).collect();
    writeln!(f, "fn f{index} {}({}) -> {}{main} {{", func.name, params.join(", "), func.ret)?;
    for (i, l) in func.locals.iter().enumerate().skip(func.params.len()) {
        let name = l.name.as_deref().map(|n| format!("  // {n}")).unwrap_or_default();
        writeln!(f, "    let _{i}: {}{name}", l.ty)?;
    }
    for (bi, b) in func.blocks.iter().enumerate() {
        writeln!(f, "  b{bi}:")?;
        for inst in &b.insts {
            writeln!(f, "    {}", inst_text(m, inst))?;
        }
        if let Some(u) = b.unwind {
            writeln!(f, "    (unwind to b{} at line {})", u.to.0, u.loc.line)?;
        }
        writeln!(f, "    {}", term_text(m, &b.term))?;
    }
    writeln!(f, "}}")
}

fn operand_text(m: &Module, op: &Operand) -> String {
    match op {
        Operand::Local(l) => format!("_{}", l.0),
        Operand::Int(v) => v.to_string(),
        Operand::Float(v) => format!("{v:?}"),
        Operand::Bool(b) => if *b { "真" } else { "假" }.to_string(),
        Operand::Char(c) => format!("{:?}", char::from_u32(*c).unwrap_or('\u{FFFD}')),
        Operand::Str(s) => format!("{:?}", m.strings[s.index()]),
        Operand::Null => "null".into(),
    }
}

fn operands_text(m: &Module, ops: &[Operand]) -> String {
    ops.iter().map(|o| operand_text(m, o)).collect::<Vec<_>>().join(", ")
}

fn value_text(m: &Module, v: &Value) -> String {
    match v {
        Value::Use(o) => operand_text(m, o),
        Value::Unary(op, o) => format!("{op:?} {}", operand_text(m, o)),
        Value::Binary(op, a, b) => format!("{op:?} {}, {}", operand_text(m, a), operand_text(m, b)),
        Value::Convert(c, o) => format!("{c:?} {}", operand_text(m, o)),
        Value::Call { func, args, .. } => {
            format!("call {}({})", m.functions[func.index()].name, operands_text(m, args))
        }
        Value::Builtin { op, args, .. } => format!("builtin {op:?}({})", operands_text(m, args)),
        Value::LocalAddr(l) => format!("addr _{}", l.0),
        Value::Callback { func, .. } => format!("c_callback {}", m.functions[func.index()].name),
        Value::GlobalAddr(g) => format!("addr g{}", g.0),
        Value::CallForeign { func, args, .. } => {
            let f = &m.foreign.functions[func.index()];
            format!("call_c {}({})", f.name, operands_text(m, args))
        }
        Value::Global(g) => format!("global g{}", g.0),
        Value::NewArray { elem, len, .. } => format!("new 数组<{elem}>({})", operand_text(m, len)),
        Value::NewRecord(l) => format!("new record L{}", l.0),
        Value::GetSlot { obj, slot, .. } => format!("{}.{}", operand_text(m, obj), slot),
        Value::FuncAddr(f) => format!("addr {}", m.functions[f.index()].name),
        Value::CallIndirect { callee, args, .. } => {
            format!("call_indirect {}({})", operand_text(m, callee), operands_text(m, args))
        }
        Value::ArrayLen(a) => format!("len {}", operand_text(m, a)),
        Value::Index { array, index, checked, .. } => {
            let unchecked = if *checked { "" } else { " unchecked" };
            format!("{}[{}]{unchecked}", operand_text(m, array), operand_text(m, index))
        }
    }
}

pub(crate) fn inst_text(m: &Module, inst: &Inst) -> String {
    match inst {
        Inst::Assign { dst, value } => format!("_{} = {}", dst.0, value_text(m, value)),
        Inst::Effect(v) => value_text(m, v),
        Inst::SetGlobal { global, value } => format!("g{} = {}", global.0, operand_text(m, value)),
        Inst::Retain(o) => format!("retain {}", operand_text(m, o)),
        Inst::Release(l) => format!("release _{}", l.0),
        Inst::SetSlot { obj, slot, value } => {
            format!("{}.{} = {}", operand_text(m, obj), slot, operand_text(m, value))
        }
        Inst::SetIndex { array, index, value, checked, .. } => {
            format!(
                "{}[{}] = {}{}",
                operand_text(m, array),
                operand_text(m, index),
                operand_text(m, value),
                if *checked { "" } else { " unchecked" }
            )
        }
    }
}

fn term_text(m: &Module, t: &Terminator) -> String {
    match t {
        Terminator::Jump(b) => format!("jump b{}", b.0),
        Terminator::Branch { cond, then_to, else_to } => {
            format!("branch {}, b{}, b{}", operand_text(m, cond), then_to.0, else_to.0)
        }
        Terminator::Return(None) => "return".into(),
        Terminator::Return(Some(o)) => format!("return {}", operand_text(m, o)),
        Terminator::Unwind => "unwind".into(),
        Terminator::Unreachable => "unreachable".into(),
    }
}

/// The text of one function, for tests and debugging.
pub fn function_text(m: &Module, id: FuncId) -> String {
    struct One<'a>(&'a Module, FuncId);
    impl fmt::Display for One<'_> {
        fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            let func = &self.0.functions[self.1.index()];
            write_function(f, self.0, self.1.index(), func, "")
        }
    }
    let mut s = String::new();
    let _ = write!(s, "{}", One(m, id));
    s
}
