//! `Bulk`: one get or set over many chats, against the emulator over loopback.

mod common;

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use blooio_core::bulk::{DEFAULT_PARALLEL, MAX_PARALLEL};
use blooio_core::{Bulk, CancelToken, Client, ErrorKind, Image};
use blooio_emulator::Fault;
use common::*;

/// Gets `n` chats `{prefix}0`.. `parallel` at a time, asserts that every one succeeded, and
/// returns how long the run took.
fn time_all_succeeding(c: &Client, parallel: usize, prefix: &str, n: u32) -> Duration {
    let started = Instant::now();
    let summary = Bulk::new(c)
        .parallel(parallel)
        .get((0..n).map(|i| format!("{prefix}{i}")), |done| {
            done.result.unwrap();
        })
        .unwrap();
    assert_eq!((summary.succeeded, summary.failed), (u64::from(n), 0));
    started.elapsed()
}

#[test]
fn every_chat_gets_one_result_with_its_index_and_input() {
    let (emu, c) = emulator_and_client();
    let chats: Vec<String> = (0..20).map(|i| format!("grp_b{i}")).collect();
    let mut seen = Vec::new();
    let summary = Bulk::new(&c)
        .get(&chats, |done| {
            let bg = done.result.unwrap();
            assert_eq!(bg.chat_id.as_deref(), Some(done.input.as_str()));
            assert_eq!(done.input, &chats[done.index as usize]);
            seen.push(done.index);
        })
        .unwrap();
    seen.sort_unstable();
    assert_eq!(seen, (0..20).collect::<Vec<u64>>());
    assert_eq!(
        (summary.succeeded, summary.failed, summary.stopped),
        (20, 0, None)
    );
    assert_eq!(summary.finished(), 20);
    assert_eq!(api_requests(&emu).len(), 20);
}

#[test]
fn at_most_parallel_calls_run_at_once() {
    let (emu, c) = emulator_and_client();
    emu.set_latency(ms(100));
    let took = time_all_succeeding(&c, 3, "grp_p", 9);
    // Nine calls of 100 ms, three at a time: three rounds (serially 0.9 s, all at once 0.1 s).
    assert!(took >= ms(300) && took < ms(700), "{took:?}");
    // Requests arrive in rounds of three: the fourth comes only once the first ones end.
    let mut at: Vec<u64> = api_requests(&emu).iter().map(|r| r.at_ms).collect();
    at.sort_unstable();
    assert!(at[3] - at[0] >= 90, "a fourth call started early: {at:?}");
    assert!(at[2] - at[0] < 60, "the first three did not overlap: {at:?}");
    assert!(emu.connections_accepted() <= 3, "{}", emu.connections_accepted());
}

#[test]
fn the_input_is_read_only_as_calls_start_and_results_are_not_kept() {
    // 100,000 ids, produced lazily: the run never pulls far ahead of what it has handed out.
    let (emu, c) = emulator_and_client();
    let pulled = AtomicU64::new(0);
    let chats = (0..100_000u64).map(|i| {
        pulled.fetch_add(1, Ordering::SeqCst);
        // One in a hundred is a get; the rest are invalid, refused without a request.
        if i % 100 == 0 {
            format!("grp_l{}", i % 50)
        } else {
            String::new()
        }
    });
    let mut handed_out = 0u64;
    let mut max_ahead = 0u64;
    let summary = Bulk::new(&c)
        .parallel(DEFAULT_PARALLEL)
        .get(chats, |done| {
            handed_out += 1;
            max_ahead = max_ahead.max(pulled.load(Ordering::SeqCst) - handed_out);
            assert_eq!(done.result.is_ok(), done.index % 100 == 0);
        })
        .unwrap();
    assert_eq!(summary.finished(), 100_000);
    assert_eq!(summary.failed, 99_000);
    // In flight (one per worker) plus the result channel's room (one per worker).
    assert!(
        max_ahead <= 2 * DEFAULT_PARALLEL as u64 + 1,
        "the input was read ahead by {max_ahead}"
    );
    assert_eq!(emu.requests().len(), 1_000);
}

