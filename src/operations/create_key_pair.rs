//! Create Key Pair (KMIP 1.4 §4.2, 2.1 §6.1.12): RSA 1024-4096, EC on
//! P-256/P-384/P-521, and Ed25519.
//!
//! The private key gets the Common attributes and the Private Key ones (a
//! Private Key attribute wins over a Common one of the same tag), the public
//! key likewise; the two are linked both ways (Public Key Link on the
//! private key, Private Key Link on the public key). The ID Placeholder
//! becomes the private key's identifier (KMIP 1.4 §4.2).
//!
//! Storage formats: RSA keys as PKCS#1 (RSAPrivateKey / RSAPublicKey), as
//! the OASIS AKLC cases' reference server keeps them (their Digest names
//! Key Format Type PKCS_1) and PyKMIP's server does; EC and Ed25519 keys,
//! which have no PKCS#1 form, as PKCS#8 and SubjectPublicKeyInfo (Key
//! Format Type X.509). Get converts to the other formats.
//!
//! Curves: the Recommended Curve of Cryptographic Domain Parameters, else
//! the Cryptographic Length (256, 384, 521), which is all PyKMIP's client
//! can send. Usage masks default to Sign for the private key and Verify for
//! the public key when the request gives none.

use crate::crypto::asymmetric::{self, Curve, KeyPairSpec as PairSpec};
use crate::crypto::formats;
use crate::error::Error;
use crate::kmip::attributes::{Attribute, Attributes, Link};
use crate::kmip::objects::{KeyBlock, KeyMaterial, Object, PrivateKey, PublicKey};
use crate::kmip::payloads::{CreateKeyPairRequest, CreateKeyPairResponse};
use crate::kmip::secret::Secret;
use crate::kmip::table::{
    CryptographicAlgorithm as Alg, CryptographicUsageMask, KeyFormatType, LinkType, ObjectType, RecommendedCurve,
};
use crate::operations::context::RequestContext;
use crate::operations::new_object::{self, find};

/// RSA modulus lengths Create Key Pair makes, in bits.
const RSA_BITS: &[i32] = &[1024, 2048, 3072, 4096];

/// Runs Create Key Pair.
pub(crate) async fn handle(
    ctx: &mut RequestContext<'_>,
    req: CreateKeyPairRequest,
) -> Result<CreateKeyPairResponse, Error> {
    new_object::refuse_protection_storage_masks(&[
        &req.common_protection_storage_masks,
        &req.private_protection_storage_masks,
        &req.public_protection_storage_masks,
    ])?;
    let empty = Attributes::default();
    let common =
        new_object::client_attributes(req.common_attributes.as_ref().unwrap_or(&empty), ObjectType::PrivateKey)?;
    if common.iter().any(|a| matches!(a, Attribute::Name(_))) {
        return Err(Error::InvalidField(
            "a Name in the Common attributes would give both keys one name, and names are unique in a key store: \
             give it in the Private Key or Public Key attributes"
                .into(),
        ));
    }
    let private_only =
        new_object::client_attributes(req.private_key_attributes.as_ref().unwrap_or(&empty), ObjectType::PrivateKey)?;
    let public_only =
        new_object::client_attributes(req.public_key_attributes.as_ref().unwrap_or(&empty), ObjectType::PublicKey)?;
    let mut private_attributes = merge(&common, private_only);
    let mut public_attributes = merge(&common, public_only);

    let spec = pair_spec(&private_attributes)?;
    // Both keys must describe the same pair.
    let public_spec = pair_spec(&public_attributes)?;
    if public_spec != spec {
        return Err(Error::InvalidField(
            "the Private Key and Public Key attributes describe different key pairs (algorithm, length or curve)"
                .into(),
        ));
    }
    default_mask(&mut private_attributes, CryptographicUsageMask::Sign);
    default_mask(&mut public_attributes, CryptographicUsageMask::Verify);
    // The key block carries algorithm and length; the client's curve stays an attribute.
    let (algorithm, bits) = block_algorithm(spec, &private_attributes);
    let mut both = private_attributes.clone();
    both.extend(public_attributes.iter().filter(|a| matches!(a, Attribute::Name(_))).cloned());
    new_object::check_names_unique(ctx, &both).await?;

    // RSA generation takes up to seconds: off the async workers.
    let pair = tokio::task::spawn_blocking(move || asymmetric::generate(spec))
        .await
        .map_err(|e| Error::Internal(format!("key pair generation task: {e}")))?
        .map_err(Error::Crypto)?;
    let (private_format, private_der, public_format, public_der) = match spec {
        PairSpec::Rsa(_) => {
            let private = asymmetric::PrivateKey::from_der(&pair.private_pkcs8_der).map_err(Error::Crypto)?;
            let public = private.public_key().map_err(Error::Crypto)?;
            (
                KeyFormatType::PKCS_1,
                formats::to_pkcs1_private_der(&private).map_err(Error::Crypto)?,
                KeyFormatType::PKCS_1,
                formats::to_pkcs1_public_der(&public).map_err(Error::Crypto)?,
            )
        }
        _ => {
            (KeyFormatType::PKCS_8, pair.private_pkcs8_der.clone(), KeyFormatType::X_509, pair.public_spki_der.clone())
        }
    };
    drop(pair);
    let private_object = Object::PrivateKey(PrivateKey {
        key_block: block(private_format, Secret::from_slice(&private_der), algorithm, bits),
    });
    drop(private_der);
    let public_object = Object::PublicKey(PublicKey {
        key_block: block(public_format, Secret::from_slice(&public_der), algorithm, bits),
    });
    let mut private = new_object::build(ctx, private_object, Some(private_format), private_attributes);
    let mut public = new_object::build(ctx, public_object, Some(public_format), public_attributes);
    for key in [&mut private, &mut public] {
        key.attributes.push(Attribute::RandomNumberGenerator(crate::operations::create::rng_parameters()));
    }
    private.attributes.push(Attribute::Link(Link {
        link_type: LinkType::PublicKeyLink,
        linked_object_identifier: public.id.clone(),
    }));
    public.attributes.push(Attribute::Link(Link {
        link_type: LinkType::PrivateKeyLink,
        linked_object_identifier: private.id.clone(),
    }));
    ctx.save(&[&private, &public]).await?;
    ctx.id_placeholder = Some(private.id.clone());
    Ok(CreateKeyPairResponse {
        private_key_unique_identifier: private.id,
        public_key_unique_identifier: public.id,
        private_key_attributes: None,
        public_key_attributes: None,
    })
}

