//! `blooio background get|set --chats FILE`: many chats in one run, against the emulator.

use std::collections::HashMap;
use std::io::Read;
use std::path::PathBuf;
use std::process::Stdio;
use std::time::{Duration, Instant};

use blooio_emulator::{Emulator, Fault, RecordedRequest};
use serde_json::Value;

mod common;
use common::{blooio, blooio_with_stdin, command, emulator_with_key, sample, text};

const KEY: &str = "bl_cli_bulk_secret_never_shown";

/// An emulator that takes [`KEY`] alone, and the environment that points the command at it.
fn emulator() -> (Emulator, Vec<(&'static str, String)>) {
    let emu = emulator_with_key(KEY);
    let env = vec![
        ("BLOOIO_API_KEY", KEY.into()),
        ("BLOOIO_BASE_URL", emu.base_url()),
    ];
    (emu, env)
}

/// A chat list in a temporary file, removed on drop.
struct ChatList(PathBuf);

impl ChatList {
    fn new(content: &[u8]) -> ChatList {
        static N: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);
        let n = N.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let path = std::env::temp_dir().join(format!("blooio-cli-chats-{}-{n}.txt", std::process::id()));
        std::fs::write(&path, content).unwrap();
        ChatList(path)
    }

    fn path(&self) -> &str {
        self.0.to_str().unwrap()
    }
}

impl Drop for ChatList {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.0);
    }
}

fn ids(prefix: &str, n: usize) -> String {
    (0..n).map(|i| format!("{prefix}{i}\n")).collect()
}

/// Each stdout line as JSON, keyed by its `line` number.
fn results(stdout: &[u8]) -> HashMap<u64, Value> {
    text(stdout)
        .lines()
        .map(|l| {
            let v: Value = serde_json::from_str(l).unwrap_or_else(|e| panic!("{l:?}: {e}"));
            (v["line"].as_u64().unwrap(), v)
        })
        .collect()
}

fn api_requests(emu: &Emulator) -> Vec<RecordedRequest> {
    emu.requests()
}

#[test]
fn an_invalid_id_fails_its_own_line_only() {
    let (emu, env) = emulator();
    let mut content = b"+15551234567\n\n# a comment\n  grp_a  \r\n+1 555\n\xff\xfe\ngrp_b\n".to_vec();
    content.extend(std::iter::repeat_n(b'x', 100_000));
    content.extend_from_slice(b"\ngrp_c");
    let list = ChatList::new(&content);
    let out = blooio(&["background", "get", "--chats", list.path()], &env);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(18), "{stderr}");
    let r = results(&out.stdout);
    assert_eq!(
        r.len(),
        7,
        "one line per chat, none for blanks and comments: {r:?}"
    );
    for (line, id) in [(1, "+15551234567"), (4, "grp_a"), (7, "grp_b"), (9, "grp_c")] {
        assert_eq!(r[&line]["ok"], true, "{:?}", r[&line]);
        assert_eq!(r[&line]["chat_id"], id);
        assert_eq!(r[&line]["background"]["chat_id"], id);
    }
    for (line, says) in [
        (5, "E.164"),
        (6, "line 6 is not UTF-8"),
        (8, "line 8 is longer than 4096 bytes"),
    ] {
        let bad = &r[&line];
        assert_eq!(bad["ok"], false, "{bad}");
        assert_eq!(bad["error"]["kind"], "invalid_chat_id", "{bad}");
        assert_eq!(bad["error"]["attempts"], 0, "{bad}");
        let message = bad["error"]["message"].as_str().unwrap();
        assert!(message.contains(says), "{bad}");
    }
    assert_eq!(r[&5]["chat_id"], "+1 555");
    assert!(
        stderr.contains("4 of 7 chats succeeded, 3 failed (invalid_chat_id: 3)"),
        "{stderr}"
    );
    let sent: Vec<_> = api_requests(&emu).into_iter().map(|r| r.raw_path).collect();
    assert_eq!(sent.len(), 4, "the invalid lines sent nothing: {sent:?}");
    assert!(!stderr.contains(KEY) && !text(&out.stdout).contains(KEY));
}

