//! The permission rule on real roles, three ways. For each role set (Azure's built-in Owner,
//! Contributor, Reader, Security Admin, Security Reader, Security Admin + Reader, and a custom
//! role with `notActions`; definitions in `tests/fixtures/roles`) and each action the app needs:
//! - the app's rule (`mde_core::arm::permissions::allows`) on the permissions the fake serves,
//! - the fake's own evaluator, and its real answer to the request (403 `AuthorizationFailed` or
//!   not),
//!
//! must all agree with a table written by hand from the role definitions.

mod common;

use common::{body, error_code, open, send, tenant, ARM, SUB};
use fake_azure::FakeAzure;
use mde_core::api;
use mde_core::arm::permissions::{allows, Permission};
use mde_core::arm::Page;
use serde_json::{json, Value};

const ROLES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/fixtures/roles");

const VM: &str = "/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/rg-web/providers/Microsoft.Compute/virtualMachines/web-01";
const ARC: &str = "/subscriptions/11111111-1111-1111-1111-111111111111/resourceGroups/rg-onprem/providers/Microsoft.HybridCompute/machines/srv-01";

/// The actions the app needs, in the order of the table's columns.
const ACTIONS: [&str; 8] = [
    "Microsoft.Security/settings/write",
    "Microsoft.Security/pricings/write",
    "Microsoft.Resources/tags/write",
    "Microsoft.Compute/virtualMachines/extensions/delete",
    "Microsoft.HybridCompute/machines/extensions/delete",
    "Microsoft.Compute/virtualMachines/runCommand/action",
    "Microsoft.Security/settings/read",
    "Microsoft.Security/pricings/read",
];

/// Role set, its role files, and whether it may do each of [`ACTIONS`], read off the definitions:
/// Contributor's `notActions` only touch `Microsoft.Authorization` and the like; Security Admin
/// has `Microsoft.Security/*` but nothing on tags, compute or hybrid compute; the readers'
/// `*/read` and `Microsoft.Security/*/read` match reads only; the custom role's
/// `microsoft.security/*` takes away Defender for Cloud's reads as well as its writes.
#[rustfmt::skip]
const EXPECTED: [(&str, &[&str], [bool; 8]); 7] = [
    //                                                                      settings pricings tags   vm ext arc ext runCmd settings pricings
    //                                                                      write    write    write  delete delete  action read     read
    ("Owner", &["owner.json"],                                              [true,   true,    true,  true,  true,   true,  true,    true]),
    ("Contributor", &["contributor.json"],                                  [true,   true,    true,  true,  true,   true,  true,    true]),
    ("Reader", &["reader.json"],                                            [false,  false,   false, false, false,  false, true,    true]),
    ("Security Admin", &["security-admin.json"],                            [true,   true,    false, false, false,  false, true,    true]),
    ("Security Reader", &["security-reader.json"],                          [false,  false,   false, false, false,  false, true,    true]),
    ("Security Admin + Reader", &["security-admin.json", "reader.json"],    [true,   true,    false, false, false,  false, true,    true]),
    ("Contributor without Defender (custom)", &["custom-contributor-without-security.json"],
                                                                            [false,  false,   true,  true,  true,   true,  false,   false]),
];

/// What a user holding these roles gets from `GET .../permissions`: each role's `permissions`.
fn permissions_of(files: &[&str]) -> Vec<Value> {
    files
        .iter()
        .flat_map(|file| {
            let path = format!("{ROLES}/{file}");
            let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
            let role: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: {e}"));
            role["permissions"].as_array().unwrap_or_else(|| panic!("{path}: no permissions")).clone()
        })
        .collect()
}

/// The test tenant, with the owned subscription's permissions replaced by `permissions`.
fn fake_with(permissions: &[Value]) -> FakeAzure {
    let mut scenario = tenant();
    scenario["subscriptions"][0]["permissions"] = json!(permissions);
    FakeAzure::from_scenario_json(&scenario.to_string(), open()).unwrap()
}

