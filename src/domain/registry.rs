//! Registries of organisations as public bodies keep them (spreadsheets,
//! RUNTS extracts): which column holds what ([`ColumnMapping`], with the
//! usual Italian and English headers built in and a TOML mapping file for
//! the rest), and what an Italian legal form means in Trama's list of kinds
//! ([`kind_from_legal_form`]). Pure: reading files and the database is the
//! services layer's job.

use std::collections::{BTreeMap, HashMap};
use std::fmt;

use serde::Deserialize;

use super::error::Lang;
use super::lists::OrganizationKind;

/// What a registry column can hold. Every field but the tax code, the name
/// and the kind (or legal form) is optional.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ImportField {
    TaxCode,
    Name,
    /// One of Trama's kinds (`odv`, `aps`...) or its label.
    Kind,
    /// The legal form as registries write it ("Cooperativa sociale di tipo
    /// B", "ODV", "Fondazione"): turned into a kind.
    LegalForm,
    VatNumber,
    Description,
    Website,
    Email,
    Pec,
    Phone,
    Address,
    /// The seat: an ISTAT code or a municipality's name.
    Municipality,
    /// The province's plate code (`MI`), to tell apart municipalities of one name.
    Province,
    /// Sector codes or labels, separated by `;`, `|` or `,`.
    Sectors,
    Lat,
    Lon,
}

impl ImportField {
    pub const ALL: [ImportField; 16] = [
        Self::TaxCode,
        Self::Name,
        Self::Kind,
        Self::LegalForm,
        Self::VatNumber,
        Self::Description,
        Self::Website,
        Self::Email,
        Self::Pec,
        Self::Phone,
        Self::Address,
        Self::Municipality,
        Self::Province,
        Self::Sectors,
        Self::Lat,
        Self::Lon,
    ];

    /// The name used in mapping files and as the default header.
    pub const fn key(self) -> &'static str {
        match self {
            Self::TaxCode => "tax_code",
            Self::Name => "name",
            Self::Kind => "kind",
            Self::LegalForm => "legal_form",
            Self::VatNumber => "vat_number",
            Self::Description => "description",
            Self::Website => "website",
            Self::Email => "email",
            Self::Pec => "pec",
            Self::Phone => "phone",
            Self::Address => "address",
            Self::Municipality => "municipality",
            Self::Province => "province",
            Self::Sectors => "sectors",
            Self::Lat => "lat",
            Self::Lon => "lon",
        }
    }

    /// Headers recognised without a mapping file (after [`normalize_header`]).
    fn aliases(self) -> &'static [&'static str] {
        match self {
            Self::TaxCode => &[
                "codice_fiscale",
                "cf",
                "c_f",
                "codicefiscale",
                "cod_fiscale",
                "taxcode",
            ],
            Self::Name => &[
                "denominazione",
                "ragione_sociale",
                "nome",
                "denominazione_ente",
                "organization",
                "organisation",
            ],
            Self::Kind => &["tipo", "tipologia", "tipo_ente"],
            Self::LegalForm => &[
                "forma_giuridica",
                "natura_giuridica",
                "sezione",
                "sezione_runts",
            ],
            Self::VatNumber => &["partita_iva", "p_iva", "piva", "vat"],
            Self::Description => &["descrizione", "attivita", "descrizione_attivita"],
            Self::Website => &["sito", "sito_web", "sito_internet", "url", "web"],
            Self::Email => &["e_mail", "mail", "posta_elettronica"],
            Self::Pec => &["posta_elettronica_certificata", "indirizzo_pec"],
            Self::Phone => &["telefono", "tel", "telephone"],
            Self::Address => &["indirizzo", "indirizzo_sede", "via"],
            Self::Municipality => &[
                "comune",
                "comune_sede",
                "citta",
                "city",
                "municipality_code",
                "codice_istat",
                "istat",
                "codice_comune",
            ],
            Self::Province => &["provincia", "sigla_provincia", "prov"],
            Self::Sectors => &[
                "sector",
                "settore",
                "settori",
                "ambito",
                "ambiti",
                "ambito_di_attivita",
            ],
            Self::Lat => &["latitudine", "latitude"],
            Self::Lon => &["lng", "longitudine", "longitude"],
        }
    }

    /// The API's name of the field the value ends up in, as validation
    /// errors name it.
    pub const fn api_field(self) -> &'static str {
        match self {
            Self::TaxCode => "taxCode",
            Self::Name => "name",
            Self::Kind | Self::LegalForm => "kind",
            Self::VatNumber => "vatNumber",
            Self::Description => "description",
            Self::Website => "website",
            Self::Email | Self::Pec | Self::Phone => "contacts",
            Self::Address => "address",
            Self::Municipality | Self::Province => "seatMunicipalityCode",
            Self::Sectors => "sectors",
            Self::Lat => "lat",
            Self::Lon => "lon",
        }
    }

    fn from_key(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|f| f.key() == key)
    }
}

