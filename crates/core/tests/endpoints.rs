//! Both endpoints end to end against the emulator: what goes on the wire and what comes back.

mod common;

use blooio_core::{CallOptions, ErrorKind, Image, MAX_IMAGE_BYTES};
use common::*;

#[test]
fn get_on_a_chat_without_background() {
    let emu = emulator();
    let bg = client(&emu).get_chat_background("+15551234567").unwrap();
    assert_eq!(bg.chat_id.as_deref(), Some("+15551234567"));
    assert_eq!(bg.has_background, Some(false));
    assert_eq!(
        (bg.background_id, bg.background_url, bg.background_version),
        (None, None, None)
    );
    assert_eq!(bg.changed, None, "GET carries no `changed`");

    let reqs = api_requests(&emu);
    assert_eq!(reqs.len(), 1);
    assert_eq!(reqs[0].method, "GET");
    assert_eq!(reqs[0].raw_path, "/v2/api/chats/%2B15551234567/background");
    assert_eq!(
        reqs[0].header("authorization"),
        Some(format!("Bearer {KEY}").as_str())
    );
    assert!(
        reqs[0]
            .header("user-agent")
            .unwrap()
            .starts_with("blooio-native/")
    );
    assert_eq!(reqs[0].header("accept"), Some("application/json"));
}

#[test]
fn set_from_a_file_sends_one_named_file_part_with_a_known_length() {
    let emu = emulator();
    let image = png(&[7; 5000]);
    let file = TempFile::new("beach photo.png", &image);
    let bg = client(&emu)
        .set_chat_background_file("+15551234567", &file.path)
        .unwrap();
    assert_eq!(bg.has_background, Some(true));
    assert_eq!(bg.changed, Some(true));
    assert_eq!(bg.background_version, Some(1));
    assert!(bg.background_id.is_some());

    let reqs = api_requests(&emu);
    let put = &reqs[0];
    assert_eq!(put.method, "PUT");
    assert!(
        put.content_type
            .as_deref()
            .unwrap()
            .starts_with("multipart/form-data; boundary=")
    );
    assert_eq!(put.parts.len(), 1, "exactly one part");
    let part = &put.parts[0];
    assert_eq!(part.name, "background");
    assert_eq!(part.filename.as_deref(), Some("beach photo.png"));
    assert_eq!(part.content_type.as_deref(), Some("image/png"));
    assert_eq!(part.len, image.len() as u64);
    let length: u64 = put
        .header("content-length")
        .expect("Content-Length is sent")
        .parse()
        .unwrap();
    assert_eq!(length, put.body_len);
    assert_eq!(put.header("transfer-encoding"), None, "not chunked");
}

#[test]
fn the_type_comes_from_the_bytes_not_the_name() {
    let emu = emulator();
    let file = TempFile::new("looks-like.png", &jpeg(b"actually a jpeg"));
    client(&emu)
        .set_chat_background_file("grp_abc", &file.path)
        .unwrap();
    let part = &api_requests(&emu)[0].parts[0];
    assert_eq!(part.content_type.as_deref(), Some("image/jpeg"));
    assert_eq!(part.filename.as_deref(), Some("looks-like.png"));
}

#[test]
fn set_from_bytes_names_the_part_after_the_format() {
    let (emu, c) = emulator_and_client();
    c.set_chat_background_bytes("grp_abc", &heic(b"x")).unwrap();
    c.set_chat_background("grp_abc", Image::Bytes(&jpeg(b"y")))
        .unwrap();
    let reqs = api_requests(&emu);
    assert_eq!(reqs[0].parts[0].filename.as_deref(), Some("background.heic"));
    assert_eq!(reqs[0].parts[0].content_type.as_deref(), Some("image/heic"));
    assert_eq!(reqs[1].parts[0].filename.as_deref(), Some("background.jpg"));
}

#[test]
fn setting_the_same_image_again_changes_nothing_and_a_new_one_bumps_the_version() {
    let (_emu, c) = emulator_and_client();
    let first = c
        .set_chat_background_bytes("alice@example.com", &png(b"one"))
        .unwrap();
    let again = c
        .set_chat_background_bytes("alice@example.com", &png(b"one"))
        .unwrap();
    assert_eq!(again.changed, Some(false));
    assert_eq!(again.background_id, first.background_id);
    assert_eq!(again.background_version, first.background_version);

    let other = c
        .set_chat_background_bytes("alice@example.com", &png(b"two"))
        .unwrap();
    assert_eq!(other.changed, Some(true));
    assert_ne!(other.background_id, first.background_id);
    assert_eq!(
        other.background_version,
        Some(first.background_version.unwrap() + 1)
    );

    let current = c.get_chat_background("alice@example.com").unwrap();
    assert_eq!(current.background_id, other.background_id);
    assert_eq!(current.background_url, other.background_url);
    assert_eq!(current.has_background, Some(true));
}

