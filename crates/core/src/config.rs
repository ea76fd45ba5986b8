//! Client configuration: the builder, the environment variables, and the checks that keep the
//! API key out of the wrong places (no control characters, no plain HTTP to a remote host).

use std::fmt;
use std::path::PathBuf;
use std::time::Duration;

use crate::error::{Error, ErrorKind};

/// Where the API lives unless told otherwise (the reference pages' base URL).
pub const DEFAULT_BASE_URL: &str = "https://api.blooio.com/v2/api";
/// Environment variable read for the API key.
pub const ENV_API_KEY: &str = "BLOOIO_API_KEY";
/// Environment variable read for the base URL.
pub const ENV_BASE_URL: &str = "BLOOIO_BASE_URL";
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(60);
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
pub const DEFAULT_MAX_RETRIES: u32 = 2;
/// The longest `timeout` or `connect_timeout` a client takes: one day. Longer would only hide a
/// hung connection.
pub const MAX_TIMEOUT: Duration = Duration::from_secs(24 * 60 * 60);

/// Builds a [`Client`](crate::Client). Unset values come from the environment, then defaults.
#[derive(Clone, Default)]
pub struct ClientBuilder {
    pub(crate) api_key: Option<String>,
    pub(crate) base_url: Option<String>,
    pub(crate) timeout: Option<Duration>,
    pub(crate) connect_timeout: Option<Duration>,
    pub(crate) max_retries: Option<u32>,
    pub(crate) user_agent_suffix: Option<String>,
    pub(crate) binding: Option<String>,
    pub(crate) allow_insecure_http: bool,
    pub(crate) ca_file: Option<PathBuf>,
    pub(crate) platform_verifier: bool,
    pub(crate) proxy: Option<String>,
    pub(crate) default_headers: Vec<(String, String)>,
    pub(crate) logger: Option<(crate::LogLevel, crate::LogSink)>,
    pub(crate) log_enabled: Option<crate::LogEnabled>,
}

impl ClientBuilder {
    /// The API key, sent as `Authorization: Bearer <key>`. Default: `$BLOOIO_API_KEY`.
    pub fn api_key(mut self, key: impl Into<String>) -> Self {
        self.api_key = Some(key.into());
        self
    }

    /// The API's base URL. Default: `$BLOOIO_BASE_URL`, else [`DEFAULT_BASE_URL`].
    pub fn base_url(mut self, url: impl Into<String>) -> Self {
        self.base_url = Some(url.into());
        self
    }

    /// The time one attempt may take, from connecting to the last byte of the response. Default
    /// 60 s; more than zero and at most [`MAX_TIMEOUT`].
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = Some(timeout);
        self
    }

    /// The time a connection may take to open. Default 5 s; more than zero and at most
    /// [`MAX_TIMEOUT`].
    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = Some(timeout);
        self
    }

    /// How many times a failed attempt is retried, when it may be. Default 2.
    pub fn max_retries(mut self, retries: u32) -> Self {
        self.max_retries = Some(retries);
        self
    }

    /// A token appended to the User-Agent, such as `my-app/1.2`.
    pub fn user_agent_suffix(mut self, suffix: impl Into<String>) -> Self {
        self.user_agent_suffix = Some(suffix.into());
        self
    }

    /// For a language binding built on this crate: its name (lowercase letters, digits and `-`),
    /// sent in the User-Agent as `blooio-<name>/<version>` after the library's own token.
    pub fn binding(mut self, name: impl Into<String>) -> Self {
        self.binding = Some(name.into());
        self
    }

    /// Allows a plain `http://` base URL on a non-loopback host. The key then travels in clear
    /// text: only for a trusted network. Loopback hosts (the emulator) never need this.
    pub fn allow_insecure_http(mut self, allow: bool) -> Self {
        self.allow_insecure_http = allow;
        self
    }

    /// Trust exactly the CA certificates in this PEM bundle (for a TLS-inspecting proxy or a
    /// private CA). Wins over `SSL_CERT_FILE`/`SSL_CERT_DIR`; a missing, unreadable or empty
    /// file makes [`build`](Self::build) fail with [`ErrorKind::InvalidConfig`].
    pub fn ca_file(mut self, path: impl Into<PathBuf>) -> Self {
        self.ca_file = Some(path.into());
        self
    }

    /// Verify servers with the operating system's verifier and trust store instead of the
    /// bundled roots (on Linux it reads the system bundle and honours `SSL_CERT_FILE`).
    /// Cannot be combined with [`ca_file`](Self::ca_file). Default off.
    pub fn platform_verifier(mut self, on: bool) -> Self {
        self.platform_verifier = on;
        self
    }

    /// Send every request through this HTTP proxy (`http://host:port`, optionally with
    /// `user:password@`), even to loopback hosts. HTTPS goes through it with `CONNECT`, so the
    /// proxy sees neither the key nor the body. Default: `HTTPS_PROXY`/`ALL_PROXY`/… from the
    /// environment, except for loopback base URLs.
    pub fn proxy(mut self, url: impl Into<String>) -> Self {
        self.proxy = Some(url.into());
        self
    }

    /// A header sent on every call (repeatable; a later one of the same name replaces it).
    /// They win over those of `BLOOIO_CUSTOM_HEADERS` (lines of `Name: value`, read at build);
    /// a call's own headers win over both. A name or value with a line break or NUL, an invalid
    /// name, or a header the library sets itself (Authorization, Content-Type, Content-Length,
    /// Host, Transfer-Encoding) makes [`build`](Self::build) fail with
    /// [`ErrorKind::InvalidConfig`].
    pub fn default_header(mut self, name: impl Into<String>, value: impl Into<String>) -> Self {
        self.default_headers.push((name.into(), value.into()));
        self
    }

    /// Sends log lines up to `level` to `sink`: one per attempt (method, path as sent, status
    /// or error kind, time taken, attempt, request id) and, at [`LogLevel::Debug`]
    /// (crate::LogLevel::Debug), each retry decision. Never the key, bodies or other header
    /// values. Without a logger, `BLOOIO_LOG=info|debug` logs to stderr.
    pub fn logger(mut self, level: crate::LogLevel, sink: crate::LogSink) -> Self {
        self.logger = Some((level, sink));
        self
    }

    /// Asked with a line's level before the line is formatted, once it is within the logger's
    /// level: `false` drops the line unformatted. For a sink whose own filter can change while
    /// the client lives (a host language's logging configuration), so that with logging off no
    /// line is formatted. Applies to the [`logger`](Self::logger) or the `BLOOIO_LOG` one.
    /// Without it, every line within the logger's level is formatted and sent.
    pub fn log_enabled(mut self, enabled: crate::LogEnabled) -> Self {
        self.log_enabled = Some(enabled);
        self
    }

    /// Checks the configuration and builds the client. Sends nothing.
    pub fn build(self) -> Result<crate::Client, Error> {
        crate::Client::from_builder(self)
    }
}

