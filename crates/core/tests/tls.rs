//! HTTPS against the emulator's TLS mode: trust by option, refused certificates after exactly
//! one connection whatever max_retries says, and a reset during the handshake retried.
//! (`SSL_CERT_FILE`/`SSL_CERT_DIR` are in tls_env.rs: they change the process environment.)

mod common;

use std::time::Duration;

use blooio_core::{Client, ClientBuilder, ErrorKind};
use blooio_emulator::{Emulator, EmulatorConfig, Fault, FaultAction, TlsMode};
use common::*;

const CHAT: &str = "+15551234567";

fn tls_emulator() -> (Emulator, TempFile) {
    let emu = Emulator::start(EmulatorConfig {
        api_keys: vec![KEY.to_owned()],
        tls: Some(TlsMode::Generate),
        ..EmulatorConfig::default()
    })
    .expect("emulator starts");
    let ca = TempFile::new("ca.pem", emu.tls_ca_pem().unwrap().as_bytes());
    (emu, ca)
}

fn tls_builder(emu: &Emulator) -> ClientBuilder {
    Client::builder()
        .api_key(KEY)
        .base_url(emu.base_url())
        .max_retries(3)
        .timeout(Duration::from_secs(10))
}

#[test]
fn both_endpoints_over_https_with_the_ca_given_by_option() {
    let (emu, ca) = tls_emulator();
    assert!(emu.base_url().starts_with("https://127.0.0.1:"));
    let client = tls_builder(&emu).ca_file(&ca.path).build().unwrap();
    let set = client.set_chat_background_bytes(CHAT, &png(b"tls")).unwrap();
    assert_eq!(set.changed, Some(true));
    assert!(set.background_url.as_deref().unwrap().starts_with("https://"));
    let got = client.get_chat_background(CHAT).unwrap();
    assert_eq!(got.background_id, set.background_id);
    // Kept alive: one handshake for both calls.
    assert_eq!(emu.tls_connections(), 1);
    assert_eq!(api_requests(&emu).len(), 2);
}

#[test]
fn scripted_faults_are_retried_over_tls() {
    let (emu, ca) = tls_emulator();
    emu.script(Fault::status(502));
    emu.script(Fault::reset_before_response());
    let client = tls_builder(&emu).ca_file(&ca.path).build().unwrap();
    client.get_chat_background(CHAT).unwrap();
    assert_eq!(api_requests(&emu).len(), 3);
}

/// Calls with max_retries 3 and checks: the TLS kind, one attempt, one TLS connection, no
/// request reached the API, and a message in words that names what was wrong.
fn assert_refused_once(emu: &Emulator, client: &Client, says: &[&str]) {
    let before = emu.tls_connections();
    let err = client.get_chat_background(CHAT).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Tls, "{err}");
    assert_eq!(err.attempts(), 1, "{err}");
    assert_eq!(emu.tls_connections() - before, 1, "exactly one connection: {err}");
    let message = err.to_string();
    for phrase in says {
        assert!(message.contains(phrase), "{message:?} should say {phrase:?}");
    }
    for debug in [
        "Error {",
        "UnknownIssuer",
        "InvalidCertificate",
        "Context {",
        "gave up",
    ] {
        assert!(!message.contains(debug), "no debug output in {message:?}");
    }
    assert_key_absent(&err);
    assert!(api_requests(emu).is_empty());
}

#[test]
fn an_unknown_issuer_is_refused_after_one_connection() {
    let (emu, _ca) = tls_emulator();
    let client = tls_builder(&emu).build().unwrap();
    assert_refused_once(
        &emu,
        &client,
        &[
            "the certificate of 127.0.0.1 is not trusted (unknown issuer",
            "point SSL_CERT_FILE or ca_file at its CA bundle",
        ],
    );
}

