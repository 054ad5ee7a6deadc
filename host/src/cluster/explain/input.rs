//! What the `cluster-explain` judge is told about one cluster: its shape, its
//! size, the outcomes, error codes and judges' labels of its rows, and a few
//! example rows, all in words, redacted as traces are.
//!
//! Invariant: the first line is `Shape: <shape>`; the text is a function of
//! the cluster and its examples alone (so a rerun hits the answer cache); it
//! passes through the traces' [`Redactor`] whole, so no e-mail address, phone
//! or card number, API key or `--redact` match reaches a model; it is bounded
//! (at most [`EXAMPLES`] examples of bounded excerpts, [`TOP`] counts per list).

use std::collections::BTreeMap;
use std::fmt::Write as _;

use crate::cluster::Example;
use crate::report::clusters::Cluster;
use crate::report::format::pct;
use crate::sink::traces::redact::Redactor;

/// Example rows shown per cluster.
pub const EXAMPLES: usize = 3;
/// Entries per count list (labels, error codes).
pub const TOP: usize = 5;

/// `(value, count)` of `values`, most common first (ties: the smaller value), at most [`TOP`].
fn counted<'a>(values: impl Iterator<Item = &'a str>) -> Vec<(&'a str, usize)> {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for v in values {
        *counts.entry(v).or_default() += 1;
    }
    let mut v: Vec<(&str, usize)> = counts.into_iter().collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    v.truncate(TOP);
    v
}

fn list(o: &mut String, title: &str, items: &[(&str, usize)]) {
    if items.is_empty() {
        return;
    }
    let words: Vec<String> = items.iter().map(|(v, n)| format!("{v} ({n})")).collect();
    let _ = writeln!(o, "{title}: {}", words.join("; "));
}

/// The description of `k`, the `of`-th of the run's clusters, over `clustered` rows.
pub fn describe(k: &Cluster, of: usize, examples: &BTreeMap<String, Example>, redactor: &Redactor) -> String {
    let members: Vec<&Example> = k.ids.iter().filter_map(|id| examples.get(id)).collect();
    let mut o = String::new();
    let _ = writeln!(o, "Shape: {}", k.shape);
    let _ = writeln!(
        o,
        "Failure cluster {} of {of}: {} failed rows, {} of the clustered failures.",
        k.id,
        k.size,
        pct(k.share)
    );
    let labels = counted(members.iter().flat_map(|e| e.labels.iter().map(String::as_str)));
    list(&mut o, "Judges' labels", &labels);
    let codes = counted(
        members
            .iter()
            .filter_map(|e| e.error.as_deref())
            .map(|e| e.split(':').next().unwrap_or(e)),
    );
    list(&mut o, "Provider errors", &codes);
    let segments: Vec<u32> = members.iter().map(|e| e.segment).collect();
    if let (Some(lo), Some(hi)) = (segments.iter().min(), segments.iter().max()) {
        let _ = writeln!(o, "Segments: {lo} to {hi}");
    }
    o.push_str("\nExample rows (personal data redacted):\n");
    for e in members.iter().take(EXAMPLES) {
        let _ = writeln!(o, "- {} (segment {})", e.id, e.segment);
        if let Some(err) = &e.error {
            let _ = writeln!(o, "  error: {err}");
        }
        if !e.labels.is_empty() {
            let _ = writeln!(o, "  labels: {}", e.labels.join("; "));
        }
        let _ = writeln!(o, "  prompt: {}", e.prompt);
        if let Some(r) = &e.response {
            let _ = writeln!(o, "  response: {r}");
        }
    }
    redactor.text(&o).0.into_owned()
}
