//! The fault matrix: each scripted misbehaviour of the emulator, the outcome it must have, and
//! how many attempts it may take.

mod common;

use std::time::{Duration, Instant, SystemTime};

use blooio_core::{ErrorKind, MAX_RETRY_AFTER};
use blooio_emulator::Fault;
use common::*;

/// Fast retries for tests that are about outcomes, not timing: the server asks for 1 ms.
fn quick(status: u16) -> Fault {
    Fault::status(status).header("retry-after-ms", "1")
}

#[test]
fn each_status_maps_to_its_kind_and_retry_rule() {
    // (the statuses with the same outcome, their kind, attempts with max_retries = 2)
    let table: [(&[u16], ErrorKind, u32); 7] = [
        (&[400], ErrorKind::BadRequest, 1),
        (&[401], ErrorKind::Authentication, 1),
        (&[403, 404, 413, 415, 422], ErrorKind::HttpStatus, 1),
        (&[408, 409], ErrorKind::HttpStatus, 3),
        (&[429], ErrorKind::RateLimited, 3),
        (&[500, 504], ErrorKind::ServerError, 3),
        (&[502], ErrorKind::DeviceUnavailable, 3),
    ];
    let (emu, c) = emulator_and_client();
    for (statuses, kind, attempts) in table {
        for &status in statuses {
            emu.reset();
            emu.script(quick(status).repeat(3));
            let err = c.get_chat_background("grp_x").unwrap_err();
            assert_eq!(
                (err.kind(), err.status(), err.attempts()),
                (kind, Some(status), attempts),
                "{status}"
            );
            assert_eq!(api_requests(&emu).len(), attempts as usize, "{status}");
            assert!(err.request_id().is_some(), "{status}");
            assert_key_absent(&err);
        }
    }
}

#[test]
fn a_503_is_not_retried_unless_the_server_says_when() {
    let (emu, c) = emulator_and_client();
    emu.script(Fault::status(503));
    let err = c.get_chat_background("grp_x").unwrap_err();
    assert_eq!((err.kind(), err.attempts()), (ErrorKind::NoActiveNumber, 1));
    assert!(err.to_string().contains("no active number"), "{err}");

    emu.reset();
    emu.script(Fault::status(503).header("Retry-After", "0"));
    let bg = c.get_chat_background("grp_x").unwrap();
    assert_eq!(bg.chat_id.as_deref(), Some("grp_x"));
    assert_eq!(api_requests(&emu).len(), 2);
}

#[test]
fn a_transient_failure_then_success_returns_the_success() {
    let emu = emulator();
    emu.script(quick(502).repeat(2));
    let bg = client(&emu).get_chat_background("grp_x").unwrap();
    assert_eq!(bg.has_background, Some(false));
    assert_eq!(api_requests(&emu).len(), 3);
}

#[test]
fn max_retries_bounds_the_attempts() {
    let emu = emulator();
    for (max_retries, attempts) in [(5, 6), (0, 1)] {
        emu.reset();
        emu.script(quick(500).repeat(10));
        let err = builder(&emu)
            .max_retries(max_retries)
            .build()
            .unwrap()
            .get_chat_background("grp_x")
            .unwrap_err();
        assert_eq!(err.attempts(), attempts, "max_retries {max_retries}");
    }
}

#[test]
fn default_backoff_waits_half_a_second_then_a_second_with_jitter() {
    let emu = emulator();
    emu.script(Fault::status(502).repeat(3));
    client(&emu).get_chat_background("grp_x").unwrap_err();
    let gaps = gaps_ms(&api_requests(&emu));
    assert_eq!(gaps.len(), 2);
    assert!(
        (370..700).contains(&gaps[0]),
        "first wait 0.5 s × (0.75..1]: {gaps:?}"
    );
    assert!(
        (740..1300).contains(&gaps[1]),
        "second wait 1 s × (0.75..1]: {gaps:?}"
    );
}

#[test]
fn retry_after_in_each_form_is_honoured() {
    let (emu, c) = emulator_and_client();
    // An HTTP date has whole seconds: three seconds ahead, truncated, leaves two to three.
    let in_three_seconds = || httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(3));
    let cases: [(&dyn Fn() -> Fault, u64, u64); 4] = [
        (&|| Fault::status(429).header("Retry-After", "1"), 950, 1600),
        (&|| Fault::status(429).header("retry-after-ms", "150"), 140, 600),
        (
            &|| Fault::status(502).header("Retry-After", &in_three_seconds()),
            1900,
            3300,
        ),
        (&|| Fault::status(429).header("Retry-After", "0.2"), 190, 700),
    ];
    for (fault, low, high) in cases {
        emu.reset();
        emu.script(fault());
        c.get_chat_background("grp_x").unwrap();
        let gaps = gaps_ms(&api_requests(&emu));
        assert!(
            gaps.len() == 1 && (low..high).contains(&gaps[0]),
            "{gaps:?} not in {low}..{high}"
        );
    }
}

