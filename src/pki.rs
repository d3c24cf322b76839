//! The server's own certificate authority: it issues the KMIP server's
//! certificate and the client credentials, and bundles a credential as
//! PKCS#12. Every key is ECDSA P-256, because PyKMIP's TLS 1.2 cipher list
//! only offers ECDSA suites with AES-GCM (DEPENDENCIES.md); certificates are
//! built with openssl's `X509Builder`.
//!
//! A client certificate we issue names its credential in the subject Common
//! Name and its key store in the subject Organizational Unit. Who a client
//! is, though, is decided by the key store registry from the certificate's
//! fingerprint ([`crate::keystores::Registry::identify`]), never from these
//! names; [`credential_of`] only reads them back for display and tests.
//! Each key store has its own CA; the `default` store's is the data
//! directory's, which also issues the server certificate.

use std::fmt;
use std::net::IpAddr;

use openssl::asn1::{Asn1Integer, Asn1Time};
use openssl::bn::{BigNum, MsbOption};
use openssl::ec::{EcGroup, EcKey};
use openssl::error::ErrorStack;
use openssl::hash::MessageDigest;
use openssl::nid::Nid;
use openssl::pkcs12::Pkcs12;
use openssl::pkey::{PKey, Private};
use openssl::stack::Stack;
use openssl::x509::extension::{
    AuthorityKeyIdentifier, BasicConstraints, ExtendedKeyUsage, KeyUsage, SubjectAlternativeName, SubjectKeyIdentifier,
};
use openssl::x509::{X509Name, X509NameBuilder, X509};
use zeroize::Zeroizing;

/// The organization every certificate we issue names.
const ORGANIZATION: &str = "coffer";

/// Why a certificate could not be made or read.
#[derive(Debug)]
pub enum PkiError {
    /// OpenSSL refused an operation (its error queue, which holds no key bytes).
    OpenSsl(ErrorStack),
    /// A name that cannot go into a certificate (empty, too long, or not text).
    BadName(String),
    /// A client certificate that names no credential or no key store.
    NoIdentity(&'static str),
    /// What the caller handed in (a certificate, a CSR) is not usable.
    BadRequest(&'static str),
}

impl fmt::Display for PkiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PkiError::OpenSsl(e) => write!(f, "openssl: {e}"),
            PkiError::BadName(name) => write!(f, "{name:?} cannot be used as a certificate name"),
            PkiError::NoIdentity(what) => write!(f, "client certificate has no {what}"),
            PkiError::BadRequest(what) => f.write_str(what),
        }
    }
}

impl std::error::Error for PkiError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            PkiError::OpenSsl(e) => Some(e),
            PkiError::BadName(_) | PkiError::NoIdentity(_) | PkiError::BadRequest(_) => None,
        }
    }
}

impl From<ErrorStack> for PkiError {
    fn from(e: ErrorStack) -> PkiError {
        PkiError::OpenSsl(e)
    }
}

/// A certificate and its private key, as PEM. The key is wiped when dropped.
pub struct Issued {
    /// The certificate, PEM.
    pub cert_pem: Vec<u8>,
    /// The private key, PKCS#8 PEM.
    pub key_pem: Zeroizing<Vec<u8>>,
}

impl fmt::Debug for Issued {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Issued").field("cert_pem", &String::from_utf8_lossy(&self.cert_pem)).finish_non_exhaustive()
    }
}

/// A certificate authority: its certificate and signing key.
pub struct Ca {
    cert: X509,
    key: PKey<Private>,
}

impl fmt::Debug for Ca {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Ca").field("subject", self.cert.subject_name()).finish_non_exhaustive()
    }
}

/// When a certificate is valid: Unix seconds, inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Validity {
    /// Not valid before this.
    pub not_before: i64,
    /// Not valid after this.
    pub not_after: i64,
}

impl Validity {
    /// From an hour ago (so a client with a slightly slow clock accepts it)
    /// for `days` days.
    pub fn days_from_now(days: u32) -> Validity {
        let now = time::OffsetDateTime::now_utc().unix_timestamp();
        Validity { not_before: now.saturating_sub(3600), not_after: now.saturating_add(i64::from(days) * 86_400) }
    }
}

