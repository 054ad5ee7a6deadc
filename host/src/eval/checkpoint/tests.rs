use super::*;
use std::io::Write;

use crate::judge::{Failure, FailureKind, Verdict};

fn fp(judges: &str) -> Fingerprint {
    Fingerprint::of_parts(&[], judges).unwrap()
}

fn enc(rows: &BlockRows) -> codec::Encoder {
    let mut e = codec::Encoder::new(2);
    for (idx, results) in rows {
        e.row(*idx, results.iter());
    }
    e
}

fn rows() -> BlockRows {
    vec![
        (
            3,
            vec![
                RowResult::Verdict(Verdict {
                    score: Some(0.25),
                    label: Some("enum".into()),
                    passed: false,
                    details: Some("é\n\u{1b}".into()),
                }),
                RowResult::JudgeError {
                    kind: "unsupported",
                    message: "no".into(),
                },
            ],
        ),
        (
            9,
            vec![
                RowResult::Verdict(Verdict {
                    score: None,
                    label: None,
                    passed: true,
                    details: None,
                }),
                RowResult::Failed(Failure::new(FailureKind::Timeout, "slow")),
            ],
        ),
    ]
}

#[test]
fn every_result_kind_round_trips_and_torn_or_foreign_bytes_do_not_decode() {
    let bytes = codec::encode(&rows(), 2);
    assert_eq!(codec::decode(&bytes, 2), Some(rows()));
    assert_eq!(codec::decode(&bytes, 3), None, "written for another judge count");
    for cut in [0, 1, bytes.len() / 2, bytes.len() - 1] {
        assert_eq!(codec::decode(&bytes[..cut], 2), None, "torn at {cut}");
    }
    let mut longer = bytes.clone();
    longer.push(0);
    assert_eq!(codec::decode(&longer, 2), None, "trailing bytes");
}

#[test]
fn a_run_starts_once_resumes_only_unchanged_and_one_process_holds_it() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("state.db");
    let a = Checkpoint::open(&db, "nightly-1", Mode::Start, &fp("j@1"), 2).unwrap();
    a.commit(0, enc(&rows())).unwrap();
    assert_eq!(a.load(0).unwrap(), None, "a run started here has nothing from before");
    let busy = Checkpoint::open(&db, "nightly-1", Mode::Resume, &fp("j@1"), 2)
        .err()
        .unwrap();
    assert!(matches!(busy, CheckpointError::Busy { .. }), "{busy}");
    assert!(
        busy.to_string().contains(&format!("pid {}", std::process::id())),
        "{busy}"
    );
    a.end("interrupted").unwrap();
    drop(a);
    let again = Checkpoint::open(&db, "nightly-1", Mode::Start, &fp("j@1"), 2)
        .err()
        .unwrap();
    assert!(matches!(again, CheckpointError::Exists(_)), "{again}");
    let changed = Checkpoint::open(&db, "nightly-1", Mode::Resume, &fp("j@2"), 2)
        .err()
        .unwrap();
    assert!(changed.to_string().contains(": judges changed;"), "{changed}");
    let b = Checkpoint::open(&db, "nightly-1", Mode::Resume, &fp("j@1"), 2).unwrap();
    assert_eq!(b.load(0).unwrap(), Some(rows()), "what was committed is there");
    assert_eq!(b.load(1).unwrap(), None);
    b.end("finished").unwrap();
    assert_eq!(b.committed().unwrap(), 0, "a finished run drops its blocks");
    drop(b);
    let done = Checkpoint::open(&db, "nightly-1", Mode::Resume, &fp("j@1"), 2)
        .err()
        .unwrap();
    assert!(matches!(done, CheckpointError::Finished(_)), "{done}");
    let none = Checkpoint::open(&db, "other", Mode::Resume, &fp("j@1"), 2)
        .err()
        .unwrap();
    assert!(matches!(none, CheckpointError::NoSuchRun(..)), "{none}");
    let bad = Checkpoint::open(&db, "../x", Mode::Start, &fp("j@1"), 2).err().unwrap();
    assert!(matches!(bad, CheckpointError::BadId(_)), "{bad}");
}

/// Writes `bytes` at `at` in `path` and sets its modification time to `mtime`.
fn edit(path: &std::path::Path, at: u64, bytes: &[u8], mtime: std::time::SystemTime) {
    use std::os::unix::fs::FileExt;
    let f = std::fs::OpenOptions::new().write(true).open(path).unwrap();
    f.write_all_at(bytes, at).unwrap();
    f.set_modified(mtime).unwrap();
}

