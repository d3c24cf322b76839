//! Runs the real `coffer serve` for a test: a fresh data directory, the
//! KMIP and HTTPS ports on 127.0.0.1:0, the address read back from
//! `DATA/listening.json`, the first client credential's files, and a rustls
//! client that speaks to it. The server is killed when the [`Server`] is
//! dropped, and its directory removed.
//!
//! ```ignore
//! let server = Server::start();
//! let mut tls = server.connect();            // TLS with clients/default's certificate
//! tls.write_all(&request_bytes).unwrap();
//! server.pykmip_conf();                      // for PyKMIP scripts
//! server.restart();                          // same data directory, new port
//! ```

// Helpers for every test module that starts a server; no one module uses them all.
#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, ServerName};
use rustls::{ClientConfig, ClientConnection, RootCertStore, StreamOwned, SupportedProtocolVersion};

/// A TLS connection to the server, blocking.
pub type Tls = StreamOwned<ClientConnection, TcpStream>;

/// A fresh, empty directory under Cargo's per-target temporary directory.
pub fn temp_dir(label: &str) -> PathBuf {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, Ordering::Relaxed);
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("{label}-{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// The `coffer` binary this test run built.
pub fn coffer() -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_coffer"));
    // The test's own environment must not configure the server under test.
    for (name, _) in std::env::vars() {
        if name.starts_with("COFFER_") {
            cmd.env_remove(name);
        }
    }
    cmd
}

/// A running `coffer serve`.
pub struct Server {
    child: Child,
    env: Vec<(String, String)>,
    /// The test's directory: `data/`, `server.log`, `server.out`, `coffer.toml`.
    pub dir: PathBuf,
    /// The data directory.
    pub data: PathBuf,
    /// The KMIP address it listens on.
    pub kmip: SocketAddr,
    /// The HTTPS (REST API) address it listens on.
    pub https: SocketAddr,
}

impl Server {
    /// A server on embedded defaults, except the KMIP port (127.0.0.1:0).
    pub fn start() -> Server {
        Server::start_with(&[], None)
    }

    /// A server with extra environment variables (`COFFER_*`) and, if
    /// given, a TOML configuration file's text.
    pub fn start_with(env: &[(&str, &str)], config_toml: Option<&str>) -> Server {
        let dir = temp_dir("server");
        if let Some(text) = config_toml {
            std::fs::write(dir.join("coffer.toml"), text).unwrap();
        }
        let env: Vec<(String, String)> = env.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
        let data = dir.join("data");
        let child = spawn(&dir, &data, &env);
        let unbound = SocketAddr::from(([127, 0, 0, 1], 0));
        let mut server = Server { child, env, dir, data, kmip: unbound, https: unbound };
        (server.kmip, server.https) = server.wait_listening();
        server
    }

    /// Stops the server with SIGTERM (it must exit 0 within 10 s) and starts
    /// it again on the same data directory and settings; the KMIP port changes.
    pub fn restart(&mut self) {
        let status = self.terminate(Duration::from_secs(10)).expect("coffer serve exits on SIGTERM");
        assert!(status.success(), "coffer serve exited with {status}:\n{}", self.log());
        self.child = spawn(&self.dir, &self.data, &self.env);
        (self.kmip, self.https) = self.wait_listening();
    }

    /// Kills the server with SIGKILL: no shutdown, no flush, as a crash or
    /// power cut would stop it. Returns how it ended.
    pub fn kill(&mut self) -> ExitStatus {
        self.child.kill().unwrap();
        self.child.wait().unwrap()
    }

    /// Starts the server again, after it has exited or been killed, on the
    /// same data directory and settings; the KMIP port changes.
    pub fn start_again(&mut self) {
        assert!(self.child.try_wait().unwrap().is_some(), "the server is still running");
        self.child = spawn(&self.dir, &self.data, &self.env);
        (self.kmip, self.https) = self.wait_listening();
    }

    fn wait_listening(&mut self) -> (SocketAddr, SocketAddr) {
        let path = self.data.join("listening.json");
        let start = Instant::now();
        loop {
            if let Ok(text) = std::fs::read_to_string(&path) {
                let json: serde_json::Value = serde_json::from_str(&text).unwrap();
                let addr = |plane: &str| json[plane].as_str().unwrap().parse().unwrap();
                return (addr("kmip"), addr("https"));
            }
            if let Some(status) = self.child.try_wait().unwrap() {
                panic!("coffer serve exited ({status}) before listening:\n{}", self.log());
            }
            assert!(start.elapsed() < Duration::from_secs(60), "no listening.json after 60 s:\n{}", self.log());
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// The server's process id.
    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Everything the server has logged so far (standard error).
    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("server.log")).unwrap_or_default()
    }

