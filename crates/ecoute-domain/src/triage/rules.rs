//! How the found phrases are judged and combined into a level.
//!
//! Each cue is judged in this order, the first that applies deciding its status:
//! 1. inside an idiom, or in a sentence with a retraction ("jk") → `Idiom`;
//! 2. inside a quotation whose speaker is not the writer → `Quoted` (unknown speaker, as in
//!    song lyrics), or said by someone else (`SomeoneElse`, when the words before the
//!    quotation say who said it: "she said '…'");
//! 3. in a sentence about the distant past → `Past`;
//! 4. medication in a therapeutic or working context → `Benign`;
//! 5. negated: a negation between the cue's subject (or the start of its clause) and the cue,
//!    "ne … pas/jamais/plus" around it, an indirect question answered "no" → `Negated`;
//! 6. in a sentence about fiction or media, when not explicitly said by the writer of
//!    themselves → `Reported`;
//! 7. its subject is someone else ("mon frère veut mourir", "kill herself", "ses cachets") →
//!    `SomeoneElse`;
//! 8. otherwise `Counted`.
//!
//! The subject of a cue: a pronoun or reflexive in the cue itself ("kill myself", "mettre fin
//! à mes jours"), else the nearest subject before it in the sentence (je, I, il, she, mon ami,
//! my brother…; "il faut", "il y a" are impersonal), else the writer. Means have an owner
//! first: "ses médicaments", "my grandmother's medication", "les cachets de ma mère".
//!
//! The counted cues then make the level, highest first (see [`combine`]).

use super::lexicon::{number_value, Category, Lexicon, Match, FILLERS};
use super::text::{tokenize, Kind, Token};
use super::{Assessment, Cue, CueKind, CueStatus, TriageLevel, SCORER_VERSION};

use Category as C;

/// How far back (in tokens) a cue's subject or negation is looked for.
const LOOK_BACK: usize = 12;
/// How far back a negation reaches.
const NEGATION_REACH: usize = 8;
/// How far apart (in words) two cues of one sentence may be and still read together: a
/// sentence without punctuation may run on for pages.
const NEAR: usize = 40;

