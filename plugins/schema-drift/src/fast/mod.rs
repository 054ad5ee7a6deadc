//! The fast pass path: a schema that uses only a conservative subset of keywords is
//! compiled into a small checker that validates a response in one pass over its
//! bytes, without building a `Value` (see `stream`).
//!
//! Invariant: the fast path answers "pass" only for a response the slow path
//! (`serde_json::from_str` into a `Value`, then `jsonschema`) passes; on any doubt
//! (the checker sees a violation, a parse error, a duplicate member name, an
//! unsupported construct, a number comparison it cannot settle exactly) it answers
//! "don't know" and the slow path gives the verdict. So every verdict (pass/fail,
//! label, details, score) is identical to the slow path alone.
//!
//! Supported keywords: `type`, `enum`/`const` of strings, booleans and null,
//! `properties`, `required`, `additionalProperties` (booleans only), `items` (one
//! schema), `minimum`/`maximum`/`exclusiveMinimum`/`exclusiveMaximum`,
//! `minLength`/`maxLength`, `minItems`/`maxItems`, boolean schemas, and the
//! annotations `title`, `description`, `$comment`, `examples`, `default`, plus `$id`
//! and the Draft 2020-12 `$schema` at the root. Any other keyword anywhere disables
//! the fast path for the whole schema.

mod rules;
mod stream;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_equiv;
#[cfg(test)]
mod tests_number;
mod text;

use serde_json::{Map, Value};
use std::cell::RefCell;

/// The only `$schema` accepted: the dialect the slow path compiles with.
const DRAFT_2020_12: &str = "https://json-schema.org/draft/2020-12/schema";
/// Schema nesting the compiler follows before giving up on the fast path.
const MAX_SCHEMA_DEPTH: usize = 64;
/// Properties (declared or required) per object schema: one bit each in a `u64`.
const MAX_PROPERTIES: usize = 64;

/// Type bits; `integer` and `number` are separate because a set may name either.
const T_NULL: u8 = 1;
const T_BOOL: u8 = 1 << 1;
const T_OBJECT: u8 = 1 << 2;
const T_ARRAY: u8 = 1 << 3;
const T_NUMBER: u8 = 1 << 4;
const T_INTEGER: u8 = 1 << 5;
const T_STRING: u8 = 1 << 6;
const T_ALL: u8 = 0x7f;

/// A compiled schema: nodes by index, the root first.
pub struct FastCheck {
    nodes: Vec<Node>,
    /// Buffers the next check reuses, so a response with escapes allocates once.
    buffers: RefCell<stream::Buffers>,
}

/// A literal an `enum` or `const` may name.
#[derive(Debug, PartialEq)]
enum Lit {
    Null,
    Bool(bool),
    Str(String),
}

/// A number exactly as serde_json hands it over (a schema limit or an instance).
#[derive(Clone, Copy, Debug)]
enum Num {
    U(u64),
    I(i64),
    F(f64),
}

/// A property the object schema names, in `properties` or only in `required`.
struct Prop {
    name: String,
    /// The value's schema; `None`: unconstrained (named only in `required`).
    schema: Option<usize>,
    /// Named in `properties` (so `additionalProperties: false` allows it).
    declared: bool,
}

/// One (sub)schema. Absent keywords impose nothing.
struct Node {
    /// The `false` schema: nothing passes.
    never: bool,
    types: u8,
    /// Each inner list must contain the instance (`enum`, and `const` as a list of one).
    choices: Vec<Vec<Lit>>,
    minimum: Option<Num>,
    maximum: Option<Num>,
    exclusive_minimum: Option<Num>,
    exclusive_maximum: Option<Num>,
    min_length: Option<u64>,
    max_length: Option<u64>,
    min_items: Option<u64>,
    max_items: Option<u64>,
    props: Vec<Prop>,
    /// Bit `i` set: `props[i]` is required.
    required: u64,
    no_additional: bool,
    items: Option<usize>,
}

impl Node {
    fn any() -> Node {
        Node {
            never: false,
            types: T_ALL,
            choices: Vec::new(),
            minimum: None,
            maximum: None,
            exclusive_minimum: None,
            exclusive_maximum: None,
            min_length: None,
            max_length: None,
            min_items: None,
            max_items: None,
            props: Vec::new(),
            required: 0,
            no_additional: false,
            items: None,
        }
    }
}

impl FastCheck {
    /// The checker for `schema`, or `None` when it uses anything outside the subset.
    pub fn compile(schema: &Value) -> Option<FastCheck> {
        let mut check = FastCheck {
            nodes: Vec::new(),
            buffers: RefCell::default(),
        };
        check.node(schema, 0)?;
        Some(check)
    }

