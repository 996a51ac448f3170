//! Swagger 2.0 body schemas turned into one self-contained JSON Schema (2020-12) document.
//!
//! Swagger's schema objects are a dialect of JSON Schema draft 4 with Azure's extensions. What
//! they mean for a request body, as AutoRest and ARM's resource providers read them:
//! - `$ref`s point into this or other spec files (`../../../common/v1/types.json#/definitions/X`):
//!   every definition reached is copied once into `$defs`, keyed by its file and name;
//! - a definition with `discriminator: "kind"` stands for the child whose discriminator value
//!   (`x-ms-discriminator-value`, or its name) the body's `kind` holds: the base is checked, and
//!   `if kind is V then the child V` for each child, so `{"kind": "DataExportSettings"}` must also
//!   fit `DataExportSettings`. A child names the base in its `allOf`, which means the base's own
//!   properties only (no dispatch again);
//! - `readOnly` properties are set by the service: a request need not send them, so they leave
//!   `required` (their type is still checked if sent);
//! - `x-nullable: true` also allows `null`;
//! - a schema with `properties` is an object even without `type`;
//! - string enums are matched ignoring case (`armEnum`, a keyword of ours), since the services
//!   deserialize them with case-insensitive enum converters (the fake itself accepts `standard`);
//! - `format` is left unchecked: `duration`, `arm-id`, `int32`... are hints for SDKs.

use std::collections::BTreeMap;

use serde_json::{json, Map, Value};

/// The spec files, parsed, by their path under `specification/`.
pub(super) type Files = BTreeMap<&'static str, Value>;

/// Our keyword for a string enum matched ignoring ASCII case.
pub(super) const ARM_ENUM: &str = "armEnum";

/// Builds the JSON Schema of `schema`, found in `file`.
pub(super) fn bundle(files: &Files, file: &str, schema: &Value) -> Value {
    let mut bundler = Bundler { files, defs: Map::new() };
    let root = bundler.schema(file, schema, false);
    let mut document = json!({ "$schema": "https://json-schema.org/draft/2020-12/schema" });
    merge(&mut document, root);
    document["$defs"] = Value::Object(bundler.defs);
    document
}

/// Resolves a `$ref` (`other.json#/definitions/X`, `#/parameters/Y`) written in `file`: the file
/// it points into, and the JSON pointer inside it.
pub(super) fn resolve(file: &str, reference: &str) -> (String, String) {
    let (relative, pointer) = reference.split_once('#').unwrap_or((reference, ""));
    if relative.is_empty() {
        return (file.to_string(), pointer.to_string());
    }
    let mut parts: Vec<&str> = file.split('/').collect();
    parts.pop();
    for part in relative.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop();
            }
            name => parts.push(name),
        }
    }
    (parts.join("/"), pointer.to_string())
}

struct Bundler<'f> {
    files: &'f Files,
    defs: Map<String, Value>,
}

