//! The job queue, on both databases: a prompt job (the matches of a posting
//! someone just published) is claimed before bulk jobs queued earlier, bulk
//! jobs keep their order among themselves, and the migration that added
//! priorities goes down and up again.

use chrono::TimeDelta;
use migration::{Migrator, MigratorTrait};
use sea_orm::{ConnectionTrait, Statement};
use trama::jobs::{self, Job, MatchTarget, Priority};
use trama::services::now;
use uuid::Uuid;

use crate::helpers::{Backend, TestEnv};
use crate::on_both_databases;

on_both_databases!(
    a_prompt_job_is_claimed_before_older_bulk_ones,
    the_priority_migration_goes_down_and_up,
);

fn refresh(n: u128) -> Job {
    Job::RefreshMatches {
        target: MatchTarget::Need(Uuid::from_u128(n)),
    }
}

fn targets(claimed: &[jobs::Claimed]) -> Vec<Option<Job>> {
    claimed.iter().map(|c| c.job.clone()).collect()
}

async fn a_prompt_job_is_claimed_before_older_bulk_ones(backend: Backend) {
    let env = TestEnv::new(backend).await;
    let state = env.state().await;
    let db = &state.db;
    let start = now() - TimeDelta::minutes(10);
    // A backlog of bulk jobs, due for minutes, then one prompt job due now.
    for n in 1..=5 {
        jobs::enqueue_at(
            db,
            &refresh(n),
            Priority::Bulk,
            start + TimeDelta::seconds(n as i64),
        )
        .await
        .expect("enqueue bulk");
    }
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
