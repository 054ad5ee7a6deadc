//! `s3://bucket/key` file arguments of `assay eval` (`--input`, `--results`,
//! `--sync-results`, `--batch-object`): each object is streamed through
//! `object_store` (credentials, region and endpoint from the standard AWS
//! environment) into an unnamed temporary file in TMPDIR before the run, and
//! the run reads that copy exactly as it reads a local file.
//!
//! Invariant: a copy has no name in the file system, so it is gone when the
//! run ends however it ends; it carries the object's size and Last-Modified
//! time, so shards that copy the same object fingerprint it alike; and the
//! user only ever sees the URL — in the summary through
//! `EvalConfig::copied`, in error messages through [`rename`].

use std::fs::File;
use std::io::Write;
use std::os::fd::AsRawFd;
use std::path::{Path, PathBuf};

use assay::eval::EvalConfig;
use futures_util::StreamExt;
use object_store::ObjectStoreExt;
use object_store::aws::AmazonS3Builder;

use super::super::exit;
use super::{Exit, fail};

/// How to reach Google Cloud Storage instead of `gs://`.
const GCS_HINT: &str = "read the object through GCS's S3-interoperable XML API instead: \
     AWS_ENDPOINT_URL=https://storage.googleapis.com with an HMAC key as \
     AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, and the URL s3://BUCKET/KEY";

#[derive(Debug, thiserror::Error)]
pub enum RemoteError {
    #[error("{url}: not an object URL: {reason}")]
    BadUrl { url: String, reason: String },
    #[error("{url}: gs:// is not supported; {GCS_HINT}")]
    Gcs { url: String },
    #[error("{url}: cannot set up the S3 client from the AWS_* environment: {source}")]
    Client {
        url: String,
        #[source]
        source: object_store::Error,
    },
    #[error("{url}: no such object (or no such bucket): {source}")]
    NotFound {
        url: String,
        #[source]
        source: object_store::Error,
    },
    #[error("{url}: access denied (check AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_REGION): {source}")]
    Denied {
        url: String,
        #[source]
        source: object_store::Error,
    },
    #[error("{url}: cannot download: {source}")]
    Get {
        url: String,
        #[source]
        source: object_store::Error,
    },
    #[error("{url}: the download ended after {got} of {size} bytes")]
    Short { url: String, got: u64, size: u64 },
    #[error("{url}: cannot write the download to a temporary file in {} (TMPDIR): {source}", std::env::temp_dir().display())]
    Temp {
        url: String,
        #[source]
        source: std::io::Error,
    },
}

impl RemoteError {
    /// A missing or refused object is an input problem, like a missing
    /// local file; a temporary file that cannot be written is an output one.
    pub fn exit(self) -> anyhow::Error {
        match self {
            RemoteError::Temp { .. } => fail(exit::OUTPUT, self),
            e => fail(exit::INPUT, e),
        }
    }
}

/// An `s3://` object named on the command line.
#[derive(Debug, PartialEq)]
pub struct ObjectUrl {
    pub url: String,
    pub bucket: String,
    pub key: object_store::path::Path,
}

/// `Ok(None)`: a local path. A URL of any other scheme is refused, `gs://`
/// with the way to reach GCS instead.
pub fn parse(path: &Path) -> Result<Option<ObjectUrl>, RemoteError> {
    let Some(s) = path.to_str() else {
        return Ok(None);
    };
    let Some((scheme, rest)) = s.split_once("://") else {
        return Ok(None);
    };
    let scheme_like = !scheme.is_empty()
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    if !scheme_like {
        return Ok(None);
    }
    let bad = |reason: &str| RemoteError::BadUrl {
        url: s.to_owned(),
        reason: reason.to_owned(),
    };
    match scheme {
        "s3" => {}
        "gs" => return Err(RemoteError::Gcs { url: s.to_owned() }),
        _ => return Err(bad("only s3://BUCKET/KEY is supported")),
    }
    let (bucket, key) = rest
        .split_once('/')
        .ok_or_else(|| bad("no object key: expected s3://BUCKET/KEY"))?;
    if bucket.is_empty() {
        return Err(bad("no bucket: expected s3://BUCKET/KEY"));
    }
    if key.is_empty() || key.ends_with('/') {
        return Err(bad("the key names no object (empty, or ends with '/')"));
    }
    let key = object_store::path::Path::parse(key).map_err(|e| bad(&e.to_string()))?;
    Ok(Some(ObjectUrl {
        url: s.to_owned(),
        bucket: bucket.to_owned(),
        key,
    }))
}

