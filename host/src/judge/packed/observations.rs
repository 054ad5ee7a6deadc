//! Packing a batch of observations into `assay:judge@0.2.0`'s
//! `packed-observations` (layout in `wit/v0.2/judge.wit`).
//!
//! Invariant: the batch carries exactly the observations `observe` would get,
//! field for field; labels are whole `&str`s in `text`, and a batch whose text
//! would not fit u32 offsets is refused rather than wrapped.

use super::super::bindings::types::Observation;
use super::super::bindings::v0_2::PackedObservations;
use super::{NONE, TooLarge, fits, flag_bits, hi, lo, place, span_of, status_code, usage_words};

/// Words per observation (`observation-words` in the WIT).
pub const OBSERVATION_WORDS: usize = 38;

/// Reusable buffers for packing observations, one per instance.
#[derive(Default)]
pub struct ObservationPacker {
    words: Vec<u32>,
    text: Vec<u8>,
}

impl ObservationPacker {
    pub fn pack(&mut self, batch: &[Observation<'_>]) -> Result<PackedObservations<'_>, TooLarge> {
        self.words.clear();
        self.text.clear();
        for o in batch {
            self.observation(o)?;
        }
        let count = u32::try_from(batch.len()).map_err(|_| TooLarge(self.text.len()))?;
        Ok(PackedObservations {
            count,
            words: &self.words,
            text: &self.text,
        })
    }

    /// One observation's words, written in place (why: [`super::Packer`]'s
    /// rows).
    fn observation(&mut self, o: &Observation<'_>) -> Result<(), TooLarge> {
        let w = place::<OBSERVATION_WORDS>(&mut self.words);
        let (has_snapshot, snapshot) = o.snapshot.map_or((0, 0), |s| (1, s));
        w[..9].copy_from_slice(&[
            lo(o.index),
            hi(o.index),
            o.segment,
            status_code(o.status),
            flag_bits(o.flags),
            o.model,
            has_snapshot,
            snapshot,
            o.attempt,
        ]);
        w[9..19].copy_from_slice(&usage_words(&o.usage));
        w[19..29].copy_from_slice(&usage_words(&o.retry_usage));
        if let Some(v) = &o.verdict {
            let (has_score, bits) = v.score.map_or((0, 0), |s| (1, s.to_bits()));
            let [start, len] = v.label.map_or([NONE, 0], |label| span_of(&mut self.text, label));
            w[29..36].copy_from_slice(&[1, has_score, lo(bits), hi(bits), start, len, u32::from(v.passed)]);
        }
        w[36] = match o.validated {
            None => 0,
            Some(false) => 1,
            Some(true) => 2,
        };
        fits(self.text.len())
    }
}
