//! Unit tests for `entropy`.

use super::*;

fn row_u64s(e: &mut Entropy, id: &str, n: usize) -> Vec<u64> {
    e.begin_call(&[id]);
    (0..n)
        .map(|_| random::Host::get_random_u64(e).expect("a row may read"))
        .collect()
}

#[test]
fn a_rows_stream_depends_on_seed_judge_and_row_only() {
    let mut a = Entropy::new(7, "j", "aa");
    let mut b = Entropy::new(7, "j", "aa");
    // b has read other rows first: history does not matter.
    row_u64s(&mut b, "other", 3);
    assert_eq!(row_u64s(&mut a, "r1", 4), row_u64s(&mut b, "r1", 4));
    assert_ne!(row_u64s(&mut a, "r1", 4), row_u64s(&mut a, "r2", 4));
    assert_ne!(
        row_u64s(&mut a, "r1", 4),
        row_u64s(&mut Entropy::new(8, "j", "aa"), "r1", 4)
    );
    assert_ne!(
        row_u64s(&mut a, "r1", 4),
        row_u64s(&mut Entropy::new(7, "k", "aa"), "r1", 4)
    );
    assert_ne!(
        row_u64s(&mut a, "r1", 4),
        row_u64s(&mut Entropy::new(7, "j", "ab"), "r1", 4)
    );
}

#[test]
fn values_do_not_repeat() {
    let mut e = Entropy::new(0, "j", "aa");
    let mut seen = std::collections::HashSet::new();
    for r in 0..100 {
        seen.extend(row_u64s(&mut e, &format!("r{r}"), 100));
    }
    assert_eq!(seen.len(), 10_000);
}

#[test]
fn a_multi_row_call_refuses_reads_and_says_so() {
    let mut e = Entropy::new(0, "j", "aa");
    e.begin_call(&["a", "b"]);
    let err = random::Host::get_random_u64(&mut e).expect_err("refused");
    assert!(err.to_string().contains("scoring 2 rows in one call"), "{err}");
    assert!(e.refused);
    assert!(insecure::Host::get_insecure_random_bytes(&mut e, 4).is_err());
    // The seed is not a stream: it stays readable.
    assert!(insecure_seed::Host::insecure_seed(&mut e).is_ok());
    e.begin_call(&["a"]);
    assert!(!e.refused);
    let err = random::Host::get_random_bytes(&mut e, MAX_RANDOM_BYTES + 1).expect_err("too many");
    assert!(err.to_string().contains("the limit is 1048576"), "{err}");
}
