//! Refreshing the VIP segment after writes, coalesced: its threshold is global, so every request that
//! wrote orders needs a refresh, and under load they would queue behind each other on the workspace.
//! Instead a request waits for a refresh that begins after its writes committed, and one refresh serves
//! every request waiting at the time it begins (as a database's group commit serves many commits with
//! one flush). Across processes, the workspace row still puts refreshes one after the other.

use crate::clock::Clock;
use crate::error::AppResult;
use sqlx::PgPool;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

#[derive(Default)]
pub struct VipRefreshes {
    workspaces: Mutex<HashMap<i64, Arc<Queue>>>,
}

#[derive(Default)]
struct Queue {
    waiting: Mutex<Waiting>,
    /// Held while a refresh runs; holds the last ticket a finished refresh served.
    served: tokio::sync::Mutex<u64>,
}

#[derive(Default)]
struct Waiting {
    customers: Vec<i64>,
    /// The last ticket handed out.
    ticket: u64,
}

impl VipRefreshes {
    /// Returns once VIP membership reflects every write of `written` (committed before the call).
    pub async fn refresh(&self, pool: &PgPool, clock: &Clock, workspace_id: i64, written: &[i64]) -> AppResult<()> {
        let queue = self.workspaces.lock().expect("not poisoned").entry(workspace_id).or_default().clone();
        let ticket = {
            let mut waiting = queue.waiting.lock().expect("not poisoned");
            waiting.customers.extend_from_slice(written);
            waiting.ticket += 1;
            waiting.ticket
        };
        let mut served = queue.served.lock().await;
        if *served >= ticket {
            // a refresh that began after we asked has run
            return Ok(());
        }
        let (mut customers, upto) = {
            let mut waiting = queue.waiting.lock().expect("not poisoned");
            (std::mem::take(&mut waiting.customers), waiting.ticket)
        };
        customers.sort_unstable();
        customers.dedup();
        let database = Database { pool, clock };
        let refreshed = crate::in_transaction!(database, |tx, now| crate::segments::db::refresh_vip(
            &mut tx,
            workspace_id,
            now,
            Some(&customers)
        ))
        .await;
        match refreshed {
            Ok(()) => {
                *served = upto;
                Ok(())
            }
            Err(error) => {
                // whoever asks next refreshes these customers too
                queue.waiting.lock().expect("not poisoned").customers.extend(customers);
                Err(error)
            }
        }
    }
}

/// What `in_transaction!` needs.
struct Database<'a> {
    pool: &'a PgPool,
    clock: &'a Clock,
}
