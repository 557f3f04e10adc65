//! dask's chunk summary for a [`LazyArray`]: bytes and shape of the array and of its
//! largest chunk, the number of chunks and of graph nodes, the dtype, and a small SVG
//! picture of the chunk grid (the last two axes as a grid; leading axes as a stack).

use std::fmt::Write as _;

use super::escape::escape;
use super::style::CSS;
use crate::LazyArray;

/// Bytes as dask writes them: `64 B`, `7.63 MiB` (binary prefixes, two decimals).
pub(crate) fn format_bytes(n: usize) -> String {
    const UNITS: [(&str, f64); 5] = [
        ("PiB", 1125899906842624.0),
        ("TiB", 1099511627776.0),
        ("GiB", 1073741824.0),
        ("MiB", 1048576.0),
        ("kiB", 1024.0),
    ];
    for (unit, k) in UNITS {
        if n as f64 >= k * 0.9 {
            return format!("{:.2} {unit}", n as f64 / k);
        }
    }
    format!("{n} B")
}

/// `(4, 2)`, and `(4,)` for one axis, as Python prints tuples.
pub(crate) fn tuple_text(v: &[usize]) -> String {
    let items: Vec<String> = v.iter().map(|x| x.to_string()).collect();
    let comma = if items.len() == 1 { "," } else { "" };
    format!("({}{comma})", items.join(", "))
}

/// The largest chunk along each axis.
pub(crate) fn chunk_shape(a: &LazyArray) -> Vec<usize> {
    a.chunks()
        .chunks()
        .iter()
        .map(|axis| axis.iter().copied().max().unwrap_or(0))
        .collect()
}

/// The table and picture, without the stylesheet (the labelled reprs embed it in a
/// variable's data section).
pub(crate) fn summary(a: &LazyArray) -> String {
    let shape = a.shape();
    let chunk = chunk_shape(a);
    let item = a.dtype().size();
    let count: usize = a.chunks().chunks().iter().map(Vec::len).product();
    let nodes = a.graph_size();
    let mut out = String::from(
        "<div class='ts-chunks'><table><thead><tr><td></td><th>Array</th><th>Chunk</th></tr></thead><tbody>",
    );
    let _ = write!(
        out,
        "<tr><th>Bytes</th><td>{}</td><td>{}</td></tr>\
         <tr><th>Shape</th><td>{}</td><td>{}</td></tr>\
         <tr><th>Count</th><td colspan='2'>{count} chunk{} in a graph of {nodes} node{}</td></tr>\
         <tr><th>Data type</th><td colspan='2'>{}</td></tr></tbody></table>",
        format_bytes(a.nbytes()),
        format_bytes(chunk.iter().product::<usize>() * item),
        tuple_text(shape),
        tuple_text(&chunk),
        if count == 1 { "" } else { "s" },
        if nodes == 1 { "" } else { "s" },
        escape(a.dtype().name()),
    );
    out.push_str(&grid_svg(a));
    out.push_str("</div>");
    out
}

/// Positions (0..=1) of the chunk boundaries of one axis, at most 50 of them (a
/// finer grid is drawn as its outline only, as dask does).
fn boundaries(sizes: &[usize], total: usize) -> Vec<f64> {
    if sizes.len() > 50 || total == 0 {
        return vec![0.0, 1.0];
    }
    let mut at = 0usize;
    let mut out = vec![0.0];
    for s in sizes {
        at += s;
        out.push(at as f64 / total as f64);
    }
    out
}

/// The chunk-grid picture: width and height proportional to the last two axes (a
/// 1-d array is a bar), the longer side 120 px, the shorter at least 20 px.
pub(crate) fn grid_svg(a: &LazyArray) -> String {
    let shape = a.shape();
    let grid = a.chunks().chunks();
    let n = shape.len();
    let (rows, cols): (Option<usize>, Option<usize>) = match n {
        0 => (None, None),
        1 => (None, Some(0)),
        _ => (Some(n - 2), Some(n - 1)),
    };
    let len = |axis: Option<usize>| axis.map_or(1, |a| shape[a].max(1)) as f64;
    let (h_items, w_items) = (len(rows), len(cols));
    let scale = 120.0 / h_items.max(w_items);
    let w = (w_items * scale).max(20.0);
    let h = if rows.is_none() {
        25.0
    } else {
        (h_items * scale).max(20.0)
    };
    // Up to three outlines for the leading axes (one when they are empty).
    let stack = if n > 2 {
        shape[..n - 2].iter().product::<usize>().clamp(1, 3)
    } else {
        1
    };
    let off = 6.0;
    let (x0, y0) = (10.0, 10.0 + off * (stack - 1) as f64);
    let mut s = String::new();
    let _ = write!(
        s,
        "<svg class='ts-chunk-grid' xmlns='http://www.w3.org/2000/svg' width='{:.0}' height='{:.0}' font-family='sans-serif' font-size='11'>",
        x0 + w + off * (stack - 1) as f64 + 50.0,
        y0 + h + 30.0
    );
    // Leading axes: outlines stacked behind the grid.
    for k in (1..stack).rev() {
        let d = off * k as f64;
        let _ = write!(
            s,
            "<rect x='{:.1}' y='{:.1}' width='{w:.1}' height='{h:.1}' fill='#ECB172' fill-opacity='0.5' stroke='#555'/>",
            x0 + d,
            y0 - d
        );
    }
    let _ = write!(
        s,
        "<rect x='{x0}' y='{y0}' width='{w:.1}' height='{h:.1}' fill='#ECB172' fill-opacity='0.8' stroke='#333' stroke-width='1.5'/>"
    );
    if let Some(c) = cols {
        for b in boundaries(&grid[c], shape[c]) {
            let x = x0 + b * w;
            let _ = write!(
                s,
                "<line x1='{x:.1}' y1='{y0}' x2='{x:.1}' y2='{:.1}' stroke='#333'/>",
                y0 + h
            );
        }
        let _ = write!(
            s,
            "<text x='{:.1}' y='{:.1}' text-anchor='middle'>{}</text>",
            x0 + w / 2.0,
            y0 + h + 16.0,
            shape[c]
        );
    }
    if let Some(r) = rows {
        for b in boundaries(&grid[r], shape[r]) {
            let y = y0 + b * h;
            let _ = write!(
                s,
                "<line x1='{x0}' y1='{y:.1}' x2='{:.1}' y2='{y:.1}' stroke='#333'/>",
                x0 + w
            );
        }
        let _ = write!(
            s,
            "<text x='{:.1}' y='{:.1}'>{}</text>",
            x0 + w + off * (stack - 1) as f64 + 6.0,
            y0 + h / 2.0 + 4.0,
            shape[r]
        );
    }
    if n > 2 {
        let lead: Vec<String> = shape[..n - 2].iter().map(|x| x.to_string()).collect();
        let _ = write!(
            s,
            "<text x='{x0}' y='{:.1}' fill='#555'>× {}</text>",
            y0 + h + 28.0,
            lead.join(" × ")
        );
    }
    s.push_str("</svg>");
    s
}

