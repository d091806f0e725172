//! GraphQL object types over the stored records. Resolvers read related
//! records through the batch loader ([`super::loaders`]), so a list of any
//! length costs the same number of statements.

use async_graphql::{
    Context, ID, InputValueError, InputValueResult, Object, Result, Scalar, ScalarType,
    SimpleObject, Value,
};
use chrono::{DateTime, NaiveDate, Utc};
use uuid::Uuid;

use super::connection::{List, Total, connection, page_cost, page_request};
use super::enums::{
    ContactKind, Language, LocationPrecision, MembershipRole, NeedKind, OfferKind,
    OrganizationKind, PostingStatus, TerritoryScope, VerificationStatus,
};
use super::error::{GqlResult, lang};
use super::loaders::{
    ContactsOfOrganization, MemberCountOfOrganization, MembersOfOrganization, MunicipalityByCode,
    NeedCountOfOrganization, NeedsOfOrganization, NeighbourhoodById, NeighbourhoodsOfOrganization,
    OfferCountOfOrganization, OffersOfOrganization, OrganizationById, SectorsOfNeed,
    SectorsOfOffer, SectorsOfOrganization, load,
};
use super::viewer::{check_draft_listing, reader};
use crate::domain::{self, EuroCents, Lang, StoredPlace};
use crate::error::{AppError, Entity};
use crate::policy::visibility;
use crate::services::{self, listing::MemberRow, listing::Page};
use crate::state::AppState;
use crate::store::entities::{
    municipalities, needs, neighbourhoods, offers, organizations, sectors,
};

pub(crate) fn state<'a>(ctx: &Context<'a>) -> Result<&'a AppState> {
    ctx.data::<AppState>()
}

pub(crate) fn pick_lang(ctx: &Context<'_>, requested: Option<Language>) -> Lang {
    requested.map(Lang::from).unwrap_or_else(|| lang(ctx))
}

/// An amount in euro cents: a whole number from 0 to 100000000000 (one
/// billion euro), well within what JSON readers hold exactly.
#[derive(Clone, Copy, Debug)]
pub struct Cents(pub i64);

#[Scalar(name = "Cents")]
impl ScalarType for Cents {
    /// A whole number, checked before execution like `Int` (the range is the
    /// domain's: [`EuroCents`]).
    fn is_valid(value: &Value) -> bool {
        matches!(value, Value::Number(n) if n.is_i64())
    }

    fn parse(value: Value) -> InputValueResult<Self> {
        match &value {
            Value::Number(n) => n
                .as_i64()
                .map(Cents)
                .ok_or_else(|| InputValueError::custom("a whole number of euro cents is expected")),
            _ => Err(InputValueError::expected_type(value)),
        }
    }

    fn to_value(&self) -> Value {
        Value::Number(self.0.into())
    }
}

/// An amount of money, exact in cents and ready to show.
pub struct Money(pub EuroCents);

#[Object]
impl Money {
    /// The amount in euro cents.
    async fn cents(&self) -> Cents {
        Cents(self.0.cents())
    }

    /// The amount written for people, e.g. "25.000,00 €" in Italian.
    async fn formatted(&self, ctx: &Context<'_>, lang: Option<Language>) -> String {
        self.0.format(pick_lang(ctx, lang))
    }
}

fn money(cents: Option<i64>) -> Option<Money> {
    cents.and_then(|c| EuroCents::new(c).ok()).map(Money)
}

/// The municipality with this code, if any.
async fn municipality(ctx: &Context<'_>, code: Option<&str>) -> Result<Option<Municipality>> {
    let Some(code) = code else {
        return Ok(None);
    };
    Ok(load(ctx, MunicipalityByCode(code.to_owned()))
        .await?
        .map(Municipality))
}

/// The neighbourhood with this id, if any.
async fn neighbourhood(ctx: &Context<'_>, id: Option<Uuid>) -> Result<Option<Neighbourhood>> {
    let Some(id) = id else {
        return Ok(None);
    };
    Ok(load(ctx, NeighbourhoodById(id)).await?.map(Neighbourhood))
}

