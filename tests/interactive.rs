//! Interactive use through the public API, one test binary: the HTML reprs a notebook
//! shows (structure, escaping, and the content compared with xarray's `_repr_html_`),
//! the evcxr display messages, and the live dashboard (over HTTP and in headless
//! Chromium).

#[cfg(feature = "dashboard")]
#[path = "interactive/dashboard_browser.rs"]
mod dashboard_browser;
#[cfg(feature = "dashboard")]
#[path = "interactive/dashboard_http.rs"]
mod dashboard_http;
#[cfg(feature = "dashboard")]
#[path = "interactive/dashboard_support.rs"]
mod dashboard_support;
#[path = "interactive/html_repr.rs"]
mod html_repr;
#[cfg(feature = "plot")]
#[path = "interactive/plot_inline.rs"]
mod plot_inline;
#[path = "interactive/progress_text.rs"]
mod progress_text;
