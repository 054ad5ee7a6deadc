//! gzip-compressed batch files read transparently, with exact line numbers;
//! a truncated archive is an error naming the file, not a short read; a
//! zstd-compressed file is refused at open, naming the format.

use std::io::Write;

use assay_batch::{BlockReader, FileId, ReadError, is_gzip};

fn gz(bytes: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(bytes).expect("compress");
    e.finish().expect("finish")
}

#[test]
fn gzip_file_reads_like_the_plain_one() {
    let dir = tempfile::tempdir().expect("tmp");
    let mut text = String::new();
    for i in 0..3000 {
        text.push_str(&format!("{{\"custom_id\":\"r{i}\",\"body\":{{}}}}\n"));
        if i == 10 {
            text.push('\n');
        }
    }
    let plain = dir.path().join("in.jsonl");
    let packed = dir.path().join("in.jsonl.gz");
    std::fs::write(&plain, &text).expect("write");
    std::fs::write(&packed, gz(text.as_bytes())).expect("write");
    assert!(is_gzip(&packed).expect("probe") && !is_gzip(&plain).expect("probe"));
    let collect = |p: &std::path::Path| {
        let mut r = BlockReader::open(p, FileId(0), 1 << 20)
            .expect("open")
            .with_block_bytes(1000);
        let mut out = Vec::new();
        while let Some(b) = r.next_block().expect("block") {
            out.extend(b.lines().map(|l| (l.number, l.bytes.to_vec())));
        }
        out
    };
    let a = collect(&plain);
    assert_eq!(a.len(), 3000);
    assert_eq!(a[11].0, 13, "the blank line keeps its number");
    assert_eq!(a, collect(&packed));
}

#[test]
fn truncated_gzip_is_an_error_naming_the_file() {
    let dir = tempfile::tempdir().expect("tmp");
    let text = "{\"custom_id\":\"a\"}\n".repeat(20_000);
    let mut bytes = gz(text.as_bytes());
    bytes.truncate(bytes.len() / 2);
    let p = dir.path().join("cut.jsonl.gz");
    std::fs::write(&p, bytes).expect("write");
    let mut r = BlockReader::open(&p, FileId(0), 1 << 20).expect("open");
    let err = loop {
        match r.next_block() {
            Ok(Some(_)) => continue,
            Ok(None) => panic!("a truncated archive must not read as complete"),
            Err(e) => break e,
        }
    };
    assert!(matches!(err, ReadError::Io { .. }), "{err}");
    assert!(err.to_string().contains("cut.jsonl.gz"), "{err}");
}

/// A zstd-compressed file (magic `28 b5 2f fd`) is not decompressed: it is
/// refused at open, naming the file and the format, before any line is read
/// (so its bytes never turn into a run of "invalid UTF-8" bad lines).
#[test]
fn zstd_input_is_refused_naming_the_format() {
    let dir = tempfile::tempdir().expect("tmp");
    let packed = dir.path().join("out.jsonl.zst");
    let mut bytes = vec![0x28, 0xb5, 0x2f, 0xfd];
    bytes.extend_from_slice(b"\x04\x58\x55\x00{\"custom_id\":\"r0\"}\n");
    std::fs::write(&packed, &bytes).expect("write");
    match BlockReader::open(&packed, FileId(0), 1 << 20) {
        Err(e @ ReadError::Invalid { .. }) => {
            let msg = e.to_string();
            assert!(
                msg.contains("out.jsonl.zst") && msg.contains("zstd-compressed") && msg.contains("zstd -d"),
                "{msg}"
            );
        }
        Err(e) => panic!("wrong error: {e}"),
        Ok(_) => panic!("a zstd file must not be read as lines"),
    }
}
