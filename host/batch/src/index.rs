//! Compact index of submitted row ids, in input order.
//!
//! Invariant: each distinct `custom_id` has exactly one index `0..len()`,
//! assigned in input order; ids live in one arena string (u32 offsets) and
//! the hash table ([`slots`]) stores only u32 indexes; line positions are
//! packed by [`column`], so a row costs 8 bytes (4 without byte offsets, see
//! [`InputIndex::without_offsets`]) plus its id bytes and its hash-table
//! slots (about 4.6 bytes, 5.1 as the parallel reader sizes it).

mod column;
mod slots;

use std::hash::BuildHasher;
use std::path::Path;
use std::sync::Arc;

use foldhash::fast::RandomState;

use crate::error::{BadLine, LineError, ReadError};
use crate::lines::{BlockReader, FileId, ReadOptions};
use crate::openai::parse_input_line;
use slots::{Probe, Slots};

/// Distinct model names tracked by [`InputIndex::models`].
pub const MAX_MODELS: usize = 256;

/// `a == b`, answering for empty names without `memcmp`. Most rows of a
/// provider that names the model per job have no model (`""`), and an empty
/// `String`'s pointer is dangling: glibc's AVX-512 `memcmp` loads through
/// it even for length 0, masked, and the CPU takes a slow fault-suppression
/// assist on every such call (13% of a Bedrock run's samples, all in input
/// indexing, before this check).
pub(crate) fn same_name(a: &str, b: &str) -> bool {
    a.len() == b.len() && (a.is_empty() || a == b)
}

/// Why [`InputIndex::try_insert`] refused an id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InsertError {
    /// The id is already present at this index.
    Duplicate(u32),
    /// The index is full (2^32-1 rows or 4 GiB of id bytes).
    Full,
}

/// An [`InputIndex`]'s id hash, usable on other threads.
#[derive(Clone)]
pub struct IdHasher(RandomState);

impl IdHasher {
    pub fn hash(&self, id: &str) -> u64 {
        self.0.hash_one(id)
    }
}

/// Submitted ids in input order.
#[derive(Default)]
pub struct InputIndex {
    arena: String,
    /// `ends[i]` is the end of id `i` in `arena`; it starts at `ends[i-1]`.
    ends: Vec<u32>,
    offsets: column::Offsets,
    /// Whether byte offsets are kept (`offset` is `None` otherwise).
    no_offsets: bool,
    lines: column::LineNumbers,
    table: Slots,
    hasher: RandomState,
    models: Vec<(String, u64)>,
}

impl InputIndex {
    pub fn new() -> Self {
        Self::default()
    }

    /// An index that keeps no byte offsets ([`Self::offset`] is `None`):
    /// 4 bytes less a row, for runs that never re-read a request line.
    pub fn without_offsets() -> Self {
        InputIndex {
            no_offsets: true,
            ..Self::default()
        }
    }

    /// An index for `opts`: with byte offsets when `opts.offsets` asks for them.
    pub fn for_options(opts: &ReadOptions) -> Self {
        match opts.offsets {
            true => Self::new(),
            false => Self::without_offsets(),
        }
    }

    /// Forgets the byte offsets, as if built [`Self::without_offsets`]: for
    /// an index started before the run knew whether anything re-reads a
    /// request line.
    pub fn drop_offsets(&mut self) {
        self.offsets = column::Offsets::default();
        self.no_offsets = true;
    }

