//! Unit tests for the ledger: final selection, duplicates, conflicts,
//! retries and retry exhaustion.

use super::*;

fn rec(status: Status, kind: Option<ErrorKind>, input: u64) -> RowRecord {
    RowRecord {
        status,
        error_kind: kind,
        truncated: false,
        usage: Usage {
            input,
            output: 1,
            ..Usage::default()
        },
        model: 2,
        snapshot: 3,
    }
}

const OK: Status = Status::Completed;
const PE: Status = Status::ProviderError;
const RL: Option<ErrorKind> = Some(ErrorKind::RateLimit);

#[test]
fn row_state_is_compact() {
    assert!(std::mem::size_of::<RowState>() <= 16);
}

#[test]
fn every_origin_is_kept_past_the_keyed_ones() {
    // 70,000 distinct (attempt, model, snapshot) origins: more than the
    // 65,535 that have a key; the rest live in the side table.
    let rows = 70_000u32;
    let mut l = Ledger::new(rows as usize, 2, RetryPolicy::default());
    let origin = |i: u32| (i as u16, (i >> 16) as u16 + 1);
    for i in 0..rows {
        let (model, snapshot) = origin(i);
        let r = RowRecord {
            model,
            snapshot,
            ..rec(OK, None, u64::from(i))
        };
        assert_eq!(l.apply(1 + (i % 2) as u16, i, u64::from(i), &r), Applied::Final);
    }
    // A keyed row moving to an origin past the keyed ones reads right.
    let late = RowRecord {
        model: 9,
        snapshot: 9,
        ..rec(OK, None, 1)
    };
    assert_eq!(l.apply(2, 0, 77, &late), Applied::Final);
    l.finish();
    for i in 1..rows {
        let (model, snapshot) = origin(i);
        assert_eq!((l.model(i), l.snapshot(i)), (model, snapshot), "row {i}");
        assert_eq!(l.attempt(i), 1 + (i % 2) as u16, "row {i}");
        assert_eq!(l.usage(i).input, u64::from(i), "row {i}");
    }
    assert_eq!((l.model(0), l.snapshot(0), l.attempt(0)), (9, 9, 2));
    assert_eq!(l.retry_usage(0).input, 0, "row 0's first result had 0 input tokens");
    assert_eq!(l.usage(0).input, 1);
    assert_eq!(l.status_counts()[OK.index()], u64::from(rows));
}

#[test]
fn packed_bits_keep_every_status_kind_and_flag() {
    let mut r = RowState::EMPTY;
    assert_eq!(
        (r.status(), r.kind(), r.flags(), r.seen()),
        (Status::Missing, None, Flags::empty(), 0)
    );
    for s in Status::ALL {
        for k in std::iter::once(None).chain(ErrorKind::ALL.map(Some)) {
            for f in 0..16u8 {
                for seen in 0..4u8 {
                    r.set_status(s);
                    r.set_kind(k);
                    r.set_flags(Flags(f));
                    r.set_seen(seen);
                    assert_eq!((r.status(), r.kind(), r.flags(), r.seen()), (s, k, Flags(f), seen));
                }
            }
        }
    }
}

#[test]
fn cached_and_reasoning_counts_are_kept_once_any_row_has_them() {
    let mut l = Ledger::new(3, 1, RetryPolicy::default());
    assert_eq!(l.apply(1, 0, 1, &rec(OK, None, 5)), Applied::Final);
    assert!(l.usage.extra.is_empty(), "no row has extra counts yet");
    let mut r = rec(OK, None, 6);
    r.usage.cached_input = 7;
    r.usage.cache_write = 8;
    r.usage.reasoning = u64::from(u32::MAX) - 1;
    assert_eq!(l.apply(1, 1, 2, &r), Applied::Final);
    assert_eq!(
        l.usage.extra.len(),
        3,
        "one entry per row from the first row that has one"
    );
    let mut wide = rec(OK, None, 1);
    wide.usage.reasoning = u64::from(u32::MAX) + 3;
    assert_eq!(l.apply(1, 2, 3, &wide), Applied::Final);
    l.finish();
    assert_eq!(l.usage(0), rec(OK, None, 5).usage);
    assert_eq!(l.usage(1), r.usage);
    assert_eq!(l.usage(2), wide.usage);
    let total = l.total_usage();
    assert_eq!((total.input, total.cached_input, total.cache_write), (12, 7, 8));
    assert_eq!(total.reasoning, 2 * u64::from(u32::MAX) + 2);
}

