//! Import (KMIP 2.1 §6.1.29): stores an object under the identifier the
//! client gives, with the attributes it gives (an Export from another
//! server, typically). Replace Existing says whether an object already
//! under that identifier is replaced; otherwise the Import is refused.
//!
//! The object is checked and stored as Register stores it (keys parsed and
//! normalised, wrapped keys unwrapped).

use crate::error::Error;
use crate::kmip::attributes::Attribute;
use crate::kmip::payloads::{ImportRequest, ImportResponse};
use crate::kmip::table::{ObjectType, Operation, State};
use crate::operations::context::RequestContext;
use crate::operations::managed::ManagedObject;
use crate::operations::new_object::type_name;
use crate::operations::register;
use crate::store::StoreError;

/// The longest identifier Import accepts.
const MAX_ID_LEN: usize = 256;

/// Runs Import.
pub(crate) async fn handle(ctx: &mut RequestContext<'_>, req: ImportRequest) -> Result<ImportResponse, Error> {
    // Defined since KMIP 1.4.
    if ctx.version < crate::kmip::version::ProtocolVersion::V1_4 {
        return Err(Error::OperationNotSupported(crate::kmip::table::Operation::Import));
    }
    let id = req.unique_identifier.clone();
    if id.is_empty() || id.len() > MAX_ID_LEN {
        return Err(Error::InvalidField(format!("Import needs a Unique Identifier of 1 to {MAX_ID_LEN} bytes")));
    }
    if req.object_type != req.object.object_type() {
        return Err(Error::InvalidField(format!(
            "Object Type is {} but the object sent is a {}",
            type_name(req.object_type),
            type_name(req.object.object_type())
        )));
    }
    let existing = match ctx.load(&id).await {
        Ok(o) => Some(o),
        Err(Error::ObjectNotFound { .. }) => None,
        Err(e) => return Err(e),
    };
    if existing.is_some() && req.replace_existing != Some(true) {
        return Err(Error::ObjectAlreadyExists { id });
    }
    // The object is validated and normalised as Register would; the
    // attributes are the client's as given, under the identifier given.
    let mut derived = Vec::new();
    let object = register::checked_object(ctx, req.object, &mut derived, Operation::Import).await?;
    let mut attributes: Vec<Attribute> = req
        .attributes
        .items
        .into_iter()
        .map(|a| a.attribute)
        .filter(|a| !matches!(a, Attribute::UniqueIdentifier(_)))
        .collect();
    attributes.insert(0, Attribute::UniqueIdentifier(id.clone()));
    attributes.retain(|a| !matches!(a, Attribute::ObjectType(_)));
    attributes.insert(1, Attribute::ObjectType(object.object_type()));
    // A cryptographic object needs a State; one imported without comes in Pre-Active.
    if object.object_type() != ObjectType::OpaqueObject && !attributes.iter().any(|a| matches!(a, Attribute::State(_)))
    {
        attributes.push(Attribute::State(State::PreActive));
    }
    attributes.extend(derived);
    let mut managed = ManagedObject::new(id.clone(), ctx.client.keystore.clone(), object, attributes);
    if let Some(old) = existing {
        managed.revision = old.revision;
    }
    match ctx.save(&[&managed]).await {
        Ok(()) => {}
        // Identifiers are one namespace for the whole server: an id that
        // another key store holds is taken, and answered as taken, never
        // as an internal fault (nor with anything about that store).
        Err(Error::Store(StoreError::Conflict { .. } | StoreError::AlreadyExists { .. })) => {
            return Err(Error::ObjectAlreadyExists { id })
        }
        Err(e) => return Err(e),
    }
    ctx.id_placeholder = Some(id.clone());
    Ok(ImportResponse { unique_identifier: id })
}

#[cfg(test)]
mod tests {
    use crate::kmip::table::ResultReason as R;
    use crate::kmip::version::ProtocolVersion as V;
    use crate::operations::new_object::test_support::*;

    /// Import of an id that another key store holds was answered General
    /// Failure (the store's AlreadyExists fell through as an internal
    /// fault); it is taken, and answered Object Already Exists as an id of
    /// the client's own store is.
    #[tokio::test]
    async fn import_of_an_id_another_key_store_holds_is_object_already_exists() {
        let engine = engine();
        let other = client_of("other");
        for (id, replace) in [("shared-1", None), ("shared-2", Some(true))] {
            let items = run_as(&engine, &other, V::V2_1, vec![import_aes(id, None)]).await;
            assert_eq!(items.first().map(|i| i.result_status), Some(crate::kmip::table::ResultStatus::Success));
            let item = one(&engine, V::V2_1, import_aes(id, replace)).await;
            failed(&item, R::ObjectAlreadyExists, id);
            let own = run_as(&engine, &other, V::V2_1, vec![import_aes(id, None)]).await;
            assert_eq!(own.first().and_then(|i| i.result_reason), Some(R::ObjectAlreadyExists));
            if let Some(i) = own.first() {
                assert_eq!(i.result_message, item.result_message, "the same answer as its own store's id gets");
            }
        }
    }
}
