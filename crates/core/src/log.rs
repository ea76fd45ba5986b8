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

/// A client's logger: the most detailed level wanted, and the sink.
#[derive(Clone)]
pub(crate) struct Logger {
    pub level: LogLevel,
    pub sink: LogSink,
}

impl Logger {
    /// `BLOOIO_LOG=info|debug` (any case): lines to stderr, prefixed `blooio: `. Anything else,
    /// or unset: no logging.
    pub(crate) fn from_env() -> Option<Logger> {
        let level = match std::env::var(ENV_LOG).ok()?.trim().to_ascii_lowercase().as_str() {
            "info" => LogLevel::Info,
            "debug" => LogLevel::Debug,
            _ => return None,
        };
        Some(Logger {
            level,
            sink: Arc::new(|_, line| eprintln!("blooio: {line}")),
        })
    }

    /// Sends the line if `level` is wanted; the line is only built then.
    pub(crate) fn log(&self, level: LogLevel, line: impl FnOnce() -> String) {
        if level <= self.level {
            (self.sink)(level, &line());
        }
    }
}

impl fmt::Debug for Logger {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Logger").field("level", &self.level).finish()
    }
}
