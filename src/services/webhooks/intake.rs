//! Taking in one webhook v2 delivery: the `Authorization` header compared with the configured Basic auth in
//! constant time, the event's `meta` checked (`id`, `action`, `entity`, `entity_id`), and the event stored in the
//! inbox together with its `webhook_event` job (`receiveWebhookEvent`, one transaction), so that the handler can
//! answer at once; a re-delivery of the same `meta.id` is a duplicate and changes nothing. The payload kept is
//! `meta` and the names of the changed fields: webhook `data` is a trimmed record and never a base.

use serde::Serialize;
use serde_json::{json, Map, Value};

use crate::config::WebhookAuth;
use crate::engine::Engine;
use crate::error::SyncError;
use crate::host::Host;
use crate::iso_time::iso_millis;
use crate::store::remote_changes::receive_webhook_event;

/// The actions of webhooks v2.
pub const ACTIONS: [&str; 3] = ["create", "change", "delete"];

/// `sync.webhooks.receive`'s answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Receipt {
    /// Stored (or stored before).
    pub accepted: bool,
    /// The same event was received before: nothing new was stored.
    pub duplicate: bool,
}

/// The checked parts of an event.
#[derive(Debug, Clone, PartialEq)]
pub struct EventMeta {
    /// `meta.id`: unique per event, re-deliveries included.
    pub id: String,
    /// `create`, `change` or `delete`.
    pub action: String,
    /// `person`, `organization`, ... (any object: the ones not synced are stored and ignored).
    pub entity: String,
    /// `meta.entity_id`.
    pub entity_id: i64,
}

/// A positive integer given as a number or a digit string (webhooks v2 send ids as strings).
pub fn id_of(value: Option<&Value>) -> Option<i64> {
    match value? {
        Value::Number(number) => number.as_i64(),
        Value::String(text) => text.trim().parse().ok(),
        _ => None,
    }
    .filter(|id| *id > 0)
}

/// Reads and checks `meta`; the error names the field.
pub fn parse_meta(event: &Value) -> Result<EventMeta, SyncError> {
    let meta = event.get("meta").and_then(Value::as_object).ok_or_else(|| {
        SyncError::validation(
            "meta",
            "is required: a webhooks v2 event has a meta object (is the subscription version 2.0?)",
        )
    })?;
    let text = |field: &str, limit: usize| {
        meta.get(field)
            .and_then(Value::as_str)
            .map(str::trim)
            .filter(|text| !text.is_empty() && text.len() <= limit)
            .map(str::to_string)
            .ok_or_else(|| {
                SyncError::validation(
                    format!("meta.{field}"),
                    format!("must be a non-empty string of at most {limit} characters"),
                )
            })
    };
    let id = text("id", 200)?;
    let action = text("action", 20)?;
    if !ACTIONS.contains(&action.as_str()) {
        return Err(SyncError::validation("meta.action", "must be 'create', 'change' or 'delete' (webhooks v2)"));
    }
    let entity = text("entity", 50)?;
    let entity_id = id_of(meta.get("entity_id"))
        .ok_or_else(|| SyncError::validation("meta.entity_id", "must be a positive integer id"))?;
    Ok(EventMeta { id, action, entity, entity_id })
}

/// The `Authorization` header value that `auth` stands for: `Basic base64(username:password)`.
fn expected_header(auth: &WebhookAuth) -> String {
    format!("Basic {}", base64(format!("{}:{}", auth.username, auth.password).as_bytes()))
}

/// Whether `given` is the expected header, compared in time that depends only on the lengths.
pub fn authorized(auth: &WebhookAuth, given: Option<&str>) -> bool {
    let expected = expected_header(auth);
    let given = given.unwrap_or_default().trim().as_bytes();
    let expected = expected.as_bytes();
    let mut difference = given.len() ^ expected.len();
    for index in 0..expected.len().max(given.len()) {
        let a = expected.get(index).copied().unwrap_or(0);
        let b = given.get(index).copied().unwrap_or(0);
        difference |= usize::from(a ^ b);
    }
    difference == 0
}

