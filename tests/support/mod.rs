//! Shared test fixtures: building and staging the judges once per test
//! process, and running the `assay` binary.
#![allow(dead_code)]

pub mod emulator;
pub mod llm_server;
pub mod planted;
pub mod rehearsal;
pub mod s3_server;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn stage(workspace: &str, out: &str) -> PathBuf {
    let root = root();
    let out = root.join("target").join(out);
    assay::judge::build::build_and_stage(&root.join(workspace), &root.join("target").join("wasm"), &out)
        .unwrap_or_else(|e| panic!("building {workspace}: {e}"));
    out
}

/// The built-in judges, staged where the binary finds them by default.
pub fn builtin_judges() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| stage("plugins", "judges"))
}

/// The hostile test guests, staged apart from the built-in judges.
pub fn hostile_judges() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| stage("tests/guests", "test-judges"))
}

pub fn data(name: &str) -> PathBuf {
    root().join("examples").join("data").join(name)
}

/// `schema-drift` and `cost-per-row` with the example job's schema and
/// prices, as `assay eval` arguments.
pub fn example_judges() -> Vec<String> {
    vec![
        "--judge".into(),
        "schema-drift".into(),
        "--set".into(),
        format!("schema-drift.schema=@{}", data("schema.json").display()),
        "--judge".into(),
        "cost-per-row".into(),
        "--set".into(),
        format!("cost-per-row.prices=@{}", data("prices.json").display()),
    ]
}

pub fn fixture(name: &str) -> PathBuf {
    root().join("tests").join("fixtures").join(name)
}

/// The state database (job store and run history) of every test run that does
/// not name its own: under `target/`, never the user's data directory.
pub fn test_state() -> PathBuf {
    root().join("target").join("test-state").join("state.db")
}

/// Runs `assay` with the built-in and hostile judges on its search path,
/// a private compile cache and the test state database.
pub fn assay(args: &[&str]) -> Output {
    assay_with_env(args, &[])
}

/// `assay` with extra environment variables.
pub fn assay_with_env(args: &[&str], env: &[(&str, &str)]) -> Output {
    command(args).envs(env.iter().copied()).output().expect("run assay")
}

/// The command [`assay`] runs, to spawn it or change it first.
pub fn command(args: &[&str]) -> Command {
    builtin_judges();
    let hostile = hostile_judges();
    let cache = root().join("target").join("test-cache");
    // A run stopped at the judge-error ceiling writes its replay file to the
    // temporary directory: keep tests' under target/.
    let tmp = root().join("target").join("test-tmp");
    std::fs::create_dir_all(&tmp).expect("make target/test-tmp");
    let mut c = Command::new(env!("CARGO_BIN_EXE_assay"));
    c.args(args)
        .env("ASSAY_PLUGIN_PATH", hostile)
        .env("ASSAY_CACHE_DIR", cache)
        .env("TMPDIR", tmp)
        .env("ASSAY_STATE", test_state())
        .env_remove("ASSAY_POLICY");
    c
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

pub fn json(o: &Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout)
        .unwrap_or_else(|e| panic!("stdout is not JSON ({e}): {}\nstderr: {}", stdout(o), stderr(o)))
}

/// Writes `lines` to a fresh file in a temp dir and returns its path.
pub fn write_lines(dir: &Path, name: &str, lines: &[String]) -> PathBuf {
    let p = dir.join(name);
    let mut text = lines.join("\n");
    text.push('\n');
    std::fs::write(&p, text).expect("write fixture");
    p
}

/// An OpenAI result line: a completed chat row for `id` (about 330 bytes).
pub fn ok_line(id: &str) -> String {
    format!(
        r#"{{"id":"b_{id}","custom_id":"{id}","response":{{"status_code":200,"request_id":"r","body":{{"model":"gpt-4o-mini","choices":[{{"index":0,"message":{{"role":"assistant","content":"{{\"label\":\"positive\",\"confidence\":0.9,\"rationale\":\"fine\"}}"}},"finish_reason":"stop"}}],"usage":{{"prompt_tokens":10,"completion_tokens":5,"total_tokens":15}}}}}},"error":null}}"#
    )
}

/// The OpenAI request line for `id`.
pub fn input_line(id: &str) -> String {
    format!(
        r#"{{"custom_id":"{id}","method":"POST","url":"/v1/chat/completions","body":{{"model":"gpt-4o-mini","messages":[{{"role":"user","content":"hi"}}]}}}}"#
    )
}

/// A completed row whose response is `response`, as the scorer sees it.
pub fn row<'a>(i: usize, id: &'a str, response: &'a str) -> assay::judge::bindings::types::Row<'a> {
    use assay::judge::bindings::types::{Row, RowFlags, RowStatus, Usage};
    Row {
        id,
        index: i as u64,
        segment: 0,
        provider: "openai",
        model: "m",
        snapshot: None,
        status: RowStatus::Completed,
        flags: RowFlags::empty(),
        attempt: 1,
        prompt: &[],
        response: Some(response),
        finish_reason: Some("stop"),
        usage: Usage {
            input_tokens: 1,
            output_tokens: 1,
            cached_input_tokens: 0,
            cache_write_tokens: 0,
            reasoning_tokens: 0,
        },
        error_code: None,
        error_message: None,
        metadata: &[],
    }
}

/// A two-thread runtime with timers and I/O, as the host's own.
pub fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime")
}
