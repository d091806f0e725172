//! Human labels for the API's field names, so that a message reads
//! "Budget: il valore non può essere negativo" rather than "budgetCents: …".
//! Errors keep the API's name (with indexes, `contacts[1].value`) in their
//! `field` for programs; people read [`label`].
//!
//! Every argument and input field of the GraphQL schema has a label here (a
//! test checks it against the SDL); a name without one falls back to its
//! words ("someField" reads "Some field").

use super::error::Lang;

/// A field's label in Italian and English, and, for a list, the label of
/// one of its items ("Settori" / "Settore 2").
struct Label {
    name: &'static str,
    it: &'static str,
    en: &'static str,
    item_it: Option<&'static str>,
    item_en: Option<&'static str>,
}

const fn one(name: &'static str, it: &'static str, en: &'static str) -> Label {
    Label {
        name,
        it,
        en,
        item_it: None,
        item_en: None,
    }
}

const fn list(
    name: &'static str,
    it: &'static str,
    en: &'static str,
    item_it: &'static str,
    item_en: &'static str,
) -> Label {
    Label {
        name,
        it,
        en,
        item_it: Some(item_it),
        item_en: Some(item_en),
    }
}

/// Wrappers that hold a form rather than a value: left out of labels
/// (`input.title` is "Titolo", `filter.amountMin` is "Importo minimo").
const WRAPPERS: &[&str] = &["input", "filter"];

