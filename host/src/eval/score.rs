//! Scoring one set of rows with every scoring judge: the same call for batch
//! rows on the workers and for rows recovered through the sync API.
//!
//! Invariant: each judge sees only the row fields its descriptor needs, in
//! chunks of at most `chunk_rows`, and returns exactly one result per row
//! (the runner enforces the count); a judge that cannot be started stops the
//! whole set.

use super::calls::Scorer;
use super::rows::narrow;
use crate::judge::bindings::types as wit;
use crate::judge::{RowResult, StartError};

/// What one scoring judge asks of a row: (prompt, metadata).
pub type Needs = (bool, bool);

/// One result vector per scorer (in scorer order), each as long as `rows`.
pub async fn score_all(
    scorers: &mut [Scorer],
    needs: &[Needs],
    rows: &[wit::Row<'_>],
    chunk_rows: usize,
) -> Result<Vec<Vec<RowResult>>, StartError> {
    let mut verdicts = Vec::with_capacity(scorers.len());
    for (t, scorer) in scorers.iter_mut().enumerate() {
        let (p, m) = needs.get(t).copied().unwrap_or((true, true));
        let narrowed = narrow(rows, p, m);
        let mine = narrowed.as_deref().unwrap_or(rows);
        let mut out = Vec::with_capacity(rows.len());
        for chunk in mine.chunks(chunk_rows.max(1)) {
            out.extend(scorer.score(chunk).await?);
        }
        verdicts.push(out);
    }
    Ok(verdicts)
}

/// The results for row `k` of a scored set, one per scorer that has one.
pub fn results_for(verdicts: &[Vec<RowResult>], k: usize) -> impl Iterator<Item = (usize, &RowResult)> {
    verdicts
        .iter()
        .enumerate()
        .filter_map(move |(t, v)| Some((t, v.get(k)?)))
}
