//! The structural scanner under the request-body reader: a buffered byte
//! source that knows each byte's file offset, and a JSON value skipper
//! (string/escape state and a bracket stack) that copies a value's bytes
//! when asked.
//!
//! Invariant: a value's bytes are copied exactly as in the file, never more
//! than [`MAX_ELEMENT_BYTES`]; a structural problem is a [`Problem`] with
//! the byte offset where it is, placed in an element by the caller.
//!
//! Size: about 300 lines, the value skipper being one state machine.

use std::fs::File;
use std::io::{self, Read};
use std::os::unix::fs::FileExt;
use std::path::Path;
use std::sync::Arc;

use super::{BodyError, CHUNK, MAX_ELEMENT_BYTES};

/// A scan failure before it is placed in an element.
pub(super) enum Problem {
    Io(io::Error),
    Syntax { at: u64, what: String },
}

impl From<io::Error> for Problem {
    fn from(e: io::Error) -> Self {
        Problem::Io(e)
    }
}

impl Problem {
    pub(super) fn syntax(at: u64, what: impl Into<String>) -> Self {
        Problem::Syntax { at, what: what.into() }
    }

    /// Places the problem: inside the element starting at `element` when
    /// given (its offset is reported and the problem byte named in the
    /// text), else at the problem byte.
    pub(super) fn into_error<E>(self, path: &Arc<Path>, element: Option<u64>) -> BodyError<E> {
        self.placed(path, element.map(|o| (u64::MAX, o)))
    }

    pub(super) fn placed<E>(self, path: &Arc<Path>, element: Option<(u64, u64)>) -> BodyError<E> {
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

pub(super) fn show(b: u8) -> String {
    if b.is_ascii_graphic() {
        format!("`{}`", b as char)
    } else {
        format!("byte 0x{b:02x}")
    }
}

/// Buffered byte source that knows the file offset of every byte.
pub(super) struct Scan<R> {
    pub(super) src: R,
    pub(super) buf: Vec<u8>,
    pub(super) pos: usize,
    pub(super) len: usize,
    /// File offset of `buf[0]`.
    pub(super) base: u64,
}

/// A file read from a position without moving any shared cursor.
pub(super) struct At<'f> {
    pub(super) file: &'f File,
    pub(super) pos: u64,
}

impl Read for At<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.file.read_at(buf, self.pos)?;
        self.pos += n as u64;
        Ok(n)
    }
}

impl<R: Read> Scan<R> {
    pub(super) fn new(src: R, base: u64) -> Self {
        Scan::with_capacity(src, base, CHUNK)
    }

    pub(super) fn with_capacity(src: R, base: u64, chunk: usize) -> Self {
        Scan {
            src,
            buf: vec![0; chunk],
            pos: 0,
            len: 0,
            base,
        }
    }

    pub(super) fn offset(&self) -> u64 {
        self.base + self.pos as u64
    }

    /// Makes `buf[pos..len]` non-empty; `false` at end of file.
    pub(super) fn fill(&mut self) -> io::Result<bool> {
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
    pub(super) fn skip_bom(&mut self) -> io::Result<()> {
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
    pub(super) fn peek_nonws(&mut self) -> io::Result<Option<u8>> {
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
    pub(super) fn value(&mut self, mut out: Option<&mut Vec<u8>>, stack: &mut Vec<u8>) -> Result<(), Problem> {
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
    pub(super) fn expect(&mut self, want: u8, context: &str) -> Result<(), Problem> {
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

pub(super) fn push(out: &mut Option<&mut Vec<u8>>, bytes: &[u8], start: u64) -> Result<(), Problem> {
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
