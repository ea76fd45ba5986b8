//! One line per attempt (and, at debug, per retry decision) for a caller's logger or stderr.
//! Lines hold the method, the path as sent, the status or error kind, the time taken, the
//! attempt and the request id: never the key, a body, or any other header value.

use std::fmt;
use std::sync::Arc;

/// Environment variable read for logging to stderr when no logger is set: `info` or `debug`.
pub const ENV_LOG: &str = "BLOOIO_LOG";

/// How much is logged.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum LogLevel {
    /// One line per attempt.
    Info = 1,
    /// Also each retry decision and its wait.
    Debug = 2,
}

impl LogLevel {
    pub fn as_str(self) -> &'static str {
        match self {
            LogLevel::Info => "info",
            LogLevel::Debug => "debug",
        }
    }
}

/// Where log lines go.
pub type LogSink = Arc<dyn Fn(LogLevel, &str) + Send + Sync>;

/// Whether a line at this level is wanted now, asked before the line is formatted (as `log`'s
/// `enabled` is before `log`): for a sink whose own filter changes at run time, so that a line
/// nobody wants costs no formatting. Set with
/// [`ClientBuilder::log_enabled`](crate::ClientBuilder::log_enabled).
pub type LogEnabled = Arc<dyn Fn(LogLevel) -> bool + Send + Sync>;

/// A client's logger: the most detailed level wanted, the optional run-time check, and the sink.
#[derive(Clone)]
pub(crate) struct Logger {
    pub level: LogLevel,
    pub enabled: Option<LogEnabled>,
    pub sink: LogSink,
}

/// The level and sink `BLOOIO_LOG=info|debug` (any case) asks for: lines to stderr, prefixed
/// `blooio: `. Anything else, or unset: no logging.
pub(crate) fn from_env() -> Option<(LogLevel, LogSink)> {
    let level = match std::env::var(ENV_LOG).ok()?.trim().to_ascii_lowercase().as_str() {
        "info" => LogLevel::Info,
        "debug" => LogLevel::Debug,
        _ => return None,
    };
    let sink: LogSink = Arc::new(|_, line| eprintln!("blooio: {line}"));
    Some((level, sink))
}

impl Logger {
    /// Sends the line if `level` is wanted (within the logger's level, and the run-time check,
    /// if any, says yes); the line is only built then.
    pub(crate) fn log(&self, level: LogLevel, line: impl FnOnce() -> String) {
        if level <= self.level && self.enabled.as_ref().is_none_or(|enabled| enabled(level)) {
            (self.sink)(level, &line());
        }
    }
}

impl fmt::Debug for Logger {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Logger")
            .field("level", &self.level)
            .field("enabled", &self.enabled.is_some())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Mutex;
    use std::sync::atomic::{AtomicUsize, Ordering};

    type Seen<T> = Arc<Mutex<Vec<T>>>;

    /// A logger at debug whose run-time check allows only `allowed`, and what it saw: the
    /// levels asked about, and the lines its sink got.
    fn logger(allowed: Option<LogLevel>) -> (Logger, Seen<LogLevel>, Seen<String>) {
        let asked = Arc::new(Mutex::new(Vec::new()));
        let sunk = Arc::new(Mutex::new(Vec::new()));
        let (a, s) = (asked.clone(), sunk.clone());
        let logger = Logger {
            level: LogLevel::Debug,
            enabled: Some(Arc::new(move |level| {
                a.lock().unwrap().push(level);
                Some(level) == allowed
            })),
            sink: Arc::new(move |_, line| s.lock().unwrap().push(line.to_owned())),
        };
        (logger, asked, sunk)
    }

    #[test]
    fn a_level_the_check_refuses_formats_nothing() {
        for allowed in [None, Some(LogLevel::Info), Some(LogLevel::Debug)] {
            let (logger, asked, sunk) = logger(allowed);
            let formatted = AtomicUsize::new(0);
            for level in [LogLevel::Info, LogLevel::Debug] {
                logger.log(level, || {
                    formatted.fetch_add(1, Ordering::Relaxed);
                    format!("a {} line", level.as_str())
                });
            }
            let expected: Vec<String> = allowed.iter().map(|l| format!("a {} line", l.as_str())).collect();
            assert_eq!(*asked.lock().unwrap(), [LogLevel::Info, LogLevel::Debug]);
            assert_eq!(formatted.load(Ordering::Relaxed), expected.len(), "{allowed:?}");
            assert_eq!(*sunk.lock().unwrap(), expected);
        }
    }

    #[test]
    fn the_check_is_not_asked_beyond_the_loggers_level() {
        let (mut logger, asked, sunk) = logger(Some(LogLevel::Debug));
        logger.level = LogLevel::Info;
        logger.log(LogLevel::Debug, || {
            unreachable!("a debug line formatted by an info logger")
        });
        assert!(asked.lock().unwrap().is_empty());
        assert!(sunk.lock().unwrap().is_empty());
    }
}
