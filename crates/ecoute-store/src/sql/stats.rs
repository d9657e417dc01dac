//! [`StatsStore`]: the anonymous statistics sheets.

use super::{get, write_error, Args, Conn, Db, DbRow, Scalar, SELECT_CONTACT};
use crate::dialect::{Dialect, SqlStore};
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
        let mut tx = self.begin_write().await?;
        // An ended contact never changes again: a plain read is enough to check it.
        let row = sqlx::query(&format!("{SELECT_CONTACT} WHERE id = $1"))
            .bind(D::id(sheet.contact))
            .fetch_optional(&mut *tx)
            .await?
            .ok_or(StoreError::NotFound)?;
        let contact = Self::to_contact(&row)?;
        contact.may_file_sheet(listener)?;
        sqlx::query(
            "INSERT INTO stats_sheets (contact_id, listener_id, centre_id, channel, \
             duration_seconds, age_band, gender, contact_kind, risk, debrief_wanted, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(D::id(sheet.contact))
        .bind(listener.0)
        .bind(contact.centre.0)
        .bind(contact.channel.as_str())
        .bind(sheet.duration_seconds)
        .bind(sheet.age_band.as_str())
        .bind(sheet.gender.as_str())
        .bind(sheet.contact_kind.as_str())
        .bind(sheet.risk.as_str())
        .bind(sheet.debrief_wanted)
        .bind(now.0)
        .execute(&mut *tx)
        .await
        .map_err(|e| match e {
            // The sheet's primary key is its contact: one sheet per contact.
            sqlx::Error::Database(db) if db.is_unique_violation() => StoreError::SheetExists,
            e => write_error(e, "sheet refused"),
        })?;
        for (position, theme) in sheet.themes.iter().enumerate() {
            let position = i32::try_from(position)
                .map_err(|_| StoreError::Conflict("too many themes".into()))?;
            sqlx::query(
                "INSERT INTO stats_sheet_themes (contact_id, position, theme) VALUES ($1, $2, $3)",
            )
            .bind(D::id(sheet.contact))
            .bind(position)
            .bind(theme.as_str())
            .execute(&mut *tx)
            .await
            .map_err(|e| write_error(e, "a theme appears twice in the sheet"))?;
        }
        tx.commit().await?;
        Ok(())
    }

    async fn sheet(&self, contact: ContactId) -> StoreResult<Option<StatsSheet>> {
        let mut conn = self.read.acquire().await?;
        let row = sqlx::query(
            "SELECT duration_seconds, age_band, gender, contact_kind, risk, debrief_wanted \
             FROM stats_sheets WHERE contact_id = $1",
        )
        .bind(D::id(contact))
        .fetch_optional(&mut *conn)
        .await?;
        let Some(row) = row else {
            return Ok(None);
        };
        let themes: Vec<String> = sqlx::query_scalar(
            "SELECT theme FROM stats_sheet_themes WHERE contact_id = $1 ORDER BY position",
        )
        .bind(D::id(contact))
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
        .map(Self::to_contact)
        .collect()
    }
}