impl fmt::Display for ImportField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.key())
    }
}

/// Lower case, accents folded, every run of other characters as one `_`,
/// no `_` at either end: `"Codice Fiscale "` and `"CODICE_FISCALE"` are
/// both `codice_fiscale`.
pub fn normalize_header(header: &str) -> String {
    let mut out = String::with_capacity(header.len());
    for c in fold(header).chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('_') {
            out.push('_');
        }
    }
    while out.ends_with('_') {
        out.pop();
    }
    out
}

/// Lower case with the accents of Italian (and the usual Latin letters)
/// folded to ASCII.
pub fn fold(text: &str) -> String {
    text.chars()
        .flat_map(char::to_lowercase)
        .map(|c| match c {
            'à' | 'á' | 'â' | 'ä' | 'ã' | 'å' => 'a',
            'è' | 'é' | 'ê' | 'ë' => 'e',
            'ì' | 'í' | 'î' | 'ï' => 'i',
            'ò' | 'ó' | 'ô' | 'ö' | 'õ' => 'o',
            'ù' | 'ú' | 'û' | 'ü' => 'u',
            'ç' => 'c',
            'ñ' => 'n',
            '’' | '‘' | '`' => '\'',
            other => other,
        })
        .collect()
}

/// Why a mapping file was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MappingError {
    /// Not TOML, or not the expected tables.
    Syntax(String),
    /// A key that is not one of [`ImportField`]'s.
    UnknownField { table: &'static str, key: String },
    /// A `[kinds]` value that is not one of Trama's kinds.
    UnknownKind { key: String, value: String },
}

impl MappingError {
    pub fn message(&self, lang: Lang) -> String {
        let fields = ImportField::ALL.map(ImportField::key).join(", ");
        match (self, lang) {
            (Self::Syntax(detail), Lang::It) => format!("file di mappatura non valido: {detail}"),
            (Self::Syntax(detail), Lang::En) => format!("invalid mapping file: {detail}"),
            (Self::UnknownField { table, key }, Lang::It) => {
                format!("[{table}] «{key}»: campo sconosciuto; i campi sono: {fields}")
            }
            (Self::UnknownField { table, key }, Lang::En) => {
                format!("[{table}] \"{key}\": unknown field; the fields are: {fields}")
            }
            (Self::UnknownKind { key, value }, Lang::It) => format!(
                "[kinds] «{key}» = «{value}»: tipo sconosciuto; i tipi sono: {}",
                OrganizationKind::VALUES.join(", ")
            ),
            (Self::UnknownKind { key, value }, Lang::En) => format!(
                "[kinds] \"{key}\" = \"{value}\": unknown kind; the kinds are: {}",
                OrganizationKind::VALUES.join(", ")
            ),
        }
    }
}

impl fmt::Display for MappingError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message(Lang::En))
    }
}

impl std::error::Error for MappingError {}

