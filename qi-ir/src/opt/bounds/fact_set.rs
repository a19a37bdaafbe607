//! A set of facts kept as a sorted vector: what the analysis does with its sets
//! (copy one per edge, intersect at joins, scan all of them for bounds) is a copy of
//! contiguous memory, a merge and a slice walk, where an ordered tree set allocated a node
//! per few facts and searched the other set for each fact of a join. The order is the
//! facts' own, as the tree set's was, so the cut at `MAX_FACTS` and with it the compiled
//! code stay the same.

use super::Fact;

#[derive(Clone, Debug, Default)]
pub(super) struct FactSet(Vec<Fact>);

impl FactSet {
    pub fn new() -> FactSet {
        FactSet(Vec::new())
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn iter(&self) -> std::slice::Iter<'_, Fact> {
        self.0.iter()
    }

    pub fn insert(&mut self, x: Fact) {
        if let Err(at) = self.0.binary_search(&x) {
            self.0.insert(at, x);
        }
    }

    /// Drop the greatest fact.
    pub fn pop_last(&mut self) {
        self.0.pop();
    }

    pub fn retain(&mut self, keep: impl FnMut(&Fact) -> bool) {
        self.0.retain(keep);
    }

    /// Keep only the facts `other` holds too; whether that dropped any.
    pub fn intersect(&mut self, other: &FactSet) -> bool {
        let before = self.0.len();
        let theirs = &other.0;
        let mut j = 0;
        // One comparison per step of the merge (a fact compares field by field).
        self.0.retain(|x| {
            while let Some(y) = theirs.get(j) {
                j += 1;
                match y.cmp(x) {
                    std::cmp::Ordering::Less => {}
                    std::cmp::Ordering::Equal => return true,
                    std::cmp::Ordering::Greater => {
                        j -= 1;
                        return false;
                    }
                }
            }
            false
        });
        self.0.len() != before
    }
}

impl<'a> IntoIterator for &'a FactSet {
    type Item = &'a Fact;
    type IntoIter = std::slice::Iter<'a, Fact>;

    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::super::{Fact, Term};
    use super::FactSet;
    use crate::ir::LocalId;

    fn le(a: i64, b: u32) -> Fact {
        Fact::Le(Term::Const(a), Term::Local(LocalId(b)))
    }

    fn set(facts: &[Fact]) -> FactSet {
        let mut s = FactSet::new();
        for x in facts {
            s.insert(*x);
        }
        s
    }

    #[test]
    fn facts_stay_sorted_and_unique() {
        let s = set(&[le(3, 1), le(1, 1), le(3, 1), le(2, 0)]);
        let mut want = vec![le(3, 1), le(1, 1), le(2, 0)];
        want.sort();
        assert_eq!(s.iter().copied().collect::<Vec<_>>(), want);
    }

    #[test]
    fn intersect_keeps_the_shared_facts() {
        let mut a = set(&[le(0, 0), le(1, 0), le(2, 0), le(3, 0)]);
        let b = set(&[le(1, 0), le(3, 0), le(4, 0)]);
        assert!(a.intersect(&b));
        assert_eq!(a.iter().copied().collect::<Vec<_>>(), [le(1, 0), le(3, 0)]);
        assert!(!a.intersect(&b));
        assert!(a.intersect(&FactSet::new()));
        assert_eq!(a.len(), 0);
    }
}
