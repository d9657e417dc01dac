//! French first, English too. One table holds every string of the pages and their scripts:
//! templates read it through [`Texts::get`], scripts receive the strings they need as JSON.

use serde::Deserialize;

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
    /// From a `?lang=` value; anything unknown is French.
    pub fn from_query(value: Option<&str>) -> Lang {
        match value {
            Some("en") => Lang::En,
            _ => Lang::Fr,
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
}

/// (key, French, English). `{n}`-style placeholders are filled by the scripts.
const TEXTS: &[(&str, &str, &str)] = &[
    ("lang_name", "Français", "English"),
    ("switch_lang", "English", "Français"),
    ("skip", "Aller au contenu", "Skip to content"),
    ("quick_exit", "Quitter vite", "Quick exit"),
    ("quick_exit_hint", "Quitte cette page immédiatement (touche Échap deux fois)", "Leaves this page at once (press Escape twice)"),
    ("tagline", "Vous n'êtes pas seul·e. Parlez à un·e bénévole, anonymement.", "You are not alone. Talk to a volunteer, anonymously."),
    ("intro", "Une personne formée à l'écoute vous répond, sans jugement. Nous ne vous demandons ni nom, ni numéro, et nous n'enregistrons pas votre adresse IP.", "A person trained to listen answers you, without judgement. We ask for no name or number, and we do not record your IP address."),
    ("start_chat", "Parler maintenant", "Talk now"),
    ("starting", "Connexion…", "Connecting…"),
    ("emergency_title", "En cas d'urgence", "In an emergency"),
    ("emergency_3114", "3114 — prévention du suicide, 24 h/24, gratuit", "3114 — suicide prevention, 24/7, free"),
    ("emergency_15", "15 — SAMU, urgence médicale", "15 — SAMU, medical emergency"),
    ("emergency_112", "112 — numéro d'urgence européen", "112 — European emergency number"),
    ("emergency_114", "114 — par SMS, pour les personnes sourdes ou qui ne peuvent pas parler", "114 — by text message, for people who are deaf or cannot speak"),
    ("chat_title", "Votre conversation", "Your conversation"),
    ("queue_position", "Vous êtes {position}ᵉ dans la file ({waiting} personne(s) en attente).", "You are number {position} in the queue ({waiting} waiting)."),
    ("queue_first", "Vous êtes la prochaine personne à être écoutée.", "You are the next person to be answered."),
    ("wait_soon", "Un·e écoutant·e va vous répondre dans un instant.", "A listener will answer you in a moment."),
    ("wait_minutes", "Attente estimée : environ {minutes} min.", "Estimated wait: about {minutes} min."),
    ("wait_none_on_duty", "Aucun·e écoutant·e n'est disponible en ce moment. Vous pouvez rester en file, ou appeler un des numéros ci-dessous.", "No listener is on duty right now. You can stay in the queue, or call one of the numbers below."),
    ("wait_hint", "Vous pouvez déjà écrire ce que vous ressentez : votre écoutant·e le lira en arrivant.", "You can already write what you feel: your listener will read it when they arrive."),
    ("assigned", "{listener} vous écoute.", "{listener} is listening to you."),
    ("listener_typing", "{listener} écrit…", "{listener} is typing…"),
    ("person_typing", "La personne écrit…", "The person is typing…"),
    ("listener_away", "La connexion de votre écoutant·e s'est interrompue. Restez là : elle ou il revient sans doute dans un instant.", "Your listener's connection dropped. Stay here: they will probably be back in a moment."),
    ("listener_back", "Votre écoutant·e est de retour.", "Your listener is back."),
    ("requeued", "Votre écoutant·e n'a pas pu revenir. Vous êtes en tête de file ; la prochaine personne disponible verra votre conversation.", "Your listener could not come back. You are at the head of the queue; the next available listener will see your conversation."),
    ("ended", "La conversation est terminée. Merci d'avoir écrit. Vous pouvez revenir quand vous voulez.", "The conversation has ended. Thank you for writing. You can come back whenever you want."),
    ("left_queue", "Vous avez quitté la file. Vous pouvez revenir quand vous voulez.", "You have left the queue. You can come back whenever you want."),
    ("you", "Vous", "You"),
    ("message_label", "Votre message", "Your message"),
    ("send", "Envoyer", "Send"),
    ("sending", "envoi…", "sending…"),
    ("sent", "envoyé", "sent"),
    ("delivered", "reçu", "delivered"),
    ("end_chat", "Terminer la conversation", "End the conversation"),
    ("leave_queue", "Quitter la file", "Leave the queue"),
    ("confirm_end", "Voulez-vous vraiment terminer la conversation ?", "Do you really want to end the conversation?"),
    ("offline", "Connexion perdue. Reconnexion…", "Connection lost. Reconnecting…"),
    ("online", "Connecté·e", "Connected"),
    ("replaced", "Cette conversation est ouverte dans un autre onglet.", "This conversation is open in another tab."),
    ("new_chat", "Nouvelle conversation", "New conversation"),
    ("take_over", "Continuer ici", "Continue here"),
    ("messages", "Messages", "Messages"),
    ("send_failed", "non envoyé", "not sent"),
    ("conversation_gone", "Cette conversation n'existe plus. Vous pouvez en commencer une nouvelle.", "This conversation no longer exists. You can start a new one."),
    ("chars_left", "{n} caractère(s) restant(s)", "{n} character(s) left"),
    ("error_generic", "Une erreur est survenue : {message}", "Something went wrong: {message}"),
    ("queue_full", "La file est complète pour le moment. Réessayez dans quelques minutes, ou appelez un des numéros ci-dessous.", "The queue is full right now. Try again in a few minutes, or call one of the numbers below."),
    ("joins_busy", "Beaucoup de personnes arrivent en même temps : réessayez dans un instant, ou appelez un des numéros ci-dessous.", "Many people are arriving at once: try again in a moment, or call one of the numbers below."),
    ("login_title", "Connexion des bénévoles", "Volunteer login"),
    ("username", "Identifiant", "Username"),
    ("password", "Mot de passe", "Password"),
    ("login", "Se connecter", "Log in"),
    ("logout", "Se déconnecter", "Log out"),
    ("login_failed", "Identifiant ou mot de passe incorrect.", "Wrong username or password."),
    (
        "login_throttled",
        "Trop d'essais pour ce compte : attendez quelques minutes avant de réessayer.",
        "Too many tries for this account: wait a few minutes before trying again.",
    ),
    ("workspace_title", "Espace d'écoute", "Listening workspace"),
    ("presence", "Présence", "Presence"),
    ("presence_available", "Disponible", "Available"),
    ("presence_pause", "En pause", "On a break"),
    ("presence_offline", "Hors ligne", "Offline"),
    ("next", "Suivant", "Next"),
    ("next_hint", "Prend la personne qui attend depuis le plus longtemps (ou la plus prioritaire).", "Takes the person who has waited longest (or has the highest priority)."),
    ("board_waiting", "En attente", "Waiting"),
    ("board_on_duty", "Écoutant·es disponibles", "Listeners available"),
    ("board_free", "Libres", "Free"),
    ("queue_empty", "Personne n'attend en ce moment.", "Nobody is waiting right now."),
    ("no_conversation", "Aucune conversation en cours. Passez « disponible » puis appuyez sur « Suivant ».", "No conversation. Set yourself available, then press Next."),
    ("conversation_with", "Conversation avec {label}", "Conversation with {label}"),
    ("returning", "Cette personne a perdu son écoutant·e précédent·e : la conversation reprend.", "This person lost their previous listener: the conversation continues."),
    ("person_away", "La connexion de la personne s'est interrompue ; elle a quelques minutes pour revenir.", "The person's connection dropped; they have a few minutes to come back."),
    ("person_back", "La personne est revenue.", "The person is back."),
    ("ended_for_listener", "Conversation terminée ({reason}).", "Conversation ended ({reason})."),
    ("reason_person_ended", "par la personne", "by the person"),
    ("reason_listener_ended", "par vous", "by you"),
    ("reason_abandoned", "la personne est partie avant de répondre", "the person left before an answer"),
    ("reason_person_vanished", "la personne n'est pas revenue", "the person did not come back"),
    ("reason_never_connected", "la personne ne s'est jamais connectée", "the person never connected"),
    ("conversation_left", "Cette conversation a quitté votre espace pendant votre absence.", "This conversation left your workspace while you were away."),
    ("error_busy", "Vous avez déjà le nombre maximal de conversations : terminez-en une avant de prendre la suivante.", "You already have as many conversations as allowed: end one before taking the next."),
    ("error_not_available", "Passez « disponible » pour prendre une personne.", "Set yourself available to take a contact."),
    ("requeued_listener", "Vous étiez absent·e trop longtemps : la conversation est retournée en tête de file.", "You were away too long: the conversation went back to the head of the queue."),
    ("fill_sheet", "Remplir la fiche statistique", "Fill in the statistics sheet"),
    ("pending_sheets", "Fiches à remplir", "Sheets to fill in"),
    ("person_label", "Personne", "Person"),
    ("sheet_title", "Fiche statistique anonyme", "Anonymous statistics sheet"),
    ("sheet_intro", "Une minute, sans texte libre : rien ici ne doit permettre de reconnaître la personne.", "One minute, no free text: nothing here may identify the person."),
    ("duration_minutes", "Durée (minutes)", "Duration (minutes)"),
    ("themes", "Thèmes abordés", "Themes"),
    ("age_band", "Tranche d'âge estimée", "Estimated age band"),
    ("gender", "Genre estimé", "Estimated gender"),
    ("contact_kind", "Premier appel ou habituel", "First or regular contact"),
    ("risk", "Niveau de risque", "Risk level"),
    ("debrief_wanted", "Je souhaite un débriefing avec un·e superviseur·e", "I would like a debrief with a supervisor"),
    ("save_sheet", "Enregistrer la fiche", "Save the sheet"),
    ("back_to_workspace", "Retour à l'espace d'écoute", "Back to the workspace"),
    ("sheet_saved", "Fiche enregistrée. Merci.", "Sheet saved. Thank you."),
    ("users_title", "Comptes", "Accounts"),
    ("pseudonym", "Pseudonyme", "Pseudonym"),
    ("role", "Rôle", "Role"),
    ("role_listener", "Écoutant·e", "Listener"),
    ("role_supervisor", "Superviseur·e", "Supervisor"),
    ("role_admin", "Administrateur·rice", "Administrator"),
    ("create_user", "Créer le compte", "Create account"),
    ("new_user", "Nouveau compte", "New account"),
    ("status", "État", "Status"),
    ("active", "Actif", "Active"),
    ("disabled", "Désactivé", "Disabled"),
    ("disable", "Désactiver", "Disable"),
    ("enable", "Réactiver", "Enable"),
    ("user_created", "Compte créé.", "Account created."),
    ("error_title", "Erreur", "Error"),
    ("back_to_staff", "Retour à l'espace des bénévoles", "Back to the volunteers' area"),
    ("error_not_found", "Il n'y a rien à cette adresse.", "There is nothing at this address."),
    ("error_method_not_allowed", "Cette adresse n'accepte pas ce type de demande.", "This address does not accept this kind of request."),
    ("error_unauthorized", "Veuillez vous connecter.", "Please log in."),
    ("error_forbidden", "Vous n'avez pas accès à cette page.", "You are not allowed to do this."),
    ("error_cross_site", "Cette demande vient d'un autre site : elle est refusée.", "This request comes from another site: it is refused."),
    ("error_bad_request", "La demande est mal formée.", "The request is malformed."),
    ("error_csrf", "Le formulaire a expiré : rechargez la page et réessayez.", "The form has expired; please reload the page and try again."),
    ("error_conflict", "Ce n'est plus possible dans l'état actuel.", "This cannot be done in the current state."),
    ("error_unprocessable", "Le contenu envoyé est refusé.", "The content sent is refused."),
    ("error_payload_too_large", "La demande est trop volumineuse.", "The request is too large."),
    ("error_rate_limited", "Trop de demandes en ce moment : réessayez dans un instant.", "Too many requests right now; try again in a moment."),
    ("error_server_busy", "Le serveur est très sollicité : réessayez dans quelques secondes.", "The server is very busy; try again in a few seconds."),
    ("error_unavailable", "Le service est momentanément indisponible : réessayez dans quelques minutes.", "The service is unavailable for the moment; try again in a few minutes."),
    ("error_internal", "Une erreur est survenue de notre côté.", "Something went wrong on our side."),
    ("refused_sheet_ongoing", "La conversation n'est pas terminée : terminez-la d'abord.", "The conversation is still going on; end it first."),
    ("refused_sheet_filled", "Cette fiche a déjà été remplie.", "This sheet has already been filled in."),
    ("refused_own_account", "Vous ne pouvez pas désactiver votre propre compte.", "You cannot disable your own account."),
    ("sheet_error_duration", "La durée doit être un nombre de minutes entre 0 et 1440.", "The duration must be a number of minutes between 0 and 1440."),
    ("sheet_error_no_theme", "Choisissez au moins un thème.", "Choose at least one theme."),
    ("sheet_error_unknown_theme", "Thème inconnu : {theme}.", "Unknown theme: {theme}."),
    ("sheet_error_choice", "Choisissez une réponse pour « {field} ».", "Choose an answer for “{field}”."),
    ("user_error_username", "L'identifiant doit compter 3 à 32 caractères parmi les minuscules, les chiffres, « . », « - » et « _ ».", "The username must be 3 to 32 characters among lowercase letters, digits, “.”, “-” and “_”."),
    ("user_error_pseudonym", "Le pseudonyme doit compter 2 à 40 caractères : lettres, chiffres, espaces, « - », « ' » ou « . ».", "The pseudonym must be 2 to 40 characters: letters, digits, spaces, “-”, “'” or “.”."),
    ("user_error_password_short", "Le mot de passe doit compter au moins 10 caractères.", "The password must have at least 10 characters."),
    ("user_error_password_long", "Le mot de passe doit compter au plus 256 caractères.", "The password must have at most 256 characters."),
    ("user_error_role", "Le rôle doit être écoutant·e, superviseur·e ou administrateur·rice.", "The role must be listener, supervisor or administrator."),
    ("user_error_taken", "L'identifiant « {username} » est déjà pris.", "The username “{username}” is already taken."),
    ("login_busy", "Le serveur vérifie beaucoup de connexions en ce moment : réessayez dans quelques secondes.", "The server is checking many logins right now; try again in a few seconds."),
    ("back_home", "Retour à l'accueil", "Back to the home page"),
    ("nav_workspace", "Écoute", "Workspace"),
    ("nav_users", "Comptes", "Accounts"),
];

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

    /// The string for `key`; the key itself if missing (caught by the tests).
    pub fn get<'a>(&self, key: &'a str) -> &'a str {
        TEXTS
            .iter()
            .find(|(k, _, _)| *k == key)
            .map(|(_, fr, en)| match self.lang {
                Lang::Fr => *fr,
                Lang::En => *en,
            })
            .unwrap_or(key)
    }

    /// The strings named by `keys`, as a JSON object for a page's scripts.
    pub fn json(&self, keys: &[&str]) -> String {
        let map: serde_json::Map<String, serde_json::Value> = keys
            .iter()
            .map(|k| ((*k).to_owned(), serde_json::Value::from(self.get(k))))
            .collect();
        // `<` is escaped so the JSON can sit inside a <script> element safely.
        serde_json::Value::Object(map)
            .to_string()
            .replace('<', "\\u003c")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_is_unique_and_translated() {
        let mut seen = std::collections::HashSet::new();
        for (k, fr, en) in TEXTS {
            assert!(seen.insert(k), "duplicate key {k}");
            assert!(!fr.is_empty() && !en.is_empty(), "{k} lacks a translation");
        }
        assert_eq!(Texts::new(Lang::En).get("send"), "Send");
        assert_eq!(Texts::new(Lang::Fr).get("send"), "Envoyer");
        assert_eq!(Lang::from_query(Some("de")), Lang::Fr);
        assert!(!Texts::new(Lang::Fr).json(&["send"]).contains('<'));
    }
}