#[test]
fn the_background_url_serves_the_uploaded_bytes() {
    let emu = emulator();
    let image = jpeg(&[42; 1000]);
    let bg = client(&emu)
        .set_chat_background_bytes("+15551234567", &image)
        .unwrap();
    let url = bg.background_url.unwrap();
    let mut response = ureq::get(&url).call().unwrap();
    assert_eq!(response.headers().get("content-type").unwrap(), "image/jpeg");
    assert_eq!(response.body_mut().read_to_vec().unwrap(), image);
}

#[test]
fn every_byte_outside_unreserved_is_percent_encoded() {
    let (emu, c) = emulator_and_client();
    let cases = [
        ("+15551234567", "%2B15551234567", "+15551234567"),
        ("Alice@Example.com", "Alice%40Example.com", "alice@example.com"),
        (
            "+15551234567,+15559876543",
            "%2B15551234567%2C%2B15559876543",
            "+15551234567,+15559876543",
        ),
        ("grp_a1-b.c~d", "grp_a1-b.c~d", "grp_a1-b.c~d"),
        ("chat_a1b2c3d4", "chat_a1b2c3d4", "chat_a1b2c3d4"),
    ];
    for (id, encoded, normalised) in cases {
        let bg = c.get_chat_background(id).unwrap();
        assert_eq!(bg.chat_id.as_deref(), Some(normalised), "{id}");
        let last = api_requests(&emu).pop().unwrap();
        assert_eq!(last.raw_path, format!("/v2/api/chats/{encoded}/background"));
    }
}

#[test]
fn an_image_of_exactly_ten_mib_is_accepted() {
    let emu = emulator();
    let mut image = png(&[]);
    image.resize(MAX_IMAGE_BYTES as usize, 1);
    let file = TempFile::new("big.png", &image);
    let mut calls = Vec::new();
    let bg = client(&emu)
        .set_chat_background_with(
            "+15551234567",
            Image::Path(&file.path),
            CallOptions::new().progress(|sent, total| {
                calls.push((sent, total));
                true
            }),
        )
        .unwrap();
    assert_eq!(bg.changed, Some(true));
    assert_eq!(api_requests(&emu)[0].parts[0].len, MAX_IMAGE_BYTES);

    let (last_sent, total) = *calls.last().unwrap();
    assert_eq!(last_sent, total, "progress ends at the total");
    assert!(total > MAX_IMAGE_BYTES);
    assert!(calls.windows(2).all(|w| w[0].0 < w[1].0), "progress only grows");
}

#[test]
fn the_client_reports_its_settings() {
    let emu = emulator();
    let c = builder(&emu)
        .timeout(ms(1500))
        .connect_timeout(ms(700))
        .max_retries(4)
        .build()
        .unwrap();
    assert_eq!(
        (c.timeout(), c.connect_timeout(), c.max_retries()),
        (ms(1500), ms(700), 4)
    );
    let d = client(&emu);
    assert_eq!(d.timeout(), blooio_core::DEFAULT_TIMEOUT);
    assert_eq!(d.max_retries(), blooio_core::DEFAULT_MAX_RETRIES);
}

#[test]
fn a_trailing_slash_on_the_base_url_is_tolerated() {
    let emu = emulator();
    let c = blooio_core::Client::builder()
        .api_key(KEY)
        .base_url(format!("{}/", emu.base_url()))
        .build()
        .unwrap();
    c.get_chat_background("grp_x").unwrap();
    assert_eq!(api_requests(&emu)[0].raw_path, "/v2/api/chats/grp_x/background");
}

#[test]
fn the_user_agent_carries_the_callers_suffix() {
    let emu = emulator();
    builder(&emu)
        .user_agent_suffix("my-app/1.2")
        .build()
        .unwrap()
        .get_chat_background("grp_x")
        .unwrap();
    let ua = api_requests(&emu)[0].header("user-agent").unwrap().to_owned();
    assert!(
        ua.starts_with("blooio-native/") && ua.ends_with(" my-app/1.2"),
        "{ua}"
    );
}

#[test]
fn a_wrong_key_is_an_authentication_error_with_the_servers_words() {
    let emu = emulator();
    let err = blooio_core::Client::builder()
        .api_key("bl_wrong_key")
        .base_url(emu.base_url())
        .build()
        .unwrap()
        .get_chat_background("grp_x")
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Authentication);
    assert_eq!(err.status(), Some(401));
    assert_eq!(err.attempts(), 1, "401 is never retried");
    assert!(err.server_message().is_some());
    assert!(err.request_id().is_some_and(|r| err.to_string().contains(r)));
    assert!(err.to_string().contains("BLOOIO_API_KEY"), "{err}");
    assert!(!format!("{err} {err:?}").contains("bl_wrong_key"));
}
