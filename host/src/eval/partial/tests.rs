use assay_batch::{ErrorKind, Flags, SettledRow, Status, Usage};
use serde_json::Value;

use super::row::{Cell, decode, encode};
use crate::judge::FailureKind;

fn settled(status: Status, kind: Option<ErrorKind>, usage: Usage, retry: Usage) -> SettledRow {
    SettledRow {
        status,
        kind,
        flags: Flags(Flags::TRUNCATED.0 | Flags::RETRIED.0),
        attempt: 2,
        model: 3,
        snapshot: 4,
        usage,
        retry_usage: retry,
        other_attempt: true,
        earlier_completed: false,
    }
}

#[test]
fn a_row_line_decodes_to_the_row_it_encodes() {
    let big = Usage {
        input: u64::from(u32::MAX) + 7,
        output: 1,
        cached_input: 2,
        cache_write: 3,
        reasoning: 4,
    };
    let cases = [
        (
            settled(Status::Completed, None, big, Usage::default()),
            (None, None),
            vec![
                Cell::Verdict {
                    passed: true,
                    score: Some(0.1 + 0.2),
                    label: Some("ok \"quoted\" é".into()),
                },
                Cell::Verdict {
                    passed: false,
                    score: None,
                    label: None,
                },
            ],
        ),
        (
            settled(
                Status::RetryExhausted,
                Some(ErrorKind::RateLimit),
                Usage::default(),
                big,
            ),
            (Some("rate_limit_exceeded"), Some("slow down")),
            vec![Cell::JudgeError, Cell::Failed(FailureKind::Trap)],
        ),
        (
            settled(Status::Missing, None, Usage::default(), Usage::default()),
            (None, Some("no code")),
            vec![Cell::Unscored, Cell::Failed(FailureKind::Fuel)],
        ),
    ];
    for (idx, (s, err, cells)) in cases.into_iter().enumerate() {
        let id = format!("row-{idx} ✓");
        let line = encode(idx as u32, &id, &s, err, cells.iter().map(Cell::view));
        let v: Value = serde_json::from_str(&line).expect("a JSON line");
        let row = decode(&v, 2).expect("decodes");
        assert_eq!((row.idx, row.id), (idx as u32, id));
        assert_eq!(row.settled, s);
        assert_eq!((row.code.as_deref(), row.message.as_deref()), err);
        assert_eq!(row.cells, cells);
    }
}

#[test]
fn a_bad_row_line_is_an_error_not_a_guess() {
    let good: Value = serde_json::from_str("[0,\"a\",0,null,0,1,0,0,0,0,0,null,null,0]").expect("json");
    assert!(decode(&good, 1).is_ok());
    for bad in [
        "{}",
        "[0]",
        "[0,\"a\",99,null,0,1,0,0,0,0,0,null,null,0]",
        "[0,\"a\",0,null,0,1,0,0,0,[1,2],0,null,null,0]",
        "[0,\"a\",0,null,0,1,0,0,0,0,0,null,null,5]",
        "[0,\"a\",0,null,0,1,0,0,0,0,0,null,null,[9,0.5,null]]",
        "[-1,\"a\",0,null,0,1,0,0,0,0,0,null,null,0]",
        "[0,null,0,null,0,1,0,0,0,0,0,null,null,0]",
        // Flags past the four known ones.
        "[0,\"a\",0,null,16,1,0,0,0,0,0,null,null,0]",
    ] {
        let v: Value = serde_json::from_str(bad).expect("json");
        assert!(decode(&v, 1).is_err(), "{bad}");
    }
}
