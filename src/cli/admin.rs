//! `coffer keystore|credential|allow ...`: admin subcommands that talk to a
//! running server's REST API (SPEC §6).
//!
//! The server is `--addr`, else `COFFER_ADDR`, else the `https` address in
//! the data directory's `listening.json`, else `https://127.0.0.1:8443`.
//! The token is `COFFER_TOKEN`, else the data directory's `admin.token`;
//! the CA to verify the server is the data directory's `tls/ca.pem`.
//! Every listing takes `--json`, and so does every command that shows a
//! resource.

use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};
use hyper::Method;
use serde_json::{json, Value};
use zeroize::Zeroizing;

use super::admin_client::{AdminClient, ClientError};

/// Where the server is and how to reach it.
#[derive(Debug, Clone, Args)]
pub struct Connection {
    /// The server's HTTPS address [default: COFFER_ADDR, else DATA/listening.json, else https://127.0.0.1:8443].
    #[arg(long, value_name = "URL", env = "COFFER_ADDR", global = true)]
    pub addr: Option<String>,
    /// The data directory: its admin.token, tls/ca.pem and listening.json [default: ./coffer-data].
    #[arg(long, value_name = "DIR", env = "COFFER_DATA_DIR", global = true)]
    pub data_dir: Option<PathBuf>,
}

/// `coffer keystore ...`.
#[derive(Debug, Clone, Args)]
pub struct KeystoreArgs {
    /// The server.
    #[command(flatten)]
    pub connection: Connection,
    /// What to do.
    #[command(subcommand)]
    pub command: KeystoreCommand,
}

/// `--json`: print the API's JSON instead of a table.
#[derive(Debug, Clone, Copy, Args)]
pub struct Output {
    /// Print JSON (for a listing, an array of every item).
    #[arg(long)]
    pub json: bool,
}

