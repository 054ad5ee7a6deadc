//! Blocks of whole lines and iteration over their rows.
//!
//! Invariant: `Block::lines` yields exactly the non-blank lines of the block
//! that the reader did not flag, with exact 1-based numbers and file
//! offsets, `\r\n` endings stripped, in file order. The flagged lines are
//! kept apart from their records (`Block::bad`), so a consumer that moves
//! the records out still never reads a flagged line as a row. A line's
//! `text` is given only when the reader checked its whole block as UTF-8,
//! so a parser need not check it again.

use std::ops::Range;
use std::path::Path;
use std::sync::Arc;

use crate::error::{BadLine, LineError};
use crate::lines::FileId;
use crate::mapped::MappedFile;

/// A run of whole lines of one file.
#[derive(Debug, Clone)]
pub struct Block {
    pub path: Arc<Path>,
    pub file: FileId,
    /// 0-based block number within the file.
    pub seq: u64,
    /// Number of the first line in `bytes` (1-based).
    pub first_line: u64,
    /// File offset of `bytes[0]`.
    pub start_offset: u64,
    /// The lines' bytes: read-only outside this crate, because
    /// [`Block::utf8`] vouches for them ([`Block::bytes`] reads them).
    pub(crate) bytes: Bytes,
    /// Set by the reader only after checking all of `bytes` as UTF-8.
    pub(crate) utf8: bool,
    /// Lines of this block that are not rows (sorted by line number).
    pub bad: Vec<BadLine>,
    /// Numbers of the lines in `bad` as the reader flagged them (sorted):
    /// what [`Block::lines`] skips, whatever becomes of `bad`.
    pub(crate) skip: Vec<u64>,
    /// Non-blank lines, flagged ones included: at least as many as
    /// [`Block::lines`] yields, for sizing what a consumer collects.
    pub(crate) rows: usize,
    /// Where each line of `bytes` ends (its `\n`, or the end of `bytes`),
    /// found once by the reader so iterating does not search again.
    pub(crate) ends: Vec<usize>,
    /// The lines (by position in `ends`, sorted) that may hold a byte below
    /// 0x20 besides their `\n` and a `\r` before it; every other line is
    /// vouched free of them ([`Line::clean`]).
    pub(crate) controls: Vec<usize>,
}

/// Where a block's bytes live: a buffer they were read into, or a range of
/// a mapped file ([`crate::mapped`]).
#[derive(Debug, Clone)]
pub(crate) enum Bytes {
    Owned(Vec<u8>),
    Mapped(Arc<MappedFile>, Range<usize>),
}

impl Bytes {
    pub(crate) fn as_slice(&self) -> &[u8] {
        match self {
            Bytes::Owned(v) => v,
            // The reader cuts ranges inside the map.
            Bytes::Mapped(m, r) => m.bytes().get(r.clone()).unwrap_or_default(),
        }
    }
}

impl std::fmt::Debug for MappedFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "MappedFile({} bytes)", self.bytes().len())
    }
}

/// A dropped block's buffer serves a later block ([`crate::block_pool`]);
/// a dropped mapped range may leave the resident set.
impl Drop for Block {
    fn drop(&mut self) {
        match &mut self.bytes {
            Bytes::Owned(v) => crate::block_pool::recycle(std::mem::take(v)),
            Bytes::Mapped(m, r) => m.release(r.start, r.end),
        }
    }
}

/// One non-blank line, without its `\n` / `\r\n`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Line<'a> {
    pub number: u64,
    pub offset: u64,
    pub bytes: &'a [u8],
    /// `bytes` as text, when the reader checked its whole block as UTF-8.
    pub text: Option<&'a str>,
    /// The file's last line, with no newline after it.
    pub last_unterminated: bool,
    /// The reader found no byte below 0x20 in `bytes` (a line it could not
    /// vouch for is `false`, whatever it holds).
    pub clean: bool,
}

