use super::*;
use crate::bindings::exports::assay::judge0_2_0::packed_aggregator::PackedObservations;

/// One row in the documented layout: id "r1", provider "p", model "m",
/// response "hé", no other strings; prompt entries 0-1, metadata entry 2.
fn chunk() -> PackedChunk {
    let text = "r1pmhésysbe briefuserhi?kv".as_bytes().to_vec();
    let mut words = vec![3, 7, 2, 3, 0b1001, 2, 10, 0, 4, 1, 1, 0, 2, 0, 3, 0];
    words.extend([0, 2, 2, 1, 3, 1, NONE, 0, 4, 3, NONE, 0, NONE, 0, NONE, 0]);
    words.extend([0, 2, 2, 1]);
    words.extend([7, 3, 10, 8, 18, 4, 22, 3, 25, 1, 26, 1]);
    PackedChunk { rows: 1, words, text }
}

#[test]
fn a_chunk_decodes_into_the_row_score_batch_would_get() {
    let rows = decode(&chunk()).expect("decodes");
    assert_eq!(rows.len(), 1);
    let r = &rows[0];
    assert_eq!((r.index, r.segment, r.attempt), ((7 << 32) | 3, 2, 2));
    assert_eq!(r.status, RowStatus::Timeout);
    assert_eq!(r.flags, RowFlags::TRUNCATED | RowFlags::DUPLICATE);
    assert_eq!(r.usage.input_tokens, 10);
    assert_eq!(r.usage.output_tokens, (1 << 32) | 4);
    assert_eq!(r.usage.reasoning_tokens, 3);
    assert_eq!((r.id.as_str(), r.provider.as_str(), r.model.as_str()), ("r1", "p", "m"));
    assert_eq!(r.response.as_deref(), Some("hé"));
    assert_eq!((r.snapshot.as_deref(), r.finish_reason.as_deref()), (None, None));
    let prompt: Vec<_> = r.prompt.iter().map(|m| (m.role.as_str(), m.content.as_str())).collect();
    assert_eq!(prompt, [("sys", "be brief"), ("user", "hi?")]);
    assert_eq!(r.metadata, [("k".to_owned(), "v".to_owned())]);
}

/// The chunk with `edit` made: decoding it into rows and into views both
/// fail, with one message.
fn broken(edit: impl FnOnce(&mut PackedChunk)) -> String {
    let mut c = chunk();
    edit(&mut c);
    let e = decode(&c).expect_err("a broken chunk is refused");
    assert_eq!(map_views(&c, |v| *v).err(), Some(e.clone()));
    e
}

/// Views are read one row at a time: a chunk whose second row breaks the
/// layout is refused naming that row, after the first row's view was seen.
#[test]
fn views_stop_at_the_first_row_that_breaks_the_layout() {
    let mut c = chunk();
    let (row, spans) = c.words.split_at(ROW_WORDS);
    let mut second = row.to_vec();
    second[3] = 99;
    c.words = [row, &second, spans].concat();
    c.rows = 2;
    let mut seen = Vec::new();
    let e = map_views(&c, |v| seen.push(v.id)).expect_err("row 1 is broken");
    assert_eq!(e, "packed chunk, row 1: status 99 is not a row-status");
    assert_eq!(seen, ["r1"]);
    assert_eq!(decode(&c).err(), Some(e));
}

#[test]
fn a_chunk_that_breaks_the_layout_is_refused_naming_what_broke() {
    let e = broken(|c| c.rows = 2);
    assert!(e.contains("2 rows need 36 words each, got 48"), "{e}");
    let e = broken(|c| c.words.push(0));
    assert!(e.contains("span table has 13 words"), "{e}");
    let e = broken(|c| c.words[3] = 8);
    assert!(e.contains("row 0: status 8 is not a row-status"), "{e}");
    let e = broken(|c| c.words[4] = 1 << 4);
    assert!(e.contains("row 0: flags 0x10 set a bit past row-flags"), "{e}");
    let e = broken(|c| c.words[17] = 100);
    assert!(e.contains("row 0: span (0, 100) is outside the text"), "{e}");
    // "hé": the é starts at byte 5 and is two bytes long.
    let e = broken(|c| c.words[25] = 2);
    assert!(e.contains("splits a character"), "{e}");
    let e = broken(|c| c.words[16] = NONE);
    assert!(e.contains("row 0: id is absent"), "{e}");
    let e = broken(|c| c.words[35] = 2);
    assert!(e.contains("row 0: span entries 2+2 are outside the span table"), "{e}");
    // Only a debug build checks the text (`packed::text`): a release build
    // trusts the host, as wit-bindgen's own string lifting does.
    if cfg!(debug_assertions) {
        let e = broken(|c| c.text[0] = 0xff);
        assert!(e.contains("text is not UTF-8"), "{e}");
    }
}

