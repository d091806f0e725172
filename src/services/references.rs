//! Checks that the records an input refers to exist: municipalities,
//! neighbourhoods, sectors and organisations. A missing one is bad input on
//! the field that named it, not an internal error.

use sea_orm::ConnectionTrait;
use uuid::Uuid;

use crate::domain::{Invalid, IstatCode, SectorCode, ValidationErrors};
use crate::store::entities::{neighbourhoods, organizations};
use crate::store::{StoreResult, references, rows, territories};

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
    ) -> StoreResult<()> {
        if let Some(code) = code {
            let found = territories::municipality(db, code.as_str()).await?;
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
    ) -> StoreResult<Option<String>> {
        let Some(id) = id else { return Ok(None) };
        let Some(found) =
            rows::by_id::<neighbourhoods::Entity>(db, id, "neighbourhoods: by id").await?
        else {
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
    ) -> StoreResult<()> {
        if ids.is_empty() {
            return Ok(());
        }
        let found = references::existing_neighbourhood_ids(db, ids).await?;
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
    ) -> StoreResult<()> {
        if codes.is_empty() {
            return Ok(());
        }
        let found =
            references::existing_sector_codes(db, codes.iter().map(|c| c.as_str().to_owned()))
                .await?;
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
    ) -> StoreResult<Option<organizations::Model>> {
        let found =
            rows::existing_by_id::<organizations::Entity>(db, id, "organizations: existing by id")
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
