//! End-to-end tests over Anthropic Message Batches fixtures (see
//! fixtures/anthropic/make_fixtures.py): the streamed JSON request body and
//! the JSONL form, every result path into a `Ledger` with exact status
//! counts adding up to the rows submitted, Unicode, a 200 KB prompt,
//! malformed bodies and the batch object.

use std::borrow::Cow;
mod common;

use std::path::{Path, PathBuf};

use common::{Stats, counts, ingest};

use assay_batch::anthropic::{self, BodyError, ElementError, RequestSpan};
use assay_batch::{
    BatchObject, BlockReader, ErrorKind, FileId, Flags, InputIndex, Interner, Ledger, LineError, ProviderOptions,
    RetryPolicy, Status, Usage,
};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/anthropic")
        .join(name)
}

/// Indexes the request body: id → (element offset, element index + 1).
fn index_body(path: &Path) -> (InputIndex, Vec<(u64, u64, usize)>) {
    let opts = ProviderOptions::default();
    let mut index = InputIndex::new();
    let mut spans = Vec::new();
    let n = anthropic::read_requests_body(path, |span: RequestSpan<'_>| {
        let line = span.parse(&opts)?;
        index
            .try_insert(&line.custom_id, span.offset, span.index + 1)
            .map_err(|_| span.error(LineError::WrongShape("duplicate".into())))?;
        assert_eq!(line.model.as_deref(), Some("claude-sonnet-4-5"));
        spans.push((span.index, span.offset, span.bytes.len()));
        Ok::<(), ElementError>(())
    })
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(n, index.len() as u64);
    (index, spans)
}

/// Indexes the JSONL form of the requests.
fn index_jsonl(path: &Path) -> InputIndex {
    let opts = ProviderOptions::default();
    let mut index = InputIndex::new();
    let mut r = BlockReader::open(path, FileId(0), 1 << 20).unwrap_or_else(|e| panic!("{e}"));
    while let Some(block) = r.next_block().unwrap_or_else(|e| panic!("{e}")) {
        assert!(block.bad.is_empty());
        for line in block.lines() {
            let p = anthropic::parse_input_line(line.bytes, &opts).unwrap_or_else(|e| panic!("{e}"));
            assert!(index.try_insert(&p.custom_id, line.offset, line.number).is_ok());
        }
    }
    index
}

fn check_ledger(index: &InputIndex) -> (Ledger, Interner, Stats) {
    let mut ledger = Ledger::new(index.len(), 1, RetryPolicy::default());
    let mut names = Interner::new();
    let st = ingest(
        &fixture("results.jsonl"),
        anthropic::parse_result_line,
        1000,
        index,
        &mut ledger,
        &mut names,
    );
    assert!(
        st.others.is_empty(),
        "only final and duplicate lines expected: {:?}",
        st.others
    );
    ledger.finish();
    assert_eq!(ledger.status_counts().iter().sum::<u64>(), index.len() as u64);
    assert_eq!(
        ledger.status_counts(),
        counts(&[
            (Status::Completed, 7),
            (Status::ProviderError, 10),
            (Status::ContentFilter, 1),
            (Status::Timeout, 1),
            (Status::Expired, 1),
            (Status::Canceled, 1),
            (Status::Missing, 2),
        ])
    );
    assert_eq!((st.lines, st.finals, st.duplicates), (24, 21, 1));
    assert_eq!(st.unexpected, ["ghost"]);
    assert_eq!(st.bad.len(), 1);
    assert_eq!(st.bad[0].line, 22);
    assert_eq!(
        st.bad[0].reason,
        LineError::WrongShape("unknown result type \"deferred\" (known: succeeded, errored, canceled, expired)".into())
    );
    let f = ledger.flag_counts();
    assert_eq!((f.truncated, f.duplicate), (2, 1));
    (ledger, names, st)
}

