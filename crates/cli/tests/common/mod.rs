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
