//! `runway serve`: the server's limits over raw HTTP (wrong Host or
//! Origin, a large body, paths outside the folder, GET changing nothing,
//! a bad value refused with its key), and the page in headless Chromium
//! driven through the DevTools protocol: move the price, toggle a stress,
//! enter a bad value, save, and compare every figure with what `runway
//! stress` prints for the same seed.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// A `runway serve` process, stopped when dropped.
struct Server {
    child: Child,
    port: u16,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `runway serve ARGS --port 0` in `dir` and reads the port from
/// its first line.
fn serve(dir: &Path, args: &[&str]) -> Server {
    let mut child = Command::new(env!("CARGO_BIN_EXE_runway"))
        .arg("serve")
        .args(args)
        .args(["--port", "0", "--quiet"])
        .current_dir(dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("runway starts");
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let port = line
        .split("http://127.0.0.1:")
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .and_then(|p| p.parse().ok())
        .unwrap_or_else(|| panic!("no address in `{line}`"));
    Server { child, port }
}

/// One HTTP/1.1 request; the status and the body.
fn request(port: u16, method: &str, path: &str, headers: &[(&str, String)], body: &[u8]) -> (u16, String) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
    let mut head = format!("{method} {path} HTTP/1.1\r\nConnection: close\r\nContent-Length: {}\r\n", body.len());
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head.push_str("\r\n");
    s.write_all(head.as_bytes()).unwrap();
    // A refused body may be left unread: the server can close first.
    let _ = s.write_all(body);
    let mut out = String::new();
    let _ = s.read_to_string(&mut out);
    let status = out.split(' ').nth(1).and_then(|c| c.parse().ok()).unwrap_or_else(|| panic!("no status in `{out}`"));
    (status, out.split_once("\r\n\r\n").map(|(_, b)| b.to_string()).unwrap_or_default())
}

fn own(port: u16) -> Vec<(&'static str, String)> {
    vec![("Host", format!("127.0.0.1:{port}")), ("Origin", format!("http://127.0.0.1:{port}"))]
}

fn post(port: u16, path: &str, body: &serde_json::Value) -> (u16, serde_json::Value) {
    let (status, text) = request(port, "POST", path, &own(port), body.to_string().as_bytes());
    (status, serde_json::from_str(&text).unwrap_or_else(|e| panic!("{path}: not JSON ({e}): {text}")))
}

/// A folder with a copy of the AI API example and its data.
fn folder() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let scenarios = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    std::fs::copy(scenarios.join("ai-api.toml"), dir.path().join("ai-api.toml")).unwrap();
    std::fs::create_dir(dir.path().join("data")).unwrap();
    for entry in std::fs::read_dir(scenarios.join("data")).unwrap().flatten() {
        std::fs::copy(entry.path(), dir.path().join("data").join(entry.file_name())).unwrap();
    }
    dir
}

#[test]
fn the_server_refuses_what_is_not_its_own_page() {
    let dir = folder();
    let s = serve(dir.path(), &["ai-api.toml", "--runs", "1000"]);
    let p = s.port;
    let (status, page) = request(p, "GET", "/", &own(p)[..1], b"");
    assert_eq!(status, 200);
    assert!(page.contains("<title>runway</title>"));
    // Another site's name for 127.0.0.1 (DNS rebinding) is refused.
    let (status, body) = request(p, "GET", "/api/plan", &[("Host", format!("evil.example:{p}"))], b"");
    assert_eq!(status, 403, "{body}");
    // A change from another origin, or with none, is refused.
    let run = br#"{"edits":[],"quick":true}"#;
    let other = [("Host", format!("127.0.0.1:{p}")), ("Origin", "http://evil.example".to_string())];
    assert_eq!(request(p, "POST", "/api/run", &other, run).0, 403);
    assert_eq!(request(p, "POST", "/api/run", &own(p)[..1], run).0, 403);
    // GET changes nothing: the routes that change something take POST only.
    for path in ["/api/run", "/api/save", "/api/open", "/api/text"] {
        assert_eq!(request(p, "GET", path, &own(p), b"").0, 405, "{path}");
    }
    // A body over the cap is refused unread.
    let big = vec![b' '; 65 * 1024];
    assert_eq!(request(p, "POST", "/api/run", &own(p), &big).0, 413);
    // No path outside the folder can be written or opened.
    for name in ["../escape.toml", "sub/x.toml", "/tmp/x.toml", ".hidden.toml", "x.txt"] {
        let (status, body) = post(p, "/api/save", &serde_json::json!({ "name": name, "edits": [] }));
        assert_eq!(status, 400, "{name}: {body}");
        let (status, body) = post(p, "/api/open", &serde_json::json!({ "name": name }));
        assert_eq!(status, 400, "{name}: {body}");
    }
    assert!(!dir.path().parent().unwrap().join("escape.toml").exists());
    // A bad value is refused with its key and what is allowed.
    let (status, body) = post(p, "/api/run", &serde_json::json!({ "edits": [["segment.pro.churn", "-0.5"]], "quick": true }));
    assert_eq!(status, 422, "{body}");
    let problem = &body["problems"][0];
    assert_eq!(problem["key"], "segment.pro.churn", "{body}");
    let message = problem["message"].as_str().unwrap();
    assert!(message.contains("-0.5") && message.contains(">= 0"), "{body}");
    // Saving never overwrites without being asked to.
    let save = |overwrite: bool| post(p, "/api/save", &serde_json::json!({ "name": "ai-api.toml", "edits": [["start.cash", "2e6"]], "overwrite": overwrite }));
    assert_eq!(save(false).0, 409);
    assert_eq!(
        std::fs::read_to_string(dir.path().join("ai-api.toml")).unwrap(),
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios/ai-api.toml")).unwrap()
    );
    assert_eq!(save(true).0, 200);
    assert!(std::fs::read_to_string(dir.path().join("ai-api.toml")).unwrap().contains("cash = 2e6"));
}

