//! The Anthropic request body reader on fuzzed bytes.
//!
//! Invariant checked: elements come in order, numbered from 0, each with
//! exactly the file bytes at its offset, never overlapping; the count
//! returned is the number of elements; re-reading an element that parses
//! as a request at its offset
//! ([`read_request_at`]) gives the same bytes.

use std::fs::File;
use std::path::Path;

use assay_batch::ProviderOptions;
use assay_batch::anthropic::{read_request_at, read_requests_from};

use crate::reader::scratch;

/// Elements re-read from the file per input (each re-read opens a scan).
const RE_READS: usize = 8;

pub fn check_body(data: &[u8]) {
    let opts = ProviderOptions::default();
    let mut spans: Vec<(u64, u64, Vec<u8>)> = Vec::new();
    let mut count = 0u64;
    let mut last_end = 0u64;
    let res = read_requests_from(data, Path::new("body.json"), |span| {
        assert_eq!(span.index, count, "elements numbered in order");
        let start = usize::try_from(span.offset).unwrap_or(usize::MAX);
        let end = start.saturating_add(span.bytes.len());
        assert_eq!(
            data.get(start..end),
            Some(span.bytes),
            "element {} bytes at its offset",
            span.index
        );
        assert!(last_end <= span.offset, "elements overlap");
        last_end = span.offset + span.bytes.len() as u64;
        // Only elements that parse are indexed, and so ever re-read.
        if span.parse(&opts).is_ok() {
            spans.push((span.index, span.offset, span.bytes.to_vec()));
        }
        count += 1;
        Ok::<(), std::convert::Infallible>(())
    });
    if let Ok(n) = res {
        assert_eq!(n, count, "count returned");
    }
    if spans.is_empty() {
        return;
    }
    let path = scratch("body", data);
    let Ok(file) = File::open(&path) else {
        panic!("cannot open {}", path.display())
    };
    for (i, off, bytes) in spans.iter().take(RE_READS) {
        match read_request_at(&file, &path, *off) {
            Ok(again) => assert_eq!(&again, bytes, "element {i} re-read at {off}"),
            Err(e) => panic!("element {i} re-read at {off}: {e}"),
        }
    }
}
