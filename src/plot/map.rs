//! Maps: a 2-D array as a raster (pcolormesh-like: each cell spans halfway to its
//! neighbours' coordinates) with a colour bar; NaN cells stay white. x is the last
//! dimension, y the first, drawn increasing upwards whatever the storage order.

use std::ops::Range;
use std::path::Path;

use plotters::coord::Shift;
use plotters::prelude::*;

use super::axis::{self, AxisValues};
use super::ticks::{self, TickedAxis};
use super::{Colormap, FONT, MAX_MAP_CELLS, check_size, draw_err, render_png};
use crate::labelled::DataArray;
use crate::{Error, Result};

/// Colour scale settings shared by [`DataArray::plot`](crate::labelled::DataArray::plot)
/// and [`MapPanel`].
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct MapStyle {
    /// Bottom of the colour scale (default: data minimum, or the 2nd percentile if robust).
    pub vmin: Option<f64>,
    /// Top of the colour scale (default: data maximum, or the 98th percentile if robust).
    pub vmax: Option<f64>,
    /// The colormap (default: viridis, or RdBu_r centred on zero for data spanning zero).
    pub cmap: Option<Colormap>,
    /// Take default limits from the 2nd and 98th percentiles.
    pub robust: bool,
}

/// One map's computed cells and cell edges, both ascending.
struct Grid {
    x: Edges,
    y: Edges,
    /// Row-major `[y][x]` in storage order; `Edges::cell` maps back to it.
    values: Vec<f64>,
    nx: usize,
    xlabel: String,
    ylabel: String,
}

/// Cell edges along one axis, ascending, with the storage position of each cell.
struct Edges {
    edges: Vec<f64>,
    reversed: bool,
}

impl Edges {
    fn new(ax: &AxisValues) -> Edges {
        let v = &ax.values;
        let n = v.len();
        let asc = v.windows(2).all(|w| w[0] < w[1]);
        let desc = v.windows(2).all(|w| w[0] > w[1]);
        // Non-monotonic or non-finite coordinates: fall back to positions.
        let (centres, reversed): (Vec<f64>, bool) =
            if v.iter().all(|x| x.is_finite()) && (asc || n == 1) {
                (v.clone(), false)
            } else if v.iter().all(|x| x.is_finite()) && desc {
                (v.iter().rev().copied().collect(), true)
            } else {
                ((0..n).map(|i| i as f64).collect(), false)
            };
        let mut edges = Vec::with_capacity(n + 1);
        if n == 1 {
            edges.extend([centres[0] - 0.5, centres[0] + 0.5]);
        } else {
            edges.push(centres[0] - (centres[1] - centres[0]) / 2.0);
            edges.extend(centres.windows(2).map(|w| (w[0] + w[1]) / 2.0));
            edges.push(centres[n - 1] + (centres[n - 1] - centres[n - 2]) / 2.0);
        }
        Edges { edges, reversed }
    }

    fn range(&self) -> Range<f64> {
        self.edges[0]..self.edges[self.edges.len() - 1]
    }

    /// The storage position of the cell holding `v`, if any.
    fn cell(&self, v: f64) -> Option<usize> {
        let n = self.edges.len() - 1;
        if !(v >= self.edges[0] && v <= self.edges[n]) {
            return None;
        }
        let i = self.edges.partition_point(|&e| e <= v).clamp(1, n) - 1;
        Some(if self.reversed { n - 1 - i } else { i })
    }
}

fn prepare(da: &DataArray, what: &str) -> Result<Grid> {
    axis::check_plottable(da, 2, what)?;
    let (ydim, xdim) = (da.dims()[0].clone(), da.dims()[1].clone());
    let (da, ystep) = axis::subsample(da, &ydim, MAX_MAP_CELLS)?;
    let (da, xstep) = axis::subsample(&da, &xdim, MAX_MAP_CELLS)?;
    let xa = axis::axis_values(&da, &xdim, xstep);
    let ya = axis::axis_values(&da, &ydim, ystep);
    let values: Vec<f64> = da.values::<f64>()?.iter().copied().collect();
    Ok(Grid {
        x: Edges::new(&xa),
        y: Edges::new(&ya),
        nx: xa.values.len(),
        values,
        xlabel: xa.label,
        ylabel: ya.label,
    })
}