impl Bundler<'_> {
    fn schema(&mut self, file: &str, schema: &Value, in_all_of: bool) -> Value {
        let Some(object) = schema.as_object() else {
            return schema.clone();
        };
        let mut out = Map::new();
        if let Some(reference) = object.get("$ref").and_then(Value::as_str) {
            let key = self.definition(file, reference, !in_all_of);
            out.insert("$ref".into(), json!(format!("#/$defs/{key}")));
        }
        for (key, value) in object {
            match key.as_str() {
                "$ref" | "discriminator" | "format" | "description" | "title" | "example" | "default"
                | "externalDocs" => {}
                k if k.starts_with("x-") => {}
                "properties" => {
                    let properties = value.as_object().into_iter().flatten();
                    let converted = properties.map(|(name, p)| (name.clone(), self.schema(file, p, false)));
                    out.insert(key.clone(), Value::Object(converted.collect()));
                }
                "items" | "not" => {
                    out.insert(key.clone(), self.schema(file, value, false));
                }
                "additionalProperties" if value.is_object() => {
                    out.insert(key.clone(), self.schema(file, value, false));
                }
                "allOf" | "anyOf" | "oneOf" => {
                    let all_of = key == "allOf";
                    let items = value.as_array().into_iter().flatten();
                    out.insert(key.clone(), items.map(|item| self.schema(file, item, all_of)).collect());
                }
                "required" => {
                    let kept = value.as_array().into_iter().flatten().filter(|name| {
                        let property = name.as_str().and_then(|n| object.get("properties")?.get(n));
                        !property.is_some_and(|p| self.read_only(file, p))
                    });
                    out.insert(key.clone(), Value::Array(kept.cloned().collect()));
                }
                "enum" if value.as_array().is_some_and(|v| v.iter().all(Value::is_string)) => {
                    out.insert(ARM_ENUM.into(), value.clone());
                }
                "exclusiveMaximum" | "exclusiveMinimum" if value.is_boolean() => {
                    let bound = if key == "exclusiveMaximum" { "maximum" } else { "minimum" };
                    if let (Some(true), Some(limit)) = (value.as_bool(), object.get(bound)) {
                        out.insert(key.clone(), limit.clone());
                    }
                }
                "type" if value == "file" => {}
                _ => {
                    out.insert(key.clone(), value.clone());
                }
            }
        }
        // Draft 4's inclusive bound must not stay beside its exclusive form.
        for (exclusive, bound) in [("exclusiveMaximum", "maximum"), ("exclusiveMinimum", "minimum")] {
            if out.get(exclusive).is_some_and(Value::is_number) {
                out.remove(bound);
            }
        }
        if !out.contains_key("type") && (out.contains_key("properties") || out.contains_key("additionalProperties")) {
            out.insert("type".into(), json!("object"));
        }
        let converted = Value::Object(out);
        if object.get("x-nullable") == Some(&Value::Bool(true)) {
            return json!({ "anyOf": [converted, { "type": "null" }] });
        }
        converted
    }

    /// Whether a property is `readOnly`, said beside its `$ref` or by the definition it names.
    fn read_only(&self, file: &str, property: &Value) -> bool {
        if property.get("readOnly") == Some(&Value::Bool(true)) {
            return true;
        }
        let Some(reference) = property.get("$ref").and_then(Value::as_str) else {
            return false;
        };
        let (target, pointer) = resolve(file, reference);
        self.lookup(&target, &pointer).get("readOnly") == Some(&Value::Bool(true))
    }

    fn lookup(&self, file: &str, pointer: &str) -> &Value {
        let document =
            self.files.get(file).unwrap_or_else(|| panic!("spec file {file} is not in tests/fixtures/specs"));
        document.pointer(pointer).unwrap_or_else(|| panic!("{file}#{pointer} does not exist"))
    }

    /// Copies the definition `reference` points at into `$defs` (once) and returns its key.
    /// `dispatch`: a reference other than a child's `allOf`, which means the discriminated union.
    fn definition(&mut self, file: &str, reference: &str, dispatch: bool) -> String {
        let (target, pointer) = resolve(file, reference);
        let name = pointer.rsplit('/').next().unwrap_or_default().to_string();
        let plain = format!("{}:{name}", target.replace('/', "."));
        let children = if dispatch { self.children(&target, &name) } else { Vec::new() };
        let key = if children.is_empty() { plain.clone() } else { format!("{plain}:union") };
        if self.defs.contains_key(&key) {
            return key;
        }
        self.defs.insert(key.clone(), Value::Bool(true)); // a placeholder: definitions may recurse
        let definition = self.lookup(&target, &pointer).clone();
        let converted = if children.is_empty() {
            self.schema(&target, &definition, false)
        } else {
            let discriminator = definition["discriminator"].as_str().unwrap_or("kind").to_string();
            let base = self.definition(&target, &format!("#{pointer}"), false);
            let mut all_of = vec![json!({ "$ref": format!("#/$defs/{base}") })];
            for (value, child) in children {
                let child = self.definition(&target, &format!("#/definitions/{child}"), true);
                all_of.push(json!({
                    "if": { "properties": { &discriminator: { ARM_ENUM: [value] } }, "required": [&discriminator] },
                    "then": { "$ref": format!("#/$defs/{child}") },
                }));
            }
            json!({ "allOf": all_of })
        };
        self.defs.insert(key.clone(), converted);
        key
    }

    /// The definitions of `file` that extend `base` (through `allOf`), with their discriminator
    /// values; none when `base` has no `discriminator`.
    fn children(&self, file: &str, base: &str) -> Vec<(String, String)> {
        let Some(definitions) = self.files.get(file).and_then(|d| d.get("definitions")).and_then(Value::as_object)
        else {
            return Vec::new();
        };
        if definitions.get(base).and_then(|d| d.get("discriminator")).is_none() {
            return Vec::new();
        }
        let extends = |definition: &Value| {
            definition.get("allOf").and_then(Value::as_array).into_iter().flatten().any(|item| {
                let reference = item.get("$ref").and_then(Value::as_str).unwrap_or_default();
                resolve(file, reference) == (file.to_string(), format!("/definitions/{base}"))
            })
        };
        definitions
            .iter()
            .filter(|(_, definition)| extends(definition))
            .map(|(name, definition)| {
                let value = definition.get("x-ms-discriminator-value").and_then(Value::as_str).unwrap_or(name);
                (value.to_string(), name.clone())
            })
            .collect()
    }
}

fn merge(into: &mut Value, from: Value) {
    if let (Some(into), Value::Object(from)) = (into.as_object_mut(), from) {
        into.extend(from);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_references_resolve_like_paths() {
        let file = "security/resource-manager/Microsoft.Security/stable/2022-05-01/settings.json";
        assert_eq!(
            resolve(file, "../../../common/v1/types.json#/definitions/Resource"),
            ("security/resource-manager/common/v1/types.json".to_string(), "/definitions/Resource".to_string())
        );
        assert_eq!(resolve(file, "#/parameters/Setting"), (file.to_string(), "/parameters/Setting".to_string()));
    }

    #[test]
    fn read_only_leaves_required_and_nullable_admits_null() {
        let files: Files = [(
            "a.json",
            json!({"definitions": {
                "Thing": {
                    "properties": {"id": {"type": "string", "readOnly": true}, "name": {"type": "string", "x-nullable": true}},
                    "required": ["id", "name"],
                },
            }}),
        )]
        .into_iter()
        .collect();
        let schema = bundle(&files, "a.json", &json!({"$ref": "#/definitions/Thing"}));
        let thing = &schema["$defs"]["a.json:Thing"];
        assert_eq!(thing["required"], json!(["name"]));
        assert_eq!(thing["type"], "object", "properties make an object");
        assert_eq!(thing["properties"]["name"]["anyOf"][1], json!({"type": "null"}));
    }
}
