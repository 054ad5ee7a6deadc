//! Streaming JSONL block reader for big files.
//!
//! Invariant: blocks are consecutive runs of whole lines; `Block::bytes`
//! holds the file bytes from `start_offset`, and line numbers (1-based,
//! counting blank lines) and offsets stay exact across blocks. Every
//! non-blank line is either yielded by `Block::lines` or recorded in
//! `Block::bad` — never both, never neither. A line longer than the maximum
//! is never buffered whole. A regular file's blocks are ranges of its
//! mapping ([`crate::mapped`]), checked as read ones and yielding the same
//! lines (the tests read every case both ways).
//!
//! Size: over 300 lines because the block refill, the over-long-line skip
//! and the UTF-8 and truncation checks all move the same buffer cursor;
//! split, each would need the reader's private state.

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;
use std::sync::Arc;

use crate::block::Bytes;
pub use crate::block::{Block, Line, Lines};
use crate::error::{BadLine, LineError, ReadError};
use crate::mapped::MappedFile;
pub use mapped::{Next, Unchecked};

/// Small id of an input or result file, carried in blocks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct FileId(pub u16);

/// Reader settings.
#[derive(Debug, Clone, Copy)]
pub struct ReadOptions {
    /// Longest accepted line in bytes (without the newline).
    pub max_line_bytes: usize,
    /// Target size of one block.
    pub block_bytes: usize,
    /// Whether an input index keeps each row's byte offset (needed only to
    /// re-read request lines).
    pub offsets: bool,
}

impl Default for ReadOptions {
    fn default() -> Self {
        ReadOptions {
            max_line_bytes: 64 << 20,
            block_bytes: 1 << 20,
            offsets: true,
        }
    }
}

/// Reads a file as blocks of whole lines.
pub struct BlockReader<R = Source> {
    src: R,
    path: Arc<Path>,
    id: FileId,
    max_line: usize,
    target: usize,
    /// Unconsumed bytes; `buf[0]` starts line `buf_line` at offset `buf_offset`.
    buf: Vec<u8>,
    buf_offset: u64,
    buf_line: u64,
    eof: bool,
    started: bool,
    done: bool,
    seq: u64,
    rows: u64,
    /// The whole file, when it is mapped: blocks are ranges of it and
    /// `src` and `buf` go unused ([`crate::mapped`]).
    map: Option<Arc<MappedFile>>,
}

/// A file's bytes: read as they are, or gunzipped on the fly when the file
/// starts with the gzip magic bytes (`.jsonl.gz` downloads). A trait object
/// and not an enum of the two: through it `read_to_end` reaches `File`'s own
/// `read_buf`, which reads into a buffer's spare capacity as it is, where a
/// type implementing only `read` gets std's default, zeroing every byte first.
pub type Source = Box<dyn Read + Send>;

/// The first `N` bytes of `path`, or `None` when it is shorter.
fn magic<const N: usize>(path: &Path) -> io::Result<Option<[u8; N]>> {
    let mut magic = [0u8; N];
    let mut f = File::open(path)?;
    let mut got = 0;
    while got < N {
        match f.read(&mut magic[got..])? {
            0 => return Ok(None),
            n => got += n,
        }
    }
    Ok(Some(magic))
}

/// True when `path` starts with the gzip magic bytes. Offsets into such a file
/// count decompressed bytes, so callers that seek by offset decompress first.
pub fn is_gzip(path: &Path) -> io::Result<bool> {
    Ok(magic::<2>(path)? == Some([0x1f, 0x8b]))
}

/// The zstd frame magic: such a file is refused, not read as lines.
const ZSTD_MAGIC: [u8; 4] = [0x28, 0xb5, 0x2f, 0xfd];

