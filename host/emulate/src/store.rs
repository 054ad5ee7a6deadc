//! The emulator's memory: uploaded and written files, and batches.
//!
//! Invariant: ids are handed out from counters, so a run that makes the same
//! calls in the same order gets the same ids.

use std::collections::BTreeMap;
use std::time::{Instant, SystemTime, UNIX_EPOCH};

use serde_json::{Value, json};

use crate::anthropic::batch::MessageBatch;
use crate::batch::Batch;
use crate::profile::Profile;

#[derive(Debug)]
pub struct File {
    pub id: String,
    pub filename: String,
    pub purpose: String,
    pub created_at: u64,
    pub data: Vec<u8>,
}

impl File {
    pub fn object(&self) -> Value {
        json!({
            "id": self.id,
            "object": "file",
            "bytes": self.data.len(),
            "created_at": self.created_at,
            "expires_at": null,
            "filename": self.filename,
            "purpose": self.purpose,
            "status": "processed",
            "status_details": null,
        })
    }
}

#[derive(Debug, Default)]
pub struct Store {
    pub files: BTreeMap<String, File>,
    /// Batches in creation order.
    pub batches: Vec<Batch>,
    next_file: u64,
    next_batch: u64,
    /// Anthropic Message Batches in creation order.
    pub message_batches: Vec<MessageBatch>,
    next_message_batch: u64,
}

pub fn unix_now() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs())
}

impl Store {
    pub fn add_file(&mut self, filename: String, purpose: &str, data: Vec<u8>) -> &File {
        self.next_file += 1;
        let id = format!("file-emu{:06}", self.next_file);
        self.files.entry(id.clone()).or_insert(File {
            id,
            filename,
            purpose: purpose.to_owned(),
            created_at: unix_now(),
            data,
        })
    }

    pub fn next_batch_id(&mut self) -> String {
        self.next_batch += 1;
        format!("batch_emu{:06}", self.next_batch)
    }

    pub fn next_message_batch_id(&mut self) -> String {
        self.next_message_batch += 1;
        format!("msgbatch_emu{:06}", self.next_message_batch)
    }

    /// Moves every due batch to its terminal state, storing the files it writes.
    pub fn advance(&mut self, profile: &Profile, seed: u64) {
        let now = Instant::now();
        let unix = unix_now();
        for i in 0..self.batches.len() {
            let ids = [
                format!("file-emu{:06}", self.next_file + 1),
                format!("file-emu{:06}", self.next_file + 2),
            ];
            let Some(w) = self.batches[i].advance(now, unix, profile, seed, ids) else {
                continue;
            };
            let id = self.batches[i].id.clone();
            self.add_file(format!("{id}_output.jsonl"), "batch_output", w.output);
            self.add_file(format!("{id}_error.jsonl"), "batch_output", w.errors);
        }
    }

    pub fn batch_mut(&mut self, id: &str) -> Option<&mut Batch> {
        self.batches.iter_mut().find(|b| b.id == id)
    }
}
