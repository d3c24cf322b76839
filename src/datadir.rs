//! The data directory (SPEC §6): its layout, and the first-start
//! initialization that fills it.
//!
//! ```text
//! DATA/
//!   coffer.redb            the store (redb), sealed under master.key
//!   coffer.wal      0600   the store's write-ahead log: commits not yet checkpointed into
//!                          coffer.redb (sealed like it); empty after a clean shutdown
//!   master.key      0600   32 random bytes: the store's master key
//!   admin.token     0600   the admin API key for the CLI on this host
//!   listening.json         {"kmip": "ip:port", "https": "ip:port"} while the server runs
//!   .init.lock             held (flock) while init runs, so two inits never interleave
//!   tls/ca.pem, tls/ca.key (0600)          the CA that issues every certificate
//!   tls/server.pem, tls/server.key (0600)  the KMIP server's certificate
//!   clients/default/       the first credential of the `default` key store:
//!     client.pem, client.key (0600), client.p12 (0600, empty password), ca.pem, pykmip.conf
//! ```
//!
//! [`DataDir::init`] is idempotent: a file that exists is kept, and only
//! what is missing is made. Directories are 0700 and secrets 0600; every
//! file is written to a temporary name, synced and renamed, so a crash never
//! leaves half a key behind.

use std::fmt;
use std::fs;
use std::io::{self, Write};
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use zeroize::Zeroizing;

use crate::pki::{Ca, Issued, PkiError, Validity};

/// The key store every fresh data directory has.
pub const DEFAULT_KEYSTORE: &str = "default";
/// The name of the first credential of the default key store.
pub const DEFAULT_CREDENTIAL: &str = "default";

const CA_DAYS: u32 = 3650;
const SERVER_DAYS: u32 = 825;
const CLIENT_DAYS: u32 = 825;

/// Why the data directory could not be prepared or read.
#[derive(Debug)]
pub enum DataDirError {
    /// A file or directory could not be read or written.
    Io {
        /// Which one.
        path: PathBuf,
        /// What went wrong.
        source: io::Error,
    },
    /// A certificate could not be made or read.
    Pki(PkiError),
    /// A file exists but is not what it should be (a CA certificate without
    /// its key, a master key of the wrong length).
    Inconsistent(String),
}

impl fmt::Display for DataDirError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            DataDirError::Io { path, source } => write!(f, "{}: {source}", path.display()),
            DataDirError::Pki(e) => write!(f, "certificates: {e}"),
            DataDirError::Inconsistent(what) => write!(f, "data directory: {what}"),
        }
    }
}

impl std::error::Error for DataDirError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            DataDirError::Io { source, .. } => Some(source),
            DataDirError::Pki(e) => Some(e),
            DataDirError::Inconsistent(_) => None,
        }
    }
}

impl From<PkiError> for DataDirError {
    fn from(e: PkiError) -> DataDirError {
        DataDirError::Pki(e)
    }
}

fn io_err(path: &Path) -> impl FnOnce(io::Error) -> DataDirError + '_ {
    move |source| DataDirError::Io { path: path.to_owned(), source }
}

/// A data directory: the paths of everything in it.
#[derive(Debug, Clone)]
pub struct DataDir {
    root: PathBuf,
}

/// What [`DataDir::init`] did, for the operator.
#[derive(Debug, Default)]
pub struct InitReport {
    /// Files made by this run.
    pub created: Vec<PathBuf>,
    /// Files that were already there and were kept.
    pub kept: Vec<PathBuf>,
}

impl InitReport {
    /// Whether this run made anything (a first start).
    pub fn is_first_start(&self) -> bool {
        !self.created.is_empty()
    }
}

impl DataDir {
    /// The data directory at `root`, made absolute so that the paths written
    /// into `pykmip.conf` work from anywhere.
    pub fn new(root: &Path) -> DataDir {
        let root = std::path::absolute(root).unwrap_or_else(|_| root.to_owned());
        DataDir { root }
    }

