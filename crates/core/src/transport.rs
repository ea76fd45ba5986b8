//! How an attempt failed, and what a transport error from ureq means for the caller: which
//! kind, which words, and whether a retry can help.

use std::io;
use std::time::Duration;

use crate::error::{Error, ErrorKind};
use crate::retry::RetryHints;

/// How an attempt failed, which decides whether it may be retried.
pub(crate) enum Failure {
    /// Retrying cannot help (bad input, a TLS failure, an undecodable success body).
    Final(Error),
    /// An error status; the retry policy decides.
    Status {
        error: Error,
        status: u16,
        hints: RetryHints,
    },
    /// The connection failed or timed out: retried with backoff (both endpoints are idempotent).
    Transport(Error),
}

/// What a request was: enough to word a transport failure.
pub(crate) struct Target<'a> {
    pub base_url: &'a str,
    pub timeout: Duration,
    pub connect_timeout: Duration,
}

/// Classifies a transport error and words it for the caller.
pub(crate) fn classify(e: ureq::Error, target: &Target<'_>) -> Failure {
    let url = target.base_url;
    let timed_out = || {
        Failure::Transport(Error::new(
            ErrorKind::Timeout,
            format!(
                "the request to {url} timed out ({e}); each attempt may take {:?} and connecting {:?}: \
                 raise the timeout or try again later",
                target.timeout, target.connect_timeout
            ),
        ))
    };
    match &e {
        ureq::Error::Timeout(_) => timed_out(),
        ureq::Error::Io(io) if matches!(io.kind(), io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock) => {
            timed_out()
        }
        ureq::Error::Io(_) | ureq::Error::ConnectionFailed | ureq::Error::Protocol(_) => {
            Failure::Transport(Error::new(
                ErrorKind::Connection,
                format!("the connection to {url} failed: {e}; check the base URL and the network"),
            ))
        }
        ureq::Error::HostNotFound => Failure::Transport(Error::new(
            ErrorKind::Connection,
            format!("could not resolve the host of {url}: {e}; check the base URL and the network"),
        )),
        ureq::Error::BadUri(_) | ureq::Error::Http(_) | ureq::Error::InvalidProxyUrl => {
            Failure::Final(Error::new(
                ErrorKind::InvalidConfig,
                format!("the request could not be built: {e}; check the base URL and proxy settings"),
            ))
        }
        // TLS failures (an untrusted certificate, ...) do not mend themselves on a retry.
        _ => Failure::Final(Error::new(
            ErrorKind::Connection,
            format!("could not talk securely to {url}: {e}; check the base URL and the network"),
        )),
    }
}
