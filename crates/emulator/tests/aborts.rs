//! `client_aborted`: a client that closes its connection before the emulator has finished
//! answering is recorded as having done so; a request answered in full, or a connection the
//! emulator ends itself, is not.

mod common;

use std::io::{BufReader, Write};
use std::net::Shutdown;
use std::thread;
use std::time::{Duration, Instant};

use blooio_emulator::{Emulator, Fault, RecordedRequest};
use common::*;

/// Waits (up to 5 s) until the log holds `n` records with `client_aborted` as `aborted`.
fn wait_for(emu: &Emulator, n: usize, aborted: bool) -> Vec<RecordedRequest> {
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let all = emu.requests();
        if all.iter().filter(|r| r.client_aborted == aborted).count() >= n {
            return all;
        }
        assert!(
            Instant::now() < deadline,
            "never saw {n} records with client_aborted={aborted}: {all:#?}"
        );
        thread::sleep(ms(10));
    }
}

/// Sends `request` and closes the connection once the emulator has recorded it.
fn send_and_leave(emu: &Emulator, request: &[u8], wait: Duration) {
    let mut stream = connect(emu.addr());
    stream.write_all(request).unwrap();
    thread::sleep(wait);
    drop(stream);
}

#[test]
fn leaving_during_a_delay_fault_is_recorded() {
    let emu = start_with(Fault::passthrough().delay(ms(3_000)));
    let started = Instant::now();
    send_and_leave(&emu, get_request("grp_slow").as_bytes(), ms(200));
    let all = wait_for(&emu, 1, true);
    assert!(started.elapsed() < ms(2_500), "noticed before the delay ran out");
    assert_eq!(all.len(), 1);
    assert_eq!(all[0].chat_id.as_deref(), Some("grp_slow"));
    assert_eq!(all[0].status, 0, "never answered");
}

#[test]
fn leaving_while_held_is_recorded() {
    let emu = start();
    let set = post(&emu, "config", r#"{"hold_until":2}"#);
    assert_eq!(set.status, 200);
    send_and_leave(&emu, get_request("grp_held").as_bytes(), ms(200));
    let all = wait_for(&emu, 1, true);
    assert_eq!(all[0].status, 0);
}

#[test]
fn leaving_before_a_slow_body_is_recorded() {
    let emu = start_with(Fault {
        body_delay: ms(3_000),
        ..Fault::passthrough()
    });
    let stream = send_get(emu.addr(), "grp_body");
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let (status, _) = read_head(&mut reader).unwrap();
    assert_eq!(status, 200);
    drop(reader);
    drop(stream);
    let all = wait_for(&emu, 1, true);
    assert_eq!(all[0].status, 200, "the head had gone out");
}

#[test]
fn leaving_mid_upload_is_recorded_with_what_arrived() {
    let emu = start();
    let boundary = "b0undary";
    let opening = part_head(boundary, "a.png", "image/png");
    let head = put_head("grp_up", boundary, 100_000);
    let mut stream = connect(emu.addr());
    stream.write_all(head.as_bytes()).unwrap();
    stream.write_all(opening.as_bytes()).unwrap();
    stream.write_all(&png(&[7; 1000])).unwrap();
    thread::sleep(ms(200));
    stream.shutdown(Shutdown::Both).unwrap();
    drop(stream);
    let all = wait_for(&emu, 1, true);
    assert_eq!(all.len(), 1, "{all:#?}");
    assert_eq!(all[0].method, "PUT");
    let sent = (opening.len() + png(&[7; 1000]).len()) as u64;
    assert_eq!(
        all[0].body_len, sent,
        "counts what arrived before the client left"
    );
    assert!(
        emu.requests()
            .iter()
            .all(|r| r.raw_path.ends_with("grp_up/background"))
    );
}

#[test]
fn answered_requests_and_emulator_closes_are_not_aborts() {
    let emu = start();
    // Answered in full, slow body included, then the client leaves.
    emu.script(Fault {
        body_delay: ms(50),
        ..Fault::passthrough()
    });
    assert_eq!(exchange(emu.addr(), &get_request("grp_a")).unwrap().status, 200);
    assert_eq!(get(&emu, "grp_b").status, 200);
    // The emulator resets or closes the connection itself.
    emu.script(Fault::reset_before_response());
    assert!(exchange(emu.addr(), &get_request("grp_c")).is_err());
    emu.script(Fault::close_after_response());
    assert_eq!(exchange(emu.addr(), &get_request("grp_d")).unwrap().status, 200);
    // drop_connections while a request is held by a delay.
    emu.script(Fault::passthrough().delay(ms(2_000)));
    let mut stream = send_get(emu.addr(), "grp_e");
    while emu.requests().len() < 5 {
        thread::sleep(ms(5));
    }
    emu.drop_connections();
    let (_, _) = read_to_end(&mut stream);
    thread::sleep(ms(100));
    let all = emu.requests();
    assert_eq!(all.len(), 5, "{all:#?}");
    assert!(all.iter().all(|r| !r.client_aborted), "{all:#?}");
}

#[test]
fn client_aborted_is_in_the_control_api_log() {
    let emu = start_with(Fault::passthrough().delay(ms(2_000)));
    send_and_leave(&emu, get_request("grp_log").as_bytes(), ms(100));
    wait_for(&emu, 1, true);
    let log = control(&emu, "GET", "requests", None).json();
    let first = &log[0];
    assert_eq!(first["client_aborted"], true, "{log}");
}
