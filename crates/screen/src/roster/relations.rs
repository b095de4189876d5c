//! Parties that listed entities are related to, from the lists' own relations (OFAC "Linked
//! To:", UK parent and subsidiary companies, OpenSanctions ownership, directorship and
//! associates; custom lists' relations): an employer matching one of them is reported with the
//! listed entity and the kind of relation.
//!
//! The related parties' names are put in a small index of their own and searched with the
//! same matcher ([`Matcher::search`]), so names meet exactly as in screening.
//!
//! [`Matcher::search`]: matcher::Matcher::search

use matcher::{Config, Index, Matcher, Query, SearchOptions};
use model::{Entity, EntityId, Name, NameKind, Schema};

/// One relation of a listed entity.
#[derive(Debug, Clone, PartialEq)]
pub struct Link {
    /// The related party's name as the list gives it.
    pub related_name: String,
    /// `linked_to`, `owned_by`, `subsidiary_of`…
    pub kind: String,
    /// The listed entity the relation belongs to, `list:list_id`.
    pub listed_id: String,
    /// The listed entity's caption.
    pub listed_caption: String,
    /// How well the name searched for matched `related_name` (0-1); 0 in the index, set by
    /// [`RelationIndex::find`].
    pub score: f32,
}

/// The related parties of all listed entities.
pub struct RelationIndex {
    matcher: Option<Matcher>,
    links: Vec<Link>,
}

impl RelationIndex {
    /// No relations.
    pub fn empty() -> Self {
        RelationIndex {
            matcher: None,
            links: Vec::new(),
        }
    }

    /// Builds the index from the entities of a snapshot. Relations whose target is resolved
    /// to another entity use that entity's caption when the relation gives no name.
    pub fn build(entities: impl IntoIterator<Item = Entity>) -> Self {
        let mut links: Vec<Link> = Vec::new();
        let mut pending: Vec<(usize, String)> = Vec::new(); // (link, target id) to name later
        let mut captions: rustc_hash::FxHashMap<String, String> = Default::default();
        for e in entities {
            captions.insert(e.id.to_string(), e.caption().to_string());
            for r in &e.relations {
                if r.kind == "same_as" {
                    continue;
                }
                let link = Link {
                    related_name: r.target_name.clone().unwrap_or_default(),
                    kind: r.kind.clone(),
                    listed_id: e.id.to_string(),
                    listed_caption: e.caption().to_string(),
                    score: 0.0,
                };
                if link.related_name.trim().is_empty() {
                    if let Some(t) = &r.target {
                        pending.push((links.len(), t.to_string()));
                    }
                }
                links.push(link);
            }
        }
        for (i, t) in pending {
            if let Some(c) = captions.get(&t) {
                links[i].related_name = c.clone();
            }
        }
        links.retain(|l| !l.related_name.trim().is_empty());
        let ents: Vec<Entity> = links
            .iter()
            .enumerate()
            .filter_map(|(i, l)| {
                let mut e = Entity::new(
                    EntityId::new("related", &i.to_string()).ok()?,
                    Schema::LegalEntity,
                );
                e.names
                    .push(Name::new(l.related_name.clone(), NameKind::Primary));
                Some(e)
            })
            .collect();
        let matcher = (!ents.is_empty())
            .then(|| Matcher::new(Index::build(ents, "relations"), Config::default()));
        RelationIndex { matcher, links }
    }

    /// Relations held: those with a related party's name to match.
    pub fn len(&self) -> usize {
        self.links.len()
    }

    /// True when no relation has a name to match.
    pub fn is_empty(&self) -> bool {
        self.links.is_empty()
    }

    /// The relations whose related party matches `name`.
    pub fn find(&self, name: &str, opts: &SearchOptions) -> Vec<Link> {
        let Some(m) = &self.matcher else {
            return Vec::new();
        };
        let o = SearchOptions {
            lists: None,
            limit: 10,
            ..opts.clone()
        };
        m.search(&Query::name(name), &o)
            .into_iter()
            .filter(|r| r.is_match)
            .filter_map(|r| {
                let i: usize = r.list_id.parse().ok()?;
                let mut l = self.links.get(i)?.clone();
                l.score = r.score;
                Some(l)
            })
            .collect()
    }
}
