//! Italian text analysis: how titles, descriptions and queries become terms.
//!
//! One pipeline, two outputs:
//!
//! ```text
//! text ─ ItalianTokenizer ─ AsciiFolding ─ RemoveLong ─ StopWords ─┬─────────────── "exact" terms
//!        (words, lower case,                          (and contiguous   └─ Stemmer(it) ─ "stem" terms
//!         elision)                                      positions)
//! ```
//!
//! - Words are runs of letters and digits; everything else separates them
//!   ("co-housing" is two words, "ERP/ERS" too).
//! - Lower-casing, then accent folding (città = citta, perché = perche).
//! - Elision: an elided article or preposition written right before an
//!   apostrophe (`l'`, `dell'`, `un'`, `quest'`..., with `'` or the
//!   typographic `’`) is dropped: "dell'abitare" indexes "abitare". The list
//!   is `assets/search/elisions-it.txt`.
//! - Stop words (`assets/search/stopwords-it.txt`) are dropped and the
//!   remaining words are numbered without gaps, so that a phrase matches across
//!   small words: "cooperativa di abitanti" and "cooperativa abitanti" are the
//!   same phrase. That is deliberate (synonym phrases rely on it); it also
//!   means a quoted phrase cannot require a stop word.
//! - Stemming with tantivy's Snowball Italian stemmer, after folding (folding
//!   first makes the stem independent of how accents were typed).
//!
//! Every text field is indexed twice: stemmed (recall: "cooperative
//! abitative" = "cooperativa di abitanti") and exact (precision bonus, typo
//! tolerance on real word forms, and the "plain" baseline that neither stems
//! nor expands synonyms).

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::sync::{Arc, LazyLock};

use sha2::{Digest, Sha256};
use tantivy::tokenizer::{
    AsciiFoldingFilter, LowerCaser, RawTokenizer, RemoveLongFilter, TextAnalyzer, Token,
    TokenFilter, TokenStream, Tokenizer,
};

/// The stop-word list, compiled in (see `assets/search/README.md`).
pub const STOPWORDS_FILE: &str = include_str!("../../assets/search/stopwords-it.txt");
/// The elision list, compiled in.
pub const ELISIONS_FILE: &str = include_str!("../../assets/search/elisions-it.txt");
/// The stem overrides, compiled in.
pub const STEMS_FILE: &str = include_str!("../../assets/search/stems-it.txt");
/// The prefixes of one-word compounds, compiled in.
pub const PREFIXES_FILE: &str = include_str!("../../assets/search/prefixes-it.txt");

/// The shortest part after a prefix that a compound is split for, and the
/// shortest stem of it: shorter ones ("co" + "mune") are too often a
/// word's own letters.
const MIN_COMPOUND_REST: usize = 5;

/// Name of the stemmed analyzer in the index's tokenizer manager.
pub const STEM_ANALYZER: &str = "trama_it_stem";
/// Name of the exact (unstemmed) analyzer.
pub const EXACT_ANALYZER: &str = "trama_it_exact";

/// Longest term kept, in bytes: longer "words" are identifiers or garbage.
const MAX_TERM_BYTES: usize = 40;

/// Characters that mark an elision.
const APOSTROPHES: [char; 6] = ['\'', '’', 'ʼ', '‘', '`', '´'];

/// Lines of a data file: `#` comments and blank lines removed, trimmed.
pub(crate) fn data_lines(text: &str) -> impl Iterator<Item = &str> {
    text.lines()
        .map(|line| line.split('#').next().unwrap_or("").trim())
        .filter(|line| !line.is_empty())
}

/// Lower-cases and folds accents, the way the analyzers do.
pub fn fold(text: &str) -> String {
    let mut analyzer = TextAnalyzer::builder(RawTokenizer::default())
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter)
        .build();
    let mut stream = analyzer.token_stream(text);
    let mut out = String::new();
    while let Some(token) = stream.next() {
        out.push_str(&token.text);
    }
    out
}

/// The word lists the analyzers need, read once from the data files.
#[derive(Debug)]
pub struct Lexicon {
    stopwords: HashSet<String>,
    elisions: HashSet<String>,
    /// Folded word → the stem it gets instead of the stemmer's.
    stems: HashMap<String, String>,
    /// Prefixes of one-word compounds, longest first.
    prefixes: Vec<String>,
    /// Words that look like compounds and are not split.
    unsplit: HashSet<String>,
    /// The stems a compound's rest must have to be split off: those of the
    /// concept model's words.
    known_stems: HashSet<String>,
}

impl Lexicon {
    #[cfg(test)]
    fn from_files(stopwords: &str, elisions: &str, stems: &str) -> Self {
        Self::with_compounds(stopwords, elisions, stems, "", std::iter::empty())
    }

