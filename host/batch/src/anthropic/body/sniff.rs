//! Telling a Message Batches request body (`{"requests": [...]}`, one JSON
//! document, often on one line or pretty-printed) from JSONL requests.
//!
//! Invariant: the decision reads the file's first JSON value as a stream,
//! never buffering it, so a first line of any length is judged by what it
//! is: an object with a top-level `requests` key, or one that does not end
//! on its first line, is a body; a first line that is a whole object
//! without `requests` (or not an object) is JSONL.

use std::cell::Cell;
use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::Path;

use serde::de::{self, Deserializer, IgnoredAny, MapAccess, Visitor};

/// Counts the bytes read and notes whether a newline was among them.
struct Counting<R> {
    inner: R,
    newline: bool,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        if !self.newline && memchr::memchr(b'\n', &buf[..n]).is_some() {
            self.newline = true;
        }
        Ok(n)
    }
}

/// Walks the top-level keys; stops with an error at `requests`.
struct TopKeys<'a>(&'a Cell<bool>);

impl<'de> Visitor<'de> for TopKeys<'_> {
    type Value = ();
    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("a JSON object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(k) = map.next_key::<String>()? {
            if k == "requests" {
                self.0.set(true);
                return Err(de::Error::custom("found `requests`"));
            }
            map.next_value::<IgnoredAny>()?;
        }
        Ok(())
    }
}

/// True when `path` holds a request body rather than JSONL (see the module
/// docs). Reads the raw file (a gzip file is not a body).
pub fn is_requests_body(path: &Path) -> io::Result<bool> {
    let mut r = BufReader::with_capacity(64 << 10, File::open(path)?);
    if r.fill_buf()?.starts_with(b"\xEF\xBB\xBF") {
        r.consume(3);
    }
    loop {
        let buf = r.fill_buf()?;
        let Some(&b) = buf.first() else {
            return Ok(false);
        };
        if !b.is_ascii_whitespace() {
            if b != b'{' {
                return Ok(false);
            }
            break;
        }
        r.consume(1);
    }
    let found = Cell::new(false);
    let mut src = Counting {
        inner: r,
        newline: false,
    };
    let mut de = serde_json::Deserializer::from_reader(&mut src);
    let res = (&mut de).deserialize_map(TopKeys(&found));
    if found.get() {
        return Ok(true);
    }
    Ok(match res {
        // The whole object was read: a body when it spans lines.
        Ok(()) => src.newline,
        // A syntax error on the first line is a bad JSONL line (serde_json
        // counts the newline that ends an unterminated string as line 2, column 0).
        Err(e) if e.is_io() => return Err(io::Error::other(e)),
        Err(e) => e.line() > 2 || (e.line() == 2 && e.column() > 0),
    })
}
