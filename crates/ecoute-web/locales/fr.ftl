# ecoute's page texts in French. One message per key; the other table has the same keys.
# Plurals are Fluent selectors on a number: `{ $n ->` … `[one]` … `*[other]` … `}`.

lang_name = Français
switch_lang = English
skip = Aller au contenu
quick_exit = Quitter vite
quick_exit_hint = Échap deux fois : quitter vite
tagline = Quelqu'un est là pour vous écouter. Parlez à une personne bénévole, anonymement.
intro = Une personne formée à l'écoute vous répond, sans jugement. Nous ne vous demandons ni nom, ni numéro, et nous n'enregistrons pas votre adresse IP.
start_chat = Parler maintenant
starting = Connexion…
emergency_title = En cas d'urgence
emergency_link = Urgences
emergency_3114 = 3114 — prévention du suicide, 24 h/24, gratuit
emergency_15 = 15 — SAMU, urgence médicale
emergency_112 = 112 — numéro d'urgence européen
emergency_114 = 114 — par SMS, pour les personnes sourdes ou qui ne peuvent pas parler
chat_title = Votre conversation
queue_position = Vous êtes { $position }ᵉ dans la file ({ $waiting ->
        [one] une personne en attente
       *[other] { $waiting } personnes en attente
    }).
queue_first = Vous êtes la prochaine personne à être écoutée.
wait_soon = Quelqu'un de l'équipe d'écoute va vous répondre dans un instant.
wait_minutes = Attente estimée : environ { $minutes ->
        [one] une minute
       *[other] { $minutes } minutes
    }.
wait_none_on_duty = Personne n'est à l'écoute en ce moment : nous ne pouvons pas vous dire quand quelqu'un vous répondra. Vous pouvez rester en file, ou appeler un des numéros ci-dessous.
wait_hint = Vous pouvez déjà écrire ce que vous ressentez : la personne qui vous répondra le lira en arrivant.
assigned = { $listener } vous écoute.
listener_typing = { $listener } écrit…
person_typing = La personne écrit…
listener_away = La connexion de { $listener } s'est interrompue. Restez là : la conversation reprendra sans doute dans un instant.
listener_back = { $listener } est de retour.
requeued = { $listener } n'a pas pu revenir. Vous êtes en tête de file ; la prochaine personne disponible verra votre conversation.
ended = La conversation est terminée. Merci d'avoir écrit. Vous pouvez revenir quand vous voulez.
left_queue = Vous avez quitté la file. Vous pouvez revenir quand vous voulez.
you = Vous
message_label = Votre message
send = Envoyer
sending = envoi…
sent = envoyé
delivered = reçu
end_chat = Terminer la conversation
leave_queue = Quitter la file
confirm_end = Voulez-vous vraiment terminer la conversation ?
offline = Connexion perdue. Reconnexion…
online = Connexion rétablie
replaced = Cette conversation est ouverte dans un autre onglet.
new_chat = Nouvelle conversation
take_over = Continuer ici
messages = Messages
send_failed = non envoyé
conversation_gone = Cette conversation n'existe plus. Vous pouvez en commencer une nouvelle.
chars_left = { $n ->
        [one] { $n } caractère restant
       *[other] { $n } caractères restants
    }
