//! The `blooio` command as a user runs it: a real process, its stdout, stderr and exit status.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;

use blooio_emulator::{Emulator, Fault};

/// One CLI run: arguments, environment, expected exit status, a phrase stderr must hold.
type Case<'a> = (Vec<&'a str>, Vec<(&'a str, &'a str)>, i32, &'a str);

mod common;
use common::{NO_ENV, blooio, emulator_with_key, sample, text};

const KEY: &str = "bl_cli_secret_never_shown";

fn emulator() -> Emulator {
    emulator_with_key(KEY)
}

#[test]
fn set_then_get_prints_the_response_json() {
    let emu = emulator();
    let env = [("BLOOIO_API_KEY", KEY), ("BLOOIO_BASE_URL", &emu.base_url())];
    let set = blooio(&["background", "set", "+15551234567", &sample()], &env);
    assert_eq!(set.status.code(), Some(0), "{}", text(&set.stderr));
    let set: serde_json::Value = serde_json::from_slice(&set.stdout).unwrap();
    assert_eq!(set["changed"], true);
    assert_eq!(set["chat_id"], "+15551234567");

    let get = blooio(&["background", "get", "+15551234567"], &env);
    assert_eq!(get.status.code(), Some(0));
    let get: serde_json::Value = serde_json::from_slice(&get.stdout).unwrap();
    assert_eq!(get["background_id"], set["background_id"]);
    assert!(get.get("changed").is_none());
    let ua = emu.requests()[1].header("user-agent").unwrap().to_owned();
    assert!(ua.contains("blooio-cli/"), "{ua}");
}

#[test]
fn options_override_the_environment() {
    let emu = emulator();
    let out = blooio(
        &[
            "background",
            "get",
            "grp_x",
            "--api-key",
            KEY,
            "--base-url",
            &emu.base_url(),
            "--timeout=5",
        ],
        &[
            ("BLOOIO_API_KEY", "wrong"),
            ("BLOOIO_BASE_URL", "https://api.blooio.com/v2/api"),
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
}

#[test]
fn each_failure_has_its_documented_exit_status_and_never_shows_the_key() {
    let emu = emulator();
    let base = emu.base_url();
    let ok_env = [("BLOOIO_API_KEY", KEY), ("BLOOIO_BASE_URL", base.as_str())];
    let not_image = std::env::temp_dir().join(format!("blooio-cli-not-image-{}.png", std::process::id()));
    std::fs::write(&not_image, b"just text").unwrap();
    let not_image = not_image.to_str().unwrap().to_owned();

    // (arguments, environment, exit status, what stderr must say)
    let cases: Vec<Case> = vec![
        (vec!["background", "get", "grp_x"], vec![], 3, "BLOOIO_API_KEY"),
        (vec!["background", "get", "+1 555"], ok_env.to_vec(), 4, "E.164"),
        (
            vec!["background", "set", "grp_x", &not_image],
            ok_env.to_vec(),
            5,
            "not a supported image",
        ),
        (
            vec!["background", "set", "grp_x", "/nonexistent/x.png"],
            ok_env.to_vec(),
            6,
            "/nonexistent/x.png",
        ),
        (
            vec!["background", "get", "grp_x", "--api-key", "bl_wrong_secret"],
            vec![("BLOOIO_BASE_URL", base.as_str())],
            15,
            "authentication failed",
        ),
        (vec!["background", "frobnicate"], vec![], 2, "unknown command"),
        (vec!["background", "get"], vec![], 2, "usage"),
        (vec!["--max-retries", "many"], vec![], 2, "whole number"),
    ];
    for (args, env, code, needle) in cases {
        let out = blooio(&args, &env);
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(code), "{args:?}: {stderr}");
        assert!(stderr.contains(needle), "{args:?}: {stderr}");
        assert!(out.stdout.is_empty(), "{args:?}: errors go to stderr only");
        assert!(
            !stderr.contains(KEY) && !stderr.contains("bl_wrong_secret"),
            "{stderr}"
        );
    }
    assert_eq!(
        emu.requests().len(),
        1,
        "only the wrong-key call reached the server"
    );

    emu.script(Fault::status(502));
    let out = blooio(&["background", "get", "grp_x", "--max-retries", "0"], &ok_env);
    assert_eq!(out.status.code(), Some(9));
    assert!(text(&out.stderr).contains("HTTP 502"));
    emu.script(Fault::status(503));
    assert_eq!(
        blooio(&["background", "get", "grp_x"], &ok_env).status.code(),
        Some(10)
    );
}

#[test]
fn help_documents_the_exit_statuses() {
    let out = blooio(&["--help"], NO_ENV);
    assert_eq!(out.status.code(), Some(0));
    let help = text(&out.stdout);
    assert!(
        help.contains("EXIT STATUS") && help.contains("15  authentication"),
        "{help}"
    );
    assert!(text(&blooio(&["--version"], NO_ENV).stdout).starts_with("blooio "));
}

/// Reads one request head (up to the blank line) as lines.
fn read_head(reader: &mut impl BufRead) -> Vec<String> {
    let mut head = Vec::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).unwrap_or(0) == 0 || line == "\r\n" {
            return head;
        }
        head.push(line.trim_end().to_owned());
    }
}

