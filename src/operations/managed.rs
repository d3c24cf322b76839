//! A managed object as the operations see it: its attributes (one model,
//! whatever the client's version) and the object itself (key block, secret
//! data, ...), and its translation to and from the store's record.
//!
//! The record keeps the attributes as a KMIP 2.1 Attributes structure in
//! the clear (they are what Locate and Get Attributes read, and hold no key
//! bytes), and the whole object, encoded the same way, as the record's
//! material, which the store seals under the master key. One codec, fuzzed
//! once, and no translation layer.

use bytes::Bytes;
use zeroize::Zeroizing;

use crate::error::Error;
use crate::kmip::attributes::{Attribute, Attributes, Name};
use crate::kmip::codec::{FromTtlv, ToTtlv};
use crate::kmip::objects::Object;
use crate::kmip::table::{CryptographicUsageMask, ObjectType, State};
use crate::kmip::version::ProtocolVersion;
use crate::store::{Change, StoredObject};
use crate::ttlv::{self, Limits, Tag};

/// The version records are written in: the newest, so no attribute is lost.
const RECORD_VERSION: ProtocolVersion = ProtocolVersion::V2_1;

/// One managed object, loaded or about to be stored.
#[derive(Clone, Debug)]
pub struct ManagedObject {
    /// Unique Identifier.
    pub id: String,
    /// The key store it belongs to.
    pub keystore: String,
    /// The stored revision; `None` until first stored.
    pub revision: Option<u64>,
    /// Every attribute, Unique Identifier and Object Type included.
    pub attributes: Vec<Attribute>,
    /// The object; `None` once destroyed (its attributes remain).
    pub object: Option<Object>,
}

impl ManagedObject {
    /// A new object of `keystore`; `attributes` should already hold the
    /// server-set ones (see [`ManagedObject::set`]).
    pub fn new(id: String, keystore: String, object: Object, attributes: Vec<Attribute>) -> ManagedObject {
        ManagedObject { id, keystore, revision: None, attributes, object: Some(object) }
    }

    /// Reads a store record back.
    pub fn from_stored(stored: &StoredObject) -> Result<ManagedObject, Error> {
        let corrupt = |why: String| Error::Internal(format!("record {}: {why}", stored.id));
        let meta = ttlv::decode(&Bytes::copy_from_slice(&stored.metadata), &Limits::UNBOUNDED)
            .map_err(|e| corrupt(e.to_string()))?;
        let attributes = Attributes::from_ttlv(&meta, RECORD_VERSION).map_err(|e| corrupt(e.to_string()))?;
        let object = match &stored.material {
            Some(material) => {
                // The frame owns a zeroizing copy, so the decoded tree's byte
                // strings (sliced from it) are wiped when the last is dropped.
                let frame = Bytes::from_owner(Zeroizing::new(material.to_vec()));
                let item = ttlv::decode(&frame, &Limits::UNBOUNDED).map_err(|e| corrupt(e.to_string()))?;
                Some(Object::from_ttlv(&item, RECORD_VERSION).map_err(|e| corrupt(e.to_string()))?)
            }
            None => None,
        };
        Ok(ManagedObject {
            id: stored.id.clone(),
            keystore: stored.keystore.clone(),
            revision: Some(stored.revision),
            attributes: attributes.iter().cloned().collect(),
            object,
        })
    }

    /// The store record for this object.
    pub fn to_stored(&self) -> Result<StoredObject, Error> {
        let attributes = Attributes::new(self.attributes.iter().cloned());
        let metadata = attributes
            .encode_ttlv(Tag::Attributes, RECORD_VERSION)
            .map_err(|e| Error::Internal(format!("encoding the attributes of {}: {e}", self.id)))?;
        let material = match &self.object {
            Some(object) => Some(Zeroizing::new(
                object
                    .encode_ttlv(object.tag(), RECORD_VERSION)
                    .map_err(|e| Error::Internal(format!("encoding object {}: {e}", self.id)))?,
            )),
            None => None,
        };
        Ok(StoredObject {
            id: self.id.clone(),
            keystore: self.keystore.clone(),
            revision: self.revision.unwrap_or(0),
            names: self.names().map(str::to_owned).collect(),
            metadata,
            material,
        })
    }

    /// The store change that writes this object: an insert when new, else a
    /// replace of the revision it was read at.
    pub fn change(&self) -> Result<Change, Error> {
        Ok(Change::Put { object: self.to_stored()?, expected_revision: self.revision })
    }