/// Words inside a cue that make it the writer's own.
const FIRST_IN_CUE: &[&str] = &["i", "je", "myself", "moi", "me"];
/// Words inside a cue that make it someone else's.
const THIRD_IN_CUE: &[&str] = &["himself", "herself", "themselves", "themself"];
const FIRST_POSSESSIVE: &[&str] = &["my", "mes", "mon", "ma"];
const THIRD_POSSESSIVE: &[&str] = &["his", "her", "their", "ses", "son", "sa", "leur", "leurs"];
const FIRST_SUBJECT: &[&str] = &["i", "je", "myself"];
const THIRD_SUBJECT: &[&str] = &[
    "he",
    "she",
    "they",
    "il",
    "elle",
    "ils",
    "elles",
    "himself",
    "herself",
    "themselves",
];
/// People a sentence may be about.
const THIRD_NOUNS: &[&str] = &[
    // French
    "ami",
    "amie",
    "amis",
    "amies",
    "copain",
    "copine",
    "copains",
    "copines",
    "pote",
    "potes",
    "frere",
    "freres",
    "soeur",
    "soeurs",
    "mere",
    "pere",
    "maman",
    "papa",
    "mamie",
    "papi",
    "papy",
    "fils",
    "fille",
    "filles",
    "enfant",
    "enfants",
    "ado",
    "ados",
    "cousin",
    "cousine",
    "oncle",
    "tante",
    "neveu",
    "niece",
    "voisin",
    "voisine",
    "voisins",
    "collegue",
    "collegues",
    "mari",
    "femme",
    "epouse",
    "epoux",
    "conjoint",
    "conjointe",
    "compagnon",
    "compagne",
    "chef",
    "patron",
    "patronne",
    "medecin",
    "docteur",
    "psy",
    "psychiatre",
    "therapeute",
    "eleve",
    "eleves",
    "etudiant",
    "etudiante",
    "cliente",
    "patiente",
    "quelqu",
    "homme",
    "mec",
    "gars",
    "nana",
    "meuf",
    "chanteur",
    "chanteuse",
    "acteur",
    "actrice",
    "heros",
    "heroine",
    "personnage",
    "beau",
    "belle",
    // English
    "friend",
    "friends",
    "bf",
    "gf",
    "boyfriend",
    "girlfriend",
    "brother",
    "bro",
    "sister",
    "sis",
    "mother",
    "mom",
    "mum",
    "mommy",
    "mama",
    "father",
    "dad",
    "daddy",
    "grandmother",
    "grandma",
    "granny",
    "nan",
    "nana",
    "grandfather",
    "grandpa",
    "grandad",
    "son",
    "daughter",
    "kid",
    "kids",
    "child",
    "children",
    "teen",
    "teenager",
    "cousin",
    "uncle",
    "aunt",
    "nephew",
    "neighbour",
    "neighbor",
    "neighbours",
    "neighbors",
    "colleague",
    "coworker",
    "roommate",
    "flatmate",
    "housemate",
    "husband",
    "wife",
    "partner",
    "spouse",
    "ex",
    "boss",
    "doctor",
    "therapist",
    "psychiatrist",
    "teacher",
    "student",
    "classmate",
    "client",
    "patient",
    "someone",
    "somebody",
    "guy",
    "man",
    "woman",
    "girl",
    "boy",
    "character",
    "singer",
    "hero",
];
/// After "il", the words that make it impersonal ("il faut", "il y a", "il m'arrive").
const IMPERSONAL_NEXT: &[&str] = &[
    "faut",
    "fallait",
    "faudra",
    "faudrait",
    "y",
    "vaut",
    "suffit",
    "suffirait",
    "semble",
    "parait",
    "reste",
    "arrive",
    "arrivait",
];
const NEGATORS: &[&str] = &[
    "not",
    "no",
    "never",
    "nor",
    "neither",
    "pas",
    "jamais",
    "aucun",
    "aucune",
    "aucunement",
    "nullement",
    "guere",
    "non",
];
/// A negation next to these does not negate the thought: "I can't stop thinking about…",
/// "je n'arrête pas de penser à…", "je ne sais pas pourquoi…".
const NEGATION_EXCEPTIONS: &[&str] = &[
    "stop",
    "stopping",
    "help",
    "arrete",
    "arretes",
    "arreter",
    "arretais",
    "cesse",
    "cesser",
    "empecher",
    "sais",
    "know",
    "understand",
    "comprends",
    "doubt",
    "doute",
    "arrive",
    "arrivais",
];
/// French negations that may follow the verb: "je ne me tuerai jamais".
const POST_NEGATORS: &[&str] = &["pas", "jamais", "plus", "point", "guere", "aucunement"];
/// Words that say who speaks before a quotation.
const SPEECH: &[&str] = &[
    "said", "says", "say", "told", "tells", "tell", "wrote", "writes", "write", "written",
    "texted", "texts", "text", "messaged", "message", "sent", "sends", "asked", "sings", "sang",
    "singing", "sing", "posted", "chante", "chantait", "chanter", "dit", "disait", "dis", "dire",
    "ecrit", "ecrivait", "envoye", "envoie", "repete", "repetait", "texto", "sms", "poste",
    "publie",
];

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Person {
    /// The writer; `explicit` when a pronoun says so, not by default.
    First {
        explicit: bool,
    },
    Third,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Qty {
    None,
    /// One to four pills, a normal dose.
    Small,
    /// Five or more, a box, "all", "how many".
    Large,
}

/// A cue and what was made of it.
#[derive(Debug, Clone)]
struct Judged {
    cat: Category,
    first: usize,
    last: usize,
    /// Positions of `first` and `last` in the stream (fillers skipped).
    s_first: usize,
    s_last: usize,
    sentence: usize,
    status: CueStatus,
    /// Means whose owner is someone else ("ses cachets"): still means at hand for the
    /// writer's acts ("I took my mother's pills").
    owned_by_other: bool,
}

/// Sentence-wide markers.
struct Markers {
    /// Tokens inside an idiom.
    in_idiom: Vec<bool>,
    joke: Vec<bool>,
    benign: Vec<bool>,
    reported: Vec<bool>,
    past: Vec<bool>,
    /// The first token of an indirect question in the sentence.
    asked: Vec<Option<usize>>,
    answer_no: Vec<bool>,
}

struct Reader<'a> {
    input: &'a str,
    toks: &'a [Token],
    quotes: &'a [super::text::Quote],
    stream: Vec<usize>,
    pos_in_stream: Vec<usize>,
    /// The first token inside each quotation.
    quote_first: Vec<Option<usize>>,
    lex: &'a Lexicon,
}

