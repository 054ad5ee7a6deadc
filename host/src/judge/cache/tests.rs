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