    /// Waits up to `within` for the log to contain `needle`; returns whether it did.
    pub fn log_shows(&self, needle: &str, within: Duration) -> bool {
        let start = Instant::now();
        loop {
            if self.log().contains(needle) {
                return true;
            }
            if start.elapsed() > within {
                return false;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// The first credential's bundle: `client.pem`, `client.key`, `client.p12`, `ca.pem`, `pykmip.conf`.
    pub fn client_dir(&self) -> PathBuf {
        self.data.join("clients").join("default")
    }
    /// The first credential's certificate (PEM).
    pub fn client_cert(&self) -> PathBuf {
        self.client_dir().join("client.pem")
    }
    /// The first credential's private key (PEM).
    pub fn client_key(&self) -> PathBuf {
        self.client_dir().join("client.key")
    }
    /// The CA certificate that signs the server's and the clients' certificates.
    pub fn ca_cert(&self) -> PathBuf {
        self.data.join("tls").join("ca.pem")
    }
    /// A PyKMIP configuration (section `[client]`) pointing at this server.
    pub fn pykmip_conf(&self) -> PathBuf {
        self.client_dir().join("pykmip.conf")
    }

    /// A rustls client configuration trusting this server's CA, presenting
    /// `identity` (certificate and key PEM files; `None`: no certificate),
    /// offering `versions`.
    pub fn tls_config(
        &self,
        versions: &[&'static SupportedProtocolVersion],
        identity: Option<(&Path, &Path)>,
    ) -> Arc<ClientConfig> {
        let mut roots = RootCertStore::empty();
        for cert in CertificateDer::pem_file_iter(self.ca_cert()).unwrap() {
            roots.add(cert.unwrap()).unwrap();
        }
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let builder = ClientConfig::builder_with_provider(provider)
            .with_protocol_versions(versions)
            .unwrap()
            .with_root_certificates(roots);
        let config = match identity {
            Some((cert, key)) => {
                let chain = CertificateDer::pem_file_iter(cert).unwrap().map(Result::unwrap).collect();
                builder.with_client_auth_cert(chain, PrivateKeyDer::from_pem_file(key).unwrap()).unwrap()
            }
            None => builder.with_no_client_auth(),
        };
        Arc::new(config)
    }

    /// A TCP connection to the KMIP port, with a 10 s read timeout.
    pub fn tcp(&self) -> TcpStream {
        let tcp = TcpStream::connect(self.kmip).unwrap();
        tcp.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        tcp
    }

    /// A TLS connection with `config`, handshake not yet done (rustls does it
    /// on first use; [`handshake`] forces it).
    pub fn connect_with(&self, config: Arc<ClientConfig>) -> Tls {
        let name = ServerName::try_from("localhost").unwrap();
        StreamOwned::new(ClientConnection::new(config, name).unwrap(), self.tcp())
    }

    /// A TLS connection (1.2 or 1.3) with the first credential, handshake done.
    pub fn connect(&self) -> Tls {
        let config = self.tls_config(rustls::ALL_VERSIONS, Some((&self.client_cert(), &self.client_key())));
        let mut tls = self.connect_with(config);
        handshake(&mut tls).unwrap();
        tls
    }

    /// Sends SIGTERM and waits up to `within` for the process to exit.
    pub fn terminate(&mut self, within: Duration) -> Option<ExitStatus> {
        let killed = Command::new("kill").args(["-TERM", &self.pid().to_string()]).status().unwrap();
        assert!(killed.success());
        self.wait(within)
    }

    /// Waits up to `within` for the process to exit.
    pub fn wait(&mut self, within: Duration) -> Option<ExitStatus> {
        let start = Instant::now();
        while start.elapsed() < within {
            if let Some(status) = self.child.try_wait().unwrap() {
                return Some(status);
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        None
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        if !std::thread::panicking() {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

/// Starts `coffer serve` on `data`, port 0, logging to `dir/server.log`
/// (appended to, so a restart keeps the earlier lines).
fn spawn(dir: &Path, data: &Path, env: &[(String, String)]) -> Child {
    let _ = std::fs::remove_file(data.join("listening.json"));
    let mut cmd = coffer();
    cmd.arg("serve").arg("--data-dir").arg(data).args(["--kmip-addr", "127.0.0.1:0", "--https-addr", "127.0.0.1:0"]);
    let config = dir.join("coffer.toml");
    if config.exists() {
        cmd.arg("--config").arg(config);
    }
    let append = |name: &str| std::fs::OpenOptions::new().create(true).append(true).open(dir.join(name)).unwrap();
    cmd.env("RUST_LOG", "info")
        .envs(env.iter().map(|(k, v)| (k, v)))
        .stdin(Stdio::null())
        .stdout(append("server.out"))
        .stderr(append("server.log"));
    cmd.spawn().expect("coffer serve starts")
}

/// Completes the TLS handshake (rustls's blocking stream otherwise does it
/// lazily on the first read or write).
pub fn handshake(tls: &mut Tls) -> std::io::Result<()> {
    while tls.conn.is_handshaking() {
        tls.conn.complete_io(&mut tls.sock)?;
    }
    Ok(())
}

/// Whether the server has closed the connection: a read returns end of
/// stream or an error (a TLS alert, a reset) rather than data or a timeout.
pub fn closed_by_server(stream: &mut impl Read) -> bool {
    let mut byte = [0u8; 1];
    match stream.read(&mut byte) {
        Ok(0) => true,
        Ok(_) => false,
        Err(e) => !matches!(e.kind(), std::io::ErrorKind::WouldBlock | std::io::ErrorKind::TimedOut),
    }
}

/// Writes `bytes` and flushes.
pub fn send(stream: &mut impl Write, bytes: &[u8]) {
    stream.write_all(bytes).unwrap();
    stream.flush().unwrap();
}

/// Reads one whole TTLV message (8-byte header, then the length it announces).
pub fn read_message(stream: &mut impl Read) -> std::io::Result<Vec<u8>> {
    let mut msg = vec![0u8; 8];
    stream.read_exact(&mut msg)?;
    let len = u32::from_be_bytes([msg[4], msg[5], msg[6], msg[7]]) as usize;
    msg.resize(8 + len, 0);
    stream.read_exact(&mut msg[8..])?;
    Ok(msg)
}
