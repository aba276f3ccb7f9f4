//! A parallel map over a slice on scoped threads, results in input order: the
//! batch jobs (`forge-ls check`) are many small independent files, so chunks
//! per core are all the scheduling they need.

/// `items.iter().map(f)` on up to one thread per core (at most 8, and only
/// with at least `min_chunk` items per thread).
pub fn map<T: Sync, R: Send>(items: &[T], min_chunk: usize, f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, 8)
        .min(items.len().div_ceil(min_chunk.max(1)).max(1));
    if threads <= 1 {
        return items.iter().map(f).collect();
    }
    let chunk = items.len().div_ceil(threads);
    let f = &f;
    std::thread::scope(|s| {
        let handles: Vec<_> = items
            .chunks(chunk)
            .map(|part| s.spawn(move || part.iter().map(f).collect::<Vec<R>>()))
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
            .collect()
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn keeps_the_order() {
        let v: Vec<usize> = (0..1000).collect();
        assert_eq!(
            super::map(&v, 10, |x| x * 2),
            v.iter().map(|x| x * 2).collect::<Vec<_>>()
        );
        assert_eq!(super::map(&v[..3], 10, |x| x + 1), vec![1, 2, 3]);
        assert!(super::map(&[] as &[u8], 10, |x| *x).is_empty());
    }
}
