//! The plan as data (JSON) and as deployments (ARM template, Bicep).

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

use super::{each_subscription, resource_type, setting_kind, summary, who, Format};
use crate::bulk::{Plan, SkipKind, Write};
use crate::quote::{arm_literal, bicep_string, comments, one_line, sh_quote};

/// The JSON export: every write as the request it is, and the subscriptions left out.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JsonPlan {
    /// [`crate::bulk::Action::key`].
    pub action: String,
    /// The header every export opens with.
    pub summary: Vec<String>,
    pub caveat: Option<String>,
    pub writes: Vec<JsonWrite>,
    pub skipped: Vec<JsonSkip>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JsonWrite {
    pub subscription_id: String,
    pub subscription_name: String,
    /// The resource written: the setting (`WDATP`, ...) or the pricing (`VirtualMachines`).
    pub name: String,
    pub method: String,
    pub url: String,
    pub body: Value,
    pub description: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct JsonSkip {
    pub subscription_id: String,
    pub subscription_name: String,
    pub kind: SkipKind,
    pub reason: String,
}

pub(super) fn json(plan: &Plan, arm_url: &str) -> String {
    let export = JsonPlan {
        action: plan.action.key().into(),
        summary: summary(plan, arm_url),
        caveat: plan.action.caveat().map(Into::into),
        writes: super::writes(plan)
            .map(|(item, write)| JsonWrite {
                subscription_id: item.subscription_id.clone(),
                subscription_name: item.name.clone(),
                name: write.name().into(),
                method: "PUT".into(),
                url: format!("{arm_url}{}", write.path()),
                body: write.body(),
                description: write.describe(),
            })
            .collect(),
        skipped: plan
            .items
            .iter()
            .filter_map(|item| {
                item.skip.as_ref().map(|skip| JsonSkip {
                    subscription_id: item.subscription_id.clone(),
                    subscription_name: item.name.clone(),
                    kind: skip.kind,
                    reason: skip.reason.clone(),
                })
            })
            .collect(),
    };
    serde_json::to_string_pretty(&export).expect("a plan serialises") + "\n"
}

const SUBSCRIPTION_SCHEMA: &str =
    "https://schema.management.azure.com/schemas/2018-05-01/subscriptionDeploymentTemplate.json#";
/// `Microsoft.Resources/deployments`, as the ARM documentation's subscription examples use it.
const DEPLOYMENTS_API: &str = "2022-09-01";

/// A template, its fields in the order ARM's documentation writes them.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Template {
    #[serde(rename = "$schema")]
    schema: &'static str,
    content_version: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    metadata: Option<Value>,
    resources: Vec<Resource>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Resource {
    #[serde(rename = "type")]
    resource_type: &'static str,
    api_version: &'static str,
    name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    subscription_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    location: Option<&'static str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    comments: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    depends_on: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    kind: Option<Value>,
    properties: Properties,
}

#[derive(Serialize)]
#[serde(untagged)]
enum Properties {
    /// A write's `properties`, as its PUT body has them.
    Body(Value),
    Deployment {
        mode: &'static str,
        #[serde(rename = "expressionEvaluationOptions")]
        evaluation: Value,
        template: Box<Template>,
    },
}

/// One subscription-scope template for all subscriptions: a nested deployment per subscription
/// (`subscriptionId` + `location`, as ARM deploys to another subscription), its writes chained
/// by `dependsOn` so they run in plan order.
pub(super) fn arm(plan: &Plan, arm_url: &str) -> String {
    let file = Format::ArmTemplate.file_name(plan.action);
    let mut notes = summary(plan, arm_url);
    notes.push(format!(
        "Deploy once, from any subscription: az deployment sub create --location <region> --template-file {file} \
         (or New-AzSubscriptionDeployment). Each nested deployment runs in its own subscription, which takes \
         Microsoft.Resources/deployments/write there as well as the settings' permissions."
    ));
    let mut deployments = Vec::new();
    each_subscription(plan, |n, item| {
        let mut resources: Vec<Resource> = Vec::new();
        let mut previous: Option<String> = None;
        for write in &item.writes {
            let (resource_type, api_version) = resource_type(write);
            let mut body = write.body();
            let id = format!("[subscriptionResourceId('{resource_type}', '{}')]", write.name().replace('\'', "''"));
            resources.push(Resource {
                resource_type,
                api_version,
                name: arm_literal(write.name()),
                subscription_id: None,
                location: None,
                comments: None,
                depends_on: previous.replace(id).into_iter().collect(),
                kind: body.get_mut("kind").map(Value::take),
                properties: Properties::Body(body["properties"].take()),
            });
        }
        deployments.push(Resource {
            resource_type: "Microsoft.Resources/deployments",
            api_version: DEPLOYMENTS_API,
            name: format!("mde-plan-{}-{}", plan.action.key(), deployments.len() + 1),
            subscription_id: Some(arm_literal(&item.subscription_id)),
            location: Some("[deployment().location]"),
            comments: Some(arm_literal(&format!("{n} {}", who(item)))),
            depends_on: Vec::new(),
            kind: None,
            properties: Properties::Deployment {
                mode: "Incremental",
                // ARM reads the scope in any case; the template schema's enum spells it `Inner`.
                evaluation: json!({ "scope": "Inner" }),
                template: Box::new(Template {
                    schema: SUBSCRIPTION_SCHEMA,
                    content_version: "1.0.0.0",
                    metadata: None,
                    resources,
                }),
            },
        });
    });
    let template = Template {
        schema: SUBSCRIPTION_SCHEMA,
        content_version: "1.0.0.0",
        metadata: Some(json!({ "description": notes.iter().map(|l| arm_literal(l)).collect::<Vec<_>>() })),
        resources: deployments,
    };
    serde_json::to_string_pretty(&template).expect("a template serialises") + "\n"
}

/// A subscription-scope Bicep file deployed once per subscription: it holds every
/// subscription's writes and picks its own by `subscription().subscriptionId`. Bicep cannot
/// reach another subscription from one file (resources must match the file's scope, BCP139;
/// a module per subscription would need a second file), so this is the one-file form.
pub(super) fn bicep(plan: &Plan, arm_url: &str) -> String {
    let file = Format::Bicep.file_name(plan.action);
    let mut notes = summary(plan, arm_url);
    notes.push(
        "Deploy this file once in each subscription below; it writes that subscription's part of the plan".into(),
    );
    notes.push("and fails, writing nothing, in a subscription the plan does not list:".into());
    each_subscription(plan, |_, item| {
        notes.push(format!(
            "  az deployment sub create --subscription {} --location <region> --template-file {file}",
            sh_quote(&item.subscription_id)
        ));
    });
    let mut out = comments("//", &notes);
    out += "targetScope = 'subscription'\n\n";
    out += "// Each subscription's writes, in order: Defender for Servers first (when planned), then the settings.\n";
    out += "var plans = {\n";
    each_subscription(plan, |n, item| {
        out += &format!("  // {n} {}\n", one_line(&who(item)));
        out += &format!("  {}: {{\n", bicep_string(&item.subscription_id));
        let sub_plan = item.writes.iter().find_map(|w| match w {
            Write::ServersPlan { sub_plan, .. } => Some(sub_plan.label()),
            Write::Setting(_) => None,
        });
        out += &format!("    serversPlan: {}\n", bicep_string(sub_plan.unwrap_or("")));
        out += "    settings: [\n";
        for write in &item.writes {
            if let Write::Setting(change) = write {
                out += &format!(
                    "      {{\n        name: {}\n        kind: {}\n        enabled: {}\n      }}\n",
                    bicep_string(&change.setting),
                    bicep_string(&setting_kind(change)),
                    change.enabled
                );
            }
        }
        out += "    ]\n  }\n";
    });
    out += "}\n\n";
    out += BICEP_RESOURCES;
    out
}

const BICEP_RESOURCES: &str = "\
// The deploying subscription's part; a subscription the plan does not list has none.
var writes = plans[subscription().subscriptionId]

resource serversPlan 'Microsoft.Security/pricings@2024-01-01' = if (!empty(writes.serversPlan)) {
  name: 'VirtualMachines'
  properties: {
    pricingTier: 'Standard'
    subPlan: writes.serversPlan
  }
}

// One at a time, in order (the integration before Linux and the unified solution).
@batchSize(1)
resource settings 'Microsoft.Security/settings@2022-05-01' = [for setting in writes.settings: {
  name: setting.name
  kind: setting.kind
  properties: {
    enabled: setting.enabled
  }
  dependsOn: [
    serversPlan
  ]
}]
";
