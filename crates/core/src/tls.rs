//! Trust and TLS failures: which certificates the client trusts, and what it says when a
//! server's certificate is refused.
//!
//! Trust, first match wins:
//! 1. [`ClientBuilder::ca_file`](crate::ClientBuilder::ca_file): a PEM bundle given in code.
//! 2. [`ClientBuilder::platform_verifier`](crate::ClientBuilder::platform_verifier): the
//!    operating system's verifier and trust store.
//! 3. `SSL_CERT_FILE` (a PEM bundle) and/or `SSL_CERT_DIR` (directories of PEM certificates,
//!    `:`-separated, OpenSSL-hashed names or not), as in OpenSSL, curl, httpx and Go.
//! 4. The bundled Mozilla roots (webpki-roots), so a minimal container works.
//!
//! A trust source that names no usable certificate is a configuration error when the client
//! is built. Verification is never turned off: there is no option for it.

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, PoisonError};

use ureq::tls::{Certificate, PemItem, RootCerts, TlsConfig};

use crate::error::{Error, ErrorKind};

pub const ENV_SSL_CERT_FILE: &str = "SSL_CERT_FILE";
pub const ENV_SSL_CERT_DIR: &str = "SSL_CERT_DIR";

/// Where the client's trust comes from, for `Debug` and for error messages.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum TrustSource {
    Bundled,
    Platform,
    CaFile(PathBuf),
    Env {
        file: Option<PathBuf>,
        dirs: Vec<PathBuf>,
    },
}

impl fmt::Display for TrustSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Bundled => f.write_str("the bundled Mozilla roots"),
            Self::Platform => f.write_str("the operating system's verifier"),
            Self::CaFile(p) => write!(f, "the CA file {}", p.display()),
            Self::Env { file, dirs } => {
                let mut parts = Vec::new();
                if let Some(p) = file {
                    parts.push(format!("{ENV_SSL_CERT_FILE}={}", p.display()));
                }
                if !dirs.is_empty() {
                    let dirs: Vec<String> = dirs.iter().map(|d| d.display().to_string()).collect();
                    parts.push(format!("{ENV_SSL_CERT_DIR}={}", dirs.join(":")));
                }
                f.write_str(&parts.join(" and "))
            }
        }
    }
}

/// The TLS configuration for the agent, and where its trust came from.
pub(crate) fn tls_config(
    ca_file: Option<&Path>,
    platform_verifier: bool,
) -> Result<(TlsConfig, TrustSource), Error> {
    let env_path = |name: &str| {
        std::env::var_os(name)
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    };
    let (roots, source) = match (ca_file, platform_verifier) {
        (Some(_), true) => {
            return Err(invalid(
                "ca_file and platform_verifier cannot both be set: choose the CA bundle or the \
                 operating system's trust store"
                    .to_owned(),
            ));
        }
        (Some(path), false) => {
            let certs = read_bundle(path, "the CA file")?;
            (RootCerts::from(certs), TrustSource::CaFile(path.to_owned()))
        }
        (None, true) => (RootCerts::PlatformVerifier, TrustSource::Platform),
        (None, false) => {
            let file = env_path(ENV_SSL_CERT_FILE);
            let dirs: Vec<PathBuf> = env_path(ENV_SSL_CERT_DIR)
                .map(|d| {
                    std::env::split_paths(&d)
                        .filter(|p| !p.as_os_str().is_empty())
                        .collect()
                })
                .unwrap_or_default();
            if file.is_none() && dirs.is_empty() {
                (RootCerts::WebPki, TrustSource::Bundled)
            } else {
                let certs = cached_env_roots(file.as_deref(), &dirs)?;
                (RootCerts::Specific(certs), TrustSource::Env { file, dirs })
            }
        }
    };
    let config = TlsConfig::builder().root_certs(roots).build();
    Ok((config, source))
}

/// What the environment's trust was read from, with the modification time and length of each
/// path: a client built while nothing changed reuses the certificates already read (a system
/// directory holds hundreds, and reading them took milliseconds per client). A directory's
/// time changes when a certificate is added, removed or re-linked, as update-ca-certificates does.
type EnvKey = Vec<(PathBuf, Option<std::time::SystemTime>, u64)>;

