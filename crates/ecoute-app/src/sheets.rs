//! The anonymous statistics sheet a listener files after a conversation.

use ecoute_domain::{Contact, ContactId, ContactState, StatsSheet, TransitionError, UserId};

use crate::{App, AppError, AppResult};

impl App {
    /// The contact whose sheet `listener` may file now: one they answered, ended, without a
    /// sheet. [`AppError::NotFound`] when it is no contact of theirs,
    /// [`AppError::Refused`]`(NotEnded)` while it goes on, [`AppError::SheetExists`] once
    /// filed.
    pub async fn sheet_contact(&self, id: ContactId, listener: UserId) -> AppResult<Contact> {
        let contact = self.store.contact(id).await?.ok_or(AppError::NotFound)?;
        if contact.listener != Some(listener) || contact.answered_at.is_none() {
            return Err(AppError::NotFound);
        }
        if !matches!(contact.state, ContactState::Ended { .. }) {
            return Err(AppError::Refused(TransitionError::NotEnded));
        }
        if self.store.sheet(id).await?.is_some() {
            return Err(AppError::SheetExists);
        }
        Ok(contact)
    }

    /// Files `listener`'s validated sheet. [`AppError::SheetExists`] if one was filed
    /// meanwhile (another tab).
    /// After a hard conversation (see [`StatsSheet::calls_for_care`]) the supervisors on duty
    /// see a debrief request.
    pub async fn file_sheet(&self, sheet: &StatsSheet, listener: UserId) -> AppResult<()> {
        self.store.save_sheet(sheet, listener, self.now()).await?;
        if sheet.calls_for_care() {
            if let Some(contact) = self.store.contact(sheet.contact).await? {
                self.request_debrief(listener, &contact).await?;
            }
        }
        Ok(())
    }
}
