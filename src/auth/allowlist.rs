//! Allowlists: which peer addresses (IPv4 / IPv6 addresses and CIDR ranges)
//! and which MAC addresses a key store lets in, and how its enabled
//! authentication methods combine (SPEC §1, issue 5).
//!
//! The certificate is always verified by TLS before a request gets here, so
//! the certificate method always passes; IP and MAC each pass or fail on
//! their own, and the store combines the enabled ones with AND (the default:
//! every one must pass) or OR (one suffices). A store that enables no method
//! at all still requires the TLS certificate, and admits it.
//!
//! A MAC only means something for an on-link peer (the kernel learns it
//! from ARP / NDP, see [`super::neighbours`]) and can be spoofed by anyone on
//! that link: it narrows certificate authentication, it never replaces it.
//!
//! A refusal names the method(s) that failed and the peer's own address,
//! never the list's entries: the client learns nothing it did not know.

use std::fmt;
use std::net::IpAddr;
use std::str::FromStr;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, RwLock};
use std::time::{SystemTime, UNIX_EPOCH};

use ipnet::IpNet;

pub use crate::keystores::Combine;
use crate::keystores::{AllowRule, KeyStore};

/// A MAC (EUI-48) address.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Mac(pub [u8; 6]);

impl FromStr for Mac {
    type Err = AllowlistError;

    /// `aa:bb:cc:dd:ee:ff` or `aa-bb-cc-dd-ee-ff`, any case; each group is
    /// exactly two hex digits, one separator kind throughout.
    fn from_str(text: &str) -> Result<Mac, AllowlistError> {
        let bad = || AllowlistError::Mac(text.chars().take(64).collect());
        let text_trimmed = text.trim();
        let separator = if text_trimmed.contains(':') { ':' } else { '-' };
        let mut out = [0u8; 6];
        let mut groups = text_trimmed.split(separator);
        for byte in out.iter_mut() {
            let group = groups.next().ok_or_else(bad)?;
            if group.len() != 2 || !group.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err(bad());
            }
            *byte = u8::from_str_radix(group, 16).map_err(|_| bad())?;
        }
        if groups.next().is_some() {
            return Err(bad());
        }
        Ok(Mac(out))
    }
}

impl fmt::Display for Mac {
    /// Lower case, colon separated: the form `ip neigh` and /proc/net/arp print.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let [a, b, c, d, e, g] = self.0;
        write!(f, "{a:02x}:{b:02x}:{c:02x}:{d:02x}:{e:02x}:{g:02x}")
    }
}

impl fmt::Debug for Mac {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Mac({self})")
    }
}

/// An allowlist entry or a MAC that cannot be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AllowlistError {
    /// Not `aa:bb:cc:dd:ee:ff` / `aa-bb-cc-dd-ee-ff`.
    Mac(String),
    /// Not an IPv4 / IPv6 address or CIDR range.
    Ip(String),
    /// A CIDR range with bits set below its prefix (`10.1.2.3/8`): almost
    /// always a typing mistake, so it is refused with the range meant.
    HostBits {
        /// What was given.
        given: String,
        /// The network it probably meant.
        network: IpNet,
    },
}

impl fmt::Display for AllowlistError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AllowlistError::Mac(m) => {
                write!(f, "{m:?} is not a MAC address (six hex pairs, aa:bb:cc:dd:ee:ff or aa-bb-cc-dd-ee-ff)")
            }
            AllowlistError::Ip(m) => write!(f, "{m:?} is not an IPv4 or IPv6 address or CIDR range"),
            AllowlistError::HostBits { given, network } => {
                write!(f, "{given:?} has bits set below its prefix length; did you mean {network}?")
            }
        }
    }
}

impl std::error::Error for AllowlistError {}

/// Reads an IP allowlist entry: an address (`192.0.2.7`, `2001:db8::1`: a
/// /32 or /128) or a CIDR range (`192.0.2.0/24`, `2001:db8::/32`).
pub fn parse_ip(text: &str) -> Result<IpNet, AllowlistError> {
    let text = text.trim();
    let bad = || AllowlistError::Ip(text.chars().take(64).collect());
    if text.contains('/') {
        let net = IpNet::from_str(text).map_err(|_| bad())?;
        if net.trunc() != net {
            return Err(AllowlistError::HostBits { given: text.to_owned(), network: net.trunc() });
        }
        Ok(net)
    } else {
        IpAddr::from_str(text).map(IpNet::from).map_err(|_| bad())
    }
}

/// The address a peer really has: an IPv4-mapped IPv6 address
/// (`::ffff:192.0.2.7`, what a dual-stack `[::]` listener reports for an
/// IPv4 client) is that IPv4 address.
pub fn canonical(addr: IpAddr) -> IpAddr {
    match addr {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(addr, IpAddr::V4),
        v4 => v4,
    }
}

