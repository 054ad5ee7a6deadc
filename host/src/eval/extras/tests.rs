//! Reading request lines back for prompts and metadata: the windowed reader
//! agrees with the one-line reader, whatever the order, line length or end.

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
    let settled = Settled {
        provider: Provider::OpenAi,
        input_body: false,
        has_text: true,
    };
    let src = RequestSource::open(&path, &settled, Arc::new(index), (true, true), 1 << 20, 1 << 30).expect("open");
    let idxs = [3, 0, 2, 1, 0];
    let many = src.read_many(&idxs);
    assert_eq!(many.len(), idxs.len());
    for (e, &idx) in many.iter().zip(&idxs) {
        let one = src.read_one(idx);
        assert_eq!((&e.messages, &e.metadata), (&one.messages, &one.metadata), "row {idx}");
        assert_eq!(
            e.metadata,
            [("k".to_string(), ["a", "b", "c", "d"][idx as usize].to_string())]
        );
    }
    assert_eq!(many[3].messages[0].1.len(), long.len());
    assert_eq!(many[0].messages[0].1, "last");
}
