//! A small typed SVG layer for the report's charts: a plot frame with
//! linear scales and nice ticks, and the marks the report draws (bands,
//! lines, steps, bars). Output is deterministic text (fixed decimals), so a
//! report's bytes depend only on its numbers.
//!
//! Why not plotters: its SVG backend draws text and shapes well but has no
//! `<title>`/`role="img"`, no patterns for greyscale print, and its layout
//! (label areas, mesh) would be overridden for every chart here; the marks
//! below are a few lines each.

use std::fmt::Write;

/// Colours: one blue hue in steps (readable in greyscale print), and a
/// vermillion for the contrasting line (Okabe–Ito, safe for colour-blind readers).
pub(crate) const BAND_OUTER: &str = "#c6dbef";
pub(crate) const BAND_INNER: &str = "#6baed6";
pub(crate) const LINE: &str = "#08306b";
pub(crate) const CONTRAST: &str = "#d55e00";
pub(crate) const GRID: &str = "#d9d9d9";
pub(crate) const TEXT: &str = "#222222";

/// A linear map from data to pixels.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Scale {
    pub lo: f64,
    pub hi: f64,
    px_lo: f64,
    px_hi: f64,
}

impl Scale {
    pub fn at(&self, v: f64) -> f64 {
        let span = if self.hi > self.lo { self.hi - self.lo } else { 1.0 };
        self.px_lo + (v - self.lo) / span * (self.px_hi - self.px_lo)
    }
}

/// Up to about `n` round tick values covering [lo, hi], and the range they span.
pub fn ticks(lo: f64, hi: f64, n: usize) -> (Vec<f64>, f64, f64) {
    let (lo, hi) = if hi > lo { (lo, hi) } else { (lo - 1.0, lo + 1.0) };
    let raw = (hi - lo) / n.max(1) as f64;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0].iter().map(|m| m * mag).find(|s| *s >= raw).unwrap_or(10.0 * mag);
    let (first, last) = ((lo / step).floor() * step, (hi / step).ceil() * step);
    let count = ((last - first) / step).round() as usize;
    ((0..=count).map(|i| first + i as f64 * step).collect(), first, last)
}

/// A range with room to draw: a flat one (every value equal, as in a
/// deterministic plan) becomes ±10% of its value (±1 around 0).
pub(crate) fn widen(lo: f64, hi: f64) -> (f64, f64) {
    if hi - lo > 1e-9 * lo.abs().max(hi.abs()).max(1.0) {
        return (lo, hi);
    }
    let pad = (0.1 * lo.abs()).max(1.0);
    (lo - pad, hi + pad)
}

/// A chart: a frame of `width × height` with margins, two scales, and the
/// marks drawn so far.
pub(crate) struct Chart {
    pub x: Scale,
    pub y: Scale,
    width: f64,
    height: f64,
    body: String,
    /// Event labels placed so far: pixel extent and row, so that the next
    /// one goes to a row where it overlaps none.
    placed: Vec<(f64, f64, usize)>,
    /// Legend entries (swatch colour, dash, text), drawn below the plot.
    legends: Vec<(String, String, String)>,
}

/// Width of an 11 px label, estimated at 6.5 px a character and 11 px a
/// CJK character, which is a full em (wider than the average of the chart
/// font, so estimates err towards more room).
fn label_width(text: &str) -> f64 {
    text.chars().map(|c| if is_wide(c) { 11.0 } else { 6.5 }).sum()
}

/// A character a font draws a full em wide: CJK ideographs, kana, hangul
/// and full-width punctuation.
fn is_wide(c: char) -> bool {
    matches!(c as u32, 0x1100..=0x115F | 0x2E80..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF | 0xFE30..=0xFE4F | 0xFF00..=0xFF60 | 0xFFE0..=0xFFE6)
}

const LEFT: f64 = 78.0;
const RIGHT: f64 = 16.0;
const TOP: f64 = 14.0;
const BOTTOM: f64 = 44.0;

/// Text for HTML or SVG, in content or a double-quoted attribute.
pub(crate) fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&#39;")
}

