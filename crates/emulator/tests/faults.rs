//! Scripted misbehaviour, observed byte by byte with a hand-written HTTP/1.1 client.

mod common;

use std::io::{BufReader, ErrorKind, Read, Write};
use std::time::Instant;

use blooio_emulator::{Fault, FaultAction};
use common::*;

#[test]
fn a_scripted_status_carries_its_headers_and_the_standard_error_body() {
    let emu = start_with(
        Fault::status(502)
            .header("Retry-After", "1")
            .header("x-should-retry", "true"),
    );
    let answer = exchange(emu.addr(), &get_request("grp_x")).unwrap();
    assert_eq!(answer.status, 502);
    assert_eq!(answer.header("retry-after"), Some("1"));
    assert_eq!(answer.header("x-should-retry"), Some("true"));
    assert_eq!(answer.header("content-type"), Some("application/json"));
    assert!(answer.header("x-request-id").unwrap().starts_with("req_"));
    let body = answer.json();
    assert_eq!(body["error"], "device_error");
    assert_eq!(body["status"], 502);
    assert_eq!(body["code"], "DEVICE_ERROR");
    // One use only: the next request is handled normally.
    assert_eq!(exchange(emu.addr(), &get_request("grp_x")).unwrap().status, 200);
    let statuses: Vec<u16> = emu.requests().iter().map(|r| r.status).collect();
    assert_eq!(statuses, [502, 200]);
}

#[test]
fn a_scripted_body_can_be_anything() {
    let emu = start_with(
        Fault::status(503)
            .header("Content-Type", "text/html")
            .body("<html><body>Service Unavailable</body></html>"),
    );
    let answer = exchange(emu.addr(), &get_request("grp_x")).unwrap();
    assert_eq!(answer.status, 503);
    assert_eq!(answer.header("content-type"), Some("text/html"));
    assert_eq!(answer.body, b"<html><body>Service Unavailable</body></html>");
}

#[test]
fn faults_are_first_in_first_out_and_repeat() {
    let emu = start_with(Fault::status(503).repeat(3));
    emu.script(Fault::status(429).header("retry-after-ms", "5"));
    emu.script(Fault::status(302).header("Location", "http://elsewhere.invalid/"));
    let (answers, _) = gets_on_one_connection(emu.addr(), "grp_x", 6);
    let mut statuses = Vec::new();
    for answer in answers {
        if answer.status == 302 {
            assert_eq!(answer.header("location"), Some("http://elsewhere.invalid/"));
        }
        statuses.push(answer.status);
    }
    assert_eq!(statuses, [503, 503, 503, 429, 302, 200]);
    // Status faults keep the connection alive.
    assert_eq!(emu.connections_accepted(), 1);
}

#[test]
fn faults_apply_only_to_the_endpoint() {
    let emu = start_with(Fault::status(500));
    // An unknown API path neither consumes nor suffers the fault.
    let other = "GET /v2/api/chats HTTP/1.1\r\nHost: e\r\nAuthorization: Bearer test-key\r\n\r\n";
    assert_eq!(exchange(emu.addr(), other).unwrap().status, 404);
    assert_eq!(exchange(emu.addr(), &get_request("grp_x")).unwrap().status, 500);
}

#[test]
fn reset_before_response_sends_not_a_single_byte() {
    let emu = start_with(Fault::reset_before_response());
    let mut stream = send_get(emu.addr(), "grp_x");
    let (bytes, error) = read_to_end(&mut stream);
    assert!(bytes.is_empty(), "got {:?}", String::from_utf8_lossy(&bytes));
    // An RST, not a FIN: the read fails with ECONNRESET.
    assert_eq!(error.map(|e| e.kind()), Some(ErrorKind::ConnectionReset));
    assert_eq!(emu.requests()[0].status, 0);
    // The next request, on a new connection, is fine.
    assert_eq!(exchange(emu.addr(), &get_request("grp_x")).unwrap().status, 200);
}

