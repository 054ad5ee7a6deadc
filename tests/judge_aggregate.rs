//! `assay judge test --aggregate`: a judge's aggregator run over the golden
//! rows (begin, observe, finish, as `assay eval` calls it), its report printed
//! or diffed against an expected file.

use crate::support;

use support::{assay, data, stderr, stdout, write_lines};

/// Six rows in three segments of two; the last segment fails the schema.
/// (schema-drift answers a row without a response with a failing verdict; the
/// scaffolds' tests cover rows that reach the aggregator with none.)
fn rows(dir: &std::path::Path) -> std::path::PathBuf {
    let good = r#"{\"label\":\"positive\",\"confidence\":0.9,\"rationale\":\"ok\"}"#;
    let lines: Vec<String> = (0..6)
        .map(|i| {
            let response = if i < 4 {
                good.to_string()
            } else {
                "not json".to_string()
            };
            format!(r#"{{"id": "r{i}", "response": "{response}"}}"#)
        })
        .collect();
    write_lines(dir, "rows.jsonl", &lines)
}

fn args<'a>(schema: &'a str, rows: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut v = vec![
        "judge",
        "test",
        "schema-drift",
        "--set",
        schema,
        "--set",
        "min-segment-rows=1",
        "--rows",
        rows,
        "--segment-size",
        "2",
    ];
    v.extend_from_slice(extra);
    v
}

#[test]
fn aggregate_prints_the_report_then_diffs_it() {
    let tmp = tempfile::tempdir().expect("tempdir");
    let rows = rows(tmp.path());
    let rows = rows.to_string_lossy().into_owned();
    let schema = format!("schema=@{}", data("schema.json").display());

    // Bare --aggregate prints the report, ready to save as the expected file.
    let out = assay(&args(&schema, &rows, &["--aggregate"]));
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let report: serde_json::Value = serde_json::from_str(&stdout(&out)).expect("report is JSON");
    let metric = |name: &str, seg: Option<u64>| {
        report["metrics"].as_array().and_then(|ms| {
            ms.iter()
                .find(|m| m["name"] == name && m["segment"].as_u64() == seg)
                .and_then(|m| m["value"].as_f64())
        })
    };
    assert_eq!(metric("scored", None), Some(6.0), "{report}");
    assert_eq!(metric("segment_pass_rate", Some(1)), Some(1.0), "{report}");
    assert_eq!(metric("segment_pass_rate", Some(2)), Some(0.0), "{report}");
    let alarms = report["alarms"].as_array().cloned().unwrap_or_default();
    assert_eq!(alarms.len(), 1, "{report}");
    assert_eq!(alarms[0]["kind"], "segment-drift");
    assert_eq!(alarms[0]["segment"], 2);
    assert!(
        alarms[0]["message"]
            .as_str()
            .is_some_and(|m| m.starts_with("segment 2 (rows 4-5): conformance 0.0%")),
        "{report}"
    );

    // Saved, it passes.
    let expected = tmp.path().join("report.json");
    std::fs::write(&expected, stdout(&out)).expect("write expected");
    let exp = expected.to_string_lossy().into_owned();
    let out = assay(&args(&schema, &rows, &["--aggregate", &exp]));
    assert_eq!(out.status.code(), Some(0), "{}\n{}", stdout(&out), stderr(&out));
    assert!(stdout(&out).contains("report matches"), "{}", stdout(&out));

    // A changed value, a missing alarm and an extra metric each fail, by name.
    let mut edited = report.clone();
    for m in edited["metrics"].as_array_mut().into_iter().flatten() {
        if m["name"] == "pass_rate" {
            m["value"] = serde_json::json!(0.5);
        }
    }
    edited["alarms"] = serde_json::json!([]);
    if let Some(ms) = edited["metrics"].as_array_mut() {
        ms.push(serde_json::json!({"name": "invented", "segment": null, "value": 1.0}));
    }
    std::fs::write(&expected, edited.to_string()).expect("write expected");
    let out = assay(&args(&schema, &rows, &["--aggregate", &exp]));
    assert_eq!(out.status.code(), Some(1), "{}\n{}", stdout(&out), stderr(&out));
    let text = stdout(&out);
    assert!(
        text.contains("METRIC pass_rate: expected 0.5, got 0.6666666666666666"),
        "{text}"
    );
    assert!(text.contains("EXTRA ALARM segment-drift (segment 2)"), "{text}");
    assert!(text.contains("MISSING METRIC invented"), "{text}");
}