const LABELS: &[Label] = &[
    one("accept", "Risposta all'invito", "Answer to the invitation"),
    one("address", "Indirizzo", "Address"),
    one("admitted", "Ammissione", "Admission"),
    one("after", "Cursore di pagina", "Page cursor"),
    one("amountCents", "Importo", "Amount"),
    one("amountMax", "Importo massimo", "Maximum amount"),
    one("amountMaxCents", "Importo massimo", "Maximum amount"),
    one("amountMin", "Importo minimo", "Minimum amount"),
    one("amountMinCents", "Importo minimo", "Minimum amount"),
    one("applicationId", "Candidatura", "Application"),
    one("approve", "Decisione", "Decision"),
    one("availableFrom", "Disponibile dal", "Available from"),
    one("availableUntil", "Disponibile fino al", "Available until"),
    one("body", "Testo del messaggio", "Message text"),
    one("budgetCents", "Budget", "Budget"),
    one("code", "Codice", "Code"),
    list("contacts", "Contatti", "Contacts", "Contatto", "Contact"),
    one("conversationId", "Conversazione", "Conversation"),
    list(
        "criteria",
        "Criteri di valutazione",
        "Evaluation criteria",
        "Criterio",
        "Criterion",
    ),
    one("deadlineAt", "Scadenza", "Deadline"),
    one("deadlineFrom", "Scadenza dal", "Deadline from"),
    one("deadlineUntil", "Scadenza fino al", "Deadline until"),
    one("description", "Descrizione", "Description"),
    one("displayName", "Nome pubblico", "Public name"),
    one("dueOn", "Scadenza", "Due date"),
    one("duration", "Durata", "Duration"),
    one("economicFrame", "Quadro economico", "Economic frame"),
    list(
        "eligibleOrganizationKinds",
        "Tipi di organizzazione ammessi",
        "Eligible kinds of organisation",
        "Tipo di organizzazione ammesso",
        "Eligible kind of organisation",
    ),
    one("email", "E-mail", "E-mail"),
    one("excludeId", "Elemento da escludere", "Record to exclude"),
    one("filter", "Filtro", "Filter"),
    one("first", "Numero di risultati", "Number of results"),
    one("frequency", "Frequenza", "Frequency"),
    one("from", "Punto di partenza", "Starting point"),
    one("hidden", "Nascosto", "Hidden"),
    one("id", "Identificativo", "Identifier"),
    one("if", "Condizione", "Condition"),
    one(
        "includeDismissed",
        "Includi gli scartati",
        "Include dismissed",
    ),
    one(
        "includeMatches",
        "Includi gli abbinamenti",
        "Include matches",
    ),
    one("includeProjects", "Includi i progetti", "Include projects"),
    one(
        "includeSavedSearches",
        "Includi le ricerche salvate",
        "Include saved searches",
    ),
    one("input", "Dati", "Data"),
    one("isPublic", "Progetto pubblico", "Public project"),
    one("kind", "Tipo", "Kind"),
    list("kinds", "Tipi", "Kinds", "Tipo", "Kind"),
    one("km", "Distanza in km", "Distance in km"),
    one("label", "Etichetta", "Label"),
    one("lang", "Lingua", "Language"),
    one("language", "Lingua", "Language"),
    one("lat", "Latitudine", "Latitude"),
    one(
        "locationPrecision",
        "Precisione della posizione",
        "Location precision",
    ),
    one("lon", "Longitudine", "Longitude"),
    one("matchId", "Abbinamento", "Match"),
    one("maxPoints", "Punteggio massimo", "Maximum points"),
    one("message", "Messaggio", "Message"),
    one(
        "messageNotifications",
        "Avvisi dei messaggi",
        "Message notifications",
    ),
    one(
        "minOpenDays",
        "Giorni di apertura dell'avviso",
        "Days the notice stays open",
    ),
    one(
        "minTotal",
        "Punteggio minimo complessivo",
        "Minimum total score",
    ),
    one("municipalityCode", "Comune", "Municipality"),
    list(
        "municipalityCodes",
        "Comuni",
        "Municipalities",
        "Comune",
        "Municipality",
    ),
    one("name", "Nome", "Name"),
    one("near", "Vicino a", "Near"),
    one("needId", "Bisogno", "Need"),
    list(
        "needKinds",
        "Tipi di bisogno",
        "Kinds of need",
        "Tipo di bisogno",
        "Kind of need",
    ),
    one("neighbourhoodId", "Quartiere", "Neighbourhood"),
    list(
        "neighbourhoodIds",
        "Quartieri",
        "Neighbourhoods",
        "Quartiere",
        "Neighbourhood",
    ),
    one("object", "Oggetto", "Object"),
    list(
        "otherPlaces",
        "Altri quartieri o comuni",
        "Other neighbourhoods or municipalities",
        "Altro luogo",
        "Other place",
    ),
    one("offerId", "Offerta", "Offer"),
    list(
        "offerKinds",
        "Tipi di offerta",
        "Kinds of offer",
        "Tipo di offerta",
        "Kind of offer",
    ),
    one("organizationId", "Organizzazione", "Organisation"),
    list(
        "organizationKinds",
        "Tipi di organizzazione",
        "Kinds of organisation",
        "Tipo di organizzazione",
        "Kind of organisation",
    ),
    one(
        "ownerOrganizationId",
        "Organizzazione responsabile",
        "Owner organisation",
    ),
    one("password", "Password", "Password"),
    one("peopleReached", "Persone raggiunte", "People reached"),
    one("procedure", "Procedura", "Procedure"),
    one("projectId", "Progetto", "Project"),
    one("proposal", "Proposta", "Proposal"),
    one("province", "Provincia", "Province"),
    one("purpose", "Finalità", "Purpose"),
    one("quantity", "Quantità", "Quantity"),
    one("query", "Testo da cercare", "Search text"),
    one("reason", "Motivazione", "Reason"),
    one(
        "registeredThirdSectorOnly",
        "Solo enti iscritti al RUNTS",
        "Registered third-sector bodies only",
    ),
    list(
        "requiredContributions",
        "Contributi richiesti",
        "Contributions asked for",
        "Contributo richiesto",
        "Contribution asked for",
    ),
    one("requirements", "Requisiti", "Requirements"),
    one(
        "requiresThirdSectorRegistration",
        "Iscrizione al RUNTS richiesta",
        "RUNTS registration required",
    ),
    one("role", "Ruolo", "Role"),
    one(
        "runtsRegistered",
        "Iscrizione al RUNTS",
        "RUNTS registration",
    ),
    list("scores", "Punteggi", "Scores", "Punteggio", "Score"),
    one("search", "Ricerca", "Search"),
    one(
        "seatMunicipalityCode",
        "Comune della sede",
        "Municipality of the seat",
    ),
    one("sector", "Settore", "Sector"),
    list("sectors", "Settori", "Sectors", "Settore", "Sector"),
    one("side", "Parte", "Side"),
    one("sort", "Ordinamento", "Sort order"),
    one("source", "Fonte", "Source"),
    one("spentCents", "Spesa", "Amount spent"),
    one("status", "Stato", "Status"),
    list("statuses", "Stati", "Statuses", "Stato", "Status"),
    one("summary", "Sintesi", "Summary"),
    one("taxCode", "Codice fiscale", "Tax code"),
    one("territoryScope", "Ambito territoriale", "Territorial scope"),
    one("text", "Testo", "Text"),
    one("title", "Titolo", "Title"),
    one("to", "Punto di arrivo", "End point"),
    // Tokens come in the links Trama sends by e-mail.
    one("token", "Link", "Link"),
    one("topic", "Tipo di documento", "Document type"),
    list("types", "Tipi", "Types", "Tipo", "Type"),
    one("unit", "Unità di misura", "Unit"),
    one("url", "Indirizzo web", "Web address"),
    one("userId", "Persona", "Person"),
    one("value", "Valore", "Value"),
    one("vatNumber", "Partita IVA", "VAT number"),
    one("verdict", "Giudizio", "Verdict"),
    list(
        "verificationStatuses",
        "Stati di verifica",
        "Verification statuses",
        "Stato di verifica",
        "Verification status",
    ),
    one("verifiedOnly", "Solo verificate", "Verified only"),
    one("version", "Versione", "Version"),
    one("visibility", "Visibilità", "Visibility"),
    one("volunteerHours", "Ore di volontariato", "Volunteer hours"),
    one("website", "Sito web", "Website"),
    one("weight", "Peso", "Weight"),
];

