//! The private retrieval code of a written message: what a person who writes without any
//! account receives, and the only way back to the replies.
//!
//! A code is eight words drawn from one of the BIP-39 word lists (2,048 words each, French or
//! English, as shipped by the `bip39` crate): 8 × 11 = 88 bits, beyond what any guessing can
//! reach (SecureDrop's seven words from 7,000 give about 90; short numeric receipts were
//! dropped after audits). Words are easy to copy or write down; a code is read back however
//! it is typed — any case, with or without accents, separated by spaces, hyphens or commas.
//!
//! The server keeps only a keyed slow hash of a code's [`RetrievalCode::canonical`] form
//! (the application's business): a lost code cannot be recovered, by anyone.

/// The word list a code is drawn from: the page's language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WordList {
    /// BIP-39's French list.
    French,
    /// BIP-39's English list.
    English,
}

/// Words in a code.
pub const WORDS: usize = 8;
/// Random bytes a code is made from: 88 bits, 11 per word.
pub const RANDOM_BYTES: usize = 11;
/// The most characters a typed code may have (ten letters a word, separators, slack): a
/// longer input is refused before any work.
pub const MAX_TYPED_CHARS: usize = 160;

impl WordList {
    fn words(self) -> &'static [&'static str; 2048] {
        match self {
            WordList::French => bip39::Language::French.word_list(),
            WordList::English => bip39::Language::English.word_list(),
        }
    }

    fn tag(self) -> &'static str {
        match self {
            WordList::French => "fr",
            WordList::English => "en",
        }
    }
}

/// A retrieval code: eight word indices in one list.
#[derive(Clone, PartialEq, Eq)]
pub struct RetrievalCode {
    list: WordList,
    indices: [u16; WORDS],
}

/// Why a typed code is refused (without saying how close it was).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CodeError {
    /// Not eight words of one list.
    #[error("a code is eight words, as it was given")]
    Malformed,
}

impl std::fmt::Debug for RetrievalCode {
    // A code is a secret: never in a log by accident.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RetrievalCode(…)")
    }
}

/// `word` without case or accents: the form typed codes are compared in. (BIP-39's French
/// words carry only é and è, decomposed; typed ones may be composed.)
fn fold(word: &str) -> String {
    word.chars()
        .filter(|c| !('\u{300}'..='\u{36f}').contains(c))
        .flat_map(char::to_lowercase)
        .map(|c| match c {
            'à' | 'â' | 'ä' => 'a',
            'é' | 'è' | 'ê' | 'ë' => 'e',
            'î' | 'ï' => 'i',
            'ô' | 'ö' => 'o',
            'ù' | 'û' | 'ü' => 'u',
            'ç' => 'c',
            c => c,
        })
        .collect()
}

impl RetrievalCode {
    /// A code from `random`, 88 random bits (the caller draws them from the system's
    /// generator), in `list`.
    pub fn from_random(list: WordList, random: [u8; RANDOM_BYTES]) -> RetrievalCode {
        let mut bits: u128 = 0;
        for byte in random {
            bits = bits << 8 | u128::from(byte);
        }
        let mut indices = [0u16; WORDS];
        for (i, index) in indices.iter_mut().enumerate() {
            let shift = 11 * (WORDS - 1 - i);
            // 11 bits: below 2,048.
            *index = ((bits >> shift) & 0x7ff) as u16;
        }
        RetrievalCode { list, indices }
    }

    /// A code as a person typed it. Refused unless it is eight words of one list.
    pub fn parse(typed: &str) -> Result<RetrievalCode, CodeError> {
        if typed.chars().count() > MAX_TYPED_CHARS {
            return Err(CodeError::Malformed);
        }
        let words: Vec<String> = typed
            .split(|c: char| !c.is_alphabetic() && !('\u{300}'..='\u{36f}').contains(&c))
            .filter(|w| !w.is_empty())
            .map(fold)
            .collect();
        if words.len() != WORDS {
            return Err(CodeError::Malformed);
        }
        // French first: the lists share a hundred words, a code is all of one list.
        for list in [WordList::French, WordList::English] {
            let all = list.words();
            let found: Option<Vec<u16>> = words
                .iter()
                .map(|w| {
                    all.iter()
                        .position(|candidate| fold(candidate) == *w)
                        .and_then(|i| u16::try_from(i).ok())
                })
                .collect();
            if let Some(found) = found {
                let mut indices = [0u16; WORDS];
                indices.copy_from_slice(&found);
                return Ok(RetrievalCode { list, indices });
            }
        }
        Err(CodeError::Malformed)
    }

