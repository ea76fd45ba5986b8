//! Chat-id validation and path-segment encoding: never panics; the segment decodes back to the
//! id; only RFC 3986 unreserved bytes stay literal; an accepted id can never change the path.
#![no_main]

use blooio_core::{ErrorKind, encode_path_segment, fuzzing, validate_chat_id};
use libfuzzer_sys::fuzz_target;

fn unreserved(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~')
}

/// An independent percent-decoder: `%XX` (upper-case hex only, as the encoder writes it).
fn decode(segment: &str) -> Vec<u8> {
    let hex = |b: u8| match b {
        b'0'..=b'9' => b - b'0',
        b'A'..=b'F' => b - b'A' + 10,
        _ => panic!("{segment:?}: {b:?} is not an upper-case hex digit"),
    };
    let bytes = segment.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            assert!(i + 2 < bytes.len(), "{segment:?}: truncated escape");
            out.push(hex(bytes[i + 1]) << 4 | hex(bytes[i + 2]));
            i += 3;
        } else {
            assert!(
                unreserved(bytes[i]),
                "{segment:?}: {:?} left literal",
                bytes[i] as char
            );
            out.push(bytes[i]);
            i += 1;
        }
    }
    out
}

fuzz_target!(|data: &[u8]| {
    let Ok(id) = std::str::from_utf8(data) else {
        return;
    };
    let segment = encode_path_segment(id);
    assert_eq!(decode(&segment), id.as_bytes(), "{id:?} -> {segment:?}");
    // Minimal: an unreserved byte is never escaped, every other byte always is.
    let literal = segment.bytes().filter(|b| *b != b'%').count() - 2 * segment.matches('%').count();
    assert_eq!(literal, id.bytes().filter(|b| unreserved(*b)).count(), "{id:?}");

    match fuzzing::chat_id_to_path_segment(id) {
        Ok(sent) => {
            assert!(validate_chat_id(id).is_ok());
            assert_eq!(sent, segment);
            assert!(
                !sent.is_empty() && sent != "." && sent != "..",
                "{id:?} -> {sent:?}"
            );
            assert!(
                !id.trim().is_empty() && !id.chars().any(char::is_control),
                "{id:?}"
            );
            for member in id.split(',') {
                assert!(!member.trim().is_empty(), "{id:?}");
                if let Some(digits) = member.trim_start().strip_prefix('+') {
                    assert!(member.starts_with('+'), "{id:?}: space before '+'");
                    assert!(
                        (1..=15).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit()),
                        "{id:?}: {member:?} is not E.164"
                    );
                }
            }
        }
        Err(e) => {
            assert!(validate_chat_id(id).is_err());
            assert_eq!(e.kind(), ErrorKind::InvalidChatId);
            assert!(e.message().starts_with("invalid chat id "), "{}", e.message());
            assert_eq!(e.attempts(), 0);
        }
    }
});
