//! The server's configuration: embedded defaults, overridden by a TOML file,
//! then by `COFFER_*` environment variables, then by command-line flags.
//!
//! Every key of the TOML file has an environment variable: `COFFER_` and the
//! key's path in capitals, joined by `_` (`kmip_addr` is `COFFER_KMIP_ADDR`,
//! `[limits] read_timeout_secs` is `COFFER_LIMITS_READ_TIMEOUT_SECS`). The
//! layers are merged as TOML tables and the result is decoded once, so a
//! value has the same syntax and checks whichever layer it comes from.

use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;
use toml::{Table, Value};

/// The embedded defaults, which are also the documented list of keys.
pub const DEFAULTS: &str = r#"
# Where coffer keeps its store, master key, certificates and credentials.
data_dir = "./coffer-data"
# The KMIP port (TLS, client certificate required). A port of 0 picks a free one.
kmip_addr = "0.0.0.0:5696"
# The admin REST API and console (HTTPS).
https_addr = "0.0.0.0:8443"
# Prometheus metrics and health checks (plain HTTP, local by default).
metrics_addr = "127.0.0.1:9696"
# "human" or "json" log lines, on standard error. RUST_LOG sets the level.
log_format = "human"
# Extra host names or IP addresses for the server certificate, besides
# localhost, 127.0.0.1, ::1 and this host's name (used when it is first made).
server_names = []
# How often the background rotator looks for keys whose rotation is due
# (Rotate Interval / x-coffer-rotate-interval), in seconds.
rotation_check_secs = 600
# The region labels a key store may be created in (the first is the default).
regions = ["local"]

[limits]
# The largest KMIP message, 8-byte header included.
max_message_bytes = 4194304
# The deepest nesting of TTLV structures.
max_depth = 16
# The most items one TTLV structure may hold.
max_items_per_structure = 4096
# The longest Text String, Byte String or Big Integer in a message.
max_field_bytes = 4194304
# The most batch items one request may carry.
max_batch_items = 256
# KMIP connections held at once; one more is closed as soon as it is accepted.
max_connections = 16384
# A message (or a TLS handshake) that has started must complete within this,
# and a client must take each reply within it.
read_timeout_secs = 10
# A connection with no message for this long is closed.
idle_timeout_secs = 300
# On SIGTERM, how long requests in flight may take before the server exits anyway.
shutdown_grace_secs = 30
"#;

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// One readable line per event.
    Human,
    /// One JSON object per line.
    Json,
}

/// The server's whole configuration, after every layer is applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    /// The data directory (SPEC §6 layout).
    pub data_dir: PathBuf,
    /// Where the KMIP listener binds.
    pub kmip_addr: SocketAddr,
    /// Where the HTTPS listener binds (not served yet).
    pub https_addr: SocketAddr,
    /// Where the metrics listener binds (not served yet).
    pub metrics_addr: SocketAddr,
    /// How log lines are written.
    pub log_format: LogFormat,
    /// Extra names for the server certificate.
    pub server_names: Vec<String>,
    /// The limits that protect the server.
    pub limits: Limits,
    /// How often the background rotator looks for due keys.
    pub rotation_check: Duration,
    /// The region labels a key store may be created in; never empty.
    pub regions: Vec<String>,
}

/// The limits that protect the server from a client (SPEC §5).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The largest KMIP message, header included, in bytes.
    pub max_message_bytes: usize,
    /// The deepest nesting of TTLV structures.
    pub max_depth: usize,
    /// The most items one structure may hold.
    pub max_items_per_structure: usize,
    /// The longest single field, in bytes.
    pub max_field_bytes: usize,
    /// The most batch items in one request.
    pub max_batch_items: usize,
    /// KMIP connections held at once.
    pub max_connections: usize,
    /// A started message or handshake must complete within this.
    pub read_timeout: Duration,
    /// A connection idle for this long between messages is closed.
    pub idle_timeout: Duration,
    /// How long shutdown waits for requests in flight.
    pub shutdown_grace: Duration,
}

impl Limits {
    /// The TTLV decoder's share of these limits.
    pub fn decode(&self) -> crate::ttlv::Limits {
        crate::ttlv::Limits {
            max_message_size: self.max_message_bytes,
            max_depth: self.max_depth,
            max_items_per_structure: self.max_items_per_structure,
            max_field_length: self.max_field_bytes,
        }
    }
}

