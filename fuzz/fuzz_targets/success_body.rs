//! Success-body decoding: never panics; a decoded background re-encodes to JSON that decodes
//! to the same background; a refusal is a decode error that quotes the body on one line.
#![no_main]

use blooio_core::{ChatBackground, ErrorKind};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    match ChatBackground::from_json(data) {
        Ok(bg) => {
            // JSON: UTF-8 text, well formed (checked without building values, which would
            // refuse numbers beyond f64 that JSON allows), and an object.
            let text = std::str::from_utf8(data).expect("accepted, so UTF-8");
            serde_json::from_str::<serde::de::IgnoredAny>(text).expect("accepted, so JSON");
            assert_eq!(
                text.trim_start_matches([' ', '\t', '\r', '\n']).chars().next(),
                Some('{'),
                "accepted a non-object"
            );
            let json = bg.to_json();
            assert_eq!(ChatBackground::from_json(json.as_bytes()).unwrap(), bg, "{json}");
        }
        Err(e) => {
            assert_eq!(e.kind(), ErrorKind::Decode);
            assert!(e.message().contains("it starts with: "), "{}", e.message());
            assert!(!e.message().chars().any(char::is_control), "{:?}", e.message());
        }
    }
});
