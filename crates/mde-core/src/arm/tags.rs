//! `PATCH /{resourceId}/providers/Microsoft.Resources/tags/default`: change some tags of a
//! resource without touching the others (needs `Microsoft.Resources/tags/write`; 50 tags max).
//!
//! The app uses it for one tag: `ExcludeMdeAutoUpdate=true` keeps Defender for Cloud from
//! updating (or reinstalling) the MDE extension on that machine.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::common::null_as_default;

/// The tag that excludes a machine from Defender for Cloud's automatic MDE updates.
pub const EXCLUDE_MDE_AUTO_UPDATE: &str = "ExcludeMdeAutoUpdate";

/// How a tags PATCH treats the tags already on the resource.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum TagsOperation {
    /// Add the given tags, overwrite the values of those that exist, keep the rest.
    Merge,
    /// Remove the given tags (by name, or by name and value), keep the rest.
    Delete,
    /// Replace ALL tags with the given ones: the others are lost. The app does not use it.
    Replace,
}

/// The body of a tags PATCH: `{"operation":"Merge","properties":{"tags":{...}}}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TagsPatch {
    pub operation: TagsOperation,
    pub properties: TagsProperties,
}

impl TagsPatch {
    /// A PATCH that applies `operation` to one tag.
    pub fn one(operation: TagsOperation, name: &str, value: &str) -> Self {
        let tags = BTreeMap::from([(name.to_string(), value.to_string())]);
        TagsPatch { operation, properties: TagsProperties { tags } }
    }

    /// Sets (`exclude = true`: Merge) or clears (`false`: Delete) `ExcludeMdeAutoUpdate=true`.
    /// Clearing names the value `true`; to clear a tag set by hand with another value, use
    /// [`TagsPatch::one`] with `Delete` and the value read from the resource.
    pub fn exclude_mde_auto_update(exclude: bool) -> Self {
        let operation = if exclude { TagsOperation::Merge } else { TagsOperation::Delete };
        Self::one(operation, EXCLUDE_MDE_AUTO_UPDATE, "true")
    }
}

/// The `properties` of a tags body or answer: just the tags.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct TagsProperties {
    #[serde(default, deserialize_with = "null_as_default")]
    pub tags: BTreeMap<String, String>,
}

/// The answer to a tags PATCH (or GET): all the resource's tags after the change.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct TagsResource {
    /// `{resourceId}/providers/Microsoft.Resources/tags/default`, or just the resource's id.
    #[serde(default)]
    pub id: Option<String>,
    /// Usually `default`.
    #[serde(default)]
    pub name: Option<String>,
    /// `Microsoft.Resources/tags`.
    #[serde(rename = "type", default)]
    pub resource_type: Option<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub properties: TagsProperties,
}

impl TagsResource {
    /// Whether the resource now carries `ExcludeMdeAutoUpdate=true`.
    pub fn excludes_mde_auto_update(&self) -> bool {
        excludes_mde_auto_update(&self.properties.tags)
    }
}

/// Whether `tags` (of a VM, an Arc machine or a tags answer) hold `ExcludeMdeAutoUpdate=true`.
/// Azure tag names ignore case; the value is compared ignoring case and surrounding spaces.
pub fn excludes_mde_auto_update(tags: &BTreeMap<String, String>) -> bool {
    tags.iter().any(|(k, v)| k.eq_ignore_ascii_case(EXCLUDE_MDE_AUTO_UPDATE) && v.trim().eq_ignore_ascii_case("true"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bodies_are_exactly_what_arm_expects() {
        assert_eq!(
            serde_json::to_string(&TagsPatch::exclude_mde_auto_update(true)).unwrap(),
            r#"{"operation":"Merge","properties":{"tags":{"ExcludeMdeAutoUpdate":"true"}}}"#
        );
        assert_eq!(
            serde_json::to_string(&TagsPatch::exclude_mde_auto_update(false)).unwrap(),
            r#"{"operation":"Delete","properties":{"tags":{"ExcludeMdeAutoUpdate":"true"}}}"#
        );
        assert_eq!(
            serde_json::to_string(&TagsPatch::one(TagsOperation::Replace, "a", "b")).unwrap(),
            r#"{"operation":"Replace","properties":{"tags":{"a":"b"}}}"#
        );
    }

    #[test]
    fn answer_is_read_and_the_tag_found_ignoring_case() {
        let json = r#"{"id":"/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm/providers/Microsoft.Resources/tags/default",
            "name":"default","type":"Microsoft.Resources/tags",
            "properties":{"tags":{"excludemdeautoupdate":"True","env":"prod"}}}"#;
        let answer: TagsResource = serde_json::from_str(json).unwrap();
        assert!(answer.excludes_mde_auto_update());
        let none: TagsResource = serde_json::from_str(r#"{"properties":{"tags":null}}"#).unwrap();
        assert!(!none.excludes_mde_auto_update());
        let tags = BTreeMap::from([(EXCLUDE_MDE_AUTO_UPDATE.to_string(), "false".to_string())]);
        assert!(!excludes_mde_auto_update(&tags));
    }
}
