//! Failure clusters (`assay cluster`, `assay eval --cluster`): the groups of
//! failed rows that share a shape, as the terminal, JSON and HTML show them.
//!
//! Invariant: the sizes of the clusters plus `unclustered` add up to
//! `clustered_rows`; clusters are ordered by size (largest first, ties by
//! their first row), each cluster's ids in submission order; every string
//! here reaches HTML only through `esc`.

use std::fmt::Write as _;

use serde::Serialize;

use super::format::pct;
use super::html::esc;
use super::notes::{Explained, Note, footer, note_cell, note_line};

/// Example ids shown per cluster.
pub const EXAMPLES: usize = 5;

/// The result of clustering a run's failed rows.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Clusters {
    /// Every failed row of the run (did not complete, or a judge did not pass it).
    pub failed_rows: u64,
    /// The rows clustered: all failed rows, or a deterministic sample of them.
    pub clustered_rows: u64,
    /// Whether `clustered_rows` is a sample (more failed rows than `max_rows`).
    pub sampled: bool,
    /// The cap on rows clustered (`--cluster-max-rows`).
    pub max_rows: u64,
    /// HDBSCAN's smallest cluster.
    pub min_cluster_size: u64,
    pub clusters: Vec<Cluster>,
    /// Clustered rows that belong to no cluster (HDBSCAN's noise).
    pub unclustered: u64,
    /// `--explain` only: how the fix notes were made.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub explain: Option<Explained>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Cluster {
    /// 1-based, in the order shown.
    pub id: u64,
    pub size: u64,
    /// size / clustered rows.
    pub share: f64,
    /// The features that dominate the cluster, in words.
    pub shape: String,
    /// The first few ids, in submission order.
    pub examples: Vec<String>,
    /// Every id in the cluster, in submission order.
    pub ids: Vec<String>,
    /// `--explain` only: one short fix for the cluster.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<Note>,
}

/// The terminal view.
pub fn render_text(c: &Clusters) -> String {
    let mut o = String::new();
    let _ = write!(o, "failure clusters — failed rows: {}", c.failed_rows);
    if c.sampled {
        let _ = write!(
            o,
            " (sampled {} of {} failed rows, deterministically by id hash; cap --cluster-max-rows {})",
            c.clustered_rows, c.failed_rows, c.max_rows
        );
    }
    o.push('\n');
    if c.clustered_rows == 0 {
        o.push_str("  no failed rows\n");
        return o;
    }
    for k in &c.clusters {
        let _ = writeln!(
            o,
            "  cluster {}: {} rows ({} of failures): {}",
            k.id,
            k.size,
            pct(k.share),
            super::terminal::sanitize(&k.shape)
        );
        let ex: Vec<String> = k.examples.iter().map(|e| super::terminal::sanitize(e)).collect();
        let _ = writeln!(o, "    examples: {}", ex.join(", "));
        if let Some(n) = &k.note {
            o.push_str(&note_line(n));
        }
    }
    let _ = writeln!(o, "  unclustered: {}", c.unclustered);
    if let Some(e) = &c.explain {
        let notes: Vec<&Note> = c.clusters.iter().filter_map(|k| k.note.as_ref()).collect();
        o.push_str(&footer(e, &notes));
    }
    o
}

/// The report's section.
pub fn render_html(o: &mut String, c: &Clusters) {
    o.push_str("<h2>Failure clusters</h2>");
    let _ = write!(
        o,
        "<p>{} failed rows; {} clustered{} (HDBSCAN, smallest cluster {}).</p>",
        c.failed_rows,
        c.clustered_rows,
        if c.sampled { ", a deterministic sample" } else { "" },
        c.min_cluster_size
    );
    if c.clusters.is_empty() {
        let _ = write!(o, "<p>No cluster: unclustered {}.</p>", c.unclustered);
        return;
    }
    let notes = c.explain.is_some();
    o.push_str("<table id=\"clusters\"><tr><th>#</th><th>rows</th><th>share</th><th>shape</th><th>examples</th>");
    o.push_str(if notes { "<th>fix note</th></tr>" } else { "</tr>" });
    for k in &c.clusters {
        let ex: Vec<String> = k.examples.iter().map(|e| esc(e)).collect();
        let _ = write!(
            o,
            "<tr><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td>{}</td><td>{}</td>",
            k.id,
            k.size,
            pct(k.share),
            esc(&k.shape),
            ex.join(", ")
        );
        if notes {
            let _ = write!(o, "<td>{}</td>", k.note.as_ref().map(note_cell).unwrap_or_default());
        }
        o.push_str("</tr>");
    }
    let _ = write!(o, "</table><p>unclustered: {}</p>", c.unclustered);
}
