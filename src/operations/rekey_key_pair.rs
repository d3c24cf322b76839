//! ReKey Key Pair (KMIP 1.4 §4.5, 2.1 §6.1.45): a new version of a key
//! pair, with a fresh pair of the same algorithm and size (RSA modulus, EC
//! curve, Ed25519) stored in the formats of the old keys, each new key
//! taking its predecessor's attributes and Names and linked to it both ways
//! (Replaced / Replacement Object), the new keys linked to each other
//! (Public Key / Private Key Link). See [`super::rotation`] for versions
//! and names; the background rotator rotates symmetric keys only.

use zeroize::Zeroizing;

use crate::crypto::asymmetric::{self, KeyKind, KeyPairSpec};
use crate::crypto::formats;
use crate::error::Error;
use crate::kmip::attributes::{Attribute, Attributes, Link};
use crate::kmip::objects::{KeyBlock, KeyMaterial, KeyValue, Object, PrivateKey, PublicKey};
use crate::kmip::payloads::{ReKeyKeyPairRequest, ReKeyKeyPairResponse};
use crate::kmip::secret::Secret;
use crate::kmip::table::{KeyFormatType, LinkType, ObjectType, Operation};
use crate::operations::context::RequestContext;
use crate::operations::managed::ManagedObject;
use crate::operations::new_object::{self, format_name};
use crate::operations::rotation;