/// A place a need or an offer reaches beyond its first.
#[derive(SimpleObject)]
pub struct OtherPlace {
    pub municipality: Municipality,
    /// The neighbourhood, when the place is one rather than the whole
    /// municipality.
    pub neighbourhood: Option<Neighbourhood>,
}

/// The places of an `other_places` column, in the order given; a place
/// whose municipality or neighbourhood is no longer in the territories is
/// left out. Every place is asked for at once, so that the loaders read
/// them (and those of the other postings of the response) in one batch.
async fn other_places(ctx: &Context<'_>, column: &serde_json::Value) -> Result<Vec<OtherPlace>> {
    let stored = StoredPlace::read_all(column);
    let loaded = futures_util::future::try_join_all(stored.iter().map(|place| async move {
        let municipality = municipality(ctx, Some(&place.municipality_code)).await?;
        let neighbourhood = neighbourhood(ctx, place.neighbourhood_id).await?;
        Ok::<_, async_graphql::Error>((place, municipality, neighbourhood))
    }))
    .await?;
    Ok(loaded
        .into_iter()
        .filter_map(|(place, municipality, neighbourhood)| {
            if place.neighbourhood_id.is_some() && neighbourhood.is_none() {
                return None;
            }
            Some(OtherPlace {
                municipality: municipality?,
                neighbourhood,
            })
        })
        .collect())
}

/// The organisation an offer, a need or a suggestion names; one that is
/// deleted, or that the viewer may not see (hidden by a moderator), is
/// NOT_FOUND on `organizationId` (its postings are not shown either).
pub(crate) async fn organization(ctx: &Context<'_>, id: Uuid) -> Result<Organization> {
    let found = load(ctx, OrganizationById(id)).await?;
    let reader = reader(ctx).await?;
    found
        .filter(|o| reader.may_see_organization(o))
        .map(Organization)
        .ok_or_else(|| AppError::not_found(Entity::Organization, "organizationId"))
        .gql(ctx)
}

fn sector_list(sectors: Option<Vec<sectors::Model>>) -> Result<Vec<Sector>> {
    Ok(sectors
        .unwrap_or_default()
        .into_iter()
        .map(Sector)
        .collect())
}

/// An empty connection for lists hidden from the viewer.
fn hidden<N: async_graphql::OutputType>() -> List<N> {
    connection(
        Page {
            items: Vec::<N>::new(),
            has_next_page: false,
            has_previous_page: false,
        },
        Total::Known(0),
        |_| Uuid::nil(),
        |node| node,
    )
}

/// A point in WGS84 degrees.
#[derive(SimpleObject)]
pub struct GeoPoint {
    pub lat: f64,
    pub lon: f64,
    /// True when the point is an approximate geocode (e.g. a municipality's
    /// centre), not a surveyed position.
    pub approximate: bool,
}

/// A sector of the taxonomy.
pub struct Sector(pub sectors::Model);

#[Object]
impl Sector {
    async fn code(&self) -> &str {
        &self.0.code
    }

    async fn name(&self, ctx: &Context<'_>, lang: Option<Language>) -> &str {
        match pick_lang(ctx, lang) {
            Lang::It => &self.0.name_it,
            Lang::En => &self.0.name_en,
        }
    }
}

/// An Italian municipality (comune).
pub struct Municipality(pub municipalities::Model);

#[Object]
impl Municipality {
    /// The six-digit ISTAT code, e.g. "015146" for Milano.
    async fn istat_code(&self) -> &str {
        &self.0.istat_code
    }

    async fn name(&self) -> &str {
        &self.0.name
    }

    /// The province's plate code, e.g. "MI".
    async fn province_code(&self) -> &str {
        &self.0.province_code
    }

    async fn province_name(&self) -> &str {
        &self.0.province_name
    }

    async fn region_name(&self) -> &str {
        &self.0.region_name
    }

    async fn population(&self) -> Option<i32> {
        self.0.population
    }

    async fn location(&self) -> Option<GeoPoint> {
        Some(GeoPoint {
            lat: self.0.lat?,
            lon: self.0.lon?,
            approximate: self.0.coordinates_approximate,
        })
    }
}

/// A neighbourhood (for Milano, one of the 88 NIL).
pub struct Neighbourhood(pub neighbourhoods::Model);

