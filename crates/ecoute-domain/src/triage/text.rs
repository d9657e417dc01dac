//! From what a person wrote to normalised tokens.
//!
//! Every token is lower-case without accents ("réveiller" and "reveiller" read alike), keeps the
//! byte range it came from (so the words that triggered a cue can be shown as written), and
//! knows its sentence, its clause and whether it lies inside quotation marks. Contractions are
//! spelt out so that the lexicon needs one spelling: "j'ai" → "je ai", "don't" → "do not",
//! "I'm" → "i am", "gonna" → "going to", "jvais" → "je vais". Digits and letters are split,
//! so "800mg" is the two tokens "800" and "mg". Emojis are tokens of their own.
//!
//! One pass over the characters, one over the pieces: linear in the length of the text.

/// What a token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// Letters.
    Word,
    /// Digits (with a decimal point or comma between digits).
    Number,
    /// Anything else that is not punctuation or space: emojis, mostly.
    Symbol,
}

/// One normalised token.
#[derive(Debug, Clone)]
pub(crate) struct Token {
    /// Lower case, accents removed, contraction spelt out.
    pub norm: String,
    pub kind: Kind,
    /// The value of a number token (0 otherwise).
    pub value: f64,
    /// Byte range in the original text.
    pub start: usize,
    pub end: usize,
    /// Sentence index (split at . ! ? ; … and line breaks).
    pub sentence: usize,
    /// Clause index (sentences, and also commas, colons, brackets, "but", "mais").
    pub clause: usize,
    /// The quotation this token is inside, if any (index into [`Text::quotes`]).
    pub quote: Option<usize>,
}

/// A paired quotation in the text.
#[derive(Debug, Clone)]
pub(crate) struct Quote {
    /// Byte offset of the opening mark.
    pub open: usize,
}

/// A tokenised text.
#[derive(Debug, Clone)]
pub(crate) struct Text {
    pub tokens: Vec<Token>,
    pub quotes: Vec<Quote>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum QuoteKind {
    Double,
    Single,
    Guillemet,
    Curly,
    CurlySingle,
}

#[derive(Debug)]
enum Piece {
    Letters {
        s: String,
        start: usize,
        end: usize,
    },
    Digits {
        s: String,
        start: usize,
        end: usize,
    },
    /// An apostrophe between two letters ("j'ai", "don't").
    Apostrophe,
    /// A quotation mark that may open (`open`), close (`close`), or both.
    QuoteMark {
        kind: QuoteKind,
        at: usize,
        open: bool,
        close: bool,
    },
    SentenceEnd,
    ClauseEnd,
    Symbol {
        s: String,
        start: usize,
        end: usize,
    },
    Space,
}

/// Lower-cases `c` and removes its accent, appending the result to `out`.
pub(crate) fn fold_char(c: char, out: &mut String) {
    for l in c.to_lowercase() {
        let folded = match l {
            'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' | 'ă' | 'ą' => "a",
            'ç' | 'ć' | 'č' => "c",
            'è' | 'é' | 'ê' | 'ë' | 'ē' | 'ė' | 'ę' | 'ě' => "e",
            'ì' | 'í' | 'î' | 'ï' | 'ī' | 'į' | 'ı' => "i",
            'ñ' | 'ń' | 'ň' => "n",
            'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' | 'ő' => "o",
            'ù' | 'ú' | 'û' | 'ü' | 'ū' | 'ů' | 'ű' | 'ų' => "u",
            'ý' | 'ÿ' => "y",
            'œ' => "oe",
            'æ' => "ae",
            'ß' => "ss",
            'š' | 'ś' => "s",
            'ž' | 'ź' | 'ż' => "z",
            'ł' => "l",
            _ => {
                out.push(l);
                continue;
            }
        };
        out.push_str(folded);
    }
}

/// Normalises one word the way the text is normalised (for the lexicon's entries).
pub(crate) fn fold(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        fold_char(c, &mut out);
    }
    out
}

