//! End-to-end tests over OpenAI fixture files (see fixtures/openai/make_fixtures.py):
//! every status path, duplicates, missing/unexpected rows, retries, Unicode,
//! long prompts and malformed files. Every test asserts exact status counts
//! that add up to the rows submitted.

mod common;

use common::counts;

use std::path::{Path, PathBuf};

use assay_batch::{
    BadLine, BlockReader, FileId, Flags, IngestStats, InputIndex, Interner, Ledger, LineError, ReadError, ReadOptions,
    RetryPolicy, Status, ingest_results, openai, read_input,
};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/openai")
        .join(name)
}

struct Run {
    index: InputIndex,
    ledger: Ledger,
    names: Interner,
    stats: Vec<IngestStats>,
}

/// `attempts[k]` are the result files of attempt k+1; applied last to first.
fn run(input: &str, attempts: &[&[&str]], opts: &ReadOptions) -> Run {
    let (index, bad) = match read_input(&fixture(input), FileId(0), opts) {
        Ok(r) => r,
        Err(e) => panic!("{e}"),
    };
    assert!(bad.is_empty(), "{bad:?}");
    let n = u16::try_from(attempts.len()).unwrap_or(u16::MAX);
    let mut ledger = Ledger::new(index.len(), n, RetryPolicy::default());
    let mut names = Interner::new();
    let mut stats = Vec::new();
    let mut fid = 1;
    for (k, files) in attempts.iter().enumerate().rev() {
        for f in *files {
            let attempt = u16::try_from(k + 1).unwrap_or(u16::MAX);
            let parse: assay_batch::ParseResult = openai::parse_result_line;
            let r = ingest_results(
                &fixture(f),
                FileId(fid),
                attempt,
                parse,
                &index,
                &mut ledger,
                &mut names,
                opts,
            );
            fid += 1;
            stats.push(r.unwrap_or_else(|e| panic!("{e}")));
        }
    }
    ledger.finish();
    let total: u64 = ledger.status_counts().iter().sum();
    assert_eq!(total, index.len() as u64, "counts add up to rows submitted");
    Run {
        index,
        ledger,
        names,
        stats,
    }
}

fn row(r: &Run, id: &str) -> u32 {
    r.index.get(id).unwrap_or_else(|| panic!("no row {id}"))
}

#[test]
fn every_status_path() {
    let r = run(
        "statuses_input.jsonl",
        &[&["statuses_output.jsonl", "statuses_errors.jsonl"]],
        &ReadOptions::default(),
    );
    assert_eq!(r.index.len(), 17);
    let l = &r.ledger;
    assert_eq!(
        l.status_counts(),
        counts(&[
            (Status::Completed, 6),
            (Status::ProviderError, 3),
            (Status::ContentFilter, 3),
            (Status::Timeout, 1),
            (Status::Expired, 1),
            (Status::Canceled, 1),
            (Status::Missing, 2),
        ])
    );
    let f = l.flag_counts();
    assert_eq!((f.truncated, f.retried, f.silently_retried, f.duplicate), (1, 0, 1, 1));
    let (n, ids) = l.unexpected();
    assert_eq!(n, 2);
    let mut ids = ids.to_vec();
    ids.sort();
    assert_eq!(ids, ["ghost-1", "ghost-2"]);
    let expect = [
        ("r01", Status::Completed, None),
        ("r02", Status::Completed, None),
        ("r03", Status::ContentFilter, None),
        ("r04", Status::ContentFilter, None),
        ("r05", Status::ContentFilter, None),
        ("r06", Status::Timeout, None),
        ("r07", Status::Expired, None),
        ("r08", Status::Canceled, None),
        ("r09", Status::ProviderError, Some("rate_limit")),
        ("r10", Status::ProviderError, Some("server_error")),
        ("r11", Status::ProviderError, Some("invalid_request")),
        ("r12", Status::Completed, None),
        ("r13", Status::Completed, None),
        ("r14", Status::Missing, None),
        ("r15", Status::Missing, None),
        ("r16", Status::Completed, None),
        ("r17", Status::Completed, None),
    ];
    for (id, status, kind) in expect {
        let i = row(&r, id);
        assert_eq!(l.status(i), status, "{id}");
        assert_eq!(l.error_kind(i).map(|k| k.as_str()), kind, "{id}");
    }
    assert_eq!(l.flags(row(&r, "r02")), Flags::TRUNCATED);
    assert_eq!(l.flags(row(&r, "r12")), Flags::DUPLICATE);
    assert_eq!(l.flags(row(&r, "r13")), Flags::SILENTLY_RETRIED);
    assert_eq!(l.attempt(row(&r, "r14")), 0);
    let r01 = row(&r, "r01");
    assert_eq!((l.usage(r01).input, l.usage(r01).cached_input), (20, 8));
    assert_eq!(r.names.get(l.model(r01)), "gpt-4o-mini-2024-07-18");
    assert_eq!(r.names.get(l.snapshot(r01)), "fp_abc");
    assert_eq!(r.index.models(), &[("gpt-4o-mini".to_string(), 17)]);
    // output: 9 lines (1 final dup, 1 unexpected); errors: 10 lines (1 conflict, 1 unexpected)
    let s = &r.stats;
    assert_eq!(
        (s[0].lines, s[0].finals, s[0].duplicates, s[0].unexpected),
        (9, 7, 1, 1)
    );
    assert_eq!(
        (s[1].lines, s[1].finals, s[1].conflicts, s[1].unexpected),
        (10, 8, 1, 1)
    );
}

