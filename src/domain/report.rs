//! Reports of abusive content: what can be reported and where a report
//! stands. The rules (who reports, who decides) live in
//! `crate::services::reports`.

use super::closed::closed_list;

closed_list! {
    /// The kind of record a report is about.
    pub enum ReportedRecord {
        Organization = "organization" { it: "Organizzazione", en: "Organisation" },
        Offer = "offer" { it: "Offerta", en: "Offer" },
        Need = "need" { it: "Bisogno", en: "Need" },
    }
}

closed_list! {
    /// Where a report stands: open until a moderator hides the record
    /// (upheld) or dismisses the report.
    pub enum ReportStatus {
        Open = "open" { it: "Aperta", en: "Open" },
        Upheld = "upheld" { it: "Accolta", en: "Upheld" },
        Dismissed = "dismissed" { it: "Archiviata", en: "Dismissed" },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::closed::assert_well_formed;

    #[test]
    fn lists_are_well_formed() {
        assert_well_formed::<ReportedRecord>();
        assert_well_formed::<ReportStatus>();
        assert_eq!(ReportStatus::VALUES, ["open", "upheld", "dismissed"]);
    }
}
