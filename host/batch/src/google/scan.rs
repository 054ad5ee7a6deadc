//! The quick form of a `GenerateContentResponse`, for the usual response:
//! the [`Scan`] fills the same [`RawResponse`] serde would (candidates with
//! text parts, a finish reason, the model version), so one classification
//! follows either form. Usage counts that are plain integers are read by
//! the scan; prompt feedback and counts written otherwise by serde_json;
//! members nobody reads (safety ratings, citations,
//! `role`, …) are only checked.
//!
//! Invariant: [`response`] answers only for a value serde reads into the
//! same [`RawResponse`]; an embeddings response, a member named twice
//! (under its camelCase or its snake_case name), a value of another kind or
//! anything the scan is unsure of is `None`, and serde reads the line.

use std::borrow::Cow;

use super::{Int, Parts, RawCandidate, RawContent, RawResponse, RawUsage};
use crate::json::Str;
use crate::json::scan::{Scan, once};

/// The response as serde reads it, into `r` (a default one, filled in
/// place: see [`Scan::or_null_in`]), or `None`: see the module docs.
pub(crate) fn response<'a>(s: &mut Scan<'a>, r: &mut RawResponse<'a>) -> Option<()> {
    // One flag per member read, in the order below.
    let mut seen = [false; 4];
    s.object(|s, k| {
        let at = match k {
            b"candidates" => 0,
            b"promptFeedback" | b"prompt_feedback" => 1,
            b"usageMetadata" | b"usage_metadata" => 2,
            b"modelVersion" | b"model_version" => 3,
            // An embeddings response: rare in these files, serde reads it.
            b"embedding" | b"embeddings" | b"tokenCount" | b"token_count" => return None,
            _ => return s.value(),
        };
        once(&mut seen[at])?;
        match at {
            0 => r.candidates = s.or_null(|s| s.first(candidate))?,
            1 => r.prompt_feedback = s.serde()?,
            2 => r.usage = s.or_null(usage)?,
            _ => r.model_version = s.str_or_null()?.map(Str),
        }
        Some(())
    })
}

/// `usageMetadata` as serde reads it into [`RawUsage`] when every count is
/// a plain integer (the usual line); a count written as a string, a
/// `null`, a count named twice (under either name) or any other value is
/// `None`, and serde reads the line.
fn usage(s: &mut Scan<'_>) -> Option<RawUsage> {
    if s.peek()? != b'{' {
        return None;
    }
    let mut counts = [None; 5];
    s.object(|s, k| {
        let at = match k {
            b"promptTokenCount" | b"prompt_token_count" => 0,
            b"candidatesTokenCount" | b"candidates_token_count" => 1,
            b"thoughtsTokenCount" | b"thoughts_token_count" => 2,
            b"cachedContentTokenCount" | b"cached_content_token_count" => 3,
            b"toolUsePromptTokenCount" | b"tool_use_prompt_token_count" => 4,
            _ => return s.value(),
        };
        let slot = counts.get_mut(at)?;
        match slot {
            Some(_) => None,
            None => s.plain_u64().map(|v| *slot = Some(Int(v))),
        }
    })?;
    let [prompt, candidates, thoughts, cached, tool_use] = counts.map(Option::unwrap_or_default);
    Some(RawUsage {
        prompt,
        candidates,
        thoughts,
        cached,
        tool_use,
    })
}

fn candidate<'a>(s: &mut Scan<'a>) -> Option<RawCandidate<'a>> {
    let mut c = RawCandidate {
        content: None,
        finish_reason: None,
        finish_message: None,
    };
    let mut seen = [false; 3];
    s.object(|s, k| {
        let at = match k {
            b"content" => 0,
            b"finishReason" | b"finish_reason" => 1,
            b"finishMessage" | b"finish_message" => 2,
            _ => return s.value(),
        };
        once(&mut seen[at])?;
        match at {
            0 => c.content = s.or_null(content)?,
            1 => c.finish_reason = s.str_or_null()?.map(Str),
            _ => c.finish_message = s.str_or_null()?.map(Str),
        }
        Some(())
    })?;
    Some(c)
}

fn content<'a>(s: &mut Scan<'a>) -> Option<RawContent<'a>> {
    let mut c = RawContent { parts: None };
    let mut seen = false;
    s.object(|s, k| match k {
        b"parts" => {
            once(&mut seen)?;
            c.parts = s.or_null(parts)?;
            Some(())
        }
        _ => s.value(),
    })?;
    Some(c)
}

/// `parts`: the text of the parts that are not thoughts, concatenated.
fn parts<'a>(s: &mut Scan<'a>) -> Option<Parts<'a>> {
    let mut text: Option<Cow<'a, str>> = None;
    s.eat(b'[')?;
    if s.eat(b']').is_some() {
        return Some(Parts(None));
    }
    loop {
        if let Some(t) = part(s)? {
            match &mut text {
                None => text = Some(t),
                Some(acc) => acc.to_mut().push_str(&t),
            }
        }
        match s.next()? {
            b',' => {}
            b']' => return Some(Parts(text)),
            _ => return None,
        }
    }
}

/// One part: `Some(None)` when it has no text or is a thought.
fn part<'a>(s: &mut Scan<'a>) -> Option<Option<Cow<'a, str>>> {
    let (mut text, mut thought) = (None, None);
    let (mut seen_text, mut seen_thought) = (false, false);
    s.object(|s, k| match k {
        b"text" => {
            once(&mut seen_text)?;
            text = s.text_or_null()?;
            Some(())
        }
        b"thought" => {
            once(&mut seen_thought)?;
            thought = s.serde::<Option<bool>>()?;
            Some(())
        }
        _ => s.value(),
    })?;
    Some(text.filter(|_| thought != Some(true)))
}

#[cfg(test)]
mod tests;
