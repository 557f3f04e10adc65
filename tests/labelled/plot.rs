//! Quick-look plots (feature `plot`): each figure is rendered into a temp dir, decoded
//! back, and checked for its size and for pixels where the data should (and should
//! not) be drawn; plus the typed errors.

use std::path::PathBuf;

use ndarray::{Array, ArrayD, IxDyn};
use tessera::Error;
use tessera::engine::LazyArray;
use tessera::labelled::{Attrs, DataArray, Variable};
use tessera::plot::{Colormap, LinePlot, MapPanel, MapStyle};
use tessera::time::{Calendar, parse_datetime_str};

fn out_dir() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("tessera-plot-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Decodes a PNG into (width, height, RGB bytes).
fn decode(path: &PathBuf) -> (u32, u32, Vec<u8>) {
    let dec = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(path).unwrap()));
    let mut reader = dec.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).unwrap();
    assert_eq!(info.color_type, png::ColorType::Rgb);
    buf.truncate(info.buffer_size());
    (info.width, info.height, buf)
}

fn pixel(img: &(u32, u32, Vec<u8>), x: u32, y: u32) -> [u8; 3] {
    let i = ((y * img.0 + x) * 3) as usize;
    [img.2[i], img.2[i + 1], img.2[i + 2]]
}

fn attrs(pairs: &[(&str, &str)]) -> Attrs {
    let mut a = Attrs::new();
    for (k, v) in pairs {
        a.insert(k.to_string(), (*v).into());
    }
    a
}

/// A daily datetime coordinate of `n` days from 1993-01-01.
fn time_coord(n: usize) -> Variable {
    let cal = Calendar::Standard;
    let start = parse_datetime_str("1993-01-01", cal).unwrap().0;
    let t: Vec<i64> = (0..n as i64).map(|d| start + d * 86_400_000_000).collect();
    Variable::new(
        ["time"],
        LazyArray::from_ndarray(Array::from_shape_vec(IxDyn(&[n]), t).unwrap(), &[n]).unwrap(),
    )
    .unwrap()
    .with_encoding(attrs(&[("calendar", "standard")]))
}

fn gmsl(n: usize) -> DataArray {
    gmsl_with(n, 0.01)
}

/// A trend plus an annual cycle of amplitude `amp` (0 gives the trend line).
fn gmsl_with(n: usize, amp: f64) -> DataArray {
    let y = ArrayD::from_shape_fn(IxDyn(&[n]), |i| {
        let t = i[0] as f64;
        0.003 * t / 365.0 + amp * (t * 2.0 * std::f64::consts::PI / 365.25).sin()
    });
    DataArray::from_ndarray("gmsl", ["time"], y, &[1000])
        .unwrap()
        .with_coord("time", time_coord(n))
        .unwrap()
        .with_attrs(attrs(&[
            ("long_name", "global mean sea level"),
            ("units", "m"),
        ]))
}

/// sla(lat: 60 descending, lon: 120) with the southern half NaN (land).
fn sla_map() -> DataArray {
    let (ny, nx) = (60, 120);
    let v = ArrayD::from_shape_fn(IxDyn(&[ny, nx]), |i| {
        if i[0] >= ny / 2 {
            f64::NAN
        } else {
            (i[1] as f64 / 10.0).sin() * 0.2
        }
    });
    let lat: Vec<f64> = (0..ny).map(|j| 88.5 - 3.0 * j as f64).collect();
    let lon: Vec<f64> = (0..nx).map(|i| 1.5 + 3.0 * i as f64).collect();
    DataArray::from_ndarray("sla", ["lat", "lon"], v, &[20, 60])
        .unwrap()
        .with_coord_values("lat", lat)
        .unwrap()
        .with_coord_values("lon", lon)
        .unwrap()
        .with_attrs(attrs(&[("units", "m")]))
}

/// Counts non-white pixels in a box.
fn inked(img: &(u32, u32, Vec<u8>), xs: std::ops::Range<u32>, ys: std::ops::Range<u32>) -> usize {
    let mut n = 0;
    for y in ys {
        for x in xs.clone() {
            if pixel(img, x, y) != [255, 255, 255] {
                n += 1;
            }
        }
    }
    n
}