    /// The first attribute `pick` accepts.
    pub fn find<'a, T>(&'a self, pick: impl Fn(&'a Attribute) -> Option<T>) -> Option<T> {
        self.attributes.iter().find_map(pick)
    }

    /// Object Type.
    pub fn object_type(&self) -> Option<ObjectType> {
        self.find(|a| match a {
            Attribute::ObjectType(t) => Some(*t),
            _ => None,
        })
        .or_else(|| self.object.as_ref().map(Object::object_type))
    }

    /// State; objects without one (opaque objects, ...) count as Active.
    pub fn state(&self) -> State {
        self.find(|a| match a {
            Attribute::State(s) => Some(*s),
            _ => None,
        })
        .unwrap_or(State::Active)
    }

    /// Cryptographic Usage Mask, if set.
    pub fn usage_mask(&self) -> Option<CryptographicUsageMask> {
        self.find(|a| match a {
            Attribute::CryptographicUsageMask(m) => Some(*m),
            _ => None,
        })
    }

    /// Name values.
    pub fn names(&self) -> impl Iterator<Item = &str> {
        self.attributes.iter().filter_map(|a| match a {
            Attribute::Name(Name { value, .. }) => Some(value.as_str()),
            _ => None,
        })
    }

    /// Sets a single-valued attribute: replaces every instance with the
    /// same tag (custom attributes: the same name), or adds it.
    pub fn set(&mut self, attribute: Attribute) {
        let same = |a: &Attribute| match (a, &attribute) {
            (Attribute::Custom { name: x, .. }, Attribute::Custom { name: y, .. }) => x == y,
            (a, b) => a.tag() == b.tag() && !matches!(a, Attribute::Custom { .. }),
        };
        match self.attributes.iter().position(same) {
            Some(i) => {
                self.attributes.retain(|a| !same(a));
                self.attributes.insert(i.min(self.attributes.len()), attribute);
            }
            None => self.attributes.push(attribute),
        }
    }

    /// Removes every instance of the attribute with `tag`.
    pub fn remove(&mut self, tag: Tag) {
        self.attributes.retain(|a| a.tag() != tag);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kmip::objects::{KeyBlock, KeyMaterial, KeyValue, SymmetricKey};
    use crate::kmip::secret::Secret;
    use crate::kmip::table::{CryptographicAlgorithm, KeyFormatType, NameType};

    fn aes_key() -> ManagedObject {
        let object = Object::SymmetricKey(SymmetricKey {
            key_block: KeyBlock {
                key_format_type: KeyFormatType::Raw,
                key_compression_type: None,
                key_value: Some(KeyValue::Plain {
                    key_material: KeyMaterial::Bytes(Secret::from_slice(&[7u8; 32])),
                    attributes: Attributes::default(),
                }),
                cryptographic_algorithm: Some(CryptographicAlgorithm::AES),
                cryptographic_length: Some(256),
                key_wrapping_data: None,
            },
        });
        ManagedObject::new(
            "k1".into(),
            "default".into(),
            object,
            vec![
                Attribute::ObjectType(ObjectType::SymmetricKey),
                Attribute::State(State::PreActive),
                Attribute::Name(Name { value: "disk-1".into(), name_type: NameType::UninterpretedTextString }),
            ],
        )
    }

    #[test]
    fn a_record_reads_back_as_the_object_it_was_written_from() -> Result<(), Error> {
        let key = aes_key();
        let mut stored = key.to_stored()?;
        stored.revision = 3;
        assert_eq!(stored.names, vec!["disk-1".to_owned()]);
        assert!(!stored.metadata.windows(32).any(|w| w == [7u8; 32]), "attributes hold no key bytes");
        let back = ManagedObject::from_stored(&stored)?;
        assert_eq!(back.attributes, key.attributes);
        assert_eq!(back.object, key.object);
        assert_eq!(back.revision, Some(3));
        assert_eq!(back.state(), State::PreActive);
        Ok(())
    }

    #[test]
    fn set_replaces_a_single_valued_attribute_in_place() {
        let mut key = aes_key();
        key.set(Attribute::State(State::Active));
        assert_eq!(key.state(), State::Active);
        assert_eq!(key.attributes.iter().filter(|a| matches!(a, Attribute::State(_))).count(), 1);
        assert!(matches!(key.attributes.get(1), Some(Attribute::State(State::Active))));
    }
}
