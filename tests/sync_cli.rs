//! `assay eval --sync-results`: sync results paired with batch-completed rows
//! for judges that need metadata, recovery of the rows the batch did not
//! complete, sync-retry cost, and refusals of bad sync files.

use crate::support;

use serde_json::Value;
use support::{assay, fixture, json, stderr};

fn fx(name: &str) -> String {
    fixture("sync").join(name).display().to_string()
}

fn eval(extra: &[&str]) -> std::process::Output {
    let (input, results) = (
        fx("input.jsonl"),
        format!("{},{}", fx("output.jsonl"), fx("errors.jsonl")),
    );
    let mut args = vec!["eval", "--format", "json", "--input", &input, "--results", &results];
    args.extend_from_slice(extra);
    assay(&args)
}

fn rows_out(path: &std::path::Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .expect("rows-out written")
        .lines()
        .map(|l| serde_json::from_str(l).expect("json line"))
        .collect()
}

#[test]
fn sync_results_pair_recover_and_are_counted_apart() {
    let tmp = tempfile::tempdir().expect("tmp");
    let rows = tmp.path().join("rows.jsonl");
    let (sync, batch) = (fx("sync.jsonl"), fx("batch.json"));
    let rows_arg = rows.display().to_string();
    let out = eval(&[
        "--sync-results",
        &sync,
        "--judge",
        "hostile",
        "--rows-out",
        &rows_arg,
        "--batch-object",
        &batch,
    ]);
    assert_eq!(out.status.code(), Some(0), "stderr: {}", stderr(&out));
    let s = json(&out);
    let counts = |v: &Value| -> Vec<u64> {
        ["completed", "provider_error", "missing"]
            .iter()
            .map(|k| v[*k].as_u64().unwrap_or(u64::MAX))
            .collect()
    };
    assert_eq!(counts(&s["status_counts"]), [5, 1, 0], "after recovery");
    let sy = &s["sync"];
    assert_eq!(counts(&sy["batch_status_counts"]), [3, 2, 1], "batch alone");
    assert_eq!(sy["batch_completion_rate"].as_f64(), Some(0.5));
    assert_eq!(s["completion_rate"].as_f64(), Some(5.0 / 6.0));
    assert_eq!(sy["rows"], 5);
    assert_eq!(counts(&sy["sync_status_counts"]), [3, 2, 0]);
    assert_eq!(
        (&sy["paired"], &sy["recovered_by_sync"], &sy["not_recovered"]),
        (&2.into(), &2.into(), &1.into())
    );
    assert_eq!(s["flags"]["retried"], 2);
    assert_eq!(s["flags"]["truncated"], 1, "the sync result of r5 stopped at its limit");
    // Reconciliation still compares the batch files alone with the batch object.
    assert_eq!(s["reconciliation"][0]["ok"], true, "{}", s["reconciliation"]);

    let lines = rows_out(&rows);
    assert_eq!(lines.len(), 6);
    let meta = |i: usize| {
        lines[i]["verdicts"]["hostile"]["details"]
            .as_str()
            .unwrap_or("")
            .to_owned()
    };
    // r1: completed in the batch, paired with its sync result.
    assert_eq!(
        meta(0),
        "user: hi | team=a,assay.sync.status=completed,assay.sync.response=sync answer,\
         assay.sync.finish_reason=stop,assay.sync.truncated=false,assay.sync.model=gpt-4o-mini-2024-07-18"
    );
    // r4: rate-limited in the batch, completed by a sync retry.
    let r4 = &lines[3];
    assert_eq!((&r4["status"], &r4["attempt"]), (&"completed".into(), &2.into()));
    assert_eq!(r4["flags"], serde_json::json!(["retried"]));
    assert_eq!(meta(3), "user: hi | team=a,assay.attempt.channel=sync");
    assert_eq!(lines[4]["status"], "completed", "r5 had no batch line at all");
    assert_eq!(lines[5]["status"], "provider_error", "r6 failed on both channels");
    assert_eq!(s["judges"]["hostile"]["scored"], 5);
}

