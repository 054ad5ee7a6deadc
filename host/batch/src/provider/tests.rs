use super::*;

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
