//! Prints every Resource Graph query of `mde_core::arm::graph::QUERIES` with the fields its row
//! type reads, as JSON `[{name, row, query, fields}]`, for the KQL check (tests/e2e/kql.test.mjs).
//! The fields come from the row type's own `Deserialize`, traced by `serde-reflection`, so a
//! rename or a new field is seen without a list kept by hand.
//!
//! `cargo run -q -p mde-core --example graph_queries`

use mde_core::arm::graph::{visit_queries, GraphQuery, QueryVisitor};
use serde::de::DeserializeOwned;
use serde_json::{json, Value};
use serde_reflection::{ContainerFormat, Format, Tracer, TracerConfig};

struct Printer(Vec<Value>);

impl QueryVisitor for Printer {
    fn visit<R: DeserializeOwned>(&mut self, query: &GraphQuery) {
        let fields = row_fields::<R>().unwrap_or_else(|e| panic!("query '{}': {e}", query.name));
        self.0.push(json!({ "name": query.name, "row": query.row, "query": query.text, "fields": fields }));
    }
}

/// The serialized names of the fields that the struct `R` reads (after `rename`/`rename_all`).
fn row_fields<R: DeserializeOwned>() -> Result<Vec<String>, String> {
    let mut tracer = Tracer::new(TracerConfig::default());
    let (format, _) = tracer.trace_simple_type::<R>().map_err(|e| format!("serde-reflection: {e}"))?;
    let Format::TypeName(name) = format else {
        return Err(format!("the row type is not a named struct but {format:?}"));
    };
    let registry = tracer.registry().map_err(|e| format!("serde-reflection: {e}"))?;
    match registry.get(&name) {
        Some(ContainerFormat::Struct(fields)) if !fields.is_empty() => {
            Ok(fields.iter().map(|f| f.name.clone()).collect())
        }
        other => Err(format!("the row type {name} is not a struct with fields: {other:?}")),
    }
}

fn main() {
    let mut printer = Printer(Vec::new());
    visit_queries(&mut printer);
    println!("{}", serde_json::to_string_pretty(&printer.0).expect("JSON of strings"));
}
