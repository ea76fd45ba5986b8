//! The library's own threads for calls made without blocking the caller (the C API's `_async`
//! functions, Python's `AsyncClient`): a host runtime's small shared pool (libuv's 4 threads,
//! asyncio's default executor) is never borrowed, so a burst of calls neither waits for it nor
//! starves the host's own work on it.
//!
//! The pool starts with no threads. A job goes to an idle thread when there is one; otherwise a
//! new thread is started, up to [`thread_limit`] (default [`DEFAULT_THREAD_LIMIT`]); beyond it
//! jobs wait in a queue, first in first out. A thread that has had nothing to do for
//! [`idle_timeout`] (default [`DEFAULT_IDLE_TIMEOUT`]) exits, so a burst leaves nothing behind.
//! Std threads only; a job that panics is caught and the thread carries on.
//!
//! After `fork()` the child starts with an empty pool (the parent's threads and queued jobs
//! belong to the parent).

use std::collections::VecDeque;
use std::fmt;
use std::io;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread;
use std::time::Duration;

/// How many threads the pool may run at once unless told otherwise.
pub const DEFAULT_THREAD_LIMIT: usize = 256;
/// How long a thread with nothing to do waits for a job before it exits, unless told otherwise.
pub const DEFAULT_IDLE_TIMEOUT: Duration = Duration::from_secs(10);
/// The stack each thread reserves (address space; only the pages a call touches are memory).
/// A call needs well under this, TLS handshake included, in debug builds too.
pub const THREAD_STACK_BYTES: usize = 512 * 1024;

type Job = Box<dyn FnOnce() + Send + 'static>;

struct State {
    queue: VecDeque<Job>,
    /// Threads started and not yet exited.
    threads: usize,
    /// Threads waiting for a job.
    idle: usize,
    limit: usize,
    idle_timeout: Duration,
    /// The process the counts above belong to.
    pid: u32,
    /// Run by the last thread to exit, when the pool has none left.
    on_drained: Option<fn()>,
    /// The threads started and not yet joined or found finished. The last thread to exit joins
    /// the others before it runs `on_drained`, so that they are gone, not just counted out.
    handles: Vec<thread::JoinHandle<()>>,
}

static STATE: Mutex<State> = Mutex::new(State {
    queue: VecDeque::new(),
    threads: 0,
    idle: 0,
    limit: DEFAULT_THREAD_LIMIT,
    idle_timeout: DEFAULT_IDLE_TIMEOUT,
    pid: 0,
    on_drained: None,
    handles: Vec::new(),
});
static WAKE: Condvar = Condvar::new();

/// The pool's state, reset if this is a child of the process that last used it.
fn state() -> MutexGuard<'static, State> {
    // Every change under the lock is a few plain assignments; a poisoned lock is consistent.
    let mut s = STATE.lock().unwrap_or_else(PoisonError::into_inner);
    let pid = std::process::id();
    if s.pid != pid {
        if s.pid != 0 {
            // Forked: the parent's threads are not here. Its queued jobs are the parent's to
            // run; the child forgets them (leaking, not dropping: they may hold the parent's
            // callbacks and state, which the child must not run or release).
            std::mem::forget(std::mem::take(&mut s.queue));
            // The parent's threads do not exist here: their handles must not be used.
            std::mem::forget(std::mem::take(&mut s.handles));
        }
        s.threads = 0;
        s.idle = 0;
        s.pid = pid;
    }
    s
}

/// The pool could not take the job: no thread could be started and none is running.
#[derive(Debug)]
pub struct SpawnError(io::Error);

impl fmt::Display for SpawnError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "no thread could be started for the call ({})", self.0)
    }
}

impl std::error::Error for SpawnError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.0)
    }
}