#[test]
fn expired_wrong_name_and_ca_as_leaf_are_refused_after_one_connection() {
    let (emu, ca) = tls_emulator();
    let client = tls_builder(&emu).ca_file(&ca.path).build().unwrap();
    for (action, says) in [
        (
            FaultAction::TlsExpiredCert,
            &["the certificate of 127.0.0.1 has expired"][..],
        ),
        (
            FaultAction::TlsWrongNameCert,
            &[
                "is not valid for the name 127.0.0.1",
                "wrong-name.blooio-emulator.invalid",
            ][..],
        ),
        (
            FaultAction::TlsCaAsLeaf,
            &["is a CA certificate, not a server certificate"][..],
        ),
    ] {
        emu.script(Fault::from(action));
        assert_refused_once(&emu, &client, says);
    }
    // The same client works once the server is fixed.
    client.get_chat_background(CHAT).unwrap();
}

#[test]
fn a_reset_during_the_handshake_is_retried() {
    let (emu, ca) = tls_emulator();
    emu.script(Fault::from(FaultAction::TlsResetDuringHandshake).repeat(2));
    let client = tls_builder(&emu).ca_file(&ca.path).build().unwrap();
    client.get_chat_background(CHAT).unwrap();
    assert_eq!(emu.tls_connections(), 3);

    emu.script(Fault::from(FaultAction::TlsResetDuringHandshake).repeat(2));
    let once = tls_builder(&emu)
        .ca_file(&ca.path)
        .max_retries(1)
        .build()
        .unwrap();
    let err = once.get_chat_background(CHAT).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Connection, "{err}");
    assert_eq!(err.attempts(), 2);
}

#[test]
fn a_bad_ca_file_fails_the_build_naming_the_path() {
    let (emu, _ca) = tls_emulator();
    let empty = TempFile::new("empty.pem", b"");
    let junk = TempFile::new(
        "junk.pem",
        b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n",
    );
    let missing = empty.path.with_file_name("missing.pem");
    for path in [
        &empty.path,
        &junk.path,
        &missing,
        &empty.path.parent().unwrap().to_path_buf(),
    ] {
        let err = tls_builder(&emu).ca_file(path).build().unwrap_err();
        assert_error(&err, ErrorKind::InvalidConfig, &path.display().to_string());
    }
    let err = tls_builder(&emu)
        .ca_file(&empty.path)
        .platform_verifier(true)
        .build()
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidConfig);
    assert!(api_requests(&emu).is_empty() && emu.tls_connections() == 0);
}

#[test]
fn the_platform_verifier_does_not_trust_the_emulators_ca() {
    let (emu, _ca) = tls_emulator();
    let client = tls_builder(&emu).platform_verifier(true).build().unwrap();
    assert!(format!("{client:?}").contains("Platform"));
    assert_refused_once(&emu, &client, &["the certificate of 127.0.0.1"]);
}

#[path = "../../../tests/tls/tinyproxy.rs"]
mod tinyproxy;

#[test]
fn through_tinyproxy_with_connect_even_to_loopback() {
    let (emu, ca) = tls_emulator();
    let proxy = tinyproxy::Tinyproxy::start(emu.addr().port());
    let client = tls_builder(&emu)
        .ca_file(&ca.path)
        .proxy(&proxy.url)
        .build()
        .unwrap();
    client.set_chat_background_bytes(CHAT, &png(b"proxied")).unwrap();
    client.get_chat_background(CHAT).unwrap();
    let log = proxy.log();
    assert!(
        log.contains(&format!("CONNECT 127.0.0.1:{}", emu.addr().port())),
        "the proxy saw a CONNECT: {log}"
    );
    assert!(
        !log.contains(KEY) && !log.contains("/chats/"),
        "the proxy saw the key or a path: {log}"
    );
    assert_eq!(api_requests(&emu).len(), 2);

    // Without the option, a loopback base URL never goes through a proxy.
    let direct = tls_builder(&emu).ca_file(&ca.path).build().unwrap();
    let connects = log.matches("CONNECT 127.0.0.1").count();
    direct.get_chat_background(CHAT).unwrap();
    assert_eq!(proxy.log().matches("CONNECT 127.0.0.1").count(), connects);
}
