//! Resumable runs (`assay eval --run-id ID`, `--resume ID`): a run killed
//! with SIGKILL at random instants, again and again, and resumed each time,
//! ends with the same summary and the same `--rows-out` bytes as a run never
//! killed; a second process cannot take a held run; SIGTERM and SIGINT end a
//! run with 143 and 130, marked interrupted, and it resumes.
//!
//! The number of kills is `ASSAY_KILL_LOOPS` (default 12, as CI runs it; 50
//! or more by hand).

use crate::support;

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::Value;

/// The example job copied `copies` times under new ids: input, output, errors.
fn job(dir: &Path, copies: usize) -> (PathBuf, PathBuf, PathBuf) {
    let write = |name: &str| {
        let text = std::fs::read_to_string(support::data(name)).unwrap();
        let mut out = String::with_capacity(text.len() * copies);
        for k in 0..copies {
            out.push_str(&text.replace("\"custom_id\":\"row-", &format!("\"custom_id\":\"c{k}-row-")));
        }
        let p = dir.join(name);
        std::fs::write(&p, out).unwrap();
        p
    };
    (
        write("openai_input.jsonl"),
        write("openai_output.jsonl"),
        write("openai_errors.jsonl"),
    )
}

struct Run {
    args: Vec<String>,
    state: PathBuf,
}

impl Run {
    fn new(dir: &Path, copies: usize) -> Run {
        let (input, output, errors) = job(dir, copies);
        let schema = support::data("schema.json");
        let args = [
            "eval",
            "--provider",
            "openai",
            "--input",
            input.to_str().unwrap(),
            "--results",
            &format!("{},{}", output.display(), errors.display()),
            "--judge",
            "schema-drift",
            "--set",
            &format!("schema-drift.schema=@{}", schema.display()),
            "--judge",
            "json-valid",
            "--segment-size",
            "500",
            "--workers",
            "2",
            "--no-history",
            "--quiet",
            "--format",
            "json",
            "--rows-out",
            dir.join("rows.jsonl").to_str().unwrap(),
        ]
        .iter()
        .map(|s| s.to_string())
        .collect();
        Run {
            args,
            state: dir.join("state").join("state.db"),
        }
    }

    fn command(&self, extra: &[&str]) -> Command {
        support::builtin_judges();
        let mut c = Command::new(env!("CARGO_BIN_EXE_assay"));
        c.args(&self.args)
            .args(extra)
            .arg("--state")
            .arg(&self.state)
            .env("ASSAY_CACHE_DIR", support::root().join("target").join("test-cache"))
            .env_remove("ASSAY_POLICY");
        c
    }

