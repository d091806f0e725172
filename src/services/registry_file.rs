//! Reading a registry file (CSV or JSON) into a table of text cells that
//! remembers each row's line number, so that every problem can be reported
//! where the user will find it. Shared by the organisations import and the
//! registry verification.
//!
//! What offices actually send is accepted: a UTF-8 byte-order mark, `;` as
//! the separator (Italian spreadsheets), Windows-1252 text (Excel's "CSV"),
//! rows with too few or too many cells (reported on their line, not fatal
//! for the others), a JSON array of objects or one object per line.

use std::fmt;

use crate::domain::Lang;

/// The file formats an import reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SourceFormat {
    Csv,
    Json,
}

impl SourceFormat {
    /// `csv` or `json` (any case).
    pub fn parse(raw: &str) -> Option<Self> {
        match raw.trim().to_ascii_lowercase().as_str() {
            "csv" => Some(Self::Csv),
            "json" | "jsonl" | "ndjson" => Some(Self::Json),
            _ => None,
        }
    }

    /// The format a file name's extension says, if any.
    pub fn from_file_name(name: &str) -> Option<Self> {
        let (_, extension) = name.rsplit_once('.')?;
        Self::parse(extension)
    }
}

/// One data row: its line in the file (the first line, for a CSV record
/// spanning several) and a cell per header (`None` when missing or null).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourceRow {
    pub line: u64,
    pub cells: Vec<Option<String>>,
    /// How many cells the row had when that is not the header's count (CSV).
    pub width: Option<usize>,
    /// A JSON row that is not an object.
    pub not_an_object: bool,
}

impl SourceRow {
    /// The trimmed, non-blank text of a cell.
    pub fn cell(&self, at: Option<usize>) -> Option<&str> {
        at.and_then(|at| self.cells.get(at))
            .and_then(|c| c.as_deref())
            .map(str::trim)
            .filter(|c| !c.is_empty())
    }
}

/// A whole file: headers (CSV header line, or the keys of the JSON objects
/// in order of first appearance, each object's keys sorted) and rows.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SourceTable {
    pub headers: Vec<String>,
    pub rows: Vec<SourceRow>,
    /// The file was not UTF-8 and was read as Windows-1252.
    pub decoded_from_windows_1252: bool,
}

/// Why a file could not be read at all.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SourceError {
    Empty,
    /// Broken CSV (an unclosed quote) or JSON syntax, with the line.
    Syntax {
        line: u64,
        detail: String,
    },
}

impl SourceError {
    pub fn message(&self, lang: Lang) -> String {
        match (self, lang) {
            (Self::Empty, Lang::It) => {
                "il file è vuoto: manca anche la riga di intestazione".into()
            }
            (Self::Empty, Lang::En) => "the file is empty: even the header line is missing".into(),
            (Self::Syntax { line, detail }, Lang::It) => {
                format!("riga {line}: il file non si legge ({detail})")
            }
            (Self::Syntax { line, detail }, Lang::En) => {
                format!("line {line}: the file cannot be read ({detail})")
            }
        }
    }
}

impl fmt::Display for SourceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message(Lang::En))
    }
}

impl std::error::Error for SourceError {}

/// Reads a file's bytes in the given format.
pub fn read(bytes: &[u8], format: SourceFormat) -> Result<SourceTable, SourceError> {
    let (text, decoded) = match std::str::from_utf8(bytes) {
        Ok(text) => (std::borrow::Cow::Borrowed(text), false),
        Err(_) => (std::borrow::Cow::Owned(decode_windows_1252(bytes)), true),
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    if text.trim().is_empty() {
        return Err(SourceError::Empty);
    }
    let mut table = match format {
        SourceFormat::Csv => read_csv(text)?,
        SourceFormat::Json => read_json(text)?,
    };
    table.decoded_from_windows_1252 = decoded;
    Ok(table)
}

/// `;` when the header line has more semicolons than commas (the default
/// of spreadsheets set to Italian), `\t` for tab-separated files, else `,`.
fn delimiter(text: &str) -> u8 {
    let header = text.lines().next().unwrap_or("");
    let count = |c: char| header.matches(c).count();
    let (commas, semicolons, tabs) = (count(','), count(';'), count('\t'));
    if tabs > commas && tabs > semicolons {
        b'\t'
    } else if semicolons > commas {
        b';'
    } else {
        b','
    }
}

fn read_csv(text: &str) -> Result<SourceTable, SourceError> {
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter(text))
        .flexible(true)
        .has_headers(true)
        .from_reader(text.as_bytes());
    let headers: Vec<String> = reader
        .headers()
        .map_err(|e| csv_syntax(&e))?
        .iter()
        .map(|h| h.trim().to_owned())
        .collect();
    let mut rows = Vec::new();
    let mut record = csv::StringRecord::new();
    let mut lines = LineCounter::new(text);
    loop {
        match reader.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => return Err(csv_syntax(&e)),
        }
        // A blank line between records is not a row.
        if record.iter().all(|c| c.trim().is_empty()) {
            continue;
        }
        // The reader counts the blank lines it skipped into the record's
        // position: the line is counted from the record's first character.
        let line = record
            .position()
            .map_or(0, |p| lines.line_of_record(p.byte()));
        let width = (record.len() != headers.len()).then_some(record.len());
        let cells = (0..headers.len())
            .map(|at| record.get(at).map(str::to_owned))
            .collect();
        rows.push(SourceRow {
            line,
            cells,
            width,
            not_an_object: false,
        });
    }
    Ok(SourceTable {
        headers,
        rows,
        decoded_from_windows_1252: false,
    })
}

