//! Unit tests for `text`.

use super::*;

#[test]
fn escapes_and_line_breaks_become_visible() {
    let s = one_line("ok\x1b]0;pwned\x07\nschema-drift 100.00%\u{202e}", 1024);
    assert_eq!(s, "ok\\u{1b}]0;pwned\\u{7}\\nschema-drift 100.00%\\u{202e}");
    assert!(!s.chars().any(char::is_control));
}

#[test]
fn one_line_caps_without_splitting_an_escape() {
    let s = one_line(&"é".repeat(100), 11);
    assert_eq!(s, "ééééé…");
    assert_eq!(one_line("\n\n\n", 5), "\\n\\n…");
}

#[test]
fn names_versions_and_metric_names_follow_their_charsets() {
    assert!(is_judge_name("batch-sync-drift-llm"));
    assert!(is_config_key("assay.sync-results") && !is_config_key("a\nb") && !is_config_key(".x"));
    for bad in ["", "-x", "Schema", "a b", "a\x1b", &"a".repeat(65)] {
        assert!(!is_judge_name(bad), "{bad:?}");
    }
    assert!(is_version("0.1.0") && is_version("1.2.3-rc.1+build.5"));
    assert!(!is_version("0.1.0\x1b]0;x\x07") && !is_version(""));
    assert!(is_metric_name("pass_rate") && is_metric_name("model_cost_usd:(other models)"));
    for bad in ["", "9lives", "pass rate", "x\ny", "m:", "m:a\nb", "a-b"] {
        assert!(!is_metric_name(bad), "{bad:?}");
    }
    assert!(is_alarm_kind("segment-drift") && is_alarm_kind("host-cap"));
    assert!(!is_alarm_kind("a\nb") && !is_alarm_kind("-x") && !is_alarm_kind("Drift"));
}
