//! apply_ufunc (one or several outputs, exclude_dims), map_blocks (with and without a
//! template), dot/cov/corr, histogram, DataArray rolling and the Dataset forms of
//! reductions, quantiles, weighted, rolling, polyfit, coarsen and chunk against xarray
//! (`scripts/golden_compute.py`; histograms against xhistogram). The numpy functions
//! the apply_ufunc cases name are written again here with ndarray.

use crate::support::golden;

use ndarray::{ArrayD, ArrayViewD, Axis, IxDyn};
use serde_json::Value;
use tessera::Error;
use tessera::engine::ChunkGrid;
use tessera::engine::{BinaryOp, DType, ReduceKind};
use tessera::labelled::{
    ApplyUfunc, Boundary, DataArray, Dataset, Dims, Join, Positions, Variable, concat, corr, cov,
    dot,
};

use golden::Outcome as Obj;

fn strs(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| a.iter().map(|x| x.as_str().unwrap().to_string()).collect())
        .unwrap_or_default()
}

fn dims_arg(v: &Value) -> Dims {
    if v.is_null() {
        Dims::All
    } else {
        Dims::Names(strs(v))
    }
}

/// `f` applied to every lane along the last axis, each giving `m` values.
fn along_last(x: &ArrayViewD<'_, f64>, m: usize, f: impl Fn(&[f64]) -> Vec<f64>) -> ArrayD<f64> {
    let last = x.ndim() - 1;
    let mut shape = x.shape().to_vec();
    shape[last] = m;
    let mut out = ArrayD::<f64>::zeros(IxDyn(&shape));
    for (lane, mut o) in x
        .lanes(Axis(last))
        .into_iter()
        .zip(out.lanes_mut(Axis(last)))
    {
        let v: Vec<f64> = lane.iter().copied().collect();
        for (o, r) in o.iter_mut().zip(f(&v)) {
            *o = r;
        }
    }
    out
}

fn nanmean(v: &[f64]) -> f64 {
    let ok: Vec<f64> = v.iter().copied().filter(|x| !x.is_nan()).collect();
    if ok.is_empty() {
        f64::NAN
    } else {
        ok.iter().sum::<f64>() / ok.len() as f64
    }
}

fn nan_extreme(v: &[f64], max: bool) -> f64 {
    v.iter()
        .copied()
        .filter(|x| !x.is_nan())
        .reduce(|a, b| if (b > a) == max { b } else { a })
        .unwrap_or(f64::NAN)
}

/// numpy's `interp` (no NaN special cases needed by the fixture).
fn interp(xi: f64, xp: &[f64], fp: &[f64]) -> f64 {
    let n = xp.len();
    if xi <= xp[0] {
        return fp[0];
    }
    if xi >= xp[n - 1] {
        return fp[n - 1];
    }
    let j = xp.iter().rposition(|&x| x <= xi).unwrap();
    let slope = (fp[j + 1] - fp[j]) / (xp[j + 1] - xp[j]);
    slope * (xi - xp[j]) + fp[j]
}

fn drop_last(a: ArrayD<f64>) -> ArrayD<f64> {
    let last = a.ndim() - 1;
    a.index_axis_move(Axis(last), 0)
}

