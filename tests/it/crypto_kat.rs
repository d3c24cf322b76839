//! Known-answer tests for `coffer::crypto` against published vectors, read from
//! `fixtures/crypto/*.txt` (each file names its source document and each block
//! its section and case): NIST SP 800-38A Appendix F (AES ECB/CBC/CTR), the GCM
//! specification's Appendix B and a NIST CAVP gcmEncryptExtIV case with a 96-bit
//! tag (AES-GCM), RFC 4231 and RFC 2202 (HMAC), RFC 4493 (CMAC-AES).

use std::collections::BTreeMap;
use std::path::Path;

use coffer::crypto::mac::{mac, mac_verify, MacAlgorithm};
use coffer::crypto::symmetric::{aes_decrypt, aes_encrypt, AesParams, Mode, Padding};
use coffer::crypto::CryptoError;

/// One `field = value` block; `name` labels it in failure messages.
struct Vector {
    fields: BTreeMap<String, String>,
}

impl Vector {
    fn name(&self) -> &str {
        self.text("name")
    }

    fn text(&self, field: &str) -> &str {
        self.fields.get(field).unwrap_or_else(|| panic!("block {:?} has no `{field}`", self.fields.get("name")))
    }

    fn hex(&self, field: &str) -> Vec<u8> {
        hex::decode(self.text(field)).unwrap_or_else(|e| panic!("{}: `{field}` is not hex: {e}", self.name()))
    }
}

/// The blocks of `fixtures/crypto/FILE`, as [`Vector`]s.
fn vectors(file: &str) -> Vec<Vector> {
    blocks(file).into_iter().map(|fields| Vector { fields }).collect()
}

/// Reads `fixtures/crypto/FILE`: blank-line-separated blocks of `field = value`
/// lines; `#` starts a comment line. A file with no block is an error.
pub(crate) fn blocks(file: &str) -> Vec<BTreeMap<String, String>> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/crypto").join(file);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut out = Vec::new();
    let mut fields = BTreeMap::new();
    for line in text.lines().map(str::trim).chain(std::iter::once("")) {
        if line.starts_with('#') {
            continue;
        }
        if line.is_empty() {
            if !fields.is_empty() {
                out.push(std::mem::take(&mut fields));
            }
            continue;
        }
        let (field, value) = line.split_once('=').unwrap_or_else(|| panic!("{file}: not `field = value`: {line}"));
        let previous = fields.insert(field.trim().to_owned(), value.trim().to_owned());
        assert!(previous.is_none(), "{file}: `{}` twice in one block", field.trim());
    }
    assert!(!out.is_empty(), "{file} has no vectors");
    out
}

fn mode(name: &str) -> Mode {
    match name {
        "ECB" => Mode::Ecb,
        "CBC" => Mode::Cbc,
        "CTR" => Mode::Ctr,
        other => panic!("unknown mode {other}"),
    }
}

fn mac_algorithm(name: &str) -> MacAlgorithm {
    match name {
        "HMAC-SHA1" => MacAlgorithm::HmacSha1,
        "HMAC-SHA224" => MacAlgorithm::HmacSha224,
        "HMAC-SHA256" => MacAlgorithm::HmacSha256,
        "HMAC-SHA384" => MacAlgorithm::HmacSha384,
        "HMAC-SHA512" => MacAlgorithm::HmacSha512,
        "CMAC-AES" => MacAlgorithm::CmacAes,
        other => panic!("unknown MAC algorithm {other}"),
    }
}

#[test]
fn aes_ecb_cbc_ctr_match_sp800_38a_appendix_f_both_ways() {
    let cases = vectors("sp800-38a-aes.txt");
    assert_eq!(cases.len(), 9, "F.1, F.2 and F.5 for AES-128, -192 and -256");
    for v in &cases {
        let (key, iv, pt, ct) = (v.hex("key"), v.hex("iv"), v.hex("plaintext"), v.hex("ciphertext"));
        let params = AesParams {
            iv: (!iv.is_empty()).then_some(iv.as_slice()),
            ..AesParams::new(mode(v.text("mode")), Padding::None)
        };
        let enc = aes_encrypt(&key, &params, &pt).unwrap();
        assert_eq!(hex::encode(&enc.ciphertext), hex::encode(&ct), "{} encrypt", v.name());
        assert_eq!(enc.iv, None, "{}: a given IV is not echoed", v.name());
        let dec = aes_decrypt(&key, &params, &ct, None).unwrap();
        assert_eq!(hex::encode(&dec[..]), hex::encode(&pt), "{} decrypt", v.name());
    }
}