#[test]
fn a_resume_with_a_changed_input_is_refused_naming_the_file_and_what_changed() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("state.db");
    let input = dir.path().join("in.jsonl");
    std::fs::write(&input, "{\"custom_id\":\"a\"}\n").unwrap();
    let t0 = std::time::UNIX_EPOCH + std::time::Duration::from_nanos(1_700_000_000_123_456_789);
    edit(&input, 0, b"{", t0);
    let fp = || Fingerprint::of_parts(&[("--input", &input)], "j@1").unwrap();
    drop(Checkpoint::open(&db, "r", Mode::Start, &fp(), 1).unwrap());
    // Same size, other bytes, another modification time.
    edit(&input, 2, b"C", t0 + std::time::Duration::from_nanos(1));
    let e = Checkpoint::open(&db, "r", Mode::Resume, &fp(), 1).err().unwrap();
    assert!(matches!(e, CheckpointError::Changed { .. }), "{e}");
    let want = format!("--input {} (modification time, sampled bytes) changed", input.display());
    assert!(e.to_string().contains(&want), "{e}");
    // The mtime alone (a `touch`) is a change too.
    edit(&input, 2, b"c", t0 + std::time::Duration::from_nanos(1));
    let e = Checkpoint::open(&db, "r", Mode::Resume, &fp(), 1).err().unwrap();
    assert!(e.to_string().contains("(modification time) changed"), "{e}");
    // Back as it was: it resumes.
    edit(&input, 2, b"c", t0);
    Checkpoint::open(&db, "r", Mode::Resume, &fp(), 1).unwrap();
    let longer = dir.path().join("in2.jsonl");
    std::fs::write(&longer, "{\"custom_id\":\"a\"}\n{}\n").unwrap();
    let e = Checkpoint::open(
        &db,
        "r",
        Mode::Resume,
        &Fingerprint::of_parts(&[("--input", &longer)], "j@1").unwrap(),
        1,
    )
    .err()
    .unwrap();
    assert!(
        e.to_string().contains("(size, modification time, sampled bytes)"),
        "{e}"
    );
}

/// A run started by an earlier assay stored its samples as bare sha256
/// hashes: a resume cannot compare them, and says which assay took them
/// rather than that the bytes changed.
#[test]
fn a_sample_stored_by_an_earlier_assay_is_named_as_such() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("in.jsonl");
    std::fs::write(&input, "{\"custom_id\":\"a\"}\n").unwrap();
    let fp = Fingerprint::of_parts(&[("--input", &input)], "j@1").unwrap();
    let now = fp.stored();
    assert!(now.contains(" blake3:"), "{now}");
    assert!(fp.differs(&now).is_empty());
    let old = now.replace(" blake3:", " ");
    assert_eq!(
        fp.differs(&old),
        [format!("--input {} (sampled by an earlier assay)", input.display())]
    );
    // Resumed, the refusal says how to go on rather than that the file
    // changed; with a real change as well, it names that change.
    let dir2 = tempfile::tempdir().unwrap();
    let db = dir2.path().join("state.db");
    drop(Checkpoint::open(&db, "r", Mode::Start, &fp, 1).unwrap());
    let conn = rusqlite::Connection::open(&db).unwrap();
    conn.execute("UPDATE eval_runs SET fingerprint = ?1 WHERE id = 'r'", [&old])
        .unwrap();
    let e = Checkpoint::open(&db, "r", Mode::Resume, &fp, 1).err().unwrap();
    assert!(matches!(e, CheckpointError::Earlier { .. }), "{e}");
    let want = format!(
        "run r was started by an earlier assay, which sampled --input {} in a form this one cannot compare",
        input.display()
    );
    assert!(e.to_string().starts_with(&want), "{e}");
    assert!(e.to_string().contains("start the run again without --resume"), "{e}");
    let other_judges: Vec<&str> = old
        .lines()
        .map(|l| if l.starts_with("judges=") { "judges=0" } else { l })
        .collect();
    conn.execute(
        "UPDATE eval_runs SET fingerprint = ?1 WHERE id = 'r'",
        [&other_judges.join("\n")],
    )
    .unwrap();
    let e = Checkpoint::open(&db, "r", Mode::Resume, &fp, 1).err().unwrap();
    assert!(matches!(e, CheckpointError::Changed { .. }), "{e}");
    assert!(
        e.to_string().contains("(sampled by an earlier assay); judges changed;"),
        "{e}"
    );
}

