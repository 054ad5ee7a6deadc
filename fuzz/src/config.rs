//! The judge manifest (`judge.toml`) and policy parsers of the host: any
//! text is either refused with an error or accepted as a manifest or policy
//! that keeps the host's own rules.
//!
//! Invariants checked: parsing is deterministic; an accepted manifest has a
//! valid judge name and version, valid config keys, and a one-line
//! description without control characters; the limits a manifest asks for
//! are either granted within the policy's ceilings or refused, never a panic
//! or an overflow.

use std::path::Path;

use assay::judge::text::{is_config_key, is_judge_name, is_version};
use assay::judge::{Manifest, Policy};

/// Parses `text` as a manifest and checks what an accepted one promises.
pub fn check_manifest(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let path = Path::new("judges/fuzz/judge.toml");
    let first = Manifest::parse(text, path);
    let again = Manifest::parse(text, path);
    assert_eq!(first.is_ok(), again.is_ok(), "parsing is not deterministic");
    let Ok(m) = first else { return };
    assert!(is_judge_name(&m.name), "accepted a bad judge name {:?}", m.name);
    assert!(is_version(&m.version), "accepted a bad version {:?}", m.version);
    for key in m.config.keys() {
        assert!(is_config_key(key), "accepted a bad config key {key:?}");
    }
    assert!(
        !m.description.chars().any(char::is_control),
        "a control character in the description {:?}",
        m.description
    );
    // Whatever the manifest asks for, the default policy grants or refuses it.
    let _ = Policy::default().limits_for(&m.limits);
}

/// Parses `text` as a policy; an accepted one grants or refuses any request.
pub fn check_policy(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let Ok(p) = Policy::parse(text, Path::new("policy.toml")) else {
        return;
    };
    let _ = p.limits_for(&Default::default());
}