    /// The word lists, with the prefixes of one-word compounds and the
    /// vocabulary (phrases of the concept model) whose words a compound's
    /// rest must stem like.
    fn with_compounds<'v>(
        stopwords: &str,
        elisions: &str,
        stems: &str,
        prefixes: &str,
        vocabulary: impl Iterator<Item = &'v str>,
    ) -> Self {
        let mut overrides = HashMap::new();
        for line in data_lines(stems) {
            // A line without "=>" is not an override: skipped, as a blank.
            if let Some((words, stem)) = line.split_once("=>") {
                let stem = fold(stem.trim());
                for word in words.split(',').map(str::trim).filter(|w| !w.is_empty()) {
                    overrides.insert(fold(word), stem.clone());
                }
            }
        }
        let mut lexicon = Self {
            stopwords: data_lines(stopwords).map(fold).collect(),
            elisions: data_lines(elisions).map(fold).collect(),
            stems: overrides,
            prefixes: data_lines(prefixes)
                .filter(|line| !line.starts_with('!'))
                .map(fold)
                .collect(),
            unsplit: data_lines(prefixes)
                .filter_map(|line| line.strip_prefix('!'))
                .flat_map(|words| words.split(','))
                .map(|word| fold(word.trim()))
                .filter(|word| !word.is_empty())
                .collect(),
            known_stems: HashSet::new(),
        };
        // Longest first, so that "contro" is tried before "co".
        lexicon
            .prefixes
            .sort_by(|a, b| b.len().cmp(&a.len()).then(a.cmp(b)));
        let stemmer = frostem::Stemmer::new(frostem::Algorithm::Italian);
        let words: HashSet<String> = vocabulary
            .flat_map(|phrase| {
                fold(phrase)
                    .split(|c: char| !c.is_alphanumeric())
                    .filter(|w| w.len() >= MIN_COMPOUND_REST)
                    .map(str::to_owned)
                    .collect::<Vec<_>>()
            })
            .collect();
        let known: HashSet<String> = words
            .iter()
            .filter(|w| !lexicon.stopwords.contains(*w))
            .map(|w| lexicon.stem(&stemmer, w).into_owned())
            .collect();
        lexicon.known_stems = known;
        lexicon
    }

    /// The rest of a one-word compound, when `word` (folded) is a listed
    /// prefix followed by a word of the vocabulary: "antiviolenza" gives
    /// "violenza"; "cooperativa" and "comunità" give nothing.
    pub fn compound_rest<'w>(&self, stemmer: &frostem::Stemmer, word: &'w str) -> Option<&'w str> {
        if self.unsplit.contains(word) {
            return None;
        }
        let rest = self
            .prefixes
            .iter()
            .find_map(|prefix| word.strip_prefix(prefix.as_str()))?;
        if rest.len() < MIN_COMPOUND_REST || self.stopwords.contains(rest) {
            return None;
        }
        // A short stem ("oper" of "operativa", as of "opere") says too
        // little about which word it was.
        let stem = self.stem(stemmer, rest);
        (stem.len() >= MIN_COMPOUND_REST && self.known_stems.contains(stem.as_ref()))
            .then_some(rest)
    }

    /// The lexicon compiled from `assets/search/`.
    pub fn builtin() -> Arc<Self> {
        static BUILTIN: LazyLock<Arc<Lexicon>> = LazyLock::new(|| {
            let concepts = super::concepts::ConceptModel::builtin();
            let vocabulary = concepts
                .concepts
                .iter()
                .flat_map(|c| c.terms.iter().map(String::as_str));
            Arc::new(Lexicon::with_compounds(
                STOPWORDS_FILE,
                ELISIONS_FILE,
                STEMS_FILE,
                PREFIXES_FILE,
                vocabulary,
            ))
        });
        BUILTIN.clone()
    }

    /// The stem of a folded word: its override, the noun rule below, or the
    /// Snowball stemmer's.
    ///
    /// Nouns in "-iere" (infermiere, cantiere, bandiere, straniere,
    /// barriere) lose "ere" to Snowball, which takes it for a verb's
    /// ending, while their other forms in "-ieri" and "-iera" keep "ier":
    /// "infermiere" stemmed "inferm" and "infermieri" "infermier", so
    /// neither found the other, and "bandiere" met "banda", "cantiere"
    /// "canto". They keep "-ier" here. The verbs in "-iere" (compiere,
    /// adempiere) are few and rare in these texts.
    fn stem<'a>(&'a self, stemmer: &frostem::Stemmer, word: &'a str) -> Cow<'a, str> {
        if let Some(stem) = self.stems.get(word) {
            return Cow::Borrowed(stem.as_str());
        }
        match word.strip_suffix('e') {
            Some(noun) if noun.ends_with("ier") && noun.chars().count() >= 5 => Cow::Borrowed(noun),
            _ => stemmer.stem(word),
        }
    }

    pub fn is_stopword(&self, folded: &str) -> bool {
        self.stopwords.contains(folded)
    }
}

