//! What the CLI's test files share: running the command as a user would, and the sample image.
#![allow(dead_code)]

use std::ffi::OsStr;
use std::process::{Command, Output};

use blooio_emulator::{Emulator, EmulatorConfig};

/// No environment at all, for [`blooio`].
pub const NO_ENV: &[(&str, &str)] = &[];

/// The command with a clean environment: nothing inherited (no stray proxy or key), only `env`.
pub fn command(args: &[&str], env: &[(&str, impl AsRef<OsStr>)]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_blooio"));
    cmd.env_clear()
        .args(args)
        .envs(env.iter().map(|(k, v)| (k, v.as_ref())));
    cmd
}

/// Runs the [`command`] to its end.
pub fn blooio(args: &[&str], env: &[(&str, impl AsRef<OsStr>)]) -> Output {
    command(args, env).output().expect("blooio runs")
}

/// An emulator on loopback that accepts `key` alone.
pub fn emulator_with_key(key: &str) -> Emulator {
    Emulator::start(EmulatorConfig {
        api_keys: vec![key.into()],
        ..EmulatorConfig::default()
    })
    .unwrap()
}

pub fn sample() -> String {
    format!("{}/../../examples/assets/sample.png", env!("CARGO_MANIFEST_DIR"))
}

pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The command as [`blooio`] runs it, with `input` on its standard input.
pub fn blooio_with_stdin(args: &[&str], env: &[(&str, impl AsRef<OsStr>)], input: &[u8]) -> Output {
    use std::io::Write;
    use std::process::Stdio;
    let mut child = command(args, env)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("blooio runs");
    let mut stdin = child.stdin.take().unwrap();
    let input = input.to_vec();
    // Written from a thread: the command answers while it reads, and may fill its pipes.
    let writer = std::thread::spawn(move || {
        let _ = stdin.write_all(&input);
    });
    let out = child.wait_with_output().expect("blooio ends");
    writer.join().unwrap();
    out
}