#[Object]
impl Neighbourhood {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    /// The official code (for Milano, the NIL number).
    async fn code(&self) -> &str {
        &self.0.code
    }

    async fn name(&self) -> &str {
        &self.0.name
    }

    async fn centroid(&self) -> GeoPoint {
        GeoPoint {
            lat: self.0.centroid_lat,
            lon: self.0.centroid_lon,
            approximate: false,
        }
    }

    async fn municipality(&self, ctx: &Context<'_>) -> Result<Option<Municipality>> {
        Ok(
            load(ctx, MunicipalityByCode(self.0.municipality_code.clone()))
                .await?
                .map(Municipality),
        )
    }
}

/// A way to reach an organisation.
#[derive(SimpleObject)]
pub struct Contact {
    pub kind: ContactKind,
    pub value: String,
    pub label: Option<String>,
    /// Who may see it (the organisation's members see every contact, so
    /// they can send the whole list back when they edit it).
    pub visibility: super::enums::ContactVisibility,
}

/// A registered organisation: a co-operative, an association, a foundation, a
/// bank or a public body.
pub struct Organization(pub organizations::Model);

#[Object]
impl Organization {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    async fn name(&self) -> &str {
        &self.0.name
    }

    async fn kind(&self) -> OrganizationKind {
        self.0.kind.into()
    }

