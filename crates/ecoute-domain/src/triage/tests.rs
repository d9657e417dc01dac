//! The scorer's unit tests: each level, negation, quotation, someone else, idioms, doses,
//! emojis, accents, and that no input makes it panic.

use super::*;
use TriageLevel as L;

fn level(text: &str) -> TriageLevel {
    assess(text).level
}

fn counted(text: &str) -> Vec<(CueKind, String)> {
    assess(text)
        .triggers()
        .map(|c| (c.kind, c.text.clone()))
        .collect()
}

#[test]
fn each_level_in_both_languages() {
    let cases = [
        (
            "Bonjour, je voudrais parler à quelqu'un de ma journée",
            L::None,
        ),
        ("Hello, I'd like to talk about my day", L::None),
        ("Parfois j'ai envie de mourir", L::WishToBeDead),
        ("Some days I wish I were dead", L::WishToBeDead),
        ("J'ai des pensées suicidaires depuis Noël", L::Ideation),
        ("I keep having suicidal thoughts", L::Ideation),
        ("Je pense souvent à me pendre", L::Method),
        ("I sometimes think of hanging myself", L::Method),
        ("J'ai décidé de me suicider", L::Intent),
        ("I'm going to end my life", L::Intent),
        ("Demain soir je vais me jeter du pont", L::Plan),
        ("Tomorrow I'm going to hang myself", L::Plan),
        ("J'ai avalé vingt comprimés", L::Behaviour),
        ("I've swallowed thirty pills", L::Behaviour),
    ];
    for (text, expected) in cases {
        assert_eq!(level(text), expected, "{text}");
    }
}

#[test]
fn negation_is_read() {
    for text in [
        "Je ne veux pas mourir",
        "je veux pas me tuer, je veux qu'on m'aide",
        "Je ne me suiciderai jamais",
        "Je n'ai jamais eu d'idées suicidaires",
        "I don't want to die",
        "I'm not going to kill myself",
        "I would never kill myself",
        "I am not suicidal",
    ] {
        assert_eq!(level(text), L::None, "{text}");
        assert!(
            assess(text)
                .cues
                .iter()
                .any(|c| c.status == CueStatus::Negated),
            "{text}"
        );
    }
    // A negation that is part of the wish, or that does not reach the thought.
    assert_eq!(level("Je n'ai plus envie de vivre"), L::WishToBeDead);
    assert_eq!(level("I don't want to live anymore"), L::WishToBeDead);
    assert_eq!(
        level("Je voudrais m'endormir et ne jamais me réveiller"),
        L::WishToBeDead
    );
    assert_eq!(level("I can't stop thinking about suicide"), L::Ideation);
    assert_eq!(level("Je n'arrête pas de penser au suicide"), L::Ideation);
    assert_eq!(
        level("I don't know why, but I want to kill myself"),
        L::Ideation
    );
    // "Je ne veux plus mourir": no longer.
    assert_eq!(level("Je ne veux plus mourir, ça va mieux"), L::None);
}

#[test]
fn quotations_and_lyrics_are_not_the_writer() {
    for text in [
        "Le refrain dit « je veux mourir » et je l'écoute en boucle",
        "The chorus goes \"I want to die\" and it's beautiful",
        "Il chante “j'ai envie d'en finir” dans sa dernière chanson",
    ] {
        assert_eq!(level(text), L::None, "{text}");
    }
    // The writer quoting themselves counts.
    assert_eq!(
        level("J'ai dit à mon médecin « je veux mourir »"),
        L::WishToBeDead
    );
    assert_eq!(
        level("I told my doctor 'I want to kill myself'"),
        L::Ideation
    );
    // A stray quotation mark hides nothing.
    assert_eq!(level("\"je veux mourir"), L::WishToBeDead);
}

