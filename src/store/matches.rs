//! The queries of matches: the rows of a need or an offer, the postings the
//! engine refreshes, the writes of a refresh, statuses and feedback.

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Alias, Expr, ExprTrait, LockType, OnConflict, Query};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DbBackend, DbErr, EntityTrait,
    PaginatorTrait, QueryFilter, QueryOrder, QuerySelect, QueryTrait, Set, Statement,
};
use uuid::Uuid;

use super::postings::PostingTable;
use super::scope::Existing;
use super::{Context, StoreResult, rows};
use crate::domain::{FeedbackSource, FeedbackVerdict, MatchSideStatus, PostingStatus};
use crate::store::entities::{match_feedback, matches, memberships, needs, offers, users};

/// How many matches are stored.
pub async fn count(db: &impl ConnectionTrait) -> StoreResult<u64> {
    matches::Entity::find()
        .count(db)
        .await
        .context("matches: count")
}

/// Every match of a need.
pub async fn of_need(db: &impl ConnectionTrait, need_id: Uuid) -> StoreResult<Vec<matches::Model>> {
    of_needs(db, vec![need_id]).await
}

/// Needs or offers as one side of a match: the match's columns naming the
/// posting and holding that side's status, and the names of the queries
/// of their matches (all, not dismissed).
pub trait MatchedSide: EntityTrait {
    const OF: &'static str;
    const UNDISMISSED_OF: &'static str;
    fn posting_column() -> matches::Column;
    fn status_column() -> matches::Column;
}

/// Implements [`MatchedSide`] for a posting table: the match's columns of
/// its side and the names of its queries.
macro_rules! matched_side {
    ($($table:ident: $posting:ident, $status:ident, $of:literal, $undismissed:literal;)+) => {$(
        impl MatchedSide for $table::Entity {
            const OF: &'static str = $of;
            const UNDISMISSED_OF: &'static str = $undismissed;
            fn posting_column() -> matches::Column {
                matches::Column::$posting
            }
            fn status_column() -> matches::Column {
                matches::Column::$status
            }
        }
    )+};
}

matched_side! {
    needs: NeedId, NeedSideStatus, "matches: of needs", "matches: not dismissed, of needs";
    offers: OfferId, OfferSideStatus, "matches: of offers", "matches: not dismissed, of offers";
}

/// Every match of these needs.
pub async fn of_needs(
    db: &impl ConnectionTrait,
    need_ids: Vec<Uuid>,
) -> StoreResult<Vec<matches::Model>> {
    of_postings::<needs::Entity>(db, need_ids).await
}

/// Every match of these postings (needs or offers, `T`).
pub async fn of_postings<T: MatchedSide>(
    db: &impl ConnectionTrait,
    ids: Vec<Uuid>,
) -> StoreResult<Vec<matches::Model>> {
    let which = T::posting_column().is_in(ids);
    rows::all::<matches::Entity>(db, which, T::OF).await
}

/// The statuses of a side that acted on a match (interest, contact, a
/// partnership): such rows are kept even when the pair is no longer
/// proposed.
pub const ENGAGED: [MatchSideStatus; 3] = [
    MatchSideStatus::Interested,
    MatchSideStatus::InContact,
    MatchSideStatus::Partnership,
];

/// Whether someone acted on this match (see [`ENGAGED`]).
pub fn engaged(row: &matches::Model) -> bool {
    ENGAGED.contains(&row.need_side_status) || ENGAGED.contains(&row.offer_side_status)
}

/// The matches of these postings (needs or offers, `T`) that the
/// postings' side did not dismiss.
pub async fn undismissed_of<T: MatchedSide>(
    db: &impl ConnectionTrait,
    ids: Vec<Uuid>,
) -> StoreResult<Vec<matches::Model>> {
    let which = Condition::all()
        .add(T::posting_column().is_in(ids))
        .add(T::status_column().ne(MatchSideStatus::Dismissed));
    rows::all::<matches::Entity>(db, which, T::UNDISMISSED_OF).await
}

/// Which of an organisation's postings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OwnPostings {
    /// The open ones that still exist (those the engine matches).
    Open,
    /// Every one, deleted or not (their matches are refreshed, or removed,
    /// together).
    All,
}

