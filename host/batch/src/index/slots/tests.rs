use std::hash::BuildHasher;

use foldhash::fast::RandomState;

use super::*;

fn ids(n: u32) -> Vec<String> {
    (0..n).map(|i| format!("id-{i}")).collect()
}

/// Inserts `ids` in order, growing as needed; returns the table.
fn filled(ids: &[String], hasher: &RandomState) -> Slots {
    let mut t = Slots::default();
    for (row, id) in ids.iter().enumerate() {
        t.make_room(1, |r| hasher.hash_one(&ids[r as usize]));
        let hash = hasher.hash_one(id);
        match t.probe(hash, |r| ids[r as usize] == *id) {
            Probe::Vacant(slot) => t.insert(slot, hash, row as u32),
            Probe::Found(r) => panic!("{id} found at {r} before it was inserted"),
        }
    }
    t
}

#[test]
fn finds_every_row_after_growth_and_nothing_else() {
    let hasher = RandomState::default();
    let ids = ids(50_000);
    let t = filled(&ids, &hasher);
    for (row, id) in ids.iter().enumerate() {
        assert_eq!(
            t.find(hasher.hash_one(id), |r| ids[r as usize] == *id),
            Some(row as u32)
        );
    }
    assert_eq!(
        t.find(hasher.hash_one("id-50000"), |r| ids[r as usize] == "id-50000"),
        None
    );
    assert!(
        t.slots.len() <= slots_for(50_000 + 50_000 / 2),
        "{} slots",
        t.slots.len()
    );
}

#[test]
fn a_table_sized_up_front_costs_under_5_bytes_a_row_and_never_rebuilds() {
    let hasher = RandomState::default();
    let ids = ids(100_000);
    let mut t = Slots::default();
    t.reserve_total(ids.len(), |_| unreachable!("nothing to rehash yet"));
    let cap = t.slots.len();
    for (row, id) in ids.iter().enumerate() {
        t.make_room(1, |_| panic!("rebuilt at row {row}"));
        let hash = hasher.hash_one(id);
        let Probe::Vacant(slot) = t.probe(hash, |r| ids[r as usize] == *id) else {
            panic!("{id} found before it was inserted")
        };
        t.insert(slot, hash, row as u32);
    }
    assert_eq!(t.slots.len(), cap);
    assert!(t.heap_bytes() < 5 * ids.len(), "{} bytes", t.heap_bytes());
    assert_eq!(
        t.find(hasher.hash_one("id-777"), |r| ids[r as usize] == "id-777"),
        Some(777)
    );
}

#[test]
fn equal_hashes_still_tell_ids_apart() {
    // Every id hashed alike: the table degrades to a scan but stays right.
    let ids = ids(300);
    let mut t = Slots::default();
    for (row, id) in ids.iter().enumerate() {
        t.make_room(1, |_| 42);
        let Probe::Vacant(slot) = t.probe(42, |r| ids[r as usize] == *id) else {
            panic!("{id} found before it was inserted")
        };
        t.insert(slot, 42, row as u32);
    }
    for (row, id) in ids.iter().enumerate() {
        assert_eq!(t.find(42, |r| ids[r as usize] == *id), Some(row as u32));
    }
    assert_eq!(t.find(42, |_| false), None);
}

#[test]
fn shrink_gives_back_an_oversized_reserve_and_keeps_every_row() {
    let hasher = RandomState::default();
    let ids = ids(1_000);
    let mut t = Slots::default();
    t.reserve_total(100_000, |_| 0);
    for (row, id) in ids.iter().enumerate() {
        let hash = hasher.hash_one(id);
        let Probe::Vacant(slot) = t.probe(hash, |r| ids[r as usize] == *id) else {
            panic!("{id} found before it was inserted")
        };
        t.insert(slot, hash, row as u32);
    }
    t.shrink(|r| hasher.hash_one(&ids[r as usize]));
    assert_eq!(t.slots.len(), slots_for(1_000 + 1_000 / 8));
    for (row, id) in ids.iter().enumerate() {
        assert_eq!(
            t.find(hasher.hash_one(id), |r| ids[r as usize] == *id),
            Some(row as u32)
        );
    }
}

#[test]
fn sizes_hold_their_rows_and_no_more_than_needed() {
    for rows in [0usize, 1, 6, 7, 8, 100, 1_000_003] {
        let cap = slots_for(rows);
        assert!(max_rows(cap) >= rows, "{rows}");
        assert!(cap == 0 || max_rows(cap - 1) < rows, "{rows}: {cap} is not the fewest");
    }
}