/// Whether `net` covers `peer`, mapped addresses being their IPv4 selves
/// (so an IPv4 entry matches a mapped peer, and a mapped IPv6 entry an
/// IPv4 peer).
pub fn net_contains(net: &IpNet, peer: IpAddr) -> bool {
    let peer = canonical(peer);
    if net.contains(&peer) {
        return true;
    }
    match (net, peer) {
        (IpNet::V6(v6), IpAddr::V4(v4)) => v6.contains(&v4.to_ipv6_mapped()),
        _ => false,
    }
}

/// A check that can refuse a client.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Method {
    /// The peer's IP address against the IP allowlist.
    Ip,
    /// The peer's MAC address (from the neighbour table) against the MAC allowlist.
    Mac,
    /// The Network Identifier of a KMIP Device credential against the peer's MAC.
    DeviceNetworkIdentifier,
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Method::Ip => "IP address allowlist",
            Method::Mac => "MAC address allowlist",
            Method::DeviceNetworkIdentifier => "Device credential Network Identifier",
        })
    }
}

/// Why a client was refused: the methods that failed, in check order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Refusal {
    /// Each failed method, at most once.
    pub failed: Vec<Method>,
}

impl Refusal {
    fn of(method: Method) -> Refusal {
        Refusal { failed: vec![method] }
    }

    /// The Result Message a refused client gets: its own address, the store
    /// and which check failed; never an entry of the list.
    pub fn message(&self, peer: IpAddr, keystore: &str) -> String {
        refusal_message(&canonical(peer).to_string(), keystore, &self.failed)
    }
}

/// The Result Message of a refusal: `address` (the peer's, as the client
/// knows it), the key store's name and the failed methods.
pub fn refusal_message(address: &str, keystore: &str, failed: &[Method]) -> String {
    if failed == [Method::DeviceNetworkIdentifier] {
        return format!(
            "address {address} is not allowed by key store {keystore}: the Device credential's Network \
             Identifier does not match the connection's MAC address"
        );
    }
    let methods = failed.iter().map(Method::to_string).collect::<Vec<_>>();
    format!("address {address} is not allowed by key store {keystore} (failed: {})", methods.join(" and "))
}

/// A key store's methods and allowlist, compiled for matching; built again
/// whenever the store's policy changes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Allowlist {
    /// Bumped on every change of the key store: a connection looks its
    /// peer's MAC up again when this differs from its last lookup.
    pub generation: u64,
    /// The certificate method is enabled (TLS has always verified it by now).
    pub certificate: bool,
    /// The IP method is enabled.
    pub ip: bool,
    /// The MAC method is enabled.
    pub mac: bool,
    /// How the enabled methods combine.
    pub combine: Combine,
    /// The IP entries.
    pub nets: Vec<IpNet>,
    /// The MAC entries.
    pub macs: Vec<Mac>,
}

impl Allowlist {
    /// The policy and entries of `keystore`, as generation `generation`.
    pub fn compile(keystore: &KeyStore, generation: u64) -> Allowlist {
        let mut nets = Vec::new();
        let mut macs = Vec::new();
        for entry in &keystore.allowlist {
            match entry.rule {
                AllowRule::Ip(net) => nets.push(net),
                AllowRule::Mac(mac) => macs.push(Mac(mac)),
            }
        }
        let auth = keystore.auth;
        Allowlist {
            generation,
            certificate: auth.certificate,
            ip: auth.ip,
            mac: auth.mac,
            combine: auth.combine,
            nets,
            macs,
        }
    }

    /// Whether a connection's admission needs the peer's MAC (so the
    /// neighbour table is read only for stores that use it).
    pub fn needs_mac(&self) -> bool {
        self.mac
    }

    /// Whether this policy can refuse anyone (certificate only: it cannot).
    pub fn restricts(&self) -> bool {
        self.ip || self.mac
    }

    /// The connection-level verdict: `peer` and its MAC (`None`: no
    /// neighbour entry, i.e. not on-link, loopback, or not looked up).
    pub fn check(&self, peer: IpAddr, peer_mac: Option<Mac>) -> Result<(), Refusal> {
        let mut outcomes: Vec<(Method, bool)> = Vec::with_capacity(2);
        if self.ip {
            outcomes.push((Method::Ip, self.nets.iter().any(|n| net_contains(n, peer))));
        }
        if self.mac {
            outcomes.push((Method::Mac, peer_mac.is_some_and(|m| self.macs.contains(&m))));
        }
        let passed = match self.combine {
            // Vacuous for no method: the TLS certificate was still verified.
            Combine::And => outcomes.iter().all(|(_, ok)| *ok),
            Combine::Or => self.certificate || outcomes.is_empty() || outcomes.iter().any(|(_, ok)| *ok),
        };
        if passed {
            return Ok(());
        }
        Err(Refusal { failed: outcomes.iter().filter(|(_, ok)| !ok).map(|(m, _)| *m).collect() })
    }

