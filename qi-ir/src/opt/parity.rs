//! Halving even numbers with a shift (`x / 2` → `x >> 1`, `x % 2` → `0`).
//!
//! Integer `/` truncates towards zero, so halving a value that may be negative needs a
//! fix-up before the arithmetic shift (`x + (x >>> 63)`), three machine instructions. When
//! `x` is known to be even, truncating and flooring agree and the shift alone is exact,
//! also for negative and wrapped values: evenness survives wrapping modulo 2⁶⁴.
//!
//! The proof is the parity of each integer value as a sum modulo 2 of unknown parities:
//! `a + b`, `a - b` and `-a` add parities, `a * b` multiplies them, so `a * (a + 1)` (and
//! any product of two values whose parities are `p` and `p + 1`) is even whatever `a` is.
//! That is the triangular number `n (n + 1) / 2`, which `spectral`'s matrix entry computes
//! in its inner loop. The analysis stays inside one block: a local's parity at the block's
//! start is an unknown of its own, so nothing is carried across blocks or loops.

use crate::ir::*;

/// The parity of a value: the sum modulo 2 of the unknowns in `unknowns` (sorted, each at
/// most once) and of `odd`.
#[derive(Clone, Debug, PartialEq)]
struct Parity {
    unknowns: Vec<u32>,
    odd: bool,
}

/// Longest sum kept; a longer one is replaced by a fresh unknown (losing nothing the
/// products this pass looks for need).
const MAX_UNKNOWNS: usize = 8;

impl Parity {
    fn known(odd: bool) -> Parity {
        Parity { unknowns: Vec::new(), odd }
    }

    fn unknown(id: u32) -> Parity {
        Parity { unknowns: vec![id], odd: false }
    }

    fn is_even(&self) -> bool {
        self.unknowns.is_empty() && !self.odd
    }

    /// `self + other` modulo 2: unknowns that occur in both cancel.
    fn plus(&self, other: &Parity) -> Parity {
        let (a, b) = (&self.unknowns, &other.unknowns);
        let (mut i, mut j) = (0, 0);
        let mut unknowns = Vec::with_capacity(a.len() + b.len());
        while i < a.len() || j < b.len() {
            match (a.get(i), b.get(j)) {
                (Some(x), Some(y)) if x == y => {
                    i += 1;
                    j += 1;
                }
                (Some(x), Some(y)) if x < y => {
                    unknowns.push(*x);
                    i += 1;
                }
                (Some(x), None) => {
                    unknowns.push(*x);
                    i += 1;
                }
                (_, Some(y)) => {
                    unknowns.push(*y);
                    j += 1;
                }
                (None, None) => unreachable!(),
            }
        }
        Parity { unknowns, odd: self.odd != other.odd }
    }

    /// `self * other` modulo 2, when it can be said without multiplying two sums out.
    fn times(&self, other: &Parity) -> Option<Parity> {
        for (a, b) in [(self, other), (other, self)] {
            if a.unknowns.is_empty() {
                return Some(if a.odd { b.clone() } else { Parity::known(false) });
            }
        }
        if self.unknowns != other.unknowns {
            return None;
        }
        // p·p = p and p·(p + 1) = 0 modulo 2.
        Some(if self.odd == other.odd { self.clone() } else { Parity::known(false) })
    }
}

/// One block's walk: the parity of each local assigned so far in the block.
struct Walk<'a> {
    address_taken: &'a [bool],
    assigned: Vec<Option<Parity>>,
    /// The locals `assigned` has an entry for, to clear it at the next block.
    touched: Vec<usize>,
    next_unknown: u32,
}

impl Walk<'_> {
    fn fresh(&mut self) -> Parity {
        self.next_unknown += 1;
        Parity::unknown(self.next_unknown)
    }

    fn operand(&mut self, o: &Operand) -> Parity {
        match o {
            Operand::Int(c) => Parity::known(c & 1 == 1),
            // C may store into a local whose address is taken at any call: each read is
            // an unknown of its own.
            Operand::Local(l) if self.address_taken[l.index()] => self.fresh(),
            Operand::Local(l) => match &self.assigned[l.index()] {
                Some(p) => p.clone(),
                // The value the block started with.
                None => Parity::unknown(l.index() as u32),
            },
            _ => self.fresh(),
        }
    }

    fn value(&mut self, v: &Value) -> Parity {
        let p = match v {
            Value::Use(o) => Some(self.operand(o)),
            Value::Unary(UnOp::INeg, o) => Some(self.operand(o)),
            Value::Binary(BinOp::IAdd | BinOp::ISub, a, b) => {
                Some(self.operand(a).plus(&self.operand(b)))
            }
            Value::Binary(BinOp::IMul, a, b) => self.operand(a).times(&self.operand(b)),
            Value::Binary(BinOp::IShl, _, Operand::Int(c)) if c & 63 != 0 => {
                Some(Parity::known(false))
            }
            _ => None,
        };
        match p {
            Some(p) if p.unknowns.len() <= MAX_UNKNOWNS => p,
            _ => self.fresh(),
        }
    }
}

/// Rewrite `x / 2` into `x >> 1` and `x % 2` into `0` where `x` is proved even.
pub fn halve_even_values(f: &mut Function, address_taken: &[bool]) {
    let locals = f.locals.len();
    let mut walk = Walk {
        address_taken,
        assigned: vec![None; locals],
        touched: Vec::new(),
        next_unknown: locals as u32,
    };
    for block in &mut f.blocks {
        for l in walk.touched.drain(..) {
            walk.assigned[l] = None;
        }
        for inst in &mut block.insts {
            let Inst::Assign { dst, value } = inst else { continue };
            if let Value::Binary(op @ (BinOp::IDiv | BinOp::IRem), x, Operand::Int(2)) = value {
                if walk.operand(x).is_even() {
                    *value = match op {
                        BinOp::IDiv => Value::Binary(BinOp::IShr, *x, Operand::Int(1)),
                        _ => Value::Use(Operand::Int(0)),
                    };
                }
            }
            let p = walk.value(value);
            if !address_taken[dst.index()] {
                walk.assigned[dst.index()] = Some(p);
                walk.touched.push(dst.index());
            }
        }
    }
}