impl<'a> Line<'a> {
    /// The line as a parser takes it.
    pub fn raw(&self) -> crate::RawLine<'a> {
        crate::RawLine {
            bytes: self.bytes,
            text: self.text,
            clean: self.clean,
        }
    }
}

impl Block {
    /// The bytes of the block's lines, from [`Block::start_offset`].
    pub fn bytes(&self) -> &[u8] {
        self.bytes.as_slice()
    }

    /// The good, non-blank lines of the block.
    pub fn lines(&self) -> Lines<'_> {
        Lines {
            bytes: self.bytes.as_slice(),
            utf8: self.utf8,
            start: 0,
            ends: &self.ends,
            at: 0,
            number: self.first_line,
            offset: self.start_offset,
            skip: &self.skip,
            controls: &self.controls,
        }
    }

    /// The block's non-blank lines, flagged ones included: an upper bound
    /// on what [`Block::lines`] yields.
    pub fn rows(&self) -> usize {
        self.rows
    }

    /// A [`BadLine`] for a line of this block.
    pub fn bad_line(&self, line: &Line<'_>, reason: LineError) -> BadLine {
        BadLine {
            path: Arc::clone(&self.path),
            line: line.number,
            offset: line.offset,
            reason: reason.on_line(line.last_unterminated),
        }
    }
}

/// Iterator over the good lines of a block.
pub struct Lines<'a> {
    bytes: &'a [u8],
    /// `bytes` were checked whole as UTF-8 ([`Block::utf8`]).
    utf8: bool,
    /// Where the next line starts in `bytes`.
    start: usize,
    /// The ends of the lines not yet yielded.
    ends: &'a [usize],
    /// The position in [`Block::ends`] of the next line.
    at: usize,
    number: u64,
    offset: u64,
    skip: &'a [u64],
    /// [`Block::controls`] not yet passed.
    controls: &'a [usize],
}

impl<'a> Iterator for Lines<'a> {
    type Item = Line<'a>;

    fn next(&mut self) -> Option<Line<'a>> {
        while let Some((&end, ends)) = self.ends.split_first() {
            self.ends = ends;
            let at = self.at;
            self.at += 1;
            while let Some((&c, rest)) = self.controls.split_first()
                && c < at
            {
                self.controls = rest;
            }
            let clean = self.controls.first() != Some(&at);
            let raw = self.bytes.get(self.start..end)?;
            let terminated = end < self.bytes.len();
            let advance = raw.len() + usize::from(terminated);
            let number = self.number;
            let offset = self.offset;
            self.start += advance;
            self.number += 1;
            self.offset += advance as u64;
            while let Some(&n) = self.skip.first() {
                if n < number {
                    self.skip = &self.skip[1..];
                } else {
                    break;
                }
            }
            if self.skip.first() == Some(&number) {
                continue;
            }
            let bytes = strip_cr(raw);
            if is_blank(bytes) {
                continue;
            }
            // SAFETY: `utf8` is the block's flag, which the reader sets only
            // after checking all of the block's bytes as UTF-8, and those
            // bytes are never changed after (`Block::bytes` is private to
            // this crate and only the reader writes it, before the check).
            // A line is cut at `\n` and loses a `\r`: ASCII bytes, which
            // never sit inside a multi-byte character, so the line is UTF-8.
            let text = self.utf8.then(|| unsafe { std::str::from_utf8_unchecked(bytes) });
            return Some(Line {
                number,
                offset,
                bytes,
                text,
                last_unterminated: !terminated,
                clean,
            });
        }
        None
    }
}

pub(crate) fn strip_cr(raw: &[u8]) -> &[u8] {
    match raw.split_last() {
        Some((b'\r', head)) => head,
        _ => raw,
    }
}

pub(crate) fn is_blank(line: &[u8]) -> bool {
    match line.first() {
        None => true,
        Some(b) if !b.is_ascii_whitespace() => false,
        _ => line.iter().all(u8::is_ascii_whitespace),
    }
}
