//! Contract tests of the plain-number read: exactly serde_json's value where it
//! answers, and nothing but plain numbers answered.

/// serde_json's reading of `token`, as the reader's `Num`.
fn serde_number(token: &str) -> Option<super::Num> {
    let n: serde_json::Number = serde_json::from_str(token).ok()?;
    match (n.as_u64(), n.as_i64(), n.as_f64()) {
        (Some(u), _, _) => Some(super::Num::U(u)),
        (None, Some(i), _) => Some(super::Num::I(i)),
        (None, None, f) => f.map(super::Num::F),
    }
}

fn same_num(a: &super::Num, b: &super::Num) -> bool {
    use super::Num::{F, I, U};
    match (a, b) {
        (U(x), U(y)) => x == y,
        (I(x), I(y)) => x == y,
        (F(x), F(y)) => x.to_bits() == y.to_bits(),
        _ => false,
    }
}

#[test]
fn a_plain_number_reads_as_serde_json_reads_it() {
    let fixed = [
        "0",
        "7",
        "42",
        "0.83",
        "0.5",
        "-0.5",
        "-0.0",
        "0.0",
        "1.0",
        "12.50",
        "999999999999999",
        "0.00000000000001",
        "0.9999999999999",
        "123456789.012345",
        "-987654.321",
        "0.1",
        "0.2",
        "0.3",
        "2.675",
    ];
    let mut seen = 0;
    for t in fixed {
        let fast = super::stream::plain_number(t.as_bytes()).unwrap_or_else(|| panic!("{t} is plain"));
        let slow = serde_number(t).expect("serde_json reads it");
        assert!(same_num(&fast, &slow), "{t}: {fast:?} vs {slow:?}");
        seen += 1;
    }
    // Every split of random 1-15 digit strings into integer and fraction parts.
    let mut x = 0x9e37_79b9_7f4a_7c15u64;
    for _ in 0..20_000 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let len = (x % 15 + 1) as usize;
        let digits: String = (0..len)
            .map(|i| char::from(b'0' + ((x >> (i * 4)) % 10) as u8))
            .collect();
        let split = (x >> 60) as usize % len;
        let int = digits[..=split].trim_start_matches('0');
        let int = if int.is_empty() { "0" } else { int };
        let t = if split + 1 == len {
            int.to_owned()
        } else {
            format!("{int}.{}", &digits[split + 1..])
        };
        let t = if x & 1 == 1 && t.contains('.') {
            format!("-{t}")
        } else {
            t
        };
        let slow = serde_number(&t).expect("serde_json reads it");
        let fast = super::stream::plain_number(t.as_bytes()).unwrap_or_else(|| panic!("{t} is plain"));
        assert!(same_num(&fast, &slow), "{t}: {fast:?} vs {slow:?}");
        seen += 1;
    }
    assert!(seen > 20_000);
}

#[test]
fn anything_but_a_plain_number_is_left_to_serde_json() {
    for t in [
        "",
        "-",
        "01",
        "-01",
        "1.",
        ".5",
        "1e5",
        "1E5",
        "1.5e-3",
        "-3",
        "1.2.3",
        "+1",
        "--1",
        "1-",
        "0x10",
        "1234567890123456",
        "0.1234567890123456",
    ] {
        assert!(
            super::stream::plain_number(t.as_bytes()).is_none(),
            "{t:?} must not be read here"
        );
    }
}
