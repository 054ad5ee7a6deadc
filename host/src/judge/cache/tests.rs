//! Unit tests for `cache`.

use super::*;

/// A tag changes with the key, the entry's name and any byte of its body,
/// and bytes moved from the name into the body do not keep it.
#[test]
fn a_tag_binds_the_key_the_entry_name_and_every_byte() {
    let key = [7u8; 32];
    let base = tag(&key, "a.cwasm", b"body");
    assert_eq!(tag(&key, "a.cwasm", b"body"), base);
    assert_ne!(tag(&[8u8; 32], "a.cwasm", b"body"), base);
    assert_ne!(tag(&key, "b.cwasm", b"body"), base);
    assert_ne!(tag(&key, "a.cwasm", b"bodx"), base);
    assert_ne!(tag(&key, "a.cwas", b"mbody"), base);
}

/// An entry tagged as an earlier assay tagged them (HMAC-SHA256 over the
/// name and the body) is recompiled and replaced, never loaded.
#[test]
fn an_entry_with_the_earlier_hmac_tag_is_not_loaded_but_replaced() {
    use sha2::{Digest, Sha256};
    let hmac = |key: &[u8; 32], parts: &[&[u8]]| -> Vec<u8> {
        let mut pad = [0u8; 64];
        pad[..32].copy_from_slice(key);
        let mut inner = Sha256::new();
        inner.update(pad.map(|b| b ^ 0x36));
        parts.iter().for_each(|p| inner.update(p));
        let mut outer = Sha256::new();
        outer.update(pad.map(|b| b ^ 0x5c));
        outer.update(inner.finalize());
        outer.finalize().to_vec()
    };
    let tmp = tempfile::tempdir().expect("tmp");
    let cache = CompileCache::open(tmp.path().join("components")).expect("cache");
    let engine = crate::judge::engine::JudgeEngine::new().expect("engine");
    let (_, bytes) = CompileCache::compile(&engine.engine, EMPTY_COMPONENT).expect("compiles");
    cache.store("e", "s", &bytes);
    let path = cache.entry("s", "e");
    assert!(cache.load(&engine.engine, "e", "s").is_some(), "its own entry loads");
    let mut old = hmac(&cache.key, &[path_label(&path).as_bytes(), &bytes]);
    old.extend_from_slice(&bytes);
    fs::write(&path, &old).expect("write");
    assert!(
        cache.load(&engine.engine, "e", "s").is_none(),
        "an HMAC-tagged entry must not load"
    );
    cache.store("e", "s", &bytes);
    assert!(cache.load(&engine.engine, "e", "s").is_some(), "replaced, it loads");
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
