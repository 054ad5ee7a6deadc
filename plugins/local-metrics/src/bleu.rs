//! Sentence BLEU-4 with "floor" smoothing.
//!
//! Definition (for hypothesis tokens `h`, reference tokens `r`):
//! - `m_n` = clipped n-gram matches, `t_n = |h| - n + 1` hypothesis n-grams;
//! - `p_n = m_n / t_n`, or `0.1 / t_n` when `m_n = 0` (floor smoothing, epsilon 0.1);
//! - effective order `N = min(4, |h|)`: orders the hypothesis is too short to have
//!   are left out rather than smoothed, so an identical short answer scores 1.0;
//! - `BP = 1` if `|h| > |r|` (or equal), else `exp(1 - |r| / |h|)`;
//! - `BLEU = BP · exp((1/N) Σ ln p_n)`, and 0 when no unigram matches.
//!
//! This is sacrebleu's `sentence_bleu(..., smooth_method="floor", smooth_value=0.1,
//! use_effective_order=True)` on the same tokens, and NLTK's `sentence_bleu` with
//! `SmoothingFunction().method1` whenever the hypothesis has at least 4 tokens.
//! Edge cases: both empty → 1.0; one empty → 0.0.

use std::collections::HashMap;

/// Epsilon added to a zero n-gram match count.
pub const EPSILON: f64 = 0.1;
/// Highest n-gram order.
pub const MAX_ORDER: usize = 4;

/// BLEU and its parts.
#[derive(Debug, Clone, PartialEq)]
pub struct Bleu {
    pub score: f64,
    /// Smoothed precisions of the orders used (`order` of them, others 0).
    pub precisions: [f64; MAX_ORDER],
    pub matches: [usize; MAX_ORDER],
    pub totals: [usize; MAX_ORDER],
    /// Effective order `N`.
    pub order: usize,
    pub brevity_penalty: f64,
    pub hyp_len: usize,
    pub ref_len: usize,
}

impl Bleu {
    /// One line for verdict details.
    pub fn describe(&self) -> String {
        let p: Vec<String> = (0..self.order)
            .map(|i| format!("{}/{}", self.matches[i], self.totals[i]))
            .collect();
        format!(
            "bleu {:.4}; n-gram matches {} (orders 1-{}); brevity penalty {:.4}; hyp {} tokens, ref {} tokens",
            self.score,
            p.join(" "),
            self.order,
            self.brevity_penalty,
            self.hyp_len,
            self.ref_len
        )
    }
}

fn ngram_counts<'a>(tokens: &'a [&'a str], n: usize) -> HashMap<&'a [&'a str], usize> {
    let mut counts = HashMap::new();
    for gram in tokens.windows(n) {
        *counts.entry(gram).or_insert(0) += 1;
    }
    counts
}

/// Sentence BLEU of `hyp` against one reference `reference`.
pub fn sentence_bleu(hyp: &[&str], reference: &[&str]) -> Bleu {
    let mut b = Bleu {
        score: 0.0,
        precisions: [0.0; MAX_ORDER],
        matches: [0; MAX_ORDER],
        totals: [0; MAX_ORDER],
        order: hyp.len().min(MAX_ORDER),
        brevity_penalty: 0.0,
        hyp_len: hyp.len(),
        ref_len: reference.len(),
    };
    if hyp.is_empty() {
        if reference.is_empty() {
            b.score = 1.0;
            b.brevity_penalty = 1.0;
        }
        return b;
    }
    b.brevity_penalty = if hyp.len() >= reference.len() {
        1.0
    } else {
        (1.0 - reference.len() as f64 / hyp.len() as f64).exp()
    };
    for n in 1..=b.order {
        let refs = ngram_counts(reference, n);
        let mut matched = 0;
        for (gram, count) in ngram_counts(hyp, n) {
            matched += count.min(refs.get(gram).copied().unwrap_or(0));
        }
        let total = hyp.len() + 1 - n;
        b.matches[n - 1] = matched;
        b.totals[n - 1] = total;
        b.precisions[n - 1] = if matched == 0 {
            EPSILON / total as f64
        } else {
            matched as f64 / total as f64
        };
    }
    if b.matches[0] == 0 {
        return b;
    }
    let log_mean = b.precisions[..b.order].iter().map(|p| p.ln()).sum::<f64>() / b.order as f64;
    let score = b.brevity_penalty * log_mean.exp();
    b.score = if score.is_finite() { score.clamp(0.0, 1.0) } else { 0.0 };
    b
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::text::tokens;

    fn bleu(h: &str, r: &str) -> Bleu {
        sentence_bleu(&tokens(h), &tokens(r))
    }

    #[test]
    fn identical_and_disjoint() {
        assert_eq!(bleu("the cat sat on the mat", "the cat sat on the mat").score, 1.0);
        assert_eq!(bleu("yes", "yes").score, 1.0);
        assert_eq!(bleu("one two", "three four").score, 0.0);
        assert_eq!(bleu("", "").score, 1.0);
        assert_eq!(bleu("", "x").score, 0.0);
        assert_eq!(bleu("x", "").score, 0.0);
    }

    #[test]
    fn partial_match_by_hand() {
        // p1 = 5/6, p2 = 3/5, p3 = 1/4, p4 = 0.1/3 (smoothed); BP = 1.
        let b = bleu("the cat sat on the mat", "the cat is on the mat");
        assert_eq!((b.matches, b.totals), ([5, 3, 1, 0], [6, 5, 4, 3]));
        let want = (5.0 / 6.0 * 3.0 / 5.0 * 1.0 / 4.0 * 0.1 / 3.0f64).powf(0.25);
        assert!((b.score - want).abs() < 1e-12, "{} vs {want}", b.score);
        assert!((b.score - (1.0f64 / 240.0).powf(0.25)).abs() < 1e-12);
    }

    #[test]
    fn brevity_penalty_by_hand() {
        // p = 5/5, 3/4, 1/3, 0.1/2; BP = exp(1 - 6/5).
        let b = bleu("the cat on the mat", "the cat is on the mat");
        let want = (-0.2f64).exp() * (1.0f64 / 80.0).powf(0.25);
        assert!((b.score - want).abs() < 1e-12, "{} vs {want}", b.score);
    }

    #[test]
    fn clipping() {
        // "the the the" vs "the cat": p1 = 1/3 (clipped), p2 = 0.1/2, p3 = 0.1/1; BP = 1.
        let b = bleu("the the the", "the cat");
        let want = (1.0 / 3.0 * 0.05 * 0.1f64).powf(1.0 / 3.0);
        assert_eq!(b.order, 3);
        assert!((b.score - want).abs() < 1e-12, "{} vs {want}", b.score);
    }
}
