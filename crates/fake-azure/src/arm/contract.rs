//! Every PUT, PATCH and POST body the fake serves, checked against Azure's published OpenAPI
//! definitions (`tests/fixtures/specs`, copied from Azure/azure-rest-api-specs).
//!
//! The operation is found as ARM routes it: by method, by path template (`{name}` is one segment;
//! a leading `{scope}` is a whole resource id) and by api-version (the spec's folder). Its body
//! schema, converted by [`swagger`], is compiled once, the first time any body is checked. A body
//! that does not conform gets ARM's `400 InvalidRequestContent`, worded as the services'
//! deserializer words it and naming the JSON path of the field (`properties.enabled`). The
//! handlers' own checks come after: what a name allows (`WDATP` is `DataExportSettings`), which
//! the contract cannot say.
//!
//! The validator is `jsonschema` (see Cargo.toml): maintained, complete for drafts 4 to 2020-12,
//! and it names the instance path of each error. It runs in the loopback server and the tests;
//! the demo tenant's worker is built without it (its wasm budget), keeping the handlers' checks.
//!
//! Arc `machines/runCommands` at 2024-07-10 has no operation here: that stable spec does not
//! declare it (see `tests/fixtures/specs/SOURCES.md`), so only the handler checks that body.

mod swagger;

use std::sync::OnceLock;

use http::Response;
use jsonschema::paths::Location;
use jsonschema::{Keyword, ValidationError, Validator};
use serde_json::{Map, Value};

use super::errors;
use crate::wire::Incoming;

