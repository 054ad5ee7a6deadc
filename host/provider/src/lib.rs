//! assay-provider: the providers' batch and sync APIs over HTTP.
//!
//! Flow: a command → a provider client (`openai`, `anthropic`) → `http` (one request, the
//! retry policy of `retry`, scrubbed errors) or `download` (whole files or
//! nothing). Keys live only in `secret::ApiKey`.

pub mod anthropic;
pub mod azure;
pub mod download;
pub mod endpoint;
pub mod error;
pub mod http;
pub mod openai;
pub mod retry;
pub mod secret;

pub use anthropic::{Anthropic, MessageBatchView};
pub use endpoint::{Flavor, SyncApi};
pub use error::ProviderError;
pub use openai::{BatchView, OpenAi};
pub use retry::RetryPolicy;
pub use secret::ApiKey;