/// Line numbers of byte offsets, for offsets asked in increasing order
/// (each call counts only the line breaks since the previous one).
struct LineCounter<'a> {
    bytes: &'a [u8],
    offset: usize,
    line: u64,
}

impl<'a> LineCounter<'a> {
    fn new(text: &'a str) -> Self {
        Self {
            bytes: text.as_bytes(),
            offset: 0,
            line: 1,
        }
    }

    /// The line of the first character at or after `byte` that is not a
    /// line break.
    fn line_of_record(&mut self, byte: u64) -> u64 {
        let mut at = usize::try_from(byte)
            .unwrap_or(usize::MAX)
            .min(self.bytes.len())
            .max(self.offset);
        while at < self.bytes.len() && (self.bytes[at] == b'\n' || self.bytes[at] == b'\r') {
            at += 1;
        }
        self.line += self.bytes[self.offset..at]
            .iter()
            .filter(|&&b| b == b'\n')
            .count() as u64;
        self.offset = at;
        self.line
    }
}

fn csv_syntax(error: &csv::Error) -> SourceError {
    SourceError::Syntax {
        line: error.position().map_or(1, |p| p.line()),
        detail: error.to_string(),
    }
}

/// A JSON array of objects, or JSON Lines (one object per line).
fn read_json(text: &str) -> Result<SourceTable, SourceError> {
    let trimmed = text.trim_start();
    let elements: Vec<(u64, &str)> = if trimmed.starts_with('[') {
        array_elements(text)?
    } else {
        text.lines()
            .enumerate()
            .filter(|(_, line)| !line.trim().is_empty())
            .map(|(at, line)| (at as u64 + 1, line))
            .collect()
    };
    let mut headers: Vec<String> = Vec::new();
    let mut objects = Vec::with_capacity(elements.len());
    for (line, element) in elements {
        let value: serde_json::Value =
            serde_json::from_str(element).map_err(|e| SourceError::Syntax {
                line: line + e.line() as u64 - 1,
                detail: e.to_string(),
            })?;
        if let serde_json::Value::Object(map) = &value {
            for key in map.keys() {
                if !headers.iter().any(|h| h == key) {
                    headers.push(key.clone());
                }
            }
        }
        objects.push((line, value));
    }
    let rows = objects
        .into_iter()
        .map(|(line, value)| match value {
            serde_json::Value::Object(map) => SourceRow {
                line,
                cells: headers
                    .iter()
                    .map(|h| map.get(h).and_then(json_cell))
                    .collect(),
                width: None,
                not_an_object: false,
            },
            _ => SourceRow {
                line,
                cells: vec![None; headers.len()],
                width: None,
                not_an_object: true,
            },
        })
        .collect();
    Ok(SourceTable {
        headers,
        rows,
        decoded_from_windows_1252: false,
    })
}

/// A JSON value as a cell: strings as they are, numbers and booleans as
/// written, arrays joined with `;`, null as missing.
fn json_cell(value: &serde_json::Value) -> Option<String> {
    match value {
        serde_json::Value::Null => None,
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Array(items) => Some(
            items
                .iter()
                .filter_map(json_cell)
                .collect::<Vec<_>>()
                .join(";"),
        ),
        other => Some(other.to_string()),
    }
}

/// The elements of a top-level JSON array as text slices, each with the
/// line it starts on. Only splits: each slice is parsed afterwards.
fn array_elements(text: &str) -> Result<Vec<(u64, &str)>, SourceError> {
    let mut elements = Vec::new();
    let mut depth = 0usize;
    let mut in_string = false;
    let mut escaped = false;
    let mut line = 1u64;
    let mut start: Option<(usize, u64)> = None;
    let mut closed = false;
    for (at, c) in text.char_indices() {
        if c == '\n' {
            line += 1;
        }
        if in_string {
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_string = false,
                _ => {}
            }
            continue;
        }
        if closed {
            if !c.is_whitespace() {
                return Err(SourceError::Syntax {
                    line,
                    detail: "text after the end of the array".into(),
                });
            }
            continue;
        }
        match c {
            '"' => {
                in_string = true;
                if depth == 1 && start.is_none() {
                    start = Some((at, line));
                }
            }
            '[' | '{' => {
                if depth == 1 && start.is_none() {
                    start = Some((at, line));
                }
                depth += 1;
            }
            ']' | '}' if depth == 1 => {
                if let Some((from, first)) = start.take() {
                    elements.push((first, text[from..at].trim_end()));
                }
                depth = 0;
                closed = true;
            }
            ']' | '}' => depth = depth.saturating_sub(1),
            ',' if depth == 1 => match start.take() {
                Some((from, first)) => elements.push((first, text[from..at].trim_end())),
                None => {
                    return Err(SourceError::Syntax {
                        line,
                        detail: "an empty element (two commas)".into(),
                    });
                }
            },
            c if depth == 1 && start.is_none() && !c.is_whitespace() => {
                start = Some((at, line));
            }
            _ => {}
        }
    }
    if !closed {
        return Err(SourceError::Syntax {
            line,
            detail: "the array is not closed (missing ])".into(),
        });
    }
    Ok(elements)
}

