//! End-to-end tests over Bedrock batch-inference fixtures (see
//! fixtures/bedrock/make_fixtures.py): input records indexed by recordId,
//! `.jsonl.out` records of every modelOutput shape and error code into a
//! `Ledger` with exact status counts adding up to the rows submitted, the
//! docs' single-quoted example as malformed, manifest and job objects.

mod common;

use std::path::{Path, PathBuf};

use common::{counts, ingest};

use assay_batch::bedrock;
use assay_batch::{
    BadLine, BatchObject, BlockReader, ErrorKind, FileId, Flags, InputIndex, Interner, Ledger, LineError,
    ProviderOptions, RetryPolicy, Status, Usage,
};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/bedrock")
        .join(name)
}

fn index_input(path: &Path) -> (InputIndex, Vec<BadLine>) {
    let opts = ProviderOptions::default();
    let mut index = InputIndex::new();
    let mut bad = Vec::new();
    let mut r = BlockReader::open(path, FileId(0), 1 << 20).unwrap_or_else(|e| panic!("{e}"));
    while let Some(block) = r.next_block().unwrap_or_else(|e| panic!("{e}")) {
        for line in block.lines() {
            match bedrock::parse_input_line(line.bytes, &opts) {
                Ok(p) => {
                    assert_eq!(p.model, None);
                    assert!(index.try_insert(&p.custom_id, line.offset, line.number).is_ok());
                }
                Err(e) => bad.push(block.bad_line(&line, e)),
            }
        }
        bad.extend(block.bad.iter().cloned());
    }
    (index, bad)
}

#[test]
fn records_end_to_end() {
    let (index, bad) = index_input(&fixture("input.jsonl"));
    assert_eq!(index.len(), 23);
    let bad: Vec<(u64, LineError)> = bad.into_iter().map(|b| (b.line, b.reason)).collect();
    assert_eq!(bad.len(), 2);
    assert_eq!(bad[0], (6, LineError::MissingField("recordId")));
    assert_eq!(bad[1].0, 10);
    assert!(
        matches!(&bad[1].1, LineError::Malformed(m) if m == "key must be a string at column 3"),
        "{:?}",
        bad[1]
    );

    let mut ledger = Ledger::new(index.len(), 1, RetryPolicy::default());
    let mut names = Interner::new();
    let st = ingest(
        &fixture("input.jsonl.out"),
        bedrock::parse_result_line,
        700,
        &index,
        &mut ledger,
        &mut names,
    );
    assert!(
        st.others.is_empty() && st.duplicates == 0,
        "every line must be final: {st:?}"
    );
    ledger.finish();
    assert_eq!(ledger.status_counts().iter().sum::<u64>(), index.len() as u64);
    assert_eq!(
        ledger.status_counts(),
        counts(&[
            (Status::Completed, 12),
            (Status::ProviderError, 4),
            (Status::ContentFilter, 4),
            (Status::Timeout, 2),
            (Status::Missing, 1),
        ])
    );
    assert_eq!((st.lines, st.finals), (24, 22));
    assert_eq!(st.unexpected, ["GHOST000001"]);
    assert_eq!(st.bad.len(), 1);
    assert_eq!(st.bad[0].line, 24);
    assert!(matches!(st.bad[0].reason, LineError::Malformed(_)));
    assert_eq!(ledger.flag_counts().truncated, 3);

    let row = |id: &str| index.get(id).unwrap_or_else(|| panic!("no row {id}"));
    use ErrorKind::*;
    let expect: [(&str, Status, Option<ErrorKind>, bool); 23] = [
        ("b01", Status::Completed, None, false),
        ("b02", Status::Completed, None, true),
        ("b03", Status::ContentFilter, None, false),
        ("b04", Status::Completed, None, false),
        ("b05", Status::Completed, None, false),
        ("b06", Status::Completed, None, true),
        ("b07", Status::ContentFilter, None, false),
        ("b08", Status::ContentFilter, None, false),
        ("b09", Status::Completed, None, false),
        ("b10", Status::Completed, None, true),
        ("b11", Status::ContentFilter, None, false),
        ("b12", Status::ProviderError, Some(InvalidRequest), false),
        ("b13", Status::ProviderError, Some(RateLimit), false),
        ("b14", Status::ProviderError, Some(ServerError), false),
        ("b15", Status::Timeout, None, false),
        ("b16", Status::Timeout, None, false),
        ("b17", Status::ProviderError, Some(ServerError), false),
        ("b18", Status::Completed, None, false),
        ("b19", Status::Completed, None, false),
        ("b20", Status::Completed, None, false),
        ("b21", Status::Completed, None, false),
        ("b22", Status::Missing, None, false),
        ("b23", Status::Completed, None, false),
    ];
    for (id, status, kind, truncated) in expect {
        let i = row(id);
        assert_eq!(
            (
                ledger.status(i),
                ledger.error_kind(i),
                ledger.flags(i).contains(Flags::TRUNCATED)
            ),
            (status, kind, truncated),
            "{id}"
        );
    }
    assert_eq!(
        ledger.usage(row("b01")),
        Usage {
            input: 25 + 1200 + 300,
            output: 9,
            cached_input: 1200,
            cache_write: 300,
            reasoning: 0
        }
    );
    assert_eq!(
        ledger.usage(row("b05")),
        Usage {
            input: 30 + 400 + 100,
            output: 4,
            cached_input: 400,
            cache_write: 100,
            reasoning: 0
        }
    );
    assert_eq!(
        ledger.usage(row("b09")),
        Usage {
            input: 8,
            output: 3,
            ..Usage::default()
        }
    );
    assert_eq!(
        ledger.usage(row("b21")),
        Usage {
            input: 12,
            output: 4,
            cached_input: 7,
            ..Usage::default()
        }
    );
    assert_eq!(
        ledger.usage(row("b23")),
        Usage {
            input: 6,
            output: 3,
            ..Usage::default()
        }
    );
    assert_eq!(names.get(ledger.model(row("b01"))), "claude-3-5-sonnet-20240620");
    assert_eq!(names.get(ledger.model(row("b05"))), "");
}

