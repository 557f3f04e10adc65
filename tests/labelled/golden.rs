//! The labelled layer against xarray: every case in
//! `data-fixtures/golden/labelled/cases.json` (written by `scripts/golden_labelled.py`)
//! is replayed and its result compared with xarray's: dims, dtype, shape, values
//! (relative 1e-9 for f64, 1e-5 for f32, NaN positions exact), coordinates, name and
//! attributes, or the kind of error xarray raised.

use crate::support::golden;

use std::collections::BTreeMap;

use serde_json::Value;
use tessera::engine::{BinaryOp, DType, FloatFn, ReduceKind, Scalar, UnaryOp};
use tessera::labelled::{
    Compat, DataArray, Dataset, Dims, Join, Label, LabelSel, Positions, ReduceArgs,
};
use tessera::{Error, Result};

/// Cases whose feature is not built yet, with the reason. Every other case must match.
const NOT_YET: &[(&str, &str)] = &[];

#[derive(Clone)]
enum Obj {
    Array(DataArray),
    Set(Dataset),
    Pair(Box<Obj>, Box<Obj>),
}

type Fixtures = BTreeMap<String, Dataset>;

fn lookup(fx: &Fixtures, r: &Value) -> Result<Obj> {
    let ds = &fx[r["dataset"].as_str().expect("dataset name")];
    Ok(match r.get("target").and_then(Value::as_str) {
        Some(t) => Obj::Array(ds.get(t)?),
        None => Obj::Set(ds.clone()),
    })
}

fn label(v: &Value) -> Label {
    match v {
        Value::String(s) => Label::Str(s.clone()),
        other => Label::Num(other.as_f64().expect("numeric label")),
    }
}

fn dims_arg(v: &Value) -> Dims {
    match v {
        Value::Null => Dims::All,
        Value::String(s) => Dims::from(s.as_str()),
        Value::Array(a) => Dims::Names(
            a.iter()
                .map(|d| d.as_str().expect("dim").to_string())
                .collect(),
        ),
        other => panic!("dims {other}"),
    }
}

fn names(v: &Value) -> Vec<String> {
    v.as_array()
        .expect("names")
        .iter()
        .map(|x| x.as_str().expect("name").to_string())
        .collect()
}

fn pairs(v: &Value) -> Vec<(String, String)> {
    v.as_object()
        .expect("mapping")
        .iter()
        .map(|(k, v)| (k.clone(), v.as_str().expect("name").to_string()))
        .collect()
}

fn join_of(v: &Value) -> Join {
    match v.as_str().unwrap_or("inner") {
        "inner" => Join::Inner,
        "outer" => Join::Outer,
        "left" => Join::Left,
        "right" => Join::Right,
        "exact" => Join::Exact,
        other => panic!("join {other}"),
    }
}

fn binary_op(name: &str) -> BinaryOp {
    match name {
        "add" => BinaryOp::Add,
        "sub" => BinaryOp::Sub,
        "mul" => BinaryOp::Mul,
        "truediv" => BinaryOp::Div,
        "pow" => BinaryOp::Pow,
        "lt" => BinaryOp::Lt,
        "gt" => BinaryOp::Gt,
        "eq" => BinaryOp::Eq,
        other => panic!("binary op {other}"),
    }
}

fn unary_op(name: &str) -> UnaryOp {
    match name {
        "abs" => UnaryOp::Abs,
        "negative" => UnaryOp::Neg,
        "isnull" => UnaryOp::IsNan,
        "notnull" => UnaryOp::NotNan,
        "sqrt" => UnaryOp::Math(FloatFn::Sqrt),
        "log" => UnaryOp::Math(FloatFn::Log),
        "exp" => UnaryOp::Math(FloatFn::Exp),
        "sin" => UnaryOp::Math(FloatFn::Sin),
        "cos" => UnaryOp::Math(FloatFn::Cos),
        "deg2rad" => UnaryOp::Math(FloatFn::Deg2Rad),
        other => panic!("unary op {other}"),
    }
}

/// A JSON number as a Python scalar: integers stay weak integers (NEP 50).
fn scalar(v: &Value) -> Scalar {
    match v.as_i64() {
        Some(i) if !v.is_f64() => Scalar::Int(i),
        _ => Scalar::Float(v.as_f64().expect("scalar")),
    }
}