    /// The per-request check of a KMIP Device credential's Network
    /// Identifier, where the client sent one: it must be the MAC the kernel
    /// saw for this connection. A mismatch always refuses (the client
    /// claims to be a device it is not); an identifier that cannot be
    /// compared (not a MAC, or the peer is not on-link) refuses only when
    /// the store enables the MAC method, since then it is a claim that
    /// the store relies on.
    pub fn check_device(&self, network_identifier: Option<&str>, peer_mac: Option<Mac>) -> Result<(), Refusal> {
        let Some(claimed) = network_identifier else { return Ok(()) };
        let claimed = Mac::from_str(claimed).ok();
        let ok = match (claimed, peer_mac) {
            (Some(c), Some(p)) => c == p,
            _ => !self.mac,
        };
        if ok {
            Ok(())
        } else {
            Err(Refusal::of(Method::DeviceNetworkIdentifier))
        }
    }
}

/// A key store's allowlist as the KMIP path reads it: one atomic load for a
/// store that restricts nothing (certificate only), the compiled
/// [`Allowlist`] under a read lock otherwise; and its refusal counters.
#[derive(Debug, Default)]
pub struct Access {
    restricts: AtomicBool,
    generation: AtomicU64,
    current: RwLock<Arc<Allowlist>>,
    /// Requests this key store refused, by failed method.
    pub refusals: RefusalCounters,
}

impl Access {
    /// The access rules of `keystore`.
    pub fn new(keystore: &KeyStore) -> Access {
        let access = Access::default();
        access.update(keystore);
        access
    }

    /// Takes `keystore`'s current policy and entries (every admin change
    /// calls this): a new generation.
    pub fn update(&self, keystore: &KeyStore) {
        let generation = self.generation.fetch_add(1, Ordering::AcqRel).wrapping_add(1);
        let list = Allowlist::compile(keystore, generation);
        let restricts = list.restricts();
        *self.current.write().unwrap_or_else(std::sync::PoisonError::into_inner) = Arc::new(list);
        self.restricts.store(restricts, Ordering::Release);
    }

    /// Whether the IP or MAC method is enabled (one atomic load).
    pub fn restricts(&self) -> bool {
        self.restricts.load(Ordering::Acquire)
    }

    /// The compiled policy now.
    pub fn policy(&self) -> Arc<Allowlist> {
        Arc::clone(&self.current.read().unwrap_or_else(std::sync::PoisonError::into_inner))
    }
}

/// Refusals of one key store, by method: atomics, so the KMIP path counts
/// without a lock and the REST API reads them at any time.
#[derive(Debug, Default)]
pub struct RefusalCounters {
    /// Requests refused (each refused request counts once).
    pub total: AtomicU64,
    /// Refusals in which the IP method failed.
    pub ip: AtomicU64,
    /// Refusals in which the MAC method failed.
    pub mac: AtomicU64,
    /// Refusals for a Device credential's Network Identifier.
    pub device: AtomicU64,
}

/// A snapshot of [`RefusalCounters`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct RefusalCounts {
    /// Requests refused.
    pub total: u64,
    /// ... in which the IP method failed.
    pub ip: u64,
    /// ... in which the MAC method failed.
    pub mac: u64,
    /// ... for a Device credential's Network Identifier.
    pub device: u64,
}

impl RefusalCounters {
    /// Counts one refused request.
    pub fn count(&self, refusal: &Refusal) {
        self.total.fetch_add(1, Ordering::Relaxed);
        for m in &refusal.failed {
            let counter = match m {
                Method::Ip => &self.ip,
                Method::Mac => &self.mac,
                Method::DeviceNetworkIdentifier => &self.device,
            };
            counter.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// The counts now.
    pub fn snapshot(&self) -> RefusalCounts {
        RefusalCounts {
            total: self.total.load(Ordering::Relaxed),
            ip: self.ip.load(Ordering::Relaxed),
            mac: self.mac.load(Ordering::Relaxed),
            device: self.device.load(Ordering::Relaxed),
        }
    }
}

/// Lets through at most `per_second` log lines a second, so that a flood of
/// refused requests cannot fill the log; the lines held back are counted
/// and reported with the next line that goes through.
#[derive(Debug)]
pub struct LogLimiter {
    per_second: u64,
    /// The current one-second window (seconds since the epoch).
    window: AtomicU64,
    /// Lines let through in it.
    used: AtomicU64,
    /// Lines held back since the last line let through.
    suppressed: AtomicU64,
}

impl LogLimiter {
    /// A limiter letting `per_second` lines through each second.
    pub const fn new(per_second: u64) -> LogLimiter {
        LogLimiter { per_second, window: AtomicU64::new(0), used: AtomicU64::new(0), suppressed: AtomicU64::new(0) }
    }

    /// `Some(n)` if this line may be logged, `n` being how many were held
    /// back before it; `None` if it must not.
    pub fn allow(&self) -> Option<u64> {
        let now = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_secs());
        self.allow_at(now)
    }

    fn allow_at(&self, now: u64) -> Option<u64> {
        let window = self.window.load(Ordering::Relaxed);
        if now != window && self.window.compare_exchange(window, now, Ordering::Relaxed, Ordering::Relaxed).is_ok() {
            self.used.store(0, Ordering::Relaxed);
        }
        if self.used.fetch_add(1, Ordering::Relaxed) < self.per_second {
            Some(self.suppressed.swap(0, Ordering::Relaxed))
        } else {
            self.suppressed.fetch_add(1, Ordering::Relaxed);
            None
        }
    }
}

#[cfg(test)]
mod tests {
    use std::net::{Ipv4Addr, Ipv6Addr};

