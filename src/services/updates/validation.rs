//! `validateUpdateData(data, recordType)`: the spec's `Update*Data` shapes (§3.2, plus deal `status` and
//! `lost_reason`: DESIGN §11) checked field by field before anything is sent (invariant 10). Every error is
//! collected, each naming the field and the rule: unknown fields (v2 refuses them too), types, formats
//! (`due_date`, `due_time`, emails), ids in the stores' range, non-finite numbers (JSON carries NaN and
//! Infinity as `null`), `visible_to` as the plan allows, the account's currencies, and the deal status rules.

use serde::Serialize;
use serde_json::Value;

use crate::config::Plan;
use crate::error::SyncError;
use crate::json_args::pipedrive_id;
use crate::pipedrive::entities::Entity;
use crate::services::email::normalize_email;

/// One broken rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    /// The input field, e.g. `email[1]`.
    pub field: String,
    /// Which rule: `unknown-field`, `type`, `required`, `format`, `id`, `range`, `one-of`, `plan`, `currency`
    /// or `status`.
    pub rule: &'static str,
    /// The field and what it must be, in words.
    pub message: String,
}

/// What `validateUpdateData` answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ValidationResult {
    /// No rule is broken.
    pub valid: bool,
    /// Every broken rule, in field order.
    pub errors: Vec<FieldError>,
}

impl ValidationResult {
    /// The errors as one `VALIDATION` error naming the first field (and the others in its text); `None` when
    /// valid.
    pub fn to_error(&self) -> Option<SyncError> {
        let (first, others) = self.errors.split_first()?;
        let text = first.message.strip_prefix(&first.field).unwrap_or(&first.message).trim_start();
        let others: String = others.iter().map(|e| format!("; {}", e.message)).collect();
        Some(SyncError::validation(&first.field, format!("{text}{others}")))
    }
}

/// What the checks need to know about the account and the record.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ValidationContext<'a> {
    /// The `visible_to` values the plan allows (see [`visible_to_for`]).
    pub visible_to: &'a [i64],
    /// The account's currency codes (`GET /v1/currencies`); `None` when not fetched: only the form is checked.
    pub currencies: Option<&'a [String]>,
    /// The deal's current status, for the `lost_reason` rule; `None` when not known.
    pub deal_status: Option<&'a str>,
}

impl ValidationContext<'static> {
    /// The context of an account on `plan`, with nothing else known.
    pub fn for_plan(plan: Plan) -> Self {
        ValidationContext { visible_to: visible_to_for(plan), currencies: None, deal_status: None }
    }
}

/// The `visible_to` values a plan accepts: 1 and 3 on Lite and Growth, also 5 and 7 on Premium and Ultimate
/// (UPDATES-FACTS §1.7; a wrong one is a 403).
pub fn visible_to_for(plan: Plan) -> &'static [i64] {
    match plan {
        Plan::Lite | Plan::Growth => &[1, 3],
        Plan::Premium | Plan::Ultimate => &[1, 3, 5, 7],
    }
}

/// What one field must hold.
#[derive(Debug, Clone, Copy)]
enum Kind {
    Text,
    NonEmpty,
    Id,
    Ids,
    Emails,
    Phones,
    Bool,
    Date,
    Time,
    VisibleTo,
    Amount,
    Currency,
    Status,
    LostReason,
}

/// The fields of each entity's `Update*Data`.
fn shape(entity: Entity) -> &'static [(&'static str, Kind)] {
    use Kind::*;
    match entity {
        Entity::Activity => &[
            ("subject", NonEmpty),
            ("type", NonEmpty),
            ("due_date", Date),
            ("due_time", Time),
            ("note", Text),
            ("person_id", Id),
            ("user_id", Id),
            ("done", Bool),
        ],
        Entity::Person => &[
            ("name", NonEmpty),
            ("email", Emails),
            ("phone", Phones),
            ("org_name", NonEmpty),
            ("label_ids", Ids),
            ("owner_id", Id),
            ("visible_to", VisibleTo),
        ],
        Entity::Organization => &[
            ("name", NonEmpty),
            ("industry", NonEmpty),
            ("country", Text),
            ("address", Text),
            ("visible_to", VisibleTo),
        ],
        Entity::Deal => &[
            ("title", NonEmpty),
            ("value", Amount),
            ("currency", Currency),
            ("stage_id", Id),
            ("person_id", Id),
            ("org_id", Id),
            ("owner_id", Id),
            ("visible_to", VisibleTo),
            ("status", Status),
            ("lost_reason", LostReason),
        ],
    }
}

