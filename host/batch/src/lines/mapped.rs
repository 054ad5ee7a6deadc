//! The block reader over a mapped file ([`crate::mapped`]): blocks are
//! ranges of the map, each ending at the first newline at or after the
//! target size (a read block usually ends at the last newline its buffer
//! holds, so the two cut in different places), and may be handed out
//! unchecked for a caller to check on its own threads.
//!
//! Invariant: a mapped file yields exactly the lines, line numbers,
//! offsets and bad lines a read of the same file yields (the reader's tests
//! read every case both ways); an unchecked block numbers its lines from 1
//! and says how many it holds, so a caller that adds the counts of the
//! blocks before it, in order, gets the file's numbers.

use std::io::Read;
use std::sync::Arc;

use super::{BlockReader, check};
use crate::block::{Block, Bytes};
use crate::error::ReadError;
use crate::mapped::MappedFile;

impl<R: Read> BlockReader<R> {
    /// [`BlockReader::next_block`] for a mapped file: the block a range of
    /// the map, up to the first newline at or after the target size (or the
    /// end of the file). A line over the maximum needs no
    /// buffer here: it stays in its block, where `check_lines` flags it.
    pub(super) fn next_mapped(&mut self, map: Arc<MappedFile>) -> Result<Option<Block>, ReadError> {
        let Some(mut block) = self.cut_mapped(map, self.buf_line) else {
            self.done = true;
            return match self.rows {
                0 => Err(ReadError::Empty {
                    path: Arc::clone(&self.path),
                }),
                _ => Ok(None),
            };
        };
        self.buf_line += self.check_lines(&mut block);
        Ok(Some(block))
    }

    /// The next block of a mapped file, its lines not yet checked and
    /// numbered from `first_line`; `None` at the end of the file.
    fn cut_mapped(&mut self, map: Arc<MappedFile>, first_line: u64) -> Option<Block> {
        let all = map.bytes();
        if !self.started {
            self.started = true;
            if all.starts_with(b"\xEF\xBB\xBF") {
                self.buf_offset = 3;
                map.release(0, 3);
            }
        }
        // The offset is within the map, whose length is a `usize`.
        let start = usize::try_from(self.buf_offset).unwrap_or(all.len()).min(all.len());
        let rest = &all[start..];
        if rest.is_empty() {
            return None;
        }
        let from = (self.target - 1).min(rest.len());
        let cut = memchr::memchr(b'\n', &rest[from..]).map_or(rest.len(), |i| from + i + 1);
        let block = self.new_block(first_line, self.buf_offset, Bytes::Mapped(map, start..start + cut));
        self.buf_offset += cut as u64;
        Some(block)
    }

    /// The next block, for a caller that checks blocks on threads of its
    /// own: a mapped file's block comes cut but unchecked ([`Unchecked`]),
    /// any other file's checked as [`BlockReader::next_block`] gives it.
    /// An unchecked block's lines are numbered from 1: the caller adds the
    /// lines of the blocks before it, in order. A file with no row at all
    /// is not an error here: the caller sees that it found none.
    pub fn next_deferred(&mut self) -> Result<Option<Next>, ReadError> {
        if self.done {
            return Ok(None);
        }
        let Some(map) = &self.map else {
            return Ok(self.next_block()?.map(Next::Checked));
        };
        match self.cut_mapped(Arc::clone(map), 1) {
            Some(block) => Ok(Some(Next::Unchecked(Unchecked {
                block,
                max_line: self.max_line,
                target: self.target,
            }))),
            None => {
                self.done = true;
                Ok(None)
            }
        }
    }
}

/// What [`BlockReader::next_deferred`] gives.
pub enum Next {
    /// A block checked by the reader, its lines numbered in the file.
    Checked(Block),
    /// A block still to check, its lines numbered from 1 within it.
    Unchecked(Unchecked),
}

/// A mapped block cut but not checked: [`Unchecked::check`] on any thread.
pub struct Unchecked {
    block: Block,
    max_line: usize,
    target: usize,
}

impl Unchecked {
    /// The block checked as the reader checks it (line lengths, UTF-8,
    /// line ends, bad lines), its lines numbered from 1, and how many lines
    /// it holds.
    pub fn check(mut self) -> (Block, u64) {
        let (lines, _) = check::check(&mut self.block, self.max_line, self.target);
        (self.block, lines)
    }
}
