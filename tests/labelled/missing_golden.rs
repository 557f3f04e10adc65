//! Missing data, reshaping and elementwise ergonomics against xarray
//! (`scripts/golden_missing.py`): where/fillna with arrays, isnull, clip, round,
//! comparison and logic methods, math forms, ffill/bfill with limits across uneven
//! chunks, interpolate_na with limit and max_gap, dropna, stack/unstack round trips,
//! to_array/to_dataset, groupby arithmetic, pandas' CSV text, item, and xarray's
//! errors by kind.

use crate::support::golden;

use serde_json::Value;
use tessera::Error;
use tessera::labelled::{DataArray, Dataset, How, InterpolateNa};

use golden::Outcome as Out;

impl From<DataArray> for Out {
    fn from(a: DataArray) -> Self {
        Out::Array(a)
    }
}

impl From<Dataset> for Out {
    fn from(d: Dataset) -> Self {
        Out::Set(d)
    }
}

/// The fixture restricted to some data variables.
fn subset(ds: &Dataset, vars: &Value) -> tessera::Result<Dataset> {
    let Some(keep) = vars.as_array() else {
        return Ok(ds.clone());
    };
    let keep: Vec<&str> = keep.iter().map(|v| v.as_str().unwrap()).collect();
    // As `ds[["a", "b"]]`: the coordinates that fit the kept variables' dims.
    let mut dims: Vec<String> = vec![];
    for k in &keep {
        dims.extend(ds.get(k)?.dims().iter().cloned());
    }
    let names = ds.data_var_names();
    let mut drop: Vec<String> = names
        .iter()
        .filter(|n| !keep.contains(&n.as_str()))
        .cloned()
        .collect();
    for (n, c) in ds.coords().iter() {
        if c.var.dims().iter().any(|d| !dims.contains(d)) {
            drop.push(n.clone());
        }
    }
    let drop: Vec<&str> = drop.iter().map(String::as_str).collect();
    // In the order listed, as xarray does.
    let mut out = ds.drop_vars(&drop)?.drop_vars(&keep)?;
    for k in keep {
        out.insert(k, ds.get(k)?.variable().clone())?;
    }
    Ok(out)
}

fn compare_op(x: &DataArray, op: &str, v: &Value, ds: &Dataset) -> tessera::Result<DataArray> {
    if let Some(name) = v.as_str() {
        let other = ds.get(name)?;
        return match op {
            "eq" => x.eq(&other),
            "ne" => x.ne(&other),
            "gt" => x.gt(&other),
            "ge" => x.ge(&other),
            "lt" => x.lt(&other),
            "le" => x.le(&other),
            o => panic!("unknown comparison {o}"),
        };
    }
    let s: tessera::engine::Scalar = if v.is_i64() {
        v.as_i64().unwrap().into()
    } else {
        v.as_f64().unwrap().into()
    };
    match op {
        "eq" => x.eq(s),
        "ne" => x.ne(s),
        "gt" => x.gt(s),
        "ge" => x.ge(s),
        "lt" => x.lt(s),
        "le" => x.le(s),
        o => panic!("unknown comparison {o}"),
    }
}

fn cond(ds: &Dataset, spec: &Value) -> tessera::Result<DataArray> {
    let x = ds.get(spec["var"].as_str().unwrap())?;
    compare_op(&x, spec["cmp"].as_str().unwrap(), &spec["value"], ds)
}

fn other_array(ds: &Dataset, spec: &Value) -> tessera::Result<DataArray> {
    let mut x = ds.get(spec["var"].as_str().unwrap())?;
    if let Some(sel) = spec.get("isel").and_then(Value::as_object) {
        for (d, r) in sel {
            let (a, b) = (
                r[0].as_i64().unwrap() as isize,
                r[1].as_i64().unwrap() as isize,
            );
            x = x.isel_slice(d, Some(a), Some(b), 1)?;
        }
    }
    Ok(x)
}

fn scalar(v: &Value) -> tessera::engine::Scalar {
    if v.is_i64() {
        v.as_i64().unwrap().into()
    } else {
        v.as_f64().unwrap().into()
    }
}

fn limit(a: &Value) -> Option<usize> {
    a["limit"].as_u64().map(|n| n as usize)
}

fn interp_opts(a: &Value) -> tessera::Result<InterpolateNa> {
    let mut o = InterpolateNa::method(a["method"].as_str().unwrap())?
        .use_coordinate(a["use_coordinate"].as_bool().unwrap());
    if let Some(n) = limit(a) {
        o = o.limit(n);
    }
    if let Some(g) = a["max_gap"].as_f64() {
        o = o.max_gap(g);
    }
    if a["fill_value"] == "extrapolate" {
        o = o.extrapolate();
    }
    // A datetime index is interpolated in microseconds.
    if let Some(days) = a["max_gap"]["days"].as_f64() {
        o = o.max_gap(days * 86_400e6);
    }
    Ok(o)
}

