//! Reading one value at a dotted path (`request.labels.custom_id`) out of a
//! JSON line in a single pass, without building a `Value`.
//!
//! Invariant: the value at the path is returned as a string (numbers as
//! written, strings borrowed unless escaped); anything else at the path, or
//! a missing segment, is `None`. Everything off the path is skipped.

use std::borrow::Cow;
use std::fmt;
use std::sync::Mutex;

use serde::de::{DeserializeSeed, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};

use crate::error::LineError;
use crate::json::Str;

/// Walks the dotted `path` in `json`. `Err` only when `json` is not valid
/// JSON.
pub(crate) fn value_at<'a>(json: &'a [u8], path: &str) -> Result<Option<Cow<'a, str>>, LineError> {
    let mut de = serde_json::Deserializer::from_slice(json);
    let v = At::path(path)
        .deserialize(&mut de)
        .and_then(|v| de.end().map(|()| v))
        .map_err(|e| LineError::from_json(&e))?;
    Ok(v)
}

/// The first segment of a dotted path and the rest, if any: `a.b.c` is
/// `("a", Some("b.c"))`, `a` is `("a", None)` (as `split('.')` would cut it).
pub(crate) fn step(path: &str) -> (&str, Option<&str>) {
    // A byte loop: paths are short, and a `.` byte is always the character.
    match path.bytes().position(|b| b == b'.') {
        Some(i) => (&path[..i], Some(&path[i + 1..])),
        None => (path, None),
    }
}

/// A `'static` copy of an id path, for [`LineError::MissingField`]. Each
/// distinct path is leaked once per process (a run uses one or two).
pub(crate) fn static_path(path: &str) -> &'static str {
    static PATHS: Mutex<Vec<&'static str>> = Mutex::new(Vec::new());
    let mut paths = PATHS.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(p) = paths.iter().find(|p| **p == path) {
        return p;
    }
    let p: &'static str = Box::leak(path.to_owned().into_boxed_str());
    paths.push(p);
    p
}

/// A seed that walks what is left of a path in one value: `rest: None`
/// means this value is the one sought.
#[derive(Clone, Copy)]
pub(crate) struct At<'p> {
    pub rest: Option<&'p str>,
}

impl<'p> At<'p> {
    pub(crate) fn path(path: &'p str) -> Self {
        At { rest: Some(path) }
    }
}

impl<'de, 'p> DeserializeSeed<'de> for At<'p> {
    type Value = Option<Cow<'de, str>>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de, 'p> Visitor<'de> for At<'p> {
    type Value = Option<Cow<'de, str>>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let next = self.rest.map(step);
        let mut found = None;
        while let Some(k) = map.next_key::<Str<'de>>()? {
            match next {
                Some((first, rest)) if found.is_none() && k.0 == first => {
                    found = map.next_value_seed(At { rest })?;
                }
                _ => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(found)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(None)
    }
    fn visit_borrowed_str<E: serde::de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(self.rest.is_none().then_some(Cow::Borrowed(v)))
    }
    fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(self.rest.is_none().then(|| Cow::Owned(v.to_owned())))
    }
    fn visit_u64<E: serde::de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(self.rest.is_none().then(|| Cow::Owned(v.to_string())))
    }
    fn visit_i64<E: serde::de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(self.rest.is_none().then(|| Cow::Owned(v.to_string())))
    }
    fn visit_f64<E: serde::de::Error>(self, v: f64) -> Result<Self::Value, E> {
        Ok(self.rest.is_none().then(|| Cow::Owned(v.to_string())))
    }
    fn visit_bool<E: serde::de::Error>(self, _: bool) -> Result<Self::Value, E> {
        Ok(None)
    }
    fn visit_unit<E: serde::de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }
}
