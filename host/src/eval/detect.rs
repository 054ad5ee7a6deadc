//! Settling which provider's parsers read a run's files (`--provider auto`
//! or named) before any row is read.
//!
//! Invariant: the input and every result file agree on one provider; a
//! disagreement is an input error naming the file, line and shapes seen.

use std::io::Read;
use std::path::{Path, PathBuf};

use assay_batch::{
    BlockReader, DetectError, FileId, FileRole, Provider, ProviderOptions, ReadError, detect_file, openai,
};

#[derive(Debug, thiserror::Error)]
pub enum SettleError {
    #[error(transparent)]
    Detect(#[from] DetectError),
    #[error("{input} reads as {a} but {file} reads as {b}: one run takes one provider's files")]
    Disagree {
        input: PathBuf,
        a: Provider,
        file: PathBuf,
        b: Provider,
    },
    #[error("{0}: cannot tell the provider from its lines; pass --provider")]
    Unknown(PathBuf),
}

/// What the run will read with.
#[derive(Debug, Clone)]
pub struct Settled {
    pub provider: Provider,
    /// The input is an Anthropic `{"requests": [...]}` JSON body, not JSONL.
    pub input_body: bool,
    /// False when the endpoint returns no text (embeddings): quality judges
    /// are skipped with a note instead of failing every row.
    pub has_text: bool,
}

/// True when the file is one JSON object spread over lines (its first line
/// is not a complete object) or a one-line object with a `requests` key:
/// the shape of an Anthropic Message Batches request body, not JSONL.
pub fn is_requests_body(path: &Path) -> std::io::Result<bool> {
    #[derive(serde::Deserialize)]
    struct Top {
        requests: Option<serde::de::IgnoredAny>,
    }
    let mut head = vec![0u8; 64 * 1024];
    let mut f = std::fs::File::open(path)?;
    let mut n = 0;
    while n < head.len() {
        match f.read(&mut head[n..])? {
            0 => break,
            k => n += k,
        }
    }
    let text = head[..n]
        .strip_prefix(b"\xEF\xBB\xBF")
        .unwrap_or(&head[..n])
        .trim_ascii_start();
    if !text.starts_with(b"{") {
        return Ok(false);
    }
    let first = text.split(|b| *b == b'\n').next().unwrap_or(text);
    Ok(match serde_json::from_slice::<Top>(first) {
        Ok(top) => top.requests.is_some(),
        // An object that does not end on its first line is one document, not JSONL.
        Err(e) => e.is_eof(),
    })
}

/// The endpoint of the first input row, when the format names one.
fn first_url(path: &Path, provider: Provider, opts: &ProviderOptions) -> Result<Option<String>, ReadError> {
    let mut reader = BlockReader::open(path, FileId(0), 64 << 20)?.with_block_bytes(64 * 1024);
    let block = match reader.next_block() {
        Ok(Some(b)) => b,
        Ok(None) | Err(ReadError::Empty { .. }) => return Ok(None),
        Err(e) => return Err(e),
    };
    let parse = provider.input_parser();
    Ok(block
        .lines()
        .find_map(|l| parse(l.bytes, opts).ok().map(|p| p.url.map(|u| u.into_owned())))
        .flatten())
}

pub fn settle(
    want: Option<Provider>,
    input: &Path,
    results: &[&Path],
    opts: &ProviderOptions,
) -> Result<Settled, SettleError> {
    let body = matches!(want, None | Some(Provider::Anthropic))
        && is_requests_body(input).map_err(|e| {
            DetectError::Read(ReadError::Io {
                path: input.into(),
                source: e,
            })
        })?;
    let mut provider = if body {
        Some(Provider::Anthropic)
    } else {
        detect_file(input, FileRole::Input, want)?
    };
    for r in results {
        match (provider, detect_file(r, FileRole::Results, provider)?) {
            (None, found) => provider = found,
            (Some(a), Some(b)) if a != b => {
                return Err(SettleError::Disagree {
                    input: input.to_owned(),
                    a,
                    file: r.to_path_buf(),
                    b,
                });
            }
            _ => {}
        }
    }
    let provider = provider.ok_or_else(|| SettleError::Unknown(input.to_owned()))?;
    let has_text = if body {
        true
    } else {
        first_url(input, provider, opts)
            .map_err(DetectError::Read)?
            .is_none_or(|u| openai::endpoint_has_text(&u))
    };
    Ok(Settled {
        provider,
        input_body: body,
        has_text,
    })
}