/// One spec file: its path under `specification/` and its text.
macro_rules! specs {
    ($($path:literal),* $(,)?) => {
        [$(($path, include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/fixtures/specs/", $path)))),*]
    };
}

const SPECS: [(&str, &str); 14] = specs![
    "security/resource-manager/common/v1/types.json",
    "security/resource-manager/Microsoft.Security/stable/2019-01-01/settings.json",
    "security/resource-manager/Microsoft.Security/stable/2021-07-01/settings.json",
    "security/resource-manager/Microsoft.Security/stable/2022-05-01/settings.json",
    "security/resource-manager/Microsoft.Security/stable/2018-06-01/pricings.json",
    "security/resource-manager/Microsoft.Security/stable/2022-03-01/pricings.json",
    "security/resource-manager/Microsoft.Security/stable/2023-01-01/pricings.json",
    "security/resource-manager/Microsoft.Security/stable/2024-01-01/pricings.json",
    "resources/resource-manager/Microsoft.Resources/stable/2021-04-01/resources.json",
    "resources/resource-manager/Microsoft.Resources/stable/2024-07-01/resources.json",
    "compute/resource-manager/Microsoft.Compute/ComputeRP/stable/2024-07-01/runCommand.json",
    "resourcegraph/resource-manager/Microsoft.ResourceGraph/stable/2021-03-01/resourcegraph.json",
    "resourcegraph/resource-manager/Microsoft.ResourceGraph/stable/2022-10-01/resourcegraph.json",
    "resourcegraph/resource-manager/Microsoft.ResourceGraph/stable/2024-04-01/resourcegraph.json",
];

/// A write operation of the specs, with its compiled body schema.
pub struct Operation {
    /// `operationId`, e.g. `Settings_Update`.
    pub id: String,
    /// The spec file that declares it (under `specification/`).
    pub file: &'static str,
    pub method: String,
    pub api_version: String,
    /// The path as the spec writes it, e.g. `/{scope}/providers/Microsoft.Resources/tags/default`.
    pub template: String,
    /// The body parameter's name (`setting`, `pricing`, `parameters`, `query`...), if any.
    pub body: Option<String>,
    body_required: bool,
    validator: Option<Validator>,
}

impl Operation {
    /// `Ok` when `body` (the raw request body) conforms; `Err` says why, naming the JSON path.
    pub fn check(&self, body: &[u8]) -> Result<(), String> {
        if body.iter().all(u8::is_ascii_whitespace) {
            return match self.body_required {
                true if self.body.is_some() => Err("A request body is required. Path ''.".into()),
                _ => Ok(()),
            };
        }
        let value: Value = serde_json::from_slice(body).map_err(|e| e.to_string())?;
        self.check_value(&value)
    }

    /// Like [`check`](Self::check), for a body already parsed.
    pub fn check_value(&self, value: &Value) -> Result<(), String> {
        let Some(validator) = &self.validator else {
            return Ok(());
        };
        match validator.iter_errors(value).next() {
            None => Ok(()),
            Some(error) => Err(describe(&error)),
        }
    }

    fn matches(&self, method: &str, segments: &[&str], api_version: &str) -> bool {
        self.method.eq_ignore_ascii_case(method)
            && self.api_version == api_version
            && matches(&self.template.split('/').filter(|s| !s.is_empty()).collect::<Vec<_>>(), segments)
    }
}

/// Every write operation of the specs, compiled on first use.
pub fn operations() -> &'static [Operation] {
    static OPERATIONS: OnceLock<Vec<Operation>> = OnceLock::new();
    OPERATIONS.get_or_init(compile)
}

/// The operation serving `method` on `path` (percent-decoded segments joined by `/`) at
/// `api_version`, if the specs declare one.
pub fn operation(method: &str, path: &str, api_version: &str) -> Option<&'static Operation> {
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    operations().iter().find(|op| op.matches(method, &segments, api_version))
}

/// ARM's refusal of a request whose body breaks its operation's contract.
pub(crate) fn check(req: &Incoming, api_version: &str) -> Result<(), Response<Vec<u8>>> {
    if !matches!(req.method.as_str(), "PUT" | "PATCH" | "POST") {
        return Ok(());
    }
    let segments: Vec<&str> = req.segments.iter().map(String::as_str).collect();
    let found = operations().iter().find(|op| op.matches(req.method.as_str(), &segments, api_version));
    match found {
        Some(operation) => operation.check(req.body).map_err(errors::invalid_content),
        None => Ok(()),
    }
}

/// Whether the path template's segments match the request's: literals ignoring case, `{name}`
/// one segment, except a leading `{name}` (ARM's `{scope}`, `{scopeId}`), which is one or more.
fn matches(template: &[&str], segments: &[&str]) -> bool {
    match template.split_first() {
        Some((first, rest)) if is_parameter(first) => {
            (1..=segments.len().saturating_sub(rest.len())).any(|taken| same(rest, &segments[taken..]))
        }
        _ => same(template, segments),
    }
}

fn is_parameter(segment: &str) -> bool {
    segment.starts_with('{') && segment.ends_with('}')
}

fn same(template: &[&str], segments: &[&str]) -> bool {
    template.len() == segments.len()
        && template.iter().zip(segments).all(|(t, s)| is_parameter(t) || t.eq_ignore_ascii_case(s))
}

fn compile() -> Vec<Operation> {
    let files: swagger::Files = SPECS
        .iter()
        .map(|(path, text)| {
            let value = serde_json::from_str(text).unwrap_or_else(|e| panic!("tests/fixtures/specs/{path}: {e}"));
            (*path, value)
        })
        .collect();
    let mut found = Vec::new();
    for (file, spec) in &files {
        let Some(api_version) = folder_version(file) else { continue };
        for (template, item) in spec.get("paths").and_then(Value::as_object).into_iter().flatten() {
            for method in ["put", "patch", "post"] {
                let Some(operation) = item.get(method) else { continue };
                found.push(build(&files, file, &api_version, template, method, operation));
            }
        }
    }
    found
}

fn build(
    files: &swagger::Files,
    file: &'static str,
    api_version: &str,
    template: &str,
    method: &str,
    operation: &Value,
) -> Operation {
    let parameters = operation.get("parameters").and_then(Value::as_array).into_iter().flatten();
    let body = parameters.map(|p| parameter(files, file, p)).find(|p| p["in"] == "body");
    let validator = body.as_ref().map(|p| {
        let schema = swagger::bundle(files, file, &p["schema"]);
        jsonschema::options()
            .with_draft(jsonschema::Draft::Draft202012)
            .should_validate_formats(false)
            .with_keyword(swagger::ARM_ENUM, arm_enum)
            .build(&schema)
            .unwrap_or_else(|e| panic!("{file} {method} {template}: the converted schema does not compile: {e}"))
    });
    Operation {
        id: operation["operationId"].as_str().unwrap_or_default().to_string(),
        file,
        method: method.to_ascii_uppercase(),
        api_version: api_version.to_string(),
        template: template.to_string(),
        body: body.as_ref().and_then(|p| p["name"].as_str()).map(str::to_string),
        body_required: body.as_ref().is_some_and(|p| p["required"] == true),
        validator,
    }
}

/// A parameter written inline or as a `$ref` to a `parameters` entry.
fn parameter(files: &swagger::Files, file: &str, parameter: &Value) -> Value {
    let Some(reference) = parameter.get("$ref").and_then(Value::as_str) else {
        return parameter.clone();
    };
    let (target, pointer) = swagger::resolve(file, reference);
    // A parameter file not kept (an api-version or path parameter of a common file) has no body.
    files.get(target.as_str()).and_then(|d| d.pointer(&pointer)).cloned().unwrap_or(Value::Null)
}

/// The api-version a spec file is for: its folder under `stable/` or `preview/`.
fn folder_version(file: &str) -> Option<String> {
    let parts: Vec<&str> = file.split('/').collect();
    let at = parts.iter().position(|p| *p == "stable" || *p == "preview")?;
    parts.get(at + 1).map(|v| v.to_string())
}

/// `armEnum`: a string must be one of the listed values, ignoring ASCII case.
struct ArmEnum(Vec<String>);

impl<'i> Keyword<'i> for ArmEnum {
    fn validate(&self, instance: &'i Value) -> Result<(), ValidationError<'i>> {
        if self.is_valid(instance) {
            return Ok(());
        }
        let options: Vec<String> = self.0.iter().map(|v| format!("'{v}'")).collect();
        Err(ValidationError::custom(format!(
            "Error converting value {instance}: expected one of {}",
            options.join(", ")
        )))
    }

    fn is_valid(&self, instance: &'i Value) -> bool {
        instance.as_str().is_none_or(|given| self.0.iter().any(|v| v.eq_ignore_ascii_case(given)))
    }
}

fn arm_enum<'a>(
    _parent: &'a Map<String, Value>,
    value: &'a Value,
    _at: Location,
) -> Result<Box<dyn for<'i> Keyword<'i>>, ValidationError<'a>> {
    let values = value.as_array().into_iter().flatten().filter_map(Value::as_str).map(str::to_string);
    Ok(Box::new(ArmEnum(values.collect())))
}

