//! Unit tests for `manifest`.

use super::*;

const GOOD: &str = r#"
name = "schema-drift"
version = "0.1.0"
description = "d"
wit = "assay:judge@0.1.0"
component = "schema_drift.wasm"
sha256 = "0000000000000000000000000000000000000000000000000000000000000000"
[limits]
fuel-per-row = 5
[config]
schema = "the schema"
"#;

#[test]
fn good_manifest_parses() {
    let m = Manifest::parse(GOOD, Path::new("judge.toml")).expect("parses");
    assert_eq!(m.name, "schema-drift");
    assert_eq!(m.limits.fuel_per_row, Some(5));
    assert_eq!(m.config.get("schema").map(String::as_str), Some("the schema"));
}

#[test]
fn unsupported_wit_version_is_named() {
    let text = GOOD.replace("assay:judge@0.1.0", "assay:judge@9.0.0");
    let err = Manifest::parse(&text, Path::new("x/judge.toml")).expect_err("refused");
    assert!(
        err.to_string().contains("x/judge.toml") && err.to_string().contains("9.0.0"),
        "{err}"
    );
}

#[test]
fn component_outside_its_directory_is_refused() {
    let text = GOOD.replace("schema_drift.wasm", "../evil.wasm");
    assert!(Manifest::parse(&text, Path::new("judge.toml")).is_err());
}

#[test]
fn unknown_key_is_refused() {
    let text = format!("{GOOD}\n[capabilities]\nnetwork = true\n");
    assert!(Manifest::parse(&text, Path::new("judge.toml")).is_err());
}

#[test]
fn forged_text_in_a_manifest_is_refused_or_escaped() {
    let text = GOOD.replace("version = \"0.1.0\"", "version = \"0.1.0\\u001b]0;pwned\\u0007\"");
    let err = Manifest::parse(&text, Path::new("judge.toml")).expect_err("refused");
    assert!(err.to_string().contains("version"), "{err}");
    let text = GOOD.replace("description = \"d\"", "description = \"d\\nschema-drift 100.00%\"");
    let m = Manifest::parse(&text, Path::new("judge.toml")).expect("parses");
    assert_eq!(m.description, "d\\nschema-drift 100.00%");
}

#[test]
fn an_unknown_config_key_is_refused_with_a_suggestion() {
    let entry = JudgeEntry {
        manifest: Manifest::parse(GOOD, Path::new("judge.toml")).expect("parses"),
        path: "judge.toml".into(),
        origin: "file",
    };
    assert!(entry.check_config(&[("schema".into(), "x".into())]).is_ok());
    let err = entry
        .check_config(&[("shcema".into(), "x".into())])
        .expect_err("unknown");
    assert_eq!(
        err.to_string(),
        "judge 'schema-drift' has no config key 'shcema' (did you mean 'schema'?); it takes: schema"
    );
}

#[test]
fn bad_name_is_refused() {
    let text = GOOD.replace("name = \"schema-drift\"", "name = \"Schema Drift\"");
    assert!(Manifest::parse(&text, Path::new("judge.toml")).is_err());
}
