//! `assay eval --shard i/N --partial-out` then `assay merge`: the merged
//! summary is the single run's (every field but timing, file lists and
//! fuel, which depends on how rows were chunked, as with --workers), for
//! N = 1, 2 and 7, with an aggregating judge and with failed, missing,
//! unexpected, duplicate and bad rows; and every way a merge is refused.

use crate::support;

use std::path::{Path, PathBuf};

use serde_json::Value;
use support::{assay, data, example_judges, json, root, stderr, write_lines};

/// The example job, or its messy copy: (input, attempts' result files).
struct Job {
    input: PathBuf,
    attempts: Vec<String>,
    /// `--batch-object` of attempt 1.
    batch_object: Option<PathBuf>,
}

fn example() -> Job {
    Job {
        input: data("openai_input.jsonl"),
        attempts: vec![format!(
            "{},{}",
            data("openai_output.jsonl").display(),
            data("openai_errors.jsonl").display()
        )],
        batch_object: None,
    }
}

fn lines(p: &Path) -> Vec<String> {
    std::fs::read_to_string(p)
        .unwrap_or_default()
        .lines()
        .map(str::to_owned)
        .collect()
}

/// The example with bad input lines (garbage, a duplicate id), missing rows,
/// bad result lines, an unexpected id, a duplicated result line, and a second
/// attempt that retries some rows.
fn messy(dir: &Path) -> Job {
    let mut input = lines(&data("openai_input.jsonl"));
    let dup = input[3].clone();
    input.insert(500, "{not json".into());
    input.push(dup);
    let out = lines(&data("openai_output.jsonl"));
    let errors = lines(&data("openai_errors.jsonl"));
    let gone = |l: &String| (10..30).any(|k| l.contains(&format!("\"custom_id\":\"row-{k}\"")));
    let mut first: Vec<String> = out.iter().filter(|l| !gone(l)).cloned().collect();
    first.insert(100, "garbage {".into());
    first.push(first[5].clone());
    first.push(out[0].replacen("\"custom_id\":\"row-", "\"custom_id\":\"ghost-", 1));
    // Attempt 2: the failed rows fail again (rate limited), but ten of them
    // complete; and some rows completed in attempt 1 come back again.
    let id_of = |l: &str| serde_json::from_str::<Value>(l).ok().map(|v| v["custom_id"].clone());
    let mut retried: Vec<String> = errors
        .iter()
        .skip(10)
        .map(|l| l.replace("server_error", "rate_limit"))
        .collect();
    for (k, e) in errors.iter().take(10).enumerate() {
        let (Some(from), Some(to)) = (id_of(&out[k]), id_of(e)) else {
            continue;
        };
        retried.push(out[k].replacen(&from.to_string(), &to.to_string(), 1));
    }
    retried.extend(out.iter().step_by(9).cloned());
    Job {
        input: write_lines(dir, "input.jsonl", &input),
        attempts: vec![
            format!(
                "{},{}",
                write_lines(dir, "a1_out.jsonl", &first).display(),
                write_lines(dir, "a1_err.jsonl", &errors).display()
            ),
            write_lines(dir, "a2.jsonl", &retried).display().to_string(),
        ],
        batch_object: Some(write_lines(
            dir,
            "batch.json",
            &[r#"{"id":"batch_1","object":"batch","status":"completed","request_counts":{"total":2001,"completed":1890,"failed":111}}"#.into()],
        )),
    }
}

fn eval_args(job: &Job, extra: &[&str]) -> Vec<String> {
    let mut a: Vec<String> = ["eval", "--provider", "openai", "--no-history", "--format", "json"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    a.extend(["--input".into(), job.input.display().to_string()]);
    for r in &job.attempts {
        a.extend(["--results".into(), r.clone()]);
    }
    if let Some(b) = &job.batch_object {
        a.extend(["--batch-object".into(), b.display().to_string()]);
    }
    a.extend(example_judges());
    a.extend(["--segment-size".into(), "250".into()]);
    a.extend(extra.iter().map(|s| s.to_string()));
    a
}

fn run(args: &[String]) -> std::process::Output {
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    assay(&refs)
}

/// The summary without the fields a merge does not promise to equal.
fn strip(mut v: Value) -> Value {
    for k in ["elapsed_ms", "input", "attempts"] {
        v[k] = Value::Null;
    }
    for (_, j) in v["judges"].as_object_mut().into_iter().flatten() {
        j["fuel_used"] = Value::Null;
    }
    v
}

/// Runs the N shards of `job`, returning their partials.
fn shards(dir: &Path, job: &Job, n: u32, extra: &[&str]) -> Vec<PathBuf> {
    shards_counted(dir, job, n, extra).0
}

/// Runs the N shards of `job`: their partials, and the rows and bad lines they say they hold.
fn shards_counted(dir: &Path, job: &Job, n: u32, extra: &[&str]) -> (Vec<PathBuf>, u64, u64) {
    let (mut rows, mut bad) = (0, 0);
    let parts = (0..n)
        .map(|i| {
            let part = dir.join(format!("part-{i}-of-{n}.gz"));
            let spec = format!("{i}/{n}");
            let mut e = vec!["--shard", &spec, "--partial-out", part.to_str().unwrap_or_default()];
            e.extend(extra);
            let out = run(&eval_args(job, &e));
            assert_eq!(out.status.code(), Some(0), "shard {spec}: {}", stderr(&out));
            let said = json(&out);
            assert_eq!(said["shard"], spec.as_str());
            assert_eq!(said["partial"], part.to_str().unwrap_or_default());
            rows += said["rows"].as_u64().unwrap_or(0);
            bad += said["bad_lines"].as_u64().unwrap_or(0);
            part
        })
        .collect();
    (parts, rows, bad)
}

fn merge(parts: &[PathBuf], extra: &[&str]) -> std::process::Output {
    let mut a = vec!["merge".to_owned()];
    a.extend(parts.iter().map(|p| p.display().to_string()));
    a.extend(["--format".into(), "json".into()]);
    a.extend(extra.iter().map(|s| s.to_string()));
    run(&a)
}

fn assert_merge_equals_single(job: &Job, extra: &[&str]) {
    let single = run(&eval_args(job, extra));
    let want = strip(json(&single));
    let tmp = tempfile::tempdir().expect("tmp");
    for n in [1u32, 2, 7] {
        let dir = tmp.path().join(n.to_string());
        std::fs::create_dir_all(&dir).expect("dir");
        let (parts, rows, bad) = shards_counted(&dir, job, n, extra);
        assert_eq!(
            Some(rows),
            want["rows_submitted"].as_u64(),
            "N = {n}: each row in one shard"
        );
        assert_eq!(
            Some(bad),
            want["bad_lines"]["count"].as_u64(),
            "N = {n}: each bad line in one shard"
        );
        let merged = merge(&parts, &[]);
        assert_eq!(
            merged.status.code(),
            single.status.code(),
            "N = {n}: {}",
            stderr(&merged)
        );
        assert_eq!(
            strip(json(&merged)),
            want,
            "N = {n}: the merged summary differs from the single run's"
        );
    }
}

#[test]
fn merged_shards_equal_the_single_run_on_the_example() {
    let job = example();
    assert_merge_equals_single(&job, &[]);
    let s = json(&run(&eval_args(&job, &[])));
    assert!(
        s["judges"]["schema-drift"]["alarms"]
            .as_array()
            .is_some_and(|a| !a.is_empty())
    );
}

#[test]
fn merged_shards_equal_the_single_run_with_bad_missing_and_retried_rows() {
    let tmp = tempfile::tempdir().expect("tmp");
    let job = messy(tmp.path());
    let s = json(&run(&eval_args(&job, &["--max-bad-lines", "10"])));
    assert!(
        s["bad_lines"]["count"].as_u64().is_some_and(|c| c >= 3),
        "{}",
        s["bad_lines"]
    );
    assert!(s["status_counts"]["missing"].as_u64().is_some_and(|c| c > 0));
    assert!(s["flags"]["unexpected"].as_u64().is_some_and(|c| c > 0));
    assert!(s["flags"]["duplicate"].as_u64().is_some_and(|c| c > 0));
    assert!(s["flags"]["retried"].as_u64().is_some_and(|c| c > 0));
    assert_eq!(s["reconciliation"][0]["ok"], false, "{}", s["reconciliation"]);
    assert_merge_equals_single(&job, &["--max-bad-lines", "10"]);
    // More bad lines than allowed: the merge exits 3 with the same summary, as the run does.
    assert_merge_equals_single(&job, &[]);
    // --strict-reconcile at the merge fails the run as it fails the single run.
    let tmp2 = tempfile::tempdir().expect("tmp");
    let parts = shards(tmp2.path(), &job, 2, &["--max-bad-lines", "10"]);
    let single = run(&eval_args(&job, &["--max-bad-lines", "10", "--strict-reconcile"]));
    let merged = merge(&parts, &["--strict-reconcile"]);
    assert_eq!(single.status.code(), Some(1));
    assert_eq!(merged.status.code(), Some(1), "{}", stderr(&merged));
    assert_eq!(strip(json(&merged)), strip(json(&single)));
}

#[test]
fn merge_applies_the_gates_as_eval_does() {
    let job = example();
    let tmp = tempfile::tempdir().expect("tmp");
    let parts = shards(tmp.path(), &job, 2, &[]);
    let single = run(&eval_args(&job, &["--min-pass-rate", "0.99"]));
    let merged = merge(&parts, &["--min-pass-rate", "0.99"]);
    assert_eq!(single.status.code(), Some(1));
    assert_eq!(merged.status.code(), Some(1), "{}", stderr(&merged));
    assert_eq!(strip(json(&merged)), strip(json(&single)));
}

fn refused(out: &std::process::Output, code: i32, words: &[&str]) {
    let err = stderr(out);
    assert_eq!(out.status.code(), Some(code), "stderr: {err}");
    for w in words {
        assert!(err.contains(w), "expected {w:?} in: {err}");
    }
}

#[test]
fn merge_refuses_what_is_not_one_whole_sharded_run() {
    let tmp = tempfile::tempdir().expect("tmp");
    let (a, b, c) = (tmp.path().join("a"), tmp.path().join("b"), tmp.path().join("c"));
    for d in [&a, &b, &c] {
        std::fs::create_dir_all(d).expect("dir");
    }
    let job = example();
    let three = shards(&a, &job, 3, &[]);
    let two = shards(&b, &job, 2, &[]);
    let other = shards(&c, &messy(tmp.path()), 2, &["--max-bad-lines", "10"]);
    let name = |p: &PathBuf| p.display().to_string();

    refused(&merge(&three[..2], &[]), 3, &["missing shard(s) 2 of 3"]);
    refused(
        &merge(
            &[three[0].clone(), three[1].clone(), three[1].clone(), three[2].clone()],
            &[],
        ),
        3,
        &["shard 1/3 given twice"],
    );
    refused(
        &merge(&[three[0].clone(), two[1].clone()], &[]),
        3,
        &[&name(&two[1]), "shard 1 of 2"],
    );
    refused(
        &merge(&[two[0].clone(), other[1].clone()], &[]),
        3,
        &[
            &name(&other[1]),
            "--input, --results 1.1",
            "not a shard of the same run",
        ],
    );

    let bytes = std::fs::read(&two[1]).expect("partial");
    let cut = tmp.path().join("cut.gz");
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).expect("write");
    refused(
        &merge(&[two[0].clone(), cut.clone()], &[]),
        3,
        &[&name(&cut), "truncated or corrupt"],
    );

    // Shards relabelled: every row is in the partial of a shard it does not hash to.
    let relabel = |from: &PathBuf, to: u32, name: &str| {
        let mut text = String::new();
        std::io::Read::read_to_string(
            &mut flate2::read::GzDecoder::new(std::fs::File::open(from).expect("open")),
            &mut text,
        )
        .expect("gunzip");
        let text = text.replacen("\"shard\":0,", &format!("\"shard\":{to},"), 1).replacen(
            "\"shard\":1,",
            &format!("\"shard\":{to},"),
            1,
        );
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        std::io::Write::write_all(&mut gz, text.as_bytes()).expect("gz");
        let p = tmp.path().join(name);
        std::fs::write(&p, gz.finish().expect("gz")).expect("write");
        p
    };
    let (x, y) = (relabel(&two[0], 1, "x0.gz"), relabel(&two[1], 0, "x1.gz"));
    refused(&merge(&[x, y], &[]), 3, &["belongs to another shard than"]);

    let v99 = tmp.path().join("v99.gz");
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    std::io::Write::write_all(&mut gz, b"{\"format\":\"assay-partial\",\"version\":99}\n").expect("gz");
    std::fs::write(&v99, gz.finish().expect("gz")).expect("write");
    refused(
        &merge(std::slice::from_ref(&v99), &[]),
        3,
        &[&name(&v99), "format version 99"],
    );

    let text = root().join("README.md");
    refused(
        &merge(std::slice::from_ref(&text), &[]),
        3,
        &[&name(&text), "not an assay partial"],
    );
    let json_gz = tmp.path().join("x.gz");
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    std::io::Write::write_all(&mut gz, b"{\"format\":\"something-else\"}\n").expect("gz");
    std::fs::write(&json_gz, gz.finish().expect("gz")).expect("write");
    refused(
        &merge(std::slice::from_ref(&json_gz), &[]),
        3,
        &[&name(&json_gz), "not an assay partial"],
    );
}

#[test]
fn a_bad_shard_spec_is_a_usage_error() {
    let tmp = tempfile::tempdir().expect("tmp");
    let part = tmp.path().join("p.gz");
    let p = part.to_str().unwrap_or_default();
    refused(
        &run(&eval_args(&example(), &["--shard", "7/7", "--partial-out", p])),
        2,
        &["below N"],
    );
    refused(
        &run(&eval_args(&example(), &["--shard", "x", "--partial-out", p])),
        2,
        &["expected I/N"],
    );
    refused(&run(&eval_args(&example(), &["--shard", "0/2"])), 2, &["--partial-out"]);
    assert!(!part.exists());
}

#[test]
fn the_kubernetes_example_runs_as_local_processes() {
    let tmp = tempfile::tempdir().expect("tmp");
    let d = tmp.path();
    for (from, to) in [
        ("openai_input.jsonl", "input.jsonl"),
        ("openai_output.jsonl", "output.jsonl"),
        ("openai_errors.jsonl", "errors.jsonl"),
        ("schema.json", "schema.json"),
        ("prices.json", "prices.json"),
    ] {
        std::fs::copy(data(from), d.join(to)).expect("copy");
    }
    support::builtin_judges();
    let out = std::process::Command::new(root().join("examples/kubernetes/local.sh"))
        .env("ASSAY", env!("CARGO_BIN_EXE_assay"))
        .env("DATA", d)
        .env("N", "3")
        .env("ASSAY_STATE", support::test_state())
        .env("ASSAY_CACHE_DIR", root().join("target").join("test-cache"))
        .env_remove("ASSAY_POLICY")
        .output()
        .expect("local.sh runs");
    assert_eq!(out.status.code(), Some(0), "stderr: {}", stderr(&out));
    let job = Job {
        input: d.join("input.jsonl"),
        attempts: vec![format!(
            "{},{}",
            d.join("output.jsonl").display(),
            d.join("errors.jsonl").display()
        )],
        batch_object: None,
    };
    let single = json(&run(&eval_args(&job, &[])));
    assert_eq!(strip(json(&out)), strip(single));
    assert!(d.join("partials/part-2-of-3.gz").is_file());
}

#[test]
fn a_shard_refuses_the_outputs_and_gates_that_are_not_merged() {
    let tmp = tempfile::tempdir().expect("tmp");
    let part = tmp.path().join("p.gz");
    let p = part.to_str().unwrap_or_default();
    let rows = tmp.path().join("rows.jsonl");
    for extra in [
        vec!["--rows-out", rows.to_str().unwrap_or_default()],
        vec!["--min-pass-rate", "0.9"],
        vec!["--run-id", "x"],
    ] {
        let mut e = vec!["--shard", "0/2", "--partial-out", p];
        e.extend(extra.iter().copied());
        refused(&run(&eval_args(&example(), &e)), 2, &["cannot be used with"]);
    }
    assert!(!part.exists() && !rows.exists());
    // A judge granted the llm capability: its model spend is not merged yet.
    let policy = write_lines(
        tmp.path(),
        "policy.toml",
        &["[llm.batch-sync-drift-llm]".into(), "models = [\"gpt-4o-mini\"]".into()],
    );
    let mut a = eval_args(&example(), &["--shard", "0/2", "--partial-out", p]);
    a.extend(["--judge", "batch-sync-drift-llm", "--policy"].map(String::from));
    a.push(policy.display().to_string());
    refused(&run(&a), 2, &["judge 'batch-sync-drift-llm' calls a model (llm)"]);
    assert!(!part.exists());
}

/// The report without its timing and its history note.
fn report_text(p: &Path) -> String {
    let html = std::fs::read_to_string(p).unwrap_or_default();
    let html = html
        .replace("Run history is off (--no-history).", "HISTORY")
        .replace("A merged run is not recorded in the history.", "HISTORY");
    match (html.find(" · "), html.find(" ms</td>")) {
        (Some(a), Some(b)) if a < b => format!("{}{}", &html[..a], &html[b..]),
        _ => html,
    }
}

#[test]
fn shards_record_nothing_in_the_run_history() {
    let tmp = tempfile::tempdir().expect("tmp");
    let db = tmp.path().join("history.db");
    let part = tmp.path().join("p.gz");
    let mut args = eval_args(
        &example(),
        &["--shard", "0/2", "--partial-out", part.to_str().unwrap_or_default()],
    );
    args.retain(|a| a != "--no-history");
    args.extend(["--history".into(), db.display().to_string()]);
    let out = run(&args);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let history = run(&[
        "history".into(),
        "--history".into(),
        db.display().to_string(),
        "--format".into(),
        "json".into(),
    ]);
    assert_eq!(json(&history)["runs"], serde_json::json!([]), "a shard was recorded");
}

#[test]
fn merge_writes_the_html_report_of_the_single_run() {
    let tmp = tempfile::tempdir().expect("tmp");
    let job = messy(tmp.path());
    let (a, b) = (tmp.path().join("single.html"), tmp.path().join("merged.html"));
    let single = run(&eval_args(
        &job,
        &["--max-bad-lines", "10", "--report", a.to_str().unwrap_or_default()],
    ));
    assert_eq!(single.status.code(), Some(0), "{}", stderr(&single));
    let parts = shards(tmp.path(), &job, 7, &["--max-bad-lines", "10"]);
    let merged = merge(&parts, &["--report", b.to_str().unwrap_or_default()]);
    assert_eq!(merged.status.code(), Some(0), "{}", stderr(&merged));
    let (a, b) = (report_text(&a), report_text(&b));
    assert!(a.contains("row-10"), "the missing rows are listed as failed");
    assert_eq!(a, b);
}

#[test]
fn merge_refuses_a_judge_that_is_not_the_one_that_scored_the_shards() {
    let tmp = tempfile::tempdir().expect("tmp");
    // Shards scored by the `hostile` test judge (harmless on ordinary rows), as found on
    // ASSAY_PLUGIN_PATH; the merge finds there instead the same judge with its
    // component one custom section longer: another sha256.
    let job = Job {
        input: data("openai_input.jsonl"),
        attempts: example().attempts,
        batch_object: None,
    };
    let parts: Vec<PathBuf> = (0..2)
        .map(|i| {
            let part = tmp.path().join(format!("h{i}.gz"));
            let mut a = eval_args(&job, &[]);
            let at = a.iter().position(|x| x == "--judge").unwrap_or(a.len());
            a.truncate(at);
            let spec = format!("{i}/2");
            a.extend(["--judge", "hostile", "--shard", &spec, "--partial-out"].map(String::from));
            a.push(part.display().to_string());
            let out = run(&a);
            assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
            part
        })
        .collect();
    let dir = tmp.path().join("judges").join("hostile");
    std::fs::create_dir_all(&dir).expect("dir");
    let staged = support::hostile_judges().join("hostile");
    let mut wasm = std::fs::read(staged.join("hostile.wasm")).expect("wasm");
    wasm.extend_from_slice(&[0x00, 0x05, 0x04, b'n', b'o', b't', b'e']);
    let sha = {
        use sha2::Digest;
        hex::encode(sha2::Sha256::digest(&wasm))
    };
    std::fs::write(dir.join("hostile.wasm"), &wasm).expect("write");
    let manifest = std::fs::read_to_string(staged.join("judge.toml")).expect("manifest");
    let old = manifest
        .lines()
        .find(|l| l.starts_with("sha256"))
        .unwrap_or_default()
        .to_owned();
    std::fs::write(
        dir.join("judge.toml"),
        manifest.replace(&old, &format!("sha256 = \"{sha}\"")),
    )
    .expect("write");
    let plugins = tmp.path().join("judges");
    let same = merge(&parts, &[]);
    assert_eq!(same.status.code(), Some(0), "{}", stderr(&same));
    let mut a = vec!["merge".to_owned()];
    a.extend(parts.iter().map(|p| p.display().to_string()));
    let refs: Vec<&str> = a.iter().map(String::as_str).collect();
    let out = support::assay_with_env(&refs, &[("ASSAY_PLUGIN_PATH", plugins.to_str().unwrap_or_default())]);
    refused(&out, 4, &["judge 'hostile'", "were scored by sha256", &sha]);
}
