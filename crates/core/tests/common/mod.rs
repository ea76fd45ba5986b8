//! Shared set-up for the integration tests: an in-process emulator on a loopback port and
//! clients that talk to it over real sockets.
#![allow(dead_code)]

use std::path::PathBuf;
use std::time::Duration;

use blooio_core::{Client, ClientBuilder, Error, ErrorKind};
use blooio_emulator::{Emulator, EmulatorConfig, RecordedRequest};

pub const KEY: &str = "bl_test_k3y_never_printed";

pub fn emulator() -> Emulator {
    Emulator::start(EmulatorConfig {
        api_keys: vec![KEY.to_owned()],
        ..EmulatorConfig::default()
    })
    .expect("emulator starts")
}

pub fn builder(emu: &Emulator) -> ClientBuilder {
    Client::builder().api_key(KEY).base_url(emu.base_url())
}

pub fn client(emu: &Emulator) -> Client {
    builder(emu).build().expect("client builds")
}

/// A fresh [`emulator`] and a [`client`] of it: most tests' first line.
pub fn emulator_and_client() -> (Emulator, Client) {
    let emu = emulator();
    let c = client(&emu);
    (emu, c)
}

/// Minimal files of each format: the magic bytes the API sniffs, then filler.
pub fn png(filler: &[u8]) -> Vec<u8> {
    [&b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"[..], filler].concat()
}

pub fn jpeg(filler: &[u8]) -> Vec<u8> {
    [&[0xFF, 0xD8, 0xFF, 0xE0][..], filler].concat()
}

pub fn heic(filler: &[u8]) -> Vec<u8> {
    let mut v = vec![0, 0, 0, 24];
    v.extend_from_slice(b"ftypheic\0\0\0\0mif1heic");
    v.extend_from_slice(filler);
    v
}

/// A file in a fresh temporary directory that is removed when the guard drops.
pub struct TempFile {
    pub path: PathBuf,
}

impl TempFile {
    pub fn new(name: &str, content: &[u8]) -> TempFile {
        let dir = std::env::temp_dir().join(format!(
            "blooio-core-test-{}-{}",
            std::process::id(),
            COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed)
        ));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join(name);
        std::fs::write(&path, content).unwrap();
        TempFile { path }
    }
}

impl Drop for TempFile {
    fn drop(&mut self) {
        if let Some(dir) = self.path.parent() {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

static COUNTER: std::sync::atomic::AtomicU32 = std::sync::atomic::AtomicU32::new(0);

/// The API requests the emulator saw (control traffic is never recorded).
pub fn api_requests(emu: &Emulator) -> Vec<RecordedRequest> {
    emu.requests()
}

/// `err` is of `kind`, and its message says `says`.
pub fn assert_error(err: &Error, kind: ErrorKind, says: &str) {
    assert_eq!(err.kind(), kind, "{err}");
    assert!(err.to_string().contains(says), "{err}");
}

/// The key must never be in a message, `Debug` output or anything else we print.
pub fn assert_key_absent(err: &Error) {
    let shown = format!("{err} {err:?}");
    assert!(!shown.contains(KEY), "the API key leaked into an error: {shown}");
}

/// Milliseconds between consecutive recorded requests.
pub fn gaps_ms(reqs: &[RecordedRequest]) -> Vec<u64> {
    reqs.windows(2).map(|w| w[1].at_ms - w[0].at_ms).collect()
}

pub fn ms(d: u64) -> Duration {
    Duration::from_millis(d)
}