    use super::*;

    fn mac(text: &str) -> Mac {
        text.parse().unwrap()
    }

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn macs_are_read_with_colons_or_dashes_in_any_case_and_printed_lower_case_with_colons() {
        let m = Mac([0xaa, 0xbb, 0x0c, 0xdd, 0xee, 0x0f]);
        assert_eq!(mac("aa:bb:0c:dd:ee:0f"), m);
        assert_eq!(mac("AA-BB-0C-DD-EE-0F"), m);
        assert_eq!(mac(" Aa:bB:0c:Dd:eE:0F "), m);
        assert_eq!(m.to_string(), "aa:bb:0c:dd:ee:0f");
        assert_eq!(mac(&m.to_string()), m);
    }

    #[test]
    fn malformed_macs_are_refused() {
        for bad in [
            "",
            "aa:bb:cc:dd:ee",
            "aa:bb:cc:dd:ee:ff:00",
            "aa:bb:cc:dd:ee:f",
            "aa:bb:cc:dd:ee:fff",
            "aa:bb-cc:dd:ee:ff",
            "aabbccddeeff",
            "aa:bb:cc:dd:ee:gg",
            "+a:bb:cc:dd:ee:ff",
            "aa::bb:cc:dd:ee",
        ] {
            assert_eq!(Mac::from_str(bad), Err(AllowlistError::Mac(bad.to_owned())), "{bad:?}");
        }
    }

    #[test]
    fn ip_entries_are_addresses_or_cidr_ranges_without_host_bits() {
        assert_eq!(parse_ip("192.0.2.7").unwrap(), "192.0.2.7/32".parse::<IpNet>().unwrap());
        assert_eq!(parse_ip("2001:db8::1").unwrap(), "2001:db8::1/128".parse::<IpNet>().unwrap());
        assert_eq!(parse_ip("10.0.0.0/8").unwrap().to_string(), "10.0.0.0/8");
        assert_eq!(parse_ip(" fd00::/8 ").unwrap().to_string(), "fd00::/8");
        assert_eq!(
            parse_ip("10.1.2.3/8"),
            Err(AllowlistError::HostBits { given: "10.1.2.3/8".into(), network: "10.0.0.0/8".parse().unwrap() })
        );
        for bad in ["", "10.0.0", "10.0.0.0/33", "fd00::/129", "host.example", "10.0.0.0/", "/8"] {
            assert!(matches!(parse_ip(bad), Err(AllowlistError::Ip(_))), "{bad:?}");
        }
    }

    #[test]
    fn cidr_ranges_cover_their_addresses_only() {
        let v4 = parse_ip("192.0.2.0/24").unwrap();
        assert!(net_contains(&v4, ip("192.0.2.0")));
        assert!(net_contains(&v4, ip("192.0.2.255")));
        assert!(!net_contains(&v4, ip("192.0.3.0")));
        assert!(!net_contains(&v4, ip("192.0.1.255")));
        let v6 = parse_ip("2001:db8:1::/48").unwrap();
        assert!(net_contains(&v6, ip("2001:db8:1:ffff::1")));
        assert!(!net_contains(&v6, ip("2001:db8:2::1")));
        assert!(!net_contains(&v6, ip("192.0.2.1")), "an IPv6 range does not cover an IPv4 peer");
        assert!(!net_contains(&v4, ip("2001:db8::1")));
        let host = parse_ip("192.0.2.7").unwrap();
        assert!(net_contains(&host, ip("192.0.2.7")));
        assert!(!net_contains(&host, ip("192.0.2.8")));
    }

