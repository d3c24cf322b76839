//! Entry points for the fuzz targets in `tests/fuzz` (a separate package):
//! public only so that it can reach them; not part of coffer's API.

use bytes::Bytes;

use super::codec::ModelError;
use super::message::{BatchItemError, RequestBatchItem, RequestHeader, RequestMessage};
use crate::ttlv::{decode, decode_view, Item, Limits};

type Decoded = Result<(RequestHeader, Vec<Result<RequestBatchItem, BatchItemError>>), ModelError>;

/// What the server reads from a request message: the header, then every
/// batch item with its payload.
fn read<'a, I: Item<'a>>(message: I) -> Decoded {
    let (header, items) = RequestMessage::read_header_at(message, None)?;
    let v = header.protocol_version;
    Ok((header, items.map(|i| RequestBatchItem::decode(i, v)).collect()))
}

/// Decodes `data` as the server does (the checked view, read in place) and
/// as the tools do (a tree): both decoders must accept or refuse it alike,
/// and an accepted message must read as the same header and batch items, or
/// fail with the same error, through either. A panic anywhere is a finding.
#[doc(hidden)]
// A fuzzer reports a finding only through a panic: the assertions are the point.
#[allow(clippy::panic)]
pub fn request_view_reads_like_tree(data: &[u8]) {
    let input = Bytes::copy_from_slice(data);
    let (view, tree) = match (decode_view(&input, &Limits::DEFAULT), decode(&input, &Limits::DEFAULT)) {
        (Ok(view), Ok(tree)) => (view, tree),
        (Err(a), Err(b)) if a == b => return,
        (a, b) => panic!(
            "the view and the tree decoders disagree on {}: {:?} against {:?}",
            hex::encode(data),
            a.err(),
            b.err()
        ),
    };
    let (by_view, by_tree) = (read(view.root()), read(&tree));
    if by_view != by_tree {
        panic!("{}: the view reads {by_view:?}, the tree {by_tree:?}", hex::encode(data));
    }
}
