# ecoute's page texts in English. One message per key; the other table has the same keys.
# Plurals are Fluent selectors on a number: `{ $n ->` … `[one]` … `*[other]` … `}`.

lang_name = English
switch_lang = Français
skip = Skip to content
quick_exit = Quick exit
quick_exit_hint = Escape twice: quick exit
tagline = You are not alone. Talk to a volunteer, anonymously.
intro = A person trained to listen answers you, without judgement. We ask for no name or number, and we do not record your IP address.
start_chat = Talk now
starting = Connecting…
emergency_title = In an emergency
emergency_link = Emergency
emergency_3114 = 3114 — suicide prevention, 24/7, free
emergency_15 = 15 — SAMU, medical emergency
emergency_112 = 112 — European emergency number
emergency_114 = 114 — by text message, for people who are deaf or cannot speak
chat_title = Your conversation
queue_position = You are number { $position } in the queue ({ $waiting ->
        [one] one person waiting
       *[other] { $waiting } people waiting
    }).
queue_first = You are the next person to be answered.
wait_soon = Someone from the listening team will answer you in a moment.
wait_minutes = Estimated wait: about { $minutes ->
        [one] one minute
       *[other] { $minutes } minutes
    }.
wait_none_on_duty = Nobody is listening right now: we cannot tell when someone will answer. You can stay in the queue, or call one of the numbers below.
wait_hint = You can already write what you feel: the person who answers will read it when they arrive.
assigned = { $listener } is listening to you.
listener_typing = { $listener } is typing…
person_typing = The person is typing…
listener_away = { $listener }'s connection dropped. Stay here: the conversation will probably resume in a moment.
listener_back = { $listener } is back.
requeued = { $listener } could not come back. You are at the head of the queue; the next available listener will see your conversation.
ended = The conversation has ended. Thank you for writing. You can come back whenever you want.
left_queue = You have left the queue. You can come back whenever you want.
you = You
message_label = Your message
send = Send
sending = sending…
sent = sent
delivered = delivered
end_chat = End the conversation
leave_queue = Leave the queue
confirm_end = Do you really want to end the conversation?
offline = Connection lost. Reconnecting…
online = Connection restored
replaced = This conversation is open in another tab.
new_chat = New conversation
take_over = Continue here
messages = Messages
send_failed = not sent
conversation_gone = This conversation no longer exists. You can start a new one.
chars_left = { $n ->
        [one] { $n } character left
       *[other] { $n } characters left
    }