/// What a client certificate says about its holder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CredentialName {
    /// The credential: the subject Common Name.
    pub credential: String,
    /// The key store it belongs to: the subject Organizational Unit.
    pub keystore: String,
}

impl Ca {
    /// A new CA with a fresh P-256 key, valid for `days` days.
    pub fn generate(common_name: &str, days: u32) -> Result<Ca, PkiError> {
        let key = new_key()?;
        let name = name(&[(Nid::ORGANIZATIONNAME, ORGANIZATION), (Nid::COMMONNAME, common_name)])?;
        let mut b = X509::builder()?;
        b.set_version(2)?;
        let serial = serial()?;
        b.set_serial_number(&serial)?;
        b.set_subject_name(&name)?;
        b.set_issuer_name(&name)?;
        set_validity(&mut b, Validity::days_from_now(days))?;
        b.set_pubkey(&key)?;
        b.append_extension(BasicConstraints::new().critical().ca().build()?)?;
        b.append_extension(KeyUsage::new().critical().key_cert_sign().crl_sign().build()?)?;
        let ski = SubjectKeyIdentifier::new().build(&b.x509v3_context(None, None))?;
        b.append_extension(ski)?;
        b.sign(&key, MessageDigest::sha256())?;
        Ok(Ca { cert: b.build(), key })
    }

    /// A CA read back from its certificate and key, both PEM.
    pub fn from_pem(cert_pem: &[u8], key_pem: &[u8]) -> Result<Ca, PkiError> {
        Ok(Ca { cert: X509::from_pem(cert_pem)?, key: PKey::private_key_from_pem(key_pem)? })
    }

    /// The CA certificate, PEM.
    pub fn cert_pem(&self) -> Result<Vec<u8>, PkiError> {
        Ok(self.cert.to_pem()?)
    }

    /// The CA's private key, PKCS#8 PEM.
    pub fn key_pem(&self) -> Result<Zeroizing<Vec<u8>>, PkiError> {
        Ok(Zeroizing::new(self.key.private_key_to_pem_pkcs8()?))
    }

    /// A server certificate for `names`: each is put in the Subject
    /// Alternative Name as an IP address if it parses as one, else as a DNS
    /// name. The first name is also the Common Name.
    pub fn issue_server(&self, names: &[String], validity: Validity) -> Result<Issued, PkiError> {
        let first = names.first().map(String::as_str).unwrap_or("localhost");
        let subject = name(&[(Nid::ORGANIZATIONNAME, ORGANIZATION), (Nid::COMMONNAME, first)])?;
        let key = new_key()?;
        let mut b = self.leaf_builder(&subject, &key, validity)?;
        let mut san = SubjectAlternativeName::new();
        for n in names {
            if n.parse::<IpAddr>().is_ok() {
                san.ip(n);
            } else {
                san.dns(n);
            }
        }
        let san = san.build(&b.x509v3_context(Some(&self.cert), None))?;
        b.append_extension(san)?;
        b.append_extension(ExtendedKeyUsage::new().server_auth().build()?)?;
        self.finish(b, &key)
    }

    /// A client certificate for `credential` in key store `keystore`.
    pub fn issue_client(&self, keystore: &str, credential: &str, validity: Validity) -> Result<Issued, PkiError> {
        let subject = name(&[
            (Nid::ORGANIZATIONNAME, ORGANIZATION),
            (Nid::ORGANIZATIONALUNITNAME, keystore),
            (Nid::COMMONNAME, credential),
        ])?;
        let key = new_key()?;
        let mut b = self.leaf_builder(&subject, &key, validity)?;
        b.append_extension(ExtendedKeyUsage::new().client_auth().build()?)?;
        self.finish(b, &key)
    }

