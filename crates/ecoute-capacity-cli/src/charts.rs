//! SVG charts: stacked panels of line series sharing one x axis.

use plotters::prelude::*;

/// One panel: a y axis and its series.
pub struct Panel {
    pub y_label: String,
    pub series: Vec<(String, Vec<(f64, f64)>)>,
}

const COLOURS: [RGBColor; 4] = [
    RGBColor(0, 90, 181),
    RGBColor(220, 50, 32),
    RGBColor(0, 140, 70),
    RGBColor(120, 120, 120),
];

/// Draws `panels` one above the other and returns the SVG text.
pub fn line_panels(title: &str, x_label: &str, panels: &[Panel]) -> anyhow::Result<String> {
    let mut svg = String::new();
    {
        let height = 40 + 300 * panels.len() as u32;
        let root = SVGBackend::with_string(&mut svg, (1000, height)).into_drawing_area();
        root.fill(&WHITE).map_err(draw_error)?;
        let root = root.titled(title, ("sans-serif", 20)).map_err(draw_error)?;
        let areas = root.split_evenly((panels.len(), 1));
        for (area, panel) in areas.iter().zip(panels) {
            let points = panel.series.iter().flat_map(|(_, p)| p.iter());
            let (mut x0, mut x1, mut y1) = (f64::INFINITY, f64::NEG_INFINITY, 0.0_f64);
            for &(x, y) in points {
                x0 = x0.min(x);
                x1 = x1.max(x);
                y1 = y1.max(y);
            }
            if !x0.is_finite() || x1 <= x0 {
                (x0, x1) = (0.0, 1.0);
            }
            let y1 = if y1 > 0.0 { y1 * 1.08 } else { 1.0 };
            let mut chart = ChartBuilder::on(area)
                .margin(10)
                .x_label_area_size(35)
                .y_label_area_size(60)
                .build_cartesian_2d(x0..x1, 0.0..y1)
                .map_err(draw_error)?;
            chart
                .configure_mesh()
                .x_desc(x_label)
                .y_desc(panel.y_label.as_str())
                .draw()
                .map_err(draw_error)?;
            for (i, (name, pts)) in panel.series.iter().enumerate() {
                let colour = COLOURS[i % COLOURS.len()];
                chart
                    .draw_series(LineSeries::new(pts.iter().copied(), colour.stroke_width(2)))
                    .map_err(draw_error)?
                    .label(name.as_str())
                    .legend(move |(x, y)| {
                        PathElement::new(vec![(x, y), (x + 20, y)], colour.stroke_width(2))
                    });
            }
            chart
                .configure_series_labels()
                .background_style(WHITE.mix(0.8))
                .border_style(BLACK)
                .draw()
                .map_err(draw_error)?;
        }
        root.present().map_err(draw_error)?;
    }
    Ok(svg)
}

fn draw_error<E: std::fmt::Debug>(e: E) -> anyhow::Error {
    anyhow::anyhow!("drawing the chart: {e:?}")
}

/// Writes an SVG file, naming the path on failure.
pub fn write(path: &std::path::Path, svg: &str) -> anyhow::Result<()> {
    use anyhow::Context;
    std::fs::write(path, svg).with_context(|| format!("cannot write chart {}", path.display()))
}