impl fmt::Debug for ClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ClientBuilder")
            .field("api_key", &self.api_key.as_ref().map(|_| "<redacted>"))
            .field("base_url", &self.base_url)
            .field("timeout", &self.timeout)
            .field("connect_timeout", &self.connect_timeout)
            .field("max_retries", &self.max_retries)
            .field("user_agent_suffix", &self.user_agent_suffix)
            .field("binding", &self.binding)
            .field("allow_insecure_http", &self.allow_insecure_http)
            .field("ca_file", &self.ca_file)
            .field("platform_verifier", &self.platform_verifier)
            .field("proxy", &self.proxy.as_deref().map(redact_userinfo))
            // Header values may be credentials of the caller's own: names only.
            .field(
                "default_headers",
                &self
                    .default_headers
                    .iter()
                    .map(|(n, _)| n.as_str())
                    .collect::<Vec<_>>(),
            )
            .field("logger", &self.logger.as_ref().map(|(level, _)| level))
            .field("log_enabled", &self.log_enabled.is_some())
            .finish()
    }
}

fn invalid(message: String) -> Error {
    Error::new(ErrorKind::InvalidConfig, message)
}

/// An empty variable counts as unset.
fn env_var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

/// The key to use: explicit, else the environment. The key itself never enters a message.
pub(crate) fn resolve_api_key(explicit: Option<String>) -> Result<String, Error> {
    let (key, from) = match explicit {
        Some(k) => (k, "the API key"),
        None => match env_var(ENV_API_KEY) {
            Some(k) => (k, "$BLOOIO_API_KEY"),
            None => {
                return Err(invalid(format!(
                    "no API key: pass one to the client or set {ENV_API_KEY}"
                )));
            }
        },
    };
    if key.is_empty() {
        return Err(invalid(format!("{from} is empty")));
    }
    if let Some(pos) = key.chars().position(|c| !(c.is_ascii_graphic())) {
        return Err(invalid(format!(
            "{from} has a space, control or non-ASCII character at position {pos} \
             (a trailing newline from a file or a paste?); remove it"
        )));
    }
    Ok(key)
}

