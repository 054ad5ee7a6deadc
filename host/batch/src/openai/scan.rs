//! The quick form of the OpenAI and Azure result-line reader, for the usual
//! chat line: the [`Scan`] walks the line and fills the same [`RawResult`]
//! serde would, so one classification follows either form. Small values
//! (the status code, usage, times) are still read by serde_json; the
//! members nobody reads (ids, `object`, `logprobs`, `refusal`, …) are only
//! checked.
//!
//! Invariant: [`result`] answers only for a line serde reads into the same
//! [`RawResult`]; an error object, a tool call, a repeated member, a value
//! of another kind or anything the scan is unsure of is `None`, and serde
//! reads the line.

use crate::json::scan::{Scan, ScanText, once};
use crate::json::{Str, Text, Tok};

use super::{RawBody, RawChoice, RawMessage, RawResponse, RawResult, RawUsage, Seconds};

/// The line read as serde would, or `None`: see the module docs.
#[cfg(test)]
pub(super) fn result(text: &str) -> Option<RawResult<'_>> {
    let mut raw = RawResult::default();
    result_into(text, &mut raw).map(|()| raw)
}

/// [`result`] into `raw`, which must start empty (`RawResult::default()`);
/// on `None` it holds part of the line and is to be dropped. Filled in place:
/// the record is some 250 bytes, and returning it moved it twice a line.
pub(super) fn result_into<'a>(text: impl Into<ScanText<'a>>, raw: &mut RawResult<'a>) -> Option<()> {
    let mut s = Scan::new(text)?;
    let (mut id, mut response, mut error) = (false, false, false);
    s.object(|s, k| match k {
        b"custom_id" => {
            once(&mut id)?;
            raw.custom_id = s.str_or_null()?.map(Str);
            Some(())
        }
        b"response" => {
            once(&mut response)?;
            s.or_null_in(&mut raw.response, self::response)
        }
        b"error" => {
            once(&mut error)?;
            s.lit(b"null")
        }
        _ => s.value(),
    })?;
    s.end()
}

fn response<'a>(s: &mut Scan<'a>, r: &mut RawResponse<'a>) -> Option<()> {
    let (mut status, mut body) = (false, false);
    s.object(|s, k| match k {
        b"status_code" => {
            once(&mut status)?;
            let at = s.i;
            r.status_code = match s.plain_u64().map(u16::try_from) {
                Some(Ok(code)) => Some(code),
                _ => {
                    s.i = at;
                    s.serde()?
                }
            };
            Some(())
        }
        b"body" => {
            once(&mut body)?;
            s.or_null_in(&mut r.body, self::body)
        }
        _ => s.value(),
    })
}

fn body<'a>(s: &mut Scan<'a>, b: &mut RawBody<'a>) -> Option<()> {
    // One flag per member read, in the order below.
    let mut seen = [false; 7];
    s.object(|s, k| {
        let at = match k {
            b"model" => 0,
            b"system_fingerprint" => 1,
            b"choices" => 2,
            b"usage" => 3,
            b"created" => 4,
            b"created_at" => 5,
            b"error" => 6,
            _ => return s.value(),
        };
        once(&mut seen[at])?;
        match at {
            0 => b.model = s.str_or_null()?.map(Str),
            1 => b.system_fingerprint = s.str_or_null()?.map(Str),
            2 => b.choices = s.or_null(|s| s.first(choice))?,
            3 => {
                let at = s.i;
                b.usage = match usage(s) {
                    Some(u) => Some(u),
                    None => {
                        s.i = at;
                        s.serde()?
                    }
                };
            }
            4 => {
                // As `Seconds` reads an unsigned count.
                b.created = match s.plain_u64() {
                    Some(v) => Some(Seconds(i64::try_from(v).ok())),
                    None => s.serde()?,
                };
            }
            5 => b.created_at = s.serde()?,
            _ => s.lit(b"null")?,
        }
        Some(())
    })
}

fn choice<'a>(s: &mut Scan<'a>) -> Option<RawChoice<'a>> {
    let mut c = RawChoice {
        finish_reason: None,
        message: None,
    };
    let (mut finish, mut message) = (false, false);
    s.object(|s, k| match k {
        b"finish_reason" => {
            once(&mut finish)?;
            c.finish_reason = s.str_or_null()?.map(Str);
            Some(())
        }
        b"message" => {
            once(&mut message)?;
            c.message = s.or_null(self::message)?;
            Some(())
        }
        _ => s.value(),
    })?;
    Some(c)
}

fn message<'a>(s: &mut Scan<'a>) -> Option<RawMessage<'a>> {
    let mut m = RawMessage {
        content: None,
        tool_calls: None,
    };
    let (mut content, mut tools) = (false, false);
    s.object(|s, k| match k {
        b"content" => {
            once(&mut content)?;
            m.content = s.text_or_null()?.map(Text);
            Some(())
        }
        b"tool_calls" => {
            once(&mut tools)?;
            s.lit(b"null")
        }
        _ => s.value(),
    })?;
    Some(m)
}

#[cfg(test)]
mod tests;

/// The usual usage object (plain counts, no details) as serde reads it, or
/// `None` for anything else (then serde reads it from the start).
fn usage(s: &mut Scan<'_>) -> Option<RawUsage> {
    if s.peek()? != b'{' {
        return None;
    }
    let (mut prompt, mut completion) = (None, None);
    s.object(|s, k| match k {
        b"prompt_tokens" if prompt.is_none() => {
            prompt = Some(Tok(s.plain_u64()?));
            Some(())
        }
        b"completion_tokens" if completion.is_none() => {
            completion = Some(Tok(s.plain_u64()?));
            Some(())
        }
        b"prompt_tokens" | b"completion_tokens" | b"prompt_tokens_details" | b"completion_tokens_details" => None,
        _ => s.value(),
    })?;
    Some(RawUsage {
        prompt_tokens: prompt.unwrap_or_default(),
        completion_tokens: completion.unwrap_or_default(),
        prompt_tokens_details: None,
        completion_tokens_details: None,
    })
}
