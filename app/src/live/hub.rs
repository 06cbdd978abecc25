//! The one listener of a server process: reads channel `live`, gathers what arrives for `GATHER`, and
//! publishes it per workspace, numbered, to every stream of this process. The latest `KEPT` publications
//! are kept so that a tab reconnecting with `Last-Event-ID` gets what it missed; one that asks for more
//! than that, or for another process's numbers, is told to resync.

use super::Change;
use serde::Deserialize;
use sqlx::PgPool;
use sqlx::postgres::PgListener;
use std::collections::{BTreeMap, BTreeSet, VecDeque};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::sync::broadcast;

/// How long messages are gathered before they are published: many statements of one burst become one
/// event, well within the 2 seconds of SPEC §10.
pub const GATHER: Duration = Duration::from_millis(200);

/// How many publications are kept for tabs that reconnect.
const KEPT: usize = 4_096;

/// How many customers one publication names; past that it counts them.
const NAMED: usize = 1_000;

/// What is published: to one workspace, or (a resync) to all.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Publication {
    pub seq: u64,
    pub workspace_id: Option<i64>,
    pub what: Published,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Published {
    Written { customers: BTreeSet<i64>, unnamed: i64, users: BTreeSet<i64> },
    Resync,
}

/// What a tab of `user_id` in `workspace_id` is told of a publication, if anything.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Told {
    Change(Change),
    Resync,
}

impl Publication {
    pub fn told(&self, workspace_id: i64, user_id: i64) -> Option<Told> {
        if self.workspace_id.is_some_and(|w| w != workspace_id) {
            return None;
        }
        match &self.what {
            Published::Resync => Some(Told::Resync),
            Published::Written { customers, unnamed, users } => {
                let change = Change {
                    customers: customers.iter().copied().collect(),
                    unnamed: *unnamed,
                    notified: users.contains(&user_id),
                };
                (change.written() > 0 || change.notified).then_some(Told::Change(change))
            }
        }
    }
}

/// A message of channel `live` (written by the triggers of migration `live_updates`).
#[derive(Debug, Deserialize)]
struct Message {
    w: i64,
    #[serde(default)]
    c: Vec<i64>,
    #[serde(default)]
    n: i64,
    #[serde(default)]
    u: Vec<i64>,
}

#[derive(Debug, Default)]
struct Gathered {
    customers: BTreeSet<i64>,
    unnamed: i64,
    users: BTreeSet<i64>,
}

struct Kept {
    next: u64,
    publications: VecDeque<Arc<Publication>>,
}

/// What a new stream starts with: the publications it missed (after its `Last-Event-ID`), whether it
/// missed more than are kept, the id of the latest publication, and the receiver of those to come.
pub struct Subscription {
    pub missed: Vec<Arc<Publication>>,
    pub resync: bool,
    pub position: String,
    pub receiver: broadcast::Receiver<Arc<Publication>>,
}

pub struct Hub {
    /// Tells this process's event ids from another's (and from those of before a restart).
    epoch: String,
    sender: broadcast::Sender<Arc<Publication>>,
    kept: Mutex<Kept>,
    gathered: Mutex<BTreeMap<i64, Gathered>>,
    /// Whether the listener is listening now.
    listening: tokio::sync::watch::Sender<bool>,
}

impl Default for Hub {
    fn default() -> Self {
        let (sender, _) = broadcast::channel(KEPT);
        let epoch = format!("{:x}", rand::random::<u64>());
        Hub {
            epoch,
            sender,
            kept: Mutex::new(Kept { next: 1, publications: VecDeque::new() }),
            gathered: Mutex::new(BTreeMap::new()),
            listening: tokio::sync::watch::Sender::new(false),
        }
    }
}

impl Hub {
    /// The event id of publication `seq`.
    pub fn event_id(&self, seq: u64) -> String {
        format!("{}-{seq}", self.epoch)
    }

    /// Returns once the listener listens (what commits from then on is heard).
    pub async fn until_listening(&self) {
        // the sender lives as long as the hub: waiting cannot fail
        let _ = self.listening.subscribe().wait_for(|listening| *listening).await;
    }

    /// The number of the latest publication (0: none yet).
    pub fn latest(&self) -> u64 {
        self.kept.lock().expect("the hub's lock is never poisoned").next - 1
    }

