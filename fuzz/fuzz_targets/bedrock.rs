//! Bedrock `.jsonl.out` record lines and input records through the ingest pipeline.
#![no_main]

use assay_batch::{Provider, ProviderOptions};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    assay_fuzz::pipeline::check_provider(data, Provider::Bedrock.format(), &ProviderOptions::default());
});
