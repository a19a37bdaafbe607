//! Declarations: packages, imports, exports, functions, methods, structs, enums,
//! traits, impls, foreign blocks, globals.

mod common;

use common::{first, parse_ok, shape};
use qi_syntax::ast::*;

#[test]
fn package_lines() {
    let file = parse_ok("包 主程序;\n包 网页.组件；").tree();
    let packages: Vec<_> = file.items().collect();
    assert_eq!(packages.len(), 2);
    let Item::Package(p) = &packages[1] else { panic!() };
    assert_eq!(p.path().unwrap().text(), "网页.组件");
}

#[test]
fn import_forms() {
    let src = "导入 标准库.字符串;
导入 标准库.输入输出 作为 IO;
导入 ./工具;
导入 ../公共/格式;
导入 ../../甲.乙;
导入 数学;
导入 甲.乙::{某函数, 某类型};
公开 导入 子模块;
公开 导入 包::{名};
导入 标准库.列表 作为 列表库；";
    let file = parse_ok(src).tree();
    let imports: Vec<ImportDecl> = file.imports().collect();
    assert_eq!(imports.len(), 10);
    assert_eq!(imports[0].path().unwrap().text(), "标准库.字符串");
    assert!(!imports[0].path().unwrap().is_relative());
    assert_eq!(imports[1].alias().unwrap().text(), "IO");
    assert!(imports[2].path().unwrap().is_relative());
    assert_eq!(imports[2].path().unwrap().text(), "./工具");
    assert_eq!(imports[3].path().unwrap().text(), "../公共/格式");
    assert_eq!(imports[4].path().unwrap().parent_levels(), 2);
    let segments: Vec<_> = imports[4].path().unwrap().segments().map(|s| s.text()).collect();
    assert_eq!(segments, ["甲", "乙"]);
    let selected: Vec<_> = imports[6].selected().map(|n| n.text()).collect();
    assert_eq!(selected, ["某函数", "某类型"]);
    assert!(imports[7].is_pub());
    assert!(!imports[6].is_pub());
    assert_eq!(imports[9].path().unwrap().text(), "标准库.列表");
}

#[test]
fn exports() {
    let file = parse_ok("导出 名;\n导出 模块::名;\n导出 函数 加(a: 整数): 整数 { 返回 a; }\n导出 \"c_add\" 函数 加二() {}").tree();
    let items: Vec<_> = file.items().collect();
    let Item::Export(e) = &items[1] else { panic!("{items:?}") };
    assert_eq!(e.path().unwrap().text(), "模块.名");
    let Item::Fn(f) = &items[2] else { panic!() };
    assert!(f.is_export());
    let Item::Fn(f) = &items[3] else { panic!() };
    assert_eq!(f.export_symbol().unwrap().text(), "\"c_add\"");
}

#[test]
fn function_signature() {
    let f: FnDecl = first("公开 异步 函数 最大<T, E: 可比>(a: T, b: T = 默认值(), 其余...: 整数, 裸): 未来<T> { 返回 a; }");
    assert!(f.is_pub());
    assert!(f.is_async());
    assert_eq!(f.name().unwrap().text(), "最大");
    let generics: Vec<_> =
        f.generic_params().map(|g| (g.name().unwrap().text(), g.bound().is_some())).collect();
    assert_eq!(generics, [("T".to_string(), false), ("E".to_string(), true)]);
    let params: Vec<Param> = f.params().collect();
    assert_eq!(params.len(), 4);
    assert_eq!(params[0].name().unwrap().text(), "a");
    assert!(params[1].default().is_some());
    assert!(params[2].is_variadic());
    assert!(params[3].ty().is_none());
    let TypeRef::Named(ret) = f.ret_type().unwrap() else { panic!() };
    assert_eq!(ret.builtin(), Some(BuiltinType::Future));
    assert_eq!(ret.type_args().count(), 1);
    assert_eq!(f.body().unwrap().stmts().count(), 1);
}

#[test]
fn function_without_return_type_and_chinese_parens() {
    let f: FnDecl = first("函数 入口（）【 打印行（1，2）； 】");
    assert!(f.ret_type().is_none());
    assert_eq!(f.params().count(), 0);
    assert_eq!(f.body().unwrap().stmts().count(), 1);
}

#[test]
fn go_style_receivers() {
    let f: FnDecl = first("函数 (自身 计数器) 读(): 整数 { 返回 自身.值; }");
    let r = f.receiver().unwrap();
    assert_eq!(r.name().unwrap().text(), "自身");
    assert!(!r.is_var());
    let TypeRef::Named(t) = r.ty().unwrap() else { panic!() };
    assert_eq!(t.text(), "计数器");
    assert_eq!(f.name().unwrap().text(), "读");
    let f: FnDecl = first("函数 (变量 自身 计数器) 增(n: 整数) { 自身.值 = 自身.值 + n; }");
    assert!(f.receiver().unwrap().is_var());
}

