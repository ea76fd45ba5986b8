//! The emulator's own image sniffer, for the differential fuzz target under `fuzz/` that holds
//! the client's sniffer to it. Behind the opt-in `fuzzing` feature; not an API.

/// The MIME type of the format an upload of `bytes` is accepted as, or `None` if refused.
pub fn sniff_image(bytes: &[u8]) -> Option<&'static str> {
    crate::image::sniff(bytes)
}