impl BlockReader<Source> {
    /// Opens `path` (gunzipping it when it is gzip, refusing it when it is
    /// zstd); lines longer than `max_line_bytes` become `TooLong`.
    pub fn open(path: &Path, file: FileId, max_line_bytes: usize) -> Result<BlockReader<Source>, ReadError> {
        let path: Arc<Path> = Arc::from(path);
        if magic::<4>(&path).map_err(|e| ReadError::io(&path, e))? == Some(ZSTD_MAGIC) {
            return Err(ReadError::Invalid {
                reason: format!(
                    "{}: zstd-compressed; assay reads plain or gzip files: decompress it first (zstd -d)",
                    path.display()
                ),
                path,
            });
        }
        let gz = is_gzip(&path).map_err(|e| ReadError::io(&path, e))?;
        let f = File::open(&path).map_err(|e| ReadError::io(&path, e))?;
        if !gz && let Some(map) = MappedFile::open(&f) {
            let mut r = BlockReader::from_reader(Box::new(io::empty()) as Source, path, file, max_line_bytes);
            r.map = Some(Arc::new(map));
            return Ok(r);
        }
        let src: Source = if gz {
            Box::new(flate2::read::MultiGzDecoder::new(io::BufReader::with_capacity(
                1 << 20,
                f,
            )))
        } else {
            Box::new(f)
        };
        Ok(BlockReader::from_reader(src, path, file, max_line_bytes))
    }
}

impl<R: Read> BlockReader<R> {
    /// Reads from any byte source; `path` is used in messages.
    pub fn from_reader(src: R, path: Arc<Path>, file: FileId, max_line_bytes: usize) -> Self {
        BlockReader {
            src,
            path,
            id: file,
            max_line: max_line_bytes.max(1),
            target: ReadOptions::default().block_bytes,
            buf: Vec::new(),
            buf_offset: 0,
            buf_line: 1,
            eof: false,
            started: false,
            done: false,
            seq: 0,
            rows: 0,
            map: None,
        }
    }

    /// Sets the target block size (at least 1 byte; tests use tiny blocks).
    pub fn with_block_bytes(mut self, bytes: usize) -> Self {
        self.target = bytes.max(1);
        self
    }

    pub fn path(&self) -> &Arc<Path> {
        &self.path
    }

    /// Reads up to `want` (at least 64 KiB) more bytes; returns how many
    /// (0 at end of file). The bytes land in the buffer's spare capacity: a
    /// `File` (see [`Source`]) reads into it without zeroing it first, which
    /// a `resize` before each read would do over every byte of the file.
    fn fill(&mut self, want: usize) -> Result<usize, ReadError> {
        if self.eof {
            return Ok(0);
        }
        let chunk = want.max(64 << 10);
        let len = self.buf.len();
        self.buf.reserve(chunk);
        let n = match (&mut self.src).take(chunk as u64).read_to_end(&mut self.buf) {
            Ok(n) => n,
            Err(e) => {
                self.buf.truncate(len);
                return Err(ReadError::io(&self.path, e));
            }
        };
        // `take` stops early only at the end of the source.
        if n < chunk {
            self.eof = true;
        }
        Ok(n)
    }

    /// The next block, `None` at end of file, `Empty` if the file had no rows.
    pub fn next_block(&mut self) -> Result<Option<Block>, ReadError> {
        if self.done {
            return Ok(None);
        }
        if let Some(map) = &self.map {
            return self.next_mapped(Arc::clone(map));
        }
        while self.buf.len() < self.target && !self.eof {
            self.fill(self.target - self.buf.len())?;
        }
        if !self.started {
            self.started = true;
            if self.buf.starts_with(b"\xEF\xBB\xBF") {
                self.buf.drain(..3);
                self.buf_offset = 3;
            }
        }
        // Cut at the first newline at or after the target size; without
        // one, emit the complete lines before the partial last line, or read
        // on until a newline, the end of the file, or the line is too long.
        let mut from = (self.target - 1).min(self.buf.len());
        let mut single = false; // `buf[..from]` holds no newline
        let cut = loop {
            if let Some(i) = memchr::memchr(b'\n', &self.buf[from..]) {
                break from + i + 1;
            }
            if self.eof {
                break self.buf.len();
            }
            if !single {
                if let Some(j) = memchr::memrchr(b'\n', &self.buf[..from]) {
                    break j + 1;
                }
                single = true;
            }
            if self.buf.len() > self.max_line + 1 {
                return self.skip_long_line().map(Some);
            }
            from = self.buf.len();
            self.fill(self.target)?;
        };
        if cut == 0 {
            self.done = true;
            return match self.rows {
                0 => Err(ReadError::Empty {
                    path: Arc::clone(&self.path),
                }),
                _ => Ok(None),
            };
        }
        let cap = self.target.max(self.buf.len() - cut) + (64 << 10);
        let mut bytes = std::mem::replace(&mut self.buf, crate::block_pool::take(cap));
        self.buf.extend_from_slice(&bytes[cut..]);
        bytes.truncate(cut);
        let mut block = self.new_block(self.buf_line, self.buf_offset, Bytes::Owned(bytes));
        self.buf_offset += cut as u64;
        self.buf_line += self.check_lines(&mut block);
        Ok(Some(block))
    }

