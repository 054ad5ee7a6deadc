//! The quick form of the one-pass reader, for the usual line: an id path
//! into the request (or a top-level member), compact JSON. The shared
//! [`Scan`] checks the JSON grammar, jumping through strings (the echoed
//! request is mostly prompt text); `response` is read by the shared
//! response scan ([`super::super::scan`]), `status` and a string at the id
//! path by the scan's own string reader, and an id of another kind and the
//! request's `model` by serde_json.
//!
//! Invariant: `scan` fills `out` only for a line serde_json accepts, with
//! what [`super::line`] reads from it; a line it is not sure of (control
//! bytes or tabs anywhere, an escape in a key, a repeated member, a walked
//! member that is not an object, anything serde refuses) is `None`, and
//! [`super::line`] reads it.

use std::borrow::Cow;

use serde::de::DeserializeSeed;

use super::super::path::{At, step};
use super::line::{IdAt, Line, model};
use crate::json::Str;
use crate::json::scan::{Scan, ScanText, once};

/// Scans `text`: see the module docs. `None`: not sure, `out` is partly
/// filled and must be dropped.
pub(super) fn scan<'a>(text: impl Into<ScanText<'a>>, id: IdAt<'_>, result: bool, out: &mut Line<'a>) -> Option<()> {
    let mut s = Scan::new(text)?;
    let (mut status, mut request, mut response) = (false, false, false);
    s.eat(b'{')?;
    if s.eat(b'}').is_none() {
        loop {
            let key = s.key()?;
            match key {
                b"status" if result => {
                    once(&mut status)?;
                    out.status = s.str_or_null()?.map(Str);
                }
                b"response" if result => {
                    once(&mut response)?;
                    s.or_null_in(&mut out.response, super::super::scan::response)?;
                }
                b"request" => {
                    once(&mut request)?;
                    let rest = match id {
                        IdAt::Request(Some(rest)) => Some(rest),
                        IdAt::Top(..) => None,
                        _ => return None,
                    };
                    s.request(rest, !result, out)?;
                }
                k => match id {
                    IdAt::Top(first, rest) if out.id.is_none() && k == first.as_bytes() => {
                        out.id = s.walk(rest)?;
                    }
                    _ => s.value()?,
                },
            }
            match s.next()? {
                b',' => {}
                b'}' => break,
                _ => return None,
            }
        }
    }
    s.end()
}

impl<'a> Scan<'a> {
    /// What [`At`] finds for `rest` in the value here. A walked member
    /// that is not an object (where serde would read a number or a string
    /// closely) is left to serde.
    fn walk(&mut self, rest: Option<&str>) -> Option<Option<Cow<'a, str>>> {
        let Some(rest) = rest else {
            // The usual id, a string, read as `At` reads one; numbers and
            // the rest (which `At` stringifies or refuses) go to serde.
            if self.peek()? == b'"' {
                return self.str_or_null();
            }
            let span = self.span()?;
            let mut de = serde_json::Deserializer::from_str(span);
            return At { rest: None }.deserialize(&mut de).ok();
        };
        let (first, rest) = step(rest);
        let mut found = None;
        self.object(|s, k| match k == first.as_bytes() && found.is_none() {
            true => s.walk(rest).map(|v| found = v),
            false => s.value(),
        })?;
        Some(found)
    }

    /// The `request` member: `null`, or an object walked for `rest` (the
    /// id path inside it) and, with `want_model`, its `model`.
    fn request(&mut self, rest: Option<&str>, want_model: bool, out: &mut Line<'a>) -> Option<()> {
        if self.peek()? == b'n' {
            return self.lit(b"null");
        }
        out.request = true;
        let next = rest.map(step);
        let mut models = 0u32;
        self.object(|s, k| match next {
            Some((first, rest)) if out.id.is_none() && k == first.as_bytes() => s.walk(rest).map(|v| out.id = v),
            _ if want_model && k == b"model" => {
                models += 1;
                let span = s.span()?;
                out.model = model(span);
                Some(())
            }
            _ => s.value(),
        })?;
        if models > 1 {
            out.model = None;
        }
        Some(())
    }
}
