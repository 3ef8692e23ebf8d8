//! Every ROMA Connect instance, page by page: an iterator that fetches the next page only when
//! the previous one is used up, and that ends against servers that misreport pagination.

use super::Client;
use crate::error::{Error, Result};
use crate::model::roma::{RomaInstancePage, RomaInstanceSummary, RomaListQuery};
use serde::{Deserialize, Serialize};
use std::collections::{HashSet, VecDeque};

/// Instances asked for per page when the query sets no `limit`.
pub const DEFAULT_PAGE_SIZE: u32 = 50;

impl Client {
    /// Every ROMA Connect instance matching `query`'s status, from `query`'s offset on, in
    /// pages of `query`'s limit ([`DEFAULT_PAGE_SIZE`] when unset).
    ///
    /// Pages are fetched lazily: memory stays one page however many instances there are.
    /// Paging ends at an empty page, or at a short page when `total` agrees that nothing is
    /// left; a `total` that is too high costs one extra request, one too low is ignored while
    /// pages come back full. An instance that moves to the next page because the list
    /// shifted meanwhile is not yielded twice. A page that repeats the previous one (a server
    /// that ignores `offset`) ends the iteration with a [`Decode`](crate::ErrorKind::Decode)
    /// error. After an error the iterator ends.
    ///
    /// ```no_run
    /// # let client: hwinst::Client = unimplemented!();
    /// for instance in client.roma_instances(&hwinst::RomaListQuery::new().status("RUNNING")) {
    ///     let instance = instance?;
    ///     println!("{:?} {:?}", instance.id, instance.status);
    /// }
    /// # Ok::<_, hwinst::Error>(())
    /// ```
    pub fn roma_instances(&self, query: &RomaListQuery) -> RomaInstances {
        RomaInstances {
            client: self.clone(),
            next: Some(PageCursor::start(query)),
            buffered: VecDeque::new(),
            requests: 0,
        }
    }

    /// Fetches the page `cursor` points at and applies the paging rules to it: the page, the
    /// instances on it that the previous page did not have, and where the next page is
    /// (`None` at the end). [`RomaInstances`] is made of these steps; C callers that page
    /// lazily (the Python binding) take them one at a time (`hwinst_roma_list_page`).
    pub(crate) fn roma_page_step(&self, cursor: &PageCursor) -> Result<RomaPageStep> {
        let page = self.roma_list_instances(&cursor.query())?;
        cursor.step(page)
    }
}

/// Where a paging run stands between two pages: the query of the next page, and the IDs on
/// the previous one (to skip instances the list shifted onto the next page, and to notice a
/// server that ignores `offset`).
///
/// As a document (`hwinst_roma_list_page`): `{"status","offset","limit","previous_ids"}`,
/// every key optional (`offset` 0, `limit` [`DEFAULT_PAGE_SIZE`], no previous page).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct PageCursor {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    status: Option<String>,
    #[serde(default)]
    offset: u32,
    /// A limit of 0 is not bent to 1: the page's request refuses it.
    #[serde(default = "default_page_size")]
    limit: u32,
    #[serde(default)]
    previous_ids: Vec<String>,
}

fn default_page_size() -> u32 {
    DEFAULT_PAGE_SIZE
}

/// One page of a paging run, as [`Client::roma_page_step`] gives it; as a document
/// `{"page":{...},"new":[i,...],"next":{cursor}|null}`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct RomaPageStep {
    /// The page as the service sent it.
    pub page: RomaInstancePage,
    /// The positions in `page.instances` of the instances the previous page did not have.
    pub new: Vec<usize>,
    /// Where the next page is; `None` when paging is over.
    pub next: Option<PageCursor>,
}

impl PageCursor {
    /// The first page of `query`.
    pub(crate) fn start(query: &RomaListQuery) -> PageCursor {
        PageCursor {
            status: query.status.clone(),
            offset: query.offset.unwrap_or(0),
            limit: query.limit.unwrap_or(DEFAULT_PAGE_SIZE),
            previous_ids: Vec::new(),
        }
    }

    /// The request of the page this cursor points at.
    fn query(&self) -> RomaListQuery {
        let mut query = RomaListQuery::new().offset(self.offset).limit(self.limit);
        query.status = self.status.clone();
        query
    }

    /// The paging rules, applied to `page`, the answer to [`query`](Self::query).
    fn step(&self, page: RomaInstancePage) -> Result<RomaPageStep> {
        let count = page.instances.len();
        if count == 0 {
            return Ok(RomaPageStep {
                page,
                new: Vec::new(),
                next: None,
            });
        }
        let offset = self.offset;
        // Empty on a first page: then nothing is hashed (hashbrown looks nothing up in an
        // empty table).
        let previous: HashSet<&str> = self.previous_ids.iter().map(String::as_str).collect();
        let new: Vec<usize> = (0..count)
            .filter(|&n| {
                page.instances[n]
                    .id
                    .as_deref()
                    .is_none_or(|id| !previous.contains(id))
            })
            .collect();
        // A page that holds exactly the previous page's IDs, each once, repeats it. It has
        // nothing new and as many instances as the previous page had IDs, so the set of its
        // IDs is built only then (a 2,000-instance page's 2,000 hashes and allocations).
        if new.is_empty() && previous.len() == count {
            let ids: HashSet<&str> = page
                .instances
                .iter()
                .filter_map(|i| i.id.as_deref())
                .collect();
            if ids.len() == count && ids == previous {
                return Err(Error::Decode {
                    what: "ROMA instance list",
                    message: format!(
                        "the page at offset {offset} repeats the previous page: the service \
                         seems to ignore `offset`, so paging stopped there"
                    ),
                });
            }
        }
        let next_offset = offset.saturating_add(u32::try_from(count).unwrap_or(u32::MAX));
        let full = count >= self.limit as usize;
        let total_says_more = page
            .total()
            .is_some_and(|total| i64::from(next_offset) < total);
        let finished = !(full || total_says_more) || next_offset == u32::MAX;
        let next = (!finished).then(|| PageCursor {
            status: self.status.clone(),
            offset: next_offset,
            limit: self.limit,
            // In the page's order, so that the same page gives the same document.
            previous_ids: page.instances.iter().filter_map(|i| i.id.clone()).collect(),
        });
        Ok(RomaPageStep { page, new, next })
    }
}