fn strs(v: &Value) -> Vec<&str> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|s| s.as_str().unwrap())
        .collect()
}

fn isel_ranges(ds: &Dataset, a: &Value) -> tessera::Result<Dataset> {
    let mut out = ds.clone();
    for (d, r) in a["isel"].as_object().unwrap() {
        let (x, y) = (
            r[0].as_i64().unwrap() as isize,
            r[1].as_i64().unwrap() as isize,
        );
        out = out.isel_slice(d, Some(x), Some(y), 1)?;
    }
    Ok(out)
}

fn run_array(ds: &Dataset, x: &DataArray, op: &str, a: &Value) -> tessera::Result<Out> {
    Ok(match op {
        "where" => {
            let c = cond(ds, &a["cond"])?;
            match &a["other"] {
                Value::Null => x.where_(&c, None)?.into(),
                o @ Value::Object(_) => x.where_with(&c, &other_array(ds, o)?)?.into(),
                v => x.where_(&c, Some(scalar(v)))?.into(),
            }
        }
        "fillna" => match &a["value"] {
            o @ Value::Object(_) => x.fillna_with(&other_array(ds, o)?)?.into(),
            v => x.fillna(scalar(v))?.into(),
        },
        "isnull" => x.isnull()?.into(),
        "notnull" => x.notnull()?.into(),
        "clip" => x.clip(a["min"].as_f64(), a["max"].as_f64())?.into(),
        "round" => x.round(a["decimals"].as_i64().unwrap() as i32)?.into(),
        "cmp" => compare_op(x, a["op"].as_str().unwrap(), &a["value"], ds)?.into(),
        "math" => match a["fn"].as_str().unwrap() {
            "deg2rad" => x.deg2rad()?,
            "rad2deg" => x.rad2deg()?,
            "sin" => x.sin()?,
            "cos" => x.cos()?,
            "tan" => x.tan()?,
            "exp" => x.exp()?,
            "log" => x.log()?,
            "sqrt" => x.sqrt()?,
            "abs" => x.abs()?,
            f => panic!("unknown math {f}"),
        }
        .into(),
        "ffill" => x.ffill(a["dim"].as_str().unwrap(), limit(a))?.into(),
        "bfill" => x.bfill(a["dim"].as_str().unwrap(), limit(a))?.into(),
        "interpolate_na" => x
            .interpolate_na(a["dim"].as_str().unwrap(), &interp_opts(a)?)?
            .into(),
        "dropna" => x
            .dropna(
                a["dim"].as_str().unwrap(),
                a["how"].as_str().unwrap().parse::<How>()?,
                a["thresh"].as_u64().map(|n| n as usize),
            )?
            .into(),
        "stack" => x
            .stack(a["new"].as_str().unwrap(), &strs(&a["dims"]))?
            .into(),
        "stack_unstack" => {
            let new = a["new"].as_str().unwrap();
            let mut s = x.stack(new, &strs(&a["dims"]))?;
            if let Some(pos) = a["isel"].as_array() {
                let pos = pos.iter().map(|p| p.as_u64().unwrap() as usize).collect();
                s = s.isel_positions(new, &tessera::labelled::Positions::List(pos))?;
            }
            if a["all"] == true {
                s.unstack_all()?.into()
            } else {
                s.unstack(new)?.into()
            }
        }
        "unstack" => x.unstack(a["dim"].as_str().unwrap())?.into(),
        "to_dataset" => x.to_dataset(a["name"].as_str())?.into(),
        "to_dataset_dim" => x.to_dataset_dim(a["dim"].as_str().unwrap())?.into(),
        "groupby_arith" => {
            let g = x.groupby(a["key"].as_str().unwrap())?;
            let clim = g.mean()?;
            match a["op"].as_str().unwrap() {
                "sub" => (&g - &clim)?,
                "add" => (&g + &clim)?,
                "mul" => (&g * &clim)?,
                "div" => (&g / &clim)?,
                o => panic!("unknown op {o}"),
            }
            .into()
        }
        "csv" => {
            let mut y = x.clone();
            for (d, r) in a["isel"].as_object().unwrap() {
                let (s, e) = (
                    r[0].as_i64().unwrap() as isize,
                    r[1].as_i64().unwrap() as isize,
                );
                y = y.isel_slice(d, Some(s), Some(e), 1)?;
            }
            Out::Text(y.to_rows()?.to_csv_string())
        }
        "item" => {
            let mut y = x.clone();
            for (d, p) in a["isel"].as_object().unwrap() {
                y = y.isel_positions(
                    d,
                    &tessera::labelled::Positions::At(p.as_u64().unwrap() as usize),
                )?;
            }
            Out::Number(y.item::<f64>()?)
        }
        o => panic!("unknown op {o}"),
    })
}