#[test]
fn the_sample_is_bounded_and_sees_edits_in_it_but_not_between_its_blocks() {
    use fingerprint::{BLOCK, BLOCKS, EDGE, FileMark, WHOLE, ranges};
    for size in [0, 1, WHOLE, WHOLE + 1, 1 << 30, 1 << 40] {
        let r = ranges(size);
        assert_eq!(r.iter().map(|(_, n)| n).sum::<u64>(), size.min(WHOLE), "{size}");
        assert!(r.iter().all(|(at, n)| at + n <= size), "{size}: {r:?}");
        assert!(
            r.windows(2).all(|w| w[0].0 + w[0].1 <= w[1].0),
            "{size}: in order, apart"
        );
    }
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("big.jsonl");
    let size = 64 << 20;
    std::fs::File::create(&big).unwrap().set_len(size).unwrap();
    let t0 = std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_700_000_000);
    edit(&big, 0, b"x", t0);
    let mark = FileMark::of(&big).unwrap();
    // Edits in the head, in a sampled block and in the tail are seen even
    // with the size and modification time kept.
    let second = ranges(size)[2].0;
    for at in [10, second + BLOCK / 2, size - 10] {
        edit(&big, at, b"y", t0);
        assert_ne!(FileMark::of(&big).unwrap().sample, mark.sample, "edit at {at}");
        edit(&big, at, b"\0", t0);
        assert_eq!(FileMark::of(&big).unwrap(), mark, "restored at {at}");
    }
    // One between two sampled blocks, with size and time restored, is not.
    let gap = second + BLOCK + 1;
    assert!(gap < ranges(size)[3].0 && BLOCKS > 2 && gap > EDGE);
    edit(&big, gap, b"y", t0);
    assert_eq!(FileMark::of(&big).unwrap(), mark, "not sampled: not seen");
}

#[test]
fn opening_a_run_prunes_other_runs_last_touched_more_than_a_week_ago_unless_held() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("state.db");
    for id in ["old-killed", "old-finished", "old-held", "recent"] {
        let c = Checkpoint::open(&db, id, Mode::Start, &fp("j@1"), 2).unwrap();
        c.commit(0, enc(&rows())).unwrap();
        c.end(if id == "old-finished" {
            "finished"
        } else {
            "interrupted"
        })
        .unwrap();
    }
    let held = Checkpoint::open(&db, "old-held", Mode::Resume, &fp("j@1"), 2).unwrap();
    let conn = crate::db::open(&db).unwrap();
    let week = prune::KEEP_DAYS * 86_400;
    conn.execute(
        "UPDATE eval_runs SET updated_at = updated_at - ?1 - 1 WHERE id LIKE 'old-%'",
        [week],
    )
    .unwrap();
    conn.execute(
        "UPDATE eval_runs SET updated_at = updated_at - ?1 + 3600 WHERE id = 'recent'",
        [week],
    )
    .unwrap();
    let lock = |id: &str| lock::path(&db, id).exists();
    assert!(
        lock("old-killed") && !lock("old-finished"),
        "a finished run drops its lock file"
    );
    drop(Checkpoint::open(&db, "new", Mode::Start, &fp("j@1"), 2).unwrap());
    let runs: Vec<String> = conn
        .prepare("SELECT id FROM eval_runs ORDER BY id")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(runs, ["new", "old-held", "recent"]);
    let blocks: Vec<String> = conn
        .prepare("SELECT run FROM eval_blocks ORDER BY run")
        .unwrap()
        .query_map([], |r| r.get(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(blocks, ["old-held", "recent"]);
    assert!(!lock("old-killed") && !lock("old-finished") && lock("old-held"));
    drop(held);
    let e = Checkpoint::open(&db, "old-killed", Mode::Resume, &fp("j@1"), 2)
        .err()
        .unwrap();
    assert!(e.to_string().contains("runs are kept 7 days"), "{e}");
}

#[test]
fn rows_recovered_by_sync_are_committed_apart_from_the_blocks() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("state.db");
    let c = Checkpoint::open(&db, "r", Mode::Start, &fp("j@1"), 2).unwrap();
    c.commit(0, enc(&rows())).unwrap();
    c.commit_recovered(enc(&rows())).unwrap();
    c.commit_recovered(enc(&vec![(0, rows()[0].1.clone())])).unwrap();
    c.commit_recovered(enc(&vec![])).unwrap();
    assert!(c.recovered().unwrap().is_empty(), "nothing from before");
    c.end("interrupted").unwrap();
    drop(c);
    let c = Checkpoint::open(&db, "r", Mode::Resume, &fp("j@1"), 2).unwrap();
    assert_eq!(c.committed().unwrap(), 1, "result blocks only");
    let got = c.recovered().unwrap();
    assert_eq!(got.len(), 3);
    assert_eq!(got[&9], rows()[1].1);
    assert_eq!(c.load(0).unwrap(), Some(rows()));
}

