//! Plots inline in a notebook: the PNG of a figure as bytes, and evcxr's `image/png`
//! message (the PNG in base64).

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};

use base64::Engine as _;

use crate::plot::{LinePlot, MapPanel, Plot};
use crate::{Error, Result};

/// Renders through `save` into a private temporary file and returns its bytes (the
/// plot module draws to files; the file is removed whatever happens).
fn png_via_file(save: impl FnOnce(&PathBuf) -> Result<()>) -> Result<Vec<u8>> {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let path = std::env::temp_dir().join(format!(
        "tessera-plot-{}-{}.png",
        std::process::id(),
        NEXT.fetch_add(1, Ordering::Relaxed)
    ));
    let drawn = save(&path);
    let bytes = drawn.and_then(|()| {
        std::fs::read(&path).map_err(|source| Error::Io {
            path: path.display().to_string(),
            source,
        })
    });
    let _ = std::fs::remove_file(&path);
    bytes
}

/// evcxr's message showing `png` inline.
pub(crate) fn png_message(png: &[u8]) -> String {
    super::evcxr::message(
        "image/png",
        &base64::engine::general_purpose::STANDARD.encode(png),
    )
}

/// Prints the figure for evcxr, or the error as text (a cell's display cannot fail).
fn display(png: Result<Vec<u8>>) {
    match png {
        Ok(png) => print!("{}", png_message(&png)),
        Err(e) => println!("plot failed: {e}"),
    }
}

impl Plot<'_> {
    /// The figure as PNG bytes (what [`save`](Self::save) writes).
    pub fn to_png(&self) -> Result<Vec<u8>> {
        png_via_file(|p| self.clone().save(p))
    }

    /// Shows the figure inline in the evcxr Jupyter kernel (`image/png`); a figure
    /// that cannot be drawn prints its error instead.
    pub fn evcxr_display(&self) {
        display(self.to_png());
    }
}

impl LinePlot {
    /// The figure as PNG bytes (what [`save`](Self::save) writes).
    pub fn to_png(&self) -> Result<Vec<u8>> {
        png_via_file(|p| self.save(p))
    }

    /// Shows the figure inline in the evcxr Jupyter kernel (`image/png`).
    pub fn evcxr_display(&self) {
        display(self.to_png());
    }
}

impl MapPanel {
    /// The figure as PNG bytes (what [`save`](Self::save) writes).
    pub fn to_png(&self) -> Result<Vec<u8>> {
        png_via_file(|p| self.save(p))
    }

    /// Shows the figure inline in the evcxr Jupyter kernel (`image/png`).
    pub fn evcxr_display(&self) {
        display(self.to_png());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_png_message_carries_base64_of_the_bytes() {
        let m = png_message(&[0x89, b'P', b'N', b'G']);
        assert_eq!(
            m,
            "EVCXR_BEGIN_CONTENT image/png\niVBORw==\nEVCXR_END_CONTENT\n"
        );
    }

    #[test]
    fn a_failed_figure_leaves_no_file() {
        let err = png_via_file(|_| Err(Error::invalid("no"))).unwrap_err();
        assert!(err.to_string().contains("no"));
    }
}
