//! Unit tests for `store`.

use super::*;

#[test]
fn a_job_is_found_again_by_its_key_and_keeps_each_recorded_step() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("s").join("state.db");
    let s = JobStore::open(&path).unwrap();
    let j = s
        .insert("k1", "openai", "http://x/v1", Path::new("in.jsonl"), "ab")
        .unwrap();
    s.set_batch(j.id, "batch_1", "validating").unwrap();
    drop(s);
    let s = JobStore::open(&path).unwrap();
    let again = s.by_key("k1").unwrap().unwrap();
    assert_eq!(
        (again.id, again.batch_id.as_deref(), again.status.as_str()),
        (j.id, Some("batch_1"), "validating")
    );
    assert!(
        s.insert("k1", "openai", "http://x/v1", Path::new("in.jsonl"), "ab")
            .is_err()
    );
    assert!(matches!(s.get(99), Err(JobError::NoSuchJob(99))));
    assert_eq!(
        s.job_dir(j.id),
        dir.path().join("s").join("jobs").join(j.id.to_string())
    );
}

#[test]
fn an_older_store_gains_the_new_column_and_the_audits_table_and_keeps_its_jobs() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.db");
    {
        // A store as the first release wrote it.
        let c = Connection::open(&path).unwrap();
        c.execute_batch(crate::db::MIGRATIONS[0]).unwrap();
        c.execute(
            "INSERT INTO jobs (key, provider, base_url, input, input_sha256, status, created_at, updated_at) VALUES ('k', 'openai', 'u', 'in', 's', 'completed', 1, 1)",
            [],
        )
        .unwrap();
    }
    let s = JobStore::open(&path).unwrap();
    let j = s.get(1).unwrap();
    assert_eq!((j.status.as_str(), j.api_version), ("completed", None));
    s.set_api_version(1, "2024-10-21").unwrap();
    drop(s);
    let s = JobStore::open(&path).unwrap();
    assert_eq!(s.get(1).unwrap().api_version.as_deref(), Some("2024-10-21"));
    let a = s
        .insert_audit(&NewAudit {
            input: "in",
            judge: "batch-sync-drift",
            pairs_asked: Some(5),
            seed: 3,
        })
        .unwrap();
    assert_eq!(s.audits().unwrap()[0].status, "running");
    s.set_audit_job(a, 1).unwrap();
    let metrics = serde_json::json!({"mean_score": 0.25});
    s.finish_audit(
        a,
        &AuditResult {
            pairs: 5,
            mean_score: Some(0.25),
            band: "regression",
            metrics: &metrics,
            sync_results: &["s.jsonl".to_owned()],
        },
    )
    .unwrap();
    let got = &s.audits().unwrap()[0];
    assert_eq!(
        (got.job, got.status.as_str(), got.mean_score, got.band.as_deref()),
        (Some(1), "done", Some(0.25), Some("regression"))
    );
    assert_eq!(got.sync_results, ["s.jsonl"]);
    assert_eq!(got.metrics, Some(metrics));
}

#[test]
fn a_jobs_fix_notes_are_replaced_whole_and_read_by_cluster() {
    let dir = tempfile::tempdir().unwrap();
    let s = JobStore::open(&dir.path().join("state.db")).unwrap();
    let a = s
        .insert("ka", "openai", "http://x/v1", Path::new("a.jsonl"), "aa")
        .unwrap();
    let b = s
        .insert("kb", "openai", "http://x/v1", Path::new("b.jsonl"), "bb")
        .unwrap();
    let note = |cluster, note| NewNote {
        cluster,
        rows: 10 * cluster,
        shape: "every Japanese-text row",
        note,
        source: "llm",
    };
    s.replace_cluster_notes(a.id, &[note(2, "second"), note(1, "first")])
        .unwrap();
    s.replace_cluster_notes(b.id, &[note(1, "other job")]).unwrap();
    let got = s.cluster_notes(a.id).unwrap();
    let texts: Vec<(i64, i64, &str)> = got.iter().map(|n| (n.cluster, n.rows, n.note.as_str())).collect();
    assert_eq!(texts, [(1, 10, "first"), (2, 20, "second")]);
    assert!(
        got.iter()
            .all(|n| n.job == Some(a.id) && n.run.is_none() && n.source == "llm")
    );
    s.replace_cluster_notes(a.id, &[note(1, "again")]).unwrap();
    let got = s.cluster_notes(a.id).unwrap();
    assert_eq!((got.len(), got[0].note.as_str()), (1, "again"));
    assert_eq!(s.cluster_notes(b.id).unwrap()[0].note, "other job");
    assert!(matches!(s.replace_cluster_notes(99, &[]), Err(JobError::NoSuchJob(99))));
}
