//! The `{"requests": [...]}` body of a Message Batch, streamed from a JSONL
//! file of `{custom_id, params}` lines.
//!
//! Invariant: the file is checked whole before anything is sent (every line
//! an object with a string `custom_id`, unique in the file, and an object
//! `params`; a bad line is named by file, line and reason), and the bytes
//! streamed are exactly the `Content-Length` the check computed: a file
//! that changes in between ends the stream with an error, never with a
//! different body.

use std::collections::HashMap;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use http_body::{Frame, SizeHint};
use serde_json::Value;
use tokio::sync::mpsc;

use crate::error::ProviderError;

const PREFIX: &[u8] = b"{\"requests\":[";
const SUFFIX: &[u8] = b"]}";
/// Bytes per streamed frame.
const CHUNK: usize = 64 * 1024;

/// What the check found: the request count and the body's exact length.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InputScan {
    pub rows: u64,
    pub body_len: u64,
}

fn io(path: &Path, source: std::io::Error) -> ProviderError {
    ProviderError::Io {
        what: "reading the batch input".into(),
        path: path.to_owned(),
        source,
    }
}

/// Calls `each(line number, trimmed line)` for every non-blank line.
fn each_line(
    path: &Path,
    mut each: impl FnMut(usize, &[u8]) -> Result<(), ProviderError>,
) -> Result<(), ProviderError> {
    let mut r = BufReader::new(std::fs::File::open(path).map_err(|e| io(path, e))?);
    let mut buf = Vec::new();
    let mut n = 0;
    loop {
        buf.clear();
        if r.read_until(b'\n', &mut buf).map_err(|e| io(path, e))? == 0 {
            return Ok(());
        }
        n += 1;
        let line = buf.trim_ascii();
        if !line.is_empty() {
            each(n, line)?;
        }
    }
}

/// Checks every line of `path` and computes the body's length.
pub fn scan(path: &Path) -> Result<InputScan, ProviderError> {
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut scan = InputScan {
        rows: 0,
        body_len: (PREFIX.len() + SUFFIX.len()) as u64,
    };
    each_line(path, |n, line| {
        let bad = |reason: String| ProviderError::BadInput {
            path: path.to_owned(),
            line: n,
            reason,
        };
        let v: Value = serde_json::from_slice(line).map_err(|e| bad(format!("not JSON: {e}")))?;
        let id = v
            .get("custom_id")
            .and_then(Value::as_str)
            .ok_or_else(|| bad("no string custom_id: an Anthropic batch line is {\"custom_id\", \"params\"}".into()))?;
        if !v.get("params").is_some_and(Value::is_object) {
            let hint = if v.get("body").is_some() {
                " (this looks like an OpenAI line: use --provider openai)"
            } else {
                ""
            };
            return Err(bad(format!("no params object{hint}")));
        }
        if let Some(first) = seen.insert(id.to_owned(), n) {
            return Err(bad(format!(
                "custom_id {id:?} is also on line {first}; Anthropic requires unique ids"
            )));
        }
        scan.body_len += line.len() as u64 + u64::from(scan.rows > 0);
        scan.rows += 1;
        Ok(())
    })?;
    if scan.rows == 0 {
        return Err(ProviderError::BadInput {
            path: path.to_owned(),
            line: 0,
            reason: "no requests in the file".into(),
        });
    }
    Ok(scan)
}

/// The streamed body: a blocking reader thread feeds frames through a channel.
pub struct RequestsBody {
    rx: mpsc::Receiver<Result<Bytes, std::io::Error>>,
    len: u64,
}

impl RequestsBody {
    /// Starts reading `path` for a body of `scan.body_len` bytes.
    pub fn open(path: PathBuf, scan: InputScan) -> RequestsBody {
        let (tx, rx) = mpsc::channel(4);
        let want = scan.body_len;
        tokio::task::spawn_blocking(move || {
            let mut chunk: Vec<u8> = PREFIX.to_vec();
            let mut sent: u64 = 0;
            let mut first = true;
            let r = each_line(&path, |_, line| {
                if !first {
                    chunk.push(b',');
                }
                first = false;
                chunk.extend_from_slice(line);
                if chunk.len() >= CHUNK {
                    sent += chunk.len() as u64;
                    let c = Bytes::from(std::mem::take(&mut chunk));
                    if tx.blocking_send(Ok(c)).is_err() {
                        return Err(ProviderError::BadInput {
                            path: path.clone(),
                            line: 0,
                            reason: "the request was dropped".into(),
                        });
                    }
                }
                Ok(())
            });
            chunk.extend_from_slice(SUFFIX);
            sent += chunk.len() as u64;
            let last = match r {
                Err(e) => Err(std::io::Error::other(e.to_string())),
                Ok(()) if sent != want => Err(std::io::Error::other(format!(
                    "{} changed while it was being sent ({sent} bytes, {want} checked)",
                    path.display()
                ))),
                Ok(()) => Ok(Bytes::from(chunk)),
            };
            let _ = tx.blocking_send(last);
        });
        RequestsBody { rx, len: want }
    }
}

impl http_body::Body for RequestsBody {
    type Data = Bytes;
    type Error = std::io::Error;

    fn poll_frame(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        self.rx.poll_recv(cx).map(|o| o.map(|r| r.map(Frame::data)))
    }

    fn size_hint(&self) -> SizeHint {
        SizeHint::with_exact(self.len)
    }
}

#[cfg(test)]
mod tests;
