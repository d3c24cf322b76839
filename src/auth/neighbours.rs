//! The peer's MAC address, from the kernel's neighbour table: ARP for IPv4
//! (`/proc/net/arp`), NDP for IPv6 (`ip -6 neigh show ADDR`: /proc has no
//! IPv6 table, and netlink would take unsafe code or a heavy crate).
//!
//! Only an on-link peer has an entry. A routed peer's packets come from
//! the router, a loopback peer has no link address: both have no MAC here,
//! and so fail a MAC rule. By the time a TLS handshake is done the kernel
//! has answered the peer's SYN, so an on-link peer's entry is there.
//!
//! A connection looks its peer up once ([`PeerMacs`]) and again only
//! when its key store's policy changed.

use std::collections::HashMap;
use std::future::Future;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::{LazyLock, RwLock};
use std::time::Duration;

use super::allowlist::{canonical, Mac};

/// The kernel's IPv4 neighbour (ARP) table.
pub const PROC_NET_ARP: &str = "/proc/net/arp";

/// The ATF_COM flag of /proc/net/arp: the entry is complete (0x0: a
/// resolution in progress or failed, whose HW address means nothing).
const ATF_COM: u32 = 0x2;

/// How long `ip -6 neigh` may take before the peer is treated as having no MAC.
const IP_NEIGH_TIMEOUT: Duration = Duration::from_secs(2);

/// The MAC of `peer` in the text of /proc/net/arp, if it has a complete
/// entry. Two complete entries with different MACs (the same address on
/// two links) are ambiguous: no MAC.
pub fn parse_proc_net_arp(text: &str, peer: Ipv4Addr) -> Option<Mac> {
    let mut found: Option<Mac> = None;
    // Columns: IP address, HW type, Flags, HW address, Mask, Device; a header line first.
    for line in text.lines().skip(1) {
        let mut cols = line.split_whitespace();
        let (Some(ip), Some(_hw_type), Some(flags), Some(hw)) = (cols.next(), cols.next(), cols.next(), cols.next())
        else {
            continue;
        };
        if ip.parse::<Ipv4Addr>().ok() != Some(peer) {
            continue;
        }
        let flags = u32::from_str_radix(flags.trim_start_matches("0x"), 16).unwrap_or(0);
        if flags & ATF_COM == 0 {
            continue;
        }
        let Some(mac) = hw.parse::<Mac>().ok().filter(|m| m.0 != [0; 6]) else { continue };
        match found {
            Some(other) if other != mac => return None,
            _ => found = Some(mac),
        }
    }
    found
}

/// The MAC of `peer` in the output of `ip -6 neigh show`, if an entry has a
/// link-layer address (FAILED and INCOMPLETE entries have none). Lines look
/// like `fe80::1 dev eth0 lladdr 02:00:00:00:00:01 router REACHABLE`.
pub fn parse_ip_neigh(text: &str, peer: Ipv6Addr) -> Option<Mac> {
    let mut found: Option<Mac> = None;
    for line in text.lines() {
        let mut words = line.split_whitespace();
        if words.next().and_then(|w| w.parse::<Ipv6Addr>().ok()) != Some(peer) {
            continue;
        }
        let mut words = words.skip_while(|w| *w != "lladdr");
        let Some(mac) = words.nth(1).and_then(|w| w.parse::<Mac>().ok()) else { continue };
        if line.split_whitespace().any(|w| w == "FAILED" || w == "INCOMPLETE") {
            continue;
        }
        match found {
            Some(other) if other != mac => return None,
            _ => found = Some(mac),
        }
    }
    found
}