/// The ids of an organisation's needs or offers (`T`), the `which` of them.
pub async fn posting_ids_of_organization<T: PostingTable>(
    db: &impl ConnectionTrait,
    organization_id: Uuid,
    which: OwnPostings,
) -> StoreResult<Vec<Uuid>> {
    let mut rows = T::find().filter(T::organization_column().eq(organization_id));
    if which == OwnPostings::Open {
        rows = rows
            .filter(T::existing())
            .filter(T::status_column().eq(PostingStatus::Open));
    }
    rows.select_only()
        .column(T::id_column())
        .into_tuple()
        .all(db)
        .await
        .context("matches: posting ids of an organisation")
}

/// Locks the need's row until the transaction ends (PostgreSQL; SQLite's
/// single writer already serialises transactions).
pub async fn lock_need(txn: &impl ConnectionTrait, need_id: Uuid) -> StoreResult<()> {
    if txn.get_database_backend() == DbBackend::Postgres {
        needs::Entity::find_by_id(need_id)
            .select_only()
            .column(needs::Column::Id)
            .lock(LockType::Update)
            .into_tuple::<Uuid>()
            .one(txn)
            .await
            .context("matches: lock the need")?;
    }
    Ok(())
}

/// New statuses for the two sides of a match; `None` keeps a side's.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SideStatuses {
    pub need: Option<MatchSideStatus>,
    pub offer: Option<MatchSideStatus>,
}

impl SideStatuses {
    fn write(self, row: &mut matches::ActiveModel) {
        if let Some(status) = self.need {
            row.need_side_status = Set(status);
        }
        if let Some(status) = self.offer {
            row.offer_side_status = Set(status);
        }
    }
}

/// Moves the sides of the match `before` to new statuses at `at`; returns
/// it as stored.
pub async fn set_side_statuses(
    db: &impl ConnectionTrait,
    before: matches::Model,
    statuses: SideStatuses,
    at: DateTime<Utc>,
) -> StoreResult<matches::Model> {
    let mut row: matches::ActiveModel = before.into();
    statuses.write(&mut row);
    row.updated_at = Set(at);
    row.update(db).await.context("matches: set side statuses")
}

/// A pair's score as the engine computed it.
#[derive(Clone, Debug)]
pub struct Computed {
    pub need_id: Uuid,
    pub offer_id: Uuid,
    pub score: f64,
    /// The reasons, as stored (a JSON array).
    pub reasons: serde_json::Value,
    /// What the score was computed from (see `matching::facts::fingerprint`).
    pub fingerprint: String,
}

/// A verdict on a match, for tuning.
#[derive(Clone, Copy, Debug)]
pub struct Feedback {
    pub match_id: Uuid,
    pub user_id: Option<Uuid>,
    pub organization_id: Option<Uuid>,
    pub verdict: FeedbackVerdict,
    pub source: FeedbackSource,
    pub at: DateTime<Utc>,
}

/// Records a verdict on a match.
pub async fn insert_feedback(db: &impl ConnectionTrait, feedback: Feedback) -> StoreResult<()> {
    let row = match_feedback::ActiveModel {
        id: Set(super::new_id()),
        match_id: Set(feedback.match_id),
        user_id: Set(feedback.user_id),
        organization_id: Set(feedback.organization_id),
        verdict: Set(feedback.verdict),
        source: Set(feedback.source),
        created_at: Set(feedback.at),
    };
    row.insert(db)
        .await
        .context("matches: insert feedback")
        .map(|_| ())
}

/// The latest `most` verdicts an organisation's people gave on matches,
/// oldest first (by id: see [`rows::latest`]).
pub async fn feedback_of_organization(
    db: &impl ConnectionTrait,
    organization_id: Uuid,
    most: u64,
) -> StoreResult<Vec<match_feedback::Model>> {
    let which = match_feedback::Column::OrganizationId.eq(organization_id);
    let id = match_feedback::Column::Id;
    let what = "matches: feedback of an organisation";
    rows::latest::<match_feedback::Entity>(db, which, id, most, what).await
}

/// These matches.
pub async fn by_ids(db: &impl ConnectionTrait, ids: Vec<Uuid>) -> StoreResult<Vec<matches::Model>> {
    let which = matches::Column::Id.is_in(ids);
    rows::all::<matches::Entity>(db, which, "matches: by id").await
}

/// The people of an organisation with a verified address, by id.
pub async fn verified_members(
    db: &impl ConnectionTrait,
    organization_id: Uuid,
) -> StoreResult<Vec<users::Model>> {
    let members = memberships::Entity::find()
        .select_only()
        .column(memberships::Column::UserId)
        .filter(memberships::Column::OrganizationId.eq(organization_id));
    users::Entity::find_existing()
        .filter(users::Column::Id.in_subquery(members.into_query()))
        .filter(users::Column::EmailVerifiedAt.is_not_null())
        .order_by_asc(users::Column::Id)
        .all(db)
        .await
        .context("matches: verified members of an organisation")
}

