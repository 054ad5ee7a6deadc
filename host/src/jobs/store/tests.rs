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
