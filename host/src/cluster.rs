//! Clustering failed rows (`assay cluster`, `assay eval --cluster`): each failed
//! row becomes a vector of self-explaining features plus a local prompt
//! embedding (`features`, `embed`, `space`), HDBSCAN groups the vectors, the
//! outliers HDBSCAN attached to a group on its way up are set apart (`trim`),
//! and each group is named by the features that dominate it (`describe`).
//!
//! Invariant: the result depends only on the clustered rows, taken in
//! submission order: the same input gives the same clusters, numbering, words
//! and examples. Time and memory are bounded by the cap on rows clustered
//! (HDBSCAN here is O(n²) time, O(n) memory): above it a deterministic sample
//! (the rows with the smallest id hashes) is clustered, and the result says so.

pub mod describe;
pub mod embed;
pub mod example;
pub mod explain;
pub mod features;
pub mod space;
pub mod trim;

use std::collections::BTreeMap;

use hdbscan::{Hdbscan, HdbscanHyperParams, NnAlgorithm};

pub use example::Example;
pub use features::{FailedFeatures, features, is_failed};

use crate::report::clusters::{Cluster, Clusters, EXAMPLES};

/// Rows clustered at most, by default.
pub const DEFAULT_MAX_ROWS: usize = 20_000;

/// Settings of one clustering.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// Rows clustered at most (`--cluster-max-rows`).
    pub max_rows: usize,
    /// HDBSCAN's smallest cluster; `None`: [`default_min_size`].
    pub min_size: Option<usize>,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            max_rows: DEFAULT_MAX_ROWS,
            min_size: None,
        }
    }
}

/// The default smallest cluster for `n` rows: 5, or 0.5% of the rows when that is more.
pub fn default_min_size(n: usize) -> usize {
    n.div_ceil(200).max(5)
}

#[derive(Debug, thiserror::Error)]
pub enum ClusterError {
    #[error("HDBSCAN refused the feature vectors: {0}")]
    Hdbscan(#[source] hdbscan::HdbscanError),
}

/// The failed rows the sink kept, and what it counted.
#[derive(Debug, Default)]
pub struct Collected {
    /// Kept rows, in submission order.
    pub rows: Vec<FailedFeatures>,
    /// Every failed row of the run.
    pub failed: u64,
    /// The run's last segment.
    pub last_segment: u32,
    /// `--explain` only: the kept rows' examples, by id.
    pub examples: BTreeMap<String, Example>,
}

/// Clusters `c.rows` (already capped by the sink at `opts.max_rows`).
pub fn cluster(c: &Collected, opts: Options) -> Result<Clusters, ClusterError> {
    let rows = &c.rows;
    let n = rows.len();
    let min_size = opts.min_size.unwrap_or_else(|| default_min_size(n)).max(2);
    let min_samples = min_size.min(10);
    let labels: Vec<i32> = if n > min_size.max(min_samples) {
        let data = space::vectors(rows, c.last_segment);
        let params = HdbscanHyperParams::builder()
            .min_cluster_size(min_size)
            .min_samples(min_samples)
            .nn_algorithm(if n <= 250 {
                NnAlgorithm::BruteForce
            } else {
                NnAlgorithm::KdTree
            })
            .build();
        Hdbscan::new(&data, params).cluster().map_err(ClusterError::Hdbscan)?
    } else {
        vec![-1; n]
    };
    let mut groups: BTreeMap<i32, Vec<usize>> = BTreeMap::new();
    for (i, &l) in labels.iter().enumerate() {
        if l >= 0 {
            groups.entry(l).or_default().push(i);
        }
    }
    let data = match groups.is_empty() {
        true => Vec::new(),
        false => space::vectors(rows, c.last_segment),
    };
    let mut groups: Vec<Vec<usize>> = groups
        .into_values()
        .map(|g| trim::trim(&data, g, min_samples))
        .filter(|g| g.len() >= min_size)
        .collect();
    // Largest first; ties by the first row (members are in submission order).
    groups.sort_by(|a, b| b.len().cmp(&a.len()).then(a.first().cmp(&b.first())));
    let clustered: usize = groups.iter().map(Vec::len).sum();
    let clusters = groups
        .iter()
        .enumerate()
        .map(|(k, members)| {
            let refs: Vec<&FailedFeatures> = members.iter().map(|&i| &rows[i]).collect();
            let ids: Vec<String> = refs.iter().map(|r| r.id.clone()).collect();
            Cluster {
                id: k as u64 + 1,
                size: members.len() as u64,
                share: members.len() as f64 / n as f64,
                shape: describe::describe(&refs, rows, c.last_segment),
                examples: ids.iter().take(EXAMPLES).cloned().collect(),
                ids,
                note: None,
            }
        })
        .collect();
    Ok(Clusters {
        failed_rows: c.failed,
        clustered_rows: n as u64,
        sampled: c.failed > n as u64,
        max_rows: opts.max_rows as u64,
        min_cluster_size: min_size as u64,
        clusters,
        unclustered: (n - clustered) as u64,
        explain: None,
    })
}

#[cfg(test)]
mod tests;
