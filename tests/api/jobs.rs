//! The job queue, on both databases: a prompt job (the matches of a posting
//! someone just published) is claimed before bulk jobs queued earlier, bulk
//! jobs keep their order among themselves, jobs a worker cannot run yet go
//! back in their place without counting an attempt (and the worker does so
//! while its search index has not taken in their changes), and the
//! migration that added priorities goes down and up again.

use chrono::TimeDelta;
use migration::{Migrator, MigratorTrait};
use sea_orm::{ConnectionTrait, EntityTrait, Statement};
use trama::domain::JobStatus;
use trama::jobs::{self, Job, MatchTarget, Priority};
use trama::services::now;
use trama::state::AppState;
use trama::store::entities::jobs as job_rows;
use uuid::Uuid;

use crate::helpers::{Backend, PATIENT, TestEnv, wait_until};
use crate::on_both_databases;

on_both_databases!(
    a_prompt_job_is_claimed_before_older_bulk_ones,
    released_jobs_go_back_in_their_place_without_an_attempt,
    a_busy_worker_takes_only_prompt_jobs_beside_its_batch,
    the_worker_puts_jobs_back_while_its_index_is_behind,
    refreshes_leave_connections_to_requests,
    the_priority_migration_goes_down_and_up,
);

fn refresh(n: u128) -> Job {
    Job::RefreshMatches {
        target: MatchTarget::Need(Uuid::from_u128(n)),
    }
}

/// Bulk refreshes of needs 1 to `n`, due for ten minutes, oldest first.
async fn bulk_backlog(db: &impl ConnectionTrait, n: u128) {
    let start = now() - TimeDelta::minutes(10);
    for k in 1..=n {
        jobs::enqueue_at(
            db,
            &refresh(k),
            Priority::Bulk,
            start + TimeDelta::seconds(k as i64),
        )
        .await
        .expect("enqueue bulk");
    }
}

/// A fresh application state (no server) whose queue holds the
/// [`bulk_backlog`] of `n` jobs; the environment must outlive it.
async fn state_with_backlog(backend: Backend, n: u128) -> (TestEnv, AppState) {
    let env = TestEnv::new(backend).await;
    let state = env.state().await;
    bulk_backlog(&state.db, n).await;
    (env, state)
}

fn targets(claimed: &[jobs::Claimed]) -> Vec<Option<Job>> {
    claimed.iter().map(|c| c.job.clone()).collect()
}

async fn a_prompt_job_is_claimed_before_older_bulk_ones(backend: Backend) {
    // A backlog of bulk jobs, due for minutes, then one prompt job due now.
    let (_env, state) = state_with_backlog(backend, 5).await;
    let db = &state.db;
    jobs::enqueue(db, &refresh(99), Priority::Prompt)
        .await
        .expect("enqueue prompt");
    // A prompt job not yet due waits like any other.
    jobs::enqueue_at(
        db,
        &refresh(100),
        Priority::Prompt,
        now() + TimeDelta::hours(1),
    )
    .await
    .expect("enqueue later");

    let first = jobs::claim(db, "worker-a", 1).await.expect("claim");
    assert_eq!(targets(&first), [Some(refresh(99))]);
    // Then the bulk jobs, oldest first.
    let rest = jobs::claim(db, "worker-b", 3).await.expect("claim");
    assert_eq!(
        targets(&rest),
        [Some(refresh(1)), Some(refresh(2)), Some(refresh(3))]
    );
    let last = jobs::claim(db, "worker-a", 10).await.expect("claim");
    assert_eq!(targets(&last), [Some(refresh(4)), Some(refresh(5))]);
    assert!(
        jobs::claim(db, "worker-b", 10)
            .await
            .expect("claim")
            .is_empty()
    );
    state.search.shutdown().await;
}

async fn a_busy_worker_takes_only_prompt_jobs_beside_its_batch(backend: Backend) {
    let (_env, state) = state_with_backlog(backend, 3).await;
    let db = &state.db;
    assert!(
        jobs::claim_prompt(db, "worker-a", 10)
            .await
            .expect("claim")
            .is_empty(),
        "bulk jobs are left to batches"
    );
    jobs::enqueue(db, &refresh(98), Priority::Prompt)
        .await
        .expect("enqueue");
    jobs::enqueue(db, &refresh(99), Priority::Prompt)
        .await
        .expect("enqueue");
    let prompt = jobs::claim_prompt(db, "worker-a", 10).await.expect("claim");
    assert_eq!(targets(&prompt), [Some(refresh(98)), Some(refresh(99))]);
    let rest = jobs::claim(db, "worker-b", 10).await.expect("claim");
    assert_eq!(
        targets(&rest),
        [Some(refresh(1)), Some(refresh(2)), Some(refresh(3))]
    );
    state.search.shutdown().await;
}

