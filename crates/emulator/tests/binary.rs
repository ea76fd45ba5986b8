//! The `blooio-emulator` binary, as test harnesses in other languages run it.

mod common;

use std::io::Read;
use std::process::{Child, Command, ExitStatus};
use std::time::{Duration, Instant};

use common::*;

const BIN: &str = env!("CARGO_BIN_EXE_blooio-emulator");
const SECRET: &str = "bl_secret_never_logged_42";

/// Starts the binary with the secret key and `extra`; see [`spawn_binary`].
fn spawn(extra: &[&str]) -> (Child, String) {
    spawn_binary(&[&["--api-key", SECRET], extra].concat())
}

fn wait(child: &mut Child) -> ExitStatus {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("the emulator did not exit");
        }
        std::thread::sleep(ms(20));
    }
}

fn stderr_of(child: &mut Child) -> String {
    let mut text = String::new();
    child.stderr.take().unwrap().read_to_string(&mut text).unwrap();
    text
}

#[test]
fn prints_its_base_url_first_and_exits_when_stdin_closes() {
    let (mut child, base) = spawn(&[]);
    assert!(
        base.starts_with("http://127.0.0.1:") && base.ends_with("/v2/api"),
        "{base}"
    );
    let port: u16 = base["http://127.0.0.1:".len()..base.len() - "/v2/api".len()]
        .parse()
        .unwrap();
    assert_ne!(port, 0);

    let auth = format!("Authorization: Bearer {SECRET}");
    let url = format!("{base}/chats/%2B15551234567/background");
    let answer = curl(&[&url, "-H", &auth]);
    assert_eq!(answer.json()["chat_id"], "+15551234567");
    curl(&[&url, "-H", "Authorization: Bearer wrong"]).assert_error(401, "unauthorized");

    drop(child.stdin.take());
    assert!(wait(&mut child).success());
    let log = stderr_of(&mut child);
    assert!(
        log.contains("GET /v2/api/chats/%2B15551234567/background 200"),
        "{log}"
    );
    assert!(log.contains(" 401 "), "{log}");
    assert!(!log.contains(SECRET), "the key leaked into the log: {log}");
    assert!(!log.to_ascii_lowercase().contains("authorization"), "{log}");
}

#[test]
fn exits_cleanly_on_sigterm_and_sigint() {
    for signal in ["-TERM", "-INT"] {
        let (mut child, base) = spawn(&["--quiet"]);
        assert!(base.starts_with("http://"));
        let sent = Command::new("kill")
            .args([signal, &child.id().to_string()])
            .status()
            .unwrap();
        assert!(sent.success());
        assert!(wait(&mut child).success(), "exit after {signal}");
        assert_eq!(stderr_of(&mut child), "", "--quiet says nothing");
    }
}

#[test]
fn latency_and_no_active_number_flags() {
    let (mut child, base) = spawn(&["--latency-ms", "200", "--no-active-number", "--api-key", "other"]);
    let began = Instant::now();
    let answer = curl(&[
        &format!("{base}/chats/grp_x/background"),
        "-H",
        "Authorization: Bearer other",
    ]);
    answer.assert_error(503, "no_active_number");
    assert!(began.elapsed() >= ms(200));
    drop(child.stdin.take());
    assert!(wait(&mut child).success());
}

#[test]
fn refuses_to_start_without_an_api_key() {
    let out = Command::new(BIN)
        .args(["--listen", "127.0.0.1:0"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("--api-key"), "{err}");
}

#[test]
fn help_documents_every_option() {
    let out = Command::new(BIN).arg("--help").output().unwrap();
    assert!(out.status.success());
    let help = String::from_utf8_lossy(&out.stdout);
    for option in [
        "--listen",
        "--api-key",
        "--latency-ms",
        "--no-active-number",
        "--exit-on-stdin-eof",
        "--quiet",
        "/__emulator/",
        "crates/emulator/README.md",
        "SIGTERM",
    ] {
        assert!(help.contains(option), "--help does not mention {option}");
    }
}
