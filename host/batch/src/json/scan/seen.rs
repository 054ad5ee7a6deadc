//! The objects and arrays a thread's scans checked lately, so a member that
//! repeats byte for byte on every line (Azure's content-filter results, a
//! usage-details object) is skipped with one comparison instead of a walk
//! over its tokens.
//!
//! Invariant: an entry is the exact text of a value that the walk checked
//! whole and that begins with `{` or `[`. Such a value ends at its closing
//! bracket, and whether the walk passes it depends on those bytes alone:
//! the walk never looks past the closing bracket, every line a scan reads
//! was first checked for control bytes as a whole, and a kept text nests
//! at most [`DEEPEST`] levels while every walk allows more (a text that
//! passed as a whole value may be too deep for an array's element, which
//! is walked one level down). So the same bytes at the start of another
//! value pass the walk and end at the same length, and a hit answers
//! exactly what the walk would.

use std::cell::RefCell;

/// Entries kept per thread. A result line skips a few such members (two in
/// an Azure line); more slots would only lengthen every miss.
const SLOTS: usize = 4;

/// The shortest value worth keeping: below it the walk is about as quick as
/// the comparison (`{}` or `[1,2]` are a few tokens).
const SHORTEST: usize = 16;

/// The longest value kept. A member that long is mostly one varying text (an
/// echoed request) and would miss on the next line; the cap also bounds the
/// memory a thread keeps (4 × 1 KiB).
const LONGEST: usize = 1024;

/// The deepest nesting a kept text may have. Members worth keeping are a
/// few levels deep (four in an Azure line); the walk allows 127 or 128.
pub(super) const DEEPEST: usize = 16;

#[derive(Default)]
struct Entry {
    text: Vec<u8>,
    /// Hits since the entry was kept, halved each time another value is
    /// kept: an entry that repeats on every line stays, one that stopped
    /// repeating goes first.
    hits: u32,
}

/// Values met once, as fingerprints: a value is kept the second time it is
/// met, so one that differs on every line (a message list) costs a
/// fingerprint, not a copy that evicts an entry. Eight cover the members a
/// line skips between two sightings of one of them.
const MET: usize = 8;

#[derive(Default)]
struct Seen {
    entries: [Entry; SLOTS],
    met: [u64; MET],
    next_met: usize,
}

thread_local! {
    static SEEN: RefCell<Seen> = RefCell::new(Seen::default());
}

/// The length of a kept value that `rest` begins with, if any.
pub(super) fn hit(rest: &[u8]) -> Option<usize> {
    SEEN.with(|seen| {
        let mut seen = seen.try_borrow_mut().ok()?;
        // The last word first: a value that differs from an entry mostly
        // differs at its end (a message list shares its system prompt with
        // the one kept), which a full comparison would only find there.
        let e = seen.entries.iter_mut().find(|e| {
            let n = e.text.len();
            n >= SHORTEST && last_word(rest.get(..n)) == last_word(Some(&e.text)) && rest[..n] == e.text[..]
        })?;
        e.hits = e.hits.saturating_add(1);
        Some(e.text.len())
    })
}

/// The last 8 bytes of `text`, compared as one word (a call to `memcmp`
/// for 8 bytes costs more than the comparison); `None` when it is missing.
#[inline(always)]
fn last_word(text: Option<&[u8]>) -> Option<[u8; 8]> {
    text?.last_chunk().copied()
}

/// Offers `text`, a value the walk just checked whole (see the module's
/// invariant): kept if a value with its fingerprint was offered lately.
pub(super) fn offer(text: &[u8]) {
    if !(SHORTEST..=LONGEST).contains(&text.len()) || !matches!(text.first(), Some(b'{' | b'[')) {
        return;
    }
    let print = fingerprint(text);
    let again = SEEN.with(|seen| {
        let Ok(mut seen) = seen.try_borrow_mut() else {
            return false;
        };
        if let Some(m) = seen.met.iter_mut().find(|m| **m == print) {
            *m = 0;
            return true;
        }
        let at = seen.next_met;
        seen.met[at] = print;
        seen.next_met = (at + 1) % MET;
        false
    });
    if again {
        keep(text);
    }
}

/// The length and three words of `text` (at least [`SHORTEST`] bytes) mixed:
/// enough to tell a repeating member from one that differs on every line.
/// Two values that share one are only ever compared, never confused: a hit
/// compares the whole text.
fn fingerprint(text: &[u8]) -> u64 {
    let word = |at: usize| {
        text.get(at..at + 8)
            .and_then(|w| w.try_into().ok())
            .map_or(0, u64::from_le_bytes)
    };
    let n = text.len();
    ((n as u64) | 1).wrapping_mul(0x9e37_79b9_7f4a_7c15)
        ^ word(0)
        ^ word(n / 2 - 4).rotate_left(21)
        ^ word(n - 8).rotate_left(42)
}

/// Keeps `text`, a value the walk checked whole (see the module's
/// invariant), in place of the entry with the fewest recent hits.
fn keep(text: &[u8]) {
    if nesting(text) > DEEPEST {
        return;
    }
    SEEN.with(|seen| {
        let Ok(mut seen) = seen.try_borrow_mut() else { return };
        // The victim is chosen before the others' hits are halved, so an
        // entry hit once per line outlives a value seen once per line.
        if let Some(e) = seen.entries.iter_mut().min_by_key(|e| (e.hits, !e.text.is_empty())) {
            e.text.clear();
            e.text.extend_from_slice(text);
            e.hits = 0;
        }
        for e in &mut seen.entries {
            e.hits /= 2;
        }
    });
}

/// How many levels `text`, a value the walk passed, nests: its brackets
/// outside strings, counted as they open.
fn nesting(text: &[u8]) -> usize {
    let (mut depth, mut deepest) = (0usize, 0usize);
    let (mut in_string, mut escaped) = (false, false);
    for &b in text {
        if in_string {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_string = true,
            b'{' | b'[' => {
                depth += 1;
                deepest = deepest.max(depth);
            }
            b'}' | b']' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    deepest
}

/// Forgets every entry (tests that count walks start from nothing).
#[cfg(test)]
pub(crate) fn clear() {
    SEEN.with(|seen| *seen.borrow_mut() = Seen::default());
}

#[cfg(test)]
mod tests;
