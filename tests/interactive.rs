//! Interactive use through the public API, one test binary: the HTML reprs a notebook
//! shows (structure, escaping, and the content compared with xarray's `_repr_html_`),
//! the evcxr display messages.

#[path = "interactive/html_repr.rs"]
mod html_repr;
#[cfg(feature = "plot")]
#[path = "interactive/plot_inline.rs"]
mod plot_inline;
#[path = "interactive/progress_text.rs"]
mod progress_text;