/// Standard base64 with padding.
fn base64(bytes: &[u8]) -> String {
    const ALPHABET: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = (u32::from(chunk[0]) << 16)
            | (u32::from(chunk.get(1).copied().unwrap_or(0)) << 8)
            | u32::from(chunk.get(2).copied().unwrap_or(0));
        for (index, shift) in [18, 12, 6, 0].into_iter().enumerate() {
            if index <= chunk.len() {
                out.push(ALPHABET[(n >> shift) as usize & 63] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

impl<H: Host> Engine<H> {
    /// `sync.webhooks.receive(event, {authorization})`: `AUTH` for a wrong or missing Basic auth (nothing
    /// stored), `VALIDATION` naming the field for an event that is not webhooks v2, else stored with its job.
    pub async fn receive_webhook(&self, event: &Value, authorization: Option<&str>) -> Result<Receipt, SyncError> {
        let Some(auth) = &self.config.webhooks else {
            return Err(SyncError::config(
                "webhooks",
                "is required to take in webhooks: pass { username, password }, the Basic auth of the subscriptions",
            ));
        };
        if !authorized(auth, authorization) {
            return Err(SyncError::Auth {
                message: "the webhook delivery does not carry the configured Basic auth".to_string(),
                status: Some(401),
            });
        }
        let meta = parse_meta(event)?;
        let mut kept = Map::new();
        kept.insert("meta".into(), event["meta"].clone());
        if let Some(previous) = event.get("previous").and_then(Value::as_object) {
            kept.insert("changed".into(), Value::from(previous.keys().cloned().collect::<Vec<_>>()));
        }
        let stored = json!({
            "eventId": meta.id, "recordType": meta.entity, "action": meta.action, "pipedriveId": meta.entity_id,
            "payload": kept, "receivedAt": iso_millis(self.host.now_ms()),
        });
        let received = receive_webhook_event(&self.host, stored).await?;
        Ok(Receipt { accepted: true, duplicate: received.duplicate })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn auth() -> WebhookAuth {
        WebhookAuth { username: "pipedrive".into(), password: "s3cret-pass".into() }
    }

    #[test]
    fn base64_matches_the_standard_alphabet_and_padding() {
        assert_eq!(base64(b""), "");
        assert_eq!(base64(b"f"), "Zg==");
        assert_eq!(base64(b"fo"), "Zm8=");
        assert_eq!(base64(b"foo"), "Zm9v");
        assert_eq!(base64(b"Aladdin:open sesame"), "QWxhZGRpbjpvcGVuIHNlc2FtZQ==");
    }

    #[test]
    fn only_the_exact_basic_auth_is_authorized() {
        let good = format!("Basic {}", base64(b"pipedrive:s3cret-pass"));
        assert!(authorized(&auth(), Some(&good)));
        assert!(authorized(&auth(), Some(&format!(" {good} "))));
        assert!(!authorized(&auth(), Some(&format!("Basic {}", base64(b"pipedrive:s3cret-pasS")))));
        assert!(!authorized(&auth(), Some(&good[..good.len() - 1])));
        assert!(!authorized(&auth(), Some(&format!("{good}x"))));
        assert!(!authorized(&auth(), Some("")));
        assert!(!authorized(&auth(), None));
    }

    #[test]
    fn meta_is_checked_field_by_field() {
        let event = json!({"meta": {"id": "e-1", "action": "change", "entity": "person", "entity_id": "42"}});
        assert_eq!(
            parse_meta(&event).unwrap(),
            EventMeta { id: "e-1".into(), action: "change".into(), entity: "person".into(), entity_id: 42 }
        );
        let cases = [
            (json!({}), "meta"),
            (json!({"meta": {"action": "change", "entity": "person", "entity_id": 1}}), "meta.id"),
            (json!({"meta": {"id": "e", "action": "updated", "entity": "person", "entity_id": 1}}), "meta.action"),
            (json!({"meta": {"id": "e", "action": "change", "entity_id": 1}}), "meta.entity"),
            (json!({"meta": {"id": "e", "action": "change", "entity": "person", "entity_id": "x"}}), "meta.entity_id"),
            (json!({"meta": {"id": "e", "action": "change", "entity": "person", "entity_id": 0}}), "meta.entity_id"),
        ];
        for (event, field) in cases {
            assert_eq!(parse_meta(&event).unwrap_err().details()["field"], field, "{event}");
        }
    }
}