error_generic = Une erreur est survenue : { $message }
queue_full = La file est complète pour le moment. Réessayez dans quelques minutes, ou appelez un des numéros ci-dessous.
joins_busy = Beaucoup de personnes arrivent en même temps : réessayez dans un instant, ou appelez un des numéros ci-dessous.
login_title = Connexion des bénévoles
username = Identifiant
password = Mot de passe
login = Se connecter
logout = Se déconnecter
login_failed = Identifiant ou mot de passe incorrect.
login_throttled = Trop d'essais pour ce compte : attendez quelques minutes avant de réessayer.
workspace_title = Espace d'écoute
presence = Présence
presence_available = Disponible
presence_pause = En pause
presence_offline = Hors ligne
next = Suivant
next_hint = Prend la personne qui attend depuis le plus longtemps (ou la plus prioritaire).
board_waiting = En attente
board_on_duty = Bénévoles disponibles
board_free = Libres
queue_empty = Personne n'attend en ce moment.
no_conversation = Aucune conversation en cours. Passez « disponible » puis appuyez sur « Suivant ».
conversation_with = Conversation avec { $label }
returning = Cette conversation a été interrompue par le départ d'une autre écoute : elle reprend ici.
person_away = La connexion de la personne s'est interrompue ; elle a quelques minutes pour revenir.
person_back = La personne est revenue.
ended_for_listener = Conversation terminée ({ $reason }).
reason_person_ended = par la personne
reason_listener_ended = par vous
reason_abandoned = la personne est partie avant de répondre
reason_person_vanished = la personne n'est pas revenue
reason_never_connected = la personne ne s'est jamais connectée
conversation_left = Cette conversation a quitté votre espace pendant votre absence.
error_busy = Vous avez déjà le nombre maximal de conversations : terminez-en une avant de prendre la suivante.
error_not_available = Passez « disponible » pour prendre une personne.
requeued_listener = Votre absence a duré trop longtemps : la conversation est retournée en tête de file.
fill_sheet = Remplir la fiche statistique
pending_sheets = Fiches à remplir
sheet_title = Fiche statistique anonyme
sheet_intro = Une minute, sans texte libre : rien ici ne doit permettre de reconnaître la personne.
duration_minutes = Durée (minutes)
themes = Thèmes abordés
age_band = Tranche d'âge estimée
gender = Genre estimé
contact_kind = Premier appel ou habituel
risk = Niveau de risque
debrief_wanted = Je souhaite un débriefing avec la supervision
save_sheet = Enregistrer la fiche
back_to_workspace = Retour à l'espace d'écoute
users_title = Comptes
pseudonym = Pseudonyme
role = Rôle
role_listener = Écoute
role_supervisor = Supervision
role_admin = Administration
role_communication = Communication
role_coordinator = Coordination des bénévoles
create_user = Créer le compte
new_user = Nouveau compte
status = État
active = Actif
disabled = Désactivé
disable = Désactiver
enable = Réactiver
user_created = Compte créé.
error_title = Erreur
back_to_staff = Retour à l'espace des bénévoles
error_not_found = Il n'y a rien à cette adresse.
error_method_not_allowed = Cette adresse n'accepte pas ce type de demande.
error_unauthorized = Veuillez vous connecter.
error_forbidden = Vous n'avez pas accès à cette page.
error_cross_site = Cette demande vient d'un autre site : elle est refusée.
error_bad_request = La demande est mal formée.
error_csrf = Le formulaire a expiré : rechargez la page et réessayez.
error_conflict = Ce n'est plus possible dans l'état actuel.
error_unprocessable = Le contenu envoyé est refusé.
error_payload_too_large = La demande est trop volumineuse.
error_rate_limited = Trop de demandes en ce moment : réessayez dans un instant.
error_server_busy = Le serveur est très sollicité : réessayez dans quelques secondes.
error_unavailable = Le service est momentanément indisponible : réessayez dans quelques minutes.
error_internal = Une erreur est survenue de notre côté.
refused_sheet_ongoing = La conversation n'est pas terminée : terminez-la d'abord.
refused_sheet_filled = Cette fiche a déjà été remplie.
refused_own_account = Vous ne pouvez pas désactiver votre propre compte.
sheet_error_duration = La durée doit être un nombre de minutes entre 0 et 1440.
sheet_error_no_theme = Choisissez au moins un thème.
sheet_error_unknown_theme = Thème inconnu : { $theme }.
sheet_error_choice = Choisissez une réponse pour « { $field } ».
user_error_username = L'identifiant doit compter 3 à 32 caractères parmi les minuscules, les chiffres, « . », « - » et « _ ».
user_error_pseudonym = Le pseudonyme doit compter 2 à 40 caractères : lettres, chiffres, espaces, « - », « ' » ou « . ».
user_error_password_short = Le mot de passe doit compter au moins 10 caractères.
user_error_password_long = Le mot de passe doit compter au plus 256 caractères.
user_error_role = Le rôle doit être l'un de ceux proposés : écoute, supervision ou administration.
user_error_taken = L'identifiant « { $username } » est déjà pris.
login_busy = Le serveur vérifie beaucoup de connexions en ce moment : réessayez dans quelques secondes.
back_home = Retour à l'accueil
nav_workspace = Écoute
nav_users = Comptes
chars_over = Message trop long de { $n ->
        [one] { $n } caractère
       *[other] { $n } caractères
    } : raccourcissez-le pour l'envoyer.
