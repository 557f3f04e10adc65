//! Time calls against xarray (`scripts/golden_time.py`): date_range in every CF
//! calendar, `.dt` floor/ceil/round/strftime/dayofweek, timedeltas, convert_calendar
//! (date and year alignment, `missing`), interp_calendar over uneven chunks, and
//! xarray's errors by kind.

use crate::support::golden;

use ndarray::{ArrayD, IxDyn};
use serde_json::Value;
use tessera::Error;
use tessera::engine::{ChunkGrid, LazyArray};
use tessera::labelled::{Attrs, CalendarConversion, DataArray, Positions, Variable};
use tessera::time::{Calendar, DateRange, NAT};

fn calendar(a: &Value) -> Calendar {
    Calendar::parse(a["calendar"].as_str().unwrap()).unwrap()
}

fn instants(v: &Value, cal: Calendar) -> Vec<i64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().map_or(NAT, |s| golden::time_in(s, cal)))
        .collect()
}

fn floats(v: &Value) -> Vec<f64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap_or(f64::NAN))
        .collect()
}

fn time_var(times: Vec<i64>, cal: Calendar, chunks: Option<&Value>) -> Variable {
    let n = times.len();
    let grid = match chunks.and_then(Value::as_array) {
        Some(c) => ChunkGrid::new(vec![
            c.iter().map(|x| x.as_u64().unwrap() as usize).collect(),
        ])
        .unwrap(),
        None => ChunkGrid::single(&[n]),
    };
    let data = tessera::engine::ArrayData::new(ArrayD::from_shape_vec(IxDyn(&[n]), times).unwrap());
    let mut enc = Attrs::new();
    enc.insert("calendar".into(), cal.name().into());
    Variable::new(["time"], LazyArray::from_data(data, grid).unwrap())
        .unwrap()
        .with_encoding(enc)
}

fn times_array(a: &Value) -> DataArray {
    let cal = calendar(a);
    let var = time_var(instants(&a["times"], cal), cal, None);
    DataArray::new(Some("time".into()), var, Default::default()).unwrap()
}

/// The (time, x) source of the conversion cases, chunked along time as in xarray.
fn source(a: &Value) -> DataArray {
    let cal = calendar(a);
    let times = instants(&a["times"], cal);
    let n = times.len();
    let values = floats(&a["values"]);
    let nx = values.len() / n.max(1);
    let time_chunks: Vec<usize> = match a["chunks"].as_array() {
        Some(c) => c.iter().map(|x| x.as_u64().unwrap() as usize).collect(),
        None => vec![n],
    };
    let data =
        tessera::engine::ArrayData::new(ArrayD::from_shape_vec(IxDyn(&[n, nx]), values).unwrap());
    let grid = ChunkGrid::new(vec![time_chunks, vec![nx]]).unwrap();
    let var = Variable::new(["time", "x"], LazyArray::from_data(data, grid).unwrap()).unwrap();
    DataArray::new(Some("v".into()), var, Default::default())
        .unwrap()
        .with_coord("time", time_var(times, cal, a.get("chunks")))
        .unwrap()
        .with_coord_values("x", (0..nx).map(|i| i as f64).collect())
        .unwrap()
}

fn compare_times(got: &[i64], want: &[i64], errors: &mut Vec<String>) {
    if got != want {
        errors.push(format!("times {got:?}, xarray {want:?}"));
    }
}

fn compare_floats(got: &[f64], want: &[f64], errors: &mut Vec<String>) {
    let close = got.len() == want.len()
        && got
            .iter()
            .zip(want)
            .all(|(g, w)| (g.is_nan() && w.is_nan()) || (g - w).abs() <= 1e-9 * (1.0 + w.abs()));
    if !close {
        errors.push(format!("values {got:?}, xarray {want:?}"));
    }
}

fn time_values(da: &DataArray) -> tessera::Result<Vec<i64>> {
    Ok(da.values::<i64>()?.iter().copied().collect())
}

