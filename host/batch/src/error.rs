//! Errors for reading batch files.
//!
//! Invariant: every problem with a single line is a [`BadLine`] that names the
//! file, the exact 1-based line number, the byte offset of the line and the
//! reason, so nothing is dropped silently; problems with a whole file are a
//! [`ReadError`] that names the file.

use std::fmt;
use std::io;
use std::path::Path;
use std::sync::Arc;

use crate::provider::{FileRole, Provider};

/// Why one line could not be turned into a row.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LineError {
    /// The line is not valid JSON.
    #[error("malformed JSON: {0}")]
    Malformed(String),
    /// The file's last line has no newline and does not parse.
    #[error("truncated last line: the file ends mid-line (partial download?): {0}")]
    TruncatedLast(String),
    /// The line contains bytes that are not UTF-8; `offset` is the file
    /// offset of the first bad byte.
    #[error("invalid UTF-8 at byte offset {offset}")]
    NotUtf8 { offset: u64 },
    /// The line is longer than the configured maximum; it was skipped
    /// without being buffered.
    #[error("line too long: {bytes} bytes (max {max})")]
    TooLong { bytes: u64, max: u64 },
    /// A required field is absent or null.
    #[error("missing field `{0}`")]
    MissingField(&'static str),
    /// The same `custom_id` was submitted twice in one input file.
    #[error("duplicate custom_id {id:?} (first seen on line {first_line})")]
    DuplicateId { id: String, first_line: u64 },
    /// Valid JSON, but not the shape this provider writes.
    #[error("unexpected shape: {0}")]
    WrongShape(String),
    /// The line has another provider's line shape, or the other side's
    /// (an input line among results): the file mixes shapes, which is a
    /// refusal of the run, not a bad line to count.
    #[error("has the {seen} {seen_role} shape, not the {want} {role} shape")]
    OtherShape {
        seen: Provider,
        seen_role: FileRole,
        want: Provider,
        role: FileRole,
    },
}

impl LineError {
    /// Turns a `serde_json` error into a line error: syntax and EOF errors are
    /// [`LineError::Malformed`], type errors are [`LineError::WrongShape`].
    /// The position is reported as a column (lines are single JSON lines).
    pub fn from_json(err: &serde_json::Error) -> Self {
        let mut msg = err.to_string();
        if let Some(at) = msg.rfind(" at line ") {
            msg.truncate(at);
        }
        if err.column() > 0 {
            msg = format!("{msg} at column {}", err.column());
        }
        match err.classify() {
            serde_json::error::Category::Data => LineError::WrongShape(msg),
            _ => LineError::Malformed(msg),
        }
    }

    /// A parse failure of the file's last, unterminated line means the file
    /// was cut mid-line: report it as [`LineError::TruncatedLast`].
    pub fn on_line(self, last_unterminated: bool) -> Self {
        match self {
            LineError::Malformed(m) if last_unterminated => LineError::TruncatedLast(m),
            other => other,
        }
    }
}

/// One line that did not become a row, with where it is.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}:{line}: {reason}", path.display())]
pub struct BadLine {
    pub path: Arc<Path>,
    /// 1-based line number, counting blank lines.
    pub line: u64,
    /// Byte offset of the start of the line in the file.
    pub offset: u64,
    pub reason: LineError,
}

/// A problem with a whole file.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("{}: {source}", path.display())]
    Io {
        path: Arc<Path>,
        #[source]
        source: io::Error,
    },
    #[error("{}: no rows (empty file)", path.display())]
    Empty { path: Arc<Path> },
    /// The file's structure is broken beyond one line (e.g. a JSON request
    /// body); `reason` already names the file and the place.
    #[error("{reason}")]
    Invalid { path: Arc<Path>, reason: String },
    /// The file exceeds an internal limit (row count, id bytes).
    #[error("{}: too large: {reason}", path.display())]
    TooLarge { path: Arc<Path>, reason: String },
    /// A bug stopped the reading (a thread panicked); nothing partial is
    /// returned.
    #[error("{}: {reason}", path.display())]
    Internal { path: Arc<Path>, reason: String },
    /// The caller asked the reading to stop ([`crate::read_input_parallel`]);
    /// nothing partial is returned.
    #[error("{}: reading stopped before the end, as asked", path.display())]
    Stopped { path: Arc<Path> },
}

impl ReadError {
    pub(crate) fn io(path: &Arc<Path>, source: io::Error) -> Self {
        ReadError::Io {
            path: Arc::clone(path),
            source,
        }
    }

    /// The file the error is about.
    pub fn path(&self) -> &Path {
        match self {
            ReadError::Io { path, .. }
            | ReadError::Empty { path }
            | ReadError::Invalid { path, .. }
            | ReadError::TooLarge { path, .. }
            | ReadError::Internal { path, .. }
            | ReadError::Stopped { path } => path,
        }
    }
}

/// Short description of a JSON value's kind from its first byte, for
/// "expected an object, found ..." messages.
pub(crate) fn json_kind(first: u8) -> &'static str {
    match first {
        b'[' => "an array",
        b'"' => "a string",
        b't' | b'f' => "a boolean",
        b'n' => "null",
        b'{' => "an object",
        _ => "a number",
    }
}

/// Wrapper so a list of bad lines can be printed one per line.
pub struct BadLines<'a>(pub &'a [BadLine]);

impl fmt::Display for BadLines<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for b in self.0 {
            writeln!(f, "{b}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
