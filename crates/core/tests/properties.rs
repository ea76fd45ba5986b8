//! Hostile input, property-based: encoding round-trips, and the parsers that see untrusted bytes
//! never panic.

use blooio_core::{ChatBackground, Client, ErrorKind, ImageFormat, encode_path_segment, validate_chat_id};
use proptest::prelude::*;

fn percent_decode(s: &str) -> Vec<u8> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            out.push(u8::from_str_radix(std::str::from_utf8(&b[i + 1..i + 3]).unwrap(), 16).unwrap());
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn encoding_round_trips_and_leaves_only_unreserved_bytes(id in any::<String>()) {
        let encoded = encode_path_segment(&id);
        prop_assert_eq!(percent_decode(&encoded), id.as_bytes());
        let mut rest = encoded.as_str();
        while let Some(c) = rest.chars().next() {
            if c == '%' {
                prop_assert!(rest.len() >= 3 && rest[1..3].chars().all(|h| h.is_ascii_hexdigit()
                    && !h.is_ascii_lowercase()));
                rest = &rest[3..];
            } else {
                prop_assert!(c.is_ascii_alphanumeric() || "-._~".contains(c));
                rest = &rest[1..];
            }
        }
    }

    #[test]
    fn ids_with_control_characters_are_refused(
        prefix in "[a-z+0-9@.]{0,10}", ctrl in prop::sample::select(vec!['\r', '\n', '\0', '\t', '\u{7f}', '\u{85}']),
        suffix in "[a-z0-9]{0,10}",
    ) {
        let id = format!("{prefix}{ctrl}{suffix}");
        let err = validate_chat_id(&id).unwrap_err();
        prop_assert_eq!(err.kind(), ErrorKind::InvalidChatId);
    }

    #[test]
    fn e164_numbers_are_accepted(digits in "[0-9]{1,15}") {
        let id = format!("+{digits}");
        prop_assert!(validate_chat_id(&id).is_ok());
    }

    #[test]
    fn sniffing_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..600)) {
        let _ = ImageFormat::sniff(&bytes);
    }

    #[test]
    fn sniffing_iso_bmff_with_arbitrary_box_lengths_never_panics(
        len in any::<u32>(), major in any::<[u8; 4]>(), rest in prop::collection::vec(any::<u8>(), 0..300),
    ) {
        let mut v = len.to_be_bytes().to_vec();
        v.extend_from_slice(b"ftyp");
        v.extend_from_slice(&major);
        v.extend_from_slice(&rest);
        let _ = ImageFormat::sniff(&v);
    }

    #[test]
    fn decoding_arbitrary_bodies_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        if let Err(e) = ChatBackground::from_json(&bytes) {
            prop_assert_eq!(e.kind(), ErrorKind::Decode);
            prop_assert!(e.to_string().len() < 1000);
        }
    }

    #[test]
    fn decoding_arbitrary_json_objects_never_panics(
        fields in prop::collection::btree_map("[a-z_]{1,20}", prop_oneof![
            Just(serde_json::Value::Null), any::<bool>().prop_map(serde_json::Value::from),
            any::<i64>().prop_map(serde_json::Value::from), any::<f64>().prop_map(serde_json::Value::from),
            ".{0,20}".prop_map(serde_json::Value::from),
        ], 0..8),
    ) {
        let body = serde_json::to_vec(&fields).unwrap();
        let _ = ChatBackground::from_json(&body);
    }

    #[test]
    fn keys_with_line_breaks_or_nul_are_refused_and_not_echoed(
        a in "[A-Za-z0-9_]{4,20}", bad in prop::sample::select(vec!["\r", "\n", "\0", "\r\n", " ", "\u{7f}"]),
        b in "[A-Za-z0-9_]{0,20}",
    ) {
        let key = format!("{a}{bad}{b}");
        let err = Client::builder().api_key(key.clone()).base_url("http://127.0.0.1:9/v2/api").build().unwrap_err();
        prop_assert_eq!(err.kind(), ErrorKind::InvalidConfig);
        prop_assert!(!err.to_string().contains(&a));
    }

    #[test]
    fn base_urls_with_line_breaks_are_refused(a in "[a-z]{1,10}", bad in prop::sample::select(vec!["\r", "\n", "\0"])) {
        let url = format!("https://{a}.example.com/{bad}v2");
        let err = Client::builder().api_key("k").base_url(url).build().unwrap_err();
        prop_assert_eq!(err.kind(), ErrorKind::InvalidConfig);
    }
}
