//! A row whose strings are borrowed: from a packed chunk, where the host's
//! bytes already are, or from an owned [`Row`].
//!
//! Invariant: a view holds exactly the fields of the row it was made from
//! (the same strings, options and pairs, in order), so a judge reading a view
//! answers as it would reading the row; [`RowView::to_row`] gives that row
//! back.

use crate::{Message, Row, RowFlags, RowStatus, Usage};

/// One row, as [`Row`] has it, with every string borrowed. A judge that sets
/// [`Judge::SCORES_VIEWS`](crate::Judge::SCORES_VIEWS) is handed these.
#[derive(Debug, Clone, Copy)]
pub struct RowView<'a> {
    pub id: &'a str,
    pub index: u64,
    pub segment: u32,
    pub provider: &'a str,
    pub model: &'a str,
    pub snapshot: Option<&'a str>,
    pub status: RowStatus,
    pub flags: RowFlags,
    pub attempt: u32,
    /// (role, content) per prompt message; empty unless the judge needs `prompt`.
    pub prompt: Pairs<'a>,
    pub response: Option<&'a str>,
    pub finish_reason: Option<&'a str>,
    pub usage: Usage,
    pub error_code: Option<&'a str>,
    pub error_message: Option<&'a str>,
    /// (key, value) per metadata entry; empty unless the judge needs `metadata`.
    pub metadata: Pairs<'a>,
}

/// A row's string pairs: prompt messages or metadata entries.
#[derive(Debug, Clone, Copy)]
pub struct Pairs<'a>(Source<'a>);

#[derive(Debug, Clone, Copy)]
enum Source<'a> {
    /// Span-table entries of a packed chunk (4 words each), every span
    /// checked to lie within `text` on character boundaries.
    Packed {
        text: &'a str,
        entries: &'a [u32],
    },
    Messages(&'a [Message]),
    Entries(&'a [(String, String)]),
}

impl<'a> Pairs<'a> {
    /// Pairs whose spans the caller has checked (see [`Source::Packed`]).
    pub(crate) fn packed(text: &'a str, entries: &'a [u32]) -> Pairs<'a> {
        Pairs(Source::Packed { text, entries })
    }

    pub fn len(&self) -> usize {
        match self.0 {
            Source::Packed { entries, .. } => entries.len() / 4,
            Source::Messages(m) => m.len(),
            Source::Entries(e) => e.len(),
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// The pairs, in order.
    pub fn iter(&self) -> impl Iterator<Item = (&'a str, &'a str)> + 'a {
        let (packed, messages, entries) = match self.0 {
            Source::Packed { text, entries } => (Some((text, entries)), None, None),
            Source::Messages(m) => (None, Some(m), None),
            Source::Entries(e) => (None, None, Some(e)),
        };
        let packed = packed.into_iter().flat_map(|(text, entries)| {
            // Checked when the view was made; `""` is unreachable.
            let at = move |a: u32, n: u32| text.get(a as usize..a as usize + n as usize).unwrap_or_default();
            entries.chunks_exact(4).map(move |e| (at(e[0], e[1]), at(e[2], e[3])))
        });
        let messages = messages
            .into_iter()
            .flatten()
            .map(|m| (m.role.as_str(), m.content.as_str()));
        let entries = entries.into_iter().flatten().map(|(k, v)| (k.as_str(), v.as_str()));
        packed.chain(messages).chain(entries)
    }
}

impl<'a> RowView<'a> {
    /// The view of an owned row.
    pub fn of(row: &'a Row) -> RowView<'a> {
        RowView {
            id: &row.id,
            index: row.index,
            segment: row.segment,
            provider: &row.provider,
            model: &row.model,
            snapshot: row.snapshot.as_deref(),
            status: row.status,
            flags: row.flags,
            attempt: row.attempt,
            prompt: Pairs(Source::Messages(&row.prompt)),
            response: row.response.as_deref(),
            finish_reason: row.finish_reason.as_deref(),
            usage: row.usage,
            error_code: row.error_code.as_deref(),
            error_message: row.error_message.as_deref(),
            metadata: Pairs(Source::Entries(&row.metadata)),
        }
    }

    /// The owned row this view shows.
    pub fn to_row(&self) -> Row {
        let mut row = Row::completed("", None);
        self.fill(&mut row);
        row
    }

    /// Overwrites every field of `row` with this view's, reusing the
    /// strings already there.
    pub(crate) fn fill(&self, row: &mut Row) {
        row.status = self.status;
        row.flags = self.flags;
        row.index = self.index;
        row.segment = self.segment;
        row.attempt = self.attempt;
        row.usage = self.usage;
        set(&mut row.id, self.id);
        set(&mut row.provider, self.provider);
        set(&mut row.model, self.model);
        for (slot, s) in [
            (&mut row.snapshot, self.snapshot),
            (&mut row.response, self.response),
            (&mut row.finish_reason, self.finish_reason),
            (&mut row.error_code, self.error_code),
            (&mut row.error_message, self.error_message),
        ] {
            set_opt(slot, s);
        }
        row.prompt.truncate(self.prompt.len());
        for (i, (role, content)) in self.prompt.iter().enumerate() {
            match row.prompt.get_mut(i) {
                Some(m) => {
                    set(&mut m.role, role);
                    set(&mut m.content, content);
                }
                None => row.prompt.push(Message {
                    role: role.to_owned(),
                    content: content.to_owned(),
                }),
            }
        }
        row.metadata.truncate(self.metadata.len());
        for (i, (key, value)) in self.metadata.iter().enumerate() {
            match row.metadata.get_mut(i) {
                Some((k, v)) => {
                    set(k, key);
                    set(v, value);
                }
                None => row.metadata.push((key.to_owned(), value.to_owned())),
            }
        }
    }
}

fn set(slot: &mut String, s: &str) {
    slot.clear();
    slot.push_str(s);
}

fn set_opt(slot: &mut Option<String>, s: Option<&str>) {
    match (slot.as_mut(), s) {
        (Some(buf), Some(s)) => set(buf, s),
        (_, s) => *slot = s.map(str::to_owned),
    }
}