    /// The kind in words, e.g. "Cooperativa sociale di tipo A".
    async fn kind_label(&self, ctx: &Context<'_>, lang: Option<Language>) -> &'static str {
        self.0.kind.label(pick_lang(ctx, lang))
    }

    /// Codice fiscale (absent for informal groups).
    async fn tax_code(&self) -> Option<&str> {
        self.0.tax_code.as_deref()
    }

    async fn vat_number(&self) -> Option<&str> {
        self.0.vat_number.as_deref()
    }

    async fn description(&self) -> &str {
        &self.0.description
    }

    async fn website(&self) -> Option<&str> {
        self.0.website.as_deref()
    }

    async fn seat_municipality(&self, ctx: &Context<'_>) -> Result<Option<Municipality>> {
        municipality(ctx, self.0.seat_municipality_code.as_deref()).await
    }

    async fn verification_status(&self) -> VerificationStatus {
        self.0.verification_status.into()
    }

    /// Who or what verified the organisation (a registry, a moderator).
    async fn verification_source(&self) -> Option<&str> {
        self.0.verification_source.as_deref()
    }

    async fn verified_at(&self) -> Option<DateTime<Utc>> {
        self.0.verified_at
    }

    /// Registered in RUNTS, the national register of third-sector bodies:
    /// eligible for co-design under art. 55 of the Third Sector Code.
    async fn runts_registered(&self) -> bool {
        self.0.runts_registered
    }

    async fn sectors(&self, ctx: &Context<'_>) -> Result<Vec<Sector>> {
        sector_list(load(ctx, SectorsOfOrganization(self.0.id)).await?)
    }

    /// Neighbourhoods the organisation serves.
    async fn neighbourhoods(&self, ctx: &Context<'_>) -> Result<Vec<Neighbourhood>> {
        Ok(load(ctx, NeighbourhoodsOfOrganization(self.0.id))
            .await?
            .unwrap_or_default()
            .into_iter()
            .map(Neighbourhood)
            .collect())
    }

    /// The contacts the viewer may see: PUBLIC ones to anyone, SIGNED_IN
    /// ones to signed-in people with a verified address, MEMBERS ones to
    /// the organisation's members (and moderators), who see them all.
    async fn contacts(&self, ctx: &Context<'_>) -> Result<Vec<Contact>> {
        let rows = load(ctx, ContactsOfOrganization(self.0.id))
            .await?
            .unwrap_or_default();
        let reader = reader(ctx).await?;
        let mut visible = Vec::new();
        for row in rows {
            let visibility = row.visibility;
            if !reader.may_see_contact(self.0.id, visibility) {
                continue;
            }
            visible.push(Contact {
                kind: row.kind.into(),
                value: row.value,
                label: row.label,
                visibility: visibility.into(),
            });
        }
        Ok(visible)
    }

    /// The organisation's offers of one status (open unless asked
    /// otherwise), newest first.
    #[graphql(complexity = "page_cost(first, child_complexity)")]
    async fn offers(
        &self,
        ctx: &Context<'_>,
        #[graphql(default_with = "PostingStatus::Open")] status: PostingStatus,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<List<Offer>> {
        let page = page_request(ctx, first, after)?;
        let status = domain::PostingStatus::from(status);
        check_draft_listing(ctx, status, Some(self.0.id)).await?;
        let key = OffersOfOrganization {
            organization_id: self.0.id,
            status,
            page,
        };
        let rows = load(ctx, key).await?.unwrap_or_else(|| Page::empty(page));
        Ok(connection(
            rows,
            Total::OffersOf(OfferCountOfOrganization {
                organization_id: self.0.id,
                status,
            }),
            |o| o.id,
            Offer,
        ))
    }

    /// The organisation's needs of one status (open unless asked otherwise),
    /// newest first.
    #[graphql(complexity = "page_cost(first, child_complexity)")]
    async fn needs(
        &self,
        ctx: &Context<'_>,
        #[graphql(default_with = "PostingStatus::Open")] status: PostingStatus,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<List<Need>> {
        let page = page_request(ctx, first, after)?;
        let status = domain::PostingStatus::from(status);
        check_draft_listing(ctx, status, Some(self.0.id)).await?;
        let key = NeedsOfOrganization {
            organization_id: self.0.id,
            status,
            page,
        };
        let rows = load(ctx, key).await?.unwrap_or_else(|| Page::empty(page));
        Ok(connection(
            rows,
            Total::NeedsOf(NeedCountOfOrganization {
                organization_id: self.0.id,
                status,
            }),
            |n| n.id,
            Need,
        ))
    }

    /// The people of the organisation, newest membership first. Only its
    /// members and moderators see them: for anyone else the list is empty.
    #[graphql(complexity = "page_cost(first, child_complexity)")]
    async fn members(
        &self,
        ctx: &Context<'_>,
        first: Option<i32>,
        after: Option<String>,
    ) -> Result<List<Member>> {
        let page = page_request(ctx, first, after)?;
        if !reader(ctx).await?.may_see_members(self.0.id) {
            return Ok(hidden());
        }
        let key = MembersOfOrganization {
            organization_id: self.0.id,
            page,
        };
        let rows = load(ctx, key).await?.unwrap_or_else(|| Page::empty(page));
        Ok(connection(
            rows,
            Total::MembersOf(MemberCountOfOrganization(self.0.id)),
            |m| m.id,
            Member,
        ))
    }

    /// When a moderator hid the organisation from public view (only its
    /// members and moderators see it then); null when it is public.
    async fn hidden_at(&self) -> Option<DateTime<Utc>> {
        self.0.hidden_at
    }

    /// The moderator's reason for hiding it.
    async fn hidden_reason(&self) -> Option<&str> {
        self.0.hidden_reason.as_deref()
    }

    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}

/// A person's membership of an organisation.
pub struct Member(pub MemberRow);

#[Object]
impl Member {
    /// The membership's id.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    /// The member's account: what `changeMemberRole` and `removeMember`
    /// take.
    async fn user_id(&self) -> ID {
        ID(self.0.user_id.to_string())
    }

    /// The member's name as they chose to show it.
    async fn display_name(&self) -> &str {
        &self.0.display_name
    }

    async fn role(&self) -> MembershipRole {
        self.0.role.into()
    }

    /// The role in words, e.g. "Amministratore".
    async fn role_label(&self, ctx: &Context<'_>, lang: Option<Language>) -> &'static str {
        self.0.role.label(pick_lang(ctx, lang))
    }

    /// When the membership began.
    async fn joined_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }
}

/// What an organisation makes available.
pub struct Offer(pub offers::Model);

#[Object]
impl Offer {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    async fn organization(&self, ctx: &Context<'_>) -> Result<Organization> {
        organization(ctx, self.0.organization_id).await
    }

    async fn kind(&self) -> OfferKind {
        self.0.kind.into()
    }

