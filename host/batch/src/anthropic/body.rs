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
use std::os::unix::fs::FileExt;
use std::path::Path;
use std::sync::Arc;

use crate::error::{LineError, json_kind};
use crate::row::{InputLine, ProviderOptions};

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

/// A scan failure before it is placed in an element.
enum Problem {
    Io(io::Error),
    Syntax { at: u64, what: String },
}

impl From<io::Error> for Problem {
    fn from(e: io::Error) -> Self {
        Problem::Io(e)
    }
}

impl Problem {
    fn syntax(at: u64, what: impl Into<String>) -> Self {
        Problem::Syntax { at, what: what.into() }
    }

    /// Places the problem: inside the element starting at `element` when
    /// given (its offset is reported and the problem byte named in the
    /// text), else at the problem byte.
    fn into_error<E>(self, path: &Arc<Path>, element: Option<u64>) -> BodyError<E> {
        self.placed(path, element.map(|o| (u64::MAX, o)))
    }

    fn placed<E>(self, path: &Arc<Path>, element: Option<(u64, u64)>) -> BodyError<E> {
        let path = Arc::clone(path);
        match (self, element) {
            (Problem::Io(source), _) => BodyError::Io { path, source },
            (Problem::Syntax { at, what }, None) => BodyError::Syntax {
                path,
                index: None,
                offset: at,
                what,
            },
            (Problem::Syntax { at, what }, Some((index, offset))) => BodyError::Syntax {
                path,
                index: (index != u64::MAX).then_some(index),
                offset,
                what: if at == offset {
                    what
                } else {
                    format!("{what} (at byte {at})")
                },
            },
        }
    }
}

fn show(b: u8) -> String {
    if b.is_ascii_graphic() {
        format!("`{}`", b as char)
    } else {
        format!("byte 0x{b:02x}")
    }
}

/// Buffered byte source that knows the file offset of every byte.
struct Scan<R> {
    src: R,
    buf: Vec<u8>,
    pos: usize,
    len: usize,
    /// File offset of `buf[0]`.
    base: u64,
}

/// A file read from a position without moving any shared cursor.
struct At<'f> {
    file: &'f File,
    pos: u64,
}

impl Read for At<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.file.read_at(buf, self.pos)?;
        self.pos += n as u64;
        Ok(n)
    }
}

impl<R: Read> Scan<R> {
    fn new(src: R, base: u64) -> Self {
        Scan::with_capacity(src, base, CHUNK)
    }

    fn with_capacity(src: R, base: u64, chunk: usize) -> Self {
        Scan {
            src,
            buf: vec![0; chunk],
            pos: 0,
            len: 0,
            base,
        }
    }

    fn offset(&self) -> u64 {
        self.base + self.pos as u64
    }