    /// A stream's start: after `last_event_id` (the browser's `Last-Event-ID` when it reconnects).
    pub fn subscribe(&self, last_event_id: Option<&str>) -> Subscription {
        let kept = self.kept.lock().expect("the hub's lock is never poisoned");
        // under the lock: nothing is published between the missed ones and the receiver's first
        let receiver = self.sender.subscribe();
        let position = self.event_id(kept.next - 1);
        let asked = last_event_id.map(|id| {
            id.split_once('-')
                .filter(|(epoch, _)| *epoch == self.epoch)
                .and_then(|(_, seq)| seq.parse::<u64>().ok())
                .filter(|seq| *seq < kept.next)
        });
        let (missed, resync) = match asked {
            None => (Vec::new(), false),
            Some(None) => (Vec::new(), true),
            Some(Some(seq)) => {
                let oldest = kept.publications.front().map_or(kept.next, |p| p.seq);
                if seq + 1 < oldest {
                    (Vec::new(), true)
                } else {
                    (kept.publications.iter().filter(|p| p.seq > seq).cloned().collect(), false)
                }
            }
        };
        Subscription { missed, resync, position, receiver }
    }

    fn publish(&self, workspace_id: Option<i64>, what: Published) {
        let mut kept = self.kept.lock().expect("the hub's lock is never poisoned");
        let publication = Arc::new(Publication { seq: kept.next, workspace_id, what });
        kept.next += 1;
        kept.publications.push_back(publication.clone());
        if kept.publications.len() > KEPT {
            kept.publications.pop_front();
        }
        // no stream open: nobody to tell
        let _ = self.sender.send(publication);
    }

    /// Everything may have changed unseen (the listener was away): every tab reads its page again.
    fn resync_all(&self) {
        self.gathered.lock().expect("the hub's lock is never poisoned").clear();
        self.publish(None, Published::Resync);
    }

    fn gather(&self, payload: &str) {
        let Ok(message) = serde_json::from_str::<Message>(payload) else {
            tracing::warn!(payload, "a message of channel live that is not ours");
            return;
        };
        let mut gathered = self.gathered.lock().expect("the hub's lock is never poisoned");
        let g = gathered.entry(message.w).or_default();
        for customer in message.c {
            if g.customers.len() < NAMED || g.customers.contains(&customer) {
                g.customers.insert(customer);
            } else {
                g.unnamed += 1;
            }
        }
        g.unnamed += message.n;
        g.users.extend(message.u);
    }

    fn flush(&self) {
        let gathered = std::mem::take(&mut *self.gathered.lock().expect("the hub's lock is never poisoned"));
        for (workspace_id, g) in gathered {
            self.publish(
                Some(workspace_id),
                Published::Written { customers: g.customers, unnamed: g.unnamed, users: g.users },
            );
        }
    }

    /// Listens for as long as the process runs: reconnects when the database goes away (and then tells
    /// every tab to resync: what was written meanwhile was not heard).
    pub async fn run(self: Arc<Self>, pool: PgPool) {
        let flushing = {
            let hub = self.clone();
            async move {
                let mut ticker = tokio::time::interval(GATHER);
                loop {
                    ticker.tick().await;
                    hub.flush();
                }
            }
        };
        tokio::join!(flushing, self.listen(pool));
    }

    async fn listen(&self, pool: PgPool) {
        let mut first = true;
        loop {
            match connect(&pool).await {
                Ok(mut listener) => {
                    self.listening.send_replace(true);
                    if !first {
                        self.resync_all();
                    }
                    loop {
                        match listener.try_recv().await {
                            Ok(Some(notification)) => self.gather(notification.payload()),
                            // the connection was lost and made again: what came meanwhile is lost
                            Ok(None) => self.resync_all(),
                            Err(error) => {
                                self.listening.send_replace(false);
                                tracing::warn!(%error, "the live updates' listener stopped; listening again");
                                break;
                            }
                        }
                    }
                }
                Err(error) => tracing::warn!(%error, "live updates cannot listen yet; trying again"),
            }
            first = false;
            tokio::time::sleep(Duration::from_secs(1)).await;
        }
    }
}

async fn connect(pool: &PgPool) -> Result<PgListener, sqlx::Error> {
    let mut listener = PgListener::connect_with(pool).await?;
    listener.listen("live").await?;
    Ok(listener)
}