error_generic = Something went wrong: { $message }
queue_full = The queue is full right now. Try again in a few minutes, or call one of the numbers below.
joins_busy = Many people are arriving at once: try again in a moment, or call one of the numbers below.
login_title = Volunteer login
username = Username
password = Password
login = Log in
logout = Log out
login_failed = Wrong username or password.
login_throttled = Too many tries for this account: wait a few minutes before trying again.
workspace_title = Listening workspace
presence = Presence
presence_available = Available
presence_pause = On a break
presence_offline = Offline
next = Next
next_hint = Takes the person who has waited longest (or has the highest priority).
board_waiting = Waiting
board_on_duty = Listeners available
board_free = Free
queue_empty = Nobody is waiting right now.
no_conversation = No conversation. Set yourself available, then press Next.
conversation_with = Conversation with { $label }
returning = This conversation was interrupted when another listener left: it continues here.
person_away = The person's connection dropped; they have a few minutes to come back.
person_back = The person is back.
ended_for_listener = Conversation ended ({ $reason }).
reason_person_ended = by the person
reason_listener_ended = by you
reason_abandoned = the person left before an answer
reason_person_vanished = the person did not come back
reason_never_connected = the person never connected
conversation_left = This conversation left your workspace while you were away.
error_busy = You already have as many conversations as allowed: end one before taking the next.
error_not_available = Set yourself available to take a contact.
requeued_listener = You were away too long: the conversation went back to the head of the queue.
fill_sheet = Fill in the statistics sheet
pending_sheets = Sheets to fill in
sheet_title = Anonymous statistics sheet
sheet_intro = One minute, no free text: nothing here may identify the person.
duration_minutes = Duration (minutes)
themes = Themes
age_band = Estimated age band
gender = Estimated gender
contact_kind = First or regular contact
risk = Risk level
debrief_wanted = I would like a debrief with a supervisor
save_sheet = Save the sheet
back_to_workspace = Back to the workspace
users_title = Accounts
pseudonym = Pseudonym
role = Role
role_listener = Listener
role_supervisor = Supervisor
role_admin = Administrator
role_communication = Communication
role_coordinator = Volunteer coordination
create_user = Create account
new_user = New account
status = Status
active = Active
disabled = Disabled
disable = Disable
enable = Enable
user_created = Account created.
error_title = Error
back_to_staff = Back to the volunteers' area
error_not_found = There is nothing at this address.
error_method_not_allowed = This address does not accept this kind of request.
error_unauthorized = Please log in.
error_forbidden = You are not allowed to do this.
error_cross_site = This request comes from another site: it is refused.
error_bad_request = The request is malformed.
error_csrf = The form has expired; please reload the page and try again.
error_conflict = This cannot be done in the current state.
error_unprocessable = The content sent is refused.
error_payload_too_large = The request is too large.
error_rate_limited = Too many requests right now; try again in a moment.
error_server_busy = The server is very busy; try again in a few seconds.
error_unavailable = The service is unavailable for the moment; try again in a few minutes.
error_internal = Something went wrong on our side.
refused_sheet_ongoing = The conversation is still going on; end it first.
refused_sheet_filled = This sheet has already been filled in.
refused_own_account = You cannot disable your own account.
sheet_error_duration = The duration must be a number of minutes between 0 and 1440.
sheet_error_no_theme = Choose at least one theme.
sheet_error_unknown_theme = Unknown theme: { $theme }.
sheet_error_choice = Choose an answer for “{ $field }”.
user_error_username = The username must be 3 to 32 characters among lowercase letters, digits, “.”, “-” and “_”.
user_error_pseudonym = The pseudonym must be 2 to 40 characters: letters, digits, spaces, “-”, “'” or “.”.
user_error_password_short = The password must have at least 10 characters.
user_error_password_long = The password must have at most 256 characters.
user_error_role = The role must be listener, supervisor or administrator.
user_error_taken = The username “{ $username }” is already taken.
login_busy = The server is checking many logins right now; try again in a few seconds.
back_home = Back to the home page
nav_workspace = Workspace
nav_users = Accounts
chars_over = Message too long by { $n ->
        [one] { $n } character
       *[other] { $n } characters
    }: shorten it to send it.
too_long = This message is over the limit of { $max } characters: it was not sent. Shorten it, or send it in several parts.
opening_hours = Listening hours: { $hours }
quick_exit_title = Leaves this page at once (press Escape twice)
lang_unknown = This language is not available: the page is in English.

# The sheet's closed choices: choice_ and the value's code.
choice_unknown = Unknown
choice_under_18 = Under 18
choice_18_24 = 18–24
choice_25_39 = 25–39
choice_40_59 = 40–59
choice_60_74 = 60–74
choice_75_plus = 75 and over
choice_woman = Woman
choice_man = Man
choice_other = Other
choice_first = First contact
choice_regular = Regular contact
choice_not_assessed = Not assessed
choice_none = None
choice_low = Low
choice_moderate = Moderate
choice_high = High
choice_imminent = Imminent danger
message_invalid = This message could not be sent: it is too long or contains characters that are refused.
queue_head = You are at the head of the queue.
nav_campaigns = Campaigns
nav_stories = Stories
campaigns_title = Campaigns
campaigns_intro = A campaign's links end in ?c= followed by its code. Only numbers per day are counted: nothing says who came.
no_campaigns = No campaign is declared yet.
campaign_name = Campaign
campaign_dates = Dates
campaign_code = Code
campaign_code_hint = 1 to 40 unaccented letters, digits, hyphens or underscores, for example fb-2017-11.
campaign_from = First day
campaign_to = Last day
new_campaign = Declare a campaign
create_campaign = Declare
campaign_created = Campaign declared: its links are counted from now on.
campaign_comparison = conversations per day, all links together, over periods of { $days ->
        [one] one day
       *[other] { $days } days
    }
