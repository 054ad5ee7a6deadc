//! Model and snapshot names shared by the worker threads, interned to small ids.
//!
//! Invariant: the common case (every row served by the same model) costs one
//! string compare per row and no lock; a full interner stops taking locks.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use assay_batch::Interner;

#[derive(Clone)]
pub struct SharedInterner {
    inner: Arc<Mutex<Interner>>,
    full: Arc<AtomicBool>,
}

impl Default for SharedInterner {
    fn default() -> Self {
        SharedInterner {
            inner: Arc::new(Mutex::new(Interner::new())),
            full: Arc::new(AtomicBool::new(false)),
        }
    }
}

impl SharedInterner {
    /// Takes the names out once the workers are done.
    pub fn take(&self) -> Interner {
        let mut g = match self.inner.lock() {
            Ok(g) => g,
            Err(p) => p.into_inner(),
        };
        std::mem::replace(&mut *g, Interner::new())
    }
}

/// A worker's view: remembers its last few names.
pub struct LocalInterner {
    shared: SharedInterner,
    recent: Vec<(String, u16)>,
}

const RECENT: usize = 8;

impl LocalInterner {
    pub fn new(shared: SharedInterner) -> Self {
        LocalInterner {
            shared,
            recent: Vec::with_capacity(RECENT),
        }
    }

    pub fn intern(&mut self, name: Option<&str>) -> u16 {
        let Some(name) = name else { return Interner::NONE };
        if let Some((_, id)) = self.recent.iter().find(|(n, _)| n == name) {
            return *id;
        }
        if self.shared.full.load(Ordering::Relaxed) {
            return Interner::OTHER;
        }
        let id = {
            let mut g = match self.shared.inner.lock() {
                Ok(g) => g,
                Err(p) => p.into_inner(),
            };
            let id = g.intern(name);
            if id == Interner::OTHER {
                self.shared.full.store(true, Ordering::Relaxed);
            }
            id
        };
        if self.recent.len() == RECENT {
            self.recent.remove(0);
        }
        self.recent.push((name.to_owned(), id));
        id
    }
}