#[test]
fn datetime_series_renders_at_requested_size() {
    let path = out_dir().join("gmsl.png");
    gmsl(3000).plot().size(640, 400).save(&path).unwrap();
    let img = decode(&path);
    assert_eq!((img.0, img.1), (640, 400));
    // The line (tab10 blue) is drawn somewhere, the corner is background.
    let blue = (0..img.1)
        .flat_map(|y| (0..img.0).map(move |x| (x, y)))
        .filter(|&(x, y)| pixel(&img, x, y) == [31, 119, 180])
        .count();
    assert!(blue > 300, "line pixels: {blue}");
    assert_eq!(pixel(&img, 2, 2), [255, 255, 255]);
}

#[test]
fn map_with_nans_and_descending_latitude() {
    let path = out_dir().join("sla.png");
    sla_map().plot().size(800, 500).save(&path).unwrap();
    let img = decode(&path);
    assert_eq!((img.0, img.1), (800, 500));
    // Plotting area: roughly x 80..680, y 20..450. Latitude is drawn ascending
    // upwards, so the NaN (southern) half is the lower half of the plot: blank;
    // the northern half is coloured.
    let upper = inked(&img, 150..600, 60..180);
    let lower = inked(&img, 150..600, 300..420);
    assert!(upper > 50_000, "data region should be coloured: {upper}");
    assert_eq!(lower, 0, "NaN region should be blank");
}

#[test]
fn robust_limits_and_explicit_cmap() {
    let path = out_dir().join("sla_robust.png");
    sla_map()
        .plot()
        .robust(true)
        .cmap(Colormap::Viridis)
        .vmin(-0.1)
        .title("sla, robust")
        .save(&path)
        .unwrap();
    let img = decode(&path);
    assert_eq!((img.0, img.1), (800, 500));
    // Viridis has no white: the data half is fully inked.
    assert!(inked(&img, 150..600, 60..180) == 450 * 120);
}

#[test]
fn multi_series_with_legend() {
    let daily = gmsl(2000);
    let trend = gmsl_with(2000, 0.0);
    // NaN at the ends, as a centred rolling mean leaves them: drawn as gaps.
    let mut v = gmsl_with(2000, 0.002).values::<f64>().unwrap();
    v.slice_mut(ndarray::s![..182]).fill(f64::NAN);
    v.slice_mut(ndarray::s![1818..]).fill(f64::NAN);
    let smooth = DataArray::from_ndarray("smooth", ["time"], v, &[2000])
        .unwrap()
        .with_coord("time", time_coord(2000))
        .unwrap();
    let path = out_dir().join("multi.png");
    LinePlot::new()
        .series(&daily, "daily")
        .series(&smooth, "365-day mean")
        .series(&trend, "trend")
        .title("GMSL")
        .size(900, 450)
        .save(&path)
        .unwrap();
    let img = decode(&path);
    assert_eq!((img.0, img.1), (900, 450));
    let orange = (0..img.1)
        .flat_map(|y| (0..img.0).map(move |x| (x, y)))
        .filter(|&(x, y)| pixel(&img, x, y) == [255, 127, 14])
        .count();
    assert!(orange > 100, "second series drawn: {orange}");
    let green = (0..img.1)
        .flat_map(|y| (0..img.0).map(move |x| (x, y)))
        .filter(|&(x, y)| pixel(&img, x, y) == [44, 160, 44])
        .count();
    assert!(green > 100, "third series drawn: {green}");
}

#[test]
fn four_panel_figure() {
    let m = sla_map();
    let path = out_dir().join("panel.png");
    let mut panel = MapPanel::new().title("Seasons").style(MapStyle {
        cmap: Some(Colormap::RdBuR),
        ..MapStyle::default()
    });
    for s in ["DJF", "MAM", "JJA", "SON"] {
        panel = panel.map(&m, s);
    }
    panel.save(&path).unwrap();
    let img = decode(&path);
    assert_eq!((img.0, img.1), (2 * 420 + 110, 2 * 300 + 40));
    // Each of the four panels has ink in its upper data half.
    for (cx, cy) in [(210, 120), (630, 120), (210, 420), (630, 420)] {
        assert!(inked(&img, cx - 40..cx + 40, cy - 20..cy) > 0);
    }
}

