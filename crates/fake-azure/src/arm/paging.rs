//! ARM list pages: `{"value": [...], "nextLink": "<absolute URL>"}`, `$skiptoken` to continue.

use std::ops::Range;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use http::Response;
use serde_json::{json, Value};

use super::{errors, Call};
use crate::wire;

/// One page of `items`, as chosen by the request's `$skiptoken`.
pub(crate) fn page(call: &Call, items: &[Value]) -> Response<Vec<u8>> {
    page_by(call, items.len(), |range| items[range].to_vec())
}

/// One page of a list of `total` items; `take` clones only the items of the page, so that a
/// 50,000-machine list does not get copied for every page.
pub(crate) fn page_by(call: &Call, total: usize, take: impl FnOnce(Range<usize>) -> Vec<Value>) -> Response<Vec<u8>> {
    let start = match call.req.query("$skiptoken") {
        None => 0,
        Some(token) => match decode(token) {
            Some(offset) => offset.min(total),
            None => return errors::bad_request("InvalidSkipToken", format!("The skip token '{token}' is not valid.")),
        },
    };
    let end = (start + call.page_size.max(1)).min(total);
    let mut body = json!({ "value": take(start..end) });
    if end < total {
        body["nextLink"] = json!(next_link(call, end));
    }
    wire::json(200, &body)
}

/// A list ARM does not page (VM extensions): everything in `value`, no `nextLink`.
pub(crate) fn whole(items: &[Value]) -> Response<Vec<u8>> {
    wire::json(200, &json!({ "value": items }))
}

/// `nextLink`s are absolute and keep the api-version and the list's own options (a VM list's
/// `statusOnly`, `$expand`), as ARM writes them.
fn next_link(call: &Call, offset: usize) -> String {
    let options: String = call
        .req
        .query
        .iter()
        .filter(|(k, _)| k != "api-version" && !k.eq_ignore_ascii_case("$skiptoken"))
        .map(|(k, v)| format!("&{}={}", wire::encode(k).replace("%24", "$"), wire::encode(v)))
        .collect();
    format!(
        "{}{}?api-version={}{options}&$skiptoken={}",
        call.req.base,
        call.req.path,
        wire::encode(call.api_version),
        encode(offset)
    )
}

pub(crate) fn encode(offset: usize) -> String {
    URL_SAFE_NO_PAD.encode(format!("fake-azure:{offset}"))
}

pub(crate) fn decode(token: &str) -> Option<usize> {
    let bytes = URL_SAFE_NO_PAD.decode(token.trim_end_matches('=')).ok()?;
    String::from_utf8(bytes).ok()?.strip_prefix("fake-azure:")?.parse().ok()
}
