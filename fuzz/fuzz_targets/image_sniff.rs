//! Image sniffing and checking, differentially: the client accepts exactly what the emulator's
//! independent sniffer accepts, as the same format, whether the bytes come from memory or from
//! a file (of which the client reads only the head); and nothing panics.
#![no_main]

use blooio_core::{ErrorKind, ImageFormat, fuzzing};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let sniffed = ImageFormat::sniff(data).map(ImageFormat::mime_type);
    let emulator = blooio_emulator::fuzzing::sniff_image(data);
    let from_bytes = fuzzing::check_image_bytes(data);
    let from_file = fuzzing::check_image_file_content(data);
    for (how, checked) in [("bytes", &from_bytes), ("file", &from_file)] {
        if let Err(e) = checked {
            assert_eq!(e.kind(), ErrorKind::InvalidImage, "{how}: {e}");
            assert_eq!(e.attempts(), 0);
        }
        let accepted = checked.as_ref().ok().map(|f| f.mime_type());
        if data.is_empty() {
            assert_eq!(accepted, None, "{how}: an empty image was accepted");
        } else {
            assert_eq!(
                accepted, emulator,
                "{how}: the client judges {accepted:?}, the emulator {emulator:?}"
            );
        }
    }
    assert_eq!(
        sniffed, emulator,
        "sniff: the client says {sniffed:?}, the emulator {emulator:?}"
    );
});
