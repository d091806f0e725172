//! The signed pact as a PDF: what partners (and, for public pacts, anyone)
//! download once every partner has approved the same version.
//!
//! The words come from the templates `templates/pdf/{it,en}/pact.txt`,
//! which print a few line marks (`# ` the title, `## ` a section, `- ` an
//! item, anything else a paragraph); this module lays those lines out on A4
//! pages and writes the file with `lopdf`. It uses Helvetica, one of the
//! fonts every PDF reader has (nothing is embedded, so the file stays a few
//! kilobytes), in the WinAnsi encoding, which holds every letter of Italian
//! and the euro sign; a character outside it prints as `?`. The text is
//! real text, so it can be searched, copied and read aloud, and the
//! document says it is in Italian or English.
//!
//! Why lopdf and not a layout engine: the pact is a column of headed
//! paragraphs and lists, which a hundred lines of layout cover, and lopdf
//! (also used by the tests to read the text back) is small and well kept.

use chrono::{DateTime, NaiveDate, Utc};
use lopdf::content::{Content, Operation};
use lopdf::{Document, Object, Stream, StringFormat, dictionary};
use minijinja::context;

use crate::domain::{EuroCents, Lang, OfferKind, OrganizationKind, PartnerRole, ProjectProcedure};
use crate::templates;

/// What the PDF of a signed pact shows.
#[derive(Clone, Debug)]
pub struct SignedPact {
    pub title: String,
    pub procedure: ProjectProcedure,
    /// The agreement's version that every partner approved.
    pub version: u32,
    pub signed_at: DateTime<Utc>,
    /// The signed text: object, obligations, everything the partners wrote.
    pub text: String,
    pub starts_on: Option<NaiveDate>,
    pub ends_on: Option<NaiveDate>,
    pub parties: Vec<PactParty>,
    pub contributions: Vec<PactContribution>,
    pub approvals: Vec<PactApproval>,
    /// The SHA-256 of the signed version, in hex
    /// (see [`crate::domain::codesign::agreement`]).
    pub hash: String,
}

#[derive(Clone, Debug)]
pub struct PactParty {
    pub name: String,
    pub kind: Option<OrganizationKind>,
    /// An organisation's tax code; a person's is never printed.
    pub tax_code: Option<String>,
    pub role: PartnerRole,
}

#[derive(Clone, Debug)]
pub struct PactContribution {
    pub organization: String,
    pub kind: OfferKind,
    pub description: String,
    /// A quantity with its unit as the partner wrote it ("120 ore").
    pub quantity: Option<String>,
    pub amount_cents: Option<i64>,
}

#[derive(Clone, Debug)]
pub struct PactApproval {
    pub person: String,
    pub organization: String,
    pub at: DateTime<Utc>,
}

/// The pact's copy in `lang`, with the line marks the layout reads: what
/// the PDF prints, and what the snapshot tests compare.
pub fn pact_text(pact: &SignedPact, lang: Lang) -> String {
    let date = |day: NaiveDate| long_date(day, lang);
    let parties: Vec<_> = pact
        .parties
        .iter()
        .map(|p| {
            context! {
                name => one_line(&p.name),
                role => p.role.label(lang),
                kind => p.kind.map(|k| k.label(lang)),
                tax_code => p.tax_code.clone(),
            }
        })
        .collect();
    let contributions: Vec<_> = pact
        .contributions
        .iter()
        .map(|c| {
            let amount = c
                .amount_cents
                .and_then(|cents| EuroCents::new(cents).ok())
                .map(|cents| cents.format(lang));
            let measure: Vec<String> = c.quantity.iter().cloned().chain(amount).collect();
            context! {
                organization => one_line(&c.organization),
                kind => c.kind.label(lang).to_lowercase(),
                description => one_line(&c.description),
                measure => (!measure.is_empty()).then(|| measure.join(", ")),
            }
        })
        .collect();
    let approvals: Vec<_> = pact
        .approvals
        .iter()
        .map(|a| {
            context! {
                person => one_line(&a.person),
                organization => one_line(&a.organization),
                at => date(a.at.date_naive()),
            }
        })
        .collect();
    let context = context! {
        pact => context! {
            title => one_line(&pact.title),
            procedure => pact.procedure.label(lang),
            version => pact.version,
            signed_on => date(pact.signed_at.date_naive()),
            text => pact.text.trim(),
            starts_on => pact.starts_on.map(date),
            ends_on => pact.ends_on.map(date),
            parties => parties,
            contributions => contributions,
            approvals => approvals,
            hash => pact.hash.clone(),
        },
    };
    templates::render(&format!("pdf/{}/pact.txt", lang.as_str()), context)
}

