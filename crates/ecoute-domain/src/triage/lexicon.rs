//! The lexicon: its file format, and finding its phrases in a tokenised text.
//!
//! `lexicon.txt` (next to this file) is plain text so that a listener or a clinician can read
//! and review it. One entry a line: a category, then a pattern; `#` starts a comment line.
//! `class NAME word word…` lines name sets of words that patterns refer to as `<NAME>`.
//!
//! A pattern is a sequence of elements separated by spaces, matched against consecutive
//! tokens of one clause, written as the text is normalised (lower case, no accents, "j'ai"
//! as `je ai`, "don't" as `do not`, "gonna" as `going to`):
//!
//! | element     | matches                                                        |
//! |-------------|----------------------------------------------------------------|
//! | `word`      | that word                                                      |
//! | `pre*`      | any word that starts with `pre`                                |
//! | `a\|b\|<c>`  | any of these (words, prefixes, classes)                        |
//! | `<NAME>`    | a word of the class NAME                                       |
//! | `<num>`     | a number, in digits or in words ("20", "vingt", "twenty")      |
//! | `[…]`       | the element inside, or nothing                                 |
//! | `~N`        | up to N words, any (N from 1 to 5)                             |
//!
//! Filler words ("just", "really", "vraiment", "juste"…) are skipped in the text before
//! matching, so "I really want to die" matches `want to die`; a pattern may not contain them.

use super::text::{fold, tokenize, Kind, Token};
use std::collections::{HashMap, HashSet};
use std::sync::OnceLock;

/// The shipped lexicon's source.
pub(crate) const SOURCE: &str = include_str!("lexicon.txt");

/// What an entry of the lexicon says when its pattern is found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum Category {
    /// C-SSRS 1: wish to be dead, not to wake up.
    Wish,
    /// C-SSRS 2: active thoughts of killing oneself.
    Ideation,
    /// C-SSRS 3: a self-directed method ("me pendre", "jump off the bridge").
    Method,
    /// A drug by name, or the pill emoji.
    Means,
    /// A dose: a number and a unit ("800mg", "3 g").
    Dose,
    /// A generic word for medication ("cachets", "pills").
    Pill,
    /// An object that can kill: rope, gun, blade.
    Object,
    /// A place to fall from or be hit at: bridge, roof, platform.
    Place,
    /// A time frame: tonight, demain, this weekend, after…
    Time,
    /// An intention that governs what follows it ("je vais", "I'm going to").
    Intent,
    /// A resolution that is an intent once anything suicidal is said ("c'est décidé").
    Resolve,
    /// A statement of intent that stands alone: a farewell, "ready to die".
    Farewell,
    /// A plan worked out ("j'ai tout prévu", "I know how and when").
    Plan,
    /// A preparation that stands alone: goodbye letters, pills saved up, a rope tied.
    Prepare,
    /// Putting one's affairs in order: a will, giving things away (needs suicidal context).
    Settle,
    /// Obtaining ("j'ai acheté", "I bought"): behaviour with means in the sentence.
    Acquire,
    /// Holding, having in front of one: behaviour with means in the sentence.
    Hold,
    /// Being at the place now ("je suis sur le toit", "I'm standing on the bridge").
    Here,
    /// An attempt, stated ("tentative de suicide", "I overdosed").
    Attempt,
    /// "Tried to", "j'ai essayé de": an attempt when a method or ideation follows.
    Tried,
    /// Having taken or swallowed: behaviour with means in the sentence.
    Act,
    /// Self-injury done ("je me suis scarifiée", "I cut my wrists").
    SelfHarm,
    /// Thinking about, looking at ("je pense à", "I keep looking at").
    Think,
    /// Wanting, could ("envie de", "I want to", "je pourrais").
    Desire,
    /// Distress ("je n'en peux plus", "hopeless", 😭): not a level, but means named in a
    /// distressed message count.
    Distress,
    /// A lethal purpose ("pour mourir", "lethal dose", "enough to die").
    Purpose,
    /// A figure of speech that hides a cue ("mort de rire", "dying to", "killing it").
    Idiom,
    /// A retraction ("jk", "je plaisante"): the sentence's cues are not counted.
    Joke,
    /// A therapeutic or working context ("pour ma migraine", "prescribed", "per day").
    Benign,
    /// Fiction, songs, media, study: cues not said of the writer are not counted.
    Reported,
    /// The distant past ("il y a dix ans", "when I was a teenager").
    Past,
    /// An indirect question ("asked me if", "m'a demandé si").
    Asked,
    /// A negative answer ("I said no", "j'ai dit non").
    AnswerNo,
}

