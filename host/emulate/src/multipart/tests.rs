//! Unit tests for `multipart`.

use super::*;

#[test]
fn fields_and_the_file_are_read_and_an_unclosed_body_is_refused() {
    let body = b"--XX\r\nContent-Disposition: form-data; name=\"purpose\"\r\n\r\nbatch\r\n--XX\r\nContent-Disposition: form-data; name=\"file\"; filename=\"in.jsonl\"\r\nContent-Type: application/jsonl\r\n\r\n{\"a\":1}\n\r\n--XX--\r\n";
    let parts = parse(body, "XX").unwrap();
    assert_eq!(parts.len(), 2);
    assert_eq!(parts[0].data, b"batch");
    assert_eq!(parts[1].filename.as_deref(), Some("in.jsonl"));
    assert_eq!(parts[1].data, b"{\"a\":1}\n");
    assert!(parse(&body[..body.len() - 12], "XX").is_err());
    assert_eq!(boundary("multipart/form-data; boundary=abc").as_deref(), Some("abc"));
}
