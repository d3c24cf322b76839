//! ReKey (KMIP 1.4 §4.4, 2.1 §6.1.44): a new version of a symmetric key,
//! with fresh material and the predecessor's attributes and Names, linked
//! both ways (see [`super::rotation`] for how versions, names and the
//! rotation policy relate).

use crate::error::Error;
use crate::kmip::attributes::{Attribute, Attributes};
use crate::kmip::codec::FromTtlv;
use crate::kmip::payloads::{ReKeyRequest, ReKeyResponse};
use crate::kmip::version::ProtocolVersion;
use crate::operations::context::RequestContext;
use crate::operations::new_object;
use crate::operations::rotation;

/// Runs ReKey.
pub(crate) async fn handle(ctx: &mut RequestContext<'_>, req: ReKeyRequest) -> Result<ReKeyResponse, Error> {
    new_object::refuse_protection_storage_masks(&[&req.protection_storage_masks])?;
    let id = ctx.resolve_id(req.unique_identifier)?;
    let old = ctx.load_live(&id).await?;
    // PyKMIP 0.11 writes a 1.x Template-Attribute even at 2.0.
    let legacy = match &req.legacy_template {
        Some(t) => Some(Attributes::from_ttlv(t, ProtocolVersion::V1_4).map_err(Error::Model)?),
        None => None,
    };
    let mut client: Vec<Attribute> = Vec::new();
    for list in req.attributes.iter().chain(legacy.iter()) {
        if let Some(template) = list.template_names.first() {
            return Err(Error::TemplateNotFound { name: template.value.clone() });
        }
        client.extend(list.iter().cloned());
    }
    let new = rotation::rotate(ctx, old, req.offset, client).await?;
    // KMIP 1.4 §4.4: the replacement's identifier becomes the ID Placeholder.
    ctx.id_placeholder = Some(new.id.clone());
    Ok(ReKeyResponse { unique_identifier: new.id, attributes: None })
}