    #[test]
    fn ipv4_mapped_ipv6_peers_match_ipv4_entries() {
        let mapped = IpAddr::V6(Ipv4Addr::new(192, 0, 2, 7).to_ipv6_mapped());
        assert_eq!(mapped, ip("::ffff:192.0.2.7"));
        assert_eq!(canonical(mapped), ip("192.0.2.7"));
        assert!(net_contains(&parse_ip("192.0.2.0/24").unwrap(), mapped));
        assert!(!net_contains(&parse_ip("192.0.3.0/24").unwrap(), mapped));
        // A mapped entry, written the IPv6 way, covers the IPv4 peer too.
        assert!(net_contains(&parse_ip("::ffff:192.0.2.0/120").unwrap(), ip("192.0.2.9")));
        // An IPv4-compatible (deprecated ::a.b.c.d) or plain IPv6 peer is not mapped.
        assert_eq!(canonical(ip("::192.0.2.7")), ip("::192.0.2.7"));
        assert_eq!(canonical(IpAddr::V6(Ipv6Addr::LOCALHOST)), IpAddr::V6(Ipv6Addr::LOCALHOST));
    }

    const GOOD_IP: &str = "10.20.30.40";
    const BAD_IP: &str = "10.20.31.40";
    const GOOD_MAC: Mac = Mac([2, 0, 0, 0, 0, 1]);
    const BAD_MAC: Mac = Mac([2, 0, 0, 0, 0, 2]);

    fn policy(certificate: bool, ip_on: bool, mac_on: bool, combine: Combine) -> Allowlist {
        Allowlist {
            generation: 1,
            certificate,
            ip: ip_on,
            mac: mac_on,
            combine,
            nets: vec![parse_ip("10.20.30.0/24").unwrap(), parse_ip("2001:db8::/32").unwrap()],
            macs: vec![GOOD_MAC, mac("02:00:00:00:00:09")],
        }
    }

