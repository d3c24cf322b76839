//! Known-answer tests for the asymmetric, key wrap, hash and key derivation
//! parts of `coffer::crypto`, against published vectors:
//!
//! - `fixtures/crypto/wycheproof/*.json`: Project Wycheproof files, trimmed
//!   (source and commit in each file's `source` and in the README there).
//!   Every case's `result` is honoured: `valid` must pass, `invalid` must fail
//!   (no signature verifies, no ciphertext decrypts or unwraps), `acceptable`
//!   may go either way but must never give a wrong answer.
//! - `fixtures/crypto/keywrap.txt` (RFC 3394 section 4, RFC 5649 section 6),
//!   `ed25519-rfc8032.txt` (RFC 8032 section 7.1), `kdf.txt` (RFC 6070,
//!   RFC 7914 section 11, NIST CAVP SP 800-108 counter mode, RFC 5869),
//!   `hash.txt` (FIPS 180-2 and the NIST SHA-3 examples).
//!
//! Plus interoperability with the `openssl` command line (a declared test
//! dependency in tests/setup.sh): its PEM keys load here, our PEM loads there,
//! our signatures verify there, and its certificates parse here.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use coffer::crypto::asymmetric::{
    generate, rsa_decrypt, rsa_encrypt, Curve, KeyPairSpec, PrivateKey, PublicKey, RsaPadding,
};
use coffer::crypto::derive::{hkdf, kbkdf_counter_hmac, pbkdf2, CounterSpec};
use coffer::crypto::formats::{self, certificate_info};
use coffer::crypto::hash::{hash, HashAlgorithm};
use coffer::crypto::keywrap::{unwrap, wrap, WrapMode};
use coffer::crypto::mac::MacAlgorithm;
use coffer::crypto::signature::{sign, verify, verify_digest, SignatureScheme};
use coffer::crypto::CryptoError;
use serde_json::Value;

use crate::crypto_kat::blocks as vectors;

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/crypto").join(name)
}

fn hx(block: &BTreeMap<String, String>, field: &str) -> Vec<u8> {
    hex::decode(&block[field]).unwrap_or_else(|e| panic!("{}: {field}: {e}", block["name"]))
}

/// A trimmed Wycheproof file: (group, test) pairs, with the file's test count checked.
fn wycheproof(file: &str) -> Vec<(Value, Value)> {
    let text = std::fs::read_to_string(fixture(&format!("wycheproof/{file}"))).unwrap();
    let json: Value = serde_json::from_str(&text).unwrap();
    assert!(json["source"].as_str().unwrap().contains("C2SP/wycheproof"), "{file} names its source");
    let mut out = Vec::new();
    for group in json["testGroups"].as_array().unwrap() {
        for test in group["tests"].as_array().unwrap() {
            out.push((group.clone(), test.clone()));
        }
    }
    assert!(out.len() >= 10, "{file}: {} cases", out.len());
    out
}

fn jhex(v: &Value, field: &str) -> Vec<u8> {
    hex::decode(v[field].as_str().unwrap_or_else(|| panic!("no `{field}` in {v}"))).unwrap()
}

#[derive(Debug, PartialEq, Eq)]
enum Expect {
    Valid,
    Invalid,
    Acceptable,
}

fn expect(test: &Value) -> Expect {
    match test["result"].as_str().unwrap() {
        "valid" => Expect::Valid,
        "invalid" => Expect::Invalid,
        "acceptable" => Expect::Acceptable,
        other => panic!("unknown result {other}"),
    }
}

/// Counts the outcomes so that each test can show it saw both kinds.
#[derive(Default)]
struct Tally {
    valid: usize,
    invalid: usize,
}

impl Tally {
    /// Counts a signature case of `what` and checks the verdict: a valid
    /// signature verifies, an invalid or merely acceptable one does not.
    fn verified(&mut self, what: &str, t: &Value, ok: bool) {
        match expect(t) {
            Expect::Valid => {
                self.valid += 1;
                assert!(ok, "{what} tc {} should verify", t["tcId"]);
            }
            _ => {
                self.invalid += 1;
                assert!(!ok, "{what} tc {} ({}) must not verify", t["tcId"], t["comment"]);
            }
        }
    }

