//! The two endpoints as the reference pages describe them, driven by curl.

mod common;

use std::collections::HashSet;
use std::io::{BufReader, Write};
use std::time::Instant;

use blooio_emulator::{Emulator, EmulatorConfig, MAX_IMAGE_BYTES, REFUSED_SEGMENTS};
use common::*;

#[test]
fn get_of_a_chat_never_set_has_no_background() {
    let emu = start();
    // The reference page's own command, with its opaque example id.
    let answer = get(&emu, "chat_a1b2c3d4");
    assert_eq!(answer.status, 200);
    assert_eq!(answer.header("content-type"), Some("application/json"));
    assert_eq!(
        answer.json(),
        serde_json::json!({
            "chat_id": "chat_a1b2c3d4",
            "has_background": false,
            "background_id": null,
            "background_url": null,
            "background_version": null
        })
    );
}

#[test]
fn reference_put_command_sets_a_background_that_get_returns() {
    let emu = start();
    let image = jpeg(b"a small picture");
    let put = put(&emu, "%2B15551234567", &image, "image/jpeg");
    assert_eq!(put.status, 200, "{}", String::from_utf8_lossy(&put.body));
    let body = put.json();
    assert_eq!(body["chat_id"], "+15551234567");
    assert_eq!(body["has_background"], true);
    assert_eq!(body["changed"], true);
    assert_eq!(body["background_version"], 1);
    let id = body["background_id"].as_str().unwrap();
    assert!(
        id.len() == 19 && id.starts_with("bg_") && id[3..].bytes().all(|b| b.is_ascii_hexdigit()),
        "{id}"
    );
    let origin = emu.base_url().trim_end_matches("/v2/api").to_owned();
    assert_eq!(
        body["background_url"],
        format!("{origin}/media/backgrounds/{id}.jpg")
    );

    let got = get(&emu, "%2B15551234567").json();
    let mut expected = body.clone();
    expected.as_object_mut().unwrap().remove("changed");
    assert_eq!(got, expected, "GET has the PUT's fields but no `changed`");
}

#[test]
fn a_literal_plus_is_refused_while_percent_2b_works() {
    let emu = start();
    let refused = put(&emu, "+15551234567", &png(b"x"), "image/png");
    refused.assert_error(400, "invalid_chat_id");
    assert!(refused.message().contains("%2B"), "{}", refused.message());
    get(&emu, "+15551234567").assert_error(400, "invalid_chat_id");

    assert_eq!(get(&emu, "%2B15551234567").json()["chat_id"], "+15551234567");
    let reqs = emu.requests();
    assert_eq!(reqs.len(), 3);
    assert_eq!(reqs[0].raw_path, "/v2/api/chats/+15551234567/background");
    assert_eq!(reqs[0].chat_id, None);
    assert_eq!(reqs[2].chat_id.as_deref(), Some("+15551234567"));
}

#[test]
fn invalid_chat_ids_are_400s_that_say_why() {
    let emu = start();
    // An empty segment is a chat id too (an empty one), and `%2E%2E` must reach the server
    // as it is: curl is told not to tidy the path.
    for (segment, says) in REFUSED_SEGMENTS {
        let url = format!("{}/chats/{segment}/background", emu.base_url());
        let answer = curl(&["--path-as-is", &url, "-H", AUTH]);
        answer.assert_error(400, "invalid_chat_id");
        assert!(
            answer.message().contains(says),
            "{segment:?}: {}",
            answer.message()
        );
    }
}

