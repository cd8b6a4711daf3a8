//! A minimal HTTP/1 client for loopback servers (the Runtime API in tests, the emulator's control
//! endpoint in the demo). It refuses any host that is not loopback, so a mistyped URL cannot leave
//! the machine.

use std::io;
use std::net::IpAddr;

use axum::body::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::http::{HeaderMap, Method, Request, StatusCode, Uri};
use hyper_util::client::legacy::Client;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;

/// A response read to the end.
#[derive(Debug, Clone)]
pub struct HttpResponse {
    /// The status code.
    pub status: StatusCode,
    /// The response headers.
    pub headers: HeaderMap,
    /// The whole body.
    pub body: Bytes,
}

impl HttpResponse {
    /// The body parsed as JSON.
    pub fn json(&self) -> io::Result<serde_json::Value> {
        serde_json::from_slice(&self.body).map_err(|e| io::Error::new(io::ErrorKind::InvalidData, e))
    }

    /// A header as text, if present and visible ASCII.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// A pooled client for `http://127.0.0.1:…` style URLs.
#[derive(Debug, Clone)]
pub struct LoopbackClient {
    inner: Client<HttpConnector, Full<Bytes>>,
}

impl Default for LoopbackClient {
    fn default() -> Self {
        Self::new()
    }
}

fn is_loopback(uri: &Uri) -> bool {
    match uri.host() {
        Some("localhost") => true,
        Some(host) => host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<IpAddr>()
            .is_ok_and(|ip| ip.is_loopback()),
        None => false,
    }
}

fn invalid(message: String) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidInput, message)
}

impl LoopbackClient {
    /// A new client with its own connection pool.
    pub fn new() -> Self {
        Self {
            inner: Client::builder(TokioExecutor::new()).build_http(),
        }
    }

    /// Sends one request and reads the whole response.
    pub async fn send(
        &self,
        method: Method,
        url: &str,
        headers: &[(&str, &str)],
        body: impl Into<Bytes>,
    ) -> io::Result<HttpResponse> {
        let uri: Uri = url.parse().map_err(|e| invalid(format!("bad URL {url}: {e}")))?;
        if uri.scheme_str() != Some("http") || !is_loopback(&uri) {
            return Err(invalid(format!("refusing a non-loopback or non-http URL: {url}")));
        }
        let mut builder = Request::builder().method(method).uri(uri);
        for (name, value) in headers {
            builder = builder.header(*name, *value);
        }
        let request = builder
            .body(Full::new(body.into()))
            .map_err(|e| invalid(format!("bad request: {e}")))?;
        let response = self.inner.request(request).await.map_err(io::Error::other)?;
        let (parts, body) = response.into_parts();
        let body = body.collect().await.map_err(io::Error::other)?.to_bytes();
        Ok(HttpResponse {
            status: parts.status,
            headers: parts.headers,
            body,
        })
    }

    /// `GET url`.
    pub async fn get(&self, url: &str) -> io::Result<HttpResponse> {
        self.send(Method::GET, url, &[], Bytes::new()).await
    }

    /// `POST url` with a JSON body.
    pub async fn post_json(&self, url: &str, body: &serde_json::Value) -> io::Result<HttpResponse> {
        self.send(
            Method::POST,
            url,
            &[("content-type", "application/json")],
            Bytes::from(body.to_string()),
        )
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn non_loopback_urls_are_refused_before_any_connection() {
        let client = LoopbackClient::new();
        for url in [
            "http://example.com/",
            "http://10.0.0.1:80/",
            "https://127.0.0.1/",
            "http://169.254.169.254/",
        ] {
            let error = client.get(url).await.err().map(|e| e.kind());
            assert_eq!(error, Some(io::ErrorKind::InvalidInput), "{url}");
        }
    }

    #[test]
    fn loopback_hosts_are_recognised() {
        for (url, expected) in [
            ("http://127.0.0.1:9/", true),
            ("http://localhost:9/", true),
            ("http://[::1]:9/", true),
            ("http://127.0.0.2/", true),
            ("http://8.8.8.8/", false),
            ("http://quicksight.us-east-1.amazonaws.com/", false),
        ] {
            let uri: Uri = url.parse().unwrap();
            assert_eq!(is_loopback(&uri), expected, "{url}");
        }
    }
}