/// Runs one case, comparing with `expected` into `errors`.
fn run(op: &str, a: &Value, want: &Value, errors: &mut Vec<String>) -> tessera::Result<()> {
    match op {
        "date_range" => {
            let mut r = DateRange::new()
                .calendar(a["calendar"].as_str().unwrap())
                .inclusive(a["inclusive"].as_str().unwrap().parse()?);
            if let Some(s) = a["start"].as_str() {
                r = r.start(s);
            }
            if let Some(s) = a["end"].as_str() {
                r = r.end(s);
            }
            if let Some(p) = a["periods"].as_u64() {
                r = r.periods(p as usize);
            }
            if let Some(f) = a["freq"].as_str() {
                r = r.freq(f);
            }
            if a["normalize"] == true {
                r = r.normalize(true);
            }
            let got = time_values(&r.to_dataarray("time")?)?;
            let cal = r.resolved_calendar()?;
            compare_times(&got, &instants(&want["times"], cal), errors);
        }
        "round" => {
            let t = times_array(a);
            let freq = a["freq"].as_str().unwrap();
            let dt = t.dt()?;
            let r = match a["mode"].as_str().unwrap() {
                "floor" => dt.floor(freq)?,
                "ceil" => dt.ceil(freq)?,
                _ => dt.round(freq)?,
            };
            compare_times(
                &time_values(&r)?,
                &instants(&want["times"], calendar(a)),
                errors,
            );
        }
        "strftime" => {
            let got = times_array(a)
                .dt()?
                .strftime(a["format"].as_str().unwrap())?;
            let want: Vec<String> = want["strings"]
                .as_array()
                .unwrap()
                .iter()
                .map(|s| s.as_str().unwrap().to_string())
                .collect();
            let got = got.to_strings()?;
            if got != want {
                errors.push(format!("strings {got:?}, xarray {want:?}"));
            }
        }
        "dayofweek" => {
            let got = time_values(&times_array(a).dt()?.dayofweek()?)?;
            let want: Vec<i64> = want["ints"]
                .as_array()
                .unwrap()
                .iter()
                .map(|x| x.as_i64().unwrap())
                .collect();
            if got != want {
                errors.push(format!("dayofweek {got:?}, xarray {want:?}"));
            }
        }
        "timedelta" => {
            let t = times_array(a);
            let d = t.sub_time(&t.isel_positions("time", &Positions::At(0))?)?;
            let want_us: Vec<i64> = want["micros"]
                .as_array()
                .unwrap()
                .iter()
                .map(|x| x.as_i64().unwrap())
                .collect();
            compare_times(&time_values(&d)?, &want_us, errors);
            let secs: Vec<f64> = d
                .td()?
                .total_seconds()?
                .values::<f64>()?
                .iter()
                .copied()
                .collect();
            compare_floats(&secs, &floats(&want["total_seconds"]), errors);
            let days: Vec<f64> = d.td()?.days()?.values::<f64>()?.iter().copied().collect();
            compare_floats(&days, &floats(&want["days"]), errors);
        }
        "convert" => {
            let mut opts = CalendarConversion::default();
            if let Some(al) = a["align_on"].as_str() {
                opts = opts.align_on(al);
            }
            if let Some(m) = a.get("missing").filter(|m| !m.is_null()) {
                opts = opts.missing(m.as_f64().unwrap_or(f64::NAN));
            }
            let target = a["target"].as_str().unwrap();
            let out = source(a).convert_calendar(target, &opts)?;
            let cal = Calendar::parse(target)?;
            compare_times(
                &time_values(&out.coord("time")?)?,
                &instants(&want["times"], cal),
                errors,
            );
            let got: Vec<f64> = out.values::<f64>()?.iter().copied().collect();
            compare_floats(&got, &floats(&want["values"]), errors);
            // The dataset form agrees with the array form.
            let ds = tessera::labelled::Dataset::from_array(&source(a))?
                .convert_calendar(target, &opts)?;
            let v: Vec<f64> = ds.get("v")?.values::<f64>()?.iter().copied().collect();
            compare_floats(&v, &floats(&want["values"]), errors);
        }
        "interp" => {
            let tcal = Calendar::parse(a["target"].as_str().unwrap())?;
            let target_var = time_var(instants(&a["target_times"], tcal), tcal, None);
            let target = DataArray::new(Some("time".into()), target_var, Default::default())?;
            let mut src = source(a);
            if a["one_d"].as_bool() == Some(true) {
                // 1-D: xarray interpolates with numpy's interp, N-D with scipy's interp1d.
                src = src
                    .isel_positions("x", &Positions::At(0))?
                    .drop_vars(&["x"])?;
            }
            let out = src.interp_calendar(&target, "time")?;
            let order: Vec<String> = out.dims().to_vec();
            let got: Vec<f64> = out
                .transpose(&order)?
                .values::<f64>()?
                .iter()
                .copied()
                .collect();
            compare_floats(&got, &floats(&want["values"]), errors);
        }
        other => panic!("unknown op {other}"),
    }
    Ok(())
}

