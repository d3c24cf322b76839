//! Paging of every list: `limit` (default 50, at most 500) and an opaque
//! `cursor` that the previous page returned as `next_cursor`. A cursor is
//! the hex of the last item's sort key, so a page is stable while items are
//! added or removed elsewhere in the list.

use serde::Deserialize;
use utoipa::IntoParams;

use crate::error::ApiError;

/// Items on a page when `limit` is not given.
pub const DEFAULT_LIMIT: u32 = 50;
/// The largest `limit`.
pub const MAX_LIMIT: u32 = 500;

/// The paging query parameters of every list.
#[derive(Debug, Clone, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct PageParams {
    /// Items per page, 1 to 500 (default 50).
    #[param(minimum = 1, maximum = 500)]
    pub limit: Option<u32>,
    /// The `next_cursor` of the previous page; absent for the first page.
    pub cursor: Option<String>,
}

/// Cuts one page out of `items`, which must be sorted by `key` ascending
/// with no two equal keys. Returns the page and the cursor of the next one.
pub fn page<T>(
    items: Vec<T>,
    key: impl Fn(&T) -> &str,
    params: &PageParams,
) -> Result<(Vec<T>, Option<String>), ApiError> {
    let limit = params.limit.unwrap_or(DEFAULT_LIMIT);
    if !(1..=MAX_LIMIT).contains(&limit) {
        return Err(ApiError::BadRequest(format!("limit must be between 1 and {MAX_LIMIT}")));
    }
    let after = match &params.cursor {
        None => None,
        Some(c) => {
            Some(decode_cursor(c).ok_or_else(|| ApiError::BadRequest("cursor is not one this server issued".into()))?)
        }
    };
    let limit = usize::try_from(limit).unwrap_or(usize::MAX);
    let mut rest = items.into_iter().filter(|item| after.as_deref().is_none_or(|after| key(item) > after)).peekable();
    let mut out = Vec::new();
    while out.len() < limit {
        match rest.next() {
            Some(item) => out.push(item),
            None => break,
        }
    }
    let next = if rest.peek().is_some() { out.last().map(|last| hex::encode(key(last))) } else { None };
    Ok((out, next))
}

fn decode_cursor(cursor: &str) -> Option<String> {
    String::from_utf8(hex::decode(cursor).ok()?).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(n: usize) -> Vec<String> {
        (0..n).map(|i| format!("k{i:03}")).collect()
    }

    #[test]
    fn pages_cover_the_list_once_in_order() {
        let all = keys(7);
        let mut seen = Vec::new();
        let mut params = PageParams { limit: Some(3), cursor: None };
        loop {
            let (items, next) = page(all.clone(), |s| s.as_str(), &params).unwrap();
            assert!(items.len() <= 3);
            seen.extend(items);
            match next {
                Some(c) => params.cursor = Some(c),
                None => break,
            }
        }
        assert_eq!(seen, all);
    }

    #[test]
    fn an_exact_last_page_has_no_next_cursor() {
        let (items, next) = page(keys(3), |s| s.as_str(), &PageParams { limit: Some(3), cursor: None }).unwrap();
        assert_eq!(items.len(), 3);
        assert_eq!(next, None);
    }

    #[test]
    fn a_limit_out_of_range_or_a_foreign_cursor_is_refused() {
        for limit in [0, 501] {
            let e = page(keys(1), |s| s.as_str(), &PageParams { limit: Some(limit), cursor: None }).unwrap_err();
            assert!(matches!(e, ApiError::BadRequest(_)), "{e:?}");
        }
        let e = page(keys(1), |s| s.as_str(), &PageParams { limit: None, cursor: Some("zz".into()) }).unwrap_err();
        assert!(matches!(e, ApiError::BadRequest(_)));
    }
}
