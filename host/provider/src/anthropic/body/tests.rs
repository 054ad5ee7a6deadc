//! Unit tests for `body`: the check names bad lines; the length is exact.

use super::*;

fn file(text: &str) -> tempfile::NamedTempFile {
    let f = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(f.path(), text).unwrap();
    f
}

#[test]
fn scan_names_the_file_line_and_reason_of_a_bad_line() {
    let f = file("{\"custom_id\":\"a\",\"params\":{}}\n\n{\"custom_id\":\"b\",\"body\":{}}\n");
    let e = scan(f.path()).unwrap_err().to_string();
    assert!(e.contains(":3:") && e.contains("OpenAI"), "{e}");
    let f = file("{\"custom_id\":\"a\",\"params\":{}}\n{\"custom_id\":\"a\",\"params\":{}}\n");
    let e = scan(f.path()).unwrap_err().to_string();
    assert!(e.contains(":2:") && e.contains("line 1"), "{e}");
    let f = file("\n \n");
    assert!(scan(f.path()).unwrap_err().to_string().contains("no requests"));
}

#[tokio::test]
async fn the_streamed_body_is_the_requests_array_of_exactly_the_scanned_length() {
    let big = "x".repeat(70_000);
    let text = format!(
        "{{\"custom_id\":\"a\",\"params\":{{\"m\":1}}}}\r\n\n  {{\"custom_id\":\"b\",\"params\":{{\"t\":\"{big}\"}}}}  \n{{\"custom_id\":\"c\",\"params\":{{}}}}"
    );
    let f = file(&text);
    let s = scan(f.path()).unwrap();
    assert_eq!(s.rows, 3);
    let mut b = RequestsBody::open(f.path().to_owned(), s);
    let mut got = Vec::new();
    while let Some(frame) = std::future::poll_fn(|cx| http_body::Body::poll_frame(Pin::new(&mut b), cx)).await {
        got.extend_from_slice(&frame.unwrap().into_data().unwrap());
    }
    assert_eq!(got.len() as u64, s.body_len);
    let v: Value = serde_json::from_slice(&got).unwrap();
    let ids: Vec<&str> = v["requests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["custom_id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["a", "b", "c"]);
}