#[test]
fn body_and_results_end_to_end() {
    let (index, spans) = index_body(&fixture("requests_body.json"));
    assert_eq!(index.len(), 23);
    assert_eq!(spans.len(), 23);
    let (ledger, names, _) = check_ledger(&index);
    let row = |id: &str| index.get(id).unwrap_or_else(|| panic!("no row {id}"));
    use ErrorKind::*;
    let expect: [(&str, Status, Option<ErrorKind>); 23] = [
        ("a01", Status::Completed, None),
        ("a02", Status::Completed, None),
        ("a03", Status::Completed, None),
        ("a04", Status::ContentFilter, None),
        ("a05", Status::Completed, None),
        ("a06", Status::Completed, None),
        ("a07", Status::Completed, None),
        ("a08", Status::ProviderError, Some(RateLimit)),
        ("a09", Status::ProviderError, Some(ServerError)),
        ("a10", Status::ProviderError, Some(ServerError)),
        ("a11", Status::ProviderError, Some(InvalidRequest)),
        ("a12", Status::Timeout, None),
        ("a13", Status::ProviderError, Some(Other)),
        ("a14", Status::Canceled, None),
        ("a15", Status::Expired, None),
        ("a16", Status::Missing, None),
        ("a17", Status::Completed, None),
        ("a18", Status::ProviderError, Some(InvalidRequest)),
        ("a19", Status::ProviderError, Some(InvalidRequest)),
        ("a20", Status::ProviderError, Some(InvalidRequest)),
        ("a21", Status::ProviderError, Some(InvalidRequest)),
        ("a22", Status::ProviderError, Some(InvalidRequest)),
        ("a23", Status::Missing, None),
    ];
    for (id, status, kind) in expect {
        assert_eq!(
            (ledger.status(row(id)), ledger.error_kind(row(id))),
            (status, kind),
            "{id}"
        );
    }
    assert_eq!(ledger.flags(row("a02")), Flags::TRUNCATED);
    assert_eq!(ledger.flags(row("a03")), Flags::TRUNCATED);
    assert_eq!(ledger.flags(row("a01")), Flags::DUPLICATE);
    assert_eq!(
        ledger.usage(row("a06")),
        Usage {
            input: 12 + 2048 + 100,
            output: 7,
            cached_input: 2048,
            cache_write: 100,
            reasoning: 0
        }
    );
    assert_eq!(
        ledger.usage(row("a17")),
        Usage {
            input: 61000,
            output: 12,
            ..Usage::default()
        }
    );
    assert_eq!(names.get(ledger.model(row("a01"))), "claude-sonnet-4-5-20250929");
    // Element indexes and lines: element k is row k, line k + 1.
    assert_eq!(index.line(row("a17")), 17);
}

#[test]
fn jsonl_requests_give_the_same_ledger() {
    let index = index_jsonl(&fixture("requests.jsonl"));
    assert_eq!(index.len(), 23);
    check_ledger(&index);
}

#[test]
fn body_offsets_re_read_elements() {
    let path = fixture("requests_body.json");
    let file = std::fs::read(&path).unwrap_or_default();
    let (index, spans) = index_body(&path);
    for (i, &(k, offset, len)) in spans.iter().enumerate() {
        assert_eq!(k, i as u64);
        let bytes = &file[offset as usize..offset as usize + len];
        assert_eq!(bytes.first(), Some(&b'{'));
        assert_eq!(bytes.last(), Some(&b'}'));
        let id = format!("a{:02}", i + 1);
        assert_eq!(index.offset(index.get(&id).unwrap_or(u32::MAX)), Some(offset));
        let handle = std::fs::File::open(&path).unwrap_or_else(|e| panic!("{e}"));
        let again = anthropic::read_request_at(&handle, &path, offset).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(again, bytes, "{id}");
        let parsed = anthropic::parse_input_line(bytes, &ProviderOptions::default()).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(parsed.custom_id, id);
    }
    let element = |id: &str| {
        let (_, off, len) = spans[index.get(id).unwrap_or(u32::MAX) as usize];
        &file[off as usize..off as usize + len]
    };
    // Escaped quotes and brackets inside strings do not confuse the scanner.
    let tricky = r#"He said "stop]" then {left} [right] \ and }]} \""#;
    let msgs = anthropic::parse_input_messages(element("a05")).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        msgs,
        [
            (
                "system".to_string(),
                "You are a classifier. Reply with ]} only if sure.".to_string()
            ),
            ("user".to_string(), tricky.to_string()),
            ("assistant".to_string(), "[\"partial".to_string()),
        ]
    );
    // Non-Latin text, text blocks joined with \n, image blocks skipped, system blocks.
    let unicode = "日本語の応答です 🎉👍🏽 — \"quoted\" \\ back [bracket] {brace}";
    let msgs = anthropic::parse_input_messages(element("a07")).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        msgs,
        [
            ("system".to_string(), "Answer in 日本語.".to_string()),
            ("user".to_string(), format!("{unicode}\n絵文字 ✅")),
        ]
    );
    assert_eq!(
        anthropic::parse_input_metadata(element("a07")),
        [("user_id".to_string(), "ユーザー-7".to_string())]
    );
    assert!(anthropic::parse_input_metadata(element("a01")).is_empty());
    // The 200 KB prompt.
    let msgs = anthropic::parse_input_messages(element("a17")).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(msgs[1].1.chars().count(), 200_000);
    assert!(msgs[1].1.starts_with("Lorem ipsum dolor sit amet, 長い文章 🚀."));
    assert!(spans[16].2 > 200_000);
}

