//! `coffer serve`: wires the pieces together. Lay out the data directory,
//! open the store, build the engine, bind the KMIP port, write
//! `listening.json`, serve until SIGTERM or SIGINT, then shut down cleanly.

use std::fmt;
use std::io::Write;
use std::sync::Arc;

use tokio::net::TcpListener;
use tokio::signal::unix::{signal, SignalKind};

use crate::config::{Config, LogFormat};
use crate::datadir::{DataDir, DataDirError, InitReport};
use crate::keystores::{Registry, RegistryError, RegistryOptions};
use crate::net::tls::{self, TlsError, TlsFiles};
use crate::operations::{Engine, EngineLimits};
use crate::store::{MasterKey, Store, StoreError, StoreOptions};

/// Why the server could not start, or stopped with an error.
#[derive(Debug)]
pub enum ServerError {
    /// The data directory could not be prepared.
    DataDir(DataDirError),
    /// The TLS configuration could not be built.
    Tls(TlsError),
    /// A listen address could not be bound.
    Bind {
        /// The address.
        addr: std::net::SocketAddr,
        /// Why.
        source: std::io::Error,
    },
    /// The store could not be opened or closed cleanly.
    Store(StoreError),
    /// The key store registry could not be loaded.
    Registry(RegistryError),
    /// Signal handlers, the runtime or standard output failed.
    Io(std::io::Error),
}

impl fmt::Display for ServerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ServerError::DataDir(e) => e.fmt(f),
            ServerError::Tls(e) => e.fmt(f),
            ServerError::Bind { addr, source } => write!(f, "cannot listen on {addr}: {source}"),
            ServerError::Store(e) => write!(f, "store: {e}"),
            ServerError::Registry(e) => write!(f, "key stores: {e}"),
            ServerError::Io(e) => write!(f, "i/o error: {e}"),
        }
    }
}

impl std::error::Error for ServerError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ServerError::DataDir(e) => Some(e),
            ServerError::Tls(e) => Some(e),
            ServerError::Bind { source, .. } => Some(source),
            ServerError::Store(e) => Some(e),
            ServerError::Registry(e) => Some(e),
            ServerError::Io(e) => Some(e),
        }
    }
}

impl From<DataDirError> for ServerError {
    fn from(e: DataDirError) -> ServerError {
        ServerError::DataDir(e)
    }
}

impl From<StoreError> for ServerError {
    fn from(e: StoreError) -> ServerError {
        ServerError::Store(e)
    }
}

impl From<RegistryError> for ServerError {
    fn from(e: RegistryError) -> ServerError {
        ServerError::Registry(e)
    }
}

impl From<std::io::Error> for ServerError {
    fn from(e: std::io::Error) -> ServerError {
        ServerError::Io(e)
    }
}

/// Sets up `tracing` for the process: to standard error, human or JSON,
/// level from `RUST_LOG` (default `info`). A second call does nothing.
pub fn init_logging(format: LogFormat) {
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let ansi = std::io::IsTerminal::is_terminal(&std::io::stderr());
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).with_ansi(ansi);
    let _ = match format {
        LogFormat::Human => builder.try_init(),
        LogFormat::Json => builder.json().try_init(),
    };
}

/// Lays out the data directory (`coffer init`) and prints where things are.
pub fn init(config: &Config, out: &mut dyn Write) -> Result<DataDir, ServerError> {
    let data = DataDir::new(&config.data_dir);
    let report = data.init(config.kmip_addr, &config.server_names)?;
    print_report(&data, &report, out)?;
    Ok(data)
}

fn print_report(data: &DataDir, report: &InitReport, out: &mut dyn Write) -> std::io::Result<()> {
    let state = if report.is_first_start() {
        format!("{} files created, {} kept", report.created.len(), report.kept.len())
    } else {
        "existing, nothing to create".to_owned()
    };
    let client = data.default_client_dir();
    writeln!(out, "coffer data directory: {} ({state})", data.root().display())?;
    writeln!(out, "  master key      {}", data.master_key_path().display())?;
    writeln!(out, "  admin token     {}", data.admin_token_path().display())?;
    writeln!(out, "  CA certificate  {}", data.ca_cert_path().display())?;
    writeln!(out, "  server cert     {}", data.server_cert_path().display())?;
    writeln!(
        out,
        "  first client    {}/  (key store `default`: client.pem, client.key, client.p12, ca.pem)",
        client.display()
    )?;
    writeln!(out, "Point PyKMIP at it:")?;
    writeln!(
        out,
        "  kmip.pie.client.ProxyKmipClient(config='client', config_file='{}')",
        client.join("pykmip.conf").display()
    )?;
    out.flush()
}

/// Opens (or creates) the data directory's store under its master key.
/// Needs a tokio runtime: the store starts its background tasks.
pub fn open_store(data: &DataDir) -> Result<Store, ServerError> {
    let master_key = MasterKey::from_bytes(&data.read_master_key()?)?;
    Ok(Store::open(&data.store_path(), master_key, StoreOptions::default())?)
}