#[test]
fn unicode_and_long_prompt_round_trip() {
    let opts = ReadOptions::default();
    let (index, _) = read_input(&fixture("statuses_input.jsonl"), FileId(0), &opts).unwrap_or_else(|e| panic!("{e}"));
    let text = std::fs::read(fixture("statuses_input.jsonl")).unwrap_or_default();
    let line_at = |idx: u32| {
        let start = index.offset(idx).unwrap_or(u64::MAX) as usize;
        let rest = &text[start..];
        let end = rest.iter().position(|&b| b == b'\n').unwrap_or(rest.len());
        &rest[..end]
    };
    let unicode = "日本語の応答です 🎉👍🏽 — שלום עולם، مرحبا \"quoted\" \\ back";
    let r16 = index.get("r16").unwrap_or(u32::MAX);
    let msgs = openai::parse_input_messages(line_at(r16)).unwrap_or_default();
    assert_eq!(msgs[1], ("user".to_string(), unicode.to_string()));
    let meta = openai::parse_input_metadata(line_at(r16));
    assert_eq!(meta[1], ("note".to_string(), "絵文字 ✅".to_string()));
    let r17 = index.get("r17").unwrap_or(u32::MAX);
    assert_eq!(index.line(r17), 17);
    let msgs = openai::parse_input_messages(line_at(r17)).unwrap_or_default();
    assert_eq!(msgs[1].1.chars().count(), 200_000);
    assert!(msgs[1].1.starts_with("Lorem ipsum dolor sit amet, 長い文章 🚀."));

    let out = std::fs::read_to_string(fixture("statuses_output.jsonl")).unwrap_or_default();
    let line = out.lines().find(|l| l.contains("\"r16\"")).unwrap_or("");
    let parsed = openai::parse_result_line(line.as_bytes()).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(parsed.outcome.response_text.as_deref(), Some(unicode));
}

#[test]
fn retry_attempts() {
    let r = run(
        "retry_input.jsonl",
        &[&["retry_attempt1.jsonl"], &["retry_attempt2.jsonl"]],
        &ReadOptions::default(),
    );
    let l = &r.ledger;
    assert_eq!(
        l.status_counts(),
        counts(&[
            (Status::Completed, 2),
            (Status::ProviderError, 1),
            (Status::RetryExhausted, 2),
        ])
    );
    let a = row(&r, "a");
    assert_eq!(
        (l.status(a), l.flags(a), l.attempt(a)),
        (Status::Completed, Flags::RETRIED, 2)
    );
    let b = row(&r, "b");
    assert_eq!(l.status(b), Status::RetryExhausted);
    assert_eq!(l.error_kind(b).map(|k| k.as_str()), Some("rate_limit"));
    let c = row(&r, "c");
    assert_eq!(l.status(c), Status::ProviderError);
    assert_eq!(l.error_kind(c).map(|k| k.as_str()), Some("invalid_request"));
    let d = row(&r, "d");
    assert_eq!(
        (l.status(d), l.flags(d), l.attempt(d)),
        (Status::Completed, Flags::empty(), 1)
    );
    assert_eq!(l.status(row(&r, "e")), Status::RetryExhausted);
    assert_eq!(l.flag_counts().retried, 1);
    assert_eq!(r.stats[0].finals, 4);
    assert_eq!((r.stats[1].finals, r.stats[1].superseded), (1, 4));
    assert_eq!(l.retry_usage(a).input, 0);
}

fn reasons(bad: &[BadLine]) -> Vec<(u64, String)> {
    bad.iter().map(|b| (b.line, b.reason.to_string())).collect()
}

