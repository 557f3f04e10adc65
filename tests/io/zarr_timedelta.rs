//! Timedelta data variables through Zarr as xarray 2026.9 writes and reads them: an
//! int64 array with `units: "hours"` and `dtype: "timedelta64[ns]"` decodes to
//! tessera's timedeltas (I64 microseconds marked in the encoding), and `to_zarr`
//! writes them back so that xarray reads `timedelta64[ns]` with the same values.
//! Skipped, with a printed reason, without python3 with xarray and zarr.

use std::process::Command;

use tessera::io::WriteOptions;
use tessera::open_zarr;

use crate::support::zarr_fixtures::{python_with_xarray, temp_dir};

fn python(code: &str) -> String {
    let out = Command::new("python3").args(["-c", code]).output().unwrap();
    assert!(
        out.status.success(),
        "python failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

#[test]
fn timedelta_variables_round_trip_with_xarray() {
    if let Err(why) = python_with_xarray() {
        eprintln!("skipped: {why}");
        return;
    }
    let dir = temp_dir("timedelta");
    let src = dir.join("src.zarr");
    let out = dir.join("out.zarr");
    python(&format!(
        "import numpy as np, xarray as xr\n\
         lead = np.array([0, 6, 36, -3, 'NaT'], dtype='timedelta64[h]').astype('timedelta64[ns]')\n\
         xr.Dataset({{'lead': ('t', lead)}}).to_zarr({:?}, zarr_format=2, consolidated=True)",
        src.to_str().unwrap()
    ));
    let ds = open_zarr(src.to_str().unwrap()).unwrap();
    let lead = ds.get("lead").unwrap();
    assert_eq!(
        lead.to_strings().unwrap(),
        [
            "0 days 00:00:00",
            "0 days 06:00:00",
            "1 days 12:00:00",
            "-1 days +21:00:00",
            "NaT"
        ]
    );
    let hours: Vec<f64> = lead
        .td()
        .unwrap()
        .total_seconds()
        .unwrap()
        .values::<f64>()
        .unwrap()
        .iter()
        .map(|s| s / 3600.0)
        .collect();
    assert_eq!(&hours[..4], &[0.0, 6.0, 36.0, -3.0]);
    assert!(hours[4].is_nan());
    assert!(lead.to_string().contains("timedelta64[ns]"), "{lead}");
    ds.to_zarr(out.to_str().unwrap(), &WriteOptions::default())
        .unwrap();
    let back = python(&format!(
        "import xarray as xr\n\
         a = xr.open_zarr({:?}).lead.load(); b = xr.open_zarr({:?}).lead.load()\n\
         print(a.dtype, a.equals(b), a.encoding.get('units'))",
        out.to_str().unwrap(),
        src.to_str().unwrap()
    ));
    assert_eq!(back, "timedelta64[ns] True hours");
    let _ = std::fs::remove_dir_all(&dir);
}

/// The same through netCDF: xarray writes int64 hours with `dtype: "timedelta64[ns]"`.
#[cfg(feature = "netcdf")]
#[test]
fn timedelta_variables_round_trip_with_xarray_through_netcdf() {
    use tessera::io::{NetcdfWriteOptions, open_netcdf};
    if let Err(why) = crate::support::zarr_fixtures::python_with("xarray, netCDF4") {
        eprintln!("skipped: {why}");
        return;
    }
    let dir = temp_dir("timedelta-nc");
    let (src, out) = (dir.join("src.nc"), dir.join("out.nc"));
    python(&format!(
        "import numpy as np, xarray as xr\n\
         lead = np.array([0, 6, 36, -3, 'NaT'], dtype='timedelta64[h]').astype('timedelta64[ns]')\n\
         xr.Dataset({{'lead': ('t', lead)}}).to_netcdf({:?})",
        src.to_str().unwrap()
    ));
    let ds = open_netcdf(&src).unwrap();
    let lead = ds.get("lead").unwrap();
    assert_eq!(lead.to_strings().unwrap()[2], "1 days 12:00:00");
    assert_eq!(lead.to_strings().unwrap()[4], "NaT");
    ds.to_netcdf(&out, &NetcdfWriteOptions::default()).unwrap();
    let back = python(&format!(
        "import xarray as xr\n\
         a = xr.open_dataset({:?}).lead.load(); b = xr.open_dataset({:?}).lead.load()\n\
         print(a.dtype, a.equals(b))",
        out.to_str().unwrap(),
        src.to_str().unwrap()
    ));
    assert_eq!(back, "timedelta64[ns] True");
    let _ = std::fs::remove_dir_all(&dir);
}
