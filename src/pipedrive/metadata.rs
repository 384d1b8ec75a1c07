//! The account metadata the flows read often and cache per token for `options.cacheTtlMs`: the company's active
//! users (`/v1/users`), the person and organization field definitions with their options (`/v1/personFields`,
//! `/v1/organizationFields`), the active activity types (`/v1/activityTypes`) and the active currency codes
//! (`/v1/currencies`, 20 tokens a read). Token thrift (DESIGN §5): one read
//! per TTL instead of one per lead.

use serde_json::Value;

use crate::api_token::ApiToken;
use crate::engine::Engine;
use crate::error::SyncError;
use crate::host::Host;
use crate::pipedrive::activity_types::parse_active_types;
use crate::pipedrive::client::CallOptions;
use crate::pipedrive::fields::{parse_field_page, Field, FieldsOf};
use crate::pipedrive::users::{parse_active_users, PipedriveUser};

impl<H: Host> Engine<H> {
    /// The company's active users, from the cache while fresh.
    pub(crate) async fn pipedrive_users(&self, token: &ApiToken) -> Result<Vec<PipedriveUser>, SyncError> {
        if let Some(users) = self.users_cache.get(token, self.host.now_ms()) {
            return Ok(users);
        }
        let request = self.requests.get(token, "/v1/users", &[]);
        let data = self.call(token, request, CallOptions::INTERACTIVE).await?;
        let users = parse_active_users(data)?;
        self.users_cache.put(token.clone(), users.clone(), self.host.now_ms());
        Ok(users)
    }

    /// The field definitions of persons or organizations, every page, from the cache unless `fresh`.
    pub(crate) async fn fields(&self, token: &ApiToken, of: FieldsOf, fresh: bool) -> Result<Vec<Field>, SyncError> {
        let key = (token.clone(), of);
        if !fresh {
            if let Some(fields) = self.fields_cache.get(&key, self.host.now_ms()) {
                return Ok(fields);
            }
        }
        let mut fields = Vec::new();
        let mut start = Some(0_u64);
        while let Some(offset) = start {
            let offset = offset.to_string();
            let request = self.requests.get(token, of.path(), &[("start", &offset), ("limit", "500")]);
            let envelope = self.call_envelope(token, request, CallOptions::INTERACTIVE).await?;
            let (page, next) = parse_field_page(envelope.data, Some(&envelope.additional_data))?;
            fields.extend(page);
            start = next;
        }
        self.fields_cache.put(key, fields.clone(), self.host.now_ms());
        Ok(fields)
    }

    /// The account's active activity types, cached.
    pub(crate) async fn active_activity_types(
        &self,
        token: &ApiToken,
        options: CallOptions,
    ) -> Result<Vec<String>, SyncError> {
        if let Some(types) = self.activity_types_cache.get(token, self.host.now_ms()) {
            return Ok(types);
        }
        let types =
            parse_active_types(self.call(token, self.requests.get(token, "/v1/activityTypes", &[]), options).await?)?;
        self.activity_types_cache.put(token.clone(), types.clone(), self.host.now_ms());
        Ok(types)
    }

    /// The codes of the account's active currencies (`GET /v1/currencies`), cached: deal `currency` must be one.
    pub(crate) async fn account_currencies(
        &self,
        token: &ApiToken,
        options: CallOptions,
    ) -> Result<Vec<String>, SyncError> {
        if let Some(codes) = self.currencies_cache.get(token, self.host.now_ms()) {
            return Ok(codes);
        }
        let data = self.call(token, self.requests.get(token, "/v1/currencies", &[]), options).await?;
        let codes = parse_active_currencies(data)?;
        self.currencies_cache.put(token.clone(), codes.clone(), self.host.now_ms());
        Ok(codes)
    }
}

/// The codes of the active currencies in a `/v1/currencies` answer; a record without a code breaks the contract.
fn parse_active_currencies(data: Value) -> Result<Vec<String>, SyncError> {
    let Value::Array(records) = data else {
        return Err(SyncError::internal("GET /v1/currencies answered without a list"));
    };
    let mut codes = Vec::with_capacity(records.len());
    for record in records {
        if record.get("active_flag") == Some(&Value::Bool(false)) {
            continue;
        }
        match record.get("code").and_then(Value::as_str) {
            Some(code) => codes.push(code.to_string()),
            None => return Err(SyncError::internal("GET /v1/currencies answered a currency without a code")),
        }
    }
    Ok(codes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn only_active_codes_are_kept() {
        let data = json!([
            {"code": "EUR", "active_flag": true},
            {"code": "OLD", "active_flag": false},
            {"code": "USD"}
        ]);
        assert_eq!(parse_active_currencies(data).unwrap(), vec!["EUR", "USD"]);
    }

    #[test]
    fn a_currency_without_a_code_or_a_non_list_is_an_error() {
        assert!(parse_active_currencies(json!([{"active_flag": true}])).is_err());
        assert!(parse_active_currencies(json!({"code": "EUR"})).is_err());
    }
}
