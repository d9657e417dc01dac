//! [`StoryStore`]: the campaign page's stories as staff edited them.

use super::{Args, Conn, Db, DbRow, Scalar};
use crate::dialect::{Dialect, SqlStore};
use crate::query::{Columns, Run};
use crate::{StoreResult, StoryStore};
use async_trait::async_trait;
use ecoute_domain::{Story, StoryText, Timestamp};
use sqlx::{ColumnIndex, Encode, Executor, IntoArguments, Type};

/// A story from a row of `stories`.
fn to_story<R: Columns + ?Sized>(row: &R) -> StoreResult<Story> {
    let text = |lang: &str| -> StoreResult<StoryText> {
        Ok(StoryText {
            name: row.get(&format!("{lang}_name"))?,
            facade: row.get(&format!("{lang}_facade"))?,
            hidden: row.get(&format!("{lang}_hidden"))?,
        })
    };
    Ok(Story {
        key: row.get("story_key")?,
        fr: text("fr")?,
        en: text("en")?,
    })
}

#[async_trait]
impl<D> StoryStore for SqlStore<D>
where
    D: Dialect,
    for<'c> &'c mut Conn<D>: Executor<'c, Database = Db<D>>,
    for<'q> Args<'q, D>: IntoArguments<'q, Db<D>>,
    i64: Scalar<Db<D>>,
    String: Scalar<Db<D>>,
    for<'q> &'q str: Encode<'q, Db<D>> + Type<Db<D>>,
    for<'a> &'a str: ColumnIndex<DbRow<D>>,
{
    async fn saved_stories(&self) -> StoreResult<Vec<Story>> {
        sqlx::query(
            "SELECT story_key, fr_name, fr_facade, fr_hidden, en_name, en_facade, en_hidden \
             FROM stories ORDER BY story_key",
        )
        .fetch_all(&self.read)
        .await?
        .iter()
        .map(to_story)
        .collect()
    }

    async fn save_story(&self, story: &Story, now: Timestamp) -> StoreResult<()> {
        let story = story.clone();
        self.write(move |tx| {
            let s = story.clone();
            Box::pin(async move {
                tx.exec(
                    "INSERT INTO stories (story_key, fr_name, fr_facade, fr_hidden, en_name, \
                     en_facade, en_hidden, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
                     ON CONFLICT (story_key) DO UPDATE SET fr_name = excluded.fr_name, \
                     fr_facade = excluded.fr_facade, fr_hidden = excluded.fr_hidden, \
                     en_name = excluded.en_name, en_facade = excluded.en_facade, \
                     en_hidden = excluded.en_hidden, updated_at = excluded.updated_at",
                    &[
                        s.key.as_str().into(),
                        s.fr.name.as_str().into(),
                        s.fr.facade.as_str().into(),
                        s.fr.hidden.as_str().into(),
                        s.en.name.as_str().into(),
                        s.en.facade.as_str().into(),
                        s.en.hidden.as_str().into(),
                        now.0.into(),
                    ],
                )
                .await?;
                Ok(())
            })
        })
        .await
    }
}