too_long = Ce message dépasse la limite de { $max } caractères : il n'a pas été envoyé. Raccourcissez-le, ou envoyez-le en plusieurs fois.
opening_hours = Horaires d'écoute : { $hours }
quick_exit_title = Quitte cette page immédiatement (touche Échap deux fois)
lang_unknown = Cette langue n'est pas disponible : la page est en français.

# The sheet's closed choices: choice_ and the value's code.
choice_unknown = Ne sait pas
choice_under_18 = Moins de 18 ans
choice_18_24 = 18–24 ans
choice_25_39 = 25–39 ans
choice_40_59 = 40–59 ans
choice_60_74 = 60–74 ans
choice_75_plus = 75 ans et plus
choice_woman = Femme
choice_man = Homme
choice_other = Autre
choice_first = Premier contact
choice_regular = Contact habituel
choice_not_assessed = Non évalué
choice_none = Aucun
choice_low = Faible
choice_moderate = Modéré
choice_high = Élevé
choice_imminent = Danger imminent
message_invalid = Ce message n'a pas pu être envoyé : il est trop long ou contient des caractères refusés.
queue_head = Vous êtes en tête de file.
nav_campaigns = Campagnes
nav_stories = Histoires
campaigns_title = Campagnes
campaigns_intro = Les liens d'une campagne se terminent par ?c= suivi de son code. On ne compte que des nombres par jour : rien ne dit qui est venu.
no_campaigns = Aucune campagne n'est déclarée.
campaign_name = Campagne
campaign_dates = Dates
campaign_code = Code
campaign_code_hint = De 1 à 40 lettres sans accent, chiffres, tirets ou soulignés, par exemple fb-2017-11.
campaign_from = Premier jour
campaign_to = Dernier jour
new_campaign = Déclarer une campagne
create_campaign = Déclarer
campaign_created = Campagne déclarée : ses liens sont comptés dès maintenant.
campaign_comparison = conversations par jour, tous liens confondus, sur des périodes de { $days ->
        [one] un jour
       *[other] { $days } jours
    }
period_before = Avant
period_during = Pendant
period_after = Après
event_page_view = Pages vues
event_reveal = Histoires dévoilées
event_conversation_started = Conversations
event_message_written = Messages écrits
event_application = Candidatures
campaign_error_code = Le code ne peut contenir que des lettres sans accent, des chiffres, des tirets et des soulignés.
campaign_error_code_long = Le code a au plus 40 caractères.
campaign_error_name = Le nom doit avoir de 1 à 200 caractères.
campaign_error_dates = Le dernier jour ne peut pas précéder le premier.
campaign_error_date_format = Donnez les deux dates au format AAAA-MM-JJ.
campaign_error_taken = Une campagne a déjà le code « { $code } ».

## The campaign page (/stories)
stories_title = Tout le bonheur du monde… en apparence
stories_intro = Certaines vies ont l'air pleines. Derrière le sourire, il y a parfois une détresse que personne ne voit.
story_reveal = Voir derrière les apparences
story_behind = Derrière le sourire : { $name }
stories_message = Vous pouvez en parler à quelqu'un.
door_talk = Parler maintenant, anonymement
story_close = Fermer
campaign_link_page = Page de campagne :
campaign_link_chat = Discussion :

## Editing the stories (/admin/stories)
stories_admin_title = Histoires de la page de campagne
stories_admin_intro = Chaque histoire paraît en français et en anglais : enregistrer publie les deux à la fois, aussitôt.
stories_admin_see = Voir la page de campagne
story_in_french = En français
story_in_english = En anglais
story_name = Prénom et âge (le titre)
story_facade = Ce que tout le monde voit
story_hidden = Ce que cela cache (montré quand on regarde derrière)
story_save = Enregistrer et publier
story_saved = Histoire enregistrée et publiée : { $name }.
story_error_unknown = Cette histoire n'existe pas.
story_error_empty = Chaque partie de l'histoire doit être écrite, dans les deux langues.
story_error_long_name = Le titre est trop long (60 caractères au plus).
story_error_long_facade = Ce que tout le monde voit est trop long (300 caractères au plus).
story_error_long_hidden = Ce que cela cache est trop long (600 caractères au plus).

## The workspace's alerts: nobody waits unseen
alerts_title = Alertes
alerts_hint = Le titre de l'onglet compte les personnes en attente, même quand il est en arrière-plan.
alert_sound = Un son quand une personne arrive dans la file (si vous êtes disponible)
alert_notify = Être prévenu·e par une notification
alert_notify_hint = Votre navigateur vous demandera la permission. La notification dit seulement combien de personnes attendent, jamais rien sur elles.
alert_notify_on = Les notifications sont activées.
alert_notify_denied = Les notifications sont refusées par le navigateur : le titre de l'onglet et le son restent.
someone_waiting = { $n ->
        [one] Une personne attend.
       *[other] { $n } personnes attendent.
    }
