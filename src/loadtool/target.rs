//! Where the load goes: the server's address and the TLS client
//! configuration (CA, client certificate and key), from PEM files or from
//! a PyKMIP client configuration's `[client]` section.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use rustls::sign::{CertifiedKey, SigningKey, SingleCertAndKey};
use rustls::{ClientConfig, RootCertStore};
use zeroize::{Zeroize, Zeroizing};

use super::LoadError;

/// A KMIP server and the credentials to reach it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    /// `HOST:PORT`.
    pub addr: String,
    /// The name the server's certificate must carry; the host of `addr` if unset.
    pub server_name: Option<String>,
    /// The CA certificate(s) that signed the server's certificate (PEM).
    pub ca: PathBuf,
    /// The client certificate chain (PEM).
    pub cert: PathBuf,
    /// The client's private key (PEM: PKCS#8, SEC1 or PKCS#1).
    pub key: PathBuf,
}

impl Target {
    /// The target a PyKMIP client configuration describes: `host`, `port`,
    /// `certfile`, `keyfile` and `ca_certs` of its `[client]` section. A
    /// relative path is taken from the current directory, as PyKMIP does,
    /// or else from the configuration file's directory.
    pub fn from_pykmip_conf(path: &Path) -> Result<Target, LoadError> {
        let text = std::fs::read_to_string(path).map_err(|e| LoadError::io(path, e))?;
        let section = ini_section(&text, "client");
        let get = |key: &str| {
            section
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(key))
                .map(|(_, v)| v.clone())
                .ok_or_else(|| LoadError::Config(format!("{}: [client] has no `{key}`", path.display())))
        };
        let base = path.parent().unwrap_or(Path::new("."));
        let file = |key: &str| -> Result<PathBuf, LoadError> {
            let p = PathBuf::from(get(key)?);
            Ok(if p.is_relative() && !p.exists() { base.join(p) } else { p })
        };
        Ok(Target {
            addr: format!("{}:{}", get("host")?, get("port")?),
            server_name: None,
            ca: file("ca_certs")?,
            cert: file("certfile")?,
            key: file("keyfile")?,
        })
    }

    /// The name checked against the server's certificate.
    pub fn server_name(&self) -> Result<ServerName<'static>, LoadError> {
        let name = match &self.server_name {
            Some(n) => n.clone(),
            None => host_of(&self.addr).to_owned(),
        };
        ServerName::try_from(name.clone())
            .map_err(|_| LoadError::Config(format!("`{name}` is not a valid server name")))
    }

    /// A rustls client configuration (ring provider, TLS 1.3 and 1.2) that
    /// trusts `ca` and presents `cert` / `key`.
    pub fn tls_config(&self) -> Result<Arc<ClientConfig>, LoadError> {
        let mut roots = RootCertStore::empty();
        for cert in read_certs(&self.ca)? {
            roots.add(cert).map_err(|e| LoadError::Config(format!("{}: {e}", self.ca.display())))?;
        }
        let chain = read_certs(&self.cert)?;
        let certified = CertifiedKey::new(chain, self.signing_key()?);
        certified.keys_match().map_err(|e| {
            LoadError::Config(format!("{} does not match {}: {e}", self.key.display(), self.cert.display()))
        })?;
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(LoadError::Tls)?
            .with_root_certificates(roots)
            .with_client_cert_resolver(Arc::new(SingleCertAndKey::from(certified)));
        Ok(Arc::new(config))
    }

    /// The client's signing key. The PEM text and the DER are wiped as soon
    /// as ring holds the key (rustls's own `with_client_auth_cert` would drop
    /// the DER unwiped); errors name the file, never its content.
    fn signing_key(&self) -> Result<Arc<dyn SigningKey>, LoadError> {
        let pem = Zeroizing::new(std::fs::read(&self.key).map_err(|e| LoadError::io(&self.key, e))?);
        let mut der = PrivateKeyDer::from_pem_slice(&pem)
            .map_err(|e| LoadError::Config(format!("{}: no usable private key ({e})", self.key.display())))?;
        let key = rustls::crypto::ring::sign::any_supported_type(&der);
        der.zeroize();
        key.map_err(|e| LoadError::Config(format!("{}: unsupported private key ({e})", self.key.display())))
    }
}

fn read_certs(path: &Path) -> Result<Vec<CertificateDer<'static>>, LoadError> {
    let certs = CertificateDer::pem_file_iter(path)
        .and_then(|it| it.collect::<Result<Vec<_>, _>>())
        .map_err(|e| LoadError::Config(format!("{}: {e}", path.display())))?;
    if certs.is_empty() {
        return Err(LoadError::Config(format!("{}: no certificate", path.display())));
    }
    Ok(certs)
}

/// The host part of `HOST:PORT` or `[V6]:PORT`.
fn host_of(addr: &str) -> &str {
    let host = addr.rsplit_once(':').map_or(addr, |(h, _)| h);
    host.strip_prefix('[').and_then(|h| h.strip_suffix(']')).unwrap_or(host)
}

/// The `key = value` (or `key: value`) pairs of one section of an INI file
/// as Python's configparser reads it; comments start with `#` or `;`.
fn ini_section(text: &str, name: &str) -> Vec<(String, String)> {
    let mut inside = false;
    let mut pairs = Vec::new();
    for line in text.lines().map(str::trim) {
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        if let Some(section) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            inside = section.trim() == name;
            continue;
        }
        if !inside {
            continue;
        }
        let split = line.find(['=', ':']);
        if let Some(at) = split {
            let (k, v) = (line.get(..at).unwrap_or(""), line.get(at + 1..).unwrap_or(""));
            pairs.push((k.trim().to_owned(), v.trim().to_owned()));
        }
    }
    pairs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pykmip_client_section_is_read_and_other_sections_ignored() {
        let text = "[server]\nhost = 10.0.0.1\n\n[client]\n# comment\nhost=127.0.0.1\nport: 5696\n\
                    certfile = /c/client.pem\nkeyfile=/c/client.key\nca_certs = /c/ca.pem\n[other]\nport=1\n";
        let pairs = ini_section(text, "client");
        assert_eq!(pairs.len(), 5);
        assert!(pairs.contains(&("port".to_owned(), "5696".to_owned())));
        assert!(pairs.contains(&("host".to_owned(), "127.0.0.1".to_owned())));
    }

    #[test]
    fn the_server_name_defaults_to_the_host() {
        assert_eq!(host_of("127.0.0.1:5696"), "127.0.0.1");
        assert_eq!(host_of("[::1]:5696"), "::1");
        assert_eq!(host_of("kms.example:5696"), "kms.example");
    }
}