/// Applies a reduction to a data array, or to every variable of a dataset over the
/// dims it has.
fn each_reduce(
    obj: &Obj,
    dims: &Dims,
    f: impl Fn(&DataArray, Dims) -> Result<DataArray>,
) -> Result<Obj> {
    Ok(match obj {
        Obj::Array(a) => Obj::Array(f(a, dims.clone())?),
        Obj::Set(d) => Obj::Set(d.reduce_each(dims, f)?),
        Obj::Pair(..) => unreachable!("operations apply to one object"),
    })
}

/// Applies a data-array operation to a data array, or to every variable of a dataset.
fn each(obj: &Obj, f: impl Fn(&DataArray) -> Result<DataArray>) -> Result<Obj> {
    Ok(match obj {
        Obj::Array(a) => Obj::Array(f(a)?),
        Obj::Set(d) => Obj::Set(d.map(&f)?),
        Obj::Pair(..) => unreachable!("operations apply to one object"),
    })
}

fn reduce(a: &DataArray, dims: Dims, args: &Value) -> Result<DataArray> {
    let ra = ReduceArgs {
        skipna: args["skipna"].as_bool(),
        ddof: args["ddof"].as_u64().unwrap_or(0) as usize,
        min_count: args["min_count"].as_u64().map(|n| n as usize),
        keep_attrs: args["keep_attrs"].as_bool(),
    };
    let kind = match args["func"].as_str().expect("func") {
        "median" => return a.median(dims, ra.skipna),
        "idxmin" => return a.idxmin(&single(&dims)),
        "idxmax" => return a.idxmax(&single(&dims)),
        "sum" => ReduceKind::Sum,
        "mean" => ReduceKind::Mean,
        "std" => ReduceKind::Std,
        "var" => ReduceKind::Var,
        "min" => ReduceKind::Min,
        "max" => ReduceKind::Max,
        "count" => ReduceKind::Count,
        "prod" => ReduceKind::Prod,
        "any" => ReduceKind::Any,
        "all" => ReduceKind::All,
        "argmin" => ReduceKind::ArgMin,
        "argmax" => ReduceKind::ArgMax,
        other => panic!("reduction {other}"),
    };
    a.reduce(kind, dims, ra)
}

fn single(d: &Dims) -> String {
    match d {
        Dims::Names(n) if n.len() == 1 => n[0].clone(),
        other => panic!("one dim expected, got {other:?}"),
    }
}

fn sel(obj: &Obj, args: &Value) -> Result<Obj> {
    let nearest = args["method"] == "nearest";
    let tolerance = args["tolerance"].as_f64();
    let mut out = obj.clone();
    for (dim, v) in args["indexers"].as_object().expect("indexers") {
        let how = match v {
            Value::Array(ls) if nearest => {
                LabelSel::NearestList(ls.iter().map(label).collect(), tolerance)
            }
            Value::Array(ls) => LabelSel::List(ls.iter().map(label).collect()),
            Value::Object(s) => LabelSel::Slice(
                (!s["start"].is_null()).then(|| label(&s["start"])),
                (!s["stop"].is_null()).then(|| label(&s["stop"])),
            ),
            v if nearest => LabelSel::Nearest(label(v), tolerance),
            v => LabelSel::Exact(label(v)),
        };
        out = match out {
            Obj::Array(a) => Obj::Array(a.sel_with(dim, &how)?),
            Obj::Set(d) => Obj::Set(d.sel_with(dim, &how)?),
            Obj::Pair(..) => unreachable!(),
        };
    }
    Ok(out)
}

fn isel(obj: &Obj, args: &Value) -> Result<Obj> {
    let mut out = obj.clone();
    for (dim, v) in args["indexers"].as_object().expect("indexers") {
        let n = match &out {
            Obj::Array(a) => a.dim_len(dim)?,
            Obj::Set(d) => d.dim_len(dim).unwrap_or(0),
            Obj::Pair(..) => unreachable!(),
        };
        let pos = match v {
            Value::Number(i) => Positions::index(n, i.as_i64().expect("int") as isize)?,
            Value::Array(list) => Positions::List(
                list.iter()
                    .map(|x| x.as_u64().expect("pos") as usize)
                    .collect(),
            ),
            Value::Object(s) => Positions::python(
                n,
                s["start"].as_i64().map(|x| x as isize),
                s["stop"].as_i64().map(|x| x as isize),
                s["step"].as_i64().unwrap_or(1) as isize,
            )?,
            other => panic!("indexer {other}"),
        };
        out = match out {
            Obj::Array(a) => Obj::Array(a.isel_positions(dim, &pos)?),
            Obj::Set(d) => Obj::Set(d.isel_positions(dim, &pos)?),
            Obj::Pair(..) => unreachable!(),
        };
    }
    Ok(out)
}

