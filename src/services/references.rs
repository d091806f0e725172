//! Checks that the records an input refers to exist: municipalities,
//! neighbourhoods, sectors and organisations. A missing one is bad input on
//! the field that named it, not an internal error.

use std::collections::HashSet;

use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect};
use uuid::Uuid;

use crate::domain::{Invalid, IstatCode, SectorCode, ValidationErrors};
use crate::store::entities::{municipalities, neighbourhoods, organizations, sectors};

/// Collects reference problems across a whole input.
#[derive(Default)]
pub struct ReferenceCheck {
    errors: Vec<crate::domain::ValidationError>,
}

impl ReferenceCheck {
    pub fn new() -> Self {
        Self::default()
    }

    fn missing(&mut self, field: String) {
        self.errors.push(Invalid::NotFound.at(field));
    }

    /// The municipality named by `field` exists.
    pub async fn municipality(
        &mut self,
        db: &impl ConnectionTrait,
        field: &str,
        code: Option<&IstatCode>,
    ) -> Result<(), sea_orm::DbErr> {
        if let Some(code) = code {
            let found = municipalities::Entity::find_by_id(code.as_str().to_owned())
                .one(db)
                .await?;
            if found.is_none() {
                self.missing(field.to_owned());
            }
        }
        Ok(())
    }

    /// The neighbourhood exists and, when a municipality is given too, lies in
    /// it. Returns the neighbourhood's municipality, so that an input naming
    /// only the neighbourhood gets its municipality filled in.
    pub async fn neighbourhood(
        &mut self,
        db: &impl ConnectionTrait,
        field: &str,
        id: Option<Uuid>,
        municipality: Option<&IstatCode>,
    ) -> Result<Option<String>, sea_orm::DbErr> {
        let Some(id) = id else { return Ok(None) };
        let Some(found) = neighbourhoods::Entity::find_by_id(id).one(db).await? else {
            self.missing(field.to_owned());
            return Ok(None);
        };
        if let Some(municipality) = municipality
            && found.municipality_code != municipality.as_str()
        {
            self.errors.push(Invalid::NotInMunicipality.at(field));
        }
        Ok(Some(found.municipality_code))
    }

    /// Every neighbourhood of a list exists (`field[i]` for each missing one).
    pub async fn neighbourhoods(
        &mut self,
        db: &impl ConnectionTrait,
        field: &str,
        ids: &[Uuid],
    ) -> Result<(), sea_orm::DbErr> {
        if ids.is_empty() {
            return Ok(());
        }
        let found: HashSet<Uuid> = neighbourhoods::Entity::find()
            .select_only()
            .column(neighbourhoods::Column::Id)
            .filter(neighbourhoods::Column::Id.is_in(ids.iter().copied()))
            .into_tuple::<Uuid>()
            .all(db)
            .await?
            .into_iter()
            .collect();
        for (index, id) in ids.iter().enumerate() {
            if !found.contains(id) {
                self.missing(format!("{field}[{index}]"));
            }
        }
        Ok(())
    }

    /// Every sector code of a list is in the taxonomy.
    pub async fn sectors(
        &mut self,
        db: &impl ConnectionTrait,
        field: &str,
        codes: &[SectorCode],
    ) -> Result<(), sea_orm::DbErr> {
        if codes.is_empty() {
            return Ok(());
        }
        let found: HashSet<String> = sectors::Entity::find()
            .select_only()
            .column(sectors::Column::Code)
            .filter(sectors::Column::Code.is_in(codes.iter().map(|c| c.as_str().to_owned())))
            .into_tuple::<String>()
            .all(db)
            .await?
            .into_iter()
            .collect();
        for (index, code) in codes.iter().enumerate() {
            if !found.contains(code.as_str()) {
                self.missing(format!("{field}[{index}]"));
            }
        }
        Ok(())
    }

    /// The organisation exists and is not deleted; returns it.
    pub async fn organization(
        &mut self,
        db: &impl ConnectionTrait,
        field: &str,
        id: Uuid,
    ) -> Result<Option<organizations::Model>, sea_orm::DbErr> {
        let found = organizations::Entity::find_by_id(id)
            .filter(organizations::Column::DeletedAt.is_null())
            .one(db)
            .await?;
        if found.is_none() {
            self.missing(field.to_owned());
        }
        Ok(found)
    }

    /// `Ok` when every reference was found, otherwise all the problems.
    pub fn finish(self) -> Result<(), ValidationErrors> {
        match ValidationErrors::from_vec(self.errors) {
            None => Ok(()),
            Some(errors) => Err(errors),
        }
    }
}
