//! The live page's HTTP server (tiny_http: a small synchronous server;
//! one thread per request, so a change can arrive while the one before is
//! simulating). Routes:
//!
//! | route | does |
//! |---|---|
//! | `GET /` | the page |
//! | `GET /api/plan` | the plan's controls, stresses and the folder's files |
//! | `GET /api/files` | the folder's `.toml` files (the page asks when its list is opened) |
//! | `POST /api/run` | `{edits, stress, quick}` → an [`Update`](super::live::Update) |
//! | `POST /api/drivers` | `{edits}` → the inputs that move median final cash most |
//! | `POST /api/text` | `{edits}` → the edited file's text (to download) |
//! | `POST /api/save` | `{name, edits, overwrite}` → writes `name` in the folder |
//! | `POST /api/open` | `{name}` → shows another file of the folder |
//!
//! Every request must name this server in `Host` (a page of another site
//! that resolves its name to 127.0.0.1 is refused); every POST must come
//! from this server's own page (`Origin`); bodies over [`MAX_BODY_BYTES`]
//! are refused unread; GET changes nothing.

use super::{Refusal, SaveError, Session};
use serde::Deserialize;
use std::io::Read;
use tiny_http::{Header, Method, Request, Response};

/// The routes that take a POST (and only a POST): each runs or changes
/// something, so each checks its Origin; [`post`] answers them.
const CHANGES: [&str; 5] = ["/api/run", "/api/drivers", "/api/text", "/api/save", "/api/open"];

/// Largest request body read, in bytes.
pub const MAX_BODY_BYTES: usize = 64 << 10;

const PAGE: &str = include_str!("page.html");

/// What the page may load: only itself (no request leaves this server).
const CSP: &str = "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; img-src data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/// The names a request may give in `Host`: on the loopback address, the
/// address served and `localhost` (so a page of another site whose name
/// resolves to 127.0.0.1 is refused); served on another address (`--host`,
/// with its warning), any name the network reaches it by.
pub struct Hosts {
    /// The address as a URL names it (`127.0.0.1:8737`).
    pub url_host: String,
    /// `None`: any name.
    allowed: Option<Vec<String>>,
}

impl Hosts {
    pub fn new(host: &str, port: u16) -> Hosts {
        let host = if host.contains(':') && !host.starts_with('[') { format!("[{host}]") } else { host.to_string() };
        let url_host = format!("{host}:{port}");
        let loopback = matches!(host.as_str(), "127.0.0.1" | "[::1]");
        let allowed = loopback.then(|| vec![url_host.clone(), format!("localhost:{port}")]);
        Hosts { url_host, allowed }
    }

    pub fn allows(&self, host: &str) -> bool {
        self.allowed.as_ref().is_none_or(|a| a.iter().any(|h| h == host))
    }
}

#[derive(Deserialize)]
struct RunBody {
    #[serde(default)]
    edits: Vec<(String, String)>,
    stress: Option<String>,
    #[serde(default)]
    quick: bool,
}

#[derive(Deserialize)]
/// A body of edits alone.
struct TextBody {
    #[serde(default)]
    edits: Vec<(String, String)>,
}

#[derive(Deserialize)]
struct SaveBody {
    name: String,
    #[serde(default)]
    edits: Vec<(String, String)>,
    #[serde(default)]
    overwrite: bool,
}

#[derive(Deserialize)]
struct OpenBody {
    name: String,
}

fn header(name: &str, value: &str) -> Header {
    Header::from_bytes(name.as_bytes(), value.as_bytes()).expect("ASCII header")
}

type Reply = Response<std::io::Cursor<Vec<u8>>>;