impl Default for Config {
    fn default() -> Config {
        // The embedded defaults are a constant checked by a unit test; if they
        // ever failed to parse, fall back to the same values written out.
        Config::load(None, std::iter::empty(), &Overrides::default()).unwrap_or_else(|_| Config {
            data_dir: PathBuf::from("./coffer-data"),
            kmip_addr: SocketAddr::from(([0, 0, 0, 0], 5696)),
            https_addr: SocketAddr::from(([0, 0, 0, 0], 8443)),
            metrics_addr: SocketAddr::from(([127, 0, 0, 1], 9696)),
            log_format: LogFormat::Human,
            server_names: Vec::new(),
            rotation_check: Duration::from_secs(600),
            regions: vec!["local".to_owned()],
            limits: Limits {
                max_message_bytes: 4 << 20,
                max_depth: 16,
                max_items_per_structure: 4096,
                max_field_bytes: 4 << 20,
                max_batch_items: 256,
                max_connections: 16384,
                read_timeout: Duration::from_secs(10),
                idle_timeout: Duration::from_secs(300),
                shutdown_grace: Duration::from_secs(30),
            },
        })
    }
}

/// Values from command-line flags: the last layer, `None` where not given.
#[derive(Debug, Clone, Default)]
pub struct Overrides {
    /// `--data-dir`.
    pub data_dir: Option<PathBuf>,
    /// `--kmip-addr`.
    pub kmip_addr: Option<String>,
    /// `--https-addr`.
    pub https_addr: Option<String>,
    /// `--metrics-addr`.
    pub metrics_addr: Option<String>,
}

/// Why the configuration could not be built.
#[derive(Debug)]
pub enum ConfigError {
    /// The configuration file could not be read.
    Read {
        /// The file.
        path: PathBuf,
        /// What went wrong.
        source: std::io::Error,
    },
    /// A layer is not valid TOML, or a value has the wrong type or is out of range.
    Invalid {
        /// Which layer: the file's path, an environment variable, a flag.
        origin: String,
        /// What is wrong.
        message: String,
    },
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigError::Read { path, source } => write!(f, "cannot read {}: {source}", path.display()),
            ConfigError::Invalid { origin, message } => write!(f, "invalid configuration ({origin}): {message}"),
        }
    }
}

impl std::error::Error for ConfigError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ConfigError::Read { source, .. } => Some(source),
            ConfigError::Invalid { .. } => None,
        }
    }
}

/// The decoded form of the merged tables; unknown keys are refused.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Raw {
    data_dir: PathBuf,
    kmip_addr: String,
    https_addr: String,
    metrics_addr: String,
    log_format: LogFormat,
    server_names: Vec<String>,
    rotation_check_secs: u64,
    regions: Vec<String>,
    limits: RawLimits,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLimits {
    max_message_bytes: usize,
    max_depth: usize,
    max_items_per_structure: usize,
    max_field_bytes: usize,
    max_batch_items: usize,
    max_connections: usize,
    read_timeout_secs: u64,
    idle_timeout_secs: u64,
    shutdown_grace_secs: u64,
}

impl Config {
    /// Builds the configuration: the embedded defaults, then `file` (if
    /// any), then the `COFFER_*` variables among `env`, then `flags`.
    pub fn load(
        file: Option<&Path>,
        env: impl IntoIterator<Item = (String, String)>,
        flags: &Overrides,
    ) -> Result<Config, ConfigError> {
        let defaults: Table = DEFAULTS.parse().map_err(|e: toml::de::Error| invalid("embedded defaults", e))?;
        let mut merged = defaults.clone();

        if let Some(path) = file {
            let text =
                std::fs::read_to_string(path).map_err(|source| ConfigError::Read { path: path.to_owned(), source })?;
            let table: Table = text.parse().map_err(|e: toml::de::Error| invalid(&path.display().to_string(), e))?;
            merge(&mut merged, table);
        }

        let env_table = env_layer(&defaults, env)?;
        merge(&mut merged, env_table);

        let mut flag_table = Table::new();
        if let Some(dir) = &flags.data_dir {
            flag_table.insert("data_dir".into(), Value::String(dir.display().to_string()));
        }
        for (key, value) in
            [("kmip_addr", &flags.kmip_addr), ("https_addr", &flags.https_addr), ("metrics_addr", &flags.metrics_addr)]
        {
            if let Some(v) = value {
                flag_table.insert(key.into(), Value::String(v.clone()));
            }
        }
        merge(&mut merged, flag_table);

        let raw: Raw = merged.try_into().map_err(|e: toml::de::Error| invalid("merged configuration", e))?;
        raw.check()
    }
}

