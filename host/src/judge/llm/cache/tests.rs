//! Unit tests for `cache`.

use super::*;

fn key<'a>(messages: &'a [(String, String)], model: &'a str) -> CacheKey<'a> {
    CacheKey {
        model,
        messages,
        max_tokens: 10,
        temperature: 0.0,
        json: false,
    }
}

#[test]
fn same_request_same_hash_and_any_change_differs() {
    let m = vec![("user".to_owned(), "hi".to_owned())];
    let m2 = vec![("user".to_owned(), "hi!".to_owned())];
    assert_eq!(key(&m, "a").hash(), key(&m, "a").hash());
    assert_ne!(key(&m, "a").hash(), key(&m, "b").hash());
    assert_ne!(key(&m, "a").hash(), key(&m2, "a").hash());
}

#[test]
fn round_trip_and_damaged_entry_is_a_miss() {
    let dir = tempfile::tempdir().expect("dir");
    let cache = ResponseCache::open(&dir.path().join("llm")).expect("open");
    let a = CachedAnswer {
        content: "ok".into(),
        model: "m".into(),
        input_tokens: 3,
        output_tokens: 1,
    };
    cache.put("h1", &a).expect("put");
    assert_eq!(cache.get("h1"), Some(a));
    fs::write(cache.path("h2"), b"{not json").expect("write");
    assert_eq!(cache.get("h2"), None);
    assert_eq!(cache.get("h3"), None);
}
