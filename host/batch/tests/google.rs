//! End-to-end tests over Google fixture files (see
//! fixtures/google/make_fixtures.py): Gemini API batch and Vertex AI batch
//! prediction, every status path, Vertex joins by id path and by request
//! hash, and exact status counts that add up to the rows submitted.

mod common;

use common::counts;

use std::path::{Path, PathBuf};

use assay_batch::google::{self, gemini, vertex};
use assay_batch::{
    BadLine, BlockReader, FileId, InputIndex, InputLine, Interner, Ledger, LineError, ProviderOptions, ResultLine,
    RetryPolicy, RowRecord, Status, Usage, line_hash,
};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/google")
        .join(name)
}

type ParseIn = for<'a> fn(&'a [u8], &ProviderOptions) -> Result<InputLine<'a>, LineError>;
type ParseOut = for<'a> fn(&'a [u8], &ProviderOptions) -> Result<ResultLine<'a>, LineError>;

struct Run {
    index: InputIndex,
    ledger: Ledger,
    names: Interner,
    bad_in: Vec<BadLine>,
    bad_out: Vec<BadLine>,
    unexpected: u64,
}

/// Indexes `input`, applies `output` (one attempt), settles the ledger.
fn run(input: &str, output: &str, pin: ParseIn, pout: ParseOut, opts: &ProviderOptions) -> Run {
    let mut index = InputIndex::new();
    let mut bad_in = Vec::new();
    let mut r = BlockReader::open(&fixture(input), FileId(0), 1 << 20).unwrap_or_else(|e| panic!("{e}"));
    while let Some(block) = r.next_block().unwrap_or_else(|e| panic!("{e}")) {
        for line in block.lines() {
            match pin(line.bytes, opts) {
                Ok(p) => {
                    if index.try_insert(&p.custom_id, line.offset, line.number).is_err() {
                        bad_in.push(block.bad_line(&line, LineError::WrongShape("duplicate".into())));
                    }
                }
                Err(e) => bad_in.push(block.bad_line(&line, e)),
            }
        }
        bad_in.extend(block.bad.iter().cloned());
    }
    let mut ledger = Ledger::new(index.len(), 1, RetryPolicy::default());
    let mut names = Interner::new();
    let (mut bad_out, mut unexpected) = (Vec::new(), 0);
    let mut r = BlockReader::open(&fixture(output), FileId(1), 1 << 20).unwrap_or_else(|e| panic!("{e}"));
    while let Some(block) = r.next_block().unwrap_or_else(|e| panic!("{e}")) {
        for line in block.lines() {
            let res = match pout(line.bytes, opts) {
                Ok(res) => res,
                Err(e) => {
                    bad_out.push(block.bad_line(&line, e));
                    continue;
                }
            };
            let Some(idx) = index.get(&res.custom_id) else {
                ledger.record_unexpected(1, &res.custom_id);
                unexpected += 1;
                continue;
            };
            let o = &res.outcome;
            let model = names.intern_opt(o.model.as_deref());
            let snapshot = names.intern_opt(o.snapshot.as_deref());
            ledger.apply(
                1,
                idx,
                line_hash(line.bytes),
                &RowRecord::from_outcome(o, model, snapshot),
            );
        }
        bad_out.extend(block.bad.iter().cloned());
    }
    ledger.finish();
    let total: u64 = ledger.status_counts().iter().sum();
    assert_eq!(total, index.len() as u64, "counts add up to rows submitted");
    Run {
        index,
        ledger,
        names,
        bad_in,
        bad_out,
        unexpected,
    }
}

fn row(r: &Run, id: &str) -> u32 {
    r.index.get(id).unwrap_or_else(|| panic!("no row {id}"))
}

fn line_of(file: &str, needle: &str) -> String {
    let text = std::fs::read_to_string(fixture(file)).unwrap_or_default();
    text.lines().find(|l| l.contains(needle)).unwrap_or("").to_string()
}

const JA: &str = "日本語の応答です 🎉 — שלום \"quoted\"";

