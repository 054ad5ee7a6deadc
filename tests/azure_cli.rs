//! Azure OpenAI end to end against `assay emulate`: the `api-key` header,
//! the `api-version` query parameter, `/openai/files` and `/openai/batches`
//! for the batch, and `/openai/deployments/{deployment}/...` for sync calls.

use crate::support;

use serde_json::Value;
use support::rehearsal::{Rehearsal, no_key};

fn json(s: &str) -> Value {
    serde_json::from_str(s).unwrap_or_else(|e| panic!("not JSON ({e}): {s}"))
}

#[test]
fn azure_submit_watch_fetch_eval_recover_and_canary_run_against_azure_paths_with_the_api_key_header() {
    let r = Rehearsal::azure(
        "process_ms = 100\napi_key = \"sk-rehearsal-key-5e0d81c3aa\"\ncontent_filter_rows = [2]\nserver_error_rows = [3]\n",
    );
    let input = r.input("in.jsonl", 20, "/chat/completions", "my-gpt4o-batch");
    let job = r.submit("azure", &input);
    let w = r.ok(&["watch", &job, "--interval-ms", "20"]);
    assert!(w.contains("completed: 20 of 20 done (19 completed, 1 failed)"), "{w}");
    r.ok(&["fetch", &job]);
    let out = std::fs::read_to_string(r.job_dir(&job).join("output.jsonl")).unwrap();
    let line = json(out.lines().next().unwrap());
    assert!(
        line.get("id").is_none(),
        "Azure result lines have no top-level id: {line}"
    );
    assert!(
        line["response"]["body"]["choices"][0]["content_filter_results"].is_object(),
        "{line}"
    );
    let s = json(&r.ok(&["eval", "--job", &job, "--judge", "exact-match", "--format", "json"]));
    assert_eq!(s["provider"], "azure");
    let c = &s["status_counts"];
    assert_eq!(
        (
            c["completed"].as_u64(),
            c["content_filter"].as_u64(),
            c["provider_error"].as_u64()
        ),
        (Some(18), Some(1), Some(1)),
        "{s}"
    );
    let rec = json(&r.ok(&["recover", &job, "--strategy", "retry-sync", "--format", "json"]));
    assert_eq!(rec["sync"]["recovered_by_sync"], 1, "{rec}");

    let canary = r.dir.path().join("canary");
    let s = json(&r.ok(&[
        "canary",
        "--provider",
        "azure",
        "--input",
        input.to_str().unwrap(),
        "--sample",
        "5",
        "--out",
        canary.to_str().unwrap(),
        "--judge",
        "exact-match",
        "--gate",
        "0.9",
        "--format",
        "json",
    ]));
    assert_eq!(s["status_counts"]["completed"], 5, "{s}");
    assert_eq!(s["judges"]["exact-match"]["pass_rate"], 1.0, "{s}");
    let jobs = json(&r.ok(&["jobs", "--format", "json"]));
    assert_eq!(jobs[0]["provider"], "azure");
    assert_eq!(jobs[0]["api_version"], "2024-10-21");
    r.key_stored_nowhere();

    // The emulator's Azure routes need the api-version and the api-key header.
    let bare = r.emu.get("/openai/batches", "k");
    assert!(bare.starts_with("HTTP/1.1 4"), "{bare}");
}

#[test]
fn azure_needs_its_endpoint_and_an_api_version_and_a_flag_overrides_the_environment() {
    let r = Rehearsal::azure("process_ms = 100\n");
    let input = r.input("in.jsonl", 3, "/chat/completions", "dep");
    let o = r
        .command(&["submit", "--provider", "azure", "--input", input.to_str().unwrap()])
        .env_remove("OPENAI_API_VERSION")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", support::stderr(&o));
    let err = support::stderr(&o);
    assert!(
        err.contains("OPENAI_API_VERSION") && err.contains("--api-version"),
        "{err}"
    );
    no_key(&o);
    let o = r
        .command(&["submit", "--provider", "azure", "--input", input.to_str().unwrap()])
        .env_remove("AZURE_OPENAI_ENDPOINT")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", support::stderr(&o));
    assert!(
        support::stderr(&o).contains("AZURE_OPENAI_ENDPOINT"),
        "{}",
        support::stderr(&o)
    );
    let o = r
        .command(&["submit", "--provider", "azure", "--input", input.to_str().unwrap()])
        .env_remove("AZURE_OPENAI_API_KEY")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2), "{}", support::stderr(&o));
    assert!(
        support::stderr(&o).contains("AZURE_OPENAI_API_KEY"),
        "{}",
        support::stderr(&o)
    );

    let o = r
        .command(&[
            "submit",
            "--provider",
            "azure",
            "--input",
            input.to_str().unwrap(),
            "--api-version",
            "2025-03-01-preview",
        ])
        .env_remove("OPENAI_API_VERSION")
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", support::stderr(&o));
    let job = support::stdout(&o).lines().last().unwrap().to_owned();
    // Later commands use the version the job was submitted with.
    let st = r
        .command(&["status", &job, "--format", "json"])
        .env_remove("OPENAI_API_VERSION")
        .output()
        .unwrap();
    assert_eq!(st.status.code(), Some(0), "{}", support::stderr(&st));
    let jobs = json(&r.ok(&["jobs", "--format", "json"]));
    assert_eq!(jobs[0]["api_version"], "2025-03-01-preview");
}
