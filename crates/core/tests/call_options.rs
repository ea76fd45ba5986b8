//! Per-call options, default headers, request ids and attempts, log lines, progress and
//! cancellation, against the emulator over loopback.

mod common;

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use blooio_core::{CallOptions, CancelToken, ChatBackground, Error, ErrorKind, Image, LogLevel, LogSink};
use blooio_emulator::Fault;
use common::*;

const CHAT: &str = "+15551234567";

#[test]
fn default_and_per_call_headers_reach_the_wire_and_the_call_wins() {
    let emu = emulator();
    let c = builder(&emu)
        .default_header("X-Team", "payments")
        .default_header("X-Trace", "client")
        .build()
        .unwrap();
    c.get_chat_background_with(
        CHAT,
        CallOptions::new().header("x-trace", "call").header("X-Only", "1"),
    )
    .unwrap();
    c.get_chat_background(CHAT).unwrap();
    let reqs = api_requests(&emu);
    assert_eq!(reqs[0].header("x-team"), Some("payments"));
    assert_eq!(reqs[0].header("x-trace"), Some("call"));
    assert_eq!(reqs[0].headers.iter().filter(|(k, _)| k == "x-trace").count(), 1);
    assert_eq!(reqs[0].header("x-only"), Some("1"));
    assert_eq!(reqs[1].header("x-trace"), Some("client"));
    assert_eq!(reqs[1].header("x-only"), None);
    assert_eq!(reqs[1].header("authorization"), Some(&*format!("Bearer {KEY}")));
}

#[test]
fn refused_headers_send_nothing() {
    let emu = emulator();
    for (name, value) in [
        ("X-A", "1\r\nX-Injected: 1"),
        ("Authorization", "Bearer x"),
        ("Bad Name", "1"),
    ] {
        let e = builder(&emu).default_header(name, value).build().unwrap_err();
        assert_error(&e, ErrorKind::InvalidConfig, "default header");
        let c = client(&emu);
        let e = c
            .get_chat_background_with(CHAT, CallOptions::new().header(name, value))
            .unwrap_err();
        assert_error(&e, ErrorKind::InvalidConfig, "per-call header");
        let e = c
            .set_chat_background_with(
                CHAT,
                Image::Bytes(&png(b"x")),
                CallOptions::new().header(name, value),
            )
            .unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidConfig, "{e}");
    }
    assert!(api_requests(&emu).is_empty());
}

#[test]
fn a_per_call_timeout_overrides_the_clients() {
    let emu = emulator();
    let c = builder(&emu).max_retries(0).build().unwrap();
    emu.script(Fault::passthrough().delay(ms(1500)));
    let start = Instant::now();
    let e = c
        .get_chat_background_with(CHAT, CallOptions::new().timeout(ms(200)))
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Timeout, "{e}");
    assert!(start.elapsed() < ms(1200), "{:?}", start.elapsed());
    assert!(e.to_string().contains("200ms"), "{e}");
    // The client's own timeout (60 s) lets the same slow answer through.
    emu.script(Fault::passthrough().delay(ms(300)));
    c.get_chat_background(CHAT).unwrap();
    let e = c
        .get_chat_background_with(CHAT, CallOptions::new().timeout(Duration::ZERO))
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidConfig, "{e}");
    assert_eq!(api_requests(&emu).len(), 2, "the refused timeout sent nothing");
}

#[test]
fn successes_carry_the_request_id_and_the_attempts() {
    let emu = emulator();
    let c = builder(&emu).build().unwrap();
    let bg = c.get_chat_background(CHAT).unwrap();
    assert_eq!(bg.attempts, 1);
    let reqs = api_requests(&emu);
    assert_eq!(bg.request_id.as_deref(), Some(reqs[0].request_id.as_str()));
    assert!(!bg.to_json().contains("req_"), "{}", bg.to_json());

    emu.script(Fault::status(502).repeat(2));
    let bg = c.set_chat_background_bytes(CHAT, &png(b"retried")).unwrap();
    assert_eq!(bg.attempts, 3);
    let reqs = api_requests(&emu);
    assert_eq!(
        bg.request_id.as_deref(),
        Some(reqs.last().unwrap().request_id.as_str())
    );
}