impl LazyArray {
    /// The chunk summary as HTML, as dask shows an array in a notebook: bytes and
    /// shape of the array and of a chunk, the number of chunks and graph nodes, the
    /// dtype, and a picture of the chunk grid. Self-contained (inline CSS, no scripts).
    ///
    /// ```
    /// let a = tessera::LazyArray::from_ndarray(ndarray::Array2::<f64>::zeros((100, 60)).into_dyn(), &[50, 20])?;
    /// let html = a.to_html();
    /// assert!(html.contains("6 chunks") && html.contains("46.88 kiB") && html.contains("<svg"));
    /// # Ok::<(), tessera::Error>(())
    /// ```
    pub fn to_html(&self) -> String {
        format!(
            "<div>{CSS}<div class='xr-wrap' style='display:none'><div class='xr-header'><div class='xr-obj-type'>tessera.LazyArray</div></div>{}</div></div>",
            summary(self)
        )
    }

    /// Shows [`to_html`](Self::to_html) in the evcxr Jupyter kernel (prints evcxr's
    /// `EVCXR_BEGIN_CONTENT text/html` message on stdout).
    pub fn evcxr_display(&self) {
        super::evcxr::evcxr_html(&self.to_html());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bytes_read_as_dask_writes_them() {
        assert_eq!(format_bytes(64), "64 B");
        assert_eq!(format_bytes(1000), "0.98 kiB");
        assert_eq!(format_bytes(8 * 1000 * 1000), "7.63 MiB");
        assert_eq!(format_bytes(3 << 30), "3.00 GiB");
        assert_eq!(tuple_text(&[4]), "(4,)");
        assert_eq!(tuple_text(&[4, 2]), "(4, 2)");
    }

    #[test]
    fn the_grid_has_one_line_per_chunk_boundary() {
        let a =
            LazyArray::from_ndarray(ndarray::Array2::<f32>::zeros((10, 30)).into_dyn(), &[5, 10])
                .unwrap();
        let svg = grid_svg(&a);
        // 4 vertical (0, 10, 20, 30) + 3 horizontal (0, 5, 10).
        assert_eq!(svg.matches("<line").count(), 7);
        let html = a.to_html();
        assert!(html.contains("6 chunks in a graph of 1 node"), "{html}");
        assert!(html.contains("<td>(10, 30)</td><td>(5, 10)</td>"), "{html}");
        assert!(html.contains("<td>1.17 kiB</td><td>200 B</td>"), "{html}");
    }

    #[test]
    fn leading_axes_stack_and_fine_grids_draw_their_outline() {
        let a = LazyArray::from_ndarray(
            ndarray::Array3::<f64>::zeros((4, 200, 3)).into_dyn(),
            &[1, 2, 3],
        )
        .unwrap();
        let svg = grid_svg(&a);
        assert_eq!(svg.matches("<rect").count(), 3);
        // 100 row chunks: outline only (2 lines), 1 column chunk: 2 lines.
        assert_eq!(svg.matches("<line").count(), 4);
        assert!(svg.contains("× 4"));
    }

    #[test]
    fn empty_and_scalar_arrays_draw_without_panicking() {
        for shape in [vec![0usize, 0, 5], vec![0], vec![3, 0], vec![]] {
            let chunks: Vec<usize> = shape.iter().map(|&n| n.max(1)).collect();
            let a = LazyArray::from_ndarray(ndarray::ArrayD::<f64>::zeros(shape.clone()), &chunks)
                .unwrap();
            let html = a.to_html();
            assert!(html.contains("<svg"), "{shape:?}");
        }
    }
}
