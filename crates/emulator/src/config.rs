//! How an emulator is started.

use std::net::{Ipv4Addr, SocketAddr};
use std::time::Duration;

use crate::tls::TlsMode;

/// Settings for [`Emulator::start`](crate::Emulator::start).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmulatorConfig {
    /// Where to listen; port 0 picks a free port (see [`Emulator::addr`](crate::Emulator::addr)).
    pub listen: SocketAddr,
    /// `Authorization: Bearer <key>` must equal one of these exactly. At least one is required.
    pub api_keys: Vec<String>,
    /// Added before every API response.
    pub latency: Duration,
    /// Answer every API request with the API's 503 `no_active_number`.
    pub no_active_number: bool,
    /// Serve HTTPS (plain HTTP is still answered on the same port, for the control API);
    /// `None` serves plain HTTP only.
    pub tls: Option<TlsMode>,
}

impl Default for EmulatorConfig {
    /// `127.0.0.1:0`, one key `test-key`, no latency.
    fn default() -> EmulatorConfig {
        EmulatorConfig {
            listen: SocketAddr::from((Ipv4Addr::LOCALHOST, 0)),
            api_keys: vec!["test-key".into()],
            latency: Duration::ZERO,
            no_active_number: false,
            tls: None,
        }
    }
}
