//! The block search against the plain one it replaced (kept here as the
//! oracle), at every offset around block boundaries.

use super::{BLOCK, mask, mask_words, near_end, short_end, string_end, walk};

/// The plain search: the first `"` or `\\` from `from`, a word at a time
/// for 32 bytes, then by `memchr2`.
fn quote_or_backslash(s: &[u8], from: usize) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let mut i = from;
    while i < from + 32 {
        let Some(word) = s.get(i..i + 8).and_then(|w| <[u8; 8]>::try_from(w).ok()) else {
            return s[i..].iter().position(|&b| b == b'"' || b == b'\\').map(|p| i + p);
        };
        let w = u64::from_le_bytes(word);
        let (q, b) = (w ^ (ONES * u64::from(b'"')), w ^ (ONES * u64::from(b'\\')));
        // A byte of `q` or `b` is zero where `w` holds the byte sought; the
        // lowest flagged byte is exact (a borrow can only flag bytes above it).
        let found = ((q.wrapping_sub(ONES) & !q) | (b.wrapping_sub(ONES) & !b)) & HIGH;
        if found != 0 {
            return Some(i + (found.trailing_zeros() / 8) as usize);
        }
        i += 8;
    }
    memchr::memchr2(b'"', b'\\', &s[i..]).map(|p| i + p)
}

/// The oracle: the string walk as it was, searching again after each escape.
fn reference(s: &[u8], from: usize) -> Option<(usize, bool)> {
    let (mut i, mut escaped) = (from, false);
    loop {
        let k = quote_or_backslash(s, i)?;
        if s[k] == b'"' {
            return Some((k, escaped));
        }
        escaped = true;
        i = match *s.get(k + 1)? {
            b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't' => k + 2,
            b'u' if s.get(k + 2..k + 6)?.iter().all(u8::is_ascii_hexdigit) => k + 6,
            _ => return None,
        };
    }
}

fn rng(mut seed: u64) -> impl FnMut(usize) -> usize {
    move |n| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % n as u64) as usize
    }
}

/// `string_end` equals the oracle on `s` from every start, and so do both
/// block walks (`string_end` takes the AVX2 one on a CPU that has it).
fn check_all_starts(s: &[u8]) {
    for from in 0..=s.len() {
        let want = reference(s, from);
        let shown = || format!("{:?} from {from}", String::from_utf8_lossy(s));
        assert_eq!(string_end(s, from), want, "{}", shown());
        assert_eq!(walk::<false>(s, from), want, "plain walk: {}", shown());
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU has AVX2, checked just above.
            assert_eq!(unsafe { super::walk_avx2(s, from) }, want, "AVX2 walk: {}", shown());
        }
    }
}

#[test]
fn quote_or_backslash_finds_the_first_one() {
    let mut rand = rng(0x853c_49e6_748f_ea9b);
    let alphabet = b"ab\"\\\x80\xff\x21\x5b\x5d\x01 ";
    for _ in 0..5_000 {
        let len = rand(90);
        let rare = 1 + rand(40);
        let text: Vec<u8> = (0..len)
            .map(|_| match rand(rare) {
                0 => alphabet[rand(4) + 2],
                _ => alphabet[rand(alphabet.len())].max(b'a'),
            })
            .collect();
        for from in 0..=text.len() {
            let want = text[from..]
                .iter()
                .position(|&b| b == b'"' || b == b'\\')
                .map(|p| from + p);
            assert_eq!(quote_or_backslash(&text, from), want, "{text:?} from {from}");
        }
    }
}

/// Every mask builder flags exactly the quotes and backslashes, among all
/// byte values (bytes next to them included).
#[test]
fn masks_flag_exactly_quotes_and_backslashes() {
    let mut rand = rng(0x9e37_79b9_7f4a_7c15);
    for round in 0..20_000 {
        let mut b = [0u8; BLOCK];
        for x in &mut b {
            *x = match rand(4) {
                0 => b'"',
                1 => b'\\',
                _ => rand(256) as u8,
            };
        }
        if round < 256 {
            b = [round as u8; BLOCK];
        }
        let want = (0..BLOCK)
            .filter(|&j| b[j] == b'"' || b[j] == b'\\')
            .fold(0u64, |m, j| m | 1 << j);
        assert_eq!(mask(&b), want, "{b:?}");
        assert_eq!(mask_words(&b), want, "{b:?}");
        #[cfg(target_arch = "x86_64")]
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU has AVX2, checked just above.
            assert_eq!(unsafe { super::mask_avx2(&b) }, want, "{b:?}");
        }
    }
}

/// One token (a quote, escapes valid and not, backslash runs) at every
/// offset 0..130 of a string, with the string ending right after it, a
/// little later or not at all, in slices around one and two blocks long.
#[test]
fn a_token_at_every_offset() {
    let tokens: [&[u8]; 16] = [
        b"\"",
        b"\\\"",
        b"\\\\",
        b"\\\\\"",
        b"\\\\\\\"",
        b"\\\\\\\\\"",
        b"\\\\\\\\\\\"",
        b"\\/\\b\\f\\n\\r\\t",
        b"\\u12aB",
        b"\\u12a",
        b"\\u12a\"",
        b"\\uZZZZ",
        b"\\x",
        b"\\",
        b"\\\"\\\"\\\"",
        b"\xc3\xa9\\\"",
    ];
    for token in tokens {
        for at in 0..130 {
            for tail in [
                &b""[..],
                b"\"",
                b"ab\"",
                b"abcdefgh",
                b"\\\"x\"",
                b"0123456789012345678901234567890123456789012345678901234567890123456789\"",
            ] {
                let mut s = vec![b'a'; at];
                s.extend_from_slice(token);
                s.extend_from_slice(tail);
                check_all_starts(&s);
            }
        }
    }
}