    /// The directory itself.
    pub fn root(&self) -> &Path {
        &self.root
    }
    /// The redb store file.
    pub fn store_path(&self) -> PathBuf {
        self.root.join("coffer.redb")
    }
    /// The master key file.
    pub fn master_key_path(&self) -> PathBuf {
        self.root.join("master.key")
    }
    /// The admin API token.
    pub fn admin_token_path(&self) -> PathBuf {
        self.root.join("admin.token")
    }
    /// Where a running server writes the addresses it listens on.
    pub fn listening_path(&self) -> PathBuf {
        self.root.join("listening.json")
    }
    /// The CA certificate.
    pub fn ca_cert_path(&self) -> PathBuf {
        self.root.join("tls").join("ca.pem")
    }
    /// The CA's private key.
    pub fn ca_key_path(&self) -> PathBuf {
        self.root.join("tls").join("ca.key")
    }
    /// The server certificate.
    pub fn server_cert_path(&self) -> PathBuf {
        self.root.join("tls").join("server.pem")
    }
    /// The server's private key.
    pub fn server_key_path(&self) -> PathBuf {
        self.root.join("tls").join("server.key")
    }
    /// The bundle directory of the first credential.
    pub fn default_client_dir(&self) -> PathBuf {
        self.root.join("clients").join(DEFAULT_KEYSTORE)
    }

    /// Lays out the data directory, making only what is missing.
    /// `kmip_addr` and `server_names` go into the server certificate and
    /// the first credential's `pykmip.conf`.
    pub fn init(&self, kmip_addr: SocketAddr, server_names: &[String]) -> Result<InitReport, DataDirError> {
        let mut report = InitReport::default();
        for dir in [self.root.clone(), self.root.join("tls"), self.root.join("clients"), self.default_client_dir()] {
            make_dir(&dir)?;
        }
        // Two processes initializing at once (`init` beside a first `serve`)
        // must not each make half of a CA: one waits for the other. The OS
        // releases the lock if we die.
        let lock_path = self.root.join(".init.lock");
        let lock = fs::OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .mode(0o600)
            .open(&lock_path)
            .map_err(io_err(&lock_path))?;
        lock.lock().map_err(io_err(&lock_path))?;

        let master = self.master_key_path();
        if !exists(&master)? {
            let mut key = Zeroizing::new([0u8; 32]);
            openssl::rand::rand_bytes(key.as_mut_slice()).map_err(PkiError::from)?;
            write_replacing(&master, key.as_slice(), 0o600)?;
            report.created.push(master);
        } else {
            report.kept.push(master);
        }

        let token = self.admin_token_path();
        if !exists(&token)? {
            let mut raw = Zeroizing::new([0u8; 32]);
            openssl::rand::rand_bytes(raw.as_mut_slice()).map_err(PkiError::from)?;
            let text = Zeroizing::new(format!("coffer_{}\n", hex::encode(raw.as_slice())));
            write_replacing(&token, text.as_bytes(), 0o600)?;
            report.created.push(token);
        } else {
            report.kept.push(token);
        }

        let ca = self.init_ca(&mut report)?;
        self.init_server_cert(&ca, kmip_addr, server_names, &mut report)?;
        self.init_default_client(&ca, kmip_addr, &mut report)?;
        Ok(report)
    }

    fn init_ca(&self, report: &mut InitReport) -> Result<Ca, DataDirError> {
        let (cert_path, key_path) = (self.ca_cert_path(), self.ca_key_path());
        match (exists(&cert_path)?, exists(&key_path)?) {
            (true, true) => {
                let cert = fs::read(&cert_path).map_err(io_err(&cert_path))?;
                let key = Zeroizing::new(fs::read(&key_path).map_err(io_err(&key_path))?);
                report.kept.extend([cert_path, key_path]);
                Ok(Ca::from_pem(&cert, &key)?)
            }
            (false, false) => {
                let ca = Ca::generate(format!("coffer CA {}", host_name().unwrap_or_default()).trim_end(), CA_DAYS)?;
                write_replacing(&key_path, &ca.key_pem()?, 0o600)?;
                write_replacing(&cert_path, &ca.cert_pem()?, 0o644)?;
                report.created.extend([cert_path, key_path]);
                Ok(ca)
            }
            _ => Err(DataDirError::Inconsistent(format!(
                "{} and {} must both exist or both be absent",
                cert_path.display(),
                key_path.display()
            ))),
        }
    }