#[test]
fn someone_else_is_not_the_writer() {
    let a = assess("Mon frère m'a dit qu'il voulait se tuer");
    assert_eq!((a.level, a.other), (L::None, L::Ideation));
    assert!(a.cues.iter().any(|c| c.status == CueStatus::SomeoneElse));
    assert_eq!(level("My best friend wants to kill himself"), L::None);
    assert_eq!(level("Ma grand-mère prend du Lexomil pour dormir"), L::None);
    assert_eq!(
        level("My grandmother's medication is on the table"),
        L::None
    );
    assert_eq!(
        level("Les cachets de ma mère sont dans la cuisine"),
        L::None
    );
    // Someone else's behaviour raises the priority, without being the writer's level.
    let a = assess("Ma sœur a avalé toutes ses pilules, elle ne répond plus");
    assert_eq!((a.level, a.other), (L::None, L::Behaviour));
    assert!(a.queue_priority() >= L::Method.queue_priority());
    assert!(a.alerts_supervisor());
    // Both in one message: the writer's own words count.
    assert_eq!(
        level("Depuis que mon ami s'est suicidé, je pense au suicide"),
        L::Ideation
    );
    // Someone else's pills, taken by the writer.
    assert_eq!(level("I took all of my mother's pills"), L::Behaviour);
}

#[test]
fn idioms_and_hyperbole() {
    for text in [
        "Mort de rire 😂",
        "Je meurs de faim, vivement midi",
        "je suis morte de fatigue",
        "Mon patron va me tuer si je rate la réunion",
        "Je m'ennuie à mourir ce soir",
        "I'm dying of laughter",
        "I'm dying to go to that concert",
        "This traffic is killing me",
        "You killed it at the show!",
        "I'd rather die than sing in public",
        "I'm bored to death",
        "That's career suicide",
        "I want to kill myself lol jk, the exam went fine",
    ] {
        assert_eq!(level(text), L::None, "{text}");
    }
}

#[test]
fn medication_doses_and_emojis() {
    // Crisis Text Line: doses, drug names and the pill emoji mattered more than "suicide".
    assert_eq!(level("800mg"), L::Method);
    assert_eq!(level("ibuprofen 800 mg"), L::Method);
    assert_eq!(level("💊💊💊💊"), L::Method);
    assert_eq!(level("j'en peux plus, j'ai du paracétamol"), L::Method);
    assert_eq!(level("I've got twelve boxes of Tylenol"), L::Method);
    assert_eq!(level("j'ai pris 2 g de doliprane pour ma fièvre"), L::None);
    assert_eq!(level("I took an Advil for my headache"), L::None);
    assert_eq!(level("Je prends mes médicaments tous les matins"), L::None);
    assert_eq!(level("I took 25 tablets of paracetamol"), L::Behaviour);
    assert_eq!(
        level("j'ai pris toute la plaquette d'Efferalgan"),
        L::Behaviour
    );
    assert_eq!(level("J'ai 💊 dans la main"), L::Behaviour);
    let a = assess("I took 25 tablets");
    assert!(
        a.triggers()
            .any(|c| c.kind == CueKind::Act && c.text == "took"),
        "{a:?}"
    );
}

#[test]
fn accents_case_and_spellings() {
    for text in [
        "Je veux me suicider",
        "je veux me suicider",
        "JE VEUX ME SUICIDER",
        "jveux me suicider",
        "Je veux me suicider.",
    ] {
        assert_eq!(level(text), L::Ideation, "{text}");
    }
    assert_eq!(level("je voudrais disparaitre"), L::WishToBeDead);
    assert_eq!(level("je voudrais disparaître"), L::WishToBeDead);
    assert_eq!(level("JE VOUDRAIS DISPARAÎTRE"), L::WishToBeDead);
    assert_eq!(level("jai envie de mourir"), L::WishToBeDead);
    assert_eq!(level("im gonna kill myself"), L::Intent);
    assert_eq!(level("I’m going to kill myself"), L::Intent);
}

#[test]
fn the_past_and_recovery() {
    assert_eq!(
        level("Il y a vingt ans j'ai fait une tentative de suicide, aujourd'hui je vais bien"),
        L::None
    );
    assert_eq!(level("I attempted suicide last month"), L::Behaviour);
}

#[test]
fn cues_point_at_the_words_as_written() {
    let text = "Ce soir, j’avale toute la boîte de Doliprane. 💊";
    let a = assess(text);
    assert_eq!(a.version, SCORER_VERSION);
    assert_eq!(a.level, L::Plan);
    for c in &a.cues {
        assert_eq!(&text[c.start..c.end], c.text);
    }
    let kinds: Vec<CueKind> = a.triggers().map(|c| c.kind).collect();
    for k in [CueKind::TimeFrame, CueKind::Method, CueKind::Means] {
        assert!(kinds.contains(&k), "{k:?} in {kinds:?}");
    }
    assert!(counted(text).iter().any(|(_, t)| t == "Doliprane"));
}