#[test]
fn attempts_applied_last_to_first() {
    let mut l = Ledger::new(6, 2, RetryPolicy::default());
    // attempt 2 (applied first)
    assert_eq!(l.apply(2, 0, 10, &rec(OK, None, 5)), Applied::Final);
    assert_eq!(l.apply(2, 1, 11, &rec(PE, RL, 5)), Applied::Final);
    assert_eq!(
        l.apply(2, 2, 12, &rec(PE, Some(ErrorKind::InvalidRequest), 5)),
        Applied::Final
    );
    assert_eq!(l.apply(2, 2, 12, &rec(OK, None, 5)), Applied::Duplicate);
    assert_eq!(l.apply(2, 3, 13, &rec(OK, None, 5)), Applied::Final);
    assert_eq!(l.apply(2, 3, 99, &rec(PE, RL, 7)), Applied::Conflict);
    // attempt 1
    assert_eq!(l.apply(1, 0, 20, &rec(PE, RL, 100)), Applied::Superseded);
    assert_eq!(l.apply(1, 1, 21, &rec(PE, RL, 100)), Applied::Superseded);
    assert_eq!(
        l.apply(1, 2, 22, &rec(PE, Some(ErrorKind::InvalidRequest), 100)),
        Applied::Superseded
    );
    assert_eq!(l.apply(1, 4, 24, &rec(Status::Expired, None, 0)), Applied::Final);
    assert_eq!(l.apply(3, 4, 24, &rec(OK, None, 0)), Applied::Invalid);
    assert_eq!(l.apply(1, 6, 24, &rec(OK, None, 0)), Applied::Invalid);
    assert!(l.has_final(4) && !l.has_final(5));
    l.record_unexpected(1, "ghost");
    l.finish();

    assert_eq!((l.status(0), l.flags(0)), (OK, Flags::RETRIED));
    assert_eq!(l.attempt(0), 2);
    assert_eq!(l.usage(0).input, 5);
    assert_eq!(l.retry_usage(0).input, 100);
    assert_eq!(l.status(1), Status::RetryExhausted);
    assert_eq!(l.error_kind(1), RL);
    assert_eq!(l.status(2), PE);
    assert_eq!(l.flags(2), Flags::DUPLICATE);
    assert_eq!((l.status(3), l.flags(3)), (OK, Flags::SILENTLY_RETRIED));
    assert_eq!(l.retry_usage(3).input, 7);
    // Expired in a single attempt: not exhausted.
    assert_eq!(l.status(4), Status::Expired);
    assert_eq!((l.status(5), l.attempt(5)), (Status::Missing, 0));
    assert_eq!(l.model(0), 2);
    assert_eq!(l.snapshot(0), 3);

    let c = l.status_counts();
    assert_eq!(c, [2, 1, 0, 0, 1, 0, 1, 1]);
    assert_eq!(c.iter().sum::<u64>(), 6);
    assert_eq!(
        l.flag_counts(),
        FlagCounts {
            truncated: 0,
            retried: 1,
            silently_retried: 1,
            duplicate: 1
        }
    );
    assert_eq!(l.unexpected(), (1, &["ghost".to_string()][..]));
    l.finish();
    assert_eq!(l.status_counts(), c);
    assert_eq!(l.total_usage().input, 20);
    assert_eq!(l.total_retry_usage().input, 307);
}

#[test]
fn completed_in_both_attempts_is_not_retried() {
    let mut l = Ledger::new(1, 2, RetryPolicy::default());
    l.apply(2, 0, 1, &rec(OK, None, 1));
    l.apply(1, 0, 2, &rec(OK, None, 1));
    l.finish();
    assert_eq!((l.status(0), l.flags(0)), (OK, Flags::empty()));
}

#[test]
fn out_of_order_attempts_still_pick_the_latest() {
    let mut l = Ledger::new(1, 2, RetryPolicy::default());
    let mut t = rec(PE, RL, 3);
    t.truncated = true;
    assert_eq!(l.apply(1, 0, 1, &t), Applied::Final);
    assert_eq!(l.apply(2, 0, 2, &rec(OK, None, 4)), Applied::Final);
    l.finish();
    assert_eq!((l.status(0), l.flags(0)), (OK, Flags::RETRIED));
    assert_eq!((l.usage(0).input, l.retry_usage(0).input), (4, 3));
}

