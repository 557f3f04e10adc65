//! CF time decoding speed: a century of hourly times (876,600 values) decoded and
//! split into components, per calendar.
//!
//! Run: `cargo bench --bench time`

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use tessera::time::{Calendar, Component, TimeUnits, decode_f64};

fn decode(c: &mut Criterion) {
    let hours: Vec<f64> = (0..876_600).map(|h| h as f64).collect();
    let units = TimeUnits::parse("hours since 1900-01-01").expect("valid units");
    let mut group = c.benchmark_group("decode_hourly_century");
    group.throughput(Throughput::Elements(hours.len() as u64));
    for cal in [Calendar::Standard, Calendar::NoLeap, Calendar::Day360] {
        group.bench_function(cal.name(), |b| {
            b.iter(|| black_box(decode_f64(&hours, &units, cal).expect("decodes")))
        });
        let instants = decode_f64(&hours, &units, cal).expect("decodes");
        group.bench_function(format!("{}_month", cal.name()), |b| {
            b.iter(|| {
                black_box(
                    instants
                        .iter()
                        .map(|&t| Component::Month.of(cal, t).unwrap_or(0))
                        .sum::<i64>(),
                )
            })
        });
    }
    group.finish();
}

criterion_group!(benches, decode);
criterion_main!(benches);
