//! Writes the two sample figures in docs/: a sea-level series with its 365-day
//! running mean and trend, and a map with land (NaN) on a descending latitude.
//! Synthetic data; run with `cargo run --example plot_quicklook --features plot`.

use ndarray::{Array, ArrayD, IxDyn};
use tessera::engine::LazyArray;
use tessera::labelled::{Attrs, DataArray, Variable};
use tessera::plot::LinePlot;
use tessera::time::{Calendar, parse_datetime_str};

fn attrs(pairs: &[(&str, &str)]) -> Attrs {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), (*v).into()))
        .collect()
}

fn series(name: &str, y: Vec<f64>, time: &Variable) -> tessera::Result<DataArray> {
    let n = y.len();
    Ok(
        DataArray::from_ndarray(name, ["time"], Array::from_vec(y).into_dyn(), &[n])?
            .with_coord("time", time.clone())?
            .with_attrs(attrs(&[
                ("long_name", "global mean sea level"),
                ("units", "m"),
            ])),
    )
}

fn main() -> tessera::Result<()> {
    std::fs::create_dir_all("docs").ok();
    // Daily GMSL, 1993-2022: trend, annual cycle, noise (a fixed LCG, no rand crate).
    let cal = Calendar::Standard;
    let start = parse_datetime_str("1993-01-01", cal)?.0;
    let n = 30 * 365;
    let t: Vec<i64> = (0..n as i64).map(|d| start + d * 86_400_000_000).collect();
    let time = Variable::new(
        ["time"],
        LazyArray::from_ndarray(
            Array::from_shape_vec(IxDyn(&[n]), t).expect("n times"),
            &[n],
        )?,
    )?
    .with_encoding(attrs(&[("calendar", "standard")]));
    let mut seed = 12345u64;
    let daily: Vec<f64> = (0..n)
        .map(|d| {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let noise = ((seed >> 11) as f64 / (1u64 << 53) as f64 - 0.5) * 0.012;
            let yr = d as f64 / 365.25;
            0.0033 * yr + 0.00004 * yr * yr + 0.005 * (yr * std::f64::consts::TAU).sin() + noise
        })
        .collect();
    let window = 365;
    let mean: Vec<f64> = (0..n)
        .map(|i| {
            let (a, b) = (i as isize - window / 2, i as isize + window / 2);
            if a < 0 || b >= n as isize {
                f64::NAN
            } else {
                daily[a as usize..=b as usize].iter().sum::<f64>() / (b - a + 1) as f64
            }
        })
        .collect();
    let trend: Vec<f64> = (0..n).map(|d| 0.0036 * d as f64 / 365.25 - 0.004).collect();
    LinePlot::new()
        .series(&series("gmsl", daily, &time)?, "daily")
        .series(&series("gmsl_365d", mean, &time)?, "365-day mean")
        .series(&series("trend", trend, &time)?, "linear trend")
        .title("Global mean sea level (synthetic)")
        .size(800, 420)
        .save("docs/plot-line.png")?;

    // Temperature on a 2-degree grid, latitude stored north to south, NaN over
    // two rectangular "continents".
    let (ny, nx) = (90, 180);
    let lat: Vec<f64> = (0..ny).map(|j| 89.0 - 2.0 * j as f64).collect();
    let lon: Vec<f64> = (0..nx).map(|i| 1.0 + 2.0 * i as f64).collect();
    let v = ArrayD::from_shape_fn(IxDyn(&[ny, nx]), |ix| {
        let (la, lo) = (lat[ix[0]], lon[ix[1]]);
        let land = (20.0..60.0).contains(&la) && (240.0..290.0).contains(&lo)
            || (-30.0..10.0).contains(&la) && (10.0..40.0).contains(&lo);
        if land {
            f64::NAN
        } else {
            2.0 + 26.0 * la.to_radians().cos().powi(2) + 1.5 * (lo.to_radians() * 3.0).sin()
        }
    });
    DataArray::from_ndarray("tas", ["lat", "lon"], v, &[45, 90])?
        .with_coord_values("lat", lat)?
        .with_coord_values("lon", lon)?
        .with_attrs(attrs(&[
            ("long_name", "sea surface temperature"),
            ("units", "degC"),
        ]))
        .plot()
        .title("Mean SST (synthetic)")
        .size(800, 420)
        .save("docs/plot-map.png")?;
    println!("wrote docs/plot-line.png and docs/plot-map.png");
    Ok(())
}
