//! Gridded sea level from altimetry, with the schema of the Copernicus Marine
//! (formerly AVISO) multi-mission product: daily `time`, `latitude`, `longitude`,
//! and `sla`, `adt`, `ugos`, `vgos`, `ugosa`, `vgosa`, `err`.

use std::f64::consts::TAU;
use std::sync::Arc;

use serde_json::json;

use super::{Packing, attrs, centres, coord_1d, daily_time, generated, normal};
use crate::Result;
use crate::engine::ChunkGrid;
use crate::labelled::Dataset;

const GRAVITY: f64 = 9.81;
const EARTH_RADIUS_M: f64 = 6.371e6;
const OMEGA: f64 = 7.2921e-5;
const DAYS_PER_YEAR: f64 = 365.25;
/// Eddies: amplitude (m), zonal and meridional wavenumbers, westward period (days).
const EDDY_M: f64 = 0.01;
const EDDY_K: f64 = 60.0;
const EDDY_L: f64 = 30.0;
const EDDY_PERIOD_DAYS: f64 = 60.0;
/// White measurement noise (m).
const NOISE_M: f64 = 0.01;

/// The size, chunking and injected truth of a synthetic altimetry dataset.
#[derive(Clone, Debug)]
pub struct SeaLevel {
    /// Daily time steps from 1993-01-01.
    pub n_time: usize,
    /// Latitude cells spanning -90..90.
    pub n_lat: usize,
    /// Longitude cells spanning 0..360.
    pub n_lon: usize,
    /// Time steps per chunk (chunks hold the whole grid, as the real product's do).
    pub time_chunk: usize,
    /// The sea-level trend everywhere, mm/yr.
    pub trend_mm_per_yr: f64,
    /// How the data variables are stored.
    pub packing: Packing,
    /// Seed of the noise.
    pub seed: u64,
}

impl SeaLevel {
    /// The embedded fixture: two years on an 11.25° grid (a few MB as int16).
    pub fn small() -> SeaLevel {
        SeaLevel {
            n_time: 730,
            n_lat: 16,
            n_lon: 32,
            time_chunk: 73,
            trend_mm_per_yr: 3.3,
            packing: Packing::Int16,
            seed: 1993,
        }
    }

    /// The benchmark size: 730 × 360 × 720 (0.5°), 5-day chunks, float32 (≈ 0.76 GB per variable).
    pub fn medium() -> SeaLevel {
        SeaLevel {
            n_time: 730,
            n_lat: 360,
            n_lon: 720,
            time_chunk: 5,
            packing: Packing::Float32,
            ..SeaLevel::small()
        }
    }

    /// The real product's grid: 0.25°, 1993–2017 daily, 5-day chunks, int32 as stored
    /// by Copernicus Marine (≈ 37 GB per variable).
    pub fn full() -> SeaLevel {
        SeaLevel {
            n_time: 9131,
            n_lat: 720,
            n_lon: 1440,
            time_chunk: 5,
            packing: Packing::Int32,
            ..SeaLevel::small()
        }
    }

