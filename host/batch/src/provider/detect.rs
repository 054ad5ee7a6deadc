//! Telling providers apart by the shape of their lines (`--provider auto`)
//! and checking a file's first lines against the provider and role it is
//! read as.
//!
//! Invariant: a file whose first lines disagree with each other, or with
//! the provider the user named, is refused with what was seen (file, line
//! and both shapes), never half-parsed.

use std::path::Path;

use serde::Deserialize;
use serde::de::IgnoredAny;

use super::{FileRole, Provider};
use crate::error::ReadError;
use crate::lines::{BlockReader, FileId};

/// Top-level keys that tell the providers' line shapes apart.
#[derive(Deserialize)]
struct Keys {
    id: Option<IgnoredAny>,
    custom_id: Option<IgnoredAny>,
    method: Option<IgnoredAny>,
    url: Option<IgnoredAny>,
    body: Option<IgnoredAny>,
    response: Option<IgnoredAny>,
    error: Option<IgnoredAny>,
    params: Option<IgnoredAny>,
    result: Option<IgnoredAny>,
    #[serde(rename = "recordId")]
    record_id: Option<IgnoredAny>,
    #[serde(rename = "modelInput")]
    model_input: Option<IgnoredAny>,
    #[serde(rename = "modelOutput")]
    model_output: Option<IgnoredAny>,
    key: Option<IgnoredAny>,
    request: Option<IgnoredAny>,
    status: Option<IgnoredAny>,
    processed_time: Option<IgnoredAny>,
}

/// An OpenAI-envelope result line is Azure's when it has no top-level `id`
/// or carries Azure's `content_filter_results` / `prompt_filter_results`
/// (as keys: a JSON string cannot hold those quotes unescaped).
fn openai_or_azure(line: &[u8], has_id: bool) -> Provider {
    let filter = |key: &[u8]| memchr::memmem::find(line, key).is_some();
    if !has_id || filter(b"\"content_filter_results\"") || filter(b"\"prompt_filter_results\"") {
        Provider::Azure
    } else {
        Provider::OpenAi
    }
}

/// The provider and role one line's shape says it has, if it says.
pub fn sniff(line: &[u8]) -> Option<(Provider, FileRole)> {
    shape(&keys(line)?, line)
}

/// A line's top-level members, or `None` when they cannot be read: the
/// line is not JSON, not an object, or an object naming a member twice.
fn keys(line: &[u8]) -> Option<Keys> {
    serde_json::from_slice(line).ok()
}

/// The provider and role that the members `k` of `line` say it has.
fn shape(k: &Keys, line: &[u8]) -> Option<(Provider, FileRole)> {
    use FileRole::{Input, Results};
    let some = |x: &Option<IgnoredAny>| x.is_some();
    if some(&k.custom_id) {
        if some(&k.params) {
            return Some((Provider::Anthropic, Input));
        }
        if some(&k.result) {
            return Some((Provider::Anthropic, Results));
        }
        if some(&k.response) || some(&k.error) {
            return Some((openai_or_azure(line, some(&k.id)), Results));
        }
        if some(&k.body) || some(&k.url) || some(&k.method) {
            return Some((Provider::OpenAi, Input));
        }
        return None;
    }
    if some(&k.record_id) || some(&k.model_input) || some(&k.model_output) {
        let role = if some(&k.model_output) || some(&k.error) {
            Results
        } else {
            Input
        };
        return Some((Provider::Bedrock, role));
    }
    if some(&k.key) {
        if some(&k.response) || some(&k.error) {
            return Some((Provider::Gemini, Results));
        }
        if some(&k.request) {
            return Some((Provider::Gemini, Input));
        }
        return None;
    }
    if some(&k.request) {
        if some(&k.status) || some(&k.processed_time) || some(&k.response) {
            return Some((Provider::Vertex, Results));
        }
        return Some((Provider::Vertex, Input));
    }
    None
}

#[derive(Debug, thiserror::Error)]
pub enum DetectError {
    #[error(transparent)]
    Read(#[from] ReadError),
    #[error("{path}: cannot tell the provider: line {line} has none of the known batch line shapes")]
    Unknown { path: String, line: u64 },
    #[error(
        "{path}: mixes shapes: line {first_line} has the {first} {role} shape, line {line} the {other} {role} shape"
    )]
    Mixed {
        path: String,
        role: FileRole,
        first: Provider,
        first_line: u64,
        other: Provider,
        line: u64,
    },
    #[error("{path}: line {line} has the {seen} {seen_role} shape, not the {want} {role} shape")]
    Mismatch {
        path: String,
        role: FileRole,
        want: Provider,
        seen: Provider,
        seen_role: FileRole,
        line: u64,
    },
}

/// Lines looked at to tell a file's provider.
pub const SNIFF_LINES: usize = 32;

/// Reads the first rows of `path` and checks that they share one shape of
/// the given role; returns the provider: the one detected when `want` is
/// `None`, else `want` narrowed by what the lines show (`openai` with
/// Azure's signs is `azure`; a caller that named the provider keeps it).
/// Files with no rows return `Ok(None)`: their emptiness is reported by
/// the reader.
pub fn detect_file(path: &Path, role: FileRole, want: Option<Provider>) -> Result<Option<Provider>, DetectError> {
    let mut reader = BlockReader::open(path, FileId(0), 64 << 20)?.with_block_bytes(256 * 1024);
    let shown = path.display().to_string();
    let mut first: Option<(Provider, u64)> = None;
    let mut seen = 0usize;
    while seen < SNIFF_LINES {
        let block = match reader.next_block() {
            Ok(Some(b)) => b,
            Ok(None) | Err(ReadError::Empty { .. }) => break,
            Err(e) => return Err(e.into()),
        };
        for line in block.lines() {
            if seen >= SNIFF_LINES {
                break;
            }
            // Unparseable lines are the reader's to report, with their
            // reason; so is an object that names a member twice. (A line
            // is parsed a second time only when its members are unread.)
            let k = keys(line.bytes);
            if k.is_none()
                && (line.bytes.trim_ascii_start().first() == Some(&b'{')
                    || serde_json::from_slice::<IgnoredAny>(line.bytes).is_err())
            {
                continue;
            }
            seen += 1;
            let Some((p, r)) = k.and_then(|k| shape(&k, line.bytes)) else {
                return Err(DetectError::Unknown {
                    path: shown,
                    line: line.number,
                });
            };
            if let Some(w) = want
                && (w.family() != p.family() || r != role)
            {
                return Err(DetectError::Mismatch {
                    path: shown,
                    role,
                    want: w,
                    seen: p,
                    seen_role: r,
                    line: line.number,
                });
            }
            if r != role {
                return Err(DetectError::Mismatch {
                    path: shown,
                    role,
                    want: p,
                    seen: p,
                    seen_role: r,
                    line: line.number,
                });
            }
            match first {
                None => first = Some((p, line.number)),
                // Lines of one family agree; the narrower provider (Azure's
                // signs on any line) names the file.
                Some((f, fl)) if f.family() == p.family() => first = Some((f.narrowed(p), fl)),
                Some((f, fl)) => {
                    return Err(DetectError::Mixed {
                        path: shown,
                        role,
                        first: f,
                        first_line: fl,
                        other: p,
                        line: line.number,
                    });
                }
            }
        }
    }
    Ok(match (want, first) {
        (Some(w), Some((p, _))) => Some(w.narrowed(p)),
        (w, f) => w.or(f.map(|(p, _)| p)),
    })
}
