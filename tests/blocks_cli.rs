//! Result files of several blocks: a regular file is mapped and its blocks
//! are checked by the workers that parse them, each numbering its lines from
//! 1, so the collector must number them in the file. These tests hold that a
//! bad line is named by its line in its own file wherever it falls (and as
//! in a gzip file, whose blocks the reader checks), and that a file of blank
//! lines still counts as holding no rows.

use crate::support;

use serde_json::Value;
use support::{assay, input_line, json, ok_line, stderr, write_lines};

/// (file name, line) of every bad line the summary lists.
fn bad_lines(summary: &Value) -> Vec<(String, u64)> {
    summary["bad_lines"]["lines"]
        .as_array()
        .map(|lines| {
            lines
                .iter()
                .map(|b| {
                    let file = b["file"].as_str().unwrap_or_default();
                    let name = std::path::Path::new(file).file_name().unwrap_or_default();
                    (name.to_string_lossy().into_owned(), b["line"].as_u64().unwrap_or(0))
                })
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn bad_lines_in_later_blocks_and_later_files_are_named_by_their_line_in_their_file() {
    let tmp = tempfile::tempdir().expect("tmp");
    let ids: Vec<String> = (0..10_000).map(|i| format!("r{i}")).collect();
    let input = write_lines(
        tmp.path(),
        "in.jsonl",
        &ids.iter().map(|i| input_line(i)).collect::<Vec<_>>(),
    );
    // First file: rows 0..6000 (about 2 MB, two blocks and part of a third),
    // a line that is not JSON at line 3001 and one that is not UTF-8 at 5999
    // (found when the block is checked, not when it is parsed).
    let mut first: Vec<Vec<u8>> = ids[..6000].iter().map(|i| ok_line(i).into_bytes()).collect();
    first[3000] = b"{not json".to_vec();
    first[5998] = b"{\"custom_id\":\"\xff\"}".to_vec();
    let first_path = tmp.path().join("out-a.jsonl");
    std::fs::write(&first_path, first.join(&b'\n')).expect("write");
    // Second file of the same attempt: its lines count from 1 again.
    let mut second: Vec<String> = ids[6000..].iter().map(|i| ok_line(i)).collect();
    second[2499] = "{\"custom_id\": 7}".into();
    let second_path = write_lines(tmp.path(), "out-b.jsonl", &second);
    let results = format!("{},{}", first_path.display(), second_path.display());
    let args = [
        "eval",
        "--input",
        input.to_str().unwrap_or_default(),
        "--results",
        &results,
        "--format",
        "json",
        "--max-bad-lines",
        "10",
    ];
    let o = assay(&args);
    assert_eq!(o.status.code(), Some(0), "stderr: {}", stderr(&o));
    let s = json(&o);
    assert_eq!(
        bad_lines(&s),
        [
            ("out-a.jsonl".to_string(), 3001),
            ("out-a.jsonl".to_string(), 5999),
            ("out-b.jsonl".to_string(), 2500),
        ]
    );
    assert_eq!(s["status_counts"]["missing"], 3);
    assert_eq!(s["status_counts"]["completed"], 9997);
    // Gzipped (never mapped: its blocks are checked by the reader, numbered
    // in the file as read), the same lines.
    let gz_path = tmp.path().join("out-a.jsonl.gz");
    let mut gz = flate2::write::GzEncoder::new(std::fs::File::create(&gz_path).expect("create"), Default::default());
    std::io::Write::write_all(&mut gz, &first.join(&b'\n')).expect("gzip");
    gz.finish().expect("gzip");
    let gzipped = assay(&[
        "eval",
        "--input",
        input.to_str().unwrap_or_default(),
        "--results",
        gz_path.to_str().unwrap_or_default(),
        "--format",
        "json",
        "--max-bad-lines",
        "10",
    ]);
    let lines: Vec<u64> = bad_lines(&json(&gzipped)).into_iter().map(|(_, l)| l).collect();
    assert_eq!(lines, [3001, 5999], "stderr: {}", stderr(&gzipped));
}

#[test]
fn a_result_file_of_blank_lines_holds_no_rows() {
    let tmp = tempfile::tempdir().expect("tmp");
    let input = write_lines(tmp.path(), "in.jsonl", &[input_line("r0")]);
    let blank = tmp.path().join("blank.jsonl");
    std::fs::write(&blank, "\n  \n\r\n\n").expect("write");
    let o = assay(&[
        "eval",
        "--input",
        input.to_str().unwrap_or_default(),
        "--results",
        blank.to_str().unwrap_or_default(),
    ]);
    assert_eq!(o.status.code(), Some(3), "stderr: {}", stderr(&o));
    assert!(stderr(&o).contains("no rows"), "{}", stderr(&o));
    // Beside a file with a row, it is an empty error file: the run goes on.
    let rows = write_lines(tmp.path(), "out.jsonl", &[ok_line("r0")]);
    let both = format!("{},{}", rows.display(), blank.display());
    let o = assay(&[
        "eval",
        "--input",
        input.to_str().unwrap_or_default(),
        "--results",
        &both,
        "--format",
        "json",
    ]);
    assert_eq!(o.status.code(), Some(0), "stderr: {}", stderr(&o));
    assert_eq!(json(&o)["status_counts"]["completed"], 1);
}
