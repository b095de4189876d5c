//! Small helpers the format readers share: folding whitespace, reading cleaned values from
//! XML record trees, and adding values to an entity without repeating them.

use crate::input::xml::Node;
use model::{Entity, Identifier};

/// Runs of whitespace (including line breaks inside sentences) as one space, trimmed.
pub(crate) fn clean(s: impl AsRef<str>) -> String {
    s.as_ref().split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The cleaned text of `node`'s first child `name`, if not empty.
pub(crate) fn text(node: &Node, name: &str) -> Option<String> {
    node.child_text(name).map(clean).filter(|t| !t.is_empty())
}

/// The cleaned value of `node`'s attribute `name`, if not empty.
pub(crate) fn attr(node: &Node, name: &str) -> Option<String> {
    node.attrs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| clean(v))
        .filter(|v| !v.is_empty())
}

/// The cleaned, non-empty texts of `nodes` (`texts(node.children_named("VALUE"))`).
pub(crate) fn texts<'a>(nodes: impl IntoIterator<Item = &'a Node>) -> Vec<String> {
    nodes
        .into_iter()
        .map(|n| clean(&n.text))
        .filter(|t| !t.is_empty())
        .collect()
}

/// Appends `value` unless it is empty or already in `list`.
pub(crate) fn push_unique(list: &mut Vec<String>, value: String) {
    if !value.is_empty() && !list.contains(&value) {
        list.push(value);
    }
}

/// Adds `value` to `e.extra[key]` unless it is empty or already there.
pub(crate) fn add_extra(e: &mut Entity, key: &str, value: String) {
    if !value.is_empty() {
        let list = e.extra.entry(key.to_string()).or_default();
        if !list.contains(&value) {
            list.push(value);
        }
    }
}

/// Adds an identifier unless one of the same kind and value is already there.
pub(crate) fn add_id(e: &mut Entity, id: Identifier) {
    if !e
        .identifiers
        .iter()
        .any(|i| i.kind == id.kind && i.value == id.value)
    {
        e.identifiers.push(id);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use model::{EntityId, IdKind, Schema};

    #[test]
    fn clean_and_node_values() {
        assert_eq!(clean("  a\n  b\tc "), "a b c");
        let node = Node {
            name: "r".into(),
            attrs: vec![("k".into(), " x \n y ".into()), ("e".into(), "  ".into())],
            children: vec![
                Node {
                    name: "V".into(),
                    text: "one\n two".into(),
                    ..Default::default()
                },
                Node {
                    name: "V".into(),
                    ..Default::default()
                },
            ],
            ..Default::default()
        };
        assert_eq!(attr(&node, "k").as_deref(), Some("x y"));
        assert_eq!(attr(&node, "e"), None);
        assert_eq!(text(&node, "V").as_deref(), Some("one two"));
        assert_eq!(texts(node.children_named("V")), ["one two"]);
    }

    #[test]
    fn additions_skip_empty_values_and_repeats() {
        let mut e = Entity::new(EntityId::new("t", "1").unwrap(), Schema::Person);
        push_unique(&mut e.remarks, "a".into());
        push_unique(&mut e.remarks, "a".into());
        push_unique(&mut e.remarks, String::new());
        assert_eq!(e.remarks, ["a"]);
        add_extra(&mut e, "k", "v".into());
        add_extra(&mut e, "k", "v".into());
        add_extra(&mut e, "empty", String::new());
        assert_eq!(e.extra.len(), 1);
        assert_eq!(e.extra["k"], ["v"]);
        add_id(&mut e, Identifier::new(IdKind::Passport, "P1"));
        add_id(&mut e, Identifier::new(IdKind::Passport, "P1"));
        add_id(&mut e, Identifier::new(IdKind::NationalId, "P1"));
        assert_eq!(e.identifiers.len(), 2);
    }
}
