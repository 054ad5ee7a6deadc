//! Unit tests for `html`.

use super::*;

#[test]
fn markup_and_quotes_from_a_model_are_escaped() {
    assert_eq!(
        esc(r#"<script>alert("x")</script> & 'y'"#),
        "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;"
    );
    assert_eq!(esc("a\u{1b}[31m"), "a\u{fffd}[31m");
}

#[test]
fn the_policy_allows_only_the_pages_own_style_and_script() {
    let csp = content_security_policy();
    assert!(csp.starts_with("default-src 'none';"), "{csp}");
    assert!(!csp.contains("unsafe-inline") && !csp.contains("http"), "{csp}");
    assert!(csp.contains(&sha256_source(SCRIPT)) && csp.contains(&sha256_source(STYLE)));
}
