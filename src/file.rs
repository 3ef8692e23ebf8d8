//! Reading the files the library is pointed at (the profile file, KooCLI's configuration, the
//! pod-identity token file, a `ca_file`): regular files only, up to a size. A FIFO with no
//! writer would block the reader forever, and `/dev/zero` would be read until memory runs out;
//! both are refused with an error that says why.

use std::fmt;
use std::io::{self, Read};
use std::path::Path;

/// The most a credentials or configuration file may hold: far more than any real one.
pub(crate) const MAX_CREDENTIALS_FILE: u64 = 1024 * 1024;

/// The most a PEM bundle of CA certificates may hold (Mozilla's whole bundle is about 220 KiB).
pub(crate) const MAX_CA_FILE: u64 = 4 * 1024 * 1024;

/// Why a file was not read.
#[derive(Debug)]
pub(crate) enum FileError {
    /// Nothing is at the path.
    NotFound,
    /// Something that is not a regular file is there (a FIFO, a device, a directory, a socket).
    NotRegular(&'static str),
    /// It holds more than the cap (in bytes).
    TooLarge(u64),
    /// Reading it failed.
    Io(io::Error),
}

impl fmt::Display for FileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FileError::NotFound => write!(f, "no such file"),
            FileError::NotRegular(what) => write!(
                f,
                "is {what}, not a regular file (only regular files are read)"
            ),
            FileError::TooLarge(cap) => write!(
                f,
                "holds more than {} KiB (the most a file read here may hold)",
                cap / 1024
            ),
            FileError::Io(e) => write!(f, "cannot be read: {e}"),
        }
    }
}

/// The content of the regular file at `path` (symbolic links followed), if it holds at most
/// `cap` bytes. The kind of file is checked before it is opened (opening a FIFO blocks until a
/// writer comes) and again on the open file, so a file swapped in between is refused too.
pub(crate) fn read_regular_file(path: &Path, cap: u64) -> Result<Vec<u8>, FileError> {
    let io = |e: io::Error| match e.kind() {
        io::ErrorKind::NotFound => FileError::NotFound,
        _ => FileError::Io(e),
    };
    regular(&std::fs::metadata(path).map_err(io)?)?;
    let file = std::fs::File::open(path).map_err(io)?;
    regular(&file.metadata().map_err(io)?)?;
    let mut content = Vec::new();
    file.take(cap.saturating_add(1))
        .read_to_end(&mut content)
        .map_err(io)?;
    if content.len() as u64 > cap {
        return Err(FileError::TooLarge(cap));
    }
    Ok(content)
}

/// As [`read_regular_file`], as UTF-8 text (a UTF-8 byte order mark at the start dropped).
pub(crate) fn read_regular_text(path: &Path, cap: u64) -> Result<String, FileError> {
    let bytes = read_regular_file(path, cap)?;
    let text = String::from_utf8(bytes).map_err(|_| {
        FileError::Io(io::Error::new(
            io::ErrorKind::InvalidData,
            "stream did not contain valid UTF-8",
        ))
    })?;
    Ok(match text.strip_prefix('\u{feff}') {
        Some(rest) => rest.to_owned(),
        None => text,
    })
}

/// Refuses what is not a regular file, naming what it is.
fn regular(metadata: &std::fs::Metadata) -> Result<(), FileError> {
    let kind = metadata.file_type();
    if kind.is_file() {
        return Ok(());
    }
    let what = if kind.is_dir() {
        "a directory"
    } else {
        special(&kind)
    };
    Err(FileError::NotRegular(what))
}

#[cfg(unix)]
fn special(kind: &std::fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    if kind.is_fifo() {
        "a FIFO"
    } else if kind.is_char_device() || kind.is_block_device() {
        "a device"
    } else if kind.is_socket() {
        "a socket"
    } else {
        "a special file"
    }
}

#[cfg(not(unix))]
fn special(_: &std::fs::FileType) -> &'static str {
    "a special file"
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_regular_files_up_to_the_cap() {
        let dir = std::env::temp_dir().join(format!("hwinst-file-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let small = dir.join("small");
        std::fs::write(&small, "\u{feff}[basic]\n").unwrap();
        assert_eq!(read_regular_text(&small, 100).unwrap(), "[basic]\n");
        assert!(matches!(
            read_regular_file(&small, 4),
            Err(FileError::TooLarge(4))
        ));
        assert!(matches!(
            read_regular_file(&dir.join("none"), 4),
            Err(FileError::NotFound)
        ));
        assert!(matches!(
            read_regular_file(&dir, 4),
            Err(FileError::NotRegular("a directory"))
        ));
        #[cfg(unix)]
        assert!(matches!(
            read_regular_file(Path::new("/dev/zero"), 4),
            Err(FileError::NotRegular("a device"))
        ));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
