//! A line over the cap is skipped unread and reported with its true length:
//! the length never counts the `\r` of a `\r\n` ending or of an unterminated
//! last line, wherever the reads split the line (found by the `lines` fuzz
//! target's length invariant).

use std::io::Read;
use std::path::Path;
use std::sync::Arc;

use assay_batch::{BlockReader, FileId, LineError};

/// A source that returns at most `chunk` bytes per read.
struct Chunked<'a> {
    rest: &'a [u8],
    chunk: usize,
}

impl Read for Chunked<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.rest.len().min(self.chunk).min(buf.len());
        buf[..n].copy_from_slice(&self.rest[..n]);
        self.rest = &self.rest[n..];
        Ok(n)
    }
}

/// The `TooLong` lengths reported for `data` read `chunk` bytes at a time
/// with a 10-byte cap, by line number.
fn too_long(data: &[u8], chunk: usize) -> Vec<(u64, u64)> {
    let src = Chunked { rest: data, chunk };
    let path: Arc<Path> = Arc::from(Path::new("long.jsonl"));
    let mut r = BlockReader::from_reader(src, path, FileId(0), 10).with_block_bytes(16);
    let mut out = Vec::new();
    while let Some(block) = r.next_block().expect("read from memory") {
        for b in &block.bad {
            match &b.reason {
                LineError::TooLong { bytes, max: 10 } => out.push((b.line, *bytes)),
                other => panic!("line {}: {other}", b.line),
            }
        }
    }
    out
}

#[test]
fn too_long_line_length_excludes_a_cr_read_apart_from_its_newline() {
    let mut data = vec![b'y'; 40];
    data.extend_from_slice(b"\r\n{}\n");
    // The first read ends right after the `\r`.
    assert_eq!(too_long(&data, 41), [(1, 40)]);
    assert_eq!(too_long(&data, 40), [(1, 40)]);
}

#[test]
fn too_long_unterminated_last_line_length_excludes_its_trailing_cr() {
    let mut data = b"{}\n".to_vec();
    data.extend_from_slice(&[b'y'; 40]);
    data.push(b'\r');
    assert_eq!(too_long(&data, 41), [(2, 40)]);
}
