//! The network transport: `fetch` through gloo-net, CORS mode, no cookies.

use gloo_net::http::{Method as FetchMethod, RequestBuilder};
use mde_core::transport::{Request, Response, Transport, TransportError, READ_HEADERS};
use web_sys::RequestCredentials;

#[derive(Clone, Default)]
pub struct FetchTransport;

impl Transport for FetchTransport {
    async fn send(&self, request: Request) -> Result<Response, TransportError> {
        let method = FetchMethod::from_bytes(request.method().as_str().as_bytes())
            .map_err(|e| TransportError::Network(e.to_string()))?;
        let mut builder =
            RequestBuilder::new(&request.uri().to_string()).method(method).credentials(RequestCredentials::Omit);
        for (name, value) in request.headers() {
            if let Ok(value) = value.to_str() {
                builder = builder.header(name.as_str(), value);
            }
        }
        let sent = if request.body().is_empty() {
            builder.send().await
        } else {
            let body = js_sys::Uint8Array::from(request.body().as_slice());
            builder.body(body).map_err(|e| TransportError::Network(e.to_string()))?.send().await
        };
        let answer = sent.map_err(|e| TransportError::Network(e.to_string()))?;
        let mut response = http::Response::builder().status(answer.status());
        // Only the headers CORS exposes are readable here; the client copes without the rest.
        for name in READ_HEADERS {
            if let Some(value) = answer.headers().get(name) {
                response = response.header(name, value);
            }
        }
        let body = answer.binary().await.map_err(|e| TransportError::Network(e.to_string()))?;
        response.body(body).map_err(|e| TransportError::Network(e.to_string()))
    }

    async fn sleep(&self, ms: u64) {
        super::sleep(ms).await
    }

    fn now_ms(&self) -> u64 {
        super::now_ms()
    }
}
