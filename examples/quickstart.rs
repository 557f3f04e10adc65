//! A first lazy computation: a year of synthetic daily temperature on a 0.25° grid
//! (1.5 GB of float32, generated chunk by chunk, never held whole) reduced to its
//! area-weighted global mean series and its warmest day, under a 512 MiB budget.
//!
//! Run: `cargo run --release --example quickstart`

use std::time::Instant;

use ndarray::{Array, IxDyn};
use tessera::engine::{
    ArrayData, BinaryOp, ChunkGrid, Compute, DType, FloatFn, LazyArray, ReduceKind, ReduceOptions,
};

fn main() -> tessera::Result<()> {
    let (nt, ny, nx) = (365, 720, 1440);
    // Ten days per chunk, like a typical reanalysis store.
    let grid = ChunkGrid::regular(&[nt, ny, nx], &[10, ny, nx])?;
    let temperature = LazyArray::from_fn(
        "synthetic temperature",
        DType::F32,
        grid,
        move |_, region| {
            let shape: Vec<usize> = region.iter().map(|r| r.len()).collect();
            // Separable terms, computed once per chunk: a global seasonal cycle peaking in
            // July, a pole-to-equator gradient and a small zonal wave.
            let day: Vec<f32> = region[0]
                .clone()
                .map(|t| 2.0 * (2.0 * std::f32::consts::PI * (t as f32 - 196.0) / 365.0).cos())
                .collect();
            let lat: Vec<f32> = (0..ny)
                .map(|j| 288.0 - 30.0 * (-89.875 + 0.25 * j as f32).to_radians().sin().powi(2))
                .collect();
            let lon: Vec<f32> = (0..nx)
                .map(|k| 0.5 * (0.125 + 0.25 * k as f32).to_radians().sin())
                .collect();
            Ok(ArrayData::new(Array::from_shape_fn(IxDyn(&shape), |i| {
                day[i[0]] + lat[i[1]] + lon[i[2]]
            })))
        },
    );

    // cos(latitude) weights, broadcast over (time, lat, lon) by numpy rules.
    let lat = Array::from_shape_fn(IxDyn(&[ny, 1]), |i| -89.875 + 0.25 * i[0] as f64);
    let weights = LazyArray::from_ndarray(lat, &[ny, 1])?
        .math(FloatFn::Deg2Rad)?
        .math(FloatFn::Cos)?;

    // Nothing has been read yet: these are plans.
    let weighted_sum = temperature.mul(&weights)?.sum(&[1, 2])?;
    let weight_total = weights.broadcast_to(&[ny, nx])?.sum(&[0, 1])?;
    let global_mean = weighted_sum.binary(BinaryOp::Div, &weight_total)?;
    let warmest_day = global_mean.reduce(ReduceKind::ArgMax, &[0], ReduceOptions::default())?;
    let kelvin_to_celsius = global_mean.binary_scalar(BinaryOp::Sub, 273.15, false)?;

    println!(
        "input: {} float32 values ({:.2} GB) in {} chunks; plan of {} nodes",
        temperature.len(),
        temperature.nbytes() as f64 / 1e9,
        temperature.chunks().n_chunks(),
        kelvin_to_celsius.graph_size()
    );
    let start = Instant::now();
    let out = Compute::new()
        .memory_limit(512 << 20)
        .progress(true)
        .run(&[&kelvin_to_celsius, &warmest_day])?;
    let series = out[0].to_f64_vec();
    let day = out[1].to_f64_vec()[0];
    println!("computed in {:.2} s", start.elapsed().as_secs_f64());
    println!(
        "global mean temperature: first day {:.2} °C, mean {:.2} °C, warmest day of year {}",
        series[0],
        series.iter().sum::<f64>() / series.len() as f64,
        day
    );
    Ok(())
}
