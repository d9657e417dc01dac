//! SVG charts: stacked panels of line series sharing one x axis, ticks written in their
//! unit ("20 h", "80 %"), legends in a column of their own to the right of the plots so
//! that they never cover a curve, and marked points (the answers a curve was drawn for).

use std::ops::Range;

use plotters::coord::ranged1d::{DefaultFormatting, KeyPointHint, Ranged};
use plotters::prelude::*;

use crate::output::thousands;

/// What an axis counts, which decides how its ticks read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unit {
    /// Percent, values 0–100: "80 %".
    Percent,
    /// Seconds: "120 s".
    Seconds,
    /// A head-count: "12".
    Count,
    /// Hour of the week, 0 = Monday 00:00: a tick at the start of each day, "Tue 0 h".
    HourOfWeek,
    /// Hours, with thousands separators: "300,000 h".
    Hours,
}

/// One line of a panel.
pub struct Series {
    pub name: String,
    pub points: Vec<(f64, f64)>,
    /// Draw a dot on every point (for curves sampled at a few points).
    pub dots: bool,
}

/// A point marked on a panel with its label, e.g. the plan found for a target.
pub struct Mark {
    pub label: String,
    pub at: (f64, f64),
}

/// One panel: a y axis, its series, marked points and labelled horizontal lines.
pub struct Panel {
    pub y_label: String,
    pub y_unit: Unit,
    pub series: Vec<Series>,
    pub marks: Vec<Mark>,
    /// `(y, label)`: a horizontal reference line across the plot, e.g. a target.
    pub lines: Vec<(f64, String)>,
}

impl Panel {
    /// A panel of plain lines.
    pub fn lines(y_label: &str, y_unit: Unit, series: Vec<(String, Vec<(f64, f64)>)>) -> Self {
        Panel {
            y_label: y_label.into(),
            y_unit,
            series: series
                .into_iter()
                .map(|(name, points)| Series {
                    name,
                    points,
                    dots: false,
                })
                .collect(),
            marks: Vec::new(),
            lines: Vec::new(),
        }
    }
}

/// A whole chart.
pub struct Chart<'a> {
    pub title: &'a str,
    /// A sentence under the title, for what the curves alone cannot say.
    pub note: Option<String>,
    pub x_label: &'a str,
    pub x_unit: Unit,
    pub panels: Vec<Panel>,
}

/// Width of the SVG.
pub const WIDTH: u32 = 1000;
/// Width of the plots, axes included; the legends sit to the right of it.
pub const PLOT_WIDTH: u32 = 780;
const PANEL_HEIGHT: u32 = 300;
const HEADER: u32 = 60;

const COLOURS: [RGBColor; 4] = [
    RGBColor(0, 90, 181),
    RGBColor(220, 50, 32),
    RGBColor(0, 140, 70),
    RGBColor(120, 120, 120),
];
const MARK_COLOUR: RGBColor = RGBColor(0, 0, 0);

/// A tick label in its unit.
pub fn tick(unit: Unit, x: f64) -> String {
    // Ticks are whole numbers of their unit except on small percent or count axes.
    let num = |x: f64| {
        if (x - x.round()).abs() < 1e-9 {
            format!("{x:.0}")
        } else {
            format!("{x:.1}")
        }
    };
    match unit {
        Unit::Percent => format!("{} %", num(x)),
        Unit::Seconds => format!("{} s", num(x)),
        Unit::Count => num(x),
        Unit::HourOfWeek => {
            let h = x.round() as i64;
            let day = ecoute_capacity::roster::DAY_NAMES[(h.div_euclid(24) % 7) as usize];
            format!("{day} {} h", h.rem_euclid(24))
        }
        Unit::Hours => format!("{} h", thousands(x)),
    }
}

/// Tick positions for `lo..hi`: the start of each day for hours of the week, otherwise
/// about six round steps (1, 2 or 5 times a power of ten).
pub fn ticks(unit: Unit, lo: f64, hi: f64) -> Vec<f64> {
    let step = if unit == Unit::HourOfWeek {
        24.0
    } else {
        let raw = (hi - lo) / 6.0;
        let power = 10f64.powf(raw.log10().floor());
        [1.0, 2.0, 5.0, 10.0]
            .into_iter()
            .map(|m| m * power)
            .find(|s| *s >= raw)
            .unwrap_or(10.0 * power)
    };
    let mut t = (lo / step).ceil() * step;
    let mut out = Vec::new();
    while t <= hi + 1e-9 * step && out.len() < 100 {
        out.push(t);
        t += step;
    }
    out
}

/// A linear axis whose ticks are [`ticks`] (plotters' own float axis picks its ticks and
/// formats them itself).
struct Axis {
    lo: f64,
    hi: f64,
    ticks: Vec<f64>,
}