period_before = Before
period_during = During
period_after = After
event_page_view = Page views
event_reveal = Stories revealed
event_conversation_started = Conversations
event_message_written = Messages written
event_application = Applications
campaign_error_code = The code may hold only unaccented letters, digits, hyphens and underscores.
campaign_error_code_long = The code has at most 40 characters.
campaign_error_name = The name must have 1 to 200 characters.
campaign_error_dates = The last day cannot come before the first.
campaign_error_date_format = Give both dates as YYYY-MM-DD.
campaign_error_taken = A campaign already has the code “{ $code }”.

## The campaign page (/stories)
stories_title = All the happiness in the world… on the surface
stories_intro = Some lives look full. Behind the smile there is sometimes distress that nobody sees.
story_reveal = Look behind the facade
story_behind = Behind the smile: { $name }
stories_message = You can talk to someone about it.
door_talk = Talk now, anonymously
story_close = Close
campaign_link_page = Campaign page:
campaign_link_chat = Chat:

## Editing the stories (/admin/stories)
stories_admin_title = Stories of the campaign page
stories_admin_intro = Each story appears in French and English: saving publishes both at once, straight away.
stories_admin_see = See the campaign page
story_in_french = In French
story_in_english = In English
story_name = First name and age (the title)
story_facade = What everyone sees
story_hidden = What it hides (shown when one looks behind)
story_save = Save and publish
story_saved = Story saved and published: { $name }.
story_error_unknown = There is no such story.
story_error_empty = Every part of the story must be written, in both languages.
story_error_long_name = The title is too long (60 characters at most).
story_error_long_facade = What everyone sees is too long (300 characters at most).
story_error_long_hidden = What it hides is too long (600 characters at most).

## The workspace's alerts: nobody waits unseen
alerts_title = Alerts
alerts_hint = The tab's title counts the people waiting, even when the tab is in the background.
alert_sound = A sound when someone joins the queue (while you are available)
alert_notify = Be told by a notification
alert_notify_hint = Your browser will ask for permission. The notification only says how many people are waiting, never anything about them.
alert_notify_on = Notifications are on.
alert_notify_denied = The browser refuses notifications: the tab's title and the sound remain.
someone_waiting = { $n ->
        [one] Someone is waiting.
       *[other] { $n } people are waiting.
    }
someone_waiting_title = Someone is waiting to be heard
send_emergency = Give the emergency numbers
emergency_message = Emergency numbers in France: 3114 (suicide prevention, 24/7, free), 15 (medical emergency), 112 (European emergency number), 114 (by text message). If you are in danger now, call 3114 or 15.
sheet_saved = Sheet saved. Thank you.
care_title = Take care of yourself
care_offer = That conversation may have been heavy. Take the time you need: you can pause, and talk it over with your supervisor.
care_pause = Pause now