#[test]
fn unexpected_ids_capped_and_usage_kept_whole() {
    let mut l = Ledger::new(1, 1, RetryPolicy::none());
    for i in 0..30 {
        l.record_unexpected(1, &format!("x{i}"));
    }
    let (n, ids) = l.unexpected();
    assert_eq!((n, ids.len()), (30, MAX_UNEXPECTED_IDS));
    l.apply(1, 0, 1, &rec(OK, None, u64::MAX));
    assert_eq!(l.usage(0).input, u64::MAX);
    assert_ne!(line_hash(b"a"), line_hash(b"b"));
    assert_eq!(line_hash(b"a"), line_hash(b"a"));
}

#[test]
fn recovery_outside_the_batch_completes_failed_and_missing_rows_only() {
    // Row 0 failed in both attempts, row 1 has no result, row 2 completed.
    let mut l = Ledger::new(3, 2, RetryPolicy::default());
    l.apply(1, 0, 1, &rec(PE, RL, 3));
    l.apply(2, 0, 2, &rec(PE, RL, 5));
    l.apply(1, 2, 3, &rec(OK, None, 7));
    l.finish();
    assert_eq!(l.status(0), Status::RetryExhausted);
    assert_eq!(l.status(1), Status::Missing);
    let mut sync = rec(OK, None, 11);
    sync.truncated = true;
    assert!(l.recover(0, 3, &sync));
    assert!(l.recover(1, 3, &rec(OK, None, 13)));
    assert!(
        !l.recover(2, 3, &rec(OK, None, 17)),
        "a completed row stays the batch's"
    );
    assert!(!l.recover(9, 3, &rec(OK, None, 1)));
    l.finish();
    assert_eq!((l.status(0), l.attempt(0)), (OK, 3));
    assert_eq!(l.flags(0), Flags(Flags::RETRIED.0 | Flags::TRUNCATED.0));
    // The batch attempts' billed usage stays as retry usage; the sync result is final.
    assert_eq!((l.usage(0).input, l.retry_usage(0).input), (11, 8));
    assert_eq!(
        (l.status(1), l.flags(1), l.retry_usage(1).input),
        (OK, Flags::RETRIED, 0)
    );
    assert_eq!((l.usage(2).input, l.flags(2)), (7, Flags::empty()));
    assert_eq!(l.status_counts()[OK.index()], 3);
    assert_eq!(l.flag_counts().retried, 2);
    let mut failed = Ledger::new(1, 1, RetryPolicy::default());
    failed.finish();
    assert!(
        !failed.recover(0, 2, &rec(PE, RL, 1)),
        "only a completed sync result recovers"
    );
}

#[test]
fn token_counts_past_u32_are_kept_whole() {
    let big = u64::from(u32::MAX) + 10;
    let mut l = Ledger::new(3, 2, RetryPolicy::default());
    let mut wide = rec(OK, None, big);
    wide.usage.reasoning = u64::MAX;
    assert_eq!(l.apply(2, 0, 1, &wide), Applied::Final);
    assert_eq!(l.apply(2, 1, 2, &rec(OK, None, u64::from(u32::MAX))), Applied::Final);
    // An earlier attempt's wide result goes to retry usage, whole.
    assert_eq!(l.apply(1, 1, 3, &rec(PE, RL, big)), Applied::Superseded);
    assert_eq!(l.usage(0).input, big);
    assert_eq!(l.usage(0).reasoning, u64::MAX);
    assert_eq!(l.usage(1).input, u64::from(u32::MAX));
    assert_eq!(l.retry_usage(1).input, big);
    assert_eq!(l.total_usage().input, big + u64::from(u32::MAX));
    assert_eq!(l.total_retry_usage().input, big);
    // A narrow result replacing a wide one reads narrow.
    let mut l = Ledger::new(1, 2, RetryPolicy::default());
    assert_eq!(l.apply(1, 0, 1, &rec(OK, None, big)), Applied::Final);
    assert_eq!(l.apply(2, 0, 2, &rec(OK, None, 7)), Applied::Final);
    assert_eq!((l.usage(0).input, l.retry_usage(0).input), (7, big));
}