/// Checks `data` as an update of a `record_type` (`activity`, `person`, `organization`, `deal`).
pub fn validate_update_data(data: &Value, record_type: &str, context: &ValidationContext) -> ValidationResult {
    let mut errors = Vec::new();
    let mut fail = |field: &str, rule: &'static str, text: &str| {
        errors.push(FieldError { field: field.to_string(), rule, message: format!("{field} {text}") })
    };
    match (Entity::parse(record_type), data.as_object()) {
        (None, _) => fail("recordType", "one-of", "must be 'activity', 'person', 'organization' or 'deal'"),
        (_, None) => fail("data", "type", "must be an object of the fields to update"),
        (_, Some(object)) if object.is_empty() => fail("data", "required", "must name at least one field to update"),
        (Some(entity), Some(object)) => {
            let shape = shape(entity);
            for (field, value) in object {
                match shape.iter().find(|(name, _)| name == field) {
                    Some((_, kind)) => check(*kind, field, value, context, &mut fail),
                    None if entity == Entity::Deal && field == "pipeline_id" => fail(
                        field,
                        "unknown-field",
                        "is not sent: stage_id alone moves a deal (the stage sets its pipeline)",
                    ),
                    None => {
                        let allowed: Vec<&str> = shape.iter().map(|(name, _)| *name).collect();
                        let article =
                            if matches!(entity, Entity::Activity | Entity::Organization) { "an" } else { "a" };
                        let text = format!(
                            "is not a field of {article} {} update (allowed: {})",
                            entity.name(),
                            allowed.join(", ")
                        );
                        fail(field, "unknown-field", &text)
                    }
                }
            }
            if entity == Entity::Deal && object.get("lost_reason").is_some_and(|v| !v.is_null()) {
                let status = object.get("status").and_then(Value::as_str).or(context.deal_status);
                if status != Some("lost") {
                    let is = status.map_or("not known".to_string(), |s| format!("'{s}'"));
                    fail(
                        "lost_reason",
                        "status",
                        &format!("can only be set when the deal is lost (its status is {is})"),
                    );
                }
            }
        }
    }
    ValidationResult { valid: errors.is_empty(), errors }
}