    fn init_server_cert(
        &self,
        ca: &Ca,
        kmip_addr: SocketAddr,
        extra: &[String],
        report: &mut InitReport,
    ) -> Result<(), DataDirError> {
        let (cert_path, key_path) = (self.server_cert_path(), self.server_key_path());
        if exists(&cert_path)? && exists(&key_path)? {
            report.kept.extend([cert_path, key_path]);
            return Ok(());
        }
        let mut names = vec!["localhost".to_owned(), "127.0.0.1".to_owned(), "::1".to_owned()];
        if let Some(host) = host_name() {
            names.push(host);
        }
        if !kmip_addr.ip().is_unspecified() {
            names.push(kmip_addr.ip().to_string());
        }
        names.extend(extra.iter().cloned());
        let mut seen = std::collections::HashSet::new();
        names.retain(|n| seen.insert(n.clone()));
        let issued = ca.issue_server(&names, Validity::days_from_now(SERVER_DAYS))?;
        write_replacing(&key_path, &issued.key_pem, 0o600)?;
        write_replacing(&cert_path, &issued.cert_pem, 0o644)?;
        report.created.extend([cert_path, key_path]);
        Ok(())
    }

    fn init_default_client(&self, ca: &Ca, kmip_addr: SocketAddr, report: &mut InitReport) -> Result<(), DataDirError> {
        let dir = self.default_client_dir();
        let cert_path = dir.join("client.pem");
        let key_path = dir.join("client.key");
        if exists(&cert_path)? && exists(&key_path)? {
            report.kept.extend([cert_path, key_path]);
        } else {
            let issued = ca.issue_client(DEFAULT_KEYSTORE, DEFAULT_CREDENTIAL, Validity::days_from_now(CLIENT_DAYS))?;
            report.created.extend(write_bundle(ca, &issued, DEFAULT_CREDENTIAL, "", &dir)?);
        }
        // The bundle's other files are remade if lost: they derive from the two above.
        let ca_copy = dir.join("ca.pem");
        if !exists(&ca_copy)? {
            write_replacing(&ca_copy, &ca.cert_pem()?, 0o644)?;
            report.created.push(ca_copy);
        }
        let conf = dir.join("pykmip.conf");
        if !exists(&conf)? {
            write_replacing(&conf, pykmip_conf(&dir, kmip_addr).as_bytes(), 0o644)?;
            report.created.push(conf);
        } else {
            report.kept.push(conf);
        }
        Ok(())
    }

    /// Reads the master key.
    pub fn read_master_key(&self) -> Result<Zeroizing<Vec<u8>>, DataDirError> {
        let path = self.master_key_path();
        let key = Zeroizing::new(fs::read(&path).map_err(io_err(&path))?);
        if key.len() != 32 {
            return Err(DataDirError::Inconsistent(format!("{} must hold exactly 32 bytes", path.display())));
        }
        Ok(key)
    }

    /// The CA's certificate and private key (PEM).
    pub fn read_ca(&self) -> Result<(Vec<u8>, Zeroizing<Vec<u8>>), DataDirError> {
        let (cert_path, key_path) = (self.ca_cert_path(), self.ca_key_path());
        let cert = fs::read(&cert_path).map_err(io_err(&cert_path))?;
        let key = Zeroizing::new(fs::read(&key_path).map_err(io_err(&key_path))?);
        Ok((cert, key))
    }

    /// The first credential's certificate (PEM), if it is there.
    pub fn read_default_client_cert(&self) -> Result<Option<Vec<u8>>, DataDirError> {
        let path = self.default_client_dir().join("client.pem");
        match fs::read(&path) {
            Ok(pem) => Ok(Some(pem)),
            Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(io_err(&path)(e)),
        }
    }

    /// Rewrites the first credential's `pykmip.conf` for the address the
    /// server really listens on: when the configured port is 0, the file
    /// `init` wrote cannot name the port.
    pub fn point_default_pykmip_conf_at(&self, addr: SocketAddr) -> Result<(), DataDirError> {
        let dir = self.default_client_dir();
        let conf = dir.join("pykmip.conf");
        write_replacing(&conf, pykmip_conf(&dir, addr).as_bytes(), 0o644)
    }

    /// Writes `{"kmip": "ip:port", "https": "ip:port"}` to `listening.json`
    /// (replacing any older one); `https` is left out when not served.
    pub fn write_listening(&self, kmip: SocketAddr, https: Option<SocketAddr>) -> Result<(), DataDirError> {
        let mut json = serde_json::json!({ "kmip": kmip.to_string() });
        if let (Some(https), Some(map)) = (https, json.as_object_mut()) {
            map.insert("https".to_owned(), https.to_string().into());
        }
        let text = json.to_string();
        write_replacing(&self.listening_path(), text.as_bytes(), 0o644)
    }

