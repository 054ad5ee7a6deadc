//! Streaming reader for a Message Batches request body
//! (`{"requests": [{custom_id, params}, ...]}`, up to 256 MB).
//!
//! A small structural scanner (string/escape state and a bracket stack over
//! a buffered reader) finds the top-level `"requests"` array and hands each
//! element's bytes to the caller with its byte offset in the file and its
//! index; only one element is buffered at a time. Elements are then parsed
//! like JSONL lines ([`RequestSpan::parse`]); [`read_request_at`] re-reads
//! one element from its offset.
//!
//! Invariant: every element of the array is yielded exactly once, in order,
//! with `bytes` exactly the file bytes `offset..offset + bytes.len()`;
//! structural errors (unterminated strings, mismatched brackets, missing
//! separators, end of file) stop the scan and name the element index and
//! byte offset. JSON validity inside an element is left to the element
//! parser.

use std::convert::Infallible;
use std::fs::File;
use std::io::{self, Read};
use std::path::Path;
use std::sync::Arc;

use crate::error::LineError;
use crate::row::{InputLine, ProviderOptions};

mod scan;
mod walk;

use scan::{At, Problem, Scan};
use walk::scan_body;

/// Largest element accepted (the API's limit for a whole batch body).
pub const MAX_ELEMENT_BYTES: usize = 256 << 20;

const CHUNK: usize = 1 << 20;
/// Buffer for re-reading one element: most are a few KiB; longer ones refill.
const RE_READ_CHUNK: usize = 16 * 1024;

/// One element of the `requests` array.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RequestSpan<'a> {
    /// Position in the array (0-based).
    pub index: u64,
    /// File offset of the element's first byte.
    pub offset: u64,
    /// The element's bytes, exactly as in the file.
    pub bytes: &'a [u8],
}

impl<'a> RequestSpan<'a> {
    /// Parses the element as a request (same shape as a JSONL line).
    pub fn parse(&self, opts: &ProviderOptions) -> Result<InputLine<'a>, ElementError> {
        super::parse_input_line(self.bytes, opts).map_err(|reason| self.error(reason))
    }

    /// An error about this element.
    pub fn error(&self, reason: LineError) -> ElementError {
        ElementError {
            index: self.index,
            offset: self.offset,
            reason,
        }
    }
}

/// A request element that is not a valid request.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("requests[{index}] at byte {offset}: {reason}")]
pub struct ElementError {
    pub index: u64,
    pub offset: u64,
    pub reason: LineError,
}

/// Why a request body could not be read. `E` is the callback's error.
#[derive(Debug, thiserror::Error)]
pub enum BodyError<E = Infallible> {
    #[error("{}: {source}", path.display())]
    Io {
        path: Arc<Path>,
        #[source]
        source: io::Error,
    },
    /// The file is not a JSON object with a `"requests"` array.
    #[error("{}: not a Message Batches request body: {what}", path.display())]
    Shape { path: Arc<Path>, what: String },
    /// The JSON structure is broken; `index` names the element it happened
    /// in (or after), `offset` is that element's first byte, or the byte
    /// where the problem is outside the array.
    #[error("{}: {}{what}", path.display(), place(*index, *offset))]
    Syntax {
        path: Arc<Path>,
        index: Option<u64>,
        offset: u64,
        what: String,
    },
    /// The callback returned an error; the scan stopped there.
    #[error("{}: {error}", path.display())]
    Stopped { path: Arc<Path>, error: E },
}

fn place(index: Option<u64>, offset: u64) -> String {
    match index {
        Some(i) => format!("requests[{i}] at byte {offset}: "),
        None => format!("at byte {offset}: "),
    }
}

/// Streams the request body at `path`, calling `on_request` for each
/// element of its `requests` array in order. Returns the element count.
pub fn read_requests_body<E>(
    path: &Path,
    on_request: impl FnMut(RequestSpan<'_>) -> Result<(), E>,
) -> Result<u64, BodyError<E>> {
    let path: Arc<Path> = Arc::from(path);
    let f = File::open(&path).map_err(|source| BodyError::Io {
        path: Arc::clone(&path),
        source,
    })?;
    scan_body(f, path, on_request)
}

/// Like [`read_requests_body`] for any byte source; `path` is used in messages.
pub fn read_requests_from<R: Read, E>(
    src: R,
    path: &Path,
    on_request: impl FnMut(RequestSpan<'_>) -> Result<(), E>,
) -> Result<u64, BodyError<E>> {
    scan_body(src, Arc::from(path), on_request)
}

/// Re-reads the element that starts at `offset` (a [`RequestSpan::offset`]) from
/// an open `file` (`path` names it in errors). Reads are positional, so workers
/// can share one handle, and start small: an element is usually a few KiB, and
/// this runs once per scored row for judges that ask for prompts or metadata.
pub fn read_request_at(file: &File, path: &Path, offset: u64) -> Result<Vec<u8>, BodyError> {
    let path: Arc<Path> = Arc::from(path);
    let mut s = Scan::with_capacity(At { file, pos: offset }, offset, RE_READ_CHUNK);
    let mut out = Vec::new();
    let mut stack = Vec::new();
    let res = match s.peek_nonws() {
        Ok(Some(b'{' | b'[' | b'"')) => s.value(Some(&mut out), &mut stack),
        Ok(_) => Err(Problem::Syntax {
            at: offset,
            what: "no JSON object or array starts here".into(),
        }),
        Err(e) => Err(Problem::Io(e)),
    };
    res.map(|()| out).map_err(|p| p.into_error(&path, Some(offset)))
}