fn json(status: u16, value: &impl serde::Serialize) -> Reply {
    let body = serde_json::to_vec(value).unwrap_or_else(|e| format!(r#"{{"error":"{e}"}}"#).into_bytes());
    Response::from_data(body).with_status_code(status).with_header(header("Content-Type", "application/json")).with_header(header("Cache-Control", "no-store"))
}

fn error(status: u16, message: &str) -> Reply {
    json(status, &serde_json::json!({ "error": message }))
}

/// Serves requests until Ctrl-C (then `Err(Interrupted)`; a simulation
/// running then stops at its next wave).
pub fn serve(server: &tiny_http::Server, session: &Session, hosts: &Hosts) -> Result<(), crate::interrupt::Interrupted> {
    std::thread::scope(|scope| {
        loop {
            crate::interrupt::check()?;
            let request = match server.recv_timeout(std::time::Duration::from_millis(200)) {
                Ok(Some(request)) => request,
                Ok(None) => continue,
                Err(_) => return Ok(()),
            };
            scope.spawn(move || {
                let mut request = request;
                let reply = route(session, hosts, &mut request);
                // The page may have gone (a newer change aborted its fetch).
                let _ = request.respond(reply);
            });
        }
    })
}

fn value_of(request: &Request, name: &'static str) -> Option<String> {
    request.headers().iter().find(|h| h.field.equiv(name)).map(|h| h.value.as_str().to_string())
}

/// The reply to one request.
fn route(session: &Session, hosts: &Hosts, request: &mut Request) -> Reply {
    let host = value_of(request, "Host").unwrap_or_default();
    if host.is_empty() || !hosts.allows(&host) {
        return error(403, &format!("Host `{host}` is not this server; open http://{}/", hosts.url_host));
    }
    let path = request.url().split('?').next().unwrap_or("").to_string();
    match (request.method(), path.as_str()) {
        (Method::Get, "/") => Response::from_data(PAGE.as_bytes().to_vec())
            .with_header(header("Content-Type", "text/html; charset=utf-8"))
            .with_header(header("Content-Security-Policy", CSP))
            .with_header(header("Cache-Control", "no-store")),
        (Method::Get, "/api/plan") => json(200, &session.plan()),
        (Method::Get, "/api/files") => json(200, &session.files()),
        (Method::Post, p) if CHANGES.contains(&p) => {
            let origin = value_of(request, "Origin").unwrap_or_default();
            if origin != format!("http://{host}") {
                return error(403, &format!("a change must come from this server's page (Origin `{origin}`, expected http://{host})"));
            }
            match body(request) {
                Ok(body) => post(session, &path, &body),
                Err(reply) => reply,
            }
        }
        (_, "/" | "/api/plan" | "/api/files") => error(405, "only GET here"),
        (_, p) if CHANGES.contains(&p) => error(405, "only POST here (a GET changes nothing)"),
        _ => error(404, &format!("{path}: no such page")),
    }
}

/// The request body, at most [`MAX_BODY_BYTES`].
fn body(request: &mut Request) -> Result<Vec<u8>, Reply> {
    let too_big = || error(413, &format!("request body over {MAX_BODY_BYTES} bytes"));
    if request.body_length().is_some_and(|n| n > MAX_BODY_BYTES) {
        return Err(too_big());
    }
    let mut body = vec![];
    request.as_reader().take(MAX_BODY_BYTES as u64 + 1).read_to_end(&mut body).map_err(|e| error(400, &format!("cannot read the request: {e}")))?;
    if body.len() > MAX_BODY_BYTES {
        return Err(too_big());
    }
    Ok(body)
}

fn parse<'a, T: Deserialize<'a>>(body: &'a [u8]) -> Result<T, Reply> {
    serde_json::from_slice(body).map_err(|e| error(400, &format!("not the JSON this route takes: {e}")))
}

fn refusal(r: Refusal) -> Reply {
    match r {
        Refusal::Invalid(problems) => json(422, &serde_json::json!({ "problems": problems })),
        Refusal::Superseded => json(409, &serde_json::json!({ "superseded": true })),
        Refusal::Failed(e) => error(500, &format!("{e:#}")),
    }
}

fn post(session: &Session, path: &str, body: &[u8]) -> Reply {
    let outcome = match path {
        "/api/run" => parse::<RunBody>(body).map(|b| {
            let start = std::time::Instant::now();
            match session.update(&b.edits, b.stress.as_deref(), b.quick) {
                Ok(u) => json(200, &serde_json::json!({ "update": u, "seconds": start.elapsed().as_secs_f64() })),
                Err(r) => refusal(r),
            }
        }),
        "/api/drivers" => parse::<TextBody>(body).map(|b| match session.drivers(&b.edits) {
            Ok(drivers) => json(200, &drivers),
            Err(r) => refusal(r),
        }),
        "/api/text" => parse::<TextBody>(body).map(|b| match session.text(&b.edits) {
            Ok(text) => json(200, &serde_json::json!({ "text": text })),
            Err(r) => refusal(r),
        }),
        "/api/save" => parse::<SaveBody>(body).map(|b| match session.save(&b.name, &b.edits, b.overwrite) {
            Ok(p) => json(200, &serde_json::json!({ "saved": p.display().to_string() })),
            Err(SaveError::Name(n)) => {
                error(400, &format!("`{n}`: a file name ending in .toml, of letters, digits, -, _ and . (saved in the scenario's folder)"))
            }
            Err(SaveError::Exists(n)) => json(409, &serde_json::json!({ "exists": n })),
            Err(SaveError::Refused(r)) => refusal(r),
            Err(SaveError::Io(e)) => error(500, &format!("{e:#}")),
        }),
        "/api/open" => parse::<OpenBody>(body).map(|b| match session.open(&b.name) {
            Ok(()) => json(200, &session.plan()),
            Err(e) => error(400, &format!("{e:#}")),
        }),
        _ => unreachable!("route() sends only CHANGES here"),
    };
    outcome.unwrap_or_else(|reply| reply)
}

#[cfg(test)]
mod tests {
    use super::Hosts;

    #[test]
    fn on_loopback_only_its_own_names_are_served() {
        let h = Hosts::new("127.0.0.1", 8737);
        assert!(h.allows("127.0.0.1:8737") && h.allows("localhost:8737"));
        assert!(!h.allows("evil.example:8737") && !h.allows("127.0.0.1:9999") && !h.allows("localhost"));
        let v6 = Hosts::new("::1", 8737);
        assert!(v6.allows("[::1]:8737") && v6.allows("localhost:8737") && !v6.allows("evil.example:8737"));
        // Served on the network (--host, with a warning), by any name it is reached by.
        let open = Hosts::new("0.0.0.0", 8737);
        assert!(open.allows("192.168.1.20:8737") && open.allows("laptop.local:8737"));
    }
}
