//! Reading a file the user or a manifest names, where a regular file is
//! required: components, the policy file, `--set key=@file` values.
//!
//! Invariant: only a regular file (after following links) is read, and never
//! more than its cap: a device, FIFO or socket is refused before it is opened
//! for reading (so a FIFO cannot block the open), and the read stops one byte
//! past the cap, so a file that grows or lies about its size cannot make the
//! host read more.

use std::io::Read as _;
use std::path::Path;

#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("{source}")]
    Io {
        #[from]
        source: std::io::Error,
    },
    #[error("is not a regular file")]
    NotAFile,
    #[error("is {size} bytes, above the {limit} byte limit")]
    TooLarge { size: u64, limit: u64 },
}

/// The bytes of the regular file at `path`, at most `limit` of them.
pub fn read_regular(path: &Path, limit: u64) -> Result<Vec<u8>, ReadError> {
    if !std::fs::metadata(path)?.is_file() {
        return Err(ReadError::NotAFile);
    }
    let file = std::fs::File::open(path)?;
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(ReadError::NotAFile);
    }
    if meta.len() > limit {
        return Err(ReadError::TooLarge {
            size: meta.len(),
            limit,
        });
    }
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    file.take(limit.saturating_add(1)).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        return Err(ReadError::TooLarge {
            size: bytes.len() as u64,
            limit,
        });
    }
    Ok(bytes)
}

/// `read_regular` as UTF-8 text.
pub fn read_regular_text(path: &Path, limit: u64) -> Result<String, ReadError> {
    String::from_utf8(read_regular(path, limit)?).map_err(|e| ReadError::Io {
        source: std::io::Error::new(std::io::ErrorKind::InvalidData, e),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn devices_are_refused_and_reads_are_capped() {
        assert!(matches!(
            read_regular(Path::new("/dev/zero"), 10),
            Err(ReadError::NotAFile)
        ));
        let f = tempfile::NamedTempFile::new().expect("tmp");
        std::fs::write(f.path(), b"0123456789").expect("write");
        assert_eq!(read_regular(f.path(), 10).expect("fits"), b"0123456789");
        assert!(matches!(
            read_regular(f.path(), 9),
            Err(ReadError::TooLarge { size: 10, limit: 9 })
        ));
    }
}