/// Which tessera errors answer which xarray exception.
fn same_kind(xarray: &str, e: &Error) -> bool {
    match xarray {
        "ValueError" => matches!(
            e,
            Error::InvalidArgument(_) | Error::UnknownFrequency { .. } | Error::InvalidDate { .. }
        ),
        // xarray looks unknown calendars up in a dict.
        "KeyError" => matches!(e, Error::UnknownCalendar(_)),
        _ => false,
    }
}

#[test]
fn time_calls_match_xarray() {
    let fx = golden::read_fixture(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/data-fixtures/golden/time/cases.json"
    ));
    let cases = fx["cases"].as_array().unwrap();
    let mut failures = vec![];
    for case in cases {
        let mut errors = vec![];
        let op = case["op"].as_str().unwrap();
        match (
            run(op, &case["args"], &case["expected"], &mut errors),
            case["error"].as_str(),
        ) {
            (Ok(()), Some(x)) => errors.push(format!("succeeded; xarray raised {x}")),
            (Err(e), None) => errors.push(format!("failed: {e}")),
            (Err(e), Some(x)) if !same_kind(x, &e) => {
                errors.push(format!("error {e:?}; xarray raised {x}"))
            }
            _ => {}
        }
        if !errors.is_empty() {
            failures.push(format!("{}: {}", case["id"], errors.join("; ")));
        }
    }
    golden::assert_all_match(&failures, cases.len());
    assert!(cases.len() >= 50);
}

#[test]
fn errors_name_what_the_user_wrote() {
    let t = DateRange::new()
        .start("2000-01-01")
        .periods(4)
        .to_dataarray("time")
        .unwrap();
    let e = t.dt().unwrap().floor("MS").unwrap_err().to_string();
    assert!(e.contains("\"MS\""), "{e}");
    let e = DateRange::new()
        .start("2000")
        .periods(2)
        .freq("7Q-XYZ")
        .values()
        .unwrap_err()
        .to_string();
    assert!(e.contains("7Q-XYZ"), "{e}");
    let da = DataArray::from_ndarray(
        "x",
        ["time"],
        ndarray::array![1.0, 2.0, 3.0, 4.0].into_dyn(),
        &[2],
    )
    .unwrap()
    .with_coord("time", t.variable().clone())
    .unwrap();
    let e = da
        .convert_calendar("360_day", &CalendarConversion::default())
        .unwrap_err()
        .to_string();
    assert!(e.contains("360_day") && e.contains("align_on"), "{e}");
    let e = da
        .convert_calendar("360_day", &CalendarConversion::default().align_on("month"))
        .unwrap_err()
        .to_string();
    assert!(e.contains("\"month\""), "{e}");
    let e = da
        .convert_calendar("lunar", &CalendarConversion::default())
        .unwrap_err()
        .to_string();
    assert!(e.contains("lunar"), "{e}");
    let e = da
        .convert_calendar("noleap", &CalendarConversion::default().dim("day"))
        .unwrap_err()
        .to_string();
    assert!(e.contains("day"), "{e}");
}
