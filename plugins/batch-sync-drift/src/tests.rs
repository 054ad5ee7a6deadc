//! Golden tests through the `Judge` trait: the rows in `golden/rows.jsonl` (the
//! shape `assay judge test` reads, with the `assay.sync.*` metadata a real host
//! adds) against `golden/expect.jsonl`, plus the manifest.

use assay_judge_sdk::RowFlags;
use local_metrics::testing::{cfg, row};
use serde_json::{Value, json};

use super::*;

const SCHEMA: &str = include_str!("../golden/schema.json");
const TOOL_SCHEMA: &str = include_str!("../golden/tool-schema.json");

fn judge() -> BatchSyncDrift {
    match BatchSyncDrift::init(cfg(&[("schema", SCHEMA), ("tool-schema", TOOL_SCHEMA)])) {
        Ok(j) => j,
        Err(e) => panic!("init failed: {e:?}"),
    }
}

/// A golden line as the host builds the row: string metadata as is, other JSON as text.
fn golden_row(line: &Value) -> Row {
    let s = |k: &str| line.get(k).and_then(Value::as_str);
    let mut r = row(s("response"), &[]);
    r.id = s("id").unwrap_or_default().to_string();
    r.finish_reason = s("finish_reason").map(str::to_string);
    if line.get("truncated").and_then(Value::as_bool) == Some(true) {
        r.flags |= RowFlags::TRUNCATED;
    }
    if let Some(m) = line.get("metadata").and_then(Value::as_object) {
        r.metadata = m
            .iter()
            .map(|(k, v)| (k.clone(), v.as_str().map_or_else(|| v.to_string(), str::to_string)))
            .collect();
    }
    r
}

fn lines(text: &str) -> Vec<Value> {
    text.lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("bad golden line {l}: {e}")))
        .collect()
}

#[test]
fn golden_rows_match_expected_verdicts() {
    let rows = lines(include_str!("../golden/rows.jsonl"));
    let expect = lines(include_str!("../golden/expect.jsonl"));
    assert_eq!(rows.len(), expect.len(), "one expectation per row");
    let mut j = judge();
    let mut wrong = Vec::new();
    for (line, want) in rows.iter().zip(&expect) {
        let r = golden_row(line);
        let got = match j.score(&r) {
            Ok(v) => json!({"id": r.id, "passed": v.passed, "score": v.score, "label": v.label}),
            Err(e) => json!({"id": r.id, "error": format!("{e:?}")}),
        };
        if &got != want {
            wrong.push(format!("expected {want}\n  got      {got}"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn manifest_matches_describe() {
    let d = BatchSyncDrift::describe();
    assert!(d.scores && d.aggregates && !d.quality, "a drift monitor: {d:?}");
    assert!(d.needs.contains(Needs::METADATA));
    check_manifest(&d, include_str!("../judge.toml"), "batch_sync_drift");
}

/// name, version, description, wit, component and the `[config]` keys of `manifest`
/// agree with `desc`.
pub(crate) fn check_manifest(desc: &Descriptor, manifest: &str, lib: &str) {
    let table: std::collections::BTreeMap<String, (String, String)> = {
        let mut section = String::new();
        let mut out = std::collections::BTreeMap::new();
        for l in manifest
            .lines()
            .map(|l| l.split(" #").next().unwrap_or_default().trim())
        {
            if l.starts_with('[') {
                section = l.trim_matches(|c| c == '[' || c == ']').to_string();
            } else if let Some((k, v)) = l.split_once('=') {
                let v = v.trim().trim_matches('"').to_string();
                out.insert(format!("{section}.{}", k.trim()), (section.clone(), v));
            }
        }
        out
    };
    let top = |k: &str| table.get(&format!(".{k}")).map(|(_, v)| v.clone());
    assert_eq!(top("name").as_deref(), Some(desc.name.as_str()));
    assert_eq!(top("version").as_deref(), Some(desc.version.as_str()));
    assert_eq!(top("description").as_deref(), Some(desc.description.as_str()));
    assert_eq!(top("wit").as_deref(), Some("assay:judge@0.2.0"));
    assert_eq!(top("component"), Some(format!("{lib}.wasm")));
    let mut keys: Vec<(String, String)> = table
        .iter()
        .filter(|(_, (s, _))| s == "config")
        .map(|(k, (_, v))| (k.trim_start_matches("config.").to_string(), v.clone()))
        .collect();
    let mut described = desc.config_keys.clone();
    keys.sort();
    described.sort();
    assert_eq!(keys, described, "[config] keys and help versus describe()");
}
