//! What every parser target checks besides "does not panic": each emitted entity belongs to
//! the list the parser reports, and survives the JSON round trip the snapshot store relies on.

use model::Entity;
use sources::{Emit, ListInfo, ParseError};

/// Runs a bytes-level parser entry point and checks what it emits.
pub fn check(parse: impl FnOnce(&mut Emit) -> Result<ListInfo, ParseError>) {
    let mut lists: Vec<String> = Vec::new();
    let result = parse(&mut |e: Entity| {
        let json = serde_json::to_string(&e).expect("entities serialise");
        let back: Entity = serde_json::from_str(&json).expect("serialised entities read back");
        assert_eq!(back, e, "JSON round trip changed the entity");
        if !lists.iter().any(|l| l == e.id.list()) {
            lists.push(e.id.list().to_string());
        }
        Ok(())
    });
    if let Ok(info) = result {
        for l in &lists {
            assert_eq!(*l, info.list, "entity of list {l} in a parse that reports list {}", info.list);
        }
    }
}
