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
            id = s.str_or_null()?;
            Some(())
        }
        b"url" => {
            once(&mut seen_url)?;
            url = s.str_or_null()?;
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
                    model = s.str_or_null()?;
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

mod result;

pub(super) use result::result;

#[cfg(test)]
mod tests;