/// The colour limits and colormap for some maps.
fn resolve(style: &MapStyle, grids: &[Grid]) -> (f64, f64, Colormap) {
    let mut finite: Vec<f64> = grids
        .iter()
        .flat_map(|g| g.values.iter().copied())
        .filter(|v| v.is_finite())
        .collect();
    let (mut lo, mut hi) = if finite.is_empty() {
        (0.0, 1.0)
    } else if style.robust {
        finite.sort_by(f64::total_cmp);
        (percentile(&finite, 2.0), percentile(&finite, 98.0))
    } else {
        axis::finite_range(finite.iter().copied()).unwrap_or((0.0, 1.0))
    };
    let spans_zero = lo < 0.0 && hi > 0.0;
    let cmap = style.cmap.unwrap_or(if spans_zero {
        Colormap::RdBuR
    } else {
        Colormap::Viridis
    });
    // xarray centres a diverging scale on zero unless limits are given.
    if spans_zero && style.cmap.is_none() && style.vmin.is_none() && style.vmax.is_none() {
        let m = lo.abs().max(hi.abs());
        (lo, hi) = (-m, m);
    }
    lo = style.vmin.unwrap_or(lo);
    hi = style.vmax.unwrap_or(hi);
    if hi <= lo {
        (lo, hi) = axis::padded(lo, hi, 0.0);
    }
    (lo, hi, cmap)
}

/// Linear-interpolated percentile of sorted values (numpy's default).
fn percentile(sorted: &[f64], q: f64) -> f64 {
    let pos = q / 100.0 * (sorted.len() - 1) as f64;
    let (i, f) = (pos.floor() as usize, pos.fract());
    match sorted.get(i + 1) {
        Some(&next) => sorted[i] + (next - sorted[i]) * f,
        None => sorted[i],
    }
}

pub(super) fn save_single(
    da: &DataArray,
    title: &str,
    size: (u32, u32),
    style: &MapStyle,
    path: &Path,
) -> Result<()> {
    let grid = prepare(da, "a map")?;
    let (lo, hi, cmap) = resolve(style, std::slice::from_ref(&grid));
    let label = axis::value_label(da);
    render_png(path, size, |buf| {
        let root = BitMapBackend::with_buffer(buf, size).into_drawing_area();
        root.fill(&WHITE).map_err(draw_err)?;
        let (main, bar) = root.split_horizontally(size.0.saturating_sub(110));
        let plot = draw_map(&root, &main, &grid, title, (lo, hi, cmap))?;
        draw_colorbar(&root, &bar, plot, (lo, hi, cmap), &label)?;
        root.present().map_err(draw_err)
    })
}

type Area<'a> = DrawingArea<BitMapBackend<'a>, Shift>;

