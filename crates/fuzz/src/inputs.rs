//! Input strategies: hostile JSON values, edits of real examples, cuts of their text.

use proptest::collection::{btree_map, vec};
use proptest::prelude::*;
use serde_json::{Map, Number, Value};

/// Field names the parsers look for, so generated objects reach their branches.
const KEYS: &[&str] = &[
    "id",
    "name",
    "type",
    "kind",
    "location",
    "tags",
    "properties",
    "value",
    "nextLink",
    "enabled",
    "data",
    "totalRecords",
    "count",
    "resultTruncated",
    "$skipToken",
    "subscriptionId",
    "resourceGroup",
    "osType",
    "extensionName",
    "provisioningState",
    "extensionMessage",
    "powerState",
    "status",
    "statuses",
    "code",
    "displayStatus",
    "message",
    "instanceView",
    "storageProfile",
    "imageReference",
    "publisher",
    "offer",
    "sku",
    "osProfile",
    "osName",
    "osSku",
    "osVersion",
    "extensions",
    "actions",
    "notActions",
    "dataActions",
    "pricingTier",
    "subPlan",
    "state",
    "displayName",
    "tenantId",
    "resourceIdentifiers",
    "azureResourceId",
    "environmentData",
    "offerings",
    "offeringType",
    "registrationState",
    "error",
    "details",
    "clientId",
    "cloud",
    "tenant",
    "redirectUri",
    "tokenStore",
    "concurrency",
    "requestTimeoutMs",
    "subscriptions",
    "tenants",
    "user",
    "machines",
    "settings",
    "pricings",
];

/// Strings that have broken parsers elsewhere, or that the domain rules look at.
const NASTY: &[&str] = &[
    "",
    " ",
    "\u{0}",
    "null",
    "true",
    "0",
    "-1",
    "1e999",
    "NaN",
    "<script>alert(1)</script>",
    "\"><img src=x onerror=alert(1)>",
    "javascript:alert(1)",
    "%",
    "%zz",
    "%FF%FE",
    "&&==??",
    "/",
    "//",
    "/subscriptions/",
    "/subscriptions//resourceGroups//providers/",
    "/SUBSCRIPTIONS/x/RESOURCEGROUPS",
    "microsoft.compute/virtualmachines",
    "microsoft.hybridcompute/machines",
    "PowerState/running",
    "PowerState/",
    "MDE.Windows",
    "MDE.Linux",
    "Microsoft.Azure.AzureDefenderForServers",
    "Succeeded",
    "Failed",
    "Connected",
    "Windows",
    "Linux",
    "WDATP",
    "VirtualMachines",
    "Standard",
    "P1",
    "*",
    "*/read",
    "Microsoft.Security/*",
    "AzureCloud",
    "AzureUSGovernment",
    "organizations",
    "memory",
    "session",
    "00000000-0000-0000-0000-000000000000",
    "\u{202e}evil",
    "e\u{301}",
    "\u{1F600}",
    "\u{FEFF}",
    "\r\n",
];

pub fn hostile_string() -> impl Strategy<Value = String> {
    prop_oneof![
        4 => proptest::sample::select(NASTY).prop_map(str::to_string),
        3 => any::<String>(),
        1 => (proptest::sample::select(NASTY), 1..2_000usize).prop_map(|(s, n)| s.repeat(n.min(20_000 / s.len().max(1)))),
        1 => Just("x".repeat(10_000)),
    ]
}

fn hostile_number() -> impl Strategy<Value = Number> {
    prop_oneof![
        proptest::sample::select(vec![i64::MIN, -1, 0, 1, 2, 999, i64::MAX]).prop_map(Number::from),
        proptest::sample::select(vec![u64::MAX, 1 << 53, 600_001]).prop_map(Number::from),
        any::<i64>().prop_map(Number::from),
        proptest::sample::select(vec![0.5, -0.0, 1e308, -1e308, f64::MIN_POSITIVE, 1_000.000_1])
            .prop_map(|f| Number::from_f64(f).expect("finite")),
    ]
}

fn key() -> impl Strategy<Value = String> {
    prop_oneof![3 => proptest::sample::select(KEYS).prop_map(str::to_string), 1 => hostile_string()]
}

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        1 => Just(Value::Null),
        1 => any::<bool>().prop_map(Value::Bool),
        1 => hostile_number().prop_map(Value::Number),
        3 => hostile_string().prop_map(Value::String),
    ]
}

