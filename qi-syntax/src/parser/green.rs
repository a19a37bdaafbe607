//! Building the rowan green tree in time linear in the input.
//!
//! rowan's own `GreenNodeBuilder` interns small nodes in a hash table whose rehashing
//! recomputes every node's hash over its whole subtree (recursively). A left-deep chain
//! like `1+1+…+1` makes that quadratic in time and linear in stack depth. This builder
//! creates every node fresh (identical subtrees are not shared, which costs only memory
//! the parse would otherwise have saved on repeated small nodes) and interns tokens only,
//! whose hashing is bounded by their text. The token table is hashed with FxHash: with
//! std's SipHash, hashing every token of the source was about 5% of checking a large
//! program (benches/README.md, "Start-up of a large program").

use rustc_hash::FxHashMap;

use rowan::{GreenNode, GreenToken, NodeOrToken};

type Element = NodeOrToken<GreenNode, GreenToken>;

/// A position in the builder to which a node can later be started retroactively
/// (wrapping everything built since), as with rowan's `Checkpoint`.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Checkpoint(usize);

pub(crate) struct TreeBuilder<'t> {
    /// Open nodes: their kind and where their first child is in `children`.
    parents: Vec<(rowan::SyntaxKind, usize)>,
    /// Finished children of all open nodes, innermost node's last.
    children: Vec<Element>,
    tokens: FxHashMap<(rowan::SyntaxKind, &'t str), GreenToken>,
    /// Per kind (rowan's raw number), the token of that kind built last. Keywords and
    /// punctuation always repeat their text, and whitespace and names often do: the
    /// table above is hashed into only when the text differs from the last one's.
    last: Vec<Option<GreenToken>>,
}

impl<'t> TreeBuilder<'t> {
    pub(crate) fn new() -> Self {
        TreeBuilder {
            parents: Vec::new(),
            children: Vec::new(),
            tokens: FxHashMap::default(),
            last: Vec::new(),
        }
    }

    pub(crate) fn token(&mut self, kind: rowan::SyntaxKind, text: &'t str) {
        let k = usize::from(kind.0);
        if k >= self.last.len() {
            self.last.resize(k + 1, None);
        }
        let token = match &self.last[k] {
            Some(last) if last.text() == text => last.clone(),
            _ => {
                let token = self
                    .tokens
                    .entry((kind, text))
                    .or_insert_with(|| GreenToken::new(kind, text))
                    .clone();
                self.last[k] = Some(token.clone());
                token
            }
        };
        self.children.push(NodeOrToken::Token(token));
    }

    pub(crate) fn start_node(&mut self, kind: rowan::SyntaxKind) {
        self.parents.push((kind, self.children.len()));
    }

    pub(crate) fn finish_node(&mut self) {
        let (kind, first) = self.parents.pop().expect("finish_node without start_node");
        let node = GreenNode::new(kind, self.children.drain(first..));
        self.children.push(NodeOrToken::Node(node));
    }

    pub(crate) fn checkpoint(&self) -> Checkpoint {
        Checkpoint(self.children.len())
    }

    /// Starts a node that takes as children everything built since `checkpoint`.
    pub(crate) fn start_node_at(&mut self, checkpoint: Checkpoint, kind: rowan::SyntaxKind) {
        let Checkpoint(first) = checkpoint;
        assert!(
            first <= self.children.len()
                && self.parents.last().is_none_or(|&(_, open)| open <= first),
            "checkpoint no longer valid"
        );
        self.parents.push((kind, first));
    }

    /// The root: exactly one node must have been built and none left open.
    pub(crate) fn finish(mut self) -> GreenNode {
        assert!(self.parents.is_empty() && self.children.len() == 1, "unbalanced tree");
        match self.children.pop() {
            Some(NodeOrToken::Node(root)) => root,
            _ => unreachable!("the root is a node"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NODE: rowan::SyntaxKind = rowan::SyntaxKind(1000);
    const WRAP: rowan::SyntaxKind = rowan::SyntaxKind(1001);
    const TOK: rowan::SyntaxKind = rowan::SyntaxKind(1);

    #[test]
    fn checkpoints_wrap_what_follows_them() {
        let mut b = TreeBuilder::new();
        b.start_node(NODE);
        let cp = b.checkpoint();
        b.token(TOK, "a");
        b.token(TOK, "b");
        b.start_node_at(cp, WRAP);
        b.token(TOK, "c");
        b.finish_node();
        b.token(TOK, "d");
        b.finish_node();
        let root = b.finish();
        assert_eq!(root.kind(), NODE);
        assert_eq!(root.children().len(), 2);
        let wrap = root.children().next().unwrap().into_node().unwrap();
        assert_eq!(wrap.kind(), WRAP);
        assert_eq!(wrap.children().len(), 3);
        assert_eq!(u32::from(root.text_len()), 4);
    }

    #[test]
    fn tokens_of_the_same_kind_and_text_are_shared_whatever_came_between() {
        let mut b = TreeBuilder::new();
        b.start_node(NODE);
        for text in ["a", "a", "b", "a", "b", "b"] {
            b.token(TOK, text);
        }
        b.token(WRAP, "a");
        b.finish_node();
        let root = b.finish();
        let tokens: Vec<GreenToken> =
            root.children().map(|c| c.into_token().unwrap().to_owned()).collect();
        let texts: Vec<&str> = tokens.iter().map(|t| t.text()).collect();
        assert_eq!(texts, ["a", "a", "b", "a", "b", "b", "a"]);
        let same =
            |i: usize, j: usize| std::ptr::eq::<rowan::GreenTokenData>(&*tokens[i], &*tokens[j]);
        assert!(same(0, 1) && same(0, 3) && same(2, 4) && same(2, 5));
        assert!(!same(0, 2));
        assert_eq!(tokens[6].kind(), WRAP, "a kind of its own");
        assert!(!same(0, 6));
    }
}
