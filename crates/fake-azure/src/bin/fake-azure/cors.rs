//! CORS as ARM and Entra answer a single-page app: preflights allowed for the app's origin only,
//! and the headers the app must read exposed to it.

use http::{HeaderValue, Method, Request, Response};

const ALLOW_METHODS: &str = "GET, POST, PUT, PATCH, DELETE, OPTIONS";
const ALLOW_HEADERS: &str = "Authorization, Content-Type";
/// ARM's request ids are what Azure support asks for: the app's audit log records them.
const EXPOSE_HEADERS: &str = "Retry-After, Location, Azure-AsyncOperation, WWW-Authenticate, \
x-ms-request-id, x-ms-correlation-request-id, \
x-ms-ratelimit-remaining-subscription-reads, x-ms-ratelimit-remaining-subscription-writes, \
x-ms-user-quota-remaining, x-ms-user-quota-resets-after";

pub struct Cors {
    app_origin: String,
}

impl Cors {
    pub fn new(app_origin: &str) -> Self {
        Cors { app_origin: app_origin.to_string() }
    }

    fn allowed(&self, origin: Option<&str>) -> bool {
        origin == Some(self.app_origin.as_str())
    }

    /// The answer to a preflight (`OPTIONS` with `Access-Control-Request-Method`); `None` for
    /// any other request. Another origin gets no `Access-Control-Allow-Origin`, so its browser
    /// refuses the real request.
    pub fn preflight(&self, request: &Request<Vec<u8>>) -> Option<Response<Vec<u8>>> {
        let is_preflight =
            request.method() == Method::OPTIONS && request.headers().contains_key("access-control-request-method");
        if !is_preflight {
            return None;
        }
        let mut response = Response::new(Vec::new());
        let headers = response.headers_mut();
        headers.insert("vary", HeaderValue::from_static("Origin"));
        if self.allowed(origin(request)) {
            headers.insert("access-control-allow-origin", HeaderValue::from_str(&self.app_origin).ok()?);
            headers.insert("access-control-allow-methods", HeaderValue::from_static(ALLOW_METHODS));
            headers.insert("access-control-allow-headers", HeaderValue::from_static(ALLOW_HEADERS));
            headers.insert("access-control-max-age", HeaderValue::from_static("3600"));
        }
        Some(response)
    }

    /// Adds the CORS headers of an actual response to the app's origin.
    pub fn decorate(&self, origin: Option<&str>, response: &mut Response<Vec<u8>>) {
        let headers = response.headers_mut();
        headers.append("vary", HeaderValue::from_static("Origin"));
        if !self.allowed(origin) {
            return;
        }
        if let Ok(value) = HeaderValue::from_str(&self.app_origin) {
            headers.insert("access-control-allow-origin", value);
            headers.insert("access-control-expose-headers", HeaderValue::from_static(EXPOSE_HEADERS));
        }
    }
}

pub fn origin(request: &Request<Vec<u8>>) -> Option<&str> {
    request.headers().get("origin").and_then(|v| v.to_str().ok())
}