#[test]
fn reset_mid_body_truncates_the_answer() {
    let emu = start_with(Fault::reset_mid_body());
    let mut stream = send_get(emu.addr(), "grp_x");
    let mut reader = BufReader::new(&mut stream);
    let (status, headers) = read_head(&mut reader).unwrap();
    assert_eq!(status, 200);
    let announced = content_length(&headers).unwrap();
    let (body, _) = read_to_end(&mut reader);
    assert!(!body.is_empty(), "part of the body is sent");
    assert!(body.len() < announced, "{} of {announced}", body.len());
    assert!(br#"{"chat_id":"grp_x""#.starts_with(&body) || body.starts_with(b"{\"chat_id\""));
    assert_eq!(emu.requests()[0].status, 200);

    // A scripted status can be truncated too.
    emu.script(Fault {
        action: FaultAction::ResetMidBody,
        ..Fault::status(502)
    });
    let mut stream = send_get(emu.addr(), "grp_x");
    let (bytes, _) = read_to_end(&mut stream);
    let text = String::from_utf8_lossy(&bytes);
    assert!(text.starts_with("HTTP/1.1 502 Bad Gateway\r\n"), "{text}");
    assert!(!text.ends_with('}'), "{text}");
}

#[test]
fn a_delay_holds_back_the_whole_answer() {
    let emu = start_with(Fault::status(504).delay(ms(400)));
    let mut stream = connect(emu.addr());
    let began = Instant::now();
    stream.write_all(get_request("grp_x").as_bytes()).unwrap();
    stream.set_read_timeout(Some(ms(200))).unwrap();
    let mut byte = [0];
    let early = stream.read(&mut byte).unwrap_err();
    assert!(matches!(
        early.kind(),
        ErrorKind::WouldBlock | ErrorKind::TimedOut
    ));
    stream.set_read_timeout(Some(ms(5000))).unwrap();
    let answer = read_answer(&mut BufReader::new(stream)).unwrap();
    assert_eq!(answer.status, 504);
    assert!(began.elapsed() >= ms(400));
}

#[test]
fn a_passthrough_with_delay_answers_normally_later() {
    let emu = start();
    put(&emu, "grp_x", &png(b"x"), "image/png");
    emu.script(Fault::passthrough().delay(ms(300)));
    let began = Instant::now();
    let answer = exchange(emu.addr(), &get_request("grp_x")).unwrap();
    assert!(began.elapsed() >= ms(300));
    assert_eq!(answer.status, 200);
    assert_eq!(answer.json()["has_background"], true);
}

#[test]
fn a_body_delay_sends_the_head_first() {
    let emu = start_with(Fault {
        body_delay: ms(500),
        ..Fault::passthrough()
    });
    let mut stream = send_get(emu.addr(), "grp_x");
    let began = Instant::now();
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let (status, headers) = read_head(&mut reader).unwrap();
    let head_after = began.elapsed();
    assert_eq!(status, 200);
    assert!(head_after < ms(400), "head took {head_after:?}");
    assert!(headers.iter().any(|(k, _)| k == "content-length"));
    stream.set_read_timeout(Some(ms(150))).unwrap();
    let mut byte = [0];
    assert!(reader.read(&mut byte).is_err(), "no body byte yet");
    stream.set_read_timeout(Some(ms(5000))).unwrap();
    let mut body = String::new();
    let len = content_length(&headers).unwrap();
    reader
        .by_ref()
        .take(len as u64)
        .read_to_string(&mut body)
        .unwrap();
    assert!(began.elapsed() >= ms(500));
    assert!(body.starts_with("{\"chat_id\":\"grp_x\""), "{body}");
    // The connection is still good for another request.
    stream.write_all(get_request("grp_y").as_bytes()).unwrap();
    assert_eq!(read_answer(&mut reader).unwrap().status, 200);
}

#[test]
fn close_after_response_drops_a_keep_alive_connection() {
    let emu = start_with(Fault::close_after_response());
    let mut stream = connect(emu.addr());
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    stream.write_all(get_request("grp_x").as_bytes()).unwrap();
    let answer = read_answer(&mut reader).unwrap();
    assert_eq!(answer.status, 200);
    assert_eq!(answer.header("connection"), None, "no warning given");
    assert_eq!(answer.json()["chat_id"], "grp_x");
    let (rest, error) = read_to_end(&mut reader);
    assert!(rest.is_empty() && error.is_none(), "a clean EOF follows");
    // A client must reconnect.
    assert_eq!(exchange(emu.addr(), &get_request("grp_x")).unwrap().status, 200);
    assert_eq!(emu.connections_accepted(), 2);
}

#[test]
fn drop_connections_closes_idle_connections_silently() {
    let emu = start();
    let mut streams: Vec<_> = (0..3).map(|_| connect(emu.addr())).collect();
    for stream in &mut streams {
        stream.write_all(get_request("grp_x").as_bytes()).unwrap();
        let answer = read_answer(&mut BufReader::new(stream.try_clone().unwrap())).unwrap();
        assert_eq!(answer.status, 200);
    }
    emu.drop_connections();
    for stream in &mut streams {
        let (bytes, error) = read_to_end(stream);
        assert!(
            bytes.is_empty() && error.is_none(),
            "closed with a FIN, nothing sent"
        );
    }
    assert_eq!(exchange(emu.addr(), &get_request("grp_x")).unwrap().status, 200);
    assert_eq!(emu.connections_accepted(), 4);
}

#[test]
fn fail_every_answers_every_nth_request() {
    let emu = start();
    emu.set_fail_every(Some((3, 502)));
    let mut stream = connect(emu.addr());
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut statuses = Vec::new();
    for _ in 0..7 {
        stream.write_all(get_request("grp_x").as_bytes()).unwrap();
        statuses.push(read_answer(&mut reader).unwrap().status);
    }
    assert_eq!(statuses, [200, 200, 502, 200, 200, 502, 200]);
    emu.set_fail_every(None);
    stream.write_all(get_request("grp_x").as_bytes()).unwrap();
    assert_eq!(read_answer(&mut reader).unwrap().status, 200);
}

#[test]
fn reset_forgets_state_faults_records_and_rules() {
    let emu = start();
    put(&emu, "grp_x", &png(b"x"), "image/png");
    emu.script(Fault::status(500));
    emu.set_fail_every(Some((1, 503)));
    emu.set_latency(ms(200));
    emu.reset();
    assert!(emu.requests().is_empty());
    let began = Instant::now();
    let answer = exchange(emu.addr(), &get_request("grp_x")).unwrap();
    assert!(began.elapsed() < ms(200), "latency back to its start-up value");
    assert_eq!(answer.status, 200);
    assert_eq!(answer.json()["has_background"], false);
}

#[test]
fn attempts_are_timed_from_the_emulator_start() {
    let emu = start_with(Fault::status(503));
    let first = exchange(emu.addr(), &get_request("grp_x")).unwrap();
    std::thread::sleep(ms(120));
    let second = exchange(emu.addr(), &get_request("grp_x")).unwrap();
    assert_eq!((first.status, second.status), (503, 200));
    let reqs = emu.requests();
    let gap = reqs[1].at_ms - reqs[0].at_ms;
    assert!((120..1000).contains(&gap), "{gap} ms");
}

#[test]
#[should_panic(expected = "invalid fault")]
fn an_invalid_fault_is_refused_at_once() {
    start_with(Fault::status(99));
}
