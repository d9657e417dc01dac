//! Web origins (RFC 6454): scheme, host and port, compared as browsers do.

/// An origin: lower-case scheme and host, and the port (the scheme's default when absent).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Origin {
    scheme: String,
    host: String,
    port: u16,
}

impl Origin {
    /// Parses `scheme://host[:port]` with an optional path after it (a public URL may have
    /// one; an `Origin` header never does). Only http and https have origins here.
    pub fn parse(text: &str) -> Option<Origin> {
        let (scheme, rest) = text.split_once("://")?;
        let scheme = scheme.to_ascii_lowercase();
        let default_port = match scheme.as_str() {
            "http" => 80,
            "https" => 443,
            _ => return None,
        };
        let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
        if authority.is_empty() || authority.contains('@') {
            return None;
        }
        // "[::1]:8080", "[::1]", "host:8080", "host".
        let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
            let (host, after) = v6.split_once(']')?;
            let port = match after.strip_prefix(':') {
                Some(p) => p.parse().ok()?,
                None if after.is_empty() => default_port,
                None => return None,
            };
            (format!("[{host}]"), port)
        } else {
            match authority.rsplit_once(':') {
                Some((host, p)) => (host.to_owned(), p.parse().ok()?),
                None => (authority.to_owned(), default_port),
            }
        };
        Some(Origin {
            scheme,
            host: host.to_ascii_lowercase(),
            port,
        })
    }
}

/// Whether a request with these `Origin` and `Host` headers comes from ecoute's own pages:
/// the origin is the public URL's, or it has the public URL's scheme and names the host the
/// request was sent to (the same server reached by another name, e.g. `localhost` for
/// `127.0.0.1`). A page elsewhere cannot send its request to our host with our host as its
/// origin, so this refuses cross-site requests; the scheme must match in every case.
pub fn is_own_page(origin: &str, host: Option<&str>, public_url: &str) -> bool {
    let (Some(origin), Some(public)) = (Origin::parse(origin), Origin::parse(public_url)) else {
        return false;
    };
    if origin == public {
        return true;
    }
    let Some(host) = host else {
        return false;
    };
    match Origin::parse(&format!("{}://{host}", public.scheme)) {
        Some(requested) => origin.scheme == public.scheme && origin == requested,
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::is_own_page;

    fn same_origin(origin: &str, public_url: &str) -> bool {
        is_own_page(origin, None, public_url)
    }

    #[test]
    fn the_requested_host_counts_with_the_public_scheme() {
        let public = "http://127.0.0.1:8080";
        let host = Some("localhost:8080");
        assert!(is_own_page("http://localhost:8080", host, public));
        assert!(is_own_page("http://127.0.0.1:8080", None, public));
        assert!(!is_own_page("https://localhost:8080", host, public));
        assert!(!is_own_page("ws://localhost:8080", host, public));
        assert!(!is_own_page("http://evil.example", host, public));
        assert!(!is_own_page("http://localhost:8081", host, public));
        assert!(!is_own_page("http://localhost:8080", None, public));
    }

    #[test]
    fn scheme_host_and_port_must_all_match() {
        let public = "http://localhost:8080";
        assert!(same_origin("http://localhost:8080", public));
        assert!(same_origin("HTTP://LocalHost:8080", public));
        assert!(!same_origin("https://localhost:8080", public));
        assert!(!same_origin("ws://localhost:8080", public));
        assert!(!same_origin("http://localhost:8081", public));
        assert!(!same_origin("http://localhost", public));
        assert!(!same_origin("http://evil.example", public));
        assert!(!same_origin("null", public));
        assert!(!same_origin("", public));
    }

    #[test]
    fn default_ports_and_paths() {
        assert!(same_origin(
            "https://ecoute.example.org",
            "https://ecoute.example.org/"
        ));
        assert!(same_origin(
            "https://ecoute.example.org:443",
            "https://ecoute.example.org/aide"
        ));
        assert!(!same_origin(
            "http://ecoute.example.org",
            "https://ecoute.example.org"
        ));
        assert!(same_origin("http://[::1]:8080", "http://[::1]:8080"));
        assert!(!same_origin(
            "http://user@ecoute.example.org",
            "http://ecoute.example.org"
        ));
    }
}