impl Raw {
    fn check(self) -> Result<Config, ConfigError> {
        let addr = |key: &str, v: &str| {
            v.parse::<SocketAddr>().map_err(|e| ConfigError::Invalid {
                origin: key.to_owned(),
                message: format!("{v:?} is not an address such as 127.0.0.1:5696: {e}"),
            })
        };
        let l = &self.limits;
        let positive = [
            ("limits.max_message_bytes", l.max_message_bytes),
            ("limits.max_depth", l.max_depth),
            ("limits.max_items_per_structure", l.max_items_per_structure),
            ("limits.max_field_bytes", l.max_field_bytes),
            ("limits.max_batch_items", l.max_batch_items),
            ("limits.max_connections", l.max_connections),
            ("limits.read_timeout_secs", usize::try_from(l.read_timeout_secs).unwrap_or(usize::MAX)),
            ("limits.idle_timeout_secs", usize::try_from(l.idle_timeout_secs).unwrap_or(usize::MAX)),
            ("rotation_check_secs", usize::try_from(self.rotation_check_secs).unwrap_or(usize::MAX)),
        ];
        for (key, value) in positive {
            if value == 0 {
                return Err(ConfigError::Invalid { origin: key.to_owned(), message: "must be at least 1".to_owned() });
            }
        }
        // A message shorter than its own header could never be read.
        if l.max_message_bytes < 8 {
            return Err(ConfigError::Invalid {
                origin: "limits.max_message_bytes".to_owned(),
                message: "must be at least 8".to_owned(),
            });
        }
        // Shutdown waits for every connection permit at once, a u32 count;
        // far beyond any file-descriptor limit anyway.
        if u32::try_from(l.max_connections).is_err() {
            return Err(ConfigError::Invalid {
                origin: "limits.max_connections".to_owned(),
                message: format!("must be at most {}", u32::MAX),
            });
        }
        if self.regions.is_empty() || self.regions.iter().any(|r| r.trim().is_empty() || r.len() > 64) {
            return Err(ConfigError::Invalid {
                origin: "regions".to_owned(),
                message: "must list at least one region, each 1 to 64 characters".to_owned(),
            });
        }
        Ok(Config {
            kmip_addr: addr("kmip_addr", &self.kmip_addr)?,
            https_addr: addr("https_addr", &self.https_addr)?,
            metrics_addr: addr("metrics_addr", &self.metrics_addr)?,
            data_dir: self.data_dir,
            log_format: self.log_format,
            server_names: self.server_names,
            rotation_check: Duration::from_secs(self.rotation_check_secs),
            regions: self.regions,
            limits: Limits {
                max_message_bytes: l.max_message_bytes,
                max_depth: l.max_depth,
                max_items_per_structure: l.max_items_per_structure,
                max_field_bytes: l.max_field_bytes,
                max_batch_items: l.max_batch_items,
                max_connections: l.max_connections,
                read_timeout: Duration::from_secs(l.read_timeout_secs),
                idle_timeout: Duration::from_secs(l.idle_timeout_secs),
                shutdown_grace: Duration::from_secs(l.shutdown_grace_secs),
            },
        })
    }
}

fn invalid(origin: &str, e: toml::de::Error) -> ConfigError {
    ConfigError::Invalid { origin: origin.to_owned(), message: e.message().to_owned() }
}

/// Overlays `top` onto `base`, descending into tables present in both.
fn merge(base: &mut Table, top: Table) {
    for (key, value) in top {
        match (base.get_mut(&key), value) {
            (Some(Value::Table(b)), Value::Table(t)) => merge(b, t),
            (_, value) => {
                base.insert(key, value);
            }
        }
    }
}

/// The `COFFER_*` variables that name a key of the defaults, as a table.
/// The value is read as the type the default has, so that
/// `COFFER_DATA_DIR=123` stays a path and `COFFER_LIMITS_MAX_DEPTH=8` a number.
/// Other `COFFER_*` variables (`COFFER_TOKEN`, `COFFER_ADDR`, used by the admin
/// commands) are not configuration keys and are left alone.
fn env_layer(defaults: &Table, env: impl IntoIterator<Item = (String, String)>) -> Result<Table, ConfigError> {
    let mut keys = Vec::new();
    collect_keys(defaults, &mut Vec::new(), &mut keys);
    let mut table = Table::new();
    for (name, text) in env {
        let Some((path, default)) = keys.iter().find(|(path, _)| env_name(path) == name) else {
            continue;
        };
        let value = typed_like(default, &text).ok_or_else(|| ConfigError::Invalid {
            origin: name.clone(),
            message: format!("{text:?} is not a {}", default.type_str()),
        })?;
        insert_path(&mut table, path, value);
    }
    Ok(table)
}

fn collect_keys<'a>(table: &'a Table, prefix: &mut Vec<&'a str>, out: &mut Vec<(Vec<&'a str>, &'a Value)>) {
    for (key, value) in table {
        prefix.push(key);
        match value {
            Value::Table(inner) => collect_keys(inner, prefix, out),
            leaf => out.push((prefix.clone(), leaf)),
        }
        prefix.pop();
    }
}

fn env_name(path: &[&str]) -> String {
    format!("COFFER_{}", path.join("_").to_ascii_uppercase())
}

