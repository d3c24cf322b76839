//! Byte layout of one object record in the `objects` table.
//!
//! ```text
//! u8  format version (1)
//! u64 revision
//! u64 sequence            (creation order; key of the membership and name tables)
//! str keystore            (u32 length + UTF-8)
//! u32 name count, then each name as str
//! u32 metadata length + metadata (opaque to the store; holds no key bytes)
//! u8  0 = no material, 1 = sealed material follows as u32 length + bytes
//! ```
//!
//! Integers are big-endian. The material is sealed (see [`super::seal`]) with
//! the object id as associated data, so the header can be read (by the writer,
//! for revision checks and index upkeep) without the master key.

const FORMAT_VERSION: u8 = 1;

/// A decoded record; `sealed` borrows the sealed material from the input.
pub(crate) struct Record<'a> {
    pub revision: u64,
    pub seq: u64,
    pub keystore: String,
    pub names: Vec<String>,
    pub metadata: &'a [u8],
    pub sealed: Option<&'a [u8]>,
}

/// What the writer needs to know of the record it replaces or deletes.
#[derive(Clone, Debug)]
pub(crate) struct Header {
    pub revision: u64,
    pub seq: u64,
    pub keystore: String,
    pub names: Vec<String>,
    /// It has sealed material (a destroyed object has none): such an object
    /// holds its names against new takers (see `redb::check_names`).
    pub material: bool,
}

/// A field is longer than the format allows (4 GiB).
#[derive(Debug)]
pub(crate) struct TooLarge;

fn put_bytes(out: &mut Vec<u8>, b: &[u8]) -> Result<(), TooLarge> {
    let n = u32::try_from(b.len()).map_err(|_| TooLarge)?;
    out.extend_from_slice(&n.to_be_bytes());
    out.extend_from_slice(b);
    Ok(())
}

/// Encodes a record.
pub(crate) fn encode(
    revision: u64,
    seq: u64,
    keystore: &str,
    names: &[String],
    metadata: &[u8],
    sealed: Option<&[u8]>,
) -> Result<Vec<u8>, TooLarge> {
    let names_len: usize = names.iter().map(|n| n.len() + 4).sum();
    let mut out = Vec::with_capacity(
        1 + 16 + 4 + keystore.len() + 4 + names_len + 4 + metadata.len() + 5 + sealed.map_or(0, <[u8]>::len),
    );
    out.push(FORMAT_VERSION);
    out.extend_from_slice(&revision.to_be_bytes());
    out.extend_from_slice(&seq.to_be_bytes());
    put_bytes(&mut out, keystore.as_bytes())?;
    let count = u32::try_from(names.len()).map_err(|_| TooLarge)?;
    out.extend_from_slice(&count.to_be_bytes());
    for n in names {
        put_bytes(&mut out, n.as_bytes())?;
    }
    put_bytes(&mut out, metadata)?;
    match sealed {
        None => out.push(0),
        Some(s) => {
            out.push(1);
            put_bytes(&mut out, s)?;
        }
    }
    Ok(out)
}

/// Bounds-checked reader over a record.
struct Cursor<'a>(&'a [u8]);

impl<'a> Cursor<'a> {
    fn u8(&mut self) -> Result<u8, &'static str> {
        let (&b, rest) = self.0.split_first().ok_or("truncated")?;
        self.0 = rest;
        Ok(b)
    }
    fn u32(&mut self) -> Result<u32, &'static str> {
        let (n, rest) = self.0.split_first_chunk::<4>().ok_or("truncated")?;
        self.0 = rest;
        Ok(u32::from_be_bytes(*n))
    }
    fn u64(&mut self) -> Result<u64, &'static str> {
        let (n, rest) = self.0.split_first_chunk::<8>().ok_or("truncated")?;
        self.0 = rest;
        Ok(u64::from_be_bytes(*n))
    }
    fn bytes(&mut self) -> Result<&'a [u8], &'static str> {
        let n = usize::try_from(self.u32()?).map_err(|_| "length")?;
        let (b, rest) = self.0.split_at_checked(n).ok_or("truncated")?;
        self.0 = rest;
        Ok(b)
    }
    fn string(&mut self) -> Result<String, &'static str> {
        let b = self.bytes()?;
        String::from_utf8(b.to_vec()).map_err(|_| "text is not UTF-8")
    }
}

/// Decodes a record; the error says what is wrong (never any content).
pub(crate) fn decode(bytes: &[u8]) -> Result<Record<'_>, &'static str> {
    let mut c = Cursor(bytes);
    if c.u8()? != FORMAT_VERSION {
        return Err("unknown record format version");
    }
    let revision = c.u64()?;
    let seq = c.u64()?;
    let keystore = c.string()?;
    let count = c.u32()?;
    // Each name takes at least 4 bytes: do not trust the count for the allocation.
    let mut names = Vec::with_capacity(usize::try_from(count).unwrap_or(0).min(c.0.len() / 4));
    for _ in 0..count {
        names.push(c.string()?);
    }
    let metadata = c.bytes()?;
    let sealed = match c.u8()? {
        0 => None,
        1 => Some(c.bytes()?),
        _ => return Err("bad material flag"),
    };
    if !c.0.is_empty() {
        return Err("trailing bytes");
    }
    Ok(Record { revision, seq, keystore, names, metadata, sealed })
}

impl Record<'_> {
    pub(crate) fn header(&self) -> Header {
        Header {
            revision: self.revision,
            seq: self.seq,
            keystore: self.keystore.clone(),
            names: self.names.clone(),
            material: self.sealed.is_some(),
        }
    }
}

#[cfg(test)]
#[allow(clippy::indexing_slicing)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_every_truncation_is_an_error() {
        let names = vec!["a".to_string(), "bé".to_string()];
        let b = encode(3, 9, "ks", &names, b"meta", Some(b"sealed")).unwrap();
        let r = decode(&b).unwrap();
        assert_eq!((r.revision, r.seq, r.keystore.as_str()), (3, 9, "ks"));
        assert_eq!(r.names, names);
        assert_eq!(r.metadata, b"meta");
        assert_eq!(r.sealed, Some(&b"sealed"[..]));
        for n in 0..b.len() {
            assert!(decode(&b[..n]).is_err(), "prefix of {n} bytes");
        }
        let mut longer = b.clone();
        longer.push(0);
        assert!(decode(&longer).is_err());
        let none = encode(1, 1, "", &[], b"", None).unwrap();
        assert!(decode(&none).unwrap().sealed.is_none());
    }
}