type Lines = Arc<Mutex<Vec<(LogLevel, String)>>>;

/// A sink that keeps every line it is given, with its level.
fn capture() -> (Lines, LogSink) {
    let lines = Lines::default();
    let sink_lines = lines.clone();
    let sink: LogSink = Arc::new(move |l, line: &str| sink_lines.lock().unwrap().push((l, line.to_owned())));
    (lines, sink)
}

#[test]
fn log_lines_name_each_attempt_and_never_the_key() {
    let emu = emulator();
    let (lines, sink) = capture();
    let c = builder(&emu)
        .logger(LogLevel::Debug, sink)
        .default_header("X-Secret-Header", "hunter2")
        .build()
        .unwrap();
    emu.script(Fault::status(502).header("Retry-After", "0"));
    c.get_chat_background(CHAT).unwrap();
    let reqs = api_requests(&emu);
    let lines = lines.lock().unwrap().clone();
    let text: Vec<&str> = lines.iter().map(|(_, l)| l.as_str()).collect();
    assert_eq!(lines.len(), 3, "{text:?}");
    assert_eq!(lines[0].0, LogLevel::Info);
    assert!(
        text[0].starts_with("GET /v2/api/chats/%2B15551234567/background -> 502 in ")
            && text[0].contains("(attempt 1 of 3, request id ")
            && text[0].contains(&reqs[0].request_id),
        "{text:?}"
    );
    assert_eq!(lines[1].0, LogLevel::Debug);
    assert!(
        text[1].starts_with("retrying in ") && text[1].ends_with("after 502 (attempt 1 of 3)"),
        "{text:?}"
    );
    assert!(
        text[2].contains("-> 200 in ") && text[2].contains("attempt 2 of 3"),
        "{text:?}"
    );
    for line in &text {
        assert!(!line.contains(KEY) && !line.contains("hunter2"), "{line}");
    }
}

#[test]
fn an_info_logger_gets_no_debug_lines() {
    let emu = emulator();
    let (lines, sink) = capture();
    let c = builder(&emu).logger(LogLevel::Info, sink).build().unwrap();
    emu.script(Fault::status(502).header("Retry-After", "0"));
    c.get_chat_background(CHAT).unwrap();
    let lines = lines.lock().unwrap();
    assert_eq!(lines.len(), 2);
    assert!(lines.iter().all(|(l, _)| *l == LogLevel::Info));
}

#[test]
fn the_enabled_check_is_asked_for_every_line_and_drops_the_ones_it_refuses() {
    let emu = emulator();
    let (lines, sink) = capture();
    let asked = Arc::new(Mutex::new(Vec::new()));
    let asked_in = asked.clone();
    let c = builder(&emu)
        .logger(LogLevel::Debug, sink)
        .log_enabled(Arc::new(move |level| {
            asked_in.lock().unwrap().push(level);
            level == LogLevel::Info
        }))
        .build()
        .unwrap();
    emu.script(Fault::status(502).header("Retry-After", "0"));
    c.get_chat_background(CHAT).unwrap();
    assert_eq!(
        *asked.lock().unwrap(),
        [LogLevel::Info, LogLevel::Debug, LogLevel::Info]
    );
    let lines = lines.lock().unwrap();
    assert_eq!(lines.len(), 2, "{lines:?}");
    assert!(lines.iter().all(|(l, _)| *l == LogLevel::Info), "{lines:?}");
}

#[test]
fn progress_totals_equal_the_body_and_stopping_aborts_the_upload() {
    let (emu, c) = emulator_and_client();
    let image = png(&vec![7u8; 300_000]);
    let mut seen = Vec::new();
    c.set_chat_background_with(
        CHAT,
        Image::Bytes(&image),
        CallOptions::new().progress(|sent, total| {
            seen.push((sent, total));
            true
        }),
    )
    .unwrap();
    let body_len = api_requests(&emu)[0].body_len;
    let &(last_sent, total) = seen.last().unwrap();
    assert_eq!((last_sent, total), (body_len, body_len));
    assert!(seen.windows(2).all(|w| w[0].0 < w[1].0));

    let connections = emu.connections_accepted();
    let e = c
        .set_chat_background_with(
            CHAT,
            Image::Bytes(&image),
            CallOptions::new().progress(|sent, _| sent < 20_000),
        )
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Cancelled, "{e}");
    assert_eq!(e.attempts(), 1);
    assert!(e.to_string().contains("progress callback"), "{e}");
    // The next call does not reuse the aborted upload's connection.
    c.get_chat_background(CHAT).unwrap();
    assert!(emu.connections_accepted() > connections);
}

