//! Saving an idle plugin to bytes and bringing it back (an extension: `extism_x_plugin_save`,
//! `extism_x_plugin_new_from_state`). `layout` finds at compile time what of an instance a state
//! carries, `format` writes and reads the bytes (docs/state-format.md), `save` and `restore` move
//! a plugin's state into and out of them.

pub mod format;
pub mod layout;
pub mod restore;
pub mod save;

pub use restore::{restore, restore_into};
pub use save::save;

#[cfg(all(test, feature = "std"))]
mod tests;
