//! `/api/v1/keystores/{keystore}/allowlist` (list, add an IP, CIDR or MAC
//! entry, remove) and `/api/v1/keystores/{keystore}/auth` (which methods
//! the store enables and how they combine).

use std::net::IpAddr;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::Json;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::{resolve, text, timestamp};
use crate::error::ApiError;
use crate::http::paging::{page, PageParams};
use crate::http::{ApiJson, ApiQuery, AppState};
use crate::keystores::{AllowEntry, AllowRule, AuthPolicy, Combine};

/// Longest description.
const MAX_DESCRIPTION: usize = 1024;

/// An authentication method.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum MethodView {
    /// The client certificate must be one of the store's credentials.
    Certificate,
    /// The peer address must match an IP or CIDR entry.
    Ip,
    /// The peer's MAC must match a MAC entry.
    Mac,
}

/// How the enabled methods combine.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum CombineView {
    /// Every enabled method must pass.
    And,
    /// Any one enabled method suffices.
    Or,
}

/// A key store's authentication policy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AuthView {
    /// The enabled methods (at least one).
    pub methods: Vec<MethodView>,
    /// AND (every method must pass) or OR (any one suffices).
    pub combine: CombineView,
}

impl From<AuthPolicy> for AuthView {
    fn from(p: AuthPolicy) -> AuthView {
        let mut methods = Vec::new();
        if p.certificate {
            methods.push(MethodView::Certificate);
        }
        if p.ip {
            methods.push(MethodView::Ip);
        }
        if p.mac {
            methods.push(MethodView::Mac);
        }
        AuthView { methods, combine: p.combine.into() }
    }
}

/// What an allowlist entry matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum EntryKind {
    /// One IPv4 or IPv6 address.
    Ip,
    /// An IPv4 or IPv6 range.
    Cidr,
    /// A MAC address.
    Mac,
}

/// An allowlist entry.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct AllowEntryView {
    /// Unique.
    pub id: String,
    /// IP, CIDR or MAC.
    pub kind: EntryKind,
    /// The address (`192.0.2.7`), range (`10.0.0.0/8`) or MAC (`00:11:22:33:44:55`).
    pub value: String,
    /// The operator's note.
    pub description: String,
    /// When it was added (RFC 3339).
    #[schema(format = DateTime)]
    pub created: String,
}

impl From<AllowEntry> for AllowEntryView {
    fn from(e: AllowEntry) -> AllowEntryView {
        let (kind, value) = match e.rule {
            AllowRule::Ip(net) if net.prefix_len() == net.max_prefix_len() => (EntryKind::Ip, net.addr().to_string()),
            AllowRule::Ip(net) => (EntryKind::Cidr, net.to_string()),
            AllowRule::Mac(mac) => (EntryKind::Mac, format_mac(mac)),
        };
        AllowEntryView { id: e.id, kind, value, description: e.description, created: timestamp(e.created) }
    }
}

/// A page of allowlist entries.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct AllowEntryPage {
    /// The entries on this page, by id.
    pub items: Vec<AllowEntryView>,
    /// Pass as `cursor` for the next page; absent on the last one.
    pub next_cursor: Option<String>,
}

/// Add an allowlist entry: exactly one of `ip`, `cidr` and `mac`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AddAllowEntry {
    /// One IPv4 or IPv6 address.
    #[serde(default)]
    pub ip: Option<String>,
    /// An IPv4 or IPv6 range, `address/prefix`.
    #[serde(default)]
    pub cidr: Option<String>,
    /// A MAC address, six hex bytes separated by `:` or `-`.
    #[serde(default)]
    pub mac: Option<String>,
    /// The operator's note.
    #[serde(default)]
    pub description: Option<String>,
}

/// `00:11:22:aa:bb:cc`.
pub fn format_mac(mac: [u8; 6]) -> String {
    mac.iter().map(|b| format!("{b:02x}")).collect::<Vec<_>>().join(":")
}