/// Runs `job` on one of the pool's threads, now or (beyond the thread limit) once one is free.
/// `Err` only when no thread could be started and none is running to take the job later; the
/// job is then dropped, unrun.
pub fn spawn(job: impl FnOnce() + Send + 'static) -> Result<(), SpawnError> {
    let job: Job = Box::new(job);
    let mut s = state();
    if s.queue.len() < s.idle || s.threads >= s.limit {
        // An idle thread takes it, or (at the limit) the next thread that finishes a job.
        s.queue.push_back(job);
        WAKE.notify_one();
        return Ok(());
    }
    s.threads += 1;
    drop(s);
    // The new thread's first job is this one. It is handed over through a slot so that, if the
    // thread cannot be started, the job is still here to queue or to refuse.
    let slot = Arc::new(Mutex::new(Some(job)));
    let first = Arc::clone(&slot);
    let started = start(move || {
        let job = first.lock().unwrap_or_else(PoisonError::into_inner).take();
        work(job)
    });
    let Err(e) = started else { return Ok(()) };
    let job = slot.lock().unwrap_or_else(PoisonError::into_inner).take();
    let mut s = state();
    s.threads -= 1;
    match job {
        Some(job) if s.threads > 0 => {
            s.queue.push_back(job); // a running thread takes it when it is free
            Ok(())
        }
        _ => Err(SpawnError(e)),
    }
}

fn start(body: impl FnOnce() + Send + 'static) -> io::Result<()> {
    let handle = thread::Builder::new()
        .name("blooio-worker".to_owned())
        .stack_size(THREAD_STACK_BYTES)
        .spawn(body)?;
    let mut s = state();
    // Threads that exited while others kept the pool busy: nothing to wait for, let them go.
    s.handles.retain(|h| !h.is_finished());
    s.handles.push(handle);
    Ok(())
}

fn run(job: Job) {
    // A job reports its own outcome; a panic in it must not take the thread (and the jobs
    // queued behind it) down.
    let _ = catch_unwind(AssertUnwindSafe(job));
}

/// A worker thread: `first`, then queued jobs until none comes for the idle timeout.
fn work(first: Option<Job>) {
    if let Some(job) = first {
        run(job);
    }
    let mut s = state();
    loop {
        if let Some(job) = s.queue.pop_front() {
            drop(s);
            run(job);
            s = state();
            continue;
        }
        s.idle += 1;
        let timeout = s.idle_timeout;
        let (guard, waited) = WAKE
            .wait_timeout(s, timeout)
            .unwrap_or_else(PoisonError::into_inner);
        s = guard;
        s.idle -= 1;
        // Timed out, or the limit was lowered (the extra threads go as they become idle).
        if s.queue.is_empty() && (waited.timed_out() || s.threads > s.limit) {
            // The last one runs the hook before it counts itself out, so that a pool seen
            // with no threads has finished with it.
            if let Some(hook) = s.on_drained.filter(|_| s.threads == 1) {
                // Every other thread has counted itself out: wait until each has also finished
                // exiting (handing back its thread-local memory), then run the hook.
                let me = thread::current().id();
                let (others, mine) = std::mem::take(&mut s.handles)
                    .into_iter()
                    .partition::<Vec<_>, _>(|h| h.thread().id() != me);
                s.handles = mine;
                drop(s);
                for other in others {
                    let _ = other.join();
                }
                run(Box::new(hook));
                s = state();
            }
            s.threads -= 1;
            return;
        }
    }
}

/// Sets how many threads may run calls at once (at least 1). Calls beyond it wait in a queue.
/// Lowering it does not stop a running call: extra threads exit as they become idle.
pub fn set_thread_limit(limit: usize) -> Result<(), String> {
    if limit == 0 {
        return Err("the thread limit must be at least 1".to_owned());
    }
    let mut s = state();
    let raised = limit > s.limit;
    s.limit = limit;
    // Raised: start threads for jobs that were waiting on the old limit.
    let wanted = if raised {
        s.queue
            .len()
            .saturating_sub(s.idle)
            .min(limit - s.threads.min(limit))
    } else {
        0
    };
    s.threads += wanted;
    drop(s);
    for _ in 0..wanted {
        if start(|| work(None)).is_err() {
            state().threads -= 1; // the threads already running still drain the queue
        }
    }
    WAKE.notify_all();
    Ok(())
}

