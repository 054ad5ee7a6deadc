//! The request for one cluster's fix note: the instructions, and the cluster as
//! the host described it (shape, labels, redacted example rows) in the row's
//! prompt messages.
//!
//! Invariants: the messages are a function of the row's prompt alone (so the
//! host's answer cache answers a rerun of the same cluster); every quoted text
//! is cut to [`MAX_QUOTE`] characters so a request's size is bounded whatever
//! the row holds.

use assay_judge_sdk::Message;
use assay_judge_sdk::llm::assay::llm::llm::ChatMessage;

/// Characters of the cluster's description quoted at most.
pub const MAX_QUOTE: usize = 12_000;

/// The instructions: what a good note is, and the answer format.
pub const SYSTEM: &str = "You help the author of the next LLM batch job avoid a group of failures. \
You are given one failure cluster from the evaluation of a batch: its shape (the features most of \
its rows share), the judges' labels and a few example rows (personal data is redacted). Reply with \
one short, concrete fix the author can apply before the next batch, naming the field, schema \
keyword, segment, snapshot, language or limit involved — for example \"JSON mode loosened from \
segment 18 onwards: pin the snapshot and keep response_format\" or \"every Japanese-text row omits \
`confidence`: add a Japanese example with every required key\". At most 30 words, no preamble. \
Answer with one JSON object only: {\"fix\": \"<the fix>\"}.";

/// `text` cut to [`MAX_QUOTE`] characters, marking a cut.
fn quote(text: &str) -> String {
    let mut out: String = text.chars().take(MAX_QUOTE).collect();
    if out.len() < text.len() {
        out.push_str(" […cut]");
    }
    out
}

/// The chat messages for the cluster the row's prompt describes.
pub fn messages(prompt: &[Message]) -> Vec<ChatMessage> {
    let described: Vec<&str> = prompt.iter().map(|m| m.content.as_str()).collect();
    vec![
        ChatMessage {
            role: "system".into(),
            content: SYSTEM.into(),
        },
        ChatMessage {
            role: "user".into(),
            content: format!(
                "{}\n\nAnswer with the JSON object only.",
                quote(&described.join("\n\n"))
            ),
        },
    ]
}