/// Characters that carry no letter of their own: combining accents of decomposed text,
/// variation selectors, the zero-width joiner, skin-tone modifiers.
fn is_invisible(c: char) -> bool {
    matches!(c as u32,
        0x0300..=0x036F | 0xFE00..=0xFE0F | 0x200B..=0x200D | 0x2060 | 0xFEFF | 0x1F3FB..=0x1F3FF)
}

fn is_apostrophe(c: char) -> bool {
    matches!(c, '\'' | '’' | 'ʼ' | '`' | '´')
}

fn pieces(text: &str) -> Vec<Piece> {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut out = Vec::new();
    let mut i = 0;
    let at = |j: usize| chars.get(j).map(|&(_, c)| c);
    let is_letter = |c: Option<char>| c.is_some_and(|c| c.is_alphabetic() || is_invisible(c));
    while i < chars.len() {
        let (start, c) = chars[i];
        if c.is_alphabetic() {
            let mut s = String::new();
            let mut j = i;
            while let Some(c) = at(j) {
                if c.is_alphabetic() {
                    fold_char(c, &mut s);
                } else if !is_invisible(c) {
                    break;
                }
                j += 1;
            }
            let end = chars.get(j).map_or(text.len(), |&(b, _)| b);
            out.push(Piece::Letters { s, start, end });
            i = j;
        } else if c.is_ascii_digit() {
            let mut s = String::new();
            let mut j = i;
            while let Some(c) = at(j) {
                if c.is_ascii_digit() {
                    s.push(c);
                } else if (c == '.' || c == ',') && at(j + 1).is_some_and(|d| d.is_ascii_digit()) {
                    s.push('.');
                } else {
                    break;
                }
                j += 1;
            }
            let end = chars.get(j).map_or(text.len(), |&(b, _)| b);
            out.push(Piece::Digits { s, start, end });
            i = j;
        } else {
            let prev = if i > 0 { at(i - 1) } else { None };
            let next = at(i + 1);
            let piece = if is_apostrophe(c) && is_letter(prev) && is_letter(next) {
                Piece::Apostrophe
            } else if c == '\'' || c == '’' || c == '‘' {
                // A single quotation mark: it opens before a word, closes after one.
                let before_word = next.is_some_and(|n| n.is_alphanumeric());
                let after_word = prev.is_some_and(|p| !p.is_whitespace());
                let at_start = prev.is_none_or(|p| p.is_whitespace() || "([{«\"“".contains(p));
                let at_end = next.is_none_or(|n| !n.is_alphanumeric());
                let kind = if c == '\'' {
                    QuoteKind::Single
                } else {
                    QuoteKind::CurlySingle
                };
                Piece::QuoteMark {
                    kind,
                    at: start,
                    open: before_word && at_start && c != '’',
                    close: after_word && at_end && c != '‘',
                }
            } else {
                match c {
                    '"' => Piece::QuoteMark {
                        kind: QuoteKind::Double,
                        at: start,
                        open: true,
                        close: true,
                    },
                    '«' | '‹' => Piece::QuoteMark {
                        kind: QuoteKind::Guillemet,
                        at: start,
                        open: true,
                        close: false,
                    },
                    '»' | '›' => Piece::QuoteMark {
                        kind: QuoteKind::Guillemet,
                        at: start,
                        open: false,
                        close: true,
                    },
                    '“' | '„' => Piece::QuoteMark {
                        kind: QuoteKind::Curly,
                        at: start,
                        open: true,
                        close: false,
                    },
                    '”' => Piece::QuoteMark {
                        kind: QuoteKind::Curly,
                        at: start,
                        open: false,
                        close: true,
                    },
                    '.' | '!' | '?' | ';' | '…' | '\n' | '\r' | '¿' | '¡' => Piece::SentenceEnd,
                    ',' | ':' | '(' | ')' | '[' | ']' | '{' | '}' | '–' | '—' | '/' | '|' => {
                        Piece::ClauseEnd
                    }
                    // A hyphen joins words ("grand-mère"); alone between spaces it is a dash.
                    '-' if prev.is_some_and(char::is_whitespace) => Piece::ClauseEnd,
                    c if c.is_whitespace()
                        || is_invisible(c)
                        || c.is_ascii_punctuation()
                        || c.is_control() =>
                    {
                        Piece::Space
                    }
                    c => {
                        let end = start + c.len_utf8();
                        Piece::Symbol {
                            s: c.to_string(),
                            start,
                            end,
                        }
                    }
                }
            };
            out.push(piece);
            i += 1;
        }
    }
    out
}