#[test]
fn auth_comes_before_everything_else() {
    let emu = Emulator::start(EmulatorConfig {
        api_keys: vec!["first".into(), "second".into()],
        ..EmulatorConfig::default()
    })
    .unwrap();
    let url = format!("{}/chats/%2B15551234567/background", emu.base_url());
    let missing = curl(&[&url]);
    missing.assert_error(401, "unauthorized");
    assert_eq!(missing.header("www-authenticate"), Some("Bearer"));
    assert!(missing.header("x-request-id").is_some());
    curl(&[&url, "-H", "Authorization: Bearer third"]).assert_error(401, "unauthorized");
    curl(&[&url, "-H", "Authorization: Basic first"]).assert_error(401, "unauthorized");
    curl(&[&url, "-H", "Authorization: Bearer First"]).assert_error(401, "unauthorized");
    // Auth is checked before the chat id, the body and the route.
    let bad_id = format!("{}/chats/+1/background", emu.base_url());
    curl(&[&bad_id, "-H", "Authorization: Bearer nope"]).assert_error(401, "unauthorized");
    let text = temp_file("notes.txt", b"not an image");
    let form = format!("background=@{};type=text/plain", text.display());
    curl(&["-X", "PUT", &url, "-F", &form]).assert_error(401, "unauthorized");
    let unknown = format!("{}/chats", emu.base_url());
    curl(&[&unknown]).assert_error(401, "unauthorized");

    for key in ["first", "second"] {
        let header = format!("Authorization: Bearer {key}");
        assert_eq!(curl(&[&url, "-H", &header]).status, 200, "key {key}");
    }
    // Every attempt was recorded, authorised or not.
    assert_eq!(emu.requests().len(), 9);
    assert_eq!(emu.requests()[3].header("authorization"), Some("Bearer First"));
}

#[test]
fn emails_are_lowercased_and_name_one_chat() {
    let emu = start();
    let put = put(&emu, "Alice%40Example.COM", &gif(b"x"), "image/gif");
    assert_eq!(put.json()["chat_id"], "alice@example.com");
    let got = get(&emu, "alice%40example.com").json();
    assert_eq!(got["has_background"], true);
    assert_eq!(got["background_id"], put.json()["background_id"]);
}

#[test]
fn comma_lists_are_normalised_member_by_member() {
    let emu = start();
    let answer = get(&emu, "%2B15551234567%2CBob%40X.org%2Cgrp_ab");
    assert_eq!(answer.json()["chat_id"], "+15551234567,bob@x.org,grp_ab");
    // Commas may also arrive unencoded (RFC 3986 allows them in a path).
    let answer = get(&emu, "%2B15551234567,%2B15559876543");
    assert_eq!(answer.json()["chat_id"], "+15551234567,+15559876543");
    get(&emu, "%2B15551234567%2C").assert_error(400, "invalid_chat_id");
}

#[test]
fn every_supported_format_is_sniffed_and_served_from_its_url() {
    let emu = start();
    let cases = [
        (jpeg(b"j"), "image/jpeg", "jpg", "image/jpeg"),
        (png(b"p"), "image/png", "png", "image/png"),
        (gif(b"g"), "image/gif", "gif", "image/gif"),
        (webp(b"w"), "image/webp", "webp", "image/webp"),
        (
            ftyp(b"heic", &[b"mif1", b"heic"], b"h"),
            "image/heic",
            "heic",
            "image/heic",
        ),
        (
            ftyp(b"mif1", &[b"heic"], b"h2"),
            "image/heif",
            "heic",
            "image/heic",
        ),
        (
            ftyp(b"mif1", &[b"miaf"], b"f"),
            "image/heif",
            "heif",
            "image/heif",
        ),
        // The declared type only has to be image/*: the bytes decide.
        (png(b"declared jpeg"), "image/jpeg", "png", "image/png"),
    ];
    for (i, (image, declared, ext, served_as)) in cases.iter().enumerate() {
        let chat = format!("grp_{i}");
        let put = put(&emu, &chat, image, declared);
        assert_eq!(put.status, 200, "{ext}: {}", String::from_utf8_lossy(&put.body));
        let url = put.json()["background_url"].as_str().unwrap().to_owned();
        assert!(url.ends_with(&format!(".{ext}")), "{url}");
        let media = curl(&[&url]);
        assert_eq!(media.status, 200);
        assert_eq!(media.header("content-type"), Some(*served_as));
        assert_eq!(&media.body, image, "{ext}: the stored bytes come back");
    }
    // Media needs no auth, and media requests are not recorded.
    assert_eq!(emu.requests().len(), cases.len());
    let origin = emu.base_url().trim_end_matches("/v2/api").to_owned();
    curl(&[&format!("{origin}/media/backgrounds/bg_0000000000000000.png")]).assert_error(404, "not_found");
}