#[test]
fn body_scan_is_independent_of_read_sizes() {
    // A reader that returns at most 7 bytes per read exercises every state
    // (escape, string, bracket) across buffer refills.
    struct Trickle<'a>(&'a [u8]);
    impl std::io::Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
            let n = self.0.len().min(buf.len()).min(7);
            buf[..n].copy_from_slice(&self.0[..n]);
            self.0 = &self.0[n..];
            Ok(n)
        }
    }
    let path = fixture("requests_body.json");
    let file = std::fs::read(&path).unwrap_or_default();
    let mut whole = Vec::new();
    anthropic::read_requests_body(&path, |s| {
        whole.push((s.index, s.offset, s.bytes.to_vec()));
        Ok::<(), ()>(())
    })
    .unwrap_or_else(|e| panic!("{e:?}"));
    let mut trickled = Vec::new();
    anthropic::read_requests_from(Trickle(&file), &path, |s| {
        trickled.push((s.index, s.offset, s.bytes.to_vec()));
        Ok::<(), ()>(())
    })
    .unwrap_or_else(|e| panic!("{e:?}"));
    assert_eq!(whole.len(), 23);
    assert!(whole == trickled);
}

fn scan(body: &str) -> Result<Vec<(u64, u64, String)>, String> {
    let mut out = Vec::new();
    anthropic::read_requests_from(body.as_bytes(), Path::new("body.json"), |s| {
        out.push((s.index, s.offset, String::from_utf8_lossy(s.bytes).into_owned()));
        Ok::<(), ElementError>(())
    })
    .map(|_| out)
    .map_err(|e| e.to_string())
}

#[test]
fn malformed_bodies() {
    // A missing custom_id: the callback's error names the element and its offset.
    let path = fixture("body_missing_id.json");
    let file = std::fs::read_to_string(&path).unwrap_or_default();
    let third = file.match_indices("\n    {\n").nth(2).map_or(0, |(i, _)| i + 5);
    let opts = ProviderOptions::default();
    let mut seen = Vec::new();
    let err = anthropic::read_requests_body(&path, |s| {
        let line = s.parse(&opts)?;
        seen.push(line.custom_id.into_owned());
        Ok::<(), ElementError>(())
    });
    let Err(BodyError::Stopped { error, .. }) = err else {
        panic!("expected Stopped, got {err:?}")
    };
    assert_eq!(seen, ["m0", "m1"]);
    assert_eq!(
        error,
        ElementError {
            index: 2,
            offset: third as u64,
            reason: LineError::MissingField("custom_id")
        }
    );
    assert_eq!(
        error.to_string(),
        format!("requests[2] at byte {third}: missing field `custom_id`")
    );

    // Cut mid-string: the scan reports the element and where the file ended.
    let path = fixture("body_truncated.json");
    let file = std::fs::read(&path).unwrap_or_default();
    let second = String::from_utf8_lossy(&file)
        .match_indices(r#"{"custom_id": "t"#)
        .nth(1)
        .map_or(0, |(i, _)| i);
    assert!(second > 0);
    let mut ids = Vec::new();
    let err = anthropic::read_requests_body(&path, |s| {
        ids.push(s.index);
        Ok::<(), std::convert::Infallible>(())
    })
    .err()
    .map(|e| e.to_string());
    assert_eq!(ids, [0]);
    assert_eq!(
        err.as_deref(),
        Some(
            format!(
                "{}: requests[1] at byte {second}: unexpected end of file inside a string (at byte {})",
                path.display(),
                file.len()
            )
            .as_str()
        )
    );

    let cases: [(&str, &str); 9] = [
        (
            r#"[{"custom_id":"a","params":{}}]"#,
            "body.json: not a Message Batches request body: expected a JSON object with a \"requests\" array, found an array",
        ),
        (
            r#"{"custom_id":"a","params":{"model":"m"}}"#,
            "body.json: not a Message Batches request body: the top-level object has no \"requests\" key (keys: custom_id, params)",
        ),
        (
            r#"{"requests":{"a":1}}"#,
            "body.json: not a Message Batches request body: \"requests\" is an object, expected an array",
        ),
        ("", "body.json: not a Message Batches request body: the file is empty"),
        (
            r#"{"requests":[{"custom_id":"a","params":{"model":"m"]}]}"#,
            "body.json: requests[0] at byte 13: mismatched `]`: expected `}` (at byte 51)",
        ),
        (
            r#"{"requests":[{"custom_id":"a"} {"custom_id":"b"}]}"#,
            "body.json: requests[0] at byte 13: expected `,` or `]` after the element, found `{` (at byte 31)",
        ),
        (
            r#"{"requests":[{"custom_id":"a"},]}"#,
            "body.json: requests[1] at byte 31: trailing comma before `]`",
        ),
        (
            r#"{"requests":[{"custom_id":"a"}]} x"#,
            "body.json: at byte 33: trailing data after the top-level object: `x`",
        ),
        (
            r#"{"requests":[],"requests":[]}"#,
            "body.json: not a Message Batches request body: duplicate \"requests\" key at byte 15",
        ),
    ];
    for (body, want) in cases {
        assert_eq!(scan(body).err().as_deref(), Some(want), "{body}");
    }
}

#[test]
fn small_bodies() {
    assert_eq!(scan(r#"{"requests":[]}"#), Ok(vec![]));
    // BOM, whitespace, scalars and strings as elements (rejected later by the
    // element parser), escapes at every position, and keys after the array.
    let body =
        "\u{feff} { \"a\" : \"]\\\\\" , \"requests\" : [ 1 , \"x\\\"]\" ,{\"custom_id\":\"q\\\\\"}\n] , \"z\":[[]]}\n";
    let got = scan(body).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        got,
        [
            (0, 35, "1".to_string()),
            (1, 39, "\"x\\\"]\"".to_string()),
            (2, 47, "{\"custom_id\":\"q\\\\\"}".to_string()),
        ]
    );
    let err = anthropic::parse_input_line(b"1", &ProviderOptions::default()).err();
    assert_eq!(
        err,
        Some(LineError::WrongShape("expected a JSON object, found a number".into()))
    );
    let span = RequestSpan {
        index: 2,
        offset: 47,
        bytes: got[2].2.as_bytes(),
    };
    let line = span
        .parse(&ProviderOptions::default())
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(line.custom_id, "q\\");
    assert_eq!(line.model, None);
}

fn find<'a>(text: &'a str, id: &str) -> &'a [u8] {
    let needle = format!("\"custom_id\":\"{id}\"");
    text.lines().find(|l| l.contains(&needle)).unwrap_or("").as_bytes()
}

