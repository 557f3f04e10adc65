//! The evcxr Jupyter kernel's display protocol: a value shows rich output by printing
//! `EVCXR_BEGIN_CONTENT <mime type>`, the content, and `EVCXR_END_CONTENT` on stdout.

/// The evcxr message showing `content` as `mime` (`text/html`, `image/png` with
/// base64 content).
pub(crate) fn message(mime: &str, content: &str) -> String {
    format!("EVCXR_BEGIN_CONTENT {mime}\n{content}\nEVCXR_END_CONTENT\n")
}

/// Prints `html` for the evcxr kernel to show as HTML: what the `evcxr_display`
/// methods of the labelled types do, usable for any HTML fragment (a
/// [`Profile`](crate::engine::Profile) page, say).
pub fn evcxr_html(html: &str) {
    print!("{}", message("text/html", html));
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_message_is_framed_as_evcxr_reads_it() {
        assert_eq!(
            super::message("text/html", "<b>x</b>"),
            "EVCXR_BEGIN_CONTENT text/html\n<b>x</b>\nEVCXR_END_CONTENT\n"
        );
    }
}
