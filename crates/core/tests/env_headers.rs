//! `BLOOIO_CUSTOM_HEADERS` and `BLOOIO_LOG` are read when a client is built. (Their own test
//! binary: the environment is the process's.)

mod common;

use blooio_core::{CallOptions, ENV_CUSTOM_HEADERS, ErrorKind};
use common::*;

#[test]
fn custom_headers_from_the_environment_lose_to_explicit_ones() {
    let emu = emulator();
    // SAFETY: the only test of this binary; no other thread reads the environment meanwhile.
    unsafe { std::env::set_var(ENV_CUSTOM_HEADERS, "X-Env: env\nX-Both: env\r\n\n") };
    let c = builder(&emu)
        .default_header("X-Both", "explicit")
        .build()
        .unwrap();
    c.get_chat_background_with("+15551234567", CallOptions::new())
        .unwrap();
    let req = &api_requests(&emu)[0];
    assert_eq!(req.header("x-env"), Some("env"));
    assert_eq!(req.header("x-both"), Some("explicit"));

    unsafe { std::env::set_var(ENV_CUSTOM_HEADERS, "Host: evil.example") };
    let e = builder(&emu).build().unwrap_err();
    assert_eq!(e.kind(), ErrorKind::InvalidConfig);
    assert!(e.to_string().starts_with(ENV_CUSTOM_HEADERS), "{e}");
    unsafe { std::env::remove_var(ENV_CUSTOM_HEADERS) };
    assert_eq!(api_requests(&emu).len(), 1);
}
