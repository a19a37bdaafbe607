//! The source of a program's choices. Past the end of the input every choice is 0, and
//! the generator orders its alternatives so that 0 is always the smallest one (a leaf
//! expression, no further statement): any input, even empty, makes a finite program.

/// Choices read from bytes, one byte per choice.
pub struct Bytes<'a> {
    data: &'a [u8],
    pos: usize,
}

impl<'a> Bytes<'a> {
    pub fn new(data: &'a [u8]) -> Bytes<'a> {
        Bytes { data, pos: 0 }
    }

    /// How many choices were made so far.
    pub fn used(&self) -> usize {
        self.pos
    }

    fn byte(&mut self) -> u8 {
        let b = self.data.get(self.pos).copied().unwrap_or(0);
        self.pos += 1;
        b
    }

    /// A choice in `0..n` (0 when the input is used up); `n` is at most 256.
    pub fn below(&mut self, n: usize) -> usize {
        debug_assert!((1..=256).contains(&n));
        self.byte() as usize % n
    }

    /// True with probability about `k / n` (false when the input is used up).
    pub fn chance(&mut self, k: usize, n: usize) -> bool {
        self.below(n) >= n - k
    }

    /// One of `items` (the first when the input is used up).
    pub fn pick<'t, T>(&mut self, items: &'t [T]) -> &'t T {
        &items[self.below(items.len())]
    }
}

/// `len` pseudo-random bytes from `seed` (splitmix64): the same seed gives the same
/// bytes, so the same program, on every machine.
pub fn seed_bytes(seed: u64, len: usize) -> Vec<u8> {
    let mut state = seed;
    let mut out = Vec::with_capacity(len + 8);
    while out.len() < len {
        state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^= z >> 31;
        out.extend_from_slice(&z.to_le_bytes());
    }
    out.truncate(len);
    out
}