#[test]
fn a_bad_parallel_or_image_fails_the_run_before_anything_is_sent() {
    let (emu, c) = emulator_and_client();
    for n in [0, MAX_PARALLEL + 1] {
        let err = Bulk::new(&c)
            .parallel(n)
            .get(["grp_x"], |_| panic!("no result"))
            .unwrap_err();
        assert_error(&err, ErrorKind::InvalidConfig, &format!("parallel is {n}"));
    }
    let err = Bulk::new(&c)
        .set(Image::Bytes(b"not an image"), ["grp_x"], |_| panic!("no result"))
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidImage);
    let err = Bulk::new(&c)
        .set(Image::Path("/nonexistent/x.png".as_ref()), ["grp_x"], |_| {
            panic!("no result")
        })
        .unwrap_err();
    assert_error(&err, ErrorKind::Io, "/nonexistent/x.png");
    assert!(api_requests(&emu).is_empty());
}

#[test]
fn the_image_file_is_read_once() {
    let (emu, c) = emulator_and_client();
    let image = png(&[7; 5000]);
    let file = TempFile::new("once.png", &image);
    let mut results = 0;
    Bulk::new(&c)
        .parallel(1)
        .set(
            Image::Path(&file.path),
            (0..5).map(|i| format!("grp_o{i}")),
            |done| {
                done.result.unwrap();
                results += 1;
                // Changed after the first upload: the later ones still send what was read.
                std::fs::write(&file.path, b"no longer an image").unwrap();
            },
        )
        .unwrap();
    assert_eq!(results, 5);
    let puts = api_requests(&emu);
    assert_eq!(puts.len(), 5);
    assert!(
        puts.iter().all(|p| p.parts[0].len == image.len() as u64),
        "{puts:?}"
    );
}

#[test]
fn a_refused_key_stops_the_run_and_other_failures_do_not() {
    let emu = emulator();
    let wrong = builder(&emu).api_key("bl_wrong").build().unwrap();
    let mut reported = 0;
    let summary = Bulk::new(&wrong)
        .parallel(2)
        .get((0..100).map(|i| format!("grp_s{i}")), |done| {
            assert_eq!(done.result.unwrap_err().kind(), ErrorKind::Authentication);
            reported += 1;
        })
        .unwrap();
    assert_eq!(summary.stopped, Some(ErrorKind::Authentication));
    assert_eq!(summary.failed, reported);
    let sent = api_requests(&emu).len() as u64;
    assert_eq!(sent, reported, "every chat started is reported");
    assert!(sent <= 4, "{sent} chats were tried after the key was refused");

    // A 404 or a 502 concerns one chat: the run goes on.
    emu.clear_requests();
    emu.script(Fault::status(404));
    emu.script(Fault::status(400));
    let c = builder(&emu).max_retries(0).build().unwrap();
    let summary = Bulk::new(&c)
        .parallel(1)
        .get((0..6).map(|i| format!("grp_t{i}")), |_| {})
        .unwrap();
    assert_eq!((summary.succeeded, summary.failed, summary.stopped), (4, 2, None));
}

/// The requests that arrived strictly between `from` and `to` (emulator milliseconds).
fn arrived_between(emu: &blooio_emulator::Emulator, from: u64, to: u64) -> Vec<(u64, u16)> {
    api_requests(emu)
        .iter()
        .filter(|r| r.at_ms > from && r.at_ms < to)
        .map(|r| (r.at_ms, r.status))
        .collect()
}