    async fn kind_label(&self, ctx: &Context<'_>, lang: Option<Language>) -> &'static str {
        self.0.kind.label(pick_lang(ctx, lang))
    }

    async fn title(&self) -> &str {
        &self.0.title
    }

    async fn description(&self) -> &str {
        &self.0.description
    }

    /// Smallest amount offered (funding and loans).
    async fn amount_min(&self) -> Option<Money> {
        money(self.0.amount_min_cents)
    }

    /// Largest amount offered (funding and loans).
    async fn amount_max(&self) -> Option<Money> {
        money(self.0.amount_max_cents)
    }

    async fn available_from(&self) -> Option<NaiveDate> {
        self.0.available_from
    }

    async fn available_until(&self) -> Option<NaiveDate> {
        self.0.available_until
    }

    /// Kinds of organisation that may receive the offer; empty means anyone.
    async fn eligible_organization_kinds(&self) -> Vec<OrganizationKind> {
        services::closed_list_values::<domain::OrganizationKind>(
            &self.0.eligible_organization_kinds,
        )
        .into_iter()
        .map(Into::into)
        .collect()
    }

    /// How far the offer reaches (a neighbourhood, a municipality, ...).
    async fn territory_scope(&self) -> TerritoryScope {
        self.0.territory_scope.into()
    }

    async fn municipality(&self, ctx: &Context<'_>) -> Result<Option<Municipality>> {
        municipality(ctx, self.0.municipality_code.as_deref()).await
    }

    async fn neighbourhood(&self, ctx: &Context<'_>) -> Result<Option<Neighbourhood>> {
        neighbourhood(ctx, self.0.neighbourhood_id).await
    }

    /// Further neighbourhoods or municipalities the offer serves, each as
    /// far as its territory scope reaches.
    async fn other_places(&self, ctx: &Context<'_>) -> Result<Vec<OtherPlace>> {
        other_places(ctx, &self.0.other_places).await
    }

    async fn status(&self) -> PostingStatus {
        self.0.status.into()
    }

    async fn sectors(&self, ctx: &Context<'_>) -> Result<Vec<Sector>> {
        sector_list(load(ctx, SectorsOfOffer(self.0.id)).await?)
    }

    /// When a moderator hid it from public view (only its organisation's
    /// members and moderators see it then); null when it is not hidden
    /// (its organisation may be: see `organization.hiddenAt`).
    async fn hidden_at(&self) -> Option<DateTime<Utc>> {
        self.0.hidden_at
    }

    /// The moderator's reason for hiding it.
    async fn hidden_reason(&self) -> Option<&str> {
        self.0.hidden_reason.as_deref()
    }

    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}

/// What a public body or an organisation is looking for.
pub struct Need(pub needs::Model);

#[Object]
impl Need {
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }

    async fn organization(&self, ctx: &Context<'_>) -> Result<Organization> {
        organization(ctx, self.0.organization_id).await
    }

    async fn kind(&self) -> NeedKind {
        self.0.kind.into()
    }

