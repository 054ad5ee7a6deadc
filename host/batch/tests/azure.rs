//! End-to-end tests over Azure OpenAI fixture files (see
//! fixtures/google/make_fixtures.py): no top-level `id`, both `url` forms,
//! `content_filter_results` / `prompt_filter_results`, HTTP-400 content
//! filter rows, and the failed Batch object with null counts. Status counts
//! add up to the rows submitted.

mod common;

use common::counts;

use std::path::{Path, PathBuf};

use assay_batch::{
    FileId, Flags, Interner, Ledger, ReadOptions, RetryPolicy, Status, ingest_results, openai, read_input,
};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/azure")
        .join(name)
}

#[test]
fn every_status_path() {
    let opts = ReadOptions::default();
    let (index, bad) = read_input(&fixture("input.jsonl"), FileId(0), &opts).unwrap_or_else(|e| panic!("{e}"));
    assert!(bad.is_empty(), "{bad:?}");
    assert_eq!(index.len(), 11);
    assert_eq!(index.models(), &[("gpt-4o-batch".to_string(), 11)]);
    let mut ledger = Ledger::new(index.len(), 1, RetryPolicy::default());
    let mut names = Interner::new();
    for (fid, f) in [(1, "output.jsonl"), (2, "errors.jsonl")] {
        let st = ingest_results(
            &fixture(f),
            FileId(fid),
            1,
            openai::parse_result_line,
            &index,
            &mut ledger,
            &mut names,
            &opts,
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert!(st.bad.is_empty(), "{:?}", st.bad);
        assert_eq!(st.unexpected, 0);
    }
    ledger.finish();
    assert_eq!(
        ledger.status_counts(),
        counts(&[
            (Status::Completed, 4),
            (Status::ContentFilter, 3),
            (Status::ProviderError, 2),
            (Status::Expired, 1),
            (Status::Missing, 1),
        ])
    );
    let total: u64 = ledger.status_counts().iter().sum();
    assert_eq!(total, 11);
    let st = |id: &str| ledger.status(index.get(id).unwrap_or(u32::MAX));
    let kind = |id: &str| ledger.error_kind(index.get(id).unwrap_or(u32::MAX)).map(|k| k.as_str());
    assert_eq!(st("a01"), Status::Completed);
    assert_eq!(
        st("a02"),
        Status::ContentFilter,
        "finish_reason content_filter + filtered results"
    );
    assert_eq!(
        st("a03"),
        Status::Completed,
        "filtered: true with finish_reason stop stays completed"
    );
    assert_eq!(ledger.flags(index.get("a04").unwrap_or(u32::MAX)), Flags::TRUNCATED);
    assert_eq!(st("a05"), Status::ContentFilter, "400 error.code content_filter");
    assert_eq!(
        st("a06"),
        Status::ContentFilter,
        "400 innererror ResponsibleAIPolicyViolation"
    );
    assert_eq!((st("a07"), kind("a07")), (Status::ProviderError, Some("rate_limit")));
    assert_eq!((st("a08"), kind("a08")), (Status::ProviderError, Some("server_error")));
    assert_eq!(st("a09"), Status::Expired);
    assert_eq!(st("a10"), Status::Missing);
    let a01 = index.get("a01").unwrap_or(u32::MAX);
    assert_eq!((ledger.usage(a01).input, ledger.usage(a01).output), (27, 24));
    assert_eq!(names.get(ledger.model(a01)), "gpt-4o-2024-05-13");
}

#[test]
fn line_details() {
    let out = std::fs::read_to_string(fixture("output.jsonl")).unwrap_or_default();
    let line = |id: &str| {
        out.lines()
            .find(|l| l.contains(&format!("\"{id}\"")))
            .unwrap_or("")
            .to_string()
    };
    let a02 = line("a02");
    let o = openai::parse_result_line(a02.as_bytes())
        .unwrap_or_else(|e| panic!("{e}"))
        .outcome;
    assert_eq!(o.error_code, None);
    assert_eq!(o.error_message.as_deref(), Some("filtered: hate, self_harm"));
    let a03 = line("a03");
    let o = openai::parse_result_line(a03.as_bytes())
        .unwrap_or_else(|e| panic!("{e}"))
        .outcome;
    assert_eq!(
        (o.status, o.error_code, o.error_message),
        (Status::Completed, None, None)
    );
    let a11 = line("a11");
    let o = openai::parse_result_line(a11.as_bytes())
        .unwrap_or_else(|e| panic!("{e}"))
        .outcome;
    assert_eq!(
        o.response_text.as_deref(),
        Some("日本語の応答です 🎉 — שלום \"quoted\"")
    );
    let input = std::fs::read_to_string(fixture("input.jsonl")).unwrap_or_default();
    let urls: Vec<String> = input
        .lines()
        .take(2)
        .map(|l| {
            openai::parse_input_line(l.as_bytes())
                .ok()
                .and_then(|i| i.url.map(|u| u.into_owned()))
                .unwrap_or_default()
        })
        .collect();
    assert_eq!(urls, ["/chat/completions", "/v1/chat/completions"]);
    assert!(urls.iter().all(|u| openai::endpoint_has_text(u)));
}

#[test]
fn failed_batch_object_keeps_null_counts() {
    let bytes = std::fs::read(fixture("batch_failed.json")).unwrap_or_default();
    let b = openai::parse_batch_object(&bytes).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(b.id.as_deref(), Some("batch_x"));
    assert_eq!(b.status.as_deref(), Some("failed"));
    assert_eq!((b.total, b.succeeded, b.failed), (Some(0), None, None));
    assert_eq!(
        (b.input_tokens, b.output_tokens, b.cached_input_tokens),
        (None, None, None)
    );
}
