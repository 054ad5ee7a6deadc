use super::*;

#[test]
fn insert_get_and_duplicates() {
    let mut ix = InputIndex::new();
    for i in 0..10_000u64 {
        assert_eq!(ix.insert(&format!("row-{i}"), i * 10, i + 1), Ok(i as u32));
    }
    assert_eq!(ix.insert("row-42", 0, 0), Err(42));
    assert_eq!(ix.try_insert("row-7", 0, 0), Err(InsertError::Duplicate(7)));
    assert_eq!(ix.len(), 10_000);
    assert_eq!(ix.get("row-9999"), Some(9999));
    assert_eq!(ix.get("row-10000"), None);
    assert_eq!(ix.id(123), "row-123");
    assert_eq!(ix.offset(123), 1230);
    assert_eq!(ix.line(123), 124);
    assert_eq!(ix.id(99_999), "");
    assert_eq!(ix.insert("", 0, 0), Ok(10_000));
    assert_eq!(ix.get(""), Some(10_000));
    assert_eq!(ix.id(10_000), "");
    ix.shrink_to_fit();
    let per_row = ix.heap_bytes().saturating_sub(ix.arena.capacity()) / ix.len();
    assert!(per_row <= 20, "{per_row} bytes/row");
}
