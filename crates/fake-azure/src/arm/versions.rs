//! The api-versions the fake accepts, per resource type. Each one is carried in
//! `parameters.api-version` by a real example of that type under `tests/fixtures/arm/` (copied
//! from Azure/azure-rest-api-specs; a test below reads them): the fake takes its versions from
//! Azure's published examples, never from what the app happens to send. Any other version gets
//! ARM's 400 (`errors::bad_api_version`), listing these.

/// One resource type as ARM checks its api-version.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct ApiType {
    /// The type ARM names in `NoRegisteredProviderFound`, e.g. `virtualMachines/extensions`.
    pub name: &'static str,
    /// ARM's own types (`Microsoft.Resources`: tenants, subscriptions, tags) answer a bad
    /// version with `InvalidApiVersionParameter`; resource providers with
    /// `NoRegisteredProviderFound`.
    pub native: bool,
    /// The fixture folders holding this type's real examples.
    pub examples: &'static [&'static str],
    /// Newest first, as ARM lists them.
    pub versions: &'static [&'static str],
}

pub(crate) const TENANTS: ApiType = ApiType {
    name: "tenants",
    native: true,
    examples: &["tenants"],
    versions: &["2022-12-01", "2021-01-01", "2020-01-01"],
};

pub(crate) const SUBSCRIPTIONS: ApiType = ApiType {
    name: "subscriptions",
    native: true,
    examples: &["subscriptions"],
    versions: &["2022-12-01", "2021-04-01", "2021-01-01"],
};

/// `Microsoft.Resources` providers (a subscription's registration of a namespace).
pub(crate) const PROVIDERS: ApiType =
    ApiType { name: "providers", native: true, examples: &["providers"], versions: &["2021-04-01"] };

pub(crate) const TAGS: ApiType =
    ApiType { name: "tags", native: true, examples: &["tags"], versions: &["2024-07-01", "2021-04-01"] };

pub(crate) const SETTINGS: ApiType = ApiType {
    name: "settings",
    native: false,
    examples: &["security-settings"],
    versions: &["2022-05-01", "2021-07-01", "2019-01-01"],
};

pub(crate) const PRICINGS: ApiType = ApiType {
    name: "pricings",
    native: false,
    examples: &["security-pricings"],
    versions: &["2024-01-01", "2023-01-01", "2022-03-01", "2018-06-01"],
};

pub(crate) const PERMISSIONS: ApiType = ApiType {
    name: "permissions",
    native: false,
    examples: &["authorization"],
    versions: &["2022-05-01-preview", "2022-04-01", "2015-07-01"],
};

pub(crate) const ALERTS: ApiType =
    ApiType { name: "alerts", native: false, examples: &["security-alerts"], versions: &["2022-01-01", "2020-01-01"] };

pub(crate) const SECURITY_CONNECTORS: ApiType = ApiType {
    name: "securityConnectors",
    native: false,
    examples: &["security-connectors"],
    versions: &["2024-08-01-preview", "2023-10-01-preview"],
};

pub(crate) const VIRTUAL_MACHINES: ApiType = ApiType {
    name: "virtualMachines",
    native: false,
    examples: &["vm", "vm-instance-view"],
    versions: &["2024-07-01", "2024-03-01"],
};

pub(crate) const VM_EXTENSIONS: ApiType = ApiType {
    name: "virtualMachines/extensions",
    native: false,
    examples: &["vm-extensions"],
    versions: &["2024-07-01", "2024-03-01"],
};

pub(crate) const ARC_MACHINES: ApiType =
    ApiType { name: "machines", native: false, examples: &["arc-machines"], versions: &["2024-07-10", "2022-12-27"] };

pub(crate) const ARC_EXTENSIONS: ApiType = ApiType {
    name: "machines/extensions",
    native: false,
    examples: &["arc-extensions"],
    versions: &["2024-07-10", "2022-12-27"],
};

