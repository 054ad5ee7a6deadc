//! `assay cluster` and `assay eval --cluster`: failed rows grouped by shape, on
//! the crafted batch of `support::planted` (three planted clusters and
//! scattered random failures).

use crate::support;

use std::collections::BTreeSet;

use serde_json::{Value, json};
use support::planted::{batch, ids, run};
use support::{json as json_of, stderr, stdout};

/// The cluster holding most of `planted`, checked for recall (≥ 90% of the
/// planted rows), purity (≥ 90% of its rows planted) and a description that
/// names every one of `words`.
fn recovered<'a>(clusters: &'a [Value], planted: &BTreeSet<String>, words: &[&str], name: &str) -> &'a Value {
    let best = clusters
        .iter()
        .max_by_key(|c| ids(c).intersection(planted).count())
        .unwrap_or_else(|| panic!("no clusters at all"));
    let members = ids(best);
    let hit = members.intersection(planted).count();
    assert!(
        hit * 10 >= planted.len() * 9,
        "{name}: only {hit} of {} planted rows in one cluster: {best:#}",
        planted.len()
    );
    assert!(
        hit * 10 >= members.len() * 9,
        "{name}: the cluster mixes in other rows ({hit} planted of {}): {best:#}",
        members.len()
    );
    let shape = best["shape"].as_str().unwrap_or_default();
    for w in words {
        assert!(shape.contains(w), "{name}: the shape {shape:?} does not name {w:?}");
    }
    best
}

#[test]
fn cluster_recovers_the_planted_clusters_and_leaves_noise_apart() {
    let tmp = tempfile::tempdir().expect("tmp");
    let b = batch(tmp.path());
    let o = run("cluster", &b, &["--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v = json_of(&o);
    let failed: usize = b.planted.values().map(BTreeSet::len).sum();
    assert_eq!(v["failed_rows"], json!(failed), "{v:#}");
    assert_eq!(v["clustered_rows"], json!(failed), "no sampling below the cap: {v:#}");
    assert_eq!(v["sampled"], json!(false));
    let clusters = v["clusters"].as_array().expect("clusters");

    let ja = recovered(
        clusters,
        &b.planted["japanese"],
        &["every Japanese-text row", "schema keyword `required`"],
        "japanese",
    );
    let long = recovered(
        clusters,
        &b.planted["long"],
        &["prompts over 8k tokens", "error code context_length_exceeded"],
        "long",
    );
    let late = recovered(
        clusters,
        &b.planted["late"],
        &["segment 9 onwards", "fp_new", "schema keyword `enum`"],
        "late",
    );
    let planted_clusters = [ja, long, late];
    assert_eq!(
        planted_clusters
            .iter()
            .map(|c| c["id"].as_u64())
            .collect::<BTreeSet<_>>()
            .len(),
        3,
        "three distinct clusters"
    );

    // Noise: no planted cluster holds more than two of the 24 scattered failures.
    let noise = &b.planted["noise"];
    for c in planted_clusters {
        let mixed = ids(c).intersection(noise).count();
        assert!(mixed <= 2, "{mixed} scattered failures merged into {c:#}");
    }
    let in_clusters: usize = clusters.iter().map(|c| c["size"].as_u64().unwrap_or(0) as usize).sum();
    assert_eq!(in_clusters + v["unclustered"].as_u64().unwrap_or(0) as usize, failed);

    // Shares, sizes and example ids agree with the members.
    for c in clusters {
        let m = ids(c);
        assert_eq!(c["size"], json!(m.len()));
        let share = c["share"].as_f64().unwrap_or(-1.0);
        assert!((share - m.len() as f64 / failed as f64).abs() < 1e-9, "{c}");
        let ex: Vec<&str> = c["examples"]
            .as_array()
            .expect("examples")
            .iter()
            .filter_map(Value::as_str)
            .collect();
        assert!(
            !ex.is_empty() && ex.len() <= 5 && ex.iter().all(|e| m.contains(*e)),
            "{c}"
        );
    }
}

#[test]
fn cluster_text_names_each_cluster_and_counts_the_unclustered_and_is_deterministic() {
    let tmp = tempfile::tempdir().expect("tmp");
    let b = batch(tmp.path());
    let first = run("cluster", &b, &[]);
    assert_eq!(first.status.code(), Some(0), "{}", stderr(&first));
    let text = stdout(&first);
    let failed: usize = b.planted.values().map(BTreeSet::len).sum();
    assert!(text.contains(&format!("failed rows: {failed}")), "{text}");
    assert!(text.contains("cluster 1:"), "{text}");
    assert!(text.contains("every Japanese-text row"), "{text}");
    assert!(
        text.contains("examples: row-3, row-18, row-33"),
        "first ids in submission order: {text}"
    );
    assert!(text.contains("unclustered: "), "{text}");
    let again = run("cluster", &b, &["--workers", "1", "--chunk-rows", "7"]);
    assert_eq!(stdout(&again), text, "the same input gives the same clusters");
}

#[test]
fn cluster_samples_deterministically_above_the_cap_and_says_so() {
    let tmp = tempfile::tempdir().expect("tmp");
    let b = batch(tmp.path());
    let o = run("cluster", &b, &["--cluster-max-rows", "60", "--format", "json"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let v = json_of(&o);
    let failed: usize = b.planted.values().map(BTreeSet::len).sum();
    assert_eq!(v["failed_rows"], json!(failed));
    assert_eq!(v["clustered_rows"], json!(60));
    assert_eq!(v["sampled"], json!(true));
    let again = json_of(&run("cluster", &b, &["--cluster-max-rows", "60", "--format", "json"]));
    assert_eq!(v, again);
    let text = stdout(&run("cluster", &b, &["--cluster-max-rows", "60"]));
    assert!(text.contains(&format!("sampled 60 of {failed} failed rows")), "{text}");
}

#[test]
fn eval_with_cluster_adds_clusters_to_the_json_summary_and_the_report() {
    let tmp = tempfile::tempdir().expect("tmp");
    let b = batch(tmp.path());
    let report = tmp.path().join("report.html");
    let plain = json_of(&run("eval", &b, &["--format", "json"]));
    assert!(plain.get("clusters").is_none(), "no clusters without --cluster");
    let o = run(
        "eval",
        &b,
        &[
            "--cluster",
            "--format",
            "json",
            "--report",
            report.to_str().unwrap_or_default(),
        ],
    );
    let v = json_of(&o);
    let failed: usize = b.planted.values().map(BTreeSet::len).sum();
    assert_eq!(v["clusters"]["failed_rows"], json!(failed), "{}", stderr(&o));
    assert!(v["clusters"]["clusters"].as_array().is_some_and(|c| c.len() >= 3));
    let html = std::fs::read_to_string(&report).expect("report");
    assert!(html.contains("<h2>Failure clusters</h2>"), "the report has the section");
    assert!(html.contains("every Japanese-text row"));
    assert!(html.contains("unclustered"));
}