/// The key store subcommands.
#[derive(Debug, Clone, Subcommand)]
pub enum KeystoreCommand {
    /// List the key stores.
    List(#[command(flatten)] Output),
    /// Create a key store.
    Create {
        /// Its name (unique).
        name: String,
        /// A configured region [default: the first one].
        #[arg(long)]
        region: Option<String>,
        /// A description.
        #[arg(long)]
        description: Option<String>,
        /// Output.
        #[command(flatten)]
        output: Output,
    },
    /// Show a key store (its status, counts, endpoints).
    Show {
        /// Its name or id.
        keystore: String,
        /// Output.
        #[command(flatten)]
        output: Output,
    },
    /// Rename a key store.
    Rename {
        /// Its name or id.
        keystore: String,
        /// The new name.
        new_name: String,
        /// Output.
        #[command(flatten)]
        output: Output,
    },
    /// Suspend a key store: its clients are refused until it is resumed.
    Suspend {
        /// Its name or id.
        keystore: String,
        /// Output.
        #[command(flatten)]
        output: Output,
    },
    /// Resume a suspended key store.
    Resume {
        /// Its name or id.
        keystore: String,
        /// Output.
        #[command(flatten)]
        output: Output,
    },
    /// Terminate a key store: every key, secret and credential in it is destroyed. Irreversible.
    Terminate {
        /// Its name or id.
        keystore: String,
        /// The key store's name again, to confirm.
        #[arg(long, value_name = "NAME")]
        confirm: String,
        /// Output.
        #[command(flatten)]
        output: Output,
    },
    /// Show, or set, which authentication methods a key store enables.
    Auth {
        /// Its name or id.
        keystore: String,
        /// The methods, comma-separated: certificate, ip, mac.
        #[arg(long, value_delimiter = ',')]
        methods: Option<Vec<String>>,
        /// How they combine: and (every one must pass) or or (any one).
        #[arg(long)]
        combine: Option<String>,
        /// Output.
        #[command(flatten)]
        output: Output,
    },
}

/// `coffer credential ...`.
#[derive(Debug, Clone, Args)]
pub struct CredentialArgs {
    /// The server.
    #[command(flatten)]
    pub connection: Connection,
    /// What to do.
    #[command(subcommand)]
    pub command: CredentialCommand,
}

/// The credential subcommands.
#[derive(Debug, Clone, Subcommand)]
pub enum CredentialCommand {
    /// List a key store's credentials.
    List {
        /// The key store's name or id.
        #[arg(long)]
        keystore: String,
        /// Output.
        #[command(flatten)]
        output: Output,
    },
    /// Issue a credential and write client.pem, client.key, client.p12, ca.pem and pykmip.conf into --out.
    Issue {
        /// The key store's name or id.
        #[arg(long)]
        keystore: String,
        /// The credential's name (unique in the store).
        #[arg(long)]
        name: String,
        /// A description.
        #[arg(long)]
        description: Option<String>,
        /// The PKCS#12 password [default: empty].
        #[arg(long, env = "COFFER_P12_PASSWORD", hide_env_values = true)]
        password: Option<String>,
        /// Days the certificate is valid [default: 365].
        #[arg(long)]
        validity_days: Option<u32>,
        /// The directory to write the files into (made if missing).
        #[arg(long, value_name = "DIR")]
        out: PathBuf,
        /// Output.
        #[command(flatten)]
        output: Output,
    },
    /// Register an external certificate (--cert), or have a CSR signed by the store's CA (--csr).
    Register {
        /// The key store's name or id.
        #[arg(long)]
        keystore: String,
        /// The credential's name (unique in the store).
        #[arg(long)]
        name: String,
        /// A description.
        #[arg(long)]
        description: Option<String>,
        /// A certificate, PEM.
        #[arg(long, value_name = "FILE", conflicts_with = "csr", required_unless_present = "csr")]
        cert: Option<PathBuf>,
        /// A certificate signing request, PEM; the signed certificate is written to --out if given.
        #[arg(long, value_name = "FILE")]
        csr: Option<PathBuf>,
        /// With --csr: days the certificate is valid [default: 365].
        #[arg(long)]
        validity_days: Option<u32>,
        /// With --csr: where to write the signed certificate (client.pem) and ca.pem.
        #[arg(long, value_name = "DIR")]
        out: Option<PathBuf>,
        /// Output.
        #[command(flatten)]
        output: Output,
    },
    /// Revoke a credential: its open connections are refused from their next request.
    Revoke {
        /// The key store's name or id.
        #[arg(long)]
        keystore: String,
        /// The credential's name or id.
        credential: String,
        /// Output.
        #[command(flatten)]
        output: Output,
    },
}

/// `coffer allow ...`.
#[derive(Debug, Clone, Args)]
pub struct AllowArgs {
    /// The server.
    #[command(flatten)]
    pub connection: Connection,
    /// What to do.
    #[command(subcommand)]
    pub command: AllowCommand,
}

/// The allowlist subcommands.
#[derive(Debug, Clone, Subcommand)]
pub enum AllowCommand {
    /// List a key store's allowlist.
    List {
        /// The key store's name or id.
        #[arg(long)]
        keystore: String,
        /// Output.
        #[command(flatten)]
        output: Output,
    },
    /// Add an IP address, a CIDR range or a MAC address.
    Add {
        /// The key store's name or id.
        #[arg(long)]
        keystore: String,
        /// An IPv4 or IPv6 address, or a range ADDR/PREFIX.
        #[arg(long, value_name = "ADDR_OR_CIDR", conflicts_with = "mac", required_unless_present = "mac")]
        ip: Option<String>,
        /// A MAC address.
        #[arg(long)]
        mac: Option<String>,
        /// A description.
        #[arg(long)]
        description: Option<String>,
        /// Output.
        #[command(flatten)]
        output: Output,
    },
    /// Remove an entry.
    Remove {
        /// The key store's name or id.
        #[arg(long)]
        keystore: String,
        /// The entry's id.
        entry: String,
    },
}

/// Why an admin command failed.
#[derive(Debug)]
pub enum AdminError {
    /// The request failed or the server refused it.
    Client(ClientError),
    /// A local file could not be read or written.
    File {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The command line asks for something impossible.
    Usage(String),
}

impl fmt::Display for AdminError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AdminError::Client(e) => e.fmt(f),
            AdminError::File { path, source } => write!(f, "{}: {source}", path.display()),
            AdminError::Usage(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for AdminError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            AdminError::Client(e) => Some(e),
            AdminError::File { source, .. } => Some(source),
            AdminError::Usage(_) => None,
        }
    }
}