#[test]
fn sp800_38a_cbc_with_pkcs7_adds_one_full_padding_block() {
    // F.2.1's four blocks with PKCS#7: the same four ciphertext blocks, then one
    // more for the 16 bytes of 0x10 (whose value is checked by decrypting it).
    let v = vectors("sp800-38a-aes.txt").into_iter().find(|v| v.name().starts_with("F.2.1")).unwrap();
    let (key, iv, pt, ct) = (v.hex("key"), v.hex("iv"), v.hex("plaintext"), v.hex("ciphertext"));
    let params = AesParams { iv: Some(&iv), ..AesParams::new(Mode::Cbc, Padding::Pkcs7) };
    let enc = aes_encrypt(&key, &params, &pt).unwrap();
    assert_eq!(enc.ciphertext.len(), 80);
    assert_eq!(enc.ciphertext[..64], ct[..]);
    let unpadded = AesParams { iv: Some(&ct[48..64]), ..AesParams::new(Mode::Cbc, Padding::None) };
    assert_eq!(&aes_decrypt(&key, &unpadded, &enc.ciphertext[64..], None).unwrap()[..], &[0x10u8; 16]);
    assert_eq!(&aes_decrypt(&key, &params, &enc.ciphertext, None).unwrap()[..], &pt[..]);
}

#[test]
fn aes_gcm_matches_the_gcm_spec_and_cavp_vectors() {
    let cases = vectors("gcm.txt");
    assert!(cases.len() >= 10);
    assert!(cases.iter().any(|v| v.hex("tag").len() == 12 && !v.hex("aad").is_empty() && v.hex("iv").len() == 12));
    for v in &cases {
        let (key, iv, aad, pt, ct, tag) =
            (v.hex("key"), v.hex("iv"), v.hex("aad"), v.hex("plaintext"), v.hex("ciphertext"), v.hex("tag"));
        let params =
            AesParams { iv: Some(&iv), aad: &aad, tag_len: tag.len(), ..AesParams::new(Mode::Gcm, Padding::None) };
        let enc = aes_encrypt(&key, &params, &pt).unwrap();
        assert_eq!(hex::encode(&enc.ciphertext), hex::encode(&ct), "{} ciphertext", v.name());
        assert_eq!(enc.tag.as_deref().map(hex::encode), Some(hex::encode(&tag)), "{} tag", v.name());
        let dec = aes_decrypt(&key, &params, &ct, Some(&tag)).unwrap();
        assert_eq!(hex::encode(&dec[..]), hex::encode(&pt), "{} decrypt", v.name());

        let mut forged = tag.clone();
        if let Some(last) = forged.last_mut() {
            *last ^= 0x01;
        }
        assert_eq!(
            aes_decrypt(&key, &params, &ct, Some(&forged)).unwrap_err(),
            CryptoError::AuthenticationFailed,
            "{}: a flipped tag bit must fail",
            v.name()
        );
    }
}

#[test]
fn gcm_spec_tag_truncated_to_12_bytes_is_its_leading_bytes() {
    // SP 800-38D section 6.4: a t-bit tag is MSB_t of the full tag. Test Case 4 with t = 96.
    let v = vectors("gcm.txt").into_iter().find(|v| v.name().starts_with("GCM spec Test Case 4 ")).unwrap();
    let (key, iv, aad, pt, tag) = (v.hex("key"), v.hex("iv"), v.hex("aad"), v.hex("plaintext"), v.hex("tag"));
    let params = AesParams { iv: Some(&iv), aad: &aad, tag_len: 12, ..AesParams::new(Mode::Gcm, Padding::None) };
    let enc = aes_encrypt(&key, &params, &pt).unwrap();
    assert_eq!(enc.tag.as_deref(), Some(&tag[..12]));
    assert_eq!(&aes_decrypt(&key, &params, &enc.ciphertext, Some(&tag[..12])).unwrap()[..], &pt[..]);
}

#[test]
fn hmac_and_cmac_match_rfc_4231_2202_and_4493() {
    let cases = vectors("mac.txt");
    assert_eq!(
        cases.len(),
        27,
        "RFC 4231 cases 1-4 and 6 x 4 digests, RFC 2202 cases 1, 2 and 6, RFC 4493 examples 1-4"
    );
    for v in &cases {
        let (alg, key, data, want) = (mac_algorithm(v.text("alg")), v.hex("key"), v.hex("data"), v.hex("mac"));
        assert_eq!(hex::encode(mac(alg, &key, &data).unwrap()), hex::encode(&want), "{}", v.name());
        assert!(mac_verify(alg, &key, &data, &want).unwrap(), "{} verify", v.name());
        let mut wrong = want.clone();
        wrong[0] ^= 0x80;
        assert!(!mac_verify(alg, &key, &data, &wrong).unwrap(), "{} verify of a wrong MAC", v.name());
    }
}