/// A fingerprint of everything that decides which terms are indexed: part of
/// the index version, so changing a word list rebuilds the index.
pub fn fingerprint() -> String {
    let mut hasher = Sha256::new();
    // Bump the tag when the pipeline itself changes.
    hasher.update(b"pipeline-3\n");
    hasher.update(STOPWORDS_FILE.as_bytes());
    hasher.update(b"\n--\n");
    hasher.update(ELISIONS_FILE.as_bytes());
    hasher.update(b"\n--\n");
    hasher.update(STEMS_FILE.as_bytes());
    hasher.update(b"\n--\n");
    hasher.update(PREFIXES_FILE.as_bytes());
    // The compounds split depend on the concept model's words.
    hasher.update(b"\n--\n");
    hasher.update(super::concepts::CONCEPTS_FILE.as_bytes());
    let digest = hasher.finalize();
    digest[..8].iter().map(|b| format!("{b:02x}")).collect()
}

/// Splits text into lower-cased words and drops elided articles.
#[derive(Clone)]
pub struct ItalianTokenizer {
    lexicon: Arc<Lexicon>,
    token: Token,
}

impl ItalianTokenizer {
    pub fn new(lexicon: Arc<Lexicon>) -> Self {
        Self {
            lexicon,
            token: Token::default(),
        }
    }
}

pub struct ItalianTokenStream<'a> {
    text: &'a str,
    /// Byte offset where the scan resumes.
    cursor: usize,
    lexicon: &'a Lexicon,
    token: &'a mut Token,
}

impl Tokenizer for ItalianTokenizer {
    type TokenStream<'a> = ItalianTokenStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> ItalianTokenStream<'a> {
        self.token.reset();
        ItalianTokenStream {
            text,
            cursor: 0,
            lexicon: &self.lexicon,
            token: &mut self.token,
        }
    }
}

impl ItalianTokenStream<'_> {
    /// The next run of letters and digits at or after the cursor.
    fn next_word(&mut self) -> Option<(usize, usize)> {
        let rest = &self.text[self.cursor..];
        let start = rest.char_indices().find(|(_, c)| c.is_alphanumeric())?.0 + self.cursor;
        let end = self.text[start..]
            .char_indices()
            .find(|(_, c)| !c.is_alphanumeric())
            .map(|(offset, _)| start + offset)
            .unwrap_or(self.text.len());
        self.cursor = end;
        Some((start, end))
    }
}

impl TokenStream for ItalianTokenStream<'_> {
    fn advance(&mut self) -> bool {
        while let Some((start, end)) = self.next_word() {
            let word = &self.text[start..end];
            let before_apostrophe = self.text[end..]
                .chars()
                .next()
                .is_some_and(|c| APOSTROPHES.contains(&c));
            let lower = word.to_lowercase();
            if before_apostrophe && self.lexicon.elisions.contains(&lower) {
                continue;
            }
            self.token.text = lower;
            self.token.offset_from = start;
            self.token.offset_to = end;
            self.token.position = self.token.position.wrapping_add(1);
            return true;
        }
        false
    }

    fn token(&self) -> &Token {
        self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        self.token
    }
}

/// Drops stop words (compared after folding) and numbers the remaining words
/// 0, 1, 2... without gaps.
#[derive(Clone)]
pub struct StopWords {
    lexicon: Arc<Lexicon>,
}

impl TokenFilter for StopWords {
    type Tokenizer<T: Tokenizer> = StopWordsWrapper<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> StopWordsWrapper<T> {
        StopWordsWrapper {
            lexicon: self.lexicon,
            inner: tokenizer,
        }
    }
}

#[derive(Clone)]
pub struct StopWordsWrapper<T> {
    lexicon: Arc<Lexicon>,
    inner: T,
}

impl<T: Tokenizer> Tokenizer for StopWordsWrapper<T> {
    type TokenStream<'a> = StopWordsStream<'a, T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        StopWordsStream {
            lexicon: &self.lexicon,
            tail: self.inner.token_stream(text),
            next_position: 0,
        }
    }
}

pub struct StopWordsStream<'a, T> {
    lexicon: &'a Lexicon,
    tail: T,
    next_position: usize,
}

impl<T: TokenStream> TokenStream for StopWordsStream<'_, T> {
    fn advance(&mut self) -> bool {
        while self.tail.advance() {
            if !self.lexicon.is_stopword(&self.tail.token().text) {
                self.tail.token_mut().position = self.next_position;
                self.next_position += 1;
                return true;
            }
        }
        false
    }

    fn token(&self) -> &Token {
        self.tail.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.tail.token_mut()
    }
}

/// The analyzer of the exact fields: words, lower case, folding, elision,
/// stop words; no stemming.
pub fn exact_analyzer(lexicon: Arc<Lexicon>) -> TextAnalyzer {
    TextAnalyzer::builder(ItalianTokenizer::new(lexicon.clone()))
        .filter(AsciiFoldingFilter)
        .filter(RemoveLongFilter::limit(MAX_TERM_BYTES))
        .filter(StopWords { lexicon })
        .build()
}

