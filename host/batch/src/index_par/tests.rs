use super::*;
use crate::openai::parse_input;
use crate::provider::RawLine;
use crate::row::InputLine;

/// `text` written as `in.jsonl` in a fresh directory named after `tag`.
fn input_file(tag: &str, text: &str) -> (std::path::PathBuf, std::path::PathBuf) {
    let dir = std::env::temp_dir().join(format!("assay-{tag}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("tmp dir");
    let path = dir.join("in.jsonl");
    std::fs::write(&path, text).expect("write");
    (dir, path)
}

/// Reading options with 4 KiB blocks, so a small file spans many blocks.
fn small_blocks() -> ReadOptions {
    ReadOptions {
        block_bytes: 4096,
        ..ReadOptions::default()
    }
}

/// `path` indexed on `threads` threads in 4 KiB blocks by `parse`.
fn index_on(
    path: &std::path::Path,
    threads: usize,
    parse: InputParser,
) -> Result<(InputIndex, Vec<BadLine>), ReadError> {
    read_input_parallel(
        path,
        FileId(0),
        &small_blocks(),
        threads,
        parse,
        &ProviderOptions::default(),
        &AtomicBool::new(false),
    )
}

#[test]
fn same_result_as_the_sequential_reader_for_any_thread_count() {
    let mut text = String::new();
    for i in 0..5000 {
        if i == 17 {
            text.push_str("{broken\n");
        }
        if i == 40 {
            text.push_str("{\"custom_id\":\"r-3\",\"body\":{\"model\":\"m\"}}\n");
        }
        if i % 5 == 4 {
            // No model: counted under "".
            text.push_str(&format!("{{\"custom_id\":\"r-{i}\",\"body\":{{}}}}\n"));
            continue;
        }
        text.push_str(&format!(
            "{{\"custom_id\":\"r-{i}\",\"body\":{{\"model\":\"m{}\"}}}}\n",
            i % 3
        ));
    }
    let (dir, path) = input_file("index-par", &text);
    let (want, want_bad) = crate::read_input(&path, FileId(0), &small_blocks()).expect("sequential");
    for threads in [1, 2, 5] {
        let (got, got_bad) = index_on(&path, threads, parse_input).expect("parallel");
        assert_eq!(got.len(), want.len());
        for i in 0..want.len() as u32 {
            assert_eq!(
                (got.id(i), got.offset(i), got.line(i)),
                (want.id(i), want.offset(i), want.line(i))
            );
        }
        assert_eq!(got.models(), want.models());
        let models: Vec<(&str, u64)> = got.models().iter().map(|(m, n)| (m.as_str(), *n)).collect();
        assert_eq!(models, [("m0", 1334), ("m1", 1333), ("m2", 1333), ("", 1000)]);
        let lines = |b: &[BadLine]| b.iter().map(|x| (x.line, x.reason.to_string())).collect::<Vec<_>>();
        assert_eq!(lines(&got_bad), lines(&want_bad));
        assert_eq!(got_bad.len(), 2);
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// A parser that panics on the line holding `"boom"`, as a bug in one
/// provider's parser would.
fn panics_on_boom<'a>(line: RawLine<'a>, opts: &ProviderOptions) -> Result<InputLine<'a>, LineError> {
    assert!(memchr::memmem::find(line.bytes, b"boom").is_none(), "parser bug");
    parse_input(line, opts)
}

#[test]
fn a_parsing_thread_that_panics_is_an_error_not_a_hang_or_a_short_index() {
    let mut text = String::new();
    for i in 0..20_000 {
        let id = if i == 3000 { "boom".to_owned() } else { format!("r-{i}") };
        text.push_str(&format!("{{\"custom_id\":\"{id}\",\"body\":{{\"model\":\"m\"}}}}\n"));
    }
    let (dir, path) = input_file("index-panic", &text);
    for threads in [1, 2] {
        let (tx, rx) = std::sync::mpsc::channel();
        let p = path.clone();
        std::thread::spawn(move || {
            let got = index_on(&p, threads, panics_on_boom);
            let _ = tx.send(got.map(|(index, _)| index.len()));
        });
        let got = rx
            .recv_timeout(std::time::Duration::from_secs(30))
            .unwrap_or_else(|_| panic!("{threads} thread(s): indexing hung or panicked"));
        let err = got.expect_err("an index missing the rows of a block");
        assert!(
            err.to_string()
                .contains("input indexing stopped: a parsing thread panicked"),
            "{err}"
        );
    }
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_read_error_mid_file_is_the_error_whatever_the_thread_count() {
    use std::io::Write;
    let mut text = String::new();
    for i in 0..20_000 {
        text.push_str(&format!("{{\"custom_id\":\"r-{i}\",\"body\":{{\"model\":\"m\"}}}}\n"));
    }
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(text.as_bytes()).expect("gzip");
    let gz = gz.finish().expect("gzip");
    // Cut inside the deflate stream: the first blocks read, then the
    // decoder fails.
    let (dir, path) = input_file("index-read-error", "");
    std::fs::write(&path, &gz[..gz.len() * 2 / 3]).expect("write");
    for threads in [1, 2, 5] {
        let err = index_on(&path, threads, parse_input)
            .err()
            .unwrap_or_else(|| panic!("{threads} thread(s): a cut file read as whole"));
        assert!(!matches!(err, ReadError::Internal { .. }), "{threads} thread(s): {err}");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// Blocks checked off the reader's lock number their lines from 1 and the
/// merger renumbers them: line numbers of rows and of every kind of bad
/// line (bad JSON, bad UTF-8, too long, a duplicate id) match the
/// sequential reader's across blank lines, CRLF ends and a BOM.
#[test]
fn lines_checked_by_the_workers_are_numbered_as_the_reader_numbers_them() {
    let mut data = b"\xEF\xBB\xBF".to_vec();
    for i in 0..3000 {
        let line: Vec<u8> = match i % 97 {
            13 => b"{broken".to_vec(),
            29 => b"{\"custom_id\":\"bad \xff utf8\",\"body\":{}}".to_vec(),
            41 => format!(
                "{{\"custom_id\":\"long-{i}\",\"body\":{{\"x\":\"{}\"}}}}",
                "y".repeat(300)
            )
            .into_bytes(),
            53 => b"{\"custom_id\":\"r-7\",\"body\":{}}".to_vec(),
            61 | 62 => b"   ".to_vec(),
            _ => format!("{{\"custom_id\":\"r-{i}\",\"body\":{{\"model\":\"m\"}}}}").into_bytes(),
        };
        data.extend_from_slice(&line);
        data.extend_from_slice(if i % 3 == 0 { b"\r\n" } else { b"\n" });
    }
    let (dir, path) = input_file("index-par-lines", "");
    std::fs::write(&path, &data).expect("write");
    let opts = ReadOptions {
        block_bytes: 4096,
        max_line_bytes: 256,
        ..ReadOptions::default()
    };
    let (want, want_bad) = crate::read_input(&path, FileId(0), &opts).expect("sequential");
    let kinds = |b: &[BadLine]| {
        b.iter()
            .map(|x| (x.line, x.offset, x.reason.to_string()))
            .collect::<Vec<_>>()
    };
    assert!(want_bad.len() > 100, "{}", want_bad.len());
    for threads in [1, 2, 5] {
        let (got, got_bad) = read_input_parallel(
            &path,
            FileId(0),
            &opts,
            threads,
            parse_input,
            &ProviderOptions::default(),
            &AtomicBool::new(false),
        )
        .expect("parallel");
        assert_eq!(got.len(), want.len());
        for i in 0..want.len() as u32 {
            assert_eq!(
                (got.id(i), got.offset(i), got.line(i)),
                (want.id(i), want.offset(i), want.line(i)),
                "{threads} thread(s), row {i}"
            );
        }
        assert_eq!(kinds(&got_bad), kinds(&want_bad), "{threads} thread(s)");
    }
    let _ = std::fs::remove_dir_all(&dir);
}

/// Set by [`stops_on_line_100`] on its 100th line; lines it saw.
static STOP: AtomicBool = AtomicBool::new(false);
static SEEN: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);

/// `parse_input`, setting [`STOP`] at the 100th line it parses.
fn stops_on_line_100<'a>(line: RawLine<'a>, opts: &ProviderOptions) -> Result<InputLine<'a>, LineError> {
    if SEEN.fetch_add(1, Ordering::Relaxed) == 99 {
        STOP.store(true, Ordering::Relaxed);
    }
    parse_input(line, opts)
}

/// A caller that no longer wants the index (a run that ended before it
/// asked) sets the flag: the workers take no block after it, and the
/// answer is `Stopped`, never an index short of the file's rows.
#[test]
fn a_stopped_index_reads_no_further_block_and_says_it_stopped() {
    let text: String = (0..20_000)
        .map(|i| format!("{{\"custom_id\":\"r-{i}\",\"body\":{{\"model\":\"m\"}}}}\n"))
        .collect();
    let (dir, path) = input_file("index-stop", &text);
    for threads in [1, 2] {
        STOP.store(false, Ordering::Relaxed);
        SEEN.store(0, Ordering::Relaxed);
        let got = read_input_parallel(
            &path,
            FileId(0),
            &small_blocks(),
            threads,
            stops_on_line_100,
            &ProviderOptions::default(),
            &STOP,
        );
        assert!(matches!(got, Err(ReadError::Stopped { .. })), "{threads} threads");
        // 4 KiB blocks of ~50-byte lines: the blocks taken before the flag
        // was seen, one per thread at most, not the file's 20,000 lines.
        let seen = SEEN.load(Ordering::Relaxed);
        assert!(seen < 100 + 3 * 100, "{threads} threads: {seen} lines parsed");
    }
    let _ = std::fs::remove_dir_all(&dir);
}