    fn check_both_seen(&self, what: &str) {
        assert!(self.valid > 0 && self.invalid > 0, "{what}: {} valid, {} invalid cases", self.valid, self.invalid);
    }
}

// ---- AES key wrap ----------------------------------------------------------

#[test]
fn aes_key_wrap_matches_rfc_3394_and_rfc_5649() {
    for v in vectors("keywrap.txt") {
        let mode = if v["mode"] == "KW" { WrapMode::Rfc3394 } else { WrapMode::Rfc5649 };
        let (kek, key, wrapped) = (hx(&v, "kek"), hx(&v, "key"), hx(&v, "wrapped"));
        assert_eq!(wrap(mode, &kek, &key).unwrap(), wrapped, "{}", v["name"]);
        assert_eq!(&unwrap(mode, &kek, &wrapped).unwrap()[..], &key[..], "{}", v["name"]);
        let mut bad = wrapped.clone();
        bad[0] ^= 1;
        assert_eq!(unwrap(mode, &kek, &bad).unwrap_err(), CryptoError::AuthenticationFailed, "{}", v["name"]);
    }
}

fn wycheproof_keywrap(file: &str, mode: WrapMode) {
    let mut tally = Tally::default();
    for (_, t) in wycheproof(file) {
        let (id, kek, msg, ct) = (&t["tcId"], jhex(&t, "key"), jhex(&t, "msg"), jhex(&t, "ct"));
        let wrapped = wrap(mode, &kek, &msg);
        let unwrapped = unwrap(mode, &kek, &ct);
        match expect(&t) {
            Expect::Valid => {
                tally.valid += 1;
                assert_eq!(wrapped.unwrap(), ct, "{file} tc {id}");
                assert_eq!(&unwrapped.unwrap()[..], &msg[..], "{file} tc {id}");
            }
            Expect::Invalid => {
                tally.invalid += 1;
                assert!(unwrapped.is_err(), "{file} tc {id}: an invalid wrapped key unwrapped");
                assert!(wrapped.map_or(true, |w| w != ct), "{file} tc {id}: wrapping produced the invalid ct");
            }
            // Acceptable (an 8-byte key, which SP 800-38F does not define): we
            // refuse it; if we ever accept it, the answer must be the right one.
            Expect::Acceptable => {
                if let Ok(w) = wrapped {
                    assert_eq!(w, ct, "{file} tc {id}");
                }
                if let Ok(u) = unwrapped {
                    assert_eq!(&u[..], &msg[..], "{file} tc {id}");
                }
            }
        }
    }
    tally.check_both_seen(file);
}

#[test]
fn aes_kw_honours_wycheproof() {
    wycheproof_keywrap("aes_wrap_test.json", WrapMode::Rfc3394);
}

#[test]
fn aes_kwp_honours_wycheproof() {
    wycheproof_keywrap("aes_kwp_test.json", WrapMode::Rfc5649);
}

// ---- RSA-OAEP --------------------------------------------------------------

#[test]
fn rsa_oaep_sha256_decrypt_honours_wycheproof() {
    let mut tally = Tally::default();
    for (g, t) in wycheproof("rsa_oaep_2048_sha256_mgf1sha256_test.json") {
        assert_eq!((g["sha"].as_str(), g["mgfSha"].as_str()), (Some("SHA-256"), Some("SHA-256")));
        let key = PrivateKey::from_der(&jhex(&g, "privateKeyPkcs8")).unwrap();
        let label = jhex(&t, "label");
        let padding = RsaPadding::Oaep { hash: HashAlgorithm::Sha256, mgf1_hash: HashAlgorithm::Sha256, label: &label };
        let result = rsa_decrypt(&key, padding, &jhex(&t, "ct"));
        let id = &t["tcId"];
        match expect(&t) {
            Expect::Valid => {
                tally.valid += 1;
                assert_eq!(&result.unwrap()[..], &jhex(&t, "msg")[..], "tc {id}");
                // And our own encryption of the message decrypts to it under the same parameters.
                let public = key.public_key().unwrap();
                let ct = rsa_encrypt(&public, padding, &jhex(&t, "msg")).unwrap();
                assert_eq!(&rsa_decrypt(&key, padding, &ct).unwrap()[..], &jhex(&t, "msg")[..], "tc {id}");
            }
            Expect::Invalid => {
                tally.invalid += 1;
                let err = result.unwrap_err();
                // Padding failures all look alike (no Manger oracle); only a wrong length is told apart.
                assert!(
                    matches!(err, CryptoError::AuthenticationFailed | CryptoError::InvalidInput(_)),
                    "tc {id}: {err:?}"
                );
            }
            Expect::Acceptable => unreachable!("this file has no acceptable cases"),
        }
    }
    tally.check_both_seen("RSA-OAEP");
}