#[test]
fn bytes_that_are_not_a_supported_image_are_refused() {
    let emu = start();
    for (bytes, what) in [
        (b"plain text, really".to_vec(), "text"),
        (ftyp(b"avif", &[b"avif"], b"a"), "avif"),
        (b"\xFF\xD8".to_vec(), "truncated jpeg magic"),
        (b"RIFF\0\0\0\0WAVEfmt ".to_vec(), "wav"),
    ] {
        let answer = put(&emu, "grp_x", &bytes, "image/png");
        answer.assert_error(400, "unsupported_image_type");
        assert!(answer.message().contains("JPEG"), "{what}");
    }
    assert_eq!(get(&emu, "grp_x").json()["has_background"], false);
}

#[test]
fn a_part_without_a_filename_is_treated_as_missing() {
    let emu = start();
    let file = temp_file("image.jpg", &jpeg(b"x"));
    // `<` makes curl send the file's content as a plain field: no filename.
    let form = format!("background=<{};type=image/jpeg", file.display());
    let answer = put_with(&emu, "grp_x", &["-F", &form]);
    answer.assert_error(400, "missing_background");
    assert!(answer.message().contains("filename"), "{}", answer.message());
    let part = &emu.requests()[0].parts[0];
    assert_eq!(
        (part.name.as_str(), part.filename.as_deref()),
        ("background", None)
    );
    // An explicitly empty filename is no better.
    let form = format!("background=@{};type=image/jpeg;filename=", file.display());
    put_with(&emu, "grp_x", &["-F", &form]).assert_error(400, "missing_background");
}

#[test]
fn only_one_part_named_background_is_accepted() {
    let emu = start();
    let file = temp_file("image.jpg", &jpeg(b"x"));
    let good = format!("background=@{};type=image/jpeg", file.display());
    // The reference page's second example names the field `file`: the API wants `background`.
    let named_file = format!("file=@{};type=image/jpeg", file.display());
    put_with(&emu, "grp_x", &["-F", &named_file]).assert_error(400, "unexpected_field");
    put_with(&emu, "grp_x", &["-F", &good, "-F", "caption=hi"]).assert_error(400, "unexpected_field");
    put_with(&emu, "grp_x", &["-F", &good, "-F", &good]).assert_error(400, "multiple_backgrounds");
    // No parts at all.
    put_with(
        &emu,
        "grp_x",
        &[
            "-H",
            "Content-Type: multipart/form-data; boundary=b",
            "--data-binary",
            "--b--\r\n",
        ],
    )
    .assert_error(400, "missing_background");
    assert_eq!(put_with(&emu, "grp_x", &["-F", &good]).status, 200);
}

#[test]
fn the_part_must_declare_an_image_type() {
    let emu = start();
    for mime in ["application/octet-stream", "text/plain", "video/mp4"] {
        let answer = put(&emu, "grp_x", &jpeg(b"x"), mime);
        answer.assert_error(400, "invalid_image_content_type");
        assert!(answer.message().contains("image/*"), "{mime}");
    }
    assert_eq!(put(&emu, "grp_x", &jpeg(b"x"), "IMAGE/JPEG").status, 200);
}