#[test]
fn struct_field_styles() {
    let s: StructDecl = first("类型 点 { 横: 整数, 纵: 整数, }");
    assert_eq!(s.fields().count(), 2);
    let s: StructDecl = first("结构体 人 { 姓名: 字符串; 公开 年龄: 整数 = 18; }");
    let fields: Vec<Field> = s.fields().collect();
    assert!(fields[1].is_pub());
    assert_eq!(
        fields[1].default().and_then(|e| match e {
            Expr::Literal(l) => l.int_value(),
            _ => None,
        }),
        Some(18)
    );
    let s: StructDecl = first("类型 旧式 { 整数 甲; 字符串 乙; 数组<整数> 丙; }");
    let fields: Vec<Field> = s.fields().collect();
    assert_eq!(fields.len(), 3);
    assert!(fields[0].is_legacy());
    assert_eq!(fields[2].name().unwrap().text(), "丙");
    let s: StructDecl = first("类型 对<T> { 左: T, 右: T }");
    assert_eq!(s.generic_params().count(), 1);
    parse_ok("类型 空结构 {}");
    // Reserved words allowed as field names.
    let s: StructDecl = first("类型 消息 { 类型: 整数, 结果: 字符串, 默认: 布尔, 长度: 整数 }");
    let names: Vec<_> = s.fields().map(|f| f.name().unwrap().text()).collect();
    assert_eq!(names, ["类型", "结果", "默认", "长度"]);
}

#[test]
fn enums() {
    let e: EnumDecl = first("枚举 形状 { 圆(浮点数), 矩形(浮点数, 浮点数), 无形 }");
    let variants: Vec<Variant> = e.variants().collect();
    assert_eq!(variants.len(), 3);
    assert_eq!(variants[1].payload().count(), 2);
    assert!(!variants[2].has_payload());
    let e: EnumDecl = first("公开 枚举 盒装<T> { 满(T), 空盒， }");
    assert!(e.is_pub());
    assert_eq!(e.generic_params().count(), 1);
}

#[test]
fn traits_and_impls() {
    let t: TraitDecl = first("特性 可描述 {\n 函数 名称(): 字符串;\n 函数 描述(): 字符串 { 返回 \"我是\" + 自己.名称(); }\n}");
    let methods: Vec<FnDecl> = t.methods().collect();
    assert_eq!(methods.len(), 2);
    assert!(methods[0].body().is_none());
    assert!(methods[1].body().is_some());

    let i: ImplDecl = first("实现 可描述 对于 猫 { 函数 名称(): 字符串 { 返回 自己.昵称; } }");
    assert_eq!(i.trait_ty().unwrap().syntax().to_string(), "可描述");
    assert_eq!(i.self_ty().unwrap().syntax().to_string(), "猫");
    assert_eq!(i.methods().count(), 1);

    let i: ImplDecl = first("实现 可描述 为 猫 {}");
    assert_eq!(i.self_ty().unwrap().syntax().to_string(), "猫");

    let i: ImplDecl =
        first("实现 计数器 { 函数 翻倍(): 计数器 { 返回 新建 计数器 { 值: 自己.值 * 2 }; } }");
    assert!(i.trait_ty().is_none());
    assert_eq!(i.self_ty().unwrap().syntax().to_string(), "计数器");
}

#[test]
fn extern_blocks() {
    let e: ExternBlock = first("外部 \"m\" {\n 函数 sqrt(x: 浮点数): 浮点数;\n 函数 pow(底: 浮点数, 指: 浮点数): 浮点数;\n}");
    assert_eq!(e.lib_name().as_deref(), Some("m"));
    assert_eq!(e.functions().count(), 2);
    let e: ExternBlock = first("外部 \"c\" 【 函数 abs(n: C整数): C整数; 】");
    assert_eq!(e.functions().count(), 1);
}

#[test]
fn globals_and_top_level_statements() {
    let file =
        parse_ok("变量 问候: 字符串 = \"早上好\";\n常量 上限 = 10;\n打印行(问候);\n函数 入口() {}")
            .tree();
    let globals: Vec<LetStmt> = file.globals().collect();
    assert_eq!(globals.len(), 2);
    assert!(globals[1].is_const());
    assert_eq!(file.stmts().count(), 4);
    assert!(matches!(file.stmts().nth(2), Some(Stmt::Expr(_))));
    assert_eq!(file.functions().count(), 1);
}

#[test]
fn nested_function_in_block() {
    assert_eq!(
        shape("函数 外() { 函数 内() {} }"),
        "SOURCE_FILE(FN_DECL(NAME PARAM_LIST BLOCK(FN_DECL(NAME PARAM_LIST BLOCK))))"
    );
}

#[test]
fn generic_type_arguments() {
    let l: LetStmt = first("变量 p: 盒装<对<整数> > = 无;");
    let TypeRef::Named(t) = l.ty().unwrap() else { panic!() };
    let inner: Vec<TypeRef> = t.type_args().collect();
    assert_eq!(inner.len(), 1);
    // `>>` is accepted too and split into two closing angle brackets.
    let l: LetStmt = first("变量 g: 数组<数组<整数>> = 无;");
    let TypeRef::Named(t) = l.ty().unwrap() else { panic!() };
    let TypeRef::Named(inner) = t.type_args().next().unwrap() else { panic!() };
    assert_eq!(inner.builtin(), Some(BuiltinType::Array));
    assert_eq!(inner.type_args().count(), 1);
    let l: LetStmt = first("变量 g: 盒<整数>= 无;");
    assert!(l.ty().is_some() && l.init().is_some());
    let l: LetStmt = first("变量 f: 函数(整数, 字符串): 结果<整数, 字符串>;");
    let TypeRef::Fn(f) = l.ty().unwrap() else { panic!() };
    assert_eq!(f.params().count(), 2);
    assert!(f.ret_type().is_some());
    for ty in [
        "通道<整数>",
        "未来<浮点数>",
        "选项<字符串>",
        "指针<整数>",
        "指针",
        "列表<整数>",
        "字节",
        "字符",
        "布尔",
        "空",
        "函数(整数)",
    ] {
        parse_ok(&format!("变量 x: {ty};"));
    }
}
