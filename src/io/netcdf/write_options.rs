//! The options of `Dataset::to_netcdf`: the file format and the keyword arguments
//! of xarray's `to_netcdf` (`mode`, `encoding`, `unlimited_dims`, `group`), plus the
//! [`Compute`] that runs the write.

use serde_json::Value;

use crate::Result;
use crate::engine::Compute;
use crate::io::WriteMode;
use crate::labelled::Attrs;

/// The on-disk format of a written netCDF file (xarray's `format=`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum NetcdfFormat {
    /// HDF5-based netCDF-4 (`"NETCDF4"`, the default): every numeric type, strings,
    /// groups, zlib compression and chunking.
    #[default]
    Netcdf4,
    /// netCDF-4 files restricted to the classic data model (`"NETCDF4_CLASSIC"`):
    /// compression and chunks, but netCDF-3's types.
    Netcdf4Classic,
    /// netCDF-3 classic (`"NETCDF3_CLASSIC"`): int8, int16, int32, float32, float64
    /// and chars; at most one unlimited dim, first in every variable that uses it.
    Netcdf3Classic,
    /// netCDF-3 with 64-bit offsets (`"NETCDF3_64BIT"`): the classic types, larger files.
    Netcdf3_64Bit,
}

impl NetcdfFormat {
    /// The format of xarray's `format=` spelling (`"NETCDF4"`, `"NETCDF4_CLASSIC"`,
    /// `"NETCDF3_CLASSIC"`, `"NETCDF3_64BIT"`), case-insensitive.
    ///
    /// ```
    /// use tessera::io::NetcdfFormat;
    /// assert_eq!(NetcdfFormat::parse("netcdf3_classic")?, NetcdfFormat::Netcdf3Classic);
    /// assert!(NetcdfFormat::parse("NETCDF5").is_err());
    /// # Ok::<(), tessera::Error>(())
    /// ```
    pub fn parse(name: &str) -> Result<Self> {
        Ok(match name.to_ascii_uppercase().as_str() {
            "NETCDF4" => NetcdfFormat::Netcdf4,
            "NETCDF4_CLASSIC" => NetcdfFormat::Netcdf4Classic,
            "NETCDF3_CLASSIC" => NetcdfFormat::Netcdf3Classic,
            "NETCDF3_64BIT" | "NETCDF3_64BIT_OFFSET" => NetcdfFormat::Netcdf3_64Bit,
            _ => crate::error::bail!(
                "unknown netCDF format {name:?}; use NETCDF4, NETCDF4_CLASSIC, NETCDF3_CLASSIC or NETCDF3_64BIT"
            ),
        })
    }

    /// True for the formats limited to netCDF-3's types and one unlimited dim.
    pub(super) fn classic_model(self) -> bool {
        self != NetcdfFormat::Netcdf4
    }

    pub(super) fn options(self) -> netcdf::Options {
        use netcdf::Options as O;
        let format = match self {
            NetcdfFormat::Netcdf4 => O::NETCDF4,
            NetcdfFormat::Netcdf4Classic => O::NETCDF4 | O::CLASSIC,
            NetcdfFormat::Netcdf3Classic => O::empty(),
            NetcdfFormat::Netcdf3_64Bit => O::_64BIT_OFFSET,
        };
        format | O::NOCLOBBER
    }
}

/// Options of [`Dataset::to_netcdf`](crate::labelled::Dataset::to_netcdf).
///
/// `encoding` maps variable names to JSON objects of encoding keys, like xarray's
/// `encoding={"sla": {"zlib": True, "complevel": 5}}`: `zlib`, `complevel`, `shuffle`,
/// `chunksizes`, `contiguous`, `endian`, `compression` (`"zlib"`), and the CF keys
/// `dtype`, `scale_factor`, `add_offset`, `_FillValue` (`null`: none), `missing_value`,
/// `units`, `calendar`. Unlike xarray, which replaces a variable's encoding with the
/// one given, the keys given are merged over the variable's own encoding (which holds
/// what makes its values times), so `{"zlib": true}` keeps an opened variable's packing.
/// A key set to `null` is removed (`_FillValue: null` stays: it means no fill value).
///
/// ```no_run
/// use serde_json::json;
/// use tessera::io::{NetcdfFormat, NetcdfWriteOptions};
/// // xarray: ds.to_netcdf("out.nc", encoding={"sla": {"zlib": True, "complevel": 5,
/// //     "dtype": "int16", "scale_factor": 0.001, "_FillValue": -32767}},
/// //     unlimited_dims=["time"])
/// let opts = NetcdfWriteOptions::default()
///     .encoding("sla", json!({"zlib": true, "complevel": 5, "dtype": "int16",
///                             "scale_factor": 0.001, "_FillValue": -32767}))
///     .unlimited("time");
/// let ds = tessera::open_netcdf("in.nc")?;
/// ds.to_netcdf("out.nc", &opts)?;
/// // netCDF-3 for old tools: strings become char arrays, int64 values must fit int32.
/// ds.to_netcdf("out3.nc", &NetcdfWriteOptions::format(NetcdfFormat::Netcdf3Classic))?;
/// # Ok::<(), tessera::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct NetcdfWriteOptions {
    /// The file format (default netCDF-4).
    pub format: NetcdfFormat,
    /// [`WriteMode::Overwrite`] (the default, xarray's `mode="w"`) replaces an existing
    /// file; [`WriteMode::Create`] refuses to (`mode="w-"`); [`WriteMode::Append`]
    /// (`mode="a"`) adds the variables, or a new group, to an existing file in place
    /// (new names only; dims it has are reused when their lengths agree).
    pub mode: WriteMode,
    /// Per-variable encoding overrides: variable name → JSON object.
    pub encoding: Attrs,
    /// Dims written as unlimited (xarray's `unlimited_dims`).
    pub unlimited_dims: Vec<String>,
    /// Write into this group (`"obs"`, `"a/b"`) instead of the root (netCDF-4 only).
    pub group: Option<String>,
    /// How chunks are computed: threads, memory budget, progress.
    pub compute: Compute,
}

impl Default for NetcdfWriteOptions {
    fn default() -> Self {
        Self {
            format: NetcdfFormat::default(),
            mode: WriteMode::Overwrite,
            encoding: Attrs::new(),
            unlimited_dims: vec![],
            group: None,
            compute: Compute::new(),
        }
    }
}

impl NetcdfWriteOptions {
    /// Default options in another format.
    pub fn format(format: NetcdfFormat) -> Self {
        Self {
            format,
            ..Self::default()
        }
    }

    /// Sets the encoding of one variable (a JSON object, merged over its own).
    pub fn encoding(mut self, var: impl Into<String>, encoding: Value) -> Self {
        self.encoding.insert(var.into(), encoding);
        self
    }

    /// Marks a dim unlimited.
    pub fn unlimited(mut self, dim: impl Into<String>) -> Self {
        self.unlimited_dims.push(dim.into());
        self
    }

    /// Writes into a group.
    pub fn group(mut self, group: impl Into<String>) -> Self {
        self.group = Some(group.into());
        self
    }
}
