//! HTML reprs of [`Dataset`], [`DataArray`] and [`Variable`], laid out as xarray's
//! `_repr_html_`: a header, the dimensions with their sizes (indexed ones in bold),
//! coordinates and data variables (name, dims, dtype, a preview of the values) with
//! their attributes and data in collapsible `<details>`, and the attributes. Data in
//! memory show their values (numpy style, elided past 200 elements, as the text repr);
//! lazy data show the chunk summary. Nothing lazy is computed.

use std::fmt::Write as _;

use super::chunks::{chunk_shape, summary, tuple_text};
use super::escape::escape;
use super::style::CSS;
use crate::labelled::core::{dtype_text, in_memory, index_previews, scalar_preview, values_text};
use crate::labelled::{Attrs, Coords};
use crate::{DataArray, Dataset, Variable};

/// The longest preview shown on a variable's line.
const PREVIEW: usize = 80;

fn attr_value(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// `<dl>` of attributes (names and values escaped).
fn attrs_list(attrs: &Attrs) -> String {
    let mut out = String::from("<dl class='xr-attrs'>");
    for (k, v) in attrs {
        let _ = write!(
            out,
            "<dt><span>{} :</span></dt><dd>{}</dd>",
            escape(k),
            escape(&attr_value(v))
        );
    }
    out.push_str("</dl>");
    out
}

/// The dimensions as xarray lists them: `time: 4`, names with an index in bold.
fn dim_list(dims: &[(String, usize)], indexed: impl Fn(&str) -> bool) -> String {
    let mut out = String::from("<ul class='xr-dim-list'>");
    for (d, n) in dims {
        let class = if indexed(d) {
            " class='xr-has-index'"
        } else {
            ""
        };
        let _ = write!(out, "<li><span{class}>{}</span>: {n}</li>", escape(d));
    }
    out.push_str("</ul>");
    out
}

/// Up to 20 strings of an in-memory string variable, quoted as numpy prints them.
fn strings_preview(v: &Variable) -> Option<Vec<String>> {
    if !in_memory(v) || v.shape().iter().product::<usize>() > 10_000 {
        return None;
    }
    let s = v.strings().ok()?;
    Some(s.iter().take(20).map(|s| format!("'{s}'")).collect())
}

/// The values on one line: an in-memory array's values (flattened), a lazy array's
/// chunk shape.
fn preview(v: &Variable) -> String {
    if v.is_strings() {
        if let Some(s) = strings_preview(v) {
            return clip(s.join(" "));
        }
    } else if let Some(values) = values_text(v) {
        let inner = values.trim_start_matches("array(").trim_end_matches(')');
        let flat: String = inner
            .chars()
            .map(|c| if matches!(c, '[' | ']' | ',') { ' ' } else { c })
            .collect();
        return clip(flat.split_whitespace().collect::<Vec<_>>().join(" "));
    }
    format!(
        "tessera.LazyArray&lt;chunksize={}&gt;",
        escape(&tuple_text(&chunk_shape(v.data())))
    )
    .replace("&amp;", "&")
}

fn clip(s: String) -> String {
    let s = if s.chars().count() > PREVIEW {
        s.chars().take(PREVIEW - 4).collect::<String>() + " ..."
    } else {
        s
    };
    escape(&s)
}

/// The data section of a variable: its values if in memory, else the chunk summary.
fn data_html(v: &Variable) -> String {
    if v.is_strings()
        && let Some(s) = strings_preview(v)
    {
        let more = if v.shape().iter().product::<usize>() > s.len() {
            ", ..."
        } else {
            ""
        };
        return format!(
            "<pre>{}</pre>",
            escape(&format!(
                "array([{}{more}], dtype='{}')",
                s.join(", "),
                dtype_text(v)
            ))
        );
    }
    if let Some(values) = values_text(v) {
        return format!("<pre>{}</pre>", escape(&values));
    }
    summary(v.data())
}

/// One line of a coordinate or data-variable list, with collapsible attributes and data.
fn var_item(name: &str, v: &Variable, index: bool, preview_html: &str) -> String {
    let class = if index { " class='xr-has-index'" } else { "" };
    let mut out = String::new();
    let _ = write!(
        out,
        "<li class='xr-var-item'><div class='xr-var-name'><span{class}>{}</span></div>\
         <div class='xr-var-dims'>({})</div><div class='xr-var-dtype'>{}</div>\
         <div class='xr-var-preview xr-preview'>{preview_html}</div><div class='xr-var-more'>",
        escape(name),
        escape(&v.dims().join(", ")),
        escape(&dtype_text(v)),
    );
    if !v.attrs().is_empty() {
        let _ = write!(
            out,
            "<details class='xr-var-attrs'><summary>attributes ({})</summary>{}</details>",
            v.attrs().len(),
            attrs_list(v.attrs())
        );
    }
    let _ = write!(
        out,
        "<details class='xr-var-data'><summary>data</summary>{}</details></div></li>",
        data_html(v)
    );
    out
}

/// A collapsible section holding `body`, open by default.
fn section(title: &str, count: usize, body: &str) -> String {
    format!(
        "<li class='xr-section-item'><details open><summary class='xr-section-summary'>{title}: <span>({count})</span></summary>{body}</details></li>"
    )
}

fn coords_section(coords: &Coords, dims: &[String]) -> String {
    if coords.is_empty() {
        return String::new();
    }
    let mut body = String::from("<ul class='xr-var-list'>");
    for (name, c) in coords.iter() {
        let index = dims.contains(name) && c.index.is_some();
        let p = if c.var.ndim() == 0 {
            escape(&scalar_preview(&c.var))
        } else if c.index.is_some() {
            let previews = index_previews(coords, name);
            let fits = previews.iter().find(|p| p.chars().count() <= PREVIEW);
            escape(fits.unwrap_or(&previews[previews.len() - 1]))
        } else {
            preview(&c.var)
        };
        body.push_str(&var_item(name, &c.var, index, &p));
    }
    body.push_str("</ul>");
    section("Coordinates", coords.len(), &body)
}

fn attrs_section(attrs: &Attrs) -> String {
    if attrs.is_empty() {
        return String::new();
    }
    section("Attributes", attrs.len(), &attrs_list(attrs))
}

/// The page around the sections: stylesheet, text fallback, header.
fn page(text: &str, header: &str, sections: &str) -> String {
    format!(
        "<div>{CSS}<pre class='xr-text-repr-fallback'>{}</pre><div class='xr-wrap' style='display:none'>\
         <div class='xr-header'>{header}</div><ul class='xr-sections'>{sections}</ul></div></div>",
        escape(text)
    )
}

/// The values (or chunk summary) of an array, as xarray's DataArray/Variable repr opens.
fn array_section(v: &Variable) -> String {
    format!(
        "<li class='xr-section-item'><details class='xr-array-wrap'><summary class='xr-array-preview xr-preview'>{}</summary><div class='xr-array-data'>{}</div></details></li>",
        preview(v),
        data_html(v)
    )
}

impl Dataset {
    /// The dataset as HTML, laid out as xarray's `_repr_html_` (what a notebook shows):
    /// dimensions, coordinates, data variables and attributes in collapsible
    /// sections, values of data in memory, the chunk summary of lazy data. A
    /// self-contained fragment (inline CSS, no scripts); every name, attribute and
    /// value is escaped.
    ///
    /// ```
    /// use tessera::prelude::*;
    /// let da = DataArray::from_ndarray("sla", ["time"], ndarray::arr1(&[0.1, 0.2]).into_dyn(), &[1])?;
    /// let mut ds = Dataset::from_array(&da)?;
    /// ds.attrs_mut().insert("title".into(), "<b>sea level</b>".into());
    /// let html = ds.to_html();
    /// assert!(html.contains("Data variables: <span>(1)</span>"));
    /// assert!(html.contains("&lt;b&gt;sea level&lt;/b&gt;") && !html.contains("<b>sea"));
    /// # Ok::<(), Error>(())
    /// ```
    pub fn to_html(&self) -> String {
        let dims = self.dims();
        let names: Vec<String> = dims.iter().map(|(d, _)| d.clone()).collect();
        let indexed = |d: &str| self.coords().index(d).is_some();
        let mut sections = format!(
            "<li class='xr-section-item'><div class='xr-section-summary'>Dimensions: {}</div></li>",
            dim_list(&dims, indexed)
        );
        sections.push_str(&coords_section(self.coords(), &names));
        let vars: Vec<(&String, &Variable)> = self.data_vars().collect();
        if !vars.is_empty() {
            let mut body = String::from("<ul class='xr-var-list'>");
            for (name, v) in &vars {
                body.push_str(&var_item(name, v, false, &preview(v)));
            }
            body.push_str("</ul>");
            sections.push_str(&section("Data variables", vars.len(), &body));
        }
        sections.push_str(&attrs_section(self.attrs()));
        page(
            &self.to_string(),
            "<div class='xr-obj-type'>tessera.Dataset</div>",
            &sections,
        )
    }

    /// Shows [`to_html`](Self::to_html) in the evcxr Jupyter kernel, which calls this
    /// on a cell's value (prints evcxr's `EVCXR_BEGIN_CONTENT text/html` message).
    pub fn evcxr_display(&self) {
        super::evcxr::evcxr_html(&self.to_html());
    }
}

impl DataArray {
    /// The array as HTML, laid out as xarray's `_repr_html_`: name and dimensions,
    /// the values (in memory) or chunk summary (lazy), coordinates and attributes in
    /// collapsible sections. Self-contained, every user string escaped.
    ///
    /// ```
    /// use tessera::prelude::*;
    /// let da = DataArray::from_ndarray("sla", ["time"], ndarray::arr1(&[0.5, 1.5]).into_dyn(), &[1])?;
    /// assert!(da.to_html().contains("0.5 1.5"));
    /// # Ok::<(), Error>(())
    /// ```
    pub fn to_html(&self) -> String {
        let dims: Vec<(String, usize)> = self
            .dims()
            .iter()
            .cloned()
            .zip(self.shape().iter().copied())
            .collect();
        let name = self
            .name()
            .map(|n| {
                format!(
                    "<div class='xr-obj-name'>{}</div>",
                    escape(&format!("'{n}'"))
                )
            })
            .unwrap_or_default();
        let header = format!(
            "<div class='xr-obj-type'>tessera.DataArray</div>{name}{}",
            dim_list(&dims, |d| self.coords().index(d).is_some())
        );
        let mut sections = array_section(self.variable());
        sections.push_str(&coords_section(self.coords(), self.dims()));
        sections.push_str(&attrs_section(self.attrs()));
        page(&self.to_string(), &header, &sections)
    }

    /// Shows [`to_html`](Self::to_html) in the evcxr Jupyter kernel.
    pub fn evcxr_display(&self) {
        super::evcxr::evcxr_html(&self.to_html());
    }
}

impl Variable {
    /// The variable as HTML, as xarray's `Variable._repr_html_`: dimensions, values
    /// (in memory) or chunk summary (lazy), attributes. Self-contained, escaped.
    ///
    /// ```
    /// use tessera::prelude::*;
    /// let v = Variable::new(["x"], LazyArray::from_ndarray(ndarray::arr1(&[1.0, 2.0]).into_dyn(), &[1])?)?;
    /// assert!(v.to_html().contains("tessera.Variable"));
    /// # Ok::<(), Error>(())
    /// ```
    pub fn to_html(&self) -> String {
        let dims: Vec<(String, usize)> = self
            .dims()
            .iter()
            .cloned()
            .zip(self.shape().iter().copied())
            .collect();
        let header = format!(
            "<div class='xr-obj-type'>tessera.Variable</div>{}",
            dim_list(&dims, |_| false)
        );
        let mut sections = array_section(self);
        sections.push_str(&attrs_section(self.attrs()));
        let text = format!(
            "<tessera.Variable ({})> {}",
            dims.iter()
                .map(|(d, n)| format!("{d}: {n}"))
                .collect::<Vec<_>>()
                .join(", "),
            dtype_text(self)
        );
        page(&text, &header, &sections)
    }

    /// Shows [`to_html`](Self::to_html) in the evcxr Jupyter kernel.
    pub fn evcxr_display(&self) {
        super::evcxr::evcxr_html(&self.to_html());
    }
}