/// How a registry's columns become an organisation: which header holds
/// which field, values for fields the file lacks, and the file's own words
/// for kinds and sectors.
///
/// A mapping file (TOML) looks like this:
///
/// ```toml
/// [columns]            # field = "header in the file"
/// tax_code = "CF ente"
/// legal_form = "Sezione RUNTS"
///
/// [defaults]           # field = value, for rows where it is blank or missing
/// kind = "association"
///
/// [kinds]              # the file's legal form or kind = Trama's kind
/// "Altri enti del Terzo settore" = "association"
///
/// [sectors]            # the file's sector = Trama's sector code
/// "Attività sportive" = "sport"
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ColumnMapping {
    columns: BTreeMap<ImportField, String>,
    defaults: BTreeMap<ImportField, String>,
    kinds: HashMap<String, OrganizationKind>,
    sectors: HashMap<String, String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MappingFile {
    #[serde(default)]
    columns: BTreeMap<String, String>,
    #[serde(default)]
    defaults: BTreeMap<String, String>,
    #[serde(default)]
    kinds: BTreeMap<String, String>,
    #[serde(default)]
    sectors: BTreeMap<String, String>,
}

impl ColumnMapping {
    /// Reads a mapping file. Fails naming the unknown field or kind.
    pub fn parse_toml(text: &str) -> Result<Self, MappingError> {
        let file: MappingFile =
            toml::from_str(text).map_err(|e| MappingError::Syntax(e.to_string()))?;
        let fields = |table: &'static str, entries: BTreeMap<String, String>| {
            entries
                .into_iter()
                .map(|(key, value)| {
                    ImportField::from_key(key.trim())
                        .map(|field| (field, value))
                        .ok_or(MappingError::UnknownField { table, key })
                })
                .collect::<Result<BTreeMap<_, _>, _>>()
        };
        let columns = fields("columns", file.columns)?;
        let defaults = fields("defaults", file.defaults)?;
        let kinds = file
            .kinds
            .into_iter()
            .map(|(key, value)| match OrganizationKind::parse(&value) {
                Ok(kind) => Ok((fold(key.trim()), kind)),
                Err(_) => Err(MappingError::UnknownKind { key, value }),
            })
            .collect::<Result<HashMap<_, _>, _>>()?;
        let sectors = file
            .sectors
            .into_iter()
            .map(|(key, value)| (label_key(&key), value.trim().to_owned()))
            .collect();
        Ok(Self {
            columns,
            defaults,
            kinds,
            sectors,
        })
    }

    /// Finds each field's column among `headers`: the mapping file's header
    /// first (compared after [`normalize_header`]), then the field's own key
    /// and its usual Italian and English names. Fails with the fields the
    /// mapping file names but the file lacks.
    pub fn resolve(&self, headers: &[String]) -> Result<Columns, Vec<(ImportField, String)>> {
        let normalized: Vec<String> = headers.iter().map(|h| normalize_header(h)).collect();
        let position = |name: &str| normalized.iter().position(|h| h == name);
        let mut found = BTreeMap::new();
        let mut missing = Vec::new();
        for field in ImportField::ALL {
            if let Some(header) = self.columns.get(&field) {
                match position(&normalize_header(header)) {
                    Some(at) => {
                        found.insert(field, at);
                    }
                    None => missing.push((field, header.clone())),
                }
                continue;
            }
            let at = std::iter::once(field.key())
                .chain(field.aliases().iter().copied())
                .find_map(position);
            if let Some(at) = at {
                // A header already claimed by a field listed before (say
                // `codice_istat` under municipality) is not taken twice.
                if !found.values().any(|&taken| taken == at) {
                    found.insert(field, at);
                }
            }
        }
        if missing.is_empty() {
            Ok(Columns {
                positions: found,
                headers: headers.to_vec(),
            })
        } else {
            Err(missing)
        }
    }

    /// The value of a field for rows where the file leaves it blank.
    pub fn default_for(&self, field: ImportField) -> Option<&str> {
        self.defaults.get(&field).map(String::as_str)
    }

    /// The kind a legal form or kind names: the mapping file's `[kinds]`
    /// first, then Trama's own values and labels, then
    /// [`kind_from_legal_form`].
    pub fn kind_of(&self, text: &str) -> Option<OrganizationKind> {
        let folded = fold(text.trim());
        if let Some(kind) = self.kinds.get(&folded) {
            return Some(*kind);
        }
        kind_from_legal_form(text)
    }

    /// The sector code the file's sector names, when the mapping file has
    /// a `[sectors]` entry for it.
    pub fn sector_of(&self, text: &str) -> Option<&str> {
        self.sectors.get(&label_key(text)).map(String::as_str)
    }
}

/// Where each field is in a file's rows.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Columns {
    positions: BTreeMap<ImportField, usize>,
    headers: Vec<String>,
}

impl Columns {
    pub fn position(&self, field: ImportField) -> Option<usize> {
        self.positions.get(&field).copied()
    }

    /// The file's header for a field, as the file writes it.
    pub fn header(&self, field: ImportField) -> Option<&str> {
        self.position(field)
            .and_then(|at| self.headers.get(at))
            .map(String::as_str)
    }

    pub fn has(&self, field: ImportField) -> bool {
        self.positions.contains_key(&field)
    }

