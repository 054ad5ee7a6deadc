//! The bench-only native build (`--features bench-native`): with
//! `ASSAY_BENCH_NATIVE=1`, `schema-drift` and `cost-per-row` run compiled into
//! the host, and the run's summary and every row's verdicts are the sandboxed
//! run's, but for fuel and timings. This is what makes the bench's "sandbox
//! price" a price for the sandbox alone.

mod support;

use serde_json::Value;
use support::{assay_with_env, data, fixture, json, stderr};

/// The summary without what only the sandbox has (fuel) or what no two runs share (timings).
fn comparable(mut s: Value) -> Value {
    if let Some(o) = s.as_object_mut() {
        o.remove("elapsed_ms");
    }
    if let Some(judges) = s["judges"].as_object_mut() {
        for j in judges.values_mut() {
            if let Some(o) = j.as_object_mut() {
                o.remove("fuel_used");
            }
        }
    }
    s
}

fn fuel(s: &Value, judge: &str) -> u64 {
    s["judges"][judge]["fuel_used"].as_u64().unwrap_or(u64::MAX)
}

/// Runs `args` sandboxed and native, each with its own `--rows-out`; returns
/// (sandboxed summary, native summary, sandboxed rows, native rows).
fn both(args: &[String]) -> (Value, Value, String, String) {
    let tmp = tempfile::tempdir().expect("tmp");
    let mut out = Vec::new();
    for native in ["0", "1"] {
        let rows = tmp.path().join(format!("rows-{native}.jsonl"));
        let mut a: Vec<&str> = args.iter().map(String::as_str).collect();
        let rows_arg = rows.display().to_string();
        a.extend(["--rows-out", &rows_arg]);
        let o = assay_with_env(&a, &[("ASSAY_BENCH_NATIVE", native)]);
        assert!(matches!(o.status.code(), Some(0 | 1)), "stderr: {}", stderr(&o));
        let said = stderr(&o);
        for judge in ["schema-drift", "cost-per-row"] {
            let line = format!("ASSAY_BENCH_NATIVE: judge '{judge}' runs compiled into the host");
            assert_eq!(said.contains(&line), native == "1", "native {native}, stderr: {said}");
        }
        out.push((json(&o), std::fs::read_to_string(&rows).expect("rows-out written")));
    }
    let (native, sandboxed) = (out.pop().expect("native run"), out.pop().expect("sandboxed run"));
    (sandboxed.0, native.0, sandboxed.1, native.1)
}

#[test]
fn native_judges_give_the_sandboxed_summary_and_verdicts() {
    let mut args: Vec<String> = [
        "eval",
        "--provider",
        "openai",
        "--format",
        "json",
        "--segment-size",
        "250",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    args.extend(["--input".into(), data("openai_input.jsonl").display().to_string()]);
    let results = format!(
        "{},{}",
        data("openai_output.jsonl").display(),
        data("openai_errors.jsonl").display()
    );
    args.extend(["--results".into(), results]);
    args.extend(support::example_judges());
    args.extend([
        // Several chunks and both workers, as in the bench.
        "--workers".into(),
        "2".into(),
        "--chunk-rows".into(),
        "64".into(),
    ]);
    let (sandboxed, native, rows_s, rows_n) = both(&args);
    assert!(
        fuel(&sandboxed, "schema-drift") > 0,
        "the sandboxed run metered its judge"
    );
    assert_eq!(fuel(&native, "schema-drift"), 0, "the native run had no sandbox");
    assert!(sandboxed["judges"]["schema-drift"]["scored"].as_u64() > Some(1000));
    assert!(
        !sandboxed["judges"]["cost-per-row"]["metrics"]
            .as_object()
            .is_none_or(|m| m.is_empty())
    );
    assert_eq!(comparable(native), comparable(sandboxed));
    assert_eq!(rows_n, rows_s, "every row's verdicts");
}

#[test]
fn native_cost_per_row_scores_sync_rows_as_the_sandboxed_one() {
    let fx = |name: &str| fixture("sync").join(name).display().to_string();
    let mut args: Vec<String> = ["eval", "--format", "json", "--input"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    args.push(fx("input.jsonl"));
    args.extend([
        "--results".into(),
        format!("{},{}", fx("output.jsonl"), fx("errors.jsonl")),
    ]);
    args.extend(["--sync-results".into(), fx("sync.jsonl")]);
    args.extend(support::example_judges());
    // The fixture's own prices: of a key set twice, the judge reads the last value.
    args.extend(["--set".into(), format!("cost-per-row.prices=@{}", fx("prices.json"))]);
    let (sandboxed, native, rows_s, rows_n) = both(&args);
    // With sync results the cost judge scores too (the `sync` label).
    assert!(sandboxed["judges"]["cost-per-row"]["scored"].as_u64() > Some(0));
    assert_eq!(comparable(native), comparable(sandboxed));
    assert_eq!(rows_n, rows_s, "every row's verdicts");
}
