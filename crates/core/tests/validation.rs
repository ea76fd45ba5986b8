//! Bad input is refused with a clear error before anything is sent.

mod common;

use blooio_core::{Client, ErrorKind, MAX_IMAGE_BYTES};
use common::*;

#[test]
fn invalid_chat_ids_send_nothing() {
    let (emu, c) = emulator_and_client();
    for id in [
        "",
        " ",
        ".",
        "..",
        "+1 555",
        "+",
        "+1555\r\nX: y",
        "a,,b",
        "+1555,",
    ] {
        let err = c.get_chat_background(id).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidChatId, "{id:?}");
        assert_eq!(err.attempts(), 0);
        let err = c.set_chat_background_bytes(id, &png(b"x")).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidChatId, "{id:?}");
    }
    assert!(api_requests(&emu).is_empty(), "nothing reached the server");
}

#[test]
fn invalid_images_send_nothing() {
    let (emu, c) = emulator_and_client();
    let avif = {
        let mut v = vec![0, 0, 0, 28];
        v.extend_from_slice(b"ftypavif\0\0\0\0avifmif1miaf");
        v
    };
    for (bytes, needle) in [
        (&b""[..], "empty"),
        (b"plain text, not an image", "not a supported image"),
        (
            b"<svg xmlns='http://www.w3.org/2000/svg'/>",
            "not a supported image",
        ),
        (&avif, "not a supported image"),
    ] {
        let err = c.set_chat_background_bytes("grp_x", bytes).unwrap_err();
        assert_error(&err, ErrorKind::InvalidImage, needle);
    }
    assert!(api_requests(&emu).is_empty());
}

#[test]
fn a_file_over_ten_mib_is_refused_without_reading_it_all() {
    let emu = emulator();
    let file = TempFile::new("huge.png", &png(b""));
    // A sparse file: its size is checked from metadata, not by reading it.
    std::fs::OpenOptions::new()
        .write(true)
        .open(&file.path)
        .unwrap()
        .set_len(MAX_IMAGE_BYTES + 1)
        .unwrap();
    let err = client(&emu)
        .set_chat_background_file("grp_x", &file.path)
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidImage);
    assert_eq!(err.path(), Some(file.path.as_path()));
    assert!(err.to_string().contains("10 MiB"), "{err}");
    assert!(api_requests(&emu).is_empty());
}

#[test]
fn a_missing_file_or_a_directory_is_named_in_the_error() {
    let (emu, c) = emulator_and_client();
    let missing = std::env::temp_dir().join("blooio-definitely-missing.png");
    let err = c.set_chat_background_file("grp_x", &missing).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Io);
    assert_eq!(err.path(), Some(missing.as_path()));
    assert!(err.to_string().contains("blooio-definitely-missing.png"), "{err}");

    let err = c
        .set_chat_background_file("grp_x", std::env::temp_dir())
        .unwrap_err();
    assert_error(&err, ErrorKind::InvalidImage, "not a regular file");
    assert!(api_requests(&emu).is_empty());
}

#[test]
fn bad_keys_and_base_urls_fail_at_build_time() {
    let emu = emulator();
    for key in ["k\n", "k\r\nX-Injected: 1", "k\0", "k k", ""] {
        let err = Client::builder()
            .api_key(key)
            .base_url(emu.base_url())
            .build()
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidConfig, "{key:?}");
    }
    for url in [
        "http://api.blooio.com/v2/api",
        "ftp://x",
        "not a url",
        "https://u:p@api.blooio.com",
    ] {
        let err = Client::builder().api_key(KEY).base_url(url).build().unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidConfig, "{url}");
        assert_key_absent(&err);
    }
    assert!(api_requests(&emu).is_empty());
}

#[test]
fn client_debug_shows_no_key() {
    let emu = emulator();
    let shown = format!("{:?}", client(&emu));
    assert!(!shown.contains(KEY) && shown.contains("redacted"), "{shown}");
}
