//! Levenshtein distance and similarity over `char`s.
//!
//! Invariants: O(min(n, m)) memory (two rows) and at most
//! `MAX_CHARS × MAX_CHARS` cells of work: each side is cut to its first
//! [`MAX_CHARS`] characters, and [`Similarity::cut`] says so. A common prefix and
//! suffix are stripped before the DP, so near-identical texts are cheap.

/// Characters of each side compared at most.
pub const MAX_CHARS: usize = 10_000;

/// The outcome of comparing two texts.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Similarity {
    /// Edit distance (insertions, deletions, substitutions; each costs 1).
    pub distance: usize,
    /// `1 - distance / max(len_a, len_b)`; 1.0 when both are empty.
    pub similarity: f64,
    /// Characters compared on each side (after any cut).
    pub len_a: usize,
    pub len_b: usize,
    /// Whether either side was cut to [`MAX_CHARS`].
    pub cut: bool,
}

impl Similarity {
    /// One line for verdict details.
    pub fn describe(&self) -> String {
        let mut s = format!(
            "levenshtein similarity {:.4} (distance {} over {}/{} chars)",
            self.similarity, self.distance, self.len_a, self.len_b
        );
        if self.cut {
            s.push_str(&format!("; compared the first {MAX_CHARS} chars of each side only"));
        }
        s
    }
}

/// Edit distance between two char slices (two-row DP over the shorter side).
pub fn distance(a: &[char], b: &[char]) -> usize {
    let prefix = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    let (a, b) = (&a[prefix..], &b[prefix..]);
    let suffix = a.iter().rev().zip(b.iter().rev()).take_while(|(x, y)| x == y).count();
    let (a, b) = (&a[..a.len() - suffix], &b[..b.len() - suffix]);
    let (long, short) = if a.len() >= b.len() { (a, b) } else { (b, a) };
    if short.is_empty() {
        return long.len();
    }
    let mut prev: Vec<usize> = (0..=short.len()).collect();
    let mut cur = vec![0usize; short.len() + 1];
    for (i, &lc) in long.iter().enumerate() {
        cur[0] = i + 1;
        for (j, &sc) in short.iter().enumerate() {
            let substitute = prev[j] + usize::from(lc != sc);
            cur[j + 1] = substitute.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[short.len()]
}

/// Similarity of `a` and `b`, each cut to its first [`MAX_CHARS`] characters.
pub fn similarity(a: &str, b: &str) -> Similarity {
    let a: Vec<char> = a.chars().take(MAX_CHARS + 1).collect();
    let b: Vec<char> = b.chars().take(MAX_CHARS + 1).collect();
    let cut = a.len() > MAX_CHARS || b.len() > MAX_CHARS;
    let a = &a[..a.len().min(MAX_CHARS)];
    let b = &b[..b.len().min(MAX_CHARS)];
    let d = distance(a, b);
    let longest = a.len().max(b.len());
    let similarity = if longest == 0 {
        1.0
    } else {
        (1.0 - d as f64 / longest as f64).clamp(0.0, 1.0)
    };
    Similarity {
        distance: d,
        similarity,
        len_a: a.len(),
        len_b: b.len(),
        cut,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(a: &str, b: &str) -> usize {
        distance(&a.chars().collect::<Vec<_>>(), &b.chars().collect::<Vec<_>>())
    }

    #[test]
    fn known_distances() {
        assert_eq!(d("kitten", "sitting"), 3);
        assert_eq!(d("sitting", "kitten"), 3);
        assert_eq!(d("flaw", "lawn"), 2);
        assert_eq!(d("", "abc"), 3);
        assert_eq!(d("abc", ""), 3);
        assert_eq!(d("", ""), 0);
        assert_eq!(d("same", "same"), 0);
        assert_eq!(d("intention", "execution"), 5);
        // chars, not bytes: one substitution of a 2-byte char.
        assert_eq!(d("café", "cafe"), 1);
        assert_eq!(d("日本語", "日本"), 1);
    }

    #[test]
    fn similarity_values() {
        let s = similarity("kitten", "sitting");
        assert_eq!((s.distance, s.len_a, s.len_b, s.cut), (3, 6, 7, false));
        assert!((s.similarity - 4.0 / 7.0).abs() < 1e-12);
        assert_eq!(similarity("", "").similarity, 1.0);
        assert_eq!(similarity("", "x").similarity, 0.0);
    }

    #[test]
    fn long_inputs_are_cut() {
        let a = "a".repeat(MAX_CHARS + 5);
        let b = format!("{}b", "a".repeat(MAX_CHARS + 5));
        let s = similarity(&a, &b);
        assert!(s.cut && s.distance == 0 && s.similarity == 1.0, "{s:?}");
        assert!(s.describe().contains("first 10000 chars"));
    }
}
