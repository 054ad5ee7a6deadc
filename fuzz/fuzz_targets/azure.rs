//! Azure OpenAI result and input lines (OpenAI's reader, Azure's fixtures as seeds) through the ingest pipeline.
#![no_main]

use assay_batch::{Provider, ProviderOptions};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    assay_fuzz::pipeline::check_provider(data, Provider::Azure.format(), &ProviderOptions::default());
});
