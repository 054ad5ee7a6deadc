//! Unit tests for the block reader: exact line numbers and offsets across
//! block boundaries, and every bad-line rule.

use super::*;
use std::io::Cursor;

fn reader(data: &[u8], block: usize, max: usize) -> BlockReader<Cursor<Vec<u8>>> {
    BlockReader::from_reader(
        Cursor::new(data.to_vec()),
        Arc::from(Path::new("t.jsonl")),
        FileId(3),
        max,
    )
    .with_block_bytes(block)
}

type Got = (Vec<(u64, u64, Vec<u8>, bool)>, Vec<BadLine>);

/// What the reader yields for `data`, read through a buffer; the same file
/// mapped ([`crate::mapped`]) must yield the same lines and bad lines.
fn collect(data: &[u8], block: usize, max: usize) -> Result<Got, ReadError> {
    let read = blocks_of(reader(data, block, max));
    let mut f = tempfile::NamedTempFile::new().expect("temp file");
    std::io::Write::write_all(&mut f, data).expect("write");
    let mapped = BlockReader::open(f.path(), FileId(3), max)
        .expect("open")
        .with_block_bytes(block);
    assert_eq!(
        mapped.map.is_some(),
        !data.is_empty(),
        "a non-empty regular file is mapped"
    );
    match (&read, blocks_of(mapped)) {
        (Ok((lines, bad)), Ok((m_lines, m_bad))) => {
            assert_eq!(lines, &m_lines, "lines read and mapped, blocks of {block}");
            let reasons = |b: &[BadLine]| {
                b.iter()
                    .map(|b| (b.line, b.offset, b.reason.clone()))
                    .collect::<Vec<_>>()
            };
            assert_eq!(
                reasons(bad),
                reasons(&m_bad),
                "bad lines read and mapped, blocks of {block}"
            );
        }
        (Err(e), Err(m)) => assert_eq!(std::mem::discriminant(e), std::mem::discriminant(&m)),
        (r, m) => panic!("read: {r:?}, mapped: {m:?}"),
    }
    read
}

fn blocks_of<R: Read>(mut r: BlockReader<R>) -> Result<Got, ReadError> {
    let (mut lines, mut bad) = (Vec::new(), Vec::new());
    let mut seq = 0;
    while let Some(b) = r.next_block()? {
        assert_eq!(b.seq, seq);
        assert_eq!(b.file, FileId(3));
        seq += 1;
        assert_eq!(
            b.rows(),
            b.lines().count() + b.bad.len(),
            "rows: yielded and flagged lines"
        );
        // A line's text is its bytes, given exactly when its whole block is UTF-8.
        let whole = std::str::from_utf8(b.bytes()).is_ok();
        for l in b.lines() {
            assert_eq!(l.text.map(str::as_bytes), whole.then_some(l.bytes), "line {}", l.number);
            // A line vouched clean holds no byte below 0x20 (its scan skips the check).
            assert!(!l.clean || l.bytes.iter().all(|&c| c >= 0x20), "line {}", l.number);
            lines.push((l.number, l.offset, l.bytes.to_vec(), l.last_unterminated));
        }
        bad.extend(b.bad.iter().cloned());
    }
    Ok((lines, bad))
}

#[test]
fn numbers_and_offsets_exact_across_tiny_blocks() {
    let mut data = Vec::new();
    let mut expect = Vec::new();
    for i in 1..=200u64 {
        let off = data.len() as u64;
        if i % 7 == 0 {
            data.extend_from_slice(b"   \n");
        } else if i % 11 == 0 {
            data.extend_from_slice(b"\n");
        } else {
            let s = format!("{{\"n\":{i}}}");
            data.extend_from_slice(s.as_bytes());
            data.extend_from_slice(if i % 3 == 0 { b"\r\n" } else { b"\n" });
            expect.push((i, off, s.into_bytes(), false));
        }
    }
    for block in [1, 2, 3, 5, 8, 13, 64, 1000, 1 << 20] {
        let Ok((lines, bad)) = collect(&data, block, 1000) else {
            panic!("read failed")
        };
        assert!(bad.is_empty());
        assert_eq!(lines, expect, "block size {block}");
    }
}

#[test]
fn bom_crlf_and_unterminated_last_line() {
    let data = b"\xEF\xBB\xBF{\"a\":1}\r\n\r\n{\"b\":2}";
    let Ok((lines, bad)) = collect(data, 4, 100) else {
        panic!("read failed")
    };
    assert!(bad.is_empty());
    assert_eq!(
        lines,
        vec![
            (1, 3, b"{\"a\":1}".to_vec(), false),
            (3, 14, b"{\"b\":2}".to_vec(), true)
        ]
    );
}

