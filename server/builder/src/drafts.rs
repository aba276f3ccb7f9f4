//! The process's handle on the builder's drafts, shared by every surface (LSP commands, code
//! actions, chat): the SQLite store opened on first use (again when `draftsPath` changes), the
//! index of which bot folder a session is bound to, one lock per session so commands on a session
//! run one at a time in arrival order, and a short-lived listing of the workspace's skills.
//!
//! SQLite calls block, so every store operation runs on tokio's blocking pool.

use std::collections::HashMap;
use std::future::Future;
use std::path::{Path, PathBuf};
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use forge_analysis::workspace::index::Index;
use forge_store::drafts::DraftStore;

use crate::service::{self as svc, Result, ServiceError};
use crate::{Session, WorkspaceSkill};

/// How long a listing of the workspace's skills is reused for builder suggestions.
const SKILLS_TTL: Duration = Duration::from_secs(5);

/// Past this many session locks, the unused ones are dropped.
const PRUNE_LOCKS_AT: usize = 64;

type SkillsCache = Mutex<Option<(Instant, Vec<WorkspaceSkill>)>>;

/// A session's lock, held from a command's load to its save.
pub type TurnGuard = tokio::sync::OwnedMutexGuard<()>;

/// A command's place in its session's queue (see [`Drafts::queue`]).
pub enum Turn {
    Held(TurnGuard),
    Queued(Pin<Box<dyn Future<Output = TurnGuard> + Send>>),
}

impl Turn {
    pub async fn take(self) -> TurnGuard {
        match self {
            Turn::Held(g) => g,
            Turn::Queued(f) => f.await,
        }
    }
}

#[derive(Default)]
pub struct Drafts {
    /// Opened on first use; `Arc` so blocking closures can own a handle.
    store: Arc<Mutex<Option<DraftStore>>>,
    /// Per-session locks, kept while a command holds or waits for one.
    locks: Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>,
    /// Bound bot folder (canonical) → session id, so code actions find a folder's session without
    /// a scan.
    bound: Arc<Mutex<HashMap<PathBuf, String>>>,
    /// The workspace's skills with the time they were listed: walking a large workspace on every
    /// answer would dominate its cost, and a few seconds' staleness only affects suggestions.
    skills: Arc<SkillsCache>,
}

/// What a store operation returned, and the warning of opening it (a corrupt file moved aside),
/// for the surface to show.
pub struct Opened<T> {
    pub value: Option<T>,
    pub warning: Option<String>,
}

