//! Written types → IR types, zero values.

use super::Checker;
use crate::ir::{Loc, Operand, Type, Value};
use qi_syntax::ast::{self, AstNode, BuiltinType};

impl Checker<'_> {
    /// The type of a parameter: `整数` when none is written (language.md §5.4). Reports and
    /// returns `None` for an unknown type or `空`.
    pub(crate) fn param_type(&mut self, p: &ast::Param) -> Option<Type> {
        let Some(t) = p.ty() else { return Some(Type::Int) };
        match self.resolve_type(&t)? {
            Type::Void => {
                self.error(
                    p.syntax().text_range(),
                    "形参不能是 空 类型",
                    "a parameter cannot have type 空",
                );
                None
            }
            t => Some(t),
        }
    }

    /// Resolve a written type; reports and returns `None` for unknown or unsupported types.
    pub(crate) fn resolve_type(&mut self, t: &ast::TypeRef) -> Option<Type> {
        let range = t.syntax().text_range();
        let path = match t {
            ast::TypeRef::Named(p) => p,
            ast::TypeRef::Fn(f) => return self.resolve_fn_type(f),
        };
        let Some(builtin) = path.builtin() else {
            let name = path.text();
            if path.generic_args().is_none() {
                if let Some(t) = self.type_param(&name) {
                    return Some(t);
                }
            }
            if self.is_type_template(&name) {
                let Some(list) = path.generic_args() else {
                    self.error(
                        range,
                        format!("泛型类型 {name} 需要类型实参：{name}<T>"),
                        format!("generic type {name} needs type arguments: {name}<T>"),
                    );
                    return None;
                };
                let mut args = Vec::new();
                for t in list.types() {
                    args.push(self.resolve_type(&t)?);
                }
                return self.instantiate_type(&name, args, range);
            }
            if name == "协程" {
                if let Some(list) = path.generic_args() {
                    // `协程<T>` (generators): `协程` is a type only with its argument, so a
                    // program's own `协程` names keep their meaning.
                    return self.generator_type(list.types().collect(), range);
                }
            }
            if path.generic_args().is_some() {
                self.error(
                    range,
                    format!("{name} 不是泛型类型"),
                    format!("{name} is not a generic type"),
                );
                return None;
            }
            if let Some(t) = self.named_type(&name) {
                self.record_type_use(range, &t);
                return Some(t);
            }
            if matches!(name.as_str(), "C整数" | "C无符号整数") {
                self.error(
                    range,
                    format!("把 `{name}` 当普通类型用 —— 它只能出现在 外部 块的函数签名里"),
                    format!("`{name}` used as an ordinary type — it only belongs in the signatures of an `外部` block"),
                );
                return None;
            }
            self.error(range, format!("未定义的类型: {name}"), format!("unknown type: {name}"));
            return None;
        };
        Some(match builtin {
            // `字节` is a pure alias of `整数` (language.md §3.1).
            BuiltinType::Int | BuiltinType::Byte => Type::Int,
            BuiltinType::Float => Type::Float,
            BuiltinType::Bool => Type::Bool,
            BuiltinType::Char => Type::Char,
            BuiltinType::String => Type::Str,
            BuiltinType::Void => Type::Void,
            BuiltinType::Array => {
                let Some(elem) = path.type_args().next() else {
                    self.error(
                        range,
                        "数组类型需要元素类型：数组<T>",
                        "array type needs an element type: 数组<T>",
                    );
                    return None;
                };
                let elem = self.resolve_type(&elem)?;
                Type::Array(Box::new(elem))
            }
            // `指针<T>` is the same opaque address whatever T (language.md §3.1).
            BuiltinType::Ptr => Type::Ptr,
            BuiltinType::List => return self.unsupported_type(range, "列表", "lists"),
            BuiltinType::Chan => {
                let Some(elem) = path.type_args().next() else {
                    self.error(
                        range,
                        "通道类型需要元素类型：通道<T>",
                        "channel type needs an element type: 通道<T>",
                    );
                    return None;
                };
                match self.resolve_type(&elem)? {
                    Type::Void => {
                        self.error(
                            range,
                            "通道的元素类型不能是 空",
                            "a channel cannot carry 空 values",
                        );
                        return None;
                    }
                    t => Type::Chan(Box::new(t)),
                }
            }
            BuiltinType::Future => {
                // `未来<空>` is a future that completes without a value.
                let Some(result) = path.type_args().next() else {
                    self.error(
                        range,
                        "未来类型需要结果类型：未来<T>",
                        "future type needs a result type: 未来<T>",
                    );
                    return None;
                };
                Type::Future(Box::new(self.resolve_type(&result)?))
            }
            BuiltinType::Option | BuiltinType::Result => {
                let Some(arg) = path.type_args().next() else {
                    self.error(
                        range,
                        "选项/结果 类型需要类型参数：选项<T>、结果<T>",
                        "选项/结果 need a type argument: 选项<T>, 结果<T>",
                    );
                    return None;
                };
                let t = self.resolve_type(&arg)?;
                let which = if builtin == BuiltinType::Option {
                    super::enums::BuiltinEnum::Option
                } else {
                    super::enums::BuiltinEnum::Result
                };
                self.builtin_enum(which, &t)
            }
        })
    }

    fn unsupported_type(&mut self, range: rowan::TextRange, zh: &str, en: &str) -> Option<Type> {
        self.unsupported(range, zh, en);
        None
    }
}

/// The zero value of a type (README item 10): `0`, `0.0`, `假`, `'\0'`, `""`, a fresh
/// empty array. Structs, enums and function values have none (`None`). An array zero
/// value is an owned object.
pub(crate) fn zero_value(c: &mut Checker, ty: &Type) -> Option<Value> {
    Some(match ty {
        Type::Int | Type::Void => Value::Use(Operand::Int(0)),
        // The null address.
        Type::Ptr => Value::Use(Operand::Int(0)),
        Type::Float => Value::Use(Operand::Float(0.0)),
        Type::Bool => Value::Use(Operand::Bool(false)),
        Type::Char => Value::Use(Operand::Char(0)),
        Type::Str => Value::Use(Operand::Str(c.intern(""))),
        Type::Array(elem) => {
            Value::NewArray { elem: (**elem).clone(), len: Operand::Int(0), loc: Loc::default() }
        }
        Type::Struct(_)
        | Type::Enum { .. }
        | Type::Fn(_)
        | Type::Exception
        | Type::Chan(_)
        | Type::Future(_)
        | Type::Gen(_) => return None,
    })
}
