//! Export (KMIP 2.1 §6.1.22): the object as Get returns it (formats and
//! wrapping included), with all its attributes the client's version defines.

use crate::error::Error;
use crate::kmip::attributes::{Attributes, IndexedAttribute};
use crate::kmip::payloads::{ExportRequest, ExportResponse};
use crate::operations::context::RequestContext;
use crate::operations::get;

/// Runs Export.
pub(crate) async fn handle(ctx: &mut RequestContext<'_>, req: ExportRequest) -> Result<ExportResponse, Error> {
    // Defined since KMIP 1.4.
    if ctx.version < crate::kmip::version::ProtocolVersion::V1_4 {
        return Err(Error::OperationNotSupported(crate::kmip::table::Operation::Export));
    }
    // Export's request is Get's (one type).
    let got = get::handle(ctx, req).await?;
    // Read after Get: its first use clears Fresh.
    let managed = ctx.load_live(&got.unique_identifier).await?;
    let v = ctx.version;
    let items = managed
        .attributes
        .iter()
        .filter(|a| a.defined_in(v))
        .map(|a| IndexedAttribute { attribute: a.clone(), index: None })
        .collect();
    Ok(ExportResponse {
        object_type: got.object_type,
        unique_identifier: got.unique_identifier,
        attributes: Attributes { template_names: Vec::new(), items },
        object: got.object,
    })
}
