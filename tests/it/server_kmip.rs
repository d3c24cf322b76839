//! KMIP over the real TLS port: requests built with our own model, many on
//! one connection, and malformed messages answered without losing the
//! connection where the header can be read.

use bytes::Bytes;
use coffer::kmip::codec::{FromTtlv, ToTtlv};
use coffer::kmip::message::{RequestMessage, ResponseMessage};
use coffer::kmip::payloads::discover_versions::DiscoverVersionsRequest;
use coffer::kmip::payloads::{RequestPayload, ResponsePayload};
use coffer::kmip::table::{ResultReason, ResultStatus};
use coffer::kmip::version::ProtocolVersion;
use coffer::ttlv::{self, Tag};

use crate::harness::{closed_by_server, read_message, send, Server, Tls};

/// A Discover Versions request in protocol version `v`, encoded.
pub fn discover_versions(v: ProtocolVersion) -> Vec<u8> {
    let message = RequestMessage::new(
        v,
        vec![RequestPayload::DiscoverVersions(DiscoverVersionsRequest { protocol_versions: Vec::new() })],
    );
    message.encode_ttlv(Tag::RequestMessage, v).unwrap()
}

/// Reads one response message and decodes it with our model.
pub fn response(tls: &mut Tls) -> ResponseMessage {
    let bytes = read_message(tls).unwrap();
    let tree = ttlv::decode(&Bytes::from(bytes), &ttlv::Limits::UNBOUNDED).unwrap();
    ResponseMessage::from_ttlv(&tree, ProtocolVersion::V1_0).unwrap()
}

#[test]
fn discover_versions_is_answered_many_times_on_one_connection() {
    let server = Server::start();
    let mut tls = server.connect();
    for v in [ProtocolVersion::V1_0, ProtocolVersion::V1_4, ProtocolVersion::V2_1] {
        send(&mut tls, &discover_versions(v));
        let answer = response(&mut tls);
        assert_eq!(answer.header.protocol_version, v);
        let [item] = answer.batch_items.as_slice() else { panic!("{answer:?}") };
        assert_eq!(item.result_status, ResultStatus::Success, "{item:?}");
        let Some(ResponsePayload::DiscoverVersions(dv)) = &item.payload else { panic!("{item:?}") };
        assert!(dv.protocol_versions.contains(&ProtocolVersion::V2_1), "{dv:?}");
        assert!(dv.protocol_versions.contains(&ProtocolVersion::V1_0), "{dv:?}");
    }
}

#[test]
fn a_malformed_message_with_a_readable_header_is_answered_and_the_connection_keeps_serving() {
    let server = Server::start();
    let mut tls = server.connect();
    // Make the Operation's padding non-zero: the TTLV is malformed, the header is fine.
    let mut bad = discover_versions(ProtocolVersion::V1_2);
    let at = bad.windows(4).position(|w| w == [0x42, 0x00, 0x5C, 0x05]).unwrap();
    bad[at + 15] = 0x01;
    send(&mut tls, &bad);
    let answer = response(&mut tls);
    assert_eq!(answer.header.protocol_version, ProtocolVersion::V1_2);
    let [item] = answer.batch_items.as_slice() else { panic!("{answer:?}") };
    assert_eq!(item.result_status, ResultStatus::OperationFailed);
    assert_eq!(item.result_reason, Some(ResultReason::InvalidMessage));
    assert!(item.result_message.as_deref().unwrap_or_default().contains("padding"), "{item:?}");

    send(&mut tls, &discover_versions(ProtocolVersion::V1_2));
    let answer = response(&mut tls);
    assert_eq!(answer.batch_items[0].result_status, ResultStatus::Success);
}

#[test]
fn a_message_whose_header_cannot_be_read_is_answered_then_closed() {
    let server = Server::start();
    let mut tls = server.connect();
    // A Request Message structure of 8 bytes that are not a Request Header.
    send(&mut tls, &[0x42, 0x00, 0x78, 0x01, 0, 0, 0, 8, 0xDE, 0xAD, 0xBE, 0xEF, 0, 0, 0, 0]);
    let answer = response(&mut tls);
    assert_eq!(answer.batch_items[0].result_status, ResultStatus::OperationFailed);
    assert!(closed_by_server(&mut tls));
}

#[test]
fn sigterm_lets_a_request_in_flight_finish_then_exits_0() {
    let mut server = Server::start();
    let mut tls = server.connect();
    let request = discover_versions(ProtocolVersion::V1_4);
    let (first, rest) = request.split_at(20);
    send(&mut tls, first);
    // Let the first bytes reach the server: from then on the message is in flight.
    std::thread::sleep(std::time::Duration::from_millis(500));
    assert!(server.terminate(std::time::Duration::from_millis(500)).is_none(), "exited with a request in flight");
    send(&mut tls, rest);
    let answer = response(&mut tls);
    assert_eq!(answer.batch_items[0].result_status, ResultStatus::Success);
    assert!(closed_by_server(&mut tls), "the connection stays open after shutdown");
    let status = server.wait(std::time::Duration::from_secs(5)).expect("exited after the request");
    assert!(status.success(), "{status}");
}