// ---- RSA-PSS ---------------------------------------------------------------

#[test]
fn rsa_pss_sha256_verify_honours_wycheproof() {
    let mut tally = Tally::default();
    for (g, t) in wycheproof("rsa_pss_2048_sha256_mgf1_32_test.json") {
        assert_eq!(g["sLen"].as_u64(), Some(32));
        let key = PublicKey::from_der(&jhex(&g, "publicKeyDer")).unwrap();
        let scheme = SignatureScheme::RsaPss { hash: HashAlgorithm::Sha256, salt_len: 32 };
        let (msg, sig) = (jhex(&t, "msg"), jhex(&t, "sig"));
        let ok = verify(&key, scheme, &msg, &sig).unwrap();
        let ok_digest = verify_digest(&key, scheme, &hash(HashAlgorithm::Sha256, &msg).unwrap(), &sig).unwrap();
        assert_eq!(ok, ok_digest, "tc {}", t["tcId"]);
        tally.verified("RSA-PSS", &t, ok);
        // tc 108 is a valid PKCS#1 v1.5 signature: wrong for PSS, right for PKCS#1.
        if t["tcId"] == 108 {
            assert!(verify(&key, SignatureScheme::RsaPkcs1v15(HashAlgorithm::Sha256), &msg, &sig).unwrap());
        }
    }
    tally.check_both_seen("RSA-PSS");
}

// ---- ECDSA -----------------------------------------------------------------

fn wycheproof_ecdsa(file: &str, h: HashAlgorithm, curve: Curve) {
    let mut tally = Tally::default();
    for (g, t) in wycheproof(file) {
        let key = PublicKey::from_der(&jhex(&g, "publicKeyDer")).unwrap();
        assert_eq!(key.kind().unwrap(), coffer::crypto::asymmetric::KeyKind::Ec(curve));
        let (msg, sig) = (jhex(&t, "msg"), jhex(&t, "sig"));
        let ok = verify(&key, SignatureScheme::Ecdsa(h), &msg, &sig).unwrap();
        let ok_digest = verify_digest(&key, SignatureScheme::Ecdsa(h), &hash(h, &msg).unwrap(), &sig).unwrap();
        assert_eq!(ok, ok_digest, "{file} tc {}", t["tcId"]);
        tally.verified(file, &t, ok);
    }
    tally.check_both_seen(file);
}

#[test]
fn ecdsa_p256_sha256_verify_honours_wycheproof() {
    wycheproof_ecdsa("ecdsa_secp256r1_sha256_test.json", HashAlgorithm::Sha256, Curve::P256);
}

#[test]
fn ecdsa_p384_sha384_verify_honours_wycheproof() {
    wycheproof_ecdsa("ecdsa_secp384r1_sha384_test.json", HashAlgorithm::Sha384, Curve::P384);
}

// ---- Ed25519 ---------------------------------------------------------------