/// The PDF of the signed pact in `lang`.
pub fn render_pact(pact: &SignedPact, lang: Lang) -> std::io::Result<Vec<u8>> {
    let blocks = blocks(&pact_text(pact, lang));
    let pages = layout(&blocks);
    let footer = match lang {
        Lang::It => format!("Patto firmato, versione {}", pact.version),
        Lang::En => format!("Signed pact, version {}", pact.version),
    };
    write_pdf(&pages, &one_line(&pact.title), &footer, lang)
}

fn long_date(day: NaiveDate, lang: Lang) -> String {
    const MESI: [&str; 12] = [
        "gennaio",
        "febbraio",
        "marzo",
        "aprile",
        "maggio",
        "giugno",
        "luglio",
        "agosto",
        "settembre",
        "ottobre",
        "novembre",
        "dicembre",
    ];
    use chrono::Datelike;
    match lang {
        Lang::It => {
            let month = MESI[day.month0() as usize];
            format!("{} {month} {}", day.day(), day.year())
        }
        Lang::En => day.format("%-d %B %Y").to_string(),
    }
}

fn one_line(raw: &str) -> String {
    templates::one_line(raw)
}

/// A piece of the copy, as the template marks it.
#[derive(Clone, Debug, PartialEq)]
enum Block {
    Title(String),
    Section(String),
    Item(String),
    Paragraph(String),
}

/// The blocks of the template's output: marked lines are blocks of their
/// own; other lines join into paragraphs up to a blank line.
fn blocks(text: &str) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut paragraph: Vec<&str> = Vec::new();
    let flush = |paragraph: &mut Vec<&str>, blocks: &mut Vec<Block>| {
        if !paragraph.is_empty() {
            blocks.push(Block::Paragraph(paragraph.join(" ")));
            paragraph.clear();
        }
    };
    for line in text.lines().map(str::trim) {
        let marked = if let Some(rest) = line.strip_prefix("# ") {
            Some(Block::Title(rest.to_owned()))
        } else if let Some(rest) = line.strip_prefix("## ") {
            Some(Block::Section(rest.to_owned()))
        } else {
            line.strip_prefix("- ")
                .map(|rest| Block::Item(rest.to_owned()))
        };
        match marked {
            Some(block) => {
                flush(&mut paragraph, &mut blocks);
                blocks.push(block);
            }
            None if line.is_empty() => flush(&mut paragraph, &mut blocks),
            None => paragraph.push(line),
        }
    }
    flush(&mut paragraph, &mut blocks);
    blocks
}

// A4 in points, with 2 cm margins.
const PAGE_WIDTH: f32 = 595.0;
const PAGE_HEIGHT: f32 = 842.0;
const MARGIN: f32 = 57.0;
const TEXT_WIDTH: f32 = PAGE_WIDTH - 2.0 * MARGIN;
const ITEM_INDENT: f32 = 14.0;

/// One line placed on a page.
#[derive(Clone, Debug, PartialEq)]
struct Placed {
    x: f32,
    y: f32,
    size: f32,
    bold: bool,
    text: String,
}

/// How each kind of block looks: font size, boldness, space before it.
fn style(block: &Block) -> (f32, bool, f32) {
    match block {
        Block::Title(_) => (17.0, true, 0.0),
        Block::Section(_) => (12.5, true, 14.0),
        Block::Item(_) => (10.5, false, 3.0),
        Block::Paragraph(_) => (10.5, false, 6.0),
    }
}

