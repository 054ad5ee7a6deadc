//! The line splitter ([`assay_batch::BlockReader`]) against an independent
//! split of the same bytes.
//!
//! Invariant checked: every non-blank line is yielded by `Block::lines` or
//! listed in `Block::bad`, never both and never neither, with its exact
//! 1-based number, file offset and bytes (`\r\n` stripped, a leading BOM
//! skipped); no yielded line is longer than the cap; a too-long line is
//! reported with its true length. The only line reported that is not a
//! non-blank line is a blank line longer than the cap (skipped unread).

use std::io::Read;
use std::path::Path;
use std::sync::Arc;

use assay_batch::{Block, BlockReader, FileId, LineError, ReadError};

/// One line of the independent split.
#[derive(Debug, Clone, Copy)]
pub struct Expected<'a> {
    pub number: u64,
    pub offset: u64,
    pub bytes: &'a [u8],
}

fn blank(b: &[u8]) -> bool {
    b.iter().all(u8::is_ascii_whitespace)
}

/// Splits `data` the way a file is meant to be read: lines on `\n`, a
/// trailing `\r` stripped, a leading UTF-8 BOM skipped. Blank lines included.
pub fn split(data: &[u8]) -> Vec<Expected<'_>> {
    let (mut rest, mut offset) = match data.strip_prefix(b"\xEF\xBB\xBF") {
        Some(r) => (r, 3u64),
        None => (data, 0u64),
    };
    let mut out = Vec::new();
    let mut number = 1;
    while !rest.is_empty() {
        let (raw, adv) = match rest.iter().position(|&b| b == b'\n') {
            Some(i) => (&rest[..i], i + 1),
            None => (rest, rest.len()),
        };
        let bytes = raw.strip_suffix(b"\r").unwrap_or(raw);
        out.push(Expected { number, offset, bytes });
        rest = &rest[adv..];
        number += 1;
        offset += adv as u64;
    }
    out
}

/// Reads all blocks of `src`; `Ok(None)` when the reader says the file has no rows.
pub fn read_all<R: Read>(reader: &mut BlockReader<R>) -> Result<Option<Vec<Block>>, ReadError> {
    let mut blocks = Vec::new();
    loop {
        match reader.next_block() {
            Ok(Some(b)) => blocks.push(b),
            Ok(None) => return Ok(Some(blocks)),
            Err(ReadError::Empty { .. }) => return Ok(None),
            Err(e) => return Err(e),
        }
    }
}

/// A plain reader over bytes in memory.
pub fn plain_reader(data: &[u8], max_line: usize, block_bytes: usize) -> BlockReader<&[u8]> {
    let path: Arc<Path> = Arc::from(Path::new("fuzz.jsonl"));
    BlockReader::from_reader(data, path, FileId(0), max_line).with_block_bytes(block_bytes)
}

/// Checks the blocks read from `data` against [`split`]; panics on a broken invariant.
pub fn check_blocks(data: &[u8], blocks: Option<&[Block]>, max_line: usize) {
    let expected = split(data);
    let non_blank = expected.iter().filter(|e| !blank(e.bytes)).count();
    let Some(blocks) = blocks else {
        assert_eq!(non_blank, 0, "reader said empty but the file has non-blank lines");
        return;
    };
    let mut seen = vec![0u8; expected.len() + 1];
    for block in blocks {
        for line in block.lines() {
            let i = line.number as usize;
            let e = expected
                .get(i.wrapping_sub(1))
                .unwrap_or_else(|| panic!("line {i} beyond the file"));
            assert_eq!(line.bytes, e.bytes, "bytes of line {i}");
            assert_eq!(line.offset, e.offset, "offset of line {i}");
            assert!(!blank(line.bytes), "blank line {i} yielded");
            assert!(line.bytes.len() <= max_line, "line {i} over the cap yielded");
            assert!(std::str::from_utf8(line.bytes).is_ok(), "non-UTF-8 line {i} yielded");
            // The text handed over unchecked (its block was checked whole) is the line.
            let whole = std::str::from_utf8(block.bytes()).is_ok();
            assert_eq!(
                line.text.map(str::as_bytes),
                whole.then_some(line.bytes),
                "text of line {i}"
            );
            seen[i] += 1;
        }
        for bad in &block.bad {
            let i = bad.line as usize;
            let e = expected
                .get(i.wrapping_sub(1))
                .unwrap_or_else(|| panic!("bad line {i} beyond the file"));
            assert_eq!(bad.offset, e.offset, "offset of bad line {i}");
            match &bad.reason {
                LineError::TooLong { bytes, max } => {
                    assert_eq!(*max, max_line as u64);
                    assert!(
                        e.bytes.len() > max_line,
                        "line {i} of {} bytes called too long",
                        e.bytes.len()
                    );
                    assert_eq!(*bytes, e.bytes.len() as u64, "length reported for too-long line {i}");
                }
                LineError::NotUtf8 { offset } => {
                    assert!(!blank(e.bytes), "blank line {i} reported as bad");
                    let valid = std::str::from_utf8(e.bytes).err().map(|x| x.valid_up_to() as u64);
                    assert_eq!(Some(*offset - e.offset), valid, "first bad byte of line {i}");
                }
                other => panic!("reader reported line {i} as {other}"),
            }
            seen[i] += 1;
        }
    }
    for e in &expected {
        let n = seen[e.number as usize];
        let long_blank = blank(e.bytes) && e.bytes.len() > max_line;
        match (blank(e.bytes), n) {
            (false, 1) | (true, 0) => {}
            (true, 1) if long_blank => {}
            _ => panic!("line {} accounted for {n} times (blank: {})", e.number, blank(e.bytes)),
        }
    }
}