/// A one-shot HTTP proxy that answers the request itself, whether it arrives in absolute form
/// or through a `CONNECT` tunnel; returns every request head it saw.
fn one_shot_proxy() -> (String, std::thread::JoinHandle<Vec<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let handle = std::thread::spawn(move || {
        let (mut stream, _) = listener.accept().unwrap();
        let mut reader = BufReader::new(stream.try_clone().unwrap());
        let mut heads = vec![read_head(&mut reader)];
        if heads[0][0].starts_with("CONNECT ") {
            stream
                .write_all(b"HTTP/1.1 200 Connection established\r\n\r\n")
                .unwrap();
            heads.push(read_head(&mut reader));
        }
        let body = br#"{"chat_id":"grp_p","has_background":false}"#;
        let reply = format!(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            body.len()
        );
        stream.write_all(reply.as_bytes()).unwrap();
        stream.write_all(body).unwrap();
        let _ = reader.read(&mut [0; 1]);
        heads
    });
    (url, handle)
}

#[test]
fn a_proxy_from_the_environment_carries_requests_to_a_remote_host() {
    let (proxy, handle) = one_shot_proxy();
    let out = blooio(
        &[
            "background",
            "get",
            "grp_p",
            "--base-url",
            "http://api.blooio.test/v2/api",
            "--allow-insecure-http",
        ],
        &[("BLOOIO_API_KEY", KEY), ("HTTP_PROXY", &proxy)],
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let heads = handle.join().unwrap();
    let request = heads.last().unwrap();
    if heads.len() == 2 {
        assert_eq!(heads[0][0], "CONNECT api.blooio.test:80 HTTP/1.1");
        assert!(
            !heads[0].iter().any(|h| h.contains(KEY)),
            "the key is for the API, not the proxy"
        );
        assert_eq!(request[0], "GET /v2/api/chats/grp_p/background HTTP/1.1");
    } else {
        assert_eq!(
            request[0],
            "GET http://api.blooio.test/v2/api/chats/grp_p/background HTTP/1.1"
        );
    }
    assert!(
        request
            .iter()
            .any(|h| h.eq_ignore_ascii_case(&format!("authorization: Bearer {KEY}")))
    );
}

#[test]
fn a_loopback_base_url_never_goes_through_the_proxy() {
    let emu = emulator();
    // A proxy nobody listens on: were it used, the call would fail.
    let dead = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap();
    let dead = format!("http://{dead}");
    let env = [
        ("BLOOIO_API_KEY", KEY),
        ("BLOOIO_BASE_URL", &emu.base_url()),
        ("ALL_PROXY", &dead),
        ("HTTP_PROXY", &dead),
    ];
    let out = blooio(&["background", "get", "grp_x", "--max-retries", "0"], &env);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
}