#[test]
fn an_edit_saved_keeps_the_rest_of_the_file_and_gives_the_same_figures() {
    let dir = folder();
    let s = serve(dir.path(), &["ai-api.toml", "--runs", "2000"]);
    let edits = serde_json::json!([["start.cash", "2_500_000"]]);
    let (status, body) = post(s.port, "/api/run", &serde_json::json!({ "edits": edits, "quick": false }));
    assert_eq!(status, 200, "{body}");
    let (status, body_saved) = post(s.port, "/api/save", &serde_json::json!({ "name": "edited.toml", "edits": edits }));
    assert_eq!(status, 200, "{body_saved}");
    let before = std::fs::read_to_string(dir.path().join("ai-api.toml")).unwrap();
    let after = std::fs::read_to_string(dir.path().join("edited.toml")).unwrap();
    let changed: Vec<(&str, &str)> = before.lines().zip(after.lines()).filter(|(a, b)| a != b).collect();
    assert_eq!(before.lines().count(), after.lines().count());
    assert_eq!(changed.len(), 1, "{changed:?}");
    assert!(changed[0].1.starts_with("cash = 2_500_000"), "{changed:?}");
    // The page can show the saved file instead, which reads as saved.
    let (status, plan) = post(s.port, "/api/open", &serde_json::json!({ "name": "edited.toml" }));
    assert_eq!(status, 200, "{plan}");
    assert_eq!(plan["file"], "edited.toml");
    let cash = plan["controls"].as_array().unwrap().iter().find(|c| c["key"] == "start.cash").unwrap();
    assert_eq!(cash["written"], "2_500_000");
    // The saved file, run as a file, gives the page's figures.
    let shown = figures(&body["update"]);
    let base = stress_base(dir.path(), "edited.toml", 2000);
    for (figure, value) in &shown {
        assert_eq!(base.iter().find(|(f, _)| f == figure).map(|(_, v)| *v), Some(*value), "{figure}");
    }
}

/// An edit that makes the plan a richer one (a drawn round month adds
/// per-run columns and metrics) is compared figure by figure all the same.
#[test]
fn a_round_month_made_uncertain_on_the_page_runs_as_the_saved_file() {
    let dir = tempfile::tempdir().unwrap();
    let s = serve(dir.path(), &["--runs", "2000"]);
    let edits = serde_json::json!([["funding.0.month", "12 to 20"]]);
    let (status, body) = post(s.port, "/api/run", &serde_json::json!({ "edits": edits, "quick": false }));
    assert_eq!(status, 200, "{body}");
    let (status, saved) = post(s.port, "/api/save", &serde_json::json!({ "name": "slips.toml", "edits": edits }));
    assert_eq!(status, 200, "{saved}");
    let shown = figures(&body["update"]);
    let file = stress_base(dir.path(), "slips.toml", 2000);
    // `runway stress` lists the base once per stress of the file: every figure, each time.
    let distinct: std::collections::BTreeSet<&str> = file.iter().map(|(f, _)| f.as_str()).collect();
    assert_eq!(shown.len(), distinct.len(), "{shown:?} against {file:?}");
    for (figure, value) in &shown {
        assert_eq!(file.iter().find(|(f, _)| f == figure).map(|(_, v)| *v), Some(*value), "{figure}");
    }
}

