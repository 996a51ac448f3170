//! The session's audit log: every change, who made it, before and after, and ARM's answer.

use serde::{Deserialize, Serialize};

/// One change as it happened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AuditEntry {
    /// UTC, ISO 8601.
    pub time: String,
    /// The tenant the change was made in.
    #[serde(default)]
    pub tenant_id: String,
    pub user: String,
    pub subscription_id: String,
    pub subscription_name: String,
    pub setting: String,
    pub before: Option<bool>,
    /// What was asked for.
    pub requested: bool,
    /// What ARM reported when read back (`None`: unknown or not there).
    pub after: Option<bool>,
    /// `PUT <url>`.
    pub request: String,
    /// HTTP status of the write, as ARM answered it (`0`: no answer).
    pub status: u16,
    pub error_code: String,
    pub error_message: String,
    /// ARM's `x-ms-request-id` and `x-ms-correlation-request-id`, when the browser could read them.
    #[serde(default)]
    pub request_id: String,
    #[serde(default)]
    pub correlation_id: String,
}

/// Where a change was made and by whom.
#[derive(Debug, Clone, Copy)]
pub struct Context<'a> {
    pub time: &'a str,
    pub tenant_id: &'a str,
    pub user: &'a str,
    pub subscription_name: &'a str,
    pub arm_url: &'a str,
}

const COLUMNS: [&str; 15] = [
    "time",
    "tenantId",
    "user",
    "subscriptionId",
    "subscriptionName",
    "setting",
    "before",
    "requested",
    "after",
    "request",
    "status",
    "errorCode",
    "errorMessage",
    "requestId",
    "correlationId",
];

/// The log as CSV (RFC 4180), safe to open in a spreadsheet: cells that would start a
/// formula get a leading apostrophe.
pub fn to_csv(entries: &[AuditEntry]) -> String {
    let flag = |v: Option<bool>| v.map_or(String::new(), |b| b.to_string());
    let mut out = COLUMNS.join(",");
    out.push_str("\r\n");
    for e in entries {
        let cells = [
            e.time.clone(),
            e.tenant_id.clone(),
            e.user.clone(),
            e.subscription_id.clone(),
            e.subscription_name.clone(),
            e.setting.clone(),
            flag(e.before),
            e.requested.to_string(),
            flag(e.after),
            e.request.clone(),
            e.status.to_string(),
            e.error_code.clone(),
            e.error_message.clone(),
            e.request_id.clone(),
            e.correlation_id.clone(),
        ];
        out.push_str(&cells.iter().map(|c| csv_cell(c)).collect::<Vec<_>>().join(","));
        out.push_str("\r\n");
    }
    out
}

/// Defuses a cell a spreadsheet would read as a formula (CSV injection): a leading
/// `= + - @`, tab or CR gets a `'` before it. Every CSV the app writes goes through it.
pub fn defuse(cell: &str) -> std::borrow::Cow<'_, str> {
    if cell.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{cell}").into()
    } else {
        cell.into()
    }
}

/// Quotes a cell when needed, and defuses spreadsheet formulas ([`defuse`]).
pub fn csv_cell(value: &str) -> String {
    let defused = defuse(value);
    if defused.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", defused.replace('"', "\"\""))
    } else {
        defused.into_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_is_quoted_and_defused() {
        assert_eq!(csv_cell("plain"), "plain");
        assert_eq!(csv_cell("a,b"), "\"a,b\"");
        assert_eq!(csv_cell("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(csv_cell("=HYPERLINK(\"x\")"), "\"'=HYPERLINK(\"\"x\"\")\"");
        assert_eq!(csv_cell("@SUM(A1)"), "'@SUM(A1)");
        let entry = AuditEntry {
            time: "2026-11-28T13:14:16Z".into(),
            tenant_id: "t1".into(),
            user: "avery@contoso.example".into(),
            subscription_id: "s1".into(),
            subscription_name: "Prod, EU".into(),
            setting: "WDATP".into(),
            before: Some(false),
            requested: true,
            after: Some(true),
            request: "PUT https://x".into(),
            status: 200,
            error_code: String::new(),
            error_message: String::new(),
            request_id: "req-1".into(),
            correlation_id: String::new(),
        };
        let csv = to_csv(&[entry]);
        assert_eq!(csv.lines().count(), 2);
        assert!(csv.starts_with("time,tenantId,user,"));
        assert!(csv
            .contains("t1,avery@contoso.example,s1,\"Prod, EU\",WDATP,false,true,true,PUT https://x,200,,,req-1,\r\n"));
    }
}