## The written door
nav_inbox = Written messages
door_write = Write a message
written_title = Write to us
written_intro = You can write without an account or an e-mail address, whenever you like. A listener reads your message and answers it here, within two days at most. You come back with your code to read the reply and write again.
written_code_warning_title = Your code is the only way back
written_code_warning = When you send your message, you receive a code of eight words. Write it down or copy it somewhere safe: nobody can find your messages without it, and nobody — not even us — can give it back to you if you lose it.
written_purge_notice = { $n ->
    [one] Your messages are deleted for good after { $n } day without a new message, and you can delete them yourself at any time.
   *[other] Your messages are deleted for good after { $n } days without a new message, and you can delete them yourself at any time.
}
written_message_label = Your message
written_send_first = Send and get my code
written_have_code = I already have a code
written_code_label = Your code (eight words)
written_open = Read the replies
written_code_malformed = A code is eight words, exactly as you were given them. Check each word.
written_code_unknown = No messages match this code. Check each word; messages are deleted after a long time without a new one.
written_inbox_full = Too many messages are waiting right now. Please try again later, or call one of the numbers below.
written_error_empty = Your message is empty.
written_error_long = { $n ->
    [one] A message has at most { $n } character.
   *[other] A message has at most { $n } characters.
}
written_thread_title = Your messages
written_your_code = Your code
written_code_keep = Write these eight words down now, in this order. They are the only way to read the reply: they are not shown again.
written_reply_within = { $n ->
    [one] A listener answers within { $n } hour.
   *[other] A listener answers within { $n } hours at most.
}
written_answered = A listener has answered you.
written_again_label = Write again
written_sent = Your message was sent.
written_thread_full = This conversation holds as many messages as it can. Wait for a reply, or start a new one.
written_delete = Delete my messages
written_delete_confirm = I understand they are deleted for good, the replies too.
written_deleted = Your messages were deleted for good.
written_a_listener = A listener

## The listeners' inbox
inbox_title = Written messages
inbox_intro = { $n ->
    [one] Messages waiting for a reply, the most urgent first, then the longest waiting. Each is answered within { $n } hour.
   *[other] Messages waiting for a reply, the most urgent first, then the longest waiting. Each is answered within { $n } hours.
}
inbox_empty = No written message is waiting for a reply.
inbox_caption = Threads waiting for a reply
inbox_thread = Thread
inbox_waiting_since = Waiting since
inbox_due = Reply target
inbox_messages = Messages
inbox_status = Status
inbox_free = Free
inbox_being_answered = { $name } is answering
inbox_due_in = { $n ->
    [one] Due within { $n } hour
   *[other] Due within { $n } hours
}
inbox_overdue = { $n ->
    [one] Overdue by { $n } hour
   *[other] Overdue by { $n } hours
}
inbox_answered = Answered: nothing is waiting.
inbox_yours_until = You are answering this thread; it stays yours until { $time } (each draft saved extends it).
inbox_reply_label = Your reply
inbox_save_draft = Save the draft
inbox_send_reply = Send the reply
inbox_release = Leave it to someone else
inbox_claim = Answer this thread
inbox_claimed_by = { $name } is already answering this thread.
inbox_not_claimed = Take this thread before answering it: your hold on it has lapsed, or someone else took it.
inbox_draft_saved = Draft saved.
inbox_sheet_saved = Your reply was sent and its sheet saved.
sheet_written_reply = Your reply was sent. Its sheet counts it as a contact by written message.
inbox_back = Back to the written messages