    pub fn len(&self) -> usize {
        self.ends.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// Adds an id; `Err(existing)` if it is already present. When the index
    /// is full this returns `Err(u32::MAX)`; use [`Self::try_insert`] to tell
    /// the cases apart.
    pub fn insert(&mut self, id: &str, line_offset: u64, line: u64) -> Result<u32, u32> {
        self.try_insert(id, line_offset, line).map_err(|e| match e {
            InsertError::Duplicate(i) => i,
            InsertError::Full => u32::MAX,
        })
    }

    /// Adds an id, telling duplicates from a full index.
    pub fn try_insert(&mut self, id: &str, line_offset: u64, line: u64) -> Result<u32, InsertError> {
        self.try_insert_hashed(id, self.hasher.hash_one(id), line_offset, line)
    }

    /// This index's id hash, for threads that hash ids before they are inserted.
    pub fn id_hasher(&self) -> IdHasher {
        IdHasher(self.hasher.clone())
    }

    /// Loads into cache where an id of this hash will be looked for: call it
    /// a few ids ahead of inserting them.
    pub fn prefetch(&self, hash: u64) {
        self.table.prefetch(hash);
    }

    /// [`Self::try_insert`] with `hash`, which must be the hash of `id` by
    /// this index's [`Self::id_hasher`].
    pub fn try_insert_hashed(&mut self, id: &str, hash: u64, line_offset: u64, line: u64) -> Result<u32, InsertError> {
        debug_assert_eq!(hash, self.hasher.hash_one(id), "hashed by another index's hasher");
        let (arena, ends, hasher) = (&self.arena, &self.ends, &self.hasher);
        self.table.make_room(1, |i| hasher.hash_one(slice(arena, ends, i)));
        // One probe finds the id or its free slot (a lookup then an insert
        // would walk the table twice).
        let slot = match self.table.probe(hash, |i| slice(arena, ends, i) == id) {
            Probe::Found(i) => return Err(InsertError::Duplicate(i)),
            Probe::Vacant(slot) => slot,
        };
        let idx = u32::try_from(self.ends.len())
            .ok()
            .filter(|&i| i != u32::MAX)
            .ok_or(InsertError::Full)?;
        let end = u32::try_from(self.arena.len() + id.len()).map_err(|_| InsertError::Full)?;
        self.table.insert(slot, hash, idx);
        self.arena.push_str(id);
        self.ends.push(end);
        if !self.no_offsets {
            self.offsets.push(line_offset);
        }
        self.lines.push(line);
        Ok(idx)
    }

    /// Index of a submitted id.
    pub fn get(&self, id: &str) -> Option<u32> {
        let hash = self.hasher.hash_one(id);
        self.table.find(hash, |i| self.id(i) == id)
    }

    /// Like [`InputIndex::get`], trying `guess` first: result files usually
    /// follow submission order, and comparing against the next expected id
    /// touches one cache line instead of a random hash-table slot.
    pub fn get_near(&self, id: &str, guess: u32) -> Option<u32> {
        if (guess as usize) < self.len() && self.id(guess) == id {
            return Some(guess);
        }
        self.get(id)
    }

    /// Reserves room for about `rows` more ids of `id_bytes` bytes each.
    pub fn reserve(&mut self, rows: usize, id_bytes: usize) {
        let hasher = &self.hasher;
        let (arena, ends) = (&self.arena, &self.ends);
        self.table.reserve_total(self.ends.len().saturating_add(rows), |i| {
            hasher.hash_one(slice(arena, ends, i))
        });
        self.ends.reserve(rows);
        if !self.no_offsets {
            self.offsets.reserve(rows);
        }
        self.arena.reserve(rows.saturating_mul(id_bytes));
    }

    /// The id at `idx` (`""` if out of range).
    pub fn id(&self, idx: u32) -> &str {
        slice(&self.arena, &self.ends, idx)
    }

    /// Byte offset of the input line of row `idx` (`None` if out of range
    /// or the index keeps no offsets).
    pub fn offset(&self, idx: u32) -> Option<u64> {
        self.offsets.get(idx)
    }

    /// 1-based line number of row `idx` in the input file (0 if out of range).
    pub fn line(&self, idx: u32) -> u64 {
        self.lines.get(idx).unwrap_or(0)
    }

    /// Distinct `body.model` values with their row counts, in order of first use.
    pub fn models(&self) -> &[(String, u64)] {
        &self.models
    }

    /// Counts a row's model; past [`MAX_MODELS`] distinct names the rest
    /// are counted under `"(other)"`.
    pub(crate) fn count_model(&mut self, model: &str) {
        self.count_model_rows(model, 1);
    }

    /// Counts `rows` rows of one model at once (see [`InputIndex::count_model`]).
    pub(crate) fn count_model_rows(&mut self, model: &str, rows: u64) {
        if let Some((_, n)) = self.models.iter_mut().rev().find(|(m, _)| same_name(m, model)) {
            *n += rows;
        } else if self.models.len() < MAX_MODELS {
            self.models.push((model.to_owned(), rows));
        } else if let Some((_, n)) = self.models.iter_mut().find(|(m, _)| m == "(other)") {
            *n += rows;
        } else {
            self.models.push(("(other)".to_owned(), rows));
        }
    }

    /// Releases spare capacity of the per-row vectors and the id arena, and
    /// of the hash table when it is over twice the size it needs.
    pub fn shrink_to_fit(&mut self) {
        let (arena, ends, hasher) = (&self.arena, &self.ends, &self.hasher);
        self.table.shrink(|i| hasher.hash_one(slice(arena, ends, i)));
        self.arena.shrink_to_fit();
        self.ends.shrink_to_fit();
        self.offsets.shrink_to_fit();
        self.lines.shrink_to_fit();
    }

    /// Approximate heap bytes used (for sizing checks).
    pub fn heap_bytes(&self) -> usize {
        self.arena.capacity()
            + self.ends.capacity() * 4
            + self.offsets.heap_bytes()
            + self.lines.heap_bytes()
            + self.table.heap_bytes()
    }
}

fn slice<'a>(arena: &'a str, ends: &[u32], idx: u32) -> &'a str {
    let i = idx as usize;
    let Some(&end) = ends.get(i) else { return "" };
    let start = if i == 0 { 0 } else { ends[i - 1] as usize };
    arena.get(start..end as usize).unwrap_or("")
}

/// Streams an input file into an [`InputIndex`]. Malformed lines and
/// duplicate ids are returned as bad lines (the first occurrence of a
/// duplicated id stays indexed).
pub fn read_input(path: &Path, file: FileId, opts: &ReadOptions) -> Result<(InputIndex, Vec<BadLine>), ReadError> {
    let mut reader = BlockReader::open(path, file, opts.max_line_bytes)?.with_block_bytes(opts.block_bytes);
    let mut index = InputIndex::for_options(opts);
    let mut bad = Vec::new();
    while let Some(mut block) = reader.next_block()? {
        for line in block.lines() {
            let parsed = match parse_input_line(line.bytes) {
                Ok(p) => p,
                Err(e) => {
                    bad.push(block.bad_line(&line, e));
                    continue;
                }
            };
            match index.try_insert(&parsed.custom_id, line.offset, line.number) {
                Ok(_) => {}
                Err(InsertError::Duplicate(first)) => {
                    let reason = LineError::DuplicateId {
                        id: parsed.custom_id.into_owned(),
                        first_line: index.line(first),
                    };
                    bad.push(block.bad_line(&line, reason));
                    continue;
                }
                Err(InsertError::Full) => {
                    return Err(ReadError::TooLarge {
                        path: Arc::clone(reader.path()),
                        reason: format!("index full at line {}", line.number),
                    });
                }
            }
            index.count_model(parsed.model.as_deref().unwrap_or(""));
        }
        bad.append(&mut block.bad);
    }
    bad.sort_by_key(|b| b.line);
    index.shrink_to_fit();
    Ok((index, bad))
}

#[cfg(test)]
mod tests;
