//! Gridded daily precipitation and temperature ensembles over the contiguous US, with
//! the schema of the NCAR ensemble (Newman et al. 2015): dims `ensemble`, `time`, `y`,
//! `x`; 2-D `lat`/`lon`; `pcp`, `t_mean`, `t_range`, `elevation`, `mask`.

use std::f64::consts::{PI, TAU};
use std::sync::Arc;

use ndarray::{ArrayD, IxDyn};
use serde_json::json;

use super::{Packing, attrs, daily_time, generated, normal, uniform};
use crate::engine::{ChunkGrid, LazyArray};
use crate::labelled::{Dataset, Variable};
use crate::time::{Calendar, parse_datetime_str};
use crate::{Error, Result};

const DAYS_PER_YEAR: f64 = 365.25;
/// Day of the year on which temperature is lowest.
const COLDEST_DAY: f64 = 15.0;
const WET_DAY_PROBABILITY: f64 = 0.35;
const LAPSE_RATE_C_PER_M: f64 = 6.5e-3;

/// The size, chunking and injected truth of a synthetic meteorological ensemble.
#[derive(Clone, Debug)]
pub struct Precipitation {
    /// Ensemble members.
    pub n_ensemble: usize,
    /// Whole years of daily data from 1980-01-01.
    pub n_years: usize,
    /// Grid rows (south to north).
    pub ny: usize,
    /// Grid columns (west to east).
    pub nx: usize,
    /// Time steps per chunk (chunks hold one member and the whole grid).
    pub time_chunk: usize,
    /// The warming trend of `t_mean`, °C per decade.
    pub trend_c_per_decade: f64,
    /// Half the seasonal swing of daily `t_mean`, °C.
    pub seasonal_half_range_c: f64,
    /// How the data variables are stored.
    pub packing: Packing,
    /// Seed of the noise.
    pub seed: u64,
}

impl Precipitation {
    /// The embedded fixture: 2 members, 4 years, a 12 × 24 grid.
    pub fn small() -> Precipitation {
        Precipitation {
            n_ensemble: 2,
            n_years: 4,
            ny: 12,
            nx: 24,
            time_chunk: 366,
            trend_c_per_decade: 0.3,
            seasonal_half_range_c: 12.0,
            packing: Packing::Int16,
            seed: 1980,
        }
    }

    /// A benchmark size: 4 members, 10 years on the real 224 × 464 grid (≈ 6 GB per variable as float32).
    pub fn medium() -> Precipitation {
        Precipitation {
            n_ensemble: 4,
            n_years: 10,
            ny: 224,
            nx: 464,
            time_chunk: 100,
            packing: Packing::Float32,
            ..Precipitation::small()
        }
    }

    /// The real product's size: 9 members, 1980–2012.
    pub fn full() -> Precipitation {
        Precipitation {
            n_ensemble: 9,
            n_years: 33,
            ..Precipitation::medium()
        }
    }

    /// Daily steps in the covered years.
    pub fn n_time(&self) -> Result<usize> {
        let cal = Calendar::Standard;
        let start = parse_datetime_str("1980-01-01", cal)?.0;
        let end = parse_datetime_str(&format!("{}-01-01", 1980 + self.n_years), cal)?.0;
        Ok(((end - start) / 86_400_000_000) as usize)
    }

    /// The lazy dataset (nothing is generated until it is computed or written).
    pub fn dataset(&self) -> Result<Dataset> {
        if self.n_ensemble == 0 || self.ny == 0 || self.nx == 0 {
            return Err(Error::invalid(format!(
                "empty ensemble or grid in {self:?}"
            )));
        }
        let n_time = self.n_time()?;
        let field = Arc::new(Field::new(self));
        let (ny, nx) = (self.ny, self.nx);
        let grid4 = ChunkGrid::regular(
            &[self.n_ensemble, n_time, ny, nx],
            &[1, self.time_chunk.clamp(1, n_time.max(1)), ny, nx],
        )?;
        let grid2 = ChunkGrid::regular(&[ny, nx], &[ny, nx])?;
        let mut ds = Dataset::new();
        ds.insert_coord("time", daily_time(n_time, "1980-01-01", "1980-01-01")?)?;
        for (name, values, units, long_name) in [
            ("lat", &field.lat, "degrees_north", "latitude"),
            ("lon", &field.lon, "degrees_east", "longitude"),
        ] {
            let a = ArrayD::from_shape_vec(IxDyn(&[ny, nx]), values.clone()).expect("grid size");
            let var =
                Variable::new(["y", "x"], LazyArray::from_ndarray(a, &[ny, nx])?)?.with_attrs(
                    attrs([("units", json!(units)), ("long_name", json!(long_name))]),
                );
            ds.insert_coord(name, var)?;
        }
        let space = ["y", "x"];
        let full = ["ensemble", "time", "y", "x"];
        let statics: [(&str, &str, &str, f64); 2] = [
            ("elevation", "m", "elevation", 1.0),
            ("mask", "1", "land inside the domain", 1.0),
        ];
        for (name, units, long_name, scale) in statics {
            let f = field.clone();
            let which = name.to_string();
            let var = generated(name, &space, grid2.clone(), move |at| {
                f.fixed(&which, at[0], at[1]) as f32
            })?
            .with_attrs(attrs([
                ("units", json!(units)),
                ("long_name", json!(long_name)),
            ]))
            .with_encoding(if name == "mask" {
                Packing::Float32.encoding(scale)
            } else {
                self.packing.encoding(scale)
            });
            ds.insert(name, var)?;
        }
        let daily: [(&str, &str, &str, f64); 3] = [
            ("pcp", "mm/day", "daily precipitation", 0.01),
            ("t_mean", "degC", "daily mean temperature", 0.01),
            ("t_range", "degC", "daily temperature range", 0.01),
        ];
        for (name, units, long_name, scale) in daily {
            let f = field.clone();
            let which = name.to_string();
            let var = generated(name, &full, grid4.clone(), move |at| {
                f.daily(&which, at[0], at[1], at[2], at[3]) as f32
            })?
            .with_attrs(attrs([
                ("units", json!(units)),
                ("long_name", json!(long_name)),
            ]))
            .with_encoding(self.packing.encoding(scale));
            ds.insert(name, var)?;
        }
        *ds.attrs_mut() = attrs([
            (
                "title",
                json!("Synthetic CONUS daily meteorological ensemble (NCAR ensemble schema)"),
            ),
            ("source", json!("tessera::synthetic::Precipitation")),
            (
                "injected_tmean_trend_c_per_decade",
                json!(self.trend_c_per_decade),
            ),
            (
                "injected_tmean_seasonal_range_c",
                json!(2.0 * self.seasonal_half_range_c),
            ),
        ]);
        Ok(ds)
    }
}