/// Any JSON value, nested up to 8 deep, with hostile strings and numbers and domain keys.
pub fn hostile_value() -> impl Strategy<Value = Value> {
    leaf().prop_recursive(8, 96, 8, |inner| {
        prop_oneof![
            vec(inner.clone(), 0..8).prop_map(Value::Array),
            btree_map(key(), inner, 0..8).prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// One edit somewhere in a JSON tree.
#[derive(Debug, Clone)]
pub enum Edit {
    Replace(Value),
    Remove,
    Null,
    /// String <-> number, object <-> array, bool -> string, null -> object.
    FlipType,
    Insert(String, Value),
}

fn edit() -> impl Strategy<Value = Edit> {
    prop_oneof![
        2 => hostile_value().prop_map(Edit::Replace),
        2 => Just(Edit::Remove),
        2 => Just(Edit::Null),
        2 => Just(Edit::FlipType),
        1 => (key(), hostile_value()).prop_map(|(k, v)| Edit::Insert(k, v)),
    ]
}

/// Applies `edit` at the node `path` leads to (each step picks a child, modulo their count; the
/// walk stops at a leaf or the path's end). `true`: the caller removes this node.
pub fn apply(node: &mut Value, path: &[u32], edit: &Edit) -> bool {
    if let Some((&step, rest)) = path.split_first() {
        match node {
            Value::Object(map) if !map.is_empty() => {
                let key = map.keys().nth(step as usize % map.len()).cloned().expect("in range");
                if apply(map.get_mut(&key).expect("present"), rest, edit) {
                    map.remove(&key);
                }
                return false;
            }
            Value::Array(items) if !items.is_empty() => {
                let i = step as usize % items.len();
                if apply(&mut items[i], rest, edit) {
                    items.remove(i);
                }
                return false;
            }
            _ => {}
        }
    }
    match edit {
        Edit::Replace(v) => *node = v.clone(),
        Edit::Remove => return true,
        Edit::Null => *node = Value::Null,
        Edit::FlipType => *node = flip(node.take()),
        Edit::Insert(k, v) => match node {
            Value::Object(map) => {
                map.insert(k.clone(), v.clone());
            }
            other => *other = v.clone(),
        },
    }
    false
}

fn flip(value: Value) -> Value {
    match value {
        Value::String(s) => s.parse::<i64>().map(Value::from).unwrap_or_else(|_| Value::from(s.len())),
        Value::Number(n) => Value::String(n.to_string()),
        Value::Bool(b) => Value::String(b.to_string()),
        Value::Null => Value::Object(Map::new()),
        Value::Object(map) => Value::Array(map.into_iter().map(|(_, v)| v).collect()),
        Value::Array(items) => Value::Object(items.into_iter().enumerate().map(|(i, v)| (i.to_string(), v)).collect()),
    }
}

/// One to four edits of one of `bases` (parsed JSON), as text.
pub fn edited(bases: Vec<Value>) -> impl Strategy<Value = String> {
    let edits = vec((vec(any::<u32>(), 0..10), edit()), 1..5);
    (proptest::sample::select(bases), edits).prop_map(|(mut value, edits)| {
        for (path, edit) in &edits {
            if apply(&mut value, path, edit) {
                value = Value::Null;
            }
        }
        value.to_string()
    })
}

/// Byte-level damage to one of `texts`: cut short, a hostile string spliced in, a span removed,
/// or wrapped in a deep nest of arrays.
pub fn cut(texts: Vec<String>) -> impl Strategy<Value = String> {
    (
        proptest::sample::select(texts),
        any::<prop::sample::Index>(),
        any::<prop::sample::Index>(),
        hostile_string(),
        0..4u8,
    )
        .prop_map(|(text, a, b, junk, how)| {
            let bytes = text.as_bytes();
            let (i, j) = (a.index(bytes.len() + 1), b.index(bytes.len() + 1));
            let (lo, hi) = (i.min(j), i.max(j));
            let out = match how {
                0 => bytes[..lo].to_vec(),
                1 => [&bytes[..lo], junk.as_bytes(), &bytes[lo..]].concat(),
                2 => [&bytes[..lo], &bytes[hi..]].concat(),
                _ => {
                    let depth = 1 + hi % 3_000;
                    ["[".repeat(depth).as_bytes(), bytes, "]".repeat(depth).as_bytes()].concat()
                }
            };
            String::from_utf8_lossy(&out).into_owned()
        })
}

/// The JSON bodies of seed texts, skipping those that do not parse.
pub fn values(texts: &[(String, String)]) -> Vec<Value> {
    texts.iter().filter_map(|(_, t)| serde_json::from_str(t).ok()).collect()
}

/// Hostile values, edits of `seeds` and cuts of their text, all as JSON text.
pub fn json_inputs(seeds: &[(String, String)]) -> impl Strategy<Value = String> {
    let texts: Vec<String> = seeds.iter().map(|(_, t)| t.clone()).collect();
    prop_oneof![
        2 => hostile_value().prop_map(|v| v.to_string()),
        4 => edited(values(seeds)),
        1 => cut(texts),
    ]
}
