//! The key never reaches a log record, even with every crate logging at trace level.
//! (Its own test binary: a process has one logger.)

mod common;

use std::sync::Mutex;

use blooio_emulator::Fault;
use common::*;

static RECORDS: Mutex<Vec<String>> = Mutex::new(Vec::new());

struct Capture;

impl log::Log for Capture {
    fn enabled(&self, _: &log::Metadata) -> bool {
        true
    }
    fn log(&self, record: &log::Record) {
        RECORDS.lock().unwrap().push(format!(
            "{} {}: {}",
            record.level(),
            record.target(),
            record.args()
        ));
    }
    fn flush(&self) {}
}

#[test]
fn the_key_is_in_no_log_record_at_any_level() {
    log::set_boxed_logger(Box::new(Capture)).unwrap();
    log::set_max_level(log::LevelFilter::Trace);

    let (emu, c) = emulator_and_client();
    c.get_chat_background("+15551234567").unwrap();
    c.set_chat_background_bytes("+15551234567", &png(b"logged"))
        .unwrap();
    emu.script(Fault::status(302).header("Location", "http://127.0.0.2:9/elsewhere"));
    c.get_chat_background("grp_x").unwrap_err();
    emu.script(Fault::status(401));
    c.get_chat_background("grp_x").unwrap_err();

    let records = RECORDS.lock().unwrap();
    assert!(
        records.iter().any(|r| r.contains("ureq")),
        "ureq logged nothing: the test proves nothing"
    );
    assert!(
        records.iter().any(|r| r.contains("/chats/")),
        "requests were logged"
    );
    let leaks: Vec<_> = records.iter().filter(|r| r.contains(KEY)).collect();
    assert!(leaks.is_empty(), "the key is in log records: {leaks:#?}");
}
