//! French first, English too. One Fluent table per language (`locales/fr.ftl`,
//! `locales/en.ftl`, embedded in the binary) holds every string of the pages and their
//! scripts. Templates read it through [`Texts::get`]; messages with numbers or names go
//! through [`Texts::format`] (Fluent picks the plural form); scripts receive the strings they
//! need as JSON, a plural message as its variants, picked in the browser with
//! `Intl.PluralRules` (see `loadTexts` in `static/socket.js`).
//!
//! The choice of language: `?lang=` first, then the browser's `Accept-Language` (q-values
//! honoured), then French ([`negotiate`]).

use std::collections::HashMap;
use std::sync::LazyLock;

use axum::http::{header, HeaderMap};
use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use fluent_syntax::ast::{Expression, InlineExpression, Pattern, PatternElement, VariantKey};
use serde::Deserialize;
use serde_json::{Map, Value};

/// A page language.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    /// French (default).
    #[default]
    Fr,
    /// English.
    En,
}

impl Lang {
    /// Every page language, French first.
    #[cfg(test)]
    pub const ALL: [Lang; 2] = [Lang::Fr, Lang::En];

    /// From a `?lang=` value or a language tag's primary subtag (`fr`, `en-GB`…); `None`
    /// for a language the pages do not have.
    pub fn parse(value: &str) -> Option<Lang> {
        let primary = value.split(['-', '_']).next().unwrap_or("");
        if primary.eq_ignore_ascii_case("fr") {
            Some(Lang::Fr)
        } else if primary.eq_ignore_ascii_case("en") {
            Some(Lang::En)
        } else {
            None
        }
    }

    /// BCP 47 code for `<html lang>`.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Fr => "fr",
            Lang::En => "en",
        }
    }

    /// The other language (for the switch link).
    pub fn other(self) -> Lang {
        match self {
            Lang::Fr => Lang::En,
            Lang::En => Lang::Fr,
        }
    }

    fn table(self) -> &'static str {
        match self {
            Lang::Fr => include_str!("../locales/fr.ftl"),
            Lang::En => include_str!("../locales/en.ftl"),
        }
    }
}

/// The language of a page and how it was chosen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PageLang {
    /// The language shown.
    pub lang: Lang,
    /// `?lang=` named it: links keep it, since the browser's own choice may differ.
    pub explicit: bool,
    /// `?lang=` named a language the pages do not have; the page says so.
    pub unknown_asked: bool,
}

impl PageLang {
    /// What links and form actions append to keep this language: `""` when the browser's
    /// own choice gives it again, `?lang=…` when the reader chose it.
    pub fn query(self) -> &'static str {
        match (self.explicit, self.lang) {
            (false, _) => "",
            (true, Lang::Fr) => "?lang=fr",
            (true, Lang::En) => "?lang=en",
        }
    }
}

