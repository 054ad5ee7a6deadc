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
    assert_eq!(ix.offset(123), Some(1230));
    assert_eq!(ix.line(123), 124);
    assert_eq!(ix.id(99_999), "");
    assert_eq!(ix.insert("", 0, 0), Ok(10_000));
    assert_eq!(ix.get(""), Some(10_000));
    assert_eq!(ix.id(10_000), "");
    ix.shrink_to_fit();
    let per_row = ix.heap_bytes().saturating_sub(ix.arena.capacity()) / ix.len();
    assert!(per_row <= 20, "{per_row} bytes/row");
}

#[test]
fn an_index_without_offsets_has_none_and_costs_4_bytes_less_a_row() {
    let (mut with, mut without) = (InputIndex::new(), InputIndex::without_offsets());
    for i in 0..10_000u64 {
        let id = format!("row-{i}");
        assert_eq!(with.insert(&id, i * 10, i + 1), Ok(i as u32));
        assert_eq!(without.insert(&id, i * 10, i + 1), Ok(i as u32));
    }
    with.shrink_to_fit();
    without.shrink_to_fit();
    assert_eq!(without.offset(123), None);
    assert_eq!(
        (without.id(123), without.line(123), without.get("row-5")),
        ("row-123", 124, Some(5))
    );
    assert_eq!(with.heap_bytes() - without.heap_bytes(), 4 * 10_000 + 8);
    let opts = ReadOptions {
        offsets: false,
        ..ReadOptions::default()
    };
    assert_eq!(InputIndex::for_options(&opts).offset(0), None);
    // Built with offsets, then dropped (an index started early): the same
    // answers and the same memory as one built without.
    with.drop_offsets();
    assert_eq!(with.offset(123), None);
    assert_eq!(
        (with.id(123), with.line(123), with.get("row-5")),
        ("row-123", 124, Some(5))
    );
    assert_eq!(with.heap_bytes(), without.heap_bytes());
}

/// Sized up front, the hash table costs under 5 bytes a row (a power-of-two
/// table for 100k rows is 2^18 slots of 5 bytes: 13 bytes a row).
#[test]
fn a_reserved_index_costs_under_9_bytes_a_row_besides_its_ids() {
    let mut ix = InputIndex::without_offsets();
    ix.reserve(100_000, 10);
    for i in 0..100_000u64 {
        assert_eq!(ix.insert(&format!("row-{i}"), 0, i + 1), Ok(i as u32));
    }
    ix.shrink_to_fit();
    let per_row = (ix.heap_bytes() - ix.arena.capacity()) as f64 / 100_000.0;
    assert!(per_row < 9.0, "{per_row} bytes/row");
    assert_eq!((ix.get("row-99999"), ix.get("row-100000")), (Some(99_999), None));
}