#[test]
fn ed25519_matches_rfc_8032() {
    for v in vectors("ed25519-rfc8032.txt") {
        let key = formats::from_ed25519_raw_private(&hx(&v, "secret")).unwrap();
        let public = key.public_key().unwrap();
        assert_eq!(formats::to_ed25519_raw_public(&public).unwrap(), hx(&v, "public"), "{}", v["name"]);
        // Ed25519 is deterministic: the signature must be exactly the published one.
        let sig = sign(&key, SignatureScheme::Ed25519, &hx(&v, "message")).unwrap();
        assert_eq!(sig, hx(&v, "signature"), "{}", v["name"]);
        assert!(verify(&public, SignatureScheme::Ed25519, &hx(&v, "message"), &sig).unwrap());
        let mut other = hx(&v, "message");
        other.push(0);
        assert!(!verify(&public, SignatureScheme::Ed25519, &other, &sig).unwrap(), "{}", v["name"]);
    }
}

#[test]
fn ed25519_verify_honours_wycheproof() {
    let mut tally = Tally::default();
    for (g, t) in wycheproof("ed25519_test.json") {
        let key = PublicKey::from_der(&jhex(&g, "publicKeyDer")).unwrap();
        let ok = verify(&key, SignatureScheme::Ed25519, &jhex(&t, "msg"), &jhex(&t, "sig")).unwrap();
        tally.verified("Ed25519", &t, ok);
    }
    tally.check_both_seen("Ed25519");
}

// ---- hashes and key derivation ---------------------------------------------

fn hash_alg(name: &str) -> HashAlgorithm {
    match name {
        "SHA1" => HashAlgorithm::Sha1,
        "SHA224" => HashAlgorithm::Sha224,
        "SHA256" => HashAlgorithm::Sha256,
        "SHA384" => HashAlgorithm::Sha384,
        "SHA512" => HashAlgorithm::Sha512,
        "SHA3-256" => HashAlgorithm::Sha3_256,
        "SHA3-384" => HashAlgorithm::Sha3_384,
        "SHA3-512" => HashAlgorithm::Sha3_512,
        other => panic!("unknown hash {other}"),
    }
}

#[test]
fn digests_match_fips_180_and_the_sha3_examples() {
    for v in vectors("hash.txt") {
        assert_eq!(hash(hash_alg(&v["alg"]), v["message"].as_bytes()).unwrap(), hx(&v, "digest"), "{}", v["name"]);
    }
}

#[test]
fn key_derivation_matches_rfc_6070_rfc_7914_cavp_kbkdf_and_rfc_5869() {
    let mut kinds = std::collections::BTreeSet::new();
    for v in vectors("kdf.txt") {
        let out = hx(&v, "out");
        let prf = hash_alg(&v["prf"]);
        let derived = match v["kdf"].as_str() {
            "PBKDF2" => {
                let iterations = v["iterations"].parse().unwrap();
                pbkdf2(prf, v["password"].as_bytes(), v["salt"].as_bytes(), iterations, out.len()).unwrap()
            }
            "KBKDF" => {
                let mac = match prf {
                    HashAlgorithm::Sha1 => MacAlgorithm::HmacSha1,
                    HashAlgorithm::Sha256 => MacAlgorithm::HmacSha256,
                    other => panic!("{other:?}"),
                };
                let counter = CounterSpec { bits: v["rlen"].parse().unwrap() };
                kbkdf_counter_hmac(mac, &hx(&v, "key"), &hx(&v, "fixed"), counter, out.len()).unwrap()
            }
            "HKDF" => hkdf(prf, &hx(&v, "key"), &hx(&v, "salt"), &hx(&v, "info"), out.len()).unwrap(),
            other => panic!("unknown kdf {other}"),
        };
        assert_eq!(&derived[..], &out[..], "{}", v["name"]);
        kinds.insert(v["kdf"].clone());
    }
    assert_eq!(kinds.len(), 3);
}

// ---- interoperability with the openssl command line ------------------------

