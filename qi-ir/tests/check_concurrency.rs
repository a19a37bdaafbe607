//! The checker on concurrency (docs/CONCURRENCY.md): channels, `选择`, `启动`, futures
//! and the synchronisation builtins — the diagnostics of rejected programs (Chinese |
//! English, with positions) and the shape of the IR accepted ones lower to. (The
//! conformance programs under `tests/programs/concurrency/` run them in every tier.)

mod common;

use common::checking::*;
use qi_ir::*;

/// Every builtin `f` executes, with its arguments, in block order.
fn builtins(f: &Function) -> Vec<(Builtin, Vec<Operand>)> {
    insts(f)
        .filter_map(|(_, i)| match i {
            Inst::Assign { value: Value::Builtin { op, args, .. }, .. }
            | Inst::Effect(Value::Builtin { op, args, .. }) => Some((*op, args.clone())),
            _ => None,
        })
        .collect()
}

/// The builtins `f` executes, without the frames its landings record.
fn ops(f: &Function) -> Vec<Builtin> {
    builtins(f).into_iter().map(|(op, _)| op).filter(|op| *op != Builtin::ExcTrace).collect()
}

fn count(f: &Function, op: Builtin) -> usize {
    ops(f).into_iter().filter(|o| *o == op).count()
}

/// The blocks whose last instruction is the builtin `op`.
fn blocks_ending_with_builtin(f: &Function, op: Builtin) -> Vec<usize> {
    (0..f.blocks.len())
        .filter(|&b| match f.blocks[b].insts.last() {
            Some(
                Inst::Assign { value: Value::Builtin { op: o, .. }, .. }
                | Inst::Effect(Value::Builtin { op: o, .. }),
            ) => *o == op,
            _ => false,
        })
        .collect()
}

/// Every block ending with `op` has an exceptional edge (`raises`), or none does.
#[track_caller]
fn assert_edges(m: &Module, name: &str, op: Builtin, raises: bool) {
    let f = func(m, name);
    let blocks = blocks_ending_with_builtin(f, op);
    assert!(!blocks.is_empty(), "no {op:?} in {name}:\n{}", text(m, name));
    for b in blocks {
        assert_eq!(f.blocks[b].unwind.is_some(), raises, "{op:?} in b{b}:\n{}", text(m, name));
    }
}

fn string_of(m: &Module, op: &Operand) -> Option<String> {
    match op {
        Operand::Str(s) => Some(m.strings[s.index()].clone()),
        _ => None,
    }
}

// ---- types ----------------------------------------------------------------------------------