## Becoming a listener
nav_volunteers = Volunteers
door_volunteer = Become a listener
volunteer_title = Become a listener
volunteer_intro = Listeners are volunteers: trained, supported by psychologists and by each other, they give a few hours a week, often at night, to hear people who feel alone. No experience is needed, only time, steadiness and the wish to listen without judging.
volunteer_steps = After this form: a first interview, an interview with a psychologist, the committee's decision, then training, listening with a supervisor beside you, and a probation period.
volunteer_name = Your name
volunteer_contact_hint = An e-mail address or a telephone number, so that a coordinator can reach you (one is enough).
volunteer_email = E-mail address
volunteer_phone = Telephone
volunteer_city = City
volunteer_availability = When could you listen?
volunteer_motivation = Why would you like to become a listener?
volunteer_processing = { $n ->
    [one] What you write here is read only by the association's coordinators (and its administrators), to follow your application; every read is recorded. It is erased on your request at any time, and { $n } day after you leave the process if you do not become a listener.
   *[other] What you write here is read only by the association's coordinators (and its administrators), to follow your application; every read is recorded. It is erased on your request at any time, and { $n } days after you leave the process if you do not become a listener.
}
volunteer_consent = I agree that my data be processed for my application.
volunteer_send = Send my application
volunteer_error_missing = Please fill in every required field.
volunteer_error_long = A field is too long, or contains characters that are refused.
volunteer_error_email = This e-mail address does not look like one.
volunteer_error_phone = This telephone number does not look like one.
volunteer_error_contact = Give an e-mail address or a telephone number, so that we can reach you.
volunteer_error_consent = Tick the box to agree to the processing of your data: without it we cannot read your application.
volunteer_full = We cannot receive more applications right now. Please try again in a few days.
volunteer_received_title = Thank you
volunteer_received = Your application was received. A coordinator will contact you for a first interview.
volunteer_back_home = Back to the home page
stage_received = Received
stage_first_interview = First interview
stage_psychologist_interview = Psychologist interview
stage_committee_decision = Committee decision
stage_training = Training
stage_supervised_listening = Supervised listening
stage_probation = Probation
stage_active = Active listener
stage_left = Left
volunteers_title = Volunteer applications
volunteers_audit_hint = Candidates' personal data is read only here; every read is recorded with your name.
volunteers_per_stage = Applications per stage
volunteers_stage = Stage
volunteers_count = Applications
volunteers_conversion = What each campaign's applications became
volunteers_campaign = Campaign
volunteers_received_count = Received
volunteers_trained_count = Reached training
volunteers_active_count = Became listeners
volunteers_no_campaign = (no campaign)
volunteers_candidates = Candidates
volunteers_none = No application yet.
volunteers_since = Since
volunteers_erased_count = { $n ->
    [one] { $n } application was erased: only its anonymous trace remains in the figures.
   *[other] { $n } applications were erased: only their anonymous trace remains in the figures.
}
volunteers_file_title = Application
volunteers_erased_title = Erased application
volunteers_erased_text = This candidate's personal data and the notes about them were erased. What remains is anonymous.
volunteers_received_at = Received on
volunteers_training_hours = Training hours
volunteers_move_title = Follow-up
volunteers_move_to = Move to
volunteers_move_note = Why (optional, about the applicant only)
volunteers_move = Move
volunteers_log_hours = Training hours to log
volunteers_log = Log the hours
volunteers_note_label = Note
volunteers_note_hint = About the applicant only — never about a caller.
volunteers_add_note = Add the note
volunteers_history = History
volunteers_no_history = Nothing yet.
volunteers_reads = Who read this application
volunteers_erase_title = Erase the personal data
volunteers_erase_confirm = I understand that the name, contact details, answers and notes are erased for good.
volunteers_erase = Erase
volunteers_back = Back to the applications
volunteers_event_note = Note
volunteers_note_erased = (erased)
volunteers_event_training = { $hours } h of training
volunteers_read_list = the list
volunteers_read_read = read
volunteers_read_erase = erased
volunteers_done_moved = Moved.
volunteers_done_noted = Note added.
volunteers_done_trained = Hours logged.
volunteers_done_erased = The personal data was erased.
volunteers_error_not_next = An application moves one stage at a time, or leaves the process.
volunteers_error_left = This candidate has left the process.
volunteers_error_erased = This application was erased.
volunteers_error_hours = Log between a quarter of an hour and 100 hours, during training.
volunteers_error_note = A note has 1 to 2000 characters.
volunteers_error_account = Becoming an active listener creates their account: use the form with a username and a pseudonym.
volunteers_error_username_taken = The username { $name } is taken: choose another.
volunteers_error_account_fields = A username has 3 to 32 characters among lowercase letters, digits, dots, hyphens and underscores; a pseudonym 2 to 40 characters.
volunteers_done_activated = They are an active listener: their account is created. Hand them the link below.
volunteers_done_relinked = A new link was made; the earlier one no longer works.
volunteers_activate_title = Make them an active listener
volunteers_activate_intro = This creates their listener account. They set their own password with a one-time link, valid for seven days.
volunteers_username = Username (to log in)
volunteers_pseudonym = Pseudonym (what callers and colleagues see)
volunteers_activate = Create their account
volunteers_link_title = Their one-time link
volunteers_link_hint = Give it to them yourself (it is shown only now): with it they choose their password, once, within seven days.
volunteers_relink_title = Their account
volunteers_relink = Make a new one-time link
welcome_title = Welcome
welcome_hello = Welcome, { $name }
welcome_intro = Choose the password of your listener account. You will log in with the username { $username }.
welcome_password = Your password
welcome_confirm = The same password again
welcome_save = Save my password
welcome_mismatch = The two passwords differ.
welcome_weak = { $n ->
    [one] At least { $n } character.
   *[other] At least { $n } characters: a few words you will remember.
}

