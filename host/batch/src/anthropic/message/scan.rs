//! The quick form of a Claude `Message`, its content blocks and usage, for
//! the line readers' [`Scan`]s: text blocks are read as [`Blocks`]'s serde
//! form reads them, everything else in a block is only checked.
//!
//! Invariant: [`blocks`] and [`claude_usage`] answer only for a value the
//! serde forms read into the same thing; a tool-use block (its input is
//! kept raw), a content object, a repeated member, a value of another kind
//! or a usage member `refused` is `None`, and the caller leaves the value
//! to serde.

use super::{Blocks, ClaudeUsage, Message};
use crate::json::scan::{Scan, once};
use crate::json::{NullTok, Str, Tok};

/// A `content` value as [`Blocks`] deserializes it: an array of blocks or
/// a string.
pub(crate) fn blocks<'a>(s: &mut Scan<'a>) -> Option<Blocks<'a>> {
    let mut out = Blocks::default();
    if s.peek()? == b'"' {
        out.text = s.text_or_null()?;
        return Some(out);
    }
    s.eat(b'[')?;
    if s.eat(b']').is_some() {
        return Some(out);
    }
    loop {
        block(s, &mut out)?;
        match s.next()? {
            b',' => {}
            b']' => return Some(out),
            _ => return None,
        }
    }
}

/// One block: its text joins the answer when it is a text block (`type`
/// `"text"` or absent); other blocks add nothing unless they carry a tool
/// input, which serde reads.
fn block<'a>(s: &mut Scan<'a>, out: &mut Blocks<'a>) -> Option<()> {
    let (mut kind, mut text) = (None, None);
    let mut seen = [false; 2];
    s.object(|s, k| {
        match k {
            b"type" => {
                once(&mut seen[0])?;
                kind = s.str_or_null()?;
            }
            b"text" => {
                once(&mut seen[1])?;
                text = s.text_or_null()?;
            }
            b"input" | b"toolUse" => return None,
            _ => return s.value(),
        }
        Some(())
    })?;
    if let (None | Some("text"), Some(t)) = (kind.as_deref(), text) {
        out.add_text(t);
    }
    Some(())
}

/// Claude's usage counts `[input, output, cache_creation, cache_read]`
/// (absent is 0; the cache counts may be `null`, also 0). A member named
/// in `refused` is `None`: a caller whose serde form reads more names than
/// Claude's leaves such a usage to serde.
pub(crate) fn claude_usage(s: &mut Scan<'_>, refused: &[&[u8]]) -> Option<[u64; 4]> {
    let mut v = [None; 4];
    s.object(|s, k| {
        let at = match k {
            b"input_tokens" => 0,
            b"output_tokens" => 1,
            b"cache_creation_input_tokens" => 2,
            b"cache_read_input_tokens" => 3,
            k if refused.contains(&k) => return None,
            _ => return s.value(),
        };
        if v[at].is_some() {
            return None;
        }
        v[at] = Some(match at {
            0 | 1 => s.plain_u64()?,
            _ => s.or_null(Scan::plain_u64)?.unwrap_or(0),
        });
        Some(())
    })?;
    Some(v.map(Option::unwrap_or_default))
}

/// A Claude `Message` as [`Message`]'s serde form reads it (model, content,
/// stop reason, usage; other members only checked), or `None` for anything
/// the block and usage scans leave to serde.
pub(crate) fn message<'a>(s: &mut Scan<'a>) -> Option<Message<'a>> {
    let mut m = Message {
        model: None,
        content: None,
        stop_reason: None,
        usage: None,
    };
    // One flag per member read, in the order below.
    let mut seen = [false; 4];
    s.object(|s, k| {
        let at = match k {
            b"model" => 0,
            b"content" => 1,
            b"stop_reason" => 2,
            b"usage" => 3,
            _ => return s.value(),
        };
        once(&mut seen[at])?;
        match at {
            0 => m.model = s.str_or_null()?.map(Str),
            1 => m.content = s.or_null(blocks)?,
            2 => m.stop_reason = s.str_or_null()?.map(Str),
            _ => m.usage = s.or_null(usage)?,
        }
        Some(())
    })?;
    Some(m)
}

/// A `usage` as [`ClaudeUsage`] reads it: Claude's four counts, any other
/// member ignored, as serde ignores it.
fn usage(s: &mut Scan<'_>) -> Option<ClaudeUsage> {
    let [input, output, cache_creation, cache_read] = claude_usage(s, &[])?;
    Some(ClaudeUsage {
        input_tokens: Tok(input),
        output_tokens: Tok(output),
        cache_creation_input_tokens: NullTok(cache_creation),
        cache_read_input_tokens: NullTok(cache_read),
    })
}