someone_waiting_title = Quelqu'un attend d'être écouté
send_emergency = Donner les numéros d'urgence
emergency_message = Numéros d'urgence : 3114 (prévention du suicide, 24 h/24, gratuit), 15 (SAMU), 112 (urgence européen), 114 (par SMS). Si vous êtes en danger maintenant, appelez le 3114 ou le 15.
sheet_saved = Fiche enregistrée. Merci.
care_title = Prenez soin de vous
care_offer = Cette conversation a pu être lourde. Prenez le temps qu'il vous faut : vous pouvez vous mettre en pause, et en parler à votre superviseur·e.
care_pause = Me mettre en pause

## La porte écrite
nav_inbox = Messages écrits
door_write = Écrire un message
written_title = Nous écrire
written_intro = Vous pouvez écrire sans compte ni adresse e-mail, quand vous le souhaitez. Un écoutant lit votre message et vous répond ici, en deux jours au plus. Vous revenez avec votre code pour lire la réponse et écrire à nouveau.
written_code_warning_title = Votre code est le seul chemin du retour
written_code_warning = En envoyant votre message, vous recevez un code de huit mots. Notez-le ou copiez-le en lieu sûr : personne ne peut retrouver vos messages sans lui, et personne — pas même nous — ne peut vous le redonner si vous le perdez.
written_purge_notice = { $n ->
    [one] Vos messages sont effacés définitivement après { $n } jour sans nouveau message, et vous pouvez les effacer vous-même à tout moment.
   *[other] Vos messages sont effacés définitivement après { $n } jours sans nouveau message, et vous pouvez les effacer vous-même à tout moment.
}
written_message_label = Votre message
written_send_first = Envoyer et recevoir mon code
written_have_code = J'ai déjà un code
written_code_label = Votre code (huit mots)
written_open = Lire les réponses
written_code_malformed = Un code compte huit mots, tels qu'ils vous ont été donnés. Vérifiez chaque mot.
written_code_unknown = Aucun message ne correspond à ce code. Vérifiez chaque mot ; les messages sont effacés après un long moment sans nouveau message.
written_inbox_full = Trop de messages attendent en ce moment. Réessayez plus tard, ou appelez l'un des numéros ci-dessous.
written_error_empty = Votre message est vide.
written_error_long = { $n ->
    [one] Un message compte au plus { $n } caractère.
   *[other] Un message compte au plus { $n } caractères.
}
written_thread_title = Vos messages
written_your_code = Votre code
written_code_keep = Notez ces huit mots maintenant, dans cet ordre. Ils sont le seul moyen de lire la réponse : ils ne seront plus affichés.
written_reply_within = { $n ->
    [one] Un écoutant répond en { $n } heure.
   *[other] Un écoutant répond en { $n } heures au plus.
}
written_answered = Un écoutant vous a répondu.
written_again_label = Écrire à nouveau
written_sent = Votre message est envoyé.
written_thread_full = Cet échange contient autant de messages qu'il le peut. Attendez une réponse, ou commencez-en un nouveau.
written_delete = Effacer mes messages
written_delete_confirm = Je comprends qu'ils sont effacés définitivement, les réponses aussi.
written_deleted = Vos messages sont effacés définitivement.
written_a_listener = Un écoutant