impl From<ClientError> for AdminError {
    fn from(e: ClientError) -> AdminError {
        AdminError::Client(e)
    }
}

impl From<std::io::Error> for AdminError {
    fn from(source: std::io::Error) -> AdminError {
        AdminError::File { path: PathBuf::from("<stdout>"), source }
    }
}

impl Connection {
    /// The client these settings describe.
    pub fn client(&self) -> Result<AdminClient, AdminError> {
        let data = self.data_dir.clone().unwrap_or_else(|| PathBuf::from("coffer-data"));
        let addr = match &self.addr {
            Some(addr) => addr.clone(),
            None => listening_https(&data).unwrap_or_else(|| "https://127.0.0.1:8443".to_owned()),
        };
        let token = match std::env::var("COFFER_TOKEN") {
            Ok(token) if !token.trim().is_empty() => Zeroizing::new(token),
            _ => {
                let path = data.join("admin.token");
                Zeroizing::new(std::fs::read_to_string(&path).map_err(|source| AdminError::File { path, source })?)
            }
        };
        Ok(AdminClient::new(&addr, &data.join("tls").join("ca.pem"), Some(token))?)
    }
}

/// `https://IP:PORT` from `DATA/listening.json`, if the server there runs.
fn listening_https(data: &Path) -> Option<String> {
    let text = std::fs::read_to_string(data.join("listening.json")).ok()?;
    let json: Value = serde_json::from_str(&text).ok()?;
    let addr: std::net::SocketAddr = json.get("https")?.as_str()?.parse().ok()?;
    let host = if addr.ip().is_unspecified() { "127.0.0.1".to_owned() } else { addr.ip().to_string() };
    Some(match addr {
        std::net::SocketAddr::V6(_) if !addr.ip().is_unspecified() => format!("https://[{host}]:{}", addr.port()),
        _ => format!("https://{host}:{}", addr.port()),
    })
}

/// A path segment, percent-encoded (names may hold spaces and slashes).
fn segment(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn store_path(keystore: &str) -> String {
    format!("/api/v1/keystores/{}", segment(keystore))
}

/// Every item of a paged list.
async fn all_items(client: &AdminClient, path: &str) -> Result<Vec<Value>, AdminError> {
    let mut items = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let url = match &cursor {
            Some(c) => format!("{path}?limit=500&cursor={}", segment(c)),
            None => format!("{path}?limit=500"),
        };
        let page = client.json(Method::GET, &url, None).await?;
        if let Some(list) = page.get("items").and_then(Value::as_array) {
            items.extend(list.iter().cloned());
        }
        match page.get("next_cursor").and_then(Value::as_str) {
            Some(next) => cursor = Some(next.to_owned()),
            None => return Ok(items),
        }
    }
}

/// Prints every item of the paged list at `path`: one JSON array with
/// `--json`, otherwise `header` (when given) and a line per item from `row`.
async fn print_list(
    client: &AdminClient,
    path: &str,
    output: Output,
    out: &mut dyn Write,
    header: Option<&str>,
    row: impl Fn(&mut dyn Write, &Value) -> Result<(), AdminError>,
) -> Result<(), AdminError> {
    let items = all_items(client, path).await?;
    if output.json {
        return print_json(out, &Value::Array(items));
    }
    if let Some(header) = header {
        writeln!(out, "{header}")?;
    }
    for item in &items {
        row(out, item)?;
    }
    Ok(())
}