fn binary(obj: &Obj, fx: &Fixtures, args: &Value) -> Result<Obj> {
    let op = binary_op(args["op"].as_str().expect("op"));
    let reflected = args["reflected"].as_bool().unwrap_or(false);
    let other = &args["other"];
    if let Some(s) = other.get("scalar") {
        return each(obj, |a| a.binary_scalar(op, scalar(s), reflected));
    }
    let rhs = lookup(fx, other)?;
    Ok(match (obj, rhs) {
        (Obj::Array(a), Obj::Array(b)) if reflected => Obj::Array(b.binary(op, a)?),
        (Obj::Array(a), Obj::Array(b)) => Obj::Array(a.binary(op, &b)?),
        (Obj::Set(a), Obj::Set(b)) => Obj::Set(a.binary(op, &b)?),
        (Obj::Set(a), Obj::Array(b)) => Obj::Set(a.binary_array(op, &b, reflected)?),
        _ => panic!("unsupported operand kinds"),
    })
}

fn run(case: &Value, fx: &Fixtures) -> Result<Obj> {
    let obj = lookup(fx, case)?;
    let args = &case["args"];
    match case["op"].as_str().expect("op") {
        "isel" => isel(&obj, args),
        "sel" => sel(&obj, args),
        "binary" => binary(&obj, fx, args),
        "unary" => {
            let op = unary_op(args["func"].as_str().expect("func"));
            each(&obj, |a| a.unary(op))
        }
        "transpose" => {
            let order = names(&args["dims"]);
            Ok(match obj {
                Obj::Array(a) => Obj::Array(a.transpose(&order)?),
                Obj::Set(d) => Obj::Set(d.transpose(&order)?),
                Obj::Pair(..) => unreachable!(),
            })
        }
        "rename" => {
            let map = pairs(&args["names"]);
            Ok(match obj {
                Obj::Array(a) => Obj::Array(a.rename_dims(&map)?),
                Obj::Set(d) => Obj::Set(d.rename(&map)?),
                Obj::Pair(..) => unreachable!(),
            })
        }
        "expand_dims" => {
            let dim = args["dim"].as_str().expect("dim");
            let axis = args["axis"].as_u64().map(|a| a as usize);
            each(&obj, |a| a.expand_dims(dim, axis))
        }
        "squeeze" => {
            let dim = args["dim"].as_str().expect("dim");
            Ok(match obj {
                Obj::Array(a) => Obj::Array(a.squeeze(dim)?),
                Obj::Set(d) => Obj::Set(d.squeeze(dim)?),
                Obj::Pair(..) => unreachable!(),
            })
        }
        "assign_coords" => {
            let mut out = obj;
            for (name, v) in args["coords"].as_object().expect("coords") {
                let var = golden::variable(v);
                out = match out {
                    Obj::Array(a) => Obj::Array(a.assign_coords(vec![(name.as_str(), var)])?),
                    Obj::Set(mut d) => {
                        d.insert_coord(name.as_str(), var)?;
                        Obj::Set(d)
                    }
                    Obj::Pair(..) => unreachable!(),
                };
            }
            Ok(out)
        }
        "drop_vars" => {
            let list = names(&args["names"]);
            let refs: Vec<&str> = list.iter().map(String::as_str).collect();
            Ok(match obj {
                Obj::Array(a) => Obj::Array(a.drop_vars(&refs)?),
                Obj::Set(d) => Obj::Set(d.drop_vars(&refs)?),
                Obj::Pair(..) => unreachable!(),
            })
        }
        "where" => {
            let cond = &args["cond"];
            let op = binary_op(cond["op"].as_str().expect("op"));
            let value = scalar(&cond["value"]);
            let other = (!args["other"].is_null()).then(|| scalar(&args["other"]));
            each(&obj, |a| {
                a.where_(&a.binary_scalar(op, value, false)?, other)
            })
        }
        "fillna" => {
            let value = scalar(&args["value"]);
            each(&obj, |a| a.fillna(value))
        }
        "astype" => {
            let dtype =
                DType::from_name(args["dtype"].as_str().expect("dtype")).expect("known dtype");
            each(&obj, |a| a.astype(dtype))
        }
        "chunk" => {
            let chunks: Vec<(String, usize)> = args["chunks"]
                .as_object()
                .expect("chunks")
                .iter()
                .map(|(k, v)| (k.clone(), v.as_u64().expect("size") as usize))
                .collect();
            each(&obj, |a| {
                let own: Vec<(&str, usize)> = chunks
                    .iter()
                    .filter(|(d, _)| a.dims().contains(d))
                    .map(|(d, n)| (d.as_str(), *n))
                    .collect();
                a.chunk(&own)
            })
        }
        "reduce" => each_reduce(&obj, &dims_arg(&args["dim"]), |a, d| reduce(a, d, args)),
        "quantile" => {
            let dims = dims_arg(&args["dim"]);
            let skipna = args["skipna"].as_bool();
            match &args["q"] {
                Value::Array(q) => {
                    let q: Vec<f64> = q.iter().map(|x| x.as_f64().expect("q")).collect();
                    each_reduce(&obj, &dims, |a, d| a.quantile(&q, d, skipna))
                }
                q => each_reduce(&obj, &dims, |a, d| {
                    a.quantile_scalar(q.as_f64().expect("q"), d, skipna)
                }),
            }
        }
        "weighted" => {
            let Obj::Array(w) = lookup(fx, &args["weights"])? else {
                panic!("weights must be an array")
            };
            let dims = dims_arg(&args["dim"]);
            let func = args["func"].as_str().expect("func").to_string();
            // Unlike plain reductions, xarray's weighted reductions also run on the
            // variables without the dims (broadcasting them against the weights).
            each(&obj, |a| {
                let wa = a.weighted(&w)?;
                match func.as_str() {
                    "mean" => wa.mean(dims.clone()),
                    "sum" => wa.sum(dims.clone()),
                    "std" => wa.std(dims.clone()),
                    "sum_of_weights" => wa.sum_of_weights(dims.clone()),
                    other => panic!("weighted {other}"),
                }
            })
        }
        "align" => {
            let other = lookup(fx, &args["other"])?;
            let join = join_of(&args["join"]);
            Ok(match (obj, other) {
                (Obj::Array(a), Obj::Array(b)) => {
                    let (x, y) = tessera::labelled::align_pair(&a, &b, join)?;
                    Obj::Pair(Box::new(Obj::Array(x)), Box::new(Obj::Array(y)))
                }
                (Obj::Set(a), Obj::Set(b)) => {
                    let (x, y) = tessera::labelled::align_datasets(&a, &b, join)?;
                    Obj::Pair(Box::new(Obj::Set(x)), Box::new(Obj::Set(y)))
                }
                _ => panic!("align of mixed kinds"),
            })
        }
        "concat" => {
            let others: Vec<Obj> = args["others"]
                .as_array()
                .expect("others")
                .iter()
                .map(|o| lookup(fx, o))
                .collect::<Result<_>>()?;
            let dim = args["dim"].as_str().expect("dim");
            let join = join_of(&args["join"]);
            Ok(match obj {
                Obj::Array(a) => {
                    let mut all = vec![a];
                    all.extend(others.into_iter().map(|o| match o {
                        Obj::Array(x) => x,
                        _ => panic!("mixed"),
                    }));
                    Obj::Array(tessera::labelled::concat(
                        &all.iter().collect::<Vec<_>>(),
                        dim,
                        join,
                    )?)
                }
                Obj::Set(d) => {
                    let mut all = vec![d];
                    all.extend(others.into_iter().map(|o| match o {
                        Obj::Set(x) => x,
                        _ => panic!("mixed"),
                    }));
                    Obj::Set(tessera::labelled::concat_datasets(
                        &all.iter().collect::<Vec<_>>(),
                        dim,
                        join,
                    )?)
                }
                Obj::Pair(..) => unreachable!(),
            })
        }
        "merge" => {
            let as_set = |o: Obj| -> Result<Dataset> {
                Ok(match o {
                    Obj::Set(d) => d,
                    Obj::Array(a) => Dataset::from_array(&a)?,
                    Obj::Pair(..) => unreachable!(),
                })
            };
            let mut all = vec![as_set(obj)?];
            for o in args["others"].as_array().expect("others") {
                all.push(as_set(lookup(fx, o)?)?);
            }
            let compat = match args["compat"].as_str() {
                None | Some("no_conflicts") => Compat::NoConflicts,
                Some("override") => Compat::Override,
                Some("equals") => Compat::Equals,
                Some("broadcast_equals") => Compat::BroadcastEquals,
                Some("identical") => Compat::Identical,
                Some(other) => panic!("compat {other}"),
            };
            Ok(Obj::Set(tessera::labelled::merge(
                &all.iter().collect::<Vec<_>>(),
                compat,
                join_of(&args["join"]),
            )?))
        }
        other => panic!("unknown op {other} in the fixture"),
    }
}