#[test]
fn not_utf8_reports_file_offset_of_first_bad_byte() {
    let data = b"{\"a\":1}\n{\"b\":\"\xC3\x28\"}\n{\"c\":3}\n";
    let Ok((lines, bad)) = collect(data, 1 << 20, 100) else {
        panic!("read failed")
    };
    assert_eq!(lines.len(), 2);
    assert_eq!(bad.len(), 1);
    assert_eq!(bad[0].line, 2);
    assert_eq!(bad[0].offset, 8);
    assert_eq!(bad[0].reason, LineError::NotUtf8 { offset: 14 });
    assert_eq!(bad[0].to_string(), "t.jsonl:2: invalid UTF-8 at byte offset 14");
}

/// Blocks are checked whole and only a block that fails line by line: at
/// every block size, exactly the lines a per-line check rejects are flagged,
/// at the same offsets, and the multi-byte lines around them are yielded.
#[test]
fn utf8_flags_match_a_per_line_check_at_every_block_size() {
    let lines: [&[u8]; 7] = [
        "{\"a\":\"é\"}".as_bytes(),
        b"{\"b\":\"\xE2\x82",
        b"\xAC\"}",
        "{\"c\":\"😀 ok\"}\r".as_bytes(),
        b"{\"d\":\"\xF0\x9F\x98\"}",
        b"",
        "{\"e\":\"ß\"}".as_bytes(),
    ];
    let data = lines.join(&b'\n');
    let (mut want_bad, mut offset) = (Vec::new(), 0u64);
    for (i, l) in lines.iter().enumerate() {
        if let Err(e) = std::str::from_utf8(l) {
            want_bad.push((i as u64 + 1, offset + e.valid_up_to() as u64));
        }
        offset += l.len() as u64 + 1;
    }
    assert_eq!(want_bad.len(), 3);
    for block in 1..=data.len() + 1 {
        let Ok((got, bad)) = collect(&data, block, 100) else {
            panic!("block {block}: read failed")
        };
        let bad: Vec<_> = bad
            .iter()
            .map(|b| match b.reason {
                LineError::NotUtf8 { offset } => (b.line, offset),
                _ => (b.line, u64::MAX),
            })
            .collect();
        assert_eq!(bad, want_bad, "block {block}");
        let numbers: Vec<u64> = got.iter().map(|l| l.0).collect();
        assert_eq!(numbers, vec![1, 4, 7], "block {block}");
    }
}

/// Lines with no byte below 0x20 but their `\n` (and a `\r` before it)
/// are vouched clean, at every block size; a tab between tokens or a raw
/// control byte in a string is not.
#[test]
fn a_line_is_vouched_clean_exactly_when_it_holds_no_control_byte() {
    let data = b"{\"a\":1}\n{\"b\":\t2}\r\n{\"c\":\"x\x01\"}\n{\"d\":3}\r\n{\"e\":\"\xC3\xA9\"}\n{\"f\":5}";
    for block in 1..=data.len() + 1 {
        let mut r = reader(data, block, 100);
        let mut got = Vec::new();
        while let Some(b) = r.next_block().expect("read") {
            got.extend(b.lines().map(|l| (l.number, l.clean)));
        }
        let want = [(1, true), (2, false), (3, false), (4, true), (5, true), (6, true)];
        assert_eq!(got, want, "block {block}");
    }
}

#[test]
fn the_good_lines_of_a_block_with_a_bad_one_come_without_text() {
    let mut r = reader(b"{\"a\":\"\xC3\xA9\"}\n{\"b\":\"\xE2\"}\n{\"c\":1}\n", 1 << 20, 100);
    let b = r.next_block().expect("read").expect("a block");
    assert_eq!(b.bad.len(), 1);
    let texts: Vec<(u64, Option<&str>)> = b.lines().map(|l| (l.number, l.text)).collect();
    assert_eq!(texts, [(1, None), (3, None)]);
    let mut r = reader(b"{\"a\":\"\xC3\xA9\"}\n{\"c\":1}", 1 << 20, 100);
    let b = r.next_block().expect("read").expect("a block");
    let texts: Vec<Option<&str>> = b.lines().map(|l| l.text).collect();
    assert_eq!(texts, [Some("{\"a\":\"é\"}"), Some("{\"c\":1}")]);
}

#[test]
fn too_long_lines_buffered_or_streamed() {
    let long = vec![b'x'; 200_000];
    let mut data = b"{\"a\":1}\n".to_vec();
    data.extend_from_slice(&long);
    data.extend_from_slice(b"\r\n{\"b\":2}\n");
    data.extend_from_slice(&long);
    for block in [16, 100, 1 << 20] {
        let Ok((lines, bad)) = collect(&data, block, 100) else {
            panic!("read failed")
        };
        let numbers: Vec<u64> = lines.iter().map(|l| l.0).collect();
        assert_eq!(numbers, vec![1, 3], "block {block}");
        assert_eq!(lines[1].1, 8 + 200_002);
        assert_eq!(bad.len(), 2, "block {block}");
        assert_eq!((bad[0].line, bad[0].offset), (2, 8));
        assert_eq!(
            bad[0].reason,
            LineError::TooLong {
                bytes: 200_000,
                max: 100
            }
        );
        assert_eq!(bad[1].line, 4);
        assert_eq!(
            bad[1].reason,
            LineError::TooLong {
                bytes: 200_000,
                max: 100
            }
        );
    }
}