    /// `true` only when `text` certainly passes the slow path; `false`: don't know.
    pub fn passes(&self, text: &str) -> bool {
        match self.buffers.try_borrow_mut() {
            Ok(mut buffers) => stream::passes(self, text, &mut buffers),
            // Not reached (checks do not nest), but fresh buffers do as well.
            Err(_) => stream::passes(self, text, &mut stream::Buffers::default()),
        }
    }

    /// Compiles one schema into a new node; returns its index.
    fn node(&mut self, schema: &Value, depth: usize) -> Option<usize> {
        if depth > MAX_SCHEMA_DEPTH {
            return None;
        }
        let index = self.nodes.len();
        self.nodes.push(Node::any());
        let node = match schema {
            Value::Bool(b) => Node {
                never: !b,
                ..Node::any()
            },
            Value::Object(map) => self.object_schema(map, depth)?,
            _ => return None,
        };
        *self.nodes.get_mut(index)? = node;
        Some(index)
    }

    fn object_schema(&mut self, map: &Map<String, Value>, depth: usize) -> Option<Node> {
        let mut node = Node::any();
        for (keyword, value) in map {
            match keyword.as_str() {
                "$schema" if depth == 0 && value.as_str() == Some(DRAFT_2020_12) => {}
                "$id" if depth == 0 && value.is_string() => {}
                "title" | "description" | "$comment" | "examples" | "default" => {}
                "type" => node.types = types(value)?,
                "enum" => node.choices.push(literals(value.as_array()?)?),
                "const" => node.choices.push(vec![literal(value)?]),
                "minimum" => node.minimum = Some(number(value)?),
                "maximum" => node.maximum = Some(number(value)?),
                "exclusiveMinimum" => node.exclusive_minimum = Some(number(value)?),
                "exclusiveMaximum" => node.exclusive_maximum = Some(number(value)?),
                "minLength" => node.min_length = Some(value.as_u64()?),
                "maxLength" => node.max_length = Some(value.as_u64()?),
                "minItems" => node.min_items = Some(value.as_u64()?),
                "maxItems" => node.max_items = Some(value.as_u64()?),
                "additionalProperties" => node.no_additional = !value.as_bool()?,
                "items" => node.items = Some(self.node(value, depth + 1)?),
                "properties" => {
                    for (name, sub) in value.as_object()? {
                        let schema = Some(self.node(sub, depth + 1)?);
                        node.props.push(Prop {
                            name: name.clone(),
                            schema,
                            declared: true,
                        });
                    }
                }
                "required" => {}
                _ => return None,
            }
        }
        // After `properties`, whatever order the keywords came in.
        if let Some(required) = map.get("required") {
            for name in required.as_array()? {
                let name = name.as_str()?;
                let i = match node.props.iter().position(|p| p.name == name) {
                    Some(i) => i,
                    None => {
                        node.props.push(Prop {
                            name: name.to_string(),
                            schema: None,
                            declared: false,
                        });
                        node.props.len() - 1
                    }
                };
                node.required |= 1u64.checked_shl(u32::try_from(i).ok()?)?;
            }
        }
        // A name serde_json reserves, in `properties` or `required`: the
        // reader checks for one only among names no property matches.
        let reserved = node.props.iter().any(|p| p.name.starts_with(stream::RESERVED_PREFIX));
        (node.props.len() <= MAX_PROPERTIES && !reserved).then_some(node)
    }
}

/// `type`: one name or a list of names.
fn types(value: &Value) -> Option<u8> {
    let one = |name: &Value| match name.as_str()? {
        "null" => Some(T_NULL),
        "boolean" => Some(T_BOOL),
        "object" => Some(T_OBJECT),
        "array" => Some(T_ARRAY),
        "number" => Some(T_NUMBER),
        "integer" => Some(T_INTEGER),
        "string" => Some(T_STRING),
        _ => None,
    };
    match value {
        Value::Array(names) if !names.is_empty() => names.iter().try_fold(0, |set, n| Some(set | one(n)?)),
        Value::Array(_) => None,
        name => one(name),
    }
}

fn literals(values: &[Value]) -> Option<Vec<Lit>> {
    if values.is_empty() {
        return None;
    }
    values.iter().map(literal).collect()
}

fn literal(value: &Value) -> Option<Lit> {
    match value {
        Value::Null => Some(Lit::Null),
        Value::Bool(b) => Some(Lit::Bool(*b)),
        Value::String(s) => Some(Lit::Str(s.clone())),
        _ => None,
    }
}

/// A limit as serde_json holds it; anything not plainly u64, i64 or a finite f64 is refused.
fn number(value: &Value) -> Option<Num> {
    let n = value.as_number()?;
    if let Some(u) = n.as_u64() {
        Some(Num::U(u))
    } else if let Some(i) = n.as_i64() {
        Some(Num::I(i))
    } else {
        n.as_f64().filter(|f| f.is_finite()).map(Num::F)
    }
}
