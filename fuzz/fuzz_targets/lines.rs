//! The line splitter: the bytes as a plain file and gzipped (through
//! `BlockReader::open`, which sniffs the gzip magic), and the bytes
//! themselves as a gzip stream. Both reads of the same content must yield
//! the same lines and bad lines.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    assay_fuzz::reader::check_gzip(data);
});
