//! What the server shares between connections: the world behind one lock, and the base URL.

use super::world::World;
use std::sync::{Mutex, MutexGuard};

/// What the server shares between connections.
pub(crate) struct Shared {
    world: Mutex<World>,
    /// `http://127.0.0.1:PORT`.
    pub base_url: String,
}

impl Shared {
    pub(crate) fn new(world: World, base_url: String) -> Shared {
        Shared {
            world: Mutex::new(world),
            base_url,
        }
    }

    /// The world, locked. A handler that panicked cannot leave it half-changed in a way that
    /// matters more than stopping the simulator would, so a poisoned lock is used as is.
    pub(crate) fn world(&self) -> MutexGuard<'_, World> {
        self.world.lock().unwrap_or_else(|e| e.into_inner())
    }
}
