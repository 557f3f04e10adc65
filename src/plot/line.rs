//! Line plots: one or several 1-D series against their coordinate, dates on the x
//! axis for datetime coordinates, NaN as gaps.

use std::path::Path;

use plotters::prelude::*;

use super::axis::{self, AxisValues};
use super::ticks::{self, TickedAxis};
use super::{FONT, MAX_LINE_POINTS, check_size, draw_err, render_png};
use crate::labelled::DataArray;
use crate::{Error, Result};

// matplotlib's tab10 cycle, so figures look like the xarray ones.
const CYCLE: [RGBColor; 6] = [
    RGBColor(31, 119, 180),
    RGBColor(255, 127, 14),
    RGBColor(44, 160, 44),
    RGBColor(214, 39, 40),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
];

/// Several 1-D series in one figure, with a legend when they have labels.
///
/// ```no_run
/// # fn demo(gmsl: &tessera::labelled::DataArray, smooth: &tessera::labelled::DataArray) -> tessera::Result<()> {
/// use tessera::plot::LinePlot;
/// LinePlot::new()
///     .series(gmsl, "daily")
///     .series(smooth, "365-day mean")
///     .title("Global mean sea level")
///     .save("gmsl.png")?;
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Debug, Default)]
pub struct LinePlot {
    series: Vec<(DataArray, String)>,
    title: String,
    size: Option<(u32, u32)>,
    ylabel: Option<String>,
}

/// One series ready to draw.
struct Drawn {
    x: AxisValues,
    y: Vec<f64>,
    label: String,
}

impl LinePlot {
    /// An empty figure.
    pub fn new() -> Self {
        LinePlot::default()
    }

    /// Adds a 1-D series; an empty `label` keeps it out of the legend.
    pub fn series(mut self, da: &DataArray, label: impl Into<String>) -> Self {
        self.series.push((da.clone(), label.into()));
        self
    }

    /// The title.
    pub fn title(mut self, title: impl Into<String>) -> Self {
        self.title = title.into();
        self
    }

    /// The y axis label (default: the first series' `long_name [units]`).
    pub fn ylabel(mut self, label: impl Into<String>) -> Self {
        self.ylabel = Some(label.into());
        self
    }

    /// The figure size in pixels (default 800x500).
    pub fn size(mut self, width: u32, height: u32) -> Self {
        self.size = Some((width, height));
        self
    }

    /// Computes the series (all in one pass each, subsampled to at most
    /// [`MAX_LINE_POINTS`]) and writes the figure as PNG.
    pub fn save(&self, path: impl AsRef<Path>) -> Result<()> {
        let (w, h) = self.size.unwrap_or((800, 500));
        let size = check_size(w, h)?;
        let Some((first, _)) = self.series.first() else {
            return Err(Error::invalid(
                "LinePlot has no series: add one with .series(..)",
            ));
        };
        let mut drawn = Vec::with_capacity(self.series.len());
        for (da, label) in &self.series {
            axis::check_plottable(da, 1, "a line plot")?;
            let (da, step) = axis::subsample(da, &da.dims()[0], MAX_LINE_POINTS)?;
            let x = axis::axis_values(&da, &da.dims()[0], step);
            let y = da.values::<f64>()?.iter().copied().collect();
            drawn.push(Drawn {
                x,
                y,
                label: label.clone(),
            });
        }
        let calendar = drawn[0].x.calendar;
        if drawn.iter().any(|d| d.x.calendar != calendar) {
            return Err(Error::invalid(
                "LinePlot series mix datetime and numeric x coordinates (or calendars)",
            ));
        }
        let ylabel = self
            .ylabel
            .clone()
            .unwrap_or_else(|| axis::value_label(first));
        let xlabel = drawn[0].x.label.clone();
        render_png(path.as_ref(), size, |buf| {
            draw(buf, size, &self.title, &xlabel, &ylabel, &drawn)
        })
    }
}

fn draw(
    buf: &mut [u8],
    size: (u32, u32),
    title: &str,
    xlabel: &str,
    ylabel: &str,
    series: &[Drawn],
) -> Result<()> {
    let root = BitMapBackend::with_buffer(buf, size).into_drawing_area();
    root.fill(&WHITE).map_err(draw_err)?;
    let (x0, x1) = axis::finite_range(series.iter().flat_map(|s| s.x.values.iter().copied()))
        .ok_or_else(|| Error::invalid("a line plot: no finite x coordinate"))?;
    let (y0, y1) = axis::finite_range(series.iter().flat_map(|s| s.y.iter().copied()))
        .map_or((0.0, 1.0), |(lo, hi)| axis::padded(lo, hi, 0.05));
    let (x0, x1) = if x1 > x0 {
        (x0, x1)
    } else {
        axis::padded(x0, x1, 0.0)
    };
    let mut builder = ChartBuilder::on(&root);
    builder
        .margin(12)
        .margin_right(24)
        .x_label_area_size(48)
        .y_label_area_size(78);
    if !title.is_empty() {
        builder.caption(title, (FONT, 20));
    }
    let xt = match series[0].x.calendar {
        Some(cal) => ticks::dates(cal, x0, x1, 8),
        None => ticks::numeric(x0, x1, 8),
    };
    let yt = ticks::numeric(y0, y1, 8);
    let mut chart = builder
        .build_cartesian_2d(TickedAxis::new(x0..x1, &xt), TickedAxis::new(y0..y1, &yt))
        .map_err(draw_err)?;
    chart
        .configure_mesh()
        .bold_line_style(BLACK.mix(0.08))
        .x_label_formatter(&|x| xt.text(*x))
        .y_label_formatter(&|y| yt.text(*y))
        .x_desc(xlabel)
        .y_desc(ylabel)
        .label_style((FONT, 14))
        .axis_desc_style((FONT, 15))
        .draw()
        .map_err(draw_err)?;
    let mut any_label = false;
    for (k, s) in series.iter().enumerate() {
        let color = CYCLE[k % CYCLE.len()];
        let style = color.stroke_width(if k == 0 { 1 } else { 2 });
        let segments = segments(&s.x.values, &s.y);
        let drawn = chart
            .draw_series(segments.into_iter().map(|seg| PathElement::new(seg, style)))
            .map_err(draw_err)?;
        if !s.label.is_empty() {
            any_label = true;
            drawn.label(s.label.as_str()).legend(move |(x, y)| {
                PathElement::new(vec![(x, y), (x + 22, y)], color.stroke_width(2))
            });
        }
    }
    if any_label {
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperLeft)
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK.mix(0.3))
            .label_font((FONT, 14))
            .draw()
            .map_err(draw_err)?;
    }
    root.present().map_err(draw_err)
}

/// Runs of finite points: NaN breaks the line, as in matplotlib. A lone finite
/// point becomes a zero-length segment so it still shows.
fn segments(x: &[f64], y: &[f64]) -> Vec<Vec<(f64, f64)>> {
    let mut out = Vec::new();
    let mut run: Vec<(f64, f64)> = Vec::new();
    for (&x, &y) in x.iter().zip(y) {
        if x.is_finite() && y.is_finite() {
            run.push((x, y));
        } else if !run.is_empty() {
            out.push(std::mem::take(&mut run));
        }
    }
    if !run.is_empty() {
        out.push(run);
    }
    for seg in &mut out {
        if seg.len() == 1 {
            seg.push(seg[0]);
        }
    }
    out
}
