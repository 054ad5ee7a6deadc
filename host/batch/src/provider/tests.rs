use super::*;
use crate::error::LineError;
use crate::row::ProviderOptions;

#[test]
fn each_documented_shape_is_recognized() {
    let cases: [(&str, Provider, FileRole); 10] = [
        (
            r#"{"custom_id":"a","method":"POST","url":"/v1/chat/completions","body":{}}"#,
            Provider::OpenAi,
            FileRole::Input,
        ),
        (
            r#"{"id":"x","custom_id":"a","response":{"status_code":200},"error":null}"#,
            Provider::OpenAi,
            FileRole::Results,
        ),
        (
            r#"{"custom_id":"a","params":{"model":"m"}}"#,
            Provider::Anthropic,
            FileRole::Input,
        ),
        (
            r#"{"custom_id":"a","result":{"type":"canceled"}}"#,
            Provider::Anthropic,
            FileRole::Results,
        ),
        (
            r#"{"recordId":"R1","modelInput":{}}"#,
            Provider::Bedrock,
            FileRole::Input,
        ),
        (
            r#"{"recordId":"R1","modelInput":{},"modelOutput":{}}"#,
            Provider::Bedrock,
            FileRole::Results,
        ),
        (r#"{"request":{"contents":[]}}"#, Provider::Vertex, FileRole::Input),
        (
            r#"{"status":"","processed_time":"t","request":{},"response":{}}"#,
            Provider::Vertex,
            FileRole::Results,
        ),
        (r#"{"key":"k","request":{}}"#, Provider::Gemini, FileRole::Input),
        (r#"{"response":{},"key":"k"}"#, Provider::Gemini, FileRole::Results),
    ];
    for (line, p, r) in cases {
        assert_eq!(sniff(line.as_bytes()), Some((p, r)), "{line}");
    }
    assert_eq!(sniff(br#"{"hello":1}"#), None);
}

fn file(text: &str) -> tempfile_path::TempPath {
    tempfile_path::write(text)
}

mod tempfile_path {
    use std::path::PathBuf;
    pub struct TempPath(pub PathBuf);
    impl Drop for TempPath {
        fn drop(&mut self) {
            let _ = std::fs::remove_file(&self.0);
        }
    }
    pub fn write(text: &str) -> TempPath {
        use std::sync::atomic::{AtomicU32, Ordering};
        static N: AtomicU32 = AtomicU32::new(0);
        let p = std::env::temp_dir().join(format!(
            "assay-detect-{}-{}.jsonl",
            std::process::id(),
            N.fetch_add(1, Ordering::Relaxed)
        ));
        std::fs::write(&p, text).expect("write temp file");
        TempPath(p)
    }
}

#[test]
fn mixed_and_mismatched_files_are_refused_with_what_was_seen() {
    let mixed = file("{\"custom_id\":\"a\",\"params\":{}}\n{\"custom_id\":\"b\",\"body\":{}}\n");
    let err = detect_file(&mixed.0, FileRole::Input, None).expect_err("mixed");
    assert!(
        err.to_string()
            .contains("line 1 has the anthropic input shape, line 2 the openai input shape"),
        "{err}"
    );
    let openai = file("{\"custom_id\":\"a\",\"body\":{}}\n");
    let err = detect_file(&openai.0, FileRole::Input, Some(Provider::Anthropic)).expect_err("mismatch");
    assert!(
        err.to_string()
            .contains("has the openai input shape, not the anthropic input shape"),
        "{err}"
    );
    assert_eq!(
        detect_file(&openai.0, FileRole::Input, None).expect("detects"),
        Some(Provider::OpenAi)
    );
    assert_eq!(
        detect_file(&openai.0, FileRole::Input, Some(Provider::Azure)).expect("azure reads openai"),
        Some(Provider::Azure)
    );
    let swapped = detect_file(&openai.0, FileRole::Results, None).expect_err("input given as results");
    assert!(
        swapped
            .to_string()
            .contains("openai input shape, not the openai result shape"),
        "{swapped}"
    );
}

#[test]
fn every_provider_reads_its_name_back_and_azure_reads_openai_files() {
    for p in Provider::ALL {
        assert_eq!(Provider::parse(p.as_str()), Some(p));
    }
    assert_eq!(Provider::Azure.family(), Provider::OpenAi);
    assert!(std::ptr::eq(Provider::Azure.format(), Provider::OpenAi.format()));
    assert!(!std::ptr::eq(Provider::Vertex.format(), Provider::Gemini.format()));
}

#[test]
fn a_usage_field_that_is_not_a_count_is_a_bad_line() {
    let openai = |v: &str| {
        format!(
            r#"{{"custom_id":"a","response":{{"status_code":200,"body":{{"choices":[{{"message":{{"content":"x"}},"finish_reason":"stop"}}],"usage":{{"prompt_tokens":{v},"completion_tokens":1}}}}}},"error":null}}"#
        )
    };
    let anthropic = |v: &str| {
        format!(
            r#"{{"custom_id":"a","result":{{"type":"succeeded","message":{{"content":[],"stop_reason":"end_turn","usage":{{"input_tokens":{v},"output_tokens":1}}}}}}}}"#
        )
    };
    let bedrock = |v: &str| {
        format!(
            r#"{{"recordId":"a","modelOutput":{{"content":[],"stop_reason":"end_turn","usage":{{"input_tokens":{v},"output_tokens":1}}}}}}"#
        )
    };
    let gemini = |v: &str| {
        format!(
            r#"{{"key":"a","response":{{"candidates":[{{"content":{{"parts":[{{"text":"x"}}]}},"finishReason":"STOP"}}],"usageMetadata":{{"promptTokenCount":{v}}}}}}}"#
        )
    };
    let opts = ProviderOptions::default();
    type Line<'a> = &'a dyn Fn(&str) -> String;
    let cases: [(Provider, Line, &[&str]); 3] = [
        (Provider::OpenAi, &openai, &["null", "\"12\"", "-1", "1.5"]),
        (Provider::Anthropic, &anthropic, &["null", "\"12\"", "-1"]),
        (Provider::Gemini, &gemini, &["null", "\"x\"", "-1", "\"-1\""]),
    ];
    for (p, line, bad) in cases {
        let parse = p.result_parser();
        let good = line("12");
        assert_eq!(
            parse(good.as_bytes().into(), &opts).map(|r| r.outcome.usage.input),
            Ok(12),
            "{p} {good}"
        );
        for v in bad {
            let l = line(v);
            assert!(
                matches!(parse(l.as_bytes().into(), &opts), Err(LineError::WrongShape(_))),
                "{p}: {v} must be a bad line: {l}"
            );
        }
    }
    // Bedrock keeps its rule for a `modelOutput` whose field types match no
    // known shape: completed (Bedrock ran it), flagged, usage not guessed.
    for v in ["null", "\"12\"", "-1"] {
        let l = bedrock(v);
        let o = Provider::Bedrock.result_parser()(l.as_bytes().into(), &opts).map(|r| r.outcome);
        let o = o.unwrap_or_else(|e| panic!("{e}: {l}"));
        assert_eq!(o.error_code.as_deref(), Some(crate::bedrock::UNRECOGNIZED), "{l}");
        assert_eq!(o.usage.input, 0, "{l}");
    }
    assert_eq!(
        Provider::Bedrock.result_parser()(bedrock("12").as_bytes().into(), &opts).map(|r| r.outcome.usage.input),
        Ok(12)
    );
    let big = openai("5000000000");
    let parsed = Provider::OpenAi.result_parser()(big.as_bytes().into(), &opts).map(|r| r.outcome.usage.input);
    assert_eq!(parsed, Ok(5_000_000_000));
}

#[test]
fn azure_result_files_are_told_from_openai_by_a_missing_id_or_filter_results() {
    let openai = r#"{"id":"batch_req_1","custom_id":"a","response":{"status_code":200,"body":{}},"error":null}"#;
    let no_id = r#"{"custom_id":"a","response":{"status_code":200,"body":{}},"error":null}"#;
    let filtered = r#"{"id":"x","custom_id":"a","response":{"status_code":200,"body":{"choices":[{"content_filter_results":{}}],"prompt_filter_results":[]}},"error":null}"#;
    let quoted = r#"{"id":"x","custom_id":"a","response":{"status_code":200,"body":{"choices":[{"message":{"content":"say \"content_filter_results\""}}]}},"error":null}"#;
    assert_eq!(sniff(openai.as_bytes()), Some((Provider::OpenAi, FileRole::Results)));
    assert_eq!(sniff(no_id.as_bytes()), Some((Provider::Azure, FileRole::Results)));
    assert_eq!(sniff(filtered.as_bytes()), Some((Provider::Azure, FileRole::Results)));
    assert_eq!(sniff(quoted.as_bytes()), Some((Provider::OpenAi, FileRole::Results)));
    // One Azure line makes the file Azure; it does not mix shapes.
    let f = file(&format!("{openai}\n{filtered}\n"));
    assert_eq!(
        detect_file(&f.0, FileRole::Results, None).expect("azure"),
        Some(Provider::Azure)
    );
    // Detected after an OpenAI-shaped input, the result file narrows it.
    assert_eq!(
        detect_file(&f.0, FileRole::Results, Some(Provider::OpenAi)).expect("narrows"),
        Some(Provider::Azure)
    );
    let plain = file(&format!("{openai}\n"));
    assert_eq!(
        detect_file(&plain.0, FileRole::Results, Some(Provider::Azure)).expect("named azure stands"),
        Some(Provider::Azure)
    );
    assert_eq!(
        detect_file(&plain.0, FileRole::Results, None).expect("openai"),
        Some(Provider::OpenAi)
    );
}

#[test]
fn a_line_with_another_providers_shape_is_refused_by_name_not_counted_bad() {
    let opts = ProviderOptions::default();
    let anthropic = br#"{"custom_id":"a","result":{"type":"canceled"}}"#;
    let err = Provider::OpenAi.result_parser()(anthropic.into(), &opts).map(|_| ());
    assert_eq!(
        err,
        Err(LineError::OtherShape {
            seen: Provider::Anthropic,
            seen_role: FileRole::Results,
            want: Provider::OpenAi,
            role: FileRole::Results,
        })
    );
    assert_eq!(
        err.err().map(|e| e.to_string()).unwrap_or_default(),
        "has the anthropic result shape, not the openai result shape"
    );
    // An input line among results is the other role's shape.
    let input = br#"{"custom_id":"a","method":"POST","url":"/v1/chat/completions","body":{}}"#;
    assert!(matches!(
        Provider::Azure.result_parser()(input.into(), &opts),
        Err(LineError::OtherShape {
            seen_role: FileRole::Input,
            ..
        })
    ));
    assert!(matches!(
        Provider::Gemini.input_parser()(br#"{"recordId":"r","modelInput":{}}"#[..].into(), &opts),
        Err(LineError::OtherShape {
            seen: Provider::Bedrock,
            ..
        })
    ));
    // A broken line of the provider's own shape stays an ordinary bad line.
    let own = br#"{"custom_id":"a","response":null,"error":null}"#;
    assert!(matches!(
        Provider::OpenAi.result_parser()(own.into(), &opts),
        Err(LineError::WrongShape(_))
    ));
}

/// A line among the first ones whose members cannot be read (one named
/// twice, here) is the reader's to report as a bad line with its reason, as
/// a malformed line is: the file is still told by its other lines.
#[test]
fn a_member_named_twice_in_the_first_lines_is_left_to_the_reader() {
    let good = r#"{"status":"","processed_time":"t","request":{"contents":[]},"response":{"candidates":[]}}"#;
    let twice = r#"{"status":"","processed_time":"t","request":{"contents":[]},"response":{},"response":null}"#;
    let f = file(&format!("{good}\n{twice}\n{good}\n"));
    for want in [None, Some(Provider::Vertex)] {
        assert_eq!(
            detect_file(&f.0, FileRole::Results, want).expect("told by the other lines"),
            Some(Provider::Vertex)
        );
    }
    let reason = crate::google::vertex::parse_result_line(twice.as_bytes(), &Default::default())
        .expect_err("a bad line")
        .to_string();
    assert!(reason.contains("duplicate field `response` at column "), "{reason}");
}

/// JSON that is not an object is no batch line: still refused by name.
#[test]
fn a_first_line_that_is_not_an_object_is_still_refused() {
    for text in ["[1,2]", "\"row\"", "42"] {
        let f = file(&format!("{text}\n"));
        let err = detect_file(&f.0, FileRole::Results, None).expect_err(text);
        assert!(
            err.to_string()
                .contains("line 1 has none of the known batch line shapes"),
            "{err}"
        );
    }
}
