//! The strings hwinst hands to C (`out_json`, `out_error`): a [`CDocument`] is written in C's
//! heap (`malloc`), so that `hwinst_string_free` gives it back with `free()`, which needs no
//! length. A `CString` must be shrunk to its length before it is handed over (its `from_raw`
//! frees by length): a `realloc` on every call, and the heap split that it leaves.

use std::ffi::c_char;
use std::io;

/// The first allocation of a document: a progress, status or lifecycle document fits, with no
/// `realloc` (a list page grows from there, doubling).
const FIRST_CAPACITY: usize = 512;

/// A document for C being written: UTF-8 in C's heap, turned into a NUL-terminated string for
/// `hwinst_string_free` by [`CDocument::into_raw`], or freed when dropped.
pub(crate) struct CDocument {
    /// From `malloc` or `realloc`; NULL while nothing is allocated.
    start: *mut u8,
    len: usize,
    capacity: usize,
}

impl CDocument {
    /// An empty document (nothing allocated yet).
    pub(crate) fn new() -> CDocument {
        CDocument {
            start: std::ptr::null_mut(),
            len: 0,
            capacity: 0,
        }
    }

    /// `text`, copied into C's heap; `None` if it cannot be allocated.
    pub(crate) fn copy(text: &str) -> Option<CDocument> {
        let mut document = CDocument::new();
        io::Write::write_all(&mut document, text.as_bytes()).ok()?;
        Some(document)
    }

    /// What has been written.
    pub(crate) fn as_bytes(&self) -> &[u8] {
        if self.start.is_null() {
            return &[];
        }
        // SAFETY: `start` holds `len` initialised bytes (`write`).
        unsafe { std::slice::from_raw_parts(self.start, self.len) }
    }

    /// Room for `more` bytes and the NUL after them, growing by doubling.
    fn reserve(&mut self, more: usize) -> io::Result<()> {
        let out_of_memory = || io::Error::from(io::ErrorKind::OutOfMemory);
        let needed = self
            .len
            .checked_add(more)
            .and_then(|n| n.checked_add(1))
            .ok_or_else(out_of_memory)?;
        if needed <= self.capacity {
            return Ok(());
        }
        let capacity = needed
            .max(self.capacity.saturating_mul(2))
            .max(FIRST_CAPACITY);
        // SAFETY: `start` is NULL or this document's allocation from `malloc`/`realloc`; on
        // failure `realloc` leaves it as it was, still ours.
        let grown = unsafe { libc::realloc(self.start.cast(), capacity) }.cast::<u8>();
        if grown.is_null() {
            return Err(out_of_memory());
        }
        self.start = grown;
        self.capacity = capacity;
        Ok(())
    }

    /// The document as a NUL-terminated string that the caller frees with
    /// `hwinst_string_free`; NULL if it holds a NUL (which JSON text from serde_json never
    /// does: it escapes one as `\u0000`) or its terminator cannot be allocated.
    pub(crate) fn into_raw(mut self) -> *mut c_char {
        // The memchr crate's search, not a byte loop: about one instruction per byte less,
        // 1.4 M on a 2,000-instance list page (1.5 MB).
        if memchr::memchr(0, self.as_bytes()).is_some() || self.reserve(0).is_err() {
            return std::ptr::null_mut();
        }
        // SAFETY: `reserve` left room for one byte after `len`.
        unsafe { self.start.add(self.len).write(0) };
        let start = self.start;
        std::mem::forget(self);
        start.cast()
    }

    /// Frees a string from [`CDocument::into_raw`].
    ///
    /// # Safety
    /// `string` is NULL or came from `into_raw` and has not been freed.
    pub(crate) unsafe fn free(string: *mut c_char) {
        // SAFETY: as promised to this function: C's heap, freed once.
        unsafe { libc::free(string.cast()) }
    }
}

impl io::Write for CDocument {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.reserve(bytes.len())?;
        // SAFETY: `reserve` made room for `bytes` after `len`; C's heap never overlaps `bytes`
        // being written from elsewhere.
        unsafe {
            std::ptr::copy_nonoverlapping(bytes.as_ptr(), self.start.add(self.len), bytes.len())
        };
        self.len += bytes.len();
        Ok(bytes.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Drop for CDocument {
    fn drop(&mut self) {
        // SAFETY: NULL or this document's allocation, freed once (`into_raw` forgets it).
        unsafe { libc::free(self.start.cast()) }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::CStr;
    use std::io::Write;

    fn text(string: *mut c_char) -> String {
        assert!(!string.is_null());
        // SAFETY: from `into_raw`, NUL-terminated.
        let text = unsafe { CStr::from_ptr(string) }
            .to_str()
            .unwrap()
            .to_owned();
        // SAFETY: ours, freed once.
        unsafe { CDocument::free(string) };
        text
    }

    #[test]
    fn a_document_grows_past_its_first_allocation_and_ends_in_one_nul() {
        for len in [
            0,
            1,
            FIRST_CAPACITY - 1,
            FIRST_CAPACITY,
            3 * FIRST_CAPACITY + 7,
        ] {
            let mut document = CDocument::new();
            let written: String = (0..len)
                .map(|i| char::from(b'a' + (i % 26) as u8))
                .collect();
            // In pieces, as serde_json writes.
            for piece in written.as_bytes().chunks(100) {
                document.write_all(piece).unwrap();
            }
            assert_eq!(document.as_bytes(), written.as_bytes());
            assert_eq!(text(document.into_raw()), written, "length {len}");
        }
    }

    #[test]
    fn a_nul_inside_gives_null_and_a_copy_is_equal() {
        assert!(CDocument::copy("a\0b").unwrap().into_raw().is_null());
        assert_eq!(
            text(CDocument::copy("{\"a\":1}").unwrap().into_raw()),
            "{\"a\":1}"
        );
        drop(CDocument::copy("dropped, never handed over"));
        // SAFETY: NULL is a no-op, as free(NULL).
        unsafe { CDocument::free(std::ptr::null_mut()) };
    }

    #[test]
    fn a_length_that_overflows_is_out_of_memory_not_a_panic() {
        let mut document = CDocument::copy("x").unwrap();
        let error = document.reserve(usize::MAX).unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::OutOfMemory);
        // No heap has this much: `realloc` refuses, and the document is as it was.
        let error = document.reserve(isize::MAX as usize - 2).unwrap_err();
        assert_eq!(error.kind(), io::ErrorKind::OutOfMemory);
        assert_eq!(text(document.into_raw()), "x");
    }
}