#[test]
fn a_chunk_views_as_the_rows_it_decodes_into() {
    let c = chunk();
    let rows = decode(&c).expect("decodes");
    let views = map_views(&c, |v| *v).expect("views");
    assert_eq!(views.len(), 1);
    let v = &views[0];
    assert_eq!(format!("{:?}", v.to_row()), format!("{:?}", rows[0]));
    assert_eq!(
        format!("{:?}", RowView::of(&rows[0]).to_row()),
        format!("{:?}", rows[0])
    );
    assert_eq!((v.id, v.response, v.snapshot), ("r1", Some("hé"), None));
    assert_eq!(
        v.prompt.iter().collect::<Vec<_>>(),
        [("sys", "be brief"), ("user", "hi?")]
    );
    assert_eq!(v.metadata.iter().collect::<Vec<_>>(), [("k", "v")]);
    assert_eq!((v.prompt.len(), v.metadata.len()), (2, 1));
    // The view borrows the chunk's text: the response is the chunk's bytes.
    let text = c.text.as_ptr_range();
    assert!(text.contains(&v.response.expect("a response").as_ptr()));
}

#[test]
fn a_prompt_span_that_breaks_the_layout_is_refused_by_views_too() {
    // Entry 1's content, "hi?" at 22: now past the text's end.
    let e = broken(|c| c.words[42] = 40);
    assert!(e.contains("row 0: span (40, 3) is outside the text"), "{e}");
}

/// An empty prompt or metadata list holds no span: its `first` is not read.
#[test]
fn an_empty_pair_list_is_empty_wherever_it_points() {
    let mut c = chunk();
    c.words[32..36].copy_from_slice(&[9999, 0, u32::MAX, 0]);
    let r = &decode(&c).expect("decodes")[0];
    assert!(r.prompt.is_empty() && r.metadata.is_empty());
    let views = map_views(&c, |v| (v.prompt.len(), v.metadata.len())).expect("views");
    assert_eq!(views, [(0, 0)]);
}

#[test]
fn an_empty_chunk_decodes_into_no_rows() {
    let c = PackedChunk {
        rows: 0,
        words: Vec::new(),
        text: Vec::new(),
    };
    assert_eq!(decode(&c).expect("decodes").len(), 0);
}

#[test]
fn decoding_into_last_chunks_rows_leaves_nothing_of_them() {
    let mut pool = decode(&chunk()).expect("decodes");
    let mut stale = pool[0].clone();
    stale.snapshot = Some("old snapshot".into());
    stale.error_code = Some("old".into());
    stale.prompt.push(stale.prompt[0].clone());
    stale.metadata.clear();
    pool = vec![stale.clone(), stale];
    let mut c = chunk();
    // This time: no prompt, no response.
    c.words[33] = 0;
    c.words[24] = NONE;
    let got = decode_into(&c, &mut pool).expect("decodes");
    let fresh = decode(&c).expect("decodes");
    assert_eq!(format!("{got:?}"), format!("{fresh:?}"));
    assert_eq!(got.len(), 1);
    assert!(got[0].prompt.is_empty() && got[0].response.is_none() && got[0].snapshot.is_none());
    assert_eq!(got[0].metadata, [("k".to_owned(), "v".to_owned())]);
    // The spare row stays for the next, longer chunk.
    assert_eq!(pool.len(), 2);
}

fn observations() -> PackedObservations {
    let mut words = vec![5, 0, 1, 4, 0b10, 2, 1, 9, 3];
    words.extend([7, 0, 0, 0, 0, 0, 0, 0, 0, 1]);
    words.extend([8, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    let bits = 0.5f64.to_bits();
    words.extend([1, 1, bits as u32, (bits >> 32) as u32, 0, 2, 1, 1, 0]);
    PackedObservations {
        count: 1,
        words,
        text: "é".as_bytes().to_vec(),
    }
}

fn seen(batch: &PackedObservations) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    observations::for_each(batch, |o| out.push(format!("{o:?}")))?;
    Ok(out)
}

#[test]
fn packed_observations_decode_into_what_observe_would_get() {
    let out = seen(&observations()).expect("decodes");
    assert_eq!(out.len(), 1);
    for part in [
        "index: 5",
        "status: RowStatus::Expired",
        "flags: RowFlags(RETRIED)",
        "snapshot: Some(9)",
        "attempt: 3",
        "reasoning-tokens: 4294967296",
        "retry-usage: Usage { input-tokens: 8",
        "verdict: Some(SlimVerdict { score: Some(0.5), label: Some(\"é\"), passed: true })",
        "validated: Some(false)",
    ] {
        assert!(out[0].contains(part), "{part} not in {}", out[0]);
    }
}

#[test]
fn packed_observations_that_break_the_layout_are_refused() {
    let broken = |edit: &dyn Fn(&mut PackedObservations)| {
        let mut b = observations();
        edit(&mut b);
        seen(&b).expect_err("refused")
    };
    let e = broken(&|b| b.count = 2);
    assert!(e.contains("2 observations need 38 words each, got 38"), "{e}");
    let e = broken(&|b| b.words[36] = 3);
    assert!(e.contains("observation 0: word 36 is 3, not 0, 1 or 2"), "{e}");
    let e = broken(&|b| b.words[34] = 1);
    assert!(
        e.contains("observation 0: label span (0, 1) is outside the text or splits a character"),
        "{e}"
    );
    let e = broken(&|b| b.words[3] = 9);
    assert!(e.contains("observation 0: status 9 is not a row-status"), "{e}");
}
