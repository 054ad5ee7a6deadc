//! The space failed rows are clustered in: one Euclidean vector per row.
//!
//! - each categorical feature (outcome, error code, schema keyword, language,
//!   snapshot) is one-hot over its [`TOP`] most common values (plus one slot for
//!   the rest), every coordinate scaled by `w / √2`, so two rows that differ in
//!   that feature are exactly `w` apart on it;
//! - prompt length is `log2(tokens) × W_TOKENS` (a doubling costs 0.25);
//! - position is `segment / last segment × W_POSITION` (the whole batch spans 0.75);
//! - the prompt embedding (unit length) is scaled by `W_EMBED`;
//! - one coordinate `rank / n × 0.001` keeps identical rows apart by a hair,
//!   since HDBSCAN's density is undefined at distance zero.
//!
//! Invariant: every coordinate is finite; the vectors depend only on the rows
//! and their order (value ties broken by the value's text).

use std::collections::BTreeMap;

use super::FailedFeatures;

/// Values kept per categorical feature; rarer values share one slot.
pub const TOP: usize = 8;
pub const W_OUTCOME: f64 = 1.0;
pub const W_CODE: f64 = 1.0;
pub const W_KEYWORD: f64 = 1.0;
pub const W_LANGUAGE: f64 = 1.0;
pub const W_SNAPSHOT: f64 = 0.5;
pub const W_TOKENS: f64 = 0.25;
pub const W_POSITION: f64 = 0.75;
pub const W_EMBED: f64 = 0.75;
const W_JITTER: f64 = 0.001;

type Get = fn(&FailedFeatures) -> Option<&str>;

/// The categorical features and their weights, in vector order.
pub const CATEGORICAL: [(Get, f64); 5] = [
    (|f| Some(f.outcome.as_str()), W_OUTCOME),
    (|f| f.error_code.as_deref(), W_CODE),
    (|f| f.keyword.as_deref(), W_KEYWORD),
    (|f| f.language.as_deref(), W_LANGUAGE),
    (|f| f.snapshot.as_deref(), W_SNAPSHOT),
];

/// The slot of each value: the `TOP` most common (count, then text) get
/// their own, in that order; `None` counts as a value of its own.
fn vocabulary(rows: &[FailedFeatures], get: Get) -> BTreeMap<Option<&str>, usize> {
    let mut counts: BTreeMap<Option<&str>, usize> = BTreeMap::new();
    for r in rows {
        *counts.entry(get(r)).or_default() += 1;
    }
    let mut order: Vec<(Option<&str>, usize)> = counts.into_iter().collect();
    order.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    order
        .into_iter()
        .take(TOP)
        .enumerate()
        .map(|(slot, (v, _))| (v, slot))
        .collect()
}

/// One vector per row. `last_segment`: the run's last segment.
pub fn vectors(rows: &[FailedFeatures], last_segment: u32) -> Vec<Vec<f64>> {
    let vocabs: Vec<_> = CATEGORICAL.iter().map(|(get, _)| vocabulary(rows, *get)).collect();
    let n = rows.len().max(1) as f64;
    let span = f64::from(last_segment.max(1));
    rows.iter()
        .enumerate()
        .map(|(rank, r)| {
            let mut v = Vec::with_capacity(CATEGORICAL.len() * (TOP + 1) + 3 + r.embedding.len());
            for ((get, w), vocab) in CATEGORICAL.iter().zip(&vocabs) {
                let mut one = [0.0; TOP + 1];
                let slot = vocab.get(&get(r)).copied().unwrap_or(TOP);
                one[slot] = w / std::f64::consts::SQRT_2;
                v.extend_from_slice(&one);
            }
            v.push((r.tokens.max(1) as f64).log2() * W_TOKENS);
            v.push(f64::from(r.segment) / span * W_POSITION);
            v.extend(r.embedding.iter().map(|&x| f64::from(x) * W_EMBED));
            v.push(rank as f64 / n * W_JITTER);
            v
        })
        .collect()
}