#[test]
fn sync_retries_are_priced_at_the_sync_price_in_the_unit_cost() {
    let (sync, prices) = (fx("sync.jsonl"), format!("cost-per-row.prices=@{}", fx("prices.json")));
    let out = eval(&[
        "--sync-results",
        &sync,
        "--judge",
        "json-valid",
        "--judge",
        "cost-per-row",
        "--set",
        &prices,
    ]);
    assert_eq!(out.status.code(), Some(0), "stderr: {}", stderr(&out));
    let s = json(&out);
    let m = &s["judges"]["cost-per-row"]["metrics"];
    let close = |k: &str, want: f64| {
        let got = m[k].as_f64().unwrap_or(f64::NAN);
        assert!((got - want).abs() < 1e-12, "{k}: {got} != {want}");
    };
    // Three batch rows at (1000×0.15 + 200×0.60)×0.5/1e6 = 135e-6 each; two sync
    // retries at the list price, 270e-6 each.
    close("batch_cost_usd", 405e-6);
    close("sync_retry_cost_usd", 540e-6);
    close("retry_cost_usd", 0.0);
    close("total_cost_usd", 945e-6);
    close("sync_retry_rows", 2.0);
    close("cost_per_completed_row_usd", 945e-6 / 5.0);
    // json-valid passes r2, r3 and r5; "echo-prompt" (r1, r4) is not JSON.
    close("validated_rows", 3.0);
    close("cost_per_validated_row_usd", 945e-6 / 3.0);
    // Without sync results the same batch costs only its batch rows.
    let base = json(&eval(&[
        "--judge",
        "json-valid",
        "--judge",
        "cost-per-row",
        "--set",
        &prices,
    ]));
    let b = &base["judges"]["cost-per-row"]["metrics"];
    assert_eq!(b["sync_retry_cost_usd"].as_f64(), Some(0.0));
    assert!((b["batch_cost_usd"].as_f64().unwrap_or(0.0) - 405e-6).abs() < 1e-12);
    assert!(base.get("sync").is_none(), "no sync block without --sync-results");
    // Without sync results no row can be a sync retry: cost-per-row scores nothing
    // (the host told it so through `assay.sync-results`), with them it scores all.
    assert_eq!(base["judges"]["cost-per-row"]["scored"], 0);
    assert_eq!(s["judges"]["cost-per-row"]["scored"], 5);
}

#[test]
fn host_set_config_keys_cannot_be_set_by_users() {
    let out = eval(&[
        "--judge",
        "cost-per-row",
        "--set",
        "cost-per-row.assay.sync-results=false",
    ]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("are set by assay itself"), "{}", stderr(&out));
}

#[test]
fn bad_sync_files_are_refused_with_file_line_and_reason() {
    let cases = [
        ("sync_bad.jsonl", "sync_bad.jsonl:2: malformed JSON"),
        (
            "sync_unknown.jsonl",
            "sync_unknown.jsonl:2: id \"zz\" is not in the input",
        ),
        (
            "sync_duplicate.jsonl",
            "sync_duplicate.jsonl:2: a second sync result for id \"r4\"",
        ),
        (
            "sync_anthropic.jsonl",
            "line 1 has the anthropic result shape, not the openai result shape",
        ),
    ];
    for (file, want) in cases {
        let path = fx(file);
        let out = eval(&["--sync-results", &path, "--judge", "hostile"]);
        assert_eq!(out.status.code(), Some(3), "{file}: {}", stderr(&out));
        assert!(stderr(&out).contains(want), "{file}: {}", stderr(&out));
    }
}

#[test]
fn sync_results_do_not_depend_on_worker_count_or_chunking() {
    let sync = fx("sync.jsonl");
    let strip = |mut v: Value| {
        v["elapsed_ms"] = Value::Null;
        for (_, j) in v["judges"].as_object_mut().into_iter().flatten() {
            j["fuel_used"] = Value::Null;
        }
        v
    };
    let run = |workers: &str, chunk: &str| {
        let prices = format!("cost-per-row.prices=@{}", fx("prices.json"));
        strip(json(&eval(&[
            "--sync-results",
            &sync,
            "--judge",
            "hostile",
            "--judge",
            "cost-per-row",
            "--set",
            &prices,
            "--workers",
            workers,
            "--chunk-rows",
            chunk,
        ])))
    };
    assert_eq!(run("1", "1"), run("2", "256"));
}

#[test]
fn cost_per_row_labels_sync_retries_in_its_golden_rows() {
    let golden = support::root().join("tests/fixtures/golden");
    let rows = golden.join("cost-per-row_rows.jsonl").display().to_string();
    let expect = golden.join("cost-per-row_expect.jsonl").display().to_string();
    let o = assay(&["judge", "test", "cost-per-row", "--rows", &rows, "--expect", &expect]);
    assert_eq!(o.status.code(), Some(0), "{}{}", support::stdout(&o), stderr(&o));
    assert!(
        support::stdout(&o).contains("3 passed, 0 failed"),
        "{}",
        support::stdout(&o)
    );
}
