//! The synthetic datasets hold the truth their attributes announce: recovered here
//! with the labelled layer in memory (no store), the way the examples recover it.

use tessera::engine::FloatFn;
use tessera::labelled::{DataArray, Dims};
use tessera::synthetic::{Precipitation, SeaLevel};

/// Least-squares slope of `y` against `x`.
fn slope(x: &[f64], y: &[f64]) -> f64 {
    let n = x.len() as f64;
    let (mx, my) = (x.iter().sum::<f64>() / n, y.iter().sum::<f64>() / n);
    let sxy: f64 = x.iter().zip(y).map(|(a, b)| (a - mx) * (b - my)).sum();
    let sxx: f64 = x.iter().map(|a| (a - mx).powi(2)).sum();
    sxy / sxx
}

fn series(da: &DataArray) -> Vec<f64> {
    da.values::<f64>().unwrap().iter().copied().collect()
}

#[test]
fn sea_level_trend_is_recovered_by_the_weighted_global_mean() {
    let ds = SeaLevel::small().dataset().unwrap();
    let sla = ds.get("sla").unwrap();
    assert_eq!(sla.shape(), &[730, 16, 32]);
    let weights = ds
        .get("latitude")
        .unwrap()
        .math(FloatFn::Deg2Rad)
        .unwrap()
        .math(FloatFn::Cos)
        .unwrap();
    let gmsl = sla
        .weighted(&weights)
        .unwrap()
        .mean(Dims::from(["latitude", "longitude"]))
        .unwrap();
    let y = series(&gmsl.astype(tessera::engine::DType::F64).unwrap());
    let years: Vec<f64> = (0..y.len()).map(|d| d as f64 / 365.25).collect();
    let trend = slope(&years, &y) * 1000.0;
    let injected = ds.attrs()["injected_trend_mm_per_yr"].as_f64().unwrap();
    assert!(
        (trend - injected).abs() < 0.05,
        "trend {trend} mm/yr, injected {injected}"
    );
    // Land and ice are missing values.
    let missing = sla
        .isel("time", 0)
        .unwrap()
        .isnull()
        .unwrap()
        .sum(Dims::All)
        .unwrap();
    let n_missing = missing.values::<i64>().unwrap().sum();
    assert!(
        n_missing > 50 && n_missing < 400,
        "{n_missing} missing of 512"
    );
}

#[test]
fn precipitation_is_non_negative_and_masked_outside_the_domain() {
    let spec = Precipitation::small();
    let ds = spec.dataset().unwrap();
    assert_eq!(ds.get("pcp").unwrap().shape(), &[2, 1461, 12, 24]);
    let pcp = ds.get("pcp").unwrap();
    let min = pcp.min(Dims::All).unwrap().values::<f32>().unwrap().sum();
    assert!(min >= 0.0, "{min}");
    let mask = ds.get("mask").unwrap().values::<f32>().unwrap();
    let first = pcp.isel("ensemble", 0).unwrap().isel("time", 0).unwrap();
    let first = first.values::<f32>().unwrap();
    for (m, p) in mask.iter().zip(first.iter()) {
        assert_eq!(*m == 1.0, !p.is_nan(), "mask {m}, pcp {p}");
    }
    // Annual means of the domain-mean temperature rise at the injected rate.
    let t = ds
        .get("t_mean")
        .unwrap()
        .mean(Dims::from(["ensemble", "y", "x"]))
        .unwrap();
    let t = series(&t.astype(tessera::engine::DType::F64).unwrap());
    let mut annual = vec![];
    let mut start = 0;
    for year in 1980..1984 {
        let days = if year % 4 == 0 { 366 } else { 365 };
        annual.push(t[start..start + days].iter().sum::<f64>() / days as f64);
        start += days;
    }
    let per_decade = slope(&[0.0, 1.0, 2.0, 3.0], &annual) * 10.0;
    assert!((per_decade - 0.3).abs() < 0.05, "{per_decade} °C/decade");
}
