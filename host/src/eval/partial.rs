//! A shard's partial: its slice of the per-row state a summary is built from,
//! written by `assay eval --shard i/N --partial-out PART`, read by `assay merge`.
//!
//! The file is gzip-compressed JSON lines: a header (format, version, shard,
//! the fingerprint of the inputs, judges and settings, the run facts every
//! shard shares), one line per row the shard owns (its settled ledger state,
//! provider error and one cell per scoring judge, see [`row`]), one line per
//! bad line it owns, and a trailer with both counts.
//!
//! Invariant: a partial is whole or refused: the writer goes through
//! `OutputFile` (nothing replaces the named file before the partial is
//! complete), and the reader refuses a file that is not a partial, another
//! format version, a line that does not decode, or a missing or miscounted
//! trailer (a truncated file), naming the file and the reason.

pub mod facts;
pub mod read;
pub mod row;

use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use flate2::Compression;
use flate2::write::GzEncoder;
use serde::{Deserialize, Serialize};

use super::summarize::Head;
use crate::report::summary::BadLineEntry;
use crate::sink::output::{OutputError, OutputFile};

/// The first field of every partial's header.
pub const FORMAT: &str = "assay-partial";
/// Bumped whenever a reader of the previous version could misread a partial.
pub const VERSION: u32 = 1;

/// A judge as the run prepared it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JudgeKey {
    pub name: String,
    pub sha256: String,
    /// The `--set` pairs, with `@file` values already read.
    pub config: Vec<(String, String)>,
}

/// One scoring judge's counters on this shard's rows.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ScorerStats {
    pub fuel_used: u64,
    pub instance_restarts: u64,
    /// (row index, "row ID: reason") of the lowest row.
    pub first_host_failure: Option<(u32, String)>,
    pub first_judge_error: Option<(u32, String)>,
}

/// Everything in a partial besides its rows and bad lines.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Header {
    pub format: String,
    pub version: u32,
    pub assay_version: String,
    pub shard: u32,
    pub of: u32,
    pub fingerprint: String,
    pub head: Head,
    /// Rows submitted in the whole run.
    pub rows: u64,
    pub attempts: u16,
    pub retry: String,
    pub has_text: bool,
    pub max_judge_error_rate: f64,
    pub seed: u64,
    /// Every judge the run prepared, in command-line order.
    pub judges: Vec<JudgeKey>,
    /// The scoring judges' names, in scorer order.
    pub scoring: Vec<String>,
    /// Model and snapshot names by id, from id 2, the first after the
    /// reserved ones (the same in every shard:
    /// every shard reads every result line, and names are interned in file order).
    pub models: Vec<String>,
    pub snapshots: Vec<String>,
    /// More distinct names than ids (see `Interner::overflowed`).
    pub models_overflowed: bool,
    pub snapshots_overflowed: bool,
    /// Results for ids never submitted (shard 0 only).
    pub unexpected: u64,
    pub unexpected_ids: Vec<String>,
    /// Per scoring judge, in scorer order.
    pub scorers: Vec<ScorerStats>,
    /// Per `--batch-object`, in attempt order (shard 0 only).
    pub reconcile: Vec<facts::Reconcile>,
}

/// The last line: how many row and bad-line lines came before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Trailer {
    pub rows: u64,
    pub bad: u64,
}

#[derive(Debug, thiserror::Error)]
pub enum PartialError {
    #[error(transparent)]
    Output(#[from] OutputError),
    #[error("cannot write the partial {path}: {source}")]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot read {path}: {source}")]
    Open {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: not an assay partial ({reason})")]
    NotAPartial { path: PathBuf, reason: String },
    #[error("{path}: partial format version {found}; this assay reads version {VERSION}")]
    Version { path: PathBuf, found: u32 },
    #[error("{path}: corrupt partial: line {line}: {reason}")]
    Corrupt { path: PathBuf, line: u64, reason: String },
    #[error("{path}: truncated or corrupt partial: {reason}")]
    Truncated { path: PathBuf, reason: String },
}

/// Writes a partial: the header, then each row line `rows` yields (already
/// encoded by [`row::encode`]), then the bad lines, then the trailer.
/// Returns the bytes written.
pub fn write(
    path: &Path,
    inputs: &[&Path],
    header: &Header,
    rows: impl Iterator<Item = String>,
    bad: &[BadLineEntry],
) -> Result<u64, PartialError> {
    let file = OutputFile::create(path, inputs)?;
    let err = |source| PartialError::Write {
        path: path.to_owned(),
        source,
    };
    let mut gz = GzEncoder::new(BufWriter::with_capacity(1 << 20, file), Compression::fast());
    let head = serde_json::to_string(header).map_err(|e| err(std::io::Error::other(e)))?;
    gz.write_all(head.as_bytes()).map_err(err)?;
    gz.write_all(b"\n").map_err(err)?;
    let mut count = 0u64;
    for line in rows {
        gz.write_all(line.as_bytes()).map_err(err)?;
        gz.write_all(b"\n").map_err(err)?;
        count += 1;
    }
    for b in bad {
        let line = serde_json::json!({ "bad": [b.file, b.line, b.reason] });
        gz.write_all(format!("{line}\n").as_bytes()).map_err(err)?;
    }
    let trailer = serde_json::json!({ "end": Trailer { rows: count, bad: bad.len() as u64 } });
    gz.write_all(format!("{trailer}\n").as_bytes()).map_err(err)?;
    let file = gz
        .finish()
        .map_err(err)?
        .into_inner()
        .map_err(|e| err(e.into_error()))?;
    file.commit()?;
    Ok(std::fs::metadata(path).map(|m| m.len()).unwrap_or(0))
}

#[cfg(test)]
mod tests;
