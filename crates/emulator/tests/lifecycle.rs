//! Starting and dropping emulators leaks nothing. (Alone in its own test binary, so the
//! thread count is not disturbed by other tests.)

mod common;

use std::io::{BufReader, Write};
use std::net::TcpStream;

use common::*;

fn threads() -> usize {
    std::fs::read_dir("/proc/self/task").unwrap().count()
}

/// The thread count once threads that have been joined are gone from `/proc/self/task`: a join
/// returns when the kernel clears the thread's id, a moment before it removes the task, so on a
/// busy machine a joined thread can still be listed (a CI run saw 3 for 2). Waits up to 2 s for
/// the count to come down to `want`, and answers the count then.
fn threads_settled_at(want: usize) -> usize {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(2);
    loop {
        let now = threads();
        if now <= want || std::time::Instant::now() >= deadline {
            return now;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
}

#[test]
fn dropping_an_emulator_closes_everything_and_joins_its_thread() {
    let before = threads();
    for _ in 0..20 {
        let emu = start();
        let addr = emu.addr();
        let mut stream = connect(addr);
        stream.write_all(get_request("grp_x").as_bytes()).unwrap();
        let mut reader = BufReader::new(stream.try_clone().unwrap());
        assert_eq!(read_answer(&mut reader).unwrap().status, 200);
        assert!(threads() > before);

        drop(emu);
        let (rest, _) = read_to_end(&mut reader);
        assert!(rest.is_empty(), "the open connection was closed");
        assert!(TcpStream::connect(addr).is_err(), "nothing listens any more");
    }
    assert_eq!(threads_settled_at(before), before);
}
