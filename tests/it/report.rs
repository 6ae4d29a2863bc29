//! `runway report`: self-contained and reproducible bytes, numbers that
//! agree with `runway run`, both languages, the committed example reports
//! up to date, and the page printed and rendered by headless Chromium with
//! nothing fetched from the network.

use crate::{runway, runway_ok, scratch, stderr, stdout};
use std::path::{Path, PathBuf};
use std::process::Command;

fn report(out: &Path, extra: &[&str]) -> String {
    let mut args = vec!["report", "--runs", "2000", "--out", out.to_str().unwrap(), "--quiet"];
    args.extend_from_slice(extra);
    let o = runway(&args);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    // A value and its error stay on one line, even in a narrow printed cell.
    assert!(!html.contains(" ± ") && html.contains("\u{a0}±\u{a0}"), "± between no-break spaces");
    // And a minus stays on its number: a word joiner after it.
    assert!(!html.contains("-¥") && html.contains("-\u{2060}¥"), "a minus joined to its amount");
    html.replace('\u{a0}', " ").replace('\u{2060}', "")
}

fn files(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = vec![];
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            out.extend(files(&p));
        } else {
            out.push((p.strip_prefix(dir).unwrap_or(&p).to_path_buf(), std::fs::read(&p).unwrap()));
        }
    }
    out.sort();
    out
}

