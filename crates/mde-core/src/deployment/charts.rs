//! The deployment-status charts: counts over the selected rows, each part with the filter a
//! click applies, and the geometry of donuts and bars for inline SVG (numbers rounded to two
//! decimals, so the SVG text stays small).

use std::collections::HashMap;
use std::f64::consts::PI;

use super::readiness::Coverage;
use super::table::{Column, Table};

/// One part of a chart: a slice or a bar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    pub label: String,
    /// A stable word for CSS classes.
    pub key: String,
    pub count: usize,
    /// The filter a click on this part applies.
    pub filter: (Column, String),
}

/// A chart's parts, with its title (for `<title>` and the text equivalent) and total.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Chart {
    pub title: &'static str,
    pub parts: Vec<Part>,
    pub total: usize,
}

impl Chart {
    fn new(title: &'static str, parts: Vec<Part>, total: usize) -> Self {
        Chart { title, parts, total }
    }

    /// The parts' counts, for [`donut`] and [`bar_lengths`].
    pub fn counts(&self) -> Vec<usize> {
        self.parts.iter().map(|p| p.count).collect()
    }
}

/// A CSS-friendly word for a value: lower case, runs of other characters as one `-`.
fn css_key(text: &str) -> String {
    let mut key = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            key.push(c.to_ascii_lowercase());
        } else if !key.ends_with('-') {
            key.push('-');
        }
    }
    key.trim_matches('-').to_string()
}

/// Parts from a column's counts, in the column's natural order.
fn parts_of(table: &Table, column: Column, rows: &[u32]) -> Vec<Part> {
    table
        .counts(column, rows)
        .into_iter()
        .map(|(text, count)| Part {
            label: text.to_string(),
            key: css_key(text),
            count,
            filter: (column, text.to_string()),
        })
        .collect()
}

/// Covered / failed / missing / not applicable, always the four, in that order.
pub fn coverage(table: &Table, rows: &[u32]) -> Chart {
    let mut counts = [0usize; 4];
    for &row in rows {
        counts[table.readiness(row).coverage() as usize] += 1;
    }
    let parts = Coverage::ALL
        .iter()
        .zip(counts)
        .map(|(c, count)| Part {
            label: c.label().to_string(),
            key: c.key().to_string(),
            count,
            filter: (Column::Coverage, c.key().to_string()),
        })
        .collect();
    Chart::new("MDE coverage", parts, rows.len())
}

/// The extensions' provisioning states, most machines first, then machines with no
/// extension.
pub fn provisioning_states(table: &Table, rows: &[u32]) -> Chart {
    let mut parts = parts_of(table, Column::Provisioning, rows);
    parts.sort_by_key(|p| std::cmp::Reverse(p.count));
    let none = rows.iter().filter(|&&r| table.machine(r).extension.is_none()).count();
    if none > 0 {
        parts.push(Part {
            label: "No extension".into(),
            key: "none".into(),
            count: none,
            filter: (Column::Extension, "None".into()),
        });
    }
    Chart::new("Provisioning states", parts, rows.len())
}

/// VM vs Arc.
pub fn kinds(table: &Table, rows: &[u32]) -> Chart {
    Chart::new("VMs and Arc machines", parts_of(table, Column::Kind, rows), rows.len())
}

/// Windows vs Linux (vs unknown).
pub fn os_families(table: &Table, rows: &[u32]) -> Chart {
    let mut parts = parts_of(table, Column::Os, rows);
    // Unknown last, whatever its name sorts as.
    parts.sort_by_key(|p| p.label == "Unknown");
    Chart::new("Windows and Linux", parts, rows.len())
}

/// One subscription's bar: covered machines out of all its machines.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubscriptionCoverage {
    pub subscription_id: String,
    pub name: String,
    pub covered: usize,
    pub total: usize,
    /// The filter a click applies: by subscription id, since names may repeat.
    pub filter: (Column, String),
}

/// Coverage per subscription: the `top` subscriptions with the most machines (ties by name),
/// and how many subscriptions were left out.
pub fn subscriptions(table: &Table, rows: &[u32], top: usize) -> (Vec<SubscriptionCoverage>, usize) {
    let mut by_id: HashMap<&str, (usize, usize, u32)> = HashMap::new();
    for &row in rows {
        let entry = by_id.entry(table.subscription_id(row)).or_insert((0, 0, row));
        entry.0 += usize::from(table.readiness(row).coverage() == Coverage::Covered);
        entry.1 += 1;
    }
    let mut subs: Vec<SubscriptionCoverage> = by_id
        .into_iter()
        .map(|(id, (covered, total, row))| SubscriptionCoverage {
            subscription_id: id.to_string(),
            name: table.cell(row, Column::Subscription).to_string(),
            covered,
            total,
            filter: (Column::Subscription, id.to_string()),
        })
        .collect();
    subs.sort_by(|a, b| {
        b.total
            .cmp(&a.total)
            .then_with(|| super::table::natural_cmp(&a.name.to_lowercase(), &b.name.to_lowercase()))
            .then_with(|| a.subscription_id.cmp(&b.subscription_id))
    });
    let left_out = subs.len().saturating_sub(top);
    subs.truncate(top);
    (subs, left_out)
}