#[test]
fn priority_only_rises() {
    let calm = assess("Bonjour");
    assert_eq!(calm.queue_priority(), 0);
    assert_eq!(raise_priority(5, &calm), 5);
    let plan = assess("Ce soir je vais sauter du pont");
    assert_eq!(plan.level, L::Plan);
    assert_eq!(raise_priority(0, &plan), L::Plan.queue_priority());
    assert_eq!(raise_priority(100, &plan), 100);
    // Priorities grow with the levels.
    let p: Vec<i32> = TriageLevel::ALL
        .iter()
        .map(|l| l.queue_priority())
        .collect();
    assert!(p.windows(2).all(|w| w[0] < w[1]), "{p:?}");
    assert_eq!(L::None.risk(), ScreenerRisk::NoneFound);
    assert_eq!(L::Method.risk(), ScreenerRisk::Moderate);
    assert_eq!(L::Behaviour.risk(), ScreenerRisk::High);
}

#[test]
fn levels_serialise_in_snake_case_and_read_back() {
    for l in TriageLevel::ALL {
        assert_eq!(TriageLevel::parse(l.as_str()), Some(l));
        assert_eq!(l.to_string(), l.as_str());
    }
    assert_eq!(TriageLevel::parse("behavior"), Some(L::Behaviour));
    assert_eq!(TriageLevel::parse("sad"), None);
    assert_eq!(L::WishToBeDead.as_str(), "wish_to_be_dead");
    assert!(L::Plan > L::Intent && L::Intent > L::Method);
}

#[test]
fn the_shipped_lexicon_has_no_errors() {
    assert_eq!(lexicon_errors(), []);
}

#[test]
fn no_input_makes_it_panic_and_long_inputs_stay_quick() {
    let odd = [
        "",
        " ",
        "\u{0}\u{1}\u{7f}",
        "'''''\"\"\"«««»»»“”‘’",
        "j'",
        "'s",
        "n't",
        "1.2.3,4,5",
        "99999999999999999999999999999999999999 mg",
        "🏳️‍🌈👩‍👩‍👧‍👦🤷🏽‍♀️💊\u{fe0f}",
        "e\u{301}\u{301}\u{301}",
        "ǅǈǋ ΣΑΣ İstanbul ß ﬁ",
        "中文 日本語 العربية עברית हिन्दी",
        "\u{202e}evil\u{202d}",
        "- - - — – ...",
        "je ne ne ne pas pas pas",
        "~1 [x] <num> a|b",
    ];
    for text in odd {
        let _ = assess(text);
    }
    // Every char boundary of a mixed text, cut anywhere.
    let mixed = "J'ai pris 20 cachets 💊, « je veux mourir » – I'm gonna kill myself tonight!";
    for (i, _) in mixed.char_indices() {
        let _ = assess(&mixed[..i]);
        let _ = assess(&mixed[i..]);
    }
    // A long text: linear cost.
    let long = "je veux mourir ce soir avec 💊 et du paracétamol, ".repeat(2_000);
    let start = std::time::Instant::now();
    let a = assess(&long);
    assert!(a.level >= L::Method);
    assert!(start.elapsed().as_secs() < 10, "{:?}", start.elapsed());
    let no_punctuation = "a ".repeat(50_000);
    assert_eq!(assess(&no_punctuation).level, L::None);
}

/// FNV-1a of the lexicon's entries, comments and spacing left out.
fn lexicon_digest() -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for line in lexicon::SOURCE.lines().map(str::trim) {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        for b in line
            .split_whitespace()
            .flat_map(|w| w.bytes().chain([b' ']))
        {
            h ^= u64::from(b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        h ^= u64::from(b'\n');
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

#[test]
fn the_version_names_this_lexicon() {
    assert_eq!(
        (SCORER_VERSION, format!("{:016x}", lexicon_digest())),
        ("triage-1.0.0", "0f0670ed34be0d2c".to_string()),
        "lexicon.txt changed: bump SCORER_VERSION, run `ecoute triage eval`, update \
         docs/safety.md, then this digest"
    );
}
