//! Unit tests for `history`.

use std::collections::BTreeMap;
use std::path::Path;

use super::*;
use crate::report::snapshots::{Majority, SegmentMix, Snapshots};
use crate::report::summary::{Alarm, BadLines, Flags, Gate, JudgeSummary, StatusCounts, Summary};

fn summary(completed: u64, pass_rate: f64) -> Summary {
    let mut judges = BTreeMap::new();
    judges.insert(
        "schema-drift".to_owned(),
        JudgeSummary {
            version: "0.1.0".into(),
            sha256: "ab12".into(),
            quality: true,
            scored: completed,
            passed: (completed as f64 * pass_rate) as u64,
            pass_rate,
            metrics: [("pass_rate".to_owned(), pass_rate)].into_iter().collect(),
            alarms: vec![Alarm {
                kind: "segment-drift".into(),
                segment: Some(3),
                message: "segment 3 drifted".into(),
            }],
            ..Default::default()
        },
    );
    judges.insert(
        "cost-per-row".to_owned(),
        JudgeSummary {
            version: "0.2.0".into(),
            sha256: "cd34".into(),
            metrics: [("cost_per_validated_row_usd".to_owned(), 0.0005)]
                .into_iter()
                .collect(),
            ..Default::default()
        },
    );
    Summary {
        assay_version: "0.1.0",
        provider: "openai".into(),
        input: "in.jsonl".into(),
        attempts: vec![vec!["out.jsonl".into()]],
        rows_submitted: 10,
        segment_size: 5,
        segments: 2,
        status_counts: StatusCounts::from_counts([completed, 10 - completed, 0, 0, 0, 0, 0, 0]),
        completion_rate: completed as f64 / 10.0,
        error_kinds: BTreeMap::new(),
        error_codes: BTreeMap::new(),
        flags: Flags::default(),
        unexpected_ids: Vec::new(),
        bad_lines: BadLines::default(),
        judges,
        reconciliation: Vec::new(),
        snapshots: Snapshots {
            majority: Some(Majority {
                model: Some("gpt-4o-mini".into()),
                snapshot: Some("fp_1".into()),
                share: 0.8,
            }),
            distinct_models: 1,
            distinct_snapshots: 2,
            snapshots_compared: true,
            rotated_segments: vec![1],
            segments: vec![
                SegmentMix {
                    segment: 0,
                    completed: 4,
                    models: vec![("gpt-4o-mini".into(), 4)],
                    snapshots: vec![("fp_1".into(), 4)],
                    majority_share: 1.0,
                    rotated: false,
                },
                SegmentMix {
                    segment: 1,
                    completed: 3,
                    models: vec![("gpt-4o-mini".into(), 3)],
                    snapshots: vec![("fp_2".into(), 2), ("fp_1".into(), 1)],
                    majority_share: 0.33,
                    rotated: true,
                },
            ],
        },
        sync: None,
        traces: None,
        canary: None,
        clusters: None,
        fix_notes: None,
        gates: vec![Gate {
            name: "completion".into(),
            threshold: 0.9,
            actual: completed as f64 / 10.0,
            passed: completed >= 9,
        }],
        exit_code: if completed >= 9 { 0 } else { 1 },
        elapsed_ms: 12,
    }
}

fn meta(tag: Option<&str>) -> RunMeta {
    RunMeta {
        kind: RunKind::Eval,
        job_id: Some(7),
        tag: tag.map(str::to_owned),
        started_at: 1_795_427_232_000,
    }
}

fn all(path: &Path) -> Vec<StoredRun> {
    let conn = open_existing(path).unwrap().expect("the database exists");
    list(&conn, path, None, usize::MAX).unwrap()
}

#[test]
fn a_run_is_recorded_from_its_summary_and_read_back_whole() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.db");
    let id = record(
        &path,
        &RunRecord::from_summary(&meta(Some("nightly")), &summary(7, 0.5)),
    )
    .unwrap();
    let runs = all(&path);
    assert_eq!(runs.len(), 1);
    let r = &runs[0];
    assert_eq!(r.run, id);
    let rec = &r.record;
    assert_eq!(
        (rec.kind.as_str(), rec.job_id, rec.tag.as_deref()),
        ("eval", Some(7), Some("nightly"))
    );
    assert_eq!(
        (rec.provider.as_str(), rec.rows_submitted, rec.status_counts.completed),
        ("openai", 10, 7)
    );
    assert_eq!(rec.completion_rate, 0.7);
    assert_eq!(rec.models, vec![("gpt-4o-mini".to_owned(), 7)]);
    assert_eq!(rec.snapshots, vec![("fp_1".to_owned(), 5), ("fp_2".to_owned(), 2)]);
    assert_eq!(
        (rec.majority_snapshot.as_deref(), rec.rotated_segments.clone()),
        (Some("fp_1"), vec![1])
    );
    assert_eq!(rec.cost_per_validated_row_usd, Some(0.0005));
    assert_eq!((rec.exit_code, rec.gates_passed, rec.gates.len()), (1, false, 1));
    let j = &rec.judges["schema-drift"];
    assert_eq!((j.sha256.as_str(), j.pass_rate, j.quality), ("ab12", Some(0.5), true));
    assert_eq!(j.alarms[0].kind, "segment-drift");
    assert_eq!(j.metrics["pass_rate"], 0.5);
    let cost = &rec.judges["cost-per-row"];
    assert_eq!(
        (cost.pass_rate, cost.quality),
        (None, false),
        "a judge that scored nothing has no pass rate"
    );
    let p = r.point();
    assert_eq!(p.pass_rates.keys().collect::<Vec<_>>(), vec!["schema-drift"]);
}

#[test]
fn runs_are_listed_newest_first_by_tag_and_limit() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.db");
    for tag in [Some("a"), Some("b"), Some("a"), None] {
        record(&path, &RunRecord::from_summary(&meta(tag), &summary(10, 1.0))).unwrap();
    }
    let conn = open_existing(&path).unwrap().unwrap();
    let a: Vec<i64> = list(&conn, &path, Some("a"), 10)
        .unwrap()
        .iter()
        .map(|r| r.run)
        .collect();
    assert_eq!(a, vec![3, 1]);
    let newest: Vec<i64> = list(&conn, &path, None, 2).unwrap().iter().map(|r| r.run).collect();
    assert_eq!(newest, vec![4, 3]);
}

#[test]
fn reading_a_history_that_is_not_there_creates_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("none").join("state.db");
    assert!(open_existing(&path).unwrap().is_none());
    assert!(!dir.path().join("none").exists());
}

#[test]
fn many_threads_recording_at_once_lose_no_run_and_leave_the_database_intact() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.db");
    std::thread::scope(|s| {
        for t in 0..8 {
            let path = &path;
            s.spawn(move || {
                for i in 0..10 {
                    let tag = format!("t{t}-{i}");
                    record(path, &RunRecord::from_summary(&meta(Some(&tag)), &summary(9, 0.9))).unwrap();
                }
            });
        }
    });
    let runs = all(&path);
    assert_eq!(runs.len(), 80);
    let tags: std::collections::BTreeSet<_> = runs.iter().filter_map(|r| r.record.tag.clone()).collect();
    assert_eq!(tags.len(), 80);
    let conn = crate::db::open(&path).unwrap();
    let check: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
    assert_eq!(check, "ok");
    let judges: i64 = conn
        .query_row("SELECT count(*) FROM run_judges", [], |r| r.get(0))
        .unwrap();
    assert_eq!(judges, 160);
}
