//! The strings hwinst hands to C (`out_json`, `out_error`). A [`CDocument`] is written into a
//! `Vec` whose capacity is kept in the bytes just before the text, so that
//! `hwinst_string_free` gives the allocation back as it was made. A `CString` must be shrunk to
//! its length before it is handed over (its `from_raw` frees by length): a `realloc` on every
//! call, and the heap split that it leaves.

use std::ffi::c_char;

/// Bytes before the text: the allocation's capacity (a `usize`, native order).
const HEADER: usize = size_of::<usize>();

/// The first allocation of a document: a progress, status or lifecycle document fits, with no
/// `realloc` (a list page grows from there, doubling).
const FIRST_CAPACITY: usize = 512;

/// Unused room beyond which a finished document is shrunk to its length (one `realloc`, for a
/// list page): a document held by the caller keeps at most this much it does not use.
const MAX_SLACK: usize = 64 * 1024;

/// A document for C, turned into a NUL-terminated string for `hwinst_string_free` by
/// [`CDocument::into_raw`].
pub(crate) struct CDocument {
    /// The header, then the text.
    bytes: Vec<u8>,
}

impl CDocument {
    /// `value` as JSON, written by serde_json into the `Vec` itself (its many small pieces
    /// take `Vec`'s own inlined path: a list page has about 100,000).
    pub(crate) fn json<T: serde::Serialize>(value: &T) -> serde_json::Result<CDocument> {
        let mut document = CDocument::with_capacity(FIRST_CAPACITY);
        serde_json::to_writer(&mut document.bytes, value)?;
        Ok(document)
    }

    /// `text`, copied.
    pub(crate) fn copy(text: &str) -> CDocument {
        let mut document = CDocument::with_capacity(HEADER + text.len() + 1);
        document.bytes.extend_from_slice(text.as_bytes());
        document
    }

    /// An empty document: the header's room, in an allocation of `capacity` bytes.
    fn with_capacity(capacity: usize) -> CDocument {
        let mut bytes = Vec::with_capacity(capacity);
        bytes.extend_from_slice(&[0; HEADER]);
        CDocument { bytes }
    }

    /// What has been written.
    pub(crate) fn as_bytes(&self) -> &[u8] {
        &self.bytes[HEADER..]
    }

    /// The document as a NUL-terminated string that the caller frees with
    /// `hwinst_string_free` ([`CDocument::free`]); NULL if it holds a NUL (which JSON text
    /// from serde_json never does: it escapes one as `\u0000`).
    pub(crate) fn into_raw(self) -> *mut c_char {
        // The memchr crate's search, not a byte loop: about one instruction per byte less,
        // 1.4 M on a 2,000-instance list page (1.5 MB).
        if memchr::memchr(0, self.as_bytes()).is_some() {
            return std::ptr::null_mut();
        }
        let mut bytes = self.bytes;
        bytes.push(0);
        if bytes.capacity() - bytes.len() > MAX_SLACK {
            bytes.shrink_to_fit();
        }
        let capacity = bytes.capacity();
        bytes[..HEADER].copy_from_slice(&capacity.to_ne_bytes());
        let start = std::mem::ManuallyDrop::new(bytes).as_mut_ptr();
        // SAFETY: the text starts `HEADER` bytes into the allocation.
        unsafe { start.add(HEADER) }.cast()
    }

    /// Frees a string from [`CDocument::into_raw`].
    ///
    /// # Safety
    /// `string` is NULL or came from `into_raw` and has not been freed.
    pub(crate) unsafe fn free(string: *mut c_char) {
        if string.is_null() {
            return;
        }
        // SAFETY: as promised to this function, the allocation starts `HEADER` bytes before
        // `string` and begins with its capacity, as `into_raw` wrote it; rebuilt with that
        // capacity (and no length: nothing to drop in bytes), it is freed as it was made.
        unsafe {
            let start = string.cast::<u8>().sub(HEADER);
            let capacity = usize::from_ne_bytes(start.cast::<[u8; HEADER]>().read());
            drop(Vec::from_raw_parts(start, 0, capacity));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::CStr;

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
            FIRST_CAPACITY - HEADER - 3,
            FIRST_CAPACITY,
            3 * FIRST_CAPACITY + 7,
            2 * MAX_SLACK + 1, // shrunk: about 131,000 bytes unused of 262,144
        ] {
            let written: String = (0..len)
                .map(|i| char::from(b'a' + (i % 26) as u8))
                .collect();
            // A list of pieces, as a page is written.
            let pieces: Vec<&str> = (0..len)
                .step_by(100)
                .map(|i| &written[i..(i + 100).min(len)])
                .collect();
            let document = CDocument::json(&pieces).unwrap();
            let expected = serde_json::to_string(&pieces).unwrap();
            assert_eq!(document.as_bytes(), expected.as_bytes());
            assert_eq!(text(document.into_raw()), expected, "length {len}");
        }
    }

    #[test]
    fn a_nul_inside_gives_null_and_a_copy_is_equal() {
        assert!(CDocument::copy("a\0b").into_raw().is_null());
        assert_eq!(text(CDocument::copy("{\"a\":1}").into_raw()), "{\"a\":1}");
        assert_eq!(text(CDocument::copy("").into_raw()), "");
        drop(CDocument::copy("dropped, never handed over"));
        // SAFETY: NULL is a no-op.
        unsafe { CDocument::free(std::ptr::null_mut()) };
    }
}