/// Spellings without their apostrophe, and shorthand, spelt out.
fn expand_shorthand(word: &str, english: bool) -> Option<&'static [&'static str]> {
    Some(match word {
        "im" => &["i", "am"],
        "ive" => &["i", "have"],
        "gonna" => &["going", "to"],
        "wanna" => &["want", "to"],
        "gotta" => &["got", "to"],
        "imma" | "ima" => &["i", "am", "going", "to"],
        "cant" => &["can", "not"],
        "cannot" => &["can", "not"],
        "wont" => &["will", "not"],
        "didnt" => &["did", "not"],
        "doesnt" => &["does", "not"],
        "isnt" => &["is", "not"],
        "wasnt" => &["was", "not"],
        "arent" => &["are", "not"],
        "wouldnt" => &["would", "not"],
        "couldnt" => &["could", "not"],
        "shouldnt" => &["should", "not"],
        "havent" => &["have", "not"],
        "hasnt" => &["has", "not"],
        // "dont" is also a French word ("dont j'ai besoin").
        "dont" if english => &["do", "not"],
        "jai" => &["je", "ai"],
        "jsuis" | "jsui" | "chuis" | "chui" => &["je", "suis"],
        "jvais" => &["je", "vais"],
        "jveux" | "jvx" => &["je", "veux"],
        "jpeux" => &["je", "peux"],
        "jpense" => &["je", "pense"],
        "jme" => &["je", "me"],
        "jmen" => &["je", "me", "en"],
        "jen" => &["je", "en"],
        "jsp" => &["je", "sais", "pas"],
        "cest" => &["ce", "est"],
        "ya" => &["y", "a"],
        "tt" => &["tout"],
        "vx" => &["veux"],
        "tjrs" | "tjs" => &["toujours"],
        "pk" | "pq" => &["pourquoi"],
        _ => return None,
    })
}

/// The French elisions: what "j'", "m'", "qu'"… stand for.
fn french_elision(before: &str) -> Option<&'static str> {
    Some(match before {
        "j" => "je",
        "m" => "me",
        "t" => "te",
        "l" => "le",
        "d" => "de",
        "n" => "ne",
        "s" => "se",
        "c" => "ce",
        "qu" => "que",
        "jusqu" => "jusque",
        "lorsqu" => "lorsque",
        "puisqu" => "puisque",
        _ => return None,
    })
}

/// English contractions: "don't", "I'm", "I've"… → the words they stand for. `before` and
/// `after` are the letters on each side of the apostrophe.
fn english_contraction(before: &str, after: &str) -> Option<(String, &'static str)> {
    let tail = match after {
        "t" if before.ends_with('n') => {
            let head = match before {
                "won" => "will".to_string(),
                "can" => "can".to_string(),
                "shan" => "shall".to_string(),
                "ain" => "is".to_string(),
                b => b[..b.len() - 1].to_string(),
            };
            return Some((head, "not"));
        }
        "m" => "am",
        "ve" => "have",
        "ll" => "will",
        "d" => "would",
        "re" => "are",
        "s" => "s",
        _ => return None,
    };
    Some((before.to_string(), tail))
}

const EN_HINTS: &[&str] = &[
    "the", "i", "and", "to", "my", "is", "you", "it", "of", "in", "me", "not", "have", "this",
    "that", "for", "with", "am", "was", "im", "want", "so", "just", "what", "be",
];
const FR_HINTS: &[&str] = &[
    "je", "le", "la", "les", "de", "et", "est", "pas", "un", "une", "que", "mon", "ma", "mes",
    "ce", "pour", "dans", "des", "du", "en", "il", "elle", "ne", "me", "suis", "plus", "tout",
];

