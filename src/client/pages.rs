//! Every ROMA Connect instance, page by page: an iterator that fetches the next page only when
//! the previous one is used up, and that ends against servers that misreport pagination.

use super::Client;
use crate::error::{Error, Result};
use crate::model::roma::{RomaInstanceSummary, RomaListQuery};
use serde::Serialize;
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
            status: query.status.clone(),
            // A limit of 0 is not bent to 1: the first page's request refuses it.
            page_size: query.limit.unwrap_or(DEFAULT_PAGE_SIZE),
            next_offset: query.offset.unwrap_or(0),
            buffered: VecDeque::new(),
            previous_ids: HashSet::new(),
            finished: false,
            requests: 0,
        }
    }
}

/// The iterator of [`Client::roma_instances`].
#[derive(Debug)]
#[must_use = "iterators do nothing unless consumed"]
pub struct RomaInstances {
    client: Client,
    status: Option<String>,
    page_size: u32,
    next_offset: u32,
    buffered: VecDeque<RomaInstanceSummary>,
    /// The IDs on the last page fetched.
    previous_ids: HashSet<String>,
    /// No page is to be fetched any more.
    finished: bool,
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
        let offset = self.next_offset;
        let mut query = RomaListQuery::new().offset(offset).limit(self.page_size);
        query.status = self.status.clone();
        self.requests += 1;
        let page = self.client.roma_list_instances(&query)?;
        let count = page.instances.len();
        if count == 0 {
            self.finished = true;
            return Ok(());
        }
        let ids: HashSet<String> = page.instances.iter().filter_map(|i| i.id.clone()).collect();
        if ids.len() == count && ids == self.previous_ids {
            self.finished = true;
            return Err(Error::Decode {
                what: "ROMA instance list",
                message: format!(
                    "the page at offset {offset} repeats the previous page: the service \
                     seems to ignore `offset`, so paging stopped there"
                ),
            });
        }
        self.next_offset = offset.saturating_add(count as u32);
        let full = count >= self.page_size as usize;
        let total_says_more = page
            .total()
            .is_some_and(|total| i64::from(self.next_offset) < total);
        self.finished = !(full || total_says_more) || self.next_offset == u32::MAX;
        let previous = std::mem::replace(&mut self.previous_ids, ids);
        self.buffered.extend(
            page.instances
                .into_iter()
                .filter(|i| i.id.as_ref().is_none_or(|id| !previous.contains(id))),
        );
        Ok(())
    }
}

impl Iterator for RomaInstances {
    type Item = Result<RomaInstanceSummary>;

    fn next(&mut self) -> Option<Self::Item> {
        // A page made only of instances already yielded is skipped, not taken as the end.
        while self.buffered.is_empty() && !self.finished {
            if let Err(e) = self.fetch() {
                self.finished = true;
                return Some(Err(e));
            }
        }
        self.buffered.pop_front().map(Ok)
    }
}

impl std::iter::FusedIterator for RomaInstances {}
