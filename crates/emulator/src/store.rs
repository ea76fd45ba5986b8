//! The backgrounds set per chat, and the media they are served from.

use std::collections::HashMap;

use bytes::Bytes;

/// The current background of one chat.
#[derive(Debug, Clone)]
pub(crate) struct Background {
    pub id: String,
    pub version: u64,
    /// The image's MIME type, as sniffed from its bytes.
    pub mime: &'static str,
    pub bytes: Bytes,
}

/// Backgrounds keyed by normalised chat id, plus an index from background id to chat.
/// Only current backgrounds are kept, so memory stays bounded by the number of chats.
#[derive(Debug, Default)]
pub(crate) struct Store {
    chats: HashMap<String, Background>,
    media: HashMap<String, String>,
}

impl Store {
    pub(crate) fn get(&self, chat_id: &str) -> Option<&Background> {
        self.chats.get(chat_id)
    }

    /// Sets a chat's background. The same bytes again change nothing (`false`); different
    /// bytes get a fresh id and the next version (`true`).
    pub(crate) fn set(
        &mut self,
        chat_id: &str,
        mime: &'static str,
        bytes: Bytes,
        fresh_id: impl FnOnce() -> String,
    ) -> (Background, bool) {
        let version = match self.chats.get(chat_id) {
            Some(current) if current.bytes == bytes => return (current.clone(), false),
            Some(current) => {
                self.media.remove(&current.id);
                current.version + 1
            }
            None => 1,
        };
        let background = Background {
            id: fresh_id(),
            version,
            mime,
            bytes,
        };
        self.media.insert(background.id.clone(), chat_id.to_owned());
        self.chats.insert(chat_id.to_owned(), background.clone());
        (background, true)
    }

    /// The background whose id is `background_id`, if it is still current.
    pub(crate) fn media(&self, background_id: &str) -> Option<&Background> {
        self.media
            .get(background_id)
            .and_then(|chat| self.chats.get(chat))
    }

    pub(crate) fn clear(&mut self) {
        self.chats.clear();
        self.media.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_and_changed() {
        let mut store = Store::default();
        let mut n = 0;
        let mut id = || {
            n += 1;
            format!("bg_{n}")
        };
        let (first, changed) = store.set("c", "image/png", Bytes::from_static(b"a"), &mut id);
        assert!(changed);
        assert_eq!((first.id.as_str(), first.version), ("bg_1", 1));
        let (same, changed) = store.set("c", "image/png", Bytes::from_static(b"a"), &mut id);
        assert!(!changed);
        assert_eq!((same.id.as_str(), same.version), ("bg_1", 1));
        let (next, changed) = store.set("c", "image/gif", Bytes::from_static(b"b"), &mut id);
        assert!(changed);
        assert_eq!((next.id.as_str(), next.version), ("bg_2", 2));
        assert!(store.media("bg_1").is_none());
        assert_eq!(store.media("bg_2").unwrap().bytes, Bytes::from_static(b"b"));
    }
}
