//! Credentials kept out of messages: a URL's user information (`https://user:pass@host`)
//! and its query values (`?sig=…`, `?X-Amz-Signature=…`, SAS tokens) are shown as `***`
//! wherever tessera prints the URL (errors, `Debug`, sources' descriptions), and any
//! message from a lower library that repeats them is scrubbed the same way.

/// The URL with its user information and query values replaced by `***`; a path without
/// `scheme://` is returned unchanged.
pub(crate) fn redact(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_string();
    };
    let (before_query, query) = match rest.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (rest, None),
    };
    let authority_end = before_query.find('/').unwrap_or(before_query.len());
    let (authority, path) = before_query.split_at(authority_end);
    let authority = match authority.rsplit_once('@') {
        Some((_, host)) => format!("***@{host}"),
        None => authority.to_string(),
    };
    let mut out = format!("{scheme}://{authority}{path}");
    if let Some(q) = query {
        let (q, fragment) = q.split_once('#').map_or((q, None), |(q, f)| (q, Some(f)));
        let params: Vec<String> = q
            .split('&')
            .map(|p| match p.split_once('=') {
                Some((k, _)) => format!("{k}=***"),
                None if p.is_empty() => String::new(),
                None => "***".to_string(),
            })
            .collect();
        out.push('?');
        out.push_str(&params.join("&"));
        if fragment.is_some() {
            out.push_str("#***");
        }
    }
    out
}

/// The secret parts of a URL (user information, password, query values), longest
/// first, to scrub from messages of lower libraries.
pub(crate) fn secrets(url: &str) -> Vec<String> {
    let Some((_, rest)) = url.split_once("://") else {
        return vec![];
    };
    let mut out = vec![];
    let (before_query, query) = match rest.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (rest, None),
    };
    let authority = &before_query[..before_query.find('/').unwrap_or(before_query.len())];
    if let Some((user, _)) = authority.rsplit_once('@') {
        out.push(user.to_string());
        out.extend(user.split(':').map(String::from));
    }
    if let Some(q) = query {
        let q = q.split('#').next().unwrap_or("");
        for p in q.split('&') {
            out.push(p.split_once('=').map_or(p, |(_, v)| v).to_string());
        }
        if let Some((_, fragment)) = rest.split_once('#') {
            out.push(fragment.to_string());
        }
    }
    // Too short to be a secret, and replacing them would mangle every message.
    out.retain(|s| s.len() >= 4);
    out.sort_by_key(|s| std::cmp::Reverse(s.len()));
    out.dedup();
    out
}

/// `text` with every secret of `url` (and every percent-decoded spelling of it) replaced
/// by `***`; also whether anything was replaced.
pub(crate) fn scrub(text: &str, url: &str) -> (String, bool) {
    let mut out = text.to_string();
    for s in secrets(url) {
        out = out.replace(&s, "***");
    }
    let changed = out != text;
    (out, changed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn user_information_and_query_values_are_hidden() {
        assert_eq!(
            redact("https://user:pa55word@example.org/data/x.zarr"),
            "https://***@example.org/data/x.zarr"
        );
        assert_eq!(
            redact("s3://AKIAKEY:s3cr3t@bucket/x.zarr"),
            "s3://***@bucket/x.zarr"
        );
        assert_eq!(
            redact("https://acct.blob.core.windows.net/c/x.zarr?sv=2020&sig=ABCDEF%2B&flag"),
            "https://acct.blob.core.windows.net/c/x.zarr?sv=***&sig=***&***"
        );
        assert_eq!(redact("/data/x.zarr"), "/data/x.zarr");
        assert_eq!(redact("memory://a/b"), "memory://a/b");
        let (text, changed) = scrub(
            "GET https://user:pa55word@example.org/x?sig=ABCDEF failed",
            "https://user:pa55word@example.org/x?sig=ABCDEF",
        );
        assert!(changed);
        assert!(
            !text.contains("pa55word") && !text.contains("ABCDEF"),
            "{text}"
        );
    }
}
