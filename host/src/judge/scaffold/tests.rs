//! Unit tests for `scaffold`.

use super::*;
use crate::judge::manifest::Manifest;

#[test]
fn names_follow_the_documented_rule() {
    for good in ["a", "my-judge", "judge2", "x-1-y"] {
        assert!(check_name(good).is_ok(), "{good}");
    }
    for bad in ["", "My", "1st", "a_b", "a-", "a b", "é", "test", &"a".repeat(65)] {
        assert!(check_name(bad).is_err(), "{bad:?}");
    }
}

#[test]
fn every_manifest_parses_and_names_the_component() {
    for lang in [Lang::Rust, Lang::Python, Lang::Js] {
        let text = render(template!("common/judge.toml"), "my-judge", lang);
        let m = Manifest::parse(&text, Path::new("judge.toml")).expect("template manifest parses");
        assert_eq!(m.name, "my-judge");
        assert_eq!(m.component, "my_judge.wasm");
        assert!(m.sha256.is_none());
        assert!(!text.contains("{{"), "unrendered placeholder in {text}");
    }
}
