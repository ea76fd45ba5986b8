//! `blooio-bench serve`: the emulator, built with the same release profile as everything measured,
//! in a process of its own so that its memory and CPU time are never a client's.
//!
//! Prints the base URL as the first line of stdout and serves until stdin closes (so it cannot
//! outlive the driver that started it).

use std::io::{Read, Write};
use std::time::Duration;

use blooio_emulator::{Emulator, EmulatorConfig, TlsMode};

use crate::{Fallible, Options};

pub fn run(o: &Options) -> Fallible<()> {
    let emulator = Emulator::start(EmulatorConfig {
        api_keys: vec![o.text_or("api-key", "bench-key").to_owned()],
        latency: Duration::from_millis(o.number("latency-ms", 0)?),
        // `--tls-ca-out PATH`: serve HTTPS with a fresh CA, written there for the clients.
        tls: o.0.contains_key("tls-ca-out").then_some(TlsMode::Generate),
        ..EmulatorConfig::default()
    })?;
    if let (Some(path), Some(pem)) = (o.0.get("tls-ca-out"), emulator.tls_ca_pem()) {
        std::fs::write(path, pem)?;
    }
    let mut out = std::io::stdout().lock();
    writeln!(out, "{}", emulator.base_url())?;
    out.flush()?;
    drop(out);
    // Block until the driver closes our stdin (or exits).
    let mut sink = [0u8; 64];
    let mut stdin = std::io::stdin().lock();
    while stdin.read(&mut sink)? > 0 {}
    drop(emulator);
    Ok(())
}