/// `POST .../virtualMachines/{vm}/runCommand`.
pub(crate) const VM_RUN_COMMAND: ApiType = ApiType {
    name: "virtualMachines/runCommand",
    native: false,
    examples: &["vm-run-command"],
    versions: &["2024-07-01"],
};

/// Arc `machines/runCommands`: first stable in 2024-07-10.
pub(crate) const ARC_RUN_COMMANDS: ApiType =
    ApiType { name: "machines/runCommands", native: false, examples: &["arc-run-commands"], versions: &["2024-07-10"] };

pub(crate) const RESOURCE_GRAPH: ApiType = ApiType {
    name: "resources",
    native: false,
    examples: &["resourcegraph"],
    versions: &["2024-04-01", "2022-10-01", "2021-03-01"],
};

/// Every type the fake serves.
#[cfg(test)]
const ALL: [&ApiType; 16] = [
    &TENANTS,
    &SUBSCRIPTIONS,
    &PROVIDERS,
    &TAGS,
    &SETTINGS,
    &PRICINGS,
    &PERMISSIONS,
    &ALERTS,
    &SECURITY_CONNECTORS,
    &VIRTUAL_MACHINES,
    &VM_EXTENSIONS,
    &ARC_MACHINES,
    &ARC_EXTENSIONS,
    &VM_RUN_COMMAND,
    &ARC_RUN_COMMANDS,
    &RESOURCE_GRAPH,
];

#[cfg(test)]
mod tests {
    use std::collections::{BTreeMap, BTreeSet};
    use std::path::Path;

    use super::*;

    const FIXTURES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/fixtures/arm");

    /// The api-versions the real examples in `folder` carry, with the files carrying each.
    fn example_versions(folder: &str) -> BTreeMap<String, Vec<String>> {
        let dir = Path::new(FIXTURES).join(folder);
        let entries = std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        let mut found: BTreeMap<String, Vec<String>> = BTreeMap::new();
        for path in entries.flatten().map(|e| e.path()).filter(|p| p.extension().is_some_and(|x| x == "json")) {
            let text = std::fs::read_to_string(&path).unwrap();
            let example: serde_json::Value =
                serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            let version = example["parameters"]["api-version"]
                .as_str()
                .unwrap_or_else(|| panic!("{}: no parameters.api-version", path.display()));
            let file = path.file_name().unwrap().to_string_lossy().into_owned();
            found.entry(version.to_string()).or_default().push(file);
        }
        found
    }

    #[test]
    fn every_accepted_version_is_carried_by_a_real_example_of_its_type() {
        let mut unbacked = Vec::new();
        for api in ALL {
            let carried: BTreeSet<String> = api.examples.iter().flat_map(|f| example_versions(f).into_keys()).collect();
            for version in api.versions {
                if !carried.contains(*version) {
                    unbacked.push(format!(
                        "{} {version}: no example in {:?} carries it (they carry {carried:?})",
                        api.name, api.examples
                    ));
                }
            }
        }
        assert!(unbacked.is_empty(), "versions the fake accepts with no real example:\n{}", unbacked.join("\n"));
    }

    #[test]
    fn every_fixture_folder_belongs_to_one_type() {
        let claimed: Vec<&str> = ALL.iter().flat_map(|api| api.examples.iter().copied()).collect();
        let unique: BTreeSet<&str> = claimed.iter().copied().collect();
        assert_eq!(unique.len(), claimed.len(), "a folder is claimed twice: {claimed:?}");
        let folders: BTreeSet<String> = std::fs::read_dir(FIXTURES)
            .unwrap()
            .flatten()
            .filter(|e| e.path().is_dir())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        let claimed: BTreeSet<String> = unique.into_iter().map(str::to_string).collect();
        assert_eq!(folders, claimed, "fixture folders and the types' example folders differ");
    }

    #[test]
    fn versions_are_listed_newest_first_without_repeats() {
        for api in ALL {
            let mut sorted = api.versions.to_vec();
            sorted.sort_unstable_by(|a, b| b.cmp(a));
            sorted.dedup();
            assert_eq!(sorted, api.versions, "{}", api.name);
        }
    }
}