/// Sets what the last thread runs as it exits, leaving the pool with none: a binding that knows
/// its allocator can hand the memory a burst of threads used back to the system there.
pub fn set_on_drained(hook: Option<fn()>) {
    state().on_drained = hook;
}

/// How many threads may run calls at once.
pub fn thread_limit() -> usize {
    state().limit
}

/// Sets how long a thread with nothing to do waits for a job before it exits (more than zero,
/// at most one day).
pub fn set_idle_timeout(timeout: Duration) -> Result<(), String> {
    if timeout.is_zero() || timeout > Duration::from_secs(86_400) {
        return Err(format!(
            "the idle timeout must be more than 0 and at most one day, not {timeout:?}"
        ));
    }
    state().idle_timeout = timeout;
    WAKE.notify_all(); // idle threads start waiting again, with the new timeout
    Ok(())
}

/// How long an idle thread waits for a job before it exits.
pub fn idle_timeout() -> Duration {
    state().idle_timeout
}

/// How many threads the pool has now (running a call or idle).
pub fn threads() -> usize {
    state().threads
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Barrier;
    use std::sync::mpsc;
    use std::time::Instant;

    // One test, since the pool is process-wide and its counts are asserted.
    #[test]
    fn grows_to_the_limit_queues_beyond_it_and_shrinks_when_idle() {
        set_idle_timeout(Duration::from_millis(200)).unwrap();
        assert!(set_thread_limit(0).is_err());
        assert!(set_idle_timeout(Duration::ZERO).is_err());

        // 32 jobs that each wait until all 32 run: only a pool of 32 threads completes them.
        let n = 32;
        let barrier = Arc::new(Barrier::new(n));
        let (tx, rx) = mpsc::channel();
        for i in 0..n {
            let (barrier, tx) = (barrier.clone(), tx.clone());
            spawn(move || {
                barrier.wait();
                tx.send(i).unwrap();
            })
            .unwrap();
        }
        let mut done: Vec<usize> = (0..n)
            .map(|_| rx.recv_timeout(Duration::from_secs(20)).unwrap())
            .collect();
        done.sort_unstable();
        assert_eq!(done, (0..n).collect::<Vec<_>>());
        assert!(threads() >= 1 && threads() <= n, "{}", threads());

        // A limit of 2: at most 2 jobs at once, the rest queued, all run.
        set_thread_limit(2).unwrap();
        let running = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let most = Arc::new(std::sync::atomic::AtomicUsize::new(0));
        // Wait for the extra threads to go first, so the count below is the new limit's.
        let deadline = Instant::now() + Duration::from_secs(10);
        while threads() > 2 && Instant::now() < deadline {
            thread::sleep(Duration::from_millis(20));
        }
        for _ in 0..10 {
            let (running, most, tx) = (running.clone(), most.clone(), tx.clone());
            spawn(move || {
                use std::sync::atomic::Ordering::SeqCst;
                let now = running.fetch_add(1, SeqCst) + 1;
                most.fetch_max(now, SeqCst);
                thread::sleep(Duration::from_millis(10));
                running.fetch_sub(1, SeqCst);
                tx.send(0).unwrap();
            })
            .unwrap();
        }
        for _ in 0..10 {
            rx.recv_timeout(Duration::from_secs(20)).unwrap();
        }
        assert!(most.load(std::sync::atomic::Ordering::SeqCst) <= 2);

        // A panicking job does not take its thread's queue down.
        spawn(|| panic!("a job's bug")).unwrap();
        let tx2 = tx.clone();
        spawn(move || tx2.send(99).unwrap()).unwrap();
        assert_eq!(rx.recv_timeout(Duration::from_secs(20)).unwrap(), 99);

        // Idle threads exit.
        let deadline = Instant::now() + Duration::from_secs(10);
        while threads() > 0 && Instant::now() < deadline {
            thread::sleep(Duration::from_millis(20));
        }
        assert_eq!(threads(), 0);
        set_thread_limit(DEFAULT_THREAD_LIMIT).unwrap();
        set_idle_timeout(DEFAULT_IDLE_TIMEOUT).unwrap();
    }
}