/// Reads `input` with `lex`.
pub(crate) fn assess(input: &str, lex: &Lexicon) -> Assessment {
    let text = tokenize(input);
    let toks = &text.tokens;
    let stream: Vec<usize> = (0..toks.len())
        .filter(|&i| !(toks[i].kind == Kind::Word && FILLERS.contains(&toks[i].norm.as_str())))
        .collect();
    let mut pos_in_stream = vec![0; toks.len()];
    for (p, &i) in stream.iter().enumerate() {
        pos_in_stream[i] = p;
    }
    let mut quote_first = vec![None; text.quotes.len()];
    for (i, t) in toks.iter().enumerate() {
        if let Some(q) = t.quote {
            quote_first[q].get_or_insert(i);
        }
    }
    let reader = Reader {
        input,
        toks,
        quotes: &text.quotes,
        stream,
        pos_in_stream,
        quote_first,
        lex,
    };
    reader.run()
}

impl Reader<'_> {
    fn run(&self) -> Assessment {
        let matches = self.lex.find(self.toks, &self.stream);
        let sentences = self.toks.last().map_or(0, |t| t.sentence + 1);
        let mut markers = Markers {
            in_idiom: vec![false; self.toks.len()],
            joke: vec![false; sentences],
            benign: vec![false; sentences],
            reported: vec![false; sentences],
            past: vec![false; sentences],
            asked: vec![None; sentences],
            answer_no: vec![false; sentences],
        };
        let mut cues: Vec<Match> = Vec::new();
        for m in matches {
            let s = self.toks[m.first].sentence;
            match m.category {
                C::Idiom => markers.in_idiom[m.first..=m.last].fill(true),
                C::Joke => markers.joke[s] = true,
                C::Benign => markers.benign[s] = true,
                C::Reported => markers.reported[s] = true,
                C::Past => markers.past[s] = true,
                C::Asked => {
                    markers.asked[s].get_or_insert(m.first);
                }
                C::AnswerNo => markers.answer_no[s] = true,
                _ => cues.push(m),
            }
        }
        let judged: Vec<Judged> = cues.iter().map(|m| self.judge(m, &markers)).collect();
        let qty = self.quantities(sentences);
        let neutral = |j: &Judged| matches!(j.cat, C::Time | C::Place);
        let level = combine(&judged, &qty, self.toks, &|j| {
            j.status == CueStatus::Counted
        });
        let other = combine(&judged, &qty, self.toks, &|j| {
            j.status == CueStatus::SomeoneElse || (neutral(j) && j.status == CueStatus::Counted)
        });
        let mut out: Vec<Cue> = Vec::new();
        let mut seen = std::collections::HashSet::new();
        for j in &judged {
            let (start, end) = (self.toks[j.first].start, self.toks[j.last].end);
            let kind = public_kind(j.cat);
            // "💊" is both a means and a pill: one cue.
            if !seen.insert((kind, start, end)) {
                continue;
            }
            out.push(Cue {
                kind,
                status: j.status,
                text: self.input.get(start..end).unwrap_or_default().to_string(),
                start,
                end,
            });
        }
        out.sort_by_key(|c| (c.start, c.end));
        Assessment {
            version: SCORER_VERSION.to_string(),
            level,
            other,
            cues: out,
        }
    }

    fn norm(&self, i: usize) -> &str {
        &self.toks[i].norm
    }

    fn is_third_noun(&self, i: usize) -> bool {
        THIRD_NOUNS.contains(&self.norm(i))
            // "my mother's pills": a possessive, not a subject.
            && self.toks.get(i + 1).is_none_or(|t| t.norm != "s")
    }

    /// "il faut", "il y a", "il m'arrive de": "il" that is no one.
    fn impersonal(&self, i: usize) -> bool {
        let next = |k: usize| self.toks.get(i + k).map(|t| t.norm.as_str());
        match next(1) {
            Some(w) if IMPERSONAL_NEXT.contains(&w) => true,
            Some("me" | "ne" | "n") => next(2).is_some_and(|w| IMPERSONAL_NEXT.contains(&w)),
            Some("est") => next(2) == Some("temps"),
            _ => false,
        }
    }

    /// The nearest subject before token `i`, in its sentence.
    fn subject_before(&self, i: usize) -> Option<(Person, usize)> {
        let sentence = self.toks[i].sentence;
        for j in (i.saturating_sub(LOOK_BACK)..i).rev() {
            if self.toks[j].sentence != sentence {
                break;
            }
            let w = self.norm(j);
            if FIRST_SUBJECT.contains(&w) {
                return Some((Person::First { explicit: true }, j));
            }
            if w == "il" && self.impersonal(j) {
                continue;
            }
            if THIRD_SUBJECT.contains(&w) || self.is_third_noun(j) {
                return Some((Person::Third, j));
            }
        }
        None
    }

    /// Whose means: "ses cachets", "my grandmother's medication", "les cachets de ma mère".
    fn owner(&self, m: &Match) -> Option<Person> {
        let p = self.pos_in_stream[m.first];
        let clause = self.toks[m.first].clause;
        for k in 1..=3 {
            let Some(&j) = p.checked_sub(k).and_then(|q| self.stream.get(q)) else {
                break;
            };
            if self.toks[j].clause != clause {
                break;
            }
            let w = self.norm(j);
            if THIRD_POSSESSIVE.contains(&w) {
                return Some(Person::Third);
            }
            if FIRST_POSSESSIVE.contains(&w) {
                return Some(Person::First { explicit: true });
            }
            if w == "s" && j > 0 && THIRD_NOUNS.contains(&self.norm(j - 1)) {
                return Some(Person::Third);
            }
        }
        // After: "de ma mère", "of my brother", "de son père".
        let q = self.pos_in_stream[m.last];
        let after = |k: usize| {
            self.stream
                .get(q + k)
                .filter(|&&j| self.toks[j].clause == clause)
                .map(|&j| self.norm(j))
        };
        if matches!(after(1), Some("de" | "du" | "of")) {
            let third = match after(2) {
                Some(w) if THIRD_POSSESSIVE.contains(&w) || THIRD_NOUNS.contains(&w) => true,
                // "de ma mère", "of my brother", "de la voisine".
                Some(w) if FIRST_POSSESSIVE.contains(&w) || w == "la" || w == "le" => {
                    after(3).is_some_and(|w| THIRD_NOUNS.contains(&w))
                }
                _ => false,
            };
            if third {
                return Some(Person::Third);
            }
        }
        None
    }

    /// Who a cue is about, and where its subject is (for the negation's reach).
    fn person(&self, m: &Match) -> (Person, Option<usize>) {
        let subject = self.subject_before(m.first);
        let words = || (m.first..=m.last).map(|i| self.norm(i));
        let in_cue = if words().any(|w| FIRST_IN_CUE.contains(&w)) {
            Some(Person::First { explicit: true })
        } else if words().any(|w| THIRD_IN_CUE.contains(&w)) {
            Some(Person::Third)
        } else if words().any(|w| FIRST_POSSESSIVE.contains(&w)) {
            Some(Person::First { explicit: true })
        } else if words().any(|w| THIRD_POSSESSIVE.contains(&w)) {
            Some(Person::Third)
        } else {
            None
        };
        let person = in_cue
            .or(subject.map(|(p, _)| p))
            .unwrap_or(Person::First { explicit: false });
        (person, subject.map(|(_, j)| j))
    }

    fn negated(&self, m: &Match, subject: Option<usize>) -> bool {
        let clause = self.toks[m.first].clause;
        let lo = m
            .first
            .saturating_sub(NEGATION_REACH)
            .max(subject.unwrap_or(0));
        let in_clause = |j: usize| self.toks.get(j).is_some_and(|t| t.clause == clause);
        let window: Vec<usize> = (lo..m.first).filter(|&j| in_clause(j)).collect();
        let mut seen_ne = false;
        for &j in &window {
            let w = self.norm(j);
            if w == "ne" {
                seen_ne = true;
            }
            let exception = [j.wrapping_sub(1), j + 1, j + 2]
                .into_iter()
                .any(|k| in_clause(k) && NEGATION_EXCEPTIONS.contains(&self.norm(k)));
            if NEGATORS.contains(&w) && !exception {
                return true;
            }
            if w == "plus" && seen_ne {
                return true;
            }
        }
        // "je ne me tuerai jamais": the negation closes after the verb.
        seen_ne
            && (m.last + 1..=m.last + 2)
                .any(|k| in_clause(k) && POST_NEGATORS.contains(&self.norm(k)))
    }

    /// Who speaks a quotation: the writer, someone else, or unknown (lyrics, a saying).
    fn speaker(&self, q: usize) -> Option<Person> {
        let open = self.quotes[q].open;
        let inside = self.quote_first.get(q).copied().flatten()?;
        let sentence = self.toks[inside].sentence;
        let before: Vec<usize> = (inside.saturating_sub(LOOK_BACK)..inside)
            .filter(|&j| self.toks[j].sentence == sentence && self.toks[j].end <= open)
            .collect();
        let verb = *before
            .iter()
            .rev()
            .find(|&&j| SPEECH.contains(&self.norm(j)))?;
        for &j in before.iter().rev().filter(|&&j| j < verb) {
            let w = self.norm(j);
            if FIRST_SUBJECT.contains(&w) {
                return Some(Person::First { explicit: true });
            }
            if THIRD_SUBJECT.contains(&w) || self.is_third_noun(j) {
                return Some(Person::Third);
            }
        }
        None
    }

    fn judge(&self, m: &Match, markers: &Markers) -> Judged {
        let sentence = self.toks[m.first].sentence;
        let means = matches!(m.category, C::Means | C::Dose | C::Pill | C::Object);
        let neutral = matches!(m.category, C::Time | C::Place);
        let owner = if means { self.owner(m) } else { None };
        let status = 'status: {
            if markers.joke[sentence] || markers.in_idiom[m.first..=m.last].contains(&true) {
                break 'status CueStatus::Idiom;
            }
            let mut said_by_other = false;
            if let Some(q) = (m.first..=m.last).find_map(|i| self.toks[i].quote) {
                match self.speaker(q) {
                    None => break 'status CueStatus::Quoted,
                    Some(Person::Third) => said_by_other = true,
                    Some(Person::First { .. }) => {}
                }
            }
            if markers.past[sentence] {
                break 'status CueStatus::Past;
            }
            if markers.benign[sentence] && (means || m.category == C::Act) {
                break 'status CueStatus::Benign;
            }
            let (person, subject) = self.person(m);
            let person = match owner {
                Some(o) => o,
                None => person,
            };
            // "I won't", "je vais pas": an intention denied right after it is said.
            let denied = m.category == C::Intent
                && self
                    .stream
                    .get(self.pos_in_stream[m.last] + 1)
                    .is_some_and(|&j| matches!(self.norm(j), "not" | "never" | "pas" | "jamais"));
            if denied
                || self.negated(m, subject)
                || (markers.answer_no[sentence]
                    && markers.asked[sentence].is_some_and(|a| a < m.first))
            {
                break 'status CueStatus::Negated;
            }
            if neutral {
                break 'status CueStatus::Counted;
            }
            if markers.reported[sentence] && person != (Person::First { explicit: true }) {
                break 'status CueStatus::Reported;
            }
            if said_by_other || person == Person::Third {
                break 'status CueStatus::SomeoneElse;
            }
            CueStatus::Counted
        };
        Judged {
            cat: m.category,
            first: m.first,
            last: m.last,
            s_first: self.pos_in_stream[m.first],
            s_last: self.pos_in_stream[m.last],
            sentence,
            status,
            owned_by_other: owner == Some(Person::Third),
        }
    }

    /// How much medication each sentence speaks of.
    fn quantities(&self, sentences: usize) -> Vec<Qty> {
        let lex = self.lex;
        let mut qty = vec![Qty::None; sentences];
        let is_med = |t: &Token| lex.in_class("drug", t) || lex.in_class("pill", t);
        let is_box = |t: &Token| lex.in_class("container", t);
        for (p, &i) in self.stream.iter().enumerate() {
            let t = &self.toks[i];
            let s = t.sentence;
            let ahead = |k: usize| {
                self.stream
                    .get(p + k)
                    .map(|&j| &self.toks[j])
                    .filter(|u| u.sentence == s)
            };
            let mut found = Qty::None;
            if let Some(v) = number_value(t) {
                match ahead(1) {
                    Some(u) if lex.in_class("unit_mg", u) => {
                        found = if v >= 3000.0 { Qty::Large } else { Qty::Small };
                    }
                    Some(u) if t.kind == Kind::Number && lex.in_class("unit_g", u) => {
                        found = if v >= 3.0 { Qty::Large } else { Qty::Small };
                    }
                    _ => {
                        for u in (1..=3).filter_map(ahead) {
                            if is_box(u) {
                                found = Qty::Large;
                                break;
                            }
                            if is_med(u) {
                                found = if v > 4.0 { Qty::Large } else { Qty::Small };
                                break;
                            }
                        }
                    }
                }
            }
            if (lex.in_class("qtyword", t) || is_box(t))
                && (1..=3).filter_map(ahead).any(|u| is_med(u) || is_box(u))
            {
                found = Qty::Large;
            }
            qty[s] = match (qty[s], found) {
                (Qty::Large, _) | (_, Qty::Large) => Qty::Large,
                (Qty::Small, _) | (_, Qty::Small) => Qty::Small,
                _ => Qty::None,
            };
        }
        qty
    }
}

