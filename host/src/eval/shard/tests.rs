use super::*;

#[test]
fn specs_parse_and_bad_ones_are_refused_with_a_reason() {
    assert_eq!("0/1".parse(), Ok(Shard { index: 0, count: 1 }));
    assert_eq!("6/7".parse(), Ok(Shard { index: 6, count: 7 }));
    assert!(matches!("7/7".parse::<Shard>(), Err(ShardError::Index { last: 6, .. })));
    assert!(matches!("0/0".parse::<Shard>(), Err(ShardError::Count(_))));
    for bad in ["", "1", "a/2", "1/b", "-1/2", "1/2/3"] {
        assert!(matches!(bad.parse::<Shard>(), Err(ShardError::Syntax(_))), "{bad}");
    }
    let e = "3/2".parse::<Shard>().err().map(|e| e.to_string()).unwrap_or_default();
    assert!(e.contains("below N"), "{e}");
}

#[test]
fn the_id_hash_is_fixed_by_its_definition() {
    // Computed apart (Python's hashlib: sha256(id)[:8] big endian, mod 7). These
    // must never change, or partials from one version would not merge with another's.
    let got: Vec<u32> = ["row-0", "row-1", "row-2", "req-42"]
        .iter()
        .map(|id| of_id(id, 7))
        .collect();
    assert_eq!(got, [0, 5, 3, 1]);
}

#[test]
fn every_id_and_line_has_exactly_one_shard() {
    for n in [1u32, 2, 7] {
        let shards: Vec<Shard> = (0..n).map(|index| Shard { index, count: n }).collect();
        for k in 0..500u64 {
            let id = format!("row-{k}");
            assert_eq!(shards.iter().filter(|s| s.owns_id(&id)).count(), 1);
            assert_eq!(shards.iter().filter(|s| s.owns_line(k + 1)).count(), 1);
        }
        assert_eq!(shards.iter().filter(|s| s.carries_run_facts()).count(), 1);
    }
}
