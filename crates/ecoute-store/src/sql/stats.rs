//! [`StatsStore`]: the anonymous statistics sheets.

use super::{get, write_error, Args, Conn, Db, DbRow, Scalar, SELECT_CONTACT};
use crate::dialect::{Dialect, SqlStore};
use crate::query::Run;
use crate::{StatsStore, StoreError, StoreResult};
use async_trait::async_trait;
use ecoute_domain::{
    AgeBand, Contact, ContactId, ContactKind, Gender, RiskLevel, StatsSheet, Timestamp, UserId,
};
use sqlx::{ColumnIndex, Encode, Executor, IntoArguments, Type};

/// Reads a stored code with `parse`; one the code does not know is a corrupt store.
fn code<T>(what: &str, value: String, parse: fn(&str) -> Option<T>) -> StoreResult<T> {
    parse(&value).ok_or_else(|| StoreError::Corrupt(format!("{what} {value:?}")))
}

#[async_trait]
impl<D> StatsStore for SqlStore<D>
where
    D: Dialect,
    for<'c> &'c mut Conn<D>: Executor<'c, Database = Db<D>>,
    for<'q> Args<'q, D>: IntoArguments<'q, Db<D>>,
    i64: Scalar<Db<D>>,
    i32: Scalar<Db<D>>,
    bool: Scalar<Db<D>>,
    String: Scalar<Db<D>>,
    Option<i64>: Scalar<Db<D>>,
    for<'q> &'q str: Encode<'q, Db<D>> + Type<Db<D>>,
    for<'q> Option<&'q str>: Encode<'q, Db<D>>,
    for<'a> &'a str: ColumnIndex<DbRow<D>>,
    usize: ColumnIndex<DbRow<D>>,
{
    async fn save_sheet(
        &self,
        sheet: &StatsSheet,
        listener: UserId,
        now: Timestamp,
    ) -> StoreResult<()> {
        let sheet = sheet.clone();
        self.write(move |tx| {
            let sheet = sheet.clone();
            Box::pin(async move {
                // An ended contact never changes again: a plain read is enough to check it.
                let row = tx
                    .optional(
                        &format!("{SELECT_CONTACT} WHERE id = $1"),
                        &[sheet.contact.into()],
                    )
                    .await?
                    .ok_or(StoreError::NotFound)?;
                let contact = super::to_contact(&row)?;
                contact.may_file_sheet(listener)?;
                tx.exec(
                    "INSERT INTO stats_sheets (contact_id, listener_id, centre_id, channel, \
                     duration_seconds, age_band, gender, contact_kind, risk, debrief_wanted, \
                     created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
                    &[
                        sheet.contact.into(),
                        listener.0.into(),
                        contact.centre.0.into(),
                        contact.channel.as_str().into(),
                        sheet.duration_seconds.into(),
                        sheet.age_band.as_str().into(),
                        sheet.gender.as_str().into(),
                        sheet.contact_kind.as_str().into(),
                        sheet.risk.as_str().into(),
                        sheet.debrief_wanted.into(),
                        now.0.into(),
                    ],
                )
                .await
                .map_err(|e| match write_error(e, "sheet refused") {
                    // The sheet's primary key is its contact: one sheet per contact.
                    StoreError::Conflict(_) => StoreError::SheetExists,
                    e => e,
                })?;
                for (position, theme) in sheet.themes.iter().enumerate() {
                    let position = i32::try_from(position)
                        .map_err(|_| StoreError::Conflict("too many themes".into()))?;
                    tx.exec(
                        "INSERT INTO stats_sheet_themes (contact_id, position, theme) \
                         VALUES ($1, $2, $3)",
                        &[sheet.contact.into(), position.into(), theme.as_str().into()],
                    )
                    .await
                    .map_err(|e| write_error(e, "a theme appears twice in the sheet"))?;
                }
                Ok(())
            })
        })
        .await
    }

    async fn sheet(&self, contact: ContactId) -> StoreResult<Option<StatsSheet>> {
        let mut conn = self.read.acquire().await?;
        let row = sqlx::query(
            "SELECT duration_seconds, age_band, gender, contact_kind, risk, debrief_wanted \
             FROM stats_sheets WHERE contact_id = $1",
        )
        .bind(D::id(contact.0))
        .fetch_optional(&mut *conn)
        .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        let themes: Vec<String> = sqlx::query_scalar(
            "SELECT theme FROM stats_sheet_themes WHERE contact_id = $1 ORDER BY position",
        )
        .bind(D::id(contact.0))
        .fetch_all(&mut *conn)
        .await?;
        Ok(Some(StatsSheet {
            contact,
            duration_seconds: get(&row, "duration_seconds")?,
            themes,
            age_band: code("age band", get(&row, "age_band")?, AgeBand::parse)?,
            gender: code("gender", get(&row, "gender")?, Gender::parse)?,
            contact_kind: code(
                "contact kind",
                get(&row, "contact_kind")?,
                ContactKind::parse,
            )?,
            risk: code("risk", get(&row, "risk")?, RiskLevel::parse)?,
            debrief_wanted: get(&row, "debrief_wanted")?,
        }))
    }

    async fn pending_sheets(&self, listener: UserId) -> StoreResult<Vec<Contact>> {
        sqlx::query(&format!(
            "{SELECT_CONTACT} c WHERE c.state = 'ended' AND c.listener_id = $1 \
             AND c.answered_at IS NOT NULL \
             AND NOT EXISTS (SELECT 1 FROM stats_sheets s WHERE s.contact_id = c.id) \
             ORDER BY c.ended_at, c.id"
        ))
        .bind(listener.0)
        .fetch_all(&self.read)
        .await?
        .iter()
        .map(super::to_contact)
        .collect()
    }
}
