//! Reading a partial: the header at open, then its lines one at a time, so
//! a merge holds one decoded line per partial, never a whole partial.
//!
//! Invariant: a reader yields lines only from a file whose first line is a
//! partial header of this version, and it ends cleanly only at a trailer
//! whose counts match the lines it yielded, with nothing after it; every
//! other ending is an error naming the file and the line.

use std::fs::File;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};

use flate2::read::GzDecoder;
use serde_json::Value;

use super::row::{self, Row};
use super::{FORMAT, Header, PartialError, Trailer, VERSION};
use crate::report::summary::BadLineEntry;

/// One line of a partial's body.
pub enum Item {
    Row(Row),
    Bad(BadLineEntry),
}

pub struct Reader {
    pub path: PathBuf,
    pub header: Header,
    lines: std::io::Lines<BufReader<GzDecoder<File>>>,
    line: u64,
    rows: u64,
    bad: u64,
    done: bool,
}

/// Opens `path` and reads its header.
pub fn open(path: &Path) -> Result<Reader, PartialError> {
    let open_err = |source| PartialError::Open {
        path: path.to_owned(),
        source,
    };
    let not = |reason: &str| PartialError::NotAPartial {
        path: path.to_owned(),
        reason: reason.to_owned(),
    };
    let mut file = File::open(path).map_err(open_err)?;
    if !file.metadata().map_err(open_err)?.is_file() {
        return Err(not("not a regular file"));
    }
    let mut magic = [0u8; 2];
    if file.read_exact(&mut magic).is_err() || magic != [0x1f, 0x8b] {
        return Err(not("not gzip-compressed"));
    }
    let file = File::open(path).map_err(open_err)?;
    let mut lines = BufReader::new(GzDecoder::new(file)).lines();
    let first = match lines.next() {
        Some(Ok(l)) => l,
        Some(Err(e)) => {
            return Err(PartialError::Truncated {
                path: path.to_owned(),
                reason: format!("cannot read its header: {e}"),
            });
        }
        None => return Err(not("empty")),
    };
    let v: Value = serde_json::from_str(&first).map_err(|_| not("its first line is not a JSON header"))?;
    if v.get("format").and_then(Value::as_str) != Some(FORMAT) {
        return Err(not(&format!("its header does not say \"format\": \"{FORMAT}\"")));
    }
    let found = v.get("version").and_then(Value::as_u64).unwrap_or(0);
    if found != u64::from(VERSION) {
        return Err(PartialError::Version {
            path: path.to_owned(),
            found: u32::try_from(found).unwrap_or(u32::MAX),
        });
    }
    let header: Header = serde_json::from_value(v).map_err(|e| PartialError::Corrupt {
        path: path.to_owned(),
        line: 1,
        reason: format!("header: {e}"),
    })?;
    Ok(Reader {
        path: path.to_owned(),
        header,
        lines,
        line: 1,
        rows: 0,
        bad: 0,
        done: false,
    })
}

impl Reader {
    fn corrupt(&self, reason: impl Into<String>) -> PartialError {
        PartialError::Corrupt {
            path: self.path.clone(),
            line: self.line,
            reason: reason.into(),
        }
    }

    fn truncated(&self, reason: impl Into<String>) -> PartialError {
        PartialError::Truncated {
            path: self.path.clone(),
            reason: reason.into(),
        }
    }

    /// The next body line; `None` after a matching trailer.
    pub fn next_item(&mut self) -> Result<Option<Item>, PartialError> {
        if self.done {
            return Ok(None);
        }
        let text = match self.lines.next() {
            Some(Ok(l)) => l,
            Some(Err(e)) => return Err(self.truncated(format!("after line {}: {e}", self.line))),
            None => return Err(self.truncated(format!("no trailer after line {}", self.line))),
        };
        self.line += 1;
        let v: Value = serde_json::from_str(&text).map_err(|e| self.corrupt(e.to_string()))?;
        if v.is_array() {
            let r = row::decode(&v, self.header.scorers.len()).map_err(|e| self.corrupt(e))?;
            self.rows += 1;
            return Ok(Some(Item::Row(r)));
        }
        if let Some(b) = v.get("bad") {
            let entry = match b.as_array().map(Vec::as_slice) {
                Some([Value::String(file), line, Value::String(reason)]) => BadLineEntry {
                    file: file.clone(),
                    line: line.as_u64().ok_or_else(|| self.corrupt("bad line: no line number"))?,
                    reason: reason.clone(),
                },
                _ => return Err(self.corrupt("bad line: expected [file, line, reason]")),
            };
            self.bad += 1;
            return Ok(Some(Item::Bad(entry)));
        }
        let Some(end) = v.get("end") else {
            return Err(self.corrupt("neither a row, a bad line nor the trailer"));
        };
        let t: Trailer = serde_json::from_value(end.clone()).map_err(|e| self.corrupt(format!("trailer: {e}")))?;
        if t.rows != self.rows || t.bad != self.bad {
            return Err(self.truncated(format!(
                "the trailer counts {} rows and {} bad lines; the file holds {} and {}",
                t.rows, t.bad, self.rows, self.bad
            )));
        }
        match self.lines.next() {
            None => {}
            Some(Ok(_)) => return Err(self.corrupt("lines after the trailer")),
            Some(Err(e)) => return Err(self.truncated(format!("after the trailer: {e}"))),
        }
        self.done = true;
        Ok(None)
    }
}