#[test]
fn result_details() {
    let text = std::fs::read_to_string(fixture("results.jsonl")).unwrap_or_default();
    let opts = ProviderOptions::default();
    let parse = |id: &str| anthropic::parse_result_line(find(&text, id), &opts).unwrap_or_else(|e| panic!("{e}"));

    let a01 = parse("a01");
    assert!(matches!(a01.custom_id, Cow::Borrowed("a01")));
    let o = a01.outcome;
    assert_eq!(o.finish_reason.as_deref(), Some("end_turn"));
    assert!(matches!(
        o.response_text,
        Some(Cow::Borrowed(
            "Hello again! It's nice to see you. How can I assist you today?"
        ))
    ));
    assert_eq!(
        o.usage,
        Usage {
            input: 11,
            output: 36,
            ..Usage::default()
        }
    );
    assert_eq!(o.snapshot, None);

    let o = parse("a04").outcome;
    assert_eq!(
        (o.status, o.finish_reason.as_deref()),
        (Status::ContentFilter, Some("refusal"))
    );
    assert_eq!(o.response_text.as_deref(), Some("I can't help with that."));

    // Tool use only: the first tool input as JSON; thinking blocks skipped.
    let o = parse("a05").outcome;
    assert_eq!(o.status, Status::Completed);
    assert_eq!(o.finish_reason.as_deref(), Some("tool_use"));
    assert_eq!(o.response_text.as_deref(), Some(r#"{"label":"positive","score":0.93}"#));

    let o = parse("a07").outcome;
    assert_eq!(
        o.response_text.as_deref(),
        Some("日本語の応答です 🎉👍🏽 — \"quoted\" \\ back [bracket] {brace}")
    );
    let o = parse("a17").outcome;
    assert_eq!(o.response_text.as_deref(), Some("Part one. Part two — 続き."));

    let o = parse("a08").outcome;
    assert_eq!(o.error_code.as_deref(), Some("rate_limit_error"));
    assert_eq!(
        o.error_message.as_deref(),
        Some("Number of request tokens has exceeded your per-minute rate limit")
    );
    assert_eq!(o.http_status, None);
    let o = parse("a12").outcome;
    assert_eq!((o.status, o.error_kind), (Status::Timeout, None));
    assert_eq!(o.error_code.as_deref(), Some("timeout_error"));
    let o = parse("a13").outcome;
    assert_eq!(o.error_code.as_deref(), Some("mystery_error"));
    let o = parse("a14").outcome;
    assert_eq!(o, assay_batch::Outcome::new(Status::Canceled));
    let o = parse("a15").outcome;
    assert_eq!(o, assay_batch::Outcome::new(Status::Expired));
}

#[test]
fn batch_objects() {
    let read = |n: &str| std::fs::read(fixture(n)).unwrap_or_default();
    assert_eq!(
        anthropic::parse_batch_object(&read("batch_ended.json")),
        Ok(BatchObject {
            id: Some("msgbatch_013Zva2CMHLNnXjNJJKqJ2EF".into()),
            status: Some("ended".into()),
            total: Some(21),
            succeeded: Some(8),
            failed: Some(13),
            errored: Some(11),
            canceled: Some(1),
            expired: Some(1),
            pending: Some(0),
            ..BatchObject::default()
        })
    );
    // A null count stays None, and so do the sums that need it.
    assert_eq!(
        anthropic::parse_batch_object(&read("batch_in_progress.json")),
        Ok(BatchObject {
            id: Some("msgbatch_01".into()),
            status: Some("in_progress".into()),
            total: None,
            succeeded: Some(0),
            failed: None,
            errored: Some(0),
            canceled: None,
            expired: Some(0),
            pending: Some(23),
            ..BatchObject::default()
        })
    );
    let openai = br#"{"id":"batch_1","object":"batch","status":"completed","request_counts":{"total":3,"completed":3,"failed":0}}"#;
    let e = anthropic::parse_batch_object(openai)
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert!(e.starts_with("not an Anthropic MessageBatch"), "{e}");
    assert_eq!(
        anthropic::parse_batch_object(br#"{"id":"x","type":"message_batch_deleted"}"#).map_err(|e| e.to_string()),
        Err("not an Anthropic MessageBatch: `type` is \"message_batch_deleted\"".into())
    );
    let e = anthropic::parse_batch_object(b"[1]")
        .err()
        .map(|e| e.to_string())
        .unwrap_or_default();
    assert_eq!(
        e,
        "not an Anthropic MessageBatch: unexpected shape: expected a JSON object, found an array"
    );
}

#[test]
fn a_requests_body_is_told_from_jsonl_by_its_first_line_whatever_its_length() {
    let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
    let is_body = |name: &str, text: &str| {
        let p = dir.path().join(name);
        std::fs::write(&p, text).unwrap_or_else(|e| panic!("{e}"));
        anthropic::is_requests_body(&p).unwrap_or_else(|e| panic!("{e}"))
    };
    let long = "x".repeat(100 << 10);
    let openai = format!(
        "{{\"custom_id\":\"a\",\"method\":\"POST\",\"url\":\"/v1/chat/completions\",\"body\":{{\"model\":\"m\",\"messages\":[{{\"role\":\"user\",\"content\":\"{long}\"}}]}}}}\n{{\"custom_id\":\"b\",\"body\":{{}}}}\n"
    );
    assert!(
        !is_body("long_openai.jsonl", &openai),
        "a 100 KiB first JSONL line is not a body"
    );
    assert!(!is_body(
        "short.jsonl",
        "{\"custom_id\":\"a\",\"params\":{}}\n{\"custom_id\":\"b\",\"params\":{}}\n"
    ));
    assert!(is_body(
        "one_line.json",
        &format!("{{\"requests\":[{{\"custom_id\":\"a\",\"params\":{{\"x\":\"{long}\"}}}}]}}")
    ));
    assert!(is_body(
        "pretty.json",
        "\u{feff}{\n  \"requests\": [\n    {\"custom_id\": \"a\", \"params\": {}}\n  ]\n}\n"
    ));
    let late_key = format!("{{\"meta\":\"{long}\",\n\"requests\":[]}}");
    assert!(is_body("late_key.json", &late_key));
    // A multi-line object without `requests` is one document (the body reader refuses it by name).
    assert!(is_body("doc.json", "{\n\"a\": 1\n}\n"));
    assert!(!is_body(
        "bad_first.jsonl",
        "{\"custom_id\": nope}\n{\"custom_id\":\"b\"}\n"
    ));
    assert!(!is_body("array.json", "[1,2]\n"));
    assert!(!is_body("empty.jsonl", ""));
}