/// Words already analysed by one analyzer, so that the Snowball stemmer (and
/// the compound check, which stems too) runs once per distinct word rather
/// than once per occurrence. Stemming bounds indexing, and the index
/// analyses each text twice with the stemmed analyzer (its own field and
/// `any_stem`, see [`super::schema`]). tantivy clones the registered
/// analyzer for each segment it writes, so each writer thread has its own
/// memo, filled as it goes and dropped with the segment; a clone made for a
/// query or a highlight starts from the registered one, empty. Bounded:
/// emptied when full (a segment of a few hundred thousand records has far
/// fewer distinct words). A highlight analyses a few short texts with an
/// analyzer of its own ([`Analyzers::stem_highlight`]): there a memo would
/// cost more than it saves, and it keeps nothing (`Memo::new(false)`).
#[derive(Clone, Debug)]
pub struct Memo<V> {
    words: HashMap<String, V>,
    enabled: bool,
}

impl<V> Memo<V> {
    const CAPACITY: usize = 200_000;

    /// A memo that keeps what it is given when `enabled`, nothing otherwise.
    fn new(enabled: bool) -> Self {
        Self {
            words: HashMap::new(),
            enabled,
        }
    }

    /// The value of `word`, computed by `compute` the first time; `None`
    /// when this memo keeps nothing (the caller computes it).
    fn get_or_insert_with(&mut self, word: &str, compute: impl FnOnce() -> V) -> Option<&V> {
        if !self.enabled {
            return None;
        }
        if !self.words.contains_key(word) {
            if self.words.len() >= Self::CAPACITY {
                self.words.clear();
            }
            let value = compute();
            self.words.insert(word.to_owned(), value);
        }
        self.words.get(word)
    }
}

/// The analyzer of the stemmed fields: [`exact_analyzer`], the rests of
/// one-word compounds beside them ([`CompoundRests`]), then the Italian
/// Snowball stemmer.
pub fn stem_analyzer(lexicon: Arc<Lexicon>) -> TextAnalyzer {
    stem_analyzer_with(lexicon, true, None)
}

/// [`stem_analyzer`], remembering the words it stemmed or not (see
/// [`Memo`]), stemming only the words that may stem to one of `heads`'
/// stems when given.
fn stem_analyzer_with(
    lexicon: Arc<Lexicon>,
    memo: bool,
    heads: Option<Arc<Heads>>,
) -> TextAnalyzer {
    TextAnalyzer::builder(ItalianTokenizer::new(lexicon.clone()))
        .filter(AsciiFoldingFilter)
        .filter(RemoveLongFilter::limit(MAX_TERM_BYTES))
        .filter(StopWords {
            lexicon: lexicon.clone(),
        })
        .filter(CompoundRests {
            lexicon: lexicon.clone(),
            memo,
        })
        .filter(ItalianStemmer {
            lexicon,
            memo,
            heads,
        })
        .build()
}

/// The first letters of the stems a highlight looks for. The Snowball
/// stemmer removes or rewrites only the end of a word, never its first two
/// letters (its regions RV, R1 and R2 all start after the second), and
/// the overrides of `stems-it.txt` are looked up apart: so a word cannot
/// stem to a stem of two letters or more unless it starts with the same
/// two, nor to a stem of one letter unless it starts with it, and a
/// highlight need not stem the others. Left as they are, they cannot match
/// either (they start like no stem). A highlight analyses every word of ten
/// hits' texts, and stemming was most of its cost.
#[derive(Debug)]
pub struct Heads {
    /// The first two letters of each stem (the whole stem when shorter).
    heads: HashSet<String>,
}

impl Heads {
    pub fn of<'a>(stems: impl IntoIterator<Item = &'a str>) -> Self {
        let heads = stems
            .into_iter()
            .map(|stem| first_letters(stem, 2).to_owned())
            .collect();
        Self { heads }
    }

    /// Whether `word` (folded) may stem to one of the stems: it starts like
    /// one of two letters or more, or with one of one letter, or it has an
    /// override.
    fn may_stem_to_one(&self, lexicon: &Lexicon, word: &str) -> bool {
        self.heads.contains(first_letters(word, 2))
            || self.heads.contains(first_letters(word, 1))
            || lexicon.stems.contains_key(word)
    }
}

/// The first `count` letters of `word` (all of it when shorter).
fn first_letters(word: &str, count: usize) -> &str {
    let end = word
        .char_indices()
        .nth(count)
        .map_or(word.len(), |(at, _)| at);
    &word[..end]
}

/// After a one-word compound ("antiviolenza"), its rest ("violenza") at the
/// same position and offsets, so that the stemmed field finds the compound
/// by its rest and highlights the whole word. Queries are analysed word by
/// word ([`Analyzers::analyze`]) and are not split: a search for the
/// compound finds the compound.
#[derive(Clone)]
pub struct CompoundRests {
    lexicon: Arc<Lexicon>,
    /// Whether to remember the words checked ([`Memo`]).
    memo: bool,
}