#[test]
fn channels_and_futures_are_types_of_every_position() {
    accept(
        "结构体 盒 { 信: 通道<整数>, 果: 未来<字符串> }
变量 全局 = 通道<浮点数>(1);
函数 取(c: 通道<整数>): 通道<整数> { 返回 c; }
函数 字(): 未来<字符串> { 返回 \"好\"; }
函数 泛<T>(c: 通道<T>, v: T) { c <- v; }
函数 入口() {
    变量 c: 通道<整数> = 取(通道<整数>());
    变量 列: 数组<通道<整数>> = [c, c];
    变量 b = 新建 盒 { 信: c, 果: 字() };
    变量 f: 函数(通道<整数>): 通道<整数> = 取;
    变量 d = 通道<未来<数组<整数>>>(2);
    泛(c, 1);
    全局 <- 1;
}",
    );
}

// ---- channels -------------------------------------------------------------------------------

#[test]
fn channel_operations_lower_to_their_builtins_and_the_raising_ones_end_their_blocks() {
    let m = accept(&in_entry(
        "变量 c = 通道<浮点数>(2);
变量 无缓冲 = 通道<字符串>();
c <- 1;
变量 x = <-c;
关闭(c);
打印行(x);",
    ));
    let f = func(&m, "入口");
    let b = builtins(f);
    assert!(
        b.contains(&(Builtin::ChanNew(Bits::Float), vec![Operand::Int(2)])),
        "{}",
        text(&m, "入口")
    );
    assert!(
        b.contains(&(Builtin::ChanNew(Bits::Object), vec![Operand::Int(0)])),
        "unbuffered: capacity 0"
    );
    // `c <- 1` sends the integer converted to the element type.
    let (_, send) = b.iter().find(|(op, _)| *op == Builtin::ChanSend(Bits::Float)).expect("a send");
    assert!(
        matches!(send[1], Operand::Local(l) if *f.local_ty(l) == Type::Float),
        "{}",
        text(&m, "入口")
    );
    assert_eq!(count(f, Builtin::ChanRecv(Bits::Float)), 1);
    assert_edges(&m, "入口", Builtin::ChanNew(Bits::Float), true);
    assert_edges(&m, "入口", Builtin::ChanSend(Bits::Float), true);
    assert_edges(&m, "入口", Builtin::ChanClose, true);
    // A receive cannot raise: it waits, and a closed channel gives the zero value.
    assert!(blocks_ending_with_builtin(f, Builtin::ChanRecv(Bits::Float))
        .iter()
        .all(|b| f.blocks[*b].unwind.is_none()));
    assert_eq!(*f.local_ty(var(f, "x")), Type::Float);
}

#[test]
fn a_received_object_is_replaced_by_the_zero_value_once_the_channel_is_closed() {
    let m = accept(
        "结构体 点 { x: 整数 }
函数 入口() {
    变量 s = 通道<字符串>(1);
    变量 a = 通道<数组<整数>>(1);
    变量 p = 通道<点>(1);
    变量 o = 通道<选项<字符串>>(1);
    变量 n = 通道<整数>(1);
    变量 甲 = <-s;
    变量 乙 = <-a;
    变量 丙 = <-p;
    变量 丁 = <-o;
    变量 戊 = <-n;
}",
    );
    let f = func(&m, "入口");
    let t = text(&m, "入口");
    // 字符串, 数组<整数>, 点: a null test each; 选项<字符串> (null is 无) and 整数: none.
    let null_tests = insts(f)
        .filter(|(_, i)| {
            matches!(
                i,
                Inst::Assign { value: Value::Binary(BinOp::ICmp(Cmp::Eq), _, Operand::Null), .. }
            )
        })
        .count();
    assert_eq!(null_tests, 3, "{t}");
    let received = |name: &str| {
        let v = var(f, name);
        insts(f)
            .find_map(|(_, i)| match i {
                Inst::Assign { dst, value: Value::Use(Operand::Local(src)) } if *dst == v => {
                    Some(*src)
                }
                _ => None,
            })
            .unwrap()
    };
    // The empty string and a fresh empty array go into the received slot.
    let s = received("甲");
    assert!(insts(f).any(|(_, i)| matches!(i, Inst::Assign { dst, value: Value::Use(o) } if *dst == s && string_of(&m, o).as_deref() == Some(""))), "{t}");
    let a = received("乙");
    assert!(insts(f).any(|(_, i)| matches!(i, Inst::Assign { dst, value: Value::NewArray { len: Operand::Int(0), .. } } if *dst == a)), "{t}");
    // 点 has no zero value: a runtime error, raised like `抛出`.
    let throws: Vec<String> = builtins(f)
        .into_iter()
        .filter(|(op, _)| *op == Builtin::Throw)
        .map(|(_, a)| string_of(&m, &a[0]).unwrap())
        .collect();
    assert_eq!(throws, ["从已关闭的通道接收：类型 点 没有零值"], "{t}");
    assert_edges(&m, "入口", Builtin::Throw, true);
}

#[test]
fn for_over_a_channel_receives_until_it_is_closed() {
    let m = accept(&in_entry(
        "变量 c = 通道<字符串>(3);
对于 s 在 c {
    如果 s == \"停\" { 跳出; }
    如果 s == \"略\" { 继续; }
    打印行(s);
}",
    ));
    let f = func(&m, "入口");
    let t = text(&m, "入口");
    // head: ChanRecvOk → body (ChanTake into the loop variable) or exit.
    let head = (0..f.blocks.len())
        .find(|&b| {
            matches!(
                f.blocks[b].insts.last(),
                Some(Inst::Assign { value: Value::Builtin { op: Builtin::ChanRecvOk, .. }, .. })
            )
        })
        .unwrap_or_else(|| panic!("no ChanRecvOk:\n{t}"));
    let Terminator::Branch { then_to, .. } = f.blocks[head].term else {
        panic!("the head branches on the result:\n{t}")
    };
    let s = var(f, "s");
    assert!(
        f.blocks[then_to.index()].insts.iter().any(|i| matches!(i, Inst::Assign { dst, value: Value::Builtin { op: Builtin::ChanTake(Bits::Object), .. } } if *dst == s)),
        "the body starts by taking the value into `s`:\n{t}"
    );
    // `继续` and the end of the body go back to the head.
    let into_head = f
        .blocks
        .iter()
        .filter(|b| matches!(b.term, Terminator::Jump(j) if j.index() == head))
        .count();
    assert!(into_head >= 3, "{t}");
}

#[test]
fn channel_diagnostics() {
    assert_errors(
        &in_entry(
            "变量 c = 通道<整数>(1);
c <- \"文字\";
变量 n = 1;
n <- 2;
变量 x = <-n;
关闭(n);
对于 i 在 n { }
变量 d = 通道<整数>(\"大\");
变量 e = 通道<空>();",
        ),
        &[
            "3:6-3:10 发送的值类型不匹配：通道<整数> 需要 整数，这里是 字符串 | wrong type sent: 通道<整数> carries 整数, found 字符串",
            "5:1-5:2 只能向通道发送，这里是 整数 | can only send to a channel, found 整数",
            "6:10-6:11 只能从通道接收，这里是 整数 | can only receive from a channel, found 整数",
            "7:4-7:5 关闭 需要通道，这里是 整数 | 关闭 needs a channel, found 整数",
            "8:8-8:9 `对于 x 在 …` 只能遍历整数区间、数组或通道，这里是 整数 | `对于 x 在 …` can only iterate over an integer range, an array or a channel, found 整数",
            "9:15-9:18 通道容量必须是整数，这里是 字符串 | a channel capacity must be an integer, found 字符串",
            "10:8-10:15 通道的元素类型不能是 空 | a channel cannot carry 空 values",
        ],
    );
}

// ---- 选择 ------------------------------------------------------------------------------------

#[test]
fn select_registers_the_cases_in_source_order_then_dispatches_on_the_chosen_index() {
    let m = accept(
        "函数 通(n: 整数): 通道<整数> { 返回 通道<整数>(n); }
函数 入口() {
    变量 甲 = 通道<整数>(1);
    变量 乙 = 通道<字符串>(1);
    对于 i 在 1 到 3 {
        选择 {
            情况 v := <-甲: 打印行(v);
            情况 乙 <- \"嗨\": 打印行(\"发\");
            情况 超时(50): 打印行(\"超时\");
            情况 <-通(1): 继续;
            默认: 跳出;
        }
    }
}",
    );
    let f = func(&m, "入口");
    let t = text(&m, "入口");
    let order: Vec<Builtin> = ops(f)
        .into_iter()
        .filter(|op| {
            matches!(
                op,
                Builtin::SelectBegin
                    | Builtin::SelectRecv
                    | Builtin::SelectSend(_)
                    | Builtin::SelectWait
            )
        })
        .collect();
    assert_eq!(
        order,
        [
            Builtin::SelectBegin,
            Builtin::SelectRecv,
            Builtin::SelectSend(Bits::Object),
            Builtin::SelectRecv,
            Builtin::SelectWait
        ],
        "{t}"
    );
    let (_, wait) = builtins(f).into_iter().find(|(op, _)| *op == Builtin::SelectWait).unwrap();
    assert_eq!(wait, [Operand::Int(50), Operand::Bool(true)], "timeout, has 默认");
    assert_edges(&m, "入口", Builtin::SelectWait, true);
    // The channel made by `通(1)` is owned until the wait is over: the landing of the wait
    // releases it, and the normal path releases it after the wait.
    let [w] = blocks_ending_with_builtin(f, Builtin::SelectWait)[..] else { panic!("{t}") };
    let landing = &f.blocks[f.blocks[w].unwind.unwrap().to.index()];
    assert_eq!(landing.insts.iter().filter(|i| matches!(i, Inst::Release(_))).count(), 1, "{t}");
    // Dispatch: the chosen index is compared with 0, 1, -1, 2 and -2 (source order).
    let chosen = match f.blocks[w].insts.last() {
        Some(Inst::Assign { dst, .. }) => *dst,
        _ => unreachable!(),
    };
    let compared: Vec<i64> = insts(f)
        .filter_map(|(_, i)| match i {
            Inst::Assign {
                value: Value::Binary(BinOp::ICmp(Cmp::Eq), Operand::Local(l), Operand::Int(k)),
                ..
            } if *l == chosen => Some(*k),
            _ => None,
        })
        .collect();
    assert_eq!(compared, [0, 1, -1, 2, -2], "{t}");
    // Receive cases take their value; the bound one into `v` (an 整数: no null test).
    assert_eq!(count(f, Builtin::ChanTake(Bits::Int)), 2, "{t}");
    assert_eq!(*f.local_ty(var(f, "v")), Type::Int);
}

#[test]
fn select_diagnostics() {
    assert_errors(
        &in_entry(
            "变量 甲 = 通道<整数>(1);
变量 n = 1;
选择 {
    情况 打印行(\"x\"): 打印行(1);
    情况 v := <-n: 打印行(v);
    情况 超时(10): 打印行(2);
    情况 超时(\"久\"): 打印行(3);
    默认: 打印行(4);
    默认: 打印行(5);
    情况 w := 甲 <- 1: 打印行(6);
    情况 甲 <- \"字\": 打印行(7);
}",
        ),
        &[
            "5:8-5:16 选择 的情况必须是接收（<-通道）、发送（通道 <- 值）、超时(毫秒) 或 默认 | a 选择 case must be a receive (<-channel), a send (channel <- value), 超时(ms) or 默认",
            "6:15-6:16 只能从通道接收，这里是 整数 | can only receive from a channel, found 整数",
            "8:8-8:10 选择 只能有一个 超时 情况 | a 选择 can have only one 超时 case",
            "8:11-8:14 超时 的毫秒数必须是整数，这里是 字符串 | the milliseconds of 超时 must be an integer, found 字符串",
            "10:5-10:7 选择 只能有一个 默认 情况 | a 选择 can have only one 默认 case",
            "11:8-11:9 发送情况不能绑定变量（只有接收情况 v := <-通道 可以） | a send case cannot bind a variable (only a receive case v := <-channel can)",
            "12:13-12:16 发送的值类型不匹配：通道<整数> 需要 整数，这里是 字符串 | wrong type sent: 通道<整数> carries 整数, found 字符串",
        ],
    );
}

// ---- 启动 ------------------------------------------------------------------------------------

#[test]
fn spawn_evaluates_the_call_now_and_starts_a_closure_that_makes_it() {
    let m = accept(
        "结构体 计 { 值: 整数 }
实现 计 { 函数 加(n: 整数): 整数 { 返回 自己.值 + n; } }
函数 工(名: 字符串, n: 整数): 字符串 { 返回 名; }
函数 名字(): 字符串 { 返回 \"甲\"; }
函数 入口() {
    启动 工(名字(), 1);
    变量 c = 新建 计 { 值: 1 };
    启动 c.加(2);
    变量 f = 闭包(x: 整数) { 打印行(x); };
    启动 f(3);
}",
    );
    let f = func(&m, "入口");
    let t = text(&m, "入口");
    assert_eq!(count(f, Builtin::Spawn), 3, "{t}");
    // `名字()` is called by 入口 (at the 启动), 工 only by the closure.
    assert_eq!(blocks_calling(f, func_id(&m, "名字")).len(), 1, "{t}");
    assert!(blocks_calling(f, func_id(&m, "工")).is_empty(), "{t}");
    let codes: Vec<&Function> = m.functions.iter().filter(|g| g.name == "入口.启动").collect();
    assert_eq!(codes.len(), 3);
    for code in &codes {
        assert_eq!(code.params, [Type::Fn(Box::new(FnType { params: vec![], ret: Type::Void }))]);
        // No handler: an exception leaves the green thread's closure.
        assert!(code.blocks.iter().all(|b| b.unwind.is_none()));
    }
    assert_eq!(blocks_calling(codes[0], func_id(&m, "工")).len(), 1);
    assert!(
        codes[0].blocks.iter().flat_map(|b| &b.insts).any(|i| matches!(i, Inst::Release(_))),
        "the result is dropped"
    );
    assert_eq!(blocks_calling(codes[1], func_id(&m, "计.加")).len(), 1);
    assert!(codes[2]
        .blocks
        .iter()
        .flat_map(|b| &b.insts)
        .any(|i| matches!(i, Inst::Effect(Value::CallIndirect { .. }))));
    // The record holds the receiver `c` and the function value `f` with references of its
    // own (the variables keep theirs).
    for name in ["c", "f"] {
        let v = var(f, name);
        assert!(
            insts(f).any(|(_, i)| matches!(i, Inst::Retain(Operand::Local(l)) if *l == v)),
            "{name} is retained:\n{t}"
        );
    }
}

#[test]
fn spawn_diagnostics() {
    assert_errors(
        "函数 工() { }
函数 入口() {
    启动 工;
    启动 打印行(\"x\");
    变量 v = 启动 工();
    启动 未定义(1);
}",
        &[
            "3:8-3:9 启动 后面必须是函数调用 | 启动 must be followed by a function call",
            "4:8-4:16 启动 只能启动函数、方法或函数值的调用（不能启动内建函数或构造子） | 启动 can only start a call of a function, a method or a function value (not a builtin or a constructor)",
            "5:12-5:18 启动 是语句，不能用作值 | 启动 is a statement and has no value",
            "6:8-6:11 未定义的函数: 未定义 | undefined function: 未定义",
        ],
    );
}

// ---- futures ---------------------------------------------------------------------------------

#[test]
fn a_future_function_is_a_body_returning_t_and_a_function_that_starts_it() {
    let m = accept(
        "函数 平方(n: 整数): 未来<整数> { 返回 n * n; }
异步 函数 说(s: 字符串): 未来<空> { 打印行(s); }
函数 入口() {
    变量 f = 平方(6);
    打印行(等待 f);
    等待 说(\"嗨\");
}",
    );
    // Callers call the starter, which returns the future.
    let starter = func(&m, "平方.未来");
    assert_eq!(starter.params, [Type::Int]);
    assert_eq!(starter.ret, Type::Future(Box::new(Type::Int)));
    assert_eq!(ops(starter), [Builtin::FutureNew(Bits::Int), Builtin::FutureSpawn]);
    assert_eq!(blocks_calling(func(&m, "入口"), func_id(&m, "平方.未来")).len(), 1);
    // The body keeps the function's name (stack traces show it) and returns the 整数.
    let body = func(&m, "平方");
    assert_eq!(body.ret, Type::Int);
    let code = func(&m, "平方.异步");
    assert_eq!(blocks_calling(code, func_id(&m, "平方")).len(), 1);
    assert_eq!(ops(code), [Builtin::FutureComplete(Bits::Int)]);
    // 未来<空>: completed with a dummy 0.
    assert_eq!(
        builtins(func(&m, "说.异步")),
        [(Builtin::FutureComplete(Bits::Void), vec![Operand::Local(LocalId(2)), Operand::Int(0)])]
    );
    assert_eq!(func(&m, "说").ret, Type::Void);
    let entry = func(&m, "入口");
    assert_eq!(
        ops(entry).into_iter().filter(|o| matches!(o, Builtin::Await(_))).collect::<Vec<_>>(),
        [Builtin::Await(Bits::Int), Builtin::Await(Bits::Void)]
    );
    assert_edges(&m, "入口", Builtin::Await(Bits::Int), true);
}

#[test]
fn await_passes_the_expected_type_to_future_constructors_and_has_special_forms() {
    let m = accept(&in_entry(
        "变量 a = 等待 未来::就绪(2.5);
变量 b: 浮点数 = 等待 未来::就绪(1);
变量 c: 整数 = 等待 未来::失败(\"坏了\");
变量 d: 未来<字符串> = 未来.失败(\"也坏了\");
等待 让出();
等待 异步睡眠(10);
等待 睡眠(5);",
    ));
    let f = func(&m, "入口");
    let b = ops(f);
    assert_eq!(
        b.iter().filter(|o| **o == Builtin::FutureReady(Bits::Float)).count(),
        2,
        "{}",
        text(&m, "入口")
    );
    assert!(b.contains(&Builtin::FutureFailed(Bits::Int)));
    assert!(b.contains(&Builtin::FutureFailed(Bits::Object)));
    assert_eq!(count(f, Builtin::Yield), 1);
    assert_eq!(count(f, Builtin::Sleep), 2);
    assert_eq!(*f.local_ty(var(f, "a")), Type::Float);
}

#[test]
fn future_diagnostics() {
    assert_errors(
        "异步 函数 算(n: 整数): 整数 { 返回 n; }
函数 坏(): 未来<整数> { 返回 \"字\"; }
函数 入口() {
    变量 x = 等待 算(1);
    等待 未来::失败(\"坏了\");
    变量 y = 未来::就绪();
    变量 z = 未来::完成(1);
    等待 让出(1);
}",
        &[
            "1:7-1:8 函数 `算`：异步函数必须返回 未来<T> | function `算`: an 异步 function must return 未来<T>",
            "2:21-2:24 类型不匹配：期望 整数，实际是 字符串 | type mismatch: expected 整数, found 字符串",
            "4:15-4:19 等待 只能用于 未来<T>，这里是 整数 | 等待 needs a 未来<T> (future), found 整数",
            "5:8-5:20 未来::失败 无法推断结果类型：给变量加 : 未来<类型> 注解，或写在 等待 有类型的地方 | 未来::失败 cannot infer the result type: annotate the variable with : 未来<类型>, or use it where the type is known",
            "6:12-6:20 函数「未来::就绪」需要 1 个实参，实际传了 0 个 | function `未来::就绪` takes 1 argument(s) but 0 were given",
            "7:12-7:21 未来 没有函数「完成」（可用：就绪、失败） | 未来 has no function `完成` (available: 就绪, 失败)",
            "8:8-8:13 函数「让出」需要 0 个实参，实际传了 1 个 | function `让出` takes 0 argument(s) but 1 were given",
        ],
    );
}

// ---- synchronisation ------------------------------------------------------------------------

#[test]
fn sync_builtins_and_the_sync_module_use_integer_handles() {
    let m = accept(
        "导入 标准库.同步 作为 步;
函数 入口() {
    变量 组 = 创建等待组();
    添加等待(组, 2);
    等待组增加(组, 1);
    完成(组);
    等待组等待(组);
    变量 锁 = 新建互斥锁();
    加锁(锁);
    变量 得 = 尝试加锁(锁);
    解锁(锁);
    设置超时(10);
    变量 时 = 获取时间();
    变量 原 = 步.创建原子(5);
    变量 新 = 同步.原子加(原, 2);
    变量 换 = 同步::原子比较交换(原, 7, 8);
    同步.写原子(原, 1);
    变量 读 = 步.读原子(原);
    变量 毁 = 同步.销毁原子(原);
    变量 真锁 = 同步.创建锁();
    同步.加锁(真锁);
    同步.解锁(真锁);
}",
    );
    let f = func(&m, "入口");
    use Builtin::*;
    assert_eq!(
        ops(f),
        [
            WaitGroupNew,
            WaitGroupAdd,
            WaitGroupAdd,
            WaitGroupDone,
            WaitGroupWait,
            MutexNew,
            MutexLock,
            MutexTryLock,
            MutexUnlock,
            Sleep,
            TimeMs,
            sync("创建原子"),
            sync("原子加"),
            sync("原子比较交换"),
            sync("写原子"),
            sync("读原子"),
            sync("销毁原子"),
            sync("创建锁"),
            sync("加锁"),
            sync("解锁")
        ],
        "{}",
        text(&m, "入口")
    );
    for op in [WaitGroupAdd, WaitGroupWait, MutexLock] {
        assert_edges(&m, "入口", op, true);
    }
    // A library function never throws (builtins.md §G.1; a bad handle gives 0): no block
    // has an exceptional edge after it.
    for op in [sync("原子加"), sync("加锁"), sync("解锁")] {
        for b in blocks_ending_with_builtin(f, op) {
            assert!(f.blocks[b].unwind.is_none(), "{op:?} in b{b}:\n{}", text(&m, "入口"));
        }
    }
    // A sleep cannot fail: it does not end its block.
    assert!(blocks_ending_with_builtin(f, Sleep).is_empty(), "{}", text(&m, "入口"));
}

/// The library row of `同步.name`.
fn sync(name: &str) -> Builtin {
    Builtin::Library(
        qi_ir::library::function(&qi_ir::library::SYNC, name).expect("a 同步 function"),
    )
}

#[test]
fn sync_diagnostics() {
    assert_errors(
        &in_entry(
            "添加等待(1);
加锁(\"锁\");
同步.不存在(1);
同步.启动并等待协程(1);",
        ),
        &[
            "2:1-2:8 函数「添加等待」需要 2 个实参，实际传了 1 个 | function `添加等待` takes 2 argument(s) but 1 were given",
            "3:4-3:7 类型不匹配：期望 整数，实际是 字符串 | type mismatch: expected 整数, found 字符串",
            "4:1-4:10 标准库模块「同步」没有函数「不存在」 | standard-library module `同步` has no function `不存在`",
            "5:12-5:13 标准库函数「启动并等待协程」第 1 个参数要 函数()，实际传的是 整数 | argument 1 of standard-library function `启动并等待协程` must be 函数(), found 整数",
        ],
    );
}

#[test]
fn every_raising_concurrency_builtin_ends_its_block_with_an_edge() {
    let m = accept(
        "函数 平方(n: 整数): 未来<整数> { 返回 n * n; }
函数 入口() {
    变量 c = 通道<整数>(1);
    c <- 1;
    选择 { 情况 v := <-c: 打印行(v); }
    关闭(c);
    变量 组 = 创建等待组();
    添加等待(组, 1);
    完成(组);
    等待组等待(组);
    打印行(等待 平方(2));
}",
    );
    for (i, f) in m.functions.iter().enumerate() {
        for (b, blk) in f.blocks.iter().enumerate() {
            for (k, inst) in blk.insts.iter().enumerate() {
                let may_raise = matches!(inst, Inst::Assign { value: Value::Builtin { op, .. }, .. } | Inst::Effect(Value::Builtin { op, .. }) if op.may_raise());
                if may_raise {
                    assert!(inst.can_throw(f));
                    let last = k + 1 == blk.insts.len();
                    assert!(
                        last && blk.unwind.is_some(),
                        "{} b{b}[{k}]:\n{}",
                        f.name,
                        print::function_text(&m, FuncId(i as u32))
                    );
                }
            }
        }
    }
}
