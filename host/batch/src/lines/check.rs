//! Checking a block's lines: what the reader vouches for before a block
//! is parsed.
//!
//! Invariant: every non-blank line of the block is either good (its text
//! is UTF-8 and at most the maximum long) or recorded in `Block::bad` and
//! `Block::skip` with its file offset and the reason; `Block::ends` holds
//! where every line ends, so iterating never searches again, and
//! `Block::controls` every line that may hold a byte below 0x20.

use std::sync::Arc;

use crate::block::{Block, Bytes, is_blank, strip_cr};
use crate::error::{BadLine, LineError};

use super::split;

/// Validates every line of `block` (length against `max_line`, UTF-8),
/// records bad ones, counts rows and notes where each line ends; returns
/// the number of lines in the block and how many are rows (non-blank).
/// `target` is the reader's block size, a bound on the guess of how many
/// lines to make room for.
pub(super) fn check(block: &mut Block, max_line: usize, target: usize) -> (u64, u64) {
    // Out of the block while its other fields are filled in; put back below.
    let bytes = std::mem::replace(&mut block.bytes, Bytes::Owned(Vec::new()));
    let all = bytes.as_slice();
    // A guess from the line length of the first, grown if need be.
    let first = memchr::memchr(b'\n', all).map_or(all.len(), |i| i + 1);
    // Capped by the target size: a mapped block around one very long line
    // is far larger than its line count.
    block.ends = Vec::with_capacity(all.len().min(target) / first.max(1) + 16);
    // One pass over the block: lines split at `\n` (and lose a `\r`),
    // ASCII bytes that never sit inside a character, so every line of a
    // valid block is valid. Per-line checks only for a block that is not,
    // to name its bad lines: one call per block is cheaper than a call per
    // line.
    let all_utf8 = split::check(all, &mut block.ends, &mut block.controls);
    block.utf8 = all_utf8;
    let mut number = block.first_line;
    let mut rows = 0;
    let mut start = 0;
    for &end in &block.ends {
        let raw = &all[start..end];
        let offset = block.start_offset + start as u64;
        let line = strip_cr(raw);
        if !is_blank(line) {
            rows += 1;
            block.rows += 1;
            let reason = if line.len() > max_line {
                Some(LineError::TooLong {
                    bytes: line.len() as u64,
                    max: max_line as u64,
                })
            } else if all_utf8 {
                None
            } else {
                // simdutf8's fast check first; std's slower one only to
                // locate the first bad byte of a line that failed.
                simdutf8::basic::from_utf8(line)
                    .err()
                    .and_then(|_| std::str::from_utf8(line).err())
                    .map(|e| LineError::NotUtf8 {
                        offset: offset + e.valid_up_to() as u64,
                    })
            };
            if let Some(reason) = reason {
                block.skip.push(number);
                block.bad.push(BadLine {
                    path: Arc::clone(&block.path),
                    line: number,
                    offset,
                    reason,
                });
            }
        }
        start = end + 1;
        number += 1;
    }
    block.bytes = bytes;
    (number - block.first_line, rows)
}