impl Category {
    fn parse(s: &str) -> Option<Category> {
        use Category::*;
        Some(match s {
            "wish" => Wish,
            "ideation" => Ideation,
            "method" => Method,
            "means" => Means,
            "dose" => Dose,
            "pill" => Pill,
            "object" => Object,
            "place" => Place,
            "time" => Time,
            "intent" => Intent,
            "resolve" => Resolve,
            "farewell" => Farewell,
            "plan" => Plan,
            "prepare" => Prepare,
            "settle" => Settle,
            "acquire" => Acquire,
            "hold" => Hold,
            "here" => Here,
            "attempt" => Attempt,
            "tried" => Tried,
            "act" => Act,
            "selfharm" => SelfHarm,
            "think" => Think,
            "desire" => Desire,
            "distress" => Distress,
            "purpose" => Purpose,
            "idiom" => Idiom,
            "joke" => Joke,
            "benign" => Benign,
            "reported" => Reported,
            "past" => Past,
            "asked" => Asked,
            "answer_no" => AnswerNo,
            _ => return None,
        })
    }
}

/// Words skipped before matching: they intensify without changing what is said.
pub(crate) const FILLERS: &[&str] = &[
    "just",
    "really",
    "so",
    "truly",
    "actually",
    "seriously",
    "honestly",
    "literally",
    "kinda",
    "totally",
    "simply",
    "vraiment",
    "juste",
    "tellement",
    "simplement",
    "franchement",
    "sincerement",
    "serieusement",
    "carrement",
    "trop",
    "tant",
    "meme",
];

/// Number words and their values.
pub(crate) fn number_word(w: &str) -> Option<f64> {
    Some(match w {
        "a" | "an" | "un" | "une" | "one" => 1.0,
        "deux" | "two" | "couple" => 2.0,
        "trois" | "three" | "few" => 3.0,
        "quatre" | "four" => 4.0,
        "cinq" | "five" => 5.0,
        "six" => 6.0,
        "sept" | "seven" => 7.0,
        "huit" | "eight" => 8.0,
        "neuf" | "nine" => 9.0,
        "dix" | "ten" => 10.0,
        "onze" | "eleven" => 11.0,
        "douze" | "twelve" | "dozen" => 12.0,
        "quinze" | "fifteen" => 15.0,
        "vingt" | "twenty" => 20.0,
        "trente" | "thirty" => 30.0,
        "quarante" | "forty" => 40.0,
        "cinquante" | "fifty" => 50.0,
        "cent" | "hundred" => 100.0,
        _ => return None,
    })
}

/// The value of a token read as a number, in digits or in words.
pub(crate) fn number_value(t: &Token) -> Option<f64> {
    match t.kind {
        Kind::Number => Some(t.value),
        Kind::Word => number_word(&t.norm),
        Kind::Symbol => None,
    }
}

#[derive(Debug, Clone)]
enum Atom {
    Word(String),
    Prefix(String),
    Class(usize),
    Number,
}

#[derive(Debug, Clone)]
enum Elem {
    One { atoms: Vec<Atom>, optional: bool },
    Gap(usize),
}

/// One entry of the lexicon.
#[derive(Debug, Clone)]
pub(crate) struct Entry {
    pub category: Category,
    pattern: Vec<Elem>,
}

#[derive(Debug, Default, Clone)]
struct Class {
    words: HashSet<String>,
    /// Prefixes, by their first three characters (so a word is checked against a few).
    prefixes: HashMap<String, Vec<String>>,
    /// Prefixes shorter than three characters.
    short_prefixes: Vec<String>,
}

/// The first three characters of `w` (all of it when shorter).
fn head(w: &str) -> &str {
    w.char_indices().nth(3).map_or(w, |(i, _)| &w[..i])
}

impl Class {
    fn has(&self, w: &str) -> bool {
        self.words.contains(w)
            || self
                .prefixes
                .get(head(w))
                .is_some_and(|ps| ps.iter().any(|p| w.starts_with(p.as_str())))
            || self
                .short_prefixes
                .iter()
                .any(|p| w.starts_with(p.as_str()))
    }

    fn add_prefix(&mut self, p: String) {
        if p.chars().count() >= 3 {
            self.prefixes
                .entry(head(&p).to_string())
                .or_default()
                .push(p);
        } else {
            self.short_prefixes.push(p);
        }
    }
}

