//! The emulator over HTTPS: generated and given certificates, faults over TLS, and the
//! handshake faults. curl (OpenSSL) is the client, so nothing here tests our own TLS code.

mod common;

use std::process::{Command, Output};

use blooio_emulator::{Emulator, EmulatorConfig, Fault, TlsMode};
use common::*;

fn start_tls() -> (Emulator, std::path::PathBuf) {
    let emu = Emulator::start(EmulatorConfig {
        tls: Some(TlsMode::Generate),
        ..EmulatorConfig::default()
    })
    .expect("the emulator starts");
    let ca = temp_file("ca.pem", emu.tls_ca_pem().expect("a generated CA").as_bytes());
    (emu, ca)
}

fn url(emu: &Emulator) -> String {
    format!("{}/chats/%2B15551234567/background", emu.base_url())
}

/// curl with the CA trusted; returns its output whatever the outcome.
fn curl_tls(ca: &std::path::Path, url: &str) -> Output {
    Command::new("/usr/bin/curl")
        .args(["-sS", "-i", "--max-time", "20", "-H", AUTH, "--cacert"])
        .arg(ca)
        .arg(url)
        .output()
        .expect("curl runs")
}

#[test]
fn serves_https_with_a_generated_ca_and_plain_http_on_the_same_port() {
    let (emu, ca) = start_tls();
    assert!(emu.base_url().starts_with("https://127.0.0.1:"));
    let answer = curl(&["-H", AUTH, "--cacert", ca.to_str().unwrap(), &url(&emu)]);
    assert_eq!(answer.status, 200);
    assert_eq!(answer.json()["has_background"], false);
    // localhost and ::1 are in the leaf too (the emulator listens on 127.0.0.1 only).
    let by_name = url(&emu).replace("127.0.0.1", "localhost");
    let answer = curl(&[
        "-H",
        AUTH,
        "--cacert",
        ca.to_str().unwrap(),
        "--resolve",
        &resolve_localhost(&emu),
        &by_name,
    ]);
    assert_eq!(answer.status, 200);
    // Plain HTTP on the same port (the control API is reached this way).
    let plain = curl(&[
        "-H",
        AUTH,
        &format!("{}/chats/%2B15551234567/background", emu.plain_base_url()),
    ]);
    assert_eq!(plain.status, 200);
    assert_eq!(emu.tls_connections(), 2);
    assert_eq!(emu.requests().len(), 3);
}

fn resolve_localhost(emu: &Emulator) -> String {
    format!("localhost:{}:127.0.0.1", emu.addr().port())
}

#[test]
fn an_untrusting_client_is_refused_and_no_request_is_recorded() {
    let (emu, _ca) = start_tls();
    let out = Command::new("/usr/bin/curl")
        .args(["-sS", "--max-time", "20", &url(&emu)])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("certificate"));
    assert!(emu.requests().is_empty());
    assert_eq!(emu.tls_connections(), 1);
}

#[test]
fn scripted_faults_work_over_tls() {
    let (emu, ca) = start_tls();
    emu.script(Fault::status(502).header("Retry-After", "1"));
    let out = curl_tls(&ca, &url(&emu));
    let answer = parse_responses(&out.stdout).pop().unwrap();
    assert_eq!(answer.status, 502);
    assert_eq!(answer.header("retry-after"), Some("1"));

    emu.script(Fault::reset_mid_body());
    let out = curl_tls(&ca, &url(&emu));
    assert!(!out.status.success(), "a truncated body is an error");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.starts_with("HTTP/1.1 200"),
        "the head went out over TLS: {stdout}"
    );

    emu.script(Fault::reset_before_response());
    let out = curl_tls(&ca, &url(&emu));
    assert!(!out.status.success() && out.stdout.is_empty());

    emu.script(Fault::close_after_response());
    let out = curl_tls(&ca, &url(&emu));
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert_eq!(parse_responses(&out.stdout).pop().unwrap().status, 200);
}

#[test]
fn handshake_faults_serve_bad_certificates_or_reset() {
    let (emu, ca) = start_tls();
    for (action, curl_says) in [
        ("tls_expired_cert", "expired"),
        ("tls_wrong_name_cert", "name"),
        ("tls_reset_during_handshake", "reset"),
    ] {
        let fault: Fault = serde_json::from_str(&format!(r#"{{"action":"{action}"}}"#)).unwrap();
        emu.script(fault);
        let out = curl_tls(&ca, &url(&emu));
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{action}: curl should fail");
        assert!(stderr.contains(curl_says), "{action}: {stderr}");
    }
    // The queue is consumed per handshake: the next connection is served normally.
    let answer = parse_responses(&curl_tls(&ca, &url(&emu)).stdout).pop().unwrap();
    assert_eq!(answer.status, 200);
    assert!(
        emu.requests().len() == 1,
        "no request got through a bad handshake"
    );
}

/// A GET through the binary at `base`, trusting `ca`; then the binary is stopped.
fn get_then_stop(mut child: std::process::Child, base: &str, ca: &std::path::Path) {
    let url = format!("{base}/chats/x/background");
    let answer = curl(&["-H", AUTH, "--cacert", ca.to_str().unwrap(), &url]);
    assert_eq!(answer.status, 200);
    drop(child.stdin.take());
    assert!(child.wait().unwrap().success());
}

#[test]
fn the_binary_writes_the_ca_and_prints_the_https_url_or_serves_given_files() {
    let bin = env!("CARGO_BIN_EXE_blooio-emulator");
    let ca = temp_file("binary-ca.pem", b"");
    let ca_path = ca.to_str().unwrap();
    let (child, base) = spawn_binary(&["--api-key", KEY, "--quiet", "--tls", "--tls-ca-out", ca_path]);
    assert!(
        base.starts_with("https://127.0.0.1:") && base.ends_with("/v2/api"),
        "{base}"
    );
    let pem = std::fs::read_to_string(&ca).unwrap();
    assert!(pem.starts_with("-----BEGIN CERTIFICATE-----"));
    get_then_stop(child, &base, &ca);

    // Given files: the emulator serves them; the key file must match the certificate.
    let bad = Command::new(bin)
        .args(["--api-key", KEY, "--tls-cert"])
        .arg(&ca)
        .arg("--tls-key")
        .arg(&ca)
        .output()
        .unwrap();
    assert!(!bad.status.success());
    assert!(
        String::from_utf8_lossy(&bad.stderr).contains("private key"),
        "{}",
        String::from_utf8_lossy(&bad.stderr)
    );

    // A certificate of our own (self-signed by openssl), served as given.
    let dir = ca.parent().unwrap();
    let (cert, key) = (dir.join("given-cert.pem"), dir.join("given-key.pem"));
    let made = Command::new("openssl")
        .args([
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-days",
            "2",
        ])
        .args([
            "-subj",
            "/CN=given",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-keyout",
        ])
        .arg(&key)
        .arg("-out")
        .arg(&cert)
        .output()
        .unwrap();
    assert!(made.status.success(), "{}", String::from_utf8_lossy(&made.stderr));
    let (cert_path, key_path) = (cert.to_str().unwrap(), key.to_str().unwrap());
    let (child, base) = spawn_binary(&[
        "--api-key",
        KEY,
        "--quiet",
        "--tls-cert",
        cert_path,
        "--tls-key",
        key_path,
    ]);
    get_then_stop(child, &base, &cert);
}