#[test]
fn the_body_must_be_multipart_form_data() {
    let emu = start();
    let file = temp_file("image.jpg", &jpeg(b"x"));
    let raw_upload = format!("@{}", file.display());
    let answer = put_with(
        &emu,
        "grp_x",
        &["-H", "Content-Type: image/jpeg", "--data-binary", &raw_upload],
    );
    answer.assert_error(400, "invalid_content_type");
    assert!(answer.message().contains("multipart/form-data"));
    put_with(&emu, "grp_x", &[]).assert_error(400, "invalid_content_type");
    put_with(
        &emu,
        "grp_x",
        &["-H", "Content-Type: multipart/form-data", "--data-binary", "x"],
    )
    .assert_error(400, "invalid_content_type");
    let recorded = &emu.requests()[0];
    assert_eq!(recorded.body_len, jpeg(b"x").len() as u64);
    assert!(recorded.parts.is_empty());
}

#[test]
fn an_empty_file_is_refused() {
    let emu = start();
    put(&emu, "grp_x", b"", "image/jpeg").assert_error(400, "empty_file");
}

#[test]
fn the_size_limit_is_ten_mebibytes() {
    let emu = start();
    let limit = usize::try_from(MAX_IMAGE_BYTES).unwrap();
    assert_eq!(limit, 10 * 1024 * 1024);
    let exactly = jpeg(&vec![0x5A; limit - 4]);
    assert_eq!(exactly.len(), limit);
    let accepted = put(&emu, "grp_big", &exactly, "image/jpeg");
    assert_eq!(accepted.status, 200);
    let url = accepted.json()["background_url"].as_str().unwrap().to_owned();
    assert_eq!(curl(&[&url]).body.len(), limit);

    let one_more = jpeg(&vec![0x5A; limit - 3]);
    let refused = put(&emu, "grp_big", &one_more, "image/jpeg");
    refused.assert_error(400, "file_too_large");
    assert!(refused.message().contains("10485761"), "{}", refused.message());
    assert_eq!(emu.requests()[1].parts[0].len, MAX_IMAGE_BYTES + 1);
    // The refused upload left the stored one alone.
    assert_eq!(get(&emu, "grp_big").json()["background_version"], 1);
}

#[test]
fn a_body_beyond_eleven_mebibytes_is_a_413() {
    let emu = start();
    let boundary = "XyZ";
    let head = part_head(boundary, "a.jpg", "image/jpeg");
    let file_len = 12 * 1024 * 1024;
    let tail = format!("\r\n--{boundary}--\r\n");
    let total = head.len() + file_len + tail.len();
    let mut stream = connect(emu.addr());
    write!(stream, "{}{head}", put_head("grp_x", boundary, total)).unwrap();
    let mut writer = stream.try_clone().unwrap();
    // The server stops reading at its limit, so write from another thread.
    let sending = std::thread::spawn(move || {
        let chunk = vec![0xFF; 64 * 1024];
        for _ in 0..file_len / chunk.len() {
            if writer.write_all(&chunk).is_err() {
                return;
            }
        }
        let _ = writer.write_all(tail.as_bytes());
    });
    let answer = read_answer(&mut BufReader::new(&mut stream)).expect("a 413 before the reset");
    assert_eq!(answer.status, 413);
    assert_eq!(answer.json()["error"], "payload_too_large");
    drop(stream);
    sending.join().unwrap();
    let recorded = &emu.requests()[0];
    assert_eq!(recorded.status, 413);
    assert!(recorded.body_len > 11 * 1024 * 1024);
}

#[test]
fn same_bytes_change_nothing_and_new_bytes_bump_the_version() {
    let emu = start();
    let first = put(&emu, "%2B15551234567", &png(b"one"), "image/png").json();
    let again = put(&emu, "%2B15551234567", &png(b"one"), "image/png").json();
    assert_eq!(again["changed"], false);
    assert_eq!(again["background_id"], first["background_id"]);
    assert_eq!(again["background_version"], 1);
    assert_eq!(again["background_url"], first["background_url"]);

    let second = put(&emu, "%2B15551234567", &jpeg(b"two"), "image/jpeg").json();
    assert_eq!(second["changed"], true);
    assert_ne!(second["background_id"], first["background_id"]);
    assert_eq!(second["background_version"], 2);
    assert!(second["background_url"].as_str().unwrap().ends_with(".jpg"));
    // The old image is gone; the chat's state belongs to that chat only.
    let old = curl(&[first["background_url"].as_str().unwrap()]);
    assert_eq!(old.status, 404);
    assert_eq!(get(&emu, "%2B15559876543").json()["has_background"], false);
}