/// The blocks wrapped to the text width and cut into pages.
fn layout(blocks: &[Block]) -> Vec<Vec<Placed>> {
    let top = PAGE_HEIGHT - MARGIN;
    let bottom = MARGIN + 24.0;
    let mut pages: Vec<Vec<Placed>> = vec![Vec::new()];
    let mut y = top;
    for block in blocks {
        let (size, bold, space_before) = style(block);
        let leading = size * 1.35;
        let (text, indent, bullet) = match block {
            Block::Item(text) => (text, ITEM_INDENT, true),
            Block::Title(text) | Block::Section(text) | Block::Paragraph(text) => {
                (text, 0.0, false)
            }
        };
        let lines = wrap(text, size, bold, TEXT_WIDTH - indent);
        // A section heading never ends a page alone.
        let keep = if matches!(block, Block::Section(_)) {
            3.0
        } else {
            1.0
        };
        if y - space_before - leading * keep < bottom {
            pages.push(Vec::new());
            y = top;
        } else if y < top {
            y -= space_before;
        }
        for (i, line) in lines.into_iter().enumerate() {
            if y - leading < bottom {
                pages.push(Vec::new());
                y = top;
            }
            y -= leading;
            let page = pages.last_mut().expect("there is always a page");
            if bullet && i == 0 {
                page.push(Placed {
                    x: MARGIN + 2.0,
                    y,
                    size,
                    bold,
                    text: "\u{2022}".to_owned(),
                });
            }
            page.push(Placed {
                x: MARGIN + indent,
                y,
                size,
                bold,
                text: line,
            });
        }
    }
    pages
}

