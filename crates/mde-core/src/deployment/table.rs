//! The deployment-status table's data, fast at 50,000 rows.
//!
//! Every row's cell texts are derived once, when the row arrives (or when its subscription's
//! facts do), and interned per column: a row holds one `u32` per column. A filter keystroke
//! then compares integers and scans one lower-cased text buffer; a sort compares integer
//! ranks (each column keeps its distinct values in natural order, merged as rows arrive).

use std::cmp::Ordering;
use std::collections::{BTreeMap, HashMap};

use super::readiness::{readiness, Readiness, SubscriptionFacts};
use super::{Machine, MachineState, OsFamily};
use crate::status::IntegrationStatus;

/// The table's columns, in display order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Column {
    Machine,
    Kind,
    /// Windows / Linux / Unknown.
    Os,
    /// The image (`publisher offer sku`) or Arc's `osSku osVersion`.
    OsDetail,
    State,
    Subscription,
    ResourceGroup,
    Region,
    /// The subscription's Defender for Servers plan.
    Plan,
    /// The subscription's integration status.
    Integration,
    /// `MDE.Windows` / `MDE.Linux` / `None`.
    Extension,
    /// The extension's provisioning state.
    Provisioning,
    /// A failed extension's message.
    Error,
    /// The `ExcludeMdeAutoUpdate` tag: Yes / No on Linux (and unknown OS), empty on Windows.
    AutoUpdate,
    Readiness,
    Coverage,
}

const COLUMNS: usize = 16;

impl Column {
    pub const ALL: [Column; COLUMNS] = [
        Column::Machine,
        Column::Kind,
        Column::Os,
        Column::OsDetail,
        Column::State,
        Column::Subscription,
        Column::ResourceGroup,
        Column::Region,
        Column::Plan,
        Column::Integration,
        Column::Extension,
        Column::Provisioning,
        Column::Error,
        Column::AutoUpdate,
        Column::Readiness,
        Column::Coverage,
    ];

    pub fn label(self) -> &'static str {
        match self {
            Column::Machine => "Machine",
            Column::Kind => "Kind",
            Column::Os => "OS",
            Column::OsDetail => "OS version",
            Column::State => "State",
            Column::Subscription => "Subscription",
            Column::ResourceGroup => "Resource group",
            Column::Region => "Region",
            Column::Plan => "Plan",
            Column::Integration => "Integration",
            Column::Extension => "MDE extension",
            Column::Provisioning => "Provisioning state",
            Column::Error => "Error",
            Column::AutoUpdate => "ExcludeMdeAutoUpdate",
            Column::Readiness => "Readiness",
            Column::Coverage => "Coverage",
        }
    }

    /// A stable word for URLs.
    pub fn key(self) -> &'static str {
        match self {
            Column::Machine => "machine",
            Column::Kind => "kind",
            Column::Os => "os",
            Column::OsDetail => "os-version",
            Column::State => "state",
            Column::Subscription => "subscription",
            Column::ResourceGroup => "resource-group",
            Column::Region => "region",
            Column::Plan => "plan",
            Column::Integration => "integration",
            Column::Extension => "extension",
            Column::Provisioning => "provisioning",
            Column::Error => "error",
            Column::AutoUpdate => "exclude-auto-update",
            Column::Readiness => "readiness",
            Column::Coverage => "coverage",
        }
    }

    pub fn from_key(key: &str) -> Option<Column> {
        Column::ALL.into_iter().find(|c| c.key() == key)
    }
}

/// What the table knows of a subscription: its display name and its facts.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SubscriptionContext {
    pub name: String,
    pub facts: Option<SubscriptionFacts>,
}

/// One column's distinct values, each with its lower-cased form and natural-order rank.
#[derive(Debug, Clone, Default)]
struct Values {
    texts: Vec<String>,
    lower: Vec<String>,
    /// A second accepted filter word (the readiness / coverage key), or "".
    alias: Vec<&'static str>,
    ids: HashMap<String, u32>,
    /// Value ids in natural order; the ids past its length are not ranked yet.
    order: Vec<u32>,
    /// Each value's place in `order`; `u32::MAX` for the empty text (sorted last).
    rank: Vec<u32>,
}

impl Values {
    fn intern(&mut self, text: &str, alias: &'static str) -> u32 {
        if let Some(&id) = self.ids.get(text) {
            return id;
        }
        let id = self.texts.len() as u32;
        self.texts.push(text.to_string());
        self.lower.push(text.to_lowercase());
        self.alias.push(alias);
        self.ids.insert(text.to_string(), id);
        id
    }

