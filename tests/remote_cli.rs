//! `s3://` file arguments of `assay eval`, against a loopback S3-compatible
//! server each test starts (tests/support/s3_server.rs): the run over the
//! objects gives the local run's summary and rows (a gzip input, a bad
//! result line, judges that re-read prompts and metadata; sync results and a
//! batch object), names the URLs, leaves nothing in TMPDIR, shards and
//! merges; a missing object, a denied request, a bad URL and `gs://` each
//! fail with the exit code of a missing local file and a message naming the
//! URL; a TMPDIR the copy cannot be written to fails as an output does.

use crate::support;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Output;

use serde_json::Value;
use support::s3_server::S3Server;
use support::{assay_with_env, data, example_judges, json, stderr};

/// A bucket `jobs` served from a temp dir, the example job in it: the input
/// gzip-compressed, the output with a bad line.
struct Bucket {
    root: tempfile::TempDir,
    server: S3Server,
    /// TMPDIR of every run, checked empty after each.
    tmp: tempfile::TempDir,
}

impl Bucket {
    fn new() -> Bucket {
        let root = tempfile::tempdir().expect("root");
        let dir = root.path().join("jobs");
        std::fs::create_dir_all(&dir).expect("bucket dir");
        let input = std::fs::read(data("openai_input.jsonl")).expect("input");
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(&input).expect("gzip");
        std::fs::write(dir.join("in.jsonl.gz"), gz.finish().expect("gzip")).expect("write input");
        let out = std::fs::read_to_string(data("openai_output.jsonl")).expect("output");
        let mut lines: Vec<&str> = out.lines().collect();
        lines.insert(4, "{this is not json");
        std::fs::write(dir.join("out.jsonl"), lines.join("\n") + "\n").expect("write output");
        std::fs::copy(data("openai_errors.jsonl"), dir.join("err.jsonl")).expect("copy errors");
        let server = S3Server::start(root.path().to_owned());
        let tmp = tempfile::tempdir().expect("tmp");
        Bucket { root, server, tmp }
    }

    fn local(&self, key: &str) -> String {
        self.root.path().join("jobs").join(key).display().to_string()
    }

    fn run(&self, args: &[String]) -> Output {
        let mut env = self.server.env();
        env.push(("TMPDIR", self.tmp.path().display().to_string()));
        let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let refs: Vec<&str> = args.iter().map(String::as_str).collect();
        let out = assay_with_env(&refs, &env);
        let left: Vec<PathBuf> = std::fs::read_dir(self.tmp.path())
            .expect("read TMPDIR")
            .map(|e| e.expect("entry").path())
            .collect();
        assert!(left.is_empty(), "the run left {left:?} in TMPDIR");
        out
    }
}