#[test]
fn errors_are_typed() {
    let dir = out_dir();
    let cube = DataArray::from_ndarray(
        "c",
        ["a", "b", "c"],
        ArrayD::<f64>::zeros(IxDyn(&[2, 2, 2])),
        &[2, 2, 2],
    )
    .unwrap();
    let e = cube.plot().save(dir.join("c.png")).unwrap_err();
    assert!(
        matches!(&e, Error::InvalidArgument(m) if m.contains("3 dims")),
        "{e}"
    );

    let empty =
        DataArray::from_ndarray("e", ["x"], ArrayD::<f64>::zeros(IxDyn(&[0])), &[1]).unwrap();
    let e = empty.plot().save(dir.join("e.png")).unwrap_err();
    assert!(
        matches!(&e, Error::InvalidArgument(m) if m.contains("empty")),
        "{e}"
    );

    let flags =
        DataArray::from_ndarray("f", ["x"], ArrayD::from_elem(IxDyn(&[3]), true), &[3]).unwrap();
    let e = flags.plot().save(dir.join("f.png")).unwrap_err();
    assert!(
        matches!(&e, Error::InvalidArgument(m) if m.contains("booleans")),
        "{e}"
    );

    let e = gmsl(10)
        .plot()
        .save(dir.join("no/such/dir/x.png"))
        .unwrap_err();
    assert!(
        matches!(&e, Error::Io { path, .. } if path.contains("no/such/dir")),
        "{e}"
    );

    let e = gmsl(10)
        .plot()
        .size(10, 10)
        .save(dir.join("s.png"))
        .unwrap_err();
    assert!(matches!(e, Error::InvalidArgument(_)));

    assert!(matches!(
        LinePlot::new().save(dir.join("l.png")),
        Err(Error::InvalidArgument(_))
    ));
    assert!(matches!(
        MapPanel::new().save(dir.join("p.png")),
        Err(Error::InvalidArgument(_))
    ));
    let e = MapPanel::new()
        .map(&gmsl(5), "1-D")
        .save(dir.join("p.png"))
        .unwrap_err();
    assert!(
        matches!(&e, Error::InvalidArgument(m) if m.contains("2-D")),
        "{e}"
    );
    assert!(matches!(
        Colormap::from_name("jet"),
        Err(Error::InvalidArgument(_))
    ));
}

#[test]
fn huge_series_is_subsampled_before_computing() {
    // 20 million points from a generator; the plot computes a strided selection of
    // at most MAX_LINE_POINTS (stride 1000), not the whole series.
    use std::sync::Arc;
    use std::sync::atomic::{AtomicUsize, Ordering};
    let n = 20_000_000usize;
    let generated = Arc::new(AtomicUsize::new(0));
    let g = generated.clone();
    let grid = tessera::engine::ChunkGrid::regular(&[n], &[500]).unwrap();
    let data = LazyArray::from_fn(
        "ramp",
        tessera::engine::DType::F64,
        grid,
        move |_, region| {
            let r = region[0].clone();
            g.fetch_add(r.len(), Ordering::Relaxed);
            Ok(tessera::engine::ArrayData::new(ArrayD::from_shape_fn(
                IxDyn(&[r.len()]),
                |i| (r.start + i[0]) as f64,
            )))
        },
    );
    let da = DataArray::from_lazy("ramp", ["x"], data).unwrap();
    let path = out_dir().join("huge.png");
    da.plot().save(&path).unwrap();
    let img = decode(&path);
    assert_eq!((img.0, img.1), (800, 500));
    // The stride (1000) is twice the chunk length (500): every other chunk holds no
    // selected element and is never generated.
    let generated = generated.load(Ordering::Relaxed);
    assert!(generated <= n / 2, "generated {generated} of {n} elements");
}
