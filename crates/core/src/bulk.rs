//! Many chats at once: one get or set over a list of chat ids, a few calls at a time on one
//! [`Client`], with one result per chat handed to the caller as each call ends.
//!
//! ```no_run
//! use blooio_core::{Bulk, Client, Image};
//!
//! # fn main() -> Result<(), blooio_core::Error> {
//! let client = Client::from_env()?;
//! let chats = ["+15551234567", "+15557654321", "grp_team"];
//! let summary = Bulk::new(&client).parallel(8).set(
//!     Image::Path("beach.jpg".as_ref()),
//!     chats,
//!     |done| match done.result {
//!         Ok(bg) => println!("{}: version {:?}", done.input, bg.background_version),
//!         Err(e) => eprintln!("{}: {e}", done.input),
//!     },
//! )?;
//! println!("{} of {} succeeded", summary.succeeded, summary.finished());
//! # Ok(()) }
//! ```
//!
//! - **Bounded.** At most `parallel` calls run at once (default [`DEFAULT_PARALLEL`], at most
//!   [`MAX_PARALLEL`]). Chat ids are pulled from the input only as workers come free, and each
//!   result goes to the callback as soon as its call ends, so memory does not grow with the
//!   length of the input: a list of 100,000 ids is never held, nor are their results.
//! - **One image, checked and read once.** [`Bulk::set`] validates the image before anything is
//!   sent (a bad image fails the whole run with nothing sent) and reads a file once, at most
//!   10 MiB; every chat is sent those same bytes, so a file changed during the run cannot give
//!   chats different backgrounds.
//! - **One pause for everyone.** When any call meets HTTP 429 with `Retry-After`, no call of
//!   the run sends again before that time; the call that met it retries then, as a single call
//!   would. Other failures are retried per chat by the client's usual policy.
//! - **One failed chat is one result.** An invalid chat id, a 502 after its retries, a 404: the
//!   run goes on. Only failures that every other chat would meet too stop it from starting
//!   further chats: a refused API key ([`ErrorKind::Authentication`]) or a refused certificate
//!   ([`ErrorKind::Tls`]); see [`BulkSummary::stopped`].
//! - **Cancellable.** [`Bulk::cancel_token`] stops the calls in flight and starts no more.

use std::fs::File;
use std::io::Read;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError, mpsc};
use std::time::{Duration, Instant};

use crate::call::CallOptions;
use crate::cancel::CancelToken;
use crate::client::Client;
use crate::error::{Error, ErrorKind};
use crate::image::{CheckedImage, Image, MAX_IMAGE_BYTES};
use crate::pause::SharedPause;
use crate::response::ChatBackground;

/// How many calls run at once unless [`Bulk::parallel`] says otherwise.
pub const DEFAULT_PARALLEL: usize = 4;
/// The most calls [`Bulk::parallel`] allows at once.
pub const MAX_PARALLEL: usize = 64;

/// A get or set over many chats; see the [module docs](self).
#[derive(Clone, Debug)]
pub struct Bulk<'c> {
    client: &'c Client,
    parallel: usize,
    cancel: Option<CancelToken>,
}

/// The outcome for one chat of the input.
#[derive(Debug)]
pub struct BulkResult<T> {
    /// The position of this chat in the input, from 0. Results arrive as calls end, not in
    /// input order; sort by this to restore it.
    pub index: u64,
    /// The input item, handed back (a chat id, or whatever the caller wrapped it in).
    pub input: T,
    /// The chat's background, or why this chat failed.
    pub result: Result<ChatBackground, Error>,
}

/// What a run did, once every result has been handed out.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct BulkSummary {
    /// Chats whose call succeeded.
    pub succeeded: u64,
    /// Chats whose call failed.
    pub failed: u64,
    /// Set when a failure that every remaining chat would meet too (a refused key or
    /// certificate), or the run's cancellation, stopped the run: the input was not read past
    /// the chats already started.
    pub stopped: Option<ErrorKind>,
    /// From the start of the run to its last result.
    pub elapsed: Duration,
}

