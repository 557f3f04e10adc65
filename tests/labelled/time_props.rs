//! Property tests of the time calls: convert_calendar and interp_calendar on chunked
//! data equal the single-chunk results, interp_calendar onto the array's own times is
//! the identity, and `floor(t) <= t < floor(t) + step` (likewise ceil and round).

use ndarray::{ArrayD, IxDyn};
use proptest::prelude::*;
use tessera::engine::{ArrayData, ChunkGrid, LazyArray};
use tessera::labelled::{CalendarConversion, DataArray, Variable};
use tessera::time::{Calendar, DateRange, RoundMode, round_instant};

const CALS: [&str; 6] = [
    "standard",
    "proleptic_gregorian",
    "noleap",
    "all_leap",
    "360_day",
    "julian",
];
const FREQS: [&str; 4] = ["D", "13h", "7D", "MS"];

/// A (time, x) array over a date range, its time axis cut into chunks of `chunk`.
fn series(cal: &str, freq: &str, n: usize, chunk: usize) -> DataArray {
    let time = DateRange::new()
        .start("1999-12-20")
        .periods(n)
        .freq(freq)
        .calendar(cal)
        .to_variable("time")
        .unwrap();
    let n = time.shape()[0];
    let values: Vec<f64> = (0..n * 2)
        .map(|i| {
            if i % 7 == 3 {
                f64::NAN
            } else {
                i as f64 * 0.5 - 3.0
            }
        })
        .collect();
    let data = ArrayData::new(ArrayD::from_shape_vec(IxDyn(&[n, 2]), values).unwrap());
    let grid = ChunkGrid::regular(&[n, 2], &[chunk.max(1), 1]).unwrap();
    let var = Variable::new(["time", "x"], LazyArray::from_data(data, grid).unwrap()).unwrap();
    DataArray::new(Some("v".into()), var, Default::default())
        .unwrap()
        .with_coord("time", time)
        .unwrap()
}

fn same(a: &DataArray, b: &DataArray) -> Result<(), TestCaseError> {
    prop_assert_eq!(a.dims(), b.dims());
    let (x, y) = (a.values::<f64>().unwrap(), b.values::<f64>().unwrap());
    prop_assert_eq!(x.shape(), y.shape());
    for (p, q) in x.iter().zip(y.iter()) {
        prop_assert!(
            (p.is_nan() && q.is_nan()) || (p - q).abs() <= 1e-12 * (1.0 + q.abs()),
            "{p} vs {q}"
        );
    }
    let (ta, tb) = (a.coord("time").unwrap(), b.coord("time").unwrap());
    prop_assert_eq!(ta.values::<i64>().unwrap(), tb.values::<i64>().unwrap());
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn convert_calendar_chunked_equals_single_chunk(
        src in 0usize..6, dst in 0usize..6, f in 0usize..4, n in 3usize..40, chunk in 1usize..9,
        year in any::<bool>(), missing in any::<bool>(),
    ) {
        let mut opts = CalendarConversion::default().align_on(if year { "year" } else { "date" });
        if missing {
            opts = opts.missing(-1.0);
        }
        let one = series(CALS[src], FREQS[f], n, 1000).convert_calendar(CALS[dst], &opts);
        let many = series(CALS[src], FREQS[f], n, chunk).convert_calendar(CALS[dst], &opts);
        match (one, many) {
            (Ok(a), Ok(b)) => same(&b, &a)?,
            (Err(a), Err(b)) => prop_assert_eq!(a.to_string(), b.to_string()),
            (a, b) => prop_assert!(false, "{:?} vs {:?}", a.err(), b.err()),
        }
    }

    #[test]
    fn interp_calendar_is_chunk_independent_and_the_identity_on_its_own_times(
        src in 0usize..6, dst in 0usize..6, f in 0usize..3, n in 2usize..40, chunk in 1usize..9,
    ) {
        let one = series(CALS[src], FREQS[f], n, 1000);
        let many = series(CALS[src], FREQS[f], n, chunk);
        let own = many.coord("time").unwrap();
        // 1-D arrays interpolate as numpy's interp: onto their own times, the identity.
        let x0 = tessera::labelled::Positions::At(0);
        let line = many.isel_positions("x", &x0).unwrap();
        same(&line.interp_calendar(&own, "time").unwrap(), &one.isel_positions("x", &x0).unwrap())?;
        let target = series(CALS[dst], FREQS[(f + 1) % 3], n, 1000).coord("time").unwrap();
        same(
            &many.interp_calendar(&target, "time").unwrap(),
            &one.interp_calendar(&target, "time").unwrap(),
        )?;
    }

    #[test]
    fn rounding_brackets_the_time(t in -10_i64.pow(15)..10_i64.pow(15), step_s in 1i64..200_000) {
        let step = step_s * 1_000_000;
        let f = round_instant(t, step, RoundMode::Floor);
        let c = round_instant(t, step, RoundMode::Ceil);
        let r = round_instant(t, step, RoundMode::Round);
        prop_assert!(f <= t && t < f + step);
        prop_assert!(c >= t && c - t < step && (c - f == 0 || c - f == step));
        prop_assert!(r == f || r == c);
        prop_assert!((r - t).abs() <= step / 2);
        prop_assert_eq!(f % step, 0);
    }

    #[test]
    fn fixed_step_ranges_are_evenly_spaced(cal in 0usize..6, n in 1usize..50, hours in 1i64..100) {
        let r = DateRange::new()
            .start("2000-02-20T03")
            .periods(n)
            .freq(&format!("{hours}h"))
            .calendar(CALS[cal])
            .values()
            .unwrap();
        prop_assert_eq!(r.len(), n);
        prop_assert!(r.windows(2).all(|w| w[1] - w[0] == hours * 3_600_000_000));
        let c = Calendar::parse(CALS[cal]).unwrap();
        prop_assert_eq!(c.from_micros(r[0]).to_string(), "2000-02-20T03:00:00");
    }
}