/// A number for SVG: at most two decimals, no trailing zeros, never `-0`.
///
/// Written with integers: formatting an `f64` would bring Rust's float printing (about 10 kB)
/// into the app's wasm for the charts alone.
pub fn num(x: f64) -> String {
    let hundredths = (x * 100.0).round();
    if hundredths == 0.0 || !hundredths.is_finite() {
        return "0".into();
    }
    let sign = if hundredths < 0.0 { "-" } else { "" };
    let abs = hundredths.abs() as u64;
    let (whole, frac) = (abs / 100, abs % 100);
    match frac {
        0 => format!("{sign}{whole}"),
        f if f % 10 == 0 => format!("{sign}{whole}.{}", f / 10),
        f => format!("{sign}{whole}.{f:02}"),
    }
}

/// A donut's place and size.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Ring {
    pub cx: f64,
    pub cy: f64,
    pub outer: f64,
    pub inner: f64,
}

/// The path `d` of each slice of a donut, one per value, clockwise from 12 o'clock, in
/// proportion to the values; empty for a zero value (draw nothing). A slice that is the whole
/// ring is drawn as two half rings (an SVG arc can't start and end at one point).
pub fn donut(values: &[usize], ring: Ring) -> Vec<String> {
    let total: usize = values.iter().sum();
    let mut start = 0.0;
    values
        .iter()
        .map(|&v| {
            if v == 0 || total == 0 {
                return String::new();
            }
            let fraction = v as f64 / total as f64;
            let end = start + fraction;
            let d = if v == total { full_ring(ring) } else { slice(ring, start, end) };
            start = end;
            d
        })
        .collect()
}

/// The point at `fraction` of a turn (0 = 12 o'clock, clockwise) on a circle of radius `r`.
fn point(ring: Ring, r: f64, fraction: f64) -> String {
    let angle = fraction * 2.0 * PI;
    format!("{} {}", num(ring.cx + r * angle.sin()), num(ring.cy - r * angle.cos()))
}

fn slice(ring: Ring, start: f64, end: f64) -> String {
    let large = u8::from(end - start > 0.5);
    let (o, i) = (num(ring.outer), num(ring.inner));
    if ring.inner <= 0.0 {
        return format!(
            "M{} L{} A{o} {o} 0 {large} 1 {} Z",
            point(ring, 0.0, 0.0),
            point(ring, ring.outer, start),
            point(ring, ring.outer, end)
        );
    }
    format!(
        "M{} A{o} {o} 0 {large} 1 {} L{} A{i} {i} 0 {large} 0 {} Z",
        point(ring, ring.outer, start),
        point(ring, ring.outer, end),
        point(ring, ring.inner, end),
        point(ring, ring.inner, start)
    )
}

fn full_ring(ring: Ring) -> String {
    let circle = |r: f64, sweep: u8| {
        let rr = num(r);
        format!(
            "M{} A{rr} {rr} 0 1 {sweep} {} A{rr} {rr} 0 1 {sweep} {} Z",
            point(ring, r, 0.0),
            point(ring, r, 0.5),
            point(ring, r, 0.0)
        )
    };
    if ring.inner <= 0.0 {
        circle(ring.outer, 1)
    } else {
        // The hole runs the other way, so the default fill rule leaves it empty.
        format!("{} {}", circle(ring.outer, 1), circle(ring.inner, 0))
    }
}

/// Bar lengths in proportion to the largest value, the largest `full` long; a value above
/// zero is at least 1 long, so it never looks like none.
pub fn bar_lengths(values: &[usize], full: f64) -> Vec<f64> {
    let max = values.iter().copied().max().unwrap_or(0);
    values
        .iter()
        .map(|&v| match v {
            0 => 0.0,
            _ => round2((v as f64 / max as f64 * full).max(1.0)),
        })
        .collect()
}

/// The length of `part` out of `total` on a bar `full` long (a stacked bar's filled share).
pub fn share_length(part: usize, total: usize, full: f64) -> f64 {
    if total == 0 || part == 0 {
        0.0
    } else {
        round2((part as f64 / total as f64 * full).max(1.0).min(full))
    }
}

/// A share as people read it: `0%`, `<1%`, `42%`, `>99%`, `100%`.
pub fn percent(part: usize, total: usize) -> String {
    if total == 0 || part == 0 {
        return "0%".into();
    }
    if part == total {
        return "100%".into();
    }
    // Rounded to the nearest whole percent with integers (see `num`).
    let (part, total) = (part as u64, total as u64);
    if part * 100 < total {
        "<1%".into()
    } else if part * 100 > total * 99 {
        ">99%".into()
    } else {
        format!("{}%", (part * 200 + total) / (total * 2))
    }
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}
