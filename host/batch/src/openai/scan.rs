//! The quick form of the OpenAI and Azure input-line reader. An input line
//! is mostly its request body's messages, of which the index wants nothing:
//! the shared [`Scan`] checks their grammar at `memchr` speed and only
//! `custom_id`, `url` and `body.model` are read.
//!
//! Invariant: [`input`] answers only for a line the serde form
//! ([`super::parse_input_line`]'s slow path) accepts, with exactly what it
//! reads; anything else (a repeated member, a missing id or body, a field
//! of the wrong kind, bad JSON) is `None`, and the serde form reads the line
//! and names what is wrong.

use std::borrow::Cow;

use crate::json::scan::{Scan, once};
use crate::row::InputLine;

/// The line's id, model and url, or `None`: see the module docs.
pub(super) fn input(text: &str) -> Option<InputLine<'_>> {
    let mut s = Scan::new(text)?;
    let (mut id, mut url, mut model) = (None, None, None);
    let (mut seen_id, mut seen_url, mut seen_body, mut body) = (false, false, false, false);
    s.object(|s, k| match k {
        b"custom_id" => {
            once(&mut seen_id)?;
            id = string_or_null(s)?;
            Some(())
        }
        b"url" => {
            once(&mut seen_url)?;
            url = string_or_null(s)?;
            Some(())
        }
        b"body" => {
            once(&mut seen_body)?;
            if s.peek()? == b'n' {
                return s.lit(b"null");
            }
            body = true;
            let mut seen_model = false;
            s.object(|s, k| match k {
                b"model" => {
                    once(&mut seen_model)?;
                    model = string_or_null(s)?;
                    Some(())
                }
                _ => s.value(),
            })
        }
        _ => s.value(),
    })?;
    s.end()?;
    body.then_some(())?;
    Some(InputLine {
        custom_id: id?,
        model,
        url,
    })
}

/// A string member's value as serde's `Option<Str>` reads it: `null` is
/// `Some(None)`; a string is borrowed, or decoded by serde_json when it has
/// escapes; any other value is `None` (serde names the error).
fn string_or_null<'a>(s: &mut Scan<'a>) -> Option<Option<Cow<'a, str>>> {
    if s.peek()? == b'n' {
        return s.lit(b"null").map(|()| None);
    }
    let start = s.i;
    let (_, escaped) = s.string()?;
    let quoted = s.text.get(start..s.i)?;
    if !escaped {
        // Its quotes are ASCII, so the inside is whole characters.
        return Some(Some(Cow::Borrowed(quoted.get(1..quoted.len() - 1)?)));
    }
    serde_json::from_str::<String>(quoted).ok().map(|v| Some(Cow::Owned(v)))
}

#[cfg(test)]
mod tests;
