use std::path::Path;

use super::{RemoteError, parse};

fn url(s: &str) -> Result<Option<super::ObjectUrl>, RemoteError> {
    parse(Path::new(s))
}

#[test]
fn local_paths_are_not_urls() {
    for p in [
        "data/in.jsonl",
        "-",
        "/tmp/a://b",
        "./s3://b/k",
        "weird:name",
        "/proc/self/fd/3",
    ] {
        assert_eq!(url(p).unwrap(), None, "{p}");
    }
}

#[test]
fn an_s3_url_names_bucket_and_key() {
    let o = url("s3://my-bucket/jobs/7/input.jsonl.gz").unwrap().unwrap();
    assert_eq!(o.bucket, "my-bucket");
    assert_eq!(o.key.as_ref(), "jobs/7/input.jsonl.gz");
    assert_eq!(o.url, "s3://my-bucket/jobs/7/input.jsonl.gz");
}

#[test]
fn bad_urls_say_why() {
    for (u, why) in [
        ("s3://bucket", "no object key"),
        ("s3:///key", "no bucket"),
        ("s3://bucket/", "names no object"),
        ("s3://bucket/dir/", "names no object"),
        ("s3://bucket/a//b", "a//b"),
        ("https://example.com/x", "only s3://BUCKET/KEY"),
    ] {
        let e = url(u).unwrap_err().to_string();
        assert!(e.starts_with(&format!("{u}: ")), "{e}");
        assert!(e.contains(why), "{u}: {e}");
    }
}

#[test]
fn gs_is_refused_with_the_way_to_gcs() {
    let e = url("gs://bucket/key").unwrap_err();
    assert!(matches!(e, RemoteError::Gcs { .. }));
    let e = e.to_string();
    assert!(e.contains("gs://bucket/key: gs:// is not supported"), "{e}");
    assert!(e.contains("AWS_ENDPOINT_URL=https://storage.googleapis.com"), "{e}");
    assert!(e.contains("HMAC"), "{e}");
}