impl TokenFilter for CompoundRests {
    type Tokenizer<T: Tokenizer> = CompoundRestsWrapper<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> CompoundRestsWrapper<T> {
        CompoundRestsWrapper {
            lexicon: self.lexicon,
            inner: tokenizer,
            memo: Memo::new(self.memo),
        }
    }
}

#[derive(Clone)]
pub struct CompoundRestsWrapper<T> {
    lexicon: Arc<Lexicon>,
    inner: T,
    /// Per word, where its compound's rest starts (bytes), if it is one.
    memo: Memo<Option<usize>>,
}

impl<T: Tokenizer> Tokenizer for CompoundRestsWrapper<T> {
    type TokenStream<'a> = CompoundRestsStream<'a, T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        CompoundRestsStream {
            lexicon: &self.lexicon,
            stemmer: frostem::Stemmer::new(frostem::Algorithm::Italian),
            memo: &mut self.memo,
            tail: self.inner.token_stream(text),
            pending: None,
            rest: None,
        }
    }
}

pub struct CompoundRestsStream<'a, T> {
    lexicon: &'a Lexicon,
    stemmer: frostem::Stemmer,
    memo: &'a mut Memo<Option<usize>>,
    tail: T,
    /// The rest of the compound just given, to give next.
    pending: Option<Token>,
    /// The rest being given now (the tail's token otherwise).
    rest: Option<Token>,
}

impl<T: TokenStream> TokenStream for CompoundRestsStream<'_, T> {
    fn advance(&mut self) -> bool {
        if let Some(rest) = self.pending.take() {
            self.rest = Some(rest);
            return true;
        }
        self.rest = None;
        if !self.tail.advance() {
            return false;
        }
        let token = self.tail.token();
        let (lexicon, stemmer) = (self.lexicon, &self.stemmer);
        let rest_from = |word: &str| {
            lexicon
                .compound_rest(stemmer, word)
                .map(|rest| word.len() - rest.len())
        };
        let from = match self
            .memo
            .get_or_insert_with(&token.text, || rest_from(&token.text))
        {
            Some(from) => *from,
            None => rest_from(&token.text),
        };
        if let Some(rest) = from.and_then(|from| token.text.get(from..)) {
            self.pending = Some(Token {
                text: rest.to_owned(),
                ..token.clone()
            });
        }
        true
    }

    fn token(&self) -> &Token {
        self.rest.as_ref().unwrap_or_else(|| self.tail.token())
    }

    fn token_mut(&mut self) -> &mut Token {
        match &mut self.rest {
            Some(rest) => rest,
            None => self.tail.token_mut(),
        }
    }
}

/// The Italian Snowball stemmer (the one tantivy's `Stemmer` runs), with
/// the overrides of `assets/search/stems-it.txt` first.
#[derive(Clone)]
pub struct ItalianStemmer {
    lexicon: Arc<Lexicon>,
    /// Whether to remember the words stemmed ([`Memo`]).
    memo: bool,
    /// When set, only the words that may stem to one of these stems are
    /// stemmed; the others pass as they are ([`Heads`]).
    heads: Option<Arc<Heads>>,
}

impl TokenFilter for ItalianStemmer {
    type Tokenizer<T: Tokenizer> = ItalianStemmerWrapper<T>;

    fn transform<T: Tokenizer>(self, tokenizer: T) -> ItalianStemmerWrapper<T> {
        ItalianStemmerWrapper {
            lexicon: self.lexicon,
            inner: tokenizer,
            memo: Memo::new(self.memo),
            heads: self.heads,
        }
    }
}

#[derive(Clone)]
pub struct ItalianStemmerWrapper<T> {
    lexicon: Arc<Lexicon>,
    inner: T,
    /// Word → its stem.
    memo: Memo<String>,
    heads: Option<Arc<Heads>>,
}

impl<T: Tokenizer> Tokenizer for ItalianStemmerWrapper<T> {
    type TokenStream<'a> = ItalianStemmerStream<'a, T::TokenStream<'a>>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> Self::TokenStream<'a> {
        ItalianStemmerStream {
            lexicon: &self.lexicon,
            stemmer: frostem::Stemmer::new(frostem::Algorithm::Italian),
            memo: &mut self.memo,
            heads: self.heads.as_deref(),
            tail: self.inner.token_stream(text),
            buffer: String::new(),
        }
    }
}

pub struct ItalianStemmerStream<'a, T> {
    lexicon: &'a Lexicon,
    stemmer: frostem::Stemmer,
    memo: &'a mut Memo<String>,
    heads: Option<&'a Heads>,
    tail: T,
    buffer: String,
}

