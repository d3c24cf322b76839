//! Derive Key (KMIP 1.4 §4.6, 2.1 §6.1.14): a new Symmetric Key (or Secret
//! Data) from one base object, by PBKDF2, NIST SP 800-108 counter mode
//! (HMAC PRF, 32-bit counter before the fixed input, which is the
//! Derivation Data), HMAC (as HKDF, RFC 5869, with the Salt and the
//! Derivation Data as info: what PyKMIP's server computes) or encryption of
//! the Derivation Data under the base key.
//!
//! The base object must allow Derive Key and be Active. The new object is
//! linked to it (Derivation Base Object), and the base to the new one
//! (Derived Key).

use zeroize::Zeroizing;

use crate::crypto::derive;
use crate::crypto::hash::HashAlgorithm;
use crate::crypto::mac::MacAlgorithm;
use crate::error::Error;
use crate::kmip::attributes::{Attribute, CryptographicParameters, Link};
use crate::kmip::codec::FromTtlv;
use crate::kmip::objects::{KeyBlock, KeyMaterial, KeyValue, Object, SecretData, SymmetricKey};
use crate::kmip::payloads::{DeriveKeyRequest, DeriveKeyResponse};
use crate::kmip::secret::Secret;
use crate::kmip::table::{
    CryptographicUsageMask as Mask, DerivationMethod, HashingAlgorithm, KeyFormatType, LinkType, ObjectType, Operation,
    SecretDataType,
};
use crate::lifecycle::{self, Use};
use crate::operations::context::RequestContext;
use crate::operations::crypto_params;
use crate::operations::new_object::{self, find, type_name};
use crate::ttlv::{Tag, Ttlv, Value};

/// Derivation Parameters (KMIP 1.4 §4.6), as this server reads them.
struct Parameters {
    cryptographic_parameters: Option<CryptographicParameters>,
    iv: Option<Vec<u8>>,
    data: Option<Zeroizing<Vec<u8>>>,
    salt: Option<Vec<u8>>,
    iterations: Option<i32>,
}

fn parameters(tree: &Ttlv, v: crate::kmip::version::ProtocolVersion) -> Result<Parameters, Error> {
    let Value::Structure(children) = &tree.value else {
        return Err(Error::InvalidField("Derivation Parameters is a structure".into()));
    };
    let bytes = |tag: Tag| -> Result<Option<Vec<u8>>, Error> {
        match children.iter().find(|c| c.tag == tag).map(|c| &c.value) {
            None => Ok(None),
            Some(Value::ByteString(b)) => Ok(Some(b.to_vec())),
            Some(_) => Err(Error::InvalidField(format!("{tag:?} must be a Byte String"))),
        }
    };
    let cryptographic_parameters = match children.iter().find(|c| c.tag == Tag::CryptographicParameters) {
        Some(p) => Some(CryptographicParameters::from_ttlv(p, v).map_err(Error::Model)?),
        None => None,
    };
    let iterations = match children.iter().find(|c| c.tag == Tag::IterationCount).map(|c| &c.value) {
        None => None,
        Some(Value::Integer(n)) => Some(*n),
        Some(_) => return Err(Error::InvalidField("Iteration Count must be an Integer".into())),
    };
    Ok(Parameters {
        cryptographic_parameters,
        iv: bytes(Tag::IVCounterNonce)?.or(bytes(Tag::InitializationVector)?),
        data: bytes(Tag::DerivationData)?.map(Zeroizing::new),
        salt: bytes(Tag::Salt)?,
        iterations,
    })
}

fn hashing(p: &Parameters, default: Option<HashingAlgorithm>) -> Result<HashingAlgorithm, Error> {
    p.cryptographic_parameters.as_ref().and_then(|c| c.hashing_algorithm).or(default).ok_or_else(|| {
        Error::MissingData("this Derivation Method needs a Hashing Algorithm in the Cryptographic Parameters".into())
    })
}

fn hash_of(h: HashingAlgorithm) -> Result<(HashAlgorithm, MacAlgorithm), Error> {
    Ok(match h {
        HashingAlgorithm::SHA_1 => (HashAlgorithm::Sha1, MacAlgorithm::HmacSha1),
        HashingAlgorithm::SHA_224 => (HashAlgorithm::Sha224, MacAlgorithm::HmacSha224),
        HashingAlgorithm::SHA_256 => (HashAlgorithm::Sha256, MacAlgorithm::HmacSha256),
        HashingAlgorithm::SHA_384 => (HashAlgorithm::Sha384, MacAlgorithm::HmacSha384),
        HashingAlgorithm::SHA_512 => (HashAlgorithm::Sha512, MacAlgorithm::HmacSha512),
        other => {
            return Err(Error::BadCryptographicParameters(format!(
                "Hashing Algorithm {} is not offered for derivation (SHA-1, SHA-224, SHA-256, SHA-384, SHA-512 are)",
                other.name().unwrap_or("unknown")
            )))
        }
    })
}

