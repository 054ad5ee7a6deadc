//! Vertex AI prediction lines and request lines through the ingest
//! pipeline, joined by the request hash and by a label id path.
#![no_main]

use assay_batch::{Provider, ProviderOptions};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let format = Provider::Vertex.format();
    assay_fuzz::pipeline::check_provider(data, format, &ProviderOptions::default());
    let labels = ProviderOptions {
        id_path: Some("request.labels.custom_id".into()),
    };
    assay_fuzz::pipeline::check_provider(data, format, &labels);
});
