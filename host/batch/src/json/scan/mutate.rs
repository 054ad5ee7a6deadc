//! Test support: lines with bytes changed, dropped and added at random from
//! a fixed seed, for holding a quick scan equal to serde on lines nobody
//! wrote by hand.
//!
//! Invariant: the same corpus, seed and count give the same lines.

/// Bytes that make and break JSON (with a tab, a control byte and a
/// two-byte UTF-8 character).
const ALPHABET: &[u8] = b"{}[]:,\"\\ \t0123456789-+.eEtrufalsn/u\x01\xc3\xa9";

/// `count` lines, each a line of `corpus` with 1 to 3 random edits.
pub(crate) fn mutated<T: AsRef<[u8]>>(corpus: &[T], seed: u64, count: usize) -> impl Iterator<Item = Vec<u8>> + '_ {
    let mut seed = seed;
    let mut rand = move |n: usize| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        (seed % n as u64) as usize
    };
    (0..count).map(move |_| {
        let mut b = corpus[rand(corpus.len())].as_ref().to_vec();
        for _ in 0..1 + rand(3) {
            let i = rand(b.len() + 1);
            match rand(3) {
                0 if i < b.len() => b[i] = ALPHABET[rand(ALPHABET.len())],
                1 if i < b.len() => {
                    b.remove(i);
                }
                _ => b.insert(i, ALPHABET[rand(ALPHABET.len())]),
            }
        }
        b
    })
}

/// The non-blank lines of `files`, for a corpus.
pub(crate) fn lines_of(files: &[&[u8]]) -> Vec<Vec<u8>> {
    files
        .iter()
        .flat_map(|f| f.split(|&b| b == b'\n'))
        .filter(|l| !l.trim_ascii().is_empty())
        .map(<[u8]>::to_vec)
        .collect()
}

/// `base` with each edit's `from` (which it must hold) replaced once by `to`.
pub(crate) fn edited(base: &str, edits: &[(&str, &str)]) -> Vec<Vec<u8>> {
    edits
        .iter()
        .map(|(from, to)| {
            assert!(base.contains(from), "{from}");
            base.replacen(from, to, 1).into_bytes()
        })
        .collect()
}
