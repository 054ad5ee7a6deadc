//! Unit tests for `db`.

use super::*;

fn version(c: &Connection) -> i64 {
    c.query_row("PRAGMA user_version", [], |r| r.get(0)).unwrap()
}

#[test]
fn a_fresh_database_gets_every_migration_and_write_ahead_logging() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a").join("state.db");
    let c = open(&path).unwrap();
    assert_eq!(version(&c), LATEST);
    let mode: String = c.query_row("PRAGMA journal_mode", [], |r| r.get(0)).unwrap();
    assert_eq!(mode, "wal");
    for table in ["jobs", "runs", "run_judges", "run_metrics", "run_alarms"] {
        let n: i64 = c
            .query_row(
                "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?1",
                [table],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(n, 1, "{table}");
    }
    drop(c);
    // Opening again applies nothing twice.
    assert_eq!(version(&open(&path).unwrap()), LATEST);
}

#[test]
fn a_job_store_from_before_migrations_keeps_its_jobs() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.db");
    let old = Connection::open(&path).unwrap();
    old.execute_batch(MIGRATIONS[0]).unwrap();
    old.execute(
        "INSERT INTO jobs (key, provider, base_url, input, input_sha256, status, created_at, updated_at) VALUES ('k', 'openai', 'u', 'in', 'ab', 'completed', 1, 1)",
        [],
    )
    .unwrap();
    drop(old);
    let c = open(&path).unwrap();
    assert_eq!(version(&c), LATEST);
    let n: i64 = c.query_row("SELECT count(*) FROM jobs", [], |r| r.get(0)).unwrap();
    assert_eq!(n, 1);
}

#[test]
fn a_database_from_a_newer_assay_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.db");
    drop(open(&path).unwrap());
    Connection::open(&path)
        .unwrap()
        .execute_batch(&format!("PRAGMA user_version = {}", LATEST + 1))
        .unwrap();
    let e = open(&path).expect_err("refused");
    assert!(e.to_string().contains("newer assay"), "{e}");
}

#[test]
fn another_programs_database_is_refused_and_left_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("other.db");
    let other = Connection::open(&path).unwrap();
    other.execute_batch("CREATE TABLE notes (t TEXT);").unwrap();
    drop(other);
    let before = std::fs::read(&path).unwrap();
    let e = open(&path).expect_err("refused");
    assert!(e.to_string().contains("not an assay state database"), "{e}");
    assert_eq!(std::fs::read(&path).unwrap(), before);
    let text = dir.path().join("notes.txt");
    std::fs::write(&text, "hello, this is not SQLite at all, just some text").unwrap();
    assert!(open(&text).is_err());
    assert_eq!(
        std::fs::read_to_string(&text).unwrap(),
        "hello, this is not SQLite at all, just some text"
    );
}

#[test]
fn many_connections_opening_a_fresh_database_at_once_all_succeed() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("state.db");
    std::thread::scope(|s| {
        let handles: Vec<_> = (0..12).map(|_| s.spawn(|| open(&path).map(|c| version(&c)))).collect();
        for h in handles {
            assert_eq!(h.join().unwrap().unwrap(), LATEST);
        }
    });
}

#[test]
fn the_default_location_is_the_named_path_else_assay_state_else_the_data_directory() {
    let named = Path::new("/x/s.db");
    assert_eq!(default_path(Some(named)).unwrap(), named);
}