/// The writes of match refreshes: what each refresh found to update,
/// delete and insert, merged over several refreshes and turned into
/// statements before their transaction opens, so that the transaction
/// holds its connection only while the database works (on SQLite, the one
/// connection every request shares).
#[derive(Default)]
pub struct RefreshWrites {
    recomputed: Vec<(matches::Model, Computed, SideStatuses)>,
    stale: Vec<Uuid>,
    new: Vec<NewMatch>,
}

/// A pair to insert, its reasons already written as JSON text: a refresh
/// plans its writes on its own task, several at once, while one writer
/// runs the statements. As a tree of values, the reasons were copied when
/// the statement was built, written out when it was bound and freed twice,
/// all on the writer's path: as much time as the database's own work (a
/// profile of `cargo bench --bench matching`).
struct NewMatch {
    need_id: Uuid,
    offer_id: Uuid,
    score: f64,
    reasons: String,
    fingerprint: String,
}

/// What a statement of [`RefreshStatements`] does.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Write {
    /// Updates one row, which must still be there.
    Recompute,
    Delete,
    Insert,
}

impl Write {
    fn what(self) -> &'static str {
        match self {
            Self::Recompute => "matches: recompute",
            Self::Delete => "matches: delete stale",
            Self::Insert => "matches: insert new",
        }
    }
}

impl RefreshWrites {
    /// A new computation over the match `before`, with new side statuses
    /// (a dismissed side reopened).
    pub fn recompute(
        &mut self,
        before: matches::Model,
        computed: Computed,
        statuses: SideStatuses,
    ) {
        self.recomputed.push((before, computed, statuses));
    }

    /// Deletes these matches.
    pub fn delete(&mut self, ids: impl IntoIterator<Item = Uuid>) {
        self.stale.extend(ids);
    }

    /// New matches, suggested on both sides; a pair already stored
    /// (inserted meanwhile by the refresh of its other side, with the same
    /// score) is kept as it is.
    pub fn insert(&mut self, computed: impl IntoIterator<Item = Computed>) {
        self.new.extend(computed.into_iter().map(|c| NewMatch {
            need_id: c.need_id,
            offer_id: c.offer_id,
            score: c.score,
            // The same text a `Json` value binds as (keys in order).
            reasons: c.reasons.to_string(),
            fingerprint: c.fingerprint,
        }));
    }

    /// Adds another refresh's writes to these.
    pub fn merge(&mut self, other: RefreshWrites) {
        self.recomputed.extend(other.recomputed);
        self.stale.extend(other.stale);
        self.new.extend(other.new);
    }

    pub fn is_empty(&self) -> bool {
        self.recomputed.is_empty() && self.stale.is_empty() && self.new.is_empty()
    }

    /// The statements, stamped `at`: updates, deletes, then inserts (200
    /// rows each), each in pair order, so that two transactions that meet
    /// on the same rows (a need's refresh and its offer's, in two
    /// processes) lock them in the same order and wait for each other
    /// instead of deadlocking.
    pub fn statements(
        mut self,
        backend: DbBackend,
        at: DateTime<Utc>,
    ) -> StoreResult<RefreshStatements> {
        let mut statements = Vec::new();
        self.recomputed
            .sort_by_key(|(row, _, _)| (row.need_id, row.offer_id));
        for (before, computed, statuses) in self.recomputed {
            let mut row: matches::ActiveModel = before.into();
            statuses.write(&mut row);
            row.score = Set(computed.score);
            row.reasons = Set(computed.reasons);
            row.content_fingerprint = Set(computed.fingerprint);
            row.computed_at = Set(at);
            row.updated_at = Set(at);
            let update = matches::Entity::update(row)
                .validate()
                .context(Write::Recompute.what())?;
            statements.push((Write::Recompute, update.build(backend)));
        }
        if !self.stale.is_empty() {
            self.stale.sort();
            // Rows read before someone acted on them stay.
            let delete = matches::Entity::delete_many().filter(
                Condition::all()
                    .add(matches::Column::Id.is_in(self.stale))
                    .add(matches::Column::NeedSideStatus.is_not_in(ENGAGED))
                    .add(matches::Column::OfferSideStatus.is_not_in(ENGAGED)),
            );
            statements.push((Write::Delete, delete.build(backend)));
        }
        self.new.sort_by_key(|c| (c.need_id, c.offer_id));
        // A need's and an offer's refresh in the same writes may both
        // propose their pair.
        self.new.dedup_by_key(|c| (c.need_id, c.offer_id));
        for chunk in self.new.chunks(200) {
            statements.push((Write::Insert, insert_new(backend, chunk, at)?));
        }
        Ok(RefreshStatements(statements))
    }
}

