//! One string-keyed table of values of one kind, built for speed: a key is hashed and
//! compared where the caller holds it (no copy per lookup), and a new key is copied into
//! the table once; keys of up to [`INLINE`] bytes (`"k999999"`, most identifiers, four
//! Chinese characters) are stored inside the table's slot, so neither an insert allocates
//! nor a lookup follows a pointer for them. A longer key is a box holding the boxed bytes:
//! a thin pointer keeps every key at 16 bytes (an integer table's slot at 24), at the cost
//! of a second pointer to follow for long keys only. (With 22 inline bytes and a fat
//! pointer, slots were 32 bytes: the benchmark took about 5 % longer and 20 % more memory,
//! benches/README.md.) Keys are only ever compared, never given back (the module has no
//! iteration), so they are kept as bytes.

use std::hash::BuildHasher;

use hashbrown::hash_table::Entry;
use hashbrown::{DefaultHashBuilder, HashTable};

/// The longest key stored inside its slot: a [`Key`] is then 16 bytes.
pub(super) const INLINE: usize = 14;

/// A key's bytes, owned by the table.
enum Key {
    Inline { len: u8, bytes: [u8; INLINE] },
    Heap(Box<Box<[u8]>>),
}

const _: () = assert!(std::mem::size_of::<Key>() == 16);

impl Key {
    fn new(k: &[u8]) -> Key {
        if k.len() <= INLINE {
            let mut bytes = [0; INLINE];
            bytes[..k.len()].copy_from_slice(k);
            Key::Inline { len: k.len() as u8, bytes }
        } else {
            Key::Heap(Box::new(k.into()))
        }
    }

    #[inline]
    fn bytes(&self) -> &[u8] {
        match self {
            Key::Inline { len, bytes } => &bytes[..*len as usize],
            Key::Heap(b) => b,
        }
    }
}

/// Values of type `V` by string key.
pub(super) struct Map<V> {
    slots: HashTable<(Key, V)>,
    hasher: DefaultHashBuilder,
}

impl<V> Default for Map<V> {
    fn default() -> Self {
        Map { slots: HashTable::new(), hasher: DefaultHashBuilder::default() }
    }
}

impl<V> Map<V> {
    #[inline]
    fn hash(&self, key: &[u8]) -> u64 {
        self.hasher.hash_one(key)
    }

    pub(super) fn len(&self) -> usize {
        self.slots.len()
    }

    pub(super) fn get(&self, key: &str) -> Option<&V> {
        let key = key.as_bytes();
        self.slots.find(self.hash(key), |(k, _)| k.bytes() == key).map(|(_, v)| v)
    }

    pub(super) fn contains(&self, key: &str) -> bool {
        self.get(key).is_some()
    }

    /// Sets `key` to `value`, copying the key only when it is new.
    pub(super) fn set(&mut self, key: &str, value: V) {
        let key = key.as_bytes();
        let hash = self.hash(key);
        let hasher = &self.hasher;
        match self.slots.entry(hash, |(k, _)| k.bytes() == key, |(k, _)| hasher.hash_one(k.bytes()))
        {
            Entry::Occupied(mut e) => e.get_mut().1 = value,
            Entry::Vacant(e) => {
                e.insert((Key::new(key), value));
            }
        }
    }

    /// Removes `key`; whether it was there.
    pub(super) fn remove(&mut self, key: &str) -> bool {
        let key = key.as_bytes();
        match self.slots.find_entry(self.hash(key), |(k, _)| k.bytes() == key) {
            Ok(e) => {
                e.remove();
                true
            }
            Err(_) => false,
        }
    }

    pub(super) fn clear(&mut self) {
        self.slots.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_and_long_keys_are_kept_apart() {
        let mut m: Map<i64> = Map::default();
        let long = "长".repeat(INLINE); // 66 bytes: stored on the heap
        let edge = "x".repeat(INLINE); // the longest inline key
        let past = "x".repeat(INLINE + 1);
        for (i, k) in ["", "k1", "k10", &edge, &past, &long].iter().enumerate() {
            m.set(k, i as i64);
        }
        assert_eq!(m.len(), 6);
        assert_eq!(m.get(""), Some(&0));
        assert_eq!(m.get("k1"), Some(&1));
        assert_eq!(m.get(&edge), Some(&3));
        assert_eq!(m.get(&past), Some(&4));
        assert_eq!(m.get(&long), Some(&5));
        assert_eq!(m.get("k"), None);
        m.set("k1", 7);
        assert_eq!(m.get("k1"), Some(&7));
        assert_eq!(m.len(), 6);
        assert!(m.remove(&long));
        assert!(!m.remove(&long));
        assert!(!m.contains(&long));
        m.clear();
        assert_eq!(m.len(), 0);
        assert!(!m.contains("k1"));
    }

    #[test]
    fn many_keys_survive_growth() {
        let mut m: Map<i64> = Map::default();
        for i in 0..10_000 {
            m.set(&format!("键{i}"), i);
        }
        assert_eq!(m.len(), 10_000);
        assert!((0..10_000).all(|i| m.get(&format!("键{i}")) == Some(&i)));
    }
}