#[test]
fn a_newer_change_stops_the_simulation_of_the_older_one() {
    let dir = tempfile::tempdir().unwrap();
    // Enough runs that a full update takes seconds on any machine.
    let s = serve(dir.path(), &["--runs", "300000"]);
    let port = s.port;
    let older = std::thread::spawn(move || post(port, "/api/run", &serde_json::json!({ "edits": [["pricing.price", "31"]], "quick": false })));
    std::thread::sleep(Duration::from_millis(300));
    let (status, newer) = post(port, "/api/run", &serde_json::json!({ "edits": [["pricing.price", "33"]], "quick": true }));
    assert_eq!(status, 200, "{newer}");
    assert_eq!(newer["update"]["runs"], 2000);
    let (status, older) = older.join().unwrap();
    assert_eq!((status, &older["superseded"]), (409, &serde_json::Value::Bool(true)), "{older}");
}

/// `(figure, estimate)` of an update's key figures.
fn figures(update: &serde_json::Value) -> Vec<(String, f64)> {
    update["figures"].as_array().unwrap().iter().filter_map(|f| Some((f["figure"].as_str()?.to_string(), f["estimate"].as_f64()?))).collect()
}

/// `runway stress FILE --runs N [--set …]`: per figure, the base's and the
/// stressed value, from its CSV.
/// `file` `None` is the built-in example.
fn stress_rows(dir: &Path, file: Option<&str>, runs: u64, set: &[&str]) -> Vec<(String, f64, f64)> {
    let out = dir.join("stress-out");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_runway"));
    cmd.arg("stress").args(file).args(["--runs", &runs.to_string(), "--quiet", "--out"]).arg(&out).current_dir(dir);
    for s in set {
        cmd.args(["--set", s]);
    }
    let o = cmd.output().unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let mut r = csv::Reader::from_path(out.join("stress.csv")).unwrap();
    let h = r.headers().unwrap().clone();
    let col = |name: &str| h.iter().position(|c| c == name).unwrap();
    let (f, b, v) = (col("figure"), col("base"), col("value"));
    r.records().map(|rec| rec.unwrap()).map(|rec| (rec[f].to_string(), rec[b].parse().unwrap_or(f64::NAN), rec[v].parse().unwrap_or(f64::NAN))).collect()
}

fn stress_base(dir: &Path, file: &str, runs: u64) -> Vec<(String, f64)> {
    stress_rows(dir, Some(file), runs, &[]).into_iter().map(|(f, b, _)| (f, b)).collect()
}

// ---- the page in a real browser ----------------------------------------