    /// Headers of the file that no field uses (reported, not refused).
    pub fn unused(&self) -> Vec<&str> {
        self.headers
            .iter()
            .enumerate()
            .filter(|(at, _)| !self.positions.values().any(|p| p == at))
            .map(|(_, h)| h.as_str())
            .collect()
    }
}

/// The kind of organisation an Italian legal form (or RUNTS section, or
/// Trama's own value or label) describes, when it says enough. "Cooperativa
/// sociale" without its type (A or B) says too little and gives `None`.
pub fn kind_from_legal_form(text: &str) -> Option<OrganizationKind> {
    use OrganizationKind as K;
    let raw = text.trim();
    if let Ok(kind) = K::parse(raw) {
        return Some(kind);
    }
    let folded = fold(raw);
    if let Some(kind) = K::ALL
        .iter()
        .copied()
        .find(|k| fold(k.label(Lang::It)) == folded || fold(k.label(Lang::En)) == folded)
    {
        return Some(kind);
    }
    // Words, so that "a" and "b" are only matched as the co-op's type.
    let words: Vec<&str> = folded
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    let has = |w: &str| words.contains(&w);
    let phrase = |p: &str| {
        let p: Vec<&str> = p.split(' ').collect();
        words.windows(p.len()).any(|window| window == p.as_slice())
    };
    let cooperative = has("cooperativa") || has("coop");
    if cooperative && (has("sociale") || has("sociali")) {
        let type_b = phrase("tipo b") || phrase("tipologia b") || words.last() == Some(&"b");
        let type_a = phrase("tipo a") || phrase("tipologia a") || words.last() == Some(&"a");
        return match (type_a, type_b) {
            (true, false) => Some(K::SocialCooperativeA),
            (false, true) => Some(K::SocialCooperativeB),
            _ => None,
        };
    }
    if cooperative && has("comunita") {
        return Some(K::CommunityCooperative);
    }
    if cooperative && (has("abitanti") || has("abitazione") || has("edilizia")) {
        return Some(K::HousingCooperative);
    }
    if phrase("credito cooperativo") || has("banca") || has("bcc") || has("banco") {
        return Some(K::Bank);
    }
    if has("odv")
        || phrase("organizzazione di volontariato")
        || phrase("organizzazioni di volontariato")
    {
        return Some(K::Odv);
    }
    if has("aps")
        || phrase("associazione di promozione sociale")
        || phrase("associazioni di promozione sociale")
    {
        return Some(K::Aps);
    }
    if has("onlus") {
        return Some(K::Onlus);
    }
    if phrase("impresa sociale") || phrase("imprese sociali") {
        return Some(K::SocialEnterprise);
    }
    if has("fondazione") && (has("bancaria") || phrase("origine bancaria")) {
        return Some(K::BankingFoundation);
    }
    if has("fondazione") || phrase("enti filantropici") || phrase("ente filantropico") {
        return Some(K::Foundation);
    }
    if phrase("citta metropolitana") {
        return Some(K::MetropolitanCity);
    }
    if has("regione") {
        return Some(K::Region);
    }
    if has("aler")
        || has("acer")
        || phrase("edilizia residenziale pubblica")
        || phrase("case popolari")
    {
        return Some(K::PublicHousingAgency);
    }
    if has("asp") || phrase("azienda pubblica di servizi alla persona") {
        return Some(K::Asp);
    }
    if has("ats")
        || has("asl")
        || has("asst")
        || phrase("azienda sanitaria")
        || has("ospedale")
        || phrase("azienda ospedaliera")
    {
        return Some(K::PublicHealthBody);
    }
    if has("comune") {
        return Some(K::Municipality);
    }
    if phrase("gruppo informale") || phrase("comitato di cittadini") {
        return Some(K::InformalGroup);
    }
    if has("associazione") || has("asd") || has("associazioni") {
        return Some(K::Association);
    }
    None
}

/// The characters that separate the values of a list cell.
const LIST_SEPARATORS: [char; 3] = [';', '|', ','];
/// Most separators one known value may hold ("Educazione, infanzia e
/// giovani" holds one).
const MAX_SEPARATORS_IN_A_VALUE: usize = 3;

