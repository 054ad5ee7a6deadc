//! Outliers out of a cluster. HDBSCAN's flat clustering gives a selected
//! cluster every point below it in the hierarchy, including points that only
//! joined it far above its density (a lone failure of another kind that sits
//! nearer this cluster than any other). Roughly, in HDBSCAN's terms, such a member
//! has a membership strength under one half. It is recognised by its
//! distance to its k-th nearest fellow member: more than [`FACTOR`] times the
//! cluster's median of that distance, and more than [`FLOOR`] (half of one
//! categorical difference, so a cluster of near-identical rows does not cast out
//! rows that differ only a little). It is counted unclustered instead.
//!
//! Invariant: a trimmed cluster is a subset of the cluster, in the same order;
//! the result depends only on the vectors and the members.

/// How far past the cluster's median k-th-neighbour distance a member may sit.
pub const FACTOR: f64 = 2.0;
/// Below this k-th-neighbour distance a member always stays.
pub const FLOOR: f64 = 0.5;

fn dist(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| (x - y) * (x - y)).sum::<f64>().sqrt()
}

/// `members` (indexes into `data`) less its outliers; `k`: HDBSCAN's `min_samples`.
pub fn trim(data: &[Vec<f64>], members: Vec<usize>, k: usize) -> Vec<usize> {
    let k = k.min(members.len().saturating_sub(1));
    if k == 0 {
        return members;
    }
    let kth: Vec<f64> = members
        .iter()
        .map(|&i| {
            let mut d: Vec<f64> = members
                .iter()
                .filter(|&&j| j != i)
                .map(|&j| dist(&data[i], &data[j]))
                .collect();
            d.sort_by(f64::total_cmp);
            d[k - 1]
        })
        .collect();
    let mut sorted = kth.clone();
    sorted.sort_by(f64::total_cmp);
    let limit = (sorted[sorted.len() / 2] * FACTOR).max(FLOOR);
    members
        .into_iter()
        .zip(kth)
        .filter(|&(_, d)| d <= limit)
        .map(|(i, _)| i)
        .collect()
}