/// Looks up the MAC of `peer` in the kernel's neighbour table. `None`:
/// no entry (not on-link, loopback, unspecified), or the table could not
/// be read (logged).
pub async fn lookup(peer: IpAddr) -> Option<Mac> {
    let peer = canonical(peer);
    if peer.is_loopback() || peer.is_unspecified() || peer.is_multicast() {
        return None;
    }
    match peer {
        IpAddr::V4(v4) => match tokio::fs::read_to_string(PROC_NET_ARP).await {
            Ok(text) => parse_proc_net_arp(&text, v4),
            Err(e) => {
                tracing::warn!(path = PROC_NET_ARP, error = %e, "cannot read the ARP table; peers have no MAC");
                None
            }
        },
        IpAddr::V6(v6) => {
            let mut cmd = tokio::process::Command::new("ip");
            cmd.args(["-6", "neigh", "show", &v6.to_string()]).kill_on_drop(true);
            match tokio::time::timeout(IP_NEIGH_TIMEOUT, cmd.output()).await {
                Ok(Ok(out)) if out.status.success() => parse_ip_neigh(&String::from_utf8_lossy(&out.stdout), v6),
                Ok(Ok(out)) => {
                    tracing::warn!(status = %out.status, "`ip -6 neigh show` failed; the peer has no MAC");
                    None
                }
                Ok(Err(e)) => {
                    tracing::warn!(error = %e, "cannot run `ip -6 neigh show` (iproute2); IPv6 peers have no MAC");
                    None
                }
                Err(_) => {
                    tracing::warn!("`ip -6 neigh show` timed out; the peer has no MAC");
                    None
                }
            }
        }
    }
}

/// The peer MACs of the open KMIP connections, by peer address and port
/// (unique while the connection is open): looked up once per connection,
/// and again only when the key store's policy generation changed (a
/// policy change is when an operator expects the MAC checked afresh).
#[derive(Debug, Default)]
pub struct PeerMacs {
    // Read on every request of a MAC-checking store, written at connect,
    // close and a policy change: a read-mostly lock.
    open: RwLock<HashMap<SocketAddr, Option<Lookup>>>,
}

/// A connection's lookup: the policy generation it was made for, and the
/// MAC found (`None`: no neighbour entry). A connection not looked up yet
/// has no `Lookup`.
type Lookup = (u64, Option<Mac>);

/// A registered connection; its entry goes when this is dropped.
#[derive(Debug)]
pub struct OpenConnection<'a> {
    macs: &'a PeerMacs,
    peer: SocketAddr,
}

impl Drop for OpenConnection<'_> {
    fn drop(&mut self) {
        self.macs.write().remove(&self.peer);
    }
}

impl OpenConnection<'_> {
    /// Looks the peer up now, for `generation`, off the request path (the
    /// listener calls this once the handshake is done, when the key store
    /// checks MACs).
    pub async fn prefetch(&self, generation: u64) -> Option<Mac> {
        self.macs.get(self.peer, generation).await
    }
}

