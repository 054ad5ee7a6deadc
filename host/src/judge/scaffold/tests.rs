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

fn repo(path: &str) -> String {
    let p = Path::new(env!("CARGO_MANIFEST_DIR")).join("..").join(path);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn sdk(path: &str) -> &'static str {
    RUST_SDK
        .iter()
        .find(|(p, _)| p.strip_prefix("assay-judge-sdk/") == Some(path))
        .map(|(_, t)| *t)
        .unwrap_or_else(|| panic!("{path} is not in RUST_SDK"))
}

/// The SDK builds outside this repository because it carries the WIT; the
/// copies must be the WIT this host runs, byte for byte.
#[test]
fn the_sdk_embeds_the_wit_this_host_runs() {
    assert_eq!(sdk("wit/judge/judge.wit"), repo("wit/v0.1/judge.wit"));
    assert_eq!(sdk("wit/judge/judge.wit"), JUDGE_WIT);
    assert_eq!(sdk("wit/llm/llm.wit"), repo("wit/llm/v0.1/llm.wit"));
    assert_eq!(sdk("wit/llm_error_names.rs"), repo("wit/llm/llm_error_names.rs"));
    assert_eq!(sdk("wit/judge/judge.wit"), repo("plugins/sdk/wit/judge/judge.wit"));
    assert_eq!(sdk("wit/judge-0.2/judge.wit"), repo("wit/v0.2/judge.wit"));
    assert_eq!(sdk("wit/judge-0.2/judge.wit"), JUDGE_WIT_0_2);
}

/// Every file of the SDK crate reaches a Rust scaffold, and nothing else.
#[test]
fn the_vendored_sdk_is_the_whole_crate() {
    fn walk(dir: &Path, base: &Path, out: &mut Vec<String>) {
        for e in std::fs::read_dir(dir).expect("read sdk dir").flatten() {
            let p = e.path();
            if p.is_dir() {
                if p.file_name().is_some_and(|n| n != "target") {
                    walk(&p, base, out);
                }
            } else if let Ok(rel) = p.strip_prefix(base) {
                out.push(rel.to_string_lossy().into_owned());
            }
        }
    }
    let base = Path::new(env!("CARGO_MANIFEST_DIR")).join("../plugins/sdk");
    let mut on_disk = Vec::new();
    walk(&base, &base, &mut on_disk);
    on_disk.sort();
    let mut listed: Vec<String> = RUST_SDK
        .iter()
        .map(|(p, _)| p.trim_start_matches("assay-judge-sdk/").to_owned())
        .collect();
    listed.sort();
    assert_eq!(listed, on_disk);
    for (p, text) in RUST_SDK {
        assert_eq!(
            text,
            repo(&format!("plugins/sdk/{}", p.trim_start_matches("assay-judge-sdk/")))
        );
    }
}

/// The crate's major.minor version is the newest WIT package it binds, so
/// `assay-judge-sdk = "0.2"` means `assay:judge@0.2.x`; the crate is standalone
/// (no workspace inheritance).
#[test]
fn the_sdk_version_follows_the_wit() {
    let cargo = sdk("Cargo.toml");
    let version = cargo
        .lines()
        .find_map(|l| l.strip_prefix("version = \""))
        .and_then(|v| v.strip_suffix('"'))
        .expect("a literal version");
    let wit = JUDGE_WIT_0_2
        .lines()
        .find_map(|l| l.strip_prefix("package assay:judge@"))
        .and_then(|v| v.strip_suffix(';'))
        .expect("package line");
    let minor = |v: &str| v.split('.').take(2).collect::<Vec<_>>().join(".");
    assert_eq!(minor(version), minor(wit));
    assert!(
        !cargo.contains(".workspace = true") && !cargo.contains("publish = false"),
        "{cargo}"
    );
    for key in ["license = ", "description = ", "readme = "] {
        assert!(cargo.contains(key), "{key} missing for crates.io");
    }
}
