//! The streamed `{"requests": [...]}` body reader: every element yielded
//! once, in order, with its exact bytes and offset; re-reading an element
//! at its offset gives the same bytes; each element goes through the
//! request parser.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    assay_fuzz::body::check_body(data);
});