    fn spawn(&self, extra: &[&str]) -> Child {
        self.command(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap()
    }
}

/// The summary without what a timer or an instance count decides.
fn strip(mut v: Value) -> Value {
    v["elapsed_ms"] = Value::Null;
    for (_, j) in v["judges"].as_object_mut().into_iter().flatten() {
        j["fuel_used"] = Value::Null;
    }
    v
}

/// A small deterministic generator, so a failing sequence of kill times can be replayed.
fn next(seed: &mut u64) -> u64 {
    *seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
    *seed >> 33
}

#[test]
fn a_run_killed_again_and_again_resumes_to_the_summary_and_rows_of_a_run_never_killed() {
    let dir = tempfile::tempdir().unwrap();
    let run = Run::new(dir.path(), 20);
    let t = Instant::now();
    let reference = run.command(&[]).output().unwrap();
    let took = t.elapsed();
    assert!(
        took > Duration::from_millis(100),
        "the job is too small to be killed mid-way: {took:?}"
    );
    assert_eq!(reference.status.code(), Some(0), "{}", support::stderr(&reference));
    let want = strip(support::json(&reference));
    let want_rows = std::fs::read(dir.path().join("rows.jsonl")).unwrap();
    std::fs::remove_file(dir.path().join("rows.jsonl")).unwrap();
    assert_eq!(want["rows_submitted"], 40_000);

    let loops: usize = std::env::var("ASSAY_KILL_LOOPS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(12);
    let mut seed = 0x5eed_u64 ^ loops as u64;
    let (mut kills, mut cycle, mut fresh, mut finishes) = (0, 0, true, 0);
    // The most result blocks a resumed run found committed: kills landed mid-scoring.
    let mut most_committed = 0u64;
    let check = |out: &std::process::Output| {
        assert_eq!(out.status.code(), Some(0), "{}", support::stderr(out));
        assert_eq!(strip(support::json(out)), want, "the resumed summary differs");
        let rows = std::fs::read(dir.path().join("rows.jsonl")).unwrap();
        assert!(rows == want_rows, "the resumed rows-out differs");
        std::fs::remove_file(dir.path().join("rows.jsonl")).unwrap();
    };
    while kills < loops {
        let id = format!("nightly-{cycle}");
        let mut child = run.spawn(&[if fresh { "--run-id" } else { "--resume" }, &id]);
        fresh = false;
        // Anywhere from before the first block to well into scoring.
        let at = Duration::from_millis(next(&mut seed) % (took.as_millis() as u64 / 2).max(50));
        std::thread::sleep(at);
        if child.try_wait().unwrap().is_none() {
            child.kill().unwrap();
            let out = child.wait_with_output().unwrap();
            assert_eq!(std::os::unix::process::ExitStatusExt::signal(&out.status), Some(9));
            kills += 1;
            if let Some(n) = support::stderr(&out)
                .split("resumed: ")
                .nth(1)
                .and_then(|r| r.split_whitespace().next())
                .and_then(|n| n.parse::<u64>().ok())
            {
                most_committed = most_committed.max(n);
            }
            // A run killed after its rows-out was whole (and linked) but
            // before it ended leaves that whole file, never a partial one.
            if let Ok(rows) = std::fs::read(dir.path().join("rows.jsonl")) {
                assert!(rows == want_rows, "a killed run left a partial rows-out file");
                std::fs::remove_file(dir.path().join("rows.jsonl")).unwrap();
            }
        } else {
            let out = child.wait_with_output().unwrap();
            // A kill before the run was registered leaves nothing to resume;
            // one just after it leaves a run that cannot be started again.
            let err = support::stderr(&out);
            if out.status.code() == Some(2) && (err.contains("no run") || err.contains("already exists")) {
                fresh = err.contains("no run");
                continue;
            }
            // This run got to the end between kills: it must be whole; start another.
            check(&out);
            finishes += 1;
            cycle += 1;
            fresh = true;
        }
    }
    let id = format!("nightly-{cycle}");
    let mut last = run
        .command(&[if fresh { "--run-id" } else { "--resume" }, &id])
        .output()
        .unwrap();
    let err = support::stderr(&last);
    if last.status.code() == Some(2) && (err.contains("no run") || err.contains("already exists")) {
        let flag = if err.contains("no run") { "--run-id" } else { "--resume" };
        last = run.command(&[flag, &id]).output().unwrap();
    }
    check(&last);
    eprintln!(
        "{kills} kills over {} run(s), {finishes} finished between kills, up to {most_committed} blocks committed",
        cycle + 1
    );
    assert!(most_committed > 0, "no kill landed after a block was committed");
    let id = format!("nightly-{cycle}");
    // Finished: it cannot be resumed again, and its blocks are gone.
    let again = run.command(&["--resume", &id]).output().unwrap();
    assert_eq!(again.status.code(), Some(2), "{}", support::stderr(&again));
    assert!(support::stderr(&again).contains("already finished"));
}

/// Spawns the run and waits until it holds its checkpoint (its first stderr line).
fn started(run: &Run, extra: &[&str]) -> Child {
    let mut child = run.spawn(extra);
    let mut err = std::io::BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    std::io::BufRead::read_line(&mut err, &mut line).unwrap();
    assert!(line.contains("assay: run "), "{line}");
    // Keep draining stderr so the child never blocks on a full pipe.
    std::thread::spawn(move || std::io::copy(&mut err, &mut std::io::sink()));
    child
}

#[test]
fn a_held_run_is_refused_and_sigterm_and_sigint_leave_it_interrupted_and_resumable() {
    let dir = tempfile::tempdir().unwrap();
    let run = Run::new(dir.path(), 10);
    let reference = strip(support::json(&run.command(&[]).output().unwrap()));
    std::fs::remove_file(dir.path().join("rows.jsonl")).unwrap();

    let mut child = started(&run, &["--run-id", "r1"]);
    let second = run.command(&["--resume", "r1"]).output().unwrap();
    assert_eq!(second.status.code(), Some(2), "{}", support::stderr(&second));
    assert!(
        support::stderr(&second).contains(&format!("held by another assay process (pid {})", child.id())),
        "{}",
        support::stderr(&second)
    );
    let mut interrupted = 0;
    for (signal, code) in [("-TERM", 143), ("-INT", 130)] {
        if signal == "-INT" {
            child = started(&run, &["--resume", "r1"]);
        }
        let sent = Command::new("kill")
            .args([signal, &child.id().to_string()])
            .status()
            .unwrap();
        assert!(sent.success());
        let status = child.wait().unwrap();
        if status.code() == Some(0) {
            // The run finished before the signal: nothing left to interrupt.
            break;
        }
        assert_eq!(status.code(), Some(code), "signal {signal}");
        interrupted += 1;
    }
    assert!(interrupted >= 1, "no signal landed while the run was going");
    let done = run.command(&["--resume", "r1"]).output().unwrap();
    assert_eq!(done.status.code(), Some(0), "{}", support::stderr(&done));
    assert!(
        support::stderr(&done).contains("run r1 resumed"),
        "{}",
        support::stderr(&done)
    );
    assert_eq!(strip(support::json(&done)), reference);
}

#[test]
fn a_resume_with_other_judges_or_inputs_is_refused_naming_what_changed() {
    let dir = tempfile::tempdir().unwrap();
    let run = Run::new(dir.path(), 1);
    let originals: Vec<(&str, (Vec<u8>, std::time::SystemTime))> =
        ["openai_input.jsonl", "openai_output.jsonl", "openai_errors.jsonl"]
            .into_iter()
            .map(|name| {
                let p = dir.path().join(name);
                (
                    name,
                    (std::fs::read(&p).unwrap(), p.metadata().unwrap().modified().unwrap()),
                )
            })
            .collect();
    let mut child = started(&run, &["--run-id", "r3"]);
    child.kill().unwrap();
    child.wait().unwrap();
    let mut one_judge = Run {
        args: run.args.clone(),
        state: run.state.clone(),
    };
    let at = one_judge.args.iter().position(|a| a == "json-valid").unwrap();
    one_judge.args.drain(at - 1..=at);
    let refused = one_judge.command(&["--resume", "r3"]).output().unwrap();
    assert_eq!(refused.status.code(), Some(2), "{}", support::stderr(&refused));
    assert!(
        support::stderr(&refused).contains(": judges changed;"),
        "{}",
        support::stderr(&refused)
    );
    // The same size, one byte changed, another modification time.
    let input = dir.path().join("openai_input.jsonl");
    let (bytes, mtime) = (
        std::fs::read(&input).unwrap(),
        input.metadata().unwrap().modified().unwrap(),
    );
    let mut changed = bytes.clone();
    let at = changed.len() / 2;
    changed[at] ^= 0x20;
    std::fs::write(&input, &changed).unwrap();
    let later = mtime + Duration::from_secs(1);
    std::fs::File::options()
        .write(true)
        .open(&input)
        .unwrap()
        .set_modified(later)
        .unwrap();
    let refused = run.command(&["--resume", "r3"]).output().unwrap();
    assert_eq!(refused.status.code(), Some(2), "{}", support::stderr(&refused));
    let want = format!("--input {} (modification time, sampled bytes)", input.display());
    assert!(
        support::stderr(&refused).contains(&want),
        "{}",
        support::stderr(&refused)
    );
    std::fs::write(&input, &bytes).unwrap();
    std::fs::File::options()
        .write(true)
        .open(&input)
        .unwrap()
        .set_modified(mtime)
        .unwrap();
    let longer = Run::new(dir.path(), 2);
    let refused = longer.command(&["--resume", "r3"]).output().unwrap();
    assert_eq!(refused.status.code(), Some(2), "{}", support::stderr(&refused));
    assert!(
        support::stderr(&refused).contains("(size, modification time, sampled bytes)"),
        "{}",
        support::stderr(&refused)
    );
    // Back as they were (bytes and times): it resumes.
    for (name, (bytes, mtime)) in originals {
        let p = dir.path().join(name);
        std::fs::write(&p, bytes).unwrap();
        std::fs::File::options()
            .write(true)
            .open(&p)
            .unwrap()
            .set_modified(mtime)
            .unwrap();
    }
    let same = run.command(&["--resume", "r3"]).output().unwrap();
    assert_eq!(same.status.code(), Some(0), "{}", support::stderr(&same));
}

#[test]
fn a_resumable_run_refuses_a_pipe_without_reading_it() {
    let dir = tempfile::tempdir().unwrap();
    let run = Run::new(dir.path(), 1);
    let input = dir.path().join("openai_input.jsonl");
    let mut args: Vec<String> = run.args.clone();
    let at = args.iter().position(|a| a == "--input").unwrap();
    args[at + 1] = "-".into();
    let mut child = Command::new(env!("CARGO_BIN_EXE_assay"))
        .args(&args)
        .args(["--run-id", "piped", "--state"])
        .arg(&run.state)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // assay refuses before reading, so the write may meet a closed pipe.
    let _ = std::io::Write::write_all(&mut child.stdin.take().unwrap(), &std::fs::read(&input).unwrap());
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(2), "{}", support::stderr(&out));
    assert!(
        support::stderr(&out).contains("-: a resumable run (--run-id, --resume) checks its inputs again"),
        "{}",
        support::stderr(&out)
    );
}

/// The run's id from its announcement line, `assay: run ID: ...`.
fn announced(stderr: &str) -> Option<String> {
    let line = stderr.lines().find(|l| l.starts_with("assay: run "))?;
    Some(line["assay: run ".len()..].split(':').next()?.to_owned())
}

#[test]
fn every_run_gets_a_fresh_id_on_stderr_and_resumes_by_it_after_kill_9() {
    let dir = tempfile::tempdir().unwrap();
    let mut run = Run::new(dir.path(), 10);
    run.args.retain(|a| a != "--no-history");
    let reference = run.command(&[]).output().unwrap();
    assert_eq!(reference.status.code(), Some(0), "{}", support::stderr(&reference));
    let err = support::stderr(&reference);
    // --quiet --format json: stdout is the report alone; the id is on stderr.
    let want = strip(support::json(&reference));
    let id = announced(&err).unwrap_or_else(|| panic!("no run id announced: {err}"));
    assert!(
        err.contains(&format!("the same command with --resume {id} continues it")),
        "{err}"
    );
    // UTC time to the second, then 6 hex digits: 20261201T151649Z-3fa9c2.
    let (stamp, suffix) = id.split_once('-').unwrap();
    assert!(
        stamp.len() == 16 && stamp.as_bytes()[8] == b'T' && stamp.ends_with('Z'),
        "{id}"
    );
    assert!(
        suffix.len() == 6 && suffix.bytes().all(|b| b.is_ascii_hexdigit()),
        "{id}"
    );
    let again = run.command(&["--resume", &id]).output().unwrap();
    assert!(
        support::stderr(&again).contains("already finished"),
        "{}",
        support::stderr(&again)
    );
    std::fs::remove_file(dir.path().join("rows.jsonl")).unwrap();
    let want_rows_run = run.command(&[]).output().unwrap();
    let second = announced(&support::stderr(&want_rows_run)).unwrap();
    assert!(second > id, "ids sort by start: {second} after {id}");
    let want_rows = std::fs::read(dir.path().join("rows.jsonl")).unwrap();
    std::fs::remove_file(dir.path().join("rows.jsonl")).unwrap();

    // Killed once its id is out (and maybe some blocks in), it resumes by that id.
    let mut child = started(&run, &[]);
    std::thread::sleep(Duration::from_millis(150));
    child.kill().unwrap();
    child.wait().unwrap();
    let _ = std::fs::remove_file(dir.path().join("rows.jsonl"));
    let conn = assay::db::open(&run.state).unwrap();
    let killed: String = conn
        .query_row("SELECT id FROM eval_runs WHERE status = 'running'", [], |r| r.get(0))
        .unwrap();
    let done = run.command(&["--resume", &killed]).output().unwrap();
    assert_eq!(done.status.code(), Some(0), "{}", support::stderr(&done));
    assert!(support::stderr(&done).contains(&format!("run {killed} resumed")));
    assert_eq!(strip(support::json(&done)), want);
    assert!(std::fs::read(dir.path().join("rows.jsonl")).unwrap() == want_rows);
}

#[test]
fn no_history_or_a_piped_input_gets_no_run_id_and_writes_no_checkpoint() {
    let dir = tempfile::tempdir().unwrap();
    let run = Run::new(dir.path(), 1);
    // --no-history touches no file: no state database, no lock directory.
    let off = run.command(&[]).output().unwrap();
    assert_eq!(off.status.code(), Some(0), "{}", support::stderr(&off));
    assert_eq!(announced(&support::stderr(&off)), None, "{}", support::stderr(&off));
    assert!(!dir.path().join("state").exists(), "--no-history wrote something");

    // An input on stdin: recorded in the history, but no id and no checkpoint.
    let input = dir.path().join("openai_input.jsonl");
    let mut args = run.args.clone();
    args.retain(|a| a != "--no-history");
    let at = args.iter().position(|a| a == "--input").unwrap();
    args[at + 1] = "-".into();
    let out = Command::new(env!("CARGO_BIN_EXE_assay"))
        .args(&args)
        .arg("--state")
        .arg(&run.state)
        .env("ASSAY_CACHE_DIR", support::root().join("target").join("test-cache"))
        .env_remove("ASSAY_POLICY")
        .stdin(std::fs::File::open(&input).unwrap())
        .output()
        .unwrap();
    // `-` is never checkpointed, even with a file behind it.
    assert_eq!(out.status.code(), Some(0), "{}", support::stderr(&out));
    assert_eq!(announced(&support::stderr(&out)), None, "{}", support::stderr(&out));
    let mut child = Command::new(env!("CARGO_BIN_EXE_assay"))
        .args(&args)
        .arg("--state")
        .arg(&run.state)
        .env("ASSAY_CACHE_DIR", support::root().join("target").join("test-cache"))
        .env_remove("ASSAY_POLICY")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let bytes = std::fs::read(&input).unwrap();
    let mut stdin = child.stdin.take().unwrap();
    std::thread::spawn(move || std::io::Write::write_all(&mut stdin, &bytes));
    let piped = child.wait_with_output().unwrap();
    assert_eq!(piped.status.code(), Some(0), "{}", support::stderr(&piped));
    assert_eq!(announced(&support::stderr(&piped)), None, "{}", support::stderr(&piped));
    assert_eq!(support::json(&piped)["rows_submitted"], 2000);
    let conn = assay::db::open(&run.state).unwrap();
    let runs: i64 = conn.query_row("SELECT COUNT(*) FROM runs", [], |r| r.get(0)).unwrap();
    let checkpoints: i64 = conn
        .query_row("SELECT COUNT(*) FROM eval_runs", [], |r| r.get(0))
        .unwrap();
    assert_eq!(runs, 2, "both runs are in the history");
    assert_eq!(checkpoints, 0, "neither has a checkpoint");
}

#[test]
fn rows_recovered_from_sync_results_and_committed_are_not_scored_again_on_resume() {
    let dir = tempfile::tempdir().unwrap();
    let mut run = Run::new(dir.path(), 10);
    // The batch answered only with errors; the sync API completed the rest.
    let at = run.args.iter().position(|a| a == "--results").unwrap();
    let (output, errors) = run.args[at + 1]
        .split_once(',')
        .map(|(o, e)| (o.to_owned(), e.to_owned()))
        .unwrap();
    run.args[at + 1] = errors;
    run.args.extend(["--sync-results".into(), output]);
    let reference = run.command(&[]).output().unwrap();
    assert_eq!(reference.status.code(), Some(0), "{}", support::stderr(&reference));
    let want = strip(support::json(&reference));
    assert_eq!(want["sync"]["recovered_by_sync"], 19_050, "{}", want["sync"]);
    let want_rows = std::fs::read(dir.path().join("rows.jsonl")).unwrap();
    std::fs::remove_file(dir.path().join("rows.jsonl")).unwrap();

    // Kill the run as soon as it has committed recovered rows.
    let mut landed = false;
    for attempt in 0..5 {
        let id = format!("sync-{attempt}");
        let mut child = started(&run, &["--run-id", &id]);
        let conn = assay::db::open(&run.state).unwrap();
        let t = Instant::now();
        while child.try_wait().unwrap().is_none() && t.elapsed() < Duration::from_secs(120) {
            let n: i64 = conn
                .query_row(
                    "SELECT COUNT(*) FROM eval_blocks WHERE run = ?1 AND seq < 0",
                    [&id],
                    |r| r.get(0),
                )
                .unwrap();
            if n > 0 {
                child.kill().unwrap();
                break;
            }
            std::thread::sleep(Duration::from_millis(2));
        }
        let status = child.wait().unwrap();
        let _ = std::fs::remove_file(dir.path().join("rows.jsonl"));
        if std::os::unix::process::ExitStatusExt::signal(&status) != Some(9) {
            continue;
        }
        let done = run.command(&["--resume", &id]).output().unwrap();
        assert_eq!(done.status.code(), Some(0), "{}", support::stderr(&done));
        let err = support::stderr(&done);
        let kept: u64 = err
            .lines()
            .find(|l| l.contains(" row(s) recovered from --sync-results were committed before"))
            .and_then(|l| l.strip_prefix("assay: ")?.split(' ').next()?.parse().ok())
            .unwrap_or_else(|| panic!("no recovered rows reused: {err}"));
        assert!(kept > 0 && kept < 19_050, "{kept}");
        assert_eq!(strip(support::json(&done)), want, "the resumed summary differs");
        assert!(std::fs::read(dir.path().join("rows.jsonl")).unwrap() == want_rows);
        landed = true;
        break;
    }
    assert!(landed, "no kill landed while recovered rows were being scored");
}

#[test]
fn a_state_database_that_cannot_be_used_costs_one_warning_and_the_run_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let mut run = Run::new(dir.path(), 1);
    run.args.retain(|a| a != "--no-history");
    std::fs::create_dir_all(run.state.parent().unwrap()).unwrap();
    let junk: Vec<u8> = (0..5000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    std::fs::write(&run.state, &junk).unwrap();
    let out = run.command(&[]).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", support::stderr(&out));
    assert_eq!(support::json(&out)["rows_submitted"], 2000);
    let err = support::stderr(&out);
    let warnings: Vec<&str> = err.lines().filter(|l| l.contains("cannot be resumed")).collect();
    assert_eq!(warnings.len(), 1, "{err}");
    assert!(
        warnings[0].starts_with("warning: this run cannot be resumed ("),
        "{err}"
    );
    assert_eq!(announced(&err), None, "{err}");
    assert_eq!(std::fs::read(&run.state).unwrap(), junk, "not ours: left as it was");
}
