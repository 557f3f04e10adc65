//! # tessera for xarray users
//!
//! A phrasebook: the 60 xarray calls that analysis scripts use most, each with its
//! tessera spelling and a doc-tested example below the table, then the everyday calls
//! added since (rows s1–s13 for interpolation and selection, 57a–57i for time, 61–93
//! for missing data, reshaping, user functions and Dataset forms). Like ndarray's
//! guide for NumPy users, it is meant to be read once from the top and then searched.
//!
//! ## What changes, and what does not
//!
//! - **Everything is lazy, always.** A [`DataArray`](crate::DataArray) is xarray's `DataArray` backed
//!   by a dask array; there is no eager mode. Selections, arithmetic, reductions,
//!   groupby and rolling build a graph; `values`, `compute`, `persist` and `to_zarr`
//!   run it, in parallel and under a memory budget ([`Compute`](crate::Compute)).
//! - **Dimensions are named by `&str`.** Keyword arguments become arguments:
//!   `da.isel(time=0)` is `da.isel("time", 0)`; `da.mean(["lat", "lon"])` takes one
//!   name, an array of names, or [`Dims::All`](crate::labelled::Dims::All) (xarray's `da.mean()`).
//! - **Every call returns a [`Result`](crate::Result)**, so bad input (an unknown dimension, a label
//!   that is not in the index) is an [`Error`](crate::Error) that names the problem, never a panic:
//!   end calls with `?`. Operators work on references and return a `Result` too:
//!   `(&a - &b)?`, `(&a * 2.0)?`.
//! - **xarray's defaults are kept**: NaN skipped in float reductions, arithmetic
//!   aligned on indexes with an inner join and broadcast by name, attributes kept by
//!   reductions, `ddof = 0` (but `ddof` is an argument, not a keyword).
//! - **One import** brings the names below: `use tessera::prelude::*;`.
//!
//! The examples use a small array `t` on (`time`, `lat`), built as in row 4, and, for
//! the calendar rows, a daily series `sst` over two `noleap` years whose value is the
//! day of the year, built from CF-encoded numbers as in row 57:
//!
//! ```
//! use tessera::prelude::*;
//!
//! let t = DataArray::from_ndarray(
//!     "t",
//!     ["time", "lat"],
//!     ndarray::array![[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0], [10.0, 11.0, 12.0]]
//!         .into_dyn(),
//!     &[2, 3], // chunks: 2 time steps by the 3 latitudes
//! )?
//! .with_coord_values("time", vec![0.0, 1.0, 2.0, 3.0])?
//! .with_coord_values("lat", vec![-45.0, 0.0, 45.0])?;
//! assert_eq!(t.shape(), &[4, 3]);
//! # Ok::<(), Error>(())
//! ```
//!
//! ## The table
//!
//! | # | xarray | tessera | notes |
//! |---|--------|---------|-------|
//! | **Opening and writing data** | | | |
//! | 1 | `xr.open_zarr(url)` | `open_zarr(url)?` | paths, `file://`, `s3://`, `gs://`, `az://`, `http(s)://`, `memory://`; CF-decoded, lazy |
//! | 2 | `xr.open_zarr(url, chunks={"time": 100})` | `open_zarr_with(url, &OpenOptions::default().chunk("time", 100))?` | `OpenOptions::raw()` is `decode_cf=False` |
//! | 3 | `ds.to_zarr(url, mode="w")` | `ds.to_zarr(url, &WriteOptions::mode(WriteMode::Overwrite))?` | default mode is `"w-"`; `Append` + `append_dim`, `region` |
//! | 4 | `xr.DataArray(data, dims=..., coords=...)` | `DataArray::from_ndarray(name, dims, data, chunks)?.with_coord_values(dim, values)?` | `with_coord_strings` for string labels |
//! | 5 | `xr.Dataset(...)`, `ds["t"] = da` | `Dataset::new()`, `ds.insert_array(&da)?` | `ds.insert(name, variable)?`; `da.to_dataset()` is `Dataset::from_array(&da)?` |
//! | 6 | `ds["t"]` | `ds.get("t")?` | a data variable or coordinate, as a `DataArray` |
//! | **Inspecting** | | | |
//! | 7 | `print(ds)` | `println!("{ds}")` | xarray's repr: dims, coordinates, variables, chunks, attrs |
//! | 8 | `da.dims`, `da.shape`, `ds.sizes` | `da.dims()`, `da.shape()`, `ds.dims()` | `ds.dim_len("time")` is `ds.sizes["time"]` |
//! | 9 | `da.attrs` | `da.attrs()`, `da.with_attrs(attrs)` | `Attrs` is a JSON map |
//! | 10 | `da["lat"]`, `da.coords["lat"]` | `da.coord("lat")?` | `da.coords().names()` lists them |
//! | 11 | `da.values`, `da.to_numpy()` | `da.values::<f64>()?` | computes; an `ndarray::ArrayD` of any numeric `T` |
//! | 12 | `ds.rename({"lat": "latitude"})` | `ds.rename(&[("lat".into(), "latitude".into())])?` | `da.rename_dims(..)` on arrays; `da.rename("new")` renames the array |
//! | **Selecting** | | | |
//! | 13 | `da.isel(time=0)` | `da.isel("time", 0)?` | negative counts from the end; the dim is dropped |
//! | 14 | `da.isel(time=slice(1, None))` | `da.isel_slice("time", Some(1), None, 1)?` | `isel_list("time", &[0, 2])` for a list |
//! | 15 | `da.sel(lat=45.0)` | `da.sel("lat", 45.0)?` | strings and dates too |
//! | 16 | `da.sel(time="2001-02")` | `da.sel("time", "2001-02")?` | a partial date selects the period |
//! | 17 | `da.sel(lat=40, method="nearest")` | `da.sel_nearest("lat", 40.0, None)?` | `Some(tolerance)` |
//! | 18 | `da.sel(lat=slice(-10, 50))` | `da.sel_slice("lat", -10.0, 50.0)?` | both ends included; descending indexes work |
//! | 19 | `da.where(cond)`, `da.where(cond, 0)` | `da.where_(&cond, None)?`, `da.where_(&cond, Some(0.0.into()))?` | `cond` aligned and broadcast by name |
//! | 20 | `ds.drop_vars(["p"])` | `ds.drop_vars(&["p"])?` | data variables or coordinates |
//! | 21 | `da.transpose("lat", "time")` | `da.transpose(&["lat", "time"])?` | |
//! | 22 | `da.assign_coords(lat=...)` | `da.assign_coords(vec![("lat", variable)])?` | |
//! | 23 | `da.chunk({"time": 1})` | `da.chunk(&[("time", 1)])?` | other dims keep their chunks |
//! | s1 | `da.interp(lat=[10, 20])` | `da.interp("lat", [10.0, 20.0], &InterpOptions::linear())?` | `InterpOptions::nearest()`, `.extrapolate()`, `.fill_value(v)`; dates as strings on time |
//! | s2 | `da.interp(lat=.., lon=..)` | `da.interp_many(&[("lat", lats), ("lon", lons)], &opts)?` | one dim after the other (multilinear) |
//! | s2b | `da.interp(lat=lats, lon=lons)` with `DataArray`s over `station` | `da.interp_points(&[("lat", &lats), ("lon", &lons)], &opts)?` | multilinear at each point; the indexers' coords come along |
//! | s3 | `da.interp_like(other)` | `da.interp_like(other.coords(), &opts)?` | also `reindex_like` |
//! | s4 | `da.reindex(lat=new, method="nearest", tolerance=1)` | `da.reindex("lat", new, &ReindexOptions::new().method(ReindexMethod::Nearest).tolerance(1.0))?` | `Ffill`/`Bfill`, `.fill_value(0)` |
//! | s5 | `da.sel(lat=lats, lon=lons, method="nearest")` with `DataArray`s over `station` | `da.sel_points(&[("lat", &lats), ("lon", &lons)], &PointOptions::nearest().tolerance(0.5))?` | `isel_points` by position; the indexers' coords come along |
//! | s6 | `da.sel(lat=35.3, lon=150.7, method="nearest")` | `da.sel_nearest_many([("lat", 35.3), ("lon", 150.7)])?` | or `da.select().nearest(..).slice(..).tolerance(..).run()?` |
//! | s7 | `da.sel(lat=slice(20, 50), lon=slice(120, 200))` | `da.sel_slices([("lat", 20.0, 50.0), ("lon", 120.0, 200.0)])?` | |
//! | s8 | `da.roll(lon=3, roll_coords=True)` | `da.roll(&[("lon", 3)], true)?` | then `assign_coords` for -180..180 |
//! | s9 | `da.pad(lon=(1, 2), mode="wrap")` | `da.pad(&[("lon", 1, 2)], PadMode::Wrap)?` | `Constant(Some(0.into()))`, `Edge`, `Reflect` |
//! | s10 | `da.sortby("lat", ascending=False)` | `da.sortby(&["lat"], false)?` | several keys: the first is primary |
//! | s11 | `da.head(time=5)`, `tail`, `thin` | `da.head(&[("time", 5)])?` | `tail`, `thin` alike |
//! | s12 | `da.drop_sel(lat=[45.0])` | `da.drop_sel("lat", [45.0])?` | |
//! | s13 | `da.isel(lon=slice(None, None, -1))` | `da.isel_slice("lon", None, None, -1)?` | negative starts and steps as Python |
//! | s14 | `da.interp(lat=[10, 20], method="cubic")` | `da.interp("lat", [10.0, 20.0], &InterpOptions::default().method(InterpMethod::Cubic))?` | scipy's not-a-knot spline; 4 labels at least; one dim per call; `"cubic".parse()?` |
//! | s15 | `ds.isel(lat=ilat, lon=ilon)`, `ds.sel(..)`, `ds.interp(..)` with `DataArray`s over `station` | `ds.isel_points(&ix)?`, `ds.sel_points(&ix, &opts)?`, `ds.interp_points(&ix, &opts)?` | variables without the indexed dims kept |
//! | s16 | `da.reindex(station=["b", "x"], method="ffill")` on a string index | `da.reindex("station", ["b", "x"], &ReindexOptions::new().method(ReindexMethod::Ffill))?` | in the strings' order; `nearest` is an error, as xarray's `TypeError` |
//! | **Computing** | | | |
//! | 24 | `a + b`, `a * 2`, `1 - a` | `(&a + &b)?`, `(&a * 2.0)?`, `(1.0 - &a)?` | `+ - * /`; aligned (inner join) and broadcast by name |
//! | 25 | `np.sqrt(da)`, `np.cos(np.deg2rad(da))` | `da.sqrt()?`, `da.math(FloatFn::Deg2Rad)?.math(FloatFn::Cos)?` | `abs()`, every `FloatFn`; `unary(UnaryOp::..)` |
//! | 26 | `da > 6`, `da ** 2` | `da.binary_scalar(BinaryOp::Gt, 6.0, false)?` | every `BinaryOp`; `da.binary(op, &other)?` |
//! | 27 | `da.isnull()`, `da.notnull()` | `da.isnull()?`, `da.notnull()?` | |
//! | 28 | `da.fillna(0)` | `da.fillna(0.0)?` | |
//! | 29 | `da.diff("time")` | `da.diff("time", 1)?` | `diff_label` for `label="lower"`; `cumsum("time")` |
//! | 30 | `da.shift(time=1)` | `da.shift("time", 1)?` | `shift_with(.., fill)` |
//! | 31 | `da.astype("float32")` | `da.astype(DType::F32)?` | |
//! | **Reducing** | | | |
//! | 32 | `da.mean("time")`, `da.mean()` | `da.mean("time")?`, `da.mean(Dims::All)?` | NaN skipped |
//! | 33 | `da.sum(["time", "lat"])` | `da.sum(["time", "lat"])?` | `prod`, `count`, `any`, `all` alike |
//! | 34 | `da.max("lat")`, `da.min("lat")` | `da.max("lat")?`, `da.min("lat")?` | |
//! | 35 | `da.std("time")`, `da.var("time")` | `da.std("time", 0)?`, `da.var("time", 0)?` | the second argument is `ddof` |
//! | 36 | `da.median("time")` | `da.median("time", None)?` | `Some(false)` is `skipna=False`; `dims` in one chunk |
//! | 37 | `da.quantile([0.1, 0.9], dim="time")` | `da.quantile(&[0.1, 0.9], "time", None)?` | `quantile_scalar` for one `q` |
//! | 38 | `da.idxmax("time")`, `da.argmax("time")` | `da.idxmax("time")?`, `da.argmax("time")?` | `idxmin`, `argmin` |
//! | 39 | `da.sum("time", skipna=False, min_count=1)` | `da.reduce(ReduceKind::Sum, "time", ReduceArgs { .. })?` | `keep_attrs` too |
//! | 40 | `ds.mean("time")` | `ds.reduce(ReduceKind::Mean, "time", ReduceArgs::default())?` | variables without `time` are kept |
//! | 41 | `da.weighted(w).mean(["lat"])` | `da.weighted(&w)?.mean("lat")?` | `sum`, `var`, `std`, `sum_of_weights` |
//! | 42 | `da.polyfit("time", 1)` | `da.polyfit("time", 1)?` | `linear_trend("time")` gives slope and intercept |
//! | 43 | `xr.polyval(da.time, coeffs)` | `polyval(&da.coord("time")?, &coeffs)?` | `tessera::labelled::polyval` |
//! | **Grouping, resampling, rolling** | | | |
//! | 44 | `da.groupby("time.month").mean()` | `da.groupby("time.month")?.mean()?` | one engine node for all groups; `ds.groupby(..)` too |
//! | 45 | `da.groupby("time.season").mean()` | `da.groupby("time.season")?.mean()?` | DJF, JJA, MAM, SON |
//! | 46 | `da.groupby("time.month") - clim` | `da.groupby("time.month")?.sub(&clim)?` | `add`, `div`, `binary`; `anomaly_std` in one read |
//! | 47 | `da.groupby_bins("lat", bins).mean()` | `da.groupby_bins("lat", &bins, BinOptions::default())?.mean()?` | right-closed, labelled `"(0.0, 90.0]"` |
//! | 48 | `da.groupby("lat").map(f)` | `da.groupby("lat")?.map(f)?` | `f` gets each group as a `DataArray` |
//! | 49 | `da.resample(time="YS").sum()` | `da.resample("time", "YS")?.sum()?` | pandas aliases; `resample_with` for `closed`/`label`/`offset` |
//! | 50 | `da.rolling(time=3, center=True).mean()` | `da.rolling("time", 3)?.center(true).mean()?` | `min_periods(n)`; reads a halo only |
//! | 51 | `da.coarsen(time=2).mean()` | `da.coarsen(&[("time", 2)])?.mean()?` | `boundary(Boundary::Trim)`, `side` |
//! | **Combining** | | | |
//! | 52 | `xr.concat([a, b], dim="time")` | `concat(&[&a, &b], "time", Join::Outer)?` | a new dim if `dim` is not one; `concat_datasets` |
//! | 53 | `xr.merge([ds1, ds2])` | `merge(&[&ds1, &ds2], Compat::NoConflicts, Join::Outer)?` | `merge_arrays` for data arrays |
//! | 54 | `xr.align(a, b, join="inner")` | `align_pair(&a, &b, Join::Inner)?` | `align_datasets`; both in `tessera::labelled` |
//! | **CF conventions and time** | | | |
//! | 55 | `da.time.dt.month` | `da.coord("time")?.dt()?.month()?` | `year`, `day`, `hour`, `dayofyear`, `season` |
//! | 56 | `ds["time.month"]` | `ds.virtual_coord("time.month")?` | also on `DataArray` |
//! | 57 | `xr.decode_cf(ds)` | `decode_cf(&raw, &DecodeOptions::default())?` | `tessera::labelled`; every CF calendar, any year |
//! | 57a | `xr.date_range("2000", periods=12, freq="MS", calendar="noleap")` (`cftime_range`) | `DateRange::new().start("2000").periods(12).freq("MS").calendar("noleap").to_dataarray("time")?` | every CF calendar; `end`, `inclusive(Inclusive::Left)`; `.values()` gives the microseconds |
//! | 57a2 | `xr.date_range("2000-01-01T07:30", periods=4, freq="6h", normalize=True)` | `DateRange::new().start("2000-01-01T07:30").periods(4).freq("6h").normalize(true)` | start and end moved to midnight first |
//! | 57b | `da.convert_calendar("noleap", align_on="year", missing=np.nan)` | `da.convert_calendar("noleap", &CalendarConversion::default().align_on("year").missing(f64::NAN))?` | also on `Dataset`; `.dim("t")` |
//! | 57c | `da.interp_calendar(target)` | `da.interp_calendar(&target, "time")?` | linear in decimal years; also on `Dataset` |
//! | 57d | `da.time.dt.floor("D")` (`ceil`, `round`) | `da.coord("time")?.dt()?.floor("D")?` | fixed steps only; halves to even |
//! | 57e | `da.time.dt.strftime("%Y-%m")` | `da.coord("time")?.dt()?.strftime("%Y-%m")?` | a string array; `to_strings()` for a `Vec` |
//! | 57f | `da.time.dt.dayofweek` | `da.coord("time")?.dt()?.dayofweek()?` | `weekday()`; cftime's weekdays in its calendars |
//! | 57g | `da.time.values` as dates | `da.coord("time")?.to_datetimes()?` / `.to_strings()?` | `CfDatetime` values, `None` for NaT |
//! | 57h | `da.time - da.time[0]` | `(&t - &t.isel_positions("time", &Positions::At(0))?)?` | `timedelta64`; `add_timedelta`, `sub_timedelta`, `td_ratio`, `td_scale` |
//! | 57i | `delta.dt.days`, `delta.dt.total_seconds()` | `delta.td()?.days()?`, `delta.td()?.total_seconds()?` | `seconds`, `microseconds` |
//! | **Computing and the engine (dask)** | | | |
//! | 58 | `da.compute()`, `da.load()` | `da.compute()?`, `da.compute_with(&Compute::new().progress(true))?` | `Compute` is dask's scheduler, `ProgressBar` and `performance_report` |
//! | 59 | `da.persist()` | `da.persist()?` | |
//! | 60 | `dask.compute(a, b)` | `DataArray::compute_many(&[&a, &b], &Compute::new())?` | one pass over the shared inputs; `persist_many` |
//! | **Missing data, reshaping, elementwise ergonomics** | | | |
//! | 61 | `da.where(cond, other_da)` | `da.where_with(&cond, &other)?` | indexes must be equal (`join="exact"`); `ds.where_(&cond, None)?`, `ds.where_with(&cond, &other)?` |
//! | 62 | `da.fillna(other_da)`, `ds.fillna({"t": 0})` | `da.fillna_with(&other)?`, `ds.fillna_vars(&[("t", 0.0)])?` | `other` reindexed to `da` (left join); `ds.fillna_with(&other_ds)?` |
//! | 63 | `da.clip(0, 1)`, `da.clip(min=0)` | `da.clip(Some(0.0), Some(1.0))?`, `da.clip(Some(0.0), None)?` | NaN stays NaN; `ds.clip` too |
//! | 64 | `da.round(2)` | `da.round(2)?` | halves to even, as numpy; negative decimals round to tens |
//! | 65 | `da == 1`, `da > other`, `da <= 3` | `da.eq(1.0)?`, `da.gt(&other)?`, `da.le(3.0)?` | `ne`, `ge`, `lt` too; scalars or arrays |
//! | 66 | `~mask`, `a & b`, `a \| b`, `a ^ b` | `(!&mask)?`, `(&a & &b)?`, `(&a \| &b)?`, `(&a ^ &b)?` | booleans only (an error names the dtype) |
//! | 67 | `np.cos(np.deg2rad(lat))`, `np.exp(da)` | `lat.deg2rad()?.cos()?`, `da.exp()?` | `sin`, `tan`, `log`, `log10`, `floor`, `ceil`, `rad2deg`, `arcsin`.. |
//! | 68 | `ds.groupby("time.month") - clim` | `(&g - &clim)?` with `g = da.groupby("time.month")?` | `+ - * /`; `&ds * 0.5`, `0.5 * &ds`, `-&da` too |
//! | 68a | `clim - da.groupby("time.month")` | `(&clim - &g)?` | `g.binary_reflected(op, &clim)?`; no scalar form (xarray raises `TypeError`) |
//! | 68b | `ds.groupby("time.month") - clim_ds`, `clim_ds - ds.groupby(..)` | `(&gd - &clim_ds)?`, `(&clim_ds - &gd)?` with `gd = ds.groupby("time.month")?` | also with a `DataArray` climatology, and `&da.groupby(..)? - &clim_ds` |
//! | 69 | `da.ffill("time", limit=2)`, `da.bfill("time")` | `da.ffill("time", Some(2))?`, `da.bfill("time", None)?` | lazy across chunks (an engine scan); `ds.ffill` too |
//! | 70 | `da.interpolate_na("time", max_gap=..)` | `da.interpolate_na("time", &InterpolateNa::linear().max_gap(3.0).limit(2))?` | linear at the coordinate values; lazy |
//! | 70a | `da.interpolate_na("time", method="nearest", fill_value="extrapolate")` | `da.interpolate_na("time", &InterpolateNa::method("nearest")?.extrapolate())?` | `limit` counts forward only, as xarray's |
//! | 71 | `da.dropna("time", how="all", thresh=3)` | `da.dropna("time", How::All, Some(3))?` | `How::Any`; `ds.dropna` sums counts over variables |
//! | 72 | `da.stack(z=("lat", "lon"))`, `da.unstack("z")` | `da.stack("z", &["lat", "lon"])?`, `da.unstack("z")?` | levels kept as coordinates on `z`; NaN for absent combinations |
//! | 72a | `da.unstack()` | `da.unstack_all()?` | every stacked dim, in the order of the dims; `ds.unstack_all()?` too |
//! | 73 | `ds.to_dataarray("variable")`, `da.to_dataset(name="t")` | `ds.to_array("variable")?`, `da.to_dataset(Some("t"))?` | `da.to_dataset_dim("lon")?` splits along a dim |
//! | 74 | `da.to_dataframe()`, `df.to_csv(path)` | `da.to_rows()?`, `da.to_csv(path)?` | pandas' header, row order and float text; `write_csv(&mut w)` |
//! | 75 | `da.item()`, `da.values.tolist()` | `da.item::<f64>()?`, `da.to_vec::<f64>()?` | size 1 / 1-d only, else an error naming the shape |
//! | 76 | `da.to_zarr(url)`, `da.to_netcdf(path)` | `da.to_zarr(url, &opts)?`, `da.to_netcdf(path, &opts)?` | netCDF names an unnamed array `__xarray_dataarray_variable__`; Zarr needs a name |
//! | **User functions, statistics, Dataset forms** | | | |
//! | 77 | `xr.apply_ufunc(f, da, input_core_dims=[["x"]], dask="parallelized")` | `ApplyUfunc::new("f").input(&da, ["x"]).run(f)?` | `output_core_dims`, `output_sizes`, `output_dtype`, `vectorize(true)`, `allow_rechunk(true)`; several outputs and `exclude_dims`: rows 91–92 |
//! | 78 | `xr.dot(a, b)`, `a.dot(b, dim="x")` | `dot(&[&a, &b], None)?`, `a.dot(&b, Some("x".into()))?` | sums over the shared dims; `Some(Dims::All)` for `dim=...` |
//! | 79 | `xr.cov(a, b, dim="time", ddof=1)` | `cov(&a, &b, "time", 1)?` | pairwise-valid NaN handling, as xarray |
//! | 80 | `xr.corr(a, b, dim="time")` | `corr(&a, &b, "time")?` | |
//! | 81 | `xhistogram.xarray.histogram(da, bins=[edges], dim=["x"])` | `da.histogram(&edges, "x")?` | `histogram_density`; last bin closed, NaN and outliers dropped |
//! | 82 | `ds.mean("time")`, `ds.std("time", ddof=1)` | `ds.mean("time")?`, `ds.std("time", 1)?` | `sum`, `min`, `max`, `count`, `prod`, `var`, `median` |
//! | 83 | `ds.quantile([0.1, 0.9], dim="time")` | `ds.quantile(&[0.1, 0.9], "time")?` | `dims` in one chunk |
//! | 84 | `ds.weighted(w).mean("lat")` | `ds.weighted(&w)?.mean("lat")?` | `sum`, `std`, `var`, `sum_of_weights` |
//! | 85 | `ds.rolling(time=3).mean()` | `ds.rolling("time", 3)?.mean()?` | variables without `time` kept |
//! | 86 | `ds.polyfit("x", 2)` | `ds.polyfit("x", 2)?` | `<var>_polyfit_coefficients` |
//! | 87 | `ds.chunk({"time": 10})`, `ds.persist()` | `ds.chunk(&[("time", 10)])?`, `ds.persist()?` | |
//! | 88 | `ds.cumsum("time")` | `ds.cumsum("time")?` | `cumprod`; `cumulative(dim, kind, skipna)` |
//! | 89 | `da.map_blocks(f)` | `da.map_blocks("f", DType::F64, f)?` | `f` gets each chunk as a `DataArray` with its coordinates; same shape out |
//! | 90 | `da.map_blocks(f, template=tmpl)` | `da.map_blocks_template("f", &tmpl, f)?` | block `i` of `f`'s result has the shape of the template's block `i`; dims, chunks, dtype, coords from the template; [`LazyArray::map_blocks_resized`](crate::LazyArray::map_blocks_resized) on plain arrays |
//! | 91 | `m, q = xr.apply_ufunc(f, da, input_core_dims=[["x"]], output_core_dims=[[], ["q"]], output_dtypes=[float, int], dask="parallelized")` | `let v = ApplyUfunc::new("f").input(&da, ["x"]).output_core_dims_list([vec![], vec!["q"]]).output_dtypes([DType::F64, DType::I64]).output_sizes([("q", 2)]).run_many(f)?;` | `f` returns a `Vec`, one array per output; compute the outputs together (`DataArray::compute_many`) to run `f` once per block |
//! | 92 | `xr.apply_ufunc(f, a, b, input_core_dims=[["x"], ["x"]], output_core_dims=[["x"]], exclude_dims={"x"}, dask_gufunc_kwargs={"output_sizes": {"x": 6}})` | `ApplyUfunc::new("f").input(&a, ["x"]).input(&b, ["x"]).output_core_dims(["x"]).exclude_dims(["x"]).output_sizes([("x", 6)]).run(f)?` | inputs may differ in length along `x`; their `x` coordinates are dropped |
//! | 93 | `da.rolling(time=400).mean()` on 365 times | `da.rolling("time", 400)?.mean()?` | a window longer than the dim: all NaN unless `min_periods` is reached (also `Dataset`) |
//!
//! Not there yet: cubic `interp` along several dims in one call (call it once per dim),
//! and weighted `histogram`. `apply_ufunc` functions see `f64` views whatever the
//! inputs' dtypes (integers, booleans as 0/1 and datetimes as microsecond counts are
//! converted).
//! `da.plot()` is there (feature `plot`, on by default): `da.plot().save("sla.png")?`
//! draws a line for a 1-D array and a map for a 2-D one, with dates and a colour bar.
//!
//! ## Opening and writing data (rows 1–6)
//!
//! Row 1, `xr.open_zarr(url)`: only metadata and dimension coordinates are read.
//!
//! ```
//! use tessera::prelude::*;
//! # let t = DataArray::from_ndarray("t", ["time", "lat"], ndarray::array![[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0], [10.0, 11.0, 12.0]].into_dyn(), &[2, 3])?
//! #     .with_coord_values("time", vec![0.0, 1.0, 2.0, 3.0])?.with_coord_values("lat", vec![-45.0, 0.0, 45.0])?;
//! # Dataset::from_array(&t)?.to_zarr("memory://guide-row-1", &WriteOptions::mode(WriteMode::Overwrite))?;
//! let ds = open_zarr("memory://guide-row-1")?;
//! assert_eq!(ds.get("t")?.shape(), &[4, 3]);
//! # Ok::<(), Error>(())
//! ```
//!
//! Row 2, `chunks=`: engine chunks as whole multiples of the store's chunks.
//!
//! ```
//! use tessera::prelude::*;
//! # let t = DataArray::from_ndarray("t", ["time", "lat"], ndarray::array![[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0], [10.0, 11.0, 12.0]].into_dyn(), &[2, 3])?
//! #     .with_coord_values("time", vec![0.0, 1.0, 2.0, 3.0])?.with_coord_values("lat", vec![-45.0, 0.0, 45.0])?;
//! # Dataset::from_array(&t)?.to_zarr("memory://guide-row-2", &WriteOptions::mode(WriteMode::Overwrite))?;
//! let ds = open_zarr_with("memory://guide-row-2", &OpenOptions::default().chunk("time", 4))?;
//! assert_eq!(ds.get("t")?.data().chunks().n_chunks(), 1);
//! let raw = open_zarr_with("memory://guide-row-2", &OpenOptions::raw())?; // decode_cf=False
//! assert!(raw.contains("t"));
//! # Ok::<(), Error>(())
//! ```
//!
//! Row 3, `ds.to_zarr`: CF-encoded, written chunk by chunk in parallel under the
//! budget. Appending along `time` extends the arrays.
//!
//! ```
//! use tessera::prelude::*;
//! # let t = DataArray::from_ndarray("t", ["time", "lat"], ndarray::array![[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0], [10.0, 11.0, 12.0]].into_dyn(), &[2, 3])?
//! #     .with_coord_values("time", vec![0.0, 1.0, 2.0, 3.0])?.with_coord_values("lat", vec![-45.0, 0.0, 45.0])?;
//! let ds = Dataset::from_array(&t)?;
//! ds.to_zarr("memory://guide-row-3", &WriteOptions::mode(WriteMode::Overwrite))?;
//!
//! let later = t.assign_coords(vec![("time", Variable::new(["time"], LazyArray::from_ndarray(ndarray::array![4.0, 5.0, 6.0, 7.0].into_dyn(), &[4])?)?)])?;
//! let append = WriteOptions {
//!     mode: WriteMode::Append,
//!     append_dim: Some("time".into()),
//!     ..WriteOptions::default()
//! };
//! Dataset::from_array(&later)?.to_zarr("memory://guide-row-3", &append)?;
//! assert_eq!(open_zarr("memory://guide-row-3")?.dim_len("time"), Some(8));
//! # Ok::<(), Error>(())
//! ```
//!
//! Row 4, `xr.DataArray(...)`: from an `ndarray` array, with its chunking, then
//! coordinates (numbers or strings) one dimension at a time.
//!
//! ```
//! use tessera::prelude::*;
//!
//! let p = DataArray::from_ndarray("p", ["station"], ndarray::array![1013.0, 1009.5].into_dyn(), &[2])?
//!     .with_coord_strings("station", vec!["Brest".into(), "Lyon".into()])?;
//! assert_eq!(p.sel("station", "Lyon")?.values::<f64>()?[[]], 1009.5);
//! # Ok::<(), Error>(())
//! ```
//!
//! Row 5, `xr.Dataset(...)` and `ds["p"] = ...`:
//!
//! ```
//! use tessera::prelude::*;
//! # let t = DataArray::from_ndarray("t", ["time", "lat"], ndarray::array![[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0], [10.0, 11.0, 12.0]].into_dyn(), &[2, 3])?
//! #     .with_coord_values("time", vec![0.0, 1.0, 2.0, 3.0])?.with_coord_values("lat", vec![-45.0, 0.0, 45.0])?;
//! let mut ds = Dataset::new();
//! ds.insert_array(&t)?; // with its coordinates
//! let p = LazyArray::from_ndarray(ndarray::array![1.0, 2.0, 3.0, 4.0].into_dyn(), &[4])?;
//! ds.insert("p", Variable::new(["time"], p)?)?;
//! assert_eq!(ds.data_var_names(), ["t", "p"]);
//! # Ok::<(), Error>(())
//! ```
//!
//! Row 6, `ds["t"]`:
//!
//! ```
//! use tessera::prelude::*;
//! # let t = DataArray::from_ndarray("t", ["time", "lat"], ndarray::array![[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0], [10.0, 11.0, 12.0]].into_dyn(), &[2, 3])?
//! #     .with_coord_values("time", vec![0.0, 1.0, 2.0, 3.0])?.with_coord_values("lat", vec![-45.0, 0.0, 45.0])?;
//! let ds = Dataset::from_array(&t)?;
//! let t = ds.get("t")?;
//! let lat = ds.get("lat")?; // coordinates too
//! assert_eq!((t.dims().len(), lat.shape()), (2, &[3][..]));
//! assert!(ds.get("nope").is_err());
//! # Ok::<(), Error>(())
//! ```
//!
//! ## Inspecting (rows 7–12)
//!
//! ```
//! use tessera::prelude::*;
//! # let t = DataArray::from_ndarray("t", ["time", "lat"], ndarray::array![[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0], [10.0, 11.0, 12.0]].into_dyn(), &[2, 3])?
//! #     .with_coord_values("time", vec![0.0, 1.0, 2.0, 3.0])?.with_coord_values("lat", vec![-45.0, 0.0, 45.0])?;
//! let ds = Dataset::from_array(&t)?;
//! println!("{ds}"); // row 7
//! assert!(ds.to_string().contains("lat: 3"));
//! # Ok::<(), Error>(())
//! ```
//!
//! ```
//! use tessera::prelude::*;
//! # let t = DataArray::from_ndarray("t", ["time", "lat"], ndarray::array![[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0], [10.0, 11.0, 12.0]].into_dyn(), &[2, 3])?
//! #     .with_coord_values("time", vec![0.0, 1.0, 2.0, 3.0])?.with_coord_values("lat", vec![-45.0, 0.0, 45.0])?;
//! // row 8
//! assert_eq!(t.dims(), ["time", "lat"]);
//! assert_eq!(t.shape(), &[4, 3]);
//! let ds = Dataset::from_array(&t)?;
//! assert_eq!(ds.dims(), [("time".to_string(), 4), ("lat".to_string(), 3)]);
//! assert_eq!(ds.dim_len("lat"), Some(3));
//! # Ok::<(), Error>(())
//! ```
//!
//! ```
//! use tessera::prelude::*;
//! # let t = DataArray::from_ndarray("t", ["time", "lat"], ndarray::array![[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0], [10.0, 11.0, 12.0]].into_dyn(), &[2, 3])?
//! #     .with_coord_values("time", vec![0.0, 1.0, 2.0, 3.0])?.with_coord_values("lat", vec![-45.0, 0.0, 45.0])?;
//! // row 9
//! let mut attrs = Attrs::new();
//! attrs.insert("units".into(), "degC".into());
//! let t = t.with_attrs(attrs);
//! assert_eq!(t.attrs()["units"], "degC");
//! assert_eq!(t.mean("time")?.attrs()["units"], "degC"); // kept by reductions
//! # Ok::<(), Error>(())
//! ```
//!
//! ```
//! use tessera::prelude::*;
//! # let t = DataArray::from_ndarray("t", ["time", "lat"], ndarray::array![[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0], [10.0, 11.0, 12.0]].into_dyn(), &[2, 3])?
//! #     .with_coord_values("time", vec![0.0, 1.0, 2.0, 3.0])?.with_coord_values("lat", vec![-45.0, 0.0, 45.0])?;
//! // row 10
//! let lat = t.coord("lat")?;
//! assert_eq!(lat.values::<f64>()?.as_slice().unwrap(), &[-45.0, 0.0, 45.0]);
//! assert_eq!(t.coords().names(), ["time", "lat"]);
//! # Ok::<(), Error>(())
//! ```
//!
//! ```
//! use tessera::prelude::*;
//! # let t = DataArray::from_ndarray("t", ["time", "lat"], ndarray::array![[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0], [10.0, 11.0, 12.0]].into_dyn(), &[2, 3])?
//! #     .with_coord_values("time", vec![0.0, 1.0, 2.0, 3.0])?.with_coord_values("lat", vec![-45.0, 0.0, 45.0])?;
//! // row 11: computes, in parallel, and returns an ndarray::ArrayD
//! let v = t.values::<f64>()?;
//! assert_eq!(v[[3, 2]], 12.0);
//! let as_f32 = t.values::<f32>()?; // cast on the way out
//! assert_eq!(as_f32[[0, 0]], 1.0f32);
//! # Ok::<(), Error>(())
//! ```
//!
//! ```
//! use tessera::prelude::*;
//! # let t = DataArray::from_ndarray("t", ["time", "lat"], ndarray::array![[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0], [10.0, 11.0, 12.0]].into_dyn(), &[2, 3])?
//! #     .with_coord_values("time", vec![0.0, 1.0, 2.0, 3.0])?.with_coord_values("lat", vec![-45.0, 0.0, 45.0])?;
//! // row 12: variables, coordinates and dimensions
//! let ds = Dataset::from_array(&t)?.rename(&[("lat".into(), "latitude".into())])?;
//! assert_eq!(ds.get("t")?.dims(), ["time", "latitude"]);
//! let renamed = t.rename_dims(&[("lat".into(), "y".into())])?.rename("temperature");
//! assert_eq!((renamed.name(), renamed.dims()[1].as_str()), (Some("temperature"), "y"));
//! # Ok::<(), Error>(())
//! ```
//!
//! ## Selecting (rows 13–23)
//!
//! Positions with `isel*`, labels with `sel*`; each takes one dimension, so
//! `da.sel(lat=0, lon=10)` is two calls: `da.sel("lat", 0.0)?.sel("lon", 10.0)?`.
//! A `Dataset` has the same methods.
//!
//! ```
//! use tessera::prelude::*;
//! # let t = DataArray::from_ndarray("t", ["time", "lat"], ndarray::array![[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0], [10.0, 11.0, 12.0]].into_dyn(), &[2, 3])?
//! #     .with_coord_values("time", vec![0.0, 1.0, 2.0, 3.0])?.with_coord_values("lat", vec![-45.0, 0.0, 45.0])?;
//! // row 13
//! assert_eq!(t.isel("time", 0)?.values::<f64>()?.as_slice().unwrap(), &[1.0, 2.0, 3.0]);
//! assert_eq!(t.isel("time", -1)?.values::<f64>()?.as_slice().unwrap(), &[10.0, 11.0, 12.0]);
//! // row 14
//! assert_eq!(t.isel_slice("time", Some(1), None, 1)?.shape(), &[3, 3]);
//! assert_eq!(t.isel_list("lat", &[2, 0])?.coord("lat")?.values::<f64>()?.as_slice().unwrap(), &[45.0, -45.0]);
//! # Ok::<(), Error>(())
//! ```
//!
//! ```
//! use tessera::prelude::*;
//! # let t = DataArray::from_ndarray("t", ["time", "lat"], ndarray::array![[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0], [10.0, 11.0, 12.0]].into_dyn(), &[2, 3])?
//! #     .with_coord_values("time", vec![0.0, 1.0, 2.0, 3.0])?.with_coord_values("lat", vec![-45.0, 0.0, 45.0])?;
//! // row 15
//! assert_eq!(t.sel("lat", 45.0)?.values::<f64>()?.as_slice().unwrap(), &[3.0, 6.0, 9.0, 12.0]);
//! assert!(t.sel("lat", 44.0).is_err()); // not in the index: an error naming it
//! // row 17
//! assert_eq!(t.sel_nearest("lat", 40.0, None)?.coord("lat")?.values::<f64>()?[[]], 45.0);
//! // row 18
//! assert_eq!(t.sel_slice("lat", -10.0, 50.0)?.shape(), &[4, 2]);
//! # Ok::<(), Error>(())
//! ```
//!
//! Row 16, a partial date string selects the whole period and keeps the dimension:
//!
//! ```
//! use tessera::prelude::*;
//! # use tessera::labelled::{DecodeOptions, decode_cf};
//! # let n = 730;
//! # let days = ndarray::Array1::from_iter((0..n).map(|d| d as f64)).into_dyn();
//! # let mut time = Variable::new(["time"], LazyArray::from_ndarray(days, &[n])?)?;
//! # time.attrs_mut().insert("units".into(), "days since 2001-01-01".into());
//! # time.attrs_mut().insert("calendar".into(), "noleap".into());
//! # let doy = ndarray::Array1::from_iter((0..n).map(|d| (d % 365) as f64)).into_dyn();
//! # let mut raw = Dataset::new();
//! # raw.insert_coord("time", time)?;
//! # raw.insert("sst", Variable::new(["time"], LazyArray::from_ndarray(doy, &[73])?)?)?;
//! # let sst = decode_cf(&raw, &DecodeOptions::default())?.get("sst")?;
//! let february = sst.sel("time", "2001-02")?;
//! assert_eq!(february.shape(), &[28]); // a noleap calendar
//! let one_day = sst.sel("time", "2002-01-03")?;
//! assert_eq!(one_day.values::<f64>()?[[]], 2.0);
//! # Ok::<(), Error>(())
//! ```
//!
//! ```
//! use tessera::prelude::*;
//! # let t = DataArray::from_ndarray("t", ["time", "lat"], ndarray::array![[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0], [10.0, 11.0, 12.0]].into_dyn(), &[2, 3])?
//! #     .with_coord_values("time", vec![0.0, 1.0, 2.0, 3.0])?.with_coord_values("lat", vec![-45.0, 0.0, 45.0])?;
//! // row 19
//! let warm = t.binary_scalar(BinaryOp::Gt, 6.0, false)?;
//! assert_eq!(t.where_(&warm, None)?.count(Dims::All)?.values::<i64>()?[[]], 6);
//! assert_eq!(t.where_(&warm, Some(0.0.into()))?.sum(Dims::All)?.values::<f64>()?[[]], 57.0);
//! # Ok::<(), Error>(())
//! ```
//!
//! ```
//! use tessera::prelude::*;
//! # let t = DataArray::from_ndarray("t", ["time", "lat"], ndarray::array![[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0], [10.0, 11.0, 12.0]].into_dyn(), &[2, 3])?
//! #     .with_coord_values("time", vec![0.0, 1.0, 2.0, 3.0])?.with_coord_values("lat", vec![-45.0, 0.0, 45.0])?;
//! // row 20
//! let mut ds = Dataset::from_array(&t)?;
//! ds.insert_array(&t.mean("lat")?.rename("p"))?;
//! assert_eq!(ds.drop_vars(&["p"])?.data_var_names(), ["t"]);
//! // row 21
//! assert_eq!(t.transpose(&["lat", "time"])?.shape(), &[3, 4]);
//! // row 22
//! let lat = Variable::new(["lat"], LazyArray::from_ndarray(ndarray::array![-40.0, 0.0, 40.0].into_dyn(), &[3])?)?;
//! let moved = t.assign_coords(vec![("lat", lat)])?;
//! assert_eq!(moved.sel("lat", 40.0)?.shape(), &[4]);
//! // row 23
//! assert_eq!(t.chunk(&[("time", 1)])?.data().chunks().n_chunks(), 4);
//! # Ok::<(), Error>(())
//! ```
//!
//! ## Computing (rows 24–31)
//!
//! ```
//! use tessera::prelude::*;
//! # let t = DataArray::from_ndarray("t", ["time", "lat"], ndarray::array![[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0], [10.0, 11.0, 12.0]].into_dyn(), &[2, 3])?
//! #     .with_coord_values("time", vec![0.0, 1.0, 2.0, 3.0])?.with_coord_values("lat", vec![-45.0, 0.0, 45.0])?;
//! // row 24
//! let doubled = (&t + &t)?;
//! assert_eq!(doubled.values::<f64>()?[[3, 2]], 24.0);
//! assert_eq!((&t * 2.0)?.values::<f64>()?[[3, 2]], 24.0);
//! assert_eq!((1.0 - &t)?.values::<f64>()?[[0, 0]], 0.0);
//! // aligned by label (inner join) and broadcast by name, as in xarray
//! let north = t.sel_slice("lat", 0.0, 45.0)?;
//! assert_eq!((&t - &north)?.shape(), &[4, 2]);
//! let anomaly = (&t - &t.mean("time")?)?; // (time, lat) - (lat)
//! assert_eq!(anomaly.values::<f64>()?[[0, 0]], -4.5);
//! # Ok::<(), Error>(())
//! ```
//!
//! ```
//! use tessera::prelude::*;
//! # let t = DataArray::from_ndarray("t", ["time", "lat"], ndarray::array![[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0], [10.0, 11.0, 12.0]].into_dyn(), &[2, 3])?
//! #     .with_coord_values("time", vec![0.0, 1.0, 2.0, 3.0])?.with_coord_values("lat", vec![-45.0, 0.0, 45.0])?;
//! // row 25
//! assert_eq!(t.sqrt()?.values::<f64>()?[[1, 0]], 2.0);
//! let weights = t.coord("lat")?.math(FloatFn::Deg2Rad)?.math(FloatFn::Cos)?;
//! assert!((weights.values::<f64>()?[[0]] - 0.5f64.sqrt()).abs() < 1e-12);
//! assert_eq!((-1.0 * &t)?.abs()?.values::<f64>()?[[0, 0]], 1.0);
//! // row 26
//! let warm = t.binary_scalar(BinaryOp::Gt, 6.0, false)?;
//! assert_eq!(warm.dtype(), DType::Bool);
//! assert!(warm.values::<bool>()?[[2, 0]]);
//! let squared = t.binary_scalar(BinaryOp::Pow, 2.0, false)?;
//! assert_eq!(squared.values::<f64>()?[[1, 1]], 25.0);
//! # Ok::<(), Error>(())
//! ```
//!
//! ```
//! use tessera::prelude::*;
//!
//! let x = DataArray::from_ndarray("x", ["time"], ndarray::array![1.0, f64::NAN, 4.0].into_dyn(), &[3])?;
//! // row 27
//! assert_eq!(x.isnull()?.values::<bool>()?.as_slice().unwrap(), &[false, true, false]);
//! assert_eq!(x.notnull()?.sum("time")?.values::<i64>()?[[]], 2);
//! // row 28
//! assert_eq!(x.fillna(0.0)?.values::<f64>()?.as_slice().unwrap(), &[1.0, 0.0, 4.0]);
//! # Ok::<(), Error>(())
//! ```
//!
//! ```
//! use tessera::prelude::*;
//! # let t = DataArray::from_ndarray("t", ["time", "lat"], ndarray::array![[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0], [10.0, 11.0, 12.0]].into_dyn(), &[2, 3])?
//! #     .with_coord_values("time", vec![0.0, 1.0, 2.0, 3.0])?.with_coord_values("lat", vec![-45.0, 0.0, 45.0])?;
//! // row 29
//! let step = t.diff("time", 1)?;
//! assert_eq!(step.shape(), &[3, 3]);
//! assert!(step.values::<f64>()?.iter().all(|&d| d == 3.0));
//! assert_eq!(t.cumsum("time")?.values::<f64>()?[[3, 0]], 22.0);
//! // row 30
//! let before = t.shift("time", 1)?.values::<f64>()?;
//! assert!(before[[0, 0]].is_nan() && before[[1, 0]] == 1.0);
//! // row 31
//! assert_eq!(t.astype(DType::F32)?.dtype(), DType::F32);
//! # Ok::<(), Error>(())
//! ```
//!
//! ## Reducing (rows 32–43)
//!
//! ```
//! use tessera::prelude::*;
//! # let t = DataArray::from_ndarray("t", ["time", "lat"], ndarray::array![[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0], [10.0, 11.0, 12.0]].into_dyn(), &[2, 3])?
//! #     .with_coord_values("time", vec![0.0, 1.0, 2.0, 3.0])?.with_coord_values("lat", vec![-45.0, 0.0, 45.0])?;
//! // row 32
//! assert_eq!(t.mean("time")?.values::<f64>()?.as_slice().unwrap(), &[5.5, 6.5, 7.5]);
//! assert_eq!(t.mean(Dims::All)?.values::<f64>()?[[]], 6.5);
//! // row 33
//! assert_eq!(t.sum(["time", "lat"])?.values::<f64>()?[[]], 78.0);
//! assert_eq!(t.count("time")?.values::<i64>()?.as_slice().unwrap(), &[4, 4, 4]);
//! // row 34
//! assert_eq!(t.max("lat")?.values::<f64>()?.as_slice().unwrap(), &[3.0, 6.0, 9.0, 12.0]);
//! assert_eq!(t.min("lat")?.values::<f64>()?.as_slice().unwrap(), &[1.0, 4.0, 7.0, 10.0]);
//! // row 35
//! assert_eq!(t.var("time", 0)?.values::<f64>()?[[0]], 11.25);
//! assert!((t.std("time", 1)?.values::<f64>()?[[0]] - 15.0f64.sqrt()).abs() < 1e-12);
//! # Ok::<(), Error>(())
//! ```
//!
//! Rows 36–37: as with dask, the reduced dimension must be one chunk, so rechunk first.
//!
//! ```
//! use tessera::prelude::*;
//! # let t = DataArray::from_ndarray("t", ["time", "lat"], ndarray::array![[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0], [10.0, 11.0, 12.0]].into_dyn(), &[2, 3])?
//! #     .with_coord_values("time", vec![0.0, 1.0, 2.0, 3.0])?.with_coord_values("lat", vec![-45.0, 0.0, 45.0])?;
//! let t = t.chunk(&[("time", 4)])?;
//! // row 36
//! assert_eq!(t.median("time", None)?.values::<f64>()?.as_slice().unwrap(), &[5.5, 6.5, 7.5]);
//! // row 37
//! let q = t.quantile(&[0.0, 1.0], "time", None)?;
//! assert_eq!(q.dims(), ["quantile", "lat"]);
//! assert_eq!(q.values::<f64>()?[[1, 0]], 10.0);
//! # Ok::<(), Error>(())
//! ```
//!
//! ```
//! use tessera::prelude::*;
//! # let t = DataArray::from_ndarray("t", ["time", "lat"], ndarray::array![[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0], [10.0, 11.0, 12.0]].into_dyn(), &[2, 3])?
//! #     .with_coord_values("time", vec![0.0, 1.0, 2.0, 3.0])?.with_coord_values("lat", vec![-45.0, 0.0, 45.0])?;
//! // row 38: the label of the maximum, and its position
//! assert_eq!(t.idxmax("lat")?.values::<f64>()?.as_slice().unwrap(), &[45.0; 4]);
//! assert_eq!(t.argmax("lat")?.values::<i64>()?.as_slice().unwrap(), &[2; 4]);
//! // row 39
//! let x = DataArray::from_ndarray("x", ["time"], ndarray::array![1.0, f64::NAN].into_dyn(), &[2])?;
//! let strict = ReduceArgs { skipna: Some(false), ..ReduceArgs::default() };
//! assert!(x.reduce(ReduceKind::Sum, "time", strict)?.values::<f64>()?[[]].is_nan());
//! let at_least_two = ReduceArgs { min_count: Some(2), ..ReduceArgs::default() };
//! assert!(x.reduce(ReduceKind::Sum, "time", at_least_two)?.values::<f64>()?[[]].is_nan());
//! // row 40
//! let mut ds = Dataset::from_array(&t)?;
//! ds.insert_array(&t.mean("time")?.rename("clim"))?;
//! let means = ds.reduce(ReduceKind::Mean, "time", ReduceArgs::default())?;
//! assert_eq!(means.get("t")?.dims(), ["lat"]);
//! assert_eq!(means.get("clim")?.dims(), ["lat"]); // had no time: kept as it is
//! # Ok::<(), Error>(())
//! ```
//!
//! Row 41, area weights: missing points leave the numerator and the denominator.
//!
//! ```
//! use tessera::prelude::*;
//! # let t = DataArray::from_ndarray("t", ["time", "lat"], ndarray::array![[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0], [10.0, 11.0, 12.0]].into_dyn(), &[2, 3])?
//! #     .with_coord_values("time", vec![0.0, 1.0, 2.0, 3.0])?.with_coord_values("lat", vec![-45.0, 0.0, 45.0])?;
//! let w = t.coord("lat")?.math(FloatFn::Deg2Rad)?.math(FloatFn::Cos)?;
//! let global = t.weighted(&w)?.mean("lat")?;
//! assert!((global.values::<f64>()?[[0]] - 2.0).abs() < 1e-12); // symmetric weights
//! assert_eq!(t.weighted(&w)?.sum_of_weights("lat")?.dims(), ["time"]);
//! # Ok::<(), Error>(())
//! ```
//!
//! Rows 42–43, least-squares polynomials along a dimension (datetimes become
//! nanoseconds since 1970, as in xarray):
//!
//! ```
//! use tessera::prelude::*;
//! use tessera::labelled::polyval;
//! # let t = DataArray::from_ndarray("t", ["time", "lat"], ndarray::array![[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0], [10.0, 11.0, 12.0]].into_dyn(), &[2, 3])?
//! #     .with_coord_values("time", vec![0.0, 1.0, 2.0, 3.0])?.with_coord_values("lat", vec![-45.0, 0.0, 45.0])?;
//! let fit = t.polyfit("time", 1)?; // "polyfit_coefficients" on (degree, lat)
//! let coeffs = fit.get("polyfit_coefficients")?.values::<f64>()?;
//! assert!((coeffs[[0, 0]] - 3.0).abs() < 1e-9); // slope
//! let curve = polyval(&t.coord("time")?, &fit)?.get("polyfit_coefficients")?;
//! assert!((curve.values::<f64>()?[[3, 2]] - 12.0).abs() < 1e-9);
//! let trend = t.linear_trend("time")?;
//! assert!((trend.slope.values::<f64>()?[[1]] - 3.0).abs() < 1e-9);
//! # Ok::<(), Error>(())
//! ```
//!
//! ## Grouping, resampling, rolling (rows 44–51)
//!
//! A grouped reduction is one engine node, whatever the number of groups (flox's
//! approach), and groupby arithmetic streams: a climatology and the anomalies from it
//! need one read of the data.
//!
//! ```
//! use tessera::prelude::*;
//! # use tessera::labelled::{DecodeOptions, decode_cf};
//! # let n = 730;
//! # let days = ndarray::Array1::from_iter((0..n).map(|d| d as f64)).into_dyn();
//! # let mut time = Variable::new(["time"], LazyArray::from_ndarray(days, &[n])?)?;
//! # time.attrs_mut().insert("units".into(), "days since 2001-01-01".into());
//! # time.attrs_mut().insert("calendar".into(), "noleap".into());
//! # let doy = ndarray::Array1::from_iter((0..n).map(|d| (d % 365) as f64)).into_dyn();
//! # let mut raw = Dataset::new();
//! # raw.insert_coord("time", time)?;
//! # raw.insert("sst", Variable::new(["time"], LazyArray::from_ndarray(doy, &[73])?)?)?;
//! # let sst = decode_cf(&raw, &DecodeOptions::default())?.get("sst")?;
//! // row 44: sst is the day of the year, so January's mean is 15
//! let clim = sst.groupby("time.month")?.mean()?;
//! assert_eq!(clim.dims(), ["month"]);
//! assert_eq!(clim.sel("month", 1)?.values::<f64>()?[[]], 15.0);
//! // row 45
//! let seasons = sst.groupby("time.season")?.mean()?;
//! assert_eq!(seasons.shape(), &[4]);
//! assert!(seasons.sel("season", "JJA").is_ok());
//! // row 46: anomalies from the monthly climatology
//! let anomaly = sst.groupby("time.month")?.sub(&clim)?;
//! assert_eq!(anomaly.sel("time", "2002-01-16")?.values::<f64>()?[[]], 0.0);
//! # Ok::<(), Error>(())
//! ```
//!
//! ```
//! use tessera::prelude::*;
//! # let t = DataArray::from_ndarray("t", ["time", "lat"], ndarray::array![[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0], [10.0, 11.0, 12.0]].into_dyn(), &[2, 3])?
//! #     .with_coord_values("time", vec![0.0, 1.0, 2.0, 3.0])?.with_coord_values("lat", vec![-45.0, 0.0, 45.0])?;
//! // row 47: (-90, 0] holds -45 and 0, (0, 90] holds 45
//! let bands = t.groupby_bins("lat", &[-90.0, 0.0, 90.0], BinOptions::default())?.mean()?;
//! assert_eq!(bands.sel("lat_bins", "(0.0, 90.0]")?.values::<f64>()?.as_slice().unwrap(), &[3.0, 6.0, 9.0, 12.0]);
//! // row 48: any closure over each group
//! let ranges = t.groupby("lat")?.map(|g| &g.max("time")? - &g.min("time")?)?;
//! assert_eq!(ranges.values::<f64>()?.as_slice().unwrap(), &[9.0, 9.0, 9.0]);
//! # Ok::<(), Error>(())
//! ```
//!
//! ```
//! use tessera::prelude::*;
//! # use tessera::labelled::{DecodeOptions, decode_cf};
//! # let n = 730;
//! # let days = ndarray::Array1::from_iter((0..n).map(|d| d as f64)).into_dyn();
//! # let mut time = Variable::new(["time"], LazyArray::from_ndarray(days, &[n])?)?;
//! # time.attrs_mut().insert("units".into(), "days since 2001-01-01".into());
//! # time.attrs_mut().insert("calendar".into(), "noleap".into());
//! # let doy = ndarray::Array1::from_iter((0..n).map(|d| (d % 365) as f64)).into_dyn();
//! # let mut raw = Dataset::new();
//! # raw.insert_coord("time", time)?;
//! # raw.insert("sst", Variable::new(["time"], LazyArray::from_ndarray(doy, &[73])?)?)?;
//! # let sst = decode_cf(&raw, &DecodeOptions::default())?.get("sst")?;
//! // row 49: yearly totals ("YS": bins start on 1 January), and monthly means
//! let yearly = sst.resample("time", "YS")?.sum()?;
//! assert_eq!(yearly.values::<f64>()?.as_slice().unwrap(), &[66430.0, 66430.0]);
//! assert_eq!(sst.resample("time", "MS")?.mean()?.shape(), &[24]);
//! # Ok::<(), Error>(())
//! ```
//!
//! ```
//! use tessera::prelude::*;
//! # let t = DataArray::from_ndarray("t", ["time", "lat"], ndarray::array![[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0], [10.0, 11.0, 12.0]].into_dyn(), &[2, 3])?
//! #     .with_coord_values("time", vec![0.0, 1.0, 2.0, 3.0])?.with_coord_values("lat", vec![-45.0, 0.0, 45.0])?;
//! // row 50: a window crossing chunk boundaries reads only a halo of its neighbours
//! let smooth = t.rolling("time", 3)?.center(true).mean()?.values::<f64>()?;
//! assert!(smooth[[0, 0]].is_nan() && smooth[[1, 0]] == 4.0);
//! let partial = t.rolling("time", 3)?.min_periods(1).sum()?.values::<f64>()?;
//! assert_eq!(partial[[0, 0]], 1.0);
//! // row 51
//! let pairs = t.coarsen(&[("time", 2)])?.mean()?;
//! assert_eq!(pairs.values::<f64>()?.as_slice().unwrap(), &[2.5, 3.5, 4.5, 8.5, 9.5, 10.5]);
//! let t3 = t.coarsen(&[("time", 3)])?.boundary(Boundary::Trim).sum()?;
//! assert_eq!(t3.shape(), &[1, 3]);
//! # Ok::<(), Error>(())
//! ```
//!
//! ## Combining (rows 52–54)
//!
//! ```
//! use tessera::prelude::*;
//! # let t = DataArray::from_ndarray("t", ["time", "lat"], ndarray::array![[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0], [10.0, 11.0, 12.0]].into_dyn(), &[2, 3])?
//! #     .with_coord_values("time", vec![0.0, 1.0, 2.0, 3.0])?.with_coord_values("lat", vec![-45.0, 0.0, 45.0])?;
//! // row 52: along an existing dimension, or a new one
//! let (early, late) = (t.isel_slice("time", None, Some(2), 1)?, t.isel_slice("time", Some(2), None, 1)?);
//! let whole = concat(&[&early, &late], "time", Join::Outer)?;
//! assert_eq!(whole.values::<f64>()?, t.values::<f64>()?);
//! assert_eq!(concat(&[&t, &t], "member", Join::Outer)?.shape(), &[2, 4, 3]);
//! // row 53
//! let a = Dataset::from_array(&t)?;
//! let b = Dataset::from_array(&t.mean("time")?.rename("clim"))?;
//! let both = merge(&[&a, &b], Compat::NoConflicts, Join::Outer)?;
//! assert_eq!(both.data_var_names(), ["t", "clim"]);
//! // row 54
//! let (x, y) = tessera::labelled::align_pair(&t, &late, Join::Inner)?;
//! assert_eq!((x.shape(), y.shape()), (&[2, 3][..], &[2, 3][..]));
//! # Ok::<(), Error>(())
//! ```
//!
//! ## CF conventions and time (rows 55–57)
//!
//! Times are decoded into instants of their own calendar (`standard`,
//! `proleptic_gregorian`, `noleap`/`365_day`, `all_leap`/`366_day`, `360_day`),
//! with no year limit; `open_zarr` decodes them, as do packing (`scale_factor`,
//! `add_offset`) and fill values, lazily and fused into whatever reads them.
//!
//! ```
//! use tessera::prelude::*;
//! use tessera::labelled::{DecodeOptions, decode_cf};
//!
//! // row 57: CF-encoded numbers, as a file stores them
//! let days = ndarray::Array1::from_iter((0..730).map(|d| d as f64)).into_dyn();
//! let mut time = Variable::new(["time"], LazyArray::from_ndarray(days, &[730])?)?;
//! time.attrs_mut().insert("units".into(), "days since 2001-01-01".into());
//! time.attrs_mut().insert("calendar".into(), "noleap".into());
//! let doy = ndarray::Array1::from_iter((0..730).map(|d| (d % 365) as f64)).into_dyn();
//! let mut raw = Dataset::new();
//! raw.insert_coord("time", time)?;
//! raw.insert("sst", Variable::new(["time"], LazyArray::from_ndarray(doy, &[73])?)?)?;
//! let ds = decode_cf(&raw, &DecodeOptions::default())?;
//! let sst = ds.get("sst")?;
//!
//! // row 55
//! let time = sst.coord("time")?;
//! let dt = time.dt()?; // borrows `time`; `sst.coord("time")?.dt()?.month()?` in one go
//! assert_eq!(dt.calendar(), Calendar::NoLeap);
//! assert_eq!(dt.month()?.values::<i64>()?[[59]], 3); // 1 March: no 29 February
//! assert_eq!(dt.season()?[0], "DJF");
//! // row 56
//! let years = ds.virtual_coord("time.year")?;
//! assert_eq!(years.values::<i64>()?[[729]], 2002);
//! # Ok::<(), Error>(())
//! ```
//!
//! ## Computing and the engine (rows 58–60)
//!
//! [`Compute`](crate::Compute) holds what dask spreads over its scheduler, `ProgressBar`,
//! `performance_report` and the cluster's `memory_limit`: threads, a memory budget
//! (default: `TESSERA_MEMORY_LIMIT` or a fraction of physical memory), a progress bar
//! with an ETA, and an HTML task-stream profile.
//!
//! ```
//! use tessera::prelude::*;
//! # let t = DataArray::from_ndarray("t", ["time", "lat"], ndarray::array![[1.0, 2.0, 3.0], [4.0, 5.0, 6.0], [7.0, 8.0, 9.0], [10.0, 11.0, 12.0]].into_dyn(), &[2, 3])?
//! #     .with_coord_values("time", vec![0.0, 1.0, 2.0, 3.0])?.with_coord_values("lat", vec![-45.0, 0.0, 45.0])?;
//! // row 58: an ArrayData (a dtype-tagged ndarray); `values::<T>()` when the type is known
//! let data = t.mean("time")?.compute()?;
//! assert_eq!(data.to_f64_vec(), [5.5, 6.5, 7.5]);
//! let profile = std::env::temp_dir().join("tessera-guide-profile.html");
//! let settings = Compute::new()
//!     .threads(2)
//!     .memory_limit(64 << 20) // bytes
//!     .progress(false)        // true: chunks, bytes and an ETA on stderr
//!     .profile(&profile);     // a self-contained task timeline with a memory curve
//! t.mean("time")?.compute_with(&settings)?;
//! assert!(profile.exists());
//! // row 59: computed once, kept in memory behind the same lazy interface
//! let clim = t.mean("time")?.persist()?;
//! assert_eq!(clim.values::<f64>()?[[0]], 5.5);
//! // row 60: both results from one pass over `t`
//! let (mean, spread) = (t.mean("time")?, t.std("time", 0)?);
//! let out = DataArray::compute_many(&[&mean, &spread], &Compute::new())?;
//! assert!((out[1].to_f64_vec()[0] - 11.25f64.sqrt()).abs() < 1e-12);
//! # Ok::<(), Error>(())
//! ```
//!
//! Underneath, `da.data()` is the engine's [`LazyArray`](crate::LazyArray), positional like a dask
//! array: see the [crate documentation](crate) for a tour of it.
