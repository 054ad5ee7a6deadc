//! The quick form of the one-pass reader, for the usual line: an id path
//! into the request (or a top-level member), compact JSON. It checks the
//! JSON grammar itself, jumping through strings with `memchr` (the echoed
//! request is mostly prompt text), and hands `status`, `response`, the
//! value at the id path and the request's `model` to serde_json.
//!
//! Invariant: `scan` fills `out` only for a line serde_json accepts, with
//! what [`super::line`] reads from it; a line it is not sure of (control
//! bytes or tabs anywhere, an escape in a key, a repeated member, a walked
//! member that is not an object, anything serde refuses) is `None`, and
//! [`super::line`] reads it.

use std::borrow::Cow;

use serde::Deserialize;
use serde::de::DeserializeSeed;

use super::super::path::{At, step};
use super::line::{IdAt, Line, model};

/// Scans `text`: see the module docs. `None`: not sure, `out` is partly
/// filled and must be dropped.
pub(super) fn scan<'a>(text: &'a str, id: IdAt<'_>, result: bool, out: &mut Line<'a>) -> Option<()> {
    let bytes = text.as_bytes();
    // One pass for control bytes: strings may not hold them, and a line
    // without tabs or newlines has none between tokens either.
    if !bytes.chunks(64).all(|c| c.iter().fold(true, |ok, &b| ok & (b >= 0x20))) {
        return None;
    }
    let mut s = Scan { text, s: bytes, i: 0 };
    let (mut status, mut request, mut response) = (false, false, false);
    s.eat(b'{')?;
    if s.eat(b'}').is_none() {
        loop {
            let key = s.key()?;
            match key {
                b"status" if result => {
                    once(&mut status)?;
                    out.status = s.serde()?;
                }
                b"response" if result => {
                    once(&mut response)?;
                    out.response = s.serde()?;
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
    s.ws();
    (s.i == bytes.len()).then_some(())
}

fn once(seen: &mut bool) -> Option<()> {
    (!std::mem::replace(seen, true)).then_some(())
}

struct Scan<'a> {
    text: &'a str,
    s: &'a [u8],
    i: usize,
}

impl<'a> Scan<'a> {
    fn ws(&mut self) {
        while let Some(b' ' | b'\n' | b'\r' | b'\t') = self.s.get(self.i) {
            self.i += 1;
        }
    }
    fn peek(&mut self) -> Option<u8> {
        self.ws();
        self.s.get(self.i).copied()
    }
    fn next(&mut self) -> Option<u8> {
        let b = self.peek()?;
        self.i += 1;
        Some(b)
    }
    fn eat(&mut self, b: u8) -> Option<()> {
        (self.peek()? == b).then(|| self.i += 1)
    }
    fn lit(&mut self, word: &[u8]) -> Option<()> {
        let end = self.i + word.len();
        (self.s.get(self.i..end)? == word).then(|| self.i = end)
    }

    /// A string at `"`: its raw inside, and whether it has escapes.
    /// Escapes are checked as serde_json checks a string it skips (control
    /// bytes were ruled out up front). Short runs are searched by hand,
    /// long ones by `memchr2`.
    fn string(&mut self) -> Option<(&'a [u8], bool)> {
        if self.next()? != b'"' {
            return None;
        }
        let (s, start) = (self.s, self.i);
        let mut escaped = false;
        loop {
            let near = s.len().min(self.i + 16);
            let k = match s[self.i..near].iter().position(|&b| b == b'"' || b == b'\\') {
                Some(p) => self.i + p,
                None => near + memchr::memchr2(b'"', b'\\', &s[near..])?,
            };
            if s[k] == b'"' {
                self.i = k + 1;
                return Some((&s[start..k], escaped));
            }
            escaped = true;
            self.i = match *s.get(k + 1)? {
                b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => k + 2,
                b'u' if s.get(k + 2..k + 6)?.iter().all(u8::is_ascii_hexdigit) => k + 6,
                _ => return None,
            };
        }
    }

    /// A member name without escapes (so its raw bytes are the name) and
    /// the colon after it.
    fn key(&mut self) -> Option<&'a [u8]> {
        let (k, escaped) = self.string()?;
        if escaped {
            return None;
        }
        self.eat(b':')?;
        Some(k)
    }

    fn digits(&mut self) -> usize {
        let n = self.s[self.i..].iter().take_while(|b| b.is_ascii_digit()).count();
        self.i += n;
        n
    }

    /// A number as serde_json's grammar has it (its value is not read).
    fn number(&mut self) -> Option<()> {
        if self.s.get(self.i) == Some(&b'-') {
            self.i += 1;
        }
        match self.s.get(self.i)? {
            b'0' => self.i += 1,
            b'1'..=b'9' => {
                self.digits();
            }
            _ => return None,
        }
        if self.s.get(self.i) == Some(&b'.') {
            self.i += 1;
            (self.digits() > 0).then_some(())?;
        }
        if let Some(b'e' | b'E') = self.s.get(self.i) {
            self.i += 1;
            if let Some(b'+' | b'-') = self.s.get(self.i) {
                self.i += 1;
            }
            (self.digits() > 0).then_some(())?;
        }
        Some(())
    }

    /// Skips one value, checking it. Objects and arrays nest up to 128
    /// deep (beyond, `None`), kept as one bit each.
    fn value(&mut self) -> Option<()> {
        let (mut objects, mut depth) = (0u128, 0u32);
        loop {
            // A value's start.
            match self.peek()? {
                open @ (b'{' | b'[') => {
                    self.i += 1;
                    let close = if open == b'{' { b'}' } else { b']' };
                    if self.eat(close).is_none() {
                        if depth == 128 {
                            return None;
                        }
                        objects = (objects << 1) | u128::from(open == b'{');
                        depth += 1;
                        if open == b'{' {
                            self.key()?;
                        }
                        continue;
                    }
                }
                b'"' => {
                    self.string()?;
                }
                b't' => self.lit(b"true")?,
                b'f' => self.lit(b"false")?,
                b'n' => self.lit(b"null")?,
                b'-' | b'0'..=b'9' => self.number()?,
                _ => return None,
            }
            // After a value: close what ends here, up to the next value.
            loop {
                if depth == 0 {
                    return Some(());
                }
                let object = objects & 1 == 1;
                match self.next()? {
                    b',' => {
                        if object {
                            self.key()?;
                        }
                        break;
                    }
                    b'}' if object => {}
                    b']' if !object => {}
                    _ => return None,
                }
                objects >>= 1;
                depth -= 1;
            }
        }
    }

    /// The text of the value here, skipped.
    fn span(&mut self) -> Option<&'a str> {
        self.ws();
        let start = self.i;
        self.value()?;
        self.text.get(start..self.i)
    }

    /// `T` read by serde_json from here (once: a stream deserializer says
    /// where the value ended).
    fn serde<T: Deserialize<'a>>(&mut self) -> Option<T> {
        self.ws();
        let mut values = serde_json::Deserializer::from_str(self.text.get(self.i..)?).into_iter::<T>();
        let v = values.next()?.ok()?;
        self.i += values.byte_offset();
        Some(v)
    }

    /// What [`At`] finds for `rest` in the value here. A walked member
    /// that is not an object (where serde would read a number or a string
    /// closely) is left to serde.
    fn walk(&mut self, rest: Option<&str>) -> Option<Option<Cow<'a, str>>> {
        let Some(rest) = rest else {
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

    /// An object here, each member's value read by `member(self, name)`.
    fn object(&mut self, mut member: impl FnMut(&mut Self, &[u8]) -> Option<()>) -> Option<()> {
        self.eat(b'{')?;
        if self.eat(b'}').is_some() {
            return Some(());
        }
        loop {
            let k = self.key()?;
            member(self, k)?;
            match self.next()? {
                b',' => {}
                b'}' => return Some(()),
                _ => return None,
            }
        }
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