/// A line of the lexicon that could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LexiconError {
    /// Line number, from 1.
    pub line: usize,
    /// What is wrong.
    pub message: String,
}

/// A parsed lexicon.
#[derive(Debug, Default)]
pub(crate) struct Lexicon {
    class_names: HashMap<String, usize>,
    classes: Vec<Class>,
    pub entries: Vec<Entry>,
    /// Entries by a word their first element matches (words, and the words of classes).
    by_word: HashMap<String, Vec<usize>>,
    /// Entries by the first three characters of a prefix their first element matches.
    by_prefix: HashMap<String, Vec<usize>>,
    /// Entries whose first element may be a number.
    numeric: Vec<usize>,
    /// The other entries (a first prefix shorter than three characters), tried everywhere.
    unindexed: Vec<usize>,
}

/// A found phrase: which entry, over which tokens.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Match {
    pub category: Category,
    /// First and last token index (inclusive).
    pub first: usize,
    pub last: usize,
}

impl Lexicon {
    /// The shipped lexicon (parsed once). Lines that cannot be read are left out; a unit
    /// test makes sure there are none.
    pub(crate) fn shipped() -> &'static Lexicon {
        static LEXICON: OnceLock<Lexicon> = OnceLock::new();
        LEXICON.get_or_init(|| Lexicon::parse(SOURCE).0)
    }

    /// Parses a lexicon: what could be read, and the errors of the lines that could not.
    pub(crate) fn parse(src: &str) -> (Lexicon, Vec<LexiconError>) {
        let mut lex = Lexicon::default();
        let mut errors = Vec::new();
        // Classes first, so that a pattern may use a class defined further down.
        for (n, line) in src.lines().enumerate() {
            let mut words = line.split_whitespace();
            if words.next() != Some("class") {
                continue;
            }
            let Some(name) = words.next() else {
                errors.push(LexiconError {
                    line: n + 1,
                    message: "a class needs a name".into(),
                });
                continue;
            };
            let id = match lex.class_names.get(name) {
                Some(&id) => id,
                None => {
                    lex.classes.push(Class::default());
                    lex.class_names
                        .insert(name.to_string(), lex.classes.len() - 1);
                    lex.classes.len() - 1
                }
            };
            for w in words {
                match w.strip_suffix('*') {
                    Some(p) => lex.classes[id].add_prefix(fold(p)),
                    None => {
                        lex.classes[id].words.insert(fold(w));
                    }
                }
            }
        }
        for (n, line) in src.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') || line.starts_with("class ") {
                continue;
            }
            let (cat, pattern) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
            let result = match Category::parse(cat) {
                None => Err(format!("unknown category {cat:?}")),
                Some(category) => lex
                    .parse_pattern(pattern)
                    .map(|pattern| Entry { category, pattern }),
            };
            match result {
                Ok(entry) => {
                    lex.index(lex.entries.len(), &entry.pattern[0]);
                    lex.entries.push(entry);
                }
                Err(message) => errors.push(LexiconError {
                    line: n + 1,
                    message,
                }),
            }
        }
        (lex, errors)
    }

    /// Files entry `i` under what its first element (never optional, never a gap) matches.
    fn index(&mut self, i: usize, first: &Elem) {
        let Elem::One { atoms, .. } = first else {
            self.unindexed.push(i);
            return;
        };
        let mut words = Vec::new();
        let mut prefixes = Vec::new();
        for a in atoms {
            match a {
                Atom::Word(w) => words.push(w.clone()),
                Atom::Prefix(p) => prefixes.push(p.clone()),
                Atom::Class(id) => {
                    let class = &self.classes[*id];
                    words.extend(class.words.iter().cloned());
                    prefixes.extend(class.prefixes.values().flatten().cloned());
                    prefixes.extend(class.short_prefixes.iter().cloned());
                }
                Atom::Number => self.numeric.push(i),
            }
        }
        for w in words {
            self.by_word.entry(w).or_default().push(i);
        }
        for p in prefixes {
            if p.chars().count() >= 3 {
                self.by_prefix
                    .entry(head(&p).to_string())
                    .or_default()
                    .push(i);
            } else {
                self.unindexed.push(i);
            }
        }
        self.unindexed.sort_unstable();
        self.unindexed.dedup();
    }

    fn parse_pattern(&self, pattern: &str) -> Result<Vec<Elem>, String> {
        let mut elems = Vec::new();
        for raw in pattern.split_whitespace() {
            if let Some(n) = raw.strip_prefix('~') {
                let n: usize = n.parse().map_err(|_| format!("bad gap {raw:?}"))?;
                if !(1..=5).contains(&n) {
                    return Err(format!("a gap is 1 to 5 words, not {n}"));
                }
                elems.push(Elem::Gap(n));
                continue;
            }
            let (inner, optional) = match raw.strip_prefix('[') {
                Some(rest) => (
                    rest.strip_suffix(']')
                        .ok_or_else(|| format!("unclosed [ in {raw:?}"))?,
                    true,
                ),
                None => (raw, false),
            };
            let mut atoms = Vec::new();
            for alt in inner.split('|') {
                atoms.push(self.parse_atom(alt)?);
            }
            elems.push(Elem::One { atoms, optional });
        }
        let solid = |e: &Elem| {
            matches!(
                e,
                Elem::One {
                    optional: false,
                    ..
                }
            )
        };
        match (elems.first(), elems.last()) {
            (None, _) | (_, None) => return Err("empty pattern".into()),
            (Some(f), Some(l)) if !solid(f) || !solid(l) => {
                return Err("a pattern must start and end with a word that is not optional".into())
            }
            _ => {}
        }
        Ok(elems)
    }

    fn parse_atom(&self, alt: &str) -> Result<Atom, String> {
        if alt == "<num>" {
            return Ok(Atom::Number);
        }
        if let Some(name) = alt.strip_prefix('<').and_then(|a| a.strip_suffix('>')) {
            return self
                .class_names
                .get(name)
                .map(|&id| Atom::Class(id))
                .ok_or_else(|| format!("unknown class <{name}>"));
        }
        let (word, prefix) = match alt.strip_suffix('*') {
            Some(p) => (p, true),
            None => (alt, false),
        };
        // The word must be one token, spelt as the text is normalised.
        let tokens = tokenize(word).tokens;
        let folded = fold(word);
        if tokens.len() != 1 || tokens[0].norm != folded {
            return Err(format!(
                "{alt:?} is not one normalised word (write \"j'ai\" as `je ai`, \"don't\" as `do not`)"
            ));
        }
        if FILLERS.contains(&folded.as_str()) {
            return Err(format!("{alt:?} is a filler word, skipped in texts"));
        }
        Ok(if prefix {
            Atom::Prefix(folded)
        } else {
            Atom::Word(folded)
        })
    }

    /// Whether `t` belongs to the class `name` (false for an unknown class).
    pub(crate) fn in_class(&self, name: &str, t: &Token) -> bool {
        self.class_names
            .get(name)
            .is_some_and(|&id| t.kind != Kind::Number && self.classes[id].has(&t.norm))
    }

    fn atom_matches(&self, atom: &Atom, t: &Token) -> bool {
        match atom {
            Atom::Word(w) => t.norm == *w,
            Atom::Prefix(p) => t.kind == Kind::Word && t.norm.starts_with(p.as_str()),
            Atom::Class(id) => t.kind != Kind::Number && self.classes[*id].has(&t.norm),
            Atom::Number => number_value(t).is_some(),
        }
    }

    /// The end (exclusive, in `stream`) of the longest match of `pattern[ei..]` from `pos`,
    /// not beyond `limit`.
    fn longest(
        &self,
        pattern: &[Elem],
        ei: usize,
        tokens: &[Token],
        stream: &[usize],
        pos: usize,
        limit: usize,
    ) -> Option<usize> {
        let Some(elem) = pattern.get(ei) else {
            return Some(pos);
        };
        match elem {
            Elem::One { atoms, optional } => {
                let mut best = None;
                if pos < limit
                    && atoms
                        .iter()
                        .any(|a| self.atom_matches(a, &tokens[stream[pos]]))
                {
                    best = self.longest(pattern, ei + 1, tokens, stream, pos + 1, limit);
                }
                if *optional {
                    best = best.max(self.longest(pattern, ei + 1, tokens, stream, pos, limit));
                }
                best
            }
            Elem::Gap(n) => (0..=*n)
                .filter(|k| pos + k <= limit)
                .filter_map(|k| self.longest(pattern, ei + 1, tokens, stream, pos + k, limit))
                .max(),
        }
    }

    /// Every phrase of the lexicon found in `tokens`, read along `stream` (the indices of
    /// the tokens that are not fillers). A match stays within one clause; of two matches of
    /// one category, one inside the other, only the longer is kept.
    pub(crate) fn find(&self, tokens: &[Token], stream: &[usize]) -> Vec<Match> {
        // Where each position's clause ends, in the stream.
        let mut clause_end = vec![stream.len(); stream.len()];
        for p in (0..stream.len()).rev() {
            if p + 1 < stream.len() && tokens[stream[p + 1]].clause == tokens[stream[p]].clause {
                clause_end[p] = clause_end[p + 1];
            } else {
                clause_end[p] = p + 1;
            }
        }
        let mut found = Vec::new();
        let mut candidates: Vec<usize> = Vec::new();
        let none: &[usize] = &[];
        for pos in 0..stream.len() {
            let t = &tokens[stream[pos]];
            candidates.clear();
            candidates.extend(self.by_word.get(&t.norm).map_or(none, Vec::as_slice));
            if t.kind == Kind::Word {
                candidates.extend(
                    self.by_prefix
                        .get(head(&t.norm))
                        .map_or(none, Vec::as_slice),
                );
            }
            if number_value(t).is_some() {
                candidates.extend(&self.numeric);
            }
            candidates.extend(&self.unindexed);
            candidates.sort_unstable();
            candidates.dedup();
            for &i in &candidates {
                let entry = &self.entries[i];
                if let Some(end) =
                    self.longest(&entry.pattern, 0, tokens, stream, pos, clause_end[pos])
                {
                    if end > pos {
                        found.push(Match {
                            category: entry.category,
                            first: stream[pos],
                            last: stream[end - 1],
                        });
                    }
                }
            }
        }
        // Keep the longest of nested matches of one category.
        found.sort_by_key(|m| (m.category, m.first, std::cmp::Reverse(m.last)));
        // Sorted so, a match is inside an earlier one of its category exactly when one of
        // those ends at or after it: one pass, keeping the furthest end.
        let mut kept: Vec<Match> = Vec::with_capacity(found.len());
        let mut furthest: Option<(Category, usize)> = None;
        for m in found {
            match furthest {
                Some((c, end)) if c == m.category && m.last <= end => {}
                Some((c, end)) if c == m.category => {
                    furthest = Some((c, end.max(m.last)));
                    kept.push(m);
                }
                _ => {
                    furthest = Some((m.category, m.last));
                    kept.push(m);
                }
            }
        }
        kept.sort_by_key(|m| (m.first, m.last));
        kept
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_lexicon_reads_without_errors() {
        let (lex, errors) = Lexicon::parse(SOURCE);
        assert_eq!(errors, [], "lexicon.txt has lines that cannot be read");
        assert!(lex.entries.len() > 300, "{} entries", lex.entries.len());
    }

    #[test]
    fn bad_lines_are_reported_with_their_number() {
        let src = "class x a b\nwish want to die\nbogus x\nwish [to]\nwish <nope>\nwish j'ai\nwish ~9 x\nwish really";
        let (lex, errors) = Lexicon::parse(src);
        assert_eq!(lex.entries.len(), 1);
        let lines: Vec<usize> = errors.iter().map(|e| e.line).collect();
        assert_eq!(lines, [3, 4, 5, 6, 7, 8], "{errors:?}");
    }

    #[test]
    fn patterns_match_words_prefixes_classes_gaps_and_options() {
        let (lex, errors) = Lexicon::parse(
            "class pill cachets pills\nmeans <num> <pill>\nideation suicid*\nwish want to [ever] die\nplan je ai ~2 prevu",
        );
        assert_eq!(errors, []);
        let find = |text: &str| {
            let t = tokenize(text);
            let stream: Vec<usize> = (0..t.tokens.len()).collect();
            lex.find(&t.tokens, &stream)
                .iter()
                .map(|m| m.category)
                .collect::<Vec<_>>()
        };
        assert_eq!(find("vingt cachets"), [Category::Means]);
        assert_eq!(find("20 pills"), [Category::Means]);
        assert_eq!(find("suicidaire"), [Category::Ideation]);
        assert_eq!(find("I want to die"), [Category::Wish]);
        assert_eq!(find("I want to ever die"), [Category::Wish]);
        assert_eq!(find("j'ai tout bien prevu"), [Category::Plan]);
        assert_eq!(find("j'ai tout de tout prevu"), []);
        // Not across a clause.
        assert_eq!(find("want to, die"), []);
    }
}
