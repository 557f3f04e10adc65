//! The inline stylesheet of the HTML reprs. Class names follow xarray's (`xr-…`), so a
//! page showing both looks the same and the same parser reads both; the rules are
//! written here (no network, no scripts). The text fallback shows where styles are
//! stripped (GitHub's notebook viewer), the rich layout where they apply.

pub(crate) const CSS: &str = "<style>
.xr-text-repr-fallback{display:none}
.xr-wrap{display:block !important;min-width:300px;max-width:760px;font-family:sans-serif;font-size:13px;
 --xr-fg:var(--jp-content-font-color0,#111);--xr-muted:var(--jp-content-font-color2,#666);
 --xr-bg-row:var(--jp-layout-color2,#f2f2f2);--xr-border:var(--jp-border-color2,#ccc);color:var(--xr-fg)}
.xr-header{padding:4px 0 6px;border-bottom:1px solid var(--xr-border);margin-bottom:4px}
.xr-header>div{display:inline;margin-right:8px}
.xr-obj-type{color:var(--xr-muted)}
.xr-obj-name{font-weight:bold}
.xr-sections{list-style:none;padding:0;margin:0}
.xr-section-item>details>summary,.xr-section-item>.xr-section-summary{cursor:pointer;font-weight:600;padding:2px 0}
.xr-section-summary>span{color:var(--xr-muted);font-weight:normal}
.xr-dim-list{display:inline;list-style:none;padding:0;margin:0 0 0 6px;font-weight:normal}
.xr-dim-list li{display:inline-block;margin-right:10px}
.xr-has-index{font-weight:bold}
.xr-var-list{list-style:none;padding:0;margin:0 0 0 14px}
.xr-var-item{display:grid;grid-template-columns:150px 140px 110px auto;gap:0 6px;padding:1px 0}
.xr-var-item:nth-child(odd){background:var(--xr-bg-row)}
.xr-var-name,.xr-var-dims,.xr-var-dtype,.xr-var-preview{white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
.xr-var-dims,.xr-var-dtype,.xr-var-preview{color:var(--xr-muted)}
.xr-var-more{grid-column:1/-1;margin-left:10px}
.xr-var-more details{display:inline-block;vertical-align:top;margin-right:8px}
.xr-var-more details[open]{display:block}
.xr-var-more summary{cursor:pointer;color:var(--xr-muted);font-size:11px}
.xr-attrs{display:grid;grid-template-columns:minmax(80px,max-content) auto;gap:0 8px;margin:2px 0 2px 14px}
.xr-attrs dt,.xr-attrs dd{margin:0;padding:0;overflow-wrap:anywhere}
.xr-attrs dt{font-weight:600}
.xr-array-preview,.xr-var-data pre{font-size:12px;margin:2px 0 2px 14px;white-space:pre-wrap}
.ts-chunks{display:flex;gap:16px;align-items:flex-start;margin:2px 0 2px 14px}
.ts-chunks table{border-collapse:collapse;font-size:12px}
.ts-chunks th,.ts-chunks td{border:1px solid var(--xr-border);padding:2px 8px;text-align:right}
.ts-chunks thead th{text-align:center}
</style>";