    /// The lazy dataset (nothing is generated until it is computed or written).
    pub fn dataset(&self) -> Result<Dataset> {
        let field = Arc::new(Field::new(self));
        let lat = centres(-90.0, 180.0, self.n_lat);
        let lon = centres(0.0, 360.0, self.n_lon);
        let grid = ChunkGrid::regular(
            &[self.n_time, self.n_lat, self.n_lon],
            &[self.time_chunk.max(1), self.n_lat.max(1), self.n_lon.max(1)],
        )?;
        let dims = ["time", "latitude", "longitude"];
        let mut ds = Dataset::new();
        ds.insert_coord(
            "time",
            daily_time(self.n_time, "1993-01-01", "1950-01-01 00:00:00")?,
        )?;
        ds.insert_coord(
            "latitude",
            coord_1d(
                "latitude",
                lat,
                attrs([
                    ("units", json!("degrees_north")),
                    ("standard_name", json!("latitude")),
                    ("long_name", json!("Latitude")),
                ]),
            )?,
        )?;
        ds.insert_coord(
            "longitude",
            coord_1d(
                "longitude",
                lon,
                attrs([
                    ("units", json!("degrees_east")),
                    ("standard_name", json!("longitude")),
                    ("long_name", json!("Longitude")),
                ]),
            )?,
        )?;
        let vars: [(&str, &str, &str, f64); 7] = [
            ("sla", "m", "Sea level anomaly", 1e-4),
            ("adt", "m", "Absolute dynamic topography", 1e-4),
            (
                "ugos",
                "m/s",
                "Absolute geostrophic velocity: zonal component",
                1e-4,
            ),
            (
                "vgos",
                "m/s",
                "Absolute geostrophic velocity: meridian component",
                1e-4,
            ),
            (
                "ugosa",
                "m/s",
                "Geostrophic velocity anomalies: zonal component",
                1e-4,
            ),
            (
                "vgosa",
                "m/s",
                "Geostrophic velocity anomalies: meridian component",
                1e-4,
            ),
            ("err", "m", "Formal mapping error", 1e-4),
        ];
        for (name, units, long_name, scale) in vars {
            let f = field.clone();
            let which = name.to_string();
            let var = generated(name, &dims, grid.clone(), move |at| {
                f.value(&which, at[0], at[1], at[2]) as f32
            })?
            .with_attrs(attrs([
                ("units", json!(units)),
                ("long_name", json!(long_name)),
                ("grid_mapping", json!("crs")),
            ]))
            .with_encoding(self.packing.encoding(scale));
            ds.insert(name, var)?;
        }
        *ds.attrs_mut() = attrs([
            (
                "title",
                json!("Synthetic gridded sea level anomalies (altimetry schema)"),
            ),
            ("source", json!("tessera::synthetic::SeaLevel")),
            ("injected_trend_mm_per_yr", json!(self.trend_mm_per_yr)),
            (
                "injected_gmsl_annual_amplitude_mm",
                json!(field.gmsl_annual_amplitude_m() * 1000.0),
            ),
            ("time_coverage_start", json!("1993-01-01")),
        ]);
        Ok(ds)
    }
}

/// The analytic field, with the per-axis terms precomputed so that each element
/// costs a few multiplications and one hash.
struct Field {
    seed: u64,
    trend_m_per_day: f64,
    lat_deg: Vec<f64>,
    /// Seasonal amplitude per latitude (m).
    amplitude: Vec<f64>,
    /// cos of the seasonal phase per day.
    season: Vec<f64>,
    /// sin/cos of the eddy phase per day and per longitude.
    eddy_t: Vec<(f64, f64)>,
    eddy_x: Vec<(f64, f64)>,
    /// Ocean (true) or land/ice (false), per (lat, lon).
    ocean: Vec<bool>,
    n_lon: usize,
}

impl Field {
    fn new(spec: &SeaLevel) -> Field {
        let lat_deg = centres(-90.0, 180.0, spec.n_lat);
        let lon_deg = centres(0.0, 360.0, spec.n_lon);
        let ocean = lat_deg
            .iter()
            .flat_map(|&la| lon_deg.iter().map(move |&lo| is_ocean(la, lo)))
            .collect();
        Field {
            seed: spec.seed,
            trend_m_per_day: spec.trend_mm_per_yr / 1000.0 / DAYS_PER_YEAR,
            amplitude: lat_deg
                .iter()
                .map(|la| 0.03 + 0.05 * la.to_radians().sin().abs())
                .collect(),
            season: {
                let phase = slope_free_phase(spec.n_time);
                (0..spec.n_time)
                    .map(|d| (TAU * d as f64 / DAYS_PER_YEAR - phase).cos())
                    .collect()
            },
            eddy_t: (0..spec.n_time)
                .map(|d| (TAU * d as f64 / EDDY_PERIOD_DAYS).sin_cos())
                .collect(),
            eddy_x: lon_deg
                .iter()
                .map(|lo| (EDDY_K * lo.to_radians()).sin_cos())
                .collect(),
            lat_deg,
            ocean,
            n_lon: spec.n_lon,
        }
    }

