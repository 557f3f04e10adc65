//! HDF5 opens files without `O_CLOEXEC` and locks them with `flock`. A process spawned
//! while a file is open (a Python check, a plotting tool, `mpirun` helpers) inherits
//! the descriptor and with it the lock, which lives until that child exits: a file
//! tessera has just finished writing then refuses to open ("NetCDF: HDF error") for as
//! long as the child runs. Marking the descriptors close-on-exec as soon as netCDF-C
//! has opened them keeps children out of our files.

use std::path::Path;

/// Marks every descriptor this process holds on `path` close-on-exec. Best effort: a
/// path that cannot be resolved or a system without `/proc` leaves them as they are.
#[cfg(target_os = "linux")]
pub(super) fn keep_from_children(path: impl AsRef<Path>) {
    let path = path.as_ref();
    let Ok(target) = std::fs::canonicalize(path) else {
        return;
    };
    let Ok(fds) = std::fs::read_dir("/proc/self/fd") else {
        return;
    };
    for entry in fds.flatten() {
        let Ok(fd) = entry.file_name().to_string_lossy().parse::<libc::c_int>() else {
            continue;
        };
        if std::fs::read_link(entry.path()).is_ok_and(|p| p == target) {
            // SAFETY: F_GETFD/F_SETFD read and set only the descriptor's own flags; on a
            // descriptor closed meanwhile they fail harmlessly with EBADF.
            unsafe {
                let flags = libc::fcntl(fd, libc::F_GETFD);
                if flags >= 0 {
                    libc::fcntl(fd, libc::F_SETFD, flags | libc::FD_CLOEXEC);
                }
            }
        }
    }
}

/// Elsewhere descriptors are left as they are.
#[cfg(not(target_os = "linux"))]
pub(super) fn keep_from_children(_path: impl AsRef<Path>) {}