/// The request that needs `action`; `None` for one the fake does not route (run command).
fn request_for(action: &str) -> Option<(&'static str, String, Option<Value>)> {
    let tags = json!({ "operation": "Merge", "properties": { "tags": { "ExcludeMdeAutoUpdate": "true" } } });
    Some(match action {
        "Microsoft.Security/settings/write" => (
            "PUT",
            api::setting(SUB, "WDATP"),
            Some(json!({ "kind": "DataExportSettings", "properties": { "enabled": false } })),
        ),
        "Microsoft.Security/pricings/write" => (
            "PUT",
            api::pricing(SUB, "VirtualMachines"),
            Some(json!({ "properties": { "pricingTier": "Standard", "subPlan": "P2" } })),
        ),
        "Microsoft.Resources/tags/write" => {
            ("PATCH", format!("{VM}/providers/Microsoft.Resources/tags/default?api-version={}", api::TAGS), Some(tags))
        }
        "Microsoft.Compute/virtualMachines/extensions/delete" => {
            ("DELETE", format!("{VM}/extensions/MDE.Linux?api-version={}", api::COMPUTE), None)
        }
        "Microsoft.HybridCompute/machines/extensions/delete" => {
            ("DELETE", format!("{ARC}/extensions/MDE.Windows?api-version={}", api::HYBRID_COMPUTE), None)
        }
        "Microsoft.Security/settings/read" => ("GET", api::settings(SUB), None),
        "Microsoft.Security/pricings/read" => ("GET", api::pricing(SUB, "VirtualMachines"), None),
        _ => return None,
    })
}

#[test]
fn the_apps_rule_the_fakes_evaluator_and_its_answers_agree_with_the_roles() {
    let mut disagreements = Vec::new();
    let mut http_checks = 0;
    for (set, files, expected_row) in EXPECTED {
        let permissions = permissions_of(files);
        for (action, expected) in ACTIONS.into_iter().zip(expected_row) {
            let mut azure = fake_with(&permissions);
            let mut disagree = |who: &str, got: bool| {
                if got != expected {
                    disagreements
                        .push(format!("{set} / {action}: {who} says {got}, the role definitions say {expected}"));
                }
            };

            // The app's rule, on what the fake answers for the permissions.
            let served = send(&mut azure, "GET", &format!("{ARM}{}", api::permissions(SUB)), None, None);
            assert_eq!(served.status(), 200, "{set}: permissions are readable by anyone");
            let page: Page<Permission> = serde_json::from_value(body(&served)).unwrap();
            disagree("the app's allows", allows(&page.value, action));

            // The fake's evaluator, and its real answer where it routes the request.
            let parsed: Vec<Permission> = serde_json::from_value(json!(permissions)).unwrap();
            disagree("the fake's rbac::allows", fake_azure::rbac::allows(&parsed, action));
            let Some((method, path, payload)) = request_for(action) else { continue };
            http_checks += 1;
            let response = send(&mut azure, method, &format!("{ARM}{path}"), payload.as_ref(), None);
            let status = response.status().as_u16();
            if status == 403 {
                assert_eq!(error_code(&response), "AuthorizationFailed", "{set} {method} {path}");
                let message = body(&response)["error"]["message"].as_str().unwrap().to_string();
                assert!(message.contains(&format!("'{action}'")), "{set}: the refusal names {action}: {message}");
            } else {
                assert!((200..300).contains(&status), "{set} {method} {path}: {status} {}", body(&response));
            }
            disagree(&format!("the fake's answer ({status} to {method})"), status != 403);
        }
    }
    assert!(disagreements.is_empty(), "{}", disagreements.join("\n"));
    assert_eq!(http_checks, 7 * 7, "every routed action was sent for every role set");
}

#[test]
fn the_roles_are_the_documented_ones() {
    // A guard against a fixture swapped or edited by mistake: the ids are the built-in roles'.
    let ids: Vec<(String, String)> =
        ["owner.json", "contributor.json", "reader.json", "security-admin.json", "security-reader.json"]
            .iter()
            .map(|file| {
                let role: Value =
                    serde_json::from_str(&std::fs::read_to_string(format!("{ROLES}/{file}")).unwrap()).unwrap();
                (role["roleName"].as_str().unwrap().to_string(), role["name"].as_str().unwrap().to_string())
            })
            .collect();
    let expected = [
        ("Owner", "8e3af657-a8ff-443c-a75c-2fe8c4bcb635"),
        ("Contributor", "b24988ac-6180-42a0-ab88-20f7382dd24c"),
        ("Reader", "acdd72a7-3385-48ef-bd42-f606fba81ae7"),
        ("Security Admin", "fb1c8493-542b-48eb-b624-b4c8fea62acd"),
        ("Security Reader", "39bc4728-0917-49c7-9d2c-d95423bc2eb4"),
    ];
    let expected: Vec<(String, String)> = expected.iter().map(|(n, i)| (n.to_string(), i.to_string())).collect();
    assert_eq!(ids, expected);
}
