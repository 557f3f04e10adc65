//! The live dashboard in a real browser: headless Chromium (Debian's `chromium`) opens
//! the page while a computation runs, a screenshot is taken and checked for the task
//! lanes and the progress bar, and the DOM the page's script built is checked for the
//! lane elements and the progress text. Skipped, saying why, where Chromium is absent
//! (`TESSERA_CHROMIUM` names another binary).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use tessera::display::Dashboard;

use super::dashboard_support::{CHUNKS, slow_sum, slow_sum_expected, wait_for};

/// The browser, if one is installed.
fn chromium() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("TESSERA_CHROMIUM") {
        return Some(p.into());
    }
    let path = std::env::var_os("PATH")?;
    ["chromium", "chromium-browser", "google-chrome"]
        .iter()
        .flat_map(|name| std::env::split_paths(&path).map(move |dir| dir.join(name)))
        .find(|p| p.is_file())
}

/// Runs the browser headless on `url` with `args`, giving the page's script 3 s of
/// (virtual) time; returns its stdout.
fn browse(browser: &Path, url: &str, args: &[&str]) -> String {
    let out = Command::new(browser)
        .args([
            "--headless",
            "--no-sandbox", // tests run as root in CI
            "--disable-gpu",
            "--hide-scrollbars",
            "--no-first-run",
            "--window-size=1200,900",
            "--virtual-time-budget=3000",
        ])
        .args(args)
        .arg(url)
        .output()
        .unwrap_or_else(|e| panic!("{}: {e}", browser.display()));
    assert!(
        out.status.success(),
        "{} failed: {}",
        browser.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).to_string()
}

/// The text inside the element with `id` in `dom` (no nested elements).
fn element_text<'a>(dom: &'a str, id: &str) -> &'a str {
    let open = format!("id=\"{id}\">");
    let start = dom
        .find(&open)
        .unwrap_or_else(|| panic!("no #{id} in {dom}"))
        + open.len();
    let end = dom[start..].find('<').map_or(dom.len(), |e| start + e);
    &dom[start..end]
}

/// Pixels of the RGB(A) screenshot at `path`: (width, height, pixels as RGB).
fn pixels(path: &Path) -> (u32, u32, Vec<[u8; 3]>) {
    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(path).unwrap()));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).unwrap();
    let step = info.color_type.samples();
    assert!(step >= 3, "{:?}", info.color_type);
    let rgb = buf[..info.buffer_size()]
        .chunks(step)
        .map(|p| [p[0], p[1], p[2]])
        .collect();
    (info.width, info.height, rgb)
}

#[test]
fn dashboard_in_headless_chromium_shows_lanes_and_progress() {
    let Some(browser) = chromium() else {
        eprintln!(
            "skipped: no chromium on PATH (apt-get install chromium, or set TESSERA_CHROMIUM)"
        );
        return;
    };
    let dash = Dashboard::start("127.0.0.1:0").unwrap();
    let release = Arc::new(AtomicBool::new(false));
    let sum = slow_sum(dash.addr(), release.clone());
    wait_for(dash.addr(), "20 finished tasks", |s| {
        s["tasks"]["done"].as_u64().unwrap_or(0) >= 20
    });
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("dashboard");
    std::fs::create_dir_all(&dir).unwrap();
    let shot = dir.join("dashboard.png");
    let _ = std::fs::remove_file(&shot);
    let screenshot_arg = format!("--screenshot={}", shot.display());
    browse(&browser, &dash.url(), &[&screenshot_arg]);
    let dom = browse(&browser, &dash.url(), &["--dump-dom"]);
    release.store(true, Ordering::Relaxed);
    assert_eq!(sum.join().unwrap(), slow_sum_expected());

    // The DOM the script built: two worker lanes, tasks in them, progress text.
    assert_eq!(dom.matches("class=\"lane\"").count(), 2, "{dom}");
    let tasks = dom.matches("class=\"task\"").count();
    assert!(tasks >= 20, "{tasks} task rectangles in {dom}");
    let status = element_text(&dom, "status");
    assert!(
        status.starts_with("computation 1: running (2 workers"),
        "{status}"
    );
    let progress = element_text(&dom, "progress-text");
    assert!(
        progress.starts_with("pass 1:") && progress.contains(&format!("/{CHUNKS} chunks")),
        "{progress}"
    );
    let done: usize = progress
        .split('/')
        .next()
        .and_then(|p| p.split_whitespace().last())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("{progress}"));
    assert!((20..CHUNKS).contains(&done), "{progress}");
    assert!(
        element_text(&dom, "memory-text").contains("of a 64.0 MiB budget"),
        "{dom}"
    );
    assert!(dom.contains("slow tiles"), "the plan is shown: {dom}");

    // The picture: the progress bar's green, and the lanes' task colours.
    let (w, h, px) = pixels(&shot);
    assert_eq!((w, h), (1200, 900));
    let green = px.iter().filter(|p| **p == [0x2c, 0xa0, 0x2c]).count();
    assert!(green > 100, "{green} pixels of progress bar");
    // Task rectangles are hsl(hue, 60%, 55%): strongly coloured, unlike the page's
    // greys and the bars' two colours.
    let coloured = |p: &&[u8; 3]| {
        let (max, min) = (*p.iter().max().unwrap(), *p.iter().min().unwrap());
        max - min > 80 && **p != [0x2c, 0xa0, 0x2c] && **p != [0x1f, 0x77, 0xb4]
    };
    let lanes = px.iter().filter(coloured).count();
    assert!(lanes > 500, "{lanes} pixels of task rectangles");
}
