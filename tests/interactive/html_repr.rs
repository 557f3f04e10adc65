//! HTML reprs of a Dataset with datetime, string and numeric coordinates, attributes
//! holding `<script>`, a computed and a lazy array: every dim, variable and attribute
//! present and escaped, nothing loaded from the network, and the content (dims,
//! coordinates, variables, dtypes, attributes, previews) equal to what xarray's
//! `_repr_html_` shows for the same dataset (`scripts/html_repr_check.py`, when
//! python3 has xarray and dask).

use ndarray::{Array, IxDyn};
use tessera::engine::LazyArray;
use tessera::labelled::{Attrs, DataArray, Dataset, Variable};
use tessera::time::{Calendar, parse_datetime_str};

const NOTE: &str = r#"<script>alert(1)</script> & "q""#;
const ODD: &str = r#"odd<name>&""#;

fn attrs(v: serde_json::Value) -> Attrs {
    v.as_object().unwrap().clone()
}

/// The dataset `ds_for_xarray()` in scripts/html_repr_check.py builds in xarray.
fn dataset() -> Dataset {
    let cal = Calendar::Standard;
    let start = parse_datetime_str("2000-01-01", cal).unwrap().0;
    let days: Vec<i64> = (0..4).map(|d| start + d * 86_400_000_000).collect();
    let time = Variable::new(
        ["time"],
        LazyArray::from_ndarray(Array::from_shape_vec(IxDyn(&[4]), days).unwrap(), &[4]).unwrap(),
    )
    .unwrap()
    .with_encoding(attrs(serde_json::json!({"calendar": "standard"})));
    let lat = Variable::new(
        ["lat"],
        LazyArray::from_ndarray(Array::from_vec(vec![10.5, 20.5]).into_dyn(), &[2]).unwrap(),
    )
    .unwrap();
    let station =
        Variable::from_strings(["lat"], &[2], vec!["a".into(), "bb".into()], &[2]).unwrap();
    let values = Array::from_shape_fn(IxDyn(&[4, 2]), |i| (i[0] * 2 + i[1]) as f64);
    let sla = Variable::new(
        ["time", "lat"],
        LazyArray::from_ndarray(values.clone(), &[4, 2]).unwrap(),
    )
    .unwrap()
    .with_attrs(attrs(serde_json::json!({"units": "m", "note": NOTE})));
    let odd = Variable::new(
        ["time"],
        LazyArray::from_ndarray(Array::from_vec(vec![1.5, 2.5, 3.5, 4.5]).into_dyn(), &[4])
            .unwrap(),
    )
    .unwrap();
    let lazy = Variable::new(
        ["time", "lat"],
        LazyArray::from_ndarray(values, &[2, 2])
            .unwrap()
            .map_elements("double", |x: f64| 2.0 * x)
            .unwrap(),
    )
    .unwrap();
    let mut ds = Dataset::new();
    ds.insert_coord("time", time).unwrap();
    ds.insert_coord("lat", lat).unwrap();
    ds.insert_coord("station", station).unwrap();
    ds.insert("sla", sla).unwrap();
    ds.insert(ODD, odd).unwrap();
    ds.insert("lazy", lazy).unwrap();
    *ds.attrs_mut() = attrs(serde_json::json!({"title": "<b>x</b>", "it's": 3}));
    ds
}

/// What every repr must hold: no markup from user strings, no scripts, nothing fetched.
fn assert_safe(html: &str) {
    assert!(!html.contains("<script"), "a raw <script> tag");
    assert!(!html.contains("<b>x</b>"), "a raw user tag");
    assert!(!html.contains("odd<name>"), "a raw variable name");
    for bad in ["src=", "href=", "@import", "url("] {
        assert!(!html.contains(bad), "an external reference ({bad})");
    }
    // The only URL is the SVG namespace, which is not fetched.
    let urls = html.matches("http").count();
    let svg_ns = html.matches("xmlns='http://www.w3.org/2000/svg'").count();
    assert_eq!(urls, svg_ns, "{html}");
    assert_eq!(
        html.matches("<details").count(),
        html.matches("</details>").count()
    );
}