/// Whether `name` (one segment, without index) has a label of its own.
pub fn has_label(name: &str) -> bool {
    LABELS.iter().any(|l| l.name == name)
}

/// "someField" as words: "Some field".
fn words(name: &str) -> String {
    let mut out = String::with_capacity(name.len() + 4);
    for (i, c) in name.chars().enumerate() {
        if c.is_uppercase() && i > 0 {
            out.push(' ');
            out.extend(c.to_lowercase());
        } else if i == 0 {
            out.extend(c.to_uppercase());
        } else {
            out.push(c);
        }
    }
    out
}

/// One segment's label: `contacts[1]` is "Contatto 2".
fn segment_label(segment: &str, lang: Lang) -> String {
    let (name, index) = match segment.split_once('[') {
        Some((name, rest)) => (name, rest.trim_end_matches(']').parse::<usize>().ok()),
        None => (segment, None),
    };
    let found = LABELS.iter().find(|l| l.name == name);
    match (found, index) {
        (Some(label), Some(index)) => {
            let item = match lang {
                Lang::It => label.item_it.unwrap_or(label.it),
                Lang::En => label.item_en.unwrap_or(label.en),
            };
            format!("{item} {}", index + 1)
        }
        (Some(label), None) => match lang {
            Lang::It => label.it.to_owned(),
            Lang::En => label.en.to_owned(),
        },
        (None, Some(index)) => format!("{} {}", words(name), index + 1),
        (None, None) => words(name),
    }
}

/// The first letter in lower case, unless the word is an acronym
/// ("RUNTS", "IVA" stay).
pub fn lower_first(text: &str) -> String {
    let mut chars = text.chars();
    match (chars.next(), chars.next()) {
        (Some(first), Some(second)) if first.is_uppercase() && !second.is_uppercase() => {
            first.to_lowercase().chain(text.chars().skip(1)).collect()
        }
        _ => text.to_owned(),
    }
}

/// The label of an API field path, as people read it: `budgetCents` is
/// "Budget", `contacts[1].value` "Contatto 2, valore", `filter.amountMin`
/// "Importo minimo". Empty for an empty path.
pub fn label(path: &str, lang: Lang) -> String {
    let segments: Vec<&str> = path
        .split('.')
        .filter(|s| !s.is_empty() && !WRAPPERS.contains(s))
        .collect();
    // A path that is only a wrapper ("input") names the wrapper itself.
    let segments = if segments.is_empty() && !path.is_empty() {
        vec![path]
    } else {
        segments
    };
    segments
        .iter()
        .enumerate()
        .map(|(i, segment)| {
            let label = segment_label(segment, lang);
            if i == 0 { label } else { lower_first(&label) }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_read_as_people_write() {
        assert_eq!(label("budgetCents", Lang::It), "Budget");
        assert_eq!(label("deadlineAt", Lang::En), "Deadline");
        assert_eq!(label("contacts[1].value", Lang::It), "Contatto 2, valore");
        assert_eq!(
            label("otherPlaces[1].municipalityCode", Lang::It),
            "Altro luogo 2, comune"
        );
        assert_eq!(label("contacts[0].kind", Lang::En), "Contact 1, kind");
        assert_eq!(label("sectors[2]", Lang::It), "Settore 3");
        assert_eq!(label("filter.amountMin", Lang::It), "Importo minimo");
        assert_eq!(label("input.title", Lang::En), "Title");
        assert_eq!(label("input", Lang::It), "Dati");
        assert_eq!(label("from.lat", Lang::It), "Punto di partenza, latitudine");
        assert_eq!(label("vatNumber", Lang::It), "Partita IVA");
        assert_eq!(label("someNewField", Lang::It), "Some new field");
        assert_eq!(label("", Lang::It), "");
    }

    #[test]
    fn lower_first_keeps_acronyms() {
        assert_eq!(lower_first("Campo obbligatorio"), "campo obbligatorio");
        assert_eq!(lower_first("RUNTS richiesto"), "RUNTS richiesto");
        assert_eq!(lower_first("È già passata"), "è già passata");
        assert_eq!(lower_first(""), "");
    }

    #[test]
    fn every_name_has_both_languages_and_no_duplicates() {
        for (i, l) in LABELS.iter().enumerate() {
            assert!(!l.it.is_empty() && !l.en.is_empty(), "{}", l.name);
            assert!(
                LABELS[i + 1..].iter().all(|other| other.name != l.name),
                "{} twice",
                l.name
            );
        }
    }
}