/// The error as the services' deserializer says it, with the JSON path of the field.
fn describe(error: &ValidationError) -> String {
    use jsonschema::error::ValidationErrorKind as Kind;
    let at = dotted(error.instance_path().as_str());
    match error.kind() {
        Kind::Required { property } => {
            let name = property.as_str().map_or_else(|| property.to_string(), str::to_string);
            let path = if at.is_empty() { name.clone() } else { format!("{at}.{name}") };
            format!("Required property '{name}' not found in JSON. Path '{path}'.")
        }
        Kind::Type { kind } => {
            format!("Error converting value {} to type '{}'. Path '{at}'.", error.instance(), type_name(kind))
        }
        Kind::Custom { message, .. } => format!("{message}. Path '{at}'."),
        // `x-nullable` wraps a schema in `anyOf [schema, null]`: say what the schema said.
        Kind::AnyOf { context } => match context.first().and_then(|branch| branch.first()) {
            Some(inner) => describe(inner),
            None => format!("{error}. Path '{at}'."),
        },
        _ => format!("{error}. Path '{at}'."),
    }
}

fn type_name(kind: &jsonschema::error::TypeKind) -> String {
    match kind {
        jsonschema::error::TypeKind::Single(t) => t.to_string(),
        jsonschema::error::TypeKind::Multiple(set) => {
            set.iter().map(|t| t.to_string()).collect::<Vec<_>>().join(" or ")
        }
    }
}