## La boîte des écoutants
inbox_title = Messages écrits
inbox_intro = { $n ->
    [one] Les messages qui attendent une réponse, les plus urgents d'abord, puis ceux qui attendent depuis le plus longtemps. Chacun reçoit une réponse en { $n } heure.
   *[other] Les messages qui attendent une réponse, les plus urgents d'abord, puis ceux qui attendent depuis le plus longtemps. Chacun reçoit une réponse en { $n } heures.
}
inbox_empty = Aucun message écrit n'attend de réponse.
inbox_caption = Échanges en attente de réponse
inbox_thread = Échange
inbox_waiting_since = En attente depuis
inbox_due = Délai de réponse
inbox_messages = Messages
inbox_status = État
inbox_free = Libre
inbox_being_answered = { $name } est en train de répondre
inbox_due_in = { $n ->
    [one] À répondre dans { $n } heure
   *[other] À répondre dans { $n } heures
}
inbox_overdue = { $n ->
    [one] En retard de { $n } heure
   *[other] En retard de { $n } heures
}
inbox_answered = Répondu : rien n'attend.
inbox_yours_until = Vous répondez à cet échange ; il reste le vôtre jusqu'à { $time } (chaque brouillon enregistré prolonge ce délai).
inbox_reply_label = Votre réponse
inbox_save_draft = Enregistrer le brouillon
inbox_send_reply = Envoyer la réponse
inbox_release = Laisser à quelqu'un d'autre
inbox_claim = Répondre à cet échange
inbox_claimed_by = { $name } répond déjà à cet échange.
inbox_not_claimed = Prenez cet échange avant d'y répondre : votre prise a expiré, ou quelqu'un d'autre l'a pris.
inbox_draft_saved = Brouillon enregistré.
inbox_sheet_saved = Votre réponse est envoyée et sa fiche enregistrée.
sheet_written_reply = Votre réponse est envoyée. Sa fiche la compte comme un contact par message écrit.
inbox_back = Retour aux messages écrits

