//! Structs: declarations, `新建` literals (defaults, zero values, `..基` spread), field reads
//! and writes.

use super::body::{FnLower, Val};
use super::Checker;
use crate::ir::*;
use qi_syntax::ast::{self, AstNode};
use rowan::TextRange;
use std::sync::Arc;

pub(crate) struct StructInfo {
    pub name: Arc<str>,
    pub fields: Vec<FieldInfo>,
    pub layout: LayoutId,
    pub decl: ast::StructDecl,
    /// The file that declares it.
    pub file: u32,
    /// For an instance of a generic struct: the template's name and the type arguments.
    pub instance_of: Option<(String, Vec<Type>)>,
}

pub(crate) struct FieldInfo {
    pub name: String,
    pub ty: Type,
    /// The declared default (a literal), if any.
    pub default: Option<ast::Expr>,
}

impl Checker<'_> {
    /// Pass 1a: make every struct name known (field types may refer to any struct,
    /// including the struct itself).
    pub(super) fn declare_struct(&mut self, s: ast::StructDecl) {
        let Some(name) = s.name() else { return };
        let text = name.text();
        let range = name.syntax().text_range();
        if self.struct_by_name.contains_key(&text)
            || self.enum_type_named(&text).is_some()
            || self.is_type_template(&text)
        {
            self.error(
                range,
                format!("类型 {text} 重复定义"),
                format!("type {text} is defined twice"),
            );
            return;
        }
        if s.generic_param_list().is_some() {
            if s.fields().any(|f| f.default().is_some()) {
                self.error(
                    range,
                    format!("泛型结构体 {text} 的字段带默认值 —— 泛型结构体暂不支持字段默认值"),
                    format!("generic struct {text} has field defaults, which generic structs do not support"),
                );
            }
            self.declare_struct_template(&s, &text);
            return;
        }
        self.declare_struct_instance(s, &text);
    }

    /// A concrete struct named `text` (a plain declaration or a generic instance).
    pub(super) fn declare_struct_instance(&mut self, s: ast::StructDecl, text: &str) {
        let text = text.to_string();
        let id = StructId(self.structs.len() as u32);
        let layout = LayoutId(self.layouts.len() as u32);
        self.layouts.push(Layout { kind: LayoutKind::Struct, slots: Vec::new() });
        self.structs.push(StructInfo {
            name: text.as_str().into(),
            fields: Vec::new(),
            layout,
            decl: s,
            file: self.file,
            instance_of: None,
        });
        self.struct_by_name.insert(text, id);
    }

    /// Pass 1b: field types and defaults, once all type names are known.
    pub(super) fn define_struct_fields(&mut self, id: StructId) {
        let decl = self.structs[id.index()].decl.clone();
        let sname = self.structs[id.index()].name.clone();
        let mut fields: Vec<FieldInfo> = Vec::new();
        for f in decl.fields() {
            let Some(name) = f.name() else { continue };
            let fname = name.text();
            let range = name.syntax().text_range();
            if fields.iter().any(|x| x.name == fname) {
                self.error(
                    range,
                    format!("结构体 {sname} 的字段 {fname} 重复"),
                    format!("struct {sname} has two fields named {fname}"),
                );
                continue;
            }
            let Some(ty) = f.ty().and_then(|t| self.resolve_type(&t)) else { continue };
            if ty == Type::Void {
                self.error(range, "字段不能是 空 类型", "a field cannot have type 空");
                continue;
            }
            let default = f.default();
            if let Some(d) = &default {
                if !matches!(d, ast::Expr::Literal(_) | ast::Expr::Template(_)) {
                    self.error(
                        d.syntax().text_range(),
                        format!("结构体 {sname} 的字段 {fname} 默认值必须是字面量"),
                        format!("the default of field {fname} of struct {sname} must be a literal"),
                    );
                }
            }
            fields.push(FieldInfo { name: fname, ty, default });
        }
        let layout = self.structs[id.index()].layout;
        self.layouts[layout.index()].slots =
            fields.iter().map(|f| Slot { ty: f.ty.clone(), weak: false }).collect();
        self.structs[id.index()].fields = fields;
    }

    pub(super) fn struct_type(&self, id: StructId) -> Type {
        Type::Struct(Named { id, name: self.structs[id.index()].name.clone() })
    }

    pub(super) fn named_type(&self, name: &str) -> Option<Type> {
        if let Some(id) = self.struct_by_name.get(name) {
            return Some(self.struct_type(*id));
        }
        self.enum_type_named(name)
    }

    pub(super) fn field_index(&self, id: StructId, name: &str) -> Option<usize> {
        self.structs[id.index()].fields.iter().position(|f| f.name == name)
    }

    /// The module's struct table.
    pub(super) fn struct_defs(&self) -> Vec<StructDef> {
        self.structs
            .iter()
            .map(|s| StructDef {
                name: s.name.to_string(),
                fields: s.fields.iter().map(|f| (f.name.clone(), f.ty.clone())).collect(),
                layout: s.layout,
            })
            .collect()
    }
}

