//! The dashboard's one page: inline CSS and script, no asset from the network. It
//! carries the state at the time it was served and then polls
//! [`STATE_PATH`](super::server::STATE_PATH) twice a second, placing what the JSON
//! gives (texts, bar fractions, the task-stream SVG) without formatting anything.

use serde_json::Value;

/// The page with `state` (the JSON of [`state_json`](super::view::state_json)) inside.
pub(crate) fn render(state: &Value) -> String {
    // In a `<script>` element, `</script>` or `<!--` inside the JSON would end or change
    // it: `\u003c` is the same character to the JSON parser.
    let initial = state.to_string().replace('<', "\\u003c");
    PAGE.replace("/*STATE*/null", &initial)
}

const PAGE: &str = r##"<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>tessera dashboard</title>
<style>
body { font-family: sans-serif; margin: 16px 24px; color: #222; }
h1 { font-size: 20px; margin: 0 0 4px 0; }
#status { color: #555; margin-bottom: 12px; }
.row { display: flex; gap: 24px; flex-wrap: wrap; }
.meter { flex: 1 1 320px; }
.meter h2, section h2 { font-size: 14px; margin: 8px 0 4px 0; }
.bar { height: 18px; background: #e6e6e6; border-radius: 3px; overflow: hidden; }
.bar div { height: 100%; width: 0; transition: width 0.2s; }
#progress-bar { background: #2ca02c; }
#memory-bar { background: #1f77b4; }
.text { font-size: 13px; margin-top: 3px; }
#lanes svg { max-width: 100%; height: auto; }
pre { background: #f6f6f6; padding: 8px; font-size: 12px; max-height: 240px; overflow: auto; }
</style></head>
<body>
<h1>tessera dashboard</h1>
<div id="status">waiting for a computation</div>
<div class="row">
  <div class="meter"><h2>Progress</h2><div class="bar"><div id="progress-bar"></div></div>
    <div class="text" id="progress-text"></div></div>
  <div class="meter"><h2>Memory in use against the budget</h2><div class="bar"><div id="memory-bar"></div></div>
    <div class="text" id="memory-text"></div></div>
</div>
<div class="text" id="reads-text"></div>
<section><h2>Task stream <span class="text" id="tasks-text"></span></h2><div id="lanes"></div></section>
<section><h2>Plan</h2><pre id="plan"></pre></section>
<script>
"use strict";
const initial = /*STATE*/null;
function text(id, value) { document.getElementById(id).textContent = value; }
function bar(id, fraction) { document.getElementById(id).style.width = (100 * fraction).toFixed(1) + "%"; }
function show(s) {
  if (!s) { return; }
  text("status", "computation " + s.run + ": " + s.status + " (" + s.workers + " workers, " + s.elapsed_s.toFixed(1) + " s)");
  bar("progress-bar", s.progress.fraction);
  text("progress-text", s.progress.text);
  bar("memory-bar", s.memory.fraction);
  text("memory-text", s.memory.text);
  text("reads-text", s.store.text);
  text("tasks-text", s.tasks.text);
  // The SVG is drawn by tessera from numbers and block indices only: no user text.
  document.getElementById("lanes").innerHTML = s.tasks.svg;
  text("plan", s.plan);
}
async function poll() {
  try {
    const r = await fetch("state.json", { cache: "no-store" });
    if (r.ok) { show(await r.json()); }
  } catch (e) {
    text("status", "the computing process is gone (" + e + ")");
  }
  setTimeout(poll, 500);
}
show(initial);
setTimeout(poll, 500);
</script>
</body></html>
"##;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_dashboard_page_embeds_its_state_without_closing_the_script() {
        let state = serde_json::json!({ "plan": "</script><script>alert(1)</script>" });
        let page = render(&state);
        assert_eq!(page.matches("</script>").count(), 1, "{page}");
        assert!(page.contains(r#"const initial = {"plan":"\u003c/script>"#));
        // No asset from elsewhere: no URL in the page at all.
        assert!(!page.contains("http:") && !page.contains("https:") && !page.contains("src="));
    }
}