/// Runs ReKey Key Pair.
pub(crate) async fn handle(
    ctx: &mut RequestContext<'_>,
    req: ReKeyKeyPairRequest,
) -> Result<ReKeyKeyPairResponse, Error> {
    new_object::refuse_protection_storage_masks(&[
        &req.common_protection_storage_masks,
        &req.private_protection_storage_masks,
        &req.public_protection_storage_masks,
    ])?;
    let id = ctx.resolve_id(req.private_key_unique_identifier)?;
    let mut old_private = ctx.load_live(&id).await?;
    let object_type = old_private.object_type().unwrap_or(ObjectType::PrivateKey);
    if object_type != ObjectType::PrivateKey {
        return Err(Error::WrongObjectType { id: Some(id), object_type, operation: Operation::ReKeyKeyPair });
    }
    let public_id = old_private
        .find(|a| match a {
            Attribute::Link(l) if l.link_type == LinkType::PublicKeyLink => Some(l.linked_object_identifier.clone()),
            _ => None,
        })
        .ok_or_else(|| Error::MissingData(format!("private key {id} has no Public Key Link to its public key")))?;
    let mut old_public = ctx.load_live(&public_id).await?;

    let template = |list: &Option<Attributes>| -> Result<Vec<Attribute>, Error> {
        match list {
            Some(list) => {
                if let Some(t) = list.template_names.first() {
                    return Err(Error::TemplateNotFound { name: t.value.clone() });
                }
                Ok(list.iter().cloned().collect())
            }
            None => Ok(Vec::new()),
        }
    };
    let common = template(&req.common_attributes)?;
    if common.iter().any(|a| matches!(a, Attribute::Name(_))) {
        return Err(Error::InvalidField(
            "a Name in the Common attributes would give both keys one name, and names are unique in a key store: \
             give it in the Private Key or Public Key attributes"
                .into(),
        ));
    }
    let private_client = [common.clone(), template(&req.private_key_attributes)?].concat();
    let public_client = [common, template(&req.public_key_attributes)?].concat();

    let private_shape = rotation::algorithm_and_length(&old_private)?;
    let public_shape = rotation::algorithm_and_length(&old_public)?;
    let private_attributes =
        rotation::successor_attributes(ctx, &old_private, req.offset, private_client, private_shape).await?;
    let public_attributes =
        rotation::successor_attributes(ctx, &old_public, req.offset, public_client, public_shape).await?;

    let (private_format, old_der) = material(&old_private)?;
    let spec = match asymmetric::PrivateKey::from_der(old_der).and_then(|k| k.kind()).map_err(Error::Crypto)? {
        KeyKind::Rsa(bits) => KeyPairSpec::Rsa(bits),
        KeyKind::Ec(curve) => KeyPairSpec::Ec(curve),
        KeyKind::Ed25519 => KeyPairSpec::Ed25519,
    };
    let (public_format, _) = material(&old_public)?;
    // RSA generation takes up to seconds: off the async workers.
    let pair = tokio::task::spawn_blocking(move || asymmetric::generate(spec))
        .await
        .map_err(|e| Error::Internal(format!("key pair generation task: {e}")))?
        .map_err(Error::Crypto)?;
    let private_key = asymmetric::PrivateKey::from_der(&pair.private_pkcs8_der).map_err(Error::Crypto)?;
    let public_key = private_key.public_key().map_err(Error::Crypto)?;
    // The new keys are stored in the formats the old ones were.
    let private_der: Zeroizing<Vec<u8>> = match private_format {
        KeyFormatType::PKCS_1 => formats::to_pkcs1_private_der(&private_key).map_err(Error::Crypto)?,
        KeyFormatType::ECPrivateKey => formats::to_sec1_der(&private_key).map_err(Error::Crypto)?,
        _ => pair.private_pkcs8_der.clone(),
    };
    let private_format = match private_format {
        KeyFormatType::PKCS_1 | KeyFormatType::ECPrivateKey => private_format,
        _ => KeyFormatType::PKCS_8,
    };
    let (public_format, public_der) = match public_format {
        KeyFormatType::PKCS_1 => {
            (KeyFormatType::PKCS_1, formats::to_pkcs1_public_der(&public_key).map_err(Error::Crypto)?)
        }
        _ => (KeyFormatType::X_509, pair.public_spki_der.clone()),
    };
    drop((pair, private_key));

    let private_object = Object::PrivateKey(PrivateKey {
        key_block: block(private_format, Secret::from_slice(&private_der), private_shape),
    });
    drop(private_der);
    let public_object =
        Object::PublicKey(PublicKey { key_block: block(public_format, Secret::from_slice(&public_der), public_shape) });
    let mut private = new_object::build(ctx, private_object, Some(private_format), private_attributes);
    let mut public = new_object::build(ctx, public_object, Some(public_format), public_attributes);
    let now = ctx.now_kmip();
    rotation::link_versions(&mut old_private, &mut private, now);
    rotation::link_versions(&mut old_public, &mut public, now);
    private.attributes.push(Attribute::Link(Link {
        link_type: LinkType::PublicKeyLink,
        linked_object_identifier: public.id.clone(),
    }));
    public.attributes.push(Attribute::Link(Link {
        link_type: LinkType::PrivateKeyLink,
        linked_object_identifier: private.id.clone(),
    }));
    ctx.save(&[&old_private, &old_public, &private, &public]).await?;
    // KMIP 1.4 §4.5: the new private key's identifier becomes the ID Placeholder.
    ctx.id_placeholder = Some(private.id.clone());
    Ok(ReKeyKeyPairResponse {
        private_key_unique_identifier: private.id,
        public_key_unique_identifier: public.id,
        private_key_attributes: None,
        public_key_attributes: None,
    })
}

/// A key's format and DER bytes.
fn material(key: &ManagedObject) -> Result<(KeyFormatType, &[u8]), Error> {
    let block = key.object.as_ref().and_then(Object::key_block);
    match block {
        Some(KeyBlock {
            key_format_type,
            key_value: Some(KeyValue::Plain { key_material: KeyMaterial::Bytes(b), .. }),
            ..
        }) => Ok((*key_format_type, b.expose())),
        Some(b) => Err(Error::KeyFormatNotSupported(format!(
            "key {} is held as {}: ReKey Key Pair rotates keys held as DER (PKCS#1, PKCS#8, SEC1, X.509)",
            key.id,
            format_name(b.key_format_type)
        ))),
        None => Err(Error::FeatureNotSupported(format!("object {} holds no key block to rotate", key.id))),
    }
}

fn block(
    format: KeyFormatType,
    material: Secret,
    (algorithm, bits): (crate::kmip::table::CryptographicAlgorithm, i32),
) -> KeyBlock {
    KeyBlock::plain(format, KeyMaterial::Bytes(material), Some(algorithm), Some(bits))
}