    async fn kind_label(&self, ctx: &Context<'_>, lang: Option<Language>) -> &'static str {
        self.0.kind.label(pick_lang(ctx, lang))
    }

    async fn title(&self) -> &str {
        &self.0.title
    }

    async fn description(&self) -> &str {
        &self.0.description
    }

    async fn budget(&self) -> Option<Money> {
        money(self.0.budget_cents)
    }

    async fn deadline_at(&self) -> Option<DateTime<Utc>> {
        self.0.deadline_at
    }

    async fn municipality(&self, ctx: &Context<'_>) -> Result<Option<Municipality>> {
        municipality(ctx, self.0.municipality_code.as_deref()).await
    }

    /// Its neighbourhood; null for others than its organisation's members
    /// when the need chose MUNICIPALITY precision.
    async fn neighbourhood(&self, ctx: &Context<'_>) -> Result<Option<Neighbourhood>> {
        if !reader(ctx).await?.sees_need_neighbourhoods(&self.0) {
            return Ok(None);
        }
        neighbourhood(ctx, self.0.neighbourhood_id).await
    }

    /// Further neighbourhoods or municipalities the need is in (for others
    /// than its members, municipalities only when it chose MUNICIPALITY
    /// precision).
    async fn other_places(&self, ctx: &Context<'_>) -> Result<Vec<OtherPlace>> {
        let places = other_places(ctx, &self.0.other_places).await?;
        if reader(ctx).await?.sees_need_neighbourhoods(&self.0) {
            return Ok(places);
        }
        let mut municipalities: Vec<OtherPlace> = Vec::with_capacity(places.len());
        for place in places {
            let code = &place.municipality.0.istat_code;
            let first = self.0.municipality_code.as_ref() == Some(code);
            if !first
                && !municipalities
                    .iter()
                    .any(|p| &p.municipality.0.istat_code == code)
            {
                municipalities.push(OtherPlace {
                    neighbourhood: None,
                    ..place
                });
            }
        }
        Ok(municipalities)
    }

    /// How far the need reaches from its places: PROVINCE for a
    /// metropolitan area or a province, REGION for a region; null when it
    /// is as far as its place (its neighbourhood, else its municipality).
    async fn territory_scope(&self) -> Option<TerritoryScope> {
        self.0.territory_scope.map(Into::into)
    }

    /// How precisely the need's place is shown.
    async fn location_precision(&self) -> LocationPrecision {
        self.0.location_precision.into()
    }

    /// The exact point, only when the need chose to show it: a need may hide
    /// its address (neighbourhood only) to protect vulnerable people.
    async fn location(&self) -> Option<GeoPoint> {
        visibility::shown_need_point(&self.0).map(|(lat, lon)| GeoPoint {
            lat,
            lon,
            approximate: false,
        })
    }

    /// The kinds of contribution the need asks for.
    async fn required_contributions(&self) -> Vec<OfferKind> {
        services::closed_list_values::<domain::OfferKind>(&self.0.required_contributions)
            .into_iter()
            .map(Into::into)
            .collect()
    }

    /// Kinds of organisation that may answer; empty means anyone.
    async fn eligible_organization_kinds(&self) -> Vec<OrganizationKind> {
        services::closed_list_values::<domain::OrganizationKind>(
            &self.0.eligible_organization_kinds,
        )
        .into_iter()
        .map(Into::into)
        .collect()
    }

    /// The project whose art. 55 public notice for this need is open for
    /// applications, if it is public: where organisations apply.
    async fn open_notice_project_id(&self, ctx: &Context<'_>) -> Result<Option<ID>> {
        let state = state(ctx)?;
        let id = services::projects::open_notice_of_need(&state.db, self.0.id)
            .await
            .gql(ctx)?;
        Ok(id.map(|id| ID(id.to_string())))
    }

    /// Only bodies registered in RUNTS may answer (co-design under art. 55).
    async fn requires_third_sector_registration(&self) -> bool {
        self.0.requires_third_sector_registration
    }

    async fn status(&self) -> PostingStatus {
        self.0.status.into()
    }

    async fn sectors(&self, ctx: &Context<'_>) -> Result<Vec<Sector>> {
        sector_list(load(ctx, SectorsOfNeed(self.0.id)).await?)
    }

    /// When a moderator hid it from public view (only its organisation's
    /// members and moderators see it then); null when it is not hidden
    /// (its organisation may be: see `organization.hiddenAt`).
    async fn hidden_at(&self) -> Option<DateTime<Utc>> {
        self.0.hidden_at
    }

    /// The moderator's reason for hiding it.
    async fn hidden_reason(&self) -> Option<&str> {
        self.0.hidden_reason.as_deref()
    }

    async fn created_at(&self) -> DateTime<Utc> {
        self.0.created_at
    }

    async fn updated_at(&self) -> DateTime<Utc> {
        self.0.updated_at
    }
}

/// Figures of the whole platform, as the store counts them.
pub struct PlatformStats(pub services::listing::PlatformStats);

/// Figures of the whole platform.
#[Object]
impl PlatformStats {
    async fn organizations(&self) -> u64 {
        self.0.organizations
    }

    async fn open_offers(&self) -> u64 {
        self.0.open_offers
    }

    async fn open_needs(&self) -> u64 {
        self.0.open_needs
    }

    /// Municipalities where Trama is used: the seat of an organisation or
    /// the place of an open offer or need, visible to anyone (not Italy's
    /// whole reference list).
    async fn municipalities(&self) -> u64 {
        self.0.municipalities
    }

    /// Neighbourhoods with an open offer or need visible to anyone.
    async fn neighbourhoods(&self) -> u64 {
        self.0.neighbourhoods
    }
}