fn run_dataset(ds: &Dataset, d: &Dataset, op: &str, a: &Value) -> tessera::Result<Out> {
    Ok(match op {
        "where" => match &a["other"] {
            o @ Value::Object(_) => d.where_with(&cond(ds, &a["cond"])?, &other_array(ds, o)?)?,
            _ => d.where_(&cond(ds, &a["cond"])?, None)?,
        }
        .into(),
        "fillna" => match &a["value"] {
            Value::Object(m) => {
                let pairs: Vec<(&str, f64)> = m
                    .iter()
                    .map(|(k, v)| (k.as_str(), v.as_f64().unwrap()))
                    .collect();
                d.fillna_vars(&pairs)?.into()
            }
            v => d.fillna(scalar(v))?.into(),
        },
        "isnull" => d.isnull()?.into(),
        "round" => d.round(a["decimals"].as_i64().unwrap() as i32)?.into(),
        "logic" => {
            let x = cond(ds, &a["a"])?;
            match a["op"].as_str().unwrap() {
                "not" => (!&x)?,
                o => {
                    let y = cond(ds, &a["b"])?;
                    match o {
                        "and" => (&x & &y)?,
                        "or" => (&x | &y)?,
                        "xor" => (&x ^ &y)?,
                        o => panic!("unknown logic {o}"),
                    }
                }
            }
            .into()
        }
        "ffill" => d.ffill(a["dim"].as_str().unwrap(), limit(a))?.into(),
        "bfill" => d.bfill(a["dim"].as_str().unwrap(), limit(a))?.into(),
        "interpolate_na" => d
            .interpolate_na(a["dim"].as_str().unwrap(), &interp_opts(a)?)?
            .into(),
        "dropna" => d
            .dropna(
                a["dim"].as_str().unwrap(),
                a["how"].as_str().unwrap().parse::<How>()?,
                a["thresh"].as_u64().map(|n| n as usize),
            )?
            .into(),
        "stack" => d
            .stack(a["new"].as_str().unwrap(), &strs(&a["dims"]))?
            .into(),
        "stack_unstack" => {
            let new = a["new"].as_str().unwrap();
            let s = d.stack(new, &strs(&a["dims"]))?;
            if a["all"] == true {
                s.unstack_all()?.into()
            } else {
                s.unstack(new)?.into()
            }
        }
        "to_array" => d.to_array(a["dim"].as_str().unwrap())?.into(),
        "csv" => Out::Text(isel_ranges(d, a)?.to_rows()?.to_csv_string()),
        o => panic!("unknown dataset op {o}"),
    })
}

fn run(ds: &Dataset, case: &Value) -> tessera::Result<Out> {
    let a = &case["args"];
    let op = case["op"].as_str().unwrap();
    match case["target"].as_str() {
        Some(name) => run_array(ds, &ds.get(name)?, op, a),
        None => run_dataset(ds, &subset(ds, &a["vars"])?, op, a),
    }
}

/// Which tessera errors answer which xarray exception.
fn same_kind(xarray: &str, e: &Error) -> bool {
    match xarray {
        "ValueError" => matches!(
            e,
            Error::UnknownDimension { .. }
                | Error::UnknownVariable { .. }
                | Error::InvalidArgument(_)
                | Error::NonMonotonicIndex { .. }
        ),
        "KeyError" => matches!(
            e,
            Error::UnknownDimension { .. } | Error::UnknownVariable { .. }
        ),
        "AlignmentError" => matches!(e, Error::Alignment { .. }),
        _ => false,
    }
}

/// Each error message names what the user wrote.
fn message_names_input(id: &str, msg: &str) -> bool {
    match id {
        "err_ds_fillna_dict_unknown" => msg.contains("zz"),
        "err_interp_na_method" => msg.contains("bogus"),
        "err_dropna_how" => msg.contains("some"),
        "err_item_size" => msg.contains("12"),
        "err_unstack_not_stacked" => msg.contains("lat"),
        _ => msg.contains("depth") || msg.contains("lat"),
    }
}

#[test]
fn missing_data_and_reshaping_match_xarray() {
    let fx = golden::read_fixture(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/data-fixtures/golden/missing/cases.json"
    ));
    let ds = golden::dataset(&fx["dataset"]);
    let cases = fx["cases"].as_array().unwrap();
    golden::replay(cases, |case| run(&ds, case), same_kind, message_names_input);
    assert!(cases.len() >= 100);
}
