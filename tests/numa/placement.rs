//! First touch: the pages of a chunk buffer made inside a task lie on the NUMA node of
//! the thread that ran it, as `move_pages(2)` reports. Needs two real nodes; skipped
//! with the reason printed on one.

use std::sync::{Arc, Mutex};

use tessera::engine::numa::{NumaMode, Topology, current_affinity};
use tessera::engine::{BinaryOp, ChunkGrid, Compute, DType, LazyArray};

/// The node of each page that `ptr..ptr+len` covers completely (negative: an errno).
fn page_nodes(ptr: *const u8, len: usize) -> Vec<i32> {
    // SAFETY: sysconf has no memory arguments.
    let page = unsafe { libc::sysconf(libc::_SC_PAGESIZE) } as usize;
    let start = (ptr as usize).div_ceil(page) * page;
    let end = (ptr as usize + len) / page * page;
    let pages: Vec<*const libc::c_void> = (start..end)
        .step_by(page)
        .map(|p| p as *const libc::c_void)
        .collect();
    let mut status = vec![-1i32; pages.len()];
    // SAFETY: with a null `nodes` argument move_pages only reports: it reads
    // `pages.len()` addresses and writes as many statuses, both vectors that long.
    let rc = unsafe {
        libc::syscall(
            libc::SYS_move_pages,
            0,
            pages.len(),
            pages.as_ptr(),
            std::ptr::null::<i32>(),
            status.as_mut_ptr(),
            0,
        )
    };
    if rc != 0 {
        return vec![];
    }
    status
}

#[test]
fn chunk_pages_are_on_the_home_node() {
    let topo = Topology::detect();
    if topo.is_single() {
        eprintln!(
            "skipped: this machine has one NUMA node (cpus {:?}), so every page is on it",
            topo.cpus()
        );
        return;
    }
    // (pages on the task's node, pages checked), over every task.
    let tally = Arc::new(Mutex::new((0usize, 0usize)));
    let nodes: Vec<(usize, Vec<usize>)> = topo
        .nodes()
        .iter()
        .map(|n| (n.id, n.cpus.clone()))
        .collect();
    let n_chunks = 4 * nodes.len();
    let chunk = 1 << 20; // 8 MiB of f64 per chunk
    let grid = ChunkGrid::regular(&[n_chunks * chunk], &[chunk]).unwrap();
    let a = LazyArray::from_fn("ones", DType::F64, grid, |_, r| {
        Ok(tessera::engine::ArrayData::new(
            ndarray::Array1::from_elem(r[0].len(), 1.0f64).into_dyn(),
        ))
    });
    // The product is a buffer the engine allocates and first writes in the task.
    let doubled = a.binary_scalar(BinaryOp::Mul, 2.0, false).unwrap();
    let t = tally.clone();
    let checked = LazyArray::map_blocks(&[&doubled], "pages", DType::F64, move |blocks| {
        let block = blocks[0].as_typed::<f64>()?;
        let mask = current_affinity();
        if let Some((id, _)) = nodes.iter().find(|(_, cpus)| *cpus == mask) {
            let status = page_nodes(block.as_ptr() as *const u8, block.len() * 8);
            let mut t = t.lock().unwrap();
            t.0 += status.iter().filter(|&&s| s == *id as i32).count();
            t.1 += status.len();
        }
        Ok(blocks[0].clone())
    })
    .unwrap();
    let out = Compute::new()
        .numa(NumaMode::Auto)
        .run(&[&checked.sum(&[0]).unwrap()])
        .unwrap();
    assert_eq!(out[0].to_f64_vec(), vec![(2 * n_chunks * chunk) as f64]);
    let (local, all) = *tally.lock().unwrap();
    assert!(all > 0, "no page was checked (is move_pages available?)");
    let share = local as f64 / all as f64;
    eprintln!(
        "{local} of {all} pages on the task's node ({:.1}%)",
        share * 100.0
    );
    assert!(
        share >= 0.95,
        "only {:.1}% of the pages on the home node",
        share * 100.0
    );
}