    /// Every combination of enabled methods, combiner and pass / fail of IP
    /// and MAC, against the rule written out: AND = every enabled method
    /// passes; OR = one passes (the certificate always does); no method
    /// enabled = admitted.
    #[test]
    fn and_or_truth_table() {
        for certificate in [false, true] {
            for ip_on in [false, true] {
                for mac_on in [false, true] {
                    for combine in [Combine::And, Combine::Or] {
                        for ip_ok in [false, true] {
                            for mac_ok in [false, true] {
                                let p = policy(certificate, ip_on, mac_on, combine);
                                let peer = ip(if ip_ok { GOOD_IP } else { BAD_IP });
                                let peer_mac = if mac_ok { GOOD_MAC } else { BAD_MAC };
                                let mut enabled = vec![];
                                if certificate {
                                    enabled.push(true);
                                }
                                if ip_on {
                                    enabled.push(ip_ok);
                                }
                                if mac_on {
                                    enabled.push(mac_ok);
                                }
                                let expected = enabled.is_empty()
                                    || match combine {
                                        Combine::And => enabled.iter().all(|x| *x),
                                        Combine::Or => enabled.iter().any(|x| *x),
                                    };
                                let got = p.check(peer, Some(peer_mac));
                                let case =
                                    format!("cert={certificate} ip={ip_on}/{ip_ok} mac={mac_on}/{mac_ok} {combine:?}");
                                assert_eq!(got.is_ok(), expected, "{case}");
                                if let Err(r) = got {
                                    // Exactly the enabled methods that failed are named.
                                    let mut failed = vec![];
                                    if ip_on && !ip_ok {
                                        failed.push(Method::Ip);
                                    }
                                    if mac_on && !mac_ok {
                                        failed.push(Method::Mac);
                                    }
                                    assert_eq!(r.failed, failed, "{case}");
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn a_peer_without_a_neighbour_entry_fails_a_mac_rule() {
        let p = policy(true, false, true, Combine::And);
        assert_eq!(p.check(ip(GOOD_IP), None), Err(Refusal::of(Method::Mac)));
        assert!(p.check(ip(GOOD_IP), Some(GOOD_MAC)).is_ok());
        // ... and, under OR, passes through its IP.
        let p = policy(false, true, true, Combine::Or);
        assert!(p.check(ip(GOOD_IP), None).is_ok());
        assert_eq!(p.check(ip(BAD_IP), None), Err(Refusal { failed: vec![Method::Ip, Method::Mac] }));
    }

    #[test]
    fn an_empty_list_under_an_enabled_method_admits_nobody() {
        let p = Allowlist { certificate: true, ip: true, ..Allowlist::default() };
        assert_eq!(p.check(ip(GOOD_IP), Some(GOOD_MAC)), Err(Refusal::of(Method::Ip)));
    }

    #[test]
    fn ipv6_and_mapped_peers_are_checked_against_the_list() {
        let p = policy(true, true, false, Combine::And);
        assert!(p.check(ip("2001:db8:5::1"), None).is_ok());
        assert!(p.check(ip("2001:db9::1"), None).is_err());
        assert!(p.check(ip("::ffff:10.20.30.99"), None).is_ok());
        assert!(p.check(ip("::ffff:10.20.31.99"), None).is_err());
    }

    #[test]
    fn a_device_credential_must_name_the_connections_mac() {
        let mac_off = policy(true, false, false, Combine::And);
        let mac_on = policy(true, false, true, Combine::And);
        let refused = Err(Refusal::of(Method::DeviceNetworkIdentifier));
        for p in [&mac_off, &mac_on] {
            assert!(p.check_device(None, Some(GOOD_MAC)).is_ok(), "no Device credential: nothing to check");
            assert!(p.check_device(Some("02-00-00-00-00-01"), Some(GOOD_MAC)).is_ok());
            assert!(p.check_device(Some("02:00:00:00:00:01"), Some(GOOD_MAC)).is_ok());
            assert_eq!(p.check_device(Some("02:00:00:00:00:02"), Some(GOOD_MAC)), refused, "a false claim");
        }
        // What cannot be compared counts only where the store relies on MACs.
        assert!(mac_off.check_device(Some("02:00:00:00:00:01"), None).is_ok());
        assert!(mac_off.check_device(Some("eth0"), Some(GOOD_MAC)).is_ok());
        assert_eq!(mac_on.check_device(Some("02:00:00:00:00:01"), None), refused);
        assert_eq!(mac_on.check_device(Some("eth0"), Some(GOOD_MAC)), refused);
    }

    #[test]
    fn refusal_messages_name_the_peer_the_store_and_the_failed_method_but_no_entry() {
        let p = policy(true, true, true, Combine::Or);
        let peer = ip("::ffff:10.20.31.40");
        let r = policy(false, true, true, Combine::Or).check(peer, None).unwrap_err();
        let m = r.message(peer, "payments");
        assert_eq!(
            m,
            "address 10.20.31.40 is not allowed by key store payments \
             (failed: IP address allowlist and MAC address allowlist)"
        );
        let r = policy(true, true, false, Combine::And).check(ip(BAD_IP), None).unwrap_err();
        assert_eq!(
            r.message(ip(BAD_IP), "hr"),
            "address 10.20.31.40 is not allowed by key store hr (failed: IP address allowlist)"
        );
        let d = p.check_device(Some("02:00:00:00:00:02"), Some(GOOD_MAC)).unwrap_err();
        let m = d.message(ip(GOOD_IP), "hr");
        assert!(m.starts_with("address 10.20.30.40 is not allowed by key store hr: the Device credential"), "{m}");
        for entry in ["10.20.30.0", "2001:db8", "02:00:00:00:00:01", "02:00:00:00:00:09"] {
            assert!(!m.contains(entry) && !r.message(ip(BAD_IP), "hr").contains(entry));
        }
    }

    #[test]
    fn refusals_are_counted_per_method() {
        let c = RefusalCounters::default();
        c.count(&Refusal { failed: vec![Method::Ip, Method::Mac] });
        c.count(&Refusal::of(Method::DeviceNetworkIdentifier));
        c.count(&Refusal::of(Method::Mac));
        assert_eq!(c.snapshot(), RefusalCounts { total: 3, ip: 1, mac: 2, device: 1 });
    }

    #[test]
    fn the_log_limiter_lets_a_few_lines_a_second_through_and_counts_the_rest() {
        let l = LogLimiter::new(3);
        assert_eq!((0..5).map(|_| l.allow_at(100)).collect::<Vec<_>>(), [Some(0), Some(0), Some(0), None, None]);
        // The next second: the first line reports the two held back.
        assert_eq!(l.allow_at(101), Some(2));
        assert_eq!(l.allow_at(101), Some(0));
    }
}

/// Admission through the real registry: the allowlist as `auth::admit`
/// applies it to an identified client, per request.
#[cfg(test)]
mod admission_tests {
    use std::net::SocketAddr;

    use openssl::x509::X509;

    use super::*;
    use crate::auth::{admit, ClientIdentity, Refusal as Refused};
    use crate::keystores::{AuthPolicy, Registry, RegistryOptions, DEFAULT_KEYSTORE_ID};
    use crate::kmip::message::{Authentication, Credential, DeviceCredential, RequestHeader};
    use crate::kmip::version::ProtocolVersion;
    use crate::pki::{Ca, Validity};
    use crate::store::{MasterKey, Store, StoreOptions};

    async fn registry() -> (Registry, Vec<u8>) {
        let ca = Ca::generate("coffer test CA", 30).unwrap();
        let client = ca.issue_client("default", "default", Validity::days_from_now(30)).unwrap();
        let options = RegistryOptions {
            regions: vec!["local".into()],
            server_ca_pem: ca.cert_pem().unwrap(),
            default_ca: Some((ca.cert_pem().unwrap(), ca.key_pem().unwrap())),
            default_client_pem: Some(client.cert_pem.clone()),
            kmip_addr: ([127, 0, 0, 1], 5696).into(),
        };
        let store = Store::in_memory(MasterKey::from_bytes(&[0x24; 32]).unwrap(), StoreOptions::default()).unwrap();
        let registry = Registry::open(store, options).await.unwrap();
        let der = X509::from_pem(&client.cert_pem).unwrap().to_der().unwrap();
        (registry, der)
    }

    fn header(network_identifier: Option<&str>) -> RequestHeader {
        let mut h = RequestHeader::new(ProtocolVersion::V1_4, 1);
        h.authentication = network_identifier.map(|n| Authentication {
            credentials: vec![Credential::Device(DeviceCredential {
                device_serial_number: Some("SN-1".into()),
                password: None,
                device_identifier: None,
                network_identifier: Some(n.into()),
                machine_identifier: None,
                media_identifier: None,
            })],
        });
        h
    }

    fn client(registry: &Registry, der: &[u8], peer: &str) -> ClientIdentity {
        let peer: SocketAddr = peer.parse().unwrap();
        ClientIdentity::from_handle(peer, registry.identify(der).unwrap())
    }

    fn policy(ip: bool, mac: bool, combine: Combine) -> AuthPolicy {
        AuthPolicy { certificate: true, ip, mac, combine }
    }

    #[tokio::test]
    async fn an_address_outside_the_ip_allowlist_is_refused_on_its_next_request_and_counted() {
        let (registry, der) = registry().await;
        let inside = client(&registry, &der, "10.1.2.3:40000");
        let mapped = client(&registry, &der, "[::ffff:10.1.2.4]:40000");
        let outside = client(&registry, &der, "192.0.2.9:40000");
        // Certificate only (the default): anyone with the certificate.
        for c in [&inside, &mapped, &outside] {
            assert_eq!(admit(c, &header(None), 1).await, Ok(()));
        }
        registry
            .add_allow_entry(DEFAULT_KEYSTORE_ID, AllowRule::Ip(parse_ip("10.0.0.0/8").unwrap()), "lan")
            .await
            .unwrap();
        registry.set_auth_policy(DEFAULT_KEYSTORE_ID, policy(true, false, Combine::And)).await.unwrap();
        // The same (already open) identities see the change on their next request.
        assert_eq!(admit(&inside, &header(None), 2).await, Ok(()));
        assert_eq!(admit(&mapped, &header(None), 2).await, Ok(()), "an IPv4-mapped peer matches the IPv4 range");
        let refused = admit(&outside, &header(None), 2).await.unwrap_err();
        assert_eq!(
            refused,
            Refused::NotAllowed { address: "192.0.2.9".into(), keystore: "default".into(), failed: vec![Method::Ip] }
        );
        let (reason, message) = match refused.error() {
            crate::error::Error::AuthenticationNotSuccessful(m) => ("AuthenticationNotSuccessful", m),
            other => panic!("{other:?}"),
        };
        assert_eq!(reason, "AuthenticationNotSuccessful");
        assert_eq!(message, "address 192.0.2.9 is not allowed by key store default (failed: IP address allowlist)");
        assert!(!refused.closes_connection(), "the policy may change; the connection stays");
        let handle = registry.keystore_handle(DEFAULT_KEYSTORE_ID).unwrap();
        assert_eq!(handle.access().refusals.snapshot(), RefusalCounts { total: 1, ip: 1, mac: 0, device: 0 });
        // OR with the certificate enabled: the certificate suffices.
        registry.set_auth_policy(DEFAULT_KEYSTORE_ID, policy(true, false, Combine::Or)).await.unwrap();
        assert_eq!(admit(&outside, &header(None), 3).await, Ok(()));
    }

    #[tokio::test]
    async fn a_mac_rule_refuses_a_peer_with_no_neighbour_entry_and_or_lets_its_ip_through() {
        let (registry, der) = registry().await;
        let local = client(&registry, &der, "127.0.0.1:40000");
        registry.add_allow_entry(DEFAULT_KEYSTORE_ID, AllowRule::Mac([2, 0, 0, 0, 0, 1]), "box").await.unwrap();
        registry.set_auth_policy(DEFAULT_KEYSTORE_ID, policy(false, true, Combine::And)).await.unwrap();
        let refused = admit(&local, &header(None), 1).await.unwrap_err();
        assert!(matches!(&refused, Refused::NotAllowed { failed, .. } if failed == &[Method::Mac]), "{refused:?}");
        registry
            .add_allow_entry(DEFAULT_KEYSTORE_ID, AllowRule::Ip(parse_ip("127.0.0.1").unwrap()), "me")
            .await
            .unwrap();
        let mut auth = policy(true, true, Combine::Or);
        auth.certificate = false;
        registry.set_auth_policy(DEFAULT_KEYSTORE_ID, auth).await.unwrap();
        assert_eq!(admit(&local, &header(None), 2).await, Ok(()), "OR: the IP passes");
        auth.combine = Combine::And;
        registry.set_auth_policy(DEFAULT_KEYSTORE_ID, auth).await.unwrap();
        assert!(admit(&local, &header(None), 3).await.is_err(), "AND: the MAC fails");
    }

    /// Polls `admission` once, as the connection's task does first.
    fn first_poll<F: std::future::Future>(admission: F) -> std::task::Poll<F::Output> {
        let mut cx = std::task::Context::from_waker(std::task::Waker::noop());
        std::pin::pin!(admission).poll(&mut cx)
    }

    #[tokio::test]
    async fn admission_without_a_mac_check_is_done_at_its_first_poll_and_an_ipv6_mac_check_awaits_ip() {
        let (registry, der) = registry().await;
        let v6 = client(&registry, &der, "[2001:db8::9]:40000");
        let v4 = client(&registry, &der, "10.1.2.3:40000");
        // Certificate only, then an IP allowlist: nothing to wait for.
        assert_eq!(first_poll(admit(&v6, &header(None), 1)), std::task::Poll::Ready(Ok(())));
        registry
            .add_allow_entry(DEFAULT_KEYSTORE_ID, AllowRule::Ip(parse_ip("10.0.0.0/8").unwrap()), "lan")
            .await
            .unwrap();
        registry.set_auth_policy(DEFAULT_KEYSTORE_ID, policy(true, false, Combine::And)).await.unwrap();
        assert_eq!(first_poll(admit(&v4, &header(None), 2)), std::task::Poll::Ready(Ok(())));
        // A MAC rule: the IPv6 peer (on no link) is looked up with `ip -6
        // neigh`, awaited; it has no entry, so the MAC method fails.
        registry.add_allow_entry(DEFAULT_KEYSTORE_ID, AllowRule::Mac([2, 0, 0, 0, 0, 1]), "box").await.unwrap();
        registry.set_auth_policy(DEFAULT_KEYSTORE_ID, policy(false, true, Combine::And)).await.unwrap();
        let refused = admit(&v6, &header(None), 3).await.unwrap_err();
        assert!(matches!(&refused, Refused::NotAllowed { failed, .. } if failed == &[Method::Mac]), "{refused:?}");
    }

    /// Every request's future holds admission's: the MAC lookup (a child
    /// process: a large future) is boxed on a miss instead of inlined.
    #[tokio::test]
    async fn admissions_future_stays_small_as_the_mac_lookup_is_boxed() {
        let (registry, der) = registry().await;
        let v6 = client(&registry, &der, "[2001:db8::9]:40000");
        let h = header(None);
        let lookup = crate::auth::neighbours::lookup("2001:db8::9".parse().unwrap());
        let admission = admit(&v6, &h, 1);
        let (lookup, admission) = (std::mem::size_of_val(&lookup), std::mem::size_of_val(&admission));
        assert!(admission < lookup, "admission's future ({admission} bytes) holds the lookup's ({lookup} bytes)");
    }

    #[tokio::test]
    async fn a_device_credential_that_cannot_be_checked_is_refused_only_where_macs_are_checked() {
        let (registry, der) = registry().await;
        // A loopback peer has no MAC: nothing to compare with.
        let local = client(&registry, &der, "127.0.0.1:40000");
        assert_eq!(admit(&local, &header(Some("02:00:00:00:00:01")), 1).await, Ok(()));
        registry
            .add_allow_entry(DEFAULT_KEYSTORE_ID, AllowRule::Ip(parse_ip("127.0.0.0/8").unwrap()), "")
            .await
            .unwrap();
        registry.set_auth_policy(DEFAULT_KEYSTORE_ID, policy(true, false, Combine::And)).await.unwrap();
        assert_eq!(admit(&local, &header(Some("02:00:00:00:00:01")), 2).await, Ok(()));
        registry.set_auth_policy(DEFAULT_KEYSTORE_ID, policy(true, true, Combine::Or)).await.unwrap();
        let refused = admit(&local, &header(Some("02:00:00:00:00:01")), 3).await.unwrap_err();
        assert!(
            matches!(&refused, Refused::NotAllowed { failed, .. } if failed == &[Method::DeviceNetworkIdentifier]),
            "{refused:?}"
        );
        let handle = registry.keystore_handle(DEFAULT_KEYSTORE_ID).unwrap();
        assert_eq!(handle.access().refusals.snapshot().device, 1);
    }
}
