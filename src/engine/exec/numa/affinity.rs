//! The calling thread's CPU affinity and current CPU (Linux `sched_getaffinity`,
//! `sched_setaffinity`, `sched_getcpu`); elsewhere nothing is known and nothing is bound.

/// The CPUs the calling thread may run on, ascending (empty if unknown).
pub fn current_affinity() -> Vec<usize> {
    affinity_of(0)
}

/// The CPUs the process's main thread may run on (what the launcher, cgroup or
/// `taskset` gave the process, whichever thread asks), ascending (empty if unknown).
pub(crate) fn process_affinity() -> Vec<usize> {
    #[cfg(target_os = "linux")]
    {
        // SAFETY: no arguments.
        affinity_of(unsafe { libc::getpid() })
    }
    #[cfg(not(target_os = "linux"))]
    {
        vec![]
    }
}

/// The affinity of thread `tid` (0: the calling thread).
#[cfg_attr(not(target_os = "linux"), allow(unused_variables))]
fn affinity_of(tid: i32) -> Vec<usize> {
    #[cfg(target_os = "linux")]
    {
        // SAFETY: a zeroed cpu_set_t is a valid empty set; the kernel writes at most
        // its size, and CPU_ISSET reads within it.
        unsafe {
            let mut set: libc::cpu_set_t = std::mem::zeroed();
            if libc::sched_getaffinity(tid, std::mem::size_of::<libc::cpu_set_t>(), &mut set) != 0 {
                return vec![];
            }
            (0..libc::CPU_SETSIZE as usize)
                .filter(|&c| libc::CPU_ISSET(c, &set))
                .collect()
        }
    }
    #[cfg(not(target_os = "linux"))]
    {
        vec![]
    }
}

/// The CPU the calling thread is running on now, if the system says.
pub fn current_cpu() -> Option<usize> {
    #[cfg(target_os = "linux")]
    {
        // SAFETY: no arguments, no memory touched.
        let c = unsafe { libc::sched_getcpu() };
        usize::try_from(c).ok()
    }
    #[cfg(not(target_os = "linux"))]
    {
        None
    }
}

/// Binds the calling thread to `cpus` (a node's set, not one core); whether it worked.
pub(crate) fn bind_current_thread(cpus: &[usize]) -> bool {
    #[cfg(target_os = "linux")]
    {
        // SAFETY: as in `current_affinity`; CPU_SET writes only within the set for
        // CPUs below CPU_SETSIZE, which the filter guarantees.
        unsafe {
            let mut set: libc::cpu_set_t = std::mem::zeroed();
            let mut any = false;
            for &c in cpus.iter().filter(|&&c| c < libc::CPU_SETSIZE as usize) {
                libc::CPU_SET(c, &mut set);
                any = true;
            }
            any && libc::sched_setaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &set) == 0
        }
    }
    #[cfg(not(target_os = "linux"))]
    {
        let _ = cpus;
        false
    }
}
