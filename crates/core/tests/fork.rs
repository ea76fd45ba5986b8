//! A client shared across `fork()`: every process gets the answers to its own requests.
//!
//! The client's pool holds keep-alive connections when the process forks; the parent and each
//! child then make many GETs for a chat id of their own at the same time, and every answer must
//! name the chat that was asked for. Were a child to use an inherited connection, two processes
//! would read and write one socket and answers would cross (or fail to parse).
//! Its own test binary: fork() in a process running other tests' threads is asking for trouble.

mod common;

use std::collections::HashSet;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread;

use blooio_core::Client;

const CHILDREN: usize = 4;
const CALLS: usize = 200;
const ROUNDS: usize = 3;

/// `calls` GETs of `chat_id`; how many failed or came back for another chat.
fn hammer(client: &Client, chat_id: &str, calls: usize) -> (usize, Vec<String>) {
    let mut bad = Vec::new();
    for _ in 0..calls {
        match client.get_chat_background(chat_id) {
            Ok(bg) if bg.chat_id.as_deref() == Some(chat_id) => {}
            Ok(bg) => bad.push(format!("answer for {:?}", bg.chat_id)),
            Err(e) => bad.push(format!("error: {e}")),
        }
    }
    (calls, bad)
}

fn fork_child(client: &Client, chat_id: &str) -> libc::pid_t {
    // SAFETY: the child only runs Rust code that allocates and does socket I/O (glibc's malloc
    // and stdio are fork-safe), then leaves with `_exit`, skipping the test harness's teardown.
    let pid = unsafe { libc::fork() };
    assert!(pid >= 0, "fork failed");
    if pid == 0 {
        let code =
            match std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| hammer(client, chat_id, CALLS))) {
                Ok((_, bad)) if bad.is_empty() => 0,
                Ok((_, bad)) => {
                    eprintln!(
                        "child {chat_id}: {} of {CALLS} wrong or failed: {:?}",
                        bad.len(),
                        &bad[..bad.len().min(5)]
                    );
                    1
                }
                Err(_) => 2,
            };
        // SAFETY: ends the child at once, as a forked child of a threaded process should.
        unsafe { libc::_exit(code) }
    }
    pid
}

fn wait(pid: libc::pid_t) -> i32 {
    let mut status = 0;
    // SAFETY: `pid` is a child of this process; `status` is a valid place to write.
    let waited = unsafe { libc::waitpid(pid, &mut status, 0) };
    assert_eq!(waited, pid);
    assert!(
        libc::WIFEXITED(status),
        "child {pid} did not exit normally: {status:#x}"
    );
    libc::WEXITSTATUS(status)
}

#[test]
fn parent_and_children_each_get_their_own_answers() {
    let emu = common::emulator();
    let client = common::client(&emu);
    let parent_chat = "+15550000000";

    for round in 0..ROUNDS {
        // Warm the pool: several kept-alive connections, from threads, like a server's.
        thread::scope(|s| {
            for _ in 0..4 {
                s.spawn(|| hammer(&client, parent_chat, 5));
            }
        });

        // A call in flight in another thread while forking belongs to the parent only.
        let busy = AtomicBool::new(true);
        let (parent_bad, codes) = thread::scope(|s| {
            let background = s.spawn(|| {
                let mut bad = Vec::new();
                while busy.load(Ordering::Relaxed) {
                    bad.extend(hammer(&client, parent_chat, 1).1);
                }
                bad
            });
            let pids: Vec<_> = (0..CHILDREN)
                .map(|i| fork_child(&client, &format!("+1555100{round}{i:03}")))
                .collect();
            let (_, mut bad) = hammer(&client, parent_chat, CALLS);
            let codes: Vec<i32> = pids.into_iter().map(wait).collect();
            busy.store(false, Ordering::Relaxed);
            bad.extend(background.join().unwrap());
            (bad, codes)
        });
        assert!(
            parent_bad.is_empty(),
            "round {round}: {} parent calls wrong or failed, first: {:?}",
            parent_bad.len(),
            &parent_bad[..parent_bad.len().min(5)]
        );
        assert_eq!(
            codes,
            vec![0; CHILDREN],
            "round {round}: children's exit codes (see stderr)"
        );
    }

    // Every child's requests reached the server under its own id, and on connections of its
    // own: none that carried another process's requests.
    let requests = common::api_requests(&emu);
    let connections_of = |chat: &str| -> HashSet<u64> {
        requests
            .iter()
            .filter(|r| r.chat_id.as_deref() == Some(chat))
            .map(|r| r.connection_id)
            .collect()
    };
    let mut seen = connections_of(parent_chat);
    for round in 0..ROUNDS {
        for i in 0..CHILDREN {
            let chat = format!("+1555100{round}{i:03}");
            let count = requests
                .iter()
                .filter(|r| r.chat_id.as_deref() == Some(chat.as_str()))
                .count();
            assert_eq!(count, CALLS, "requests for {chat}");
            let own = connections_of(&chat);
            assert!(
                own.is_disjoint(&seen),
                "{chat} used a connection of another process"
            );
            seen.extend(own);
        }
    }
}

/// The slow path itself: a client whose pool was built in "another process" replaces it. (The
/// fork test above proves the behaviour; this pins that a re-armed client still works and that
/// re-arming in the same process changes nothing.)
#[test]
fn rearming_in_the_same_process_keeps_the_pool() {
    let emu = common::emulator();
    let client = common::client(&emu);
    client.get_chat_background("+15551112222").unwrap();
    client.rearm_after_fork();
    client.get_chat_background("+15551112222").unwrap();
    let requests = common::api_requests(&emu);
    assert_eq!(requests.len(), 2);
    assert_eq!(
        requests[0].connection_id, requests[1].connection_id,
        "the same process keeps its kept-alive connection"
    );
}
