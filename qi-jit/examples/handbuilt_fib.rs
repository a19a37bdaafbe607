//! Hand-built IR for `fib(35)` and the `loop` benchmark: measures the code generator
//! without the front end. `cargo run --release -p qi-jit --example handbuilt_fib`.
use qi_ir::*;

fn fib_module() -> Module {
    // fn fib(n) { if n < 2 { return n } return fib(n-1) + fib(n-2) }
    let mut b = builder::FnBuilder::new(
        "fib".into(),
        vec![(Some("n".into()), Type::Int)],
        Type::Int,
        Loc::default(),
    );
    let n = Operand::Local(LocalId(0));
    let c = b.temp(Type::Bool, Value::Binary(BinOp::ICmp(Cmp::Lt), n, Operand::Int(2)));
    let small = b.new_block();
    let big = b.new_block();
    b.branch(c, small, big);
    b.switch_to(small);
    b.terminate(Terminator::Return(Some(n)));
    b.switch_to(big);
    let n1 = b.temp(Type::Int, Value::Binary(BinOp::ISub, n, Operand::Int(1)));
    let f1 =
        b.temp(Type::Int, Value::Call { func: FuncId(0), args: vec![n1], loc: Loc::default() });
    let n2 = b.temp(Type::Int, Value::Binary(BinOp::ISub, n, Operand::Int(2)));
    let f2 =
        b.temp(Type::Int, Value::Call { func: FuncId(0), args: vec![n2], loc: Loc::default() });
    let s = b.temp(Type::Int, Value::Binary(BinOp::IAdd, f1, f2));
    b.terminate(Terminator::Return(Some(s)));
    let fib = b.finish();

    let mut m = builder::FnBuilder::new("main".into(), vec![], Type::Void, Loc::default());
    let r = m.temp(
        Type::Int,
        Value::Call {
            func: FuncId(0),
            args: vec![Operand::Int(
                std::env::var("FIB").ok().and_then(|v| v.parse().ok()).unwrap_or(35),
            )],
            loc: Loc::default(),
        },
    );
    m.push(Inst::Effect(Value::Builtin {
        op: Builtin::PrintInt,
        args: vec![r],
        loc: Loc::default(),
    }));
    m.push(Inst::Effect(Value::Builtin {
        op: Builtin::PrintNewline,
        args: vec![],
        loc: Loc::default(),
    }));
    // loop: sum (i*i)%7 for i < 1e8
    let sum = m.new_local(Type::Int, Some("sum".into()));
    let i = m.new_local(Type::Int, Some("i".into()));
    m.assign(sum, Value::Use(Operand::Int(0)));
    m.assign(i, Value::Use(Operand::Int(0)));
    let head = m.new_block();
    let body = m.new_block();
    let exit = m.new_block();
    m.jump(head);
    m.switch_to(head);
    let c = m.temp(
        Type::Bool,
        Value::Binary(
            BinOp::ICmp(Cmp::Lt),
            Operand::Local(i),
            Operand::Int(
                std::env::var("N").ok().and_then(|v| v.parse().ok()).unwrap_or(100_000_000),
            ),
        ),
    );
    m.branch(c, body, exit);
    m.switch_to(body);
    let sq = m.temp(Type::Int, Value::Binary(BinOp::IMul, Operand::Local(i), Operand::Local(i)));
    let r7 = m.temp(Type::Int, Value::Binary(BinOp::IRem, sq, Operand::Int(7)));
    m.assign(sum, Value::Binary(BinOp::IAdd, Operand::Local(sum), r7));
    m.assign(i, Value::Binary(BinOp::IAdd, Operand::Local(i), Operand::Int(1)));
    m.jump(head);
    m.switch_to(exit);
    m.push(Inst::Effect(Value::Builtin {
        op: Builtin::PrintInt,
        args: vec![Operand::Local(sum)],
        loc: Loc::default(),
    }));
    m.push(Inst::Effect(Value::Builtin {
        op: Builtin::PrintNewline,
        args: vec![],
        loc: Loc::default(),
    }));
    m.terminate(Terminator::Return(None));
    let main = m.finish();
    Module {
        functions: vec![fib, main],
        globals: vec![],
        strings: vec![],
        main: FuncId(1),
        files: vec![],
        structs: vec![],
        enums: vec![],
        layouts: vec![],
        cyclic: Default::default(),
        frozen: Default::default(),
        reflection: Default::default(),
        foreign: Default::default(),
    }
}

fn main() {
    let m = fib_module();
    let t = std::time::Instant::now();
    let p = qi_jit::compile(
        &m,
        &qi_jit::Options {
            verify: true,
            disasm: std::env::var_os("DISASM").is_some(),
            ..Default::default()
        },
    )
    .unwrap();
    let t1 = t.elapsed();
    p.run();
    qi_rt::finish();
    eprintln!("compile {:?}, total {:?}", t1, t.elapsed());
}
