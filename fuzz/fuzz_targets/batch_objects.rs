//! Every provider's batch/job object parser (OpenAI, Azure, Anthropic,
//! Bedrock job and manifest, Vertex, Gemini) on the same bytes.
#![no_main]

use assay_batch::Provider;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for p in Provider::ALL {
        if let Err(e) = p.parse_batch_object(data) {
            // Errors name the object expected: never an empty message.
            assert!(!e.to_string().is_empty());
        }
    }
});