/// Splits a cell listing several values (`"sport; cultura|welfare"`).
pub fn split_list(cell: &str) -> impl Iterator<Item = &str> {
    cell.split(LIST_SEPARATORS)
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

/// Splits a cell listing several values like [`split_list`], but keeps
/// whole a run of pieces that `known` recognises as one value: Trama's own
/// sector "Educazione, infanzia e giovani" holds a comma, and a cell
/// "Sport, Educazione, infanzia e giovani" names two sectors, not three.
/// The longest known run wins; pieces that belong to none are values of
/// their own.
pub fn split_list_with(cell: &str, known: impl Fn(&str) -> bool) -> Vec<&str> {
    // Byte ranges of the pieces between separators.
    let mut pieces = Vec::new();
    let mut start = 0;
    for (at, c) in cell.char_indices() {
        if LIST_SEPARATORS.contains(&c) {
            pieces.push((start, at));
            start = at + c.len_utf8();
        }
    }
    pieces.push((start, cell.len()));
    let mut values = Vec::new();
    let mut i = 0;
    while i < pieces.len() {
        let longest = (i + 1..pieces.len())
            .take(MAX_SEPARATORS_IN_A_VALUE)
            .rev()
            .find(|&j| known(cell[pieces[i].0..pieces[j].1].trim()));
        let end = longest.unwrap_or(i);
        let value = cell[pieces[i].0..pieces[end].1].trim();
        if !value.is_empty() {
            values.push(value);
        }
        i = end + 1;
    }
    values
}

/// How a label is compared: folded ([`fold`]), trimmed, with spaces around
/// list separators and runs of spaces ignored, so that "Educazione,
/// infanzia e giovani" and "educazione,infanzia  e giovani" are one label.
pub fn label_key(text: &str) -> String {
    let words = fold(text).split_whitespace().collect::<Vec<_>>().join(" ");
    let mut key = String::with_capacity(words.len());
    for c in words.chars() {
        if LIST_SEPARATORS.contains(&c) && key.ends_with(' ') {
            key.pop();
        }
        if c == ' ' && key.ends_with(LIST_SEPARATORS) {
            continue;
        }
        key.push(c);
    }
    key
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(names: &[&str]) -> Vec<String> {
        names.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn legal_forms_as_registries_write_them() {
        use OrganizationKind as K;
        for (text, kind) in [
            ("ODV", Some(K::Odv)),
            ("Organizzazione di volontariato", Some(K::Odv)),
            ("a) Organizzazioni di volontariato", Some(K::Odv)),
            ("APS", Some(K::Aps)),
            ("Associazione di Promozione Sociale", Some(K::Aps)),
            ("Cooperativa sociale di tipo B", Some(K::SocialCooperativeB)),
            (
                "Società Cooperativa Sociale - tipo A",
                Some(K::SocialCooperativeA),
            ),
            ("Cooperativa sociale", None),
            ("Cooperativa di comunità", Some(K::CommunityCooperative)),
            (
                "Cooperativa edilizia di abitanti",
                Some(K::HousingCooperative),
            ),
            ("Fondazione di origine bancaria", Some(K::BankingFoundation)),
            ("Fondazione", Some(K::Foundation)),
            ("c) Enti filantropici", Some(K::Foundation)),
            ("Banca di Credito Cooperativo", Some(K::Bank)),
            ("ASD", Some(K::Association)),
            ("Associazione riconosciuta", Some(K::Association)),
            ("Comune", Some(K::Municipality)),
            ("ALER Milano", Some(K::PublicHousingAgency)),
            ("odv", Some(K::Odv)),
            ("social_cooperative_b", Some(K::SocialCooperativeB)),
            ("Impresa sociale", Some(K::SocialEnterprise)),
            ("S.r.l.", None),
            ("", None),
        ] {
            assert_eq!(kind_from_legal_form(text), kind, "{text:?}");
        }
    }

    #[test]
    fn headers_are_found_by_their_usual_names() {
        let mapping = ColumnMapping::default();
        let columns = mapping
            .resolve(&headers(&[
                "Codice Fiscale",
                "DENOMINAZIONE",
                "Forma giuridica",
                "Comune",
                "Prov.",
                "E-mail",
                "note",
            ]))
            .expect("resolved");
        assert_eq!(columns.position(ImportField::TaxCode), Some(0));
        assert_eq!(columns.position(ImportField::Name), Some(1));
        assert_eq!(columns.position(ImportField::LegalForm), Some(2));
        assert_eq!(columns.position(ImportField::Municipality), Some(3));
        assert_eq!(columns.position(ImportField::Province), Some(4));
        assert_eq!(columns.position(ImportField::Email), Some(5));
        assert_eq!(columns.header(ImportField::TaxCode), Some("Codice Fiscale"));
        assert_eq!(columns.unused(), vec!["note"]);
        assert!(!columns.has(ImportField::Kind));
    }

    #[test]
    fn a_mapping_file_renames_columns_and_values() {
        let mapping = ColumnMapping::parse_toml(
            r#"
            [columns]
            tax_code = "CF ente"
            legal_form = "Sezione"
            [defaults]
            kind = "association"
            [kinds]
            "Altri enti del Terzo settore" = "association"
            [sectors]
            "Attività sportive" = "sport"
            "#,
        )
        .expect("mapping");
        let columns = mapping
            .resolve(&headers(&["cf_ente", "Denominazione", "Sezione"]))
            .expect("resolved");
        assert_eq!(columns.position(ImportField::TaxCode), Some(0));
        assert_eq!(columns.position(ImportField::LegalForm), Some(2));
        assert_eq!(mapping.default_for(ImportField::Kind), Some("association"));
        assert_eq!(
            mapping.kind_of("ALTRI ENTI DEL TERZO SETTORE"),
            Some(OrganizationKind::Association)
        );
        assert_eq!(mapping.sector_of("attivita sportive"), Some("sport"));
        let missing = mapping
            .resolve(&headers(&["Denominazione"]))
            .expect_err("mapped columns are missing");
        assert_eq!(
            missing,
            vec![
                (ImportField::TaxCode, "CF ente".to_owned()),
                (ImportField::LegalForm, "Sezione".to_owned())
            ]
        );
    }

    #[test]
    fn mapping_mistakes_name_the_key() {
        let unknown =
            ColumnMapping::parse_toml("[columns]\ncodice = \"CF\"\n").expect_err("unknown field");
        assert_eq!(
            unknown,
            MappingError::UnknownField {
                table: "columns",
                key: "codice".to_owned()
            }
        );
        assert!(unknown.message(Lang::It).contains("tax_code"));
        let kind = ColumnMapping::parse_toml("[kinds]\n\"ETS\" = \"ente\"\n").expect_err("kind");
        assert!(matches!(kind, MappingError::UnknownKind { .. }));
        assert!(matches!(
            ColumnMapping::parse_toml("[colonne]\n").expect_err("table"),
            MappingError::Syntax(_)
        ));
    }

    #[test]
    fn headers_normalize() {
        assert_eq!(normalize_header(" Codice  Fiscale "), "codice_fiscale");
        assert_eq!(normalize_header("Città"), "citta");
        assert_eq!(normalize_header("P.IVA"), "p_iva");
        assert_eq!(
            split_list("sport; cultura|welfare,").collect::<Vec<_>>(),
            ["sport", "cultura", "welfare"]
        );
    }

    #[test]
    fn a_known_value_keeps_its_commas() {
        let known = |v: &str| {
            [
                "educazione, infanzia e giovani",
                "educazione",
                "sport",
                "a, b, c, d",
            ]
            .contains(&label_key(v).replace(',', ", ").as_str())
        };
        assert_eq!(
            split_list_with("Sport, Educazione, infanzia e giovani; x", known),
            ["Sport", "Educazione, infanzia e giovani", "x"]
        );
        assert_eq!(
            split_list_with("educazione,infanzia e giovani|", known),
            ["educazione,infanzia e giovani"]
        );
        // The longest known run wins over a known first piece.
        assert_eq!(
            split_list_with("educazione , infanzia e giovani,sport", known),
            ["educazione , infanzia e giovani", "sport"]
        );
        // Unknown pieces stay apart.
        assert_eq!(
            split_list_with("Astrologia, infanzia e giovani", known),
            ["Astrologia", "infanzia e giovani"]
        );
        assert_eq!(split_list_with("a, b, c, d", known), ["a, b, c, d"]);
        assert!(split_list_with(" ; ,", known).is_empty());
    }

    #[test]
    fn labels_compare_without_case_accents_or_spacing() {
        assert_eq!(
            label_key("  Educazione ,infanzia   e GIOVANI "),
            "educazione,infanzia e giovani"
        );
        assert_eq!(label_key("Città"), "citta");
    }
}