    /// Checks `block`'s lines ([`check::check`]) and counts its rows;
    /// returns the number of lines in the block.
    pub(super) fn check_lines(&mut self, block: &mut Block) -> u64 {
        let (lines, rows) = check::check(block, self.max_line, self.target);
        self.rows += rows;
        lines
    }

    /// The buffer holds the start of a line longer than the maximum and no
    /// newline: discard bytes up to its newline and return a block that
    /// holds only the `TooLong` record.
    fn skip_long_line(&mut self) -> Result<Block, ReadError> {
        let (line, offset) = (self.buf_line, self.buf_offset);
        let mut skipped: u64 = 0;
        // The skipped bytes end with `\r` (a read can split `\r` from `\n`).
        let mut ends_cr = false;
        loop {
            if let Some(i) = memchr::memchr(b'\n', &self.buf) {
                let cr = u64::from(match i {
                    0 => ends_cr,
                    _ => self.buf[i - 1] == b'\r',
                });
                skipped += i as u64;
                let total = skipped - cr;
                self.buf.drain(..=i);
                self.buf_offset += skipped + 1;
                self.buf_line += 1;
                return Ok(self.long_block(line, offset, total));
            }
            skipped += self.buf.len() as u64;
            ends_cr = self.buf.last().map_or(ends_cr, |&b| b == b'\r');
            self.buf.clear();
            if self.fill(self.target)? == 0 {
                self.buf_offset += skipped;
                return Ok(self.long_block(line, offset, skipped - u64::from(ends_cr)));
            }
        }
    }

    fn long_block(&mut self, line: u64, offset: u64, bytes: u64) -> Block {
        self.rows += 1;
        let mut block = self.new_block(line, offset, Bytes::Owned(Vec::new()));
        block.bad.push(BadLine {
            path: Arc::clone(&self.path),
            line,
            offset,
            reason: LineError::TooLong {
                bytes,
                max: self.max_line as u64,
            },
        });
        block.skip.push(line);
        block.rows = 1;
        block
    }

    /// The file's next block (numbered in order), its lines from
    /// `first_line` at file offset `start_offset`, not yet checked.
    fn new_block(&mut self, first_line: u64, start_offset: u64, bytes: Bytes) -> Block {
        let block = Block {
            path: Arc::clone(&self.path),
            file: self.id,
            seq: self.seq,
            first_line,
            start_offset,
            bytes,
            utf8: false,
            bad: Vec::new(),
            skip: Vec::new(),
            rows: 0,
            ends: Vec::new(),
            controls: Vec::new(),
        };
        self.seq += 1;
        block
    }
}

/// Reads a whole (small) file into blocks.
pub fn lines_of_file(path: &Path, file: FileId, opts: &ReadOptions) -> Result<Vec<Block>, ReadError> {
    let mut r = BlockReader::open(path, file, opts.max_line_bytes)?.with_block_bytes(opts.block_bytes);
    let mut out = Vec::new();
    while let Some(b) = r.next_block()? {
        out.push(b);
    }
    Ok(out)
}

mod check;
mod mapped;
mod split;
#[cfg(test)]
mod tests;