fn typed_like(default: &Value, text: &str) -> Option<Value> {
    match default {
        Value::String(_) => Some(Value::String(text.to_owned())),
        Value::Integer(_) => text.trim().parse().ok().map(Value::Integer),
        Value::Float(_) => text.trim().parse().ok().map(Value::Float),
        Value::Boolean(_) => text.trim().parse().ok().map(Value::Boolean),
        // A list is written comma-separated: COFFER_SERVER_NAMES=kms.example,10.0.0.5
        Value::Array(_) => Some(Value::Array(
            text.split(',').map(str::trim).filter(|s| !s.is_empty()).map(|s| Value::String(s.to_owned())).collect(),
        )),
        Value::Datetime(_) | Value::Table(_) => None,
    }
}

fn insert_path(table: &mut Table, path: &[&str], value: Value) {
    match path {
        [] => {}
        [last] => {
            table.insert((*last).to_owned(), value);
        }
        [first, rest @ ..] => {
            let entry = table.entry((*first).to_owned()).or_insert_with(|| Value::Table(Table::new()));
            if let Value::Table(inner) = entry {
                insert_path(inner, rest, value);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
    }

    #[test]
    fn embedded_defaults_are_the_documented_values() {
        let c = Config::load(None, env(&[]), &Overrides::default()).unwrap();
        assert_eq!(c.data_dir, PathBuf::from("./coffer-data"));
        assert_eq!(c.kmip_addr, "0.0.0.0:5696".parse().unwrap());
        assert_eq!(c.https_addr, "0.0.0.0:8443".parse().unwrap());
        assert_eq!(c.metrics_addr, "127.0.0.1:9696".parse().unwrap());
        assert_eq!(c.limits.max_message_bytes, 4 << 20);
        assert_eq!(c.limits.max_batch_items, 256);
        assert_eq!(c.limits.max_connections, 16384);
        assert_eq!(c.limits.read_timeout, Duration::from_secs(10));
        assert_eq!(c.limits.idle_timeout, Duration::from_secs(300));
        assert_eq!(c, Config::default());
    }

    #[test]
    fn file_then_env_then_flags_each_win_over_the_one_before() {
        let dir = std::env::temp_dir().join(format!("coffer-config-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("coffer.toml");
        std::fs::write(
            &file,
            "kmip_addr = \"127.0.0.1:1111\"\nhttps_addr = \"127.0.0.1:2222\"\n[limits]\nread_timeout_secs = 3\nmax_depth = 9\n",
        )
        .unwrap();
        let c = Config::load(
            Some(&file),
            env(&[
                ("COFFER_HTTPS_ADDR", "127.0.0.1:3333"),
                ("COFFER_LIMITS_MAX_DEPTH", "7"),
                ("COFFER_TOKEN", "not a config key"),
                ("COFFER_SERVER_NAMES", "kms.example, 10.0.0.5"),
            ]),
            &Overrides { kmip_addr: Some("127.0.0.1:0".into()), ..Overrides::default() },
        )
        .unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(c.kmip_addr, "127.0.0.1:0".parse().unwrap(), "flag over file");
        assert_eq!(c.https_addr, "127.0.0.1:3333".parse().unwrap(), "env over file");
        assert_eq!(c.limits.read_timeout, Duration::from_secs(3), "file over defaults");
        assert_eq!(c.limits.max_depth, 7, "env over file");
        assert_eq!(c.limits.idle_timeout, Duration::from_secs(300), "untouched default");
        assert_eq!(c.server_names, vec!["kms.example".to_owned(), "10.0.0.5".to_owned()]);
    }

    #[test]
    fn bad_values_name_where_they_came_from() {
        let e =
            Config::load(None, env(&[("COFFER_LIMITS_READ_TIMEOUT_SECS", "soon")]), &Overrides::default()).unwrap_err();
        assert!(e.to_string().contains("COFFER_LIMITS_READ_TIMEOUT_SECS"), "{e}");
        let e = Config::load(None, env(&[("COFFER_KMIP_ADDR", "localhost")]), &Overrides::default()).unwrap_err();
        assert!(e.to_string().contains("kmip_addr"), "{e}");
        let e = Config::load(None, env(&[("COFFER_LIMITS_MAX_CONNECTIONS", "0")]), &Overrides::default()).unwrap_err();
        assert!(e.to_string().contains("max_connections"), "{e}");
    }

    #[test]
    fn unknown_keys_in_the_file_are_refused() {
        let dir = std::env::temp_dir().join(format!("coffer-config-unknown-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("coffer.toml");
        std::fs::write(&file, "[limits]\nread_timeout = 3\n").unwrap();
        let e = Config::load(Some(&file), env(&[]), &Overrides::default()).unwrap_err();
        std::fs::remove_dir_all(&dir).unwrap();
        assert!(e.to_string().contains("read_timeout"), "{e}");
    }
}