/// Runs of backslashes of each length, then a quote, ending at every offset
/// around block boundaries: an odd run escapes the quote, an even one
/// leaves it closing the string.
#[test]
fn backslash_runs_across_blocks() {
    for run in 1..12 {
        for at in 0..140 {
            let mut s = vec![b'x'; at];
            s.extend(std::iter::repeat_n(b'\\', run));
            s.push(b'"');
            check_all_starts(&s);
            let closed = run % 2 == 0;
            assert_eq!(
                string_end(&s, 0),
                closed.then_some((at + run, true)),
                "run {run} at {at}"
            );
            s.extend_from_slice(b"tail\"");
            check_all_starts(&s);
        }
    }
}

#[test]
fn edge_cases() {
    // Ends exactly at the slice's end, short and longer than a block.
    assert_eq!(string_end(b"abc\"", 0), Some((3, false)));
    let long = [&[b'a'; 127][..], b"\""].concat();
    assert_eq!(string_end(&long, 0), Some((127, false)));
    assert_eq!(string_end(&long, 64), Some((127, false)));
    // Empty string, and nothing left.
    assert_eq!(string_end(b"\"", 0), Some((0, false)));
    assert_eq!(string_end(b"", 0), None);
    assert_eq!(string_end(b"ab", 2), None);
    // Unterminated, with and without escapes, and a quote only escaped.
    assert_eq!(string_end(&[b'a'; 200], 0), None);
    assert_eq!(string_end(b"ab\\\"cd", 0), None);
    assert_eq!(string_end(&[&[b'a'; 70][..], b"\\\""].concat(), 0), None);
    // Invalid escapes, and `\u` cut short at the end.
    for bad in [
        &b"\\a\""[..],
        b"\\U0041\"",
        b"\\'\"",
        b"\\u004\"",
        b"\\u004",
        b"\\u",
        b"\\",
    ] {
        assert_eq!(string_end(bad, 0), None, "{bad:?}");
        let padded = [&[b'a'; 62][..], bad].concat();
        assert_eq!(string_end(&padded, 0), None, "{padded:?}");
    }
    // An escape split by the block boundary (`\` at 63, `u` + hex after).
    let split = [&[b'a'; 63][..], b"\\u00e9\"x"].concat();
    assert_eq!(string_end(&split, 0), Some((69, true)));
    let split = [&[b'a'; 63][..], b"\\\"\""].concat();
    assert_eq!(string_end(&split, 0), Some((65, true)));
    // A `\u` escape whose hex digits hold a quote's position.
    assert_eq!(string_end(b"\\u\"123\"", 0), None);
}

/// Random strings of escapes, quotes and text, up to three blocks long.
#[test]
fn random_strings_match_the_oracle() {
    let mut rand = rng(0x2545_f491_4f6c_dd1d);
    let pieces: [&[u8]; 12] = [
        b"a",
        b"bc",
        b"\\\"",
        b"\\\\",
        b"\\n",
        b"\\u00e9",
        b"\\u12",
        b"\"",
        b"\\",
        b"\\q",
        b"\xc3\xa9",
        b"label",
    ];
    for _ in 0..3_000 {
        let (len, rare) = (rand(200), 1 + rand(30));
        let mut s = Vec::new();
        while s.len() < len {
            let piece = if rand(rare) == 0 {
                pieces[2 + rand(pieces.len() - 2)]
            } else {
                pieces[rand(2)]
            };
            s.extend_from_slice(piece);
        }
        check_all_starts(&s);
    }
}

/// The 16-byte look and the 32-byte one answer only where the search finds
/// the end with no escape before it, and then the same end.
#[test]
fn short_looks_answer_only_what_string_end_answers() {
    type Look = fn(&[u8], usize) -> Option<usize>;
    let looks: [(Look, usize); 2] = [(short_end, 16), (near_end, 32)];
    for (look, width) in looks {
        let mut rand = rng(0x5851_f42d_4c95_7f2d);
        let pieces: [&[u8]; 6] = [b"a", b"bc", b"\"", b"\\\"", b"\\\\", b"\xc3\xa9"];
        let mut answered = 0;
        for _ in 0..20_000 {
            let mut s = Vec::new();
            while s.len() < 56 {
                s.extend_from_slice(pieces[rand(pieces.len())]);
            }
            let from = rand(s.len());
            if let Some(end) = look(&s, from) {
                answered += 1;
                assert!(end < from + width);
                assert_eq!(
                    string_end(&s, from),
                    Some((end, false)),
                    "{:?} from {from}",
                    String::from_utf8_lossy(&s)
                );
            }
        }
        assert!(answered > 2_000, "{width}: {answered}");
    }
    let at = |k: usize| [vec![b'x'; k], b"\"".to_vec(), vec![b'y'; 20]].concat();
    assert_eq!(short_end(&at(15), 0), Some(15));
    assert_eq!(short_end(&at(16), 0), None);
    assert_eq!(short_end(b"ab\\\"cd\"0123456789", 0), None);
    assert_eq!(short_end(b"short\"", 0), None);
    assert_eq!(near_end(&at(16), 0), Some(16));
    assert_eq!(near_end(&at(31), 0), Some(31));
    assert_eq!(near_end(&at(32), 0), None);
    // A backslash in either look, before the quote, leaves it to the blocks.
    assert_eq!(near_end(b"ab\\\"cd\"0123456789abcdef0123456789", 0), None);
    assert_eq!(near_end(b"0123456789abcdef01\\\"x\"0123456789abcdef", 0), None);
    // A quote past the first look with fewer than 32 bytes left: the blocks.
    assert_eq!(near_end(b"0123456789abcdef01\"", 0), None);
}