/// cos of the seasonal phase for each day of `n_years` calendar years from 1980, one
/// full cycle per calendar year, so that each year's mean of the cycle is exactly 0
/// and annual means carry the trend alone.
fn calendar_season(n_years: usize) -> Vec<f64> {
    (1980..1980 + n_years)
        .flat_map(|year| {
            let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
            let days = if leap { 366 } else { 365 };
            (0..days).map(move |d| (TAU * (d as f64 - COLDEST_DAY) / days as f64).cos())
        })
        .collect()
}

/// The analytic fields, with per-axis terms precomputed.
struct Field {
    seed: u64,
    n_ensemble: usize,
    nx: usize,
    lat: Vec<f64>,
    lon: Vec<f64>,
    inside: Vec<bool>,
    elevation: Vec<f64>,
    /// cos of the seasonal phase per day (1 on the coldest day).
    season: Vec<f64>,
    trend_c_per_day: f64,
    half_range: f64,
}

impl Field {
    fn new(spec: &Precipitation) -> Field {
        let (ny, nx) = (spec.ny, spec.nx);
        let cell =
            |y: usize, x: usize| ((y as f64 + 0.5) / ny as f64, (x as f64 + 0.5) / nx as f64);
        let mut lat = Vec::with_capacity(ny * nx);
        let mut lon = Vec::with_capacity(ny * nx);
        let mut inside = Vec::with_capacity(ny * nx);
        for y in 0..ny {
            for x in 0..nx {
                let (fy, fx) = cell(y, x);
                // A projected grid: parallels bend, as on a Lambert conformal map.
                lat.push(25.0 + 25.0 * fy + 1.5 * (PI * fx).sin());
                lon.push(-125.0 + 58.0 * fx);
                inside.push(((fx - 0.5) / 0.52).powi(2) + ((fy - 0.5) / 0.56).powi(2) < 1.0);
            }
        }
        let elevation = lon
            .iter()
            .map(|lo| {
                2500.0 * (-((lo + 110.0) / 7.0).powi(2)).exp()
                    + 600.0 * (-((lo + 80.0) / 4.0).powi(2)).exp()
            })
            .collect();
        Field {
            seed: spec.seed,
            n_ensemble: spec.n_ensemble,
            nx,
            lat,
            lon,
            inside,
            elevation,
            season: calendar_season(spec.n_years),
            trend_c_per_day: spec.trend_c_per_decade / 10.0 / DAYS_PER_YEAR,
            half_range: spec.seasonal_half_range_c,
        }
    }

    fn fixed(&self, var: &str, y: usize, x: usize) -> f64 {
        let k = y * self.nx + x;
        match var {
            "mask" => f64::from(u8::from(self.inside[k])),
            "elevation" if self.inside[k] => self.elevation[k],
            _ => f64::NAN,
        }
    }

    fn daily(&self, var: &str, e: usize, t: usize, y: usize, x: usize) -> f64 {
        let k = y * self.nx + x;
        if !self.inside[k] {
            return f64::NAN;
        }
        let member = e as f64 - (self.n_ensemble as f64 - 1.0) / 2.0;
        match var {
            "t_mean" => {
                15.0 - LAPSE_RATE_C_PER_M * self.elevation[k]
                    - 0.8 * (self.lat[k] - 37.0)
                    - self.half_range * self.season[t]
                    + self.trend_c_per_day * t as f64
                    + 0.2 * member
                    + 1.5 * normal(self.seed, 2, &[e, t, y, x])
            }
            "t_range" => {
                11.0 + 2.0 * self.season[t] + 1.0 * normal(self.seed, 3, &[e, t, y, x]).abs()
            }
            "pcp" => {
                // Wetter to the east and on the Pacific coast, wetter in winter.
                let base = 1.0
                    + 3.0 * (self.lon[k] + 125.0) / 58.0
                    + 2.0 * (-((self.lon[k] + 123.0) / 2.0).powi(2)).exp();
                let mean = base * (1.0 + 0.3 * self.season[t]) * (1.0 + 0.05 * member);
                if uniform(self.seed, 4, &[e, t, y, x]) < WET_DAY_PROBABILITY {
                    -mean * uniform(self.seed, 5, &[e, t, y, x]).ln() / WET_DAY_PROBABILITY
                } else {
                    0.0
                }
            }
            _ => f64::NAN,
        }
    }
}