    /// Removes `listening.json`, if there.
    pub fn remove_listening(&self) -> Result<(), DataDirError> {
        let path = self.listening_path();
        match fs::remove_file(&path) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => Err(io_err(&path)(e)),
            _ => Ok(()),
        }
    }
}

/// Writes a credential's bundle into `dir`: `client.pem`, `client.key`,
/// `client.p12` (protected by `password`) and `ca.pem`. Returns the files written.
pub fn write_bundle(
    ca: &Ca,
    issued: &Issued,
    credential: &str,
    password: &str,
    dir: &Path,
) -> Result<Vec<PathBuf>, DataDirError> {
    make_dir(dir)?;
    let p12 = Zeroizing::new(ca.pkcs12(issued, credential, password)?);
    let files = [
        (dir.join("client.key"), issued.key_pem.as_slice(), 0o600),
        (dir.join("client.p12"), p12.as_slice(), 0o600),
        (dir.join("client.pem"), issued.cert_pem.as_slice(), 0o644),
    ];
    let mut written = Vec::new();
    for (path, bytes, mode) in files {
        write_replacing(&path, bytes, mode)?;
        written.push(path);
    }
    let ca_path = dir.join("ca.pem");
    write_replacing(&ca_path, &ca.cert_pem()?, 0o644)?;
    written.push(ca_path);
    Ok(written)
}

/// A PyKMIP 0.11 client configuration for the bundle in `dir`, connecting
/// to `addr` (127.0.0.1 when the server listens on every address).
///
/// PyKMIP reads `ssl_version` as the name of an `ssl` module constant;
/// `PROTOCOL_TLSv1_2` pins TLS 1.2, where its cipher list meets our ECDSA
/// certificate. It checks the server certificate against `ca_certs` but not
/// the host name, so any address of this host works as `host`.
pub fn pykmip_conf(dir: &Path, addr: SocketAddr) -> String {
    let host = if addr.ip().is_unspecified() {
        match addr.ip() {
            IpAddr::V4(_) => IpAddr::V4(Ipv4Addr::LOCALHOST),
            IpAddr::V6(_) => IpAddr::V6(std::net::Ipv6Addr::LOCALHOST),
        }
    } else {
        addr.ip()
    };
    format!(
        "# PyKMIP client configuration for coffer; use it with\n\
         # kmip.pie.client.ProxyKmipClient(config='client', config_file='{conf}')\n\
         [client]\n\
         host={host}\n\
         port={port}\n\
         certfile={cert}\n\
         keyfile={key}\n\
         ca_certs={ca}\n\
         cert_reqs=CERT_REQUIRED\n\
         ssl_version=PROTOCOL_TLSv1_2\n\
         do_handshake_on_connect=True\n\
         suppress_ragged_eofs=True\n",
        conf = dir.join("pykmip.conf").display(),
        port = addr.port(),
        cert = dir.join("client.pem").display(),
        key = dir.join("client.key").display(),
        ca = dir.join("ca.pem").display(),
    )
}

/// This machine's host name, if it has one.
pub fn host_name() -> Option<String> {
    let name = fs::read_to_string("/proc/sys/kernel/hostname").ok().or_else(|| std::env::var("HOSTNAME").ok())?;
    let name = name.trim();
    (!name.is_empty() && name.len() <= 64).then(|| name.to_owned())
}

fn exists(path: &Path) -> Result<bool, DataDirError> {
    path.try_exists().map_err(io_err(path))
}

fn make_dir(dir: &Path) -> Result<(), DataDirError> {
    match fs::DirBuilder::new().recursive(true).mode(0o700).create(dir) {
        Ok(()) => Ok(()),
        Err(e) => Err(io_err(dir)(e)),
    }
}

