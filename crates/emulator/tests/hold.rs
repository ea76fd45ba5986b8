//! `hold_until`: API requests wait until N have arrived, then all are answered.

mod common;

use std::thread;

use blooio_emulator::Emulator;
use common::*;

fn config(emu: &Emulator, body: &str) -> Answer {
    control(emu, "POST", "config", Some(body))
}

#[test]
fn requests_wait_until_n_have_arrived_then_all_pass() {
    let emu = start();
    assert_eq!(config(&emu, r#"{"hold_until":3}"#).json()["hold_until"], 3);
    let held: Vec<_> = (0..2)
        .map(|_| {
            let url = format!("{}/chats/grp_x/background", emu.base_url());
            thread::spawn(move || curl(&["-X", "GET", &url, "-H", AUTH]).status)
        })
        .collect();
    // Both reached the server and neither has been answered.
    while emu.requests().len() < 2 {
        thread::sleep(std::time::Duration::from_millis(5));
    }
    thread::sleep(std::time::Duration::from_millis(100));
    assert!(held.iter().all(|t| !t.is_finished()));
    assert_eq!(get(&emu, "grp_x").status, 200, "the third opens the gate");
    for t in held {
        assert_eq!(t.join().unwrap(), 200);
    }
    assert_eq!(get(&emu, "grp_x").status, 200, "and it stays open");
    assert_eq!(
        config(&emu, r#"{"hold_until":null}"#).json()["hold_until"],
        serde_json::Value::Null
    );
}
