//! `SSL_CERT_FILE` and `SSL_CERT_DIR` replace the bundled roots; `ca_file` wins over them.
//! One test in its own binary: it changes the process environment.

mod common;

use blooio_core::{Client, ErrorKind};
use blooio_emulator::{Emulator, EmulatorConfig, TlsMode};
use common::*;

fn set(name: &str, value: Option<&std::path::Path>) {
    // SAFETY: this binary runs this one test only, and sets variables before any client (or
    // other thread that could read the environment) is started by it.
    unsafe {
        match value {
            Some(v) => std::env::set_var(name, v),
            None => std::env::remove_var(name),
        }
    }
}

#[test]
fn ssl_cert_file_and_dir_replace_the_bundled_roots_and_ca_file_wins() {
    let emu = Emulator::start(EmulatorConfig {
        api_keys: vec![KEY.to_owned()],
        tls: Some(TlsMode::Generate),
        ..EmulatorConfig::default()
    })
    .unwrap();
    let ca = TempFile::new("ca.pem", emu.tls_ca_pem().unwrap().as_bytes());
    let other = Emulator::start(EmulatorConfig {
        tls: Some(TlsMode::Generate),
        ..EmulatorConfig::default()
    })
    .unwrap();
    let other_ca = TempFile::new("other.pem", other.tls_ca_pem().unwrap().as_bytes());
    let client = || Client::builder().api_key(KEY).base_url(emu.base_url());

    set("SSL_CERT_FILE", Some(&ca.path));
    let c = client().build().unwrap();
    c.set_chat_background_bytes("+15551234567", &png(b"env")).unwrap();
    c.get_chat_background("+15551234567").unwrap();

    // ca_file wins over the environment: the other emulator's CA does not sign this leaf.
    let err = client()
        .ca_file(&other_ca.path)
        .build()
        .unwrap()
        .get_chat_background("+1555")
        .unwrap_err();
    assert_error(&err, ErrorKind::Tls, "unknown issuer");

    // A directory of certificates (not hashed; a README in it is skipped).
    set("SSL_CERT_FILE", None);
    let dir = ca.path.parent().unwrap();
    std::fs::write(dir.join("README"), "not a certificate").unwrap();
    set("SSL_CERT_DIR", Some(dir));
    client()
        .build()
        .unwrap()
        .get_chat_background("+15551234567")
        .unwrap();

    // A bad variable fails the build and names the path.
    let missing = dir.join("nope.pem");
    set("SSL_CERT_DIR", None);
    set("SSL_CERT_FILE", Some(&missing));
    let err = client().build().unwrap_err();
    assert_error(&err, ErrorKind::InvalidConfig, "SSL_CERT_FILE");
    assert!(err.to_string().contains(&missing.display().to_string()), "{err}");
    set("SSL_CERT_FILE", None);
    set("SSL_CERT_DIR", Some(&missing));
    assert_eq!(client().build().unwrap_err().kind(), ErrorKind::InvalidConfig);

    // Unset: the bundled roots, which do not include the emulator's CA.
    set("SSL_CERT_DIR", None);
    let err = client()
        .build()
        .unwrap()
        .get_chat_background("+15551234567")
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Tls);
    assert_eq!(err.attempts(), 1);
}