/// Windows-1252, which Excel writes for "CSV" on Italian Windows: Latin-1
/// plus the printable characters it puts at 0x80–0x9F (€, quotes, dashes).
fn decode_windows_1252(bytes: &[u8]) -> String {
    const HIGH: [char; 32] = [
        '€', '\u{81}', '‚', 'ƒ', '„', '…', '†', '‡', 'ˆ', '‰', 'Š', '‹', 'Œ', '\u{8d}', 'Ž',
        '\u{8f}', '\u{90}', '‘', '’', '“', '”', '•', '–', '—', '˜', '™', 'š', '›', 'œ', '\u{9d}',
        'ž', 'Ÿ',
    ];
    bytes
        .iter()
        .map(|&b| match b {
            0x80..=0x9f => HIGH[usize::from(b - 0x80)],
            _ => char::from(b),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_rows_keep_their_lines_and_widths() {
        let table = read(
            "\u{feff}codice_fiscale;denominazione\n80117230153;\"Centro\nSchuster\"\n\n97248050151\n1;2;3\n"
                .as_bytes(),
            SourceFormat::Csv,
        )
        .expect("read");
        assert_eq!(table.headers, ["codice_fiscale", "denominazione"]);
        let lines: Vec<u64> = table.rows.iter().map(|r| r.line).collect();
        assert_eq!(lines, [2, 5, 6]);
        assert_eq!(table.rows[0].cell(Some(1)), Some("Centro\nSchuster"));
        assert_eq!(table.rows[1].width, Some(1));
        assert_eq!(table.rows[1].cell(Some(1)), None);
        assert_eq!(table.rows[2].width, Some(3));
    }

    #[test]
    fn windows_1252_is_read() {
        let bytes = b"nome,citta\nCaff\xe8 sociale \x80,Cant\xf9\n";
        let table = read(bytes, SourceFormat::Csv).expect("read");
        assert!(table.decoded_from_windows_1252);
        assert_eq!(table.rows[0].cell(Some(0)), Some("Caffè sociale €"));
        assert_eq!(table.rows[0].cell(Some(1)), Some("Cantù"));
    }

    #[test]
    fn json_arrays_and_lines_keep_their_lines() {
        let array = "[\n  {\"tax_code\": \"80117230153\", \"sectors\": [\"sport\", \"welfare\"]},\n  {\"name\": \"a, [b] \\\"c\\\"\",\n   \"lat\": 45.5},\n  7\n]\n";
        let table = read(array.as_bytes(), SourceFormat::Json).expect("read");
        // Keys in the order of their first appearance, each object's sorted.
        assert_eq!(table.headers, ["sectors", "tax_code", "lat", "name"]);
        let lines: Vec<u64> = table.rows.iter().map(|r| r.line).collect();
        assert_eq!(lines, [2, 3, 5]);
        assert_eq!(table.rows[0].cell(Some(0)), Some("sport;welfare"));
        assert_eq!(table.rows[1].cell(Some(3)), Some("a, [b] \"c\""));
        assert_eq!(table.rows[1].cell(Some(2)), Some("45.5"));
        assert!(table.rows[2].not_an_object);

        let lines = "{\"name\": \"a\"}\n\n{\"name\": \"b\"}\n";
        let table = read(lines.as_bytes(), SourceFormat::Json).expect("read");
        assert_eq!(
            table.rows.iter().map(|r| r.line).collect::<Vec<_>>(),
            [1, 3]
        );
    }

    #[test]
    fn broken_files_say_where() {
        assert_eq!(read(b"  \n", SourceFormat::Csv), Err(SourceError::Empty));
        let unclosed = read(b"[\n{\"a\": 1},\n{\"a\": \n", SourceFormat::Json).expect_err("open");
        assert!(
            matches!(unclosed, SourceError::Syntax { .. }),
            "{unclosed:?}"
        );
        let bad = read(b"[\n{\"a\": 1},\n{\"a\" 2}\n]", SourceFormat::Json).expect_err("bad");
        assert!(
            matches!(bad, SourceError::Syntax { line: 3, .. }),
            "{bad:?}"
        );
        assert_eq!(
            SourceFormat::from_file_name("RUNTS.CSV"),
            Some(SourceFormat::Csv)
        );
        assert_eq!(
            SourceFormat::from_file_name("x.jsonl"),
            Some(SourceFormat::Json)
        );
        assert_eq!(SourceFormat::from_file_name("x"), None);
    }
}