    /// The code to show, words separated by spaces, accents composed.
    pub fn words(&self) -> String {
        let all = self.list.words();
        self.indices
            .iter()
            .map(|&i| {
                all[usize::from(i)]
                    .replace("e\u{301}", "é")
                    .replace("e\u{300}", "è")
            })
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// One spelling per code, whatever way it was typed: what is hashed.
    pub fn canonical(&self) -> String {
        let indices: Vec<String> = self.indices.iter().map(|i| format!("{i:04}")).collect();
        format!("{}:{}", self.list.tag(), indices.join("-"))
    }

    /// The code's first word, folded: a budget of tries per first word slows guessing
    /// without anything that identifies who tries (a guesser must vary it, the person
    /// retyping their own code does not).
    pub fn first_word(&self) -> String {
        fold(self.list.words()[usize::from(self.indices[0])])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RANDOM: [u8; RANDOM_BYTES] = [
        0xde, 0xad, 0xbe, 0xef, 0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd,
    ];

    #[test]
    fn eight_words_from_88_bits_read_back_however_typed() {
        let code = RetrievalCode::from_random(WordList::French, RANDOM);
        let shown = code.words();
        assert_eq!(shown.split(' ').count(), WORDS);
        assert_eq!(RetrievalCode::parse(&shown), Ok(code.clone()));
        // Capitals, hyphens, commas, no accents, extra spaces.
        let typed = fold(&shown).to_uppercase().replace(' ', " - ,");
        assert_eq!(RetrievalCode::parse(&typed), Ok(code.clone()));
        assert_eq!(
            RetrievalCode::parse(&typed).map(|c| c.canonical()),
            Ok(code.canonical())
        );
        let english = RetrievalCode::from_random(WordList::English, RANDOM);
        assert_ne!(english.canonical(), code.canonical());
        assert_eq!(RetrievalCode::parse(&english.words()), Ok(english));
    }

    #[test]
    fn every_bit_counts() {
        // 88 bits: flipping any one gives another code.
        let base = RetrievalCode::from_random(WordList::English, [0; RANDOM_BYTES]);
        let mut seen = std::collections::HashSet::new();
        for bit in 0..88 {
            let mut random = [0u8; RANDOM_BYTES];
            random[bit / 8] |= 0x80 >> (bit % 8);
            let code = RetrievalCode::from_random(WordList::English, random);
            assert_ne!(code, base, "bit {bit}");
            assert!(seen.insert(code.canonical()), "bit {bit}");
        }
        let top = RetrievalCode::from_random(WordList::English, [0xff; RANDOM_BYTES]);
        assert!(top.indices.iter().all(|&i| i == 2047));
    }

    #[test]
    fn anything_else_is_malformed_and_says_nothing_more() {
        let code = RetrievalCode::from_random(WordList::French, RANDOM).words();
        let seven: Vec<&str> = code.split(' ').take(7).collect();
        for bad in [
            "",
            "1234 5678",
            &seven.join(" "),
            &format!("{code} abeille"),
            &format!("{} zzzzzz", seven.join(" ")),
            &"abeille ".repeat(40),
        ] {
            assert_eq!(
                RetrievalCode::parse(bad),
                Err(CodeError::Malformed),
                "{bad:?}"
            );
        }
        // Words of both lists mixed are no code.
        let en = RetrievalCode::from_random(WordList::English, [0x55; RANDOM_BYTES]).words();
        let mixed = format!(
            "{} {}",
            seven.join(" "),
            en.split(' ').next_back().unwrap_or("")
        );
        assert_eq!(RetrievalCode::parse(&mixed), Err(CodeError::Malformed));
    }

    #[test]
    fn a_code_is_never_printed_by_accident() {
        let code = RetrievalCode::from_random(WordList::English, RANDOM);
        assert_eq!(format!("{code:?}"), "RetrievalCode(…)");
        assert_eq!(
            code.first_word(),
            fold(code.words().split(' ').next().unwrap_or(""))
        );
    }
}