/// A DevTools protocol session with one page of a headless Chromium.
struct Browser {
    child: Child,
    socket: tungstenite::WebSocket<tungstenite::stream::MaybeTlsStream<TcpStream>>,
    session: String,
    next: u64,
    /// Every URL the page asked for (`Network.requestWillBeSent`).
    requests: Vec<String>,
    _profile: tempfile::TempDir,
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Browser {
    fn start() -> Browser {
        let profile = tempfile::tempdir().unwrap();
        let child = Command::new("chromium")
            .args(["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--hide-scrollbars"])
            .args(["--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-default-apps"])
            .args(["--disable-domain-reliability", "--no-default-browser-check", "--no-pings", "--remote-debugging-port=0", "--window-size=1400,1000"])
            .arg(format!("--user-data-dir={}", profile.path().display()))
            .arg("about:blank")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromium starts (bash .ci/run installs it)");
        // Chromium writes its port and the browser's path here once it listens.
        let active = profile.path().join("DevToolsActivePort");
        let start = Instant::now();
        let text = loop {
            if let Ok(t) = std::fs::read_to_string(&active) {
                if t.lines().count() >= 2 {
                    break t;
                }
            }
            assert!(start.elapsed() < Duration::from_secs(30), "chromium did not open its DevTools port");
            std::thread::sleep(Duration::from_millis(50));
        };
        let mut lines = text.lines();
        let (port, path) = (lines.next().unwrap(), lines.next().unwrap());
        let (socket, _) = tungstenite::connect(format!("ws://127.0.0.1:{port}{path}")).expect("DevTools socket");
        if let tungstenite::stream::MaybeTlsStream::Plain(s) = socket.get_ref() {
            s.set_read_timeout(Some(Duration::from_secs(60))).unwrap();
        }
        let mut b = Browser { child, socket, session: String::new(), next: 0, requests: vec![], _profile: profile };
        let target = b.call("Target.createTarget", serde_json::json!({ "url": "about:blank" }), false);
        let attached = b.call("Target.attachToTarget", serde_json::json!({ "targetId": target["targetId"], "flatten": true }), false);
        b.session = attached["sessionId"].as_str().unwrap().to_string();
        b.call("Network.enable", serde_json::json!({}), true);
        b
    }

    /// Sends a command and waits for its answer, keeping the page's
    /// network requests seen meanwhile.
    fn call(&mut self, method: &str, params: serde_json::Value, on_page: bool) -> serde_json::Value {
        self.next += 1;
        let mut msg = serde_json::json!({ "id": self.next, "method": method, "params": params });
        if on_page {
            msg["sessionId"] = self.session.clone().into();
        }
        self.socket.send(tungstenite::Message::Text(msg.to_string().into())).unwrap();
        loop {
            let text = match self.socket.read().expect("DevTools answers") {
                tungstenite::Message::Text(t) => t.to_string(),
                _ => continue,
            };
            let v: serde_json::Value = serde_json::from_str(&text).unwrap();
            if v["method"] == "Network.requestWillBeSent" {
                self.requests.push(v["params"]["request"]["url"].as_str().unwrap_or_default().to_string());
            }
            if v["id"] == self.next {
                assert!(v.get("error").is_none(), "{method}: {v}");
                return v["result"].clone();
            }
        }
    }

    /// Evaluates JavaScript on the page (awaiting a promise) and returns its value.
    fn eval(&mut self, js: &str) -> serde_json::Value {
        let r = self.call("Runtime.evaluate", serde_json::json!({ "expression": js, "awaitPromise": true, "returnByValue": true }), true);
        assert!(r.get("exceptionDetails").is_none(), "{js}: {r}");
        r["result"]["value"].clone()
    }

    /// Waits until `js` is true (false while it throws: the page may
    /// still be loading).
    fn wait(&mut self, js: &str) {
        let start = Instant::now();
        let guarded = format!("(() => {{ try {{ return {js}; }} catch (e) {{ return false; }} }})()");
        while self.eval(&guarded) != serde_json::Value::Bool(true) {
            assert!(
                start.elapsed() < Duration::from_secs(60),
                "timed out waiting for {js}; status: {}",
                self.eval("document.querySelector('#status').textContent")
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// The page's key figures: `(figure, edited plan's estimate)`.
    fn figures(&mut self) -> Vec<(String, f64)> {
        let v = self.eval("[...document.querySelectorAll('#figures tbody tr')].map(r => [r.dataset.figure, r.dataset.estimate])");
        v.as_array().unwrap().iter().filter_map(|r| Some((r[0].as_str()?.to_string(), r[1].as_str()?.parse().ok()?))).collect()
    }
}

/// The page shows the full update (all runs) of the latest change.
const FULL: &str = "document.querySelector('#status').dataset.state === 'full'";

fn require_chromium() {
    let ok = Command::new("chromium").arg("--version").output().is_ok_and(|o| o.status.success());
    assert!(ok, "chromium is needed (bash .ci/run installs it)");
}

#[test]
#[ignore = "needs chromium; bash .ci/run installs it and runs it"]
fn a_founder_moves_the_price_and_sees_what_runway_stress_prints() {
    require_chromium();
    let dir = tempfile::tempdir().unwrap();
    let s = serve(dir.path(), &["--runs", "4000"]);
    let url = format!("http://127.0.0.1:{}/", s.port);
    let mut b = Browser::start();
    b.call("Page.navigate", serde_json::json!({ "url": url }), true);
    b.wait(FULL);
    let at = |figures: &[(String, f64)], f: &str| figures.iter().find(|(g, _)| g == f).map(|(_, v)| *v).unwrap_or_else(|| panic!("no {f} on the page"));

    // Move the price slider to 35 as a user would.
    b.eval(
        "(() => { const i = document.querySelector('[data-key=\"pricing.price\"] input[type=range]'); i.value = 35; i.dispatchEvent(new Event('input')); })()",
    );
    b.wait(&format!("{FULL} && document.querySelector('#status').textContent.includes('changed inputs: 1')"));
    let page = b.figures();
    let cli = stress_rows(dir.path(), None, 4000, &["pricing.price=35"]);
    let cli_value = |f: &str| cli.iter().find(|(g, _, _)| g == f).map(|r| r.2).unwrap();
    for f in ["P(default_month <= 24)", "median(final_cash)"] {
        assert_eq!(at(&page, f), cli_value(f), "{f}: the page and `runway stress --set pricing.price=35`");
    }

    // Toggle the file's stress: the edit and the stress together.
    b.eval("document.querySelector('input[data-stress=\"churn +50%\"]').click()");
    b.wait(&format!("{FULL} && document.querySelector('#status').textContent.includes('stress: churn +50%')"));
    let page = b.figures();
    let cli = stress_rows(dir.path(), None, 4000, &["pricing.price=35", "churn.base=*1.5"]);
    let cli_value = |f: &str| cli.iter().find(|(g, _, _)| g == f).map(|r| r.2).unwrap();
    assert_eq!(at(&page, "P(default_month <= 36)"), cli_value("P(default_month <= 36)"));
    b.eval("document.querySelector('input[data-stress=\"\"]').click()");
    b.wait(&format!("{FULL} && !document.querySelector('#status').textContent.includes('stress:')"));

    // A bad value: the error shows beside its control, with what is allowed.
    b.eval(
        "(() => { const i = document.querySelector('[data-key=\"churn.base\"] input[type=text]'); i.value = '-0.5'; i.dispatchEvent(new Event('change')); })()",
    );
    b.wait("document.querySelector('#status').dataset.state === 'error'");
    let error = b.eval("document.querySelector('[data-error-for=\"churn.base\"]').textContent");
    assert!(error.as_str().unwrap().contains("churn.base") && error.as_str().unwrap().contains("-0.5"), "{error}");
    b.eval("document.querySelector('[data-key=\"churn.base\"] .reset').click()");
    b.wait(FULL);

    // Save as…, answering the page's prompt, and run the saved file.
    b.eval("window.prompt = () => 'priced.toml'; document.querySelector('#save').click()");
    b.wait("document.querySelector('#status').textContent.startsWith('Saved')");
    let page = b.figures();
    let saved = stress_base(dir.path(), "priced.toml", 4000);
    for (f, v) in &page {
        assert_eq!(saved.iter().find(|(g, _)| g == f).map(|(_, x)| *x), Some(*v), "{f}: the page and the saved file");
    }
    // The built-in example's data file came along, and nothing was overwritten.
    assert!(dir.path().join("data/sentiment-report.txt").exists());

    // Open another plan of the folder and change a tier's price in the
    // table of segments.
    let scenarios = Path::new(env!("CARGO_MANIFEST_DIR")).join("scenarios");
    std::fs::copy(scenarios.join("ai-api.toml"), dir.path().join("ai-api.toml")).unwrap();
    b.eval("document.querySelector('#open').dispatchEvent(new Event('focus'))");
    b.wait("[...document.querySelectorAll('#open option')].some(o => o.value === 'ai-api.toml')");
    b.eval("(() => { const s = document.querySelector('#open'); s.value = 'ai-api.toml'; s.dispatchEvent(new Event('change')); })()");
    b.wait(&format!("{FULL} && document.querySelector('#file').textContent.startsWith('ai-api.toml') && !!document.querySelector('table.segments')"));
    b.eval("(() => { const i = document.querySelector('table.segments [data-key=\"segment.pro.price\"] input'); i.value = 599; i.dispatchEvent(new Event('change')); })()");
    b.wait(&format!("{FULL} && document.querySelector('#status').textContent.includes('changed inputs: 1')"));
    let page = b.figures();
    let cli = stress_rows(dir.path(), Some("ai-api.toml"), 4000, &["segment.pro.price=599"]);
    for (f, _, value) in &cli {
        assert_eq!(at(&page, f), *value, "{f}: the page and `runway stress ai-api.toml --set segment.pro.price=599`");
    }

    // The page asked nothing of any host but its own server.
    let own = format!("http://127.0.0.1:{}/", s.port);
    let off: Vec<&String> =
        b.requests.iter().filter(|u| !u.starts_with(&own) && !u.starts_with("data:") && !u.starts_with("blob:") && *u != "about:blank").collect();
    assert!(b.requests.iter().any(|u| u.ends_with("/api/run")), "the network log saw the page's requests: {:?}", b.requests);
    assert!(off.is_empty(), "requests off 127.0.0.1: {off:?}");
}