    fn cmp(&self, a: u32, b: u32) -> Ordering {
        let (a, b) = (a as usize, b as usize);
        natural_cmp(&self.lower[a], &self.lower[b]).then_with(|| self.texts[a].cmp(&self.texts[b]))
    }

    /// Ranks the values interned since the last call: sorts them and merges them into
    /// `order` (binary search per new value, not a re-sort of all).
    fn settle(&mut self) {
        let settled = self.order.len();
        if settled == self.texts.len() {
            return;
        }
        let mut new: Vec<u32> = (settled as u32..self.texts.len() as u32).collect();
        new.sort_by(|&a, &b| self.cmp(a, b));
        let mut merged = Vec::with_capacity(self.texts.len());
        let mut from = 0;
        for id in new {
            let at = from + self.order[from..].partition_point(|&o| self.cmp(o, id) != Ordering::Greater);
            merged.extend_from_slice(&self.order[from..at]);
            merged.push(id);
            from = at;
        }
        merged.extend_from_slice(&self.order[from..]);
        self.order = merged;
        self.rank.resize(self.texts.len(), 0);
        for (place, &id) in self.order.iter().enumerate() {
            self.rank[id as usize] = if self.texts[id as usize].is_empty() { u32::MAX } else { place as u32 };
        }
    }

    /// Whether value `id` is what a filter asks for (`wanted` lower-cased).
    fn matches(&self, id: usize, wanted: &str) -> bool {
        self.lower[id] == wanted || (!self.alias[id].is_empty() && self.alias[id] == wanted)
    }
}

#[derive(Debug, Clone)]
struct Subscription {
    id: String,
    id_lower: String,
    name_lower: String,
    context: SubscriptionContext,
    rows: Vec<u32>,
}

impl Subscription {
    fn name(&self) -> &str {
        if self.context.name.trim().is_empty() {
            &self.id
        } else {
            &self.context.name
        }
    }
}

/// The rows of the deployment-status table, with their cells derived.
#[derive(Debug, Clone)]
pub struct Table {
    machines: Vec<Machine>,
    readiness: Vec<Readiness>,
    /// `COLUMNS` value ids per row.
    cells: Vec<u32>,
    values: Vec<Values>,
    /// Each row's subscription (index into `subscriptions`).
    row_subscription: Vec<u32>,
    subscriptions: Vec<Subscription>,
    /// Lower-cased subscription id -> index.
    subscription_index: HashMap<String, u32>,
    /// Lower-cased ARM id -> row, so a machine read again replaces its row.
    row_index: HashMap<String, u32>,
    /// Every row's lower-cased search text, each followed by a NUL.
    search: String,
    /// Where each row's text ends in `search` (at its NUL).
    search_ends: Vec<u32>,
}

impl Default for Table {
    fn default() -> Self {
        Table::new()
    }
}

impl Table {
    pub fn new() -> Self {
        Table {
            machines: Vec::new(),
            readiness: Vec::new(),
            cells: Vec::new(),
            values: vec![Values::default(); COLUMNS],
            row_subscription: Vec::new(),
            subscriptions: Vec::new(),
            subscription_index: HashMap::new(),
            row_index: HashMap::new(),
            search: String::new(),
            search_ends: Vec::new(),
        }
    }

    pub fn len(&self) -> usize {
        self.machines.len()
    }

    pub fn is_empty(&self) -> bool {
        self.machines.is_empty()
    }

    /// Adds a page of machines. A machine already in the table (same ARM id, any case)
    /// replaces its row, so a machine read again after a change shows the change.
    /// `context` is asked once per subscription the table has not seen.
    pub fn extend(&mut self, machines: Vec<Machine>, context: impl Fn(&str) -> SubscriptionContext) {
        for machine in machines {
            let sub = self.subscription(&machine.subscription_id, &context);
            match self.row_index.get(&machine.id.to_lowercase()).copied() {
                Some(row) if self.row_subscription[row as usize] == sub => self.replace(row, machine),
                Some(_) => {} // The same id under another subscription: ARM ids carry it, so this can't be.
                None => self.push(sub, machine),
            }
        }
        self.settle();
    }