/// The Common attributes with the key's own, the key's own winning for a
/// tag both give (Name, being multi-valued, is kept from both).
fn merge(common: &[Attribute], own: Vec<Attribute>) -> Vec<Attribute> {
    let mut out: Vec<Attribute> = common
        .iter()
        .filter(|c| matches!(c, Attribute::Name(_)) || !own.iter().any(|o| o.tag() == c.tag()))
        .cloned()
        .collect();
    out.extend(own);
    out
}

fn default_mask(attributes: &mut Vec<Attribute>, mask: CryptographicUsageMask) {
    if !attributes.iter().any(|a| matches!(a, Attribute::CryptographicUsageMask(_))) {
        attributes.push(Attribute::CryptographicUsageMask(mask));
    }
}

/// The key pair the attributes ask for, or why it cannot be made.
fn pair_spec(attributes: &[Attribute]) -> Result<PairSpec, Error> {
    let algorithm = find(attributes, |a| match a {
        Attribute::CryptographicAlgorithm(x) => Some(*x),
        _ => None,
    })
    .ok_or_else(|| Error::MissingData("Create Key Pair needs the Cryptographic Algorithm attribute".into()))?;
    let length = find(attributes, |a| match a {
        Attribute::CryptographicLength(x) => Some(*x),
        _ => None,
    });
    let curve = find(attributes, |a| match a {
        Attribute::CryptographicDomainParameters(p) => p.recommended_curve,
        _ => None,
    });
    match algorithm {
        Alg::RSA => match length {
            Some(bits) if RSA_BITS.contains(&bits) => Ok(PairSpec::Rsa(bits.unsigned_abs())),
            Some(other) => Err(Error::InvalidField(format!(
                "Cryptographic Length {other} is not an RSA modulus length this server makes; use one of {RSA_BITS:?}"
            ))),
            None => Err(Error::MissingData("Create Key Pair of an RSA key needs the Cryptographic Length".into())),
        },
        Alg::EC | Alg::ECDSA => {
            let curve = match (curve, length) {
                (Some(RecommendedCurve::P_256), None | Some(256)) | (None, Some(256)) => Curve::P256,
                (Some(RecommendedCurve::P_384), None | Some(384)) | (None, Some(384)) => Curve::P384,
                (Some(RecommendedCurve::P_521), None | Some(521)) | (None, Some(521)) => Curve::P521,
                (None, None) => {
                    return Err(Error::MissingData(
                        "Create Key Pair of an EC key needs a Recommended Curve (Cryptographic Domain Parameters) \
                         or a Cryptographic Length of 256, 384 or 521"
                            .into(),
                    ))
                }
                (Some(c), _)
                    if !matches!(c, RecommendedCurve::P_256 | RecommendedCurve::P_384 | RecommendedCurve::P_521) =>
                {
                    return Err(Error::FeatureNotSupported(format!(
                        "Recommended Curve {}; this server makes P-256, P-384 and P-521 keys",
                        c.name().unwrap_or("(unknown)")
                    )))
                }
                _ => {
                    return Err(Error::InvalidField(
                        "the Cryptographic Length does not match the curve; use 256, 384 or 521 for P-256, P-384 \
                         or P-521"
                            .into(),
                    ))
                }
            };
            Ok(PairSpec::Ec(curve))
        }
        Alg::Ed25519 => match length {
            None | Some(256) => Ok(PairSpec::Ed25519),
            Some(other) => Err(Error::InvalidField(format!("Cryptographic Length {other} is not Ed25519's (256)"))),
        },
        other => Err(Error::FeatureNotSupported(format!(
            "Create Key Pair makes RSA, EC/ECDSA and Ed25519 keys; {} is not supported",
            other.name().unwrap_or("this algorithm")
        ))),
    }
}

/// The key block's algorithm (the client's: EC or ECDSA) and length in bits.
fn block_algorithm(spec: PairSpec, attributes: &[Attribute]) -> (Alg, i32) {
    let asked = find(attributes, |a| match a {
        Attribute::CryptographicAlgorithm(x) => Some(*x),
        _ => None,
    });
    match spec {
        PairSpec::Rsa(bits) => (Alg::RSA, i32::try_from(bits).unwrap_or(0)),
        PairSpec::Ec(curve) => (asked.unwrap_or(Alg::EC), i32::try_from(curve.bits()).unwrap_or(0)),
        PairSpec::Ed25519 => (Alg::Ed25519, 256),
    }
}

fn block(format: KeyFormatType, der: Secret, algorithm: Alg, bits: i32) -> KeyBlock {
    KeyBlock::plain(format, KeyMaterial::Bytes(der), Some(algorithm), Some(bits))
}
