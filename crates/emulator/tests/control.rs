//! The control API under `/__emulator/`, as out-of-process tests use it (via curl).

mod common;

use std::io::BufReader;
use std::time::Instant;

use blooio_emulator::RecordedRequest;
use common::*;

#[test]
fn script_accepts_one_fault_or_an_array() {
    let emu = start();
    let queued = post(
        &emu,
        "script",
        r#"{"status":429,"headers":{"Retry-After":"2"},"repeat":2}"#,
    );
    assert_eq!(queued.status, 200);
    assert_eq!(queued.json()["queued"], 1);
    let queued = post(
        &emu,
        "script",
        r#"[{"status":500,"body":"{\"error\":\"boom\"}"},{"action":"close_after_response"}]"#,
    );
    assert_eq!(queued.json()["queued"], 3);

    let (answers, mut reader) = gets_on_one_connection(emu.addr(), "grp_x", 4);
    let mut statuses = Vec::new();
    for answer in answers {
        if answer.status == 429 {
            assert_eq!(answer.header("retry-after"), Some("2"));
        }
        if answer.status == 500 {
            assert_eq!(answer.body, br#"{"error":"boom"}"#);
        }
        statuses.push(answer.status);
    }
    assert_eq!(statuses, [429, 429, 500, 200]);
    let (rest, _) = read_to_end(&mut reader);
    assert!(rest.is_empty(), "closed after the fourth answer");
}

#[test]
fn bad_scripts_are_refused_and_queue_nothing() {
    let emu = start();
    for body in [
        r#"{"stauts":502}"#,
        r#"{"status":42}"#,
        r#"{"action":"explode"}"#,
        r#"[{"status":502},{"status":"502"}]"#,
        "not json",
    ] {
        let answer = post(&emu, "script", body);
        answer.assert_error(400, "invalid_control_request");
    }
    assert_eq!(control(&emu, "GET", "stats", None).json()["queued_faults"], 0);
    assert_eq!(get(&emu, "grp_x").status, 200);
}

#[test]
fn requests_lists_and_clears_the_log() {
    let emu = start();
    put(&emu, "%2B15551234567", &jpeg(b"x"), "image/jpeg");
    get(&emu, "%2B15551234567");
    let listed = control(&emu, "GET", "requests", None);
    assert_eq!(listed.status, 200);
    let reqs: Vec<RecordedRequest> = serde_json::from_slice(&listed.body).unwrap();
    assert_eq!(reqs, emu.requests());
    assert_eq!(reqs.len(), 2, "control requests are not recorded");
    assert_eq!(reqs[0].raw_path, "/v2/api/chats/%2B15551234567/background");
    assert_eq!(reqs[0].parts[0].filename.as_deref(), Some("image.bin"));
    assert_eq!(reqs[1].chat_id.as_deref(), Some("+15551234567"));

    assert_eq!(control(&emu, "DELETE", "requests", None).status, 200);
    assert_eq!(
        control(&emu, "GET", "requests", None).json(),
        serde_json::json!([])
    );
    assert!(emu.requests().is_empty());
}

#[test]
fn config_changes_latency_no_active_number_and_fail_every() {
    let emu = start();
    let now = post(&emu, "config", r#"{"latency_ms":250,"no_active_number":true}"#);
    assert_eq!(
        now.json(),
        serde_json::json!({"latency_ms":250,"no_active_number":true,"fail_every":null,"hold_until":null})
    );
    let began = Instant::now();
    get(&emu, "grp_x").assert_error(503, "no_active_number");
    assert!(began.elapsed() >= ms(250));
    // Control requests are never delayed.
    let began = Instant::now();
    control(&emu, "GET", "config", None);
    assert!(began.elapsed() < ms(250));

    let now = post(
        &emu,
        "config",
        r#"{"latency_ms":0,"no_active_number":false,"fail_every":{"n":2,"status":502}}"#,
    );
    assert_eq!(now.json()["fail_every"], serde_json::json!({"n":2,"status":502}));
    let statuses: Vec<u16> = (0..4).map(|_| get(&emu, "grp_x").status).collect();
    assert_eq!(statuses, [200, 502, 200, 502]);
    // Leaving a field out keeps it; null clears the rule.
    let now = post(&emu, "config", r#"{"latency_ms":1}"#);
    assert_eq!(now.json()["fail_every"]["n"], 2);
    let now = post(&emu, "config", r#"{"fail_every":null}"#);
    assert_eq!(now.json()["fail_every"], serde_json::Value::Null);
    assert_eq!(now.json()["latency_ms"], 1);

    for bad in [
        r#"{"latency":5}"#,
        r#"{"fail_every":{"n":0,"status":502}}"#,
        r#"{"fail_every":{"n":1,"status":700}}"#,
    ] {
        post(&emu, "config", bad).assert_error(400, "invalid_control_request");
    }
}

#[test]
fn reset_starts_afresh() {
    let emu = start();
    put(&emu, "grp_x", &png(b"x"), "image/png");
    post(&emu, "script", r#"{"status":500}"#);
    post(&emu, "config", r#"{"no_active_number":true}"#);
    assert_eq!(control(&emu, "POST", "reset", None).status, 200);
    let answer = get(&emu, "grp_x");
    assert_eq!(answer.status, 200);
    assert_eq!(answer.json()["has_background"], false);
    assert_eq!(emu.requests().len(), 1);
}

#[test]
fn control_requests_are_never_faulted() {
    let emu = start();
    post(&emu, "script", r#"{"action":"reset_before_response"}"#);
    post(&emu, "config", r#"{"fail_every":{"n":1,"status":500}}"#);
    for _ in 0..3 {
        assert_eq!(control(&emu, "GET", "stats", None).status, 200);
    }
    // The fault is still there for the API.
    let mut stream = send_get(emu.addr(), "grp_x");
    let (bytes, _) = read_to_end(&mut stream);
    assert!(bytes.is_empty());
    assert_eq!(get(&emu, "grp_x").status, 500);
}

#[test]
fn drop_connections_answers_its_caller_and_closes_the_others() {
    let emu = start();
    let mut idle = send_get(emu.addr(), "grp_x");
    assert_eq!(
        read_answer(&mut BufReader::new(idle.try_clone().unwrap()))
            .unwrap()
            .status,
        200
    );

    let answer = control(&emu, "POST", "drop-connections", None);
    assert_eq!(answer.status, 200);
    assert_eq!(answer.json()["dropped"], 1);
    let (bytes, error) = read_to_end(&mut idle);
    assert!(bytes.is_empty() && error.is_none());
}

#[test]
fn stats_count_connections_and_requests() {
    let emu = start();
    let url = format!("{}/chats/grp_x/background", emu.base_url());
    // Three requests on one connection.
    let out = std::process::Command::new("/usr/bin/curl")
        .args(["-sS", "-o", "/dev/null", "-H", AUTH, &url, &url, &url])
        .status()
        .unwrap();
    assert!(out.success());
    let stats = control(&emu, "GET", "stats", None).json();
    assert_eq!(stats["requests"], 3);
    assert_eq!(
        stats["connections_accepted"], 2,
        "curl's connection, then this one"
    );
    assert_eq!(stats["queued_faults"], 0);
}

#[test]
fn unknown_control_paths_are_404s_and_not_recorded() {
    let emu = start();
    control(&emu, "GET", "nope", None).assert_error(404, "not_found");
    control(&emu, "GET", "script", None).assert_error(405, "method_not_allowed");
    assert!(emu.requests().is_empty());
}