#[test]
fn retry_after_beyond_sixty_seconds_ends_the_call_and_says_when() {
    let emu = emulator();
    emu.script(Fault::status(429).header("Retry-After", "3600"));
    let started = Instant::now();
    let err = client(&emu).get_chat_background("grp_x").unwrap_err();
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!((err.kind(), err.attempts()), (ErrorKind::RateLimited, 1));
    assert_eq!(err.retry_after(), Some(Duration::from_secs(3600)));
    assert!(Duration::from_secs(3600) > MAX_RETRY_AFTER);
}

#[test]
fn x_should_retry_overrides_the_status_rule() {
    let (emu, c) = emulator_and_client();
    emu.script(quick(502).header("x-should-retry", "false"));
    assert_eq!(c.get_chat_background("grp_x").unwrap_err().attempts(), 1);
    emu.reset();
    emu.script(quick(400).header("x-should-retry", "true"));
    c.get_chat_background("grp_x").unwrap();
    assert_eq!(api_requests(&emu).len(), 2);
}

#[test]
fn a_failed_upload_is_retried_with_the_whole_file_again() {
    let emu = emulator();
    let image = png(&[3; 300_000]);
    let file = TempFile::new("again.png", &image);
    emu.script(quick(502));
    let bg = client(&emu)
        .set_chat_background_file("grp_x", &file.path)
        .unwrap();
    assert_eq!(bg.changed, Some(true));
    let reqs = api_requests(&emu);
    assert_eq!(reqs.len(), 2);
    assert_eq!(reqs[0].body_len, reqs[1].body_len);
    assert_eq!(reqs[1].parts[0].len, image.len() as u64);
}

#[test]
fn the_server_message_code_and_request_id_are_kept() {
    let emu = emulator();
    emu.script(
        Fault::status(400)
            .body(r#"{"error":"bad","message":"Chat not found","status":400,"code":"CHAT_NOT_FOUND"}"#),
    );
    let err = client(&emu).get_chat_background("grp_x").unwrap_err();
    assert_eq!(err.server_message(), Some("Chat not found"));
    assert_eq!(err.code(), Some("CHAT_NOT_FOUND"));
    assert!(err.to_string().contains("Chat not found"), "{err}");
    assert!(err.body().unwrap().contains("CHAT_NOT_FOUND"));
}

#[test]
fn an_html_error_page_from_a_proxy_is_reported_readably() {
    let emu = emulator();
    emu.script(
        Fault::status(502)
            .header("Content-Type", "text/html")
            .body("<html><body><h1>502 Bad Gateway</h1></body></html>")
            .repeat(3)
            .header("retry-after-ms", "1"),
    );
    let err = client(&emu).get_chat_background("grp_x").unwrap_err();
    assert_error(&err, ErrorKind::DeviceUnavailable, "502 Bad Gateway");
}

#[test]
fn a_slow_server_times_out_each_attempt() {
    let emu = emulator();
    emu.script(Fault::passthrough().delay(ms(2000)).repeat(2));
    let c = builder(&emu).timeout(ms(300)).max_retries(1).build().unwrap();
    let started = Instant::now();
    let err = c.get_chat_background("grp_x").unwrap_err();
    assert_eq!((err.kind(), err.attempts()), (ErrorKind::Timeout, 2));
    assert!(
        started.elapsed() < Duration::from_millis(1900),
        "{:?}",
        started.elapsed()
    );
    assert!(err.to_string().contains("timed out"), "{err}");
}

#[test]
fn a_slow_body_counts_against_the_same_timeout() {
    let emu = emulator();
    emu.script(Fault {
        body_delay: ms(2000),
        ..Fault::status(200).body(r#"{"chat_id":"grp_x"}"#)
    });
    let c = builder(&emu).timeout(ms(300)).max_retries(0).build().unwrap();
    let err = c.get_chat_background("grp_x").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Timeout, "{err}");
}

#[test]
fn a_slow_answer_within_the_timeout_succeeds() {
    let emu = emulator();
    emu.script(Fault::passthrough().delay(ms(200)));
    let bg = builder(&emu)
        .timeout(ms(2000))
        .build()
        .unwrap()
        .get_chat_background("grp_x")
        .unwrap();
    assert_eq!(bg.chat_id.as_deref(), Some("grp_x"));
}

#[test]
fn a_connection_reset_before_the_response_is_retried() {
    let emu = emulator();
    emu.script(Fault::reset_before_response());
    let bg = client(&emu).get_chat_background("grp_x").unwrap();
    assert_eq!(bg.chat_id.as_deref(), Some("grp_x"));
    assert_eq!(api_requests(&emu).len(), 2);
}

#[test]
fn a_connection_reset_in_the_middle_of_the_body_is_retried() {
    let emu = emulator();
    emu.script(Fault::reset_mid_body());
    let bg = client(&emu)
        .set_chat_background_bytes("grp_x", &png(b"mid"))
        .unwrap();
    // The first attempt was stored before its answer was cut off, so the retry changes nothing:
    // PUT is idempotent, which is what makes the retry safe.
    assert_eq!((bg.has_background, bg.changed), (Some(true), Some(false)));
    assert_eq!(api_requests(&emu).len(), 2);
}

#[test]
fn resets_on_every_attempt_end_as_a_connection_error() {
    let emu = emulator();
    emu.script(Fault::reset_before_response().repeat(2));
    let err = builder(&emu)
        .max_retries(1)
        .build()
        .unwrap()
        .get_chat_background("grp_x")
        .unwrap_err();
    assert_eq!((err.kind(), err.attempts()), (ErrorKind::Connection, 2));
    assert_key_absent(&err);
}

#[test]
fn a_refused_connection_is_a_connection_error() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let c = blooio_core::Client::builder()
        .api_key(KEY)
        .base_url(format!("http://127.0.0.1:{port}/v2/api"))
        .max_retries(0)
        .build()
        .unwrap();
    let err = c.get_chat_background("grp_x").unwrap_err();
    assert_eq!((err.kind(), err.attempts()), (ErrorKind::Connection, 1));
    assert_key_absent(&err);
}