impl FnLower<'_, '_> {
    /// `新建 名 { 字段: 值, ..基 }`
    pub(super) fn struct_lit(&mut self, lit: &ast::StructLit) -> Option<Val> {
        let range = lit.syntax().text_range();
        let ty_node = lit.ty()?;
        let name = ty_node.text();
        let id = if ty_node.generic_args().is_some() || self.c.is_type_template(&name) {
            if ty_node.generic_args().is_none() {
                self.c.error(
                    ty_node.syntax().text_range(),
                    format!("泛型结构体 {name} 需要类型实参，如 新建 {name}<整数> {{ … }}"),
                    format!("generic struct {name} needs type arguments, e.g. 新建 {name}<整数> {{ … }}"),
                );
                return None;
            }
            match self.c.resolve_type(&ast::TypeRef::Named(ty_node.clone()))? {
                Type::Struct(s) => s.id,
                other => {
                    self.c.error(
                        ty_node.syntax().text_range(),
                        format!("{other} 不是结构体"),
                        format!("{other} is not a struct"),
                    );
                    return None;
                }
            }
        } else {
            match self.c.struct_by_name.get(&name) {
                Some(&id) => id,
                None => {
                    self.c.error(
                        ty_node.syntax().text_range(),
                        format!("未定义的结构体: {name}"),
                        format!("undefined struct: {name}"),
                    );
                    return None;
                }
            }
        };
        let name = self.c.structs[id.index()].name.to_string();
        let ty = self.c.struct_type(id);
        self.c.record_type_use(ty_node.syntax().text_range(), &ty);
        let layout = self.c.structs[id.index()].layout;
        let obj = self.temp(ty.clone(), Value::NewRecord(layout));
        let n = self.c.structs[id.index()].fields.len();
        let mut given = vec![false; n];
        let mut ok = true;
        for f in lit.fields() {
            let Some(fname) = f.name() else { continue };
            let text = fname.text();
            let frange = fname.syntax().text_range();
            let Some(i) = self.c.field_index(id, &text) else {
                self.c.error(
                    frange,
                    format!("结构体 {name} 无字段 {text}"),
                    format!("struct {name} has no field {text}"),
                );
                ok = false;
                continue;
            };
            self.c.record_field_use(frange, id, &text);
            if given[i] {
                self.c.error(
                    frange,
                    format!("字段 {text} 重复赋值"),
                    format!("field {text} is given twice"),
                );
                ok = false;
                continue;
            }
            given[i] = true;
            let fty = self.c.structs[id.index()].fields[i].ty.clone();
            // `名: 值`, or the shorthand `名` meaning the variable of that name.
            let value = match f.value() {
                Some(e) => self
                    .expr_expecting(&e, &fty)
                    .and_then(|v| self.coerce(v, &fty, e.syntax().text_range())),
                None => self.path_value(&text, frange),
            };
            match value {
                Some(v) => self.store_slot(obj.op, i as u32, &fty, v, false),
                None => ok = false,
            }
        }
        if let Some(base) = lit.spread() {
            let brange = base.syntax().text_range();
            match self.expr(&base) {
                Some(b) if b.ty == ty => {
                    let missing: Vec<usize> = (0..n).filter(|i| !given[*i]).collect();
                    for i in missing {
                        let fty = self.c.structs[id.index()].fields[i].ty.clone();
                        let v = self.temp(
                            fty.clone(),
                            Value::GetSlot { obj: b.op, slot: i as u32, ty: fty.clone() },
                        );
                        if v.owned {
                            self.b.push(Inst::Retain(v.op));
                        }
                        self.store_slot(obj.op, i as u32, &fty, v, false);
                        given[i] = true;
                    }
                    self.release_temp(&b);
                }
                Some(b) => {
                    self.release_temp(&b);
                    self.c.error(
                        brange,
                        format!("展开的值必须也是 {name}，这里是 {}", b.ty),
                        format!("the spread value must also be a {name}, found {}", b.ty),
                    );
                    ok = false;
                }
                None => ok = false,
            }
        }
        for i in (0..n).filter(|i| !given[*i]) {
            let (fname, fty, default) = {
                let f = &self.c.structs[id.index()].fields[i];
                (f.name.clone(), f.ty.clone(), f.default.clone())
            };
            let v = match default {
                Some(d) => {
                    self.expr(&d).and_then(|v| self.coerce(v, &fty, d.syntax().text_range()))
                }
                None => match super::types::zero_value(self.c, &fty) {
                    Some(z) => Some(self.temp(fty.clone(), z)),
                    None => {
                        self.c.error(
                            range,
                            format!("新建 {name} 缺少字段 {fname}：{fty} 类型没有零值，必须给出"),
                            format!("新建 {name} is missing field {fname}: type {fty} has no zero value"),
                        );
                        None
                    }
                },
            };
            match v {
                Some(v) => self.store_slot(obj.op, i as u32, &fty, v, false),
                None => ok = false,
            }
        }
        if !ok {
            self.release_temp(&obj);
            return None;
        }
        Some(obj)
    }