/// `?lang=` first (`query` is the raw query string), then `Accept-Language`, then French.
/// An unknown `?lang=` value gets the negotiated language, marked [`PageLang::unknown_asked`].
pub fn negotiate(query: Option<&str>, headers: &HeaderMap) -> PageLang {
    let asked = query.and_then(|q| q.split('&').find_map(|kv| kv.strip_prefix("lang=")));
    if let Some(lang) = asked.and_then(Lang::parse) {
        return PageLang {
            lang,
            explicit: true,
            unknown_asked: false,
        };
    }
    let lang = headers
        .get_all(header::ACCEPT_LANGUAGE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find_map(from_accept_language)
        .unwrap_or_default();
    PageLang {
        lang,
        explicit: false,
        unknown_asked: asked.is_some(),
    }
}

/// The page language a browser prefers most, from one `Accept-Language` value (RFC 9110:
/// `fr-CH, fr;q=0.9, en;q=0.8, *;q=0.5`). `q=0` means "not this one"; `*` means any (French).
fn from_accept_language(value: &str) -> Option<Lang> {
    let mut best: Option<(f32, Lang)> = None;
    // Bounded: a hostile header of thousands of entries costs no more than 64.
    for entry in value.split(',').take(64) {
        let mut parts = entry.split(';');
        let tag = parts.next().unwrap_or("").trim();
        let q = parts
            .find_map(|p| p.trim().strip_prefix("q="))
            .map_or(Some(1.0), |q| q.trim().parse::<f32>().ok())
            .filter(|q| (0.0..=1.0).contains(q));
        let (Some(q), Some(lang)) = (
            q,
            if tag == "*" {
                Some(Lang::Fr)
            } else {
                Lang::parse(tag)
            },
        ) else {
            continue;
        };
        // The first of equal weights wins, as the header lists them by preference.
        if q > 0.0 && best.is_none_or(|(b, _)| q > b) {
            best = Some((q, lang));
        }
    }
    best.map(|(_, lang)| lang)
}

/// One language's table: the Fluent bundle, and each message's text with its variables as
/// `{name}` (a plural message: its default variant), made once so that [`Texts::get`] is a
/// look-up.
struct Table {
    bundle: FluentBundle<FluentResource>,
    plain: HashMap<String, String>,
    script: HashMap<String, Value>,
}

/// Both tables.
pub struct Catalog {
    fr: Table,
    en: Table,
}

/// A flaw of a table: the tests and the start-up check name it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{lang}.ftl: {problem}")]
pub struct TableError {
    /// `fr` or `en`.
    pub lang: &'static str,
    /// What is wrong.
    pub problem: String,
}

impl Catalog {
    /// Parses the embedded tables.
    pub fn load() -> Result<Catalog, TableError> {
        Ok(Catalog {
            fr: Table::load(Lang::Fr)?,
            en: Table::load(Lang::En)?,
        })
    }

    fn table(&self, lang: Lang) -> &Table {
        match lang {
            Lang::Fr => &self.fr,
            Lang::En => &self.en,
        }
    }

    /// Every key of `lang`'s table.
    #[cfg(test)]
    pub fn keys(&self, lang: Lang) -> impl Iterator<Item = &str> {
        self.table(lang).plain.keys().map(String::as_str)
    }

    /// The variables that `key`'s message uses in `lang` (to compare the two tables).
    #[cfg(test)]
    pub fn variables(&self, lang: Lang, key: &str) -> Vec<String> {
        let mut vars = Vec::new();
        if let Some(p) = self
            .table(lang)
            .bundle
            .get_message(key)
            .and_then(|m| m.value())
        {
            collect_variables(p, &mut vars);
        }
        vars.sort();
        vars.dedup();
        vars
    }
}

/// The embedded tables, parsed once. Immutable text compiled into the binary, like the
/// constant table this replaces: nothing here changes at run time. The tests check that
/// both tables load, so [`Catalog::load`] failing here is a build that never passed them.
static CATALOG: LazyLock<Result<Catalog, TableError>> = LazyLock::new(Catalog::load);

impl Table {
    fn load(lang: Lang) -> Result<Table, TableError> {
        let fail = |problem: String| TableError {
            lang: lang.code(),
            problem,
        };
        let resource = FluentResource::try_new(lang.table().to_owned())
            .map_err(|(_, errors)| fail(format!("syntax: {errors:?}")))?;
        let langid = lang
            .code()
            .parse::<unic_langid::LanguageIdentifier>()
            .map_err(|e| fail(e.to_string()))?;
        let mut bundle = FluentBundle::new_concurrent(vec![langid]);
        // No Unicode isolation marks around placeables: both languages are left-to-right,
        // and the marks would sit in the middle of every page text.
        bundle.set_use_isolating(false);
        let mut ids = Vec::new();
        for entry in resource.entries() {
            if let fluent_syntax::ast::Entry::Message(m) = entry {
                ids.push(m.id.name.to_owned());
            }
        }
        bundle
            .add_resource(resource)
            .map_err(|errors| fail(format!("{errors:?}")))?;
        let mut plain = HashMap::new();
        let mut script = HashMap::new();
        for id in ids {
            let pattern = bundle
                .get_message(&id)
                .and_then(|m| m.value())
                .ok_or_else(|| fail(format!("{id} has no text")))?;
            let form = script_form(pattern).map_err(|e| fail(format!("{id}: {e}")))?;
            let text = match &form {
                Value::String(s) => s.clone(),
                Value::Object(o) => o
                    .get("*")
                    .and_then(Value::as_str)
                    .unwrap_or_default()
                    .to_owned(),
                _ => String::new(),
            };
            plain.insert(id.clone(), text);
            script.insert(id, form);
        }
        Ok(Table {
            bundle,
            plain,
            script,
        })
    }
}

/// A message as the scripts get it: a string with `{name}` for each variable, or, for a
/// message with a plural selector, `{"select": name, "one": …, "other": …, "*": default}`,
/// each variant the whole message with that variant in place. One selector per message.
fn script_form(pattern: &Pattern<&str>) -> Result<Value, String> {
    let mut selector = None;
    for element in &pattern.elements {
        if let PatternElement::Placeable {
            expression: Expression::Select { selector: s, .. },
        } = element
        {
            if selector.is_some() {
                return Err("two selectors in one message".into());
            }
            selector = Some(s);
        }
    }
    let Some(selector) = selector else {
        return Ok(Value::String(flatten(pattern, None)?));
    };
    let InlineExpression::VariableReference { id } = selector else {
        return Err("a selector must be a variable".into());
    };
    let mut out = Map::new();
    out.insert("select".into(), Value::from(id.name));
    for element in &pattern.elements {
        if let PatternElement::Placeable {
            expression: Expression::Select { variants, .. },
        } = element
        {
            for (i, variant) in variants.iter().enumerate() {
                let key = match &variant.key {
                    VariantKey::Identifier { name } => (*name).to_owned(),
                    VariantKey::NumberLiteral { value } => (*value).to_owned(),
                };
                let text = flatten(pattern, Some(i))?;
                if variant.default {
                    out.insert("*".into(), Value::from(text.clone()));
                }
                out.insert(key, Value::from(text));
            }
        }
    }
    Ok(Value::Object(out))
}

/// The text of `pattern` with variables as `{name}`; the selector, if any, replaced by its
/// variant number `variant`.
fn flatten(pattern: &Pattern<&str>, variant: Option<usize>) -> Result<String, String> {
    let mut out = String::new();
    for element in &pattern.elements {
        match element {
            PatternElement::TextElement { value } => out.push_str(value),
            PatternElement::Placeable { expression } => match expression {
                Expression::Inline(inline) => out.push_str(&inline_text(inline)?),
                Expression::Select { variants, .. } => {
                    let v = variant
                        .and_then(|i| variants.get(i))
                        .or_else(|| variants.iter().find(|v| v.default))
                        .ok_or("a selector without a default variant")?;
                    out.push_str(&flatten(&v.value, None)?);
                }
            },
        }
    }
    Ok(out)
}

fn inline_text(inline: &InlineExpression<&str>) -> Result<String, String> {
    match inline {
        InlineExpression::VariableReference { id } => Ok(format!("{{{}}}", id.name)),
        InlineExpression::StringLiteral { value } => Ok((*value).to_owned()),
        InlineExpression::NumberLiteral { value } => Ok((*value).to_owned()),
        InlineExpression::Placeable { expression } => match expression.as_ref() {
            Expression::Inline(i) => inline_text(i),
            Expression::Select { .. } => Err("a nested selector".into()),
        },
        _ => Err("only text, variables, literals and one plural selector are supported".into()),
    }
}

#[cfg(test)]
fn collect_variables(pattern: &Pattern<&str>, out: &mut Vec<String>) {
    for element in &pattern.elements {
        if let PatternElement::Placeable { expression } = element {
            match expression {
                Expression::Inline(InlineExpression::VariableReference { id }) => {
                    out.push(id.name.to_owned())
                }
                Expression::Select { selector, variants } => {
                    if let InlineExpression::VariableReference { id } = selector {
                        out.push(id.name.to_owned());
                    }
                    for v in variants {
                        collect_variables(&v.value, out);
                    }
                }
                Expression::Inline(_) => {}
            }
        }
    }
}

/// A value for a message's variable.
#[derive(Debug, Clone, Copy)]
pub enum Arg<'a> {
    /// A count: picks the plural form.
    Number(i64),
    /// A name or any text, shown as is.
    Text(&'a str),
}

/// The strings of one language.
#[derive(Debug, Clone, Copy)]
pub struct Texts {
    /// Its language.
    pub lang: Lang,
}

impl Texts {
    /// Strings of `lang`.
    pub fn new(lang: Lang) -> Texts {
        Texts { lang }
    }

    fn table(&self) -> Option<&'static Table> {
        CATALOG.as_ref().ok().map(|c| c.table(self.lang))
    }

    /// The text for `key` (variables shown as `{name}`; a plural message's default form);
    /// the key itself if missing, which the key test (`src/i18n_keys.rs`) refuses.
    pub fn get<'a>(&self, key: &'a str) -> &'a str {
        self.table()
            .and_then(|t| t.plain.get(key))
            .map_or(key, String::as_str)
    }

    /// The text for `key` with its variables filled; Fluent picks the plural form of each
    /// [`Arg::Number`].
    pub fn format(&self, key: &str, args: &[(&str, Arg<'_>)]) -> String {
        let Some(table) = self.table() else {
            return key.to_owned();
        };
        let Some(pattern) = table.bundle.get_message(key).and_then(|m| m.value()) else {
            return key.to_owned();
        };
        let mut fluent_args = FluentArgs::new();
        for (name, value) in args {
            let value = match value {
                Arg::Number(n) => FluentValue::from(*n),
                Arg::Text(s) => FluentValue::from(*s),
            };
            fluent_args.set(*name, value);
        }
        let mut errors = Vec::new();
        let text = table
            .bundle
            .format_pattern(pattern, Some(&fluent_args), &mut errors);
        if !errors.is_empty() {
            tracing::warn!(key, ?errors, "a page text lacks a value");
        }
        text.into_owned()
    }

    /// [`Texts::format`] with one count (templates: `t.count("chars_left", "n", max)`).
    pub fn count(&self, key: &str, name: &str, n: impl std::borrow::Borrow<usize>) -> String {
        let n = i64::try_from(*n.borrow()).unwrap_or(i64::MAX);
        self.format(key, &[(name, Arg::Number(n))])
    }

    /// [`Texts::format`] with one text (templates: `t.with("opening_hours", "hours", h)`).
    pub fn with(&self, key: &str, name: &str, value: impl AsRef<str>) -> String {
        self.format(key, &[(name, Arg::Text(value.as_ref()))])
    }

    /// The strings named by `keys`, as a JSON object for a page's scripts: a string each, a
    /// plural message as its variants (see `loadTexts` in `static/socket.js`).
    pub fn json(&self, keys: &[&str]) -> String {
        let map: Map<String, Value> = keys
            .iter()
            .map(|k| {
                let v = self
                    .table()
                    .and_then(|t| t.script.get(*k).cloned())
                    .unwrap_or_else(|| Value::from(*k));
                ((*k).to_owned(), v)
            })
            .collect();
        // `<` is escaped so the JSON can sit inside a <script> element safely.
        Value::Object(map).to_string().replace('<', "\\u003c")
    }
}

/// Whether the embedded tables load; the server refuses to start otherwise.
pub fn check_tables() -> Result<(), TableError> {
    CATALOG.as_ref().map(|_| ()).map_err(Clone::clone)
}

#[cfg(test)]
#[path = "i18n_keys.rs"]
mod keys;

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn accept(value: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert(
            header::ACCEPT_LANGUAGE,
            HeaderValue::from_str(value).unwrap(),
        );
        h
    }

    #[test]
    fn both_tables_load_with_the_same_keys_and_variables() {
        let catalog = Catalog::load().unwrap();
        let mut fr: Vec<_> = catalog.keys(Lang::Fr).collect();
        let mut en: Vec<_> = catalog.keys(Lang::En).collect();
        fr.sort();
        en.sort();
        assert_eq!(fr, en, "the two tables must have the same keys");
        for key in fr {
            assert_eq!(
                catalog.variables(Lang::Fr, key),
                catalog.variables(Lang::En, key),
                "{key} uses other variables in French and English"
            );
            for lang in Lang::ALL {
                assert!(!Texts::new(lang).get(key).trim().is_empty(), "{key} empty");
            }
        }
        assert_eq!(Texts::new(Lang::En).get("send"), "Send");
        assert_eq!(Texts::new(Lang::Fr).get("send"), "Envoyer");
        assert!(!Texts::new(Lang::Fr).json(&["send"]).contains('<'));
    }

    #[test]
    fn plurals_are_chosen_by_the_number() {
        let fr = Texts::new(Lang::Fr);
        let en = Texts::new(Lang::En);
        let n = |k: i64| [("n", Arg::Number(k))];
        assert_eq!(fr.format("chars_left", &n(1)), "1 caractère restant");
        // French: 0 and 1 are singular.
        assert_eq!(fr.format("chars_left", &n(0)), "0 caractère restant");
        assert_eq!(fr.format("chars_left", &n(12)), "12 caractères restants");
        assert_eq!(en.format("chars_left", &n(1)), "1 character left");
        assert_eq!(en.format("chars_left", &n(0)), "0 characters left");
        let q = |w: i64| [("position", Arg::Number(2)), ("waiting", Arg::Number(w))];
        assert_eq!(
            fr.format("queue_position", &q(2)),
            "Vous êtes 2ᵉ dans la file (2 personnes en attente)."
        );
        assert_eq!(
            en.format("queue_position", &q(2)),
            "You are number 2 in the queue (2 people waiting)."
        );
        for lang in Lang::ALL {
            for key in ["chars_left", "queue_position", "wait_minutes"] {
                let text = Texts::new(lang).format(key, &q(3));
                assert!(!text.contains("(s)"), "{key} in {lang:?}: {text}");
            }
        }
    }

    #[test]
    fn scripts_get_the_plural_variants() {
        let json: Value =
            serde_json::from_str(&Texts::new(Lang::Fr).json(&["chars_left", "send"])).unwrap();
        assert_eq!(json["send"], "Envoyer");
        assert_eq!(json["chars_left"]["select"], "n");
        assert_eq!(json["chars_left"]["one"], "{n} caractère restant");
        assert_eq!(json["chars_left"]["other"], "{n} caractères restants");
        assert_eq!(json["chars_left"]["*"], "{n} caractères restants");
        let json: Value =
            serde_json::from_str(&Texts::new(Lang::En).json(&["queue_position"])).unwrap();
        assert_eq!(
            json["queue_position"]["one"],
            "You are number {position} in the queue (one person waiting)."
        );
    }

    #[test]
    fn the_language_is_asked_then_negotiated_then_french() {
        let none = HeaderMap::new();
        let lang = |q: Option<&str>, h: &HeaderMap| negotiate(q, h).lang;
        assert_eq!(lang(None, &none), Lang::Fr);
        assert_eq!(lang(Some("lang=en"), &none), Lang::En);
        assert_eq!(lang(Some("lang=fr"), &accept("en")), Lang::Fr);
        assert_eq!(lang(None, &accept("en-GB,en;q=0.9")), Lang::En);
        assert_eq!(lang(None, &accept("de-DE, en;q=0.5, fr;q=0.8")), Lang::Fr);
        assert_eq!(lang(None, &accept("de, fr;q=0.1, en;q=0.2")), Lang::En);
        assert_eq!(lang(None, &accept("en;q=0, fr;q=0.1")), Lang::Fr);
        assert_eq!(lang(None, &accept("de")), Lang::Fr);
        assert_eq!(lang(None, &accept("en;q=bogus, *;q=0.3")), Lang::Fr);
        // An unknown ?lang= gets the browser's language, and is marked so the page says so.
        let unknown = negotiate(Some("lang=de"), &accept("en"));
        assert_eq!(unknown.lang, Lang::En);
        assert!(unknown.unknown_asked && !unknown.explicit);
        assert_eq!(unknown.query(), "");
        assert_eq!(negotiate(Some("lang=fr"), &none).query(), "?lang=fr");
        assert_eq!(negotiate(None, &accept("en")).query(), "");
    }
}