/// The numpy functions of the script's FUNCS, over the views apply_ufunc passes.
fn func(name: &str, x: &[ArrayViewD<'_, f64>]) -> tessera::Result<ArrayD<f64>> {
    let a = &x[0];
    Ok(match name {
        "sort" => along_last(a, a.shape()[a.ndim() - 1], |v| {
            let mut v = v.to_vec();
            v.sort_by(|p, q| {
                p.partial_cmp(q)
                    .unwrap_or_else(|| p.is_nan().cmp(&q.is_nan()))
            });
            v
        }),
        "cumsum" => along_last(a, a.shape()[a.ndim() - 1], |v| {
            v.iter()
                .scan(0.0, |s, &x| {
                    *s += x;
                    Some(*s)
                })
                .collect()
        }),
        "nanmean" => drop_last(along_last(a, 1, |v| vec![nanmean(v)])),
        "minmax" => along_last(a, 2, |v| vec![nan_extreme(v, false), nan_extreme(v, true)]),
        "sub" => a - &x[1],
        "wmean" => {
            let prod = a * &x[1];
            let last = Axis(a.ndim() - 1);
            prod.sum_axis(last) / x[1].sum_axis(last)
        }
        "interp" => {
            let xp = [0.0, 90.0, 180.0, 270.0];
            let fp: Vec<f64> = a.iter().copied().collect();
            ArrayD::from_shape_vec(
                IxDyn(&[3]),
                [45.0, 100.0, 300.0]
                    .iter()
                    .map(|&xi| interp(xi, &xp, &fp))
                    .collect(),
            )
            .unwrap()
        }
        "polyval" => {
            let y = a.iter().fold(0.0, |y, &c| y * 0.5 + c);
            ArrayD::from_elem(IxDyn(&[]), y)
        }
        "demean" => along_last(a, a.shape()[a.ndim() - 1], |v| {
            let m = nanmean(v);
            v.iter().map(|x| x - m).collect()
        }),
        "half_f32" => a.mapv(|v| (v * 0.5) as f32 as f64),
        "outer" => {
            let b = &x[1];
            let (na, nb) = (a.ndim(), b.ndim());
            let aa = a.view().insert_axis(Axis(na));
            let bb = b.view().insert_axis(Axis(nb - 1));
            &aa * &bb
        }
        "count_true" => drop_last(along_last(a, 1, |v| vec![v.iter().sum()])),
        "thin" => along_last(a, a.shape()[a.ndim() - 1].div_ceil(2), |v| {
            v.iter().step_by(2).copied().collect()
        }),
        "concat" => {
            let b = x[1]
                .broadcast(IxDyn(&loop_then(a, x[1].shape()[x[1].ndim() - 1])))
                .unwrap();
            ndarray::concatenate(Axis(a.ndim() - 1), &[a.view(), b.view()]).unwrap()
        }
        "sum_both" => {
            let nansum = |v: &[f64]| vec![v.iter().filter(|x| !x.is_nan()).sum()];
            &drop_last(along_last(a, 1, nansum)) + &drop_last(along_last(&x[1], 1, nansum))
        }
        other => panic!("unknown function {other}"),
    })
}

/// The shape of `a` with its last axis `n` long.
fn loop_then(a: &ArrayViewD<'_, f64>, n: usize) -> Vec<usize> {
    let mut s = a.shape().to_vec();
    *s.last_mut().unwrap() = n;
    s
}

/// The FUNCS that return several arrays (a tuple in numpy).
fn func_many(name: &str, x: &[ArrayViewD<'_, f64>]) -> tessera::Result<Vec<ArrayD<f64>>> {
    let a = &x[0];
    Ok(match name {
        "mean_and_minmax" => vec![func("nanmean", x)?, func("minmax", x)?],
        "sort_and_count" => vec![
            func("sort", x)?,
            drop_last(along_last(a, 1, |v| {
                vec![v.iter().filter(|x| !x.is_nan()).count() as f64]
            })),
        ],
        "last_and_diff" => {
            let n = a.shape()[a.ndim() - 1];
            vec![
                drop_last(along_last(a, 1, |v| vec![v[n - 1]])),
                along_last(a, n - 1, |v| v.windows(2).map(|w| w[1] - w[0]).collect()),
            ]
        }
        other => panic!("unknown function {other}"),
    })
}

fn apply_ufunc(ds: &Dataset, a: &Value) -> tessera::Result<DataArray> {
    let name = a["func"].as_str().unwrap().to_string();
    let mut u = ApplyUfunc::new(&name);
    for input in a["inputs"].as_array().unwrap() {
        let mut da = ds.get(input[0].as_str().unwrap())?;
        if let Some(isel) = input[2].as_object() {
            for (d, r) in isel {
                let (lo, hi) = (
                    r[0].as_i64().unwrap() as isize,
                    r[1].as_i64().unwrap() as isize,
                );
                da = da.isel_slice(d, Some(lo), Some(hi), 1)?;
            }
        }
        if let Some(gt) = input[3].as_f64() {
            da = da.gt(gt)?;
        }
        u = u.input(&da, strs(&input[1]));
    }
    let outputs: Vec<Vec<String>> = a["output_core_dims"]
        .as_array()
        .unwrap()
        .iter()
        .map(strs)
        .collect();
    let dtypes: Vec<DType> = strs(&a["output_dtypes"])
        .iter()
        .map(|d| DType::from_name(d).unwrap())
        .collect();
    u = u
        .output_sizes(
            a["output_sizes"]
                .as_object()
                .unwrap()
                .iter()
                .map(|(d, n)| (d.clone(), n.as_u64().unwrap() as usize)),
        )
        .exclude_dims(strs(&a["exclude_dims"]))
        .vectorize(a["vectorize"].as_bool().unwrap())
        .allow_rechunk(a["allow_rechunk"].as_bool().unwrap());
    match a["output"].as_u64() {
        // One output: the single-output forms of the builder.
        None => u
            .output_core_dims(&outputs[0])
            .output_dtype(dtypes[0])
            .run(move |x| func(&name, x)),
        Some(k) => {
            let mut out = u
                .output_core_dims_list(outputs)
                .output_dtypes(dtypes)
                .run_many(move |x| func_many(&name, x))?;
            Ok(out.swap_remove(k as usize))
        }
    }
}

/// The block function of an `mb_template` case.
fn mb_func(spec: &Value, b: &DataArray) -> tessera::Result<DataArray> {
    if let Some(isel) = spec["isel"].as_object() {
        let mut b = b.clone();
        for (d, r) in isel {
            let at = |i: usize| r[i].as_i64().map(|v| v as isize);
            b = b.isel_slice(d, at(0), at(1), at(2).unwrap_or(1))?;
        }
        return Ok(b);
    }
    if let Some(windows) = spec["coarsen"].as_object() {
        let w: Vec<(&str, usize)> = windows
            .iter()
            .map(|(d, n)| (d.as_str(), n.as_u64().unwrap() as usize))
            .collect();
        let kind = reduce_kind(spec["reduce"].as_str().unwrap());
        return b.coarsen(&w)?.boundary(Boundary::Trim).reduce(kind);
    }
    b.mean(spec["mean"].as_str().unwrap())
}

/// The template of an `mb_template` case, built as the script builds it.
fn mb_template_of(da: &DataArray, a: &Value) -> tessera::Result<DataArray> {
    let t = &a["template"];
    let spec = &a["func"];
    let template = if let Some(isel) = t["isel"].as_object() {
        let mut out = da.clone();
        for (d, p) in isel {
            let p: Vec<usize> = p
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_u64().unwrap() as usize)
                .collect();
            out = out.isel_positions(d, &Positions::List(p))?;
        }
        out
    } else if let Some(dim) = t["along"].as_str() {
        // The function applied to each block, concatenated.
        let axis = da.dims().iter().position(|d| d == dim).unwrap();
        let offsets = da.data().chunks().axis_offsets(axis).to_vec();
        let pieces = offsets
            .windows(2)
            .map(|w| {
                let piece = da.isel_slice(dim, Some(w[0] as isize), Some(w[1] as isize), 1)?;
                mb_func(spec, &piece)
            })
            .collect::<tessera::Result<Vec<_>>>()?;
        let refs: Vec<&DataArray> = pieces.iter().collect();
        concat(&refs, dim, Join::Exact)?
    } else {
        mb_func(spec, da)?
    };
    let given = a["template_chunks"].as_object().unwrap();
    let chunks: Vec<Vec<usize>> = template
        .dims()
        .iter()
        .enumerate()
        .map(|(i, d)| match given.get(d) {
            Some(c) => c
                .as_array()
                .unwrap()
                .iter()
                .map(|v| v.as_u64().unwrap() as usize)
                .collect(),
            None => template.data().chunks().axis_chunks(i).to_vec(),
        })
        .collect();
    let data = template.data().rechunk(ChunkGrid::new(chunks)?)?;
    let var = Variable::new(template.dims().to_vec(), data)?.with_attrs(template.attrs().clone());
    DataArray::new(
        template.name().map(str::to_string),
        var,
        template.coords().clone(),
    )
}

fn mb_template(ds: &Dataset, a: &Value) -> tessera::Result<DataArray> {
    let da = ds.get(a["target"].as_str().unwrap())?;
    let template = mb_template_of(&da, a)?;
    let spec = a["func"].clone();
    let out = da.map_blocks_template("f", &template, move |b| mb_func(&spec, b))?;
    // A wrong block is found when the blocks run.
    out.compute()?;
    Ok(out)
}

/// `$obj.rolling(…)` with the window, centring and `min_periods` of the case `$a`, then
/// its `func` (a macro: `DataArray` and `Dataset` rollings share the builder, not a trait).
macro_rules! rolling_case {
    ($obj:expr, $a:expr) => {{
        let a = $a;
        let mut r = $obj
            .rolling(
                a["dim"].as_str().unwrap(),
                a["window"].as_u64().unwrap() as usize,
            )?
            .center(a["center"].as_bool().unwrap());
        if let Some(m) = a["min_periods"].as_u64() {
            r = r.min_periods(m as usize);
        }
        match a["func"].as_str().unwrap() {
            "mean" => r.mean(),
            "sum" => r.sum(),
            "max" => r.max(),
            "min" => r.min(),
            other => panic!("unknown rolling {other}"),
        }
    }};
}

fn da_rolling(ds: &Dataset, a: &Value) -> tessera::Result<DataArray> {
    rolling_case!(ds.get(a["target"].as_str().unwrap())?, a)
}

fn pick(ds: &Dataset, vars: &Value) -> tessera::Result<Dataset> {
    let keep = strs(vars);
    if keep.is_empty() {
        return Ok(ds.clone());
    }
    let names = ds.data_var_names();
    let drop: Vec<&str> = names
        .iter()
        .filter(|n| !keep.contains(n))
        .map(String::as_str)
        .collect();
    ds.drop_vars(&drop)
}

fn run(ds: &Dataset, case: &Value) -> tessera::Result<Obj> {
    let a = &case["args"];
    let get = |k: &str| ds.get(a[k].as_str().unwrap());
    let arr = Obj::Array;
    Ok(match case["op"].as_str().unwrap() {
        "apply_ufunc" => arr(apply_ufunc(ds, a)?),
        "mb_template" => arr(mb_template(ds, a)?),
        "da_rolling" => arr(da_rolling(ds, a)?),
        "map_blocks" => {
            let f = a["func"].as_str().unwrap().to_string();
            arr(
                get("target")?.map_blocks(&f.clone(), DType::F64, move |b| match f.as_str() {
                    "block_demean" => b.binary(BinaryOp::Sub, &b.mean(Dims::All)?),
                    "plus_lon" => b.binary(BinaryOp::Add, &b.coord("lon")?),
                    other => panic!("unknown block function {other}"),
                })?,
            )
        }
        "dot" => {
            let arrays = strs(&a["arrays"])
                .iter()
                .map(|n| ds.get(n))
                .collect::<tessera::Result<Vec<_>>>()?;
            let refs: Vec<&DataArray> = arrays.iter().collect();
            let dims = match &a["dim"] {
                Value::Null => None,
                Value::String(_) => Some(Dims::All),
                v => Some(Dims::Names(strs(v))),
            };
            arr(dot(&refs, dims)?)
        }
        "cov" => arr(cov(
            &get("a")?,
            &get("b")?,
            dims_arg(&a["dim"]),
            a["ddof"].as_u64().unwrap() as usize,
        )?),
        "corr" => arr(corr(&get("a")?, &get("b")?, dims_arg(&a["dim"]))?),
        "histogram" => {
            let bins: Vec<f64> = a["bins"]
                .as_array()
                .unwrap()
                .iter()
                .map(|b| b.as_f64().unwrap())
                .collect();
            let t = get("target")?;
            let dims = dims_arg(&a["dim"]);
            arr(if a["density"].as_bool().unwrap() {
                t.histogram_density(&bins, dims)?
            } else {
                t.histogram(&bins, dims)?
            })
        }
        "gb_arith" => gb_arith(ds, a)?,
        op => Obj::Set(run_dataset(&pick(ds, &a["vars"])?, ds, op, a)?),
    })
}

/// A data array (a name) or a dataset (a list of names) of the fixture.
enum Part {
    Array(DataArray),
    Set(Dataset),
}

fn part(ds: &Dataset, names: &Value) -> tessera::Result<Part> {
    Ok(match names.as_str() {
        Some(n) => Part::Array(ds.get(n)?),
        None => Part::Set(pick(ds, names)?),
    })
}

/// Groupby arithmetic in both orders, `other` a per-group climatology or as it is.
fn gb_arith(ds: &Dataset, a: &Value) -> tessera::Result<Obj> {
    let key = a["key"].as_str().unwrap();
    let mut other = part(ds, &a["other"])?;
    if a["other_kind"] == "clim" {
        other = match other {
            Part::Array(o) => Part::Array(o.groupby(key)?.mean()?),
            Part::Set(o) => Part::Set(o.groupby(key)?.mean()?),
        };
    }
    if let Some(isel) = a["other_isel"].as_object() {
        for (d, r) in isel {
            let (lo, hi) = (
                r[0].as_i64().map(|v| v as isize),
                r[1].as_i64().map(|v| v as isize),
            );
            other = match other {
                Part::Array(o) => Part::Array(o.isel_slice(d, lo, hi, 1)?),
                Part::Set(o) => Part::Set(o.isel_slice(d, lo, hi, 1)?),
            };
        }
    }
    if let (Some(n), Part::Array(o)) = (a["other_rename"].as_str(), &other) {
        other = Part::Array(o.clone().rename(n));
    }
    let op = match a["op"].as_str().unwrap() {
        "add" => BinaryOp::Add,
        "sub" => BinaryOp::Sub,
        "mul" => BinaryOp::Mul,
        "div" => BinaryOp::Div,
        other => panic!("unknown operator {other}"),
    };
    let reflected = a["reflected"].as_bool().unwrap();
    Ok(match (part(ds, &a["grouped"])?, other) {
        (Part::Array(x), Part::Array(o)) => {
            let g = x.groupby(key)?;
            Obj::Array(if reflected {
                // the operator form, as a user writes it
                if op == BinaryOp::Sub {
                    (&o - &g)?
                } else {
                    g.binary_reflected(op, &o)?
                }
            } else if op == BinaryOp::Sub {
                (&g - &o)?
            } else {
                g.binary(op, &o)?
            })
        }
        (Part::Array(x), Part::Set(o)) => {
            let g = x.groupby(key)?;
            Obj::Set(if reflected {
                (&o - &g)?
            } else {
                g.binary_dataset(op, &o, false)?
            })
        }
        (Part::Set(x), Part::Set(o)) => {
            let g = x.groupby(key)?;
            Obj::Set(if reflected {
                g.binary_reflected(op, &o)?
            } else if op == BinaryOp::Sub {
                (&g - &o)?
            } else {
                g.binary(op, &o)?
            })
        }
        (Part::Set(x), Part::Array(o)) => {
            let g = x.groupby(key)?;
            Obj::Set(if reflected {
                (&o - &g)?
            } else {
                g.binary_array(op, &o, false)?
            })
        }
    })
}

fn reduce_kind(f: &str) -> ReduceKind {
    match f {
        "mean" => ReduceKind::Mean,
        "sum" => ReduceKind::Sum,
        "min" => ReduceKind::Min,
        "max" => ReduceKind::Max,
        "count" => ReduceKind::Count,
        "prod" => ReduceKind::Prod,
        other => panic!("unknown reduction {other}"),
    }
}

fn run_dataset(d: &Dataset, full: &Dataset, op: &str, a: &Value) -> tessera::Result<Dataset> {
    let f = a["func"].as_str().unwrap_or("");
    let ddof = a["ddof"].as_u64().unwrap_or(0) as usize;
    match op {
        "ds_reduce" => {
            let dims = dims_arg(&a["dim"]);
            match f {
                "mean" => d.mean(dims),
                "sum" => d.sum(dims),
                "min" => d.min(dims),
                "max" => d.max(dims),
                "count" => d.count(dims),
                "prod" => d.prod(dims),
                "std" => d.std(dims, ddof),
                "var" => d.var(dims, ddof),
                "median" => d.median(dims),
                other => d.reduce(reduce_kind(other), dims, Default::default()),
            }
        }
        "ds_cumulative" => {
            let dim = a["dim"].as_str().unwrap();
            if f == "cumsum" {
                d.cumsum(dim)
            } else {
                d.cumprod(dim)
            }
        }
        "ds_quantile" => {
            let dims = strs(&a["dim"]);
            let sizes: Vec<(String, usize)> = d.dims();
            let one: Vec<(&str, usize)> = dims
                .iter()
                .map(|n| (n.as_str(), sizes.iter().find(|(d, _)| d == n).unwrap().1))
                .collect();
            let q: Vec<f64> = a["q"]
                .as_array()
                .unwrap()
                .iter()
                .map(|x| x.as_f64().unwrap())
                .collect();
            d.chunk(&one)?.quantile(&q, Dims::Names(dims))
        }
        "ds_weighted" => {
            let w = d.weighted(&full.get(a["weights"].as_str().unwrap())?)?;
            let dims = dims_arg(&a["dim"]);
            match f {
                "mean" => w.mean(dims),
                "sum" => w.sum(dims),
                "std" => w.std(dims),
                "var" => w.var(dims),
                "sum_of_weights" => w.sum_of_weights(dims),
                other => panic!("unknown weighted {other}"),
            }
        }
        "ds_rolling" => rolling_case!(d, a),
        "ds_polyfit" => d.polyfit(
            a["dim"].as_str().unwrap(),
            a["deg"].as_u64().unwrap() as usize,
        ),
        "ds_coarsen" => {
            let windows: Vec<(&str, usize)> = a["windows"]
                .as_object()
                .unwrap()
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_u64().unwrap() as usize))
                .collect();
            d.coarsen(&windows)?.reduce(reduce_kind(f))
        }
        "ds_chunk" => {
            let chunks: Vec<(&str, usize)> = a["chunks"]
                .as_object()
                .unwrap()
                .iter()
                .map(|(k, v)| (k.as_str(), v.as_u64().unwrap() as usize))
                .collect();
            let c = d.chunk(&chunks)?;
            for (n, v) in c.data_vars() {
                if v.dims().first().map(String::as_str) == Some("time") {
                    assert_eq!(v.data().chunks().axis_chunks(0), &[4, 4, 4], "{n}");
                }
            }
            Ok(c)
        }
        other => panic!("unknown op {other}"),
    }
}