#[test]
fn connections_are_kept_alive_and_reused() {
    let (emu, c) = emulator_and_client();
    for _ in 0..20 {
        c.get_chat_background("grp_x").unwrap();
    }
    c.set_chat_background_bytes("grp_x", &png(b"k")).unwrap();
    assert_eq!(emu.connections_accepted(), 1);
}

#[test]
fn a_keep_alive_connection_the_server_closed_does_not_fail_the_next_call() {
    let emu = emulator();
    let c = builder(&emu).max_retries(0).build().unwrap();
    c.get_chat_background("grp_x").unwrap();
    emu.drop_connections();
    std::thread::sleep(ms(50));
    // Even with no retries allowed, the pooled connection's death is not the caller's problem.
    c.get_chat_background("grp_x").unwrap();

    emu.script(Fault::close_after_response());
    c.get_chat_background("grp_x").unwrap();
    c.get_chat_background("grp_x").unwrap();
}

#[test]
fn a_success_body_that_is_not_json_is_a_decode_error_and_not_retried() {
    let (emu, c) = emulator_and_client();
    for body in [
        r#"{"chat_id":"grp_x","has_backgr"#,
        "<html>maintenance</html>",
        "",
        "[]",
        r#"{"has_background":"yes"}"#,
    ] {
        emu.reset();
        emu.script(Fault::status(200).body(body));
        let err = c.get_chat_background("grp_x").unwrap_err();
        assert_eq!(
            (err.kind(), err.attempts(), err.status()),
            (ErrorKind::Decode, 1, Some(200)),
            "{body:?}"
        );
        assert!(err.to_string().contains("starts with"), "{err}");
        assert_eq!(
            err.body(),
            Some(body),
            "the undecodable body is kept for the caller"
        );
    }
}

#[test]
fn a_multi_megabyte_body_is_refused_not_buffered() {
    let (emu, c) = emulator_and_client();
    let huge = format!(r#"{{"chat_id":"{}"}}"#, "x".repeat(3 * 1024 * 1024));
    emu.script(Fault::status(200).body(&huge));
    let err = c.get_chat_background("grp_x").unwrap_err();
    assert_error(&err, ErrorKind::Decode, "larger than");

    emu.script(Fault::status(500).body(&huge).header("x-should-retry", "false"));
    let err = c.get_chat_background("grp_x").unwrap_err();
    assert_eq!(err.kind(), ErrorKind::ServerError);
    assert!(err.body().unwrap().len() <= 64 * 1024);
    // And the client is still fine afterwards.
    c.get_chat_background("grp_x").unwrap();
}

#[test]
fn a_redirect_is_not_followed_and_the_key_goes_nowhere_else() {
    let emu = emulator();
    let elsewhere = emulator();
    let target = format!("{}/chats/grp_x/background", elsewhere.base_url());
    emu.script(Fault::status(302).header("Location", &target));
    let err = client(&emu).get_chat_background("grp_x").unwrap_err();
    assert_eq!(
        (err.kind(), err.status(), err.attempts()),
        (ErrorKind::HttpStatus, Some(302), 1)
    );
    assert!(err.to_string().contains("redirect"), "{err}");
    assert!(elsewhere.requests().is_empty(), "the other host saw no request");
    assert_eq!(elsewhere.connections_accepted(), 0);
}
