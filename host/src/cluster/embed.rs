//! A local text embedding: hashed character trigrams into a fixed number of
//! dimensions (the "hashing trick", with a sign bit), L2-normalized.
//!
//! Invariant: the same text gives the same vector on every machine (the hash is
//! `assay_batch::line_hash`, a fixed-seed hash); the vector is unit length, or
//! all zeros for a text with no trigram; nothing is downloaded or learned.

/// Dimensions of the embedding.
pub const DIM: usize = 32;

/// Text → a unit vector of [`DIM`] dimensions (lower-cased, whitespace runs as one space).
pub fn embed(text: &str) -> Vec<f32> {
    let mut v = vec![0f32; DIM];
    let mut chars: Vec<char> = Vec::with_capacity(text.len().min(8192));
    let mut space = true;
    for c in text.chars() {
        if c.is_whitespace() {
            if !space {
                chars.push(' ');
            }
            space = true;
        } else {
            chars.extend(c.to_lowercase());
            space = false;
        }
    }
    let mut buf = [0u8; 12];
    for w in chars.windows(3) {
        let mut len = 0;
        for c in w {
            len += c.encode_utf8(&mut buf[len..]).len();
        }
        let h = assay_batch::line_hash(&buf[..len]);
        let slot = (h % DIM as u64) as usize;
        v[slot] += if h >> 63 == 0 { 1.0 } else { -1.0 };
    }
    let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt();
    if norm > 0.0 {
        for x in &mut v {
            *x /= norm;
        }
    }
    v
}
