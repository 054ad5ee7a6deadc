use super::*;
use crate::judge::bindings::types::{Message, RowFlags, Usage};

fn row<'a>(id: &'a str, response: Option<&'a str>) -> Row<'a> {
    Row {
        id,
        index: (7u64 << 32) | 3,
        segment: 2,
        provider: "openai",
        model: "gpt-x",
        snapshot: None,
        status: RowStatus::Timeout,
        flags: RowFlags::TRUNCATED | RowFlags::DUPLICATE,
        attempt: 2,
        prompt: &[],
        response,
        finish_reason: Some("length"),
        usage: Usage {
            input_tokens: 10,
            output_tokens: u64::from(u32::MAX) + 5,
            cached_input_tokens: 1,
            cache_write_tokens: 2,
            reasoning_tokens: 3,
        },
        error_code: None,
        error_message: Some("é"),
        metadata: &[],
    }
}

fn text<'c>(c: &'c PackedChunk<'_>, start: u32, len: u32) -> &'c str {
    let (a, n) = (start as usize, len as usize);
    std::str::from_utf8(&c.text[a..a + n]).expect("utf-8 span")
}

#[test]
fn a_row_packs_into_the_documented_words() {
    let mut p = Packer::default();
    let c = p.pack(&[row("r1", Some("hi"))]).expect("packs");
    assert_eq!(c.rows, 1);
    assert_eq!(c.words.len(), ROW_WORDS);
    let w = c.words;
    assert_eq!(&w[..6], &[3, 7, 2, 3, 0b1001, 2]);
    assert_eq!(&w[6..16], &[10, 0, 4, 1, 1, 0, 2, 0, 3, 0]);
    assert_eq!(text(&c, w[16], w[17]), "r1");
    assert_eq!(text(&c, w[18], w[19]), "openai");
    assert_eq!(text(&c, w[20], w[21]), "gpt-x");
    assert_eq!((w[22], w[23]), (u32::MAX, 0), "no snapshot");
    assert_eq!(text(&c, w[24], w[25]), "hi");
    assert_eq!(text(&c, w[26], w[27]), "length");
    assert_eq!((w[28], w[29]), (u32::MAX, 0), "no error code");
    assert_eq!(text(&c, w[30], w[31]), "é");
    assert_eq!(&w[32..36], &[0, 0, 0, 0], "no prompt, no metadata");
}

#[test]
fn prompt_and_metadata_go_to_the_span_table_after_the_last_row() {
    let msgs = [
        Message {
            role: "system",
            content: "be brief",
        },
        Message {
            role: "user",
            content: "2+2?",
        },
    ];
    let meta = [("team", "search")];
    let mut first = row("a", None);
    first.metadata = &meta;
    let mut second = row("b", Some(""));
    second.prompt = &msgs;
    second.metadata = &meta;
    let mut p = Packer::default();
    let c = p.pack(&[first, second]).expect("packs");
    let w = c.words;
    assert_eq!(w.len(), 2 * ROW_WORDS + 4 * 4);
    assert_eq!(&w[32..36], &[0, 0, 0, 1], "row 0: no prompt, metadata entry 0");
    assert_eq!((w[24], w[25]), (u32::MAX, 0), "row 0: no response");
    let r1 = &w[ROW_WORDS..2 * ROW_WORDS];
    assert_eq!(text(&c, r1[24], r1[25]), "", "an empty response is present");
    assert_eq!(
        &r1[32..36],
        &[1, 2, 3, 1],
        "row 1: prompt entries 1-2, metadata entry 3"
    );
    let span = |i: usize| {
        let e = &w[2 * ROW_WORDS + 4 * i..][..4];
        (text(&c, e[0], e[1]), text(&c, e[2], e[3]))
    };
    assert_eq!(span(0), ("team", "search"));
    assert_eq!(span(1), ("system", "be brief"));
    assert_eq!(span(2), ("user", "2+2?"));
    assert_eq!(span(3), ("team", "search"));
}

#[test]
fn a_packer_reused_for_a_smaller_chunk_keeps_nothing_of_the_last() {
    let mut p = Packer::default();
    let big = vec![row("x", Some("a long response")); 3];
    assert_eq!(p.pack(&big).expect("packs").words.len(), 3 * ROW_WORDS);
    let c = p.pack(&[row("y", None)]).expect("packs");
    assert_eq!(c.words.len(), ROW_WORDS);
    assert_eq!(c.text, "yopenaigpt-xlengthé".as_bytes());
}

#[test]
fn an_observation_packs_into_the_documented_words() {
    use crate::judge::bindings::types::{Observation, SlimVerdict};
    let usage = |n: u64| Usage {
        input_tokens: n,
        output_tokens: 0,
        cached_input_tokens: 0,
        cache_write_tokens: 0,
        reasoning_tokens: 1 << 32,
    };
    let obs = Observation {
        index: 5,
        segment: 1,
        status: RowStatus::Expired,
        flags: RowFlags::RETRIED,
        model: 2,
        snapshot: Some(0),
        attempt: 3,
        usage: usage(7),
        retry_usage: usage(8),
        verdict: Some(SlimVerdict {
            score: Some(0.5),
            label: Some("é"),
            passed: true,
        }),
        validated: Some(false),
    };
    let bare = Observation {
        snapshot: None,
        verdict: None,
        validated: None,
        ..obs.clone()
    };
    let mut p = ObservationPacker::default();
    let b = p.pack(&[obs, bare]).expect("packs");
    assert_eq!(b.count, 2);
    assert_eq!(b.words.len(), 2 * OBSERVATION_WORDS);
    let w = &b.words[..OBSERVATION_WORDS];
    assert_eq!(&w[..9], &[5, 0, 1, 4, 0b10, 2, 1, 0, 3]);
    assert_eq!(&w[9..19], &[7, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
    assert_eq!(&w[19..21], &[8, 0]);
    let bits = 0.5f64.to_bits();
    assert_eq!(&w[29..38], &[1, 1, bits as u32, (bits >> 32) as u32, 0, 2, 1, 1, 0]);
    assert_eq!(b.text, "é".as_bytes());
    let w = &b.words[OBSERVATION_WORDS..];
    assert_eq!(&w[6..8], &[0, 0], "no snapshot");
    assert_eq!(&w[29..38], &[0; 9], "no verdict, not validated");
}

/// A text is refused once a span's start or end could not be told apart
/// from the absent marker or would not fit 32 bits; every length below is
/// packed.
#[test]
fn a_text_fits_the_layout_exactly_below_the_absent_marker() {
    for len in [0, 1, (NONE - 1) as usize] {
        assert!(fits(len).is_ok(), "{len}");
    }
    for len in [NONE as usize, NONE as usize + 1, 1 << 40] {
        assert!(matches!(fits(len), Err(TooLarge(n)) if n == len), "{len}");
    }
}