#[test]
fn malformed_files() {
    let opts = ReadOptions {
        max_line_bytes: 4096,
        ..ReadOptions::default()
    };
    let (index, bad_in) =
        read_input(&fixture("malformed_input.jsonl"), FileId(0), &opts).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(index.len(), 6);
    assert_eq!(bad_in.len(), 2);
    assert_eq!(
        bad_in[0].reason,
        LineError::DuplicateId {
            id: "m1".into(),
            first_line: 1
        }
    );
    assert_eq!(bad_in[1].line, 8);
    let msg = bad_in[1].to_string();
    assert!(
        msg.ends_with("malformed_input.jsonl:8: malformed JSON: EOF while parsing a value at column 48"),
        "{msg}"
    );

    let mut ledger = Ledger::new(index.len(), 1, RetryPolicy::default());
    let mut names = Interner::new();
    let path = fixture("malformed_output.jsonl");
    let st = ingest_results(
        &path,
        FileId(1),
        1,
        openai::parse_result_line,
        &index,
        &mut ledger,
        &mut names,
        &opts,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    ledger.finish();
    assert_eq!(
        ledger.status_counts(),
        counts(&[(Status::Completed, 2), (Status::Missing, 4)])
    );
    assert_eq!((st.lines, st.finals), (6, 2));
    let raw = std::fs::read(&path).unwrap_or_default();
    let bad_byte = raw.iter().position(|&b| b == 0xff).unwrap_or(0) as u64;
    let got = reasons(&st.bad);
    assert_eq!(got.len(), 4, "{got:?}");
    assert_eq!(got[0].0, 3);
    assert!(
        got[0].1.starts_with("malformed JSON: expected `,` or `}` at column 49"),
        "{}",
        got[0].1
    );
    assert_eq!(got[1], (4, format!("invalid UTF-8 at byte offset {bad_byte}")));
    assert_eq!(got[2].0, 6);
    assert!(got[2].1.starts_with("line too long: 10"), "{}", got[2].1);
    assert!(got[2].1.ends_with(" bytes (max 4096)"), "{}", got[2].1);
    assert_eq!(got[3].0, 8);
    assert!(
        got[3]
            .1
            .starts_with("truncated last line: the file ends mid-line (partial download?)")
    );
    let shown = st.bad[0].to_string();
    assert!(shown.contains("malformed_output.jsonl:3: malformed JSON"), "{shown}");
    assert_eq!(ledger.status(index.get("m1").unwrap_or(u32::MAX)), Status::Completed);
    assert_eq!(ledger.status(index.get("m5").unwrap_or(u32::MAX)), Status::Completed);
}

#[test]
fn empty_and_blank_files() {
    let opts = ReadOptions::default();
    for name in ["empty.jsonl", "blank_only.jsonl"] {
        match read_input(&fixture(name), FileId(0), &opts) {
            Err(ReadError::Empty { path }) => assert!(path.ends_with(name)),
            other => panic!("{name}: expected Empty, got {:?}", other.map(|r| r.0.len())),
        }
    }
    let e = read_input(&fixture("empty.jsonl"), FileId(0), &opts)
        .err()
        .map(|e| e.to_string());
    assert!(e.is_some_and(|m| m.ends_with("empty.jsonl: no rows (empty file)")));
    // An empty error file (Azure writes one on success) is fine for results.
    let r = run("retry_input.jsonl", &[&["retry_attempt1.jsonl", "empty.jsonl"]], &opts);
    assert!(r.stats[1].empty);
    assert_eq!(
        r.ledger.status_counts(),
        counts(&[(Status::Completed, 1), (Status::ProviderError, 3), (Status::Expired, 1)])
    );
}

#[test]
fn block_boundaries_keep_line_numbers_exact() {
    let path = fixture("malformed_output.jsonl");
    let collect = |block: usize| {
        let mut r = BlockReader::open(&path, FileId(9), 4096)
            .unwrap_or_else(|e| panic!("{e}"))
            .with_block_bytes(block);
        let (mut lines, mut bad) = (Vec::new(), Vec::new());
        while let Some(b) = r.next_block().unwrap_or_else(|e| panic!("{e}")) {
            lines.extend(
                b.lines()
                    .map(|l| (l.number, l.offset, l.bytes.len(), l.last_unterminated)),
            );
            bad.extend(b.bad.iter().map(|x| (x.line, x.offset)));
        }
        (lines, bad)
    };
    let whole = collect(1 << 20);
    assert_eq!(whole.0.iter().map(|l| l.0).collect::<Vec<_>>(), [1, 3, 7, 8]);
    assert_eq!(whole.0[0].1, 3, "BOM skipped");
    assert!(whole.0[3].3, "last line unterminated");
    assert_eq!(whole.1.iter().map(|b| b.0).collect::<Vec<_>>(), [4, 6]);
    for block in [1, 7, 100, 333, 4097] {
        assert_eq!(collect(block), whole, "block size {block}");
    }
}

#[test]
fn responses_api_every_status_path() {
    let r = run(
        "responses_input.jsonl",
        &[&["responses_output.jsonl", "responses_errors.jsonl"]],
        &ReadOptions::default(),
    );
    let l = &r.ledger;
    assert_eq!(
        l.status_counts(),
        counts(&[
            (Status::Completed, 2),
            (Status::ProviderError, 3),
            (Status::ContentFilter, 2),
            (Status::Expired, 1),
            (Status::Canceled, 1),
            (Status::Missing, 1),
        ])
    );
    let expect = [
        ("p01", Status::Completed, None),
        ("p02", Status::Completed, None),
        ("p03", Status::ContentFilter, None),
        ("p04", Status::ContentFilter, None),
        ("p05", Status::ProviderError, Some("server_error")),
        ("p06", Status::ProviderError, Some("rate_limit")),
        ("p07", Status::Canceled, None),
        ("p08", Status::Expired, None),
        ("p09", Status::ProviderError, Some("server_error")),
        ("p10", Status::Missing, None),
    ];
    for (id, status, kind) in expect {
        let i = row(&r, id);
        assert_eq!(l.status(i), status, "{id}");
        assert_eq!(l.error_kind(i).map(|k| k.as_str()), kind, "{id}");
    }
    assert_eq!(l.flags(row(&r, "p02")), Flags::TRUNCATED);
    let p01 = row(&r, "p01");
    let u = l.usage(p01);
    assert_eq!(
        (u.input, u.output, u.cached_input, u.cache_write, u.reasoning),
        (36, 87, 12, 0, 40)
    );
    assert_eq!(r.names.get(l.model(p01)), "gpt-4.1-2025-04-14");
    let out = std::fs::read_to_string(fixture("responses_output.jsonl")).unwrap_or_default();
    let line = out.lines().find(|l| l.contains("\"p01\"")).unwrap_or("");
    let o = openai::parse_result_line(line.as_bytes())
        .unwrap_or_else(|e| panic!("{e}"))
        .outcome;
    assert_eq!(
        o.response_text.as_deref(),
        Some("日本語の応答です 🎉 — שלום \"quoted\"")
    );
    let line = out.lines().find(|l| l.contains("\"p04\"")).unwrap_or("");
    let o = openai::parse_result_line(line.as_bytes())
        .unwrap_or_else(|e| panic!("{e}"))
        .outcome;
    assert_eq!(o.error_message.as_deref(), Some("I can't help with that."));
    let input = std::fs::read_to_string(fixture("responses_input.jsonl")).unwrap_or_default();
    let first = input.lines().next().unwrap_or("");
    assert_eq!(
        openai::parse_input_messages(first.as_bytes()),
        Ok(vec![
            ("system".to_string(), "Be brief.".to_string()),
            ("user".to_string(), "日本語の応答です 🎉 — שלום \"quoted\"".to_string()),
        ])
    );
}

#[test]
fn embeddings_have_no_text() {
    let r = run(
        "embeddings_input.jsonl",
        &[&["embeddings_output.jsonl"]],
        &ReadOptions::default(),
    );
    let l = &r.ledger;
    assert_eq!(
        l.status_counts(),
        counts(&[(Status::Completed, 2), (Status::ProviderError, 1), (Status::Missing, 1)])
    );
    let e1 = row(&r, "e1");
    let u = l.usage(e1);
    assert_eq!((u.input, u.output, u.cached_input, u.reasoning), (5, 0, 0, 0));
    assert_eq!(l.error_kind(row(&r, "e3")).map(|k| k.as_str()), Some("rate_limit"));
    let out = std::fs::read_to_string(fixture("embeddings_output.jsonl")).unwrap_or_default();
    let first = out.lines().next().unwrap_or("");
    let o = openai::parse_result_line(first.as_bytes())
        .unwrap_or_else(|e| panic!("{e}"))
        .outcome;
    assert_eq!((o.response_text, o.finish_reason), (None, None));
    let input = std::fs::read_to_string(fixture("embeddings_input.jsonl")).unwrap_or_default();
    let url = openai::parse_input_line(input.lines().next().unwrap_or("").as_bytes())
        .ok()
        .and_then(|i| i.url.map(|u| u.into_owned()))
        .unwrap_or_default();
    assert!(!openai::endpoint_has_text(&url));
}
