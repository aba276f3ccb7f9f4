//! Work over many files on every core: the index's load and `check`'s analysis share it.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicUsize, Ordering};

/// `f` of every item, on every core (at most eight threads), in the items' order. Threads take
/// the next item as they finish one, so a few large files do not leave a core idle behind them.
/// An item whose `f` panicked is `None`: that item is lost, not the rest.
pub fn map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<Option<R>> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, 8)
        .min(items.len());
    let next = AtomicUsize::new(0);
    let mut done: Vec<(usize, Option<R>)> = std::thread::scope(|s| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                s.spawn(|| {
                    let mut mine = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(item) = items.get(i) else {
                            return mine;
                        };
                        mine.push((i, catch_unwind(AssertUnwindSafe(|| f(item))).ok()));
                    }
                })
            })
            .collect();
        // A worker's own panics are caught per item; joining cannot fail.
        workers
            .into_iter()
            .flat_map(|w| w.join().unwrap_or_default())
            .collect()
    });
    done.sort_unstable_by_key(|(i, _)| *i);
    done.into_iter().map(|(_, r)| r).collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn keeps_order_and_loses_only_what_panicked() {
        let items: Vec<u32> = (0..1000).collect();
        let out = super::map(&items, |&n| {
            assert!(n != 500, "item 500 panics");
            n * 2
        });
        assert_eq!(out.len(), 1000);
        assert_eq!(out[500], None);
        assert!(out
            .iter()
            .enumerate()
            .all(|(i, r)| i == 500 || *r == Some(i as u32 * 2)));
        assert!(super::map(&[] as &[u32], |n| *n).is_empty());
    }
}
