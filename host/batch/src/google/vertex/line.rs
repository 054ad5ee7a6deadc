//! One pass over a Vertex line. Read: `status` and `response` (result
//! lines), and of the `request` only what the join needs — the value at the
//! id path, or with no id path the whole request, built to be hashed — plus
//! its `model` (input lines). A top-level id path (`row_id`) is walked in
//! the same pass. Everything else, the echoed request above all, is skipped
//! the way serde_json skips: checked, never built.
//!
//! Invariant: a line is parsed once, and gives what a parse per field gives
//! (the reader's earlier form): the same ids, outcome fields, and errors at
//! the same columns. A repeated `status`, `request` or `response` is refused
//! as serde's derive refuses it; on the id path the first string or number
//! wins; a `model` that is not a string, or that is named twice, is no
//! model. One exception: an id path through a member read for another use
//! (`status`, `response`, `request.model`) is walked again afterwards
//! ([`IdAt::Again`]).

use std::borrow::Cow;
use std::fmt;

use serde::Deserialize;
use serde::de::value::SeqAccessDeserializer;
use serde::de::{self, DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::value::RawValue;
use serde_json::{Number, Value};

use super::super::RawResponse;
use super::super::path::{At, step};
use crate::json::Str;

/// Where a line's id comes from, decided once per line from the id path.
#[derive(Clone, Copy)]
pub(super) enum IdAt<'p> {
    /// No id path: a hash of the request.
    Hash,
    /// `request.<rest>` (`None`: the request itself).
    Request(Option<&'p str>),
    /// A top-level member and the rest of the path.
    Top(&'p str, Option<&'p str>),
    /// Through a member this pass reads for another use: walk it again.
    Again,
}

impl<'p> IdAt<'p> {
    pub(super) fn of(path: Option<&'p str>) -> Self {
        let Some(path) = path else { return IdAt::Hash };
        match step(path) {
            ("status" | "response", _) => IdAt::Again,
            ("request", Some(rest)) if step(rest).0 == "model" => IdAt::Again,
            ("request", rest) => IdAt::Request(rest),
            (first, rest) => IdAt::Top(first, rest),
        }
    }
}

/// What one pass read from a line.
#[derive(Default)]
pub(super) struct Line<'a> {
    pub status: Option<Str<'a>>,
    pub response: Option<RawResponse<'a>>,
    /// The line has a `request` that is not `null`.
    pub request: bool,
    /// The string or number at the id path ([`IdAt::Request`], [`IdAt::Top`]).
    pub id: Option<Cow<'a, str>>,
    /// The request, built ([`IdAt::Hash`]).
    pub value: Option<Value>,
    /// `request.model`, on input lines.
    pub model: Option<Cow<'a, str>>,
}

/// The seed for a whole line: `result` says it is a prediction line (read
/// `status` and `response`), else an input line (read `request.model`).
/// What it reads goes to `out` (a `Line` is large: filled in place, not
/// moved out through each layer of the parser).
pub(super) struct Read<'p, 'o, 'a> {
    pub id: IdAt<'p>,
    pub result: bool,
    pub out: &'o mut Line<'a>,
}

impl<'de> DeserializeSeed<'de> for Read<'_, '_, 'de> {
    type Value = ();
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        d.deserialize_map(self)
    }
}

/// Refuses a member seen before, as serde's derive does.
fn once<E: de::Error>(seen: &mut bool, name: &'static str) -> Result<(), E> {
    if std::mem::replace(seen, true) {
        return Err(E::duplicate_field(name));
    }
    Ok(())
}

impl<'de> Visitor<'de> for Read<'_, '_, 'de> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a Vertex batch line")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        let line = self.out;
        let (mut status, mut request, mut response) = (false, false, false);
        while let Some(k) = map.next_key::<Str<'de>>()? {
            match k.0.as_ref() {
                "status" if self.result => {
                    once(&mut status, "status")?;
                    line.status = map.next_value()?;
                }
                "response" if self.result => {
                    once(&mut response, "response")?;
                    line.response = map.next_value()?;
                }
                "request" => {
                    once(&mut request, "request")?;
                    let req = map.next_value_seed(RequestSeed {
                        id: match self.id {
                            IdAt::Request(rest) => Some(rest),
                            _ => None,
                        },
                        hash: matches!(self.id, IdAt::Hash),
                        model: !self.result,
                    })?;
                    line.request = req.present;
                    line.value = req.value;
                    line.model = req.model;
                    if req.id.is_some() {
                        line.id = req.id;
                    }
                }
                key => match self.id {
                    IdAt::Top(first, rest) if line.id.is_none() && key == first => {
                        line.id = map.next_value_seed(At { rest })?;
                    }
                    _ => {
                        map.next_value::<IgnoredAny>()?;
                    }
                },
            }
        }
        Ok(())
    }
}

