//! Unit tests for `endpoint`.

use serde_json::json;

use super::*;

#[test]
fn input_urls_name_their_sync_api_in_either_spelling() {
    for (url, api) in [
        ("/v1/chat/completions", SyncApi::Chat),
        ("/chat/completions", SyncApi::Chat),
        ("/v1/responses", SyncApi::Responses),
        ("/openai/v1/embeddings?api-version=x", SyncApi::Embeddings),
        ("/embeddings", SyncApi::Embeddings),
    ] {
        assert_eq!(SyncApi::of_url(url).unwrap(), api, "{url}");
    }
    let e = SyncApi::of_url("/v1/completions").unwrap_err().to_string();
    assert!(e.contains("/v1/completions"), "{e}");
}

#[test]
fn azure_urls_carry_the_api_version_and_the_deployment() {
    let az = Flavor::Azure {
        api_version: "2024-10-21".into(),
    };
    let base = "https://r.openai.azure.com";
    assert_eq!(
        az.url(base, "/batches?limit=5"),
        "https://r.openai.azure.com/openai/batches?api-version=2024-10-21&limit=5"
    );
    assert_eq!(
        az.url(base, "/files/f1/content"),
        "https://r.openai.azure.com/openai/files/f1/content?api-version=2024-10-21"
    );
    let body = json!({"model": "gpt4o-dep", "messages": []});
    assert_eq!(
        az.sync_path(SyncApi::Chat, &body).unwrap(),
        "/deployments/gpt4o-dep/chat/completions"
    );
    assert!(az.sync_path(SyncApi::Chat, &json!({"model": "a/b"})).is_err());
    assert_eq!(Flavor::OpenAi.url("http://h/v1", "/batches"), "http://h/v1/batches");
    assert_eq!(SyncApi::Chat.batch_endpoint(&az), "/chat/completions");
}