fn axis(unit: Unit, lo: f64, hi: f64) -> Axis {
    Axis {
        lo,
        hi,
        ticks: ticks(unit, lo, hi),
    }
}

impl Ranged for Axis {
    type FormatOption = DefaultFormatting;
    type ValueType = f64;

    fn map(&self, value: &f64, limit: (i32, i32)) -> i32 {
        let share = (value - self.lo) / (self.hi - self.lo);
        limit.0 + (f64::from(limit.1 - limit.0) * share + 1e-3).floor() as i32
    }

    fn key_points<Hint: KeyPointHint>(&self, hint: Hint) -> Vec<f64> {
        // Only bold lines: the light mesh would repeat them.
        if hint.weight().allow_light_points() {
            Vec::new()
        } else {
            self.ticks.clone()
        }
    }

    fn range(&self) -> Range<f64> {
        self.lo..self.hi
    }
}

/// Draws the chart and returns the SVG text.
pub fn draw(chart: &Chart) -> anyhow::Result<String> {
    let mut svg = String::new();
    {
        let height = HEADER + PANEL_HEIGHT * chart.panels.len() as u32;
        let root = SVGBackend::with_string(&mut svg, (WIDTH, height)).into_drawing_area();
        root.fill(&WHITE).map_err(draw_error)?;
        root.draw(&Text::new(
            chart.title.to_string(),
            (10, 8),
            ("sans-serif", 20).into_font(),
        ))
        .map_err(draw_error)?;
        if let Some(note) = &chart.note {
            root.draw(&Text::new(
                note.clone(),
                (10, 34),
                ("sans-serif", 15).into_font().color(&RGBColor(150, 40, 0)),
            ))
            .map_err(draw_error)?;
        }
        let (_, body) = root.split_vertically(HEADER);
        let areas = body.split_evenly((chart.panels.len(), 1));
        for (area, panel) in areas.iter().zip(&chart.panels) {
            let (plot, legend) = area.split_horizontally(PLOT_WIDTH);
            draw_panel(&plot, panel, chart)?;
            draw_legend(&legend, panel)?;
        }
        root.present().map_err(draw_error)?;
    }
    Ok(svg)
}

fn draw_panel<DB: DrawingBackend>(
    area: &DrawingArea<DB, plotters::coord::Shift>,
    panel: &Panel,
    chart: &Chart,
) -> anyhow::Result<()> {
    let xs = panel
        .series
        .iter()
        .flat_map(|s| s.points.iter())
        .chain(panel.marks.iter().map(|m| &m.at));
    let (mut x0, mut x1, mut y1) = (f64::INFINITY, f64::NEG_INFINITY, 0.0_f64);
    for &(x, y) in xs {
        x0 = x0.min(x);
        x1 = x1.max(x);
        y1 = y1.max(y);
    }
    for (y, _) in &panel.lines {
        y1 = y1.max(*y);
    }
    if !x0.is_finite() || x1 <= x0 {
        (x0, x1) = (0.0, 1.0);
    }
    let y1 = if y1 > 0.0 { y1 * 1.08 } else { 1.0 };
    let (x_unit, y_unit) = (chart.x_unit, panel.y_unit);
    let x_fmt = move |x: &f64| tick(x_unit, *x);
    let y_fmt = move |y: &f64| tick(y_unit, *y);
    let mut c = ChartBuilder::on(area)
        .margin(10)
        .x_label_area_size(35)
        .y_label_area_size(70)
        .build_cartesian_2d(axis(x_unit, x0, x1), axis(y_unit, 0.0, y1))
        .map_err(draw_error)?;
    c.configure_mesh()
        .x_desc(chart.x_label)
        .y_desc(panel.y_label.as_str())
        .x_label_formatter(&x_fmt)
        .y_label_formatter(&y_fmt)
        .draw()
        .map_err(draw_error)?;
    for (y, label) in &panel.lines {
        c.draw_series(LineSeries::new(
            [(x0, *y), (x1, *y)],
            MARK_COLOUR.mix(0.5).stroke_width(1),
        ))
        .map_err(draw_error)?;
        c.draw_series(std::iter::once(Text::new(
            label.clone(),
            (x0, *y),
            ("sans-serif", 13).into_font(),
        )))
        .map_err(draw_error)?;
    }
    for (i, s) in panel.series.iter().enumerate() {
        let colour = COLOURS[i % COLOURS.len()];
        c.draw_series(LineSeries::new(
            s.points.iter().copied(),
            colour.stroke_width(2),
        ))
        .map_err(draw_error)?;
        if s.dots {
            c.draw_series(s.points.iter().map(|&p| Circle::new(p, 3, colour.filled())))
                .map_err(draw_error)?;
        }
    }
    for m in &panel.marks {
        c.draw_series([
            EmptyElement::at(m.at) + Circle::new((0, 0), 6, MARK_COLOUR.stroke_width(2))
        ])
        .map_err(draw_error)?;
        c.draw_series(std::iter::once(
            EmptyElement::at(m.at)
                + Text::new(m.label.clone(), (8, 4), ("sans-serif", 13).into_font()),
        ))
        .map_err(draw_error)?;
    }
    Ok(())
}