    /// New facts (or a new name) for a subscription: its rows' plan, integration, readiness
    /// and coverage are derived again. Facts for a subscription with no rows yet are kept.
    pub fn refresh_context(&mut self, subscription_id: &str, context: SubscriptionContext) {
        let sub = self.subscription(subscription_id, &|_: &str| SubscriptionContext::default());
        let s = &mut self.subscriptions[sub as usize];
        s.name_lower = context.name.to_lowercase();
        s.context = context;
        for row in s.rows.clone() {
            self.derive(row);
        }
        self.settle();
    }

    pub fn machine(&self, row: u32) -> &Machine {
        &self.machines[row as usize]
    }

    pub fn readiness(&self, row: u32) -> &Readiness {
        &self.readiness[row as usize]
    }

    pub fn cell(&self, row: u32, column: Column) -> &str {
        &self.values[column as usize].texts[self.value_id(row, column) as usize]
    }

    /// The row of a machine, by its ARM id (any case).
    pub fn row_of(&self, id: &str) -> Option<u32> {
        self.row_index.get(&id.to_lowercase()).copied()
    }

    /// What is known of a subscription, by id (any case).
    pub fn context(&self, subscription_id: &str) -> Option<&SubscriptionContext> {
        let sub = *self.subscription_index.get(&subscription_id.to_lowercase())?;
        Some(&self.subscriptions[sub as usize].context)
    }

    fn value_id(&self, row: u32, column: Column) -> u32 {
        self.cells[row as usize * COLUMNS + column as usize]
    }

    /// The rows that pass `filters`, in `sort` order (ties in arrival order).
    pub fn select(&self, filters: &Filters, sort: Sort) -> Vec<u32> {
        let mut keep = vec![true; self.len()];
        for (&column, wanted) in &filters.columns {
            let wanted = wanted.trim().to_lowercase();
            if wanted.is_empty() {
                continue;
            }
            if column == Column::Subscription {
                // By name or by id: two subscriptions may share a name, a chart part is exact.
                let pass: Vec<bool> =
                    self.subscriptions.iter().map(|s| s.name_lower == wanted || s.id_lower == wanted).collect();
                for (row, k) in keep.iter_mut().enumerate() {
                    *k = *k && pass[self.row_subscription[row] as usize];
                }
                continue;
            }
            let values = &self.values[column as usize];
            let pass: Vec<bool> = (0..values.texts.len()).map(|id| values.matches(id, &wanted)).collect();
            let c = column as usize;
            for (row, k) in keep.iter_mut().enumerate() {
                *k = *k && pass[self.cells[row * COLUMNS + c] as usize];
            }
        }
        self.search_into(&filters.search, &mut keep);
        // Each kept row's sort key once: its value's rank above, its row number below (ties in
        // arrival order); then a plain integer sort.
        let rank = &self.values[sort.column as usize].rank;
        let column = sort.column as usize;
        let mut keys: Vec<u64> = (0..self.len())
            .filter(|&row| keep[row])
            .map(|row| {
                let r = rank[self.cells[row * COLUMNS + column] as usize];
                let r = if sort.descending && r != u32::MAX { u32::MAX - 1 - r } else { r };
                (u64::from(r) << 32) | row as u64
            })
            .collect();
        keys.sort_unstable();
        keys.into_iter().map(|key| key as u32).collect()
    }

    /// Clears `keep` for rows that miss any word of `search` (in their own text or their
    /// subscription's name or id).
    fn search_into(&self, search: &str, keep: &mut [bool]) {
        let search = search.replace('\0', "").to_lowercase();
        let mut hit = vec![false; self.len()];
        for word in search.split_whitespace() {
            hit.fill(false);
            let mut from = 0;
            while let Some(at) = self.search[from..].find(word) {
                let row = self.search_ends.partition_point(|&end| (end as usize) < from + at);
                hit[row] = true;
                from = self.search_ends[row] as usize + 1;
            }
            let sub_hit: Vec<bool> =
                self.subscriptions.iter().map(|s| s.name_lower.contains(word) || s.id_lower.contains(word)).collect();
            for (row, k) in keep.iter_mut().enumerate() {
                *k = *k && (hit[row] || sub_hit[self.row_subscription[row] as usize]);
            }
        }
    }

    /// A column's distinct values over every row, with how many rows have each, in natural
    /// order (for the filter dropdowns); empty values are left out.
    pub fn values(&self, column: Column) -> Vec<(String, usize)> {
        let all: Vec<u32> = (0..self.len() as u32).collect();
        self.counts(column, &all).into_iter().map(|(text, n)| (text.to_string(), n)).collect()
    }

