//! Settling which provider's parsers read a run's files (`--provider auto`
//! or named) before any row is read.
//!
//! Invariant: the input and every result file agree on one provider; a
//! disagreement is an input error naming the file, line and shapes seen.

use std::path::{Path, PathBuf};

use assay_batch::anthropic::is_requests_body;
use assay_batch::{
    BadLine, BlockReader, DetectError, FileId, FileRole, Ledger, LineError, Provider, ProviderOptions, ReadError,
    Status, detect_file, openai,
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
    #[error(
        "no result line joined any of the {rows} input rows by the hash of its echoed request ({unexpected} result lines have other hashes, the first {first}); when Vertex's echo differs from the input, put an id in each request (for example labels.custom_id) and pass --id-path request.labels.custom_id"
    )]
    NothingJoined {
        rows: usize,
        unexpected: u64,
        first: String,
    },
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
        .find_map(|l| parse(l.raw(), opts).ok().map(|p| p.url.map(|u| u.into_owned())))
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
            // Azure's signs in a result file narrow a detected OpenAI; a
            // provider the user named stands.
            (Some(a), Some(b)) if a != b && a.family() == b.family() && want.is_none() => provider = Some(b),
            (Some(a), Some(b)) if a != b && a.family() == b.family() => {}
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

/// Refuses the run at the first line (in file and line order) that has
/// another provider's or the other role's shape, wherever it is in the
/// file, as the first lines are refused when the provider is settled.
pub fn refuse_other_shapes(bad: &[BadLine]) -> Result<(), SettleError> {
    let first = bad
        .iter()
        .filter(|b| matches!(b.reason, LineError::OtherShape { .. }))
        .min_by(|a, b| (a.path.as_ref(), a.line).cmp(&(b.path.as_ref(), b.line)));
    match first.map(|b| (b, &b.reason)) {
        Some((
            b,
            &LineError::OtherShape {
                seen,
                seen_role,
                want,
                role,
            },
        )) => Err(SettleError::Detect(DetectError::Mismatch {
            path: b.path.display().to_string(),
            role,
            want,
            seen,
            seen_role,
            line: b.line,
        })),
        _ => Ok(()),
    }
}

/// Refuses a Vertex run joined by request hash (no `--id-path`) in which
/// no result line joined an input row although result lines were read:
/// every row would read `missing`, and the cure is an id path.
pub fn refuse_unjoined(provider: Provider, opts: &ProviderOptions, ledger: &Ledger) -> Result<(), SettleError> {
    let (unexpected, ids) = ledger.unexpected();
    let rows = ledger.len();
    let none_joined = ledger.status_counts()[Status::Missing.index()] == rows as u64;
    if provider != Provider::Vertex || opts.id_path.is_some() || rows == 0 || unexpected == 0 || !none_joined {
        return Ok(());
    }
    Err(SettleError::NothingJoined {
        rows,
        unexpected,
        first: ids.first().cloned().unwrap_or_default(),
    })
}
