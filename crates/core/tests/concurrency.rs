//! One client shared by many threads: requests run concurrently over one pool.

mod common;

use std::time::{Duration, Instant};

use common::*;

#[test]
fn eight_threads_share_one_client_and_overlap() {
    let (emu, c) = emulator_and_client();
    emu.set_latency(ms(100));
    let started = Instant::now();
    std::thread::scope(|s| {
        for t in 0..8 {
            let c = c.clone();
            s.spawn(move || {
                for i in 0..3 {
                    let id = format!("grp_t{t}");
                    if i == 1 {
                        c.set_chat_background_bytes(&id, &png(format!("{t}").as_bytes()))
                            .unwrap();
                    } else {
                        c.get_chat_background(&id).unwrap();
                    }
                }
            });
        }
    });
    let elapsed = started.elapsed();
    // 24 requests of 100 ms each: serially 2.4 s; eight at a time about 0.3 s.
    assert!(
        elapsed < Duration::from_millis(1500),
        "requests did not overlap: {elapsed:?}"
    );
    assert_eq!(api_requests(&emu).len(), 24);
    assert!(
        emu.connections_accepted() <= 8 + 2,
        "pool reuse: {}",
        emu.connections_accepted()
    );
}

#[test]
fn client_is_send_sync_and_cheap_to_clone() {
    fn assert_send_sync<T: Send + Sync + Clone>() {}
    assert_send_sync::<blooio_core::Client>();
}