/// What a read yields, without the path: good lines and bad lines.
type Shown = (Vec<(u64, u64, Vec<u8>)>, Vec<(u64, u64, String)>);

fn show(blocks: Option<&[Block]>) -> Option<Shown> {
    let blocks = blocks?;
    let mut good = Vec::new();
    let mut bad = Vec::new();
    for b in blocks {
        good.extend(b.lines().map(|l| (l.number, l.offset, l.bytes.to_vec())));
        bad.extend(b.bad.iter().map(|x| (x.line, x.offset, x.reason.to_string())));
    }
    Some((good, bad))
}

/// A scratch file of this process for the readers that take a path.
pub fn scratch(name: &str, bytes: &[u8]) -> std::path::PathBuf {
    let path = std::env::temp_dir().join(format!("assay-fuzz-{}-{name}", std::process::id()));
    if let Err(e) = std::fs::write(&path, bytes) {
        panic!("cannot write {}: {e}", path.display());
    }
    path
}

fn open_all(path: &Path, max_line: usize, block_bytes: usize) -> Result<Option<Vec<Block>>, ReadError> {
    let mut r = BlockReader::open(path, FileId(0), max_line)?.with_block_bytes(block_bytes);
    read_all(&mut r)
}

/// The splitter on `data` as a plain file, on `data` gzipped, and on
/// `data` itself as a file (gzip when it starts with the magic bytes).
pub fn check_gzip(data: &[u8]) {
    use std::io::Write;
    let (max_line, block_bytes) = crate::settings(data);
    let Ok(plain) = read_all(&mut plain_reader(data, max_line, block_bytes)) else {
        panic!("reading from memory cannot fail");
    };
    check_blocks(data, plain.as_deref(), max_line);
    let want = show(plain.as_deref());

    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    let packed = gz.write_all(data).and_then(|()| gz.finish());
    let Ok(packed) = packed else {
        panic!("gzip into memory cannot fail")
    };
    let path = scratch("gz", &packed);
    match open_all(&path, max_line, block_bytes) {
        Ok(b) => assert_eq!(show(b.as_deref()), want, "gzipped file reads like the plain one"),
        Err(e) => panic!("gzipped file: {e}"),
    }

    let path = scratch("raw", data);
    let read = open_all(&path, max_line, block_bytes);
    if data.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
        // A zstd frame is refused at open, naming the format, never read as lines.
        match read {
            Err(ReadError::Invalid { reason, .. }) => assert!(reason.contains("zstd"), "{reason}"),
            r => panic!("zstd file: {:?}", r.map(|_| ())),
        }
        return;
    }
    if !data.starts_with(&[0x1f, 0x8b]) {
        let Ok(b) = read else { panic!("plain file read failed") };
        assert_eq!(show(b.as_deref()), want, "file reads like memory");
        return;
    }
    let mut unpacked = Vec::new();
    let decoded = flate2::read::MultiGzDecoder::new(data).read_to_end(&mut unpacked);
    match (read, decoded) {
        (Ok(b), Ok(_)) => {
            check_blocks(&unpacked, b.as_deref(), max_line);
        }
        (Err(ReadError::Io { .. }), Err(_)) => {}
        (r, d) => panic!("reader {:?} but decoder {:?}", r.map(|_| ()), d.map(|_| ())),
    }
}
