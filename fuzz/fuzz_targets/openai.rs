//! OpenAI result lines (chat, responses, embeddings; output and error files) and input lines through the ingest pipeline.
#![no_main]

use assay_batch::{Provider, ProviderOptions};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    assay_fuzz::pipeline::check_provider(data, Provider::OpenAi.format(), &ProviderOptions::default());
});