    /// Store a value into a record slot. `overwrite`: the slot holds an owned object
    /// that must be released first (a fresh record's slots are null).
    pub(super) fn store_slot(
        &mut self,
        obj: Operand,
        slot: u32,
        ty: &Type,
        v: Val,
        overwrite: bool,
    ) {
        let op = self.owned_operand(v);
        if overwrite && ty.is_rc() {
            let old = self.b.new_local(ty.clone(), None);
            self.b.assign(old, Value::GetSlot { obj, slot, ty: ty.clone() });
            self.b.push(Inst::Release(old));
        }
        self.b.push(Inst::SetSlot { obj, slot, value: op });
    }

    /// The struct and field index of `base.name`, with the base evaluated; reports errors.
    pub(super) fn field_place(
        &mut self,
        base: &ast::Expr,
        name: &ast::NameRef,
    ) -> Option<(Val, StructId, usize, Type)> {
        let b = self.expr(base)?;
        let text = name.text();
        let Type::Struct(s) = &b.ty else {
            let ty = b.ty.clone();
            self.release_temp(&b);
            self.c.error(
                name.syntax().text_range(),
                format!("{ty} 类型没有字段 {text}"),
                format!("type {ty} has no field {text}"),
            );
            return None;
        };
        let id = s.id;
        let Some(i) = self.c.field_index(id, &text) else {
            let sname = s.name.clone();
            self.release_temp(&b);
            self.c.error(
                name.syntax().text_range(),
                format!("结构体 {sname} 无字段 {text}"),
                format!("struct {sname} has no field {text}"),
            );
            return None;
        };
        let fty = self.c.structs[id.index()].fields[i].ty.clone();
        self.c.record_field_use(name.syntax().text_range(), id, &text);
        Some((b, id, i, fty))
    }

    /// `x.字段`: the value is retained (a callee could overwrite the field while it is in use).
    pub(super) fn field_read(&mut self, base: &ast::Expr, name: &ast::NameRef) -> Option<Val> {
        let (b, _, i, fty) = self.field_place(base, name)?;
        let v = self.temp(fty.clone(), Value::GetSlot { obj: b.op, slot: i as u32, ty: fty });
        if v.owned {
            self.b.push(Inst::Retain(v.op));
        }
        self.release_temp(&b);
        Some(v)
    }

    /// `x.字段 = 值` / `x.字段 op= 值`.
    pub(super) fn field_assign(
        &mut self,
        f: &ast::FieldExpr,
        op: Option<ast::BinOp>,
        value: &ast::Expr,
        range: TextRange,
    ) {
        let (Some(base), Some(name)) = (f.receiver(), f.name()) else { return };
        if op.is_none() && self.closure_self_cycle(&base, &name.text(), value) {
            return;
        }
        let Some((b, _, i, fty)) = self.field_place(&base, &name) else {
            if let Some(v) = self.expr(value) {
                self.release_temp(&v);
            }
            return;
        };
        let new_value = match op {
            None => self.expr_expecting(value, &fty),
            Some(bin) => {
                let cur = Val::borrowed(Operand::Null, fty.clone());
                let cur = Val {
                    op: self.b.temp(
                        fty.clone(),
                        Value::GetSlot { obj: b.op, slot: i as u32, ty: fty.clone() },
                    ),
                    ..cur
                };
                match self.expr(value) {
                    Some(rhs) => self.binary_values(bin, cur, rhs, range),
                    None => None,
                }
            }
        };
        if let Some(v) = new_value.and_then(|v| self.coerce(v, &fty, value.syntax().text_range())) {
            self.store_slot(b.op, i as u32, &fty, v, true);
        }
        self.release_temp(&b);
    }
}