/// Whether the text reads as English rather than French, by counting common words.
fn looks_english(pieces: &[Piece]) -> bool {
    let (mut en, mut fr) = (0u32, 0u32);
    for p in pieces {
        if let Piece::Letters { s, .. } = p {
            en += u32::from(EN_HINTS.contains(&s.as_str()));
            fr += u32::from(FR_HINTS.contains(&s.as_str()));
        }
    }
    en > fr
}

/// Tokenises `text`.
pub(crate) fn tokenize(text: &str) -> Text {
    let pieces = pieces(text);
    let english = looks_english(&pieces);

    // Pair the quotation marks: a mark closes the open quotation of its kind, or opens one
    // when none is open. A quotation never closed quotes nothing: a stray mark must not hide
    // the rest of a message.
    let mut quote_of_piece: Vec<Option<usize>> = vec![None; pieces.len()];
    let mut quotes = Vec::new();
    let mut open: Option<(QuoteKind, usize, usize)> = None; // kind, piece index, byte offset
    for (i, p) in pieces.iter().enumerate() {
        if let Piece::QuoteMark {
            kind,
            at,
            open: can_open,
            close: can_close,
        } = *p
        {
            match open {
                Some((k, from, at0)) if k == kind && can_close => {
                    let q = quotes.len();
                    quotes.push(Quote { open: at0 });
                    for slot in &mut quote_of_piece[from + 1..i] {
                        *slot = Some(q);
                    }
                    open = None;
                }
                None if can_open => open = Some((kind, i, at)),
                _ => {}
            }
        }
    }

    let mut b = Builder::default();
    let mut i = 0;
    while i < pieces.len() {
        let q = quote_of_piece[i];
        match &pieces[i] {
            Piece::Letters { s, start, end } => {
                // A word, an apostrophe, a word: a contraction or an elision.
                if let (
                    Some(Piece::Apostrophe),
                    Some(Piece::Letters {
                        s: after, end: e2, ..
                    }),
                ) = (pieces.get(i + 1), pieces.get(i + 2))
                {
                    if let Some((head, tail)) = english_contraction(s, after) {
                        b.push(head, Kind::Word, (*start, *e2), q);
                        b.push(tail.to_string(), Kind::Word, (*start, *e2), q);
                        i += 3;
                        continue;
                    }
                    if let Some(full) = french_elision(s) {
                        b.push(full.to_string(), Kind::Word, (*start, *end), q);
                        // The word after the apostrophe is read on the next turn.
                        i += 2;
                        continue;
                    }
                }
                match expand_shorthand(s, english) {
                    Some(words) => {
                        for w in words {
                            b.push((*w).to_string(), Kind::Word, (*start, *end), q);
                        }
                    }
                    None => b.push(s.clone(), Kind::Word, (*start, *end), q),
                }
            }
            Piece::Digits { s, start, end } => b.push(s.clone(), Kind::Number, (*start, *end), q),
            Piece::Symbol { s, start, end } => b.push(s.clone(), Kind::Symbol, (*start, *end), q),
            Piece::SentenceEnd => b.end_sentence(),
            Piece::ClauseEnd => b.end_clause(),
            Piece::Apostrophe | Piece::QuoteMark { .. } | Piece::Space => {}
        }
        i += 1;
    }
    Text {
        tokens: b.tokens,
        quotes,
    }
}

#[derive(Default)]
struct Builder {
    tokens: Vec<Token>,
    sentence: usize,
    clause: usize,
}

