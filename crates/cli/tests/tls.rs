//! The `blooio` command over HTTPS: --ca-file, SSL_CERT_FILE, --proxy (tinyproxy), and exit
//! status 17 for a refused certificate after exactly one connection.

#[path = "../../../tests/tls/tinyproxy.rs"]
mod tinyproxy;

mod common;
use common::{sample, text};

use std::process::Output;

use blooio_emulator::{Emulator, EmulatorConfig, Fault, FaultAction, TlsMode};

const KEY: &str = "bl_cli_tls_secret_never_shown";

fn tls_emulator() -> (Emulator, std::path::PathBuf) {
    let emu = Emulator::start(EmulatorConfig {
        api_keys: vec![KEY.into()],
        tls: Some(TlsMode::Generate),
        ..EmulatorConfig::default()
    })
    .unwrap();
    let dir =
        std::path::PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join(format!("cli-tls-{}", emu.addr().port()));
    std::fs::create_dir_all(&dir).unwrap();
    let ca = dir.join("ca.pem");
    std::fs::write(&ca, emu.tls_ca_pem().unwrap()).unwrap();
    (emu, ca)
}

/// The command with a clean environment plus the key and the HTTPS base URL.
fn blooio(emu: &Emulator, args: &[&str], env: &[(&str, &str)]) -> Output {
    let base_url = emu.base_url();
    let mut all = vec![("BLOOIO_API_KEY", KEY), ("BLOOIO_BASE_URL", base_url.as_str())];
    all.extend_from_slice(env);
    common::blooio(args, &all)
}

fn assert_ok(out: &Output) -> serde_json::Value {
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    serde_json::from_slice(&out.stdout).unwrap()
}

#[test]
fn both_endpoints_with_ca_file_or_ssl_cert_file_or_through_a_proxy() {
    let (emu, ca) = tls_emulator();
    let ca = ca.to_str().unwrap();
    let set = assert_ok(&blooio(
        &emu,
        &["background", "set", "+15551234567", &sample(), "--ca-file", ca],
        &[],
    ));
    assert!(set["background_url"].as_str().unwrap().starts_with("https://"));
    let got = assert_ok(&blooio(
        &emu,
        &["background", "get", "+15551234567", "--ca-file", ca],
        &[],
    ));
    assert_eq!(got["background_id"], set["background_id"]);

    let env = [("SSL_CERT_FILE", ca)];
    assert_ok(&blooio(
        &emu,
        &["background", "set", "+15551234567", &sample()],
        &env,
    ));
    assert_ok(&blooio(&emu, &["background", "get", "+15551234567"], &env));

    let proxy = tinyproxy::Tinyproxy::start(emu.addr().port());
    let via = ["--ca-file", ca, "--proxy", &proxy.url];
    assert_ok(&blooio(
        &emu,
        &[&["background", "set", "+15551234567", &sample()][..], &via].concat(),
        &[],
    ));
    assert_ok(&blooio(
        &emu,
        &[&["background", "get", "+15551234567"][..], &via].concat(),
        &[],
    ));
    let log = proxy.log();
    assert_eq!(
        log.matches(&format!("CONNECT 127.0.0.1:{}", emu.addr().port()))
            .count(),
        2,
        "{log}"
    );
    assert!(!log.contains(KEY), "{log}");
}

#[test]
fn refused_certificates_exit_17_after_one_connection() {
    let (emu, ca) = tls_emulator();
    let ca = ca.to_str().unwrap();
    for (fault, trust, says) in [
        (None, false, "is not trusted (unknown issuer"),
        (Some(FaultAction::TlsExpiredCert), true, "has expired"),
        (
            Some(FaultAction::TlsWrongNameCert),
            true,
            "is not valid for the name 127.0.0.1",
        ),
        (Some(FaultAction::TlsCaAsLeaf), true, "is a CA certificate"),
    ] {
        if let Some(action) = fault {
            emu.script(Fault::from(action));
        }
        let before = emu.tls_connections();
        let mut args = vec!["background", "get", "+15551234567", "--max-retries", "4"];
        if trust {
            args.extend(["--ca-file", ca]);
        }
        let out = blooio(&emu, &args, &[]);
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(17), "{stderr}");
        assert!(stderr.contains(says), "{stderr}");
        assert!(!stderr.contains(KEY) && !stderr.contains("gave up"), "{stderr}");
        assert_eq!(emu.tls_connections() - before, 1, "{says}");
    }
    assert!(emu.requests().is_empty());
}

#[test]
fn a_bad_ca_file_is_invalid_config_naming_the_path() {
    let (emu, ca) = tls_emulator();
    let missing = ca.with_file_name("missing.pem");
    let out = blooio(
        &emu,
        &[
            "background",
            "get",
            "+1555",
            "--ca-file",
            missing.to_str().unwrap(),
        ],
        &[],
    );
    assert_eq!(out.status.code(), Some(3));
    assert!(text(&out.stderr).contains(missing.to_str().unwrap()));
    let out = blooio(
        &emu,
        &["background", "get", "+1555"],
        &[("SSL_CERT_FILE", missing.to_str().unwrap())],
    );
    assert_eq!(out.status.code(), Some(3));
    assert!(text(&out.stderr).contains("SSL_CERT_FILE"));
    let help = text(&blooio(&emu, &["--help"], &[]).stdout);
    assert!(help.contains("17  TLS") && help.contains("--ca-file") && help.contains("--proxy"));
    assert!(help.contains("--platform-verifier"));
    assert_eq!(emu.tls_connections(), 0);
}