#[test]
fn unknown_paths_and_methods_get_json_errors() {
    let emu = start();
    let origin = emu.base_url().trim_end_matches("/v2/api").to_owned();
    curl(&[&format!("{origin}/nothing/here")]).assert_error(404, "not_found");
    curl(&[&format!("{}/chats/grp_x", emu.base_url()), "-H", AUTH]).assert_error(404, "not_found");
    curl(&[&format!("{}/chats/grp_x/background/", emu.base_url()), "-H", AUTH])
        .assert_error(404, "not_found");
    let url = format!("{}/chats/grp_x/background", emu.base_url());
    for method in ["DELETE", "POST", "PATCH"] {
        let answer = curl(&["-X", method, &url, "-H", AUTH]);
        answer.assert_error(405, "method_not_allowed");
        assert_eq!(answer.header("allow"), Some("GET, PUT"));
    }
}

#[test]
fn every_response_has_a_fresh_request_id() {
    let emu = start();
    let mut seen = HashSet::new();
    for answer in [
        get(&emu, "grp_a"),
        get(&emu, "grp_a"),
        get(&emu, "+1"),
        put(&emu, "grp_a", b"nope", "image/png"),
        curl(&[&emu.base_url()]),
    ] {
        let id = answer.header("x-request-id").expect("x-request-id").to_owned();
        assert!(id.starts_with("req_") && id.len() > 4, "{id}");
        assert!(seen.insert(id), "request ids repeat");
    }
    let recorded: HashSet<String> = emu.requests().into_iter().map(|r| r.request_id).collect();
    assert_eq!(recorded, seen);
}

#[test]
fn no_active_number_is_a_503_after_auth() {
    let emu = Emulator::start(EmulatorConfig {
        no_active_number: true,
        ..EmulatorConfig::default()
    })
    .unwrap();
    get(&emu, "grp_x").assert_error(503, "no_active_number");
    put(&emu, "grp_x", &png(b"x"), "image/png").assert_error(503, "no_active_number");
    let url = format!("{}/chats/grp_x/background", emu.base_url());
    curl(&[&url]).assert_error(401, "unauthorized");
    emu.set_no_active_number(false);
    assert_eq!(get(&emu, "grp_x").status, 200);
}

#[test]
fn latency_is_added_to_every_api_response() {
    let emu = start();
    emu.set_latency(ms(300));
    let began = Instant::now();
    assert_eq!(get(&emu, "grp_x").status, 200);
    assert!(began.elapsed() >= ms(300), "{:?}", began.elapsed());
    emu.set_latency(ms(0));
    let began = Instant::now();
    assert_eq!(get(&emu, "grp_x").status, 200);
    assert!(began.elapsed() < ms(250), "{:?}", began.elapsed());
}