/// Which tessera errors answer which xarray exception.
fn same_kind(xarray: &str, e: &Error) -> bool {
    match xarray {
        "KeyError" => matches!(e, Error::LabelNotFound { .. }),
        "IndexError" => matches!(e, Error::IndexOutOfBounds(_)),
        "AlignmentError" => matches!(e, Error::Alignment { .. }),
        "MergeError" => matches!(e, Error::MergeConflict { .. }),
        "ValueError" => matches!(
            e,
            Error::UnknownDimension { .. }
                | Error::UnknownVariable { .. }
                | Error::InvalidArgument(_)
                | Error::EmptyReduction(_)
        ),
        _ => false,
    }
}

/// Computes every array of a result (errors such as an all-NaN argmin surface then).
fn compute_all(obj: &Obj) -> Result<()> {
    match obj {
        Obj::Array(a) => a.compute().map(drop),
        Obj::Set(d) => d.compute_vars(&tessera::engine::Compute::new()).map(drop),
        Obj::Pair(x, y) => compute_all(x).and(compute_all(y)),
    }
}

fn check(obj: &Obj, exp: &Value, errors: &mut Vec<String>) {
    match obj {
        Obj::Array(a) => golden::compare_dataarray(a, exp, errors),
        Obj::Set(d) => golden::compare_dataset(d, exp, errors),
        Obj::Pair(x, y) => {
            let items = exp["items"].as_array().expect("aligned items");
            check(x, &items[0], errors);
            check(y, &items[1], errors);
        }
    }
}

