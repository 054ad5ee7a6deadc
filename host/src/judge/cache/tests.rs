//! Unit tests for `cache`.

use super::*;

#[test]
fn hmac_matches_rfc_4231_style_vector() {
    // HMAC-SHA256 with a 32-byte key of 0x0b and message "Hi There"
    // (RFC 4231 case 1 uses a 20-byte key; padded keys are equivalent).
    let mut key = [0u8; 32];
    key[..20].copy_from_slice(&[0x0b; 20]);
    let tag = hmac_sha256(&key, &[b"Hi ", b"There"]);
    assert_eq!(
        hex::encode(tag),
        "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"
    );
}

#[test]
fn a_user_named_directory_is_never_chmodded_and_leftovers_are_cleaned() {
    let tmp = tempfile::tempdir().expect("tmp");
    fs::set_permissions(tmp.path(), fs::Permissions::from_mode(0o755)).expect("chmod");
    let dir = tmp.path().join("components");
    let cache = CompileCache::open(dir.clone()).expect("opens");
    assert_eq!(
        fs::metadata(tmp.path()).expect("meta").permissions().mode() & 0o777,
        0o755
    );
    assert_eq!(fs::metadata(&dir).expect("meta").permissions().mode() & 0o777, 0o700);
    assert_eq!(
        fs::metadata(dir.join("key")).expect("key").permissions().mode() & 0o777,
        0o600
    );
    // A leftover from a dead writer goes at the next open.
    let leftover = dir.join("x-y.tmp4294967");
    fs::write(&leftover, b"partial").expect("write");
    drop(cache);
    CompileCache::open(dir.clone()).expect("opens");
    assert!(!leftover.exists());
}

/// The smallest valid component: just the preamble.
const EMPTY_COMPONENT: &[u8] = b"\0asm\x0d\x00\x01\x00";

#[test]
fn the_cache_is_capped_and_evicts_the_least_recently_used_entries() {
    let tmp = tempfile::tempdir().expect("tmp");
    let engine = crate::judge::engine::JudgeEngine::new().expect("engine");
    let (_, bytes) = CompileCache::compile(&engine.engine, EMPTY_COMPONENT).expect("compiles");
    let entry = bytes.len() as u64 + TAG_BYTES as u64;
    // Room for three entries, not four.
    let cache = CompileCache::open(tmp.path().join("components"))
        .expect("opens")
        .with_max_bytes(3 * entry + entry / 2);
    let present = |sha: &str| cache.entry(sha, "e").exists();
    // Distinct last-use times, in the past, whatever the clock's resolution.
    for (i, sha) in ["a", "b", "c"].into_iter().enumerate() {
        cache.store("e", sha, &bytes);
        let used = SystemTime::UNIX_EPOCH + std::time::Duration::from_secs(1000 * (i as u64 + 1));
        fs::File::open(cache.entry(sha, "e"))
            .and_then(|f| f.set_modified(used))
            .expect("set mtime");
    }
    assert!(present("a") && present("b") && present("c"));
    // Using `a` makes `b` the least recently used.
    assert!(cache.load(&engine.engine, "e", "a").is_some());
    cache.store("e", "d", &bytes);
    assert!(!present("b"), "the least recently used entry stays");
    assert!(present("a") && present("c") && present("d"));
    cache.store("e", "f", &bytes);
    assert!(!present("c") && present("a") && present("d") && present("f"));
    // What is left still loads, and the key is never evicted.
    assert!(cache.load(&engine.engine, "e", "f").is_some());
    assert!(cache.load(&engine.engine, "e", "b").is_none());
    assert!(tmp.path().join("components").join("key").exists());
}
