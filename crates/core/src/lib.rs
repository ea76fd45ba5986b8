//! A synchronous client for the Blooio API's chat-background endpoints.
//!
//! ```no_run
//! use blooio_core::Client;
//!
//! # fn main() -> Result<(), blooio_core::Error> {
//! let client = Client::builder().api_key("bl_live_...").build()?; // or Client::from_env()
//! let set = client.set_chat_background_file("+15551234567", "beach.jpg")?;
//! println!("version {:?}, changed {:?}", set.background_version, set.changed);
//! let current = client.get_chat_background("+15551234567")?;
//! println!("{}", current.to_json());
//! # Ok(()) }
//! ```
//!
//! Everything is checked before a request is sent: the chat id, the image (a JPEG, PNG, GIF,
//! WebP, HEIC or HEIF of at most 10 MiB, judged by its bytes), the key and the base URL.
//! Transient failures are retried with backoff; see [`ErrorKind`] for what a caller can act on.
#![forbid(unsafe_code)]

pub mod bulk;
mod call;
mod cancel;
mod chat_id;
mod client;
mod config;
mod error;
#[cfg(feature = "fuzzing")]
#[doc(hidden)]
pub mod fuzzing;
mod image;
mod log;
mod pause;
mod percent;
mod pool;
mod random;
mod resolver;
mod response;
mod retry;
mod tls;
mod transport;
pub mod workers;

pub use bulk::{Bulk, BulkResult, BulkSummary};
pub use call::{CallOptions, ENV_CUSTOM_HEADERS, ProgressFn};
pub use cancel::CancelToken;
pub use chat_id::{encode_path_segment, validate as validate_chat_id};
pub use client::Client;
pub use config::{
    ClientBuilder, DEFAULT_BASE_URL, DEFAULT_CONNECT_TIMEOUT, DEFAULT_MAX_RETRIES, DEFAULT_TIMEOUT,
    ENV_API_KEY, ENV_BASE_URL, MAX_TIMEOUT,
};
pub use error::{Error, ErrorKind};
pub use image::{Image, ImageFormat, MAX_IMAGE_BYTES, OwnedImage};
pub use log::{ENV_LOG, LogEnabled, LogLevel, LogSink};
pub use response::{ChatBackground, MAX_RESPONSE_BYTES};
pub use retry::MAX_RETRY_AFTER;
pub use tls::{ENV_SSL_CERT_DIR, ENV_SSL_CERT_FILE};

/// The README's Rust examples compile as doctests.
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
struct ReadmeDoctests;

/// This library's version.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