impl BulkSummary {
    /// How many chats got a result.
    pub fn finished(&self) -> u64 {
        self.succeeded + self.failed
    }
}

/// What each worker does for one chat.
enum Op<'a> {
    Get,
    Set(&'a [u8]),
}

impl<'c> Bulk<'c> {
    /// A run on `client` with [`DEFAULT_PARALLEL`] calls at once.
    pub fn new(client: &'c Client) -> Bulk<'c> {
        Bulk {
            client,
            parallel: DEFAULT_PARALLEL,
            cancel: None,
        }
    }

    /// How many calls run at once: 1 to [`MAX_PARALLEL`]; anything else makes [`Bulk::get`]
    /// and [`Bulk::set`] fail with [`ErrorKind::InvalidConfig`] before sending anything.
    pub fn parallel(mut self, n: usize) -> Bulk<'c> {
        self.parallel = n;
        self
    }

    /// Stops the run when `token` is cancelled: the calls in flight end with
    /// [`ErrorKind::Cancelled`] within about 100 ms (their results are handed out), no further
    /// chat is started, and [`BulkSummary::stopped`] says `Cancelled`.
    pub fn cancel_token(mut self, token: CancelToken) -> Bulk<'c> {
        self.cancel = Some(token);
        self
    }

    /// `GET` the background of every chat in `chats`, calling `on_result` (on this thread) with
    /// each chat's outcome as it comes. Returns when every started chat has its result.
    pub fn get<T, I, F>(&self, chats: I, on_result: F) -> Result<BulkSummary, Error>
    where
        T: AsRef<str> + Send,
        I: IntoIterator<Item = T>,
        I::IntoIter: Send,
        F: FnMut(BulkResult<T>),
    {
        self.run(Op::Get, chats.into_iter(), on_result)
    }

    /// `PUT` `image` as the background of every chat in `chats`; otherwise as [`Bulk::get`].
    /// The image is checked (and a file read) once, before anything is sent: an unusable image
    /// fails the run with [`ErrorKind::InvalidImage`] or [`ErrorKind::Io`] and no result.
    pub fn set<T, I, F>(&self, image: Image<'_>, chats: I, on_result: F) -> Result<BulkSummary, Error>
    where
        T: AsRef<str> + Send,
        I: IntoIterator<Item = T>,
        I::IntoIter: Send,
        F: FnMut(BulkResult<T>),
    {
        self.check_parallel()?;
        let bytes = read_image_once(image)?;
        self.run(Op::Set(&bytes), chats.into_iter(), on_result)
    }

    fn check_parallel(&self) -> Result<(), Error> {
        if (1..=MAX_PARALLEL).contains(&self.parallel) {
            Ok(())
        } else {
            Err(Error::new(
                ErrorKind::InvalidConfig,
                format!(
                    "parallel is {}; run 1 to {MAX_PARALLEL} calls at once (default {DEFAULT_PARALLEL})",
                    self.parallel
                ),
            ))
        }
    }

    fn run<T: AsRef<str> + Send>(
        &self,
        op: Op<'_>,
        chats: impl Iterator<Item = T> + Send,
        mut on_result: impl FnMut(BulkResult<T>),
    ) -> Result<BulkSummary, Error> {
        self.check_parallel()?;
        let started = Instant::now();
        let pause = SharedPause::new();
        let stop = AtomicBool::new(false);
        // Workers take the next chat under this lock, so the input is read only as fast as
        // calls start, and never ahead of them.
        let source = Mutex::new(chats.zip(0u64..));
        // Room for one finished result per worker: a worker that is ahead waits for the
        // caller to take results rather than piling them up.
        let (done_tx, done_rx) = mpsc::sync_channel::<BulkResult<T>>(self.parallel);
        let mut summary = BulkSummary::default();

        std::thread::scope(|scope| {
            let mut workers = 0;
            let mut spawn_error = None;
            for n in 0..self.parallel {
                let done_tx = done_tx.clone();
                let (op, pause, stop, source) = (&op, &pause, &stop, &source);
                let worker = move || {
                    while !stop.load(Ordering::Relaxed) && !self.cancelled() {
                        let next = source.lock().unwrap_or_else(PoisonError::into_inner).next();
                        let Some((input, index)) = next else { break };
                        let result = self.call(op, input.as_ref(), pause);
                        let done = BulkResult { index, input, result };
                        if done_tx.send(done).is_err() {
                            break; // the caller is gone (its callback panicked)
                        }
                    }
                };
                match std::thread::Builder::new()
                    .name(format!("blooio-bulk-{n}"))
                    .spawn_scoped(scope, worker)
                {
                    Ok(_) => workers += 1,
                    Err(e) => {
                        spawn_error = Some(e);
                        break; // run with the workers there are
                    }
                }
            }
            drop(done_tx);
            if workers == 0 {
                let e = spawn_error.map_or_else(|| "no reason given".to_owned(), |e| e.to_string());
                return Err(Error::new(
                    ErrorKind::InvalidConfig,
                    format!("could not start a worker thread ({e}); lower parallel or free resources"),
                ));
            }
            for done in done_rx {
                match &done.result {
                    Ok(_) => summary.succeeded += 1,
                    Err(e) => {
                        summary.failed += 1;
                        if stops_the_run(e.kind()) && summary.stopped.is_none() {
                            summary.stopped = Some(e.kind());
                            stop.store(true, Ordering::Relaxed);
                        }
                    }
                }
                on_result(done);
            }
            Ok(())
        })?;
        if summary.stopped.is_none() && self.cancelled() {
            summary.stopped = Some(ErrorKind::Cancelled); // perhaps before any chat started
        }
        summary.elapsed = started.elapsed();
        Ok(summary)
    }

    fn cancelled(&self) -> bool {
        self.cancel.as_ref().is_some_and(CancelToken::is_cancelled)
    }

    /// One chat's call, sharing the run's pause: the client waits it out before each attempt
    /// and extends it when a 429 makes it wait.
    fn call(&self, op: &Op<'_>, chat_id: &str, pause: &Arc<SharedPause>) -> Result<ChatBackground, Error> {
        let mut options = CallOptions::new().shared_pause(Arc::clone(pause));
        if let Some(token) = &self.cancel {
            options = options.cancel_token(token.clone());
        }
        match op {
            Op::Get => self.client.get_chat_background_with(chat_id, options),
            Op::Set(bytes) => self
                .client
                .set_chat_background_with(chat_id, Image::Bytes(bytes), options),
        }
    }
}

