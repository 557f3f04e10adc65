//! Plots as PNG bytes for a notebook (`to_png`, what `evcxr_display` sends as
//! `image/png`): a line, a map and a panel, and a typed error for a 3-d array.

use ndarray::{Array, IxDyn};
use tessera::labelled::DataArray;
use tessera::plot::{LinePlot, MapPanel};

const PNG: [u8; 8] = [0x89, b'P', b'N', b'G', b'\r', b'\n', 0x1a, b'\n'];

/// Width and height from the IHDR chunk.
fn size(png: &[u8]) -> (u32, u32) {
    assert_eq!(png[..8], PNG, "not a PNG");
    let be = |i: usize| u32::from_be_bytes([png[i], png[i + 1], png[i + 2], png[i + 3]]);
    (be(16), be(20))
}

#[test]
fn figures_render_to_png_bytes() {
    let line = DataArray::from_ndarray(
        "h",
        ["x"],
        Array::from_shape_fn(IxDyn(&[50]), |i| i[0] as f64),
        &[10],
    )
    .unwrap();
    let map = DataArray::from_ndarray(
        "m",
        ["y", "x"],
        Array::from_shape_fn(IxDyn(&[20, 30]), |i| (i[0] + i[1]) as f64),
        &[20, 30],
    )
    .unwrap();
    assert_eq!(
        size(&line.plot().size(400, 300).to_png().unwrap()),
        (400, 300)
    );
    assert_eq!(size(&map.plot().to_png().unwrap()), (800, 500));
    let lp = LinePlot::new()
        .series(&line, "a")
        .series(&line, "b")
        .size(300, 200);
    assert_eq!(size(&lp.to_png().unwrap()), (300, 200));
    let panel = MapPanel::new()
        .map(&map, "one")
        .map(&map, "two")
        .size(600, 300);
    assert_eq!(size(&panel.to_png().unwrap()), (600, 300));
    let cube = DataArray::from_ndarray(
        "c",
        ["t", "y", "x"],
        Array::<f64, _>::zeros(IxDyn(&[2, 2, 2])),
        &[2, 2, 2],
    )
    .unwrap();
    let err = cube.plot().to_png().unwrap_err().to_string();
    assert!(err.contains("3 dims"), "{err}");
}
