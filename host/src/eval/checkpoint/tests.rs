use super::*;
use crate::judge::{Failure, FailureKind, Verdict};

fn fp(judges: &str) -> Fingerprint {
    Fingerprint(vec![
        ("input and result files", "a;b".into()),
        ("judges", judges.into()),
        ("settings", "s".into()),
    ])
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
    a.commit(0, &rows()).unwrap();
    assert_eq!(a.load(0).unwrap(), Some(rows()));
    assert_eq!(a.load(1).unwrap(), None);
    let busy = Checkpoint::open(&db, "nightly-1", Mode::Resume, &fp("j@1"), 2)
        .err()
        .unwrap();
    assert!(matches!(busy, CheckpointError::Busy { .. }), "{busy}");
    assert!(
        busy.to_string().contains(&format!("pid {}", std::process::id())),
        "{busy}"
    );
    drop(a);
    let again = Checkpoint::open(&db, "nightly-1", Mode::Start, &fp("j@1"), 2)
        .err()
        .unwrap();
    assert!(matches!(again, CheckpointError::Exists(_)), "{again}");
    let changed = Checkpoint::open(&db, "nightly-1", Mode::Resume, &fp("j@2"), 2)
        .err()
        .unwrap();
    assert!(changed.to_string().contains("(judges differ)"), "{changed}");
    let b = Checkpoint::open(&db, "nightly-1", Mode::Resume, &fp("j@1"), 2).unwrap();
    assert_eq!(b.load(0).unwrap(), Some(rows()), "what was committed is there");
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