fn cached_env_roots(file: Option<&Path>, dirs: &[PathBuf]) -> Result<Arc<Vec<Certificate<'static>>>, Error> {
    static CACHE: Mutex<Option<(EnvKey, Arc<Vec<Certificate<'static>>>)>> = Mutex::new(None);
    let key: EnvKey = file
        .into_iter()
        .chain(dirs.iter().map(PathBuf::as_path))
        .map(|p| {
            let meta = std::fs::metadata(p).ok();
            let modified = meta.as_ref().and_then(|m| m.modified().ok());
            (p.to_owned(), modified, meta.map_or(0, |m| m.len()))
        })
        .collect();
    let cache = || CACHE.lock().unwrap_or_else(PoisonError::into_inner);
    if let Some((k, certs)) = cache().as_ref()
        && *k == key
        && key.iter().all(|(_, modified, _)| modified.is_some())
    {
        return Ok(Arc::clone(certs));
    }
    let mut certs = Vec::new();
    if let Some(file) = file {
        certs.extend(read_bundle(file, ENV_SSL_CERT_FILE)?);
    }
    for dir in dirs {
        certs.extend(read_dir(dir)?);
    }
    let certs = Arc::new(certs);
    *cache() = Some((key, Arc::clone(&certs)));
    Ok(certs)
}

fn invalid(message: String) -> Error {
    Error::new(ErrorKind::InvalidConfig, message)
}

/// The usable certificates in a PEM file; none at all is an error naming the file.
fn read_bundle(path: &Path, what: &str) -> Result<Vec<Certificate<'static>>, Error> {
    let advice = "point it at a PEM bundle of CA certificates";
    let bytes = std::fs::read(path).map_err(|e| {
        invalid(format!(
            "{what} {} cannot be read: {}; {advice}",
            path.display(),
            io_words(&e)
        ))
    })?;
    let certs = certificates_in(&bytes);
    if certs.is_empty() {
        return Err(invalid(format!(
            "{what} {} holds no usable PEM certificate (-----BEGIN CERTIFICATE-----); {advice}",
            path.display()
        )));
    }
    Ok(certs)
}

/// Every certificate in the files of a directory (hashed names like `a1b2c3d4.0` or not;
/// files that hold none, such as a README, are skipped). None at all is an error.
fn read_dir(dir: &Path) -> Result<Vec<Certificate<'static>>, Error> {
    let entries = std::fs::read_dir(dir).map_err(|e| {
        invalid(format!(
            "{ENV_SSL_CERT_DIR} names {}, which cannot be read as a directory: {}",
            dir.display(),
            io_words(&e)
        ))
    })?;
    let mut certs = Vec::new();
    // Hashed names (`a1b2c3d4.0`) are usually links to a file in the same directory: read
    // each file once.
    let mut seen = std::collections::HashSet::new();
    for entry in entries.flatten() {
        let path = entry.path();
        let real = std::fs::canonicalize(&path).unwrap_or_else(|_| path.clone());
        if path.is_file()
            && seen.insert(real)
            && let Ok(bytes) = std::fs::read(&path)
        {
            certs.extend(certificates_in(&bytes));
        }
    }
    if certs.is_empty() {
        return Err(invalid(format!(
            "{ENV_SSL_CERT_DIR} names {}, which holds no usable PEM certificate; point it at a \
             directory of CA certificates",
            dir.display()
        )));
    }
    Ok(certs)
}

/// The certificates in PEM text that rustls can use as roots (others are skipped).
fn certificates_in(pem: &[u8]) -> Vec<Certificate<'static>> {
    let mut store = rustls::RootCertStore::empty();
    ureq::tls::parse_pem(pem)
        .filter_map(|item| match item {
            Ok(PemItem::Certificate(c)) => Some(c),
            _ => None,
        })
        .filter(|c| store.add(c.der().to_vec().into()).is_ok())
        .collect()
}

/// An I/O error in words, without the `(os error 2)` tail.
fn io_words(e: &io::Error) -> String {
    match e.kind() {
        io::ErrorKind::NotFound => "no such file or directory".to_owned(),
        io::ErrorKind::PermissionDenied => "permission denied".to_owned(),
        io::ErrorKind::IsADirectory => "it is a directory".to_owned(),
        _ => e.to_string(),
    }
}

/// A TLS failure as this crate reports it: an [`ErrorKind::Tls`] error with a message in words,
/// or `None` when `e` is not a TLS failure (a reset or timeout during the handshake is not:
/// it is a connection failure and may be retried).
pub(crate) fn classify(e: &ureq::Error, host: &str, trust: &TrustSource) -> Option<Error> {
    let tls = match e {
        ureq::Error::Rustls(tls) => tls,
        ureq::Error::Io(io) => io.get_ref()?.downcast_ref::<rustls::Error>()?,
        _ => return None,
    };
    Some(Error::new(ErrorKind::Tls, describe(tls, host, trust)))
}