/// One statement inserting `rows`, suggested on both sides, stamped `at`;
/// a pair already stored is left as it is.
fn insert_new(backend: DbBackend, rows: &[NewMatch], at: DateTime<Utc>) -> StoreResult<Statement> {
    use matches::Column as C;
    let suggested = MatchSideStatus::Suggested;
    let mut insert = Query::insert();
    insert
        .into_table(matches::Entity)
        .columns([
            C::Id,
            C::NeedId,
            C::OfferId,
            C::Score,
            C::Reasons,
            C::NeedSideStatus,
            C::OfferSideStatus,
            C::ContentFingerprint,
            C::ComputedAt,
            C::CreatedAt,
            C::UpdatedAt,
        ])
        .on_conflict(
            OnConflict::columns([C::NeedId, C::OfferId])
                .do_nothing()
                .to_owned(),
        );
    for row in rows {
        let reasons = Expr::val(row.reasons.as_str());
        // SQLite keeps JSON as text; PostgreSQL's column is jsonb.
        let reasons = match backend {
            DbBackend::Postgres => reasons.cast_as(Alias::new("jsonb")),
            _ => reasons,
        };
        insert
            .values([
                Expr::val(super::new_id()),
                Expr::val(row.need_id),
                Expr::val(row.offer_id),
                Expr::val(row.score),
                reasons,
                Expr::val(suggested),
                Expr::val(suggested),
                Expr::val(row.fingerprint.as_str()),
                Expr::val(at),
                Expr::val(at),
                Expr::val(at),
            ])
            .map_err(|e| DbErr::Custom(e.to_string()))
            .context(Write::Insert.what())?;
    }
    Ok(backend.build(&insert))
}

/// The statements of [`RefreshWrites`], ready to run.
pub struct RefreshStatements(Vec<(Write, Statement)>);

impl RefreshStatements {
    /// Runs them on `db` (a transaction) and returns how many rows were
    /// deleted. Fails when a row to recompute is gone (deleted meanwhile:
    /// the refresh runs again).
    pub async fn run(self, db: &impl ConnectionTrait) -> StoreResult<u64> {
        let mut deleted = 0;
        for (write, statement) in self.0 {
            let done = db.execute_raw(statement).await.context(write.what())?;
            match write {
                Write::Recompute if done.rows_affected() == 0 => {
                    return Err(DbErr::RecordNotUpdated).context(write.what());
                }
                Write::Delete => deleted += done.rows_affected(),
                Write::Recompute | Write::Insert => {}
            }
        }
        Ok(deleted)
    }
}

/// The needs with at least one match.
pub async fn matched_need_ids(db: &impl ConnectionTrait) -> StoreResult<Vec<Uuid>> {
    let (need_id, every) = (matches::Column::NeedId, Condition::all());
    rows::distinct_values::<matches::Entity, _>(db, need_id, every, "matches: matched need ids")
        .await
}

/// The offers with at least one match.
pub async fn matched_offer_ids(db: &impl ConnectionTrait) -> StoreResult<Vec<Uuid>> {
    let (offer_id, every) = (matches::Column::OfferId, Condition::all());
    let what = "matches: matched offer ids";
    rows::distinct_values::<matches::Entity, _>(db, offer_id, every, what).await
}

/// Every open need (not deleted), by id.
pub async fn open_need_ids(db: &impl ConnectionTrait) -> StoreResult<Vec<Uuid>> {
    needs::Entity::find_existing()
        .select_only()
        .column(needs::Column::Id)
        .filter(needs::Column::Status.eq(PostingStatus::Open))
        .order_by_asc(needs::Column::Id)
        .into_tuple()
        .all(db)
        .await
        .context("matches: open need ids")
}

/// Every open offer (not deleted).
pub async fn open_offer_ids(db: &impl ConnectionTrait) -> StoreResult<Vec<Uuid>> {
    let which = offers::Entity::existing().add(offers::Column::Status.eq(PostingStatus::Open));
    rows::values::<offers::Entity, _>(db, [offers::Column::Id], which, "matches: open offer ids")
        .await
}