#[test]
fn set_from_stdin_sends_one_image_to_every_chat() {
    let (emu, env) = emulator();
    let out = blooio_with_stdin(
        &["background", "set", &sample(), "--chats", "-", "--parallel", "3"],
        &env,
        ids("grp_stdin_", 10).as_bytes(),
    );
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let r = results(&out.stdout);
    assert_eq!(r.len(), 10);
    for (line, v) in &r {
        assert_eq!(v["ok"], true, "{v}");
        assert_eq!(v["chat_id"], format!("grp_stdin_{}", line - 1));
        assert_eq!(v["background"]["changed"], true);
    }
    assert!(stderr.contains("10 of 10 chats succeeded"), "{stderr}");
    let sample_len = std::fs::metadata(sample()).unwrap().len();
    let puts = api_requests(&emu);
    assert_eq!(puts.len(), 10);
    for put in &puts {
        assert_eq!(put.method, "PUT");
        assert_eq!(put.parts.len(), 1);
        assert_eq!(put.parts[0].len, sample_len, "the same image for every chat");
        assert_eq!(put.parts[0].content_type.as_deref(), Some("image/png"));
    }
    // Each chat now has that background.
    let get = blooio(&["background", "get", "grp_stdin_7"], &env);
    let get: Value = serde_json::from_slice(&get.stdout).unwrap();
    assert_eq!(get["has_background"], true);
}

#[test]
fn failures_before_anything_is_sent_have_their_exit_status() {
    let (emu, env) = emulator();
    let list = ChatList::new(b"grp_a\ngrp_b\n");
    let not_image = ChatList::new(b"just text, not an image");
    // (arguments, exit status, what stderr must say)
    let cases: Vec<(Vec<&str>, i32, &str)> = vec![
        (
            vec!["background", "get", "--chats", "/nonexistent/chats.txt"],
            6,
            "/nonexistent/chats.txt",
        ),
        (
            vec!["background", "set", "/nonexistent/x.png", "--chats", list.path()],
            6,
            "/nonexistent/x.png",
        ),
        (
            vec!["background", "set", not_image.path(), "--chats", list.path()],
            5,
            "not a supported image",
        ),
        (
            vec!["background", "get", "--chats", list.path(), "--parallel", "0"],
            3,
            "parallel is 0",
        ),
        (
            vec!["background", "get", "--chats", list.path(), "--parallel", "65"],
            3,
            "1 to 64",
        ),
        (
            vec!["background", "get", "--chats", list.path(), "--parallel", "x"],
            2,
            "whole number",
        ),
        (
            vec!["background", "get", "grp_a", "--parallel", "2"],
            2,
            "--parallel goes with --chats",
        ),
        (
            vec!["background", "get", "grp_a", "--chats", list.path()],
            2,
            "no CHAT_ID with --chats",
        ),
        (vec!["background", "set", "--chats", list.path()], 2, "usage"),
    ];
    for (args, code, needle) in cases {
        let out = blooio(&args, &env);
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(code), "{args:?}: {stderr}");
        assert!(stderr.contains(needle), "{args:?}: {stderr}");
        assert!(out.stdout.is_empty(), "{args:?}");
    }
    assert!(api_requests(&emu).is_empty(), "nothing was sent");

    // No key: refused at build, before the list is read.
    let out = blooio(
        &["background", "get", "--chats", list.path()],
        &[("BLOOIO_BASE_URL", &emu.base_url())],
    );
    assert_eq!(out.status.code(), Some(3), "{}", text(&out.stderr));
    assert!(api_requests(&emu).is_empty());
}

