//! How much memory this process may use: the machine's, and what a batch scheduler
//! (Slurm, PBS, Kubernetes) allows through a cgroup limit, which `/proc/meminfo` does
//! not show. A job given 16 GiB on a 512 GiB node must plan for 16 GiB.

use std::path::{Path, PathBuf};

/// Cgroup limits at or above this are "no limit" (cgroup v1 writes 2^63 rounded to a page).
const UNLIMITED: u64 = 1 << 62;

/// Physical memory in bytes, if the system tells.
pub fn physical_memory() -> Option<usize> {
    meminfo_field("MemTotal:")
}

/// Memory this process can still take without swapping or being killed: the
/// kernel's `MemAvailable`, lowered to what the tightest enclosing cgroup limit
/// leaves (limit minus usage). `None` when the system tells neither.
pub fn available_memory() -> Option<usize> {
    let cgroup = cgroup_room(Path::new("/sys/fs/cgroup"), &read("/proc/self/cgroup")?);
    match (meminfo_field("MemAvailable:"), cgroup) {
        (Some(a), Some(c)) => Some(a.min(c)),
        (a, c) => a.or(c),
    }
}

fn read(path: impl AsRef<Path>) -> Option<String> {
    std::fs::read_to_string(path).ok()
}

fn meminfo_field(name: &str) -> Option<usize> {
    let info = read("/proc/meminfo")?;
    let line = info.lines().find(|l| l.starts_with(name))?;
    let kib: usize = line.split_whitespace().nth(1)?.parse().ok()?;
    kib.checked_mul(1024)
}

/// Bytes left under the tightest memory limit of the cgroups this process is in,
/// found from `/proc/self/cgroup`'s text and the cgroup file system mounted at `root`
/// (v2: `memory.max`/`memory.current`; v1: `memory.limit_in_bytes`/`usage_in_bytes`).
/// Limits of enclosing cgroups count too: Slurm limits the job, its steps live below.
fn cgroup_room(root: &Path, self_cgroup: &str) -> Option<usize> {
    let mut room: Option<u64> = None;
    for line in self_cgroup.lines() {
        let mut parts = line.splitn(3, ':');
        let (_, controllers, path) = (parts.next()?, parts.next()?, parts.next()?);
        let (base, limit_file, usage_file) = if controllers.is_empty() {
            (root.to_path_buf(), "memory.max", "memory.current")
        } else if controllers.split(',').any(|c| c == "memory") {
            (
                root.join("memory"),
                "memory.limit_in_bytes",
                "memory.usage_in_bytes",
            )
        } else {
            continue;
        };
        for dir in ancestors(&base, path) {
            let limit = read(dir.join(limit_file)).and_then(|s| s.trim().parse::<u64>().ok());
            let Some(limit) = limit.filter(|&l| l < UNLIMITED) else {
                continue;
            };
            let usage = read(dir.join(usage_file))
                .and_then(|s| s.trim().parse::<u64>().ok())
                .unwrap_or(0);
            let left = limit.saturating_sub(usage);
            room = Some(room.map_or(left, |r| r.min(left)));
        }
    }
    room.map(|r| usize::try_from(r).unwrap_or(usize::MAX))
}

/// The cgroup directory of `path` under `base` and each of its parents up to `base`
/// (inside a container the path may name directories that are not mounted there:
/// those are skipped by the caller, which finds no file in them).
fn ancestors(base: &Path, path: &str) -> Vec<PathBuf> {
    let mut dirs = vec![base.to_path_buf()];
    let mut dir = base.to_path_buf();
    for part in path.split('/').filter(|p| !p.is_empty() && *p != "..") {
        dir.push(part);
        dirs.push(dir.clone());
    }
    dirs
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A fresh directory standing in for `/sys/fs/cgroup`.
    fn fake_root(name: &str) -> PathBuf {
        let dir =
            std::env::temp_dir().join(format!("tessera-cgroup-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    fn write(dir: &Path, name: &str, text: &str) {
        std::fs::create_dir_all(dir).unwrap();
        std::fs::write(dir.join(name), text).unwrap();
    }

    #[test]
    fn a_v2_job_limit_above_the_step_is_found() {
        let root = fake_root("v2");
        let job = root.join("slurm/job_7");
        write(&job, "memory.max", "17179869184\n");
        write(&job, "memory.current", "1073741824\n");
        write(&job.join("step_0"), "memory.max", "max\n");
        write(&job.join("step_0"), "memory.current", "1000\n");
        let room = cgroup_room(&root, "0::/slurm/job_7/step_0\n");
        // 16 GiB for the job, 1 GiB of it in use; the step's own `max` sets nothing.
        assert_eq!(room, Some(15 << 30));
    }

    #[test]
    fn a_v1_memory_controller_limit_is_found_and_unlimited_is_ignored() {
        let root = fake_root("v1");
        let mem = root.join("memory");
        write(&mem, "memory.limit_in_bytes", "9223372036854771712\n");
        write(&mem.join("pbs/42"), "memory.limit_in_bytes", "4294967296\n");
        write(&mem.join("pbs/42"), "memory.usage_in_bytes", "294967296\n");
        let text = "5:cpu,cpuacct:/pbs/42\n4:memory:/pbs/42\n0::/\n";
        assert_eq!(cgroup_room(&root, text), Some(4_000_000_000));
        assert_eq!(cgroup_room(&root, "4:memory:/\n"), None);
    }

    #[test]
    fn no_cgroup_files_means_no_limit() {
        let root = fake_root("none");
        assert_eq!(cgroup_room(&root, "0::/user.slice\n"), None);
        assert_eq!(cgroup_room(&root, "garbage"), None);
    }

    #[test]
    fn this_machine_reports_some_memory() {
        let total = physical_memory().unwrap_or(0);
        let avail = available_memory().unwrap_or(0);
        if total > 0 {
            assert!(avail <= total, "{avail} > {total}");
        }
    }
}