    fn leaf_builder<T: openssl::pkey::HasPublic>(
        &self,
        subject: &X509Name,
        key: &openssl::pkey::PKeyRef<T>,
        validity: Validity,
    ) -> Result<openssl::x509::X509Builder, PkiError> {
        let mut b = X509::builder()?;
        b.set_version(2)?;
        let serial = serial()?;
        b.set_serial_number(&serial)?;
        b.set_subject_name(subject)?;
        b.set_issuer_name(self.cert.subject_name())?;
        set_validity(&mut b, validity)?;
        b.set_pubkey(key)?;
        b.append_extension(BasicConstraints::new().critical().build()?)?;
        b.append_extension(KeyUsage::new().critical().digital_signature().build()?)?;
        let ski = SubjectKeyIdentifier::new().build(&b.x509v3_context(Some(&self.cert), None))?;
        b.append_extension(ski)?;
        let aki = AuthorityKeyIdentifier::new().keyid(true).build(&b.x509v3_context(Some(&self.cert), None))?;
        b.append_extension(aki)?;
        Ok(b)
    }

    fn finish(&self, mut b: openssl::x509::X509Builder, key: &PKey<Private>) -> Result<Issued, PkiError> {
        b.sign(&self.key, MessageDigest::sha256())?;
        Ok(Issued { cert_pem: b.build().to_pem()?, key_pem: Zeroizing::new(key.private_key_to_pem_pkcs8()?) })
    }

    /// `issued` with its key and this CA's certificate as a PKCS#12 file
    /// protected by `password` (which may be empty).
    pub fn pkcs12(&self, issued: &Issued, friendly_name: &str, password: &str) -> Result<Vec<u8>, PkiError> {
        let cert = X509::from_pem(&issued.cert_pem)?;
        let key = PKey::private_key_from_pem(&issued.key_pem)?;
        let mut chain = Stack::new()?;
        chain.push(self.cert.clone())?;
        // AES-256-CBC with PBKDF2 and an HMAC-SHA256 MAC, as OpenSSL 3 makes
        // by default; named so that an older default (RC2, 3DES) never creeps in.
        let p12 = Pkcs12::builder()
            .name(friendly_name)
            .pkey(&key)
            .cert(&cert)
            .ca(chain)
            .key_algorithm(Nid::AES_256_CBC)
            .cert_algorithm(Nid::AES_256_CBC)
            .mac_md(MessageDigest::sha256())
            .build2(password)?;
        Ok(p12.to_der()?)
    }
}

impl Ca {
    /// The CA certificate, DER.
    pub fn cert_der(&self) -> Result<Vec<u8>, PkiError> {
        Ok(self.cert.to_der()?)
    }

    /// A client certificate for the public key of `csr_pem` (a PKCS#10
    /// request whose own signature must verify), for `credential` in key
    /// store `keystore`: the subject is ours, not the request's.
    pub fn sign_csr(
        &self,
        csr_pem: &[u8],
        keystore: &str,
        credential: &str,
        validity: Validity,
    ) -> Result<Vec<u8>, PkiError> {
        let req = openssl::x509::X509Req::from_pem(csr_pem).map_err(|_| PkiError::BadRequest("not a PEM CSR"))?;
        let key = req.public_key().map_err(|_| PkiError::BadRequest("the CSR's public key cannot be read"))?;
        if !req.verify(&key).unwrap_or(false) {
            return Err(PkiError::BadRequest("the CSR's signature does not verify"));
        }
        let subject = name(&[
            (Nid::ORGANIZATIONNAME, ORGANIZATION),
            (Nid::ORGANIZATIONALUNITNAME, keystore),
            (Nid::COMMONNAME, credential),
        ])?;
        let mut b = self.leaf_builder(&subject, &key, validity)?;
        b.append_extension(ExtendedKeyUsage::new().client_auth().build()?)?;
        b.sign(&self.key, MessageDigest::sha256())?;
        Ok(b.build().to_pem()?)
    }

    /// Whether this CA signed `cert_der` (issuer name and signature; the
    /// chain's other checks are the TLS verifier's).
    pub fn signed(&self, cert_der: &[u8]) -> bool {
        let Ok(cert) = X509::from_der(cert_der) else { return false };
        let Ok(key) = self.cert.public_key() else { return false };
        cert.issuer_name().try_cmp(self.cert.subject_name()).is_ok_and(|o| o.is_eq())
            && cert.verify(&key).unwrap_or(false)
    }
}