fn describe(e: &rustls::Error, host: &str, trust: &TrustSource) -> String {
    use rustls::CertificateError as C;
    let subject = format!("the certificate of {host}");
    let clock = "check this machine's clock; otherwise the server's operator must renew it";
    match e {
        rustls::Error::InvalidCertificate(cert) => match cert {
            C::UnknownIssuer => format!(
                "{subject} is not trusted (unknown issuer; trusting {trust}); if a proxy inspects \
                 TLS here, point SSL_CERT_FILE or ca_file at its CA bundle"
            ),
            C::Expired | C::ExpiredContext { .. } => format!("{subject} has expired; {clock}"),
            C::NotValidYet | C::NotValidYetContext { .. } => {
                format!("{subject} is not valid yet; {clock}")
            }
            C::NotValidForName => {
                format!("{subject} is not valid for the name {host}; check the base URL's host")
            }
            C::NotValidForNameContext { presented, .. } => format!(
                "{subject} is not valid for the name {host} (it is for {}); check the base URL's host",
                if presented.is_empty() {
                    "no name".to_owned()
                } else {
                    presented.join(", ")
                }
            ),
            C::Revoked => format!("{subject} has been revoked"),
            C::BadSignature => format!("{subject} has a bad signature"),
            C::BadEncoding => format!("{subject} is malformed"),
            C::Other(other) if other.to_string().contains("CaUsedAsEndEntity") => format!(
                "{subject} is a CA certificate, not a server certificate (a CA used as the leaf); \
                 the server is misconfigured"
            ),
            other => format!("{subject} was refused ({})", words(&format!("{other:?}"))),
        },
        rustls::Error::AlertReceived(alert) => format!(
            "the TLS handshake with {host} failed: the server sent the alert {}",
            words(&format!("{alert:?}"))
        ),
        rustls::Error::PeerIncompatible(_) | rustls::Error::NoApplicationProtocol => format!(
            "the TLS handshake with {host} failed: the server offers no protocol version or cipher \
             this client supports"
        ),
        other => format!("the TLS handshake with {host} failed: {other}"),
    }
}

/// `UnhandledCriticalExtension` → `unhandled critical extension` (the first word of a debug
/// value, with no fields).
fn words(debug: &str) -> String {
    let name: String = debug.chars().take_while(|c| c.is_alphanumeric()).collect();
    let mut out = String::new();
    for (i, c) in name.chars().enumerate() {
        if c.is_uppercase() && i > 0 {
            out.push(' ');
        }
        out.extend(c.to_lowercase());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_splits_a_variant_name() {
        assert_eq!(
            words("UnhandledCriticalExtension"),
            "unhandled critical extension"
        );
        assert_eq!(words("Other(OtherError(x))"), "other");
    }

    #[test]
    fn messages_say_what_to_do() {
        let m = describe(
            &rustls::Error::InvalidCertificate(rustls::CertificateError::UnknownIssuer),
            "localhost",
            &TrustSource::Bundled,
        );
        assert!(
            m.contains("the certificate of localhost is not trusted (unknown issuer"),
            "{m}"
        );
        assert!(m.contains("SSL_CERT_FILE or ca_file"), "{m}");
        let m = describe(
            &rustls::Error::InvalidCertificate(rustls::CertificateError::Expired),
            "h",
            &TrustSource::Bundled,
        );
        assert!(m.contains("has expired"), "{m}");
    }

    #[test]
    fn a_missing_or_empty_bundle_names_its_path() {
        let err = tls_config(Some(Path::new("/nonexistent/ca.pem")), false).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidConfig);
        assert!(err.to_string().contains("/nonexistent/ca.pem"), "{err}");
        assert!(err.to_string().contains("no such file"), "{err}");
        let empty = std::env::temp_dir().join(format!("blooio-empty-{}.pem", std::process::id()));
        std::fs::write(&empty, "not a certificate\n").unwrap();
        let err = tls_config(Some(&empty), false).unwrap_err();
        assert!(
            err.to_string().contains("holds no usable PEM certificate"),
            "{err}"
        );
        let err = tls_config(Some(&empty), true).unwrap_err();
        assert!(err.to_string().contains("cannot both be set"), "{err}");
        std::fs::remove_file(empty).unwrap();
    }
}