/// Runs Derive Key.
pub(crate) async fn handle(ctx: &mut RequestContext<'_>, req: DeriveKeyRequest) -> Result<DeriveKeyResponse, Error> {
    if !matches!(req.object_type, ObjectType::SymmetricKey | ObjectType::SecretData) {
        return Err(Error::InvalidField(format!(
            "Derive Key makes a Symmetric Key or Secret Data, not {}",
            type_name(req.object_type)
        )));
    }
    let base_id = match req.unique_identifiers.as_slice() {
        [] => ctx.resolve_id(None)?,
        [one] => one.clone(),
        _ => {
            return Err(Error::FeatureNotSupported(
                "Derive Key from several objects is not supported; name one base object".into(),
            ))
        }
    };
    let method = match &req.derivation_method.value {
        Value::Enumeration(e) => DerivationMethod::from_value(*e),
        _ => return Err(Error::InvalidField("Derivation Method must be an Enumeration".into())),
    };
    let p = parameters(&req.derivation_parameters, ctx.version)?;
    let client = new_object::client_attributes(&req.attributes, req.object_type)?;
    let length = find(&client, |a| match a {
        Attribute::CryptographicLength(x) => Some(*x),
        _ => None,
    })
    .ok_or_else(|| Error::MissingData("Derive Key needs the Cryptographic Length of the new key".into()))?;
    let len = usize::try_from(length).ok().filter(|n| *n > 0 && n % 8 == 0).map(|n| n / 8).ok_or_else(|| {
        Error::InvalidField(format!("Cryptographic Length {length} is not a positive number of bytes"))
    })?;
    let algorithm = find(&client, |a| match a {
        Attribute::CryptographicAlgorithm(x) => Some(*x),
        _ => None,
    });
    if req.object_type == ObjectType::SymmetricKey && algorithm.is_none() {
        return Err(Error::MissingData("Derive Key needs the Cryptographic Algorithm of the new key".into()));
    }

    let mut base = ctx.load_live(&base_id).await?;
    match base.object_type() {
        Some(ObjectType::SymmetricKey | ObjectType::SecretData) => {}
        Some(object_type) => {
            return Err(Error::WrongObjectType {
                id: Some(base.id.clone()),
                object_type,
                operation: Operation::DeriveKey,
            })
        }
        None => return Err(Error::Internal(format!("object {} has no Object Type", base.id))),
    }
    lifecycle::check_use(&base, Operation::DeriveKey, Use::Protect, ctx.now_kmip())?;
    match base.usage_mask() {
        Some(m) if m.contains(Mask::DeriveKey) || m.contains(Mask::Unrestricted) => {}
        _ => return Err(Error::UsageNotAllowed { id: base.id.clone(), usage: "Derive Key" }),
    }
    let secret = match base.object.as_ref().and_then(|o| o.key_block()).and_then(|b| b.key_value.as_ref()) {
        Some(KeyValue::Plain { key_material: KeyMaterial::Bytes(b), .. }) => b.clone(),
        _ => return Err(Error::InvalidField(format!("object {:?} has no raw key material to derive from", base.id))),
    };
    let base_key = secret.expose();
    let crypto = |e: crate::crypto::CryptoError| Error::Crypto(e);
    let data = p.data.as_deref().map(Vec::as_slice);
    let derived = match method {
        DerivationMethod::PBKDF2 => {
            let (hash, _) = hash_of(hashing(&p, Some(HashingAlgorithm::SHA_1))?)?;
            let salt = p.salt.as_deref().ok_or_else(|| Error::MissingData("PBKDF2 needs a Salt".into()))?;
            let iterations = p
                .iterations
                .and_then(|n| u32::try_from(n).ok())
                .ok_or_else(|| Error::MissingData("PBKDF2 needs a positive Iteration Count".into()))?;
            derive::pbkdf2(hash, base_key, salt, iterations, len).map_err(crypto)?
        }
        DerivationMethod::NIST800_108_C => {
            let (_, prf) = hash_of(hashing(&p, None)?)?;
            let fixed = data.ok_or_else(|| Error::MissingData("NIST800-108-C needs Derivation Data".into()))?;
            derive::kbkdf_counter_hmac(prf, base_key, fixed, derive::CounterSpec::default(), len).map_err(crypto)?
        }
        DerivationMethod::HMAC | DerivationMethod::HKDF => {
            let (hash, _) = hash_of(hashing(&p, None)?)?;
            let info = data.ok_or_else(|| Error::MissingData("HMAC derivation needs Derivation Data".into()))?;
            derive::hkdf(hash, base_key, p.salt.as_deref().unwrap_or_default(), info, len).map_err(crypto)?
        }
        DerivationMethod::ENCRYPT => {
            let plain = data.ok_or_else(|| Error::MissingData("Encrypt derivation needs Derivation Data".into()))?;
            let params = crypto_params::aes_params(p.cryptographic_parameters.as_ref(), p.iv.as_deref(), &[])?;
            derive::encrypt_derive(base_key, &params, plain, len).map_err(crypto)?
        }
        other => {
            return Err(Error::FeatureNotSupported(format!(
                "Derivation Method {} is not supported (PBKDF2, HMAC, Encrypt, NIST800-108-C are)",
                other.name().unwrap_or("unknown")
            )))
        }
    };
    let symmetric = req.object_type == ObjectType::SymmetricKey;
    let block = KeyBlock::plain(
        KeyFormatType::Raw,
        KeyMaterial::Bytes(Secret::from_slice(&derived)),
        algorithm.filter(|_| symmetric),
        Some(length).filter(|_| symmetric),
    );
    drop(derived);
    let object = match req.object_type {
        ObjectType::SecretData => {
            Object::SecretData(SecretData { secret_data_type: SecretDataType::Seed, key_block: block })
        }
        _ => Object::SymmetricKey(SymmetricKey { key_block: block }),
    };
    new_object::check_names_unique(ctx, &client).await?;
    let mut client = client;
    client.push(Attribute::Link(Link {
        link_type: LinkType::DerivationBaseObjectLink,
        linked_object_identifier: base.id.clone(),
    }));
    let managed = new_object::build(ctx, object, Some(KeyFormatType::Raw), client);
    base.attributes.push(Attribute::Link(Link {
        link_type: LinkType::DerivedKeyLink,
        linked_object_identifier: managed.id.clone(),
    }));
    ctx.save(&[&managed, &base]).await?;
    ctx.id_placeholder = Some(managed.id.clone());
    Ok(DeriveKeyResponse { unique_identifier: managed.id, attributes: None })
}