impl<T: TokenStream> TokenStream for ItalianStemmerStream<'_, T> {
    fn advance(&mut self) -> bool {
        if !self.tail.advance() {
            return false;
        }
        let token = self.tail.token_mut();
        let (lexicon, stemmer) = (self.lexicon, &self.stemmer);
        if self
            .heads
            .is_some_and(|heads| !heads.may_stem_to_one(lexicon, &token.text))
        {
            return true;
        }
        let stem = self.memo.get_or_insert_with(&token.text, || {
            lexicon.stem(stemmer, &token.text).into_owned()
        });
        // Copied into a buffer that takes the word's place, rather than
        // allocating for every word (as tantivy's own filter does).
        self.buffer.clear();
        match stem {
            Some(stem) => self.buffer.push_str(stem),
            None => self.buffer.push_str(&lexicon.stem(stemmer, &token.text)),
        }
        std::mem::swap(&mut token.text, &mut self.buffer);
        true
    }

    fn token(&self) -> &Token {
        self.tail.token()
    }

    fn token_mut(&mut self) -> &mut Token {
        self.tail.token_mut()
    }
}

/// One word of analysed text, in both forms.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AnalyzedToken {
    /// Lower-cased, folded word ("abitative").
    pub exact: String,
    /// Its Italian stem ("abit").
    pub stem: String,
    /// Position among the kept words (0, 1, 2...).
    pub position: usize,
    /// Byte range in the analysed text.
    pub offset_from: usize,
    pub offset_to: usize,
}

/// Both analyzers, for queries and snippets. Cheap to clone.
#[derive(Clone)]
pub struct Analyzers {
    pub lexicon: Arc<Lexicon>,
    pub exact: TextAnalyzer,
    /// The stemmed fields' analyzer, as indexing registers it.
    pub stem: TextAnalyzer,
    stem_only: TextAnalyzer,
}

impl std::fmt::Debug for Analyzers {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Analyzers").finish_non_exhaustive()
    }
}

impl Analyzers {
    pub fn new(lexicon: Arc<Lexicon>) -> Self {
        Self {
            exact: exact_analyzer(lexicon.clone()),
            stem: stem_analyzer(lexicon.clone()),
            stem_only: TextAnalyzer::builder(RawTokenizer::default())
                .filter(ItalianStemmer {
                    lexicon: lexicon.clone(),
                    memo: false,
                    heads: None,
                })
                .build(),
            lexicon,
        }
    }