    /// A column's distinct non-empty values over `rows`, with their counts, in natural order.
    pub fn counts(&self, column: Column, rows: &[u32]) -> Vec<(&str, usize)> {
        let values = &self.values[column as usize];
        let mut counts = vec![0usize; values.texts.len()];
        for &row in rows {
            counts[self.value_id(row, column) as usize] += 1;
        }
        values
            .order
            .iter()
            .map(|&id| (values.texts[id as usize].as_str(), counts[id as usize]))
            .filter(|(text, n)| *n > 0 && !text.is_empty())
            .collect()
    }

    /// The subscription id of a row's machine, as the table first saw it.
    pub fn subscription_id(&self, row: u32) -> &str {
        &self.subscriptions[self.row_subscription[row as usize] as usize].id
    }

    fn subscription(&mut self, id: &str, context: &dyn Fn(&str) -> SubscriptionContext) -> u32 {
        let lower = id.to_lowercase();
        if let Some(&sub) = self.subscription_index.get(&lower) {
            return sub;
        }
        let context = context(id);
        let sub = self.subscriptions.len() as u32;
        self.subscriptions.push(Subscription {
            id: id.to_string(),
            id_lower: lower.clone(),
            name_lower: context.name.to_lowercase(),
            context,
            rows: Vec::new(),
        });
        self.subscription_index.insert(lower, sub);
        sub
    }

    fn push(&mut self, sub: u32, machine: Machine) {
        let row = self.machines.len() as u32;
        self.row_index.insert(machine.id.to_lowercase(), row);
        self.search.push_str(&search_text(&machine));
        self.search_ends.push(self.search.len() as u32);
        self.search.push('\0');
        self.machines.push(machine);
        self.readiness.push(Readiness::Expected);
        self.cells.extend([0; COLUMNS]);
        self.row_subscription.push(sub);
        self.subscriptions[sub as usize].rows.push(row);
        self.derive(row);
    }

    fn replace(&mut self, row: u32, machine: Machine) {
        let r = row as usize;
        let start = if r == 0 { 0 } else { self.search_ends[r - 1] as usize + 1 };
        let end = self.search_ends[r] as usize;
        let text = search_text(&machine);
        let delta = text.len() as i64 - (end - start) as i64;
        self.search.replace_range(start..end, &text);
        for e in &mut self.search_ends[r..] {
            *e = (*e as i64 + delta) as u32;
        }
        self.machines[r] = machine;
        self.derive(row);
    }

    /// Derives a row's readiness and cells from its machine and its subscription.
    fn derive(&mut self, row: u32) {
        let r = row as usize;
        let sub = &self.subscriptions[self.row_subscription[r] as usize];
        let machine = &self.machines[r];
        let facts = sub.context.facts.as_ref();
        self.readiness[r] = readiness(machine, facts);
        let texts = cell_texts(machine, sub.name(), facts, &self.readiness[r]);
        for (c, (text, alias)) in texts.into_iter().enumerate() {
            self.cells[r * COLUMNS + c] = self.values[c].intern(text, alias);
        }
    }

    fn settle(&mut self) {
        for values in &mut self.values {
            values.settle();
        }
    }
}

/// A row's cells, in [`Column::ALL`] order, each with the alias its filter also accepts.
fn cell_texts<'a>(
    m: &'a Machine,
    subscription: &'a str,
    facts: Option<&SubscriptionFacts>,
    readiness: &Readiness,
) -> [(&'a str, &'static str); COLUMNS] {
    let plan = facts.and_then(|f| f.plan);
    let parts = facts.and_then(|f| f.parts);
    let ext = m.extension.as_ref();
    let error = match readiness {
        Readiness::Failed { .. } => ext.and_then(|e| e.message.as_deref()).map_or("", str::trim),
        _ => "",
    };
    let coverage = readiness.coverage();
    [
        (m.name.as_str(), ""),
        (m.kind.label(), ""),
        (os_label(m.os), ""),
        (m.os_detail.as_str(), ""),
        (state_label(&m.state), ""),
        (subscription, ""),
        (m.resource_group.as_str(), ""),
        (m.location.as_str(), ""),
        (plan.map_or("Unknown", |p| p.label()), ""),
        (parts.map_or("Unknown", |p| IntegrationStatus::of(p, plan).label()), ""),
        (ext.map_or("None", |e| e.name.as_str()), ""),
        (ext.map_or("", |e| e.provisioning_state.as_str()), ""),
        (error, ""),
        (auto_update(m), ""),
        (readiness.label(), readiness.key()),
        (coverage.label(), coverage.key()),
    ]
}