/// Refuses a bad or unsupported URL among `paths` before anything runs.
pub fn check<'a>(paths: impl IntoIterator<Item = &'a Path>) -> Result<(), RemoteError> {
    paths.into_iter().try_for_each(|p| parse(p).map(drop))
}

/// Whether `cfg` names no object to download: its files can be read as given.
pub fn none_in(cfg: &EvalConfig) -> bool {
    std::iter::once(&cfg.input)
        .chain(cfg.attempts.iter().flatten())
        .chain(cfg.sync_results.iter())
        .chain(cfg.batch_objects.iter())
        .all(|p| matches!(parse(p), Ok(None)))
}

/// The run's copies of its objects: each is deleted when this is dropped.
pub struct Copies {
    _files: Vec<File>,
}

/// Downloads every `s3://` file of `cfg` and points `cfg` at the copies,
/// recording each URL in `cfg.copied` for the summary.
pub async fn fetch(cfg: &mut EvalConfig) -> Result<Copies, RemoteError> {
    let mut copies = Vec::new();
    let mut copied = Vec::new();
    let paths = std::iter::once(&mut cfg.input)
        .chain(cfg.attempts.iter_mut().flatten())
        .chain(cfg.sync_results.iter_mut())
        .chain(cfg.batch_objects.iter_mut());
    for path in paths {
        let Some(object) = parse(path)? else {
            continue;
        };
        let file = download(&object).await?;
        let read = PathBuf::from(format!("/proc/self/fd/{}", file.as_raw_fd()));
        copied.push((read.clone(), PathBuf::from(&object.url)));
        *path = read;
        copies.push(file);
    }
    cfg.copied.extend(copied);
    Ok(Copies { _files: copies })
}

async fn download(object: &ObjectUrl) -> Result<File, RemoteError> {
    let url = || object.url.clone();
    let store = AmazonS3Builder::from_env()
        .with_bucket_name(&object.bucket)
        .build()
        .map_err(|source| RemoteError::Client { url: url(), source })?;
    let got = store.get(&object.key).await.map_err(|source| match source {
        object_store::Error::NotFound { .. } => RemoteError::NotFound { url: url(), source },
        object_store::Error::PermissionDenied { .. } | object_store::Error::Unauthenticated { .. } => {
            RemoteError::Denied { url: url(), source }
        }
        source => RemoteError::Get { url: url(), source },
    })?;
    let (size, modified) = (got.meta.size, std::time::SystemTime::from(got.meta.last_modified));
    let temp = |source| RemoteError::Temp { url: url(), source };
    let mut file = tempfile::tempfile().map_err(temp)?;
    let mut stream = got.into_stream();
    let mut written = 0u64;
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|source| RemoteError::Get { url: url(), source })?;
        file.write_all(&chunk).map_err(temp)?;
        written += chunk.len() as u64;
    }
    if written != size {
        return Err(RemoteError::Short {
            url: url(),
            got: written,
            size,
        });
    }
    file.set_modified(modified).map_err(temp)?;
    Ok(file)
}

/// `e` with every copy's path (an `s3://` object's, a stream's) replaced by
/// the name the user gave, when it is an error that already knows its exit
/// code.
pub fn rename(e: anyhow::Error, copied: &[(PathBuf, PathBuf)]) -> anyhow::Error {
    match e.downcast::<Exit>() {
        Ok(Exit { code, message }) => anyhow::anyhow!(Exit {
            code,
            message: assay::eval::streams::show_names(&message, copied),
        }),
        Err(e) => e,
    }
}

#[cfg(test)]
mod tests;
