//! Error-body parsing: never panics; what it reads is trimmed and non-empty; the snippet of a
//! body for error messages is short, one line, and quoted.
#![no_main]

use blooio_core::fuzzing;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (message, code) = fuzzing::parse_error_body(data);
    for field in [&message, &code].into_iter().flatten() {
        assert!(!field.is_empty() && field.trim() == field, "{field:?}");
    }
    let json = serde_json::from_slice::<serde_json::Value>(data).ok();
    match &json {
        Some(serde_json::Value::Object(_)) => {}
        Some(_) | None if data.iter().all(u8::is_ascii_whitespace) => {
            assert_eq!((&message, &code), (&None, &None));
        }
        _ => {
            let m = message.as_deref().expect("a non-object body gives a snippet");
            assert!(m.starts_with("non-JSON body: \""), "{m:?}");
            assert_eq!(code, None);
        }
    }

    let snippet = fuzzing::body_snippet(data);
    if data.is_empty() {
        assert_eq!(snippet, "(an empty body)");
        return;
    }
    assert!(snippet.starts_with('"') && snippet.ends_with('"'), "{snippet:?}");
    assert!(!snippet.chars().any(char::is_control), "{snippet:?}");
    // 120 characters, an ellipsis, the quotes, and Debug escapes of `"` and `\` at worst double.
    assert!(
        snippet.chars().count() <= 2 * 121 + 2,
        "{} chars",
        snippet.chars().count()
    );
});
