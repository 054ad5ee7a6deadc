use std::path::Path;

use super::*;
use crate::history::record::{RunKind, RunMeta, RunRecord, insert};
use crate::jobs::JobStore;
use crate::report::summary::{Alarm, Gate, JudgeSummary, Summary};

/// A run of `kind` for `job`, with these alarms on one judge and one gate.
fn run(conn: &mut Connection, kind: RunKind, job: i64, alarms: &[&str], gate_passed: bool) -> i64 {
    let mut s = Summary::default();
    s.judges.insert(
        "q".into(),
        JudgeSummary {
            quality: true,
            alarms: alarms
                .iter()
                .map(|k| Alarm {
                    kind: (*k).into(),
                    segment: None,
                    message: format!("{k} message"),
                })
                .collect(),
            ..Default::default()
        },
    );
    s.gates.push(Gate {
        name: "completion".into(),
        threshold: 0.9,
        actual: if gate_passed { 1.0 } else { 0.5 },
        passed: gate_passed,
    });
    let meta = RunMeta {
        kind,
        job_id: Some(job),
        tag: None,
        started_at: 0,
    };
    insert(conn, &RunRecord::from_summary(&meta, &s)).unwrap()
}

fn kinds(l: &LastEval) -> Vec<&str> {
    l.reasons.iter().map(|r| r.kind.as_str()).collect()
}

#[test]
fn the_newest_eval_decides_and_only_the_blocking_alarm_kinds_and_failed_gates_count() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.db");
    let store = JobStore::open(&path).unwrap();
    let a = store.insert("ka", "openai", "u", Path::new("a"), "sa").unwrap();
    store.set_labels(a.id, Some("nightly"), "shape-1").unwrap();
    let b = store.insert("kb", "openai", "u", Path::new("b"), "sb").unwrap();
    store.set_labels(b.id, None, "shape-1").unwrap();
    let mut conn = crate::db::open(&path).unwrap();
    let tagged = |this| Lookup {
        tag: Some("nightly"),
        shape: "shape-1",
        this_job: this,
    };

    assert!(
        last_eval(&conn, &tagged(-1)).unwrap().is_none(),
        "never evaluated: nothing blocks"
    );
    run(
        &mut conn,
        RunKind::Eval,
        a.id,
        &["segment-drift", "retry-quality-gap"],
        true,
    );
    let l = last_eval(&conn, &tagged(-1)).unwrap().unwrap();
    assert_eq!((l.job, kinds(&l)), (a.id, vec!["segment-drift"]));
    assert!(
        last_eval(&conn, &tagged(a.id)).unwrap().is_none(),
        "a job never gates itself"
    );

    // A later eval of the same job that is clean clears it; a drift audit's regression blocks again.
    let clean = run(&mut conn, RunKind::Eval, a.id, &[], true);
    let l = last_eval(&conn, &tagged(-1)).unwrap().unwrap();
    assert_eq!((l.run, l.reasons.len()), (clean, 0));
    run(&mut conn, RunKind::DriftAudit, a.id, &["regression"], true);
    assert_eq!(
        kinds(&last_eval(&conn, &tagged(-1)).unwrap().unwrap()),
        vec!["regression"]
    );

    // Without a tag the shape matches: job b's newer eval, with a failed gate.
    run(&mut conn, RunKind::Eval, b.id, &["canary-drift"], false);
    let shaped = Lookup {
        tag: None,
        shape: "shape-1",
        this_job: -1,
    };
    let l = last_eval(&conn, &shaped).unwrap().unwrap();
    assert_eq!((l.job, kinds(&l)), (b.id, vec!["gate", "canary-drift"]));
    assert!(
        l.reasons[0]
            .message
            .contains("completion was 0.5, below its threshold 0.9")
    );
    let other = Lookup {
        tag: None,
        shape: "shape-2",
        this_job: -1,
    };
    assert!(last_eval(&conn, &other).unwrap().is_none());

    // Refusals and overrides are counted against the run they name.
    for forced in [false, false, true] {
        let e = GateEvent {
            input_sha256: "sc",
            tag: None,
            shape: "shape-1",
            last: &l,
            forced,
        };
        record_event(&conn, &e).unwrap();
    }
    assert_eq!(events_by_run(&conn, &[l.run, clean]).unwrap(), vec![(l.run, 2, 1)]);
}
