//! The byte storage a kernel manages.

/// Byte storage the kernel manages.
///
/// `bytes()` is the whole reserved capacity, zero-initialised at creation. Its address must never
/// change while a kernel owns it, because hosts compute `base + offset` (upstream's
/// `extism_current_plugin_memory` contract). The kernel only ever reads and writes the committed
/// prefix of it.
pub trait Arena {
    /// The whole reserved capacity.
    fn bytes(&self) -> &[u8];
    /// The whole reserved capacity, writable.
    fn bytes_mut(&mut self) -> &mut [u8];
}

/// Any owned byte buffer works: `Box<[u8]>`, `Vec<u8>` (never resized by the kernel), `[u8; N]`,
/// `&mut [u8]`.
impl<T: AsRef<[u8]> + AsMut<[u8]>> Arena for T {
    fn bytes(&self) -> &[u8] {
        self.as_ref()
    }

    fn bytes_mut(&mut self) -> &mut [u8] {
        self.as_mut()
    }
}