/// `text` broken into lines no wider than `width` points; a word longer
/// than a line (a hash, a link) is broken where it must.
fn wrap(text: &str, size: f32, bold: bool, width: f32) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split_whitespace() {
        let candidate = if line.is_empty() {
            word.to_owned()
        } else {
            format!("{line} {word}")
        };
        if text_width(&candidate, size, bold) <= width {
            line = candidate;
            continue;
        }
        if !line.is_empty() {
            lines.push(std::mem::take(&mut line));
        }
        // One pass over the word's characters: a long word (a hash, a
        // link, a pasted blob) costs as much as its length, never more.
        let mut rest = String::new();
        let mut rest_units = 0u32;
        let limit = width * 1000.0 / (size * if bold { 1.06 } else { 1.0 });
        for c in word.chars() {
            let units = helvetica_width(c);
            if !rest.is_empty() && (rest_units + units) as f32 > limit {
                lines.push(std::mem::take(&mut rest));
                rest_units = 0;
            }
            rest.push(c);
            rest_units += units;
        }
        line = rest;
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

/// The width of `text` in points, from Helvetica's metrics (thousandths of
/// an em, from the font's AFM file); bold is about 6% wider.
fn text_width(text: &str, size: f32, bold: bool) -> f32 {
    let units: u32 = text.chars().map(helvetica_width).sum();
    let scale = if bold { 1.06 } else { 1.0 };
    units as f32 * size / 1000.0 * scale
}

fn helvetica_width(c: char) -> u32 {
    // Printable ASCII from the space (32) to the tilde (126).
    const ASCII: [u16; 95] = [
        278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556,
        556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556, 1015, 667, 667, 722,
        722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778, 667, 778, 722, 667, 611, 722,
        667, 944, 667, 667, 611, 278, 278, 278, 469, 556, 333, 556, 556, 500, 556, 556, 278, 556,
        556, 222, 222, 500, 222, 833, 556, 556, 556, 556, 333, 500, 278, 556, 500, 722, 500, 500,
        500, 334, 260, 334, 584,
    ];
    match c {
        ' '..='~' => u32::from(ASCII[c as usize - 32]),
        'ì' | 'í' | 'Ì' | 'Í' => 278,
        _ => 556,
    }
}

/// `text` in the WinAnsi encoding of the standard fonts.
fn win_ansi(text: &str) -> Vec<u8> {
    text.chars()
        .map(|c| match c {
            ' '..='~' => c as u8,
            '\u{a0}'..='\u{ff}' => c as u32 as u8,
            '€' => 0x80,
            '\u{2026}' => 0x85,
            '\u{2018}' => 0x91,
            '\u{2019}' => 0x92,
            '\u{201c}' => 0x93,
            '\u{201d}' => 0x94,
            '\u{2022}' => 0x95,
            '\u{2013}' => 0x96,
            '\u{2014}' => 0x97,
            _ => b'?',
        })
        .collect()
}

fn write_pdf(
    pages: &[Vec<Placed>],
    title: &str,
    footer: &str,
    lang: Lang,
) -> std::io::Result<Vec<u8>> {
    let mut doc = Document::with_version("1.7");
    let pages_id = doc.new_object_id();
    let font = |name: &str| {
        dictionary! {
            "Type" => "Font",
            "Subtype" => "Type1",
            "BaseFont" => name.to_owned(),
            "Encoding" => "WinAnsiEncoding",
        }
    };
    let regular = doc.add_object(font("Helvetica"));
    let bold = doc.add_object(font("Helvetica-Bold"));
    let resources = doc.add_object(dictionary! {
        "Font" => dictionary! { "F1" => regular, "F2" => bold },
    });
    let total = pages.len();
    let mut kids: Vec<Object> = Vec::with_capacity(total);
    for (number, lines) in pages.iter().enumerate() {
        let mut operations = Vec::new();
        let mut text = |font: &str, size: f32, x: f32, y: f32, line: &str| {
            operations.extend([
                Operation::new("BT", vec![]),
                Operation::new("Tf", vec![font.into(), size.into()]),
                Operation::new("Td", vec![x.into(), y.into()]),
                Operation::new(
                    "Tj",
                    vec![Object::String(win_ansi(line), StringFormat::Literal)],
                ),
                Operation::new("ET", vec![]),
            ]);
        };
        for placed in lines {
            let font = if placed.bold { "F2" } else { "F1" };
            text(font, placed.size, placed.x, placed.y, &placed.text);
        }
        let page_of = format!("{footer} \u{2013} {}/{total}", number + 1);
        text("F1", 8.0, MARGIN, MARGIN - 18.0, &page_of);
        let content = Content { operations }
            .encode()
            .map_err(std::io::Error::other)?;
        let content_id = doc.add_object(Stream::new(dictionary! {}, content));
        let page_id = doc.add_object(dictionary! {
            "Type" => "Page",
            "Parent" => pages_id,
            "Contents" => content_id,
        });
        kids.push(page_id.into());
    }
    doc.objects.insert(
        pages_id,
        Object::Dictionary(dictionary! {
            "Type" => "Pages",
            "Kids" => kids,
            "Count" => i64::try_from(total).unwrap_or(i64::MAX),
            "Resources" => resources,
            "MediaBox" => vec![0.into(), 0.into(), PAGE_WIDTH.into(), PAGE_HEIGHT.into()],
        }),
    );
    let catalog = doc.add_object(dictionary! {
        "Type" => "Catalog",
        "Pages" => pages_id,
        "Lang" => Object::string_literal(match lang {
            Lang::It => "it-IT",
            Lang::En => "en-GB",
        }),
    });
    let info = doc.add_object(dictionary! {
        "Title" => Object::String(win_ansi(title), StringFormat::Literal),
        "Producer" => Object::string_literal("Trama"),
    });
    doc.trailer.set("Root", catalog);
    doc.trailer.set("Info", info);
    doc.compress();
    let mut bytes = Vec::new();
    doc.save_to(&mut bytes)?;
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;

    use super::*;

    fn lorenteggio() -> SignedPact {
        let at = Utc
            .with_ymd_and_hms(2026, 12, 3, 10, 30, 0)
            .single()
            .expect("a valid instant");
        SignedPact {
            title: "Clean Up Lorenteggio: scale pulite in via Giambellino".to_owned(),
            procedure: ProjectProcedure::PattoCollaborazione,
            version: 2,
            signed_at: at,
            text: "Le parti si impegnano a pulire e ritinteggiare le scale dei civici 100-110 \
                   di via Giambellino, con due giornate di lavoro al mese per sei mesi. \
                   ALER Milano fornisce i materiali; l'associazione forma i volontari; \
                   gli inquilini danno il loro tempo."
                .to_owned(),
            starts_on: NaiveDate::from_ymd_opt(2027, 1, 10),
            ends_on: NaiveDate::from_ymd_opt(2027, 6, 30),
            parties: vec![
                PactParty {
                    name: "ALER Milano".to_owned(),
                    kind: Some(OrganizationKind::PublicHousingAgency),
                    tax_code: Some("01349670156".to_owned()),
                    role: PartnerRole::Lead,
                },
                PactParty {
                    name: "Puliamo Insieme ONLUS".to_owned(),
                    kind: Some(OrganizationKind::Onlus),
                    tax_code: Some("97123450155".to_owned()),
                    role: PartnerRole::Partner,
                },
                PactParty {
                    name: "Comitato inquilini Giambellino".to_owned(),
                    kind: Some(OrganizationKind::InformalGroup),
                    tax_code: None,
                    role: PartnerRole::Partner,
                },
            ],
            contributions: vec![
                PactContribution {
                    organization: "ALER Milano".to_owned(),
                    kind: OfferKind::Materials,
                    description: "vernice lavabile e attrezzi".to_owned(),
                    quantity: Some("40 litri".to_owned()),
                    amount_cents: Some(120_000),
                },
                PactContribution {
                    organization: "Puliamo Insieme ONLUS".to_owned(),
                    kind: OfferKind::Competence,
                    description: "formazione dei volontari alla pulizia".to_owned(),
                    quantity: Some("12 ore".to_owned()),
                    amount_cents: None,
                },
                PactContribution {
                    organization: "Comitato inquilini Giambellino".to_owned(),
                    kind: OfferKind::Volunteers,
                    description: "tempo degli inquilini".to_owned(),
                    quantity: Some("240 ore".to_owned()),
                    amount_cents: None,
                },
            ],
            approvals: vec![PactApproval {
                person: "Giulia Bianchi".to_owned(),
                organization: "ALER Milano".to_owned(),
                at,
            }],
            hash: "9f2c4e0d1b7a6c3e5f8091a2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6".to_owned(),
        }
    }

    fn extracted(bytes: &[u8]) -> String {
        let doc = Document::load_mem(bytes).expect("the PDF parses");
        let pages: Vec<u32> = doc.get_pages().keys().copied().collect();
        doc.extract_text(&pages).expect("the text extracts")
    }

    #[test]
    fn the_copy_in_both_languages() {
        insta::assert_snapshot!("pact_it", pact_text(&lorenteggio(), Lang::It));
        insta::assert_snapshot!("pact_en", pact_text(&lorenteggio(), Lang::En));
    }

    #[test]
    fn the_pdf_holds_the_parties_their_contributions_and_the_hash() {
        let pact = lorenteggio();
        let bytes = render_pact(&pact, Lang::It).expect("renders");
        assert!(bytes.starts_with(b"%PDF-1.7"));
        let text = extracted(&bytes);
        for expected in [
            "ALER Milano",
            "01349670156",
            "Puliamo Insieme ONLUS",
            "Comitato inquilini Giambellino",
            "vernice lavabile",
            "240 ore",
            "formazione dei volontari",
            "Giulia Bianchi",
        ] {
            assert!(text.contains(expected), "{expected:?} not in {text}");
        }
        // The hash may be broken over two lines; its halves are there.
        let flat: String = text.split_whitespace().collect();
        assert!(flat.contains(&pact.hash), "{flat}");
        assert!(text.contains("l'associazione"), "{text}");
    }

    #[test]
    fn a_long_text_flows_over_pages_and_accents_survive() {
        let mut pact = lorenteggio();
        pact.text = "Perché la città è di tutti: più cura, più società. ".repeat(400);
        let bytes = render_pact(&pact, Lang::It).expect("renders");
        let doc = Document::load_mem(&bytes).expect("parses");
        assert!(doc.get_pages().len() > 2, "{} pages", doc.get_pages().len());
        let text = extracted(&bytes);
        assert!(
            text.contains("Perché la città è di tutti"),
            "{}",
            &text[..400]
        );
        assert!(text.contains("3/"), "page numbers");
    }

    #[test]
    fn a_huge_unbroken_text_is_laid_out_in_linear_time() {
        // 200,000 characters without a space: cut into lines, none lost.
        let blob = "x".repeat(200_000);
        let lines = wrap(&blob, 10.5, false, TEXT_WIDTH);
        assert_eq!(lines.concat(), blob);
        assert!(
            lines
                .iter()
                .all(|l| text_width(l, 10.5, false) <= TEXT_WIDTH)
        );
    }

    #[test]
    fn lines_stay_inside_the_margins() {
        for line in wrap(&"parola ".repeat(200), 10.5, false, TEXT_WIDTH) {
            assert!(text_width(&line, 10.5, false) <= TEXT_WIDTH, "{line}");
        }
        let hash = "a".repeat(300);
        let lines = wrap(&hash, 10.5, false, TEXT_WIDTH);
        assert!(lines.len() > 1);
        assert_eq!(lines.concat(), hash);
    }

    #[test]
    fn blocks_follow_the_marks() {
        let blocks = blocks("# Titolo\nuna riga\nche continua\n\n## Parti\n- prima\n- seconda\n");
        assert_eq!(
            blocks,
            vec![
                Block::Title("Titolo".into()),
                Block::Paragraph("una riga che continua".into()),
                Block::Section("Parti".into()),
                Block::Item("prima".into()),
                Block::Item("seconda".into()),
            ]
        );
    }
}