#[test]
fn a_429_met_by_every_worker_is_one_pause_for_all() {
    let (emu, c) = emulator_and_client();
    // The latency keeps the four workers' first requests in flight together, so each of them
    // meets one of the four 429s.
    emu.set_latency(ms(50));
    emu.script(Fault::status(429).header("Retry-After", "1").repeat(4));
    let started = Instant::now();
    let summary = Bulk::new(&c)
        .parallel(4)
        .get((0..12).map(|i| format!("grp_q{i}")), |done| {
            let bg = done.result.unwrap();
            if done.index < 4 {
                assert_eq!(bg.attempts, 2, "the 429 is retried inside the client, per chat");
            }
        })
        .unwrap();
    let took = started.elapsed();
    assert_eq!(summary.succeeded, 12);
    let reqs = api_requests(&emu);
    let limited: Vec<u64> = reqs.iter().filter(|r| r.status == 429).map(|r| r.at_ms).collect();
    assert_eq!(limited.len(), 4, "{reqs:?}");
    let answered = limited.iter().max().unwrap() + 50;
    // Nobody sends during the pause (a little slack for requests already on their way).
    let during = arrived_between(&emu, answered + 30, answered + 1000 - 30);
    assert!(during.is_empty(), "requests during the pause: {during:?}");
    // Four 429s, one pause: about 1 s plus three rounds of 50 ms, not 4 s.
    assert!(took >= ms(1000) && took < ms(1800), "{took:?}");
}

#[test]
fn a_429_met_by_one_worker_pauses_the_others_too() {
    let (emu, c) = emulator_and_client();
    emu.set_latency(ms(50));
    emu.script(Fault::status(429).header("Retry-After", "1"));
    let took = time_all_succeeding(&c, 4, "grp_w", 16);
    let reqs = api_requests(&emu);
    let limited: Vec<&blooio_emulator::RecordedRequest> = reqs.iter().filter(|r| r.status == 429).collect();
    assert_eq!(limited.len(), 1);
    let answered = limited[0].at_ms + 50;
    // The three workers that were not limited waited too: without the shared pause they
    // would have sent the other twelve chats during that second.
    let during = arrived_between(&emu, answered + 30, answered + 1000 - 30);
    assert!(during.is_empty(), "requests during the pause: {during:?}");
    // 17 requests (16 chats, one retry): before the pause only the four first ones and what
    // the other three workers sent as their answers came with the 429's (at most three).
    let after = arrived_between(&emu, answered + 1000 - 30, u64::MAX);
    assert_eq!(reqs.len(), 17);
    assert!(after.len() >= 10, "the rest went after the pause: {after:?}");
    assert!(took >= ms(1000) && took < ms(1800), "{took:?}");
}

#[test]
fn a_cancelled_run_returns_quickly_and_starts_no_more_chats() {
    let (emu, c) = emulator_and_client();
    emu.set_latency(ms(3000));
    let token = CancelToken::new();
    let canceller = token.clone();
    let started = Instant::now();
    let mut kinds = Vec::new();
    let summary = std::thread::scope(|s| {
        s.spawn(move || {
            std::thread::sleep(ms(300));
            canceller.cancel();
        });
        Bulk::new(&c)
            .parallel(4)
            .cancel_token(token.clone())
            .get((0..100).map(|i| format!("grp_c{i}")), |done| {
                kinds.push(done.result.unwrap_err().kind());
            })
            .unwrap()
    });
    let took = started.elapsed();
    assert!(took < ms(600), "the run took {took:?} to stop");
    assert_eq!(summary.stopped, Some(ErrorKind::Cancelled));
    assert_eq!(
        kinds.len(),
        4,
        "only the four calls in flight are reported: {kinds:?}"
    );
    assert!(kinds.iter().all(|k| *k == ErrorKind::Cancelled), "{kinds:?}");
    assert_eq!(api_requests(&emu).len(), 4);

    // A token cancelled before the run: nothing is sent, and the summary says why.
    let summary = Bulk::new(&c)
        .cancel_token(token)
        .set(Image::Bytes(&png(b"x")), ["grp_c0", "grp_c1"], |_| {
            panic!("no chat was started")
        })
        .unwrap();
    assert_eq!(
        (summary.finished(), summary.stopped),
        (0, Some(ErrorKind::Cancelled))
    );
    assert_eq!(api_requests(&emu).len(), 4);
}