/// The iterator of [`Client::roma_instances`].
#[derive(Debug)]
#[must_use = "iterators do nothing unless consumed"]
pub struct RomaInstances {
    client: Client,
    /// The next page to fetch; `None` when no page is to be fetched any more.
    next: Option<PageCursor>,
    buffered: VecDeque<RomaInstanceSummary>,
    /// Pages asked for so far.
    requests: u32,
}

/// Every instance of a [`RomaInstances`] run, as `hwinst_roma_list_all_instances` and
/// `hwinst list --all` write it: `{"total":N,"instances":[...]}`, where `total` is the number
/// of instances returned (not the service's own `total`, which may be wrong).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[non_exhaustive]
pub struct AllRomaInstances {
    /// How many instances there are in `instances`.
    pub total: usize,
    /// The instances, in the order the pages gave them.
    pub instances: Vec<RomaInstanceSummary>,
}

impl RomaInstances {
    /// Fetches every remaining page: all the instances, or the first error.
    pub fn all(self) -> Result<AllRomaInstances> {
        let instances = self.collect::<Result<Vec<_>>>()?;
        Ok(AllRomaInstances {
            total: instances.len(),
            instances,
        })
    }

    /// How many page requests it has made so far.
    pub(crate) fn requests(&self) -> u32 {
        self.requests
    }

    /// Fetches the next page into the buffer; `Ok(())` with nothing buffered means the end.
    fn fetch(&mut self) -> Result<()> {
        let Some(cursor) = self.next.take() else {
            return Ok(());
        };
        self.requests += 1;
        let step = self.client.roma_page_step(&cursor)?;
        self.next = step.next;
        let mut instances: Vec<Option<RomaInstanceSummary>> =
            step.page.instances.into_iter().map(Some).collect();
        self.buffered
            .extend(step.new.into_iter().filter_map(|n| instances[n].take()));
        Ok(())
    }
}

impl Iterator for RomaInstances {
    type Item = Result<RomaInstanceSummary>;

    fn next(&mut self) -> Option<Self::Item> {
        // A page made only of instances already yielded is skipped, not taken as the end.
        // After an error `next` is None: the iterator ends.
        while self.buffered.is_empty() && self.next.is_some() {
            if let Err(e) = self.fetch() {
                return Some(Err(e));
            }
        }
        self.buffered.pop_front().map(Ok)
    }
}

impl std::iter::FusedIterator for RomaInstances {}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(total: Option<i64>, ids: &[&str]) -> RomaInstancePage {
        let instances: Vec<_> = ids.iter().map(|id| serde_json::json!({"id": id})).collect();
        serde_json::from_value(serde_json::json!({"total": total, "instances": instances})).unwrap()
    }

    #[test]
    fn a_cursor_document_has_defaults_and_refuses_unknown_keys() {
        let first: PageCursor = serde_json::from_str("{}").unwrap();
        assert_eq!(first, PageCursor::start(&RomaListQuery::new()));
        assert_eq!(first.limit, DEFAULT_PAGE_SIZE);
        assert!(serde_json::from_str::<PageCursor>(r#"{"next":1}"#).is_err());
        assert!(serde_json::from_str::<PageCursor>(r#"{"offset":-1}"#).is_err());
    }

    #[test]
    fn the_next_cursor_goes_back_unchanged_through_its_document() {
        let cursor = PageCursor::start(&RomaListQuery::new().status("RUNNING").limit(3));
        let step = cursor.step(page(Some(5), &["a", "b", "c"])).unwrap();
        assert_eq!(step.new, [0, 1, 2]);
        let next = step.next.unwrap();
        let document = serde_json::to_string(&next).unwrap();
        assert_eq!(
            document,
            r#"{"status":"RUNNING","offset":3,"limit":3,"previous_ids":["a","b","c"]}"#
        );
        let read: PageCursor = serde_json::from_str(&document).unwrap();
        assert_eq!(read, next);
        // c moved onto this page: not new; a short page that total agrees with ends it.
        let step = read.step(page(Some(5), &["c", "d"])).unwrap();
        assert_eq!(step.new, [1]);
        assert!(step.next.is_none());
        // The same page again: a server ignoring offset.
        let same = PageCursor::start(&RomaListQuery::new().limit(2));
        let again = same.step(page(None, &["a", "b"])).unwrap().next.unwrap();
        assert!(again.step(page(None, &["b", "a"])).is_err());
        // Not repeats: the same ID twice (nothing new), an instance without an ID (new).
        assert_eq!(
            again.step(page(None, &["a", "a"])).unwrap().new,
            [0usize; 0]
        );
        let without_id: RomaInstancePage = serde_json::from_value(
            serde_json::json!({"instances": [{"id": "a"}, {"name": "no id"}]}),
        )
        .unwrap();
        assert_eq!(again.step(without_id).unwrap().new, [1]);
        // A first page of one instance is never a repeat.
        let one = PageCursor::start(&RomaListQuery::new().limit(1));
        assert_eq!(one.step(page(None, &["a"])).unwrap().new, [0]);
    }
}