/// Checks one field's value, reporting each broken rule through `fail`.
fn check(
    kind: Kind,
    field: &str,
    value: &Value,
    context: &ValidationContext,
    fail: &mut dyn FnMut(&str, &'static str, &str),
) {
    let text = value.as_str().map(str::trim);
    let number = value.as_f64().filter(|n| n.is_finite());
    match kind {
        Kind::LostReason if value.is_null() || text.is_some() => {}
        Kind::Amount if number.is_none() => {
            fail(field, "type", "must be a finite number (NaN and Infinity are refused)")
        }
        _ if value.is_null() => fail(field, "type", "must not be null (leave the field out to keep its value)"),
        Kind::Text | Kind::LostReason if text.is_none() => fail(field, "type", "must be a string"),
        Kind::NonEmpty => match text {
            None => fail(field, "type", "must be a string"),
            Some("") => fail(field, "required", "must not be empty"),
            Some(_) => {}
        },
        Kind::Id => {
            if let Err(SyncError::Validation { rule, .. }) = pipedrive_id(field, value) {
                fail(field, "id", &rule)
            }
        }
        Kind::Ids | Kind::Emails | Kind::Phones => {
            let Some(items) = value.as_array() else {
                return fail(field, "type", "must be a list");
            };
            for (index, item) in items.iter().enumerate() {
                let item_field = format!("{field}[{index}]");
                check_item(kind, &item_field, item, fail);
            }
        }
        Kind::Bool if !value.is_boolean() => fail(field, "type", "must be true or false"),
        Kind::Date if !text.is_some_and(is_date) => fail(field, "format", "must be a date as YYYY-MM-DD"),
        Kind::Time if !text.is_some_and(is_time) => fail(field, "format", "must be a time as HH:MM or HH:MM:SS"),
        Kind::VisibleTo if !number.is_some_and(|n| context.visible_to.iter().any(|&v| v as f64 == n)) => {
            let allowed: Vec<String> = context.visible_to.iter().map(i64::to_string).collect();
            fail(
                field,
                "plan",
                &format!("must be one of {} (what the account's Pipedrive plan allows)", allowed.join(", ")),
            )
        }
        Kind::Amount if number.is_some_and(|n| n < 0.0) => fail(field, "range", "must not be negative"),
        Kind::Currency => match (text, context.currencies) {
            (Some(code), _) if code.chars().count() != 3 => {
                fail(field, "format", "must be a 3-character currency code")
            }
            (Some(code), Some(codes)) if !codes.iter().any(|c| c == code) => {
                let listed: Vec<&str> = codes.iter().take(12).map(String::as_str).collect();
                fail(field, "currency", &format!("must be one of the account's currencies ({})", listed.join(", ")))
            }
            (None, _) => fail(field, "type", "must be a 3-character currency code"),
            _ => {}
        },
        Kind::Status if !matches!(text, Some("open" | "won" | "lost")) => {
            fail(field, "one-of", "must be 'open', 'won' or 'lost'")
        }
        _ => {}
    }
}

/// Checks one element of a list field.
fn check_item(kind: Kind, field: &str, item: &Value, fail: &mut dyn FnMut(&str, &'static str, &str)) {
    let text = item.as_str().unwrap_or_default();
    match kind {
        Kind::Ids => {
            if let Err(SyncError::Validation { rule, .. }) = pipedrive_id(field, item) {
                fail(field, "id", &rule)
            }
        }
        Kind::Emails => {
            if let Err(SyncError::Validation { rule, .. }) = normalize_email(field, text) {
                fail(field, "format", &rule)
            }
        }
        _ => {
            let phone_chars = text.chars().all(|c| c.is_ascii_digit() || c == ' ' || "+-().,/#*x".contains(c));
            if !(phone_chars && text.chars().any(|c| c.is_ascii_digit()) && text.len() <= 64) {
                fail(field, "format", "must be a phone number: digits, with an optional leading +")
            }
        }
    }
}

/// `YYYY-MM-DD`, a real calendar day.
fn is_date(text: &str) -> bool {
    let bytes = text.as_bytes();
    bytes.len() == 10
        && bytes.iter().enumerate().all(|(i, b)| if i == 4 || i == 7 { *b == b'-' } else { b.is_ascii_digit() })
        && match (text[..4].parse(), text[5..7].parse(), text[8..].parse()) {
            (Ok(year), Ok(month), Ok(day)) => chrono::NaiveDate::from_ymd_opt(year, month, day).is_some(),
            _ => false,
        }
}

/// `HH:MM` or `HH:MM:SS`, on a 24-hour clock.
fn is_time(text: &str) -> bool {
    let parts: Vec<&str> = text.split(':').collect();
    let limits = [24, 60, 60];
    (2..=3).contains(&parts.len())
        && parts.iter().zip(limits).all(|(part, limit)| {
            part.len() == 2 && part.bytes().all(|b| b.is_ascii_digit()) && part.parse::<u32>().is_ok_and(|n| n < limit)
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn errors(data: Value, record_type: &str, context: &ValidationContext) -> Vec<(String, &'static str)> {
        validate_update_data(&data, record_type, context).errors.into_iter().map(|e| (e.field, e.rule)).collect()
    }

    fn lite() -> ValidationContext<'static> {
        ValidationContext::for_plan(Plan::Lite)
    }

    #[test]
    fn valid_updates_of_every_shape() {
        let currencies = ["EUR".to_string(), "USD".to_string()];
        let context = ValidationContext { currencies: Some(&currencies), deal_status: Some("open"), ..lite() };
        let valid = [
            (
                "activity",
                json!({"subject": "Call", "type": "call", "due_date": "2028-02-29", "due_time": "09:30", "note": "",
                       "person_id": "12", "user_id": 3, "done": true}),
            ),
            ("activity", json!({"due_time": "23:59:59"})),
            (
                "person",
                json!({"name": "Ann", "email": ["ann@x.com"], "phone": ["+1 (555) 010-0000"], "org_name": "Acme",
                       "label_ids": [1, "2"], "owner_id": 4, "visible_to": 3}),
            ),
            (
                "organization",
                json!({"name": "Acme", "industry": "Retail", "country": "DE", "address": "Main St 1", "visible_to": 1}),
            ),
            (
                "deal",
                json!({"title": "Big", "value": 1999.5, "currency": "EUR", "stage_id": 2, "person_id": 1, "org_id": 1,
                       "owner_id": 1, "visible_to": 1}),
            ),
            ("deal", json!({"status": "lost", "lost_reason": "Price"})),
            ("deal", json!({"lost_reason": null})),
        ];
        for (record_type, data) in valid {
            let result = validate_update_data(&data, record_type, &context);
            assert!(result.valid, "{record_type} {data}: {:?}", result.errors);
            assert_eq!(result.to_error(), None);
        }
    }

    #[test]
    fn each_rule_names_the_field() {
        let table = [
            ("person", json!({"name": "A", "primary_email": "a@x.com"}), "primary_email", "unknown-field"),
            ("activity", json!({"owner_id": 3}), "owner_id", "unknown-field"),
            ("deal", json!({"stage_id": 3, "pipeline_id": 1}), "pipeline_id", "unknown-field"),
            ("person", json!({"name": 5}), "name", "type"),
            ("person", json!({"name": "  "}), "name", "required"),
            ("person", json!({"name": null}), "name", "type"),
            ("person", json!({"email": "a@x.com"}), "email", "type"),
            ("person", json!({"email": ["a@x.com", "nope"]}), "email[1]", "format"),
            ("person", json!({"phone": ["call me"]}), "phone[0]", "format"),
            ("person", json!({"label_ids": [1, 0]}), "label_ids[1]", "id"),
            ("person", json!({"owner_id": 2_147_483_648_i64}), "owner_id", "id"),
            ("person", json!({"owner_id": 1.5}), "owner_id", "id"),
            ("activity", json!({"done": "yes"}), "done", "type"),
            ("activity", json!({"due_date": "2027-02-29"}), "due_date", "format"),
            ("activity", json!({"due_date": "2026-1-01"}), "due_date", "format"),
            ("activity", json!({"due_time": "24:00"}), "due_time", "format"),
            ("activity", json!({"due_time": "9:30"}), "due_time", "format"),
            ("activity", json!({"due_time": "10:30:60"}), "due_time", "format"),
            ("deal", json!({"value": f64::NAN}), "value", "type"),
            ("deal", json!({"value": "100"}), "value", "type"),
            ("deal", json!({"value": -1}), "value", "range"),
            ("deal", json!({"visible_to": 5}), "visible_to", "plan"),
            ("deal", json!({"currency": "EURO"}), "currency", "format"),
            ("deal", json!({"currency": "GBP"}), "currency", "currency"),
            ("deal", json!({"status": "deleted"}), "status", "one-of"),
            ("deal", json!({"lost_reason": "Price"}), "lost_reason", "status"),
            ("deal", json!({"status": "won", "lost_reason": "Price"}), "lost_reason", "status"),
            ("deal", json!({}), "data", "required"),
            ("deal", json!(["title"]), "data", "type"),
            ("people", json!({"name": "A"}), "recordType", "one-of"),
        ];
        let currencies = ["EUR".to_string()];
        let context = ValidationContext { currencies: Some(&currencies), deal_status: Some("open"), ..lite() };
        for (record_type, data, field, rule) in table {
            assert_eq!(
                errors(data.clone(), record_type, &context),
                [(field.to_string(), rule)],
                "{record_type} {data}"
            );
        }
    }

    #[test]
    fn plans_currencies_and_status_come_from_the_context() {
        let premium = ValidationContext::for_plan(Plan::Premium);
        assert!(validate_update_data(&json!({"visible_to": 7}), "person", &premium).valid);
        assert_eq!(errors(json!({"visible_to": 7}), "person", &lite()), [("visible_to".to_string(), "plan")]);
        assert!(
            validate_update_data(&json!({"currency": "XBT"}), "deal", &lite()).valid,
            "only the form without a list"
        );
        let lost = ValidationContext { deal_status: Some("lost"), ..lite() };
        assert!(validate_update_data(&json!({"lost_reason": "Price"}), "deal", &lost).valid);
        let reopened = errors(json!({"status": "open", "lost_reason": "Price"}), "deal", &lost);
        assert_eq!(reopened, [("lost_reason".to_string(), "status")], "the resulting status counts");
        let unknown = validate_update_data(&json!({"lost_reason": "Price"}), "deal", &lite());
        assert_eq!(
            unknown.errors[0].message,
            "lost_reason can only be set when the deal is lost (its status is not known)"
        );
    }

    #[test]
    fn all_errors_are_collected_and_read_as_one() {
        let data = json!({"subject": "", "due_date": "tomorrow", "done": 1, "attendees": []});
        let result = validate_update_data(&data, "activity", &lite());
        assert!(!result.valid);
        let fields: Vec<&str> = result.errors.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["attendees", "done", "due_date", "subject"]);
        let error = result.to_error().unwrap();
        assert_eq!(error.details()["field"], "attendees");
        let text = error.to_string();
        assert!(
            text.starts_with("VALIDATION: attendees is not a field of an activity update (allowed: subject,"),
            "{text}"
        );
        assert!(text.contains("; due_date must be a date as YYYY-MM-DD; subject must not be empty"), "{text}");
        assert_eq!(
            json!(result.errors[1]),
            json!({"field": "done", "rule": "type", "message": "done must be true or false"})
        );
    }
}
