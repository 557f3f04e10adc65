//! How a grouped reduction's output is chunked along a grouped axis.
//!
//! An output chunk boundary goes at every input chunk boundary that no group
//! straddles: every label before it is below every label after it. Each input chunk
//! then feeds exactly one output chunk, so groups that follow the chunks (coarsen
//! windows aligned with them, resampling a time axis chunked by year) reduce block by
//! block into partials holding one chunk's groups, and the output keeps a chunking
//! like the input's. Where windows cut through chunks, neighbouring input chunks
//! share an output chunk. Groups that interleave (the months of many years) leave no
//! clean boundary: one output chunk holds every group, as it always did.

use std::ops::Range;

/// The output chunks of one grouped axis and the input chunks feeding each.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) struct GroupChunks {
    /// First group of every output chunk, then the number of groups.
    group_offsets: Vec<usize>,
    /// First input chunk of every output chunk, then the number of input chunks.
    input_offsets: Vec<usize>,
    /// The output chunk every input chunk feeds.
    of_input: Vec<usize>,
}

impl GroupChunks {
    /// Cuts `n_groups` groups into output chunks for `labels` (one per position along
    /// the axis, negative for none, all below `n_groups`) over input chunks of lengths
    /// `in_chunks`.
    pub(crate) fn new(labels: &[i64], in_chunks: &[usize], n_groups: usize) -> Self {
        // Smallest and largest valid label of every input chunk.
        let mut bounds: Vec<Option<(i64, i64)>> = Vec::with_capacity(in_chunks.len());
        let mut start = 0;
        for &len in in_chunks {
            let valid = labels[start..start + len]
                .iter()
                .copied()
                .filter(|&l| l >= 0);
            bounds.push(valid.fold(None, |b, l| match b {
                None => Some((l, l)),
                Some((lo, hi)) => Some((lo.min(l), hi.max(l))),
            }));
            start += len;
        }
        // suffix_min[c]: the smallest valid label in chunks c.. (None if they have none).
        let mut suffix_min = vec![None; in_chunks.len() + 1];
        for c in (0..in_chunks.len()).rev() {
            suffix_min[c] = match (bounds[c], suffix_min[c + 1]) {
                (Some((lo, _)), Some(m)) => Some(lo.min(m)),
                (Some((lo, _)), None) => Some(lo),
                (None, m) => m,
            };
        }
        let (mut group_offsets, mut input_offsets) = (vec![0], vec![0]);
        let mut of_input = Vec::with_capacity(in_chunks.len());
        let mut prefix_max: Option<i64> = None;
        // Whether the current output chunk has a valid label yet: one without any
        // would hold no group, so chunks that are all unlabelled (trimmed away) join
        // their neighbour instead.
        let mut run_valid = false;
        for c in 0..in_chunks.len() {
            of_input.push(group_offsets.len() - 1);
            if let Some((_, hi)) = bounds[c] {
                prefix_max = Some(prefix_max.map_or(hi, |m| m.max(hi)));
                run_valid = true;
            }
            if let (true, Some(before), Some(after)) = (run_valid, prefix_max, suffix_min[c + 1])
                && before < after
            {
                // Empty groups between the two sides go to the later chunk.
                group_offsets.push(before as usize + 1);
                input_offsets.push(c + 1);
                run_valid = false;
            }
        }
        group_offsets.push(n_groups);
        input_offsets.push(in_chunks.len());
        GroupChunks {
            group_offsets,
            input_offsets,
            of_input,
        }
    }

    /// Number of groups in every output chunk.
    pub(crate) fn sizes(&self) -> Vec<usize> {
        self.group_offsets.windows(2).map(|w| w[1] - w[0]).collect()
    }

    /// The groups of output chunk `out`.
    pub(crate) fn groups(&self, out: usize) -> Range<usize> {
        self.group_offsets[out]..self.group_offsets[out + 1]
    }

    /// The input chunks feeding output chunk `out`.
    pub(crate) fn inputs(&self, out: usize) -> Range<usize> {
        self.input_offsets[out]..self.input_offsets[out + 1]
    }

    /// The output chunk input chunk `c` feeds.
    pub(crate) fn of_input(&self, c: usize) -> usize {
        self.of_input[c]
    }

    /// The output chunks holding any of `groups`.
    pub(crate) fn overlapping(&self, groups: &Range<usize>) -> Range<usize> {
        let n = self.group_offsets.len() - 1;
        if groups.is_empty() {
            return 0..0;
        }
        let first = self.group_offsets[1..].partition_point(|&end| end <= groups.start);
        let last = self.group_offsets[..n].partition_point(|&s| s < groups.end);
        first..last.max(first)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn windows(n: usize, w: usize) -> Vec<i64> {
        (0..n).map(|i| (i / w) as i64).collect()
    }

    #[test]
    fn aligned_windows_give_one_output_chunk_per_input_chunk() {
        let g = GroupChunks::new(&windows(12, 2), &[4, 4, 4], 6);
        assert_eq!(g.sizes(), vec![2, 2, 2]);
        assert_eq!(g.of_input(2), 2);
        assert_eq!(g.inputs(1), 1..2);
        assert_eq!(g.groups(2), 4..6);
    }

    #[test]
    fn windows_cutting_chunks_merge_them() {
        // Chunks [0,5) [5,8) [8,12), windows of 4: only the boundary at 8 is clean.
        let g = GroupChunks::new(&windows(12, 4), &[5, 3, 4], 3);
        assert_eq!(g.sizes(), vec![2, 1]);
        assert_eq!(g.inputs(0), 0..2);
        assert_eq!((g.of_input(1), g.of_input(2)), (0, 1));
        assert_eq!(g.overlapping(&(1..3)), 0..2);
        assert_eq!(g.overlapping(&(2..3)), 1..2);
    }

    #[test]
    fn unlabelled_chunks_join_a_neighbour() {
        // Trimmed tail: the last chunk has no labels and must not form an empty chunk.
        let mut labels = windows(8, 2);
        labels.extend([-1, -1, -1]);
        let g = GroupChunks::new(&labels, &[4, 4, 3], 4);
        assert_eq!(g.sizes(), vec![2, 2]);
        assert_eq!(g.of_input(2), 1);
        // Trimmed head.
        let labels: Vec<i64> = [-1, -1, -1].into_iter().chain(windows(8, 2)).collect();
        let g = GroupChunks::new(&labels, &[3, 4, 4], 4);
        assert_eq!(g.sizes(), vec![2, 2]);
        assert_eq!(g.inputs(0), 0..2);
    }

    #[test]
    fn interleaved_groups_stay_in_one_chunk() {
        let months: Vec<i64> = (0..24).map(|i| i % 12).collect();
        let g = GroupChunks::new(&months, &[12, 12], 12);
        assert_eq!(g.sizes(), vec![12]);
        assert_eq!(g.inputs(0), 0..2);
        // Empty groups between two sides go to the later chunk; trailing ones to the last.
        let g = GroupChunks::new(&[0, 0, 3, 3], &[2, 2], 6);
        assert_eq!(g.sizes(), vec![1, 5]);
        // No input chunks at all (an empty axis).
        let g = GroupChunks::new(&[], &[], 3);
        assert_eq!(g.sizes(), vec![3]);
        assert_eq!(g.inputs(0), 0..0);
    }
}