#[test]
fn empty_and_blank_only_files() {
    for data in [&b""[..], b"\n\n  \r\n\t\n", b"\xEF\xBB\xBF", b"   "] {
        match collect(data, 2, 100) {
            Err(ReadError::Empty { path }) => assert_eq!(&*path, Path::new("t.jsonl")),
            other => panic!("expected Empty, got {other:?}"),
        }
    }
}

#[test]
fn file_of_only_bad_lines_is_not_empty() {
    let Ok((lines, bad)) = collect(b"\xFF\n", 1 << 20, 100) else {
        panic!("read failed")
    };
    assert!(lines.is_empty());
    assert_eq!(bad.len(), 1);
}

#[test]
fn open_missing_file_names_path() {
    match BlockReader::open(Path::new("/nonexistent/x.jsonl"), FileId(0), 10) {
        Err(e) => assert!(e.to_string().starts_with("/nonexistent/x.jsonl: ")),
        Ok(_) => panic!("expected an error"),
    }
}

#[test]
fn a_line_the_reader_flagged_is_never_a_row_even_after_its_record_is_taken() {
    let data = b"{\"a\":1}\n{\"b\":\"x\xffy\"}\n{\"c\":\"0123456789abc\"}\n{\"d\":2}\n{\"e\":\"caf\xc3";
    for block in [1, 7, 64, 4096] {
        let mut r = reader(data, block, 18);
        let (mut rows, mut records) = (Vec::new(), Vec::new());
        while let Some(mut b) = r.next_block().unwrap_or_else(|e| panic!("{e}")) {
            // Consumers move the records out before parsing the rows.
            records.extend(std::mem::take(&mut b.bad).into_iter().map(|x| x.line));
            rows.extend(b.lines().map(|l| l.number));
        }
        assert_eq!(rows, vec![1, 4], "block {block}");
        assert_eq!(records, vec![2, 3, 5], "block {block}: one record per bad line");
    }
}

/// A source that hands out a few bytes per read, is interrupted now and
/// then, and (if `fail_at` is set) fails once that many bytes are out.
struct Trickle {
    data: Vec<u8>,
    at: usize,
    reads: usize,
    fail_at: Option<usize>,
}

impl Read for Trickle {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.reads += 1;
        if self.reads.is_multiple_of(5) {
            return Err(io::Error::from(io::ErrorKind::Interrupted));
        }
        if self.fail_at.is_some_and(|f| self.at >= f) {
            return Err(io::Error::other("device went away"));
        }
        let n = (1 + self.reads % 7).min(buf.len()).min(self.data.len() - self.at);
        buf[..n].copy_from_slice(&self.data[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

fn trickle(data: &[u8], fail_at: Option<usize>, block: usize) -> BlockReader<Trickle> {
    let src = Trickle {
        data: data.to_vec(),
        at: 0,
        reads: 0,
        fail_at,
    };
    BlockReader::from_reader(src, Arc::from(Path::new("t.jsonl")), FileId(3), 1000).with_block_bytes(block)
}

#[test]
fn short_and_interrupted_reads_give_the_same_lines() {
    let data: Vec<u8> = (0..300).flat_map(|i| format!("{{\"n\":{i}}}\n").into_bytes()).collect();
    let Ok((want, _)) = collect(&data, 64, 1000) else {
        panic!("read failed")
    };
    for block in [1, 64, 1000, 1 << 20] {
        let mut r = trickle(&data, None, block);
        let mut got = Vec::new();
        while let Some(b) = r.next_block().expect("trickled read") {
            got.extend(
                b.lines()
                    .map(|l| (l.number, l.offset, l.bytes.to_vec(), l.last_unterminated)),
            );
        }
        assert_eq!(got, want, "block {block}");
    }
}

#[test]
fn a_read_error_mid_file_names_the_file_and_keeps_its_cause() {
    let data: Vec<u8> = (0..300).flat_map(|i| format!("{{\"n\":{i}}}\n").into_bytes()).collect();
    let mut r = trickle(&data, Some(1000), 64);
    let err = loop {
        match r.next_block() {
            Ok(Some(_)) => {}
            Ok(None) => panic!("the whole file was read past a failing device"),
            Err(e) => break e,
        }
    };
    assert_eq!(err.path(), Path::new("t.jsonl"));
    let source = std::error::Error::source(&err).map(ToString::to_string);
    assert_eq!(source.as_deref(), Some("device went away"));
}
