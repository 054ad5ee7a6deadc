//! Unit tests for `snapshots`.

use assay_batch::{RetryPolicy, RowRecord, Usage};

use super::*;

/// 140,000 completed rows: half answered by `fp_main`, half each by its
/// own fingerprint (70,000 distinct).
fn run(main_first: bool) -> Snapshots {
    let rows = 140_000usize;
    let mut models = Interner::new();
    let mut snaps = Interner::new();
    let model = models.intern("gpt-4o-mini");
    let mut ledger = Ledger::new(rows, 1, RetryPolicy::none());
    // `fp_main` rows first, or only after every distinct fingerprint.
    let (evens, odds) = ((0..rows as u32).step_by(2), (1..rows as u32).step_by(2));
    let order: Vec<u32> = if main_first {
        evens.chain(odds).collect()
    } else {
        odds.chain(evens).collect()
    };
    for idx in order {
        let name = if idx % 2 == 0 {
            "fp_main".to_owned()
        } else {
            format!("fp_{idx}")
        };
        let rec = RowRecord {
            status: Status::Completed,
            error_kind: None,
            truncated: false,
            usage: Usage::default(),
            model,
            snapshot: snaps.intern(&name),
        };
        ledger.apply(1, idx, u64::from(idx), &rec);
    }
    ledger.finish();
    snapshots(&ledger, rows, 10_000, &models, &snaps)
}

#[test]
fn past_65535_distinct_snapshots_the_result_does_not_depend_on_line_order() {
    let (a, b) = (run(true), run(false));
    let show = |s: &Snapshots| serde_json::to_string(s).unwrap_or_default();
    assert_eq!(show(&a), show(&b));
    assert!(!a.snapshots_compared, "overflowing values are scattered: models only");
    let m = a.majority.as_ref().map(|m| (m.model.as_deref(), m.snapshot.clone()));
    assert_eq!(m, Some((Some("gpt-4o-mini"), None)));
    assert!(a.rotated_segments.is_empty());
}

/// The snapshot answering row `idx` of [`runs_are_counted_row_by_row`], or
/// `None` for a failed row.
fn pattern(idx: u32) -> Option<&'static str> {
    match idx {
        _ if idx % 7 == 3 => None,
        0..15 => Some("fp_a"),
        15..20 if idx % 2 == 1 => Some("fp_b"),
        15..20 => Some("fp_a"),
        _ => Some("fp_b"),
    }
}

/// Runs of equal pairs that cross a segment end, alternate, or are cut by
/// failed rows count the same as counting each row on its own.
#[test]
fn runs_are_counted_row_by_row() {
    let (rows, segment) = (30u32, 10u32);
    let (mut models, mut snaps) = (Interner::new(), Interner::new());
    let model = models.intern("gpt-4o-mini");
    let mut ledger = Ledger::new(rows as usize, 1, RetryPolicy::none());
    for idx in 0..rows {
        let rec = RowRecord {
            status: if pattern(idx).is_some() {
                Status::Completed
            } else {
                Status::ProviderError
            },
            error_kind: None,
            truncated: false,
            usage: Usage::default(),
            model,
            snapshot: snaps.intern(pattern(idx).unwrap_or("fp_failed")),
        };
        ledger.apply(1, idx, u64::from(idx), &rec);
    }
    ledger.finish();
    let got = snapshots(&ledger, rows as usize, segment, &models, &snaps);
    assert_eq!(got.segments.len(), 3);
    for (s, mix) in got.segments.iter().enumerate() {
        let seg = s as u32 * segment..(s as u32 + 1) * segment;
        let count = |fp: &str| seg.clone().filter(|&i| pattern(i) == Some(fp)).count() as u64;
        let mut want: Vec<(String, u64)> = ["fp_a", "fp_b"]
            .into_iter()
            .map(|fp| (fp.to_owned(), count(fp)))
            .filter(|(_, n)| *n > 0)
            .collect();
        want.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        assert_eq!(mix.snapshots, want, "segment {s}");
        assert_eq!(mix.completed, count("fp_a") + count("fp_b"), "segment {s}");
        assert_eq!(
            mix.models,
            vec![("gpt-4o-mini".to_owned(), mix.completed)],
            "segment {s}"
        );
    }
    let majority = got.majority.as_ref().map(|m| m.snapshot.clone());
    assert_eq!(majority, Some(Some("fp_a".to_owned())));
    assert_eq!(got.rotated_segments, vec![2]);
}

/// Bedrock's Titan, Llama and Mistral outputs name no model (the job sets
/// it): such rows are a bucket of their own, which may be the majority, but
/// never a model called `""`.
#[test]
fn rows_whose_results_name_no_model_are_not_a_model_named_empty() {
    let rows = 30u32;
    let (mut models, snaps) = (Interner::new(), Interner::new());
    let claude = models.intern("claude-3-haiku");
    let mut ledger = Ledger::new(rows as usize, 1, RetryPolicy::none());
    for idx in 0..rows {
        let rec = RowRecord {
            status: Status::Completed,
            error_kind: None,
            truncated: false,
            usage: Usage::default(),
            model: if idx % 3 == 0 { claude } else { Interner::NONE },
            snapshot: Interner::NONE,
        };
        ledger.apply(1, idx, u64::from(idx), &rec);
    }
    ledger.finish();
    let got = snapshots(&ledger, rows as usize, 10, &models, &snaps);
    let majority = got.majority.as_ref().map(|m| (m.model.clone(), m.share));
    assert_eq!(majority, Some((None, 20.0 / 30.0)));
    assert_eq!(got.distinct_models, 1, "only named models are counted");
    assert!(got.rotated_segments.is_empty());
    for mix in &got.segments {
        let named = (mix.segment * 10..(mix.segment + 1) * 10)
            .filter(|i| i % 3 == 0)
            .count() as u64;
        assert_eq!(
            mix.models,
            vec![("claude-3-haiku".to_owned(), named)],
            "segment {}",
            mix.segment
        );
    }
}
