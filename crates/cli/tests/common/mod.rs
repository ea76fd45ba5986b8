//! What the CLI's test files share: running the command as a user would, and the sample image.
#![allow(dead_code)]

use std::process::{Command, Output};

/// The command with a clean environment: nothing inherited (no stray proxy or key), only `env`.
pub fn blooio(args: &[&str], env: &[(&str, &str)]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_blooio"));
    cmd.env_clear().args(args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("blooio runs")
}

pub fn sample() -> String {
    format!("{}/../../examples/assets/sample.png", env!("CARGO_MANIFEST_DIR"))
}

pub fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The command as [`blooio`] runs it, with `input` on its standard input.
pub fn blooio_with_stdin(args: &[&str], env: &[(&str, &str)], input: &[u8]) -> Output {
    use std::io::Write;
    use std::process::Stdio;
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_blooio"));
    cmd.env_clear()
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().expect("blooio runs");
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
