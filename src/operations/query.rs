//! Query (KMIP 1.4 §4.25): what the server supports.

use crate::error::Error;
use crate::kmip::payloads::{QueryRequest, QueryResponse};
use crate::kmip::table::{ObjectType, QueryFunction};
use crate::operations::context::RequestContext;
use crate::operations::{SUPPORTED_OBJECT_TYPES, SUPPORTED_OPERATIONS};

/// Answers each asked function; functions with nothing to report add nothing.
pub(crate) async fn handle(ctx: &mut RequestContext<'_>, req: QueryRequest) -> Result<QueryResponse, Error> {
    let v = ctx.version;
    let defined = |since: Option<_>| since.is_some_and(|s| s <= v);
    let mut resp = QueryResponse {
        operations: Vec::new(),
        object_types: Vec::new(),
        vendor_identification: None,
        server_information: None,
        application_namespaces: Vec::new(),
        extension_information: Vec::new(),
        attestation_types: Vec::new(),
        rng_parameters: Vec::new(),
        profile_information: Vec::new(),
        validation_information: Vec::new(),
        capability_information: Vec::new(),
        client_registration_methods: Vec::new(),
        defaults_information: None,
        protection_storage_masks: None,
    };
    for function in req.query_functions {
        match function {
            QueryFunction::QueryOperations => {
                resp.operations = SUPPORTED_OPERATIONS.iter().copied().filter(|op| defined(op.since())).collect();
            }
            QueryFunction::QueryObjects => {
                resp.object_types =
                    SUPPORTED_OBJECT_TYPES.iter().copied().filter(|t: &ObjectType| defined(t.since())).collect();
            }
            QueryFunction::QueryServerInformation => {
                resp.vendor_identification = Some(format!("coffer {}", env!("CARGO_PKG_VERSION")));
            }
            _ => {}
        }
    }
    Ok(resp)
}