/// Writes `bytes` to a temporary file with `mode`, syncs it, and renames it
/// over `path`, so readers see the old file or the whole new one.
fn write_replacing(path: &Path, bytes: &[u8], mode: u32) -> Result<(), DataDirError> {
    let mut tmp_name = path.as_os_str().to_owned();
    tmp_name.push(format!(".tmp{}", std::process::id()));
    let tmp = PathBuf::from(tmp_name);
    let result = (|| {
        let _ = fs::remove_file(&tmp);
        let mut f = fs::OpenOptions::new().write(true).create_new(true).mode(mode).open(&tmp)?;
        // The process umask may have narrowed the mode; certificates should stay readable.
        f.set_permissions(fs::Permissions::from_mode(mode))?;
        f.write_all(bytes)?;
        f.sync_all()?;
        fs::rename(&tmp, path)?;
        if let Some(parent) = path.parent() {
            fs::File::open(parent)?.sync_all()?;
        }
        Ok(())
    })();
    result.map_err(|e| {
        let _ = fs::remove_file(&tmp);
        io_err(path)(e)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("coffer-datadir-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        dir
    }

    #[test]
    fn pykmip_conf_has_absolute_paths_and_a_reachable_host() {
        let text = pykmip_conf(Path::new("/d/clients/default"), "0.0.0.0:5696".parse().unwrap());
        assert!(text.contains("\nhost=127.0.0.1\n"), "{text}");
        assert!(text.contains("\nport=5696\n"));
        assert!(text.contains("\ncertfile=/d/clients/default/client.pem\n"));
        assert!(text.contains("\nkeyfile=/d/clients/default/client.key\n"));
        assert!(text.contains("\nca_certs=/d/clients/default/ca.pem\n"));
        assert!(text.contains("\nssl_version=PROTOCOL_TLSv1_2\n"));
    }

    #[test]
    fn a_lost_pykmip_conf_is_remade_and_the_rest_kept() {
        let root = temp("remake");
        let dd = DataDir::new(&root);
        let first = dd.init("127.0.0.1:5696".parse().unwrap(), &[]).unwrap();
        assert!(first.is_first_start());
        let cert = fs::read(dd.default_client_dir().join("client.pem")).unwrap();
        fs::remove_file(dd.default_client_dir().join("pykmip.conf")).unwrap();
        let second = dd.init("127.0.0.1:5696".parse().unwrap(), &[]).unwrap();
        assert_eq!(second.created, vec![dd.default_client_dir().join("pykmip.conf")]);
        assert_eq!(fs::read(dd.default_client_dir().join("client.pem")).unwrap(), cert);
        fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn concurrent_inits_of_a_fresh_directory_agree_on_one_ca() {
        use openssl::stack::Stack;
        use openssl::x509::store::X509StoreBuilder;
        use openssl::x509::{X509StoreContext, X509};

        let root = temp("concurrent");
        let dd = DataDir::new(&root);
        std::thread::scope(|s| {
            for _ in 0..4 {
                s.spawn(|| dd.init("127.0.0.1:5696".parse().unwrap(), &[]).unwrap());
            }
        });
        let ca = X509::from_pem(&fs::read(dd.ca_cert_path()).unwrap()).unwrap();
        let key = openssl::pkey::PKey::private_key_from_pem(&fs::read(dd.ca_key_path()).unwrap()).unwrap();
        assert!(ca.public_key().unwrap().public_eq(&key), "ca.pem and ca.key are from different CAs");
        let mut store = X509StoreBuilder::new().unwrap();
        store.add_cert(ca).unwrap();
        let store = store.build();
        for leaf in [dd.server_cert_path(), dd.default_client_dir().join("client.pem")] {
            let cert = X509::from_pem(&fs::read(&leaf).unwrap()).unwrap();
            let mut ctx = X509StoreContext::new().unwrap();
            let ok = ctx.init(&store, &cert, &Stack::new().unwrap(), |c| c.verify_cert()).unwrap();
            assert!(ok, "{} does not chain to ca.pem", leaf.display());
        }
        fs::remove_dir_all(&root).unwrap();
    }

    #[test]
    fn a_ca_certificate_without_its_key_is_an_error_not_a_new_ca() {
        let root = temp("half-ca");
        let dd = DataDir::new(&root);
        dd.init("127.0.0.1:5696".parse().unwrap(), &[]).unwrap();
        fs::remove_file(dd.ca_key_path()).unwrap();
        let e = dd.init("127.0.0.1:5696".parse().unwrap(), &[]).unwrap_err();
        assert!(matches!(e, DataDirError::Inconsistent(_)), "{e}");
        fs::remove_dir_all(&root).unwrap();
    }
}
