//! Tokenization and normalization shared by the text metrics.
//!
//! Invariant: tokens are slices of the input (no allocation per token) and every
//! character of the input is either whitespace or inside exactly one token.

/// Trims, collapses whitespace runs to one space, lowercases (Unicode).
pub fn normalize(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for (i, word) in s.split_whitespace().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        out.push_str(word);
    }
    out.to_lowercase()
}

/// Whitespace + punctuation tokenization: maximal runs of alphanumeric characters
/// are words; every other non-whitespace character is a token of its own.
/// `"Hello, world!"` → `["Hello", ",", "world", "!"]`.
pub fn tokens(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    for (i, c) in s.char_indices() {
        if c.is_alphanumeric() {
            start.get_or_insert(i);
            continue;
        }
        if let Some(b) = start.take() {
            out.push(&s[b..i]);
        }
        if !c.is_whitespace() {
            out.push(&s[i..i + c.len_utf8()]);
        }
    }
    if let Some(b) = start {
        out.push(&s[b..]);
    }
    out
}

/// Words only: maximal runs of alphanumeric characters (punctuation dropped).
pub fn words(s: &str) -> impl Iterator<Item = &str> {
    s.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty())
}

/// A small English stopword list (NLTK's, lowercase, with contraction stems such
/// as `don` or `isn` that [`words`] produces from `don't`, `isn't`); sorted.
pub const STOPWORDS: &[&str] = &[
    "a",
    "about",
    "above",
    "after",
    "again",
    "against",
    "ain",
    "all",
    "also",
    "am",
    "an",
    "and",
    "any",
    "are",
    "aren",
    "as",
    "at",
    "be",
    "because",
    "been",
    "before",
    "being",
    "below",
    "between",
    "both",
    "but",
    "by",
    "can",
    "could",
    "couldn",
    "did",
    "didn",
    "do",
    "does",
    "doesn",
    "doing",
    "don",
    "down",
    "during",
    "each",
    "few",
    "for",
    "from",
    "further",
    "had",
    "hadn",
    "has",
    "hasn",
    "have",
    "haven",
    "having",
    "he",
    "her",
    "here",
    "hers",
    "herself",
    "him",
    "himself",
    "his",
    "how",
    "i",
    "if",
    "in",
    "into",
    "is",
    "isn",
    "it",
    "its",
    "itself",
    "just",
    "let",
    "ll",
    "may",
    "me",
    "might",
    "more",
    "most",
    "must",
    "mustn",
    "my",
    "myself",
    "no",
    "nor",
    "not",
    "now",
    "of",
    "off",
    "on",
    "once",
    "only",
    "or",
    "other",
    "our",
    "ours",
    "ourselves",
    "out",
    "over",
    "own",
    "same",
    "shall",
    "shan",
    "she",
    "should",
    "shouldn",
    "so",
    "some",
    "such",
    "than",
    "that",
    "the",
    "their",
    "theirs",
    "them",
    "themselves",
    "then",
    "there",
    "these",
    "they",
    "this",
    "those",
    "through",
    "to",
    "too",
    "under",
    "until",
    "up",
    "very",
    "was",
    "wasn",
    "we",
    "were",
    "weren",
    "what",
    "when",
    "where",
    "which",
    "while",
    "who",
    "whom",
    "why",
    "will",
    "with",
    "won",
    "would",
    "wouldn",
    "you",
    "your",
    "yours",
    "yourself",
    "yourselves",
];

/// Whether `word` (already lowercase) is in [`STOPWORDS`].
pub fn is_stopword(word: &str) -> bool {
    STOPWORDS.binary_search(&word).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalization() {
        assert_eq!(normalize("  Hello \t\n  WORLD  "), "hello world");
        assert_eq!(normalize(""), "");
        assert_eq!(normalize("ÄBC"), "äbc");
    }

    #[test]
    fn tokenization() {
        assert_eq!(tokens("Hello, world!"), ["Hello", ",", "world", "!"]);
        assert_eq!(tokens("don't  3.5km"), ["don", "'", "t", "3", ".", "5km"]);
        assert_eq!(tokens("über—straße"), ["über", "—", "straße"]);
        assert!(tokens(" \n ").is_empty());
        assert_eq!(words("a-b, c!").collect::<Vec<_>>(), ["a", "b", "c"]);
    }

    #[test]
    fn stopwords_sorted_and_lowercase() {
        assert!(STOPWORDS.windows(2).all(|w| w[0] < w[1]), "STOPWORDS must stay sorted");
        assert!(STOPWORDS.iter().all(|w| w.chars().all(|c| c.is_ascii_lowercase())));
        assert!(is_stopword("the") && is_stopword("don") && !is_stopword("paris"));
    }
}
