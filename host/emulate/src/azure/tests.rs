//! Unit tests for `azure`.

use super::*;

fn ok(path: &str, query: &str) -> Translated {
    translate(path, query).unwrap_or_else(|| panic!("{path}?{query} refused"))
}

#[test]
fn azure_paths_stand_for_openai_routes_and_need_an_api_version() {
    let t = ok("/openai/deployments/dep-1/chat/completions", "api-version=2024-10-21");
    assert_eq!(
        (t.path.as_str(), t.deployment.as_deref()),
        ("/v1/chat/completions", Some("dep-1"))
    );
    let t = ok("/openai/batches/b1/cancel", "x=1&api-version=v");
    assert_eq!(
        (t.path.as_str(), t.deployment.as_deref()),
        ("/v1/batches/b1/cancel", None)
    );
    assert_eq!(ok("/openai/v1/files", "api-version=v").path, "/v1/files");
    assert!(translate("/openai/files", "").is_none());
    assert!(translate("/openai/files", "api-version=").is_none());
}

#[test]
fn azure_lines_have_no_id_and_annotate_every_choice() {
    let mut line = json!({"id": "x", "custom_id": "r1", "response": {"status_code": 200, "body": {"object": "chat.completion",
        "choices": [{"finish_reason": "content_filter"}]}}});
    shape_line(&mut line);
    assert!(line.get("id").is_none());
    let c = &line["response"]["body"]["choices"][0]["content_filter_results"];
    assert_eq!(c["violence"]["filtered"], true);
    assert_eq!(c["hate"]["filtered"], false);
    assert!(line["response"]["body"]["prompt_filter_results"].is_array());
}