/// Failures that do not depend on the chat: every chat after them would fail the same way (a
/// cancelled run is one the caller stopped).
fn stops_the_run(kind: ErrorKind) -> bool {
    matches!(
        kind,
        ErrorKind::Authentication | ErrorKind::Tls | ErrorKind::Cancelled
    )
}

/// The image's bytes, checked: a file is read once (its size and format checked first, so a
/// huge or foreign file is refused without reading it), bytes in memory are only checked.
fn read_image_once(image: Image<'_>) -> Result<std::borrow::Cow<'_, [u8]>, Error> {
    let checked = CheckedImage::check(image)?;
    let path = match image {
        Image::Bytes(bytes) => return Ok(bytes.into()),
        Image::Path(path) => path,
    };
    let mut bytes = Vec::with_capacity(usize::try_from(checked.len).unwrap_or(0));
    File::open(path)
        .and_then(|f| f.take(MAX_IMAGE_BYTES + 1).read_to_end(&mut bytes))
        .map_err(|e| Error::io(path, "could not read", e))?;
    // Checked again as read: the file may have changed since the first look.
    CheckedImage::check(Image::Bytes(&bytes)).map_err(|e| {
        Error::new(
            e.kind(),
            format!("{} changed while it was read: {e}", path.display()),
        )
        .with_path(path)
    })?;
    Ok(bytes.into())
}