## Devenir écoutant
nav_volunteers = Bénévoles
door_volunteer = Devenir écoutant
volunteer_title = Devenir écoutant
volunteer_intro = Les écoutants sont des bénévoles : formés, soutenus par des psychologues et par leurs pairs, ils donnent quelques heures par semaine, souvent la nuit, pour entendre des personnes qui se sentent seules. Aucune expérience n'est demandée, seulement du temps, de la stabilité et l'envie d'écouter sans juger.
volunteer_steps = Après ce formulaire : un premier entretien, un entretien avec un psychologue, la décision du comité, puis une formation, une écoute accompagnée par un superviseur, et une période probatoire.
volunteer_name = Votre nom
volunteer_contact_hint = Une adresse e-mail ou un numéro de téléphone, pour qu'un coordinateur puisse vous joindre (un seul suffit).
volunteer_email = Adresse e-mail
volunteer_phone = Téléphone
volunteer_city = Ville
volunteer_availability = Quand pourriez-vous écouter ?
volunteer_motivation = Pourquoi souhaitez-vous devenir écoutant ?
volunteer_processing = { $n ->
    [one] Ce que vous écrivez ici n'est lu que par les coordinateurs de l'association (et ses administrateurs), pour suivre votre candidature ; chaque lecture est enregistrée. C'est effacé à votre demande à tout moment, et { $n } jour après la fin de votre parcours si vous ne devenez pas écoutant.
   *[other] Ce que vous écrivez ici n'est lu que par les coordinateurs de l'association (et ses administrateurs), pour suivre votre candidature ; chaque lecture est enregistrée. C'est effacé à votre demande à tout moment, et { $n } jours après la fin de votre parcours si vous ne devenez pas écoutant.
}
volunteer_consent = J'accepte que mes données soient traitées pour ma candidature.
volunteer_send = Envoyer ma candidature
volunteer_error_missing = Merci de remplir chaque champ obligatoire.
volunteer_error_long = Un champ est trop long, ou contient des caractères refusés.
volunteer_error_email = Cette adresse e-mail ne semble pas en être une.
volunteer_error_phone = Ce numéro de téléphone ne semble pas en être un.
volunteer_error_contact = Donnez une adresse e-mail ou un numéro de téléphone, pour que nous puissions vous joindre.
volunteer_error_consent = Cochez la case pour accepter le traitement de vos données : sans cela nous ne pouvons pas lire votre candidature.
volunteer_full = Nous ne pouvons pas recevoir plus de candidatures en ce moment. Réessayez dans quelques jours.
volunteer_received_title = Merci
volunteer_received = Votre candidature est reçue. Un coordinateur vous contactera pour un premier entretien.
volunteer_back_home = Retour à l'accueil
stage_received = Reçue
stage_first_interview = Premier entretien
stage_psychologist_interview = Entretien avec un psychologue
stage_committee_decision = Décision du comité
stage_training = Formation
stage_supervised_listening = Écoute accompagnée
stage_probation = Période probatoire
stage_active = Écoutant actif
stage_left = Parti
volunteers_title = Candidatures de bénévoles
volunteers_audit_hint = Les données personnelles des candidats ne se lisent qu'ici ; chaque lecture est enregistrée à votre nom.
volunteers_per_stage = Candidatures par étape
volunteers_stage = Étape
volunteers_count = Candidatures
volunteers_conversion = Ce que sont devenues les candidatures de chaque campagne
volunteers_campaign = Campagne
volunteers_received_count = Reçues
volunteers_trained_count = Arrivées en formation
volunteers_active_count = Devenues écoutants
volunteers_no_campaign = (aucune campagne)
volunteers_candidates = Candidats
volunteers_none = Aucune candidature pour l'instant.
volunteers_since = Depuis
volunteers_erased_count = { $n ->
    [one] { $n } candidature a été effacée : seule sa trace anonyme reste dans les chiffres.
   *[other] { $n } candidatures ont été effacées : seule leur trace anonyme reste dans les chiffres.
}
volunteers_file_title = Candidature
volunteers_erased_title = Candidature effacée
volunteers_erased_text = Les données personnelles de ce candidat et les notes à son sujet ont été effacées. Ce qui reste est anonyme.
volunteers_received_at = Reçue le
volunteers_training_hours = Heures de formation
volunteers_move_title = Suivi
volunteers_move_to = Passer à
volunteers_move_note = Pourquoi (facultatif, au sujet du candidat seulement)
volunteers_move = Valider
volunteers_log_hours = Heures de formation à enregistrer
volunteers_log = Enregistrer les heures
volunteers_note_label = Note
volunteers_note_hint = Au sujet du candidat seulement — jamais au sujet d'un appelant.
volunteers_add_note = Ajouter la note
volunteers_history = Historique
volunteers_no_history = Rien pour l'instant.
volunteers_reads = Qui a lu cette candidature
volunteers_erase_title = Effacer les données personnelles
volunteers_erase_confirm = Je comprends que le nom, les coordonnées, les réponses et les notes sont effacés définitivement.
volunteers_erase = Effacer
volunteers_back = Retour aux candidatures
volunteers_event_note = Note
volunteers_note_erased = (effacée)
volunteers_event_training = { $hours } h de formation
volunteers_read_list = la liste
volunteers_read_read = lecture
volunteers_read_erase = effacement
volunteers_done_moved = Étape enregistrée.
volunteers_done_noted = Note ajoutée.
volunteers_done_trained = Heures enregistrées.
volunteers_done_erased = Les données personnelles sont effacées.
volunteers_error_not_next = Une candidature avance d'une étape à la fois, ou quitte le parcours.
volunteers_error_left = Ce candidat a quitté le parcours.
volunteers_error_erased = Cette candidature a été effacée.
volunteers_error_hours = Enregistrez entre un quart d'heure et 100 heures, pendant la formation.
volunteers_error_note = Une note compte de 1 à 2000 caractères.
volunteers_error_account = Devenir écoutant actif crée son compte : utilisez le formulaire avec un identifiant et un pseudonyme.
volunteers_error_username_taken = L'identifiant { $name } est pris : choisissez-en un autre.
volunteers_error_account_fields = Un identifiant compte 3 à 32 caractères parmi les minuscules, chiffres, points, tirets et soulignés ; un pseudonyme 2 à 40 caractères.
volunteers_done_activated = Cette personne est écoutante active : son compte est créé. Transmettez-lui le lien ci-dessous.
volunteers_done_relinked = Un nouveau lien est créé ; le précédent ne fonctionne plus.
volunteers_activate_title = En faire un écoutant actif
volunteers_activate_intro = Cela crée son compte d'écoutant. Il choisit lui-même son mot de passe avec un lien à usage unique, valable sept jours.
volunteers_username = Identifiant (pour se connecter)
volunteers_pseudonym = Pseudonyme (ce que voient les appelants et les collègues)
volunteers_activate = Créer son compte
volunteers_link_title = Son lien à usage unique
volunteers_link_hint = Transmettez-le vous-même (il n'est affiché que maintenant) : avec lui, il choisit son mot de passe, une fois, dans les sept jours.
volunteers_relink_title = Son compte
volunteers_relink = Créer un nouveau lien à usage unique
welcome_title = Bienvenue
welcome_hello = Bienvenue, { $name }
welcome_intro = Choisissez le mot de passe de votre compte d'écoutant. Vous vous connecterez avec l'identifiant { $username }.
welcome_password = Votre mot de passe
welcome_confirm = Le même mot de passe, à nouveau
welcome_save = Enregistrer mon mot de passe
welcome_mismatch = Les deux mots de passe diffèrent.
welcome_weak = { $n ->
    [one] Au moins { $n } caractère.
   *[other] Au moins { $n } caractères : quelques mots dont vous vous souviendrez.
}

## Supervision : le tableau en direct, les alertes, les notes privées, le journal d'audit
nav_board = Tableau en direct
nav_audit = Journal d'audit
board_title = Tableau en direct
board_alerts = Alertes
board_alert_sound = Un son quand un écoutant demande de l'aide
board_now = Maintenant
board_in_progress = En conversation
board_available = Écoutants libres
board_busy = Écoutants en conversation
board_paused = Écoutants en pause
board_answered_hour = Répondus, dernière heure
board_waiting_list = En attente
board_ongoing = Conversations en cours
board_roster = Écoutants de permanence
board_reading_hint = Votre lecture est inscrite au journal d'audit (qui, quelle conversation, quand). La personne ne voit jamais vos notes.
board_whispers = Vos notes à l'écoutant
board_whisper_label = Une note privée à l'écoutant
board_whisper_send = Envoyer à l'écoutant
board_reader_close = Arrêter la lecture
board_alert_help = Besoin d'aide
board_alert_debrief = Débriefing demandé
board_alert_title = { $kind } : { $label }, avec { $listener }
board_read = Lire
board_resolve = Je m'en occupe
board_no_alert = Aucune alerte ouverte.
board_nobody_waiting = Personne n'attend.
board_no_conversation = Aucune conversation en cours.
board_nobody_on_duty = Aucun écoutant de permanence.
board_channel_chat = chat
board_channel_message = message écrit
board_priority = priorité { $n }
board_returning = revenu
board_minutes = { $n ->
    [one] { $n } minute
   *[other] { $n } minutes
}
board_since = depuis { $n ->
    [one] { $n } minute
   *[other] { $n } minutes
}
board_away = déconnecté
board_answered_share = { $pct } % ({ $answered } sur { $settled })
board_answered_none = Personne encore cette heure-ci
board_reading = Conversation { $label } avec { $listener }
board_reading_ended = La conversation est terminée.
board_whisper_sent = Note envoyée à l'écoutant.
board_whisper_from = { $name } :
alert_supervisor = Alerter un superviseur
alert_supervisor_sent = Superviseurs alertés
whispers_title = De votre superviseur (la personne ne le voit pas)
whisper_from = { $name } :
audit_title = Journal d'audit : conversations lues
audit_intro = Chaque fois qu'une autre personne que son écoutant lit une conversation, c'est inscrit ici : qui, quelle conversation, quand. Jamais ce qui a été lu.
audit_empty = Aucune conversation n'a été lue par quelqu'un d'autre que son écoutant.
audit_caption = { $n ->
    [one] La dernière lecture
   *[other] Les { $n } dernières lectures, de la plus récente à la plus ancienne
}
audit_when = Quand
audit_who = Qui
audit_which = Conversation
board_alert_risk = Risque lu dans ce qu'écrit une personne en attente
triage_title = Tri (une aide, pas un diagnostic ; votre évaluation prime) :
triage_none = rien sur la personne qui écrit
triage_wish_to_be_dead = souhait d'être mort
triage_ideation = idées suicidaires
triage_method = idées avec une méthode ou un moyen
triage_intent = intention
triage_plan = un plan
triage_behaviour = quelque chose de déjà fait ou préparé
triage_other = au sujet de quelqu'un d'autre : { $level }
triage_words = mots : { $words }
board_priority_up = Priorité +
board_priority_down = Priorité −
audit_priorities = Priorités changées à la main
audit_no_priority = Aucun superviseur n'a changé de priorité à la main.
audit_priority_change = Priorité
transferred = Un autre écoutant, { $listener }, prend le relais de votre conversation. Il peut lire ce que vous avez écrit jusqu'ici ; vous n'avez pas besoin de le répéter.
transferred_away = Un superviseur a confié cette conversation à { $listener }. Vous n'avez pas de fiche à remplir pour elle.
board_take_over = Reprendre cette conversation
board_transfer_to = ou la confier à
board_transfer = Confier
board_handover_hint = La personne en est informée simplement ; pour la reprendre, votre poste d'écoute doit être ouvert et disponible.
error_duty_cap = Vous êtes de permanence depuis longtemps sans pause. Faites une pause (présence « En pause »), puis revenez : quelqu'un d'autre répondra entre-temps.