fn find<'a>(text: &'a str, id: &str) -> &'a [u8] {
    let needle = format!("\"recordId\":\"{id}\"");
    text.lines().find(|l| l.contains(&needle)).unwrap_or("").as_bytes()
}

#[test]
fn output_details() {
    let text = std::fs::read_to_string(fixture("input.jsonl.out")).unwrap_or_default();
    let opts = ProviderOptions::default();
    let parse = |id: &str| {
        bedrock::parse_result_line(find(&text, id), &opts)
            .unwrap_or_else(|e| panic!("{e}"))
            .outcome
    };
    let o = parse("b01");
    assert_eq!(
        (o.response_text.as_deref(), o.finish_reason.as_deref()),
        (Some("Hello."), Some("end_turn"))
    );
    assert_eq!(o.error_code, None);
    let o = parse("b03");
    assert_eq!(
        (o.response_text.as_deref(), o.finish_reason.as_deref()),
        (None, Some("refusal"))
    );
    let o = parse("b04");
    assert_eq!(o.response_text.as_deref(), Some(r#"{"label":"負"}"#));
    let o = parse("b05");
    assert_eq!(o.response_text.as_deref(), Some("Hello from Converse."));
    assert_eq!((o.model, o.finish_reason.as_deref()), (None, Some("end_turn")));
    let o = parse("b07");
    assert_eq!(o.finish_reason.as_deref(), Some("guardrail_intervened"));
    assert_eq!(
        o.response_text.as_deref(),
        Some("Sorry, the model cannot answer this question.")
    );
    let o = parse("b09");
    assert_eq!(
        (o.response_text.as_deref(), o.finish_reason.as_deref()),
        (Some("blue\n"), Some("FINISH"))
    );
    let o = parse("b11");
    assert_eq!(o.finish_reason.as_deref(), Some("CONTENT_FILTERED"));
    // Integer and string error codes, kept as strings.
    let o = parse("b12");
    assert_eq!(
        (o.error_code.as_deref(), o.error_message.as_deref(), o.http_status),
        (Some("400"), Some("bad request"), Some(400))
    );
    let o = parse("b14");
    assert_eq!((o.error_code.as_deref(), o.http_status), (Some("500"), Some(500)));
    let o = parse("b15");
    assert_eq!(
        (o.status, o.error_kind, o.error_code.as_deref()),
        (Status::Timeout, None, Some("408"))
    );
    // Unrecognized outputs still completed.
    let o = parse("b18");
    assert_eq!((o.status, o.response_text.as_deref()), (Status::Completed, None));
    assert_eq!(o.error_code.as_deref(), Some(bedrock::UNRECOGNIZED));
    assert_eq!(o.error_message, None);
    let o = parse("b19");
    assert_eq!(
        (o.status, o.error_code.as_deref()),
        (Status::Completed, Some("unrecognized_model_output"))
    );
    let msg = o.error_message.unwrap_or_default();
    assert!(msg.starts_with("modelOutput: invalid type: integer `42`"), "{msg}");
    // Non-Latin text round-trips exactly.
    let unicode = "日本語の応答です 🎉👍🏽 — \"quoted\" \\ back";
    assert_eq!(parse("b20").response_text.as_deref(), Some(unicode));
    let o = parse("b23");
    assert_eq!(
        (o.response_text.as_deref(), o.finish_reason.as_deref()),
        (Some("Hello!"), Some("stop"))
    );
}

#[test]
fn input_prompts() {
    let text = std::fs::read_to_string(fixture("input.jsonl")).unwrap_or_default();
    let msgs = |id: &str| bedrock::parse_input_messages(find(&text, id)).unwrap_or_else(|e| panic!("{e}"));
    let pair = |r: &str, t: &str| (r.to_string(), t.to_string());
    assert_eq!(msgs("b01"), [pair("system", "Be brief."), pair("user", "Hi")]);
    assert_eq!(msgs("b05"), [pair("system", "Be brief."), pair("user", "Hi")]);
    assert_eq!(msgs("b09"), [pair("user", "Roses are red, violets are")]);
    assert_eq!(msgs("b21"), [pair("user", "Nova")]);
    assert_eq!(msgs("b23"), [pair("user", "<|begin_of_text|>Hi")]);
    assert_eq!(
        msgs("b20"),
        [
            pair("system", "Be brief."),
            pair("user", "日本語の応答です 🎉👍🏽 — \"quoted\" \\ back")
        ]
    );
    assert!(bedrock::parse_input_metadata(find(&text, "b01")).is_empty());
    assert_eq!(
        bedrock::parse_input_messages(br#"{"recordId":"x","modelInput":{"max_tokens":5}}"#),
        Err(LineError::MissingField("modelInput.messages"))
    );
    assert_eq!(
        bedrock::parse_input_line(br#"{"recordId":"x"}"#, &ProviderOptions::default()),
        Err(LineError::MissingField("modelInput"))
    );
    let named = bedrock::parse_input_line(
        br#"{"recordId":"x","modelInput":{"model":"openai.gpt-oss-120b-1:0","messages":[]}}"#,
        &ProviderOptions::default(),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(named.model.as_deref(), Some("openai.gpt-oss-120b-1:0"));
}

#[test]
fn docs_single_quoted_example_is_malformed() {
    let line = std::fs::read(fixture("doc_example.jsonl")).unwrap_or_default();
    let line = line.strip_suffix(b"\n").unwrap_or(&line);
    let opts = ProviderOptions::default();
    let want = LineError::Malformed("key must be a string at column 3".into());
    assert_eq!(bedrock::parse_input_line(line, &opts).err(), Some(want.clone()));
    assert_eq!(bedrock::parse_result_line(line, &opts).err(), Some(want));
    assert!(bedrock::parse_input_messages(line).is_err());
}

#[test]
fn manifest_and_job_objects() {
    let read = |n: &str| std::fs::read(fixture(n)).unwrap_or_default();
    assert_eq!(
        bedrock::parse_batch_object(&read("manifest.json.out")),
        Ok(BatchObject {
            total: Some(24),
            succeeded: Some(17),
            failed: Some(6),
            pending: Some(1),
            input_tokens: Some(4821),
            output_tokens: Some(310),
            ..BatchObject::default()
        })
    );
    assert_eq!(
        bedrock::parse_batch_object(&read("manifest_partial.json.out")),
        Ok(BatchObject {
            total: Some(24),
            succeeded: Some(10),
            ..BatchObject::default()
        })
    );
    assert_eq!(
        bedrock::parse_batch_object(&read("job.json")),
        Ok(BatchObject {
            id: Some("arn:aws:bedrock:us-east-1:123456789012:model-invocation-job/abcd1234efgh".into()),
            status: Some("PartiallyCompleted".into()),
            total: Some(24),
            succeeded: Some(15),
            failed: Some(5),
            pending: Some(4),
            ..BatchObject::default()
        })
    );
    assert_eq!(
        bedrock::parse_batch_object(&read("job_submitted.json")),
        Ok(BatchObject {
            id: Some("arn:aws:bedrock:us-east-1:123456789012:model-invocation-job/zzzz1234efgh".into()),
            status: Some("Submitted".into()),
            ..BatchObject::default()
        })
    );
    let e = bedrock::parse_batch_object(br#"{"id":"msgbatch_1","processing_status":"ended"}"#)
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(
        e.starts_with("not a Bedrock manifest.json.out (no totalRecordCount"),
        "{e}"
    );
    let e = bedrock::parse_batch_object(b"{'totalRecordCount': 1}")
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert_eq!(
        e,
        "not a Bedrock manifest.json.out or invocation job: malformed JSON: key must be a string at column 2"
    );
}