fn openssl(args: &[&str], dir: &Path) -> Vec<u8> {
    let out = Command::new("openssl").args(args).current_dir(dir).output().expect("the openssl CLI (tests/setup.sh)");
    assert!(out.status.success(), "openssl {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    out.stdout
}

/// A directory for the openssl CLI's files (private keys among them), removed when dropped.
struct Scratch(PathBuf);

impl std::ops::Deref for Scratch {
    type Target = Path;
    fn deref(&self) -> &Path {
        &self.0
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn scratch(name: &str) -> Scratch {
    let dir = std::env::temp_dir().join(format!("coffer-kat-asym-{name}-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    Scratch(dir)
}

#[test]
fn openssl_cli_keys_load_here_and_ours_load_there() {
    let dir = scratch("keys");
    for (alg, opts, scheme) in [
        ("RSA", vec!["-pkeyopt", "rsa_keygen_bits:2048"], SignatureScheme::rsa_pss(HashAlgorithm::Sha256)),
        ("EC", vec!["-pkeyopt", "ec_paramgen_curve:P-256"], SignatureScheme::Ecdsa(HashAlgorithm::Sha256)),
        ("ED25519", vec![], SignatureScheme::Ed25519),
    ] {
        let mut args = vec!["genpkey", "-algorithm", alg];
        args.extend(opts.iter().copied());
        let pem = openssl(&args, &dir);
        // `openssl genpkey` writes PKCS#8 PEM; we read it and write the same bytes back.
        let key = PrivateKey::from_pem(&pem).unwrap();
        assert_eq!(&key.to_pkcs8_pem().unwrap()[..], &pem[..], "{alg}");
        std::fs::write(dir.join("key.pem"), &pem).unwrap();
        let der = openssl(&["pkcs8", "-topk8", "-nocrypt", "-in", "key.pem", "-outform", "DER"], &dir);
        assert!(key.to_pkcs8_der().unwrap()[..] == der[..], "{alg}: PKCS#8 DER differs from openssl's");
        if alg == "RSA" {
            // `openssl rsa -traditional` writes PKCS#1, the same bytes as formats.rs.
            let pkcs1 = openssl(&["rsa", "-traditional", "-in", "key.pem", "-outform", "DER"], &dir);
            assert!(formats::to_pkcs1_private_der(&key).unwrap()[..] == pkcs1[..], "PKCS#1 DER differs");
        }

        // Our public key PEM loads in openssl, which writes the same SPKI DER.
        let public = key.public_key().unwrap();
        std::fs::write(dir.join("pub.pem"), public.to_pem().unwrap()).unwrap();
        let spki = openssl(&["pkey", "-pubin", "-in", "pub.pem", "-outform", "DER"], &dir);
        assert_eq!(public.to_spki_der().unwrap(), spki, "{alg}");

        // Our signature verifies in openssl.
        std::fs::write(dir.join("data"), b"signed by coffer").unwrap();
        std::fs::write(dir.join("sig"), sign(&key, scheme, b"signed by coffer").unwrap()).unwrap();
        let mut verify_args =
            vec!["pkeyutl", "-verify", "-pubin", "-inkey", "pub.pem", "-in", "data", "-sigfile", "sig"];
        match scheme {
            SignatureScheme::Ed25519 => verify_args.push("-rawin"),
            SignatureScheme::RsaPss { .. } => {
                verify_args.extend(["-rawin", "-digest", "sha256", "-pkeyopt", "rsa_padding_mode:pss"]);
                verify_args.extend(["-pkeyopt", "rsa_pss_saltlen:32"]);
            }
            _ => verify_args.extend(["-rawin", "-digest", "sha256"]),
        }
        let said = String::from_utf8(openssl(&verify_args, &dir)).unwrap();
        assert!(said.contains("Signature Verified Successfully"), "{alg}: {said}");

        // And openssl's signature verifies here.
        let mut sign_args = vec!["pkeyutl", "-sign", "-inkey", "key.pem", "-in", "data", "-rawin"];
        match scheme {
            SignatureScheme::Ed25519 => {}
            SignatureScheme::RsaPss { .. } => {
                sign_args.extend([
                    "-digest",
                    "sha256",
                    "-pkeyopt",
                    "rsa_padding_mode:pss",
                    "-pkeyopt",
                    "rsa_pss_saltlen:32",
                ]);
            }
            _ => sign_args.extend(["-digest", "sha256"]),
        }
        let theirs = openssl(&sign_args, &dir);
        assert!(verify(&public, scheme, b"signed by coffer", &theirs).unwrap(), "{alg}");
    }
}

#[test]
fn openssl_cli_rsa_oaep_ciphertext_decrypts_here() {
    let dir = scratch("oaep");
    let pair = generate(KeyPairSpec::Rsa(2048)).unwrap();
    let key = PrivateKey::from_der(&pair.private_pkcs8_der).unwrap();
    std::fs::write(dir.join("pub.pem"), key.public_key().unwrap().to_pem().unwrap()).unwrap();
    std::fs::write(dir.join("secret"), [0x5au8; 32]).unwrap();
    for (md, h) in [("sha1", HashAlgorithm::Sha1), ("sha256", HashAlgorithm::Sha256)] {
        let oaep_md = format!("rsa_oaep_md:{md}");
        let mgf1_md = format!("rsa_mgf1_md:{md}");
        let ct = openssl(
            &[
                "pkeyutl",
                "-encrypt",
                "-pubin",
                "-inkey",
                "pub.pem",
                "-in",
                "secret",
                "-pkeyopt",
                "rsa_padding_mode:oaep",
            ]
            .into_iter()
            .chain(["-pkeyopt", &oaep_md, "-pkeyopt", &mgf1_md])
            .collect::<Vec<_>>(),
            &dir,
        );
        assert_eq!(&rsa_decrypt(&key, RsaPadding::oaep(h), &ct).unwrap()[..], &[0x5au8; 32], "{md}");
    }
}

#[test]
fn openssl_cli_aes_wrapped_key_unwraps_here() {
    let dir = scratch("wrap");
    let kek = "000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F";
    std::fs::write(dir.join("key"), [0x33u8; 32]).unwrap();
    // `openssl enc` takes the wrap ciphers with an explicit KEK and the default IV.
    let wrapped = openssl(&["enc", "-id-aes256-wrap", "-K", kek, "-iv", "A6A6A6A6A6A6A6A6", "-in", "key"], &dir);
    assert_eq!(&unwrap(WrapMode::Rfc3394, &hex::decode(kek).unwrap(), &wrapped).unwrap()[..], &[0x33u8; 32]);
}

#[test]
fn certificate_facts_are_read_from_an_openssl_cli_certificate() {
    let dir = scratch("cert");
    openssl(
        &[
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:P-256",
            "-nodes",
            "-keyout",
            "k.pem",
            "-out",
            "c.pem",
            "-days",
            "30",
            "-subj",
            "/CN=kmip.example.test/O=Coffer Tests",
            "-addext",
            "subjectAltName=DNS:kmip.example.test,IP:127.0.0.1",
        ],
        &dir,
    );
    let pem = std::fs::read(dir.join("c.pem")).unwrap();
    let info = certificate_info(&pem).unwrap();
    assert_eq!(info.subject_cn.as_deref(), Some("kmip.example.test"));
    assert_eq!(info.subject, "CN=kmip.example.test, O=Coffer Tests");
    assert_eq!(info.issuer, info.subject, "self-signed");
    assert_eq!(info.subject_alt_names, vec!["DNS:kmip.example.test".to_owned(), "IP:127.0.0.1".to_owned()]);
    assert_eq!(info.public_key_algorithm, "EC P-256");
    assert_eq!(info.not_after_unix - info.not_before_unix, 30 * 86_400);
    let der = openssl(&["x509", "-in", "c.pem", "-outform", "DER"], &dir);
    assert_eq!(formats::certificate_to_der(&pem).unwrap(), der);
    assert_eq!(certificate_info(&der).unwrap(), info, "DER and PEM give the same facts");
    let fp = String::from_utf8(openssl(&["x509", "-in", "c.pem", "-noout", "-fingerprint", "-sha256"], &dir)).unwrap();
    let fp_hex = fp.trim().rsplit('=').next().unwrap().replace(':', "").to_lowercase();
    assert_eq!(hex::encode(&info.sha256_fingerprint), fp_hex);
    let serial = String::from_utf8(openssl(&["x509", "-in", "c.pem", "-noout", "-serial"], &dir)).unwrap();
    assert_eq!(
        serial.trim().trim_start_matches("serial=").trim_start_matches('0'),
        info.serial_hex.trim_start_matches('0')
    );
}