    /// Makes `buf[pos..len]` non-empty; `false` at end of file.
    fn fill(&mut self) -> io::Result<bool> {
        if self.pos < self.len {
            return Ok(true);
        }
        self.base += self.len as u64;
        self.pos = 0;
        self.len = 0;
        loop {
            match self.src.read(&mut self.buf) {
                Ok(n) => {
                    self.len = n;
                    return Ok(n > 0);
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
    }

    /// Skips a UTF-8 byte-order mark at the start of the file.
    fn skip_bom(&mut self) -> io::Result<()> {
        const BOM: &[u8] = b"\xEF\xBB\xBF";
        let mut seen = 0;
        while seen < BOM.len() {
            if !self.fill()? || self.buf[self.pos] != BOM[seen] {
                // Not a BOM: only a prefix of it could have been consumed,
                // which is not valid JSON anyway; leave the rest to the scanner.
                return Ok(());
            }
            self.pos += 1;
            seen += 1;
        }
        Ok(())
    }

    /// The next non-whitespace byte, not consumed.
    fn peek_nonws(&mut self) -> io::Result<Option<u8>> {
        loop {
            if !self.fill()? {
                return Ok(None);
            }
            while self.pos < self.len {
                let b = self.buf[self.pos];
                if matches!(b, b' ' | b'\t' | b'\n' | b'\r') {
                    self.pos += 1;
                } else {
                    return Ok(Some(b));
                }
            }
        }
    }

    /// Consumes one JSON value starting at the current (non-whitespace)
    /// byte, appending its bytes to `out` when given. Containers and
    /// strings are delimited structurally; a scalar runs to the next
    /// delimiter and is validated later by the element parser.
    fn value(&mut self, mut out: Option<&mut Vec<u8>>, stack: &mut Vec<u8>) -> Result<(), Problem> {
        let start = self.offset();
        if !self.fill()? {
            return Err(Problem::syntax(start, "unexpected end of file: expected a value"));
        }
        if !matches!(self.buf[self.pos], b'{' | b'[' | b'"') {
            loop {
                if !self.fill()? {
                    return Ok(());
                }
                let chunk = &self.buf[self.pos..self.len];
                let end = chunk
                    .iter()
                    .position(|b| matches!(b, b',' | b']' | b'}' | b' ' | b'\t' | b'\n' | b'\r'));
                let n = end.unwrap_or(chunk.len());
                push(&mut out, &chunk[..n], start)?;
                self.pos += n;
                if end.is_some() {
                    return Ok(());
                }
            }
        }
        stack.clear();
        let mut in_str = false;
        let mut esc = false;
        loop {
            if !self.fill()? {
                let what = if in_str {
                    "unexpected end of file inside a string".to_owned()
                } else {
                    let open = stack.last().map_or('?', |&b| b as char);
                    format!("unexpected end of file: unclosed `{open}`")
                };
                return Err(Problem::syntax(self.offset(), what));
            }
            let chunk = &self.buf[self.pos..self.len];
            let mut i = 0;
            let mut done = false;
            while i < chunk.len() {
                if in_str {
                    if esc {
                        esc = false;
                        i += 1;
                        continue;
                    }
                    match memchr::memchr2(b'"', b'\\', &chunk[i..]) {
                        None => i = chunk.len(),
                        Some(j) => {
                            i += j;
                            if chunk[i] == b'\\' {
                                esc = true;
                            } else {
                                in_str = false;
                                if stack.is_empty() {
                                    i += 1;
                                    done = true;
                                    break;
                                }
                            }
                            i += 1;
                        }
                    }
                    continue;
                }
                match chunk[i] {
                    b'"' => in_str = true,
                    b @ (b'{' | b'[') => stack.push(b),
                    b @ (b'}' | b']') => {
                        let open = if b == b'}' { b'{' } else { b'[' };
                        let at = self.base + (self.pos + i) as u64;
                        match stack.pop() {
                            Some(o) if o == open => {}
                            Some(o) => {
                                let want = if o == b'{' { '}' } else { ']' };
                                return Err(Problem::syntax(
                                    at,
                                    format!("mismatched `{}`: expected `{want}`", b as char),
                                ));
                            }
                            None => return Err(Problem::syntax(at, format!("unexpected `{}`", b as char))),
                        }
                        if stack.is_empty() {
                            i += 1;
                            done = true;
                            break;
                        }
                    }
                    _ => {}
                }
                i += 1;
            }
            push(&mut out, &chunk[..i], start)?;
            self.pos += i;
            if done {
                return Ok(());
            }
        }
    }

    /// Consumes `want` (after whitespace) or reports what was there.
    fn expect(&mut self, want: u8, context: &str) -> Result<(), Problem> {
        match self.peek_nonws()? {
            Some(b) if b == want => {
                self.pos += 1;
                Ok(())
            }
            Some(b) => Err(Problem::syntax(
                self.offset(),
                format!("expected `{}` {context}, found {}", want as char, show(b)),
            )),
            None => Err(Problem::syntax(
                self.offset(),
                format!("unexpected end of file: expected `{}` {context}", want as char),
            )),
        }
    }
}

fn push(out: &mut Option<&mut Vec<u8>>, bytes: &[u8], start: u64) -> Result<(), Problem> {
    if let Some(v) = out.as_deref_mut() {
        if v.len() + bytes.len() > MAX_ELEMENT_BYTES {
            return Err(Problem::syntax(
                start,
                format!("value longer than {MAX_ELEMENT_BYTES} bytes"),
            ));
        }
        v.extend_from_slice(bytes);
    }
    Ok(())
}

/// Keys shown in "no requests key" messages.
const SHOWN_KEYS: usize = 8;

fn scan_body<R: Read, E>(
    src: R,
    path: Arc<Path>,
    mut on_request: impl FnMut(RequestSpan<'_>) -> Result<(), E>,
) -> Result<u64, BodyError<E>> {
    let mut s = Scan::new(src, 0);
    let top = |p: Problem| p.placed(&path, None);
    let shape = |what: String| BodyError::Shape {
        path: Arc::clone(&path),
        what,
    };
    s.skip_bom().map_err(|e| top(e.into()))?;
    match s.peek_nonws().map_err(|e| top(e.into()))? {
        None => return Err(shape("the file is empty".into())),
        Some(b'{') => s.pos += 1,
        Some(b) => {
            return Err(shape(format!(
                "expected a JSON object with a \"requests\" array, found {}",
                json_kind(b)
            )));
        }
    }
    let mut stack = Vec::new();
    let mut key = Vec::new();
    let mut keys: Vec<String> = Vec::new();
    let mut count = None;
    let mut first = true;
    loop {
        let b = s.peek_nonws().map_err(|e| top(e.into()))?;
        match b {
            Some(b'}') if first => {
                s.pos += 1;
                break;
            }
            Some(b'"') => {}
            Some(b) => {
                return Err(top(Problem::syntax(
                    s.offset(),
                    format!("expected a key string in the top-level object, found {}", show(b)),
                )));
            }
            None => {
                return Err(top(Problem::syntax(
                    s.offset(),
                    "unexpected end of file inside the top-level object",
                )));
            }
        }
        first = false;
        let key_at = s.offset();
        key.clear();
        s.value(Some(&mut key), &mut stack).map_err(top)?;
        let name: String =
            serde_json::from_slice(&key).map_err(|e| top(Problem::syntax(key_at, format!("bad key string: {e}"))))?;
        s.expect(b':', "after a key").map_err(top)?;
        let vb = s.peek_nonws().map_err(|e| top(e.into()))?;
        if name == "requests" {
            if count.is_some() {
                return Err(shape(format!("duplicate \"requests\" key at byte {key_at}")));
            }
            match vb {
                Some(b'[') => s.pos += 1,
                Some(b) => return Err(shape(format!("\"requests\" is {}, expected an array", json_kind(b)))),
                None => {
                    return Err(top(Problem::syntax(
                        s.offset(),
                        "unexpected end of file after \"requests\":",
                    )));
                }
            }
            count = Some(scan_requests(&mut s, &path, &mut stack, &mut on_request)?);
        } else {
            if keys.len() < SHOWN_KEYS {
                keys.push(name);
            }
            if vb.is_none() {
                return Err(top(Problem::syntax(
                    s.offset(),
                    "unexpected end of file: expected a value",
                )));
            }
            s.value(None, &mut stack).map_err(top)?;
        }
        match s.peek_nonws().map_err(|e| top(e.into()))? {
            Some(b',') => s.pos += 1,
            Some(b'}') => {
                s.pos += 1;
                break;
            }
            Some(b) => {
                return Err(top(Problem::syntax(
                    s.offset(),
                    format!("expected `,` or `}}` in the top-level object, found {}", show(b)),
                )));
            }
            None => {
                return Err(top(Problem::syntax(
                    s.offset(),
                    "unexpected end of file inside the top-level object",
                )));
            }
        }
    }
    let Some(n) = count else {
        let listed = if keys.is_empty() {
            "it is empty".to_owned()
        } else {
            format!("keys: {}", keys.join(", "))
        };
        return Err(shape(format!(
            "the top-level object has no \"requests\" key ({listed})"
        )));
    };
    if let Some(b) = s.peek_nonws().map_err(|e| top(e.into()))? {
        return Err(top(Problem::syntax(
            s.offset(),
            format!("trailing data after the top-level object: {}", show(b)),
        )));
    }
    Ok(n)
}

/// Scans the `requests` array after its `[`; returns the element count.
fn scan_requests<R: Read, E>(
    s: &mut Scan<R>,
    path: &Arc<Path>,
    stack: &mut Vec<u8>,
    on_request: &mut impl FnMut(RequestSpan<'_>) -> Result<(), E>,
) -> Result<u64, BodyError<E>> {
    let mut elem = Vec::new();
    let mut index = 0u64;
    let at_elem = |p: Problem, index: u64, offset: u64| p.placed(path, Some((index, offset)));
    let eof_in_array = |index: u64, offset: u64| {
        Problem::syntax(offset, "unexpected end of file inside the \"requests\" array")
            .placed(path, Some((index, offset)))
    };
    let first = s.peek_nonws().map_err(|e| Problem::Io(e).placed(path, None))?;
    if first == Some(b']') {
        s.pos += 1;
        return Ok(0);
    }
    loop {
        let offset = s.offset();
        match s.peek_nonws().map_err(|e| Problem::Io(e).placed(path, None))? {
            None => return Err(eof_in_array(index, offset)),
            Some(b']') => {
                return Err(at_elem(
                    Problem::syntax(s.offset(), "trailing comma before `]`"),
                    index,
                    s.offset(),
                ));
            }
            Some(_) => {}
        }
        let offset = s.offset();
        elem.clear();
        s.value(Some(&mut elem), stack).map_err(|p| at_elem(p, index, offset))?;
        on_request(RequestSpan {
            index,
            offset,
            bytes: &elem,
        })
        .map_err(|error| BodyError::Stopped {
            path: Arc::clone(path),
            error,
        })?;
        match s.peek_nonws().map_err(|e| Problem::Io(e).placed(path, None))? {
            Some(b',') => s.pos += 1,
            Some(b']') => {
                s.pos += 1;
                return Ok(index + 1);
            }
            Some(b) => {
                return Err(at_elem(
                    Problem::syntax(
                        s.offset(),
                        format!("expected `,` or `]` after the element, found {}", show(b)),
                    ),
                    index,
                    offset,
                ));
            }
            None => return Err(eof_in_array(index, offset)),
        }
        index += 1;
    }
}