/// The base URL to use, without a trailing slash, checked for scheme, host and clear-text risk.
pub(crate) fn resolve_base_url(explicit: Option<String>, allow_insecure_http: bool) -> Result<String, Error> {
    let raw = explicit
        .or_else(|| env_var(ENV_BASE_URL))
        .unwrap_or_else(|| DEFAULT_BASE_URL.to_owned());
    let url = raw.trim_end_matches('/').to_owned();
    if url.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return Err(invalid(format!(
            "base URL {raw:?} contains whitespace or control characters"
        )));
    }
    let uri: ureq::http::Uri = url.parse().map_err(|e| {
        invalid(format!(
            "base URL {raw:?} is not a URL ({e}); use e.g. {DEFAULT_BASE_URL}"
        ))
    })?;
    let host = uri.host().unwrap_or_default();
    if host.is_empty() {
        return Err(invalid(format!(
            "base URL {raw:?} has no host; use e.g. {DEFAULT_BASE_URL}"
        )));
    }
    if uri.query().is_some() || url.contains('#') || uri.authority().is_some_and(|a| a.as_str().contains('@'))
    {
        return Err(invalid(format!(
            "base URL {raw:?} must not carry credentials, a query or a fragment"
        )));
    }
    match uri.scheme_str() {
        Some("https") => {}
        Some("http") if is_loopback(host) || allow_insecure_http => {}
        Some("http") => {
            return Err(invalid(format!(
                "base URL {raw:?} is plain http to a non-loopback host: the API key would travel \
                 in clear text. Use https, or opt in with allow_insecure_http"
            )));
        }
        _ => return Err(invalid(format!("base URL {raw:?} must start with https://"))),
    }
    Ok(url)
}

/// The proxy from the environment (`ALL_PROXY`, `HTTPS_PROXY`, `HTTP_PROXY`, `NO_PROXY`), except
/// for a loopback base URL: a local server (the emulator) is never reached through a proxy.
pub(crate) fn proxy_for(base_url: &str) -> Option<ureq::Proxy> {
    let host = base_url.parse::<ureq::http::Uri>().ok()?.host()?.to_owned();
    if is_loopback(&host) {
        None
    } else {
        ureq::Proxy::try_from_env()
    }
}

/// The proxy to use: the explicit one (for every host, loopback included), else the environment's.
pub(crate) fn resolve_proxy(explicit: Option<&str>, base_url: &str) -> Result<Option<ureq::Proxy>, Error> {
    let Some(url) = explicit else {
        return Ok(proxy_for(base_url));
    };
    let shown = redact_userinfo(url);
    if url.is_empty() || url.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return Err(invalid(format!(
            "proxy {shown:?} is empty or contains whitespace; use e.g. http://proxy.example:3128"
        )));
    }
    let scheme = url.split_once("://").map(|(s, _)| s.to_ascii_lowercase());
    if !matches!(
        scheme.as_deref(),
        Some("http" | "https" | "socks5" | "socks5h" | "socks4" | "socks4a") | None
    ) {
        return Err(invalid(format!(
            "proxy {shown:?} has an unsupported scheme; use http://host:port"
        )));
    }
    ureq::Proxy::new(url).map(Some).map_err(|_| {
        invalid(format!(
            "proxy {shown:?} is not a proxy URL; use e.g. http://proxy.example:3128"
        ))
    })
}

/// A URL with any `user:password@` replaced, for messages and `Debug`.
pub(crate) fn redact_userinfo(url: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap_or(("", url));
    let authority_end = rest.find('/').unwrap_or(rest.len());
    match rest[..authority_end].rfind('@') {
        Some(at) => {
            let sep = if scheme.is_empty() { "" } else { "://" };
            format!("{scheme}{sep}<redacted>@{}", &rest[at + 1..])
        }
        None => url.to_owned(),
    }
}

