//! The pairwise prompt: the request (when the host sent the prompt), both
//! responses, the rubrics and the structural checks, asking for a JSON verdict.
//!
//! Invariants: the batch response is always `A` and the sync response `B` (the
//! answer parser maps `A` → better, `B` → worse); every quoted text is cut to
//! [`MAX_QUOTE`] characters so a request's size is bounded whatever the row holds.

use assay_judge_sdk::Message;
use assay_judge_sdk::llm::assay::llm::llm::ChatMessage;
use batch_sync_core::{PairVerdict, Side};

/// Characters of each quoted text (prompt message, response) at most.
pub const MAX_QUOTE: usize = 6_000;

/// The instructions: the rubrics and the answer format.
pub const SYSTEM: &str = "You compare two responses to the same request, produced by the same model \
through two channels. Decide whether response A is materially better than response B, materially \
worse, or equivalent, judging only: (1) grounding: claims are supported by the retrieval context when \
one is given; (2) schema conformance: the answer follows the required JSON format when one is \
required; (3) tool-call validity: a tool call, when one is made or expected, has well-formed, \
complete arguments; (4) refusal calibration: the response answers when it should and refuses only \
when it should, and is not empty or cut off. Ignore wording and style differences that do not affect \
these. Answer with one JSON object only: {\"verdict\": \"A\" | \"B\" | \"equivalent\", \"reason\": \
\"<one sentence>\"}, where \"A\" means A is materially better and \"B\" means B is materially better.";

/// `text` cut to [`MAX_QUOTE`] characters, marking a cut.
fn quote(text: &str) -> String {
    let mut out: String = text.chars().take(MAX_QUOTE).collect();
    if out.len() < text.len() {
        out.push_str(" […cut]");
    }
    out
}

fn describe(side: &Side) -> String {
    let mut flags = Vec::new();
    if side.tool_call {
        flags.push("a tool call; the text is its arguments");
    }
    if side.truncated {
        flags.push("stopped at the token limit");
    }
    if side.filtered {
        flags.push("filtered by the provider");
    }
    let head = if flags.is_empty() {
        String::new()
    } else {
        format!("({})\n", flags.join(", "))
    };
    match side.response.as_deref() {
        Some(t) => format!("{head}{}", quote(t)),
        None => format!("{head}(no response)"),
    }
}

/// The chat messages for one pair.
pub fn messages(prompt: &[Message], batch: &Side, sync: &Side, structural: &PairVerdict) -> Vec<ChatMessage> {
    let mut user = String::new();
    if !prompt.is_empty() {
        user.push_str("## Request\n");
        for m in prompt {
            user.push_str(&format!("[{}]\n{}\n", m.role, quote(&m.content)));
        }
        user.push('\n');
    }
    user.push_str(&format!("## Response A\n{}\n\n", describe(batch)));
    user.push_str(&format!("## Response B\n{}\n\n", describe(sync)));
    user.push_str("## Automatic checks (A is batch, B is sync)\n");
    user.push_str(&quote(&structural.details()));
    user.push_str("\n\nAnswer with the JSON object only.");
    vec![
        ChatMessage {
            role: "system".into(),
            content: SYSTEM.into(),
        },
        ChatMessage {
            role: "user".into(),
            content: user,
        },
    ]
}