#[test]
fn labelled_operations_match_xarray() {
    let fixture = golden::read_fixture(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/data-fixtures/golden/labelled/cases.json"
    ));
    let fx = golden::datasets(&fixture);
    let cases = fixture["cases"].as_array().expect("cases");
    let mut failures = vec![];
    let mut passed = 0;
    for case in cases {
        let id = case["id"].as_str().expect("id");
        if NOT_YET.iter().any(|(c, _)| *c == id) {
            continue;
        }
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let mut errors = vec![];
            match (run(case, &fx), case["error"].as_str()) {
                (Ok(obj), None) => check(&obj, &case["expected"], &mut errors),
                (Ok(obj), Some(x)) => match compute_all(&obj) {
                    Ok(()) => errors.push(format!("succeeded; xarray raised {x}")),
                    Err(e) if !same_kind(x, &e) => {
                        errors.push(format!("error {e:?} when computed; xarray raised {x}"))
                    }
                    Err(_) => {}
                },
                (Err(e), None) => errors.push(format!("failed: {e}")),
                (Err(e), Some(x)) if !same_kind(x, &e) => {
                    errors.push(format!("error {e:?}; xarray raised {x}"))
                }
                (Err(_), Some(_)) => {}
            }
            errors
        }));
        let errors = outcome.unwrap_or_else(|_| vec!["panicked".to_string()]);
        if errors.is_empty() {
            passed += 1;
        } else {
            failures.push(format!("{id}: {}", errors.join("; ")));
        }
    }
    golden::assert_all_match(&failures, cases.len());
    assert_eq!(passed, cases.len(), "every case runs and matches");
}
