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

/// Defuses a cell a spreadsheet would read as a formula (CSV injection): a leading `= + - @`,
/// their full-width forms `＝ ＋ － ＠` (which Excel reads as the same), a tab, CR or LF gets a
/// `'` before it. A cell that is a plain decimal number (`-1`, `+2.5`, `1e-3`) stays as it is:
/// a spreadsheet reads it as that number, not as a formula. Every CSV the app writes goes
/// through it.
pub fn defuse(cell: &str) -> std::borrow::Cow<'_, str> {
    const STARTS: [char; 10] = ['=', '+', '-', '@', '\t', '\r', '\n', '＝', '＋', '－'];
    if (cell.starts_with(STARTS) || cell.starts_with('＠')) && !is_number(cell) {
        format!("'{cell}").into()
    } else {
        cell.into()
    }
}

/// `[+-]digits[.digits][e[+-]digits]`, nothing else (not `inf` or `NaN`, which a spreadsheet
/// reads as names).
fn is_number(cell: &str) -> bool {
    fn digits(s: &str) -> (&str, usize) {
        let n = s.bytes().take_while(u8::is_ascii_digit).count();
        (&s[n..], n)
    }
    let (rest, whole) = digits(cell.strip_prefix(['+', '-']).unwrap_or(cell));
    let (rest, fraction) = match rest.strip_prefix('.') {
        Some(after) => digits(after),
        None => (rest, 0),
    };
    if whole + fraction == 0 {
        return false;
    }
    match rest.strip_prefix(['e', 'E']) {
        Some(exponent) => {
            let (rest, n) = digits(exponent.strip_prefix(['+', '-']).unwrap_or(exponent));
            n > 0 && rest.is_empty()
        }
        None => rest.is_empty(),
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
        // A leading LF, and the full-width signs a spreadsheet takes for the ASCII ones.
        assert_eq!(csv_cell("\n=1+1"), "\"'\n=1+1\"");
        for cell in ["＝1+1", "＋1+1", "－1+1", "＠SUM(A1)", "-2+3", "-inf", "+", "-1e", "-1.5x"] {
            assert_eq!(csv_cell(cell), format!("'{cell}"), "{cell}");
        }
        // Numbers stay numbers.
        for cell in ["-1", "+2", "-0.5", "-.5", "+3.25e-4", "-7E+2", "42"] {
            assert_eq!(csv_cell(cell), cell);
        }
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