/// What the admin API shows of a certificate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertInfo {
    /// SHA-256 of the DER.
    pub sha256: [u8; 32],
    /// The serial number, hex.
    pub serial: String,
    /// The subject, one line (`O=coffer, OU=..., CN=...`).
    pub subject: String,
    /// The subject Common Name, if any.
    pub common_name: Option<String>,
    /// Valid from (Unix seconds).
    pub not_before: i64,
    /// Valid until (Unix seconds).
    pub not_after: i64,
    /// The DER.
    pub der: Vec<u8>,
    /// The PEM.
    pub pem: Vec<u8>,
}

/// Reads one certificate, PEM (the first one in the text) or DER.
pub fn cert_info(bytes: &[u8]) -> Result<CertInfo, PkiError> {
    let cert = X509::from_pem(bytes)
        .or_else(|_| X509::from_der(bytes))
        .map_err(|_| PkiError::BadRequest("not an X.509 certificate (PEM or DER)"))?;
    let der = cert.to_der()?;
    let serial = cert.serial_number().to_bn()?.to_hex_str()?.to_string().to_ascii_lowercase();
    let subject = cert
        .subject_name()
        .entries()
        .map(|e| {
            let key = e.object().nid().short_name().unwrap_or("?");
            let value = e.data().to_string().map(|s| s.to_string()).unwrap_or_else(|_| "?".to_owned());
            format!("{key}={value}")
        })
        .collect::<Vec<_>>()
        .join(", ");
    let common_name = cert
        .subject_name()
        .entries_by_nid(Nid::COMMONNAME)
        .next()
        .and_then(|e| e.data().to_string().ok())
        .map(|s| s.to_string());
    let epoch = Asn1Time::from_unix(0)?;
    let unix = |t: &openssl::asn1::Asn1TimeRef| -> Result<i64, PkiError> {
        let d = epoch.diff(t)?;
        Ok(i64::from(d.days).saturating_mul(86_400).saturating_add(i64::from(d.secs)))
    };
    Ok(CertInfo {
        sha256: openssl::sha::sha256(&der),
        serial,
        subject,
        common_name,
        not_before: unix(cert.not_before())?,
        not_after: unix(cert.not_after())?,
        pem: cert.to_pem()?,
        der,
    })
}

/// The credential and key store a verified client certificate (DER) names.
/// The one place that maps a certificate to an identity.
pub fn credential_of(cert_der: &[u8]) -> Result<CredentialName, PkiError> {
    let cert = X509::from_der(cert_der)?;
    let subject = cert.subject_name();
    let text = |nid: Nid| -> Option<String> {
        let entry = subject.entries_by_nid(nid).next()?;
        entry.data().to_string().ok()
    };
    let credential = text(Nid::COMMONNAME).ok_or(PkiError::NoIdentity("subject Common Name (credential)"))?;
    let keystore = text(Nid::ORGANIZATIONALUNITNAME).ok_or(PkiError::NoIdentity("subject OU (key store)"))?;
    Ok(CredentialName { credential, keystore })
}

fn new_key() -> Result<PKey<Private>, PkiError> {
    let group = EcGroup::from_curve_name(Nid::X9_62_PRIME256V1)?;
    Ok(PKey::from_ec_key(EcKey::generate(&group)?)?)
}

/// A random positive 127-bit serial number (RFC 5280 allows up to 20 octets).
fn serial() -> Result<Asn1Integer, PkiError> {
    let mut n = BigNum::new()?;
    n.rand(127, MsbOption::MAYBE_ZERO, false)?;
    Ok(n.to_asn1_integer()?)
}

fn name(entries: &[(Nid, &str)]) -> Result<X509Name, PkiError> {
    let mut b = X509NameBuilder::new()?;
    for (nid, value) in entries {
        // X.520 upper bound for these attributes; also keeps control bytes out.
        if value.is_empty() || value.len() > 64 || value.chars().any(char::is_control) {
            return Err(PkiError::BadName((*value).to_owned()));
        }
        b.append_entry_by_nid(*nid, value)?;
    }
    Ok(b.build())
}