pub fn os_label(os: OsFamily) -> &'static str {
    match os {
        OsFamily::Windows => "Windows",
        OsFamily::Linux => "Linux",
        OsFamily::Unknown => "Unknown",
    }
}

pub fn state_label(state: &MachineState) -> &str {
    match state {
        MachineState::Running => "Running",
        MachineState::Stopped => "Stopped",
        MachineState::Deallocated => "Deallocated",
        MachineState::Connected => "Connected",
        MachineState::Disconnected => "Disconnected",
        MachineState::Expired => "Expired",
        MachineState::Other(s) => s,
        MachineState::Unknown => "Unknown",
    }
}

/// The Linux auto-update tag's name; its value `true` (any case) excludes the machine.
pub const EXCLUDE_AUTO_UPDATE_TAG: &str = "ExcludeMdeAutoUpdate";

/// Whether the machine carries `ExcludeMdeAutoUpdate=true` (tag names are case-insensitive in
/// ARM).
pub fn excludes_auto_update(machine: &Machine) -> bool {
    machine
        .tags
        .iter()
        .any(|(k, v)| k.eq_ignore_ascii_case(EXCLUDE_AUTO_UPDATE_TAG) && v.trim().eq_ignore_ascii_case("true"))
}

/// Yes / No; empty on Windows, where the tag means nothing.
fn auto_update(machine: &Machine) -> &'static str {
    match (machine.os, excludes_auto_update(machine)) {
        (OsFamily::Windows, _) => "",
        (_, true) => "Yes",
        (_, false) => "No",
    }
}

/// What the search looks in (besides the subscription): name, OS, resource group, region,
/// error and tags, lower-cased.
fn search_text(m: &Machine) -> String {
    let mut text = String::with_capacity(64 + m.os_detail.len());
    for part in [m.name.as_str(), os_label(m.os), &m.os_detail, &m.resource_group, &m.location] {
        text.push_str(part);
        text.push('\t');
    }
    if let Some(message) = m.extension.as_ref().and_then(|e| e.message.as_deref()) {
        text.push_str(message);
        text.push('\t');
    }
    for (k, v) in &m.tags {
        text.push_str(k);
        text.push('=');
        text.push_str(v);
        text.push('\t');
    }
    text.replace('\0', "").to_lowercase()
}

/// Natural order: runs of digits compare as numbers (`vm-2` before `vm-10`), the rest by
/// character. Compare lower-cased texts for a case-insensitive order.
pub fn natural_cmp(a: &str, b: &str) -> Ordering {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        if a[i].is_ascii_digit() && b[j].is_ascii_digit() {
            let (si, sj) = (i, j);
            while i < a.len() && a[i].is_ascii_digit() {
                i += 1;
            }
            while j < b.len() && b[j].is_ascii_digit() {
                j += 1;
            }
            let strip = |d: &[u8]| -> usize { d.iter().take_while(|&&c| c == b'0').count() };
            let (da, db) = (&a[si + strip(&a[si..i])..i], &b[sj + strip(&b[sj..j])..j]);
            match da.len().cmp(&db.len()).then_with(|| da.cmp(db)) {
                Ordering::Equal => {}
                other => return other,
            }
        } else {
            match a[i].cmp(&b[j]) {
                Ordering::Equal => {}
                other => return other,
            }
            i += 1;
            j += 1;
        }
    }
    (a.len() - i).cmp(&(b.len() - j))
}

/// The table's filters: a search and one exact (case-insensitive) value per column. They
/// live in the page's URL.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Filters {
    /// Words that must all appear in a row's name, OS, resource group, region, error, tags or
    /// subscription (name or id), ignoring case.
    pub search: String,
    /// A column's value, ignoring case. The subscription column also takes a subscription id;
    /// readiness and coverage also take their keys.
    pub columns: BTreeMap<Column, String>,
}

/// The URL key of the search.
const SEARCH_KEY: &str = "q";
const SORT_KEY: &str = "sort";