/// Six hex bytes separated by `:` or `-`.
pub fn parse_mac(text: &str) -> Option<[u8; 6]> {
    let parts: Vec<&str> = text.trim().split([':', '-']).collect();
    if parts.len() != 6 {
        return None;
    }
    let mut mac = [0u8; 6];
    for (byte, part) in mac.iter_mut().zip(parts) {
        if part.len() != 2 {
            return None;
        }
        *byte = u8::from_str_radix(part, 16).ok()?;
    }
    Some(mac)
}

impl AddAllowEntry {
    fn rule(&self) -> Result<AllowRule, ApiError> {
        match (&self.ip, &self.cidr, &self.mac) {
            (Some(ip), None, None) => {
                let addr: IpAddr = ip.trim().parse().map_err(|_| ApiError::InvalidField {
                    field: "ip",
                    why: format!("{ip:?} is not an IPv4 or IPv6 address"),
                })?;
                Ok(AllowRule::Ip(ipnet::IpNet::from(addr)))
            }
            (None, Some(cidr), None) => {
                let net: ipnet::IpNet = cidr.trim().parse().map_err(|_| ApiError::InvalidField {
                    field: "cidr",
                    why: format!("{cidr:?} is not an IPv4 or IPv6 range (address/prefix)"),
                })?;
                // 10.1.2.3/8 means 10.0.0.0/8: store the range, not the typo.
                Ok(AllowRule::Ip(net.trunc()))
            }
            (None, None, Some(mac)) => parse_mac(mac).map(AllowRule::Mac).ok_or_else(|| ApiError::InvalidField {
                field: "mac",
                why: format!("{mac:?} is not a MAC address (six hex bytes separated by : or -)"),
            }),
            _ => Err(ApiError::InvalidBody("give exactly one of ip, cidr and mac".into())),
        }
    }
}

/// List a key store's allowlist.
#[utoipa::path(
    get,
    path = "/keystores/{keystore}/allowlist",
    tag = "allowlist",
    params(("keystore" = String, Path, description = "The key store's id or name"), PageParams),
    responses((status = 200, description = "A page of allowlist entries", body = AllowEntryPage))
)]
pub async fn list(
    State(state): State<AppState>,
    Path(keystore): Path<String>,
    ApiQuery(params): ApiQuery<PageParams>,
) -> Result<Json<AllowEntryPage>, ApiError> {
    let ks = resolve(state.registry(), &keystore)?;
    let mut all = state.registry().allow_entries(&ks.id)?;
    all.sort_by(|a, b| a.id.cmp(&b.id));
    let (items, next_cursor) = page(all, |e| e.id.as_str(), &params)?;
    Ok(Json(AllowEntryPage { items: items.into_iter().map(AllowEntryView::from).collect(), next_cursor }))
}

/// Add an allowlist entry (an IP, a CIDR range or a MAC address).
#[utoipa::path(
    post,
    path = "/keystores/{keystore}/allowlist",
    tag = "allowlist",
    params(("keystore" = String, Path, description = "The key store's id or name")),
    request_body = AddAllowEntry,
    responses((status = 201, description = "The entry", body = AllowEntryView))
)]
pub async fn add(
    State(state): State<AppState>,
    Path(keystore): Path<String>,
    ApiJson(body): ApiJson<AddAllowEntry>,
) -> Result<(StatusCode, Json<AllowEntryView>), ApiError> {
    let rule = body.rule()?;
    let description = text("description", body.description.as_deref().unwrap_or_default(), MAX_DESCRIPTION, false)?;
    let ks = resolve(state.registry(), &keystore)?;
    let entry = state.registry().add_allow_entry(&ks.id, rule, &description).await?;
    Ok((StatusCode::CREATED, Json(entry.into())))
}

