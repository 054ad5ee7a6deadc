//! Unit tests for `endpoint`.

use super::*;

#[test]
fn url_gets_the_chat_path_once() {
    let e = Endpoint::new("http://127.0.0.1:9/v1/", None).expect("endpoint");
    assert_eq!(e.url(), "http://127.0.0.1:9/v1/chat/completions");
    let e = Endpoint::new("http://h/v1/chat/completions", None).expect("endpoint");
    assert_eq!(e.url(), "http://h/v1/chat/completions");
    assert!(Endpoint::new("ftp://h", None).is_err());
}

#[test]
fn missing_key_variable_is_named() {
    let err = Endpoint::new("http://h", Some("ASSAY_TEST_SURELY_UNSET_KEY")).expect_err("unset");
    assert!(err.to_string().contains("ASSAY_TEST_SURELY_UNSET_KEY"), "{err}");
}

#[test]
fn answer_without_content_is_an_endpoint_error() {
    let err = parse_answer(br#"{"choices":[]}"#, "m").expect_err("no choice");
    assert!(matches!(err, CallError::Endpoint(m) if m.contains("choices[0]")));
    let ok = parse_answer(
        br#"{"model":"x","choices":[{"message":{"content":"hi"}}],"usage":{"prompt_tokens":5,"completion_tokens":2}}"#,
        "m",
    )
    .expect("answer");
    assert_eq!((ok.content.as_str(), ok.input_tokens, ok.output_tokens), ("hi", 5, 2));
}