/// Which tessera errors answer which xarray exception.
fn same_kind(xarray: &str, e: &Error) -> bool {
    match xarray {
        "ValueError" => matches!(
            e,
            Error::UnknownDimension { .. }
                | Error::InvalidArgument(_)
                | Error::InvalidChunks(_)
                | Error::ShapeMismatch { .. }
                | Error::InvalidGroup { .. }
                // a block function's result of the wrong shape (xarray checks it too)
                | Error::UserFunction { .. }
        ),
        "AlignmentError" => matches!(e, Error::Alignment { .. }),
        "KeyError" => matches!(e, Error::UnknownDimension { .. }),
        _ => false,
    }
}

#[test]
fn compute_matches_xarray() {
    let fx = golden::read_fixture(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/data-fixtures/golden/compute/cases.json"
    ));
    let ds = golden::dataset(&fx["dataset"]);
    let cases = fx["cases"].as_array().unwrap();
    golden::replay(
        cases,
        |case| run(&ds, case),
        same_kind,
        |id, msg| match id {
            "err_au_core_dim_chunked" => msg.contains("\"time\"") && msg.contains("allow_rechunk"),
            "err_au_missing_output_size" => {
                msg.contains("\"stat\"") && msg.contains("output_sizes")
            }
            "err_au_exclude_needs_output_size" => {
                msg.contains("\"lon\"") && msg.contains("output_sizes")
            }
            "err_au_exclude_not_core" => msg.contains("\"lat\"") && msg.contains("excluded"),
            "err_mbt_wrong_block_shape" => {
                msg.contains("[5, 2, 4]")
                    && msg.contains("[3, 2, 4]")
                    && msg.contains("block [0, 0, 0]")
            }
            id if id.contains("unknown") => msg.contains("depth"),
            id if id.contains("no_group_dim") => msg.contains("\"dayofweek\""),
            _ => true,
        },
    );
    assert!(cases.len() >= 128);
}
