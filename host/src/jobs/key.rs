//! A job's identity: the hash of its input and the key that finds the job
//! again when the same submission is rerun.
//!
//! Invariant: the key depends only on the provider, the base URL and the
//! input's bytes, never on the API key or the time.

use std::io::Read;
use std::path::Path;

use sha2::{Digest, Sha256};

/// The sha256 of a file's bytes, read in 1 MiB pieces.
pub fn file_sha256(path: &Path) -> std::io::Result<String> {
    let mut f = std::fs::File::open(path)?;
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
    }
    Ok(hex::encode(h.finalize()))
}

/// The job key for `provider` at `base_url` with an input of hash `sha`.
pub fn job_key(provider: &str, base_url: &str, sha: &str) -> String {
    hex::encode(Sha256::digest(format!("{provider}\n{base_url}\n{sha}\n")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_key_changes_with_the_input_or_the_host_and_nothing_else() {
        let a = job_key("openai", "http://h/v1", "aa");
        assert_eq!(a, job_key("openai", "http://h/v1", "aa"));
        assert_ne!(a, job_key("openai", "http://h/v1", "ab"));
        assert_ne!(a, job_key("openai", "http://g/v1", "aa"));
    }
}