    /// The stemmed analysis of a hit's texts for highlighting these stems:
    /// without a memo (a few short texts would fill it for nothing), and
    /// stemming only the words that may stem to one of them ([`Heads`]).
    pub fn stem_highlight<'a>(&self, stems: impl IntoIterator<Item = &'a str>) -> TextAnalyzer {
        stem_analyzer_with(
            self.lexicon.clone(),
            false,
            Some(Arc::new(Heads::of(stems))),
        )
    }

    /// The analyzers of the built-in lexicon.
    pub fn builtin() -> Self {
        Self::new(Lexicon::builtin())
    }

    /// The stem of one already analysed (exact) word.
    pub fn stem_word(&self, exact: &str) -> String {
        let mut analyzer = self.stem_only.clone();
        let mut stream = analyzer.token_stream(exact);
        match stream.next() {
            Some(token) if !token.text.is_empty() => token.text.clone(),
            _ => exact.to_owned(),
        }
    }

    /// Analyses text into words with their stems.
    pub fn analyze(&self, text: &str) -> Vec<AnalyzedToken> {
        let mut analyzer = self.exact.clone();
        let mut stream = analyzer.token_stream(text);
        let mut tokens = Vec::new();
        while let Some(token) = stream.next() {
            tokens.push(AnalyzedToken {
                exact: token.text.clone(),
                stem: String::new(),
                position: token.position,
                offset_from: token.offset_from,
                offset_to: token.offset_to,
            });
        }
        for token in &mut tokens {
            token.stem = self.stem_word(&token.exact);
        }
        tokens
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// The stems of `text` under the built-in dictionaries.
    pub(crate) fn stems(text: &str) -> Vec<String> {
        Analyzers::builtin()
            .analyze(text)
            .into_iter()
            .map(|t| t.stem)
            .collect()
    }

    #[test]
    fn the_overrides_join_singular_and_plural_and_part_unrelated_words() {
        assert_eq!(stems("anziano anziana anziani"), vec!["anzian"; 3]);
        assert_eq!(stems("quartiere quartieri"), vec!["quartier"; 2]);
        assert_eq!(stems("orto orti"), vec!["ort"; 2]);
        assert_ne!(stems("sanità"), stems("San"));
        assert_ne!(stems("quartiere"), stems("Quarto"));
        assert_ne!(stems("salute"), stems("sala"));
        assert_ne!(stems("comunità"), stems("comune"));
        assert_ne!(stems("caso"), stems("casa"));
        assert_ne!(stems("Isola"), stems("isolati"));
        assert_eq!(stems("bando bandi"), vec!["bando"; 2]);
        assert_ne!(stems("bandi"), stems("Bande"));
        assert_ne!(stems("banco"), stems("banca"));
        // Accents and case do not matter, in the file or in the text.
        assert_eq!(stems("SANITA"), stems("sanità"));
        // The index's stemmed field agrees with the query side.
        let mut analyzer = stem_analyzer(Lexicon::builtin());
        let mut stream = analyzer.token_stream("Anziani del quartiere");
        let mut indexed = Vec::new();
        while let Some(token) = stream.next() {
            indexed.push(token.text.clone());
        }
        assert_eq!(indexed, stems("Anziani del quartiere"));
    }

    #[test]
    fn nouns_in_iere_keep_their_forms_together() {
        assert_eq!(
            stems("infermiere infermieri infermiera"),
            vec!["infermier"; 3]
        );
        assert_eq!(stems("straniere stranieri straniera"), vec!["stranier"; 3]);
        assert_eq!(stems("barriera barriere"), vec!["barrier"; 2]);
        assert_eq!(stems("cantiere cantieri"), vec!["cantier"; 2]);
        assert_ne!(stems("cantiere"), stems("canto"));
        assert_ne!(stems("bandiere"), stems("banda"));
        // Words that only end like them are the stemmer's: a verb in
        // "-ere", a short word.
        assert_eq!(stems("vedere")[0], stems("vede")[0]);
        assert_eq!(stems("fiere"), stems("fiera"));
    }

    /// The terms the index's stemmed field gets for `text`, with positions.
    fn indexed(text: &str) -> Vec<(String, usize)> {
        let mut analyzer = stem_analyzer(Lexicon::builtin());
        let mut stream = analyzer.token_stream(text);
        let mut terms = Vec::new();
        while let Some(token) = stream.next() {
            terms.push((token.text.clone(), token.position));
        }
        terms
    }

    #[test]
    fn one_word_compounds_are_filed_under_their_rest_too() {
        let violenza = stems("violenza")[0].clone();
        assert_eq!(
            indexed("centro antiviolenza"),
            [
                (stems("centro")[0].clone(), 0),
                (stems("antiviolenza")[0].clone(), 1),
                (violenza, 1),
            ]
        );
        for (compound, rest) in [
            ("multiservizi", "servizi"),
            ("coprogettazione", "progettazione"),
            ("cohousing", "housing"),
            ("doposcuola", "scuola"),
            ("autorecupero", "recupero"),
        ] {
            let terms: Vec<String> = indexed(compound).into_iter().map(|(t, _)| t).collect();
            assert_eq!(
                terms,
                [stems(compound)[0].clone(), stems(rest)[0].clone()],
                "{compound}"
            );
        }
        // A prefix's letters that begin an ordinary word split nothing.
        for word in [
            "cooperativa",
            "comunità",
            "comune",
            "prestito",
            "interventi",
            "sottoscrizione",
            "internazionale",
            "intermediazione",
            "postazioni",
        ] {
            assert_eq!(indexed(word).len(), 1, "{word}: {:?}", indexed(word));
        }
        // Queries are read word by word, unsplit.
        assert_eq!(stems("antiviolenza").len(), 1);
    }

    #[test]
    fn a_line_without_an_arrow_overrides_nothing() {
        let lexicon = Lexicon::from_files("", "", "anziano\nsanità => sanit\n");
        assert_eq!(lexicon.stems.len(), 1);
        assert_eq!(
            lexicon.stems.get("sanita").map(String::as_str),
            Some("sanit")
        );
    }

    fn exact(text: &str) -> Vec<(String, usize)> {
        Analyzers::builtin()
            .analyze(text)
            .into_iter()
            .map(|t| (t.exact, t.position))
            .collect()
    }

    #[test]
    fn inflections_and_accents_meet_on_one_stem() {
        assert_eq!(
            stems("cooperative abitative"),
            stems("cooperativa di abitanti")
        );
        assert_eq!(stems("città"), stems("citta"));
        assert_eq!(stems("CITTÀ"), vec!["citt"]);
        assert_eq!(stems("Università"), stems("universita"));
    }

    #[test]
    fn elisions_are_dropped_with_either_apostrophe() {
        assert_eq!(exact("dell'abitare"), vec![("abitare".to_owned(), 0)]);
        assert_eq!(exact("L’Abitare"), vec![("abitare".to_owned(), 0)]);
        assert_eq!(
            exact("un'associazione"),
            vec![("associazione".to_owned(), 0)]
        );
        assert_eq!(
            exact("quest'anno all'ex scuola"),
            vec![
                ("anno".to_owned(), 0),
                ("ex".to_owned(), 1),
                ("scuola".to_owned(), 2)
            ]
        );
        // Not an elided article: kept.
        assert_eq!(exact("po' di tempo")[0].0, "po");
    }

    #[test]
    fn stop_words_leave_no_gap_in_positions() {
        assert_eq!(
            exact("Cooperativa di abitanti e della città"),
            vec![
                ("cooperativa".to_owned(), 0),
                ("abitanti".to_owned(), 1),
                ("citta".to_owned(), 2)
            ]
        );
        // Folded before comparing: "perché" and "perche" are both stop words.
        assert!(exact("perché perche più").is_empty());
    }

    #[test]
    fn offsets_point_into_the_original_text() {
        let text = "Il portierato sociale dell’ALER";
        let tokens = Analyzers::builtin().analyze(text);
        let words: Vec<&str> = tokens
            .iter()
            .map(|t| &text[t.offset_from..t.offset_to])
            .collect();
        assert_eq!(words, vec!["portierato", "sociale", "ALER"]);
    }

    #[test]
    fn the_fingerprint_is_stable() {
        assert_eq!(fingerprint(), fingerprint());
        assert_eq!(fingerprint().len(), 16);
    }

    /// The texts of the relevance fixture (realistic Italian, with their
    /// distractors) and the concept model's words and phrases.
    fn realistic_texts() -> Vec<String> {
        let corpus: serde_json::Value =
            serde_json::from_str(include_str!("../../tests/fixtures/relevance/corpus.json"))
                .expect("the relevance fixture is JSON");
        let mut texts = Vec::new();
        for list in ["organizations", "offers", "needs"] {
            for record in corpus[list].as_array().into_iter().flatten() {
                for field in ["name", "title", "description", "territoryScope"] {
                    if let Some(text) = record[field].as_str() {
                        texts.push(text.to_owned());
                    }
                }
            }
        }
        let concepts = super::super::concepts::ConceptModel::builtin();
        texts.extend(concepts.concepts.iter().flat_map(|c| c.terms.clone()));
        texts
    }

    /// What [`Heads`] rests on: the stemmer keeps the first two letters of
    /// every word (the overrides aside), here of every word of realistic
    /// texts.
    #[test]
    fn stemming_keeps_the_first_two_letters_of_a_word() {
        let analyzers = Analyzers::builtin();
        let lexicon = &analyzers.lexicon;
        let stemmer = frostem::Stemmer::new(frostem::Algorithm::Italian);
        let mut checked = 0;
        for text in realistic_texts() {
            for token in analyzers.analyze(&text) {
                let word = token.exact.as_str();
                if lexicon.stems.contains_key(word) {
                    continue;
                }
                let stem = lexicon.stem(&stemmer, word);
                assert!(!stem.is_empty(), "{word}");
                let letters = stem.chars().count().min(2);
                assert_eq!(
                    first_letters(&stem, letters),
                    first_letters(word, letters),
                    "{word} -> {stem}"
                );
                checked += 1;
            }
        }
        assert!(checked > 5_000, "{checked}");
    }

    /// A highlight's analysis marks the same words as the full stemmed
    /// analysis, for sets of stems drawn from realistic texts (every stem
    /// of them, fifty at a time, and each override's stem).
    #[test]
    fn a_highlight_stems_only_what_may_match_and_marks_the_same_words() {
        let analyzers = Analyzers::builtin();
        let texts = realistic_texts();
        let tokens = |analyzer: &mut TextAnalyzer, text: &str| {
            let mut stream = analyzer.token_stream(text);
            let mut tokens = Vec::new();
            while let Some(token) = stream.next() {
                tokens.push((token.offset_from, token.offset_to, token.text.clone()));
            }
            tokens
        };
        let mut full = analyzers.stem.clone();
        let analysed: Vec<Vec<(usize, usize, String)>> =
            texts.iter().map(|t| tokens(&mut full, t)).collect();
        let mut stems: Vec<String> = analysed
            .iter()
            .flatten()
            .map(|(_, _, stem)| stem.clone())
            .chain(analyzers.lexicon.stems.values().cloned())
            .collect();
        stems.sort();
        stems.dedup();
        // Sets of stems spread over the alphabet (every n-th), as a query's.
        let sets = stems.len().div_ceil(50);
        let (mut marked_words, mut compared_words, mut unstemmed_words) = (0, 0, 0);
        for set in 0..sets {
            let chosen: HashSet<&str> = stems
                .iter()
                .skip(set)
                .step_by(sets)
                .map(String::as_str)
                .collect();
            let mut highlight = analyzers.stem_highlight(chosen.iter().copied());
            for (text, expected) in texts.iter().zip(&analysed) {
                let marks = |tokens: &[(usize, usize, String)]| -> Vec<(usize, usize)> {
                    tokens
                        .iter()
                        .filter(|(_, _, text)| chosen.contains(text.as_str()))
                        .map(|(from, to, _)| (*from, *to))
                        .collect()
                };
                let want = marks(expected);
                let got = tokens(&mut highlight, text);
                assert_eq!(marks(&got), want, "{text}");
                marked_words += want.len();
                // Words left unstemmed: the analysis did skip work.
                compared_words += got.len();
                unstemmed_words += got
                    .iter()
                    .zip(expected)
                    .filter(|((_, _, mine), (_, _, stem))| mine != stem)
                    .count();
            }
        }
        assert!(marked_words > 5_000, "{marked_words}");
        // Many words start like none of fifty stems and are not stemmed
        // (a third here; with each stem's first letter taken as a head too,
        // under 1%).
        assert!(
            unstemmed_words * 4 > compared_words,
            "{unstemmed_words} of {compared_words} left unstemmed"
        );
    }
}
