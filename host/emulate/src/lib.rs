//! assay-emulate: a local provider emulator for rehearsals and tests.
//!
//! It serves the OpenAI-compatible Batch API (files, batches) and sync chat
//! completions, responses and embeddings, in OpenAI's paths and Azure
//! OpenAI's (`azure`), and Anthropic's Message Batches and sync Messages, on
//! 127.0.0.1, "processes" batches in accelerated time, answers
//! deterministically from a seed, and injects the faults a profile names.
//! Requests flow one way: `server` (HTTP, faults) → `openai` or `anthropic`
//! (routes) → `store`/`batch` (state) → `answer` (bodies).

pub mod answer;
pub mod anthropic;
pub mod azure;
pub mod batch;
pub mod body;
pub mod multipart;
pub mod openai;
pub mod profile;
pub mod server;
pub mod store;
pub mod sync;

pub use profile::{HttpFault, Profile, ProfileError};
pub use server::{Running, start};
