use super::*;
use crate::ledger::RowRecord;
use crate::status::RetryPolicy;

fn rec(status: Status, input: u64) -> RowRecord {
    RowRecord {
        status,
        error_kind: (status != Status::Completed).then_some(ErrorKind::ServerError),
        truncated: false,
        usage: Usage {
            input,
            output: 3,
            ..Usage::default()
        },
        model: 1,
        snapshot: 0,
    }
}

#[test]
fn a_restored_ledger_reads_like_the_original() {
    let policy = RetryPolicy::parse("server_error").expect("policy");
    let mut a = Ledger::new(4, 2, policy);
    a.apply(2, 0, 1, &rec(Status::Completed, 5));
    a.apply(1, 0, 2, &rec(Status::ProviderError, 7));
    a.apply(2, 1, 3, &rec(Status::ProviderError, 1));
    a.apply(1, 1, 4, &rec(Status::ProviderError, 1));
    a.apply(2, 2, 5, &rec(Status::Completed, u64::from(u32::MAX) + 9));
    let mut cached = rec(Status::Completed, 40);
    cached.usage.cached_input = 30;
    cached.usage.reasoning = 2;
    a.apply(1, 3, 6, &cached);
    a.record_unexpected(1, "ghost");
    a.finish();
    let mut b = Ledger::new(4, 2, policy);
    for idx in 0..4 {
        assert!(b.restore(idx, &a.settled(idx)));
    }
    b.restore_unexpected(1, &["ghost".to_owned()]);
    b.finish();
    for idx in 0..4 {
        assert_eq!(a.settled(idx), b.settled(idx), "row {idx}");
    }
    assert_eq!(a.status_counts(), b.status_counts());
    assert_eq!(a.flag_counts(), b.flag_counts());
    assert_eq!(a.unexpected(), b.unexpected());
    assert!(!b.restore(9, &a.settled(0)));
}