## Supervision: the live board, alerts, private notes, the audit log
nav_board = Live board
nav_audit = Audit log
board_title = Live board
board_alerts = Alerts
board_alert_sound = A sound when a listener calls for help
board_now = Now
board_in_progress = In conversation
board_available = Listeners free
board_busy = Listeners in conversation
board_paused = Listeners on a break
board_answered_hour = Answered, last hour
board_waiting_list = Waiting
board_ongoing = Conversations in progress
board_roster = Listeners on duty
board_reading_hint = Your reading is recorded in the audit log (who, which conversation, when). The person never sees your notes.
board_whispers = Your notes to the listener
board_whisper_label = A private note to the listener
board_whisper_send = Send to the listener
board_reader_close = Stop reading
board_alert_help = Help needed
board_alert_debrief = Debrief asked
board_alert_title = { $kind }: { $label }, with { $listener }
board_read = Read
board_resolve = I'm on it
board_no_alert = No open alert.
board_nobody_waiting = Nobody is waiting.
board_no_conversation = No conversation in progress.
board_nobody_on_duty = No listener is on duty.
board_channel_chat = chat
board_channel_message = written message
board_priority = priority { $n }
board_returning = came back
board_minutes = { $n ->
    [one] { $n } minute
   *[other] { $n } minutes
}
board_since = for { $n ->
    [one] { $n } minute
   *[other] { $n } minutes
}
board_away = disconnected
board_answered_share = { $pct } % ({ $answered } of { $settled })
board_answered_none = Nobody yet this hour
board_reading = Conversation { $label } with { $listener }
board_reading_ended = The conversation has ended.
board_whisper_sent = Note sent to the listener.
board_whisper_from = { $name }:
alert_supervisor = Alert a supervisor
alert_supervisor_sent = Supervisors alerted
whispers_title = From your supervisor (the person does not see this)
whisper_from = { $name }:
audit_title = Audit log: conversations read
audit_intro = Every time someone other than its listener reads a conversation, it is recorded here: who, which conversation, when. Never what was read.
audit_empty = No conversation has been read by anyone but its listener.
audit_caption = { $n ->
    [one] The latest read
   *[other] The latest { $n } reads, newest first
}
audit_when = When
audit_who = Who
audit_which = Conversation
board_alert_risk = Risk read in what someone waiting wrote
triage_title = Triage (an aid, not a diagnosis; your assessment prevails):
triage_none = nothing about the writer
triage_wish_to_be_dead = wish to be dead
triage_ideation = suicidal thoughts
triage_method = thoughts with a method or means
triage_intent = intent
triage_plan = a plan
triage_behaviour = something already done or prepared
triage_other = about someone else: { $level }
triage_words = words: { $words }
board_priority_up = Priority +
board_priority_down = Priority −
audit_priorities = Priorities changed by hand
audit_no_priority = No supervisor has changed a priority by hand.
audit_priority_change = Priority
transferred = Another listener, { $listener }, is taking over your conversation. They can read what you have written so far; you do not need to repeat it.
transferred_away = A supervisor has handed this conversation to { $listener }. There is no sheet for you to fill for it.
board_take_over = Take over this conversation
board_transfer_to = or hand it to
board_transfer = Hand over
board_handover_hint = The person is told in plain words; your workspace must be open and available to take over.
error_duty_cap = You have been on duty for a long time without a break. Take a pause (set your presence to "On a break"), then come back: someone else will answer meanwhile.