/// Draws one map on `area` (pixels through `root`); returns the pixel rows of its
/// plotting area, to line the colour bar up with.
fn draw_map(
    root: &Area<'_>,
    area: &Area<'_>,
    grid: &Grid,
    title: &str,
    (lo, hi, cmap): (f64, f64, Colormap),
) -> Result<Range<i32>> {
    let mut builder = ChartBuilder::on(area);
    builder
        .margin(10)
        .x_label_area_size(44)
        .y_label_area_size(64);
    if !title.is_empty() {
        builder.caption(title, (FONT, 18));
    }
    let (xr, yr) = (grid.x.range(), grid.y.range());
    let xt = ticks::numeric(xr.start, xr.end, 6);
    let yt = ticks::numeric(yr.start, yr.end, 6);
    let mut chart = builder
        .build_cartesian_2d(
            TickedAxis::new(xr.clone(), &xt),
            TickedAxis::new(yr.clone(), &yt),
        )
        .map_err(draw_err)?;
    chart
        .configure_mesh()
        .disable_mesh()
        .x_label_formatter(&|x| xt.text(*x))
        .y_label_formatter(&|y| yt.text(*y))
        .x_desc(grid.xlabel.as_str())
        .y_desc(grid.ylabel.as_str())
        .label_style((FONT, 13))
        .axis_desc_style((FONT, 14))
        .draw()
        .map_err(draw_err)?;
    let (px, py) = chart.plotting_area().get_pixel_range();
    let cols: Vec<Option<usize>> = px
        .clone()
        .map(|p| {
            let t = (p - px.start) as f64 + 0.5;
            grid.x
                .cell(xr.start + t / px.len() as f64 * (xr.end - xr.start))
        })
        .collect();
    for p in py.clone() {
        let t = (p - py.start) as f64 + 0.5;
        let Some(row) = grid
            .y
            .cell(yr.end - t / py.len() as f64 * (yr.end - yr.start))
        else {
            continue;
        };
        for (q, col) in px.clone().zip(&cols) {
            let Some(col) = col else { continue };
            let v = grid.values[row * grid.nx + col];
            if v.is_nan() {
                continue;
            }
            let [r, g, b] = cmap.rgb((v - lo) / (hi - lo));
            root.draw_pixel((q, p), &RGBColor(r, g, b))
                .map_err(draw_err)?;
        }
    }
    // The frame, over the raster.
    chart
        .plotting_area()
        .draw(&Rectangle::new(
            [(xr.start, yr.start), (xr.end, yr.end)],
            BLACK.stroke_width(1),
        ))
        .map_err(draw_err)?;
    Ok(py)
}

/// A vertical colour bar in `area`, spanning the pixel rows `rows`.
fn draw_colorbar(
    root: &Area<'_>,
    area: &Area<'_>,
    rows: Range<i32>,
    (lo, hi, cmap): (f64, f64, Colormap),
    label: &str,
) -> Result<()> {
    let top = area.get_pixel_range().1.start;
    let bottom = area.get_pixel_range().1.end;
    let yt = ticks::numeric(lo, hi, 8);
    let mut chart = ChartBuilder::on(area)
        .margin_top((rows.start - top).max(0) as u32)
        .margin_bottom((bottom - rows.end).max(0) as u32)
        .margin_right(4)
        .set_label_area_size(LabelAreaPosition::Right, 66)
        .build_cartesian_2d(0f64..1f64, TickedAxis::new(lo..hi, &yt))
        .map_err(draw_err)?;
    chart
        .configure_mesh()
        .disable_mesh()
        .disable_x_axis()
        .y_label_formatter(&|y| yt.text(*y))
        .y_desc(label)
        .label_style((FONT, 13))
        .axis_desc_style((FONT, 14))
        .draw()
        .map_err(draw_err)?;
    let (px, py) = chart.plotting_area().get_pixel_range();
    for p in py.clone() {
        let t = 1.0 - ((p - py.start) as f64 + 0.5) / py.len() as f64;
        let [r, g, b] = cmap.rgb(t);
        for q in px.clone() {
            root.draw_pixel((q, p), &RGBColor(r, g, b))
                .map_err(draw_err)?;
        }
    }
    chart
        .plotting_area()
        .draw(&Rectangle::new(
            [(0.0, lo), (1.0, hi)],
            BLACK.stroke_width(1),
        ))
        .map_err(draw_err)
}

/// Several maps in a grid on one colour scale with one colour bar, like xarray's
/// facet plots (`col="season", col_wrap=2`).
///
/// ```no_run
/// # fn demo(seasons: &[(tessera::labelled::DataArray, &str)]) -> tessera::Result<()> {
/// use tessera::plot::MapPanel;
/// let mut panel = MapPanel::new().ncols(2).title("Mean temperature by season");
/// for (da, season) in seasons {
///     panel = panel.map(da, *season);
/// }
/// panel.save("seasons.png")?;
/// # Ok(())
/// # }
/// ```
#[derive(Clone, Debug, Default)]
pub struct MapPanel {
    maps: Vec<(DataArray, String)>,
    ncols: Option<usize>,
    title: String,
    size: Option<(u32, u32)>,
    style: MapStyle,
}

