//! Chunkings for property tests.

/// Splits `n` into chunks of the given lengths, cycled, the last one cut (`[0]` for
/// an empty axis).
pub(crate) fn split_cycled(n: usize, lens: &[usize]) -> Vec<usize> {
    let mut out = vec![];
    let (mut left, mut k) = (n, 0);
    while left > 0 {
        let c = lens[k % lens.len()].min(left);
        out.push(c);
        left -= c;
        k += 1;
    }
    if out.is_empty() {
        out.push(0);
    }
    out
}
