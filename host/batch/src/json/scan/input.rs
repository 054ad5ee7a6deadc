//! The quick form of an input-line reader for providers whose line is
//! `{<id>, <body>: {model, …}, …}` (OpenAI and Azure `custom_id`/`body`,
//! Bedrock `recordId`/`modelInput`). An input line is mostly its prompt, of
//! which the index wants nothing: the [`Scan`] only checks its grammar, and
//! reads the id, the body's `model` and (OpenAI) the `url`.
//!
//! Invariant: [`input_line`] answers only for a line the provider's serde
//! form accepts, with exactly what it reads; anything else (a repeated
//! member, a missing id or body, a field of the wrong kind, bad JSON) is
//! `None`, and the serde form reads the line and names what is wrong.

use super::{Scan, ScanText, once};
use crate::error::LineError;
use crate::provider::RawLine;
use crate::row::InputLine;

/// The member names of one provider's input line.
pub(crate) struct InputKeys {
    pub(crate) id: &'static [u8],
    pub(crate) body: &'static [u8],
    /// The endpoint member, for providers whose lines name one.
    pub(crate) url: Option<&'static [u8]>,
}

/// The line's id, model and url, or `None`: see the module docs.
pub(crate) fn input_line<'a>(text: impl Into<ScanText<'a>>, keys: &InputKeys) -> Option<InputLine<'a>> {
    let mut s = Scan::new(text)?;
    let (mut id, mut url, mut model) = (None, None, None);
    let (mut seen_id, mut seen_url, mut seen_body, mut body) = (false, false, false, false);
    s.object(|s, k| match k {
        k if k == keys.id => {
            once(&mut seen_id)?;
            id = s.str_or_null()?;
            Some(())
        }
        k if Some(k) == keys.url => {
            once(&mut seen_url)?;
            url = s.str_or_null()?;
            Some(())
        }
        k if k == keys.body => {
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

/// `line` by [`input_line`] for `keys`, or by `serde` (the provider's serde
/// form, the one that names what is wrong) when the scan is unsure of it.
pub(crate) fn input_line_or<'a>(
    line: RawLine<'a>,
    keys: &InputKeys,
    serde: impl FnOnce(RawLine<'a>) -> Result<InputLine<'a>, LineError>,
) -> Result<InputLine<'a>, LineError> {
    match line.scan_text().and_then(|t| input_line(t, keys)) {
        Some(quick) => Ok(quick),
        None => serde(line),
    }
}