impl Drafts {
    /// Runs `f` on the store at `path` (opening it on first use, or again when the path changed) on
    /// the blocking pool. With `create: false` a database that does not exist yet is not created
    /// (code actions and lenses only read) and `value` is `None`.
    pub async fn run<T: Send + 'static>(
        &self,
        path: Result<PathBuf>,
        create: bool,
        f: impl FnOnce(&DraftStore) -> Result<T> + Send + 'static,
    ) -> Result<Opened<T>> {
        let store = self.store.clone();
        let bound = self.bound.clone();
        tokio::task::spawn_blocking(move || {
            let mut guard = store.lock().unwrap_or_else(|p| p.into_inner());
            let mut warning = None;
            // A changed `draftsPath` moves the builder to the database it names; the old file
            // stays as it is (its sessions are not lost, only no longer listed).
            if let (Some(open), Ok(want)) = (guard.as_ref(), path.as_ref()) {
                if open.path() != want.as_path() {
                    *guard = None;
                    bound.lock().unwrap_or_else(|p| p.into_inner()).clear();
                }
            }
            if guard.is_none() {
                let path = path?;
                if !create && !path.exists() {
                    return Ok(Opened {
                        value: None,
                        warning: None,
                    });
                }
                let s = DraftStore::open(&path)?;
                warning = s.warning().map(str::to_string);
                index_bound(&s, &bound);
                *guard = Some(s);
            }
            let Some(s) = guard.as_ref() else {
                return Ok(Opened {
                    value: None,
                    warning,
                });
            };
            f(s).map(|v| Opened {
                value: Some(v),
                warning,
            })
        })
        .await
        .map_err(|_| ServiceError::Storage("the drafts task failed".into()))?
    }

    /// Remembers the folder a saved session is bound to.
    pub fn note_saved(&self, s: &Session) {
        if let Some(f) = &s.bound_folder {
            let mut m = self.bound.lock().unwrap_or_else(|p| p.into_inner());
            m.insert(PathBuf::from(f), s.session_id.clone());
        }
    }

    /// Forgets a deleted (or assembled) session.
    pub fn note_deleted(&self, id: &str) {
        let mut m = self.bound.lock().unwrap_or_else(|p| p.into_inner());
        m.retain(|_, v| v != id);
    }

    /// The id of the session bound to `folder` (canonical), once the store is open.
    pub fn bound_to(&self, folder: &Path) -> Option<String> {
        self.bound.lock().ok()?.get(folder).cloned()
    }

    /// The workspace skills, listed at most every [`SKILLS_TTL`]: from the index when it has
    /// them, else by a walk. Call from a blocking context.
    pub fn workspace_skills(&self, folders: &[PathBuf], index: &Index) -> Vec<WorkspaceSkill> {
        list_skills(&self.skills, folders, index)
    }

    /// A handle for blocking closures that need [`Drafts::workspace_skills`].
    pub fn skills_lister(&self) -> impl Fn(&[PathBuf], &Index) -> Vec<WorkspaceSkill> + Send {
        let cache = self.skills.clone();
        move |folders, index| list_skills(&cache, folders, index)
    }

    fn session_lock(&self, id: &str) -> Arc<tokio::sync::Mutex<()>> {
        let mut m = self.locks.lock().unwrap_or_else(|p| p.into_inner());
        // Session ids come from the client, any number of them: a lock only this map still
        // refers to (no command holds or waits for it) goes.
        if m.len() >= PRUNE_LOCKS_AT {
            m.retain(|_, lock| Arc::strong_count(lock) > 1);
        }
        m.entry(id.to_string()).or_default().clone()
    }

    /// Queues a command for its session's lock. Call it synchronously as the command arrives:
    /// tokio's mutex serves waiters in the order of their first poll, which happens here rather
    /// than whenever the command's task first runs.
    pub fn queue(&self, session_id: &str) -> Turn {
        let mut acquire: Pin<Box<dyn Future<Output = TurnGuard> + Send>> =
            Box::pin(self.session_lock(session_id).lock_owned());
        let mut cx = std::task::Context::from_waker(futures::task::noop_waker_ref());
        match acquire.as_mut().poll(&mut cx) {
            std::task::Poll::Ready(g) => Turn::Held(g),
            // Queued now; the command's await installs its real waker.
            std::task::Poll::Pending => Turn::Queued(acquire),
        }
    }
}

fn list_skills(cache: &SkillsCache, folders: &[PathBuf], index: &Index) -> Vec<WorkspaceSkill> {
    let mut c = cache.lock().unwrap_or_else(|p| p.into_inner());
    match &*c {
        Some((at, skills)) if at.elapsed() < SKILLS_TTL => skills.clone(),
        _ => {
            let skills = svc::workspace_skills_indexed(index, folders)
                .unwrap_or_else(|| svc::workspace_skills(folders));
            *c = Some((Instant::now(), skills.clone()));
            skills
        }
    }
}

/// Rebuilds the bound-folder index from the stored drafts (once, when the store opens).
fn index_bound(store: &DraftStore, bound: &Mutex<HashMap<PathBuf, String>>) {
    let Ok(list) = store.list() else { return };
    let mut m = bound.lock().unwrap_or_else(|p| p.into_inner());
    // Oldest first so the newest session of a folder wins.
    for d in list.iter().rev() {
        if let Ok(Some(s)) = store.load::<Session>(&d.session_id) {
            if let Some(f) = &s.bound_folder {
                m.insert(PathBuf::from(f), s.session_id.clone());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn session_locks_in_use_stay_and_the_rest_are_dropped() {
        let drafts = Drafts::default();
        let held = drafts.session_lock("busy").try_lock_owned().unwrap();
        for i in 0..1000 {
            drop(drafts.session_lock(&format!("s{i}")));
        }
        let locks = drafts.locks.lock().unwrap();
        assert!(locks.len() <= PRUNE_LOCKS_AT, "{} locks kept", locks.len());
        // Still the same lock: a second command on the session would wait for the first.
        assert!(locks["busy"].clone().try_lock_owned().is_err());
        drop(held);
    }
}