fn set_validity(b: &mut openssl::x509::X509Builder, v: Validity) -> Result<(), PkiError> {
    let (not_before, not_after) = (Asn1Time::from_unix(v.not_before)?, Asn1Time::from_unix(v.not_after)?);
    b.set_not_before(&not_before)?;
    b.set_not_after(&not_after)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use openssl::x509::store::X509StoreBuilder;
    use openssl::x509::X509StoreContext;

    fn verifies(ca: &Ca, cert_pem: &[u8]) -> bool {
        let mut store = X509StoreBuilder::new().unwrap();
        store.add_cert(X509::from_pem(&ca.cert_pem().unwrap()).unwrap()).unwrap();
        let store = store.build();
        let cert = X509::from_pem(cert_pem).unwrap();
        let chain = Stack::new().unwrap();
        let mut ctx = X509StoreContext::new().unwrap();
        ctx.init(&store, &cert, &chain, |c| c.verify_cert()).unwrap()
    }

    #[test]
    fn a_client_certificate_names_its_credential_and_key_store() {
        let ca = Ca::generate("coffer test CA", 30).unwrap();
        let issued = ca.issue_client("payments", "app-1", Validity::days_from_now(1)).unwrap();
        assert!(verifies(&ca, &issued.cert_pem));
        let der = X509::from_pem(&issued.cert_pem).unwrap().to_der().unwrap();
        assert_eq!(
            credential_of(&der).unwrap(),
            CredentialName { credential: "app-1".into(), keystore: "payments".into() }
        );
    }

    #[test]
    fn a_certificate_from_another_ca_does_not_verify() {
        let ca = Ca::generate("one", 30).unwrap();
        let other = Ca::generate("two", 30).unwrap();
        let issued = other.issue_client("default", "x", Validity::days_from_now(1)).unwrap();
        assert!(!verifies(&ca, &issued.cert_pem));
    }

    #[test]
    fn the_server_certificate_carries_dns_and_ip_names() {
        let ca = Ca::generate("coffer test CA", 30).unwrap();
        let names = ["localhost".to_owned(), "127.0.0.1".to_owned(), "kms.example".to_owned()];
        let issued = ca.issue_server(&names, Validity::days_from_now(1)).unwrap();
        let cert = X509::from_pem(&issued.cert_pem).unwrap();
        let sans = cert.subject_alt_names().unwrap();
        let dns: Vec<_> = sans.iter().filter_map(|n| n.dnsname().map(str::to_owned)).collect();
        let ips: Vec<_> = sans.iter().filter_map(|n| n.ipaddress().map(<[u8]>::to_vec)).collect();
        assert_eq!(dns, ["localhost", "kms.example"]);
        assert_eq!(ips, [vec![127, 0, 0, 1]]);
        assert!(verifies(&ca, &issued.cert_pem));
    }

    #[test]
    fn the_pkcs12_bundle_opens_with_its_password_and_holds_key_cert_and_ca() {
        let ca = Ca::generate("coffer test CA", 30).unwrap();
        let issued = ca.issue_client("default", "default", Validity::days_from_now(1)).unwrap();
        let der = ca.pkcs12(&issued, "default", "s3cret").unwrap();
        let parsed = Pkcs12::from_der(&der).unwrap().parse2("s3cret").unwrap();
        assert_eq!(parsed.cert.unwrap().to_pem().unwrap(), issued.cert_pem);
        assert!(parsed.pkey.is_some());
        assert_eq!(parsed.ca.unwrap().len(), 1);
        assert!(Pkcs12::from_der(&der).unwrap().parse2("wrong").is_err());
    }

    #[test]
    fn a_ca_reads_back_from_its_pem() {
        let ca = Ca::generate("coffer test CA", 30).unwrap();
        let again = Ca::from_pem(&ca.cert_pem().unwrap(), &ca.key_pem().unwrap()).unwrap();
        let issued = again.issue_client("default", "x", Validity::days_from_now(1)).unwrap();
        assert!(verifies(&ca, &issued.cert_pem));
    }

    #[test]
    fn names_with_control_characters_are_refused() {
        let ca = Ca::generate("coffer test CA", 30).unwrap();
        assert!(matches!(ca.issue_client("default", "a\nb", Validity::days_from_now(1)), Err(PkiError::BadName(_))));
        assert!(matches!(ca.issue_client("", "a", Validity::days_from_now(1)), Err(PkiError::BadName(_))));
    }
}