#[test]
fn the_request_log_records_what_was_sent() {
    let emu = start();
    let image = png(b"logged");
    put(&emu, "Carol%40Example.org", &image, "image/png");
    std::thread::sleep(ms(30));
    get(&emu, "carol%40example.org");
    let reqs = emu.requests();
    assert_eq!(reqs.len(), 2);

    let put = &reqs[0];
    assert_eq!(put.method, "PUT");
    assert_eq!(put.raw_path, "/v2/api/chats/Carol%40Example.org/background");
    assert_eq!(put.query, None);
    assert_eq!(put.chat_id.as_deref(), Some("carol@example.org"));
    assert_eq!(put.header("authorization"), Some("Bearer test-key"));
    assert!(put.headers.iter().all(|(k, _)| *k == k.to_ascii_lowercase()));
    assert!(
        put.content_type
            .as_deref()
            .unwrap()
            .starts_with("multipart/form-data; boundary=")
    );
    assert_eq!(put.parts.len(), 1);
    let part = &put.parts[0];
    assert_eq!(part.name, "background");
    assert_eq!(part.filename.as_deref(), Some("image.bin"));
    assert_eq!(part.content_type.as_deref(), Some("image/png"));
    assert_eq!(part.len, image.len() as u64);
    let declared: u64 = put.header("content-length").unwrap().parse().unwrap();
    assert_eq!(put.body_len, declared);
    assert!(put.body_len > part.len);
    assert_eq!(put.status, 200);

    let get = &reqs[1];
    assert_eq!((get.method.as_str(), get.body_len, get.status), ("GET", 0, 200));
    assert!(get.parts.is_empty() && get.content_type.is_none());
    assert!(get.at_ms >= put.at_ms + 30, "{} then {}", put.at_ms, get.at_ms);

    let json = serde_json::to_value(&reqs).unwrap();
    assert_eq!(json[0]["parts"][0]["name"], "background");
    emu.clear_requests();
    assert!(emu.requests().is_empty());
}

#[test]
fn keep_alive_connections_are_reused() {
    let emu = start();
    // curl reuses one connection for several URLs in a single run.
    let url = format!("{}/chats/grp_x/background", emu.base_url());
    let out = std::process::Command::new("/usr/bin/curl")
        .args(["-sS", "-i", "-H", AUTH, &url, &url, &url])
        .output()
        .unwrap();
    let answers = parse_responses(&out.stdout);
    assert_eq!(answers.len(), 3);
    assert!(answers.iter().all(|a| a.status == 200));
    assert_eq!(emu.connections_accepted(), 1);
    let reqs = emu.requests();
    assert!(reqs.iter().all(|r| r.connection_id == reqs[0].connection_id));
}

#[test]
fn many_concurrent_keep_alive_clients() {
    let emu = start();
    let addr = emu.addr();
    let threads: Vec<_> = (0..8)
        .map(|t| {
            std::thread::spawn(move || {
                let mut stream = connect(addr);
                let mut reader = BufReader::new(stream.try_clone().unwrap());
                for i in 0..100 {
                    let chat = format!("grp_{t}_{}", i % 5);
                    stream.write_all(get_request(&chat).as_bytes()).unwrap();
                    let answer = read_answer(&mut reader).unwrap();
                    assert_eq!(answer.status, 200);
                    assert_eq!(answer.json()["chat_id"], chat);
                }
            })
        })
        .collect();
    for thread in threads {
        thread.join().unwrap();
    }
    assert_eq!(emu.connections_accepted(), 8);
    assert_eq!(emu.requests().len(), 800);
}

#[test]
fn the_request_log_keeps_only_the_latest_ten_thousand() {
    let emu = start();
    let total = blooio_emulator::MAX_RECORDS + 100;
    let mut stream = connect(emu.addr());
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    // Pipelined in batches to keep the test quick.
    for batch in 0..total / 100 {
        let requests: String = (0..100)
            .map(|i| get_request(&format!("grp_{}", batch * 100 + i)))
            .collect();
        stream.write_all(requests.as_bytes()).unwrap();
        for _ in 0..100 {
            assert_eq!(read_answer(&mut reader).unwrap().status, 200);
        }
    }
    let reqs = emu.requests();
    assert_eq!(reqs.len(), blooio_emulator::MAX_RECORDS);
    // The oldest hundred were dropped.
    assert_eq!(reqs[0].chat_id.as_deref(), Some("grp_100"));
    let last = format!("grp_{}", total - 1);
    assert_eq!(reqs.last().unwrap().chat_id.as_deref(), Some(last.as_str()));
    assert!(reqs.iter().all(|r| r.status == 200));
    assert_eq!(emu.connections_accepted(), 1);
}