impl PeerMacs {
    /// The server's table.
    pub fn global() -> &'static PeerMacs {
        static GLOBAL: LazyLock<PeerMacs> = LazyLock::new(PeerMacs::default);
        &GLOBAL
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, HashMap<SocketAddr, Option<Lookup>>> {
        self.open.read().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, HashMap<SocketAddr, Option<Lookup>>> {
        self.open.write().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Registers the connection from `peer` until the returned value is dropped.
    pub fn open(&self, peer: SocketAddr) -> OpenConnection<'_> {
        self.write().insert(peer, None);
        OpenConnection { macs: self, peer }
    }

    fn remember(&self, peer: SocketAddr, generation: u64, mac: Option<Mac>) {
        if let Some(slot) = self.write().get_mut(&peer) {
            *slot = Some((generation, mac));
        }
    }

    /// The MAC of `peer` for policy `generation`: the connection's own
    /// lookup if it has one for this generation, otherwise looked up now
    /// (and remembered if the connection is registered). The lookup is
    /// awaited, never run on the executor's thread: for IPv6 it runs `ip`.
    pub async fn get(&self, peer: SocketAddr, generation: u64) -> Option<Mac> {
        // Boxed: the lookup's future (a child process) is large, and would
        // otherwise enlarge every request's future; a miss is rare.
        self.get_with(peer, generation, || Box::pin(lookup(peer.ip()))).await
    }

    /// [`Self::get`] with the lookup given (tests use a fixed table).
    pub async fn get_with<F>(&self, peer: SocketAddr, generation: u64, look_up: impl FnOnce() -> F) -> Option<Mac>
    where
        F: Future<Output = Option<Mac>>,
    {
        if let Some(mac) = self.cached(peer, generation) {
            return mac;
        }
        // Not under the lock (a guard is not held across an await).
        let mac = look_up().await;
        self.remember(peer, generation, mac);
        mac
    }

    /// The connection's lookup for `generation`, if it has one (`Some(None)`:
    /// looked up, no neighbour entry).
    fn cached(&self, peer: SocketAddr, generation: u64) -> Option<Option<Mac>> {
        match self.read().get(&peer) {
            Some(Some((g, mac))) if *g == generation => Some(*mac),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    /// A /proc/net/arp as a Linux 6.x kernel prints it: a complete entry
    /// (0x2), a permanent one (0x6), an incomplete one (0x0, all-zero HW
    /// address) and the same address on two links.
    const ARP: &str = "\
IP address       HW type     Flags       HW address            Mask     Device
192.0.2.1        0x1         0x2         02:fc:00:00:00:05     *        eth0
10.99.1.2        0x1         0x6         0A:1B:2C:3D:4E:5F     *        veth-a
10.99.1.3        0x1         0x0         00:00:00:00:00:00     *        veth-a
10.99.1.4        0x1         0x2         02:00:00:00:00:04     *        veth-a
10.99.1.4        0x1         0x2         02:00:00:00:00:44     *        veth-b
10.99.1.5        0x1         0x2         02:00:00:00:00:05     *        veth-a
10.99.1.5        0x1         0x0         00:00:00:00:00:00     *        veth-b
";

    fn v4(text: &str) -> Ipv4Addr {
        text.parse().unwrap()
    }

    #[test]
    fn proc_net_arp_gives_the_mac_of_complete_entries_only() {
        assert_eq!(parse_proc_net_arp(ARP, v4("192.0.2.1")), Some(Mac([0x02, 0xfc, 0, 0, 0, 5])));
        assert_eq!(parse_proc_net_arp(ARP, v4("10.99.1.2")), Some(Mac([0x0a, 0x1b, 0x2c, 0x3d, 0x4e, 0x5f])));
        assert_eq!(parse_proc_net_arp(ARP, v4("10.99.1.3")), None, "incomplete (flags 0x0)");
        assert_eq!(parse_proc_net_arp(ARP, v4("10.99.1.4")), None, "two links, two MACs: ambiguous");
        assert_eq!(parse_proc_net_arp(ARP, v4("10.99.1.5")), Some(Mac([2, 0, 0, 0, 0, 5])));
        assert_eq!(parse_proc_net_arp(ARP, v4("10.99.1.6")), None, "no entry");
        // The header alone, an empty file, and garbage lines.
        assert_eq!(parse_proc_net_arp(ARP.lines().next().unwrap(), v4("192.0.2.1")), None);
        assert_eq!(parse_proc_net_arp("", v4("192.0.2.1")), None);
        assert_eq!(parse_proc_net_arp("h\n192.0.2.1 0x1\n192.0.2.1 0x1 0x2 zz:zz\n", v4("192.0.2.1")), None);
    }

    #[test]
    fn ip_neigh_gives_the_lladdr_of_usable_entries() {
        let text = "\
fe80::1 dev eth0 lladdr 02:00:00:00:00:01 router REACHABLE
fd00::2 dev veth-a lladdr 02:00:00:00:00:02 STALE
fd00::3 dev veth-a FAILED
fd00::4 dev veth-a INCOMPLETE
fd00::5 dev veth-a lladdr 02:00:00:00:00:05 DELAY
";
        let v6 = |t: &str| t.parse::<Ipv6Addr>().unwrap();
        assert_eq!(parse_ip_neigh(text, v6("fe80::1")), Some(Mac([2, 0, 0, 0, 0, 1])));
        assert_eq!(parse_ip_neigh(text, v6("fd00::2")), Some(Mac([2, 0, 0, 0, 0, 2])));
        assert_eq!(parse_ip_neigh(text, v6("fd00::3")), None);
        assert_eq!(parse_ip_neigh(text, v6("fd00::4")), None);
        assert_eq!(parse_ip_neigh(text, v6("fd00::5")), Some(Mac([2, 0, 0, 0, 0, 5])));
        assert_eq!(parse_ip_neigh(text, v6("fd00::6")), None);
        assert_eq!(parse_ip_neigh("", v6("fd00::2")), None);
    }

    #[tokio::test]
    async fn loopback_and_unspecified_peers_have_no_mac() {
        for peer in ["127.0.0.1", "::1", "::ffff:127.0.0.1", "0.0.0.0"] {
            assert_eq!(lookup(peer.parse().unwrap()).await, None, "{peer}");
        }
    }

    #[tokio::test]
    async fn a_connection_looks_its_peer_up_once_per_policy_generation_and_forgets_it_when_closed() {
        let macs = PeerMacs::default();
        let peer: SocketAddr = "10.99.1.2:40000".parse().unwrap();
        let calls = AtomicUsize::new(0);
        let first = Mac([2, 0, 0, 0, 0, 1]);
        let look = |mac: Option<Mac>| {
            calls.fetch_add(1, Ordering::Relaxed);
            std::future::ready(mac)
        };
        let connection = macs.open(peer);
        assert_eq!(macs.get_with(peer, 1, || look(Some(first))).await, Some(first));
        assert_eq!(macs.get_with(peer, 1, || look(None)).await, Some(first), "cached");
        assert_eq!(calls.load(Ordering::Relaxed), 1);
        assert_eq!(macs.get_with(peer, 2, || look(None)).await, None, "the policy changed: looked up again");
        assert_eq!(macs.get_with(peer, 2, || look(Some(first))).await, None, "a missing entry is cached too");
        assert_eq!(calls.load(Ordering::Relaxed), 2);
        // Another connection from the same address (another port) has its own lookup.
        let other: SocketAddr = "10.99.1.2:40001".parse().unwrap();
        let _second = macs.open(other);
        assert_eq!(macs.get_with(other, 2, || look(Some(first))).await, Some(first));
        drop(connection);
        assert_eq!(macs.read().len(), 1, "a closed connection's entry is gone");
        // An unregistered peer is looked up every time, and nothing is kept.
        assert_eq!(macs.get_with(peer, 2, || look(Some(first))).await, Some(first));
        assert_eq!(macs.get_with(peer, 2, || look(None)).await, None);
        assert_eq!(macs.read().len(), 1);
    }

    /// The lookup is awaited: on a runtime with a single thread, another
    /// task runs while it is pending (it is that task which answers it here;
    /// a lookup run on the executor's thread would never see the answer).
    #[tokio::test(flavor = "current_thread")]
    async fn a_pending_lookup_leaves_the_executor_thread_to_other_tasks() {
        let macs = PeerMacs::default();
        let peer: SocketAddr = "[fd00::2]:40000".parse().unwrap();
        let _connection = macs.open(peer);
        let (tx, rx) = tokio::sync::oneshot::channel();
        let answer = tokio::spawn(async move { tx.send(Mac([2, 0, 0, 0, 0, 2])) });
        let got = tokio::time::timeout(Duration::from_secs(5), macs.get_with(peer, 1, || async { rx.await.ok() }))
            .await
            .unwrap();
        assert_eq!(got, Some(Mac([2, 0, 0, 0, 0, 2])));
        assert!(answer.await.unwrap().is_ok());
        assert_eq!(macs.get_with(peer, 1, || std::future::ready(None)).await, got, "remembered");
    }

    /// An IPv6 peer that is on no link: `ip -6 neigh` (run as a child
    /// process, awaited) finds no entry.
    #[tokio::test(flavor = "current_thread")]
    async fn an_ipv6_peer_on_no_link_has_no_mac() {
        let macs = PeerMacs::default();
        let peer: SocketAddr = "[2001:db8::7]:40000".parse().unwrap();
        let _connection = macs.open(peer);
        assert_eq!(macs.get(peer, 1).await, None);
        assert_eq!(macs.read().get(&peer), Some(&Some((1, None))));
    }
}