/// `assay eval` over (input, results) with schema-drift, cost-per-row and
/// echo-row (which needs every row's prompt and metadata, re-read by offset).
fn eval_args(input: &str, results: &str, extra: &[&str]) -> Vec<String> {
    let mut a: Vec<String> = ["eval", "--no-history", "--format", "json", "--max-bad-lines", "5"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    a.extend(["--input".into(), input.into(), "--results".into(), results.into()]);
    a.extend(example_judges());
    a.extend([
        "--judge".into(),
        "echo-row".into(),
        "--segment-size".into(),
        "250".into(),
    ]);
    a.extend(extra.iter().map(|s| s.to_string()));
    a
}

fn no_timing(mut v: Value) -> Value {
    v["elapsed_ms"] = Value::Null;
    v
}

fn refused(out: &Output, code: i32, words: &[&str]) {
    let err = stderr(out);
    assert_eq!(out.status.code(), Some(code), "{err}");
    for w in words {
        assert!(err.contains(w), "stderr lacks {w:?}: {err}");
    }
    assert!(!err.contains("/proc/self/fd"), "the error names the copy: {err}");
}

#[test]
fn an_eval_over_s3_objects_gives_the_local_summary_and_rows() {
    let b = Bucket::new();
    let (local_rows, s3_rows) = (
        b.root.path().join("local-rows.jsonl"),
        b.root.path().join("s3-rows.jsonl"),
    );
    let local_results = format!("{},{}", b.local("out.jsonl"), b.local("err.jsonl"));
    let local = b.run(&eval_args(
        &b.local("in.jsonl.gz"),
        &local_results,
        &["--rows-out", &local_rows.display().to_string()],
    ));
    let remote = b.run(&eval_args(
        "s3://jobs/in.jsonl.gz",
        "s3://jobs/out.jsonl,s3://jobs/err.jsonl",
        &["--rows-out", &s3_rows.display().to_string()],
    ));
    assert_eq!(remote.status.code(), local.status.code(), "{}", stderr(&remote));
    let (want, got) = (no_timing(json(&local)), no_timing(json(&remote)));
    assert_eq!(got["input"], "s3://jobs/in.jsonl.gz");
    assert_eq!(
        got["attempts"],
        serde_json::json!([["s3://jobs/out.jsonl", "s3://jobs/err.jsonl"]])
    );
    assert_eq!(got["bad_lines"]["count"], 1, "{}", got["bad_lines"]);
    let text = got.to_string();
    assert!(!text.contains("/proc/self/fd"), "the summary names a copy: {text}");
    // Every field but the file names is the local run's.
    let named_locally = text
        .replace("s3://jobs/in.jsonl.gz", &b.local("in.jsonl.gz"))
        .replace("s3://jobs/out.jsonl", &b.local("out.jsonl"))
        .replace("s3://jobs/err.jsonl", &b.local("err.jsonl"));
    let got: Value = serde_json::from_str(&named_locally).expect("json");
    assert_eq!(got, want);
    let rows = |p: &Path| std::fs::read_to_string(p).expect("rows-out");
    assert_eq!(
        rows(&s3_rows),
        rows(&local_rows),
        "rows-out differs (prompts and metadata re-read)"
    );
    let auth = b.server.auth.lock().expect("auth").clone();
    assert!(
        !auth.is_empty()
            && auth
                .iter()
                .all(|a| a.starts_with("AWS4-HMAC-SHA256 Credential=AKIDTESTLOOPBACK/")),
        "requests SigV4-signed with the AWS_* access key: {auth:?}"
    );
    assert_eq!(auth.len(), b.server.request_count(), "every request is signed");
}

#[test]
fn shards_of_s3_objects_merge_to_the_single_run() {
    let b = Bucket::new();
    let (input, results) = ("s3://jobs/in.jsonl.gz", "s3://jobs/out.jsonl,s3://jobs/err.jsonl");
    let single = b.run(&eval_args(input, results, &[]));
    let mut parts = Vec::new();
    for i in 0..2 {
        let part = b.root.path().join(format!("part{i}.gz"));
        let shard = format!("{i}/2");
        let extra = ["--shard", &shard, "--partial-out", &part.display().to_string()];
        let out = b.run(&eval_args(input, results, &extra));
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        parts.push(part.display().to_string());
    }
    let mut merge = vec!["merge".to_owned()];
    merge.extend(parts);
    merge.extend(["--format".into(), "json".into()]);
    let merged = b.run(&merge);
    assert_eq!(merged.status.code(), single.status.code(), "{}", stderr(&merged));
    let strip = |mut v: Value| {
        v["elapsed_ms"] = Value::Null;
        for (_, j) in v["judges"].as_object_mut().into_iter().flatten() {
            j["fuel_used"] = Value::Null;
        }
        v
    };
    let merged = strip(json(&merged));
    assert_eq!(merged["input"], "s3://jobs/in.jsonl.gz");
    assert_eq!(merged, strip(json(&single)));
}

#[test]
fn a_missing_or_denied_object_fails_as_a_missing_file_does() {
    let b = Bucket::new();
    let results = "s3://jobs/out.jsonl";
    let missing_local = b.run(&eval_args(&b.local("nope.jsonl"), &b.local("out.jsonl"), &[]));
    let code = missing_local.status.code().expect("exit code");
    assert_eq!(code, 3, "{}", stderr(&missing_local));
    let missing = b.run(&eval_args("s3://jobs/nope.jsonl", results, &[]));
    refused(&missing, code, &["s3://jobs/nope.jsonl: no such object", "NoSuchKey"]);
    let denied = b.run(&eval_args("s3://jobs/in.jsonl.gz", "s3://jobs/private/out.jsonl", &[]));
    refused(
        &denied,
        code,
        &["s3://jobs/private/out.jsonl: access denied", "AWS_ACCESS_KEY_ID", "403"],
    );
    let bad_sync = b.run(&eval_args(
        "s3://jobs/in.jsonl.gz",
        results,
        &["--sync-results", "s3://jobs/missing-sync.jsonl"],
    ));
    refused(&bad_sync, code, &["s3://jobs/missing-sync.jsonl: no such object"]);
}

#[test]
fn bad_urls_and_gs_are_refused_before_the_run() {
    let b = Bucket::new();
    let gs = b.run(&eval_args("gs://jobs/in.jsonl", "s3://jobs/out.jsonl", &[]));
    refused(
        &gs,
        3,
        &[
            "gs://jobs/in.jsonl: gs:// is not supported",
            "AWS_ENDPOINT_URL=https://storage.googleapis.com",
        ],
    );
    for (url, why) in [
        ("s3://jobs", "no object key"),
        ("s3:///out.jsonl", "no bucket"),
        ("s3://jobs/dir/", "the key names no object"),
        ("https://example.com/out.jsonl", "only s3://BUCKET/KEY"),
    ] {
        let out = b.run(&eval_args("s3://jobs/in.jsonl.gz", url, &[]));
        refused(&out, 3, &[&format!("{url}: not an object URL: {why}")]);
    }
    assert_eq!(b.server.request_count(), 0, "a refused URL sends no request");
}

#[test]
fn a_download_that_cannot_be_written_names_tmpdir() {
    let b = Bucket::new();
    let missing_dir = b.tmp.path().join("absent");
    let mut env = b.server.env();
    env.push(("TMPDIR", missing_dir.display().to_string()));
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let args = eval_args("s3://jobs/in.jsonl.gz", "s3://jobs/out.jsonl", &[]);
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = assay_with_env(&refs, &env);
    refused(
        &out,
        5,
        &[
            "s3://jobs/in.jsonl.gz: cannot write the download to a temporary file in",
            "absent",
            "(TMPDIR)",
        ],
    );
}

#[test]
fn sync_results_and_the_batch_object_read_from_s3_as_from_files() {
    let b = Bucket::new();
    let dir = b.root.path().join("sync");
    std::fs::create_dir_all(&dir).expect("bucket dir");
    let names = [
        "input.jsonl",
        "output.jsonl",
        "errors.jsonl",
        "sync.jsonl",
        "batch.json",
    ];
    for n in names {
        std::fs::copy(support::fixture("sync").join(n), dir.join(n)).expect("copy fixture");
    }
    let local = |n: &str| dir.join(n).display().to_string();
    let s3 = |n: &str| format!("s3://sync/{n}");
    let args = |f: &dyn Fn(&str) -> String| -> Vec<String> {
        let results = format!("{},{}", f("output.jsonl"), f("errors.jsonl"));
        let mut a: Vec<String> = ["eval", "--no-history", "--format", "json", "--judge", "hostile"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        a.extend(["--input".into(), f("input.jsonl"), "--results".into(), results]);
        a.extend(["--sync-results".into(), f("sync.jsonl")]);
        a.extend(["--batch-object".into(), f("batch.json")]);
        a
    };
    let want = b.run(&args(&local));
    let got = b.run(&args(&s3));
    assert_eq!(want.status.code(), Some(0), "{}", stderr(&want));
    assert_eq!(got.status.code(), Some(0), "{}", stderr(&got));
    let text = no_timing(json(&got)).to_string();
    assert!(!text.contains("/proc/self/fd"), "the summary names a copy: {text}");
    let named_locally = names.iter().fold(text, |t, n| t.replace(&s3(n), &local(n)));
    let got: Value = serde_json::from_str(&named_locally).expect("json");
    let want = no_timing(json(&want));
    assert_eq!(got["sync"]["recovered_by_sync"], 2, "{}", got["sync"]);
    assert_eq!(got["reconciliation"][0]["ok"], true, "{}", got["reconciliation"]);
    assert_eq!(got, want);
}

#[test]
fn a_bad_line_in_an_object_is_named_by_its_url_and_line() {
    let b = Bucket::new();
    let args: Vec<String> = [
        "eval",
        "--no-history",
        "--format",
        "json",
        "--input",
        "s3://jobs/in.jsonl.gz",
        "--results",
        "s3://jobs/out.jsonl",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    let out = b.run(&args);
    refused(&out, 3, &["s3://jobs/out.jsonl:5:"]);
    let s = json(&out);
    assert_eq!(s["bad_lines"]["count"], 1, "{}", s["bad_lines"]);
    assert!(
        !s.to_string().contains("/proc/self/fd"),
        "the summary names a copy: {s}"
    );
}

#[test]
fn an_empty_object_is_named_by_its_url() {
    let b = Bucket::new();
    std::fs::write(b.root.path().join("jobs").join("empty.jsonl"), "").expect("write empty");
    let out = b.run(&eval_args("s3://jobs/in.jsonl.gz", "s3://jobs/empty.jsonl", &[]));
    refused(&out, 3, &["s3://jobs/empty.jsonl"]);
}
