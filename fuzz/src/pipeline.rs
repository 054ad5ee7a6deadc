//! A fuzzed result file through the one ingest pipeline
//! ([`assay_batch::ingest::read_line`] and [`assay_batch::ingest::apply`])
//! against the [`crate::fixed_index`], and the input-side readers on the
//! same lines.
//!
//! Invariants checked: each line is a row or exactly one bad line, never
//! both; every applied line lands as final, duplicate, conflict or
//! unexpected as its id and hash say; after `finish` every row has exactly
//! one status, the counts add up to the rows, and a row's status is the one
//! its first result line carried (one attempt, so nothing is retried).

use std::borrow::Cow;

use assay_batch::ingest::{Target, apply, read_line};
use assay_batch::provider::{Format, ResultFn};
use assay_batch::{Applied, Interner, Ledger, ProviderOptions, RetryPolicy, Status};

use crate::reader::{check_blocks, plain_reader, read_all};
use crate::{fixed_index, settings};

/// The first result seen for a row: its hash and status.
#[derive(Clone, Copy)]
struct First {
    hash: u64,
    status: Status,
}

/// Reads `data` as one attempt's result file with `parse` and checks the
/// pipeline's invariants.
pub fn check_results(data: &[u8], parse: ResultFn, opts: &ProviderOptions) {
    let (max_line, block_bytes) = settings(data);
    let mut reader = plain_reader(data, max_line, block_bytes);
    let Ok(blocks) = read_all(&mut reader) else {
        panic!("reading from memory cannot fail");
    };
    check_blocks(data, blocks.as_deref(), max_line);
    let blocks = blocks.unwrap_or_default();
    let index = fixed_index();
    let mut ledger = Ledger::new(index.len(), 1, RetryPolicy::default());
    let mut names = Interner::new();
    let mut first: Vec<Option<First>> = vec![None; index.len()];
    let (mut rows, mut bad, mut unexpected, mut reported) = (0u64, 0u64, 0u64, 0u64);
    let mut guess = 0u32;
    for block in &blocks {
        bad += block.bad.len() as u64;
        for line in block.lines() {
            let rec = match read_line(
                block,
                &line,
                |b| parse(b, opts),
                index,
                &mut guess,
                |n| names.intern_opt(n),
            ) {
                Ok((rec, parsed)) => {
                    check_outcome(&parsed.outcome.status, parsed.outcome.error_kind.is_some());
                    let want = index.get(&parsed.custom_id);
                    match (&rec.target, want) {
                        (Target::Row(i), Some(j)) => assert_eq!(*i, j, "row of {:?}", parsed.custom_id),
                        (Target::Unexpected(id), None) => assert_eq!(Cow::Borrowed(id.as_str()), parsed.custom_id),
                        (t, w) => panic!("target {t:?} for id {:?} (index says {w:?})", parsed.custom_id),
                    }
                    rec
                }
                Err(b) => {
                    assert_eq!(b.line, line.number, "bad line names its own line");
                    bad += 1;
                    continue;
                }
            };
            rows += 1;
            let applied = apply(&mut ledger, 1, &rec);
            match (&rec.target, applied) {
                (Target::Unexpected(_), None) => unexpected += 1,
                (Target::Row(i), Some(a)) => {
                    let slot = &mut first[*i as usize];
                    let want = match slot {
                        None => Applied::Final,
                        Some(f) if f.hash == rec.hash => Applied::Duplicate,
                        Some(_) => Applied::Conflict,
                    };
                    assert_eq!(a, want, "line {} applied to row {i}", line.number);
                    slot.get_or_insert(First {
                        hash: rec.hash,
                        status: rec.record.status,
                    });
                    reported += 1;
                }
                (t, a) => panic!("target {t:?} applied as {a:?}"),
            }
        }
    }
    let yielded: u64 = blocks
        .iter()
        .map(|b| b.lines().count() as u64 + b.bad.len() as u64)
        .sum();
    assert_eq!(rows + bad, yielded, "each line is one row or one bad line");
    assert_eq!(rows, reported + unexpected);
    assert_eq!(ledger.unexpected().0, unexpected, "unexpected count");
    check_ledger(&mut ledger, |i| first[i as usize].map(|f| f.status));
}

/// An outcome only carries provider statuses; a provider error has a kind.
pub fn check_outcome(status: &Status, has_kind: bool) {
    assert!(
        !matches!(status, Status::RetryExhausted | Status::Missing),
        "parser produced the ledger verdict {status}"
    );
    if *status == Status::ProviderError {
        assert!(has_kind, "provider error without a kind");
    }
}

/// After `finish`: one status per row, counts add up and match the rows,
/// and a row's status is `expect(row)` (Missing when it had no result).
pub fn check_ledger(ledger: &mut Ledger, expect: impl Fn(u32) -> Option<Status>) {
    ledger.finish();
    let counts = ledger.status_counts();
    assert_eq!(
        counts.iter().sum::<u64>(),
        ledger.len() as u64,
        "status counts add up to the rows"
    );
    let mut recount = [0u64; 8];
    for i in 0..ledger.len() as u32 {
        let s = ledger.status(i);
        recount[s.index()] += 1;
        assert_eq!(s, expect(i).unwrap_or(Status::Missing), "status of row {i}");
    }
    assert_eq!(recount, counts, "status counts match the rows' statuses");
    let again = counts;
    ledger.finish();
    assert_eq!(ledger.status_counts(), again, "finish is idempotent");
}

/// Every line of `data` through the input-side readers of `format`: the
/// input line parser, the prompt and metadata readers. Ids that parse go
/// into an index, where a second insert of the same id must be refused.
pub fn check_inputs(data: &[u8], format: &Format, opts: &ProviderOptions) {
    let (max_line, block_bytes) = settings(data);
    let mut reader = plain_reader(data, max_line, block_bytes);
    let Ok(Some(blocks)) = read_all(&mut reader) else {
        return;
    };
    let mut index = assay_batch::InputIndex::new();
    for block in &blocks {
        for line in block.lines() {
            if let Ok(parsed) = (format.input)(line.raw(), opts) {
                match index.try_insert(&parsed.custom_id, line.offset, line.number) {
                    Ok(i) => assert_eq!(index.get(&parsed.custom_id), Some(i)),
                    Err(assay_batch::InsertError::Duplicate(i)) => {
                        assert_eq!(index.id(i), parsed.custom_id.as_ref())
                    }
                    Err(e) => panic!("insert failed: {e:?}"),
                }
            }
            let _ = (format.messages)(line.bytes);
            let _ = (format.metadata)(line.bytes);
        }
    }
}

/// A provider target: `data` as a result file and as an input file.
pub fn check_provider(data: &[u8], format: &Format, opts: &ProviderOptions) {
    check_results(data, format.result, opts);
    check_inputs(data, format, opts);
}