#[test]
fn the_report_is_self_contained_accessible_and_byte_reproducible() {
    let dir = scratch("report-bytes");
    let html = report(&dir.join("a"), &["--threads", "1"]);
    report(&dir.join("b"), &["--threads", "2"]);
    let (a, b) = (files(&dir.join("a")), files(&dir.join("b")));
    assert_eq!(a.len(), 2 + 8, "report.html, report.md and 8 charts: {:?}", a.iter().map(|f| &f.0).collect::<Vec<_>>());
    assert_eq!(a.len(), b.len());
    for ((pa, ba), (pb, bb)) in a.iter().zip(&b) {
        assert_eq!(pa, pb);
        assert!(ba == bb, "{} differs between two runs", pa.display());
    }
    // Nothing that could fetch anything: no script, stylesheet link, import,
    // remote image or font; the only URL is the SVG namespace.
    for bad in ["<script", "<link", "@import", "<img", "url(http", "src=", "href="] {
        assert!(!html.contains(bad), "report.html contains {bad}");
    }
    assert_eq!(html.matches("http").count(), html.matches("http://www.w3.org/2000/svg").count());
    // Every chart is an image with a title, and has its data beside it.
    let charts = html.matches("<svg ").count();
    assert_eq!(charts, 8);
    assert_eq!(html.matches(r#"role="img""#).count(), charts);
    assert_eq!(html.matches("<title id=").count(), charts);
    assert!(html.matches("<details>").count() >= 6);
    // No date unless one is given.
    assert!(!html.contains("class=\"date\""));
    let dated = report(&dir.join("c"), &["--date", "30 November 2026"]);
    assert!(dated.contains("<p class=\"date\">30 November 2026</p>"));
    // The Markdown links each chart it ships.
    let md = std::fs::read_to_string(dir.join("a/report.md")).unwrap();
    for (path, _) in a.iter().filter(|(p, _)| p.starts_with("charts")) {
        assert!(md.contains(&format!("]({})", path.display())), "report.md does not show {}", path.display());
    }
}

/// Names from the plan cannot inject markup into either document.
#[test]
fn names_from_the_plan_are_escaped_in_html_and_markdown() {
    let dir = scratch("report-names");
    std::fs::create_dir_all(dir.join("data")).unwrap();
    std::fs::copy("scenarios/data/sentiment-report.txt", dir.join("data/sentiment-report.txt")).unwrap();
    let hostile = r#"<script>alert(1)</script> | _x_ [y](z) `q`"#;
    let text = std::fs::read_to_string("scenarios/sentiment-saas.toml")
        .unwrap()
        .replace(r#"name = "churn +50%""#, &format!("name = '{hostile}'"))
        .replace(r#"stress = "churn +50%""#, &format!("stress = '{hostile}'"));
    let plan = dir.join("plan.toml");
    std::fs::write(&plan, text).unwrap();
    let out = dir.join("out");
    let o = runway(&["report", plan.to_str().unwrap(), "--runs", "500", "--out", out.to_str().unwrap(), "--quiet"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let html = std::fs::read_to_string(out.join("report.html")).unwrap();
    assert!(!html.contains("<script"), "raw markup in the HTML");
    assert!(html.contains("&lt;script&gt;alert(1)&lt;&#x2f;script&gt;") || html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    let md = std::fs::read_to_string(out.join("report.md")).unwrap();
    assert!(!md.contains("<script") && md.contains(r"&lt;script&gt;alert(1)&lt;/script&gt; \| _x_ \[y\](z) \`q\`"), "{md}");
}

/// The key figures are those `runway run` prints for the same runs.
#[test]
fn the_report_quotes_the_figures_of_the_run() {
    let dir = scratch("report-figures");
    let html = report(&dir, &[]);
    let o = runway_ok(&["run", "--runs", "2000", "--no-runs", "--out", dir.join("run").to_str().unwrap()]);
    let headline = stdout(&o);
    let value = |label: &str| -> (String, String) {
        let line = headline.lines().find(|l| l.trim_start().starts_with(label)).unwrap_or_else(|| panic!("{label}: {headline}"));
        let parts: Vec<&str> = line.split_whitespace().collect();
        let n = parts.len();
        (parts[n - 3].to_string(), parts[n - 1].to_string())
    };
    // The report writes money in a unit (¥11.14M ± 0.05M), the terminal in
    // full (11,140,000 ± 50,000): both rounded to the digit the error supports.
    let (p50, se) = value("final cash [CNY] P50");
    let full = |s: &str| s.replace(',', "").parse::<f64>().unwrap();
    let in_report = money_with_errors(&html);
    assert!(
        in_report.iter().any(|&(x, e)| (x - full(&p50)).abs() < 0.5 && (e - full(&se)).abs() < 0.5),
        "median final cash ¥{p50} ± {se} not in the report: {in_report:?}"
    );
    let (p, pse) = value("P(default by month 36)");
    assert!(html.contains(&format!("{p} ± {pse}")), "P(default by 36) {p} ± {pse} not in the report");
    assert!(html.contains("Sentiment analysis SaaS — risk report"));
    // The reproduction block names the command, seed, runs and hash.
    let sc = runway::scenario::builtin(runway::scenario::Overrides::default()).unwrap();
    assert!(html.contains("runway report --seed 42 --runs 2000"));
    assert!(html.contains(&sc.source.sha256));
    // The built-in example is no file the reader has: named as what it is.
    assert!(html.contains("Sentiment analysis SaaS (built-in example)"), "reproduction names the built-in example");
    assert!(!html.contains("sentiment-saas.toml"), "the report names a source path the reader does not have");
    // Its correlation sentence starts a sentence: capital first letter.
    assert!(html.contains("Monthly churn (churn.base) and growth of organic new customers"), "correlation sentence");
    // The file's rank correlation is −0.4: the two move in opposite directions.
    assert!(html.contains("move in opposite directions across futures"), "a negative correlation said as one");
    assert!(!html.contains("move together"), "a negative correlation said to move together");
}

/// Every `¥a ± b` in a text, in currency units: `¥11.14M ± 0.05M` is
/// (11,140,000, 50,000).
fn money_with_errors(text: &str) -> Vec<(f64, f64)> {
    let amount = |s: &str| -> Option<f64> {
        let (digits, unit) = match s.char_indices().last()? {
            (i, 'k') => (&s[..i], 1e3),
            (i, 'M') => (&s[..i], 1e6),
            (i, 'B') => (&s[..i], 1e9),
            _ => (s, 1.0),
        };
        Some(digits.replace(',', "").parse::<f64>().ok()? * unit)
    };
    let mut out = vec![];
    for (i, _) in text.match_indices(" ± ") {
        let before = text[..i].rsplit(|c: char| c.is_whitespace() || c == '>').next().unwrap_or("");
        let after = text[i + " ± ".len()..].split(|c: char| c.is_whitespace() || c == '<').next().unwrap_or("");
        if let (Some(x), Some(e)) = (before.strip_prefix('¥').and_then(amount), amount(after)) {
            out.push((x, e));
        }
    }
    out
}

#[test]
fn the_chinese_report_writes_money_in_wan() {
    let dir = scratch("report-zh");
    let html = report(&dir, &["--lang", "zh"]);
    assert!(html.contains(r#"<html lang="zh-CN">"#));
    assert!(html.contains("风险报告") && html.contains("主要结论") && html.contains("关键数字"));
    assert!(html.contains("万 ± "), "money in 万");
    assert!(html.contains("反向变动") && !html.contains("同向变动"), "the built-in example's negative correlation said as one");
    assert!(html.contains("runway report --seed 42 --runs 2000 --lang zh"));
}

/// A folder `runway run` wrote names its scenario, seed and runs; the
/// report reruns them, and refuses a scenario that changed since.
#[test]
fn a_result_folder_reports_the_run_it_holds() {
    let dir = scratch("report-from-run");
    std::fs::create_dir_all(dir.join("data")).unwrap();
    std::fs::copy("scenarios/data/sentiment-report.txt", dir.join("data/sentiment-report.txt")).unwrap();
    let plan = dir.join("plan.toml");
    std::fs::copy("scenarios/sentiment-saas.toml", &plan).unwrap();
    let run = dir.join("run");
    runway_ok(&["run", plan.to_str().unwrap(), "--runs", "1500", "--seed", "9", "--no-runs", "--out", run.to_str().unwrap(), "--quiet"]);
    let o = runway(&["report", run.to_str().unwrap(), "--out", dir.join("report").to_str().unwrap(), "--quiet"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let html = std::fs::read_to_string(dir.join("report/report.html")).unwrap();
    assert!(html.contains(&format!("runway report {} --seed 9 --runs 1500", plan.display())), "the command reruns that run");
    std::fs::write(&plan, std::fs::read_to_string(&plan).unwrap().replace("price = 29", "price = 30")).unwrap();
    let o = runway(&["report", run.to_str().unwrap(), "--out", dir.join("again").to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("SHA-256"), "{}", stderr(&o));
}

/// `reports/` holds what `bash reports/regenerate.sh` writes today.
#[test]
fn the_committed_example_reports_are_up_to_date() {
    let dir = scratch("report-fresh");
    let mut checked = 0;
    for entry in std::fs::read_dir("reports").unwrap() {
        let committed = entry.unwrap().path();
        if !committed.is_dir() {
            continue;
        }
        let name = committed.file_name().unwrap().to_str().unwrap().to_string();
        let scenario = format!("scenarios/{name}.toml");
        let fresh = dir.join(&name);
        let o = runway(&["report", &scenario, "--out", fresh.to_str().unwrap(), "--quiet"]);
        assert_eq!(o.status.code(), Some(0), "{name}: {}", stderr(&o));
        if committed.join("zh").exists() {
            let o = runway(&["report", &scenario, "--lang", "zh", "--out", fresh.join("zh").to_str().unwrap(), "--quiet"]);
            assert_eq!(o.status.code(), Some(0), "{name} zh: {}", stderr(&o));
        }
        let (want, got) = (files(&committed), files(&fresh));
        assert_eq!(
            want.iter().map(|f| &f.0).collect::<Vec<_>>(),
            got.iter().map(|f| &f.0).collect::<Vec<_>>(),
            "reports/{name} is stale: run bash reports/regenerate.sh"
        );
        for ((path, a), (_, b)) in want.iter().zip(&got) {
            assert!(a == b, "reports/{name}/{} is stale: run bash reports/regenerate.sh", path.display());
        }
        checked += 1;
    }
    assert!(checked >= 5, "reports/ should hold the example reports");
}

/// Chromium, `pdfinfo` and `pdftotext`, which `.ci/run` installs: the
/// browser test is ignored by a plain `cargo test` and fails without them.
fn require_browser() {
    let ok = |c: &str, arg: &str| Command::new(c).arg(arg).output().is_ok_and(|o| o.status.success());
    for (tool, arg) in [("chromium", "--version"), ("pdfinfo", "-v"), ("pdftotext", "-v")] {
        assert!(ok(tool, arg), "{tool} is needed (bash .ci/run installs chromium and poppler-utils)");
    }
}

/// Runs headless Chromium on `args` with its network log written to
/// `netlog`. Its background traffic is switched off as far as flags allow,
/// and what is left of it is told apart in [`page_requests`], not here.
fn chromium(profile: &Path, netlog: &Path, args: &[String]) -> String {
    let o = Command::new("chromium")
        .args(["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--hide-scrollbars"])
        .args(["--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-default-apps"])
        .args(["--disable-domain-reliability", "--disable-client-side-phishing-detection", "--no-default-browser-check", "--no-pings"])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(format!("--log-net-log={}", netlog.display()))
        .arg("--net-log-capture-mode=Default")
        .args(args)
        .output()
        .expect("chromium starts");
    assert!(o.status.success(), "chromium: {}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// The URLs a page asked the network for, from Chromium's network log
/// (`--log-net-log`): every `URL_REQUEST_START_JOB` with an initiator. A
/// request the browser makes for itself (clock, sign-in, component
/// updates, spelling dictionaries) has the initiator "not an origin"; one a
/// page makes has the page's origin ("null" for a `file://` page). Every
/// request is logged when it starts, whether or not any network answers.
fn page_requests(netlog: &Path) -> Vec<String> {
    let text = std::fs::read_to_string(netlog).unwrap_or_else(|e| panic!("{}: {e}", netlog.display()));
    // A log cut short at exit lacks its closing brackets.
    let log: serde_json::Value = serde_json::from_str(&text)
        .or_else(|_| serde_json::from_str(&format!("{}]}}", text.trim_end().trim_end_matches(','))))
        .unwrap_or_else(|e| panic!("{}: not a network log: {e}", netlog.display()));
    let start_job = &log["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"];
    assert!(start_job.is_u64(), "{}: the log names no URL_REQUEST_START_JOB event", netlog.display());
    let events = log["events"].as_array().expect("the log has events");
    events
        .iter()
        .filter(|e| e["type"] == *start_job)
        .filter_map(|e| Some((e["params"]["initiator"].as_str()?, e["params"]["url"].as_str()?)))
        .filter(|(initiator, url)| *initiator != "not an origin" && !url.starts_with("file:") && !url.starts_with("data:"))
        .map(|(_, url)| url.to_string())
        .collect()
}

fn pdf_pages(pdf: &Path) -> usize {
    let info = Command::new("pdfinfo").arg(pdf).output().unwrap();
    let text = String::from_utf8_lossy(&info.stdout).into_owned();
    text.lines().find_map(|l| l.strip_prefix("Pages:")).map(|n| n.trim().parse().unwrap()).expect("pdfinfo gives the page count")
}

fn pdf_text(pdf: &Path) -> String {
    let o = Command::new("pdftotext").args(["-layout"]).arg(pdf).arg("-").output().unwrap();
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// Chromium calls under one folder, each in a fresh profile with a
/// network log of its own.
struct Browser<'a> {
    dir: &'a Path,
    calls: usize,
}

impl Browser<'_> {
    /// Runs Chromium in a fresh profile and returns what the page requested.
    fn run(&mut self, args: &[String]) -> Vec<String> {
        self.dump(args).1
    }

    /// Like [`Browser::run`], with what Chromium printed (the page's DOM
    /// after its scripts ran, under `--dump-dom`).
    fn dump(&mut self, args: &[String]) -> (String, Vec<String>) {
        self.calls += 1;
        let netlog = self.dir.join(format!("netlog-{}.json", self.calls));
        let out = chromium(&self.dir.join(format!("profile-{}", self.calls)), &netlog, args);
        (out, page_requests(&netlog))
    }
}

/// The smallest chart text on `page` at a 390 px wide phone screen, in CSS
/// pixels as rendered: each `<text>`'s font size times its chart's scale
/// (drawn width over viewBox width), measured by a script added to a copy
/// of the page and read back from the DOM Chromium dumps.
fn smallest_chart_text_at_390px(browser: &mut Browser, page: &Path) -> f64 {
    let html = std::fs::read_to_string(page).unwrap();
    let probe = r#"<script>
let least = Infinity;
for (const svg of document.querySelectorAll('figure svg')) {
  const scale = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
  for (const t of svg.querySelectorAll('text')) least = Math.min(least, parseFloat(getComputedStyle(t).fontSize) * scale);
}
document.body.setAttribute('data-least-text', least.toFixed(2));
</script></body>"#;
    let copy = page.with_file_name("report-390.html");
    std::fs::write(&copy, html.replace("</body>", probe)).unwrap();
    let url = format!("file://{}", copy.canonicalize().unwrap().display());
    let (dom, seen) = browser.dump(&["--window-size=390,2000".into(), "--dump-dom".into(), url]);
    assert_eq!(seen, Vec::<String>::new(), "the phone-width page requested something");
    let at = dom.find("data-least-text=\"").expect("the probe ran") + "data-least-text=\"".len();
    dom[at..].split('"').next().unwrap().parse().unwrap()
}

/// Prints the report on A4 and Letter and takes a screenshot, in both
/// languages; checks the page count, the page numbers, that the key
/// figures are in the PDF's text, and that the page requested nothing.
#[test]
#[ignore = "needs chromium and poppler-utils; bash .ci/run installs them and runs it"]
fn the_report_prints_in_a_real_browser_without_the_network() {
    require_browser();
    let dir = scratch("report-browser");
    let mut browser = Browser { dir: &dir, calls: 0 };
    // The detector works: a page with a remote image is caught.
    let control = dir.join("control.html");
    std::fs::write(&control, r#"<p>x</p><img src="https://example.com/logo.png">"#).unwrap();
    let url = format!("file://{}", control.canonicalize().unwrap().display());
    let seen = browser.run(&[format!("--screenshot={}", dir.join("control.png").display()), url]);
    assert!(seen.iter().any(|u| u == "https://example.com/logo.png"), "the control page's remote image was not seen: {seen:?}");
    for lang in ["en", "zh"] {
        let out = dir.join(lang);
        let html = report(&out, &["--lang", lang]);
        for (paper, size) in [("a4", "A4"), ("letter", "letter")] {
            // The page as sent, with only its page size fixed.
            let page = out.join(format!("report-{paper}.html"));
            std::fs::write(&page, html.replace("@page { size: auto;", &format!("@page {{ size: {size};"))).unwrap();
            let pdf = out.join(format!("report-{paper}.pdf"));
            let url = format!("file://{}", page.canonicalize().unwrap().display());
            let seen = browser.run(&["--no-pdf-header-footer".into(), format!("--print-to-pdf={}", pdf.display()), url]);
            assert_eq!(seen, Vec::<String>::new(), "{lang} {paper}: the report made Chromium request something");
            let pages = pdf_pages(&pdf);
            assert!((5..=14).contains(&pages), "{lang} {paper}: {pages} pages");
            let squeezed: String = pdf_text(&pdf).split_whitespace().collect();
            assert!(squeezed.contains(&format!("1/{pages}")) && squeezed.contains(&format!("{pages}/{pages}")), "{lang} {paper}: page numbers");
            for must in key_figures(&html) {
                let must: String = must.split_whitespace().collect();
                assert!(squeezed.contains(&must), "{lang} {paper}: the PDF lacks {must}");
            }
        }
        let shot = out.join("screen.png");
        let url = format!("file://{}", out.join("report.html").canonicalize().unwrap().display());
        let seen = browser.run(&["--window-size=1280,2000".into(), format!("--screenshot={}", shot.display()), url]);
        assert_eq!(seen, Vec::<String>::new(), "{lang} screen: the report made Chromium request something");
        assert!(std::fs::metadata(&shot).unwrap().len() > 50_000, "{lang}: the screenshot is nearly empty");
        // At phone width, charts scroll sideways rather than shrink their text.
        let least = smallest_chart_text_at_390px(&mut browser, &out.join("report.html"));
        assert!(least >= 9.0, "{lang}: chart text {least:.1} px high at 390 px");
    }
}

/// Values of the key-figures table, as the HTML shows them.
fn key_figures(html: &str) -> Vec<String> {
    let start = html.find(r#"<section id="key">"#).expect("key figures");
    let end = start + html[start..].find("</section>").unwrap();
    html[start..end].split("<td>").skip(1).map(|c| c.split("</td>").next().unwrap().replace("&#x2b;", "+")).filter(|c| c.contains('±')).collect()
}

/// A round whose month is drawn is shown once, as the window of months it
/// may come in, with its odds (b2b-api: 75%, month 9, 12 or 15); the
/// committed chart is checked up to date by the test above.
#[test]
fn a_round_with_an_uncertain_month_is_one_window_on_the_cash_chart() {
    let svg = std::fs::read_to_string("reports/b2b-api/charts/cash.svg").unwrap();
    assert_eq!(svg.matches("round 75%, months 9–15").count(), 1, "one label for the one round");
    assert_eq!(svg.matches(r#"fill-opacity="0.07""#).count(), 1, "one shaded window");
}

/// Tables speak words, not the figure language: no cell of any committed
/// report (English or Chinese) holds `P(default_month <= 36)` or
/// `median(final_cash)`; the figure-language form is the row's tooltip.
#[test]
fn table_cells_say_figures_in_words() {
    let mut pages = vec![];
    for entry in std::fs::read_dir("reports").unwrap().flatten() {
        for page in [entry.path().join("report.html"), entry.path().join("zh/report.html")] {
            if page.exists() {
                pages.push(page);
            }
        }
    }
    assert!(pages.len() >= 7, "{pages:?}");
    let mut titles = 0;
    for page in &pages {
        let html = std::fs::read_to_string(page).unwrap();
        for cell in html.split("<td>").skip(1).map(|c| c.split("</td>").next().unwrap()) {
            for code in ["(default_month", "(final_cash", "median(", "mean(", "&lt;=", "&gt;=", "_month", "final_cash"] {
                assert!(!cell.contains(code), "{}: a table cell in the figure language: {cell}", page.display());
            }
        }
        titles += html.matches(r#"<tr title="P(default_month &lt;= "#).count() + html.matches(r#"<tr title="median(final_cash)""#).count();
    }
    assert!(titles >= 4, "rows carry their figure as a tooltip: {titles}");
}

/// Every legend of every committed chart lies below its data: no legend
/// entry covers a band, a line or a bar.
#[test]
fn legends_never_cover_the_data() {
    let numbers = |attr: &str, tag: &str| -> Vec<f64> {
        tag.split(&format!(" {attr}=\""))
            .skip(1)
            .filter_map(|rest| rest.split('"').next())
            .flat_map(|v| v.split([' ', ',']))
            .filter_map(|v| v.parse().ok())
            .collect()
    };
    let mut legends = 0;
    for entry in std::fs::read_dir("reports").unwrap().flatten().filter(|e| e.path().join("charts").is_dir()) {
        for chart in std::fs::read_dir(entry.path().join("charts")).unwrap().flatten() {
            let svg = std::fs::read_to_string(chart.path()).unwrap();
            let Some((data, legend)) = svg.split_once(r#"<g class="legend">"#) else { continue };
            legends += 1;
            // The lowest pixel of any mark: polygon and polyline points
            // (every second number a y), rectangles' bottoms.
            let mut lowest = f64::NEG_INFINITY;
            for tag in data.split('<').filter(|t| t.starts_with("polygon") || t.starts_with("polyline")) {
                lowest = numbers("points", tag).iter().skip(1).step_by(2).fold(lowest, |a, &y| a.max(y));
            }
            for tag in data.split('<').filter(|t| t.starts_with("rect ") && t.contains("stroke=")) {
                let (y, h) = (numbers("y", tag), numbers("height", tag));
                lowest = lowest.max(y[0] + h[0]);
            }
            let top = numbers("y1", legend).into_iter().chain(numbers("y", legend)).fold(f64::INFINITY, f64::min);
            assert!(top - 8.0 > lowest, "{}: a legend at y {top} over marks reaching y {lowest}", chart.path().display());
        }
    }
    assert!(legends >= 10, "only {legends} charts with a legend found");
}

/// The final-cash histogram has a legend entry for hatched (below zero)
/// bars only when it draws one.
#[test]
fn the_histogram_has_no_legend_for_bars_it_does_not_draw() {
    let dir = scratch("report-no-hatch");
    let plan = dir.join("safe.toml");
    std::fs::write(
        &plan,
        "[scenario]\nname = \"safe\"\nmonths = 12\nruns = 1000\nseed = 1\n[start]\ncustomers = 100\ncash = 1_000_000\n[pricing]\nprice = 50\n[churn]\nbase = \"0.02 to 0.05\"\n[costs]\nfixed = 1_000\n",
    )
    .unwrap();
    runway_ok(&["report", plan.to_str().unwrap(), "--out", dir.join("safe").to_str().unwrap(), "--quiet"]);
    let svg = std::fs::read_to_string(dir.join("safe/charts/final-cash.svg")).unwrap();
    assert!(!svg.contains("url(#final-cash-hatch)\" stroke"), "a hatched bar in a plan that never ends below zero");
    assert!(!svg.contains("cash &lt; 0:") && !svg.contains("cash < 0:"), "a legend for hatched bars that are not drawn");
    // The built-in example ends below zero in some futures: bars and legend.
    let builtin = std::fs::read_to_string("reports/sentiment-saas/charts/final-cash.svg").unwrap();
    assert!(builtin.contains("cash &lt; 0:"), "the legend where hatched bars are drawn");
}

/// `name_zh` names the scenario and a stress in the Chinese report (the
/// English one keeps `name`); `notes` become the "Assumptions and notes"
/// section, a paragraph per blank-line-separated block, in both documents.
#[test]
fn names_in_chinese_and_notes_reach_the_report() {
    let dir = scratch("report-names");
    let plan = dir.join("plan.toml");
    std::fs::write(
        &plan,
        r#"[scenario]
name = "Tea shop"
name_zh = "茶馆"
notes = """
Prices are before tax.

The lease runs
three years."""
notes_zh = "价格不含税。"
months = 12
runs = 400
seed = 3
[start]
cash = 500_000
[[segment]]
name = "tea"
name_zh = "茶饮"
customers = 100
price = 50
churn = "0.02 to 0.05"
[costs]
fixed = 4_000
[[team]]
role = "baristas"
role_zh = "咖啡师"
count = "2 to 4"
salary = 3_000
[[stress]]
name = "churn doubles"
name_zh = "流失率翻倍"
set = { "segment.tea.churn" = "*2" }
[[assert]]
name = "lasts the year"
name_zh = "撑过一年"
expect = "P(default_month <= 12) <= 10%"
"#,
    )
    .unwrap();
    for lang in ["en", "zh"] {
        let out = dir.join(lang);
        runway_ok(&["report", plan.to_str().unwrap(), "--lang", lang, "--out", out.to_str().unwrap(), "--quiet"]);
        let html = std::fs::read_to_string(out.join("report.html")).unwrap();
        let md = std::fs::read_to_string(out.join("report.md")).unwrap();
        let (name, stress, heading, check) = if lang == "zh" {
            ("茶馆", "流失率翻倍", "假设与说明", "撑过一年")
        } else {
            ("Tea shop", "churn doubles", "Assumptions and notes", "lasts the year")
        };
        assert!(html.contains(&format!("<title>{name} — ")), "{lang}: the title names {name}");
        assert!(html.contains(&format!("<td>{stress}</td>")), "{lang}: the stress table names {stress}");
        assert!(html.contains(&format!("<td>{check}</td>")), "{lang}: the checks table names {check}");
        // The segment and the role by their names, in the tables and on the tornado.
        let (segment, churn, role) =
            if lang == "zh" { ("茶饮", "茶饮月流失率", "咖啡师人数") } else { ("tea", "tea: monthly churn", "baristas: headcount") };
        assert!(html.contains(&format!("<td>{segment}</td>")), "{lang}: the segment table names {segment}");
        let tornado = std::fs::read_to_string(out.join("charts/tornado.svg")).unwrap();
        assert!(tornado.contains(&format!(">{churn}<")) && tornado.contains(&format!(">{role}<")), "{lang}: tornado labels in words: {tornado}");
        assert!(!tornado.contains(">segment.tea.churn<"), "{lang}: a dotted path on the tornado");
        for doc in [&html, &md] {
            assert!(doc.contains(heading), "{lang}: no notes section");
            if lang == "zh" {
                assert!(doc.contains("价格不含税。") && !doc.contains("Prices are before tax."), "zh: notes_zh replaces notes");
            } else {
                assert!(doc.contains("Prices are before tax.") && doc.contains("The lease runs three years."), "{lang}: notes as two paragraphs");
            }
        }
        if lang == "en" {
            assert!(html.contains("<p>Prices are before tax.</p>\n<p>The lease runs three years.</p>"), "{lang}: one paragraph per block");
            assert!(!html.contains("茶") && !html.contains("流失率翻倍") && !html.contains("撑过一年"), "the English report uses name");
        }
    }
    // Notes past the limit are refused with the key, line and limit.
    let long = std::fs::read_to_string(&plan).unwrap().replace("Prices are before tax.", &"x".repeat(20_001));
    std::fs::write(&plan, long).unwrap();
    let o = runway(&["validate", plan.to_str().unwrap()]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("scenario.notes") && err.contains("at most 20000 characters") && err.contains("plan.toml:4:"), "{err}");
}

/// When most futures are not burning over the last 12 months (burn
/// multiple 0), the key figure says so with their share and gives the
/// median of the others, rather than a median of `0 (95%: 0)`; both numbers
/// are checked against the run's own per-run table.
#[test]
fn the_burn_multiple_says_how_many_futures_are_not_burning() {
    let dir = scratch("report-burn-multiple");
    let (run, out) = (dir.join("run"), dir.join("report"));
    runway_ok(&["run", "scenarios/ai-api.toml", "--runs", "2000", "--format", "csv", "--out", run.to_str().unwrap(), "--quiet"]);
    let runs = std::fs::read_to_string(run.join("runs.csv")).unwrap();
    let mut lines = runs.lines();
    let column = lines.next().unwrap().split(',').position(|c| c == "burn_multiple").expect("a burn_multiple column");
    let values: Vec<f64> = lines.map(|l| l.split(',').nth(column).unwrap().parse().unwrap()).collect();
    let zero = values.iter().filter(|&&x| x == 0.0).count() as f64 / values.len() as f64;
    let mut burning: Vec<f64> = values.iter().copied().filter(|&x| x > 0.0).collect();
    burning.sort_by(f64::total_cmp);
    let median = burning[(burning.len() - 1) / 2];
    assert!(zero > 0.5, "the AI API plan is mostly not burning in its last year ({zero})");

    runway_ok(&["report", "scenarios/ai-api.toml", "--runs", "2000", "--out", out.to_str().unwrap(), "--quiet"]);
    let md = std::fs::read_to_string(out.join("report.md")).unwrap();
    let row = md.lines().find(|l| l.starts_with("| Burn multiple")).expect("a burn multiple row");
    let cell = row.split('|').nth(2).unwrap().trim();
    let number = |s: &str| s.trim().trim_end_matches('%').parse::<f64>().unwrap();
    let share = cell.strip_prefix("not burning in ").and_then(|s| s.split(" of futures").next()).unwrap_or_else(|| panic!("{cell}"));
    let (p, p_se) = share.split_once(" ± ").unwrap();
    // The shown share is the runs' share, to the digit its error shows.
    assert!((number(p) / 100.0 - zero).abs() <= 0.6 * number(p_se) / 100.0, "{cell} against {zero}");
    let when = cell.split("when burning, median ").nth(1).unwrap_or_else(|| panic!("{cell}"));
    let (m, m_se) = when.split_once(" ± ").unwrap();
    // The median of the burning runs, which lies between the sample
    // median's neighbours and is rounded to its error's digit.
    assert!((number(m) - median).abs() <= number(m_se), "{cell} against {median}");
    assert!(!md.contains("0 (95%: 0)"), "no uninformative median of zero");
}