#[test]
fn gemini_every_status_path() {
    let opts = ProviderOptions::default();
    let r = run(
        "gemini_input.jsonl",
        "gemini_output.jsonl",
        gemini::parse_input_line,
        gemini::parse_result_line,
        &opts,
    );
    assert!(
        r.bad_in.is_empty() && r.bad_out.is_empty(),
        "{:?} {:?}",
        r.bad_in,
        r.bad_out
    );
    assert_eq!(r.index.len(), 12);
    let l = &r.ledger;
    assert_eq!(
        l.status_counts(),
        counts(&[
            (Status::Completed, 4),
            (Status::ProviderError, 4),
            (Status::ContentFilter, 2),
            (Status::Timeout, 1),
            (Status::Missing, 1),
        ])
    );
    assert_eq!(r.unexpected, 1);
    assert_eq!(l.flag_counts().truncated, 1);
    let expect = [
        ("g01", Status::Completed, None),
        ("g02", Status::Completed, None),
        ("g03", Status::ContentFilter, None),
        ("g04", Status::ContentFilter, None),
        ("g05", Status::ProviderError, Some("other")),
        ("g06", Status::ProviderError, Some("rate_limit")),
        ("g07", Status::ProviderError, Some("server_error")),
        ("g08", Status::Timeout, None),
        ("g09", Status::ProviderError, Some("invalid_request")),
        ("g10", Status::Completed, None),
        ("g11", Status::Completed, None),
        ("g12", Status::Missing, None),
    ];
    for (id, status, kind) in expect {
        let i = row(&r, id);
        assert_eq!(l.status(i), status, "{id}");
        assert_eq!(l.error_kind(i).map(|k| k.as_str()), kind, "{id}");
    }
    let g01 = row(&r, "g01");
    assert_eq!(
        l.usage(g01),
        Usage {
            input: 8,
            output: 840,
            cached_input: 4,
            cache_write: 0,
            reasoning: 829
        }
    );
    assert_eq!(r.names.get(l.model(g01)), "gemini-2.5-flash");

    // Non-Latin text, exact, from a key-last line; and the prompt.
    let line = line_of("gemini_output.jsonl", "\"g11\"");
    assert!(line.ends_with(r#""key":"g11"}"#), "key comes last");
    let parsed = gemini::parse_result_line(line.as_bytes(), &opts).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(parsed.outcome.response_text.as_deref(), Some(JA));
    let input = line_of("gemini_input.jsonl", "\"g11\"");
    assert_eq!(
        assay_batch::Provider::Gemini.parse_input_messages(input.as_bytes()),
        Ok(vec![("user".to_string(), JA.to_string())])
    );
}

#[test]
fn vertex_joins_on_request_hash() {
    let opts = ProviderOptions::default();
    let r = run(
        "vertex_input.jsonl",
        "vertex_output.jsonl",
        vertex::parse_input_line,
        vertex::parse_result_line,
        &opts,
    );
    assert!(
        r.bad_in.is_empty() && r.bad_out.is_empty(),
        "{:?} {:?}",
        r.bad_in,
        r.bad_out
    );
    assert_eq!(r.unexpected, 0, "every reordered, re-spaced echo matched its input");
    assert_eq!(r.index.len(), 8);
    let l = &r.ledger;
    assert_eq!(
        l.status_counts(),
        counts(&[
            (Status::Completed, 3),
            (Status::ProviderError, 3),
            (Status::ContentFilter, 1),
            (Status::Missing, 1),
        ])
    );
    assert_eq!(l.flag_counts().truncated, 1);
    // Row order = input order: v1..v8.
    let kinds: Vec<Option<&str>> = (0..8).map(|i| l.error_kind(i).map(|k| k.as_str())).collect();
    assert_eq!(
        kinds,
        [
            None,
            None,
            None,
            Some("invalid_request"),
            Some("rate_limit"),
            Some("server_error"),
            None,
            None
        ]
    );
    assert_eq!(l.status(6), Status::Completed);
    assert_eq!(l.status(7), Status::Missing);
    assert_eq!((l.usage(0).input, l.usage(0).output), (29, 36));
    let line = line_of("vertex_output.jsonl", "Bad Request");
    let o = vertex::parse_result_line(line.as_bytes(), &opts)
        .unwrap_or_else(|e| panic!("{e}"))
        .outcome;
    assert_eq!(o.error_code.as_deref(), Some("INVALID_ARGUMENT"));
    assert_eq!(
        o.error_message.as_deref(),
        Some("Please use a valid role: user, model.")
    );
    assert_eq!(o.http_status, Some(400));
    // Non-Latin text survives the (ASCII-escaped) echo exactly.
    let text = std::fs::read_to_string(fixture("vertex_output.jsonl")).unwrap_or_default();
    let ja = text.lines().nth(6).unwrap_or("");
    let o = vertex::parse_result_line(ja.as_bytes(), &opts)
        .unwrap_or_else(|e| panic!("{e}"))
        .outcome;
    assert_eq!(o.response_text.as_deref(), Some(JA));
}

#[test]
fn vertex_joins_on_id_path() {
    let opts = ProviderOptions {
        id_path: Some("request.labels.custom_id".into()),
    };
    let r = run(
        "vertex_labels_input.jsonl",
        "vertex_labels_output.jsonl",
        vertex::parse_input_line,
        vertex::parse_result_line,
        &opts,
    );
    assert!(r.bad_in.is_empty(), "{:?}", r.bad_in);
    assert_eq!(r.index.len(), 4);
    assert_eq!((r.index.id(0), r.index.id(3)), ("l1", "l4"));
    assert_eq!(
        r.ledger.status_counts(),
        counts(&[(Status::Completed, 2), (Status::Timeout, 1), (Status::Missing, 1)])
    );
    assert_eq!(r.bad_out.len(), 1);
    assert_eq!(r.bad_out[0].line, 4);
    assert_eq!(r.bad_out[0].reason, LineError::MissingField("request.labels.custom_id"));
    assert_eq!(
        r.bad_out[0].reason.to_string(),
        "missing field `request.labels.custom_id`"
    );

    // Without the id path the two identical prompts still differ (labels
    // are part of the request), so the hash join works here too.
    let r = run(
        "vertex_labels_input.jsonl",
        "vertex_labels_output.jsonl",
        vertex::parse_input_line,
        vertex::parse_result_line,
        &ProviderOptions::default(),
    );
    assert_eq!(r.index.len(), 4);
    assert_eq!(
        r.ledger.status_counts(),
        counts(&[(Status::Completed, 2), (Status::Timeout, 1), (Status::Missing, 1)])
    );
    assert_eq!(
        (r.unexpected, r.bad_out.len()),
        (1, 0),
        "the unlabelled line is just unexpected"
    );
}

#[test]
fn batch_objects_with_string_counts() {
    let vertex_job = br#"{"name":"projects/p/locations/us-central1/batchPredictionJobs/1","state":"JOB_STATE_PARTIALLY_SUCCEEDED","completionStats":{"successfulCount":"5","failedCount":"3","incompleteCount":"1"}}"#;
    let b = google::parse_batch_object(vertex_job).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(b.status.as_deref(), Some("JOB_STATE_PARTIALLY_SUCCEEDED"));
    assert_eq!(
        (b.total, b.succeeded, b.failed, b.pending),
        (None, Some(5), Some(3), Some(1))
    );
    let running = br#"{"name":"projects/p/locations/l/batchPredictionJobs/2","state":"JOB_STATE_RUNNING","completionStats":{"successfulCount":null}}"#;
    let b = google::parse_batch_object(running).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!((b.succeeded, b.failed, b.pending), (None, None, None));
    let op = br#"{"name":"batches/123","metadata":{"@type":"type.googleapis.com/google.ai.generativelanguage.v1main.GenerateContentBatch","state":"BATCH_STATE_RUNNING","batchStats":{"requestCount":"12","successfulRequestCount":"7","failedRequestCount":"1","pendingRequestCount":"4"}},"done":false}"#;
    let b = google::parse_batch_object(op).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(b.id.as_deref(), Some("batches/123"));
    assert_eq!(b.status.as_deref(), Some("BATCH_STATE_RUNNING"));
    assert_eq!(
        (b.total, b.succeeded, b.failed, b.pending),
        (Some(12), Some(7), Some(1), Some(4))
    );
}
