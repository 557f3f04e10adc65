//! Quick-look PNG plots, like xarray's `.plot()` (feature `plot`).
//!
//! [`DataArray::plot`] picks a line plot for 1-D arrays (dates on the x axis for a
//! datetime coordinate) and a map for 2-D arrays (x = last dim, y = first dim, a
//! colour bar, NaN left blank). [`LinePlot`] draws several series with a legend and
//! [`MapPanel`] a grid of maps on one colour scale. Titles and labels come from the
//! array's name, `long_name` and `units` attributes and its coordinates, as in xarray
//! (`"sla [m]"`).
//!
//! Plotting computes through the engine, but never more than the figure can show:
//! arrays longer than [`MAX_LINE_POINTS`] (lines) or [`MAX_MAP_CELLS`] per axis (maps)
//! are first subsampled lazily with a stride (`isel_slice(.., step)`), so a huge
//! array costs only the chunks the strided selection touches. Fonts (DejaVu Sans) are
//! embedded: no system libraries are needed.
//!
//! ```no_run
//! # fn main() -> tessera::Result<()> {
//! use ndarray::{ArrayD, IxDyn};
//! use tessera::labelled::DataArray;
//! let da = DataArray::from_ndarray(
//!     "sla",
//!     ["lat", "lon"],
//!     ArrayD::from_shape_fn(IxDyn(&[90, 180]), |i| (i[0] as f64 - 45.0) / 45.0),
//!     &[90, 180],
//! )?;
//! da.plot().title("Sea level anomaly").size(900, 450).save("sla.png")?;
//! # Ok(())
//! # }
//! ```

mod axis;
mod colormap;
mod line;
mod map;
mod ticks;

pub use colormap::Colormap;
pub use line::LinePlot;
pub use map::{MapPanel, MapStyle};

use std::path::Path;
use std::sync::Once;

use crate::labelled::DataArray;
use crate::{Error, Result};

/// Series longer than this are subsampled with a stride before computing.
pub const MAX_LINE_POINTS: usize = 20_000;
/// Map axes longer than this are subsampled with a stride before computing.
pub const MAX_MAP_CELLS: usize = 1_500;

const FONT: &str = "sans-serif";
static FONT_BYTES: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");

/// Registers the embedded font with plotters (once per process).
fn ensure_font() -> Result<()> {
    static ONCE: Once = Once::new();
    let mut failed = false;
    ONCE.call_once(|| {
        failed =
            plotters::style::register_font(FONT, plotters::style::FontStyle::Normal, FONT_BYTES)
                .is_err();
    });
    if failed {
        return Err(Error::Plot("the embedded font could not be loaded".into()));
    }
    Ok(())
}

/// Turns a plotters error into ours.
fn draw_err<E: std::fmt::Display>(e: E) -> Error {
    Error::Plot(e.to_string())
}

/// A figure size in pixels, checked.
fn check_size(w: u32, h: u32) -> Result<(u32, u32)> {
    if !(100..=10_000).contains(&w) || !(100..=10_000).contains(&h) {
        return Err(Error::invalid(format!(
            "figure size {w}x{h} pixels: each side must be between 100 and 10000"
        )));
    }
    Ok((w, h))
}

/// Renders into an RGB buffer with `draw`, then writes it as PNG to `path`.
fn render_png(
    path: &Path,
    (w, h): (u32, u32),
    draw: impl FnOnce(&mut [u8]) -> Result<()>,
) -> Result<()> {
    ensure_font()?;
    let mut buf = vec![255u8; w as usize * h as usize * 3];
    draw(&mut buf)?;
    let io = |source| Error::Io {
        path: path.display().to_string(),
        source,
    };
    let file = std::fs::File::create(path).map_err(io)?;
    let mut enc = png::Encoder::new(std::io::BufWriter::new(file), w, h);
    enc.set_color(png::ColorType::Rgb);
    enc.set_depth(png::BitDepth::Eight);
    // Smooth colour gradients compress far better with per-row filter choice.
    enc.set_adaptive_filter(png::AdaptiveFilterType::Adaptive);
    enc.set_compression(png::Compression::Best);
    let png_err = |e: png::EncodingError| match e {
        png::EncodingError::IoError(source) => io(source),
        other => Error::Plot(other.to_string()),
    };
    let mut writer = enc.write_header().map_err(png_err)?;
    writer.write_image_data(&buf).map_err(png_err)?;
    writer.finish().map_err(png_err)
}

/// A quick-look plot of one array, from [`DataArray::plot`].
#[derive(Clone, Debug)]
pub struct Plot<'a> {
    da: &'a DataArray,
    title: Option<String>,
    size: Option<(u32, u32)>,
    style: MapStyle,
}

impl DataArray {
    /// A quick-look plot: a line for 1-D arrays, a map for 2-D ones (see [`crate::plot`]).
    pub fn plot(&self) -> Plot<'_> {
        Plot {
            da: self,
            title: None,
            size: None,
            style: MapStyle::default(),
        }
    }
}

impl Plot<'_> {
    /// The title (default: the scalar coordinates, as xarray writes them, e.g. `"time = 2001-01-01"`).
    pub fn title(mut self, title: impl Into<String>) -> Self {
        self.title = Some(title.into());
        self
    }

    /// The figure size in pixels (default 800x500).
    pub fn size(mut self, width: u32, height: u32) -> Self {
        self.size = Some((width, height));
        self
    }

    /// The value at the bottom of the colour scale (maps only).
    pub fn vmin(mut self, v: f64) -> Self {
        self.style.vmin = Some(v);
        self
    }

    /// The value at the top of the colour scale (maps only).
    pub fn vmax(mut self, v: f64) -> Self {
        self.style.vmax = Some(v);
        self
    }

    /// The colormap (maps only; default viridis, or RdBu_r centred on zero for data
    /// spanning zero).
    pub fn cmap(mut self, cmap: Colormap) -> Self {
        self.style.cmap = Some(cmap);
        self
    }

    /// Colour limits from the 2nd and 98th percentiles instead of the extremes (maps only).
    pub fn robust(mut self, robust: bool) -> Self {
        self.style.robust = robust;
        self
    }

    /// Computes what the figure needs and writes it as PNG.
    pub fn save(self, path: impl AsRef<Path>) -> Result<()> {
        let path = path.as_ref();
        let title = self.title.unwrap_or_else(|| axis::scalar_title(self.da));
        match self.da.dims().len() {
            1 => {
                let (w, h) = self.size.unwrap_or((800, 500));
                LinePlot::new()
                    .series(self.da, "")
                    .title(title)
                    .size(w, h)
                    .save(path)
            }
            2 => {
                let (w, h) = self.size.unwrap_or((800, 500));
                let size = check_size(w, h)?;
                map::save_single(self.da, &title, size, &self.style, path)
            }
            n => Err(Error::invalid(format!(
                "plot() draws 1-D (line) or 2-D (map) arrays; {} has {n} dims {:?}: select or reduce first",
                self.da.name().unwrap_or("the array"),
                self.da.dims()
            ))),
        }
    }
}