impl Chart {
    /// A frame for x in [x_lo, x_hi] and y in [y_lo, y_hi] (widened to
    /// round ticks), with grid lines, tick labels from `fx`/`fy` and axis titles.
    pub fn new(
        (x_lo, x_hi): (f64, f64),
        (y_lo, y_hi): (f64, f64),
        (x_title, y_title): (&str, &str),
        fx: &dyn Fn(f64) -> String,
        fy: &dyn Fn(f64) -> String,
    ) -> Chart {
        let (width, height) = (640.0, 300.0);
        let (y_lo, y_hi) = widen(y_lo, y_hi);
        let (yt, y0, y1) = ticks(y_lo, y_hi, 5);
        let (xt, _, _) = ticks(x_lo, x_hi, 8);
        let x = Scale { lo: x_lo, hi: x_hi, px_lo: LEFT, px_hi: width - RIGHT };
        let y = Scale { lo: y0, hi: y1, px_lo: height - BOTTOM, px_hi: TOP };
        let mut c = Chart { x, y, width, height, body: String::new(), placed: vec![], legends: vec![] };
        for v in yt {
            let py = c.y.at(v);
            let _ = write!(c.body, r#"<line x1="{LEFT}" x2="{:.1}" y1="{py:.1}" y2="{py:.1}" stroke="{GRID}"/>"#, width - RIGHT);
            let _ = write!(c.body, r#"<text x="{:.1}" y="{:.1}" text-anchor="end">{}</text>"#, LEFT - 6.0, py + 4.0, esc(&fy(v)));
        }
        for v in xt.into_iter().filter(|v| *v >= x_lo && *v <= x_hi) {
            let px = c.x.at(v);
            let _ = write!(c.body, r#"<text x="{px:.1}" y="{:.1}" text-anchor="middle">{}</text>"#, height - BOTTOM + 16.0, esc(&fx(v)));
        }
        let _ = write!(
            c.body,
            r#"<text x="{:.1}" y="{:.1}" text-anchor="middle">{}</text><text x="12" y="{:.1}" text-anchor="middle" transform="rotate(-90 12 {:.1})">{}</text>"#,
            (LEFT + width - RIGHT) / 2.0,
            height - 6.0,
            esc(x_title),
            (TOP + height - BOTTOM) / 2.0,
            (TOP + height - BOTTOM) / 2.0,
            esc(y_title)
        );
        c
    }

    fn points(&self, xs: &[f64], ys: &[f64]) -> String {
        xs.iter().zip(ys).map(|(x, y)| format!("{:.1},{:.1}", self.x.at(*x), self.y.at(*y))).collect::<Vec<_>>().join(" ")
    }

    /// A shaded band between `lo` and `hi` over `xs`.
    pub fn band(&mut self, xs: &[f64], lo: &[f64], hi: &[f64], fill: &str) {
        let rev: Vec<f64> = xs.iter().rev().copied().collect();
        let hi_rev: Vec<f64> = hi.iter().rev().copied().collect();
        let _ = write!(self.body, r#"<polygon points="{} {}" fill="{fill}" stroke="none"/>"#, self.points(xs, lo), self.points(&rev, &hi_rev));
    }

    /// A line through the points; `dash` like "6 4", or "" for solid.
    pub fn line(&mut self, xs: &[f64], ys: &[f64], stroke: &str, width: f64, dash: &str) {
        let dash = if dash.is_empty() { String::new() } else { format!(r#" stroke-dasharray="{dash}""#) };
        let _ = write!(self.body, r#"<polyline points="{}" fill="none" stroke="{stroke}" stroke-width="{width}"{dash}/>"#, self.points(xs, ys));
    }

    /// A step line (value held until the next x).
    pub fn steps(&mut self, xs: &[f64], ys: &[f64], stroke: &str) {
        let mut sx = vec![];
        let mut sy = vec![];
        for i in 0..xs.len() {
            if i > 0 {
                sx.push(xs[i]);
                sy.push(ys[i - 1]);
            }
            sx.push(xs[i]);
            sy.push(ys[i]);
        }
        self.line(&sx, &sy, stroke, 2.0, "");
    }

    /// A horizontal reference line at `y` (e.g. zero cash).
    pub(crate) fn hline(&mut self, y: f64, stroke: &str) {
        if y >= self.y.lo && y <= self.y.hi {
            let py = self.y.at(y);
            let _ = write!(self.body, r#"<line x1="{LEFT}" x2="{:.1}" y1="{py:.1}" y2="{py:.1}" stroke="{stroke}" stroke-width="1.5"/>"#, self.width - RIGHT);
        }
    }

    /// A vertical marker at `x` with a label at the top.
    pub(crate) fn vline(&mut self, x: f64, label: &str) {
        let px = self.x.at(x);
        let _ = write!(
            self.body,
            r#"<line x1="{px:.1}" x2="{px:.1}" y1="{TOP}" y2="{:.1}" stroke="{TEXT}" stroke-dasharray="2 3"/><text x="{:.1}" y="{:.1}" font-size="11">{}</text>"#,
            self.height - BOTTOM,
            px + 3.0,
            TOP + 10.0,
            esc(label)
        );
    }

    /// An event from month `x0` to `x1` (a marker line when they are equal,
    /// else a shaded window between two marker lines) with its label at the
    /// top, in the first row where it overlaps no other event's label, and
    /// kept inside the plot (anchored at its end near the right edge).
    pub(crate) fn event(&mut self, x0: f64, x1: f64, label: &str) {
        let (p0, p1) = (self.x.at(x0), self.x.at(x1));
        let bottom = self.height - BOTTOM;
        if p1 > p0 {
            let _ = write!(self.body, r#"<rect x="{p0:.1}" y="{TOP}" width="{:.1}" height="{:.1}" fill="{TEXT}" fill-opacity="0.07"/>"#, p1 - p0, bottom - TOP);
        }
        for px in if p1 > p0 { vec![p0, p1] } else { vec![p0] } {
            let _ = write!(self.body, r#"<line x1="{px:.1}" x2="{px:.1}" y1="{TOP}" y2="{bottom:.1}" stroke="{TEXT}" stroke-dasharray="2 3"/>"#);
        }
        let w = label_width(label);
        let right_edge = self.width - RIGHT;
        let (start, anchor) = if p0 + 3.0 + w > right_edge { (p1 - 3.0 - w, "end") } else { (p0 + 3.0, "start") };
        let (a, b) = (start, start + w);
        let row = (0..).find(|&r| self.placed.iter().all(|&(pa, pb, pr)| pr != r || b + 4.0 < pa || a > pb + 4.0)).expect("a free row");
        self.placed.push((a, b, row));
        let x = if anchor == "end" { b } else { a };
        let _ = write!(self.body, r#"<text x="{x:.1}" y="{:.1}" text-anchor="{anchor}" font-size="11">{}</text>"#, TOP + 10.0 + 13.0 * row as f64, esc(label));
    }

    /// The label extents of the events placed so far, in pixels, with their
    /// rows (for tests: no two in one row overlap).
    #[cfg(test)]
    pub(crate) fn placed(&self) -> &[(f64, f64, usize)] {
        &self.placed
    }

    /// A bar from (x0, 0) to (x1, y); `hatched` draws it with the diagonal
    /// pattern (shown in greyscale too).
    pub fn bar(&mut self, x0: f64, x1: f64, y: f64, fill: &str, hatched: bool) {
        let (px0, px1) = (self.x.at(x0), self.x.at(x1));
        let (py, base) = (self.y.at(y), self.y.at(0.0f64.max(self.y.lo)));
        let fill = if hatched { "url(#HATCH)" } else { fill };
        let _ = write!(
            self.body,
            r#"<rect x="{:.1}" y="{:.1}" width="{:.1}" height="{:.1}" fill="{fill}" stroke="{LINE}" stroke-width="0.5"/>"#,
            px0.min(px1),
            py.min(base),
            (px1 - px0).abs().max(0.5),
            (base - py).abs()
        );
    }

    /// A horizontal bar from x0 to x1 in the row whose centre is at data y.
    pub(crate) fn hbar(&mut self, x0: f64, x1: f64, y: f64, thickness_px: f64, fill: &str) {
        let (px0, px1, py) = (self.x.at(x0), self.x.at(x1), self.y.at(y));
        let _ = write!(
            self.body,
            r#"<rect x="{:.1}" y="{:.1}" width="{:.1}" height="{thickness_px:.1}" fill="{fill}" stroke="{LINE}" stroke-width="0.5"/>"#,
            px0.min(px1),
            py - thickness_px / 2.0,
            (px1 - px0).abs().max(0.5)
        );
    }

    /// Text at data coordinates.
    pub fn label(&mut self, x: f64, y: f64, text: &str, anchor: &str) {
        let _ = write!(self.body, r#"<text x="{:.1}" y="{:.1}" text-anchor="{anchor}" font-size="11">{}</text>"#, self.x.at(x), self.y.at(y) + 4.0, esc(text));
    }

    /// A legend entry. Entries are drawn in [`Chart::finish`] below the
    /// axis title, outside the data area, so they never cover a band or a
    /// line.
    pub fn legend(&mut self, swatch: &str, dash: &str, text: &str) {
        self.legends.push((swatch.into(), dash.into(), text.into()));
    }

    /// The legend's entries laid out left to right below the plot, wrapping
    /// at the chart's width: `(x, y)` of each swatch's left end, and the
    /// height the legend adds.
    fn legend_layout(&self) -> (Vec<(f64, f64)>, f64) {
        const ROW: f64 = 18.0;
        let (mut x, mut row) = (LEFT, 0usize);
        let mut at = vec![];
        for (_, _, text) in &self.legends {
            let w = 28.0 + label_width(text) + 18.0;
            if x > LEFT && x + w > self.width - RIGHT {
                (x, row) = (LEFT, row + 1);
            }
            at.push((x, self.height + 6.0 + ROW * row as f64));
            x += w;
        }
        let extra = if at.is_empty() { 0.0 } else { 10.0 + ROW * (row + 1) as f64 };
        (at, extra)
    }

    /// The legend's marks, under `<g class="legend">`.
    fn legend_svg(&self, at: &[(f64, f64)]) -> String {
        let mut out = String::new();
        if at.is_empty() {
            return out;
        }
        out.push_str(r#"<g class="legend">"#);
        for ((swatch, dash, text), (x, y)) in self.legends.iter().zip(at) {
            let dash = if dash.is_empty() { String::new() } else { format!(r#" stroke-dasharray="{dash}""#) };
            let _ = write!(
                out,
                r#"<line x1="{x:.1}" x2="{:.1}" y1="{y:.1}" y2="{y:.1}" stroke="{swatch}" stroke-width="6"{dash}/><text x="{:.1}" y="{:.1}" font-size="11">{}</text>"#,
                x + 22.0,
                x + 28.0,
                y + 4.0,
                esc(text)
            );
        }
        out.push_str("</g>");
        out
    }

    /// The y pixel where the data area ends (its bottom edge); everything
    /// of the legend lies below it.
    #[cfg(test)]
    pub(crate) fn plot_bottom(&self) -> f64 {
        self.height - BOTTOM
    }

    /// The finished `<svg>`: `role="img"`, a `<title>` naming it and a
    /// `<desc>` saying what it shows; `id` keeps ids unique in one page.
    pub fn finish(self, id: &str, title: &str, desc: &str) -> String {
        let (at, extra) = self.legend_layout();
        let legend = self.legend_svg(&at);
        format!(
            r##"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" role="img" aria-labelledby="{id}-t {id}-d" font-family="system-ui, -apple-system, 'Segoe UI', 'Noto Sans', 'Noto Sans CJK SC', 'PingFang SC', 'Microsoft YaHei', sans-serif" font-size="12" fill="{TEXT}"><title id="{id}-t">{t}</title><desc id="{id}-d">{d}</desc><defs><pattern id="{id}-hatch" width="6" height="6" patternUnits="userSpaceOnUse" patternTransform="rotate(45)"><rect width="6" height="6" fill="#fdd0a2"/><line x1="0" y1="0" x2="0" y2="6" stroke="{CONTRAST}" stroke-width="2.5"/></pattern></defs><rect width="{w}" height="{h}" fill="#ffffff"/>{body}{legend}</svg>"##,
            w = self.width,
            h = self.height + extra,
            t = esc(title),
            d = esc(desc),
            body = self.body.replace("#HATCH", &format!("#{id}-hatch"))
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_labels_are_measured_a_full_em_a_character() {
        assert_eq!(label_width("median"), 39.0);
        assert_eq!(label_width("中位数"), 33.0);
        assert_eq!(label_width("输入取 P10"), 3.0 * 11.0 + 4.0 * 6.5);
    }

    #[test]
    fn ticks_are_round_and_cover_the_range() {
        let (t, lo, hi) = ticks(-123.0, 4567.0, 5);
        assert_eq!((lo, hi), (-1000.0, 5000.0));
        assert_eq!(t, vec![-1000.0, 0.0, 1000.0, 2000.0, 3000.0, 4000.0, 5000.0]);
        let (t, _, _) = ticks(0.0, 1.0, 4);
        assert_eq!(t, vec![0.0, 0.25, 0.5, 0.75, 1.0]);
    }

    #[test]
    fn flat_ranges_get_room() {
        assert_eq!(widen(100_000.0, 100_000.0), (90_000.0, 110_000.0));
        assert_eq!(widen(0.0, 0.0), (-1.0, 1.0));
        assert_eq!(widen(1.0, 2.0), (1.0, 2.0));
    }

    #[test]
    fn charts_are_accessible_images() {
        let mut c = Chart::new((0.0, 10.0), (0.0, 5.0), ("month", "cash"), &|v| format!("{v}"), &|v| format!("{v}"));
        c.line(&[0.0, 10.0], &[0.0, 5.0], LINE, 2.0, "");
        let svg = c.finish("cash", "Cash <fan>", "what it shows");
        assert!(svg.starts_with("<svg") && svg.contains(r#"role="img""#) && svg.contains("<title id=\"cash-t\">Cash &lt;fan&gt;</title>"));
        // Endpoints map to the frame's corners.
        assert!(svg.contains(&format!("points=\"{LEFT:.1},{:.1} {:.1},{TOP:.1}\"", 300.0 - BOTTOM, 640.0 - RIGHT)));
    }

    fn chart() -> Chart {
        Chart::new((1.0, 36.0), (0.0, 100.0), ("month", "cash"), &|v| format!("{v}"), &|v| format!("{v}"))
    }

    #[test]
    fn event_labels_never_overlap_and_stay_inside_the_plot() {
        let mut ch = chart();
        // Two rounds in month 12 (once "round 100%round 100%0%"), one
        // nearby, a window, and one at the right edge.
        ch.event(12.0, 12.0, "round 100%");
        ch.event(12.0, 12.0, "round 50%");
        ch.event(13.0, 13.0, "round 0%");
        ch.event(12.0, 20.0, "round 50%, months 12–20");
        ch.event(36.0, 36.0, "round 100%");
        let placed = ch.placed().to_vec();
        for (i, a) in placed.iter().enumerate() {
            for b in &placed[i + 1..] {
                assert!(a.2 != b.2 || a.1 < b.0 || b.1 < a.0, "labels overlap in row {}: {a:?} {b:?}", a.2);
            }
            assert!(a.0 >= LEFT && a.1 <= 640.0 - RIGHT, "outside the plot: {a:?}");
        }
        assert_eq!(placed.iter().map(|p| p.2).max(), Some(3), "four labels around month 12 take four rows");
        let svg = ch.finish("t", "t", "t");
        assert!(svg.contains(r#"text-anchor="end" font-size="11">round 100%"#), "the right-edge label is anchored at its end");
        assert!(svg.contains(r#"fill-opacity="0.07""#), "a window is shaded");
    }

    #[test]
    fn legends_sit_below_the_data_area_and_wrap() {
        let mut ch = chart();
        for text in ["p5–p95", "p25–p75", "median", "plan on its averages", "a fifth entry with a long name", "sixth"] {
            ch.legend(BAND_OUTER, "", text);
        }
        let (at, extra) = ch.legend_layout();
        assert!(at.iter().all(|&(_, y)| y - 8.0 > ch.plot_bottom()), "a legend entry inside the data area: {at:?}");
        assert!(at.iter().all(|&(x, _)| (LEFT..640.0 - RIGHT).contains(&x)));
        assert!(at.iter().any(|&(_, y)| y > at[0].1), "six entries wrap to a second row");
        let svg = ch.finish("t", "t", "t");
        assert!(svg.contains(&format!(r#"viewBox="0 0 640 {}""#, 300.0 + extra)), "the chart grows by the legend's height");
    }
}