/// What was read from the `request` member.
#[derive(Default)]
struct Request<'a> {
    present: bool,
    id: Option<Cow<'a, str>>,
    value: Option<Value>,
    model: Option<Cow<'a, str>>,
}

/// Reads a request: walks `id` (the rest of the path: `Some(None)` is the
/// request itself), or with `hash` builds it as `serde_json` would; with
/// `model`, picks `model` too.
#[derive(Clone, Copy)]
struct RequestSeed<'p> {
    id: Option<Option<&'p str>>,
    hash: bool,
    model: bool,
}

impl<'de> DeserializeSeed<'de> for RequestSeed<'_> {
    type Value = Request<'de>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Request<'de>, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'p> RequestSeed<'p> {
    /// A request that is not an object: no model; built, or walked.
    fn other<'de, E>(
        self,
        built: impl FnOnce() -> Value,
        walk: impl FnOnce(At<'p>) -> Result<Option<Cow<'de, str>>, E>,
    ) -> Result<Request<'de>, E> {
        Ok(Request {
            present: true,
            id: match self.id {
                Some(rest) => walk(At { rest })?,
                None => None,
            },
            value: self.hash.then(built),
            model: None,
        })
    }
}

impl<'de, 'p> Visitor<'de> for RequestSeed<'p> {
    type Value = Request<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_unit<E: de::Error>(self) -> Result<Request<'de>, E> {
        Ok(Request::default())
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Request<'de>, A::Error> {
        let mut req = Request {
            present: true,
            ..Request::default()
        };
        let mut models = 0u32;
        if self.hash {
            // As serde_json's own `Value` visitor builds an object.
            let mut obj = serde_json::Map::new();
            while let Some(k) = map.next_key::<String>()? {
                let v: Value = map.next_value()?;
                if self.model && k == "model" {
                    models += 1;
                    req.model = v.as_str().map(|s| Cow::Owned(s.to_owned()));
                }
                obj.insert(k, v);
            }
            req.value = Some(Value::Object(obj));
        } else {
            let next = self.id.flatten().map(step);
            while let Some(k) = map.next_key::<Str<'de>>()? {
                match next {
                    Some((first, rest)) if req.id.is_none() && k.0 == first => {
                        req.id = map.next_value_seed(At { rest })?;
                    }
                    _ if self.model && k.0 == "model" => {
                        models += 1;
                        req.model = model(map.next_value::<&RawValue>()?.get());
                    }
                    _ => {
                        map.next_value::<IgnoredAny>()?;
                    }
                }
            }
        }
        if models > 1 {
            req.model = None;
        }
        Ok(req)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Request<'de>, A::Error> {
        if self.hash {
            let v = Value::deserialize(SeqAccessDeserializer::new(seq))?;
            return self.other(|| v, |_| Ok(None));
        }
        if self.id.is_none() {
            IgnoredAny.visit_seq(seq)?;
            return self.other(Value::default, |_| Ok(None));
        }
        self.other(Value::default, |a| a.visit_seq(seq))
    }
    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Request<'de>, E> {
        self.other(|| Value::String(v.to_owned()), |a| a.visit_borrowed_str(v))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Request<'de>, E> {
        self.other(|| Value::String(v.to_owned()), |a| a.visit_str(v))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Request<'de>, E> {
        self.other(|| Value::from(v), |a| a.visit_u64(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Request<'de>, E> {
        self.other(|| Value::from(v), |a| a.visit_i64(v))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Request<'de>, E> {
        self.other(
            || Number::from_f64(v).map_or(Value::Null, Value::Number),
            |a| a.visit_f64(v),
        )
    }
    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Request<'de>, E> {
        self.other(|| Value::Bool(v), |a| a.visit_bool(v))
    }
}

/// A request's `model` from its JSON text: a string, else nothing (the
/// line stays good). Skipped first, so that no value there (say `1e400`)
/// can refuse the line.
pub(super) fn model(text: &str) -> Option<Cow<'_, str>> {
    if !text.starts_with('"') {
        return None;
    }
    serde_json::from_str::<Str>(text).ok().map(|s| s.0)
}
