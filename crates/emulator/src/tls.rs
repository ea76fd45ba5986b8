//! HTTPS: the certificates the emulator serves, and the TLS side of a connection.
//!
//! With generated material (the default for `--tls`) a fresh CA signs a leaf for `localhost`,
//! `127.0.0.1` and `::1`; the same CA signs the bad certificates that the `tls_*` fault
//! actions serve (expired, valid for another name, a CA certificate used as the leaf), so a
//! client that trusts the CA fails for exactly the reason under test.

use std::io;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, IsCa, Issuer, KeyPair, KeyUsagePurpose,
};
use rustls_pki_types::pem::PemObject;
use rustls_pki_types::{CertificateDer, PrivateKeyDer};
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::rustls::{self, ServerConfig};

use crate::fault::FaultAction;
use crate::state::lock;

/// Which certificate an HTTPS emulator serves.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TlsMode {
    /// A fresh CA and a leaf for `localhost`, `127.0.0.1` and `::1`; the CA is
    /// [`Emulator::tls_ca_pem`](crate::Emulator::tls_ca_pem).
    Generate,
    /// Serve this PEM certificate chain (leaf first) and PEM private key.
    Files { cert: PathBuf, key: PathBuf },
}

/// The acceptors: the normal one and one per bad-certificate fault.
pub(crate) struct TlsServer {
    /// The CA clients should trust, as PEM (`None` when serving given files).
    pub ca_pem: Option<String>,
    good: TlsAcceptor,
    expired: TlsAcceptor,
    wrong_name: TlsAcceptor,
    ca_as_leaf: TlsAcceptor,
}

const NAMES: [&str; 3] = ["localhost", "127.0.0.1", "::1"];

fn tls_error(what: &str, e: impl std::fmt::Display) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, format!("{what}: {e}"))
}

impl TlsServer {
    pub(crate) fn new(mode: &TlsMode) -> io::Result<TlsServer> {
        let gen_err = |e: rcgen::Error| tls_error("cannot generate a test certificate", e);
        let ca_key = KeyPair::generate().map_err(gen_err)?;
        let mut ca_params = CertificateParams::new(Vec::<String>::new()).map_err(gen_err)?;
        let mut dn = DistinguishedName::new();
        // A name of its own per CA, so that two emulators' CAs are never confused.
        let tag = std::hash::BuildHasher::hash_one(&std::hash::RandomState::new(), 0u8);
        dn.push(
            DnType::CommonName,
            format!("blooio-emulator test CA {tag:016x} (do not trust outside tests)"),
        );
        ca_params.distinguished_name = dn;
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca_params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::DigitalSignature];
        let ca_cert = ca_params.self_signed(&ca_key).map_err(gen_err)?;
        let issuer = Issuer::new(ca_params, ca_key);

        let leaf = |names: &[&str], tweak: &dyn Fn(&mut CertificateParams)| -> io::Result<ServerConfig> {
            let key = KeyPair::generate().map_err(gen_err)?;
            let names: Vec<String> = names.iter().map(|s| s.to_string()).collect();
            let mut params = CertificateParams::new(names).map_err(gen_err)?;
            let mut dn = DistinguishedName::new();
            dn.push(DnType::CommonName, "blooio-emulator");
            params.distinguished_name = dn;
            tweak(&mut params);
            let cert = params.signed_by(&key, &issuer).map_err(gen_err)?;
            let key = PrivateKeyDer::try_from(key.serialize_der()).map_err(|e| tls_error("key", e))?;
            server_config(vec![cert.der().clone()], key)
        };
        let expired = leaf(&NAMES, &|p| {
            p.not_before = rcgen::date_time_ymd(2001, 1, 1);
            p.not_after = rcgen::date_time_ymd(2002, 1, 1);
        })?;
        let wrong_name = leaf(&["wrong-name.blooio-emulator.invalid"], &|_| {})?;
        let ca_as_leaf = leaf(&NAMES, &|p| p.is_ca = IsCa::Ca(BasicConstraints::Unconstrained))?;
        let (good, ca_pem) = match mode {
            TlsMode::Generate => (leaf(&NAMES, &|_| {})?, Some(ca_cert.pem())),
            TlsMode::Files { cert, key } => (load_files(cert, key)?, None),
        };
        let acceptor = |c: ServerConfig| TlsAcceptor::from(Arc::new(c));
        Ok(TlsServer {
            ca_pem,
            good: acceptor(good),
            expired: acceptor(expired),
            wrong_name: acceptor(wrong_name),
            ca_as_leaf: acceptor(ca_as_leaf),
        })
    }

    /// The acceptor for a connection, given the handshake fault scripted for it (if any).
    pub(crate) fn acceptor(&self, fault: Option<FaultAction>) -> &TlsAcceptor {
        match fault {
            Some(FaultAction::TlsExpiredCert) => &self.expired,
            Some(FaultAction::TlsWrongNameCert) => &self.wrong_name,
            Some(FaultAction::TlsCaAsLeaf) => &self.ca_as_leaf,
            _ => &self.good,
        }
    }
}

fn server_config(
    chain: Vec<CertificateDer<'static>>,
    key: PrivateKeyDer<'static>,
) -> io::Result<ServerConfig> {
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let mut config = ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| tls_error("TLS setup", e))?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .map_err(|e| tls_error("the certificate and key do not fit together", e))?;
    config.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(config)
}

fn load_files(cert: &Path, key: &Path) -> io::Result<ServerConfig> {
    let chain = CertificateDer::pem_file_iter(cert)
        .and_then(|certs| certs.collect::<Result<Vec<_>, _>>())
        .map_err(|e| tls_error(&format!("cannot read certificates from {}", cert.display()), e))?;
    if chain.is_empty() {
        return Err(tls_error(&cert.display().to_string(), "holds no PEM certificate"));
    }
    let key_der = PrivateKeyDer::from_pem_file(key)
        .map_err(|e| tls_error(&format!("cannot read a private key from {}", key.display()), e))?;
    server_config(chain, key_der)
}

/// A TLS stream that two owners share: hyper reads and writes through one handle, and the
/// connection's task keeps the other to finish the connection by hand when a fault takes it
/// over (the plain-TCP path uses a second socket handle for the same purpose).
#[derive(Clone)]
pub(crate) struct SharedTls(Arc<Mutex<tokio_rustls::server::TlsStream<TcpStream>>>);

impl SharedTls {
    pub(crate) fn new(stream: tokio_rustls::server::TlsStream<TcpStream>) -> SharedTls {
        SharedTls(Arc::new(Mutex::new(stream)))
    }

    /// Runs `f` on the TCP socket under the TLS layer.
    pub(crate) fn with_tcp<T>(&self, f: impl FnOnce(&TcpStream) -> T) -> T {
        f(lock(&self.0).get_ref().0)
    }
}

impl AsyncRead for SharedTls {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut *lock(&self.0)).poll_read(cx, buf)
    }
}

impl AsyncWrite for SharedTls {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        Pin::new(&mut *lock(&self.0)).poll_write(cx, buf)
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut *lock(&self.0)).poll_flush(cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut *lock(&self.0)).poll_shutdown(cx)
    }
}