#[test]
fn the_dataset_repr_holds_every_dim_variable_and_attribute_escaped() {
    let ds = dataset();
    let html = ds.to_html();
    assert_safe(&html);
    for dim in [
        "<li><span class='xr-has-index'>time</span>: 4</li>",
        "<li><span class='xr-has-index'>lat</span>: 2</li>",
    ] {
        assert!(html.contains(dim), "{dim} missing");
    }
    for (name, dims, dtype) in [
        ("time", "(time)", "datetime64[ns]"),
        ("lat", "(lat)", "float64"),
        ("station", "(lat)", "&lt;U2"),
        ("sla", "(time, lat)", "float64"),
        ("odd&lt;name&gt;&amp;&quot;", "(time)", "float64"),
        ("lazy", "(time, lat)", "float64"),
    ] {
        let row = format!(
            ">{name}</span></div><div class='xr-var-dims'>{dims}</div><div class='xr-var-dtype'>{dtype}</div>"
        );
        assert!(html.contains(&row), "{row} missing in\n{html}");
    }
    assert!(html.contains("Coordinates: <span>(3)</span>"));
    assert!(html.contains("Data variables: <span>(3)</span>"));
    assert!(html.contains("Attributes: <span>(2)</span>"));
    // Attributes, escaped, in collapsible sections.
    assert!(html.contains("<dd>&lt;script&gt;alert(1)&lt;/script&gt; &amp; &quot;q&quot;</dd>"));
    assert!(html.contains("<dt><span>it&#x27;s :</span></dt><dd>3</dd>"));
    assert!(html.contains("<details class='xr-var-attrs'><summary>attributes (2)</summary>"));
    // Values of the computed array, the chunk summary of the lazy one.
    assert!(
        html.contains(
            "<div class='xr-var-preview xr-preview'>0.0 1.0 2.0 3.0 4.0 5.0 6.0 7.0</div>"
        )
    );
    assert!(
        html.contains("tessera.LazyArray&lt;chunksize=(2, 2)&gt;"),
        "{html}"
    );
    assert!(html.contains("2 chunks in a graph of 2 nodes"), "{html}");
    assert!(html.contains("<svg class='ts-chunk-grid'"));
    // The text repr is the fallback where styles are stripped, and is unchanged.
    let text = ds.to_string();
    assert!(text.starts_with("<tessera.Dataset>\nDimensions:  (time: 4, lat: 2)"));
    assert!(html.contains("<pre class='xr-text-repr-fallback'>&lt;tessera.Dataset&gt;"));
}

#[test]
fn data_arrays_variables_and_lazy_arrays_show_their_parts() {
    let ds = dataset();
    let sla = ds.get("sla").unwrap();
    let html = sla.to_html();
    assert_safe(&html);
    assert!(html.contains("<div class='xr-obj-type'>tessera.DataArray</div><div class='xr-obj-name'>&#x27;sla&#x27;</div>"));
    assert!(html.contains("<pre>array([[0.0, 1.0],"), "{html}");
    assert!(html.contains("Coordinates: <span>(3)</span>"));
    assert!(html.contains("Attributes: <span>(2)</span>"));
    let lazy = ds.get("lazy").unwrap();
    let html = lazy.to_html();
    assert!(
        html.contains("<th>Bytes</th><td>64 B</td><td>32 B</td>"),
        "{html}"
    );
    let v = lazy.variable().to_html();
    assert_safe(&v);
    assert!(v.contains("tessera.Variable"));
    assert!(v.contains("<li><span>time</span>: 4</li>"));
    let a = lazy.data().to_html();
    assert!(a.contains("tessera.LazyArray") && a.contains("<td>(4, 2)</td><td>(2, 2)</td>"));
    // A named DataArray whose name needs escaping.
    let named =
        DataArray::from_ndarray("<i>", ["x"], Array::from_vec(vec![1.0]).into_dyn(), &[1]).unwrap();
    let html = named.to_html();
    assert!(html.contains("&#x27;&lt;i&gt;&#x27;") && !html.contains("<i>"));
}

#[test]
fn the_content_matches_xarrays_repr_html() {
    let ok = std::process::Command::new("python3")
        .args(["-c", "import xarray, dask"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        println!("skipping the xarray comparison: python3 cannot import xarray and dask");
        return;
    }
    let path = std::env::temp_dir().join(format!("tessera-html-repr-{}.html", std::process::id()));
    std::fs::write(&path, dataset().to_html()).unwrap();
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/html_repr_check.py");
    let out = std::process::Command::new("python3")
        .arg(script)
        .arg(&path)
        .output()
        .unwrap();
    let _ = std::fs::remove_file(&path);
    assert!(
        out.status.success(),
        "the HTML repr differs from xarray's:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn a_recorded_profile_renders_its_lanes_for_the_notebook() {
    let a =
        LazyArray::from_ndarray(Array::from_elem(IxDyn(&[64, 100]), 1.0f64), &[8, 100]).unwrap();
    let c = tessera::Compute::new().threads(2).record_profile();
    let out = c.run(&[&a.sum(&[0]).unwrap()]).unwrap();
    assert_eq!(out[0].to_f64_vec()[0], 64.0);
    let html = c.last_profile().unwrap().to_html();
    assert!(
        html.contains("worker 0") && html.contains("<rect"),
        "{html}"
    );
    assert!(!html.contains("<script"));
}
