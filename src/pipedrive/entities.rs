//! The four API v2 entities the package writes, their paths, and the fields a PATCH may carry (API-FACTS §2.3 to
//! §2.6). Strict like v2 itself: a field outside the list is a bug on our side, caught before any request.

/// A Pipedrive record type written through API v2.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Entity {
    /// `/api/v2/persons`.
    Person,
    /// `/api/v2/organizations`.
    Organization,
    /// `/api/v2/activities`.
    Activity,
    /// `/api/v2/deals`.
    Deal,
}

impl Entity {
    /// Every entity.
    pub const ALL: [Entity; 4] = [Entity::Person, Entity::Organization, Entity::Activity, Entity::Deal];

    /// Parses the singular name (`person`) used in jobs and the batch API.
    pub fn parse(name: &str) -> Option<Entity> {
        Entity::ALL.into_iter().find(|entity| entity.name() == name)
    }

    /// The singular name: `person`, `organization`, `activity`, `deal`.
    pub fn name(self) -> &'static str {
        match self {
            Entity::Person => "person",
            Entity::Organization => "organization",
            Entity::Activity => "activity",
            Entity::Deal => "deal",
        }
    }

    /// The collection path, e.g. `/api/v2/persons`.
    pub fn collection_path(self) -> &'static str {
        match self {
            Entity::Person => "/api/v2/persons",
            Entity::Organization => "/api/v2/organizations",
            Entity::Activity => "/api/v2/activities",
            Entity::Deal => "/api/v2/deals",
        }
    }

    /// The path of one record.
    pub fn record_path(self, id: i64) -> String {
        format!("{}/{id}", self.collection_path())
    }

    /// The fields a v2 PATCH of this entity may carry.
    pub fn patch_fields(self) -> &'static [&'static str] {
        match self {
            Entity::Person => &["name", "owner_id", "org_id", "emails", "phones", "visible_to", "label_ids"],
            Entity::Organization => {
                &["name", "owner_id", "visible_to", "label_ids", "address", "industry", "custom_fields"]
            }
            Entity::Activity => &[
                "subject",
                "type",
                "owner_id",
                "deal_id",
                "org_id",
                "due_date",
                "due_time",
                "duration",
                "busy",
                "done",
                "participants",
                "note",
                "public_description",
            ],
            Entity::Deal => &[
                "title",
                "owner_id",
                "person_id",
                "org_id",
                "pipeline_id",
                "stage_id",
                "value",
                "currency",
                "status",
                "probability",
                "lost_reason",
                "visible_to",
                "expected_close_date",
                "label_ids",
            ],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_paths() {
        for entity in Entity::ALL {
            assert_eq!(Entity::parse(entity.name()), Some(entity));
        }
        assert_eq!(Entity::parse("people"), None);
        assert_eq!(Entity::Activity.record_path(7), "/api/v2/activities/7");
    }

    #[test]
    fn person_id_is_not_writable_on_activities() {
        assert!(!Entity::Activity.patch_fields().contains(&"person_id"));
        assert!(Entity::Activity.patch_fields().contains(&"participants"));
    }
}