/// `localhost`, `127.0.0.0/8` and `[::1]`.
pub(crate) fn is_loopback(host: &str) -> bool {
    let host = host.trim_start_matches('[').trim_end_matches(']');
    host.eq_ignore_ascii_case("localhost")
        || host.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

/// `blooio-native/<version>`, the binding's `blooio-<name>/<version>` if there is one, then the
/// caller's suffix.
pub(crate) fn user_agent(binding: Option<&str>, suffix: Option<&str>) -> Result<String, Error> {
    const VERSION: &str = env!("CARGO_PKG_VERSION");
    let mut agent = format!("blooio-native/{VERSION}");
    if let Some(name) = binding {
        if name.is_empty()
            || !name
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        {
            return Err(invalid(format!(
                "binding name {name:?} may hold only lowercase letters, digits and '-'"
            )));
        }
        agent.push_str(&format!(" blooio-{name}/{VERSION}"));
    }
    match suffix.map(str::trim) {
        None | Some("") => {}
        Some(s) if s.chars().all(|c| c.is_ascii_graphic() || c == ' ') => agent.push_str(&format!(" {s}")),
        Some(s) => {
            return Err(invalid(format!(
                "user-agent suffix {s:?} may hold only printable ASCII"
            )));
        }
    }
    Ok(agent)
}

/// A timeout within (0, [`MAX_TIMEOUT`]], or the error that names it.
pub(crate) fn checked_timeout(
    name: &str,
    timeout: Option<Duration>,
    default: Duration,
) -> Result<Duration, Error> {
    let timeout = timeout.unwrap_or(default);
    if timeout.is_zero() || timeout > MAX_TIMEOUT {
        return Err(invalid(format!(
            "{name} is {timeout:?}; it must be greater than zero and at most one day ({MAX_TIMEOUT:?})"
        )));
    }
    Ok(timeout)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_keys_that_would_corrupt_a_header_without_echoing_them() {
        for key in ["sk_live_secret\n", "sk_live\r\nX-Evil: 1", "sk live", "sk_é", ""] {
            let err = resolve_api_key(Some(key.to_owned())).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::InvalidConfig);
            assert!(!err.to_string().contains("sk_"), "{err}");
        }
        assert_eq!(
            resolve_api_key(Some("bl_live_abc-123".into())).unwrap(),
            "bl_live_abc-123"
        );
    }

    #[test]
    fn base_url_rules() {
        let ok = |u: &str| resolve_base_url(Some(u.into()), false).unwrap();
        assert_eq!(
            ok("https://api.blooio.com/v2/api/"),
            "https://api.blooio.com/v2/api"
        );
        assert_eq!(ok("http://127.0.0.1:8080/v2/api"), "http://127.0.0.1:8080/v2/api");
        assert_eq!(ok("http://localhost:1/v2/api"), "http://localhost:1/v2/api");
        assert_eq!(ok("http://[::1]:1/x"), "http://[::1]:1/x");
        for bad in [
            "http://api.blooio.com/v2/api",
            "http://10.0.0.1/v2",
            "ftp://api.blooio.com",
            "api.blooio.com/v2/api",
            "https://user:pw@api.blooio.com",
            "https://api.blooio.com/v2?x=1",
            "https://api.blooio.com/v2 api",
            "",
        ] {
            let err = resolve_base_url(Some(bad.into()), false).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::InvalidConfig, "{bad}");
        }
        assert!(resolve_base_url(Some("http://10.0.0.1/v2".into()), true).is_ok());
    }

    #[test]
    fn loopback_detection() {
        for h in [
            "localhost",
            "LOCALHOST",
            "127.0.0.1",
            "127.8.9.10",
            "[::1]",
            "::1",
        ] {
            assert!(is_loopback(h), "{h}");
        }
        for h in ["localhost.evil.com", "128.0.0.1", "example.com", "0.0.0.0"] {
            assert!(!is_loopback(h), "{h}");
        }
    }

    #[test]
    fn user_agent_names_the_library_the_binding_and_takes_a_suffix() {
        let v = env!("CARGO_PKG_VERSION");
        let ua = user_agent(Some("node"), Some("my-app/1.2")).unwrap();
        assert_eq!(ua, format!("blooio-native/{v} blooio-node/{v} my-app/1.2"));
        assert_eq!(user_agent(None, None).unwrap(), format!("blooio-native/{v}"));
        assert!(user_agent(None, Some("x\r\ny")).is_err());
        for bad in ["", "Node", "no de", "x/1", "a\nb"] {
            assert!(user_agent(Some(bad), None).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn timeouts_are_bounded() {
        let d = Duration::from_secs(1);
        assert_eq!(checked_timeout("timeout", None, d).unwrap(), d);
        assert_eq!(
            checked_timeout("timeout", Some(MAX_TIMEOUT), d).unwrap(),
            MAX_TIMEOUT
        );
        for bad in [Duration::ZERO, MAX_TIMEOUT + Duration::from_millis(1)] {
            let err = checked_timeout("timeout", Some(bad), d).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::InvalidConfig);
            assert!(err.to_string().contains("at most one day"), "{err}");
        }
    }

    #[test]
    fn proxy_urls_are_checked_and_their_credentials_never_shown() {
        assert_eq!(redact_userinfo("http://u:pw@h:1/x"), "http://<redacted>@h:1/x");
        assert_eq!(redact_userinfo("http://h:1"), "http://h:1");
        let err = resolve_proxy(Some("ftp://u:secretpw@h:1"), "https://a").unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidConfig);
        assert!(!err.to_string().contains("secretpw"), "{err}");
        assert!(resolve_proxy(Some(""), "https://a").is_err());
        assert!(
            resolve_proxy(Some("http://127.0.0.1:3128"), "http://127.0.0.1:1")
                .unwrap()
                .is_some()
        );
        let b = ClientBuilder::default().proxy("http://u:secretpw@h:1");
        assert!(!format!("{b:?}").contains("secretpw"));
    }

    #[test]
    fn debug_redacts_the_key() {
        let b = ClientBuilder::default().api_key("bl_live_topsecret");
        assert!(!format!("{b:?}").contains("topsecret"));
    }
}