#[test]
fn blocks_are_written_in_groups_and_all_queued_ones_when_the_run_is_interrupted() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("state.db");
    let c = Checkpoint::open(&db, "g", Mode::Start, &fp("j@1"), 2).unwrap();
    let written = || -> i64 {
        let conn = crate::db::open(&db).unwrap();
        conn.query_row("SELECT COUNT(*) FROM eval_blocks", [], |r| r.get(0))
            .unwrap()
    };
    for seq in 0..GROUP as u64 - 1 {
        c.commit(seq, enc(&rows())).unwrap();
    }
    assert_eq!(written(), 0, "queued");
    c.commit(GROUP as u64 - 1, enc(&rows())).unwrap();
    assert_eq!(written(), GROUP as i64, "a full group is written");
    std::thread::sleep(GROUP_AFTER);
    c.commit(100, enc(&rows())).unwrap();
    assert_eq!(written(), GROUP as i64 + 1, "an old queue is written");
    c.commit(101, enc(&rows())).unwrap();
    c.end("interrupted").unwrap();
    assert_eq!(written(), GROUP as i64 + 2, "the queue goes with the status");
    c.commit(102, enc(&rows())).unwrap();
    c.end("finished").unwrap();
    assert_eq!(written(), 0, "a finished run drops its blocks");
}

fn verdict(score: Option<f64>, passed: bool, label: Option<&str>, details: Option<String>) -> RowResult {
    RowResult::Verdict(Verdict {
        score,
        label: label.map(Into::into),
        passed,
        details,
    })
}

#[test]
fn rows_in_any_order_and_scores_of_every_form_round_trip() {
    let long = "x".repeat(300);
    let rows: BlockRows = vec![
        (0, vec![verdict(Some(0.0), false, None, None)]),
        (1, vec![verdict(Some(1.0), true, None, None)]),
        (2, vec![verdict(Some(-0.0), false, None, None)]),
        (7, vec![verdict(Some(0.25), true, Some("enum"), Some(long.clone()))]),
        (5, vec![verdict(None, true, None, Some(String::new()))]),
        (u32::MAX, vec![verdict(Some(f64::MAX), false, Some(""), None)]),
        (0, vec![verdict(Some(f64::MIN_POSITIVE), true, None, None)]),
        (
            3,
            vec![RowResult::JudgeError {
                kind: "config",
                message: long.clone(),
            }],
        ),
        (4, vec![RowResult::Failed(Failure::new(FailureKind::Timeout, ""))]),
    ];
    let back = codec::decode(&codec::encode(&rows, 1), 1).expect("decodes");
    assert_eq!(back, rows);
    // -0.0 == 0.0, so compare the bits the judge gave.
    let bits = |r: &RowResult| match r {
        RowResult::Verdict(v) => v.score.map(f64::to_bits),
        _ => None,
    };
    assert_eq!(bits(&back[2].1[0]), Some((-0.0f64).to_bits()));
}

#[test]
fn a_row_of_plain_verdicts_takes_one_byte_per_judge_and_one_for_its_index() {
    let mut e = codec::Encoder::new(2);
    let plain = [verdict(Some(1.0), true, None, None), verdict(None, false, None, None)];
    for idx in 10..1010 {
        e.row(idx, plain.iter());
    }
    let raw = e.raw_len();
    // The header, the first index (10: one byte), then three bytes a row.
    assert_eq!(raw, 10 + 1000 * 3);
    let blob = e.finish();
    assert_eq!(blob.len(), raw, "stored as written");
}

#[test]
fn rows_carrying_text_are_deflated_and_round_trip() {
    let text = "the response is missing the required field `label`".to_string();
    let rows: BlockRows = (0..200)
        .map(|i| (i, vec![verdict(Some(0.5), false, Some("required"), Some(text.clone()))]))
        .collect();
    let mut e = codec::Encoder::new(1);
    for (idx, results) in &rows {
        e.row(*idx, results.iter());
    }
    let raw = e.raw_len();
    let blob = e.finish();
    assert!(blob.len() * 10 < raw, "{} deflated from {raw}", blob.len());
    assert_eq!(codec::decode(&blob, 1), Some(rows));
}

#[test]
fn a_version_1_blob_or_a_bad_head_byte_does_not_decode() {
    let bytes = codec::encode(&rows(), 2);
    assert_eq!(bytes[0], 0, "two rows of little text are stored");
    let mut v1 = bytes.clone();
    v1[1] = 1;
    assert_eq!(codec::decode(&v1, 2), None, "version 1");
    let mut form = bytes.clone();
    form[0] = 2;
    assert_eq!(codec::decode(&form, 2), None, "an unknown form");
    // The first row's first result: its head byte follows the one-byte index.
    for head in [3u8, 0x80, 5, 6] {
        let mut bad = bytes.clone();
        bad[11] = head;
        assert_eq!(codec::decode(&bad, 2), None, "head {head:#x}");
    }
    // A version 1 blob as it was written: deflated, with no form byte.
    let mut z = flate2::write::DeflateEncoder::new(Vec::new(), flate2::Compression::fast());
    z.write_all(&v1[1..]).unwrap();
    assert_eq!(
        codec::decode(&z.finish().unwrap(), 2),
        None,
        "a deflated version 1 blob"
    );
}