impl MapPanel {
    /// An empty panel figure.
    pub fn new() -> Self {
        MapPanel::default()
    }

    /// Adds a 2-D map with its panel title.
    pub fn map(mut self, da: &DataArray, title: impl Into<String>) -> Self {
        self.maps.push((da.clone(), title.into()));
        self
    }

    /// Panels per row (default: 2 for 4 maps, else up to 3).
    pub fn ncols(mut self, n: usize) -> Self {
        self.ncols = Some(n);
        self
    }

    /// The figure title.
    pub fn title(mut self, title: impl Into<String>) -> Self {
        self.title = title.into();
        self
    }

    /// The figure size in pixels (default: 420x300 per panel plus the colour bar).
    pub fn size(mut self, width: u32, height: u32) -> Self {
        self.size = Some((width, height));
        self
    }

    /// The colour scale (limits, colormap, robust) shared by all panels.
    pub fn style(mut self, style: MapStyle) -> Self {
        self.style = style;
        self
    }

    /// Computes the maps and writes the figure as PNG.
    pub fn save(&self, path: impl AsRef<Path>) -> Result<()> {
        let n = self.maps.len();
        if n == 0 {
            return Err(Error::invalid(
                "MapPanel has no maps: add them with .map(..)",
            ));
        }
        let ncols = match self.ncols {
            Some(0) => return Err(Error::invalid("MapPanel::ncols must be at least 1")),
            Some(c) => c.min(n),
            None if n == 4 => 2,
            None => n.min(3),
        };
        let nrows = n.div_ceil(ncols);
        let default = (ncols as u32 * 420 + 110, nrows as u32 * 300 + 40);
        let (w, h) = self.size.unwrap_or(default);
        let size = check_size(w, h)?;
        let grids = self
            .maps
            .iter()
            .map(|(da, _)| prepare(da, "a map panel"))
            .collect::<Result<Vec<_>>>()?;
        let (lo, hi, cmap) = resolve(&self.style, &grids);
        let label = axis::value_label(&self.maps[0].0);
        render_png(path.as_ref(), size, |buf| {
            let root = BitMapBackend::with_buffer(buf, size).into_drawing_area();
            root.fill(&WHITE).map_err(draw_err)?;
            let body = if self.title.is_empty() {
                root.clone()
            } else {
                root.titled(&self.title, (FONT, 20)).map_err(draw_err)?
            };
            let (cells, bar) = body.split_horizontally(size.0.saturating_sub(110));
            let areas = cells.split_evenly((nrows, ncols));
            let mut rows: Option<Range<i32>> = None;
            for ((grid, (_, title)), area) in grids.iter().zip(&self.maps).zip(&areas) {
                let r = draw_map(&root, area, grid, title, (lo, hi, cmap))?;
                rows = Some(match rows {
                    None => r,
                    Some(a) => a.start.min(r.start)..a.end.max(r.end),
                });
            }
            let rows = rows.unwrap_or(0..size.1 as i32);
            draw_colorbar(&root, &bar, rows, (lo, hi, cmap), &label)?;
            root.present().map_err(draw_err)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edges_find_cells_in_storage_order() {
        let desc = Edges::new(&AxisValues {
            values: vec![30.0, 20.0, 10.0],
            calendar: None,
            label: String::new(),
        });
        assert_eq!(desc.range(), 5.0..35.0);
        assert_eq!(desc.cell(32.0), Some(0));
        assert_eq!(desc.cell(11.0), Some(2));
        assert_eq!(desc.cell(40.0), None);
        assert_eq!(percentile(&[0.0, 1.0, 2.0, 3.0, 4.0], 50.0), 2.0);
        assert_eq!(percentile(&[0.0, 10.0], 2.0), 0.2);
    }
}