async fn released_jobs_go_back_in_their_place_without_an_attempt(backend: Backend) {
    let (_env, state) = state_with_backlog(backend, 3).await;
    let db = &state.db;
    let claimed = jobs::claim(db, "worker-a", 2).await.expect("claim");
    let ids: Vec<Uuid> = claimed.iter().map(|c| c.id).collect();
    // Only the worker holding them may put them back.
    assert_eq!(
        jobs::release(db, "worker-b", &ids).await.expect("release"),
        0
    );
    assert_eq!(
        jobs::release(db, "worker-a", &ids).await.expect("release"),
        2
    );
    // They are claimed again first, as their first attempt.
    let again = jobs::claim(db, "worker-b", 3).await.expect("claim");
    assert_eq!(
        targets(&again),
        [Some(refresh(1)), Some(refresh(2)), Some(refresh(3))]
    );
    assert!(again.iter().all(|c| c.attempt == 1), "{again:?}");
    state.search.shutdown().await;
}

async fn the_worker_puts_jobs_back_while_its_index_is_behind(backend: Backend) {
    let env = TestEnv::new(backend).await;
    let state = env.state().await;
    let db = state.db.clone();
    jobs::enqueue(&db, &refresh(1), Priority::Prompt)
        .await
        .expect("enqueue");
    // An indexer that has stopped never takes in the job's change: the
    // worker must not refresh matches on that index.
    state.search.shutdown().await;
    let worker = state.job_worker().start();
    // Claimed (the claim stamps `updated_at`), then put back untried.
    let put_back = wait_until(PATIENT, async || {
        let rows = job_rows::Entity::find().all(&db).await.expect("jobs");
        rows.len() == 1
            && rows[0].updated_at > rows[0].created_at
            && rows[0].status == JobStatus::Queued
    })
    .await;
    worker.stop().await;
    let rows = job_rows::Entity::find().all(&db).await.expect("jobs");
    assert!(put_back, "the job was not put back: {rows:?}");
    assert_eq!(rows[0].status, JobStatus::Queued, "{rows:?}");
    assert_eq!(rows[0].attempts, 0, "{rows:?}");
    assert_eq!(rows[0].last_error, None, "{rows:?}");
}

async fn refreshes_leave_connections_to_requests(backend: Backend) {
    let env = TestEnv::new(backend).await;
    let state = env.state().await;
    let db = &state.db;
    let at_once = trama::services::matches::concurrency(db);
    assert!(at_once >= 1);
    match backend {
        // Half of the pool at most, whatever the number of cores.
        Backend::Postgres => {
            let pool = db.get_postgres_connection_pool().options();
            let size = pool.get_max_connections() as usize;
            assert!(at_once <= size / 2, "{at_once} of {size} connections");
        }
        // One connection: a few refreshes queue on it, not two per core.
        Backend::Sqlite => assert!(at_once <= 4, "{at_once}"),
    }
    state.search.shutdown().await;
}

async fn the_priority_migration_goes_down_and_up(backend: Backend) {
    let env = TestEnv::new(backend).await;
    let state = env.state().await;
    let db = &state.db;
    jobs::enqueue(db, &refresh(1), Priority::Prompt)
        .await
        .expect("enqueue");
    let select_priority = || {
        Statement::from_string(
            db.get_database_backend(),
            "SELECT priority FROM jobs".to_owned(),
        )
    };
    assert!(db.query_all_raw(select_priority()).await.is_ok());

    // Down to just before the migration that added priorities.
    let steps = Migrator::migrations()
        .iter()
        .rev()
        .position(|m| m.name() == "m20261204_160000_add_job_priority")
        .expect("the migration is listed")
        + 1;
    Migrator::down(db, Some(steps as u32))
        .await
        .expect("migrate down");
    assert!(
        db.query_all_raw(select_priority()).await.is_err(),
        "the column is gone"
    );
    // The job stays.
    let count = db
        .query_one_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT COUNT(*) AS n FROM jobs".to_owned(),
        ))
        .await
        .expect("count")
        .expect("a row");
    assert_eq!(count.try_get::<i64>("", "n").expect("n"), 1);

    Migrator::up(db, None).await.expect("migrate up");
    // Jobs queued before the column existed read as bulk (0).
    jobs::enqueue(db, &refresh(2), Priority::Prompt)
        .await
        .expect("enqueue");
    let claimed = jobs::claim(db, "worker", 10).await.expect("claim");
    assert_eq!(targets(&claimed), [Some(refresh(2)), Some(refresh(1))]);
    state.search.shutdown().await;
}