/// The legend, in the column right of the plot: a swatch and a name per series.
fn draw_legend<DB: DrawingBackend>(
    area: &DrawingArea<DB, plotters::coord::Shift>,
    panel: &Panel,
) -> anyhow::Result<()> {
    for (i, s) in panel.series.iter().enumerate() {
        let colour = COLOURS[i % COLOURS.len()];
        let y = 30 + 22 * i as i32;
        area.draw(&PathElement::new(
            vec![(5, y), (25, y)],
            colour.stroke_width(2),
        ))
        .map_err(draw_error)?;
        area.draw(&Text::new(
            s.name.clone(),
            (32, y - 7),
            ("sans-serif", 14).into_font(),
        ))
        .map_err(draw_error)?;
    }
    Ok(())
}

fn draw_error<E: std::fmt::Debug>(e: E) -> anyhow::Error {
    anyhow::anyhow!("drawing the chart: {e:?}")
}

/// Writes an SVG file, naming the path on failure.
pub fn write(path: &std::path::Path, svg: &str) -> anyhow::Result<()> {
    use anyhow::Context;
    std::fs::write(path, svg).with_context(|| format!("cannot write chart {}", path.display()))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// The `x` and the text of every `<text>` element of an SVG.
    pub(crate) fn texts(svg: &str) -> Vec<(f64, String)> {
        svg.split("<text")
            .skip(1)
            .filter_map(|t| {
                let x = t.split("x=\"").nth(1)?.split('"').next()?.parse().ok()?;
                let text = t.split('>').nth(1)?.split('<').next()?.trim().to_string();
                Some((x, text))
            })
            .collect()
    }

    /// The smallest and largest `x` of each line drawn (`<polyline points="x,y …">`).
    pub(crate) fn line_spans(svg: &str) -> Vec<(f64, f64)> {
        svg.split("points=\"")
            .skip(1)
            .filter_map(|p| p.split('"').next())
            .map(|p| {
                p.split_whitespace()
                    .filter_map(|xy| xy.split(',').next()?.parse::<f64>().ok())
                    .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), x| {
                        (lo.min(x), hi.max(x))
                    })
            })
            .collect()
    }

    /// Every line lies either in the plots or in the legend column, and every legend
    /// name in the column: no legend can cover a curve.
    pub(crate) fn assert_legends_outside(svg: &str, names: &[&str]) {
        let edge = f64::from(PLOT_WIDTH);
        for (lo, hi) in line_spans(svg) {
            assert!(
                hi < edge || lo > edge,
                "a line spans {lo}..{hi} across {edge}"
            );
        }
        let texts = texts(svg);
        for name in names {
            let (x, _) = texts
                .iter()
                .find(|(_, t)| t == name)
                .unwrap_or_else(|| panic!("no legend entry {name:?} in {texts:?}"));
            assert!(*x > edge, "{name} at x = {x}");
        }
    }

    #[test]
    fn ticks_read_in_their_unit() {
        assert_eq!(tick(Unit::Percent, 80.0), "80 %");
        assert_eq!(tick(Unit::Seconds, 120.0), "120 s");
        assert_eq!(tick(Unit::HourOfWeek, 48.0), "Wed 0 h");
        assert_eq!(tick(Unit::Hours, 300_000.0), "300,000 h");
        assert_eq!(tick(Unit::Count, 12.0), "12");
        assert_eq!(ticks(Unit::HourOfWeek, 0.0, 167.0).len(), 7);
        assert_eq!(
            ticks(Unit::Percent, 0.0, 100.0),
            vec![0.0, 20.0, 40.0, 60.0, 80.0, 100.0]
        );
    }

    #[test]
    fn legends_sit_right_of_every_line() {
        let svg = draw(&Chart {
            title: "t",
            note: None,
            x_label: "hour of the week",
            x_unit: Unit::HourOfWeek,
            panels: vec![Panel::lines(
                "answered",
                Unit::Percent,
                vec![
                    ("current".into(), vec![(0.0, 10.0), (167.0, 90.0)]),
                    ("optimised".into(), vec![(0.0, 90.0), (167.0, 10.0)]),
                ],
            )],
        })
        .expect("draws");
        assert_legends_outside(&svg, &["current", "optimised"]);
        let texts = texts(&svg);
        assert!(texts.iter().any(|(_, t)| t == "80 %"), "{texts:?}");
        assert!(texts.iter().any(|(_, t)| t == "Tue 0 h"), "{texts:?}");
        assert!(!texts.iter().any(|(_, t)| t == "80.0"), "{texts:?}");
    }
}