#[test]
fn a_token_cancelled_before_the_call_sends_nothing() {
    let (emu, c) = emulator_and_client();
    let token = CancelToken::new();
    token.cancel();
    let e = c
        .get_chat_background_with(CHAT, CallOptions::new().cancel_token(token))
        .unwrap_err();
    assert_eq!(e.kind(), ErrorKind::Cancelled);
    assert!(api_requests(&emu).is_empty());
}

/// Makes `call` with a token that another thread cancels after `after`; returns the call's
/// error (it must fail with Cancelled) and how long it took to return after the cancel.
fn cancelled_after(
    after: Duration,
    call: impl FnOnce(CallOptions<'static>) -> Result<ChatBackground, Error>,
) -> (Error, Duration) {
    let token = CancelToken::new();
    let canceller = {
        let token = token.clone();
        std::thread::spawn(move || {
            std::thread::sleep(after);
            token.cancel();
            Instant::now()
        })
    };
    let e = call(CallOptions::new().cancel_token(token)).unwrap_err();
    let latency = canceller.join().unwrap().elapsed();
    assert_eq!(e.kind(), ErrorKind::Cancelled, "{e}");
    (e, latency)
}

#[test]
fn cancelling_while_waiting_for_the_answer_returns_promptly_and_drops_the_connection() {
    let (emu, c) = emulator_and_client();
    c.get_chat_background(CHAT).unwrap();
    let connections = emu.connections_accepted();
    emu.script(Fault::passthrough().delay(ms(5000)));
    let (_, latency) = cancelled_after(ms(200), |options| c.get_chat_background_with(CHAT, options));
    assert!(latency < ms(150), "returned {latency:?} after the cancel");
    // The emulator saw the request cut short by the client.
    let deadline = Instant::now() + ms(2000);
    while !api_requests(&emu).last().unwrap().client_aborted && Instant::now() < deadline {
        std::thread::sleep(ms(10));
    }
    assert!(api_requests(&emu).last().unwrap().client_aborted);
    // The pooled connection the cancelled call used is gone: the next call opens another.
    c.get_chat_background(CHAT).unwrap();
    assert_eq!(emu.connections_accepted(), connections + 1);
}

#[test]
fn cancelling_while_reading_a_late_body_returns_promptly() {
    // The head arrives, the body 5 s later. A cancelled read must not look like EINTR to the
    // std readers that collect the body (they retry `Interrupted`, which spun until the timeout).
    let (emu, c) = emulator_and_client();
    emu.script(Fault {
        body_delay: ms(5000),
        ..Fault::passthrough()
    });
    let started = Instant::now();
    let (_, latency) = cancelled_after(ms(200), |options| c.get_chat_background_with(CHAT, options));
    assert!(
        latency < ms(150),
        "returned {latency:?} after the cancel ({:?} in all)",
        started.elapsed()
    );
}

#[test]
fn cancelling_during_a_retry_wait_returns_promptly() {
    let (emu, c) = emulator_and_client();
    emu.script(Fault::status(503).header("Retry-After", "30"));
    let (e, latency) = cancelled_after(ms(200), |options| c.get_chat_background_with(CHAT, options));
    assert_eq!(e.attempts(), 1);
    assert!(latency < ms(100), "returned {latency:?} after the cancel");
    assert_eq!(api_requests(&emu).len(), 1);
}

#[test]
fn cancelling_an_upload_while_the_body_is_sent_stops_it() {
    let (emu, c) = emulator_and_client();
    // A slow reader: the body goes out while the emulator takes its time with the answer.
    emu.script(Fault::passthrough().delay(ms(3000)));
    let image = png(&vec![1u8; 2 * 1024 * 1024]);
    let (_, latency) = cancelled_after(ms(150), |options| {
        c.set_chat_background_with(CHAT, Image::Bytes(&image), options)
    });
    assert!(latency < ms(150), "returned {latency:?} after the cancel");
}
