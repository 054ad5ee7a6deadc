//! Worker helpers: block-local name ids, and reading request lines back for
//! prompts and metadata (the windowed reader
//! agrees with the one-line reader, whatever the order, line length or end).

use super::*;

fn line(id: &str, text: &str) -> String {
    format!(
        r#"{{"custom_id":"{id}","method":"POST","url":"/v1/chat/completions","body":{{"model":"m","metadata":{{"k":"{id}"}},"messages":[{{"role":"user","content":"{text}"}}]}}}}"#
    )
}

#[test]
fn windowed_reads_match_single_line_reads() {
    let dir = tempfile::tempdir().expect("tmp");
    let path = dir.path().join("in.jsonl");
    let long = "x".repeat(40 * 1024);
    let lines = [line("a", "hi"), line("b", &long), line("c", "mid"), line("d", "last")];
    // The last line has no newline after it.
    std::fs::write(&path, lines.join("\n")).expect("write");
    let mut index = InputIndex::new();
    let mut offset = 0u64;
    for (n, l) in lines.iter().enumerate() {
        let id = ["a", "b", "c", "d"][n];
        index.try_insert(id, offset, n as u64 + 1).expect("insert");
        offset += l.len() as u64 + 1;
    }
    let ctx = WorkerCtx {
        index: Arc::new(index),
        final_set: Arc::new(AtomicBitSet::new(4)),
        segment_size: 10,
        chunk_rows: 2,
        provider: Provider::OpenAi,
        provider_opts: ProviderOptions::default(),
        input_body: false,
        needs_prompt: true,
        needs_metadata: true,
        input: Arc::new(File::open(&path).expect("open")),
        input_path: path.clone(),
        max_line_bytes: 1 << 20,
        scorer_needs: Vec::new(),
        sync: None,
    };
    let idxs = [3, 0, 2, 1, 0];
    let many = read_extras_many(&ctx, &idxs);
    assert_eq!(many.len(), idxs.len());
    for (e, &idx) in many.iter().zip(&idxs) {
        let one = read_extras(&ctx, idx);
        assert_eq!((&e.messages, &e.metadata), (&one.messages, &one.metadata), "row {idx}");
        assert_eq!(
            e.metadata,
            [("k".to_string(), ["a", "b", "c", "d"][idx as usize].to_string())]
        );
    }
    assert_eq!(many[3].messages[0].1.len(), long.len());
    assert_eq!(many[0].messages[0].1, "last");
}

#[test]
fn block_names_number_from_one_in_order_of_first_appearance() {
    let mut n = BlockNames::default();
    assert_eq!(n.local(None), 0);
    assert_eq!(n.local(Some("gpt-b")), 1);
    assert_eq!(n.local(Some("fp_1")), 2);
    assert_eq!(n.local(Some("gpt-b")), 1);
    assert_eq!(n.local(Some("gpt-a")), 3);
    assert_eq!(n.into_names(), ["gpt-b", "fp_1", "gpt-a"]);
}
