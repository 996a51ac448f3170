//! Shapes every ARM API shares: a page of a list, and the error body.

use serde::{Deserialize, Serialize};

/// One page of an ARM list: `{"value": [...], "nextLink": "https://..."}`. The specs make
/// `value` optional and their minimal examples answer `{}`: an empty list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(bound(deserialize = "T: Deserialize<'de>"))]
pub struct Page<T> {
    #[serde(default, deserialize_with = "null_as_default")]
    pub value: Vec<T>,
    /// Absolute URL of the next page; absent, `null` or empty on the last page.
    #[serde(rename = "nextLink", default, skip_serializing_if = "Option::is_none")]
    pub next_link: Option<String>,
}

impl<T> Page<T> {
    /// The next page's URL, if there is one worth following.
    pub fn next(&self) -> Option<&str> {
        self.next_link.as_deref().filter(|link| !link.is_empty())
    }
}

/// ARM's error envelope: `{"error": {...}}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ArmErrorBody {
    pub error: ArmError,
}

/// What ARM says went wrong: a stable `code` (e.g. `AuthorizationFailed`) and a message for people.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ArmError {
    #[serde(default, deserialize_with = "null_as_default")]
    pub code: String,
    #[serde(default, deserialize_with = "null_as_default")]
    pub message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub target: Option<String>,
    #[serde(default, deserialize_with = "null_as_default", skip_serializing_if = "Vec::is_empty")]
    pub details: Vec<ArmError>,
    /// Typed extras, e.g. `{"type": "PolicyViolation", "info": {...}}` naming a policy assignment.
    #[serde(
        rename = "additionalInfo",
        default,
        deserialize_with = "null_as_default",
        skip_serializing_if = "Vec::is_empty"
    )]
    pub additional_info: Vec<serde_json::Value>,
}

/// Reads `null` as the type's default: ARM writes `null` where it means "none".
pub(crate) fn null_as_default<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: serde::Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(deserializer)?.unwrap_or_default())
}
