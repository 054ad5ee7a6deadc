//! Small string interner for model and snapshot names.
//!
//! Invariant: ids are stable and dense; id 0 is "none" (the empty string),
//! id 1 is the overflow bucket "(other)"; interning never panics — once all
//! u16 ids are used, new names map to [`Interner::OTHER`].

use std::hash::BuildHasher;

use foldhash::fast::RandomState;
use hashbrown::HashTable;

/// Maps names to `u16` ids.
pub struct Interner {
    names: Vec<Box<str>>,
    table: HashTable<u16>,
    hasher: RandomState,
}

impl Default for Interner {
    fn default() -> Self {
        Interner::new()
    }
}

impl Interner {
    /// Id of "no name".
    pub const NONE: u16 = 0;
    /// Id every name gets once the table is full.
    pub const OTHER: u16 = 1;

    pub fn new() -> Self {
        Interner {
            names: vec!["".into(), "(other)".into()],
            table: HashTable::new(),
            hasher: RandomState::default(),
        }
    }

    /// The id of `name`; `""` is [`Interner::NONE`].
    pub fn intern(&mut self, name: &str) -> u16 {
        if name.is_empty() {
            return Interner::NONE;
        }
        let hash = self.hasher.hash_one(name);
        let names = &self.names;
        if let Some(&id) = self.table.find(hash, |&i| &*names[usize::from(i)] == name) {
            return id;
        }
        let Ok(id) = u16::try_from(self.names.len()) else {
            return Interner::OTHER;
        };
        self.names.push(name.into());
        let (names, hasher) = (&self.names, &self.hasher);
        self.table
            .insert_unique(hash, id, |&i| hasher.hash_one(&*names[usize::from(i)]));
        id
    }

    /// `intern` for an optional name (`None` is [`Interner::NONE`]).
    pub fn intern_opt(&mut self, name: Option<&str>) -> u16 {
        name.map_or(Interner::NONE, |n| self.intern(n))
    }

    /// The name of `id` (`""` for NONE and unknown ids).
    pub fn get(&self, id: u16) -> &str {
        self.names.get(usize::from(id)).map_or("", |n| n)
    }

    /// Number of ids in use, including the two reserved ones.
    pub fn len(&self) -> usize {
        self.names.len()
    }

    pub fn is_empty(&self) -> bool {
        self.names.len() <= 2
    }
}

#[cfg(test)]
mod tests;
