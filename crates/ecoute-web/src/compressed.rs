//! Bytes kept in memory with their gzip form, served as the request accepts: the assets and
//! the campaign page, compressed once rather than at every request (a phone on a slow
//! network gets a third of the bytes; the server spends nothing per request).

use axum::body::Bytes;
use axum::http::header::{self, HeaderMap, HeaderValue};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use flate2::write::GzEncoder;
use flate2::Compression;
use std::io::Write;

/// A body in both encodings.
#[derive(Debug, Clone)]
pub struct Compressed {
    content_type: &'static str,
    identity: Bytes,
    /// `None` where gzip would not make it smaller.
    gzip: Option<Bytes>,
}

impl Compressed {
    /// Compresses `body` (best compression: done once).
    pub fn new(content_type: &'static str, body: impl Into<Bytes>) -> Self {
        let identity: Bytes = body.into();
        let mut encoder =
            GzEncoder::new(Vec::with_capacity(identity.len() / 2), Compression::best());
        // Writing to a Vec cannot fail.
        let gzip = encoder
            .write_all(&identity)
            .and_then(|()| encoder.finish())
            .ok()
            .filter(|gz| gz.len() < identity.len())
            .map(Bytes::from);
        Compressed {
            content_type,
            identity,
            gzip,
        }
    }

    /// The body as the client asked (`Accept-Encoding`), with `extra` headers.
    pub fn serve(
        &self,
        request: &HeaderMap,
        extra: &[(header::HeaderName, &'static str)],
    ) -> Response {
        let gzip = self.gzip.as_ref().filter(|_| accepts_gzip(request));
        let body = gzip.unwrap_or(&self.identity).clone();
        let mut response = (StatusCode::OK, body).into_response();
        let headers = response.headers_mut();
        headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static(self.content_type),
        );
        headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
        if gzip.is_some() {
            headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static("gzip"));
        }
        for (name, value) in extra {
            headers.insert(name.clone(), HeaderValue::from_static(value));
        }
        response
    }
}

/// Whether `Accept-Encoding` allows gzip (`gzip` or `*` listed without `q=0`).
fn accepts_gzip(request: &HeaderMap) -> bool {
    request
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|coding| {
            let mut parts = coding.split(';').map(str::trim);
            let name = parts.next().unwrap_or("");
            let refused = parts.any(|p| {
                p.strip_prefix("q=")
                    .and_then(|q| q.parse::<f32>().ok())
                    .is_some_and(|q| q <= 0.0)
            });
            (name.eq_ignore_ascii_case("gzip") || name == "*") && !refused
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use flate2::read::GzDecoder;
    use std::io::Read;

    fn headers(accept: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(
            header::ACCEPT_ENCODING,
            HeaderValue::from_str(accept).expect("header"),
        );
        h
    }

    #[test]
    fn gzip_only_when_accepted() {
        assert!(accepts_gzip(&headers("gzip, deflate, br")));
        assert!(accepts_gzip(&headers("br;q=1.0, GZIP;q=0.5")));
        assert!(accepts_gzip(&headers("*")));
        assert!(!accepts_gzip(&headers("gzip;q=0")));
        assert!(!accepts_gzip(&headers("br, identity")));
        assert!(!accepts_gzip(&HeaderMap::new()));
    }

    #[test]
    fn the_gzip_form_is_the_same_bytes() {
        let text = "Vous pouvez en parler à quelqu'un. ".repeat(50);
        let c = Compressed::new("text/plain", text.clone());
        let gz = c.gzip.clone().expect("repetitive text compresses");
        assert!(gz.len() < text.len() / 5);
        let mut back = String::new();
        GzDecoder::new(&gz[..])
            .read_to_string(&mut back)
            .expect("inflate");
        assert_eq!(back, text);
        // Too short to gain: served as is.
        assert!(Compressed::new("text/plain", "x").gzip.is_none());
    }
}