fn field<'a>(v: &'a Value, name: &str) -> &'a str {
    v.get(name).and_then(Value::as_str).unwrap_or("")
}

fn print_json(out: &mut dyn Write, value: &Value) -> Result<(), AdminError> {
    writeln!(out, "{}", serde_json::to_string_pretty(value).unwrap_or_default())?;
    Ok(())
}

fn print_keystore(out: &mut dyn Write, ks: &Value, output: Output) -> Result<(), AdminError> {
    if output.json {
        return print_json(out, ks);
    }
    let count = |name: &str| ks.get("counts").and_then(|c| c.get(name)).and_then(Value::as_u64).unwrap_or(0);
    let methods: Vec<&str> = ks
        .get("auth")
        .and_then(|a| a.get("methods"))
        .and_then(Value::as_array)
        .map(|m| m.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let combine = ks.get("auth").map(|a| field(a, "combine")).unwrap_or("");
    let endpoint = |name: &str| ks.get("endpoints").map(|e| field(e, name).to_owned()).unwrap_or_default();
    writeln!(out, "name         {}", field(ks, "name"))?;
    writeln!(out, "id           {}", field(ks, "id"))?;
    writeln!(out, "status       {}", field(ks, "status"))?;
    writeln!(out, "region       {}", field(ks, "region"))?;
    writeln!(out, "description  {}", field(ks, "description"))?;
    writeln!(out, "created      {}", field(ks, "created"))?;
    writeln!(out, "auth         {} ({combine})", methods.join(", "))?;
    writeln!(
        out,
        "counts       {} objects ({} keys, {} secrets), {} credentials, {} allowlist entries",
        count("objects"),
        count("keys"),
        count("secrets"),
        count("credentials"),
        count("allowlist")
    )?;
    writeln!(out, "kmip         {}", endpoint("kmip"))?;
    writeln!(out, "rest         {}", endpoint("rest"))?;
    Ok(())
}

fn print_credential(out: &mut dyn Write, c: &Value, output: Output) -> Result<(), AdminError> {
    if output.json {
        return print_json(out, c);
    }
    writeln!(
        out,
        "{}  {}  {}  {}  valid until {}  last used {}  {}",
        field(c, "name"),
        field(c, "status"),
        field(c, "origin"),
        field(c, "fingerprint"),
        field(c, "not_after"),
        c.get("last_used").and_then(Value::as_str).unwrap_or("never"),
        field(c, "id"),
    )?;
    Ok(())
}

fn print_entry(out: &mut dyn Write, e: &Value, output: Output) -> Result<(), AdminError> {
    if output.json {
        return print_json(out, e);
    }
    writeln!(out, "{}  {}  {}  {}", field(e, "id"), field(e, "kind"), field(e, "value"), field(e, "description"))?;
    Ok(())
}

fn runtime() -> Result<tokio::runtime::Runtime, AdminError> {
    Ok(tokio::runtime::Builder::new_current_thread().enable_all().build()?)
}

fn write_file(path: &Path, bytes: &[u8], mode: u32) -> Result<(), AdminError> {
    use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
    let err = |source| AdminError::File { path: path.to_owned(), source };
    let mut f =
        std::fs::OpenOptions::new().write(true).create(true).truncate(true).mode(mode).open(path).map_err(err)?;
    f.set_permissions(std::fs::Permissions::from_mode(mode)).map_err(err)?;
    f.write_all(bytes).map_err(err)?;
    f.sync_all().map_err(err)
}

/// Runs `coffer keystore ...`.
pub fn keystore(args: KeystoreArgs, out: &mut dyn Write) -> Result<(), AdminError> {
    let client = args.connection.client()?;
    runtime()?.block_on(async {
        match args.command {
            KeystoreCommand::List(output) => {
                let header = format!(
                    "{:<24} {:<11} {:<10} {:>8} {:>12}  ID",
                    "NAME", "STATUS", "REGION", "OBJECTS", "CREDENTIALS"
                );
                print_list(&client, "/api/v1/keystores", output, out, Some(&header), |out, ks| {
                    let count = |n: &str| ks.get("counts").and_then(|c| c.get(n)).and_then(Value::as_u64).unwrap_or(0);
                    writeln!(
                        out,
                        "{:<24} {:<11} {:<10} {:>8} {:>12}  {}",
                        field(ks, "name"),
                        field(ks, "status"),
                        field(ks, "region"),
                        count("objects"),
                        count("credentials"),
                        field(ks, "id")
                    )?;
                    Ok(())
                })
                .await
            }
            KeystoreCommand::Create { name, region, description, output } => {
                let mut body = json!({ "name": name });
                if let Some(region) = region {
                    set(&mut body, "region", region);
                }
                if let Some(description) = description {
                    set(&mut body, "description", description);
                }
                let ks = client.json(Method::POST, "/api/v1/keystores", Some(&body)).await?;
                print_keystore(out, &ks, output)
            }
            KeystoreCommand::Show { keystore, output } => {
                let ks = client.json(Method::GET, &store_path(&keystore), None).await?;
                print_keystore(out, &ks, output)
            }
            KeystoreCommand::Rename { keystore, new_name, output } => {
                let body = json!({ "name": new_name });
                let ks = client.json(Method::PATCH, &store_path(&keystore), Some(&body)).await?;
                print_keystore(out, &ks, output)
            }
            KeystoreCommand::Suspend { keystore, output } => {
                let ks = client.json(Method::POST, &format!("{}/suspend", store_path(&keystore)), None).await?;
                print_keystore(out, &ks, output)
            }
            KeystoreCommand::Resume { keystore, output } => {
                let ks = client.json(Method::POST, &format!("{}/resume", store_path(&keystore)), None).await?;
                print_keystore(out, &ks, output)
            }
            KeystoreCommand::Terminate { keystore, confirm, output } => {
                let path = format!("{}?confirm={}", store_path(&keystore), segment(&confirm));
                let report = client.json(Method::DELETE, &path, None).await?;
                if output.json {
                    return print_json(out, &report);
                }
                let n = |k: &str| report.get(k).and_then(Value::as_u64).unwrap_or(0);
                writeln!(
                    out,
                    "key store {} terminated: {} objects and {} credentials destroyed",
                    field(&report, "name"),
                    n("objects"),
                    n("credentials")
                )?;
                Ok(())
            }
            KeystoreCommand::Auth { keystore, methods, combine, output } => {
                let path = format!("{}/auth", store_path(&keystore));
                let auth = if methods.is_none() && combine.is_none() {
                    client.json(Method::GET, &path, None).await?
                } else {
                    let current = client.json(Method::GET, &path, None).await?;
                    let methods = match methods {
                        Some(m) => Value::from(m.iter().map(|s| s.trim().to_ascii_lowercase()).collect::<Vec<_>>()),
                        None => current.get("methods").cloned().unwrap_or(Value::Null),
                    };
                    let combine = match combine {
                        Some(c) => Value::from(c.trim().to_ascii_lowercase()),
                        None => current.get("combine").cloned().unwrap_or(Value::Null),
                    };
                    client.json(Method::PUT, &path, Some(&json!({ "methods": methods, "combine": combine }))).await?
                };
                if output.json {
                    return print_json(out, &auth);
                }
                let methods: Vec<&str> = auth
                    .get("methods")
                    .and_then(Value::as_array)
                    .map(|m| m.iter().filter_map(Value::as_str).collect())
                    .unwrap_or_default();
                writeln!(out, "{} ({})", methods.join(", "), field(&auth, "combine"))?;
                Ok(())
            }
        }
    })
}

/// Runs `coffer credential ...`.
pub fn credential(args: CredentialArgs, out: &mut dyn Write) -> Result<(), AdminError> {
    let client = args.connection.client()?;
    runtime()?.block_on(async {
        match args.command {
            CredentialCommand::List { keystore, output } => {
                let path = format!("{}/credentials", store_path(&keystore));
                print_list(&client, &path, output, out, None, |out, c| print_credential(out, c, output)).await
            }
            CredentialCommand::Issue { keystore, name, description, password, validity_days, out: dir, output } => {
                let mut body = json!({ "name": name });
                if let Some(d) = description {
                    set(&mut body, "description", d);
                }
                if let Some(days) = validity_days {
                    set(&mut body, "validity_days", days);
                }
                let password = password.map(Zeroizing::new);
                if let Some(p) = &password {
                    set(&mut body, "password", p.as_str());
                }
                let issued =
                    client.json(Method::POST, &format!("{}/credentials", store_path(&keystore)), Some(&body)).await;
                // The request held the password, the answer holds the key: wipe both once used.
                wipe(&mut body, &["password"]);
                let mut bundle = issued?;
                let ks = client.json(Method::GET, &store_path(&keystore), None).await;
                let written = ks.map_err(AdminError::from).and_then(|ks| write_bundle(&bundle, &ks, &dir));
                wipe(&mut bundle, &["client_key_pem", "pkcs12_base64"]);
                written?;
                let credential = bundle.get("credential").cloned().unwrap_or(Value::Null);
                if output.json {
                    return print_json(out, &credential);
                }
                writeln!(out, "credential {} issued; files in {}:", field(&credential, "name"), dir.display())?;
                writeln!(out, "  client.pem client.key client.p12 ca.pem pykmip.conf")?;
                Ok(())
            }
            CredentialCommand::Register { keystore, name, description, cert, csr, validity_days, out: dir, output } => {
                let read = |path: &Path| {
                    std::fs::read_to_string(path).map_err(|source| AdminError::File { path: path.to_owned(), source })
                };
                let mut body = json!({ "name": name });
                if let Some(d) = description {
                    set(&mut body, "description", d);
                }
                let (path, signing) = match (cert, csr) {
                    (Some(cert), None) => {
                        set(&mut body, "certificate", read(&cert)?);
                        (format!("{}/credentials/register", store_path(&keystore)), false)
                    }
                    (None, Some(csr)) => {
                        set(&mut body, "csr", read(&csr)?);
                        if let Some(days) = validity_days {
                            set(&mut body, "validity_days", days);
                        }
                        (format!("{}/credentials/sign", store_path(&keystore)), true)
                    }
                    _ => return Err(AdminError::Usage("give exactly one of --cert and --csr".into())),
                };
                let credential = client.json(Method::POST, &path, Some(&body)).await?;
                if let (true, Some(dir)) = (signing, dir) {
                    std::fs::create_dir_all(&dir).map_err(|source| AdminError::File { path: dir.clone(), source })?;
                    write_file(&dir.join("client.pem"), field(&credential, "certificate_pem").as_bytes(), 0o644)?;
                    let ca = client.text(&format!("{}/ca", store_path(&keystore))).await?;
                    write_file(&dir.join("ca.pem"), ca.as_bytes(), 0o644)?;
                }
                print_credential(out, &credential, output)
            }
            CredentialCommand::Revoke { keystore, credential, output } => {
                let path = format!("{}/credentials/{}/revoke", store_path(&keystore), segment(&credential));
                let c = client.json(Method::POST, &path, None).await?;
                print_credential(out, &c, output)
            }
        }
    })
}

/// Sets `value`'s field `name` (`value` is a JSON object).
fn set(value: &mut Value, name: &str, field: impl Into<Value>) {
    if let Some(map) = value.as_object_mut() {
        map.insert(name.to_owned(), field.into());
    }
}

/// Overwrites the string fields `names` of `value` with zeros.
fn wipe(value: &mut Value, names: &[&str]) {
    for name in names {
        if let Some(Value::String(s)) = value.get_mut(*name) {
            zeroize::Zeroize::zeroize(s);
        }
    }
}

/// Writes an issued bundle's files into `dir`, with a `pykmip.conf` whose
/// paths are absolute and whose address is the key store's KMIP endpoint.
fn write_bundle(bundle: &Value, keystore: &Value, dir: &Path) -> Result<(), AdminError> {
    std::fs::create_dir_all(dir).map_err(|source| AdminError::File { path: dir.to_owned(), source })?;
    let dir = dir.canonicalize().map_err(|source| AdminError::File { path: dir.to_owned(), source })?;
    let p12 = Zeroizing::new(
        openssl::base64::decode_block(field(bundle, "pkcs12_base64"))
            .map_err(|_| ClientError::BadResponse("pkcs12_base64 is not base64".into()))?,
    );
    write_file(&dir.join("client.key"), field(bundle, "client_key_pem").as_bytes(), 0o600)?;
    write_file(&dir.join("client.p12"), &p12, 0o600)?;
    write_file(&dir.join("client.pem"), field(bundle, "client_pem").as_bytes(), 0o644)?;
    write_file(&dir.join("ca.pem"), field(bundle, "ca_pem").as_bytes(), 0o644)?;
    let kmip = keystore.get("endpoints").map(|e| field(e, "kmip")).unwrap_or("");
    let conf = match kmip.parse::<std::net::SocketAddr>() {
        Ok(addr) => crate::datadir::pykmip_conf(&dir, addr),
        // Not an ip:port (a host name): keep the server's own file.
        Err(_) => field(bundle, "pykmip_conf").to_owned(),
    };
    write_file(&dir.join("pykmip.conf"), conf.as_bytes(), 0o644)
}

/// Runs `coffer allow ...`.
pub fn allow(args: AllowArgs, out: &mut dyn Write) -> Result<(), AdminError> {
    let client = args.connection.client()?;
    runtime()?.block_on(async {
        match args.command {
            AllowCommand::List { keystore, output } => {
                let path = format!("{}/allowlist", store_path(&keystore));
                print_list(&client, &path, output, out, None, |out, e| print_entry(out, e, output)).await
            }
            AllowCommand::Add { keystore, ip, mac, description, output } => {
                let mut body = match (ip, mac) {
                    (Some(ip), None) if ip.contains('/') => json!({ "cidr": ip }),
                    (Some(ip), None) => json!({ "ip": ip }),
                    (None, Some(mac)) => json!({ "mac": mac }),
                    _ => return Err(AdminError::Usage("give exactly one of --ip and --mac".into())),
                };
                if let Some(d) = description {
                    set(&mut body, "description", d);
                }
                let entry =
                    client.json(Method::POST, &format!("{}/allowlist", store_path(&keystore)), Some(&body)).await?;
                print_entry(out, &entry, output)
            }
            AllowCommand::Remove { keystore, entry } => {
                let path = format!("{}/allowlist/{}", store_path(&keystore), segment(&entry));
                client.json(Method::DELETE, &path, None).await?;
                writeln!(out, "removed {entry}")?;
                Ok(())
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn path_segments_are_percent_encoded() {
        assert_eq!(segment("sales-eu_1.x~"), "sales-eu_1.x~");
        assert_eq!(segment("a b/c?d"), "a%20b%2Fc%3Fd");
        assert_eq!(segment("é"), "%C3%A9");
    }

    #[test]
    fn the_https_address_comes_from_listening_json() {
        let dir = std::env::temp_dir().join(format!("coffer-admin-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("listening.json"), r#"{"kmip":"0.0.0.0:5696","https":"0.0.0.0:9443"}"#).unwrap();
        assert_eq!(listening_https(&dir).as_deref(), Some("https://127.0.0.1:9443"));
        std::fs::write(dir.join("listening.json"), r#"{"kmip":"127.0.0.1:5696"}"#).unwrap();
        assert_eq!(listening_https(&dir), None);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