impl Filters {
    /// Reads the filters from a URL query (with or without its `?`); other keys are ignored.
    pub fn from_query(query: &str) -> Self {
        let mut filters = Filters::default();
        for (key, value) in url::form_urlencoded::parse(query.trim_start_matches('?').as_bytes()) {
            if key == SEARCH_KEY {
                filters.search = value.into_owned();
            } else if let Some(column) = Column::from_key(&key) {
                if value.trim().is_empty() {
                    filters.columns.remove(&column);
                } else {
                    filters.columns.insert(column, value.into_owned());
                }
            }
        }
        filters
    }

    /// The filters as a URL query (no `?`): the search, then the columns in display order.
    pub fn to_query(&self) -> String {
        let mut query = url::form_urlencoded::Serializer::new(String::new());
        if !self.search.trim().is_empty() {
            query.append_pair(SEARCH_KEY, &self.search);
        }
        for (column, value) in &self.columns {
            if !value.trim().is_empty() {
                query.append_pair(column.key(), value);
            }
        }
        query.finish()
    }

    /// What a click on a chart part does: filters on that value, or clears the filter when
    /// it was already set to it.
    pub fn toggle(&mut self, column: Column, value: &str) {
        if self.columns.get(&column).is_some_and(|v| v.eq_ignore_ascii_case(value)) {
            self.columns.remove(&column);
        } else {
            self.columns.insert(column, value.to_string());
        }
    }

    pub fn is_empty(&self) -> bool {
        self.search.trim().is_empty() && self.columns.values().all(|v| v.trim().is_empty())
    }
}

/// The table's order: by one column, empty cells last either way, ties in arrival order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Sort {
    pub column: Column,
    pub descending: bool,
}

impl Default for Sort {
    fn default() -> Self {
        Sort { column: Column::Machine, descending: false }
    }
}

impl Sort {
    /// `sort=region` or `sort=-region` (descending); the default when absent or unknown.
    pub fn from_query(query: &str) -> Self {
        url::form_urlencoded::parse(query.trim_start_matches('?').as_bytes())
            .filter(|(key, _)| key == SORT_KEY)
            .last()
            .and_then(|(_, value)| {
                let (descending, key) = match value.strip_prefix('-') {
                    Some(key) => (true, key),
                    None => (false, value.as_ref()),
                };
                Column::from_key(key).map(|column| Sort { column, descending })
            })
            .unwrap_or_default()
    }

    /// The sort as a URL query; empty for the default.
    pub fn to_query(&self) -> String {
        if *self == Sort::default() {
            return String::new();
        }
        format!("{SORT_KEY}={}{}", if self.descending { "-" } else { "" }, self.column.key())
    }

    /// Clicking a column's header: that column ascending, or the other way if it was already.
    pub fn toggled(self, column: Column) -> Sort {
        Sort { column, descending: self.column == column && !self.descending }
    }
}

/// The page's query: filters and sort.
pub fn page_query(filters: &Filters, sort: Sort) -> String {
    [filters.to_query(), sort.to_query()].into_iter().filter(|q| !q.is_empty()).collect::<Vec<_>>().join("&")
}

/// Failed extensions sharing one message (what MDEExtErrorReport.ps1 reports).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ErrorGroup {
    /// ARM's message, trimmed; empty when ARM gave none.
    pub message: String,
    pub machines: Vec<u32>,
}

impl ErrorGroup {
    /// The message, or what to show when there is none.
    pub fn title(&self) -> &str {
        if self.message.is_empty() {
            "No message from ARM"
        } else {
            &self.message
        }
    }
}

/// The failed extensions among `rows`, grouped by message, largest group first (then by
/// message); machines in `rows` order.
pub fn error_groups(table: &Table, rows: &[u32]) -> Vec<ErrorGroup> {
    let mut groups: HashMap<u32, Vec<u32>> = HashMap::new();
    for &row in rows {
        if matches!(table.readiness(row), Readiness::Failed { .. }) {
            groups.entry(table.value_id(row, Column::Error)).or_default().push(row);
        }
    }
    let errors = &table.values[Column::Error as usize];
    let mut groups: Vec<(u32, Vec<u32>)> = groups.into_iter().collect();
    groups.sort_by(|a, b| b.1.len().cmp(&a.1.len()).then_with(|| errors.cmp(a.0, b.0)));
    groups
        .into_iter()
        .map(|(id, machines)| ErrorGroup { message: errors.texts[id as usize].clone(), machines })
        .collect()
}

// The portal links moved to `crate::portal`; re-exported for the callers that still name them here.
pub use crate::portal::{portal_host, portal_url, subscription_portal_url};