fn public_kind(c: Category) -> CueKind {
    match c {
        C::Wish => CueKind::Wish,
        C::Ideation => CueKind::Ideation,
        C::Method => CueKind::Method,
        C::Means | C::Dose | C::Pill | C::Object => CueKind::Means,
        C::Place => CueKind::Place,
        C::Time => CueKind::TimeFrame,
        C::Intent | C::Resolve | C::Farewell => CueKind::Intent,
        C::Plan => CueKind::Plan,
        C::Prepare | C::Settle | C::Acquire | C::Hold | C::Here => CueKind::Preparation,
        C::Attempt | C::Tried | C::Act | C::SelfHarm => CueKind::Act,
        C::Purpose => CueKind::Purpose,
        C::Think | C::Desire => CueKind::Contemplation,
        // Markers are not cues; they are never passed here.
        C::Distress
        | C::Idiom
        | C::Joke
        | C::Benign
        | C::Reported
        | C::Past
        | C::Asked
        | C::AnswerNo => CueKind::Distress,
    }
}

/// The level that the cues selected by `sel` support, the highest first:
///
/// - **behaviour**: self-injury; being at the place; a preparation (letters, pills saved, a
///   rope tied); an attempt; "tried to" followed by a method or ideation; having taken
///   medication (not a normal dose, unless the message is suicidal); obtaining an object, or
///   medication when the message is suicidal or the quantity large; holding means; putting
///   one's affairs in order in a suicidal message;
/// - **plan**: a plan worked out, with anything suicidal, intent, means, a time or a place;
///   intent with a method, means, a time or a place; a method stated (not just thought of)
///   with a time frame;
/// - **intent**: an intention followed by a wish, ideation or method; a farewell; a resolution
///   in a suicidal message;
/// - **method**: a method; a wish or ideation with means or a place; means that count alone
///   (a dose, the pill emoji, a large quantity, a drug named in a distressed message);
///   thinking about an object or a place;
/// - **ideation**, then **wish to be dead**, when their phrases are counted.
fn combine(
    judged: &[Judged],
    qty: &[Qty],
    toks: &[Token],
    sel: &dyn Fn(&Judged) -> bool,
) -> TriageLevel {
    let c: Vec<&Judged> = judged.iter().filter(|j| sel(j)).collect();
    let has = |cat: Category| c.iter().any(|j| j.cat == cat);
    let is_means = |j: &Judged| matches!(j.cat, C::Means | C::Dose | C::Pill | C::Object);
    // Means at hand: counted, or someone else's that the writer has.
    let at_hand = |j: &Judged| {
        is_means(j) && (sel(j) || (j.owned_by_other && j.status == CueStatus::SomeoneElse))
    };
    let drug_near = |a: &Judged| near(judged, a).any(|j| j.cat != C::Object && at_hand(j));
    let object_near = |a: &Judged| near(judged, a).any(|j| j.cat == C::Object && at_hand(j));
    let means_any = judged.iter().any(at_hand);
    let suicidal = has(C::Wish) || has(C::Ideation) || has(C::Method) || has(C::Purpose);
    let is_pill_emoji = |j: &Judged| toks[j.first].norm == "💊";
    let distress = has(C::Distress);
    let means_alone = c.iter().any(|j| match j.cat {
        C::Dose => true,
        C::Means => is_pill_emoji(j) || qty[j.sentence] == Qty::Large || distress,
        C::Pill => is_pill_emoji(j) || qty[j.sentence] == Qty::Large,
        _ => false,
    });
    // A selected cue of one of `cats` follows `a` within `within` words.
    let followed_by = |a: &Judged, cats: &[Category], within: usize| {
        near(judged, a).any(|b| {
            sel(b)
                && cats.contains(&b.cat)
                && b.first >= a.first
                && !(b.first == a.first && b.last == a.last && b.cat == a.cat)
                && b.s_first <= a.s_last + within
        })
    };
    let thought_of = |a: &Judged| {
        near(judged, a)
            .any(|b| sel(b) && matches!(b.cat, C::Think | C::Desire) && b.first < a.first)
    };
    let suicidal_cats = [C::Wish, C::Ideation, C::Method];

    // Behaviour.
    let behaviour = has(C::SelfHarm)
        || has(C::Here)
        || has(C::Prepare)
        || has(C::Attempt)
        || c.iter()
            .any(|t| t.cat == C::Tried && followed_by(t, &suicidal_cats, 6))
        || c.iter().any(|a| {
            a.cat == C::Act && drug_near(a) && (qty[a.sentence] != Qty::Small || suicidal)
        })
        || c.iter().any(|a| {
            a.cat == C::Acquire
                && (object_near(a) || (drug_near(a) && (suicidal || qty[a.sentence] == Qty::Large)))
        })
        || c.iter()
            .any(|a| a.cat == C::Hold && (drug_near(a) || object_near(a)))
        || (has(C::Settle) && (suicidal || has(C::Resolve) || has(C::Intent) || has(C::Farewell)));
    if behaviour {
        return TriageLevel::Behaviour;
    }

    let intent = c
        .iter()
        .any(|i| i.cat == C::Intent && followed_by(i, &suicidal_cats, 10))
        || has(C::Farewell)
        || (has(C::Resolve) && (suicidal || means_alone));
    let where_when = has(C::Time) || has(C::Place);
    let plan = (has(C::Plan) && (suicidal || intent || has(C::Resolve) || means_any || where_when))
        || (intent && (has(C::Method) || means_any || where_when))
        || (has(C::Time) && c.iter().any(|m| m.cat == C::Method && !thought_of(m)));
    if plan {
        return TriageLevel::Plan;
    }
    if intent {
        return TriageLevel::Intent;
    }
    let thinks_of_object = c.iter().any(|t| {
        t.cat == C::Think
            && near(judged, t).any(|b| sel(b) && matches!(b.cat, C::Object | C::Place))
    });
    if has(C::Method)
        || ((has(C::Wish) || has(C::Ideation) || has(C::Purpose)) && (means_any || has(C::Place)))
        || means_alone
        || thinks_of_object
    {
        return TriageLevel::Method;
    }
    if has(C::Ideation) {
        return TriageLevel::Ideation;
    }
    if has(C::Wish) {
        return TriageLevel::WishToBeDead;
    }
    TriageLevel::None
}

/// The cues of `a`'s sentence within [`NEAR`] words of it (`judged` is in text order).
fn near<'a>(judged: &'a [Judged], a: &'a Judged) -> impl Iterator<Item = &'a Judged> + 'a {
    let lo = judged.partition_point(|b| b.s_first + NEAR < a.s_first);
    judged[lo..]
        .iter()
        .take_while(move |b| b.s_first <= a.s_first + NEAR)
        .filter(move |b| b.sentence == a.sentence)
}