    /// The cos(latitude)-weighted ocean mean of the seasonal amplitude: the annual
    /// amplitude of the global mean series.
    fn gmsl_annual_amplitude_m(&self) -> f64 {
        let (mut num, mut den) = (0.0, 0.0);
        for (j, la) in self.lat_deg.iter().enumerate() {
            let w = la.to_radians().cos();
            let n_ocean = (0..self.n_lon)
                .filter(|&i| self.ocean[j * self.n_lon + i])
                .count() as f64;
            num += w * n_ocean * self.amplitude[j];
            den += w * n_ocean;
        }
        if den > 0.0 { num / den } else { 0.0 }
    }

    fn value(&self, var: &str, t: usize, j: usize, i: usize) -> f64 {
        if !self.ocean[j * self.n_lon + i] {
            return f64::NAN;
        }
        let lat = self.lat_deg[j].to_radians();
        // eddy = A cos(l lat) sin(k lon - ω t), expanded so each factor is a table.
        let (st, ct) = self.eddy_t[t];
        let (sx, cx) = self.eddy_x[i];
        let wave_sin = sx * ct - cx * st;
        let wave_cos = cx * ct + sx * st;
        let f = {
            let f = 2.0 * OMEGA * lat.sin();
            let floor = 2.0 * OMEGA * 5f64.to_radians().sin();
            if f.abs() < floor {
                floor.copysign(f)
            } else {
                f
            }
        };
        // Geostrophy of the eddy field: u = -(g/f) ∂η/∂y, v = (g/f) ∂η/∂x.
        let deta_dy = EDDY_M * wave_sin * -EDDY_L * (EDDY_L * lat).sin() / EARTH_RADIUS_M;
        let deta_dx =
            EDDY_M * (EDDY_L * lat).cos() * EDDY_K * wave_cos / (EARTH_RADIUS_M * lat.cos());
        let ugosa = -GRAVITY / f * deta_dy;
        let vgosa = GRAVITY / f * deta_dx;
        let sla = || {
            self.trend_m_per_day * t as f64
                + self.amplitude[j] * self.season[t]
                + EDDY_M * (EDDY_L * lat).cos() * wave_sin
                + NOISE_M * normal(self.seed, 1, &[t, j, i])
        };
        match var {
            "sla" => sla(),
            // Mean dynamic topography: high in the tropics, low toward the poles.
            "adt" => sla() + 0.6 * lat.cos() - 0.3,
            "ugosa" => ugosa,
            "vgosa" => vgosa,
            // A mean eastward current in mid-latitudes on top of the anomalies.
            "ugos" => ugosa + 0.1 * (2.0 * lat).sin().abs(),
            "vgos" => vgosa,
            "err" => 0.02 + 0.01 * lat.sin().abs(),
            _ => f64::NAN,
        }
    }
}

/// The phase φ for which cos(ωd − φ), d = 0..n, has no least-squares slope: over a
/// short record a seasonal cycle otherwise biases a plain linear trend (by 0.3 mm/yr
/// over two years), and the examples' trend is a plain linear fit.
fn slope_free_phase(n: usize) -> f64 {
    let mean_d = (n as f64 - 1.0) / 2.0;
    let (mut s_cos, mut s_sin) = (0.0, 0.0);
    for d in 0..n {
        let (sin, cos) = (TAU * d as f64 / DAYS_PER_YEAR).sin_cos();
        s_cos += (d as f64 - mean_d) * cos;
        s_sin += (d as f64 - mean_d) * sin;
    }
    // cos(ωd − φ) = cos φ cos ωd + sin φ sin ωd: zero slope where cos φ s_cos + sin φ s_sin = 0.
    (-s_cos).atan2(s_sin)
}

/// A crude land mask: three continents and the polar caps (ice).
fn is_ocean(lat: f64, lon: f64) -> bool {
    if lat.abs() > 75.0 {
        return false;
    }
    let blob = |la0: f64, lo0: f64, rla: f64, rlo: f64| {
        let dlo = ((lon - lo0 + 540.0) % 360.0) - 180.0;
        ((lat - la0) / rla).powi(2) + (dlo / rlo).powi(2) < 1.0
    };
    !(blob(45.0, 260.0, 25.0, 35.0) || blob(10.0, 20.0, 35.0, 25.0) || blob(50.0, 90.0, 20.0, 50.0))
}
