use super::*;

#[test]
fn display_names_file_line_and_reason() {
    let err = serde_json::from_slice::<serde_json::Value>(br#"{"a":1 "b":2}"#)
        .err()
        .map(|e| LineError::from_json(&e));
    let Some(reason) = err else {
        panic!("expected a parse error")
    };
    let bad = BadLine {
        path: Arc::from(Path::new("data/out.jsonl")),
        line: 17,
        offset: 100,
        reason,
    };
    assert_eq!(
        bad.to_string(),
        "data/out.jsonl:17: malformed JSON: expected `,` or `}` at column 8"
    );
}

#[test]
fn truncated_last_only_for_malformed_unterminated() {
    let m = LineError::Malformed("EOF".into());
    assert_eq!(m.clone().on_line(true), LineError::TruncatedLast("EOF".into()));
    assert_eq!(m.clone().on_line(false), m);
    let w = LineError::WrongShape("x".into());
    assert_eq!(w.clone().on_line(true), w);
    assert!(
        LineError::TruncatedLast("EOF while parsing".into())
            .to_string()
            .starts_with("truncated last line: the file ends mid-line (partial download?)")
    );
}

#[test]
fn read_error_messages() {
    let p: Arc<Path> = Arc::from(Path::new("x.jsonl"));
    let e = ReadError::Empty { path: p.clone() };
    assert_eq!(e.to_string(), "x.jsonl: no rows (empty file)");
    assert_eq!(e.path(), Path::new("x.jsonl"));
}
