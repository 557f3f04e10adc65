#!/usr/bin/env python3
"""Compares the content of tessera's HTML repr with xarray's `_repr_html_`.

Usage: python3 scripts/html_repr_check.py OURS.html
       python3 scripts/html_repr_check.py --summary FILE.html   (print one summary)

Builds the dataset of tests/interactive/html_repr.rs (`ds_for_xarray` below: the same
dims, coordinates, variables, dtypes and attributes) in xarray, parses both HTML
fragments with the same parser (both use xarray's class names: xr-dim-list,
xr-var-item, xr-var-name/dims/dtype/preview, xr-attrs) and compares: the dims with
their sizes and which have an index; per section (Coordinates, Data variables) each
variable's name, dims, dtype, attributes and whether it is indexed; the dataset's
attributes; and the one-line previews of the in-memory numeric and string variables.
Prints both summaries and exits 1 when they differ. Needs only xarray (and dask,
for the chunked variable); parsing uses the standard library.
"""
import json
import sys
from html.parser import HTMLParser

VOID = {"input", "br", "img", "meta", "hr", "link", "col", "source", "wbr"}


class Summary(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.stack = []  # (tag, classes)
        self.dims = []
        self.sections = {}
        self.attrs = {}
        self.section = None
        self.var = None
        self.field = None
        self.buf = ""
        self.pending_key = None

    def classes(self):
        return [c for _, cs in self.stack for c in cs]

    def handle_starttag(self, tag, attrs):
        cls = (dict(attrs).get("class") or "").split()
        if tag in VOID:
            return
        self.stack.append((tag, cls))
        inside = self.classes()
        if "xr-var-item" in cls:
            self.var = {"name": "", "dims": "", "dtype": "", "preview": "",
                        "index": False, "attrs": {}}
            self.sections.setdefault(self.section, []).append(self.var)
        if "xr-has-index" in cls and self.var is not None and "xr-var-name" in inside:
            self.var["index"] = True
        if "xr-dim-list" in inside and tag == "li":
            self.dims.append([ "", False])
        if "xr-has-index" in cls and "xr-dim-list" in inside:
            self.dims[-1][1] = True
        for f in ("xr-var-name", "xr-var-dims", "xr-var-dtype", "xr-var-preview",
                  "xr-section-summary"):
            if f in cls:
                self.field, self.buf = f, ""
        if tag in ("dt", "dd") and "xr-attrs" in inside:
            self.field, self.buf = tag, ""

    def handle_startendtag(self, tag, attrs):
        pass

    def handle_endtag(self, tag):
        if tag in VOID or not self.stack:
            return
        t, cls = self.stack.pop()
        if self.field and (self.field in cls or self.field == t):
            text = " ".join(self.buf.split())
            f = self.field
            self.field = None
            if f == "xr-section-summary":
                self.section = text.split(":")[0].strip()
            elif f == "dt":
                self.pending_key = text.rstrip(":").strip()
            elif f == "dd":
                target = self.var["attrs"] if self.var is not None and "xr-var-item" in self.classes() else self.attrs
                target[self.pending_key] = text
            elif self.var is not None:
                self.var[f[len("xr-var-"):]] = text
        if "xr-var-item" in cls:
            self.var = None

    def handle_data(self, data):
        if "xr-dim-list" in self.classes() and self.dims:
            self.dims[-1][0] += data
        elif self.field:
            self.buf += data


def summarize(html):
    p = Summary()
    p.feed(html)
    dims = []
    for text, indexed in p.dims:
        name, _, size = text.rpartition(":")
        dims.append([name.strip(), int(size), indexed])
    sections = {}
    for sec, vars_ in p.sections.items():
        sections[sec] = {v["name"]: {k: v[k] for k in ("dims", "dtype", "index", "attrs", "preview")}
                         for v in vars_}
    return {"dims": dims, "sections": sections, "attrs": p.attrs}


def ds_for_xarray():
    import numpy as np
    import xarray as xr
    times = np.array(["2000-01-01", "2000-01-02", "2000-01-03", "2000-01-04"], dtype="datetime64[ns]")
    note = '<script>alert(1)</script> & "q"'
    sla = xr.Variable(("time", "lat"), np.arange(8.0).reshape(4, 2), {"units": "m", "note": note})
    ds = xr.Dataset(
        {"sla": sla, 'odd<name>&"': (("time",), np.array([1.5, 2.5, 3.5, 4.5]))},
        coords={"time": times, "lat": [10.5, 20.5], "station": ("lat", ["a", "bb"])},
        attrs={"title": "<b>x</b>", "it's": 3},
    )
    ds["lazy"] = xr.DataArray(np.arange(8.0).reshape(4, 2) * 2, dims=("time", "lat")).chunk({"time": 2})
    return ds


# Previews compared: numbers and strings in memory (dates and lazy data are written
# differently: xarray elides dates, and names dask where we name tessera).
PREVIEWED = {"lat", "station", "sla"}


def main():
    if sys.argv[1] == "--summary":
        print(json.dumps(summarize(open(sys.argv[2]).read()), indent=1))
        return
    ours = summarize(open(sys.argv[1]).read())
    theirs = summarize(ds_for_xarray()._repr_html_())
    for s in (ours, theirs):
        for sec in s["sections"].values():
            for name, v in sec.items():
                if name not in PREVIEWED:
                    v.pop("preview")
    if ours != theirs:
        print("tessera:", json.dumps(ours, indent=1, sort_keys=True))
        print("xarray:", json.dumps(theirs, indent=1, sort_keys=True))
        sys.exit(1)
    print(json.dumps(ours, sort_keys=True))


if __name__ == "__main__":
    main()
