//! Which records and arrays the cycle collector watches (`qi_ir::cycles`).

fn module(src: &str) -> qi_ir::Module {
    let parse = qi_syntax::parse(src);
    assert!(parse.errors.is_empty(), "syntax errors in the test program");
    let out = qi_ir::check(&parse.tree(), src, "t.qi");
    out.module.expect("a program that checks, with 入口")
}

/// Is the struct named `name` watched?
fn watched(m: &qi_ir::Module, name: &str) -> bool {
    let s = m.structs.iter().find(|s| s.name == name).expect("struct");
    m.cyclic.layout(s.layout)
}

#[test]
fn a_tree_built_bottom_up_is_not_watched() {
    let m = module(
        "类型 节点 { 左: 选项<节点>, 右: 选项<节点> }
         函数 建(d: 整数): 节点 {
             如果 d > 0 { 返回 新建 节点 { 左: 有(建(d - 1)), 右: 有(建(d - 1)) }; }
             返回 新建 节点 { 左: 无, 右: 无 };
         }
         函数 入口() { 变量 t = 建(3); }",
    );
    assert!(!watched(&m, "节点"));
}

#[test]
fn a_store_into_an_existing_node_makes_it_watched() {
    let m = module(
        "类型 节点 { 伴: 选项<节点> }
         类型 无关 { 名: 字符串 }
         函数 入口() {
             变量 a = 新建 节点 { 伴: 无 };
             变量 b = 新建 节点 { 伴: 有(a) };
             a.伴 = 有(b);
             变量 x = 新建 无关 { 名: \"x\" };
             x.名 = \"y\";
         }",
    );
    assert!(watched(&m, "节点"));
    assert!(!watched(&m, "无关"), "a string field cannot close a cycle");
}

#[test]
fn arrays_on_a_cycle_are_watched_and_others_not() {
    let m = module(
        "类型 点 { 邻居: 数组<点> }
         函数 入口() {
             变量 p = 新建 点 { 邻居: [] };
             p.邻居 = [p];
             变量 名们 = [\"a\", \"b\"];
             名们[0] = \"c\";
         }",
    );
    assert!(watched(&m, "点"));
    let name = m.structs[0].name.as_str().into();
    let point = qi_ir::Type::Struct(qi_ir::Named { id: qi_ir::StructId(0), name });
    assert!(m.cyclic.array(&point));
    assert!(!m.cyclic.array(&qi_ir::Type::Str));
}

/// The frozen flags of the slots of the struct named `name`.
fn frozen(m: &qi_ir::Module, name: &str) -> Vec<bool> {
    let s = m.structs.iter().find(|s| s.name == name).expect("struct");
    let slots = m.layouts[s.layout.index()].slots.len() as u32;
    (0..slots).map(|i| m.frozen.slot(s.layout, i)).collect()
}

#[test]
fn fields_set_only_when_a_node_is_made_are_frozen() {
    let m = module(
        "类型 节点 { 左: 选项<节点>, 右: 选项<节点>, 值: 整数 }
         函数 建(d: 整数): 节点 {
             如果 d > 0 { 返回 新建 节点 { 左: 有(建(d - 1)), 右: 有(建(d - 1)), 值: d }; }
             返回 新建 节点 { 左: 无, 右: 无, 值: 0 };
         }
         函数 入口() { 变量 t = 建(3); t.值 = 1; }",
    );
    // Scalar slots are never frozen: there is no object to keep alive.
    assert_eq!(frozen(&m, "节点"), [true, true, false]);
}
