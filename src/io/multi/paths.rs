//! Which files [`open_mfdataset`](crate::io::open_mfdataset) opens: a list as given, or
//! the files a glob pattern matches, sorted lexically (as xarray sorts them).

use crate::io::open::is_glob;
use crate::{Error, Result};

/// The files of a multi-file dataset: a list of paths or URLs, taken in order, or one
/// glob pattern (`data/sla_*.nc`), expanded and sorted lexically. A single string
/// without glob characters is a list of one.
///
/// ```
/// use tessera::io::PathsOrGlob;
/// let glob = PathsOrGlob::from("data/sla_*.nc");
/// assert!(matches!(glob, PathsOrGlob::Glob(_)));
/// let list = PathsOrGlob::from(&["a.nc", "b.nc"][..]);
/// assert!(matches!(list, PathsOrGlob::List(ref v) if v.len() == 2));
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum PathsOrGlob {
    /// Paths or URLs in the order given.
    List(Vec<String>),
    /// A glob pattern over local paths.
    Glob(String),
}

impl From<&str> for PathsOrGlob {
    fn from(s: &str) -> Self {
        if is_glob(s) && !std::path::Path::new(s).exists() {
            PathsOrGlob::Glob(s.to_string())
        } else {
            PathsOrGlob::List(vec![s.to_string()])
        }
    }
}

impl From<String> for PathsOrGlob {
    fn from(s: String) -> Self {
        PathsOrGlob::from(s.as_str())
    }
}

impl From<&String> for PathsOrGlob {
    fn from(s: &String) -> Self {
        PathsOrGlob::from(s.as_str())
    }
}

impl<S: AsRef<str>> From<&[S]> for PathsOrGlob {
    fn from(paths: &[S]) -> Self {
        PathsOrGlob::List(paths.iter().map(|p| p.as_ref().to_string()).collect())
    }
}

impl<S: AsRef<str>> From<Vec<S>> for PathsOrGlob {
    fn from(paths: Vec<S>) -> Self {
        PathsOrGlob::from(paths.as_slice())
    }
}

impl<S: AsRef<str>> From<&Vec<S>> for PathsOrGlob {
    fn from(paths: &Vec<S>) -> Self {
        PathsOrGlob::from(paths.as_slice())
    }
}

impl<S: AsRef<str>, const N: usize> From<[S; N]> for PathsOrGlob {
    fn from(paths: [S; N]) -> Self {
        PathsOrGlob::from(&paths[..])
    }
}

impl<S: AsRef<str>, const N: usize> From<&[S; N]> for PathsOrGlob {
    fn from(paths: &[S; N]) -> Self {
        PathsOrGlob::from(&paths[..])
    }
}

impl PathsOrGlob {
    /// The files to open, in order: the list as given, or the glob's matches sorted
    /// lexically. An empty list or a pattern without matches is an error.
    pub fn resolve(&self) -> Result<Vec<String>> {
        match self {
            PathsOrGlob::List(paths) if paths.is_empty() => Err(Error::invalid(
                "open_mfdataset needs at least one path (the list is empty)",
            )),
            PathsOrGlob::List(paths) => Ok(paths.clone()),
            PathsOrGlob::Glob(pattern) => expand(pattern),
        }
    }
}

fn expand(pattern: &str) -> Result<Vec<String>> {
    if pattern.contains("://") {
        return Err(Error::invalid(format!(
            "glob patterns are only expanded on local paths, not in {pattern:?}; list the URLs instead"
        )));
    }
    let entries = glob::glob(pattern)
        .map_err(|e| Error::invalid(format!("bad glob pattern {pattern:?}: {e}")))?;
    let mut out = vec![];
    for entry in entries {
        let path = entry.map_err(|e| Error::Io {
            path: e.path().display().to_string(),
            source: std::io::Error::new(e.error().kind(), e.error().to_string()),
        })?;
        out.push(path.display().to_string());
    }
    // glob yields matches in alphabetical order per directory level; sort the whole
    // strings so that the order is exactly Python's `sorted(glob(...))`.
    out.sort();
    if out.is_empty() {
        return Err(Error::NoFilesMatched {
            pattern: pattern.to_string(),
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pattern_without_matches_and_an_empty_list_are_errors() {
        let e = PathsOrGlob::from("/no/such/dir/*.nc")
            .resolve()
            .unwrap_err();
        assert!(
            matches!(e, Error::NoFilesMatched { ref pattern } if pattern == "/no/such/dir/*.nc")
        );
        let empty: Vec<String> = vec![];
        assert!(PathsOrGlob::from(empty).resolve().is_err());
        assert_eq!(
            PathsOrGlob::from("x.nc").resolve().unwrap(),
            vec!["x.nc".to_string()]
        );
        assert!(PathsOrGlob::from("s3://b/*.zarr").resolve().is_err());
    }
}
