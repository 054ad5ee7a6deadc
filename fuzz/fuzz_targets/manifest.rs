//! The judge manifest parser (`judge.toml`).
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    assay_fuzz::config::check_manifest(data);
});