#[test]
fn a_502_is_retried_per_chat() {
    let (emu, env) = emulator();
    let list = ChatList::new(ids("grp_r", 8).as_bytes());
    // The latency keeps the four workers' first requests in flight together, so each of them
    // meets one of the four 502s.
    emu.set_latency(Duration::from_millis(100));
    emu.script(Fault::status(502).repeat(4));
    let out = blooio(&["background", "get", "--chats", list.path()], &env);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let r = results(&out.stdout);
    assert!(r.values().all(|v| v["ok"] == true), "{r:?}");
    let mut per_chat: HashMap<String, Vec<u16>> = HashMap::new();
    for req in api_requests(&emu) {
        per_chat.entry(req.chat_id.unwrap()).or_default().push(req.status);
    }
    assert_eq!(per_chat.len(), 8);
    let retried: Vec<_> = per_chat.values().filter(|s| s.len() == 2).collect();
    assert_eq!(retried.len(), 4, "{per_chat:?}");
    assert!(retried.iter().all(|s| s[..] == [502, 200]), "{per_chat:?}");
    assert!(per_chat.values().filter(|s| s.len() == 1).all(|s| s[..] == [200]));

    // Without retries, those chats fail and the others do not: exit 18.
    emu.clear_requests();
    emu.script(Fault::status(502).repeat(2));
    let out = blooio(
        &["background", "get", "--chats", list.path(), "--max-retries", "0"],
        &env,
    );
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(18), "{stderr}");
    let r = results(&out.stdout);
    let failed: Vec<&Value> = r.values().filter(|v| v["ok"] == false).collect();
    assert_eq!(failed.len(), 2, "{r:?}");
    for f in failed {
        assert_eq!(f["error"]["kind"], "device_unavailable");
        assert_eq!(f["error"]["status"], 502);
        assert_eq!(f["error"]["attempts"], 1);
        assert!(f["error"]["request_id"].as_str().unwrap().starts_with("req_"));
    }
    assert!(
        stderr.contains("6 of 8 chats succeeded, 2 failed (device_unavailable: 2)"),
        "{stderr}"
    );
}

#[test]
fn a_refused_key_stops_the_run() {
    let (emu, _) = emulator();
    let list = ChatList::new(ids("grp_k", 50).as_bytes());
    let out = blooio(
        &["background", "get", "--chats", list.path(), "--parallel", "2"],
        &[
            ("BLOOIO_API_KEY", "bl_wrong_secret"),
            ("BLOOIO_BASE_URL", &emu.base_url()),
        ],
    );
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(15), "{stderr}");
    assert!(
        stderr.contains("stopped: a chat failed with authentication"),
        "{stderr}"
    );
    let sent = api_requests(&emu).len();
    let r = results(&out.stdout);
    assert_eq!(r.len(), sent, "every chat started is reported");
    assert!(
        (1..=4).contains(&sent),
        "at most a few chats were tried, not 50: {sent}"
    );
    assert!(r.values().all(|v| v["error"]["kind"] == "authentication"));
    assert!(!stderr.contains("bl_wrong_secret") && !text(&out.stdout).contains("bl_wrong_secret"));
}

/// Runs the command to its end, sampling its peak resident set (`VmHWM`) meanwhile.
fn run_measuring_rss(args: &[&str], env: &[(&str, String)]) -> (std::process::Output, u64) {
    let mut child = command(args, env)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let status_file = format!("/proc/{}/status", child.id());
    let mut stdout = child.stdout.take().unwrap();
    let mut stderr = child.stderr.take().unwrap();
    let out_reader = std::thread::spawn(move || {
        let mut v = Vec::new();
        stdout.read_to_end(&mut v).unwrap();
        v
    });
    let err_reader = std::thread::spawn(move || {
        let mut v = Vec::new();
        stderr.read_to_end(&mut v).unwrap();
        v
    });
    let mut peak_kib = 0;
    let status = loop {
        if let Ok(s) = std::fs::read_to_string(&status_file)
            && let Some(kib) = s
                .lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
        {
            peak_kib = peak_kib.max(kib);
        }
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        std::thread::sleep(Duration::from_millis(5));
    };
    let out = std::process::Output {
        status,
        stdout: out_reader.join().unwrap(),
        stderr: err_reader.join().unwrap(),
    };
    (out, peak_kib)
}

