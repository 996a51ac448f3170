//! CSV of the deployment-status table's rows, through the `csv` crate: UTF-8 BOM and CRLF so
//! spreadsheet programs open it cleanly, and cells defused against formula injection.

use super::table::{error_groups, Column, Table};

/// The byte-order mark that tells spreadsheet programs the file is UTF-8.
const BOM: &str = "\u{feff}";

pub use crate::audit::defuse;

fn writer() -> ::csv::Writer<Vec<u8>> {
    ::csv::WriterBuilder::new().terminator(::csv::Terminator::CRLF).from_writer(BOM.as_bytes().to_vec())
}

fn finish(writer: ::csv::Writer<Vec<u8>>) -> String {
    let bytes = writer.into_inner().expect("writing to memory does not fail");
    String::from_utf8(bytes).expect("the csv crate writes the UTF-8 it is given")
}

/// The rows, in the given order: a header of column labels, every column, then the readiness
/// advice, the tags (`key=value; …`) and the machine's ARM id.
pub fn rows_csv(table: &Table, rows: &[u32]) -> String {
    let mut out = writer();
    let header = Column::ALL.iter().map(|c| c.label()).chain(["Advice", "Tags", "Resource ID"]);
    out.write_record(header).expect("writing to memory does not fail");
    for &row in rows {
        let advice = table.readiness(row).advice();
        let machine = table.machine(row);
        let tags: Vec<String> = machine.tags.iter().map(|(k, v)| format!("{k}={v}")).collect();
        let tags = tags.join("; ");
        let cells = Column::ALL.iter().map(|&c| defuse(table.cell(row, c))).chain([
            defuse(&advice),
            defuse(&tags),
            defuse(&machine.id),
        ]);
        out.write_record(cells.map(|c| c.into_owned())).expect("writing to memory does not fail");
    }
    finish(out)
}

/// The failed extensions among `rows`, one line per machine, grouped by message with the
/// group's size (what MDEExtErrorReport.ps1 gives), largest group first.
pub fn error_report_csv(table: &Table, rows: &[u32]) -> String {
    let mut out = writer();
    out.write_record(["Error", "Machines with this error", "Machine", "Subscription", "Resource group", "Resource ID"])
        .expect("writing to memory does not fail");
    for group in error_groups(table, rows) {
        let count = group.machines.len().to_string();
        for &row in &group.machines {
            let m = table.machine(row);
            let cells = [
                defuse(group.title()),
                count.as_str().into(),
                defuse(&m.name),
                defuse(table.cell(row, Column::Subscription)),
                defuse(&m.resource_group),
                defuse(&m.id),
            ];
            out.write_record(cells.iter().map(|c| c.as_ref())).expect("writing to memory does not fail");
        }
    }
    finish(out)
}
