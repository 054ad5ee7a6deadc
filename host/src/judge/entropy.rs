//! What a judge reads as randomness: the three `wasi:random` interfaces,
//! served from ChaCha20 streams keyed by the run seed, the judge and the row.
//!
//! Invariant: every value a guest reads from `wasi:random` while scoring a
//! row is a function of (run seed, judge name, component sha256, row id, the
//! read's position in that row's stream) alone — never of the instance, the
//! worker or the chunk. A `score-batch` call over several rows has no single
//! row to key a stream by, so a read there is refused: the call traps, the
//! runner replays the chunk one row per call and scores that judge one row
//! per call from then on (`JudgePre::reads_randomness`). Instantiation plus
//! `init` read a stream keyed by the phase (the same for every instance), the
//! aggregator one run-long stream; `insecure-seed` is one value per judge and
//! seed.

use std::time::Duration;

use chacha20::ChaCha20Rng;
use chacha20::rand_core::{Rng, SeedableRng};
use sha2::{Digest, Sha256};
use wasmtime::component::{HasData, Linker};
use wasmtime_wasi::p2::bindings::random::{insecure, insecure_seed, random};

/// The instant every judge's wall clock reads, 2000-01-01T00:00:00Z: fixed,
/// so a judge that stamps or compares dates gives the same verdict on every
/// run (the real time would differ between runs, and a row-derived one
/// would mean nothing).
pub const GUEST_WALL_CLOCK: Duration = Duration::from_secs(946_684_800);

/// Most bytes one `get-random-bytes` call may ask for. Key material and
/// sampling need bytes, not megabytes; a larger ask traps instead of making
/// the host allocate whatever the guest names (wasmtime's own default is 64 MiB).
pub const MAX_RANDOM_BYTES: u64 = 1024 * 1024;

/// A `wasi:random` read inside a multi-row `score-batch` call.
#[derive(Debug, thiserror::Error)]
#[error(
    "read wasi:random while scoring {rows} rows in one call; randomness is keyed by row, \
     so this judge is scored one row per call"
)]
pub struct RandomOutsideRow {
    pub rows: usize,
}

/// A `get-random-bytes` ask past [`MAX_RANDOM_BYTES`].
#[derive(Debug, thiserror::Error)]
#[error("asked for {asked} random bytes in one call, the limit is {MAX_RANDOM_BYTES}")]
pub struct TooManyRandomBytes {
    pub asked: u64,
}

enum Scope {
    /// Reads are served from the current streams.
    Stream,
    /// A call over this many rows: reads are refused.
    Chunk(usize),
}

/// One store's `wasi:random` state.
pub struct Entropy {
    key: [u8; 32],
    scope: Scope,
    secure: ChaCha20Rng,
    insecure: ChaCha20Rng,
    /// A read was refused since the last `begin_*`.
    pub refused: bool,
}

impl Entropy {
    /// The state for one store of judge `name` (component `sha256`) in a run
    /// seeded with `seed`, positioned at the start of the `init` stream.
    pub fn new(seed: u64, name: &str, sha256: &str) -> Entropy {
        let mut h = Sha256::new();
        h.update(b"assay guest entropy v1\0");
        h.update(seed.to_le_bytes());
        h.update((name.len() as u64).to_le_bytes());
        h.update(name.as_bytes());
        h.update(sha256.as_bytes());
        let key: [u8; 32] = h.finalize().into();
        let mut e = Entropy {
            key,
            scope: Scope::Stream,
            secure: ChaCha20Rng::from_seed([0; 32]),
            insecure: ChaCha20Rng::from_seed([0; 32]),
            refused: false,
        };
        e.begin(b"init");
        e
    }

    /// Streams keyed by `label` under this judge's key.
    fn begin(&mut self, label: &[u8]) {
        let derive = |kind: &[u8]| -> [u8; 32] {
            let mut h = Sha256::new();
            h.update(self.key);
            h.update(kind);
            h.update(label);
            h.finalize().into()
        };
        self.secure = ChaCha20Rng::from_seed(derive(b"random\0"));
        self.insecure = ChaCha20Rng::from_seed(derive(b"insecure\0"));
        self.scope = Scope::Stream;
        self.refused = false;
    }

    /// Before a `score-batch` call over `rows`: a single row gets its own
    /// streams; several get none (reads are refused).
    pub fn begin_call(&mut self, rows: &[&str]) {
        match rows {
            [id] => {
                let mut label = b"row\0".to_vec();
                label.extend_from_slice(id.as_bytes());
                self.begin(&label);
            }
            _ => {
                self.scope = Scope::Chunk(rows.len());
                self.refused = false;
            }
        }
    }

    /// Before the aggregator's `begin`: one stream for the whole run, read in
    /// submission order.
    pub fn begin_aggregate(&mut self) {
        self.begin(b"aggregate");
    }

    fn check(&mut self) -> wasmtime::Result<()> {
        match self.scope {
            Scope::Stream => Ok(()),
            Scope::Chunk(rows) => {
                self.refused = true;
                Err(wasmtime::Error::new(RandomOutsideRow { rows }))
            }
        }
    }
}

fn bytes(rng: &mut ChaCha20Rng, len: u64) -> wasmtime::Result<Vec<u8>> {
    if len > MAX_RANDOM_BYTES {
        return Err(wasmtime::Error::new(TooManyRandomBytes { asked: len }));
    }
    let mut out = vec![0u8; len as usize];
    rng.fill_bytes(&mut out);
    Ok(out)
}

impl random::Host for Entropy {
    fn get_random_bytes(&mut self, len: u64) -> wasmtime::Result<Vec<u8>> {
        self.check()?;
        bytes(&mut self.secure, len)
    }

    fn get_random_u64(&mut self) -> wasmtime::Result<u64> {
        self.check()?;
        Ok(self.secure.next_u64())
    }
}

impl insecure::Host for Entropy {
    fn get_insecure_random_bytes(&mut self, len: u64) -> wasmtime::Result<Vec<u8>> {
        self.check()?;
        bytes(&mut self.insecure, len)
    }

    fn get_insecure_random_u64(&mut self) -> wasmtime::Result<u64> {
        self.check()?;
        Ok(self.insecure.next_u64())
    }
}

impl insecure_seed::Host for Entropy {
    /// One value per judge and seed, in every phase: language runtimes read
    /// it once per instance to key hash tables, and instances come and go
    /// with chunking.
    fn insecure_seed(&mut self) -> wasmtime::Result<(u64, u64)> {
        let mut h = Sha256::new();
        h.update(self.key);
        h.update(b"insecure-seed");
        let d: [u8; 32] = h.finalize().into();
        let mut lo = [0u8; 8];
        let mut hi = [0u8; 8];
        lo.copy_from_slice(&d[..8]);
        hi.copy_from_slice(&d[8..16]);
        Ok((u64::from_le_bytes(lo), u64::from_le_bytes(hi)))
    }
}

struct EntropyData;

impl HasData for EntropyData {
    type Data<'a> = &'a mut Entropy;
}

/// Replaces the `wasi:random` functions WASI linked with these.
pub fn link<T: 'static>(linker: &mut Linker<T>, get: fn(&mut T) -> &mut Entropy) -> wasmtime::Result<()> {
    linker.allow_shadowing(true);
    random::add_to_linker::<T, EntropyData>(linker, get)?;
    insecure::add_to_linker::<T, EntropyData>(linker, get)?;
    insecure_seed::add_to_linker::<T, EntropyData>(linker, get)?;
    linker.allow_shadowing(false);
    Ok(())
}

#[cfg(test)]
mod tests;