impl Builder {
    fn push(
        &mut self,
        norm: String,
        kind: Kind,
        (start, end): (usize, usize),
        quote: Option<usize>,
    ) {
        // "but" and "mais" start a new clause: a negation before them does not reach after.
        if kind == Kind::Word
            && matches!(norm.as_str(), "but" | "mais" | "however" | "cependant")
            && self.tokens.last().is_some_and(|t| t.clause == self.clause)
        {
            self.clause += 1;
        }
        let value = if kind == Kind::Number {
            norm.parse().unwrap_or(0.0)
        } else {
            0.0
        };
        self.tokens.push(Token {
            norm,
            kind,
            value,
            start,
            end,
            sentence: self.sentence,
            clause: self.clause,
            quote,
        });
    }

    fn end_sentence(&mut self) {
        if self
            .tokens
            .last()
            .is_some_and(|t| t.sentence == self.sentence)
        {
            self.sentence += 1;
            self.clause += 1;
        }
    }

    fn end_clause(&mut self) {
        if self.tokens.last().is_some_and(|t| t.clause == self.clause) {
            self.clause += 1;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn norms(text: &str) -> Vec<String> {
        tokenize(text).tokens.into_iter().map(|t| t.norm).collect()
    }

    #[test]
    fn accents_case_and_elisions() {
        assert_eq!(
            norms("J'aimerais ne plus me Réveiller"),
            ["je", "aimerais", "ne", "plus", "me", "reveiller"]
        );
        assert_eq!(norms("Grand-mère, Œuvre"), ["grand", "mere", "oeuvre"]);
        // Decomposed accents (e + combining acute) read like composed ones.
        assert_eq!(norms("re\u{301}veiller"), ["reveiller"]);
        assert_eq!(norms("jai pris"), ["je", "ai", "pris"]);
        assert_eq!(norms("j’vais"), ["je", "vais"]);
    }

    #[test]
    fn english_contractions() {
        assert_eq!(norms("I don't"), ["i", "do", "not"]);
        assert_eq!(
            norms("I won't, I'm, I've"),
            ["i", "will", "not", "i", "am", "i", "have"]
        );
        assert_eq!(norms("i dont want"), ["i", "do", "not", "want"]);
        assert_eq!(norms("im gonna"), ["i", "am", "going", "to"]);
        // In French "dont" stays a word.
        assert_eq!(norms("les cachets dont je parle")[2], "dont");
    }

    #[test]
    fn numbers_units_and_emojis() {
        let t = tokenize("800mg, 1,5 g 💊💊 20x");
        let n: Vec<_> = t.tokens.iter().map(|t| (t.norm.as_str(), t.kind)).collect();
        assert_eq!(
            n,
            [
                ("800", Kind::Number),
                ("mg", Kind::Word),
                ("1.5", Kind::Number),
                ("g", Kind::Word),
                ("💊", Kind::Symbol),
                ("💊", Kind::Symbol),
                ("20", Kind::Number),
                ("x", Kind::Word)
            ]
        );
        assert!((t.tokens[2].value - 1.5).abs() < 1e-9);
        assert_eq!(&"800mg, 1,5 g"[t.tokens[0].start..t.tokens[1].end], "800mg");
    }

    #[test]
    fn sentences_clauses_and_quotes() {
        let t = tokenize("Il chante « je veux mourir », moi non. She said 'I'd go' today");
        let q: Vec<_> = t
            .tokens
            .iter()
            .map(|t| (t.norm.as_str(), t.quote.is_some()))
            .collect();
        assert_eq!(q[2], ("je", true));
        assert_eq!(q[4], ("mourir", true));
        assert_eq!(q[5], ("moi", false));
        let i = t.tokens.iter().position(|t| t.norm == "would").unwrap_or(0);
        assert!(t.tokens[i].quote.is_some());
        assert!(t.tokens.last().is_some_and(|t| t.quote.is_none()));
        assert_eq!(t.tokens.last().map(|t| t.sentence), Some(1));
        assert!(t.tokens[5].clause > t.tokens[4].clause);
        // An unclosed mark quotes nothing.
        assert!(tokenize("\"je veux mourir")
            .tokens
            .iter()
            .all(|t| t.quote.is_none()));
    }
}