#[test]
fn a_thousand_chats_run_in_bounded_memory() {
    let (_emu, env) = emulator();
    let small = ChatList::new(ids("grp_m", 50).as_bytes());
    let large = ChatList::new(ids("grp_m", 1000).as_bytes());
    let (out, small_kib) = run_measuring_rss(
        &[
            "background",
            "set",
            &sample(),
            "--chats",
            small.path(),
            "--parallel",
            "8",
        ],
        &env,
    );
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let started = Instant::now();
    let (out, large_kib) = run_measuring_rss(
        &[
            "background",
            "set",
            &sample(),
            "--chats",
            large.path(),
            "--parallel",
            "8",
        ],
        &env,
    );
    let took = started.elapsed();
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert_eq!(results(&out.stdout).len(), 1000);
    assert!(stderr.contains("1000 of 1000 chats succeeded"), "{stderr}");
    eprintln!("peak RSS: 50 chats {small_kib} KiB, 1000 chats {large_kib} KiB, 1000 chats in {took:?}");
    assert!(small_kib > 0 && large_kib > 0, "VmHWM was read");
    // Twenty times the chats, about the same memory: results are not kept. (Held, 1,000
    // results and their lines would add well over a MiB.)
    assert!(
        large_kib < small_kib + 1024,
        "memory grew with the list: 50 chats {small_kib} KiB, 1000 chats {large_kib} KiB"
    );
    assert!(large_kib < 32 * 1024, "{large_kib} KiB");
}

#[test]
fn a_429_with_retry_after_pauses_every_worker_once() {
    let (emu, env) = emulator();
    let list = ChatList::new(ids("grp_z", 16).as_bytes());
    emu.set_latency(Duration::from_millis(50));
    emu.script(Fault::status(429).header("Retry-After", "1"));
    let started = Instant::now();
    let out = blooio(&["background", "get", "--chats", list.path()], &env);
    let took = started.elapsed();
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let r = results(&out.stdout);
    assert_eq!(r.len(), 16);
    let reqs = api_requests(&emu);
    let limited: Vec<&RecordedRequest> = reqs.iter().filter(|r| r.status == 429).collect();
    assert_eq!(limited.len(), 1, "{reqs:?}");
    let chat = limited[0].chat_id.clone().unwrap();
    let retried = r.values().find(|v| v["chat_id"] == chat.as_str()).unwrap();
    assert_eq!(retried["attempts"], 2, "{retried}");
    // From the emulator's log: no worker sent anything during the pause...
    let answered = limited[0].at_ms + 50;
    let during: Vec<(u64, u16)> = reqs
        .iter()
        .filter(|r| r.at_ms > answered + 30 && r.at_ms < answered + 1000 - 30)
        .map(|r| (r.at_ms, r.status))
        .collect();
    assert!(during.is_empty(), "requests during the pause: {during:?}");
    // ... and the whole run took one pause plus four rounds of 50 ms.
    assert!(
        took >= Duration::from_millis(1000) && took < Duration::from_millis(2000),
        "{took:?}"
    );
}

#[test]
fn ctrl_c_cancels_the_calls_in_flight_and_still_writes_the_summary() {
    let (emu, env) = emulator();
    emu.set_latency(Duration::from_secs(5));
    let list = ChatList::new(ids("+1555000", 20).as_bytes());
    let args = ["background", "get", "--chats", list.path(), "--parallel", "2"];
    let mut child = command(&args, &env)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    // Wait until both workers' requests are held by the emulator, then interrupt.
    let deadline = Instant::now() + Duration::from_secs(10);
    while emu.requests().len() < 2 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    let sent = Instant::now();
    // SAFETY: a signal to our own child process.
    assert_eq!(unsafe { libc::kill(child.id() as libc::pid_t, libc::SIGINT) }, 0);
    let status = child.wait().unwrap();
    let took = sent.elapsed();
    let (mut out, mut err) = (String::new(), String::new());
    child.stdout.take().unwrap().read_to_string(&mut out).unwrap();
    child.stderr.take().unwrap().read_to_string(&mut err).unwrap();
    assert_eq!(status.code(), Some(130), "{err}");
    assert!(took < Duration::from_secs(2), "exited {took:?} after Ctrl-C");
    assert!(err.contains("interrupted"), "{err}");
    assert!(err.contains("chats succeeded"), "the summary is written: {err}");
    assert!(out.lines().count() <= 2, "only the calls in flight report: {out}");
    assert!(emu.requests().len() < 20, "the rest of the list was not run");
    eprintln!("Ctrl-C to exit: {took:?}");
}
