//! HTTP plumbing shared by the Entra ID and ARM halves: reading a request, building an answer.

use http::{HeaderValue, Method, Response};
use serde_json::Value;

/// A request, taken apart once: origin for absolute links, decoded path segments, query pairs.
pub(crate) struct Incoming<'a> {
    pub method: &'a Method,
    /// `scheme://authority` the client used, so that `nextLink`/`Location` point back at it.
    pub base: String,
    /// The raw (still percent-encoded) path, for error messages and links.
    pub path: &'a str,
    /// Percent-decoded path segments; an encoded `/` stays inside its segment.
    pub segments: Vec<String>,
    pub query: Vec<(String, String)>,
    pub headers: &'a http::HeaderMap,
    pub body: &'a [u8],
}

impl<'a> Incoming<'a> {
    pub fn parse(request: &'a http::Request<Vec<u8>>) -> Self {
        let uri = request.uri();
        let path = uri.path();
        let segments = path.split('/').filter(|s| !s.is_empty()).map(percent_decode).collect();
        let query =
            uri.query().map(|q| url::form_urlencoded::parse(q.as_bytes()).into_owned().collect()).unwrap_or_default();
        Incoming {
            method: request.method(),
            base: base_of(request),
            path,
            segments,
            query,
            headers: request.headers(),
            body: request.body(),
        }
    }

    pub fn query(&self, name: &str) -> Option<&str> {
        self.query.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// Form fields of an `application/x-www-form-urlencoded` body.
    pub fn form(&self) -> Vec<(String, String)> {
        url::form_urlencoded::parse(self.body).into_owned().collect()
    }
}

fn base_of(request: &http::Request<Vec<u8>>) -> String {
    let uri = request.uri();
    if let (Some(scheme), Some(authority)) = (uri.scheme_str(), uri.authority()) {
        return format!("{scheme}://{authority}");
    }
    // A relative URI (a server that did not make it absolute): fall back on the Host header.
    let host = request.headers().get("host").and_then(|h| h.to_str().ok()).unwrap_or("localhost");
    format!("http://{host}")
}

/// Decodes `%XX` escapes (not `+`: that is a form convention, not a path one). Invalid UTF-8
/// becomes U+FFFD rather than an error: a hostile path must not crash the fake.
pub(crate) fn percent_decode(segment: &str) -> String {
    let bytes = segment.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Percent-encodes a path segment or query value for the links the fake writes.
pub(crate) fn encode(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes()).collect::<String>().replace('+', "%20")
}

/// A JSON answer with ARM's usual caching headers.
pub(crate) fn json(status: u16, body: &Value) -> Response<Vec<u8>> {
    let bytes = serde_json::to_vec(body).unwrap_or_default();
    let mut response = with_body(status, "application/json; charset=utf-8", bytes);
    set(&mut response, "cache-control", "no-cache");
    set(&mut response, "pragma", "no-cache");
    set(&mut response, "expires", "-1");
    response
}

/// A small HTML page (Entra's sign-in and error pages). Callers escape what they put in.
pub(crate) fn html(status: u16, page: String) -> Response<Vec<u8>> {
    let mut response = with_body(status, "text/html; charset=utf-8", page.into_bytes());
    // The pages carry no script and no style: say so, so that a browser enforces it.
    set(&mut response, "content-security-policy", "default-src 'none'; form-action 'self'");
    set(&mut response, "x-frame-options", "DENY");
    response
}

pub(crate) fn empty(status: u16) -> Response<Vec<u8>> {
    let mut response = with_body(status, "", Vec::new());
    response.headers_mut().remove("content-type");
    response
}

pub(crate) fn redirect(location: &str) -> Response<Vec<u8>> {
    let mut response = empty(302);
    set(&mut response, "location", location);
    set(&mut response, "cache-control", "no-store");
    response
}

fn with_body(status: u16, content_type: &str, body: Vec<u8>) -> Response<Vec<u8>> {
    let mut response = Response::new(body);
    *response.status_mut() = http::StatusCode::from_u16(status).unwrap_or(http::StatusCode::INTERNAL_SERVER_ERROR);
    if !content_type.is_empty() {
        set(&mut response, "content-type", content_type);
    }
    response
}

/// Sets a header; a value that cannot be a header (a control character from a hostile
/// scenario) is percent-encoded rather than dropped.
pub(crate) fn set(response: &mut Response<Vec<u8>>, name: &'static str, value: &str) {
    let value = HeaderValue::from_str(value).unwrap_or_else(|_| HeaderValue::from_str(&encode(value)).unwrap());
    response.headers_mut().insert(name, value);
}

/// Escapes text for HTML element content and quoted attributes.
pub(crate) fn html_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_segments_but_keeps_bad_escapes() {
        assert_eq!(percent_decode("a%20b%2Fc"), "a b/c");
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("%zz%4"), "%zz%4");
        assert_eq!(percent_decode("%FF"), "\u{FFFD}");
    }

    #[test]
    fn base_comes_from_the_absolute_uri() {
        let request =
            http::Request::get("https://management.azure.com/subscriptions?api-version=1").body(vec![]).unwrap();
        let incoming = Incoming::parse(&request);
        assert_eq!(incoming.base, "https://management.azure.com");
        assert_eq!(incoming.segments, vec!["subscriptions"]);
        assert_eq!(incoming.query("api-version"), Some("1"));
    }

    #[test]
    fn escapes_markup() {
        assert_eq!(html_escape("<img src=x onerror=\"a\">"), "&lt;img src=x onerror=&quot;a&quot;&gt;");
    }
}