/// `/properties/extensions/0/name` → `properties.extensions[0].name`.
fn dotted(pointer: &str) -> String {
    let mut out = String::new();
    for segment in pointer.split('/').skip(1) {
        let segment = segment.replace("~1", "/").replace("~0", "~");
        if !segment.is_empty() && segment.bytes().all(|b| b.is_ascii_digit()) {
            out.push_str(&format!("[{segment}]"));
        } else {
            if !out.is_empty() {
                out.push('.');
            }
            out.push_str(&segment);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn templates_match_like_arm_routes() {
        let split = |p: &'static str| p.split('/').filter(|s| !s.is_empty()).collect::<Vec<_>>();
        let tags = split("/{scope}/providers/Microsoft.Resources/tags/default");
        assert!(matches(
            &tags,
            &split("/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm/providers/microsoft.resources/tags/default")
        ));
        assert!(!matches(&tags, &split("/providers/Microsoft.Resources/tags/default")), "a scope is not empty");
        let setting = split("/subscriptions/{subscriptionId}/providers/Microsoft.Security/settings/{settingName}");
        assert!(matches(&setting, &split("/subscriptions/s/providers/Microsoft.Security/settings/WDATP")));
        assert!(!matches(&setting, &split("/subscriptions/s/providers/Microsoft.Security/settings")));
    }

    #[test]
    fn json_pointers_read_as_dotted_paths() {
        assert_eq!(dotted("/properties/extensions/0/name"), "properties.extensions[0].name");
        assert_eq!(dotted(""), "");
        assert_eq!(dotted("/properties/tags/a~1b"), "properties.tags.a/b");
    }

    /// Each write the fake serves, at each api-version it accepts, has its operation in the specs
    /// (Arc run commands excepted: their stable spec does not declare them).
    #[test]
    fn every_write_the_fake_serves_has_its_contract() {
        use crate::arm::versions;
        let vm = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm";
        let arc = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.HybridCompute/machines/m";
        let writes = [
            (
                "PUT",
                "/subscriptions/s/providers/Microsoft.Security/settings/WDATP".to_string(),
                &versions::SETTINGS,
                "Settings_Update",
            ),
            (
                "PUT",
                "/subscriptions/s/providers/Microsoft.Security/pricings/VirtualMachines".into(),
                &versions::PRICINGS,
                "Pricings_Update",
            ),
            (
                "PATCH",
                format!("{vm}/providers/Microsoft.Resources/tags/default"),
                &versions::TAGS,
                "Tags_UpdateAtScope",
            ),
            (
                "PATCH",
                format!("{arc}/providers/Microsoft.Resources/tags/default"),
                &versions::TAGS,
                "Tags_UpdateAtScope",
            ),
            ("POST", format!("{vm}/runCommand"), &versions::VM_RUN_COMMAND, "VirtualMachines_RunCommand"),
            ("POST", "/providers/Microsoft.ResourceGraph/resources".into(), &versions::RESOURCE_GRAPH, "Resources"),
            (
                "POST",
                "/subscriptions/s/providers/Microsoft.Security/register".into(),
                &versions::PROVIDERS,
                "Providers_Register",
            ),
        ];
        for (method, path, api, id) in writes {
            for version in api.versions {
                let found = operation(method, &path, version).map(|op| op.id.as_str());
                assert_eq!(found, Some(id), "{method} {path} at {version}");
            }
        }
        for version in versions::ARC_RUN_COMMANDS.versions {
            assert!(operation("PUT", &format!("{arc}/runCommands/test"), version).is_none(), "{version}");
        }
    }

    #[test]
    fn every_spec_compiles_and_knows_its_version() {
        let all = operations();
        assert!(all.len() >= 12, "{} operations", all.len());
        let update = operation("PUT", "/subscriptions/s/providers/Microsoft.Security/settings/WDATP", "2022-05-01")
            .expect("Settings_Update 2022-05-01");
        assert_eq!((update.id.as_str(), update.body.as_deref()), ("Settings_Update", Some("setting")));
        assert!(
            operation("PUT", "/subscriptions/s/providers/Microsoft.Security/settings/WDATP", "2020-01-01").is_none()
        );
    }
}
