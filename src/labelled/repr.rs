//! `Display` for data arrays and datasets, laid out like xarray's repr: dimensions
//! with sizes, coordinates with first and last values, data variables with dtype and
//! chunk shape, attributes truncated to one line each. Nothing is computed except
//! the (small, eager) indexes.

use std::fmt::{self, Write as _};

use super::coords::Coords;
use super::dataarray::DataArray;
use super::dataset::Dataset;
use super::variable::{Attrs, Variable};

const WIDTH: usize = 80;

fn chunk_shape(v: &Variable) -> String {
    let c: Vec<String> = v
        .data()
        .chunks()
        .chunks()
        .iter()
        .map(|axis| axis.iter().copied().max().unwrap_or(0).to_string())
        .collect();
    format!("chunksize=({})", c.join(", "))
}

fn dims_text(v: &Variable) -> String {
    format!("({})", v.dims().join(", "))
}

fn index_preview(coords: &Coords, name: &str) -> String {
    match coords.index(name) {
        Some(ix) if ix.len() > 4 => format!(
            "{} {} ... {} {}",
            ix.label_text(0),
            ix.label_text(1),
            ix.label_text(ix.len() - 2),
            ix.label_text(ix.len() - 1)
        ),
        Some(ix) => (0..ix.len())
            .map(|i| ix.label_text(i))
            .collect::<Vec<_>>()
            .join(" "),
        None => String::new(),
    }
}

fn truncate(mut s: String) -> String {
    if s.chars().count() > WIDTH {
        s = s.chars().take(WIDTH - 3).collect::<String>() + "...";
    }
    s
}

fn write_coords(out: &mut String, coords: &Coords, dims: &[String]) {
    if coords.is_empty() {
        return;
    }
    let _ = writeln!(out, "Coordinates:");
    for (name, c) in coords.iter() {
        let marker = if dims.contains(name) && c.index.is_some() {
            "*"
        } else {
            " "
        };
        let line = format!(
            "  {marker} {name:<10} {:<18} {} {}",
            dims_text(&c.var),
            c.var.dtype(),
            index_preview(coords, name)
        );
        let _ = writeln!(out, "{}", truncate(line.trim_end().to_string()));
    }
}

fn write_attrs(out: &mut String, attrs: &Attrs, indent: &str) {
    if attrs.is_empty() {
        return;
    }
    let _ = writeln!(out, "{indent}Attributes:");
    for (k, v) in attrs {
        let val = match v {
            serde_json::Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        let _ = writeln!(out, "{}", truncate(format!("{indent}    {k}: {val}")));
    }
}

impl fmt::Display for DataArray {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = String::new();
        let dims: Vec<String> = self
            .dims()
            .iter()
            .zip(self.shape())
            .map(|(d, n)| format!("{d}: {n}"))
            .collect();
        let _ = writeln!(
            out,
            "<tessera.DataArray {}({})> {} {}",
            self.name().map(|n| format!("'{n}' ")).unwrap_or_default(),
            dims.join(", "),
            self.dtype(),
            chunk_shape(self.variable())
        );
        write_coords(&mut out, self.coords(), self.dims());
        write_attrs(&mut out, self.attrs(), "");
        f.write_str(out.trim_end())
    }
}

impl fmt::Display for Dataset {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = String::new();
        let _ = writeln!(out, "<tessera.Dataset>");
        let dims: Vec<String> = self
            .dims()
            .iter()
            .map(|(d, n)| format!("{d}: {n}"))
            .collect();
        let _ = writeln!(out, "Dimensions:  ({})", dims.join(", "));
        let dim_names: Vec<String> = self.dims().into_iter().map(|(d, _)| d).collect();
        write_coords(&mut out, self.coords(), &dim_names);
        if self.data_vars().next().is_some() {
            let _ = writeln!(out, "Data variables:");
            for (name, v) in self.data_vars() {
                let line = format!(
                    "    {name:<10} {:<18} {} {}",
                    dims_text(v),
                    v.dtype(),
                    chunk_shape(v)
                );
                let _ = writeln!(out, "{}", truncate(line));
            }
        }
        write_attrs(&mut out, self.attrs(), "");
        f.write_str(out.trim_end())
    }
}