/// Loads the key store registry from `store`; at first start it makes the
/// `default` store from the data directory's CA and first credential.
/// `kmip` is the address issued credentials' `pykmip.conf` point at.
pub async fn open_registry(
    data: &DataDir,
    store: &Store,
    config: &Config,
    kmip: std::net::SocketAddr,
) -> Result<Registry, ServerError> {
    let (ca_cert, ca_key) = data.read_ca()?;
    let options = RegistryOptions {
        regions: config.regions.clone(),
        server_ca_pem: ca_cert.clone(),
        default_ca: Some((ca_cert, ca_key)),
        default_client_pem: data.read_default_client_cert()?,
        kmip_addr: kmip,
    };
    Ok(Registry::open(store.clone(), options).await?)
}

/// Binds the HTTPS listener (REST API) on `config.https_addr` and serves it
/// in a task until `stop` turns true. Returns the bound address and the task.
async fn start_https(
    config: &Config,
    data: &DataDir,
    kmip: std::net::SocketAddr,
    registry: crate::keystores::Registry,
    stop: tokio::sync::watch::Receiver<bool>,
) -> Result<(std::net::SocketAddr, tokio::task::JoinHandle<()>), ServerError> {
    let tls = crate::http::tls::server_config(&tls_files(data), &registry).map_err(ServerError::Tls)?;
    let tcp = TcpListener::bind(config.https_addr)
        .await
        .map_err(|source| ServerError::Bind { addr: config.https_addr, source })?;
    let https = tcp.local_addr()?;
    let endpoints = crate::http::Endpoints { kmip: kmip.to_string(), rest: crate::http::rest_url(https) };
    let state = crate::http::AppState::from_token_file(&data.admin_token_path(), endpoints, registry)?;
    let app = crate::http::router(state);
    Ok((https, tokio::spawn(crate::http::serve(tcp, tls, app, stop))))
}

/// Runs the server until SIGTERM or SIGINT.
pub async fn serve(config: Config, out: &mut dyn Write) -> Result<(), ServerError> {
    let data = init(&config, out)?;
    let store = open_store(&data)?;
    let engine = Arc::new(Engine::new(
        store,
        EngineLimits { decode: config.limits.decode(), max_batch_items: config.limits.max_batch_items },
    ));

    // Before anyone can learn our address: a SIGTERM from then on is a clean shutdown.
    let mut term = signal(SignalKind::terminate())?;
    let mut int = signal(SignalKind::interrupt())?;
    // A stale file from an earlier run must not send anyone to a dead port.
    data.remove_listening()?;
    let tcp = TcpListener::bind(config.kmip_addr)
        .await
        .map_err(|source| ServerError::Bind { addr: config.kmip_addr, source })?;
    let kmip = tcp.local_addr()?;
    if config.kmip_addr.port() == 0 {
        data.point_default_pykmip_conf_at(kmip)?;
    }
    let registry = open_registry(&data, engine.store(), &config, kmip).await?;
    // Client certificates are checked against the key stores as they are at each handshake.
    let tls = tls::server_config(&tls_files(&data), &registry).map_err(ServerError::Tls)?;
    writeln!(out, "KMIP listening on {kmip}")?;
    // The HTTPS plane stops when the KMIP listener does: both watch `stop`.
    // It shares the KMIP port's registry: a revocation through it reaches open KMIP connections.
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let (https, https_task) = start_https(&config, &data, kmip, registry.clone(), stop_rx).await?;
    writeln!(out, "HTTPS listening on {https}")?;
    out.flush()?;
    // The metrics plane (config.metrics_addr) is not served yet: not logged as listening.
    tracing::info!(kmip = %kmip, https = %https, "coffer listening (KMIP, HTTPS)");
    // Last: listening.json tells tests and tools the server is ready.
    data.write_listening(kmip, Some(https))?;

    let shutdown = async move {
        tokio::select! {
            _ = term.recv() => tracing::info!("SIGTERM: shutting down"),
            _ = int.recv() => tracing::info!("SIGINT: shutting down"),
        }
        let _ = stop_tx.send(true);
    };
    // The background rotator (due keys of every key store), on the engine's clock; stopped with the listener.
    let rotator =
        crate::scheduler::Rotator::new(engine.store().clone(), engine.clock().clone()).spawn(config.rotation_check);
    crate::net::listener::serve(tcp, tls, engine.clone(), registry.clone(), config.limits, shutdown).await;
    // A rotation is one store transaction: aborting between passes or mid-pass leaves none half done.
    rotator.abort();
    let _ = rotator.await;
    let _ = https_task.await;

    data.remove_listening()?;
    if let Err(e) = registry.flush_last_used().await {
        tracing::warn!(error = %e, "credentials' last-used times not written");
    }
    drop(registry);
    engine.store().close().await?;
    tracing::info!("coffer stopped");
    Ok(())
}

/// The server certificate and key of the data directory (the KMIP port and HTTPS share them).
fn tls_files(data: &DataDir) -> TlsFiles {
    TlsFiles { server_cert: data.server_cert_path(), server_key: data.server_key_path() }
}