/// Remove an allowlist entry.
#[utoipa::path(
    delete,
    path = "/keystores/{keystore}/allowlist/{entry}",
    tag = "allowlist",
    params(
        ("keystore" = String, Path, description = "The key store's id or name"),
        ("entry" = String, Path, description = "The entry's id")
    ),
    responses((status = 204, description = "Removed"))
)]
pub async fn remove(
    State(state): State<AppState>,
    Path((keystore, entry)): Path<(String, String)>,
) -> Result<StatusCode, ApiError> {
    let ks = resolve(state.registry(), &keystore)?;
    state.registry().remove_allow_entry(&ks.id, &entry).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Show which authentication methods a key store enables.
#[utoipa::path(
    get,
    path = "/keystores/{keystore}/auth",
    tag = "allowlist",
    params(("keystore" = String, Path, description = "The key store's id or name")),
    responses((status = 200, description = "The policy", body = AuthView))
)]
pub async fn auth_show(
    State(state): State<AppState>,
    Path(keystore): Path<String>,
) -> Result<Json<AuthView>, ApiError> {
    Ok(Json(resolve(state.registry(), &keystore)?.auth.into()))
}

/// Set which authentication methods a key store enables and how they combine.
#[utoipa::path(
    put,
    path = "/keystores/{keystore}/auth",
    tag = "allowlist",
    params(("keystore" = String, Path, description = "The key store's id or name")),
    request_body = AuthView,
    responses((status = 200, description = "The policy now", body = AuthView))
)]
pub async fn auth_set(
    State(state): State<AppState>,
    Path(keystore): Path<String>,
    ApiJson(body): ApiJson<AuthView>,
) -> Result<Json<AuthView>, ApiError> {
    if body.methods.is_empty() {
        return Err(ApiError::InvalidField { field: "methods", why: "enable at least one method".into() });
    }
    let policy = AuthPolicy {
        certificate: body.methods.contains(&MethodView::Certificate),
        ip: body.methods.contains(&MethodView::Ip),
        mac: body.methods.contains(&MethodView::Mac),
        combine: match body.combine {
            CombineView::And => Combine::And,
            CombineView::Or => Combine::Or,
        },
    };
    let ks = resolve(state.registry(), &keystore)?;
    Ok(Json(state.registry().set_auth_policy(&ks.id, policy).await?.auth.into()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn macs_parse_with_colons_or_dashes_and_print_with_colons() {
        assert_eq!(parse_mac("00:11:22:AA:bb:cc"), Some([0, 0x11, 0x22, 0xaa, 0xbb, 0xcc]));
        assert_eq!(parse_mac("00-11-22-aa-bb-cc"), Some([0, 0x11, 0x22, 0xaa, 0xbb, 0xcc]));
        assert_eq!(format_mac([0, 0x11, 0x22, 0xaa, 0xbb, 0xcc]), "00:11:22:aa:bb:cc");
        for bad in ["", "00:11:22:33:44", "00:11:22:33:44:55:66", "0:11:22:33:44:55", "zz:11:22:33:44:55"] {
            assert_eq!(parse_mac(bad), None, "{bad}");
        }
    }

    #[test]
    fn an_entry_needs_exactly_one_rule_and_a_cidr_is_truncated() {
        let entry = |ip: Option<&str>, cidr: Option<&str>, mac: Option<&str>| AddAllowEntry {
            ip: ip.map(Into::into),
            cidr: cidr.map(Into::into),
            mac: mac.map(Into::into),
            description: None,
        };
        assert!(entry(None, None, None).rule().is_err());
        assert!(entry(Some("10.0.0.1"), None, Some("00:11:22:33:44:55")).rule().is_err());
        assert!(matches!(
            entry(None, Some("10.0.0.0/33"), None).rule(),
            Err(ApiError::InvalidField { field: "cidr", .. })
        ));
        let AllowRule::Ip(net) = entry(None, Some("10.1.2.3/8"), None).rule().unwrap() else { panic!() };
        assert_eq!(net.to_string(), "10.0.0.0/8");
        let AllowRule::Ip(net) = entry(Some("::1"), None, None).rule().unwrap() else { panic!() };
        assert_eq!(net.to_string(), "::1/128");
    }
}
